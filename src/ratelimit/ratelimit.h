/* ratelimit — fixed-window request counters keyed by a string ("login:203.0.113.7").
 * Nothing that happens on every request may write to the store (ARCHITECTURE.md), so on
 * SQLite — one process — the counters live in memory; on PostgreSQL, where several servers
 * share the traffic, they live in an UNLOGGED table (no WAL, lost on a crash, which is fine
 * for counters). The struct owns its memory; the db is borrowed and must outlive it. */
#ifndef CRENEAU_RATELIMIT_H
#define CRENEAU_RATELIMIT_H
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"

struct ratelimit;

/* Counters for store d: in memory when d is SQLite, in the store when PostgreSQL. */
struct ratelimit *ratelimit_new(db *d);
void ratelimit_free(struct ratelimit *rl);

/* Counts one hit of `key` in the window of `window_s` seconds that contains `now`.
 * Returns 0 when the hit is within `limit`, 1 when over it (then *retry_after, if not NULL,
 * gets the seconds until the window ends), negative when the store failed (callers let
 * the request through: a limiter must not turn a store hiccup into an outage). Keys longer
 * than RATELIMIT_KEY_MAX bytes are cut. */
#define RATELIMIT_KEY_MAX 200
int ratelimit_hit(struct ratelimit *rl, const char *key, int limit, int window_s, int64_t now,
		  int *retry_after, struct err *e) WUR;

#endif
