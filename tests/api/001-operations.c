/* Operations endpoints and the adapter's contract seen from outside: /livez, /healthz,
 * /metrics, the error shape for unknown paths and wrong methods, security headers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"

static void healthz_reports_the_store(void **state)
{
	(void)state;
	struct reply r;
	http_call(&H, "GET", "/healthz", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "status")), "ok");
	assert_string_equal(json_string_value(json_object_get(r.json, "store")),
			    !strcmp(harness_store_kind(), "pg") ? "postgresql" : "sqlite");
	reply_free(&r);

	http_call(&H, "GET", "/livez", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	reply_free(&r);
}

static void every_answer_has_security_headers_and_a_request_id(void **state)
{
	(void)state;
	const char *paths[] = {"/healthz", "/no/such/page"};
	for (size_t i = 0; i < 2; i++) {
		struct reply r;
		char v[512];
		http_call(&H, "GET", paths[i], NULL, NULL, &r);
		assert_non_null(reply_header(&r, "X-Request-Id", v, sizeof(v)));
		assert_true(strlen(v) >= 16);
		assert_non_null(reply_header(&r, "X-Content-Type-Options", v, sizeof(v)));
		assert_string_equal(v, "nosniff");
		assert_non_null(reply_header(&r, "Content-Security-Policy", v, sizeof(v)));
		assert_null(strstr(v, "unsafe-inline"));
		assert_non_null(reply_header(&r, "Referrer-Policy", v, sizeof(v)));
		reply_free(&r);
	}
}

static void unknown_path_is_404_in_the_error_shape(void **state)
{
	(void)state;
	struct reply r;
	http_call(&H, "GET", "/api/v1/nothing-here", NULL, NULL, &r);
	assert_error(&r, 404, "not_found");
	reply_free(&r);
}

static void wrong_method_is_405_with_allow(void **state)
{
	(void)state;
	struct reply r;
	char allow[128];
	http_call(&H, "DELETE", "/healthz", NULL, NULL, &r);
	assert_error(&r, 405, "method_not_allowed");
	assert_non_null(reply_header(&r, "Allow", allow, sizeof(allow)));
	assert_non_null(strstr(allow, "GET"));
	reply_free(&r);

	http_call(&H, "PUT", "/api/v1/test/clock", "{}", NULL, &r);
	assert_error(&r, 405, "method_not_allowed");
	assert_non_null(reply_header(&r, "Allow", allow, sizeof(allow)));
	assert_non_null(strstr(allow, "GET"));
	assert_non_null(strstr(allow, "POST"));
	reply_free(&r);
}

static void malformed_json_is_400_naming_the_problem(void **state)
{
	(void)state;
	struct reply r;
	http_call(&H, "POST", "/api/v1/test/clock", "{\"set\": \"2027-01-01T00:00:00Z\",", NULL, &r);
	assert_error(&r, 400, "invalid_json");
	const char *msg = json_string_value(json_object_get(json_object_get(r.json, "error"), "message"));
	assert_non_null(strstr(msg, "line"));
	reply_free(&r);

	http_call(&H, "POST", "/api/v1/test/clock", "[1, 2]", NULL, &r);
	assert_int_equal(r.status, 400);
	reply_free(&r);
}

static void body_over_the_route_limit_is_413(void **state)
{
	(void)state;
	/* POST /api/v1/test/clock declares a 4 KiB limit */
	size_t n = 8192;
	char *big = malloc(n + 32);
	memset(big, ' ', n + 32);
	memcpy(big, "{\"set\": \"", 9);
	memcpy(big + n, "\"}", 3);
	struct reply r;
	http_call(&H, "POST", "/api/v1/test/clock", big, NULL, &r);
	assert_error(&r, 413, "payload_too_large");
	reply_free(&r);
	free(big);
}

static void metrics_count_requests_pool_and_jobs(void **state)
{
	(void)state;
	struct reply r;
	http_call(&H, "GET", "/healthz", NULL, NULL, &r);
	reply_free(&r);
	http_call(&H, "GET", "/metrics", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "route=\"/healthz\""));
	assert_non_null(strstr(r.body, "_bucket{"));
	assert_non_null(strstr(r.body, "creneau_store_pool_connections{state=\"in_use\"}"));
	assert_non_null(strstr(r.body, "creneau_jobs{state=\"queued\"}"));
	reply_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(healthz_reports_the_store),
		cmocka_unit_test(every_answer_has_security_headers_and_a_request_id),
		cmocka_unit_test(unknown_path_is_404_in_the_error_shape),
		cmocka_unit_test(wrong_method_is_405_with_allow),
		cmocka_unit_test(malformed_json_is_400_naming_the_problem),
		cmocka_unit_test(body_over_the_route_limit_is_413),
		cmocka_unit_test(metrics_count_requests_pool_and_jobs),
	};
	return cmocka_run_group_tests_name("api/operations", tests, harness_setup, harness_teardown);
}
