/* Billing over HTTP (owners): the billing identity (GET/PUT /api/v1/billing/identity), the
 * list of invoices and credit notes (GET /api/v1/invoices), one document as its structured
 * record (GET /api/v1/invoices/{id}) and its stored PDF (GET /api/v1/invoices/{id}.pdf, the
 * bytes stored at finalisation, unchanged). Rules: src/billing/billing.h,
 * docs/internals/billing.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/api.h"
#include "app/api_handlers.h"
#include "base/clock.h"
#include "billing/billing_int.h"
#include "db/files.h"
#include "base/banned.h"

#define LIST_DEFAULT 50
#define LIST_MAX     200
#define PDF_MAX	     (16 * 1024 * 1024)

int handle_billing_identity_get(struct http_req *req, struct http_resp *resp, struct err *e)
{
	struct billing_identity id;
	db_conn *c;
	if (db_acquire(api_app(req)->db, &c, e))
		return -1;
	int has = billing_identity_get(c, api_account(req)->id, &id, e);
	db_release(c);
	if (has < 0)
		return -1;
	if (!has) {
		http_resp_json(resp, 200, json_pack("{s:n, s:b}", "identity", "complete", 0));
		return 0;
	}
	json_t *j = billing_identity_to_json(&id);
	json_object_set_new(j, "updated_at", json_string(api_time(req, api_account(req), id.updated_at)));
	http_resp_json(resp, 200, json_pack("{s:o, s:b}", "identity", j, "complete", 1));
	return 0;
}

struct identity_op {
	int64_t account_id;
	struct billing_identity id;
};

static int put_identity(db_conn *c, void *ctx, struct err *e)
{
	struct identity_op *op = ctx;
	return billing_identity_put(c, op->account_id, &op->id, op->id.updated_at, e);
}

int handle_billing_identity_put(struct http_req *req, struct http_resp *resp, struct err *e)
{
	json_t *body = http_req_json(req, e);
	if (!body)
		return -1;
	struct identity_op op = {.account_id = api_account(req)->id};
	if (billing_identity_from_json(body, &op.id, e))
		return -1;
	op.id.updated_at = clock_now();
	if (api_transact(req, put_identity, &op, e))
		return -1;
	json_t *j = billing_identity_to_json(&op.id);
	json_object_set_new(j, "updated_at", json_string(api_time(req, api_account(req), op.id.updated_at)));
	http_resp_json(resp, 200, json_pack("{s:o, s:b}", "identity", j, "complete", 1));
	return 0;
}

/* GET /api/v1/invoices?limit=&cursor= : newest first; the cursor is the last id of a page. */
int handle_invoices_list(struct http_req *req, struct http_resp *resp, struct err *e)
{
	const char *lim = http_req_query(req, "limit"), *cursor = http_req_query(req, "cursor");
	int limit = LIST_DEFAULT;
	if (lim) {
		char *end;
		long v = strtol(lim, &end, 10);
		if (!*lim || *end || v < 1 || v > LIST_MAX)
			return err_invalid(e, "limit", "limit must be a whole number from 1 to %d", LIST_MAX);
		limit = (int)v;
	}
	if (cursor && (strlen(cursor) >= 24 || strncmp(cursor, "inv_", 4)))
		return err_invalid(e, "cursor", "this cursor does not come from this list");
	db_conn *c;
	if (db_acquire(api_app(req)->db, &c, e))
		return -1;
	int64_t account_id = api_account(req)->id, before = INT64_MAX;
	if (cursor) {
		int found =
			db_query_int(c, "SELECT id FROM invoices WHERE account_id = $1 AND public_id = $2",
				     DB_ARGS(DB_INT(account_id), DB_TEXT(cursor)), &before, e);
		if (found <= 0) {
			db_release(c);
			return found < 0
				       ? -1
				       : err_invalid(e, "cursor", "this cursor does not come from this list");
		}
	}
	db_rows *r;
	if (db_query(
		    c,
		    "SELECT public_id, type, number, issue_date, due_date, period_start, period_end, "
		    "total_ht,"
		    " total_vat, total_ttc, credit_applied_ttc, amount_due_ttc, corrects_number FROM invoices"
		    " WHERE account_id = $1 AND state = 'final' AND id < $2 ORDER BY id DESC LIMIT $3",
		    DB_ARGS(DB_INT(account_id), DB_INT(before), DB_INT(limit)), &r, e)) {
		db_release(c);
		return -1;
	}
	json_t *list = json_array();
	char last[24] = "";
	int n = 0, rc;
	while ((rc = db_rows_next(r, e)) == 1) {
		char pdf[64];
		snprintf(pdf, sizeof(pdf), "/api/v1/invoices/%s.pdf", db_rows_text(r, 0));
		json_array_append_new(list,
				      json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:s, s:I, s:I, s:I, "
						"s:I, s:I, s:s?, s:s}",
						"id", db_rows_text(r, 0), "type", db_rows_text(r, 1),
						"number", db_rows_text(r, 2), "issue_date",
						db_rows_text(r, 3), "due_date", db_rows_text(r, 4), "period",
						"start", db_rows_text(r, 5), "end", db_rows_text(r, 6),
						"currency", "EUR", "total_ht", (json_int_t)db_rows_int(r, 7),
						"total_vat", (json_int_t)db_rows_int(r, 8), "total_ttc",
						(json_int_t)db_rows_int(r, 9), "credit_applied_ttc",
						(json_int_t)db_rows_int(r, 10), "amount_due_ttc",
						(json_int_t)db_rows_int(r, 11), "corrects_number",
						db_rows_text(r, 12), "pdf_url", pdf));
		snprintf(last, sizeof(last), "%s", db_rows_text(r, 0));
		n++;
	}
	db_rows_free(r);
	int64_t credit = 0;
	if (!rc)
		rc = billing_credit_left(c, account_id, &credit, e);
	db_release(c);
	if (rc) {
		json_decref(list);
		return -1;
	}
	http_resp_json(resp, 200,
		       json_pack("{s:o, s:o, s:I, s:s}", "invoices", list, "next_cursor",
				 n == limit ? json_string(last) : json_null(), "credit_left_ttc",
				 (json_int_t)credit, "currency", "EUR"));
	return 0;
}

