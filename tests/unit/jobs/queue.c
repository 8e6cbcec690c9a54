/* tests/unit/jobs/queue.c — the job queue on both stores: enqueue in the caller's
 * transaction, unique keys, claim and lease expiry, backoff and dead jobs, order, the
 * worker threads never running a job twice, metrics. */
#include "unit/jobs/jobstore.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#define COUNT_JOBS 120

static atomic_int runs[COUNT_JOBS];
static char order[16][32];
static int norder;

static enum job_result job_noop(db *d, const struct job *j, struct err *e)
{
	(void)d, (void)j, (void)e;
	return JOB_DONE;
}

static enum job_result job_flaky(db *d, const struct job *j, struct err *e)
{
	(void)d, (void)j;
	err_set(e, 503, "flaky", NULL, "flaky peer");
	return JOB_RETRY;
}

static enum job_result job_broken(db *d, const struct job *j, struct err *e)
{
	(void)d, (void)j;
	err_set(e, 500, "broken", NULL, "cannot ever work");
	return JOB_FAILED;
}

static enum job_result job_record(db *d, const struct job *j, struct err *e)
{
	(void)d, (void)e;
	if (norder < 16)
		snprintf(order[norder++], sizeof(order[0]), "%s", j->unique_key);
	return JOB_DONE;
}

static enum job_result job_count(db *d, const struct job *j, struct err *e)
{
	(void)d, (void)e;
	json_int_t i = json_integer_value(json_object_get(j->payload, "i"));
	if (i >= 0 && i < COUNT_JOBS)
		atomic_fetch_add(&runs[i], 1);
	struct timespec ts = {0, 2 * 1000000L}; /* long enough for threads to overlap */
	nanosleep(&ts, NULL);
	return JOB_DONE;
}

static int64_t count_jobs(db *d)
{
	return q_int(d, "SELECT COUNT(*) FROM jobs", INT64_MIN);
}

static void test_enqueue_follows_the_transaction(void **state)
{
	struct store *s = *state;
	struct err e = {0};
	struct job_spec js = {.kind = "test.noop", .unique_key = "k1", .run_at = 1000};

	db_conn *c = begin_tx(s->d);
	assert_int_equal(jobs_enqueue(c, &js, &e), 1);
	db_rollback(c);
	db_release(c);
	assert_int_equal(count_jobs(s->d), 0);

	c = begin_tx(s->d);
	assert_int_equal(jobs_enqueue(c, &js, &e), 1);
	commit_tx(c);
	assert_int_equal(count_jobs(s->d), 1);
	char st[32];
	job_text(s->d, "k1", "state", st, sizeof(st));
	assert_string_equal(st, "queued");
	assert_int_equal(job_int(s->d, "k1", "run_at"), 1000);

	/* outside a transaction: refused, nothing written */
	must(db_acquire(s->d, &c, &e), &e);
	js.unique_key = "k2";
	assert_true(jobs_enqueue(c, &js, &e) < 0);
	assert_int_equal(e.status, 500);
	db_release(c);
	assert_int_equal(count_jobs(s->d), 1);
}

static void test_duplicate_unique_key_is_a_no_op(void **state)
{
	struct store *s = *state;
	struct err e = {0};
	json_t *p1 = json_pack("{s:i}", "v", 1), *p2 = json_pack("{s:i}", "v", 2);
	struct job_spec js = {.kind = "test.noop", .unique_key = "dup", .run_at = 1000, .payload = p1};
	db_conn *c = begin_tx(s->d);
	assert_int_equal(jobs_enqueue(c, &js, &e), 1);
	js.payload = p2;
	js.run_at = 5;
	assert_int_equal(jobs_enqueue(c, &js, &e), 0); /* same transaction */
	commit_tx(c);
	c = begin_tx(s->d);
	assert_int_equal(jobs_enqueue(c, &js, &e), 0); /* later transaction */
	commit_tx(c);
	assert_int_equal(count_jobs(s->d), 1);
	char payload[64];
	job_text(s->d, "dup", "payload", payload, sizeof(payload));
	assert_string_equal(payload, "{\"v\":1}"); /* the first one stays */
	assert_int_equal(job_int(s->d, "dup", "run_at"), 1000);
	json_decref(p1);
	json_decref(p2);

	/* bad specs are refused before the store */
	c = begin_tx(s->d);
	struct job_spec bad = {.kind = "", .unique_key = "x"};
	assert_int_equal(jobs_enqueue(c, &bad, &e), -1);
	assert_int_equal(e.status, 400);
	json_t *arr = json_array();
	struct job_spec bad2 = {.kind = "test.noop", .unique_key = "x", .payload = arr};
	assert_int_equal(jobs_enqueue(c, &bad2, &e), -1);
	assert_string_equal(e.field, "payload");
	json_decref(arr);
	db_rollback(c);
	db_release(c);
}

