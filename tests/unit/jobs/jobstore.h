/* jobstore.h — test helpers for the queue and notify tests: a fresh migrated store per test
 * (tests/unit/db/store.h gives SQLite and PostgreSQL), and small queries on the jobs table. */
#ifndef CRENEAU_TEST_JOBSTORE_H
#define CRENEAU_TEST_JOBSTORE_H
#include "unit/db/store.h"

#include "base/clock.h"
#include "jobs/jobs.h"
#include "jobs/jobs_int.h"
#include "jobs/testclock.h"

static inline int setup_migrated(void **state)
{
	struct store *s = store_new(NULL);
	struct err e = {0};
	must(db_migrate(s->d, &e), &e);
	*state = s;
	return 0;
}

/* Restores real time even when a test failed half-way, then drops the store. */
static inline int teardown_clock_store(void **state)
{
	testclock_disable();
	return teardown_store(state);
}

static inline db_conn *begin_tx(db *d)
{
	db_conn *c;
	struct err e = {0};
	must(db_acquire(d, &c, &e), &e);
	must(db_begin(c, &e), &e);
	return c;
}

static inline void commit_tx(db_conn *c)
{
	struct err e = {0};
	must(db_commit(c, &e), &e);
	db_release(c);
}

/* One integer from a query with one int64 parameter (or none when p is INT64_MIN). */
static inline int64_t q_int(db *d, const char *sql, int64_t p)
{
	db_conn *c;
	struct err e = {0};
	int64_t v = -1;
	must(db_acquire(d, &c, &e), &e);
	int rc = p == INT64_MIN ? db_query_int(c, sql, DB_NOARGS, &v, &e)
				: db_query_int(c, sql, DB_ARGS(DB_INT(p)), &v, &e);
	must(rc, &e);
	db_release(c);
	return rc == 1 ? v : -1;
}

/* A text column of the job with that unique key, copied into out. */
static inline void job_text(db *d, const char *key, const char *column, char *out, size_t cap)
{
	db_conn *c;
	db_rows *r;
	struct err e = {0};
	char sql[128];
	snprintf(sql, sizeof(sql), "SELECT %s FROM jobs WHERE unique_key = $1", column);
	must(db_acquire(d, &c, &e), &e);
	must(db_query(c, sql, DB_ARGS(DB_TEXT(key)), &r, &e), &e);
	assert_int_equal(db_rows_next(r, &e), 1);
	snprintf(out, cap, "%s", db_rows_text(r, 0) ? db_rows_text(r, 0) : "(null)");
	db_rows_free(r);
	db_release(c);
}

static inline int64_t job_int(db *d, const char *key, const char *column)
{
	db_conn *c;
	struct err e = {0};
	int64_t v = -1;
	char sql[128];
	snprintf(sql, sizeof(sql), "SELECT %s FROM jobs WHERE unique_key = $1", column);
	must(db_acquire(d, &c, &e), &e);
	assert_int_equal(db_query_int(c, sql, DB_ARGS(DB_TEXT(key)), &v, &e), 1);
	db_release(c);
	return v;
}

static inline void enqueue_one(db *d, const char *kind, const char *key, int64_t run_at, int max_attempts,
			       json_t *payload)
{
	db_conn *c = begin_tx(d);
	struct err e = {0};
	struct job_spec js = {.kind = kind,
			      .unique_key = key,
			      .run_at = run_at,
			      .max_attempts = max_attempts,
			      .payload = payload};
	int rc = jobs_enqueue(c, &js, &e);
	must(rc, &e);
	assert_int_equal(rc, 1);
	commit_tx(c);
	json_decref(payload);
}

#endif
