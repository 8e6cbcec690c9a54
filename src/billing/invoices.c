/* invoices — invoices and credit notes as structured records: the seller, gapless numbering
 * from a locked counter at finalisation, the record's store and JSON forms, credit carried
 * over, the e-mail of each finalised document. docs/internals/billing.md. */
#include <inttypes.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/tz.h"
#include "base/xalloc.h"
#include "billing/billing_int.h"
#include "db/files.h"
#include "jobs/jobs.h"
#include "notify/notify.h"
#include "payments/payments.h"
#include "base/banned.h"

/* ---- the seller ---- */

static pthread_mutex_t seller_lock = PTHREAD_MUTEX_INITIALIZER;
static struct billing_seller_copy seller = {
	.name = "Créneau SAS",
	.legal_form = "SAS (société par actions simplifiée)",
	.capital = "10 000 €",
	.street = "12 rue des Horloges",
	.postcode = "75011",
	.city = "Paris",
	.siren = "912345675",
	.vat_number = "FR65912345675",
	.rcs = "RCS Paris 912 345 675",
	.penalty_rate = "trois fois le taux d'intérêt légal en vigueur",
	.vat_on_debits = 1,
};
static char public_url[256] = "http://127.0.0.1:8080";

#define SET(field, value)                                                                                    \
	do {                                                                                                 \
		if (value && *value)                                                                         \
			snprintf(seller.field, sizeof(seller.field), "%s", value);                           \
	} while (0)

void billing_configure(const struct billing_seller *s)
{
	pthread_mutex_lock(&seller_lock);
	SET(name, s->name);
	SET(legal_form, s->legal_form);
	SET(capital, s->capital);
	SET(street, s->street);
	SET(postcode, s->postcode);
	SET(city, s->city);
	SET(siren, s->siren);
	SET(vat_number, s->vat_number);
	SET(rcs, s->rcs);
	SET(penalty_rate, s->penalty_rate);
	seller.vat_on_debits = s->vat_on_debits != 0;
	if (s->public_url && *s->public_url)
		snprintf(public_url, sizeof(public_url), "%s", s->public_url);
	pthread_mutex_unlock(&seller_lock);
}

void billing_seller_get(struct billing_seller_copy *out)
{
	pthread_mutex_lock(&seller_lock);
	*out = seller;
	pthread_mutex_unlock(&seller_lock);
}

const char *billing_public_url(void)
{
	return public_url; /* set once at start */
}

/* ---- small store helpers ---- */

int billing_lock(db_conn *c, int64_t account_id, struct err *e)
{
	return db_xact_lock(c, BILLING_LOCK_KEY ^ account_id, e);
}

int billing_enqueue_month(db_conn *c, int64_t account_id, int key, struct err *e)
{
	struct billing_month m;
	billing_month_from_key(key, &m);
	char unique[80];
	snprintf(unique, sizeof(unique), "%s:%" PRId64 ":%d", BILLING_MONTH_KIND, account_id, key);
	json_t *payload = json_pack("{s:i}", "month", key);
	struct job_spec s = {.kind = BILLING_MONTH_KIND,
			     .unique_key = unique,
			     .account_id = account_id,
			     .payload = payload,
			     .run_at = m.start};
	int rc = jobs_enqueue(c, &s, e);
	json_decref(payload);
	return rc < 0 ? -1 : 0;
}

void billing_doc_totals(struct billing_doc *d)
{
	d->total_ht = 0;
	for (int i = 0; i < d->nlines; i++)
		d->total_ht += d->lines[i].amount_ht;
	d->total_vat = billing_vat(d->total_ht);
	d->total_ttc = d->total_ht + d->total_vat;
	if (d->type == BILLING_INVOICE) {
		if (d->credit_applied_ttc > d->total_ttc)
			d->credit_applied_ttc = d->total_ttc;
		d->amount_due_ttc = d->total_ttc - d->credit_applied_ttc;
	} else {
		d->credit_applied_ttc = 0;
		d->amount_due_ttc = 0;
	}
}

