/* tests/unit/jobs/testclock.c — the store-kept test clock on both stores: set and get,
 * forward only, clock_now() reading the store, and advance_to running each due job in order
 * (including the jobs those jobs enqueue, and retries) with the clock at each job's time. */
#include "unit/jobs/jobstore.h"

#include "jobs/testclock.h"

struct seen {
	char key[32];
	int64_t clock; /* clock_now() inside the job */
	int64_t run_at;
};
static struct seen seen[32];
static int nseen;
static int flaky_left;

/* Records itself; with {"chain": n > 0} enqueues a follower 100 s later with n - 1. */
static enum job_result job_chain(db *d, const struct job *j, struct err *e)
{
	if (nseen < 32) {
		snprintf(seen[nseen].key, sizeof(seen[0].key), "%s", j->unique_key);
		seen[nseen].clock = clock_now();
		seen[nseen].run_at = j->run_at;
		nseen++;
	}
	json_int_t n = json_integer_value(json_object_get(j->payload, "chain"));
	if (n <= 0)
		return JOB_DONE;
	char key[32];
	snprintf(key, sizeof(key), "%s+", j->unique_key);
	json_t *p = json_pack("{s:I}", "chain", n - 1);
	struct job_spec js = {
		.kind = "test.chain", .unique_key = key, .payload = p, .run_at = clock_now() + 100};
	db_conn *c;
	int rc = db_acquire(d, &c, e);
	if (rc == 0) {
		rc = db_begin(c, e);
		if (rc == 0)
			rc = jobs_enqueue(c, &js, e) < 0 || db_commit(c, e) ? -1 : 0;
		db_release(c);
	}
	json_decref(p);
	return rc ? JOB_RETRY : JOB_DONE;
}

static enum job_result job_flaky_once(db *d, const struct job *j, struct err *e)
{
	(void)d;
	if (nseen < 32) {
		snprintf(seen[nseen].key, sizeof(seen[0].key), "%s", j->unique_key);
		seen[nseen].clock = clock_now();
		nseen++;
	}
	if (flaky_left-- > 0) {
		err_set(e, 503, "down", NULL, "peer down");
		return JOB_RETRY;
	}
	return JOB_DONE;
}

static void test_set_get_forward_only(void **state)
{
	struct store *s = *state;
	struct err e = {0};
	int64_t t;
	assert_int_equal(testclock_get(s->d, &t, &e), 0); /* never set: real time */
	assert_true(t > 1700000000);
	must(testclock_set(s->d, 2000000000, &e), &e);
	assert_int_equal(testclock_get(s->d, &t, &e), 1);
	assert_int_equal(t, 2000000000);
	must(testclock_set(s->d, 2000000000, &e), &e); /* same instant: fine */

	assert_int_equal(testclock_set(s->d, 1999999999, &e), -1);
	assert_int_equal(e.status, 409);
	assert_string_equal(e.code, "clock_backwards");
	assert_int_equal(testclock_advance_to(s->d, 1000, &e), -1);
	assert_int_equal(e.status, 409);
	assert_int_equal(testclock_set(s->d, -5, &e), -1);
	assert_int_equal(e.status, 400);
	assert_int_equal(testclock_get(s->d, &t, &e), 1);
	assert_int_equal(t, 2000000000);
}

static void test_clock_now_reads_the_store(void **state)
{
	struct store *s = *state;
	struct err e = {0};
	must(testclock_set(s->d, 2100000000, &e), &e);
	testclock_enable(s->d);
	assert_int_equal(clock_now(), 2100000000);
	/* another process moving the store's clock is seen at once: a second handle on it */
	db *other;
	must(db_open(s->url, NULL, &other, &e), &e);
	must(testclock_set(other, 2100000500, &e), &e);
	db_close(other);
	assert_int_equal(clock_now(), 2100000500);
	testclock_disable();
	assert_true(clock_now() < 2100000000);
}

static void test_advance_runs_due_jobs_in_order(void **state)
{
	struct store *s = *state;
	struct err e = {0};
	nseen = 0;
	must(testclock_set(s->d, 1000000, &e), &e);
	testclock_enable(s->d);
	enqueue_one(s->d, "test.chain", "A", 1000100, 0, json_pack("{s:i}", "chain", 2));
	enqueue_one(s->d, "test.chain", "B", 1000150, 0, NULL);
	enqueue_one(s->d, "test.chain", "late", 1000500, 0, NULL);

	int ran = testclock_advance_to(s->d, 1000400, &e);
	must(ran, &e);
	assert_int_equal(ran, 4);
	assert_int_equal(nseen, 4);
	/* A at 100, B at 150, A+ (made by A) at 200, A++ (made by A+) at 300 */
	const char *keys[] = {"A", "B", "A+", "A++"};
	const int64_t at[] = {1000100, 1000150, 1000200, 1000300};
	for (int i = 0; i < 4; i++) {
		assert_string_equal(seen[i].key, keys[i]);
		assert_int_equal(seen[i].clock, at[i]); /* the clock stood at the job's time */
		assert_int_equal(seen[i].run_at, at[i]);
	}
	assert_int_equal(clock_now(), 1000400);
	int64_t t;
	assert_int_equal(testclock_get(s->d, &t, &e), 1);
	assert_int_equal(t, 1000400);
	char st[32];
	job_text(s->d, "late", "state", st, sizeof(st));
	assert_string_equal(st, "queued"); /* not due yet */

	assert_int_equal(testclock_advance_to(s->d, 1000400, &e), 0); /* nothing due: no-op */
	assert_int_equal(testclock_advance_to(s->d, 1000600, &e), 1);
	assert_string_equal(seen[4].key, "late");
	testclock_disable();
}

static void test_advance_runs_retries_when_they_fall_due(void **state)
{
	struct store *s = *state;
	struct err e = {0};
	nseen = 0;
	flaky_left = 2;
	must(testclock_set(s->d, 5000000, &e), &e);
	testclock_enable(s->d);
	enqueue_one(s->d, "test.flaky_once", "F", 5000010, 5, NULL);
	assert_int_equal(testclock_advance_to(s->d, 5000020, &e), 1); /* failed once, retry ~30 s on */
	char st[32];
	job_text(s->d, "F", "state", st, sizeof(st));
	assert_string_equal(st, "queued");
	int ran = testclock_advance_to(s->d, 5003600, &e);
	must(ran, &e);
	assert_int_equal(ran, 2); /* the retry fails once more, then succeeds */
	job_text(s->d, "F", "state", st, sizeof(st));
	assert_string_equal(st, "done");
	assert_int_equal(nseen, 3);
	assert_in_range(seen[1].clock, 5000010 + 24, 5000010 + 36);
	assert_in_range(seen[2].clock, seen[1].clock + 48, seen[1].clock + 72);
	testclock_disable();
}

int main(void)
{
	jobs_register("test.chain", job_chain, 0);
	jobs_register("test.flaky_once", job_flaky_once, 0);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_set_get_forward_only, setup_migrated,
						teardown_clock_store),
		cmocka_unit_test_setup_teardown(test_clock_now_reads_the_store, setup_migrated,
						teardown_clock_store),
		cmocka_unit_test_setup_teardown(test_advance_runs_due_jobs_in_order, setup_migrated,
						teardown_clock_store),
		cmocka_unit_test_setup_teardown(test_advance_runs_retries_when_they_fall_due, setup_migrated,
						teardown_clock_store),
	};
	return RUN_ON_STORES("test clock", tests);
}
