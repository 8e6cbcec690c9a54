/* The account's life through the API and the shared test clock (PRODUCT.md "Lifecycle rules"):
 * a year of a paying business — warnings, subscribing, plan changes, an invoice each 1st,
 * cancellation, read-only, deletion 12 months later — and a trial that never converts, frozen
 * then deleted on day 45. Notices are read in the SMTP server's maildir, each exactly once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "life_util.h"
#include "support_util.h"

static void a_trial_that_never_converts_is_frozen_then_deleted_on_day_45(void **state)
{
	(void)state;
	test_clock("set", "2027-01-04T09:30:00+01:00");
	struct session s;
	char email[128], name[96];
	unique_names("essai", email, name);
	harness_signup(&H, name, email, "pro", &s);

	json_t *sub = subscription(&s);
	assert_string_equal(json_string_value(json_object_get(sub, "state")), "trial");
	assert_int_equal(json_integer_value(json_object_get(sub, "trial_days_left")), 15);
	assert_string_equal(json_path_str(sub, "next_transition", "kind"), "trial_end");
	assert_string_equal(json_path_str(sub, "next_transition", "at"), "2027-01-19T00:00:00+01:00");
	json_decref(sub);

	/* no warning before its day; the -3 days one on the 16th, the -1 day one on the 18th */
	live_until(&s, email, "2027-01-15T23:00:00+01:00");
	assert_int_equal(maildir_count(email, "sans interruption"), 0);
	live_until(&s, email, "2027-01-16T08:00:00+01:00");
	assert_int_equal(maildir_count(email, "sans interruption"), 1);
	assert_int_equal(maildir_count(email, "pour que votre page"), 0);
	live_until(&s, email, "2027-01-18T08:00:00+01:00");
	assert_int_equal(maildir_count(email, "pour que votre page"), 1);
	sub = subscription(&s);
	assert_int_equal(json_integer_value(json_object_get(sub, "trial_days_left")), 1);
	json_decref(sub);

	/* trial end: frozen, writes refused, reads and the public page still answer, booking closed */
	test_clock("advance_to", "2027-01-19T00:00:01+01:00");
	sub = subscription(&s);
	assert_string_equal(json_string_value(json_object_get(sub, "state")), "frozen");
	assert_string_equal(json_path_str(sub, "next_transition", "kind"), "deletion");
	assert_string_equal(json_string_value(json_object_get(sub, "delete_at")),
			    "2027-02-18T00:00:00+01:00");
	json_decref(sub);
	assert_int_equal(maildir_count(email, "maintenant en lecture seule"), 1);
	struct reply r;
	session_call(&H, &s, "PATCH", "/api/v1/account", "{\"phone\": \"+33 1 23 45 67 89\"}", &r);
	assert_error(&r, 403, "account_frozen");
	reply_free(&r);
	session_call(&H, &s, "GET", "/api/v1/services", NULL, &r);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	char path[160];
	snprintf(path, sizeof(path), "/api/v1/public/%s", s.slug);
	http_call(&H, "GET", path, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_true(json_is_false(json_object_get(r.json, "bookings_open")));
	reply_free(&r);

	/* 7 days before deletion: one notice; nothing twice when the clock moves on */
	live_until(&s, email, "2027-02-10T12:00:00+01:00");
	assert_int_equal(maildir_count(email, "depuis plusieurs semaines"), 0);
	live_until(&s, email, "2027-02-11T12:00:00+01:00");
	assert_int_equal(maildir_count(email, "depuis plusieurs semaines"), 1);
	assert_int_equal(maildir_count(email, "sans interruption"), 1);

	/* day 45: deleted — sessions end, the page answers 410; the purge follows within the hour */
	live_until(&s, email, "2027-02-17T23:00:00+01:00");
	test_clock("advance_to", "2027-02-18T00:00:01+01:00");
	session_call(&H, &s, "GET", "/api/v1/me", NULL, &r);
	assert_error(&r, 401, "unauthorized");
	reply_free(&r);
	http_call(&H, "GET", path, NULL, NULL, &r);
	assert_error(&r, 410, "account_deleted");
	reply_free(&r);
	test_clock("advance_to", "2027-02-18T02:00:00+01:00");
	http_call(&H, "GET", path, NULL, NULL, &r);
	assert_error(&r, 410, "account_deleted");
	reply_free(&r);
	assert_purged(s.account_id, name, email, s.slug);
}