/* ---- credit ---- */

int billing_credit_sources(db_conn *c, int64_t account_id, int64_t *left, char *names, size_t cap,
			   struct err *e)
{
	int64_t used;
	if (db_query_int(c,
			 "SELECT COALESCE(SUM(credit_applied_ttc), 0) FROM invoices"
			 " WHERE account_id = $1 AND type = 'invoice' AND state = 'final'",
			 DB_ARGS(DB_INT(account_id)), &used, e) < 0)
		return -1;
	db_rows *r;
	if (db_query(c,
		     "SELECT number, total_ttc FROM invoices WHERE account_id = $1 AND type = 'credit_note'"
		     " AND state = 'final' ORDER BY id",
		     DB_ARGS(DB_INT(account_id)), &r, e))
		return -1;
	*left = 0;
	if (names)
		names[0] = '\0';
	size_t len = 0;
	int rc;
	while ((rc = db_rows_next(r, e)) == 1) {
		int64_t ttc = db_rows_int(r, 1);
		if (used >= ttc) {
			used -= ttc;
			continue;
		}
		*left += ttc - used;
		used = 0;
		if (names && len + 30 < cap) {
			int w = snprintf(names + len, cap - len, "%s%s", len ? ", " : "", db_rows_text(r, 0));
			if (w > 0)
				len += (size_t)w;
		}
	}
	db_rows_free(r);
	return rc < 0 ? -1 : 0;
}

int billing_credit_left(db_conn *c, int64_t account_id, int64_t *cents, struct err *e)
{
	*cents = 0;
	return billing_credit_sources(c, account_id, cents, NULL, 0, e);
}

/* ---- finalisation ---- */

static void dates_of(int64_t now, char issue[11], char due[11], int *year)
{
	struct billing_month m;
	billing_month_of(now, &m);
	billing_date_text(m.year, m.month, m.day, issue);
	int y, mo, d;
	tz_civil_from_days(tz_days_from_civil(m.year, m.month, m.day) + BILLING_DUE_DAYS, &y, &mo, &d);
	billing_date_text(y, mo, d, due);
	*year = m.year;
}

static json_t *lines_json(const struct billing_doc *d)
{
	json_t *a = json_array();
	for (int i = 0; i < d->nlines; i++) {
		const struct billing_line *l = &d->lines[i];
		json_array_append_new(
			a, json_pack("{s:s, s:s, s:s, s:I, s:I, s:I}", "description", l->description,
				     "period_start", l->period_start, "period_end", l->period_end, "quantity",
				     (json_int_t)l->quantity, "unit_price_ht", (json_int_t)l->unit_ht,
				     "amount_ht", (json_int_t)l->amount_ht));
	}
	return a;
}

static json_t *seller_json(const struct billing_seller_copy *s)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "name", s->name,
			 "legal_form", s->legal_form, "capital", s->capital, "street", s->street, "postcode",
			 s->postcode, "city", s->city, "siren", s->siren, "vat_number", s->vat_number, "rcs",
			 s->rcs, "late_payment_penalty", s->penalty_rate, "vat_on_debits", s->vat_on_debits);
}

static char *dump(json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	if (!s)
		abort();
	return s;
}

static int take_number(db_conn *c, const char *series, int year, int64_t *seq, struct err *e)
{
	/* the upsert locks the counter row until the transaction ends: numbers are handed out in
	 * commit order, and a rollback gives the number back */
	int rc = db_query_int(c,
			      "INSERT INTO invoice_counters (series, year, next) VALUES ($1, $2, 2)"
			      " ON CONFLICT (series, year) DO UPDATE SET next = invoice_counters.next + 1"
			      " RETURNING next - 1",
			      DB_ARGS(DB_TEXT(series), DB_INT(year)), seq, e);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return err_internal(e, "the invoice counter gave no number");
	return 0;
}

