/* db.c — opening a store, dispatch to its driver, db_transact and the error helpers. */
#include "db/db_int.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "base/xalloc.h"
#include "base/banned.h"

int db_fail(struct err *e, int rc, const char *what)
{
	switch (rc) {
	case DB_CONFLICT:
		err_set(e, 409, "conflict", NULL, "%s", what);
		break;
	case DB_RETRY:
		err_set(e, 503, "store_busy", NULL, "%s", what);
		if (e)
			e->retry_after = 1;
		break;
	case DB_POOL_TIMEOUT:
		err_set(e, 503, "store_busy", NULL, "%s", what);
		if (e)
			e->retry_after = 1;
		break;
	case DB_UNAVAILABLE:
		err_set(e, 503, "store_unavailable", NULL, "%s", what);
		if (e)
			e->retry_after = 2;
		break;
	default:
		rc = DB_ERROR;
		err_set(e, 500, "internal", NULL, "%s", what);
		break;
	}
	return rc;
}

int db_fail_conflict(db_conn *c, struct err *e, const char *name)
{
	snprintf(c->conflict_name, sizeof(c->conflict_name), "%s", name ? name : "");
	err_set(e, 409, "conflict", NULL, "constraint %s violated", c->conflict_name);
	return DB_CONFLICT;
}

int db_open(const char *url, const struct db_options *opts, db **out, struct err *e)
{
	*out = NULL;
	if (!url)
		return db_fail(e, DB_ERROR, "no store URL");
	if (sodium_init() < 0)
		return db_fail(e, DB_ERROR, "libsodium failed to start");
	db *d = xcalloc(1, sizeof(*d));
	if (!strncmp(url, "sqlite:", 7) && url[7]) {
		d->drv = &db_sqlite_driver;
		d->path = xstrdup(url + 7);
	} else if (!strncmp(url, "postgresql://", 13) || !strncmp(url, "postgres://", 11)) {
		d->drv = &db_pg_driver;
		d->url = xstrdup(url);
	} else {
		free(d);
		return err_set(e, 500, "internal", NULL,
			       "store URL must start with sqlite: or postgresql://");
	}
	d->pool_size = opts && opts->pool_size > 0 ? opts->pool_size : 8;
	d->acquire_wait_ms = opts && opts->acquire_wait_ms > 0 ? opts->acquire_wait_ms : 2000;
	if (d->pool_size > 1024)
		d->pool_size = 1024;
	atomic_init(&d->pg_prepare, !(opts && opts->pg_unnamed));
	atomic_init(&d->fault_k, 0);
	atomic_init(&d->fault_counted, 0);
	db_group_init(d);
	int rc = db_pool_init(d, e);
	if (rc == 0) {
		rc = d->drv->open(d, e);
		if (rc < 0)
			db_pool_destroy(d);
	}
	if (rc < 0) {
		db_group_destroy(d);
		free(d->url);
		free(d->path);
		free(d);
		return rc;
	}
	*out = d;
	return 0;
}

void db_close(db *d)
{
	if (!d)
		return;
	for (int i = 0; i < d->pool_size; i++)
		if (d->conns[i].handle)
			d->drv->disconnect(&d->conns[i]);
	d->drv->close(d);
	db_pool_destroy(d);
	db_group_destroy(d);
	free(d->url);
	free(d->path);
	free(d);
}

enum db_kind db_kind(const db *d)
{
	return d->drv->kind;
}

const char *db_kind_name(const db *d)
{
	return d->drv->name;
}

int db_begin(db_conn *c, struct err *e)
{
	if (c->in_tx)
		return db_fail(e, DB_ERROR, "transaction already open");
	if (db_fault_hit(c->d, e))
		return DB_ERROR;
	return c->d->drv->begin(c, e);
}

int db_commit(db_conn *c, struct err *e)
{
	if (!c->in_tx)
		return db_fail(e, DB_ERROR, "no transaction to commit");
	if (db_fault_hit(c->d, e)) {
		c->d->drv->rollback(c);
		return DB_ERROR;
	}
	return c->d->drv->commit(c, e);
}

void db_rollback(db_conn *c)
{
	if (c && c->in_tx)
		c->d->drv->rollback(c);
}

int db_in_transaction(const db_conn *c)
{
	return c->in_tx;
}

int db_exec(db_conn *c, const char *sql, const db_param *params, int nparams, struct err *e)
{
	c->conflict_name[0] = 0;
	if (nparams < 0 || (nparams > 0 && !params))
		return db_fail(e, DB_ERROR, "bad parameter list");
	if (db_fault_hit(c->d, e))
		return DB_ERROR;
	int rc = c->d->drv->exec(c, sql, params, nparams, e);
	if (rc == DB_RETRY)
		c->retry_seen = 1;
	return rc;
}

