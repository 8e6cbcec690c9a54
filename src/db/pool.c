/* pool.c — a fixed set of connections handed out with a bounded wait. A caller that waits
 * longer than acquire_wait_ms gets DB_POOL_TIMEOUT (503 store_busy): under overload the
 * server answers quickly instead of queueing requests without limit. */
#include "db/db_int.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "base/log.h"
#include "base/xalloc.h"
#include "base/banned.h"

int db_pool_init(db *d, struct err *e)
{
	pthread_condattr_t ca;
	if (pthread_condattr_init(&ca) || pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) ||
	    pthread_cond_init(&d->cv, &ca))
		return db_fail(e, DB_ERROR, "cannot create the pool's condition variable");
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&d->mu, NULL);
	d->conns = xcalloc((size_t)d->pool_size, sizeof(*d->conns));
	for (int i = 0; i < d->pool_size; i++)
		d->conns[i].d = d;
	return 0;
}

void db_pool_destroy(db *d)
{
	pthread_cond_destroy(&d->cv);
	pthread_mutex_destroy(&d->mu);
	free(d->conns);
	d->conns = NULL;
}

static db_conn *pick_free(db *d)
{
	db_conn *spare = NULL;
	for (int i = 0; i < d->pool_size; i++) {
		db_conn *c = &d->conns[i];
		if (c->in_use)
			continue;
		if (c->handle)
			return c; /* an open connection first: fewer connects */
		if (!spare)
			spare = c;
	}
	return spare;
}

/* Counts one wait for a connection that began at (deadline - acquire_wait_ms); under d->mu. */
static void note_wait(db *d, const struct timespec *deadline)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	int64_t ns = ((int64_t)now.tv_sec - deadline->tv_sec) * 1000000000LL +
		     (now.tv_nsec - deadline->tv_nsec) + (int64_t)d->acquire_wait_ms * 1000000LL;
	d->waits++;
	d->wait_ns += ns > 0 ? (uint64_t)ns : 0;
}

int db_acquire(db *d, db_conn **out, struct err *e)
{
	*out = NULL;
	struct timespec deadline;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += d->acquire_wait_ms / 1000;
	deadline.tv_nsec += (long)(d->acquire_wait_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	struct timespec t0 = deadline; /* = now + the wait; the time waited is measured from it */
	pthread_mutex_lock(&d->mu);
	db_conn *c;
	int waited = 0;
	while (!(c = pick_free(d))) {
		waited = 1;
		d->waiting++;
		int rc = pthread_cond_timedwait(&d->cv, &d->mu, &deadline);
		d->waiting--;
		if (rc == ETIMEDOUT && !(c = pick_free(d))) {
			d->timeouts++;
			note_wait(d, &t0);
			pthread_mutex_unlock(&d->mu);
			log_warn("db: no connection free within %d ms (pool of %d)", d->acquire_wait_ms,
				 d->pool_size);
			return db_fail(e, DB_POOL_TIMEOUT, "the store is busy, try again");
		}
		if (c)
			break;
	}
	if (waited)
		note_wait(d, &t0);
	c->in_use = 1;
	d->in_use++;
	pthread_mutex_unlock(&d->mu);

	c->conflict_name[0] = 0;
	int rc = d->drv->connect(c, e);
	if (rc < 0) {
		pthread_mutex_lock(&d->mu);
		c->in_use = 0;
		d->in_use--;
		pthread_cond_signal(&d->cv);
		pthread_mutex_unlock(&d->mu);
		return rc;
	}
	*out = c;
	return 0;
}

void db_release(db_conn *c)
{
	if (!c)
		return;
	db *d = c->d;
	if (c->in_tx) {
		log_warn("db: connection released with a transaction open; rolled back");
		d->drv->rollback(c);
	}
	pthread_mutex_lock(&d->mu);
	c->in_use = 0;
	d->in_use--;
	pthread_cond_signal(&d->cv);
	pthread_mutex_unlock(&d->mu);
}

void db_pool_stats(db *d, struct db_pool_stats *out)
{
	pthread_mutex_lock(&d->mu);
	out->size = d->pool_size;
	out->in_use = d->in_use;
	out->waiting = d->waiting;
	out->timeouts = d->timeouts;
	out->waits = d->waits;
	out->wait_ns = d->wait_ns;
	pthread_mutex_unlock(&d->mu);
}
