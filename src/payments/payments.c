/* payments — the creditor's configuration, each invoice's payment state and the operator's
 * "paid by hand". payments.h, docs/internals/payments.md. */
#include "payments/payments.h"

#include <ctype.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account/account.h"
#include "account/lifecycle.h"
#include "base/i18n.h"
#include "base/tz.h"
#include "notify/notify.h"
#include "payments/dunning.h"
#include "payments/iban.h"
#include "payments/payments_int.h"
#include "payments/provider.h"
#include "base/banned.h"

static pthread_mutex_t cred_lock = PTHREAD_MUTEX_INITIALIZER;
static char cred_id[64] = "FR72ZZZ123456", cred_name[64] = "Créneau SAS",
	    cred_iban[64] = "FR1420041010050500013M02606", cred_bic[64] = "PSSTFRPPPAR";

int payments_configure(const struct payments_config *c, struct err *e)
{
	char iban[IBAN_MAX + 1];
	if (c->creditor_id && *c->creditor_id && !creditor_id_valid(c->creditor_id))
		return err_invalid(e, "sepa-creditor-id",
				   "--sepa-creditor-id is not a SEPA creditor identifier");
	if (c->creditor_iban && *c->creditor_iban &&
	    iban_check(c->creditor_iban, iban, "sepa-creditor-iban", e))
		return -1;
	if (c->creditor_bic && *c->creditor_bic && !bic_valid(c->creditor_bic))
		return err_invalid(e, "sepa-creditor-bic", "--sepa-creditor-bic is not a BIC");
	pthread_mutex_lock(&cred_lock);
	if (c->creditor_id && *c->creditor_id)
		snprintf(cred_id, sizeof(cred_id), "%s", c->creditor_id);
	if (c->creditor_name && *c->creditor_name)
		snprintf(cred_name, sizeof(cred_name), "%s", c->creditor_name);
	if (c->creditor_iban && *c->creditor_iban)
		snprintf(cred_iban, sizeof(cred_iban), "%s", iban);
	if (c->creditor_bic && *c->creditor_bic)
		snprintf(cred_bic, sizeof(cred_bic), "%s", c->creditor_bic);
	pthread_mutex_unlock(&cred_lock);
	return 0;
}

void payments_creditor(char *id, char *name, char *iban, char *bic)
{
	pthread_mutex_lock(&cred_lock);
	if (id)
		snprintf(id, 64, "%s", cred_id);
	if (name)
		snprintf(name, 64, "%s", cred_name);
	if (iban)
		snprintf(iban, 64, "%s", cred_iban);
	if (bic)
		snprintf(bic, 64, "%s", cred_bic);
	pthread_mutex_unlock(&cred_lock);
}

void payments_register(void)
{
	dunning_register();
}

int payments_lock(db_conn *c, int64_t account_id, struct err *e)
{
	return db_xact_lock(c, PAYMENTS_LOCK_KEY ^ account_id, e);
}

void payments_local_date(int64_t t, char out[11])
{
	struct err e = {0};
	const struct tz *z = tz_get(PAYMENTS_ZONE, &e);
	struct civil cv = {0};
	if (z)
		tz_to_civil(z, t, &cv);
	snprintf(out, 11, "%04d-%02d-%02d", cv.year, cv.month, cv.day);
}

int payments_date_ok(const char *s)
{
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return 0;
	int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	int m = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
	return y >= 2000 && m >= 1 && m <= 12 && d >= 1 && d <= tz_days_in_month(y, m);
}

void payments_amount_text(int64_t cents, char out[24])
{
	snprintf(out, 24, "%" PRId64 ".%02" PRId64, cents / 100, cents % 100);
}

int payments_amount_parse(const char *s, int64_t *cents)
{
	while (isspace((unsigned char)*s))
		s++;
	int64_t whole = 0, frac = 0;
	int nd = 0, nf = 0;
	const char *p = s;
	for (; isdigit((unsigned char)*p); p++, nd++) {
		if (nd > 13)
			return -1;
		whole = whole * 10 + (*p - '0');
	}
	if (!nd)
		return -1;
	if (*p == '.') {
		p++;
		for (; isdigit((unsigned char)*p); p++, nf++) {
			if (nf >= 2)
				return -1; /* EUR has 2 decimals */
			frac = frac * 10 + (*p - '0');
		}
		if (!nf)
			return -1;
		if (nf == 1)
			frac *= 10;
	}
	while (isspace((unsigned char)*p))
		p++;
	if (*p)
		return -1;
	*cents = whole * 100 + frac;
	return 0;
}

