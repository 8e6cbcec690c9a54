/* Optimistic concurrency on the set-up screens: PATCH of a service or a staff member with the
 * `version` that was read succeeds and bumps it; an older `version` is 409 `stale_version`
 * naming `version` and changes nothing; without `version` the change is made as before; a
 * create that sends `version` is 400 `unknown_field`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"

static struct session S;

static void expect(const char *method, const char *path, const char *body, long status, struct reply *r)
{
	session_expect(&H, &S, method, path, body, status, r);
}

static void expect_field(const char *method, const char *path, const char *body, long status,
			 const char *code, const char *field)
{
	struct reply r;
	session_call(&H, &S, method, path, body, &r);
	if (r.status != status)
		fprintf(stderr, "%s %s %s: %ld %s\n", method, path, body, r.status, r.body);
	assert_error(&r, status, code);
	const char *f = json_path_str(json_object_get(r.json, "error"), "field", NULL);
	assert_non_null(f);
	assert_string_equal(f, field);
	reply_free(&r);
}

static json_int_t int_of(const struct reply *r, const char *obj, const char *key)
{
	json_t *v = json_object_get(json_object_get(r->json, obj), key);
	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

static void signup_once(void)
{
	if (S.cookie[0])
		return;
	char email[128];
	snprintf(email, sizeof(email), "versions-%d-%s@setup-test.example", (int)getpid(),
		 harness_store_kind());
	harness_signup(&H, "Atelier Versions", email, NULL, &S);
}

/* One kind of record (`path` /api/v1/services or /api/v1/staff, `obj` its JSON key). */
static void check_versions(const char *path, const char *obj, const char *create)
{
	struct reply r;
	char body[256], item[128];

	/* a create does not take a version */
	snprintf(body, sizeof(body), "{%s, \"version\": 1}", create);
	expect_field("POST", path, body, 400, "unknown_field", "version");

	snprintf(body, sizeof(body), "{%s}", create);
	expect("POST", path, body, 201, &r);
	snprintf(item, sizeof(item), "%s/%s", path, json_path_str(r.json, obj, "id"));
	json_int_t v1 = int_of(&r, obj, "version");
	reply_free(&r);

	/* the version read: accepted, and the answer carries the next one */
	snprintf(body, sizeof(body), "{\"name\": \"Premier\", \"version\": %lld}", (long long)v1);
	expect("PATCH", item, body, 200, &r);
	json_int_t v2 = int_of(&r, obj, "version");
	assert_true(v2 > v1);
	assert_string_equal(json_path_str(r.json, obj, "name"), "Premier");
	reply_free(&r);

	/* a second screen still holding v1: refused, nothing written */
	snprintf(body, sizeof(body), "{\"name\": \"Second\", \"version\": %lld}", (long long)v1);
	expect_field("PATCH", item, body, 409, "stale_version", "version");
	expect("GET", item, NULL, 200, &r);
	assert_string_equal(json_path_str(r.json, obj, "name"), "Premier");
	assert_int_equal(int_of(&r, obj, "version"), v2);
	reply_free(&r);

	/* a bad version is a field error, not a conflict */
	expect_field("PATCH", item, "{\"version\": \"deux\"}", 400, "invalid_field", "version");

	/* without a version the last write wins, as before */
	expect("PATCH", item, "{\"name\": \"Sans version\"}", 200, &r);
	assert_string_equal(json_path_str(r.json, obj, "name"), "Sans version");
	assert_true(int_of(&r, obj, "version") > v2);
	reply_free(&r);
}

static void service_versions(void **state)
{
	(void)state;
	signup_once();
	check_versions("/api/v1/services", "service", "\"name\": \"Coupe\", \"duration_min\": 30");
}

static void staff_versions(void **state)
{
	(void)state;
	signup_once();
	check_versions("/api/v1/staff", "staff", "\"name\": \"Inès\", \"bookable\": false");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(service_versions),
		cmocka_unit_test(staff_versions),
	};
	return cmocka_run_group_tests(tests, harness_setup, harness_teardown);
}
