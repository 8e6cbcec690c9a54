/* The store goes away and comes back (PostgreSQL): the server answers 503 in the error
 * shape meanwhile, keeps serving what needs no store, and recovers by itself. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"

static int pg_ctl(const char *verb)
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "scripts/peers/pg.sh %s '%s' >/dev/null", verb,
		 getenv("CRENEAU_TEST_PG_DIR"));
	return system(cmd);
}

static long healthz_status(void)
{
	struct reply r;
	http_call(&H, "GET", "/healthz", NULL, NULL, &r);
	long s = r.status;
	if (s == 503)
		assert_error(&r, 503, "store_unavailable");
	reply_free(&r);
	return s;
}

static void store_down_then_back(void **state)
{
	(void)state;
	assert_non_null(getenv("CRENEAU_TEST_PG_DIR"));
	assert_int_equal(healthz_status(), 200);

	assert_int_equal(pg_ctl("stop"), 0);
	usleep(1100 * 1000); /* /healthz asks the store at most once a second */
	assert_int_equal(healthz_status(), 503);

	struct reply r;
	http_call(&H, "GET", "/livez", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	reply_free(&r);

	assert_int_equal(pg_ctl("start"), 0);
	long s = 0;
	for (int i = 0; i < 20 && s != 200; i++) {
		usleep(500 * 1000);
		s = healthz_status();
	}
	assert_int_equal(s, 200);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(store_down_then_back),
	};
	return cmocka_run_group_tests_name("api/pg-store-down", tests, harness_setup, harness_teardown);
}