/* ---- providers ---- */

const struct payment_provider *payment_provider_for(db_conn *c, int64_t account_id, struct err *e)
{
	static const struct payment_provider *const order[] = {&payment_provider_sepa_dd,
							       &payment_provider_transfer};
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		int rc = order[i]->collects(c, account_id, e);
		if (rc < 0)
			return NULL;
		if (rc)
			return order[i];
	}
	return &payment_provider_transfer;
}

/* ---- invoices ---- */

int payments_invoice_issued(db_conn *c, int64_t account_id, const struct payments_invoice *inv, int64_t now,
			    struct err *e)
{
	if (!inv->is_invoice)
		return 0;
	const struct payment_provider *p = payment_provider_for(c, account_id, e);
	if (!p)
		return -1;
	int nothing_due = inv->amount_due <= 0;
	if (db_exec(c,
		    "INSERT INTO invoice_payments (invoice_id, account_id, amount_due, state, method, "
		    "paid_at,"
		    " paid_by, note, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
		    " ON CONFLICT (invoice_id) DO NOTHING",
		    DB_ARGS(DB_INT(inv->invoice_id), DB_INT(account_id), DB_INT(inv->amount_due),
			    DB_TEXT(nothing_due ? "paid" : "open"), DB_TEXT(p->code),
			    nothing_due ? DB_INT(now) : DB_NULL, DB_TEXT(nothing_due ? "credit" : ""),
			    DB_TEXT(nothing_due ? "paid by earlier credit notes" : ""), DB_INT(now)),
		    e) < 0)
		return -1;
	if (nothing_due)
		return 0;
	if (dunning_schedule(c, account_id, inv->invoice_id, inv->issued_at, now, e))
		return -1;
	return p->invoice_issued ? p->invoice_issued(c, account_id, inv, now, e) : 0;
}

json_t *payments_invoice_state(db_conn *c, int64_t account_id, const char *invoice_public_id, struct err *e)
{
	db_rows *r;
	if (db_query(c,
		     "SELECT p.state, p.method, p.paid_at, p.paid_by, p.dunning_level, p.amount_due FROM"
		     " invoice_payments p JOIN invoices i ON i.id = p.invoice_id WHERE i.account_id = $1 AND"
		     " i.public_id = $2",
		     DB_ARGS(DB_INT(account_id), DB_TEXT(invoice_public_id)), &r, e))
		return NULL;
	json_t *j = NULL;
	if (db_rows_next(r, e) == 1)
		j = json_pack("{s:s, s:s, s:o, s:s, s:I, s:I}", "state", db_rows_text(r, 0), "method",
			      db_rows_text(r, 1), "paid_at",
			      db_rows_is_null(r, 2) ? json_null() : json_integer(db_rows_int(r, 2)),
			      "paid_by", db_rows_text(r, 3), "dunning_level", (json_int_t)db_rows_int(r, 4),
			      "amount_due_ttc", (json_int_t)db_rows_int(r, 5));
	db_rows_free(r);
	return j;
}

int payments_mark_paid_by_hand(db_conn *c, const char *invoice_public_id, const char *note,
			       const char *bank_line_public_id, int64_t now, json_t **out, struct err *e)
{
	db_rows *r;
	if (db_query(c,
		     "SELECT i.id, i.type, i.number, p.state FROM invoices i LEFT JOIN invoice_payments p ON"
		     " p.invoice_id = i.id WHERE (i.public_id = $1 OR i.number = $1) AND i.state = 'final'",
		     DB_ARGS(DB_TEXT(invoice_public_id)), &r, e))
		return -1;
	int has = db_rows_next(r, e);
	int64_t id = has == 1 ? db_rows_int(r, 0) : 0;
	int credit_note = has == 1 && strcmp(db_rows_text(r, 1), "invoice");
	int no_row = has == 1 && db_rows_is_null(r, 3);
	char number[24] = "";
	if (has == 1)
		snprintf(number, sizeof(number), "%s", db_rows_text(r, 2));
	db_rows_free(r);
	if (has < 0)
		return -1;
	if (!has)
		return err_set(e, 404, "not_found", NULL, "no such invoice");
	if (credit_note)
		return err_set(e, 409, "not_an_invoice", NULL, "a credit note is not paid");
	if (no_row)
		return err_set(e, 409, "not_collected", NULL,
			       "this invoice was issued before payments were followed; nothing to mark");
	int64_t line_id = 0;
	if (bank_line_public_id && *bank_line_public_id) {
		int f = db_query_int(
			c,
			"SELECT id FROM bank_lines WHERE public_id = $1 AND state IN ('unmatched',"
			" 'ambiguous')",
			DB_ARGS(DB_TEXT(bank_line_public_id)), &line_id, e);
		if (f < 0)
			return -1;
		if (!f)
			return err_set(e, 400, "invalid_field", "bank_line_id",
				       "no statement line waits for an operator under this id");
	}
	int rc = dunning_paid(c, id, "manual", note, now, e);
	if (rc < 0)
		return -1;
	if (rc == 1)
		return err_set(e, 409, "already_paid", NULL, "invoice %s is already paid", number);
	if (line_id && db_exec(c, "UPDATE bank_lines SET state = 'resolved', invoice_id = $2 WHERE id = $1",
			       DB_ARGS(DB_INT(line_id), DB_INT(id)), e) < 0)
		return -1;
	*out = json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", invoice_public_id, "number", number, "state",
			 "paid", "paid_by", "manual", "note", note);
	return 0;
}

