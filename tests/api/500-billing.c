/* Billing through the API and the billing module's own functions: the billing identity
 * refused field by field (missing, SIREN, VAT key, non-French address); a month of plan
 * changes issuing invoices and a credit note with the product's amounts; the 1st-of-month
 * invoice once per account and month with the credit deducted; the list; each PDF served
 * byte-identical to what was stored and read back with pdftotext for every mandatory mention. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "harness.h"
#include "sched_fixture.h"
#include "base/tz.h"
#include "billing/billing_int.h"

static const char *IDENTITY = "{\"legal_name\": \"Salon Lumière SARL\", \"street\": \"3 place du Marché\","
			      " \"postcode\": \"69002\", \"city\": \"Lyon\", \"country\": \"FR\","
			      " \"siren\": \"732 829 320\", \"vat_number\": \"FR44732829320\","
			      " \"email\": \"Compta@Lumiere.example\"}";

/* Paris noon on y-m-d. */
static int64_t noon(int y, int m, int d)
{
	return tz_days_from_civil(y, m, d) * 86400 + 10 * 3600;
}

static void put_identity(struct biz *b, const char *body, struct reply *r)
{
	session_call(&H, &b->s, "PUT", "/api/v1/billing/identity", body, r);
}

static void refused(struct biz *b, const char *body, const char *code, const char *field)
{
	struct reply r;
	put_identity(b, body, &r);
	assert_error(&r, 400, code);
	const char *f = json_string_value(json_object_get(json_object_get(r.json, "error"), "field"));
	if (!f || strcmp(f, field))
		fprintf(stderr, "expected field %s, got %s: %s\n", field, f ? f : "(none)", r.body);
	assert_non_null(f);
	assert_string_equal(f, field);
	reply_free(&r);
}