int db_query(db_conn *c, const char *sql, const db_param *params, int nparams, db_rows **out, struct err *e)
{
	*out = NULL;
	c->conflict_name[0] = 0;
	if (nparams < 0 || (nparams > 0 && !params))
		return db_fail(e, DB_ERROR, "bad parameter list");
	if (db_fault_hit(c->d, e))
		return DB_ERROR;
	db_rows *r = xcalloc(1, sizeof(*r));
	r->c = c;
	int rc = c->d->drv->query(c, sql, params, nparams, r, e);
	if (rc < 0) {
		if (rc == DB_RETRY)
			c->retry_seen = 1;
		free(r);
		return rc;
	}
	*out = r;
	return 0;
}

int db_query_int(db_conn *c, const char *sql, const db_param *params, int nparams, int64_t *out,
		 struct err *e)
{
	db_rows *r;
	int rc = db_query(c, sql, params, nparams, &r, e);
	if (rc < 0)
		return rc;
	rc = db_rows_next(r, e);
	if (rc == DB_RETRY)
		c->retry_seen = 1;
	if (rc == 1)
		*out = db_rows_int(r, 0);
	db_rows_free(r);
	return rc;
}

int db_exec_script(db_conn *c, const char *sql, struct err *e)
{
	c->conflict_name[0] = 0;
	if (db_fault_hit(c->d, e))
		return DB_ERROR;
	return c->d->drv->exec_script(c, sql, e);
}

int db_rows_next(db_rows *r, struct err *e)
{
	if (r->done)
		return 0;
	return r->c->d->drv->rows_next(r, e);
}

int db_rows_count_columns(const db_rows *r)
{
	return r->c->d->drv->rows_count_columns(r);
}

int db_rows_is_null(const db_rows *r, int col)
{
	return r->c->d->drv->rows_is_null(r, col);
}

int64_t db_rows_int(const db_rows *r, int col)
{
	return r->c->d->drv->rows_int(r, col);
}

const char *db_rows_text(const db_rows *r, int col)
{
	return r->c->d->drv->rows_text(r, col);
}

const void *db_rows_blob(const db_rows *r, int col, size_t *len)
{
	return r->c->d->drv->rows_blob(r, col, len);
}

void db_rows_free(db_rows *r)
{
	if (!r)
		return;
	r->c->d->drv->rows_free(r);
	free(r);
}

int db_xact_lock(db_conn *c, int64_t key, struct err *e)
{
	if (c->d->drv->kind != DB_PG)
		return 0; /* SQLite: the writer mutex already serialises every write transaction */
	int rc = db_exec(c, "SELECT pg_advisory_xact_lock($1)", DB_ARGS(DB_INT(key)), e);
	return rc < 0 ? rc : 0;
}

const char *db_conflict_name(const db_conn *c)
{
	return c->conflict_name;
}

static void retry_pause(int attempt)
{
	/* 2, 4, 8 ms plus up to as much again of jitter, so retrying writers spread out. */
	long ms = 2L << attempt;
	ms += (long)randombytes_uniform((uint32_t)ms + 1);
	struct timespec ts = {.tv_sec = 0, .tv_nsec = ms * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int db_transact_on(db_conn *c, int (*fn)(db_conn *c, void *ctx, struct err *e), void *ctx, struct err *e)
{
	int rc;
	for (int attempt = 0;; attempt++) {
		if (attempt > 0) {
			retry_pause(attempt);
			err_clear(e);
		}
		c->retry_seen = 0;
		rc = db_begin(c, e);
		if (rc == 0) {
			rc = fn(c, ctx, e);
			/* `return a(...) || b(...);` gives 1 when a step failed: with an error set,
			 * a positive result is a failure too, never a commit of half the change */
			if (rc > 0 && err_isset(e))
				rc = DB_ERROR;
			if (rc < 0)
				db_rollback(c);
			else
				rc = db_commit(c, e);
		}
		/* fn may turn a failed statement into its own -1: what the store said is kept */
		if (rc < 0 && c->retry_seen)
			rc = DB_RETRY;
		if (rc != DB_RETRY || attempt == 5)
			break;
		log_info("db: transaction retried attempt=%d", attempt + 1);
	}
	return rc < 0 ? rc : 0;
}

int db_transact(db *d, int (*fn)(db_conn *c, void *ctx, struct err *e), void *ctx, struct err *e)
{
	db_conn *c;
	int rc = db_acquire(d, &c, e);
	if (rc < 0)
		return rc;
	rc = db_transact_on(c, fn, ctx, e);
	db_release(c);
	return rc;
}

int db_transact_batches(db *d, int (*fn)(db_conn *c, void *ctx, struct err *e), void *ctx, const int *done,
			int batch, int64_t *total, struct err *e)
{
	int64_t sum = 0;
	do {
		if (db_transact(d, fn, ctx, e))
			return -1;
		sum += *done;
	} while (*done >= batch);
	if (total)
		*total = sum;
	return 0;
}

void db_like_pattern(const char *s, char *out, size_t cap)
{
	size_t n = 0;
	out[n++] = '%';
	for (; *s && n + 3 < cap; s++) {
		char ch = *s;
		if (ch == '%' || ch == '_' || ch == '\\')
			out[n++] = '\\';
		out[n++] = (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
	}
	out[n++] = '%';
	out[n] = '\0';
}
