/* testclock — the store-kept clock of test mode (see testclock.h). */
#include "jobs/testclock.h"

#include <inttypes.h>
#include <pthread.h>
#include <time.h>

#include "base/clock.h"
#include "base/log.h"
#include "jobs/jobs.h"
#include "base/banned.h"

#define TESTCLOCK_MAX	  INT64_C(253402300799) /* 9999-12-31T23:59:59Z */
#define ADVANCE_STEPS_MAX 100000

/* The source reads on a connection of its own, kept from enable to disable, so clock_now()
 * never waits on the pool (a caller may hold every other connection). */
static pthread_mutex_t source_lock = PTHREAD_MUTEX_INITIALIZER;
static db *source_db;
static db_conn *source_conn;

static const char *const read_sql = "SELECT instant FROM test_clock WHERE id = 1";

static int64_t store_source(void *ctx)
{
	(void)ctx;
	int64_t t = -1;
	struct err e;
	err_clear(&e);
	pthread_mutex_lock(&source_lock);
	if (!source_conn && source_db && db_acquire(source_db, &source_conn, &e) < 0)
		source_conn = NULL;
	if (source_conn) {
		int64_t v;
		int rc = db_query_int(source_conn, read_sql, DB_NOARGS, &v, &e);
		if (rc == 1)
			t = v;
		else if (rc < 0) {
			db_release(source_conn); /* reconnect on the next read */
			source_conn = NULL;
		}
	}
	pthread_mutex_unlock(&source_lock);
	if (err_isset(&e))
		log_warn("event=testclock_read_failed fallback=real_time error=\"%s\"", e.message);
	return t;
}

void testclock_enable(db *d)
{
	struct err e;
	err_clear(&e);
	pthread_mutex_lock(&source_lock);
	source_db = d;
	if (!source_conn && db_acquire(d, &source_conn, &e) < 0)
		source_conn = NULL; /* the first read tries again */
	pthread_mutex_unlock(&source_lock);
	clock_set_source(store_source, NULL);
	log_warn("event=testclock_enabled note=\"clock_now reads the store\"");
}

void testclock_disable(void)
{
	clock_set_source(NULL, NULL);
	pthread_mutex_lock(&source_lock);
	db_release(source_conn);
	source_conn = NULL;
	source_db = NULL;
	pthread_mutex_unlock(&source_lock);
}

static int64_t real_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec;
}

static int read_clock(db_conn *c, int64_t *out, struct err *e)
{
	int rc = db_query_int(c, read_sql, DB_NOARGS, out, e);
	if (rc == 0)
		*out = real_now();
	return rc;
}

int testclock_get(db *d, int64_t *out, struct err *e)
{
	db_conn *c = NULL;
	int rc = db_acquire(d, &c, e);
	if (rc < 0)
		return rc;
	rc = read_clock(c, out, e);
	db_release(c);
	return rc;
}

struct set_ctx {
	int64_t t;
};

static int set_tx(db_conn *c, void *vctx, struct err *e)
{
	struct set_ctx *s = vctx;
	int64_t cur;
	int rc = db_query_int(c, read_sql, DB_NOARGS, &cur, e);
	if (rc < 0)
		return rc;
	if (rc == 1 && s->t < cur)
		return err_set(e, 409, "clock_backwards", "now",
			       "the test clock is at %" PRId64 " and only moves forward", cur);
	rc = db_exec(c,
		     "INSERT INTO test_clock (id, instant) VALUES (1, $1)"
		     " ON CONFLICT (id) DO UPDATE SET instant = excluded.instant",
		     DB_ARGS(DB_INT(s->t)), e);
	return rc < 0 ? rc : 0;
}

int testclock_set(db *d, int64_t t, struct err *e)
{
	if (t < 0 || t > TESTCLOCK_MAX)
		return err_invalid(e, "now", "instant out of range");
	struct set_ctx s = {.t = t};
	return db_transact(d, set_tx, &s, e);
}

/* The earliest instant at or before target when a job becomes claimable: 1 and *out, 0 none. */
static int next_due(db *d, int64_t target, int64_t *out, struct err *e)
{
	db_conn *c = NULL;
	int rc = db_acquire(d, &c, e);
	if (rc < 0)
		return rc;
	rc = db_query_int(
		c,
		"SELECT t FROM (SELECT run_at AS t FROM jobs WHERE state = 'queued' AND run_at <= $1"
		" UNION ALL SELECT lease_until AS t FROM jobs WHERE state = 'running'"
		" AND lease_until <= $1) AS due ORDER BY t LIMIT 1",
		DB_ARGS(DB_INT(target)), out, e);
	db_release(c);
	return rc;
}

int testclock_advance_to(db *d, int64_t target, struct err *e)
{
	if (target < 0 || target > TESTCLOCK_MAX)
		return err_invalid(e, "now", "instant out of range");
	int64_t cur;
	int rc = testclock_get(d, &cur, e);
	if (rc < 0)
		return rc;
	if (target < cur)
		return err_set(e, 409, "clock_backwards", "now",
			       "the test clock is at %" PRId64 " and only moves forward", cur);
	int ran = 0;
	for (int step = 0;; step++) {
		if (step >= ADVANCE_STEPS_MAX)
			return err_internal(e, "advancing the test clock ran over %d steps",
					    ADVANCE_STEPS_MAX);
		int64_t due;
		rc = next_due(d, target, &due, e);
		if (rc < 0)
			return rc;
		if (rc == 0)
			break;
		if (due > cur) {
			if ((rc = testclock_set(d, due, e)) < 0)
				return rc;
			cur = due;
		}
		int n = jobs_run_due(d, cur, 1, e);
		if (n < 0)
			return n;
		ran += n;
		if (n == 0) {
			/* another process's worker holds it; give it a moment */
			struct timespec ts = {0, 10 * 1000000L};
			nanosleep(&ts, NULL);
		}
	}
	rc = testclock_set(d, target, e);
	return rc < 0 ? rc : ran;
}