static void identity_is_checked_field_by_field(void **state)
{
	(void)state;
	struct biz b;
	fx_business(&b, "Salon Lumière", "Europe/Paris");
	struct reply r;
	session_call(&H, &b.s, "GET", "/api/v1/billing/identity", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_true(json_is_false(json_object_get(r.json, "complete")));
	reply_free(&r);

	refused(&b,
		"{\"street\": \"1 rue A\", \"postcode\": \"75001\", \"city\": \"Paris\", \"country\": \"FR\","
		" \"siren\": \"732829320\", \"email\": \"a@b.example\"}",
		"missing_field", "legal_name");
	refused(&b,
		"{\"legal_name\": \"X\", \"street\": \"1 rue A\", \"postcode\": \"75001\", \"city\": "
		"\"Paris\","
		" \"country\": \"FR\", \"siren\": \"732829321\", \"email\": \"a@b.example\"}",
		"invalid_siren", "siren");
	refused(&b,
		"{\"legal_name\": \"X\", \"street\": \"1 rue A\", \"postcode\": \"75001\", \"city\": "
		"\"Paris\","
		" \"country\": \"FR\", \"siren\": \"12345678\", \"email\": \"a@b.example\"}",
		"invalid_siren", "siren");
	refused(&b,
		"{\"legal_name\": \"X\", \"street\": \"Rue Neuve 1\", \"postcode\": \"1000\", \"city\": "
		"\"Bruxelles\", \"country\": \"BE\", \"siren\": \"732829320\", \"email\": \"a@b.example\"}",
		"country_not_supported", "country");
	refused(&b,
		"{\"legal_name\": \"X\", \"street\": \"1 High St\", \"postcode\": \"SW1A 1AA\", \"city\": "
		"\"London\", \"country\": \"FR\", \"siren\": \"732829320\", \"email\": \"a@b.example\"}",
		"invalid_postcode", "postcode");
	refused(&b,
		"{\"legal_name\": \"X\", \"street\": \"1 rue A\", \"postcode\": \"75001\", \"city\": "
		"\"Paris\","
		" \"country\": \"FR\", \"siren\": \"732829320\", \"vat_number\": \"FR45732829320\","
		" \"email\": \"a@b.example\"}",
		"invalid_vat_number", "vat_number");
	refused(&b,
		"{\"legal_name\": \"X\", \"street\": \"1 rue A\", \"postcode\": \"75001\", \"city\": "
		"\"Paris\","
		" \"country\": \"FR\", \"siren\": \"732829320\", \"email\": \"pas-une-adresse\"}",
		"invalid_email", "email");
	refused(&b,
		"{\"legal_name\": \"X\", \"street\": \"1 rue A\", \"postcode\": \"75001\", \"city\": "
		"\"Paris\","
		" \"country\": \"FR\", \"siren\": \"732829320\", \"email\": \"a@b.example\", \"iban\": "
		"\"x\"}",
		"unknown_field", "iban");
	/* nothing was stored */
	session_call(&H, &b.s, "GET", "/api/v1/billing/identity", NULL, &r);
	assert_true(json_is_false(json_object_get(r.json, "complete")));
	reply_free(&r);

	put_identity(&b, IDENTITY, &r);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	session_call(&H, &b.s, "GET", "/api/v1/billing/identity", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_true(json_is_true(json_object_get(r.json, "complete")));
	assert_string_equal(json_path_str(r.json, "identity", "siren"), "732829320");
	assert_string_equal(json_path_str(r.json, "identity", "email"), "compta@lumiere.example");
	assert_string_equal(json_path_str(r.json, "identity", "country"), "FR");
	reply_free(&r);
}

/* ---- documents ---- */

struct change {
	int64_t account_id;
	int paying_before;
	enum plan_id from, to;
	int64_t now;
	char id[24];
	struct billing_quote q;
};

static int change_tx(db_conn *c, void *ctx, struct err *e)
{
	struct change *x = ctx;
	if (billing_quote(c, x->account_id, x->paying_before, x->from, x->to, x->now, &x->q, e))
		return -1;
	return billing_change_plan(c, x->account_id, x->paying_before, x->from, x->to, x->now, x->id, e);
}

static void change(struct biz *b, int paying_before, enum plan_id from, enum plan_id to, int64_t now,
		   struct change *x)
{
	*x = (struct change){
		.account_id = b->id, .paying_before = paying_before, .from = from, .to = to, .now = now};
	struct err e = {0};
	int rc = db_transact(H.app->db, change_tx, x, &e);
	if (rc)
		fprintf(stderr, "change: %s\n", e.message);
	assert_int_equal(rc, 0);
}

struct run {
	int64_t account_id, now;
	int month, issued;
	char id[24];
};

static int run_tx(db_conn *c, void *ctx, struct err *e)
{
	struct run *x = ctx;
	x->issued = billing_run_month(c, x->account_id, x->month, x->now, x->id, e);
	return x->issued < 0 ? -1 : 0;
}

static json_t *get_doc(struct biz *b, const char *id, const char *key)
{
	char path[96];
	snprintf(path, sizeof(path), "/api/v1/invoices/%s", id);
	struct reply r;
	session_call(&H, &b->s, "GET", path, NULL, &r);
	assert_int_equal(r.status, 200);
	json_t *doc = json_incref(json_object_get(r.json, key));
	assert_non_null(doc);
	reply_free(&r);
	return doc;
}

static int64_t num(const json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

/* Downloads the PDF twice, checks both are the stored bytes (SHA-256 kept with the record) and
 * returns its text as pdftotext reads it (malloc'd). */
static char *pdf_text(struct biz *b, const char *id)
{
	char path[96];
	snprintf(path, sizeof(path), "/api/v1/invoices/%s.pdf", id);
	struct reply r1, r2;
	session_call(&H, &b->s, "GET", path, NULL, &r1);
	session_call(&H, &b->s, "GET", path, NULL, &r2);
	assert_int_equal(r1.status, 200);
	assert_int_equal(r2.status, 200);
	char type[64];
	assert_non_null(reply_header(&r1, "Content-Type", type, sizeof(type)));
	assert_string_equal(type, "application/pdf");
	assert_true(r1.len > 1000 && r1.len == r2.len && !memcmp(r1.body, r2.body, r1.len));
	assert_memory_equal(r1.body, "%PDF-", 5);
	unsigned char h[32];
	char hex[65];
	crypto_hash_sha256(h, (const unsigned char *)r1.body, r1.len);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	struct err e = {0};
	db_conn *c;
	db_rows *rows;
	assert_int_equal(db_acquire(H.app->db, &c, &e), 0);
	assert_int_equal(db_query(c, "SELECT pdf_sha256 FROM invoices WHERE public_id = $1",
				  DB_ARGS(DB_TEXT(id)), &rows, &e),
			 0);
	assert_int_equal(db_rows_next(rows, &e), 1);
	assert_string_equal(db_rows_text(rows, 0), hex);
	db_rows_free(rows);
	db_release(c);

	char file[] = "/tmp/creneau-invoice-XXXXXX";
	int fd = mkstemp(file);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, r1.body, r1.len), (ssize_t)r1.len);
	close(fd);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "pdftotext -enc UTF-8 %s -", file);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	size_t cap = 1 << 16, len = 0;
	char *text = malloc(cap);
	size_t n;
	while ((n = fread(text + len, 1, cap - len - 1, p)) > 0)
		len += n;
	text[len] = '\0';
	assert_int_equal(pclose(p), 0);
	unlink(file);
	reply_free(&r1);
	reply_free(&r2);
	return text;
}