/* ---- mail helpers ---- */

int payments_account_locale(db_conn *c, int64_t account_id)
{
	db_rows *r;
	struct err ignored = {0};
	int loc = I18N_FR;
	if (db_query(c, "SELECT locale FROM accounts WHERE id = $1", DB_ARGS(DB_INT(account_id)), &r,
		     &ignored))
		return loc;
	if (db_rows_next(r, &ignored) == 1 && db_rows_text(r, 0) &&
	    i18n_locale_parse(db_rows_text(r, 0)) >= 0)
		loc = i18n_locale_parse(db_rows_text(r, 0));
	db_rows_free(r);
	return loc;
}

int payments_mail(db_conn *c, int64_t account_id, const char *kind, const char *invoice_public_id,
		  int64_t version, const char *to, const json_t *vars, struct err *e)
{
	char ref[48];
	snprintf(ref, sizeof(ref), "invoice:%s", invoice_public_id);
	struct outbox_email m = {
		.account_id = account_id,
		.kind = kind,
		.subject_ref = ref,
		.version = version,
		.to = to,
		.locale = i18n_locale_code(payments_account_locale(c, account_id)),
		.vars = vars,
	};
	return outbox_email(c, &m, e) < 0 ? -1 : 0;
}

int payments_day_shift(int64_t t, int days, int64_t *out, struct err *e)
{
	return lifecycle_day_shift(PAYMENTS_ZONE, t, days, out, e);
}

void payments_set_date(json_t *vars, const char *key, int locale, int64_t t)
{
	struct err ignored = {0};
	const struct tz *z = tz_get(PAYMENTS_ZONE, &ignored);
	char *s = i18n_format_datetime(locale, z, t, I18N_DATE);
	json_object_set_new(vars, key, json_string(s));
	free(s);
}

void payments_set_money(json_t *vars, const char *key, int locale, int64_t cents)
{
	char *s = i18n_format_money(locale, cents, "EUR");
	json_object_set_new(vars, key, json_string(s ? s : "?"));
	free(s);
}

json_t *payments_list(db_conn *c, int64_t account_id, int limit, struct err *e)
{
	db_rows *r;
	if (db_query(c,
		     "SELECT i.public_id, i.number, i.due_date, p.amount_due, p.state, p.method, p.paid_by,"
		     " p.paid_at, p.dunning_level FROM invoice_payments p JOIN invoices i ON i.id ="
		     " p.invoice_id WHERE p.account_id = $1 ORDER BY i.id DESC LIMIT $2",
		     DB_ARGS(DB_INT(account_id), DB_INT(limit)), &r, e))
		return NULL;
	json_t *a = json_array();
	int rc;
	while ((rc = db_rows_next(r, e)) == 1)
		json_array_append_new(
			a, json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:o, s:I}", "invoice_id",
				     db_rows_text(r, 0), "number", db_rows_text(r, 1), "due_date",
				     db_rows_text(r, 2), "amount_due_ttc", (json_int_t)db_rows_int(r, 3),
				     "state", db_rows_text(r, 4), "method", db_rows_text(r, 5), "paid_by",
				     db_rows_text(r, 6), "paid_at",
				     db_rows_is_null(r, 7) ? json_null() : json_integer(db_rows_int(r, 7)),
				     "dunning_level", (json_int_t)db_rows_int(r, 8)));
	db_rows_free(r);
	if (rc < 0) {
		json_decref(a);
		return NULL;
	}
	return a;
}