/* E-mails the finalised document to the billing e-mail, its stored PDF (file_id, written in
 * this transaction) attached under its number, with the link to the account area kept. */
static int mail_doc(db_conn *c, int64_t account_id, const struct billing_doc *d, const char *file_id,
		    struct err *e)
{
	char locale[8] = "fr";
	db_rows *r;
	if (db_query(c, "SELECT locale FROM accounts WHERE id = $1", DB_ARGS(DB_INT(account_id)), &r, e))
		return -1;
	if (db_rows_next(r, e) == 1 && db_rows_text(r, 0))
		snprintf(locale, sizeof(locale), "%s", db_rows_text(r, 0));
	db_rows_free(r);
	char ht[32], vat[32], ttc[32], due_amount[32], credit[32], issue[11], due[11], ps[11], pe[11],
		link[320], ref[48];
	billing_money_text(d->total_ht, ht);
	billing_money_text(d->total_vat, vat);
	billing_money_text(d->total_ttc, ttc);
	billing_money_text(d->amount_due_ttc, due_amount);
	billing_money_text(d->credit_applied_ttc, credit);
	billing_date_fr(d->issue_date, issue);
	billing_date_fr(d->due_date, due);
	billing_date_fr(d->period_start, ps);
	billing_date_fr(d->period_end, pe);
	snprintf(link, sizeof(link), "%s/office/account/#invoices", billing_public_url());
	snprintf(ref, sizeof(ref), "invoice:%s", d->public_id);
	json_t *vars = json_pack(
		"{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "number", d->number,
		"legal_name", d->customer.legal_name, "issue_date", issue, "due_date", due, "period_start",
		ps, "period_end", pe, "total_ht", ht, "total_vat", vat, "total_ttc", ttc, "amount_due",
		due_amount, "credit_applied", credit, "corrects_number", d->corrects_number, "link", link);
	json_object_set_new(vars, "attachments", json_pack("[{s:s}]", "file_id", file_id));
	const char *kind = d->type == BILLING_INVOICE ? "invoice_issued" : "credit_note_issued";
	struct outbox_email m = {
		.account_id = account_id,
		.kind = kind,
		.subject_ref = ref,
		.version = 1,
		.to = d->customer.email,
		.locale = locale,
		.vars = vars,
	};
	int rc = outbox_email(c, &m, e);
	json_decref(vars);
	return rc < 0 ? -1 : 0;
}

