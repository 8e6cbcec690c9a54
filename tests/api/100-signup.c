/* Sign-up: a business starts a 15-day trial without a card, gets a session at once, and
 * bad input changes nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/tz.h"
#include "harness.h"

static int64_t count(const char *sql)
{
	struct err e = {0};
	db_conn *c;
	int64_t n = -1;
	assert_int_equal(db_acquire(H.app->db, &c, &e), 0);
	assert_int_equal(db_query_int(c, sql, DB_NOARGS, &n, &e), 1);
	db_release(c);
	return n;
}

static void post_signup(const char *json, struct reply *r)
{
	const char *headers[] = {harness_next_ip_header(), NULL};
	http_call(&H, "POST", "/api/v1/signup", json, headers, r);
}

static void signup_starts_a_trial_ending_at_local_midnight(void **state)
{
	(void)state;
	struct reply r;
	/* 20 March 2027, 10:00 in Paris (+01:00); the trial ends at the first instant of 4 April,
	 * after the change to summer time: 2027-04-04T00:00:00+02:00 */
	http_call(&H, "POST", "/api/v1/test/clock", "{\"set\": \"2027-03-20T10:00:00+01:00\"}", NULL, &r);
	assert_int_equal(r.status, 200);
	reply_free(&r);

	post_signup("{\"business_name\": \"Coiffure Élodie & Fils\", \"email\": \"Elodie@Example.FR\","
		    " \"password\": \"Ciseaux-Dores-77\", \"business_type\": \"hair_salon\","
		    " \"accept_terms\": true, \"accept_dpa\": true}",
		    &r);
	assert_int_equal(r.status, 201);
	assert_string_equal(json_path_str(r.json, "account", "state"), "trial");
	assert_string_equal(json_path_str(r.json, "account", "plan"), "optimum"); /* preselected */
	assert_string_equal(json_path_str(r.json, "account", "trial_ends_at"), "2027-04-04T00:00:00+02:00");
	assert_string_equal(json_path_str(r.json, "account", "time_zone"), "Europe/Paris");
	assert_string_equal(json_path_str(r.json, "account", "locale"), "fr");
	assert_string_equal(json_path_str(r.json, "account", "slug"), "coiffure-elodie-fils");
	assert_string_equal(json_path_str(r.json, "user", "email"), "elodie@example.fr");
	assert_string_equal(json_path_str(r.json, "user", "role"), "owner");
	assert_true(strlen(json_path_str(r.json, "csrf_token", NULL)) >= 32);
	char cookie[512];
	assert_non_null(reply_header(&r, "Set-Cookie", cookie, sizeof(cookie)));
	assert_non_null(strstr(cookie, "HttpOnly"));
	assert_non_null(strstr(cookie, "SameSite=Lax"));
	struct session s;
	session_from_reply(&r, &s);
	reply_free(&r);

	/* the session works, and the profile records what was accepted and when */
	session_call(&H, &s, "GET", "/api/v1/account", NULL, &r);
	assert_int_equal(r.status, 200);
	json_t *acc = json_object_get(json_object_get(r.json, "account"), "accepted");
	assert_string_equal(json_string_value(json_object_get(acc, "terms_version")), "2026-11");
	assert_string_equal(json_string_value(json_object_get(acc, "dpa_accepted_at")),
			    "2027-03-20T10:00:00+01:00");
	reply_free(&r);

	/* the same name gets the next free address */
	post_signup(
		"{\"business_name\": \"Coiffure Elodie et Fils\", \"email\": \"autre@example.fr\","
		" \"password\": \"Ciseaux-Dores-77\", \"business_type\": \"hair_salon\", \"plan\": \"pro\","
		" \"time_zone\": \"America/New_York\", \"locale\": \"en\", \"accept_terms\": true, "
		"\"accept_dpa\": true}",
		&r);
	assert_int_equal(r.status, 201);
	assert_string_equal(json_path_str(r.json, "account", "slug"), "coiffure-elodie-et-fils");
	assert_string_equal(json_path_str(r.json, "account", "plan"), "pro");
	/* 20 March 05:00 in New York; the trial ends at 4 April 00:00 there (EDT, -04:00) */
	assert_string_equal(json_path_str(r.json, "account", "trial_ends_at"), "2027-04-04T00:00:00-04:00");
	reply_free(&r);
	post_signup("{\"business_name\": \"Coiffure Élodie & Fils\", \"email\": \"trois@example.fr\","
		    " \"password\": \"Ciseaux-Dores-77\", \"business_type\": \"hair_salon\","
		    " \"accept_terms\": true, \"accept_dpa\": true}",
		    &r);
	assert_int_equal(r.status, 201);
	assert_string_equal(json_path_str(r.json, "account", "slug"), "coiffure-elodie-fils-2");
	reply_free(&r);
}

