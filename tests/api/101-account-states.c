/* What each account state allows (PRODUCT.md's states table), seen through the API: reads
 * stay open in frozen and read-only accounts, writes answer 403 with the state's code, and a
 * deleted account's sessions stop at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"

static void each_state_allows_what_the_table_says(void **state)
{
	(void)state;
	struct session s;
	harness_signup(&H, "Mairie de Saint-Clair", "accueil@saint-clair.example", "pro", &s);
	static const struct {
		const char *state, *reason;
		long read, write;
		const char *write_code;
	} table[] = {
		{"trial", NULL, 200, 200, NULL},
		{"active", NULL, 200, 200, NULL},
		{"cancel_pending", NULL, 200, 200, NULL},
		{"frozen", NULL, 200, 403, "account_frozen"},
		{"read_only", "cancelled", 200, 403, "account_read_only"},
		{"read_only", "unpaid", 200, 403, "account_read_only"},
	};
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		test_account_state(s.slug, table[i].state, table[i].reason);
		struct reply r;
		session_call(&H, &s, "GET", "/api/v1/account", NULL, &r);
		assert_int_equal(r.status, table[i].read);
		assert_string_equal(json_path_str(r.json, "account", "state"), table[i].state);
		reply_free(&r);
		session_call(&H, &s, "GET", "/api/v1/me", NULL, &r);
		assert_int_equal(r.status, 200);
		assert_true(json_is_boolean(json_object_get(json_object_get(r.json, "may"), "write")));
		assert_int_equal(json_is_true(json_object_get(json_object_get(r.json, "may"), "write")),
				 table[i].write == 200);
		reply_free(&r);
		session_call(&H, &s, "PATCH", "/api/v1/account", "{\"phone\": \"+33 1 23 45 67 89\"}", &r);
		if (table[i].write_code)
			assert_error(&r, table[i].write, table[i].write_code);
		else
			assert_int_equal(r.status, table[i].write);
		reply_free(&r);
	}
	/* nothing was written while writes were refused */
	test_account_state(s.slug, "active", NULL);
	struct reply r;
	session_call(&H, &s, "GET", "/api/v1/account", NULL, &r);
	assert_string_equal(json_path_str(r.json, "account", "phone"), "+33 1 23 45 67 89");
	reply_free(&r);

	/* log-out is never blocked */
	test_account_state(s.slug, "frozen", NULL);
	session_call(&H, &s, "DELETE", "/api/v1/session", NULL, &r);
	assert_int_equal(r.status, 204);
	reply_free(&r);
}

static void a_deleted_account_stops_at_once(void **state)
{
	(void)state;
	struct session s;
	harness_signup(&H, "Coach Nadia", "nadia@coach.example", NULL, &s);
	test_account_state(s.slug, "deleting", NULL);
	struct reply r;
	session_call(&H, &s, "GET", "/api/v1/me", NULL, &r);
	assert_error(&r, 401, "unauthorized");
	reply_free(&r);
}

static void profile_changes_are_validated_and_versioned(void **state)
{
	(void)state;
	struct session s;
	harness_signup(&H, "Institut Belle Rive", "contact@belle-rive.example", NULL, &s);
	struct reply r;
	session_call(&H, &s, "GET", "/api/v1/account", NULL, &r);
	json_int_t v = json_integer_value(json_object_get(json_object_get(r.json, "account"), "version"));
	reply_free(&r);

	session_call(&H, &s, "PATCH", "/api/v1/account", "{\"time_zone\": \"Mars/Olympus\"}", &r);
	assert_error(&r, 400, "invalid_timezone");
	assert_string_equal(json_path_str(r.json, "error", "field"), "time_zone");
	reply_free(&r);
	session_call(&H, &s, "PATCH", "/api/v1/account", "{\"slug\": \"stolen\"}", &r);
	assert_error(&r, 400, "unknown_field");
	reply_free(&r);

	char body[200];
	snprintf(body, sizeof(body),
		 "{\"name\": \"Institut Belle-Rive\", \"time_zone\": \"Asia/Kolkata\","
		 " \"locale\": \"en\", \"version\": %lld}",
		 (long long)v);
	session_call(&H, &s, "PATCH", "/api/v1/account", body, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_path_str(r.json, "account", "name"), "Institut Belle-Rive");
	assert_string_equal(json_path_str(r.json, "account", "time_zone"), "Asia/Kolkata");
	/* instants are now written in the business's zone */
	assert_non_null(strstr(json_path_str(r.json, "account", "created_at"), "+05:30"));
	reply_free(&r);
	/* the same stale version again is a conflict, and changes nothing */
	snprintf(body, sizeof(body), "{\"name\": \"Ancien nom\", \"version\": %lld}", (long long)v);
	session_call(&H, &s, "PATCH", "/api/v1/account", body, &r);
	assert_error(&r, 409, "stale_version");
	reply_free(&r);
	session_call(&H, &s, "GET", "/api/v1/account", NULL, &r);
	assert_string_equal(json_path_str(r.json, "account", "name"), "Institut Belle-Rive");
	reply_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(each_state_allows_what_the_table_says),
		cmocka_unit_test(a_deleted_account_stops_at_once),
		cmocka_unit_test(profile_changes_are_validated_and_versioned),
	};
	return cmocka_run_group_tests_name("api/account-states", tests, harness_setup, harness_teardown);
}