int billing_doc_issue(db_conn *c, int64_t account_id, struct billing_doc *d, int64_t now, struct err *e)
{
	int has = billing_identity_get(c, account_id, &d->customer, e);
	if (has < 0)
		return -1;
	if (!has)
		return err_set(e, 409, "billing_identity_required", NULL,
			       "give the billing identity first: PUT /api/v1/billing/identity");
	billing_seller_get(&d->seller);
	int year;
	dates_of(now, d->issue_date, d->due_date, &year);
	d->issued_at = now;
	public_id_new("inv", d->public_id);
	billing_doc_totals(d);
	const char *series = d->type == BILLING_INVOICE ? "F" : "AV";

	/* 1. the draft record, with everything but its number */
	char *lines = dump(lines_json(d)), *sell = dump(seller_json(&d->seller));
	int64_t id, corrects_id = 0;
	int rc = 0;
	if (d->corrects_number[0] && db_query_int(c, "SELECT id FROM invoices WHERE number = $1",
						  DB_ARGS(DB_TEXT(d->corrects_number)), &corrects_id, e) != 1)
		rc = err_set(e, 500, "internal", NULL, "the corrected invoice %s is missing",
			     d->corrects_number);
	if (!rc &&
	    db_query_int(
		    c,
		    "INSERT INTO invoices (public_id, account_id, type, state, series, year, reason, "
		    "issued_at,"
		    " issue_date, due_date, period_start, period_end, month, customer_legal_name, "
		    "customer_street,"
		    " customer_postcode, customer_city, customer_country, customer_siren, "
		    "customer_vat_number,"
		    " customer_email, seller, lines, note, vat_rate_bp, total_ht, total_vat, total_ttc,"
		    " credit_applied_ttc, amount_due_ttc, credit_notes, corrects_invoice_id, corrects_number,"
		    " created_at) VALUES ($1, $2, $3, 'draft', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, "
		    "$14,"
		    " $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, "
		    "$32,"
		    " $7) RETURNING id",
		    DB_ARGS(DB_TEXT(d->public_id), DB_INT(account_id),
			    DB_TEXT(d->type == BILLING_INVOICE ? "invoice" : "credit_note"), DB_TEXT(series),
			    DB_INT(year), DB_TEXT(d->reason), DB_INT(now), DB_TEXT(d->issue_date),
			    DB_TEXT(d->due_date), DB_TEXT(d->period_start), DB_TEXT(d->period_end),
			    DB_INT(d->month), DB_TEXT(d->customer.legal_name), DB_TEXT(d->customer.street),
			    DB_TEXT(d->customer.postcode), DB_TEXT(d->customer.city),
			    DB_TEXT(d->customer.country), DB_TEXT(d->customer.siren),
			    DB_TEXT(d->customer.vat_number), DB_TEXT(d->customer.email), DB_TEXT(sell),
			    DB_TEXT(lines), DB_TEXT(d->note), DB_INT(BILLING_VAT_RATE_BP),
			    DB_INT(d->total_ht), DB_INT(d->total_vat), DB_INT(d->total_ttc),
			    DB_INT(d->credit_applied_ttc), DB_INT(d->amount_due_ttc),
			    DB_TEXT(d->credit_notes), corrects_id ? DB_INT(corrects_id) : DB_NULL,
			    d->corrects_number[0] ? DB_TEXT(d->corrects_number) : DB_NULL),
		    &id, e) != 1)
		rc = -1;
	free(lines);
	free(sell);
	if (rc)
		return -1;

	/* 2. the number, from the locked counter of the series and year */
	int64_t seq;
	if (take_number(c, series, year, &seq, e))
		return -1;
	snprintf(d->number, sizeof(d->number), "%s-%04d-%06" PRId64, series, year, seq);

	/* 3. the PDF, rendered once and stored with the record */
	struct buf pdf;
	buf_init(&pdf, 16 * 1024 * 1024);
	if (billing_pdf_render(d, &pdf, e)) {
		buf_release(&pdf);
		return -1;
	}
	unsigned char hash[crypto_hash_sha256_BYTES];
	char hex[2 * crypto_hash_sha256_BYTES + 1], name[48], file_id[FILES_ID_LEN + 1];
	crypto_hash_sha256(hash, (const unsigned char *)pdf.data, pdf.len);
	sodium_bin2hex(hex, sizeof(hex), hash, sizeof(hash));
	snprintf(name, sizeof(name), "%s.pdf", d->number);
	rc = files_put(c, account_id, name, "application/pdf", pdf.data, pdf.len, now, file_id, e);
	buf_release(&pdf);
	if (rc)
		return -1;

	/* 4. final: from here on the triggers refuse any change */
	int n = db_exec(c,
			"UPDATE invoices SET state = 'final', seq = $2, number = $3, pdf_file_id = $4,"
			" pdf_sha256 = $5 WHERE id = $1 AND state = 'draft'",
			DB_ARGS(DB_INT(id), DB_INT(seq), DB_TEXT(d->number), DB_TEXT(file_id), DB_TEXT(hex)),
			e);
	if (n < 0)
		return -1;
	if (n != 1)
		return err_internal(e, "the draft invoice vanished");
	if (mail_doc(c, account_id, d, file_id, e))
		return -1;
	/* collecting it (payment state, dunning, SEPA pre-notification) is the payments module's */
	struct payments_invoice pi = {.invoice_id = id,
				      .public_id = d->public_id,
				      .number = d->number,
				      .is_invoice = d->type == BILLING_INVOICE,
				      .amount_due = d->amount_due_ttc,
				      .due_date = d->due_date,
				      .issued_at = now,
				      .email = d->customer.email};
	return payments_invoice_issued(c, account_id, &pi, now, e);
}

