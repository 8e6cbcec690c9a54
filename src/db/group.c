/* group.c — db_transact_shared: on SQLite, write transactions that wait at the same moment
 * share one commit.
 *
 * A durable SQLite commit (WAL, synchronous=FULL) costs an fdatasync and the writing of every
 * page the transaction touched, and write transactions queue one after another behind the
 * writer mutex. When many short transactions arrive together (bookings), most of their cost
 * is that commit and the pages they share (the last leaf of each table and index). So callers
 * queue here; the first one that finds nobody running becomes the runner: it takes what is
 * queued (at most GROUP_MAX), runs each fn in its own SAVEPOINT of one transaction (a fn that
 * fails is rolled back to its savepoint, alone), commits once, and wakes every caller of the
 * batch, which then returns its own result. Nobody returns success before the shared COMMIT
 * has returned, so what is acknowledged is durable, as with db_transact.
 *
 * One transaction alone runs exactly as db_transact runs it. When the shared transaction
 * itself fails (BEGIN, a savepoint statement, a busy store, COMMIT), nothing of it is kept and
 * the runner runs each fn of the batch again alone, with db_transact's retries. No waiting is
 * added to fill a batch: a batch is what queued while the previous one ran. */
#include "db/db_int.h"

#include "base/log.h"

#include "base/banned.h"

#define GROUP_MAX 64 /* transactions in one commit */

struct group_entry {
	int (*fn)(db_conn *c, void *ctx, struct err *e);
	void *ctx;
	struct err e;
	int rc;
	int done;
	struct group_entry *next;
};

void db_group_init(db *d)
{
	pthread_mutex_init(&d->group_mu, NULL);
	pthread_cond_init(&d->group_cv, NULL);
	d->group_head = d->group_tail = NULL;
	d->group_running = 0;
	d->group_conn = (db_conn){.d = d};
}

void db_group_destroy(db *d)
{
	if (d->group_conn.handle)
		d->drv->disconnect(&d->group_conn);
	pthread_cond_destroy(&d->group_cv);
	pthread_mutex_destroy(&d->group_mu);
}

static int plain(db_conn *c, const char *sql, struct err *e)
{
	return db_exec(c, sql, NULL, 0, e) < 0 ? -1 : 0;
}

/* Runs the batch in one transaction. 0 when it committed (each entry's rc is final); -1 when
 * nothing of it was kept. */
static int run_together(db_conn *c, struct group_entry *batch)
{
	struct err e;
	err_clear(&e);
	c->retry_seen = 0;
	if (db_begin(c, &e))
		return -1;
	for (struct group_entry *g = batch; g; g = g->next) {
		err_clear(&g->e);
		if (plain(c, "SAVEPOINT shared_commit", &e))
			goto fail;
		int rc = g->fn(c, g->ctx, &g->e);
		if (rc > 0 && err_isset(&g->e))
			rc = DB_ERROR;
		if (c->retry_seen) /* the store was busy: alone, with retries */
			goto fail;
		if (rc < 0 && plain(c, "ROLLBACK TO shared_commit", &e))
			goto fail;
		if (plain(c, "RELEASE shared_commit", &e))
			goto fail;
		g->rc = rc < 0 ? rc : 0;
	}
	return db_commit(c, &e) < 0 ? -1 : 0;
fail:
	db_rollback(c);
	return -1;
}

/* The runner's connection: its own, not one of the pool's (only one runner at a time). A
 * pooled connection would come with a cold page cache: SQLite drops a connection's cache
 * whenever the store changed since that connection's last transaction, and the runner is
 * usually the one that changed it. */
static int runner_conn(db *d, db_conn **out, struct err *e)
{
	db_conn *c = &d->group_conn;
	c->conflict_name[0] = 0;
	int rc = d->drv->connect(c, e);
	*out = rc < 0 ? NULL : c;
	return rc;
}

static void run_batch(db *d, struct group_entry *batch)
{
	db_conn *c;
	struct err e;
	err_clear(&e);
	int rc = runner_conn(d, &c, &e);
	if (rc < 0) {
		for (struct group_entry *g = batch; g; g = g->next) {
			g->rc = rc;
			g->e = e;
		}
		return;
	}
	if (!batch->next || run_together(c, batch) < 0)
		for (struct group_entry *g = batch; g; g = g->next) {
			err_clear(&g->e);
			g->rc = db_transact_on(c, g->fn, g->ctx, &g->e);
		}
	if (c->in_tx) {
		log_warn("db: shared commit left a transaction open; rolled back");
		d->drv->rollback(c);
	}
}

int db_transact_shared(db *d, int (*fn)(db_conn *c, void *ctx, struct err *e), void *ctx, struct err *e)
{
	if (d->drv->kind != DB_SQLITE)
		return db_transact(d, fn, ctx, e);
	struct group_entry me = {.fn = fn, .ctx = ctx};
	pthread_mutex_lock(&d->group_mu);
	if (d->group_tail)
		d->group_tail->next = &me;
	else
		d->group_head = &me;
	d->group_tail = &me;
	while (!me.done) {
		if (d->group_running) {
			pthread_cond_wait(&d->group_cv, &d->group_mu);
			continue;
		}
		d->group_running = 1;
		struct group_entry *batch = d->group_head, *last = batch;
		for (int n = 1; n < GROUP_MAX && last->next; n++)
			last = last->next;
		d->group_head = last->next;
		if (!d->group_head)
			d->group_tail = NULL;
		last->next = NULL;
		pthread_mutex_unlock(&d->group_mu);
		run_batch(d, batch);
		pthread_mutex_lock(&d->group_mu);
		for (struct group_entry *g = batch, *next; g; g = next) {
			next = g->next;
			g->done = 1;
		}
		d->group_running = 0;
		pthread_cond_broadcast(&d->group_cv);
	}
	pthread_mutex_unlock(&d->group_mu);
	if (me.rc < 0 && e)
		*e = me.e;
	return me.rc;
}