static void bad_input_is_refused_naming_the_field_and_changes_nothing(void **state)
{
	(void)state;
	int64_t accounts = count("SELECT count(*) FROM accounts");
	int64_t users = count("SELECT count(*) FROM users");
	static const struct {
		const char *body, *status_code, *field;
		long status;
	} cases[] = {
		{"{\"business_name\": \"X\", \"email\": \"elodie@example.fr\", \"password\": "
		 "\"Autre-Mot-2027\","
		 " \"business_type\": \"hair_salon\", \"accept_terms\": true, \"accept_dpa\": true}",
		 "email_taken", "email", 409},
		{"{\"business_name\": \"X\", \"email\": \"not-an-address\", \"password\": \"Autre-Mot-2027\","
		 " \"business_type\": \"hair_salon\", \"accept_terms\": true, \"accept_dpa\": true}",
		 "invalid_email", "email", 400},
		{"{\"business_name\": \"X\", \"email\": \"x@example.fr\", \"password\": \"court\","
		 " \"business_type\": \"hair_salon\", \"accept_terms\": true, \"accept_dpa\": true}",
		 "weak_password", "password", 400},
		{"{\"business_name\": \"X\", \"email\": \"x@example.fr\", \"password\": \"azertyuiop\","
		 " \"business_type\": \"hair_salon\", \"accept_terms\": true, \"accept_dpa\": true}",
		 "weak_password", "password", 400},
		{"{\"business_name\": \"X\", \"email\": \"x@example.fr\", \"password\": \"Autre-Mot-2027\","
		 " \"business_type\": \"hair_salon\", \"time_zone\": \"Europe/Atlantis\", \"accept_terms\": "
		 "true,"
		 " \"accept_dpa\": true}",
		 "invalid_timezone", "time_zone", 400},
		{"{\"business_name\": \"X\", \"email\": \"x@example.fr\", \"password\": \"Autre-Mot-2027\","
		 " \"business_type\": \"hair_salon\", \"locale\": \"de\", \"accept_terms\": true, "
		 "\"accept_dpa\": true}",
		 "invalid_locale", "locale", 400},
		{"{\"business_name\": \"X\", \"email\": \"x@example.fr\", \"password\": \"Autre-Mot-2027\","
		 " \"business_type\": \"hair_salon\", \"accept_terms\": false, \"accept_dpa\": true}",
		 "terms_not_accepted", "accept_terms", 400},
		{"{\"business_name\": \"X\", \"email\": \"x@example.fr\", \"password\": \"Autre-Mot-2027\","
		 " \"business_type\": \"hair_salon\", \"accept_terms\": true}",
		 "missing_field", "accept_dpa", 400},
		{"{\"business_name\": \"X\", \"email\": \"x@example.fr\", \"password\": \"Autre-Mot-2027\","
		 " \"business_type\": \"spaceport\", \"accept_terms\": true, \"accept_dpa\": true}",
		 "invalid_field", "business_type", 400},
		{"{\"business_name\": \"X\", \"email\": \"x@example.fr\", \"password\": \"Autre-Mot-2027\","
		 " \"business_type\": \"hair_salon\", \"plan\": \"gold\", \"accept_terms\": true, "
		 "\"accept_dpa\": true}",
		 "invalid_plan", "plan", 400},
		{"{\"business_name\": \"X\", \"email\": \"x@example.fr\", \"password\": \"Autre-Mot-2027\","
		 " \"business_type\": \"hair_salon\", \"card_number\": \"4111\", \"accept_terms\": true, "
		 "\"accept_dpa\": true}",
		 "unknown_field", "card_number", 400},
		{"{\"business_name\": \"\", \"email\": \"x@example.fr\", \"password\": \"Autre-Mot-2027\","
		 " \"business_type\": \"hair_salon\", \"accept_terms\": true, \"accept_dpa\": true}",
		 "missing_field", "business_name", 400},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct reply r;
		post_signup(cases[i].body, &r);
		assert_error(&r, cases[i].status, cases[i].status_code);
		assert_string_equal(json_path_str(r.json, "error", "field"), cases[i].field);
		/* a taken e-mail reveals nothing of the account that has it */
		assert_null(strstr(r.body, "coiffure"));
		assert_null(strstr(r.body, "lodie"));
		reply_free(&r);
	}
	assert_int_equal(count("SELECT count(*) FROM accounts"), accounts);
	assert_int_equal(count("SELECT count(*) FROM users"), users);
}