/* ---- reading ---- */

static void str_of(const json_t *o, const char *k, char *out, size_t cap)
{
	const char *s = json_string_value(json_object_get(o, k));
	snprintf(out, cap, "%s", s ? s : "");
}

#define TXT(col, field) snprintf(field, sizeof(field), "%s", db_rows_text(r, col) ? db_rows_text(r, col) : "")

int billing_doc_load(db_conn *c, int64_t account_id, const char *public_id, struct billing_doc *d,
		     char pdf_file_id[40], struct err *e)
{
	db_rows *r;
	if (db_query(c,
		     "SELECT type, public_id, number, issued_at, issue_date, due_date, period_start, "
		     "period_end,"
		     " month, reason, customer_legal_name, customer_street, customer_postcode, customer_city,"
		     " customer_country, customer_siren, customer_vat_number, customer_email, seller, lines, "
		     "note,"
		     " total_ht, total_vat, total_ttc, credit_applied_ttc, amount_due_ttc, credit_notes,"
		     " corrects_number, pdf_file_id FROM invoices"
		     " WHERE account_id = $1 AND public_id = $2 AND state = 'final'",
		     DB_ARGS(DB_INT(account_id), DB_TEXT(public_id)), &r, e))
		return -1;
	int has = db_rows_next(r, e);
	if (has != 1) {
		db_rows_free(r);
		return has;
	}
	memset(d, 0, sizeof(*d));
	d->type = !strcmp(db_rows_text(r, 0), "invoice") ? BILLING_INVOICE : BILLING_CREDIT_NOTE;
	TXT(1, d->public_id);
	TXT(2, d->number);
	d->issued_at = db_rows_int(r, 3);
	TXT(4, d->issue_date);
	TXT(5, d->due_date);
	TXT(6, d->period_start);
	TXT(7, d->period_end);
	d->month = (int)db_rows_int(r, 8);
	TXT(9, d->reason);
	TXT(10, d->customer.legal_name);
	TXT(11, d->customer.street);
	TXT(12, d->customer.postcode);
	TXT(13, d->customer.city);
	TXT(14, d->customer.country);
	TXT(15, d->customer.siren);
	TXT(16, d->customer.vat_number);
	TXT(17, d->customer.email);
	json_t *s = json_loads(db_rows_text(r, 18), 0, NULL), *l = json_loads(db_rows_text(r, 19), 0, NULL);
	if (s) {
		struct billing_seller_copy *p = &d->seller;
		str_of(s, "name", p->name, sizeof(p->name));
		str_of(s, "legal_form", p->legal_form, sizeof(p->legal_form));
		str_of(s, "capital", p->capital, sizeof(p->capital));
		str_of(s, "street", p->street, sizeof(p->street));
		str_of(s, "postcode", p->postcode, sizeof(p->postcode));
		str_of(s, "city", p->city, sizeof(p->city));
		str_of(s, "siren", p->siren, sizeof(p->siren));
		str_of(s, "vat_number", p->vat_number, sizeof(p->vat_number));
		str_of(s, "rcs", p->rcs, sizeof(p->rcs));
		str_of(s, "late_payment_penalty", p->penalty_rate, sizeof(p->penalty_rate));
		p->vat_on_debits = json_is_true(json_object_get(s, "vat_on_debits"));
	}
	size_t i;
	json_t *v;
	json_array_foreach(l, i, v)
	{
		if (i >= BILLING_LINES_MAX)
			break;
		struct billing_line *ln = &d->lines[d->nlines++];
		str_of(v, "description", ln->description, sizeof(ln->description));
		str_of(v, "period_start", ln->period_start, sizeof(ln->period_start));
		str_of(v, "period_end", ln->period_end, sizeof(ln->period_end));
		ln->quantity = json_integer_value(json_object_get(v, "quantity"));
		ln->unit_ht = json_integer_value(json_object_get(v, "unit_price_ht"));
		ln->amount_ht = json_integer_value(json_object_get(v, "amount_ht"));
	}
	json_decref(s);
	json_decref(l);
	TXT(20, d->note);
	d->total_ht = db_rows_int(r, 21);
	d->total_vat = db_rows_int(r, 22);
	d->total_ttc = db_rows_int(r, 23);
	d->credit_applied_ttc = db_rows_int(r, 24);
	d->amount_due_ttc = db_rows_int(r, 25);
	TXT(26, d->credit_notes);
	TXT(27, d->corrects_number);
	if (pdf_file_id)
		snprintf(pdf_file_id, 40, "%s", db_rows_text(r, 28) ? db_rows_text(r, 28) : "");
	db_rows_free(r);
	return 1;
}