static void test_claim_lease_expiry_and_reclaim(void **state)
{
	struct store *s = *state;
	struct err e = {0};
	enqueue_one(s->d, "test.lease60", "lease", 1000, 5, NULL);

	struct jobs_claimed a, b;
	assert_int_equal(jobs_claim(s->d, 999, &a, &e), 0); /* not due yet */
	assert_int_equal(jobs_claim(s->d, 1000, &a, &e), 1);
	assert_string_equal(a.job.kind, "test.lease60");
	assert_int_equal(a.job.attempts, 1);
	assert_int_equal(a.lease_until, 1060);
	assert_int_equal(job_int(s->d, "lease", "lease_until"), 1060);
	char st[32];
	job_text(s->d, "lease", "state", st, sizeof(st));
	assert_string_equal(st, "running");

	assert_int_equal(jobs_claim(s->d, 1059, &b, &e), 0); /* leased */
	assert_int_equal(jobs_claim(s->d, 1060, &b, &e), 1); /* lease expired: claimable again */
	assert_int_equal(b.job.id, a.job.id);
	assert_int_equal(b.job.attempts, 2);
	assert_string_not_equal(a.owner, b.owner);

	/* the first worker comes back late: its result is not written */
	assert_int_equal(jobs_finish(s->d, &a, JOB_FAILED, "late", 1070, &e), 0);
	job_text(s->d, "lease", "state", st, sizeof(st));
	assert_string_equal(st, "running");
	assert_int_equal(jobs_finish(s->d, &b, JOB_DONE, NULL, 1070, &e), 1);
	job_text(s->d, "lease", "state", st, sizeof(st));
	assert_string_equal(st, "done");
	jobs_claimed_release(&a);
	jobs_claimed_release(&b);
	assert_int_equal(jobs_claim(s->d, 100000, &b, &e), 0); /* done is never claimed again */
}

static void test_expired_last_attempt_goes_dead(void **state)
{
	struct store *s = *state;
	struct err e = {0};
	enqueue_one(s->d, "test.lease60", "crashy", 1000, 2, NULL);
	struct jobs_claimed cl;
	assert_int_equal(jobs_claim(s->d, 1000, &cl, &e), 1); /* worker dies */
	jobs_claimed_release(&cl);
	assert_int_equal(jobs_claim(s->d, 1060, &cl, &e), 1); /* and again */
	jobs_claimed_release(&cl);
	assert_int_equal(jobs_run_due(s->d, 1120, 10, &e), 1); /* third claim: over max_attempts */
	char st[32], err[128];
	job_text(s->d, "crashy", "state", st, sizeof(st));
	job_text(s->d, "crashy", "last_error", err, sizeof(err));
	assert_string_equal(st, "dead");
	assert_non_null(strstr(err, "lease expired"));
}