/* GET /api/v1/invoices/{id} and /api/v1/invoices/{id}.pdf (one route: the pattern takes the
 * whole segment). */
int handle_invoice_get(struct http_req *req, struct http_resp *resp, struct err *e)
{
	const char *param = http_req_param(req, "id");
	char id[32];
	size_t len = param ? strlen(param) : 0;
	int want_pdf = len > 4 && !strcmp(param + len - 4, ".pdf");
	int want_xml = len > 4 && !strcmp(param + len - 4, ".xml"); /* the CII: api_payments.c */
	if (want_pdf || want_xml)
		len -= 4;
	if (!len || len >= sizeof(id))
		return err_set(e, 404, "not_found", NULL, "no such invoice");
	memcpy(id, param, len);
	id[len] = '\0';
	if (want_xml)
		return api_invoice_cii(req, resp, id, e);
	struct billing_doc *d = arena_alloc(http_req_arena(req), sizeof(*d));
	char file_id[40];
	db_conn *c;
	if (db_acquire(api_app(req)->db, &c, e))
		return -1;
	int64_t account_id = api_account(req)->id;
	int has = billing_doc_load(c, account_id, id, d, file_id, e);
	if (has <= 0) {
		db_release(c);
		return has < 0 ? -1 : err_set(e, 404, "not_found", NULL, "no such invoice");
	}
	if (!want_pdf) {
		db_release(c);
		http_resp_json(resp, 200,
			       json_pack("{s:o}", d->type == BILLING_INVOICE ? "invoice" : "credit_note",
					 billing_doc_to_json(d)));
		return 0;
	}
	struct buf pdf;
	buf_init(&pdf, PDF_MAX);
	int rc = files_get(c, account_id, file_id, PDF_MAX, &pdf, NULL, e);
	db_release(c);
	if (rc) {
		buf_release(&pdf);
		return -1;
	}
	char disposition[96];
	snprintf(disposition, sizeof(disposition), "inline; filename=\"%s.pdf\"", d->number);
	http_resp_header(resp, "Content-Disposition", disposition);
	http_resp_header(resp, "Cache-Control", "private, max-age=3600");
	http_resp_body(resp, 200, "application/pdf", pdf.data, pdf.len);
	buf_release(&pdf);
	return 0;
}