/* A paying business pays: an operator marks every invoice of the account paid (a transfer
 * received), so the dunning of the payments issue never makes it read-only `unpaid`. */
static void pay_every_invoice(struct operator_session *op, const struct session *s)
{
	struct reply r;
	session_expect(&H, s, "GET", "/api/v1/invoices?limit=100", NULL, 200, &r);
	operator_login(op);
	size_t i;
	json_t *d;
	json_array_foreach(json_object_get(r.json, "invoices"), i, d)
	{
		if (strcmp(json_string_value(json_object_get(d, "type")), "invoice") ||
		    json_integer_value(json_object_get(d, "amount_due_ttc")) <= 0)
			continue;
		char path[160];
		snprintf(path, sizeof(path), "/api/v1/ops/invoices/%s/paid",
			 json_string_value(json_object_get(d, "id")));
		const char *h[] = {op->cookie, op->csrf, NULL};
		struct reply p;
		http_call(&H, "POST", path, "{\"note\": \"virement reçu\"}", h, &p);
		if (p.status != 200 && p.status != 409)
			fail_msg("POST %s: %ld %s", path, p.status, p.body);
		reply_free(&p);
	}
	reply_free(&r);
}

static void a_year_in_the_life_of_a_paying_business(void **state)
{
	(void)state;
	test_clock("set", "2027-03-27T10:00:00+01:00");
	struct session s;
	char email[128], name[96];
	unique_names("annee", email, name);
	harness_signup(&H, name, email, "optimum", &s);

	/* warnings on the 8th and the 10th of April (trial end: 11 April 00:00) */
	live_until(&s, email, "2027-04-08T09:00:00+02:00");
	assert_int_equal(maildir_count(email, "sans interruption"), 1);
	live_until(&s, email, "2027-04-10T09:00:00+02:00");
	assert_int_equal(maildir_count(email, "pour que votre page"), 1);

	/* subscribing needs the billing identity first */
	struct reply r;
	session_call(&H, &s, "POST", "/api/v1/subscription", "{\"plan\": \"essentiel\"}", &r);
	assert_error(&r, 409, "billing_identity_required");
	reply_free(&r);
	put_identity(&s, "compta@facturation.example");

	/* day 10 of April: Essentiel for the 21 days left, 1 900 x 21 / 30 = 13,30 € HT */
	session_call(&H, &s, "GET", "/api/v1/subscription/quote?plan=essentiel", NULL, &r);
	assert_int_equal(r.status, 200);
	json_t *q = json_object_get(r.json, "quote");
	assert_string_equal(json_string_value(json_object_get(q, "kind")), "subscribe");
	assert_int_equal(json_integer_value(json_object_get(q, "amount_ht")), 1330);
	assert_int_equal(json_integer_value(json_object_get(q, "amount_ttc")), 1596);
	reply_free(&r);
	session_call(&H, &s, "POST", "/api/v1/subscription", "{\"plan\": \"essentiel\"}", &r);
	assert_int_equal(r.status, 201);
	assert_string_equal(json_path_str(r.json, "subscription", "state"), "active");
	assert_string_equal(json_path_str(r.json, "subscription", "plan"), "essentiel");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r.json, "change"), "amount_ht")),
			 1330);
	assert_non_null(json_path_str(r.json, "change", "document_id"));
	reply_free(&r);
	/* the trial's end does nothing any more; the demo data is still there */
	live_until(&s, email, "2027-04-11T09:00:00+02:00");
	json_t *sub = subscription(&s);
	assert_string_equal(json_string_value(json_object_get(sub, "state")), "active");
	assert_true(json_is_null(json_object_get(sub, "next_transition")));
	json_decref(sub);
	assert_int_equal(maildir_count(email, "maintenant en lecture seule"), 0);
	session_call(&H, &s, "GET", "/api/v1/services", NULL, &r);
	assert_true(json_array_size(json_object_get(r.json, "services")) > 0);
	reply_free(&r);

	/* the same plan again is a conflict; an unknown one is a 400 */
	session_call(&H, &s, "POST", "/api/v1/subscription", "{\"plan\": \"essentiel\"}", &r);
	assert_error(&r, 409, "plan_already_held");
	reply_free(&r);
	session_call(&H, &s, "POST", "/api/v1/subscription", "{\"plan\": \"platinum\"}", &r);
	assert_error(&r, 400, "invalid_plan");
	reply_free(&r);

	/* 18 April: Essentiel -> Pro, PRODUCT.md's vector: 8,67 € HT, 1,73 € TVA, 10,40 € TTC */
	live_until(&s, email, "2027-04-18T11:00:00+02:00");
	session_call(&H, &s, "POST", "/api/v1/subscription", "{\"plan\": \"pro\"}", &r);
	assert_int_equal(r.status, 200);
	json_t *ch = json_object_get(r.json, "change");
	assert_string_equal(json_string_value(json_object_get(ch, "kind")), "upgrade");
	assert_int_equal(json_integer_value(json_object_get(ch, "amount_ht")), 867);
	assert_int_equal(json_integer_value(json_object_get(ch, "amount_vat")), 173);
	assert_int_equal(json_integer_value(json_object_get(ch, "amount_ttc")), 1040);
	reply_free(&r);

	/* 1 May: the month's invoice, Pro, 39 € HT, 46,80 € TTC */
	live_until(&s, email, "2027-05-01T09:00:00+02:00");
	expect_invoices(&s, 3, "F-2027-000003", 3900, 4680);
	struct operator_session op;
	operator_create("life", &op);
	pay_every_invoice(&op, &s);

	/* 10 June: Pro -> Essentiel is a credit note: (1 900 - 3 900) x 21 / 30 = -14,00 € HT */
	live_until(&s, email, "2027-06-10T10:00:00+02:00");
	session_call(&H, &s, "POST", "/api/v1/subscription", "{\"plan\": \"essentiel\"}", &r);
	assert_int_equal(r.status, 200);
	ch = json_object_get(r.json, "change");
	assert_string_equal(json_string_value(json_object_get(ch, "kind")), "downgrade");
	assert_string_equal(json_string_value(json_object_get(ch, "document")), "credit_note");
	assert_int_equal(json_integer_value(json_object_get(ch, "amount_ht")), 1400);
	reply_free(&r);

	/* 1 July: 19 € HT, 22,80 € TTC, the credit of 16,80 € deducted */
	live_until(&s, email, "2027-07-01T09:00:00+02:00");
	expect_invoices(&s, 6, "F-2027-000005", 1900, 2280);
	pay_every_invoice(&op, &s);

	/* 15 July: cancel, undo, cancel again — effective 1 August 00:00 Paris */
	live_until(&s, email, "2027-07-15T10:00:00+02:00");
	session_call(&H, &s, "POST", "/api/v1/subscription/resume", NULL, &r);
	assert_error(&r, 409, "not_cancelled");
	reply_free(&r);
	session_call(&H, &s, "DELETE", "/api/v1/subscription", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_path_str(r.json, "subscription", "state"), "cancel_pending");
	assert_string_equal(json_path_str(r.json, "subscription", "cancel_at"), "2027-08-01T00:00:00+02:00");
	reply_free(&r);
	session_call(&H, &s, "DELETE", "/api/v1/subscription", NULL, &r);
	assert_error(&r, 409, "already_cancelled");
	reply_free(&r);
	session_call(&H, &s, "POST", "/api/v1/subscription/resume", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_path_str(r.json, "subscription", "state"), "active");
	reply_free(&r);
	session_call(&H, &s, "DELETE", "/api/v1/subscription", NULL, &r);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	assert_int_equal(maildir_count(email, "est enregistr"), 1); /* one notice per cancellation instant */

	/* 1 August: read-only; reading and exports work, writes do not; no August invoice */
	live_until(&s, email, "2027-08-01T09:00:00+02:00");
	sub = subscription(&s);
	assert_string_equal(json_string_value(json_object_get(sub, "state")), "read_only");
	assert_string_equal(json_string_value(json_object_get(sub, "state_reason")), "cancelled");
	assert_string_equal(json_string_value(json_object_get(sub, "delete_at")),
			    "2028-08-01T00:00:00+02:00");
	json_decref(sub);
	expect_invoices(&s, 6, "F-2027-000005", 1900, 2280);
	session_call(&H, &s, "POST", "/api/v1/services", "{\"name\": \"Coupe\", \"duration_min\": 30}", &r);
	assert_error(&r, 403, "account_read_only");
	reply_free(&r);
	session_call(&H, &s, "GET", "/api/v1/clients", NULL, &r);
	assert_int_equal(r.status, 200);
	json_t *clients = json_object_get(r.json, "clients");
	char export_path[160] = "";
	if (json_array_size(clients))
		snprintf(export_path, sizeof(export_path), "/api/v1/clients/%s/export",
			 json_string_value(json_object_get(json_array_get(clients, 0), "id")));
	reply_free(&r);
	assert_true(export_path[0]);
	session_call(&H, &s, "GET", export_path, NULL, &r);
	assert_int_equal(r.status, 200);
	reply_free(&r);

	/* notices 30 and 7 days before, then deletion on 1 August 2028 */
	live_until(&s, email, "2028-07-01T09:00:00+02:00");
	assert_int_equal(maildir_count(email, "a pris fin"), 0);
	live_until(&s, email, "2028-07-02T09:00:00+02:00");
	assert_int_equal(maildir_count(email, "a pris fin"), 1);
	live_until(&s, email, "2028-07-25T09:00:00+02:00");
	assert_int_equal(maildir_count(email, "Dernier rappel"), 1);
	live_until(&s, email, "2028-07-31T23:00:00+02:00");
	test_clock("advance_to", "2028-08-01T00:00:01+02:00");
	session_call(&H, &s, "GET", "/api/v1/me", NULL, &r);
	assert_error(&r, 401, "unauthorized");
	reply_free(&r);
	assert_int_equal(maildir_count(email, "plus personne ne peut"), 1);
	test_clock("advance_to", "2028-08-01T03:00:00+02:00");
	assert_purged(s.account_id, name, email, s.slug);
}