static void has(const char *text, const char *what)
{
	if (!strstr(text, what))
		fprintf(stderr, "the PDF lacks \"%s\":\n%s\n", what, text);
	assert_non_null(strstr(text, what));
}

static void mandatory_mentions(const char *text)
{
	/* seller */
	has(text, "Créneau SAS");
	has(text, "SAS (société par actions simplifiée)");
	has(text, "Capital social : 10 000 €");
	has(text, "12 rue des Horloges");
	has(text, "75011 Paris");
	has(text, "SIREN : 912345675");
	has(text, "RCS Paris 912 345 675");
	has(text, "FR65912345675");
	/* customer */
	has(text, "Salon Lumière SARL");
	has(text, "3 place du Marché");
	has(text, "69002 Lyon");
	has(text, "SIREN : 732829320");
	has(text, "FR44732829320");
	/* the operation and the conditions */
	has(text, "Catégorie de l'opération : prestations de services");
	has(text, "Quantité");
	has(text, "Prix unitaire HT");
	has(text, "TVA 20 %");
	has(text, "Total HT");
	has(text, "Total TTC");
	has(text, "Pénalités de retard : trois fois le taux d'intérêt légal en vigueur");
	has(text, "Indemnité forfaitaire pour frais de recouvrement de 40 €");
	has(text, "Pas d'escompte pour paiement anticipé");
	has(text, "Option pour le paiement de la TVA d'après les débits");
}