json_t *billing_doc_to_json(const struct billing_doc *d)
{
	char pdf[64];
	snprintf(pdf, sizeof(pdf), "/api/v1/invoices/%s.pdf", d->public_id);
	json_t *customer = billing_identity_to_json(&d->customer);
	json_object_set_new(customer, "category_of_operation", json_string("prestations de services"));
	return json_pack(
		"{s:s, s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:s, s:o, s:o, s:o, s:s, s:i, s:I, s:I, "
		"s:I, s:I, s:I, s:s, s:s*, s:s, s:s}",
		"id", d->public_id, "type", d->type == BILLING_INVOICE ? "invoice" : "credit_note", "number",
		d->number, "reason", d->reason, "issue_date", d->issue_date, "due_date", d->due_date,
		"period", "start", d->period_start, "end", d->period_end, "category_of_operation",
		"prestations de services", "customer", customer, "seller", seller_json(&d->seller), "lines",
		lines_json(d), "currency", "EUR", "vat_rate_bp", BILLING_VAT_RATE_BP, "total_ht",
		(json_int_t)d->total_ht, "total_vat", (json_int_t)d->total_vat, "total_ttc",
		(json_int_t)d->total_ttc, "credit_applied_ttc", (json_int_t)d->credit_applied_ttc,
		"amount_due_ttc", (json_int_t)d->amount_due_ttc, "credit_notes", d->credit_notes,
		"corrects_number", d->corrects_number[0] ? d->corrects_number : NULL, "note", d->note,
		"pdf_url", pdf);
}

/* ---- plan changes ---- */

struct month_state {
	struct billing_month m;
	struct billing_segments before, after;
	int had_row;
	int64_t billed;
};

static int load_month(db_conn *c, int64_t account_id, int paying_before, enum plan_id from, int64_t now,
		      struct month_state *st, struct err *e)
{
	billing_month_of(now, &st->m);
	db_rows *r;
	if (db_query(c, "SELECT segments, billed_ht FROM billing_months WHERE account_id = $1 AND month = $2",
		     DB_ARGS(DB_INT(account_id), DB_INT(billing_month_key(&st->m))), &r, e))
		return -1;
	int has = db_rows_next(r, e);
	st->had_row = has == 1;
	st->before.n = 0;
	st->billed = 0;
	int bad = 0;
	if (has == 1) {
		bad = billing_segments_parse(db_rows_text(r, 0), &st->before);
		st->billed = db_rows_int(r, 1);
	}
	db_rows_free(r);
	if (has < 0)
		return -1;
	if (bad)
		return err_internal(e, "billing_months of account %" PRId64 " is unreadable", account_id);
	if (!st->had_row) {
		/* the month was not billed yet (a late 1st-of-month run, or not paying): it starts at
		 * the plan held, or at 0 */
		const struct plan *p = plan_get(from);
		(void)billing_segments_set(&st->before, 1, paying_before && p ? p->price_cents : 0);
	}
	return 0;
}

