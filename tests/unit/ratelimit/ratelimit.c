/* Rate-limit counters: in memory on SQLite, in an UNLOGGED table on PostgreSQL (when
 * CRENEAU_TEST_PG_URL is set); both must count the same way. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ratelimit/ratelimit.h"
#include "support/testdb.h"

struct store {
	const char *label;
	struct testdb t;
};

static void open_store(struct store *s, db **d)
{
	struct err e = {0};
	if (db_open(s->t.url, NULL, d, &e) || db_migrate(*d, &e)) {
		fprintf(stderr, "%s: %s\n", s->label, e.message);
		fail();
	}
}

static void counts_within_a_window(struct store *s)
{
	db *d;
	open_store(s, &d);
	struct ratelimit *rl = ratelimit_new(d);
	struct err e = {0};
	int retry = 0;
	const int64_t t = 1800000000; /* a multiple of 60 */
	char key[64];
	snprintf(key, sizeof(key), "login:%s:%d", s->label, getpid());
	for (int i = 0; i < 3; i++)
		assert_int_equal(ratelimit_hit(rl, key, 3, 60, t + 10, &retry, &e), 0);
	assert_int_equal(ratelimit_hit(rl, key, 3, 60, t + 15, &retry, &e), 1);
	assert_int_equal(retry, 45);
	/* another key is counted apart */
	assert_int_equal(ratelimit_hit(rl, "contact:198.51.100.1", 3, 60, t + 15, &retry, &e), 0);
	/* the next window starts afresh */
	assert_int_equal(ratelimit_hit(rl, key, 3, 60, t + 60, &retry, &e), 0);
	ratelimit_free(rl);
	db_close(d);
}

static void many_keys_stay_bounded(struct store *s)
{
	db *d;
	open_store(s, &d);
	struct ratelimit *rl = ratelimit_new(d);
	struct err e = {0};
	int n = db_kind(d) == DB_PG ? 2000 : 200000;
	char key[RATELIMIT_KEY_MAX + 50];
	for (int i = 0; i < n; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		assert_int_equal(ratelimit_hit(rl, key, 1, 60, 1800000000, NULL, &e), 0);
	}
	/* a key longer than the cap is cut, not refused */
	memset(key, 'x', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	assert_int_equal(ratelimit_hit(rl, key, 1, 60, 1800000000, NULL, &e), 0);
	assert_int_equal(ratelimit_hit(rl, key, 1, 60, 1800000000, NULL, &e), 1);
	ratelimit_free(rl);
	db_close(d);
}

static struct store stores[2];
static int nstores;

static void on_every_store(void (*fn)(struct store *))
{
	for (int i = 0; i < nstores; i++)
		fn(&stores[i]);
}

static void test_counts(void **state)
{
	(void)state;
	on_every_store(counts_within_a_window);
}

static void test_bounded(void **state)
{
	(void)state;
	on_every_store(many_keys_stay_bounded);
}

int main(void)
{
	/* both stores, always: without CRENEAU_TEST_PG_URL testdb_create fails the run */
	stores[nstores++].label = "sqlite";
	stores[nstores++].label = "pg";
	for (int i = 0; i < nstores; i++)
		if (testdb_create(&stores[i].t, stores[i].label))
			return 1;
	printf("ratelimit: stores: sqlite postgresql\n");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_bounded),
	};
	int rc = cmocka_run_group_tests_name("unit/ratelimit", tests, NULL, NULL);
	for (int i = 0; i < nstores; i++)
		testdb_destroy(&stores[i].t);
	return rc;
}
