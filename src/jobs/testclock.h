/* testclock — the clock of test mode, kept in the store (table test_clock, one row) so every
 * server and worker process of a test shares it. Moving it is forward only: setting or
 * advancing to an earlier instant fails with 409 `clock_backwards`; an instant outside
 * 0..253402300799 (year 9999) fails with 400 `invalid_field`. Never enable it in production:
 * the app refuses test mode unless explicitly asked. See docs/internals/jobs.md. */
#ifndef CRENEAU_TESTCLOCK_H
#define CRENEAU_TESTCLOCK_H
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"

/* Installs the clock source: from now on every clock_now() of this process reads the store's
 * clock (real time while it was never set, or when the store cannot be read). Keeps one
 * connection of d's pool for that (taken at the first read) until testclock_disable. Call
 * before threads start. */
void testclock_enable(db *d);
/* Restores real time and gives the connection back. Call before db_close. */
void testclock_disable(void);

/* Reads the store's clock: returns 1 with *out set when it was set, 0 with *out = real time
 * when it never was, negative on error. */
int testclock_get(db *d, int64_t *out, struct err *e) WUR;
/* Sets the store's clock to t without running anything (forward only). */
int testclock_set(db *d, int64_t t, struct err *e) WUR;
/* Moves the clock to target step by step: while a job is due at or before target (earliest
 * run_at first, including jobs created or retried by the jobs it runs, and running jobs
 * whose lease expires by then), sets the clock to that instant and runs it; then sets the
 * clock to target. Returns how many jobs ran, or negative on error (the clock stays where
 * the last job ran). */
int testclock_advance_to(db *d, int64_t target, struct err *e) WUR;

#endif