static int quote(db_conn *c, int64_t account_id, int paying_before, enum plan_id from, enum plan_id to,
		 int64_t now, struct billing_quote *q, struct month_state *st, struct err *e)
{
	*q = (struct billing_quote){.document = "none"};
	const struct plan *pt = plan_get(to);
	if (!pt)
		return err_set(e, 400, "invalid_plan", "plan", "unknown plan");
	if (load_month(c, account_id, paying_before, from, now, st, e))
		return -1;
	st->after = st->before;
	if (billing_segments_set(&st->after, st->m.day, pt->price_cents))
		return err_set(e, 409, "too_many_changes", "plan",
			       "the plan was changed too many times this month; try again next month");
	q->day = st->m.day;
	q->days_in_month = st->m.days;
	q->days_remaining = st->m.days - st->m.day + 1;
	q->month_total_ht = billing_segments_total(&st->after, st->m.days);
	q->already_billed_ht = st->billed;
	q->delta_ht = q->month_total_ht - q->already_billed_ht;
	q->next_month_ht = pt->price_cents;
	if (q->delta_ht > 0) {
		q->document = "invoice";
		q->due_ht = q->delta_ht;
		q->due_vat = billing_vat(q->due_ht);
		q->due_ttc = q->due_ht + q->due_vat;
		int64_t left;
		if (billing_credit_left(c, account_id, &left, e))
			return -1;
		q->credit_used_ttc = left < q->due_ttc ? left : q->due_ttc;
		q->credit_used_ht =
			billing_round_div(q->credit_used_ttc * 10000, 10000 + BILLING_VAT_RATE_BP);
		q->to_pay_ttc = q->due_ttc - q->credit_used_ttc;
	} else if (q->delta_ht < 0) {
		q->document = "credit_note";
		q->due_ht = -q->delta_ht;
		q->due_vat = billing_vat(q->due_ht);
		q->due_ttc = q->due_ht + q->due_vat;
	}
	return 0;
}

int billing_quote(db_conn *c, int64_t account_id, int paying_before, enum plan_id from, enum plan_id to,
		  int64_t now, struct billing_quote *q, struct err *e)
{
	struct month_state st;
	if (billing_lock(c, account_id, e))
		return -1;
	return quote(c, account_id, paying_before, from, to, now, q, &st, e);
}

static const char *plan_name(enum plan_id id)
{
	const struct plan *p = plan_get(id);
	return p ? p->name : "?";
}

