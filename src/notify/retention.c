/* retention — the daily purge of message data (PRODUCT.md "Retention"; see reminders.h):
 * outbox bodies and variables after 3 months, outbox and reminder rows after 12, done jobs
 * after 30 days. Each step deletes in chunks, one short transaction per chunk, so a large
 * backlog never holds SQLite's writer for long. */
#include <inttypes.h>
#include <stdio.h>

#include "base/log.h"
#include "jobs/jobs.h"
#include "notify/reminders.h"
#include "base/banned.h"

#define DAY_S		 86400
#define BODY_KEEP_S	 (90 * DAY_S)  /* 3 months */
#define ROW_KEEP_S	 (365 * DAY_S) /* 12 months */
#define DONE_JOB_KEEP_S	 (30 * DAY_S)
#define CHUNK		 2000
#define RETENTION_KIND	 "notify.retention"
#define RETENTION_HOUR_S (3 * 3600 + 30 * 60) /* 03:30 UTC */

/* Messages still queued keep everything: their send job needs the variables. */
static const char *const steps[4] = {
	"UPDATE outbox SET body = NULL, vars = '{}' WHERE id IN (SELECT id FROM outbox WHERE created_at < $1 "
	"AND state <> 'queued' AND (body IS NOT NULL OR vars <> '{}') LIMIT $2)",
	"DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE created_at < $1 AND state <> 'queued' "
	"LIMIT $2)",
	"DELETE FROM reminders WHERE id IN (SELECT id FROM reminders WHERE updated_at < $1 AND state <> "
	"'pending' LIMIT $2)",
	"DELETE FROM jobs WHERE id IN (SELECT id FROM jobs WHERE state = 'done' AND updated_at < $1 LIMIT "
	"$2)",
};

struct step_ctx {
	const char *sql;
	int64_t before;
	int changed;
};

static int step_tx(db_conn *c, void *ctx, struct err *e)
{
	struct step_ctx *s = ctx;
	int n = db_exec(c, s->sql, DB_ARGS(DB_INT(s->before), DB_INT(CHUNK)), e);
	if (n < 0)
		return -1;
	s->changed = n;
	return 0;
}

int retention_run(db *d, int64_t now, int64_t counts[4], struct err *e)
{
	const int64_t keep[4] = {BODY_KEEP_S, ROW_KEEP_S, ROW_KEEP_S, DONE_JOB_KEEP_S};
	for (int i = 0; i < 4; i++) {
		struct step_ctx s = {.sql = steps[i], .before = now - keep[i]};
		if (db_transact_batches(d, step_tx, &s, &s.changed, CHUNK, counts ? &counts[i] : NULL, e))
			return -1;
	}
	return 0;
}

static int enqueue_next(db_conn *c, void *ctx, struct err *e)
{
	int64_t at = *(int64_t *)ctx;
	int64_t day = at / DAY_S, run_at = day * DAY_S + RETENTION_HOUR_S;
	if (run_at < at)
		run_at += DAY_S, day++;
	char key[64];
	snprintf(key, sizeof(key), RETENTION_KIND ":%" PRId64, day);
	struct job_spec s = {.kind = RETENTION_KIND, .unique_key = key, .run_at = run_at};
	return jobs_enqueue(c, &s, e) < 0 ? -1 : 0;
}

static enum job_result retention_job(db *d, const struct job *j, struct err *e)
{
	int64_t counts[4];
	if (retention_run(d, j->now, counts, e))
		return JOB_RETRY;
	int64_t next = j->now + 1;
	if (db_transact(d, enqueue_next, &next, e))
		return JOB_RETRY;
	log_info("msg=\"notify retention\" bodies_emptied=%" PRId64 " outbox_deleted=%" PRId64
		 " reminders_deleted=%" PRId64 " jobs_deleted=%" PRId64,
		 counts[0], counts[1], counts[2], counts[3]);
	return JOB_DONE;
}

void retention_register(void)
{
	jobs_register(RETENTION_KIND, retention_job, 1800);
}

int retention_schedule(db *d, int64_t now, struct err *e)
{
	return db_transact(d, enqueue_next, &now, e);
}