static void me_logout_and_csrf(void **state)
{
	(void)state;
	struct session s;
	harness_signup(&H, "Garage du Port", "garage@example.fr", "essentiel", &s);
	struct reply r;
	session_call(&H, &s, "GET", "/api/v1/me", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_path_str(r.json, "account", "name"), "Garage du Port");
	assert_string_equal(json_path_str(r.json, "account", "plan"), "essentiel");
	assert_true(json_is_false(json_object_get(json_object_get(r.json, "may"), "branding")));
	assert_true(json_is_false(json_object_get(json_object_get(r.json, "may"), "sms")));
	reply_free(&r);

	/* without the CSRF header the cookie alone cannot log out (or change anything) */
	const char *cookie_only[] = {s.cookie, NULL};
	http_call(&H, "DELETE", "/api/v1/session", NULL, cookie_only, &r);
	assert_error(&r, 403, "csrf_failed");
	reply_free(&r);
	const char *wrong[] = {s.cookie, "X-CSRF-Token: forged", NULL};
	http_call(&H, "DELETE", "/api/v1/session", NULL, wrong, &r);
	assert_error(&r, 403, "csrf_failed");
	reply_free(&r);
	session_call(&H, &s, "GET", "/api/v1/me", NULL, &r);
	assert_int_equal(r.status, 200);
	reply_free(&r);

	session_call(&H, &s, "DELETE", "/api/v1/session", NULL, &r);
	assert_int_equal(r.status, 204);
	reply_free(&r);
	session_call(&H, &s, "GET", "/api/v1/me", NULL, &r);
	assert_error(&r, 401, "unauthorized");
	reply_free(&r);
	http_call(&H, "GET", "/api/v1/me", NULL, NULL, &r);
	assert_error(&r, 401, "unauthorized");
	reply_free(&r);

	assert_true(count("SELECT count(*) FROM audit_log WHERE action = 'signup'") >= 1);
	assert_true(count("SELECT count(*) FROM audit_log WHERE action = 'logout'") >= 1);
}

static void sign_ups_per_address_are_limited(void **state)
{
	(void)state;
	/* ten sign-ups an hour from one address; the eleventh waits */
	const char *headers[] = {"X-Forwarded-For: 192.0.2.77", NULL};
	long last = 0;
	char retry[32] = "";
	for (int i = 0; i < 11; i++) {
		char body[400];
		snprintf(body, sizeof(body),
			 "{\"business_name\": \"Rafale %d\", \"email\": \"rafale%d@example.fr\", "
			 "\"password\": "
			 "\"Autre-Mot-2027\", \"business_type\": \"coach\", \"accept_terms\": true, "
			 "\"accept_dpa\": true}",
			 i, i);
		struct reply r;
		http_call(&H, "POST", "/api/v1/signup", body, headers, &r);
		last = r.status;
		if (i < 10)
			assert_int_equal(r.status, 201);
		else {
			assert_error(&r, 429, "rate_limited");
			assert_non_null(reply_header(&r, "Retry-After", retry, sizeof(retry)));
		}
		reply_free(&r);
	}
	assert_int_equal(last, 429);
	assert_true(strtol(retry, NULL, 10) > 0);
}

static void the_verification_mail_reaches_the_owner(void **state)
{
	(void)state;
	const char *maildir = getenv("CRENEAU_TEST_MAILDIR");
	assert_non_null(maildir);
	char email[128], cmd[800];
	snprintf(email, sizeof(email), "verif-%d-%s@example.fr", (int)getpid(), harness_store_kind());
	struct session s;
	harness_signup(&H, "Kiné du Centre", email, "pro", &s);
	/* the in-process worker sends it within a few seconds, with the verification link */
	snprintf(cmd, sizeof(cmd),
		 "grep -l '%s' %s/new/* 2>/dev/null | xargs -r grep -l 'verify?token' | grep -q .", email,
		 maildir);
	int found = 0;
	for (int i = 0; i < 50 && !found; i++) {
		found = system(cmd) == 0;
		if (!found)
			usleep(200 * 1000);
	}
	assert_true(found);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(signup_starts_a_trial_ending_at_local_midnight),
		cmocka_unit_test(bad_input_is_refused_naming_the_field_and_changes_nothing),
		cmocka_unit_test(me_logout_and_csrf),
		cmocka_unit_test(sign_ups_per_address_are_limited),
		cmocka_unit_test(the_verification_mail_reaches_the_owner),
	};
	return cmocka_run_group_tests_name("api/signup", tests, harness_setup, harness_teardown);
}