int billing_change_plan(db_conn *c, int64_t account_id, int paying_before, enum plan_id from, enum plan_id to,
			int64_t now, char out_public_id[24], struct err *e)
{
	out_public_id[0] = '\0';
	struct billing_quote q;
	struct month_state st;
	if (billing_lock(c, account_id, e) || quote(c, account_id, paying_before, from, to, now, &q, &st, e))
		return -1;
	if (q.delta_ht != 0 && billing_identity_ready(c, account_id, e))
		return -1;
	char segs[BILLING_SEGMENTS_MAX * 24];
	billing_segments_format(&st.after, segs, sizeof(segs));
	int key = billing_month_key(&st.m);
	if (db_exec(c,
		    "INSERT INTO billing_months (account_id, month, days, segments, billed_ht, updated_at)"
		    " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (account_id, month) DO UPDATE SET"
		    " segments = excluded.segments, billed_ht = excluded.billed_ht, updated_at = "
		    "excluded.updated_at",
		    DB_ARGS(DB_INT(account_id), DB_INT(key), DB_INT(st.m.days), DB_TEXT(segs),
			    DB_INT(q.month_total_ht), DB_INT(now)),
		    e) < 0)
		return -1;
	/* the next 1st bills the new plan (a cancellation before then makes that run a no-op) */
	if (billing_enqueue_month(c, account_id, st.m.month == 12 ? (st.m.year + 1) * 100 + 1 : key + 1, e))
		return -1;
	if (q.delta_ht == 0)
		return 0;

	struct billing_doc *d = xcalloc(1, sizeof(*d));
	d->type = q.delta_ht > 0 ? BILLING_INVOICE : BILLING_CREDIT_NOTE;
	d->month = key;
	snprintf(d->reason, sizeof(d->reason), "%s", paying_before ? "change" : "subscription");
	billing_date_text(st.m.year, st.m.month, st.m.day, d->period_start);
	billing_date_text(st.m.year, st.m.month, st.m.days, d->period_end);
	char ps[11], pe[11], total[32], already[32];
	billing_date_fr(d->period_start, ps);
	billing_date_fr(d->period_end, pe);
	struct billing_line *l = &d->lines[d->nlines++];
	snprintf(l->period_start, sizeof(l->period_start), "%s", d->period_start);
	snprintf(l->period_end, sizeof(l->period_end), "%s", d->period_end);
	l->quantity = 1;
	l->unit_ht = l->amount_ht = q.due_ht;
	if (!paying_before)
		snprintf(l->description, sizeof(l->description),
			 "Abonnement Créneau, offre %s, du %s au %s (%d jours sur %d)", plan_name(to), ps, pe,
			 q.days_remaining, q.days_in_month);
	else if (d->type == BILLING_INVOICE)
		snprintf(l->description, sizeof(l->description),
			 "Changement d'offre %s vers %s le %s : régularisation du %s au %s (%d jours sur %d)",
			 plan_name(from), plan_name(to), ps, ps, pe, q.days_remaining, q.days_in_month);
	else
		snprintf(l->description, sizeof(l->description),
			 "Avoir pour changement d'offre %s vers %s le %s : régularisation du %s au %s (%d "
			 "jours "
			 "sur %d)",
			 plan_name(from), plan_name(to), ps, ps, pe, q.days_remaining, q.days_in_month);
	billing_money_text(q.month_total_ht, total);
	billing_money_text(q.already_billed_ht, already);
	if (q.already_billed_ht)
		snprintf(d->note, sizeof(d->note),
			 "Mois recalculé : %s HT au total pour le mois, dont %s HT déjà facturés.", total,
			 already);
	int rc = 0;
	if (d->type == BILLING_INVOICE) {
		d->credit_applied_ttc = q.credit_used_ttc;
		if (q.credit_used_ttc) {
			int64_t left;
			rc = billing_credit_sources(c, account_id, &left, d->credit_notes,
						    sizeof(d->credit_notes), e);
		}
	} else {
		/* a credit note cites the invoice it corrects: the month's latest */
		db_rows *r;
		rc = db_query(
			c,
			"SELECT number FROM invoices WHERE account_id = $1 AND type = 'invoice' AND state ="
			" 'final' ORDER BY (CASE WHEN month = $2 THEN 0 ELSE 1 END), id DESC LIMIT 1",
			DB_ARGS(DB_INT(account_id), DB_INT(key)), &r, e);
		if (!rc) {
			int has = db_rows_next(r, e);
			if (has == 1)
				snprintf(d->corrects_number, sizeof(d->corrects_number), "%s",
					 db_rows_text(r, 0));
			else if (!has)
				rc = err_internal(e, "a credit note with no invoice to correct");
			else
				rc = -1;
			db_rows_free(r);
		}
	}
	if (!rc)
		rc = billing_doc_issue(c, account_id, d, now, e);
	if (!rc)
		snprintf(out_public_id, 24, "%s", d->public_id);
	free(d);
	return rc;
}