static void test_backoff_then_dead_after_max_attempts(void **state)
{
	struct store *s = *state;
	struct err e = {0};
	enqueue_one(s->d, "test.flaky", "flaky", 1000, 3, NULL);

	assert_int_equal(jobs_run_due(s->d, 1000, 10, &e), 1);
	char st[32], err[128];
	job_text(s->d, "flaky", "state", st, sizeof(st));
	job_text(s->d, "flaky", "last_error", err, sizeof(err));
	assert_string_equal(st, "queued");
	assert_string_equal(err, "flaky peer");
	assert_int_equal(job_int(s->d, "flaky", "attempts"), 1);
	int64_t r1 = job_int(s->d, "flaky", "run_at");
	assert_in_range(r1, 1000 + 24, 1000 + 36); /* 30 s +/- 20 % */
	assert_int_equal(jobs_run_due(s->d, r1 - 1, 10, &e), 0);

	assert_int_equal(jobs_run_due(s->d, r1, 10, &e), 1);
	int64_t r2 = job_int(s->d, "flaky", "run_at");
	assert_in_range(r2, r1 + 48, r1 + 72); /* 60 s +/- 20 % */

	assert_int_equal(jobs_run_due(s->d, r2, 10, &e), 1);
	job_text(s->d, "flaky", "state", st, sizeof(st));
	assert_string_equal(st, "dead");
	assert_int_equal(job_int(s->d, "flaky", "attempts"), 3);
	assert_int_equal(jobs_run_due(s->d, r2 + 1000000, 10, &e), 0);

	/* a permanent failure is dead at once */
	enqueue_one(s->d, "test.broken", "broken", 1000, 5, NULL);
	assert_int_equal(jobs_run_due(s->d, 2000, 10, &e), 1);
	job_text(s->d, "broken", "state", st, sizeof(st));
	job_text(s->d, "broken", "last_error", err, sizeof(err));
	assert_string_equal(st, "dead");
	assert_string_equal(err, "cannot ever work");
	assert_int_equal(job_int(s->d, "broken", "attempts"), 1);

	/* a kind nobody registered waits for a worker that knows it */
	enqueue_one(s->d, "test.unknown", "unknown", 1000, 5, NULL);
	assert_int_equal(jobs_run_due(s->d, 2000, 10, &e), 1);
	job_text(s->d, "unknown", "state", st, sizeof(st));
	job_text(s->d, "unknown", "last_error", err, sizeof(err));
	assert_string_equal(st, "queued");
	assert_non_null(strstr(err, "test.unknown"));
}

static void test_backoff_grows_and_is_capped(void **state)
{
	(void)state;
	for (int k = 0; k < 200; k++) {
		assert_in_range(jobs_backoff_s(1), 24, 36);
		assert_in_range(jobs_backoff_s(4), 192, 288);
		assert_in_range(jobs_backoff_s(11), 17280, 25920); /* 30 x 1024 > 6 h: capped */
		assert_in_range(jobs_backoff_s(1000), 17280, 25920);
	}
	int64_t lo = 1 << 30, hi = 0;
	for (int k = 0; k < 500; k++) {
		int64_t v = jobs_backoff_s(3);
		lo = v < lo ? v : lo;
		hi = v > hi ? v : hi;
	}
	assert_true(hi - lo > 10); /* jittered, not a constant */
}

static void test_due_jobs_run_earliest_first(void **state)
{
	struct store *s = *state;
	struct err e = {0};
	norder = 0;
	enqueue_one(s->d, "test.record", "third", 300, 0, NULL);
	enqueue_one(s->d, "test.record", "first", 100, 0, NULL);
	enqueue_one(s->d, "test.record", "second", 200, 0, NULL);
	enqueue_one(s->d, "test.record", "later", 5000, 0, NULL);
	assert_int_equal(jobs_run_due(s->d, 1000, 2, &e), 2); /* max respected */
	assert_int_equal(jobs_run_due(s->d, 1000, 10, &e), 1);
	assert_int_equal(norder, 3);
	assert_string_equal(order[0], "first");
	assert_string_equal(order[1], "second");
	assert_string_equal(order[2], "third");

	char *m = jobs_metrics_text(s->d);
	assert_non_null(m);
	assert_non_null(strstr(m, "creneau_jobs{state=\"done\"} 3\n"));
	assert_non_null(strstr(m, "creneau_jobs{state=\"queued\"} 1\n"));
	assert_non_null(strstr(m, "creneau_jobs{state=\"dead\"} 0\n"));
	free(m);
}