static void plan_changes_refuse_what_the_rules_refuse(void **state)
{
	(void)state;
	struct session s;
	char email[128], name[96];
	unique_names("refus", email, name);
	harness_signup(&H, name, email, "pro", &s);
	struct reply r;
	session_call(&H, &s, "GET", "/api/v1/subscription/quote", NULL, &r);
	assert_error(&r, 400, "missing_field");
	reply_free(&r);
	session_call(&H, &s, "GET", "/api/v1/subscription/quote?plan=gold", NULL, &r);
	assert_error(&r, 400, "invalid_plan");
	reply_free(&r);
	session_call(&H, &s, "POST", "/api/v1/subscription", "{\"plan\": \"pro\", \"coupon\": \"x\"}", &r);
	assert_error(&r, 400, "unknown_field");
	reply_free(&r);
	/* two bookable staff (demo staff never count) do not fit Essentiel */
	for (int i = 0; i < 2; i++) {
		char body[96];
		snprintf(body, sizeof(body), "{\"name\": \"Coiffeur %d\"}", i + 1);
		session_call(&H, &s, "POST", "/api/v1/staff", body, &r);
		assert_int_equal(r.status, 201);
		reply_free(&r);
	}
	put_identity(&s, "compta@facturation.example");
	session_call(&H, &s, "POST", "/api/v1/subscription", "{\"plan\": \"essentiel\"}", &r);
	assert_error(&r, 422, "over_plan_limits");
	assert_non_null(strstr(json_path_str(r.json, "error", "message"), "Désactivez 1 membre"));
	reply_free(&r);
	session_call(&H, &s, "GET", "/api/v1/subscription/quote?plan=essentiel", NULL, &r);
	assert_error(&r, 422, "over_plan_limits");
	reply_free(&r);
	/* nothing changed */
	json_t *sub = subscription(&s);
	assert_string_equal(json_string_value(json_object_get(sub, "state")), "trial");
	json_decref(sub);
	/* cancelling a trial, resuming nothing */
	session_call(&H, &s, "DELETE", "/api/v1/subscription", NULL, &r);
	assert_error(&r, 409, "not_subscribed");
	reply_free(&r);
	/* read-only for an unpaid invoice: writes refused, plan changes wait for the payment */
	test_account_state(s.slug, "read_only", "unpaid");
	session_call(&H, &s, "PATCH", "/api/v1/account", "{\"phone\": \"+33 1 23 45 67 89\"}", &r);
	assert_error(&r, 403, "account_read_only");
	reply_free(&r);
	session_call(&H, &s, "POST", "/api/v1/subscription", "{\"plan\": \"optimum\"}", &r);
	assert_error(&r, 409, "payment_overdue");
	reply_free(&r);
	sub = subscription(&s);
	assert_true(json_is_null(json_object_get(sub, "next_transition"))); /* never deleted for that */
	json_decref(sub);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plan_changes_refuse_what_the_rules_refuse),
		cmocka_unit_test(a_trial_that_never_converts_is_frozen_then_deleted_on_day_45),
		cmocka_unit_test(a_year_in_the_life_of_a_paying_business),
	};
	return cmocka_run_group_tests_name("api/subscription-life", tests, harness_setup, harness_teardown);
}
