/* Who may reach what without a session: /metrics behind its token, and the test routes
 * absent unless test mode was explicitly enabled. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"

static void production_like(struct config *cfg)
{
	cfg->test_mode = 0;
	free(cfg->metrics_token);
	cfg->metrics_token = strdup("s3cret-metrics-token");
}

static int setup(void **state)
{
	(void)state;
	harness_start(&H, production_like);
	return 0;
}

static void test_clock_does_not_exist_outside_test_mode(void **state)
{
	(void)state;
	struct reply r;
	http_call(&H, "GET", "/api/v1/test/clock", NULL, NULL, &r);
	assert_error(&r, 404, "not_found");
	reply_free(&r);
	http_call(&H, "POST", "/api/v1/test/clock", "{\"advance_seconds\": 60}", NULL, &r);
	assert_error(&r, 404, "not_found");
	reply_free(&r);
}

static void metrics_need_the_token(void **state)
{
	(void)state;
	struct reply r;
	http_call(&H, "GET", "/metrics", NULL, NULL, &r);
	assert_error(&r, 401, "unauthorized");
	reply_free(&r);

	const char *wrong[] = {"Authorization: Bearer s3cret-metrics-tokeX", NULL};
	http_call(&H, "GET", "/metrics", NULL, wrong, &r);
	assert_error(&r, 401, "unauthorized");
	reply_free(&r);

	const char *right[] = {"Authorization: Bearer s3cret-metrics-token", NULL};
	http_call(&H, "GET", "/metrics", NULL, right, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "creneau_store_pool_connections"));
	reply_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clock_does_not_exist_outside_test_mode),
		cmocka_unit_test(metrics_need_the_token),
	};
	return cmocka_run_group_tests_name("api/access", tests, setup, harness_teardown);
}