static void test_worker_threads_never_run_a_job_twice(void **state)
{
	struct store *s = *state;
	struct err e = {0};
	for (int i = 0; i < COUNT_JOBS; i++)
		atomic_store(&runs[i], 0);
	db_conn *c = begin_tx(s->d);
	for (int i = 0; i < COUNT_JOBS; i++) {
		char key[32];
		snprintf(key, sizeof(key), "count:%d", i);
		json_t *p = json_pack("{s:i}", "i", i);
		struct job_spec js = {.kind = "test.count", .unique_key = key, .payload = p, .run_at = 1};
		assert_int_equal(jobs_enqueue(c, &js, &e), 1);
		json_decref(p);
	}
	commit_tx(c);

	struct jobs_worker *w1, *w2;
	must(jobs_worker_start(s->d, 3, &w1, &e), &e);
	must(jobs_worker_start(s->d, 3, &w2, &e), &e);
	jobs_wake();
	int64_t deadline = clock_mono_ms() + 60000;
	while (q_int(s->d, "SELECT COUNT(*) FROM jobs WHERE state = 'done'", INT64_MIN) < COUNT_JOBS &&
	       clock_mono_ms() < deadline) {
		struct timespec ts = {0, 20 * 1000000L};
		nanosleep(&ts, NULL);
	}
	jobs_worker_stop(w1);
	jobs_worker_stop(w2);
	assert_int_equal(q_int(s->d, "SELECT COUNT(*) FROM jobs WHERE state = 'done'", INT64_MIN),
			 COUNT_JOBS);
	for (int i = 0; i < COUNT_JOBS; i++)
		if (atomic_load(&runs[i]) != 1)
			fail_msg("job %d ran %d times", i, atomic_load(&runs[i]));
	assert_int_equal(q_int(s->d, "SELECT MAX(attempts) FROM jobs", INT64_MIN), 1);
}

static void test_worker_stops_promptly_when_idle(void **state)
{
	struct store *s = *state;
	struct err e = {0};
	struct jobs_worker *w;
	assert_int_equal(jobs_worker_start(s->d, 0, &w, &e), -1);
	must(jobs_worker_start(s->d, 2, &w, &e), &e);
	int64_t t0 = clock_mono_ms();
	jobs_worker_stop(w);
	assert_true(clock_mono_ms() - t0 < 1500);
}

int main(void)
{
	jobs_register("test.noop", job_noop, 0);
	jobs_register("test.lease60", job_noop, 60);
	jobs_register("test.flaky", job_flaky, 0);
	jobs_register("test.broken", job_broken, 0);
	jobs_register("test.record", job_record, 0);
	jobs_register("test.count", job_count, 30);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_enqueue_follows_the_transaction, setup_migrated,
						teardown_store),
		cmocka_unit_test_setup_teardown(test_duplicate_unique_key_is_a_no_op, setup_migrated,
						teardown_store),
		cmocka_unit_test_setup_teardown(test_claim_lease_expiry_and_reclaim, setup_migrated,
						teardown_store),
		cmocka_unit_test_setup_teardown(test_expired_last_attempt_goes_dead, setup_migrated,
						teardown_store),
		cmocka_unit_test_setup_teardown(test_backoff_then_dead_after_max_attempts, setup_migrated,
						teardown_store),
		cmocka_unit_test(test_backoff_grows_and_is_capped),
		cmocka_unit_test_setup_teardown(test_due_jobs_run_earliest_first, setup_migrated,
						teardown_store),
		cmocka_unit_test_setup_teardown(test_worker_threads_never_run_a_job_twice, setup_migrated,
						teardown_store),
		cmocka_unit_test_setup_teardown(test_worker_stops_promptly_when_idle, setup_migrated,
						teardown_store),
	};
	return RUN_ON_STORES("jobs queue", tests);
}
