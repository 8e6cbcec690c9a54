/* Payments over HTTP (docs/internals/payments.md, src/payments/payments.h). Owners: the SEPA
 * mandate (GET/PUT/DELETE /api/v1/billing/mandate) and the e-invoicing XML of a document
 * (GET /api/v1/invoices/{id}.xml, dispatched from api_billing.c's {id} route). Operators:
 * the pain.008 batch of a collection date, the bank files' upload, the lines left unmatched
 * and "paid by hand". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/api.h"
#include "app/api_handlers.h"
#include "base/clock.h"
#include "payments/mandate.h"
#include "payments/payments.h"
#include "base/banned.h"

#define XML_MAX	      (8 * 1024 * 1024)
#define UNMATCHED_MAX 500
#define NOTE_MAX      400

static json_t *creditor_json(void)
{
	char id[64], name[64];
	payments_creditor(id, name, NULL, NULL);
	return json_pack("{s:s, s:s}", "id", id, "name", name);
}

int handle_mandate_get(struct http_req *req, struct http_resp *resp, struct err *e)
{
	db_conn *c;
	if (db_acquire(api_app(req)->db, &c, e))
		return -1;
	struct mandate m;
	int has = mandate_active(c, api_account(req)->id, &m, e);
	db_release(c);
	if (has < 0)
		return -1;
	http_resp_json(resp, 200,
		       json_pack("{s:o, s:o}", "mandate", has ? mandate_to_json(&m) : json_null(), "creditor",
				 creditor_json()));
	return 0;
}

struct sign_op {
	int64_t account_id, user_id;
	const char *ip;
	struct mandate_input in;
	struct mandate out;
	int64_t now;
};

static int sign_tx(db_conn *c, void *ctx, struct err *e)
{
	struct sign_op *op = ctx;
	return mandate_sign(c, op->account_id, op->user_id, &op->in, op->now, op->ip, &op->out, e);
}

int handle_mandate_put(struct http_req *req, struct http_resp *resp, struct err *e)
{
	static const char *const fields[] = {"iban", "bic", "holder_name", NULL};
	char iban[80], bic[40], holder[MANDATE_HOLDER_MAX * 4 + 1];
	json_t *body = http_req_json(req, e);
	if (!body || api_only_fields(body, fields, e) ||
	    api_string(body, "iban", 1, iban, sizeof(iban) - 1, e) ||
	    api_string(body, "bic", 0, bic, sizeof(bic) - 1, e) ||
	    api_string(body, "holder_name", 1, holder, MANDATE_HOLDER_MAX, e))
		return -1;
	struct sign_op *op = arena_alloc(http_req_arena(req), sizeof(*op));
	memset(op, 0, sizeof(*op));
	if (mandate_input_check(iban, bic, holder, &op->in, e))
		return -1;
	op->account_id = api_account(req)->id;
	op->user_id = api_principal(req)->user_id;
	op->ip = http_req_client_ip(req);
	op->now = clock_now();
	if (api_transact(req, sign_tx, op, e))
		return -1;
	http_resp_json(
		resp, 200,
		json_pack("{s:o, s:o}", "mandate", mandate_to_json(&op->out), "creditor", creditor_json()));
	return 0;
}

struct revoke_op {
	int64_t account_id, user_id, now;
	const char *ip;
};

static int revoke_tx(db_conn *c, void *ctx, struct err *e)
{
	struct revoke_op *op = ctx;
	return mandate_revoke(c, op->account_id, op->user_id, op->now, op->ip, e);
}

int handle_mandate_delete(struct http_req *req, struct http_resp *resp, struct err *e)
{
	struct revoke_op op = {.account_id = api_account(req)->id,
			       .user_id = api_principal(req)->user_id,
			       .now = clock_now(),
			       .ip = http_req_client_ip(req)};
	if (api_transact(req, revoke_tx, &op, e))
		return -1;
	http_resp_json(resp, 200, json_pack("{s:n, s:o}", "mandate", "creditor", creditor_json()));
	return 0;
}

int api_invoice_cii(struct http_req *req, struct http_resp *resp, const char *id, struct err *e)
{
	db_conn *c;
	if (db_acquire(api_app(req)->db, &c, e))
		return -1;
	struct buf xml;
	buf_init(&xml, XML_MAX);
	char number[24];
	int has = payments_invoice_cii(c, api_account(req)->id, id, &xml, number, e);
	db_release(c);
	if (has <= 0) {
		buf_release(&xml);
		return has < 0 ? -1 : err_set(e, 404, "not_found", NULL, "no such invoice");
	}
	char disposition[96];
	snprintf(disposition, sizeof(disposition), "inline; filename=\"%s.xml\"", number);
	http_resp_header(resp, "Content-Disposition", disposition);
	http_resp_body(resp, 200, "application/xml; charset=utf-8", xml.data, xml.len);
	buf_release(&xml);
	return 0;
}

/* ---- operators ---- */

struct batch_op {
	const char *date;
	int64_t now;
	struct buf xml;
	int count;
};

static int batch_tx(db_conn *c, void *ctx, struct err *e)
{
	struct batch_op *op = ctx;
	buf_reset(&op->xml);
	return payments_sepa_batch(c, op->date, op->now, &op->xml, &op->count, e);
}