static void a_month_of_changes_and_the_next_first(void **state)
{
	(void)state;
	struct biz b;
	fx_business(&b, "Salon Lumière", "Europe/Paris");
	struct reply r;
	put_identity(&b, IDENTITY, &r);
	assert_int_equal(r.status, 200);
	reply_free(&r);

	/* subscribing to Essentiel on 1 April 2027 from the trial: the whole month, 19,00 € HT */
	struct change sub, up, down;
	change(&b, 0, PLAN_OPTIMUM, PLAN_ESSENTIEL, noon(2027, 4, 1), &sub);
	assert_string_equal(sub.q.document, "invoice");
	assert_int_equal(sub.q.due_ht, 1900);
	json_t *inv1 = get_doc(&b, sub.id, "invoice");
	assert_int_equal(num(inv1, "total_ht"), 1900);
	assert_int_equal(num(inv1, "total_vat"), 380);
	assert_int_equal(num(inv1, "total_ttc"), 2280);

	/* Essentiel -> Pro on 18 April: 8,67 HT, 1,73 TVA, 10,40 TTC */
	change(&b, 1, PLAN_ESSENTIEL, PLAN_PRO, noon(2027, 4, 18), &up);
	assert_string_equal(up.q.document, "invoice");
	assert_int_equal(up.q.days_remaining, 13);
	assert_int_equal(up.q.days_in_month, 30);
	assert_int_equal(up.q.already_billed_ht, 1900);
	assert_int_equal(up.q.due_ht, 867);
	assert_int_equal(up.q.due_vat, 173);
	assert_int_equal(up.q.due_ttc, 1040);
	assert_int_equal(up.q.next_month_ht, 3900);
	json_t *inv2 = get_doc(&b, up.id, "invoice");
	assert_int_equal(num(inv2, "total_ht"), 867);
	assert_int_equal(num(inv2, "total_vat"), 173);
	assert_int_equal(num(inv2, "total_ttc"), 1040);
	assert_string_equal(json_string_value(json_object_get(inv2, "issue_date")), "2027-04-18");
	assert_string_equal(json_string_value(json_object_get(inv2, "due_date")), "2027-05-03");
	const char *number2 = json_string_value(json_object_get(inv2, "number"));
	assert_int_equal(strncmp(number2, "F-2027-", 7), 0);
	assert_int_equal(strlen(number2), 13);

	char *text = pdf_text(&b, up.id);
	mandatory_mentions(text);
	has(text, "FACTURE");
	has(text, number2);
	has(text, "18/04/2027");
	has(text, "03/05/2027");
	has(text, "8,67 €");
	has(text, "1,73 €");
	has(text, "10,40 €");
	has(text, "Essentiel vers Pro");
	has(text, "du 18/04/2027 au 30/04/2027");
	free(text);

	/* back to Essentiel the same day: a credit note of the same amounts, citing that invoice */
	change(&b, 1, PLAN_PRO, PLAN_ESSENTIEL, noon(2027, 4, 18) + 3600, &down);
	assert_string_equal(down.q.document, "credit_note");
	assert_int_equal(down.q.delta_ht, -867);
	json_t *cn = get_doc(&b, down.id, "credit_note");
	assert_int_equal(num(cn, "total_ht"), 867);
	assert_int_equal(num(cn, "total_ttc"), 1040);
	assert_string_equal(json_string_value(json_object_get(cn, "corrects_number")), number2);
	const char *cn_number = json_string_value(json_object_get(cn, "number"));
	assert_int_equal(strncmp(cn_number, "AV-2027-", 8), 0);
	text = pdf_text(&b, down.id);
	mandatory_mentions(text);
	has(text, "AVOIR");
	has(text, cn_number);
	has(text, "Avoir rectifiant la facture n° ");
	has(text, number2);
	has(text, "10,40 €");
	free(text);
	/* net zero over the two documents; the credit waits for the next invoice */
	int64_t credit = -1;
	struct err e = {0};
	db_conn *c;
	assert_int_equal(db_acquire(H.app->db, &c, &e), 0);
	assert_int_equal(billing_credit_left(c, b.id, &credit, &e), 0);
	db_release(c);
	assert_int_equal(credit, 1040);

	/* a finalised document cannot change, on either store */
	fx_exec("UPDATE invoices SET state = 'final' WHERE id = -1", DB_NOARGS); /* no row: fine */
	assert_int_equal(db_acquire(H.app->db, &c, &e), 0);
	int rc = db_exec(c, "UPDATE invoices SET total_ht = 1 WHERE public_id = $1", DB_ARGS(DB_TEXT(up.id)),
			 &e);
	assert_int_equal(rc, DB_CONFLICT);
	assert_string_equal(db_conflict_name(c), "invoice_final");
	rc = db_exec(c, "DELETE FROM invoices WHERE public_id = $1", DB_ARGS(DB_TEXT(up.id)), &e);
	assert_int_equal(rc, DB_CONFLICT);
	db_release(c);

	/* the 1st of May: the account pays (active); Essentiel, 22,80 TTC minus the 10,40 credit */
	fx_exec("UPDATE accounts SET state = 'active', plan = 'essentiel', trial_ends_at = NULL WHERE id = "
		"$1",
		DB_ARGS(DB_INT(b.id)));
	char key[64];
	snprintf(key, sizeof(key), "billing.month:%lld:202705", (long long)b.id);
	assert_int_equal(fx_int("SELECT COUNT(*) FROM jobs WHERE kind = 'billing.month' AND unique_key = $1",
				DB_ARGS(DB_TEXT(key))),
			 1);
	struct billing_month may;
	billing_month_from_key(202705, &may);
	struct run run = {.account_id = b.id, .now = may.start, .month = 202705};
	assert_int_equal(db_transact(H.app->db, run_tx, &run, &e), 0);
	assert_int_equal(run.issued, 1);
	json_t *inv3 = get_doc(&b, run.id, "invoice");
	assert_int_equal(num(inv3, "total_ht"), 1900);
	assert_int_equal(num(inv3, "total_ttc"), 2280);
	assert_int_equal(num(inv3, "credit_applied_ttc"), 1040);
	assert_int_equal(num(inv3, "amount_due_ttc"), 1240);
	assert_string_equal(json_string_value(json_object_get(inv3, "issue_date")), "2027-05-01");
	assert_string_equal(json_string_value(json_object_get(inv3, "due_date")), "2027-05-16");
	text = pdf_text(&b, run.id);
	mandatory_mentions(text);
	has(text, "du 01/05/2027 au 31/05/2027");
	has(text, "Avoir déduit : -10,40 €");
	has(text, "Net à payer");
	has(text, "12,40 €");
	has(text, cn_number);
	free(text);
	/* exactly once: a second run of May (another worker, a retry after a crash) bills nothing */
	struct run again = {.account_id = b.id, .now = may.start + 60, .month = 202705};
	assert_int_equal(db_transact(H.app->db, run_tx, &again, &e), 0);
	assert_int_equal(again.issued, 0);
	/* cancelled accounts are not billed on the 1st */
	fx_exec("UPDATE accounts SET state = 'cancel_pending' WHERE id = $1", DB_ARGS(DB_INT(b.id)));
	struct run june = {.account_id = b.id, .now = may.next_start, .month = 202706};
	assert_int_equal(db_transact(H.app->db, run_tx, &june, &e), 0);
	assert_int_equal(june.issued, 0);
	assert_int_equal(db_acquire(H.app->db, &c, &e), 0);
	assert_int_equal(billing_credit_left(c, b.id, &credit, &e), 0);
	db_release(c);
	assert_int_equal(credit, 0);

	/* the list: four documents, newest first, paged */
	session_call(&H, &b.s, "GET", "/api/v1/invoices?limit=3", NULL, &r);
	assert_int_equal(r.status, 200);
	json_t *list = json_object_get(r.json, "invoices");
	assert_int_equal(json_array_size(list), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "id")), run.id);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 1), "type")),
			    "credit_note");
	char path[128];
	snprintf(path, sizeof(path), "/api/v1/invoices?limit=3&cursor=%s",
		 json_string_value(json_object_get(r.json, "next_cursor")));
	reply_free(&r);
	session_call(&H, &b.s, "GET", path, NULL, &r);
	assert_int_equal(r.status, 200);
	list = json_object_get(r.json, "invoices");
	assert_int_equal(json_array_size(list), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "id")), sub.id);
	assert_true(json_is_null(json_object_get(r.json, "next_cursor")));
	reply_free(&r);
	session_call(&H, &b.s, "GET", "/api/v1/invoices/inv_AAAAAAAAAAAAAAAA.pdf", NULL, &r);
	assert_error(&r, 404, "not_found");
	reply_free(&r);

	/* another business sees none of it */
	struct biz other;
	fx_business(&other, "Autre Salon", "Europe/Paris");
	snprintf(path, sizeof(path), "/api/v1/invoices/%s.pdf", up.id);
	session_call(&H, &other.s, "GET", path, NULL, &r);
	assert_error(&r, 404, "not_found");
	reply_free(&r);
	json_decref(inv1);
	json_decref(inv2);
	json_decref(inv3);
	json_decref(cn);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(identity_is_checked_field_by_field),
		cmocka_unit_test(a_month_of_changes_and_the_next_first),
	};
	return cmocka_run_group_tests(tests, harness_setup, harness_teardown);
}
