/* jobs_int.h — the queue's own declarations, shared by jobs.c, worker.c, testclock.c and
 * the unit tests. Not for other modules. */
#ifndef CRENEAU_JOBS_INT_H
#define CRENEAU_JOBS_INT_H
#include "jobs/jobs.h"

#define JOBS_OWNER_MAX 48

/* A claimed row. Owns its strings and payload; jobs_claimed_release frees them. */
struct jobs_claimed {
	struct job job;
	char owner[JOBS_OWNER_MAX]; /* the lease owner this claim wrote */
	int64_t lease_until;
	char *kind, *unique_key;
	json_t *payload;
};

/* Claims the earliest due job at `now` (queued and due, or running with an expired lease),
 * taking a lease under a fresh owner id. Returns 1 with *out filled (the caller releases
 * it with jobs_claimed_release before reusing it), 0 when none is due, negative on error. */
int jobs_claim(db *d, int64_t now, struct jobs_claimed *out, struct err *e) WUR;
void jobs_claimed_release(struct jobs_claimed *cl);

/* Records the result of a claimed run at `now`. Only the lease owner's result is written:
 * returns 1 when written, 0 when the lease was lost to another worker, negative on error. */
int jobs_finish(db *d, const struct jobs_claimed *cl, enum job_result r, const char *error, int64_t now,
		struct err *e) WUR;

/* Runs one claimed job's function (or fails it when its kind is unknown) and records the
 * result. Returns 0, or negative when the result could not be recorded. */
int jobs_run_claimed(db *d, struct jobs_claimed *cl, struct err *e) WUR;

/* Seconds to wait before the next attempt after `attempts` runs: 30 x 2^(attempts-1),
 * capped at 6 h, with +/-20 % jitter. */
int64_t jobs_backoff_s(int attempts);

/* The registered lease for a kind, JOBS_DEFAULT_LEASE_S when unknown. */
int jobs_lease_for(const char *kind);

#endif
