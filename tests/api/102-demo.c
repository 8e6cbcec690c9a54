/* The demo machinery: a filler per business type creates records flagged is_demo at
 * sign-up; DELETE /api/v1/demo clears exactly those, in every registered table, for the
 * caller's account only. The scheduling module registers the real fillers; here a probe table
 * stands in for them so the machinery itself is tested. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "account/demo.h"
#include "harness.h"

static int probe_filler(db_conn *c, int64_t account_id, const char *business_type, int64_t now, struct err *e)
{
	(void)now;
	for (int i = 0; i < 3; i++)
		if (db_exec(c, "INSERT INTO demo_probe (account_id, label, is_demo) VALUES ($1, $2, 1)",
			    DB_ARGS(DB_INT(account_id), DB_TEXT(business_type)), e) < 0)
			return -1;
	return 0;
}

static int setup(void **state)
{
	(void)state;
	harness_start(&H, NULL);
	struct err e = {0};
	db_conn *c;
	assert_int_equal(db_acquire(H.app->db, &c, &e), 0);
	assert_true(db_exec(c,
			    "CREATE TABLE demo_probe (account_id BIGINT NOT NULL, label TEXT NOT NULL,"
			    " is_demo BIGINT NOT NULL)",
			    DB_NOARGS, &e) >= 0);
	db_release(c);
	demo_reset_registrations(); /* only the probe: the machinery, not the real fillers */
	demo_register_table("demo_probe", DEMO_RANK_DETAILS);
	demo_register_filler(probe_filler);
	return 0;
}

static int64_t rows(const char *account_public_id, int is_demo)
{
	struct err e = {0};
	db_conn *c;
	int64_t n = -1;
	assert_int_equal(db_acquire(H.app->db, &c, &e), 0);
	assert_int_equal(
		db_query_int(c,
			     "SELECT count(*) FROM demo_probe p JOIN accounts a ON a.id = p.account_id"
			     " WHERE a.public_id = $1 AND p.is_demo = $2",
			     DB_ARGS(DB_TEXT(account_public_id), DB_INT(is_demo)), &n, &e),
		1);
	db_release(c);
	return n;
}

static void clearing_removes_only_the_callers_demo_rows(void **state)
{
	(void)state;
	struct session a, b;
	harness_signup(&H, "Salon A", "a@demo-test.example", NULL, &a);
	harness_signup(&H, "Salon B", "b@demo-test.example", NULL, &b);
	assert_int_equal(rows(a.account_id, 1), 3);
	assert_int_equal(rows(b.account_id, 1), 3);

	/* a real record of A's, which clearing must keep */
	struct err e = {0};
	db_conn *c;
	assert_int_equal(db_acquire(H.app->db, &c, &e), 0);
	assert_true(db_exec(c,
			    "INSERT INTO demo_probe (account_id, label, is_demo) SELECT id, 'real', 0 FROM"
			    " accounts WHERE public_id = $1",
			    DB_ARGS(DB_TEXT(a.account_id)), &e) == 1);
	db_release(c);

	struct reply r;
	session_call(&H, &a, "GET", "/api/v1/me", NULL, &r);
	assert_true(json_is_true(json_object_get(json_object_get(r.json, "account"), "has_demo")));
	reply_free(&r);

	session_call(&H, &a, "DELETE", "/api/v1/demo", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "deleted")), 3);
	reply_free(&r);
	assert_int_equal(rows(a.account_id, 1), 0);
	assert_int_equal(rows(a.account_id, 0), 1);
	assert_int_equal(rows(b.account_id, 1), 3);

	session_call(&H, &a, "GET", "/api/v1/me", NULL, &r);
	assert_true(json_is_false(json_object_get(json_object_get(r.json, "account"), "has_demo")));
	reply_free(&r);

	/* clearing again is harmless */
	session_call(&H, &a, "DELETE", "/api/v1/demo", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "deleted")), 0);
	reply_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(clearing_removes_only_the_callers_demo_rows),
	};
	return cmocka_run_group_tests_name("api/demo", tests, setup, harness_teardown);
}
