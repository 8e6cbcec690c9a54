/* jobs — the one queue of background work (docs/internals/jobs.md). A job is a row of the
 * `jobs` table: a kind, a unique key that makes enqueueing idempotent, a JSON payload and
 * the instant it is due. Workers claim a due job with a lease, run the function registered
 * for its kind, and record the result; a job whose lease expired (its worker died) is
 * claimable again, so every job function must be idempotent.
 *
 * Results: JOB_DONE ends the job; JOB_RETRY (a temporary failure) queues it again after an
 * exponential backoff with jitter, 30 s x 2^(attempts-1) capped at 6 h, +/-20 %; JOB_FAILED
 * (permanent) and a retry after max_attempts make it `dead`, with its last error kept. */
#ifndef CRENEAU_JOBS_H
#define CRENEAU_JOBS_H
#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"

#define JOBS_KIND_MAX		  64	/* bytes of a kind name */
#define JOBS_KEY_MAX		  256	/* bytes of a unique key */
#define JOBS_PAYLOAD_MAX	  65536 /* bytes of a serialised payload */
#define JOBS_DEFAULT_MAX_ATTEMPTS 10
#define JOBS_DEFAULT_LEASE_S	  300

/* What to enqueue. Strings and payload are borrowed for the call. */
struct job_spec {
	const char *kind;	/* registered name, e.g. "email.send" */
	const char *unique_key; /* e.g. "outbox:42"; one job per key, ever */
	int64_t account_id;	/* 0 = not an account's job */
	const json_t *payload;	/* an object, or NULL for {} */
	int64_t run_at;		/* Unix seconds; 0 = clock_now() */
	int max_attempts;	/* 0 = JOBS_DEFAULT_MAX_ATTEMPTS */
};

/* A claimed job, as its function sees it. Everything is owned by the runner and valid
 * for the duration of the call only. */
struct job {
	int64_t id;
	const char *kind;
	const char *unique_key;
	int64_t account_id;    /* 0 when none */
	const json_t *payload; /* parsed object, never NULL */
	int attempts;	       /* this run included: 1 on the first run */
	int max_attempts;
	int64_t run_at; /* when it was due */
	int64_t now;	/* the instant it was claimed at */
};

enum job_result {
	JOB_DONE,   /* finished: never run again */
	JOB_RETRY,  /* temporary failure: run again after a backoff (dead after max_attempts) */
	JOB_FAILED, /* permanent failure: dead now */
};

/* A job function opens its own transactions on d; on JOB_RETRY / JOB_FAILED it says why
 * in *e (kept as the job's last_error). */
typedef enum job_result (*job_fn)(db *d, const struct job *j, struct err *e);

/* Enqueues a job in the caller's open transaction on c, so it exists exactly when the
 * caller's work commits. Returns 1 when created, 0 when a job with that unique key already
 * exists (nothing is created, not an error), negative on error (400 for a bad spec). */
int jobs_enqueue(db_conn *c, const struct job_spec *s, struct err *e) WUR;

/* Registers the function for a kind, with the lease a run may take (seconds; 0 = the
 * default 300). Call at start-up, before any worker starts; a second call for the same
 * kind replaces the first. At most 64 kinds. */
void jobs_register(const char *kind, job_fn fn, int lease_s);

/* Claims and runs the due jobs one by one, earliest run_at first, at instant `now`, until
 * none is due or `max` have run. Returns how many ran (whatever their result), or negative
 * when the store failed before any ran. */
int jobs_run_due(db *d, int64_t now, int max, struct err *e) WUR;

/* The worker: `threads` threads that each run due jobs at clock_now(), polling every
 * second or sooner when woken. *out receives the handle, owned by the caller until
 * jobs_worker_stop. */
struct jobs_worker;
int jobs_worker_start(db *d, int threads, struct jobs_worker **out, struct err *e) WUR;
/* Stops the threads (each finishes the job in hand), joins them and frees w. NULL is ignored. */
void jobs_worker_stop(struct jobs_worker *w);
/* Wakes every worker of this process to look for due jobs now (call after a commit that
 * enqueued urgent work). */
void jobs_wake(void);

/* Prometheus text lines `creneau_jobs{state="queued"} N` for every state; malloc'd, the
 * caller frees. NULL when the store cannot be read. */
char *jobs_metrics_text(db *d);

#endif