int handle_ops_sepa_batch(struct http_req *req, struct http_resp *resp, struct err *e)
{
	struct batch_op op = {.date = http_req_query(req, "date"), .now = clock_now()};
	if (!op.date)
		return err_set(e, 400, "missing_field", "date", "give the collection date: ?date=YYYY-MM-DD");
	buf_init(&op.xml, XML_MAX);
	if (api_transact(req, batch_tx, &op, e)) {
		buf_release(&op.xml);
		return -1;
	}
	char disposition[96], count[16];
	snprintf(disposition, sizeof(disposition), "attachment; filename=\"pain008-%s.xml\"", op.date);
	snprintf(count, sizeof(count), "%d", op.count);
	http_resp_header(resp, "Content-Disposition", disposition);
	http_resp_header(resp, "X-Transactions", count);
	http_resp_body(resp, 200, "application/xml; charset=utf-8", op.xml.data, op.xml.len);
	buf_release(&op.xml);
	return 0;
}

struct import_op {
	const char *name;
	const char *data;
	size_t len;
	int64_t operator_id, now;
	json_t *out;
	int rejected;
};

static int import_tx(db_conn *c, void *ctx, struct err *e)
{
	struct import_op *op = ctx;
	json_decref(op->out);
	op->out = NULL;
	return payments_import_bank_file(c, op->name, op->data, op->len, op->operator_id, op->now, &op->out,
					 &op->rejected, e);
}

/* The file name of a Content-Disposition header (filename="…"), or "". */
static void file_name(struct http_req *req, char *out, size_t cap)
{
	out[0] = '\0';
	const char *cd = http_req_header(req, "Content-Disposition");
	const char *f = cd ? strstr(cd, "filename=") : NULL;
	if (!f)
		return;
	f += 9;
	if (*f == '"')
		f++;
	size_t n = strcspn(f, "\";");
	snprintf(out, cap, "%.*s", (int)(n < cap ? n : cap - 1), f);
}

int handle_ops_bank_files_post(struct http_req *req, struct http_resp *resp, struct err *e)
{
	struct import_op op = {.operator_id = api_principal(req)->operator_id, .now = clock_now()};
	op.data = http_req_body(req, &op.len);
	if (!op.data || !op.len)
		return err_set(e, 400, "missing_file", NULL, "send the bank file itself as the body");
	if (op.len > PAYMENTS_BANK_FILE_MAX)
		return err_set(e, 400, "file_too_large", NULL, "a bank file is at most 5 MB");
	char name[200];
	file_name(req, name, sizeof(name));
	op.name = name;
	if (api_transact(req, import_tx, &op, e)) {
		json_decref(op.out);
		return -1;
	}
	if (op.rejected) {
		const char *reason =
			json_string_value(json_object_get(json_object_get(op.out, "file"), "reason"));
		err_set(e, 422, "bank_file_rejected", NULL, "%s", reason ? reason : "the file was rejected");
		json_decref(op.out);
		return -1;
	}
	int dup = json_is_true(json_object_get(json_object_get(op.out, "file"), "duplicate"));
	http_resp_json(resp, dup ? 200 : 201, op.out);
	return 0;
}

int handle_ops_payments_unmatched(struct http_req *req, struct http_resp *resp, struct err *e)
{
	db_conn *c;
	if (db_acquire(api_app(req)->db, &c, e))
		return -1;
	json_t *lines = payments_unmatched(c, UNMATCHED_MAX, e);
	db_release(c);
	if (!lines)
		return -1;
	http_resp_json(resp, 200, json_pack("{s:o}", "lines", lines));
	return 0;
}

struct paid_op {
	const char *id;
	char note[NOTE_MAX * 4 + 1], line[32];
	int64_t operator_id, now;
	json_t *out;
};

static int paid_tx(db_conn *c, void *ctx, struct err *e)
{
	struct paid_op *op = ctx;
	json_decref(op->out);
	op->out = NULL;
	if (payments_mark_paid_by_hand(c, op->id, op->note, op->line, op->now, &op->out, e))
		return -1;
	return audit_write(c, 0, 0, op->operator_id, "ops.invoice_paid", op->id, "", NULL, op->now, e);
}

int handle_ops_invoice_paid(struct http_req *req, struct http_resp *resp, struct err *e)
{
	static const char *const fields[] = {"note", "bank_line_id", NULL};
	struct paid_op *op = arena_alloc(http_req_arena(req), sizeof(*op));
	memset(op, 0, sizeof(*op));
	op->id = http_req_param(req, "id");
	if (!op->id || strlen(op->id) >= 24)
		return err_set(e, 404, "not_found", NULL, "no such invoice");
	json_t *body = http_req_json(req, e);
	if (!body || api_only_fields(body, fields, e) || api_string(body, "note", 1, op->note, NOTE_MAX, e) ||
	    api_string(body, "bank_line_id", 0, op->line, sizeof(op->line) - 1, e))
		return -1;
	op->operator_id = api_principal(req)->operator_id;
	op->now = clock_now();
	if (api_transact(req, paid_tx, op, e)) {
		json_decref(op->out);
		return -1;
	}
	http_resp_json(resp, 200, json_pack("{s:o}", "invoice", op->out));
	return 0;
}

/* GET /api/v1/billing/payments : the account's invoices and how each is being paid. */
int handle_billing_payments(struct http_req *req, struct http_resp *resp, struct err *e)
{
	db_conn *c;
	if (db_acquire(api_app(req)->db, &c, e))
		return -1;
	json_t *list = payments_list(c, api_account(req)->id, 200, e);
	db_release(c);
	if (!list)
		return -1;
	http_resp_json(resp, 200, json_pack("{s:o, s:s}", "payments", list, "currency", "EUR"));
	return 0;
}
