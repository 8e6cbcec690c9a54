/* pg.c — the PostgreSQL driver on libpq. Connections are made lazily and re-made by
 * db_acquire when broken, so a server that was down is used again as soon as it is back.
 * Integers are sent as text typed int8, blobs as binary bytea; results come as text and bytea
 * is unescaped.
 *
 * Statements are prepared once per connection (PQprepare, then PQexecPrepared): planning the
 * schedule loader's set-up query took 1.1-1.4 ms against 0.3 ms to run it. A statement's name
 * is a hash of its text and of the parameter types of the call ("cr_" and 16 hex digits), so
 * one name always means one statement, on every connection and in every process. That keeps
 * PgBouncer in transaction mode safe: a statement prepared on one server connection and run
 * on another either exists there under the same name, identical, or is missing (26000), and
 * preparing one that exists fails (42P05). At the first of these, or when a migration run by
 * another process changed what a prepared statement returns (0A000), the driver stops
 * preparing for this store (a warning says so) and runs every statement unnamed
 * (PQexecParams), as PgBouncer before 1.21 requires; a transaction that failed on it answers
 * DB_RETRY and is run again. db_options.pg_unnamed (`--pg-unnamed`) never prepares, for such a pooler: that
 * costs no failed transaction at start. */
#include "db/db_int.h"

#include <libpq-fe.h>
#include <limits.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/xalloc.h"
#include "base/banned.h"

enum {
	OID_BYTEA = 17,
	OID_INT8 = 20,
	MAX_PARAMS = 65535,
	PREPARED_MAX = 1024, /* statements prepared per connection; beyond, unnamed */
};

/* The names prepared on one connection (c->cache): an open-addressing set of hashes. */
struct prepared {
	uint64_t h[2 * PREPARED_MAX]; /* 0 = free */
	int n;
};

static int prepared_has(const struct prepared *s, uint64_t h)
{
	for (size_t i = h % (2 * PREPARED_MAX);; i = (i + 1) % (2 * PREPARED_MAX)) {
		if (s->h[i] == h)
			return 1;
		if (!s->h[i])
			return 0;
	}
}

static void prepared_add(struct prepared *s, uint64_t h)
{
	size_t i = h % (2 * PREPARED_MAX);
	while (s->h[i] && s->h[i] != h)
		i = (i + 1) % (2 * PREPARED_MAX);
	if (!s->h[i])
		s->n++;
	s->h[i] = h;
}

static void quiet_notices(void *arg, const char *message)
{
	(void)arg;
	log_debug("db: pg notice %s", message);
}

/* True when an idle connection has something to read: the server closed it or said it is
 * shutting down (an idle session is sent nothing else, it LISTENs to nothing). */
static int looks_broken(PGconn *conn)
{
	if (PQstatus(conn) != CONNECTION_OK)
		return 1;
	struct pollfd p = {.fd = PQsocket(conn), .events = POLLIN};
	if (p.fd < 0)
		return 1;
	return poll(&p, 1, 0) != 0;
}

static int pg_connect(db_conn *c, struct err *e)
{
	if (c->handle && !looks_broken(c->handle))
		return 0;
	if (c->handle) {
		log_info("db: postgresql connection broken, reconnecting");
		PQfinish(c->handle);
		c->handle = NULL;
	}
	/* connect_timeout first, so a value in the URL wins over this default. No startup
	 * `options`: PgBouncer refuses parameters it does not track. (JIT compilation, which once
	 * cost 250 ms on a 5 ms query whose estimate an index was missing for, is best turned off
	 * for the role: ALTER ROLE ... SET jit = off — docs/operations.md.) */
	const char *keys[] = {"connect_timeout", "dbname", NULL};
	const char *vals[] = {"3", c->d->url, NULL};
	PGconn *conn = PQconnectdbParams(keys, vals, 1);
	if (!conn || PQstatus(conn) != CONNECTION_OK) {
		char msg[512];
		snprintf(msg, sizeof(msg), "%s", conn ? PQerrorMessage(conn) : "out of memory");
		for (char *m = msg; *m; m++)
			if (*m == '\n' || *m == '\t')
				*m = ' ';
		log_warn("db: cannot connect to postgresql: %s", msg);
		PQfinish(conn);
		return db_fail(e, DB_UNAVAILABLE, "the store cannot be reached");
	}
	PQsetNoticeProcessor(conn, quiet_notices, NULL);
	c->handle = conn;
	c->in_tx = 0;
	free(c->cache); /* what the old connection had prepared */
	c->cache = xcalloc(1, sizeof(struct prepared));
	return 0;
}

static void pg_disconnect(db_conn *c)
{
	PQfinish(c->handle);
	c->handle = NULL;
	free(c->cache);
	c->cache = NULL;
}

static int pg_open(db *d, struct err *e)
{
	char *msg = NULL;
	PQconninfoOption *opts = PQconninfoParse(d->url, &msg);
	if (!opts) {
		log_error("db: bad postgresql URL: %s", msg ? msg : "out of memory");
		PQfreemem(msg);
		return err_set(e, 500, "internal", NULL, "the PostgreSQL URL cannot be parsed");
	}
	PQconninfoFree(opts);
	return 0;
}

static void pg_close(db *d)
{
	(void)d;
}

/* --- error mapping ------------------------------------------------------------------- */

static int map_error(db_conn *c, PGresult *res, const char *sql, struct err *e)
{
	PGconn *conn = c->handle;
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *raw = res ? PQresultErrorMessage(res) : "";
	if (!raw || !*raw)
		raw = PQerrorMessage(conn);
	char msg[512]; /* one log line: newlines of libpq's message flattened */
	snprintf(msg, sizeof(msg), "%s", raw ? raw : "");
	for (char *m = msg; *m; m++)
		if (*m == '\n' || *m == '\t')
			*m = ' ';
	if (!state)
		state = "";
	/* 08P01 (protocol violation, e.g. a missing parameter) is a bug, not an outage. */
	int conn_class = !strncmp(state, "08", 2) && strcmp(state, "08P01");
	if (PQstatus(conn) != CONNECTION_OK || conn_class || !strcmp(state, "57P01") ||
	    !strcmp(state, "57P02") || !strcmp(state, "57P03") || !strcmp(state, "53300")) {
		log_warn("db: postgresql unreachable state=%s msg=%s", state, msg);
		return db_fail(e, DB_UNAVAILABLE, "the store cannot be reached");
	}
	if (!strcmp(state, "23505") || !strcmp(state, "23P01")) {
		const char *name = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
		log_debug("db: postgresql conflict state=%s name=%s", state, name ? name : "");
		return db_fail_conflict(c, e, name);
	}
	if (!strcmp(state, "P0001")) {
		const char *m = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
		log_debug("db: postgresql raised conflict msg=%s", m ? m : "");
		return db_fail_conflict(c, e, m);
	}
	if (!strcmp(state, "40001") || !strcmp(state, "40P01") || !strcmp(state, "55P03")) {
		log_warn("db: postgresql retry state=%s msg=%s", state, msg);
		return db_fail(e, DB_RETRY, "the store is busy, try again");
	}
	log_error("db: postgresql error state=%s msg=%s sql=%s", state, msg, sql ? sql : "");
	char what[64]; /* an internal error's message is logged with the request, never sent */
	snprintf(what, sizeof(what), "store error (SQLSTATE %s)", *state ? state : "none");
	return db_fail(e, DB_ERROR, what);
}

static int ok_status(PGresult *res)
{
	ExecStatusType s = PQresultStatus(res);
	return res && (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK);
}

static int run_simple(db_conn *c, const char *sql, struct err *e)
{
	PGresult *res = PQexec(c->handle, sql);
	int rc = ok_status(res) ? 0 : map_error(c, res, sql, e);
	PQclear(res);
	return rc;
}

/* --- transactions -------------------------------------------------------------------- */

static int pg_begin(db_conn *c, struct err *e)
{
	int rc = run_simple(c, "BEGIN", e);
	if (rc == 0)
		c->in_tx = 1;
	return rc;
}

static void pg_rollback(db_conn *c)
{
	c->in_tx = 0;
	if (PQstatus(c->handle) == CONNECTION_OK)
		PQclear(PQexec(c->handle, "ROLLBACK"));
}

static int pg_commit(db_conn *c, struct err *e)
{
	PGresult *res = PQexec(c->handle, "COMMIT");
	int rc;
	if (!ok_status(res))
		rc = map_error(c, res, "COMMIT", e);
	else if (strcmp(PQcmdStatus(res), "COMMIT")) {
		/* A statement of the transaction failed earlier: COMMIT rolled it back. */
		log_error("db: postgresql commit of an aborted transaction");
		rc = db_fail(e, DB_ERROR, "store error");
	} else
		rc = 0;
	PQclear(res);
	if (rc < 0 && PQstatus(c->handle) == CONNECTION_OK && PQtransactionStatus(c->handle) != PQTRANS_IDLE)
		PQclear(PQexec(c->handle, "ROLLBACK"));
	c->in_tx = 0;
	return rc;
}

/* --- statements ---------------------------------------------------------------------- */

struct pg_params {
	Oid *types;
	const char **values;
	int *lengths, *formats;
	char (*ints)[24];
	char **copies; /* TEXT with an explicit length, made NUL-terminated */
};

static void params_free(struct pg_params *q, int n)
{
	for (int i = 0; i < n && q->copies; i++)
		free(q->copies[i]);
	free(q->types);
	free(q->values);
	free(q->lengths);
	free(q->formats);
	free(q->ints);
	free(q->copies);
}

static void params_make(struct pg_params *q, const db_param *p, int n)
{
	size_t k = n > 0 ? (size_t)n : 1;
	q->types = xcalloc(k, sizeof(*q->types));
	q->values = xcalloc(k, sizeof(*q->values));
	q->lengths = xcalloc(k, sizeof(*q->lengths));
	q->formats = xcalloc(k, sizeof(*q->formats));
	q->ints = xcalloc(k, sizeof(*q->ints));
	q->copies = xcalloc(k, sizeof(*q->copies));
	for (int i = 0; i < n; i++) {
		switch (p[i].type) {
		case DBT_INT:
			snprintf(q->ints[i], sizeof(q->ints[i]), "%lld", (long long)p[i].i);
			q->values[i] = q->ints[i];
			q->types[i] = OID_INT8;
			break;
		case DBT_TEXT:
			if (!p[i].p)
				break;
			if (p[i].len == (size_t)-1) {
				q->values[i] = p[i].p;
			} else {
				q->copies[i] = xstrndup(p[i].p, p[i].len);
				q->values[i] = q->copies[i];
			}
			break;
		case DBT_BLOB:
			q->values[i] = p[i].p ? p[i].p : "";
			q->lengths[i] = p[i].len > INT_MAX ? INT_MAX : (int)p[i].len;
			q->formats[i] = 1;
			q->types[i] = OID_BYTEA;
			break;
		default: /* DBT_NULL */
			break;
		}
	}
}

/* FNV-1a over the text and the types: the statement's name. Never 0 (the set's "free"). */
static uint64_t statement_hash(const char *sql, const Oid *types, int n)
{
	uint64_t h = 1469598103934665603ULL;
	for (const unsigned char *p = (const unsigned char *)sql; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	for (int i = 0; i < n; i++)
		h = (h ^ (uint64_t)types[i] ^ ((uint64_t)i << 32)) * 1099511628211ULL;
	return h ? h : 1;
}

static int state_is(PGresult *res, const char *state)
{
	const char *s = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	return s && !strcmp(s, state);
}

/* Runs sql prepared. NULL with the SQLSTATE in stale[8] when prepared statements cannot be
 * trusted here: the server connection is not the one they were prepared on (26000, 42P05),
 * or the schema changed under one (0A000, "cached plan must not change result type", after a
 * migration run by another process). NULL with *rc set on any other failure; NULL with
 * neither when the connection has prepared PREPARED_MAX statements already (the caller then
 * goes unnamed but keeps preparing the others). */
static PGresult *run_prepared(db_conn *c, const char *sql, const struct pg_params *q, int n, char stale[8],
			      struct err *e, int *rc)
{
	struct prepared *set = c->cache;
	uint64_t h = statement_hash(sql, q->types, n);
	char name[24];
	snprintf(name, sizeof(name), "cr_%016llx", (unsigned long long)h);
	PGresult *res;
	if (!prepared_has(set, h)) {
		if (set->n >= PREPARED_MAX)
			return NULL;
		res = PQprepare(c->handle, name, sql, n, q->types);
		if (!ok_status(res))
			goto fail;
		PQclear(res);
		prepared_add(set, h);
	}
	res = PQexecPrepared(c->handle, name, n, q->values, q->lengths, q->formats, 0);
	if (ok_status(res))
		return res;
fail:
	if (state_is(res, "26000") || state_is(res, "42P05") || state_is(res, "0A000")) {
		const char *st = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		snprintf(stale, 8, "%s", st ? st : "");
	} else
		*rc = map_error(c, res, sql, e);
	PQclear(res);
	return NULL;
}

static PGresult *run_params(db_conn *c, const char *sql, const db_param *p, int n, struct err *e, int *rc)
{
	*rc = 0;
	if (n > MAX_PARAMS) {
		*rc = db_fail(e, DB_ERROR, "store error");
		return NULL;
	}
	for (int i = 0; i < n; i++)
		if (p[i].type == DBT_BLOB && p[i].len > INT_MAX) {
			*rc = db_fail(e, DB_ERROR, "value too large for the store");
			return NULL;
		}
	struct pg_params q;
	params_make(&q, p, n);
	PGresult *res = NULL;
	char stale[8] = "";
	if (atomic_load(&c->d->pg_prepare) && c->cache) {
		res = run_prepared(c, sql, &q, n, stale, e, rc);
		if (!res && *rc < 0) {
			params_free(&q, n);
			return NULL;
		}
	}
	if (stale[0]) {
		if (atomic_exchange(&c->d->pg_prepare, 0))
			log_warn("db: a prepared statement failed with state=%s (a pooler in transaction "
				 "mode, or the schema changed): no longer preparing; behind PgBouncer "
				 "before 1.21 set --pg-unnamed",
				 stale);
		if (PQtransactionStatus(c->handle) != PQTRANS_IDLE) {
			/* the failure aborted the transaction: it is run again, unnamed */
			params_free(&q, n);
			*rc = db_fail(e, DB_RETRY, "the store is busy, try again");
			return NULL;
		}
	}
	if (!res)
		res = PQexecParams(c->handle, sql, n, q.types, q.values, q.lengths, q.formats, 0);
	params_free(&q, n);
	if (!ok_status(res)) {
		*rc = map_error(c, res, sql, e);
		PQclear(res);
		return NULL;
	}
	return res;
}

static int pg_exec(db_conn *c, const char *sql, const db_param *p, int n, struct err *e)
{
	int rc;
	PGresult *res = run_params(c, sql, p, n, e, &rc);
	if (!res)
		return rc;
	const char *t = PQcmdTuples(res);
	long changed = t && *t ? strtol(t, NULL, 10) : 0;
	PQclear(res);
	return changed > INT_MAX ? INT_MAX : (int)changed;
}

static int pg_query(db_conn *c, const char *sql, const db_param *p, int n, db_rows *r, struct err *e)
{
	int rc;
	PGresult *res = run_params(c, sql, p, n, e, &rc);
	if (!res)
		return rc;
	r->h = res;
	r->nrows = PQntuples(res);
	r->pos = -1;
	r->ncells = PQnfields(res);
	if (r->ncells > 0) {
		r->cells = xcalloc((size_t)r->ncells, sizeof(*r->cells));
		r->cell_lens = xcalloc((size_t)r->ncells, sizeof(*r->cell_lens));
	}
	return 0;
}

static void cells_clear(db_rows *r)
{
	for (int i = 0; i < r->ncells; i++)
		if (r->cells[i]) {
			PQfreemem(r->cells[i]);
			r->cells[i] = NULL;
		}
}

static int pg_rows_next(db_rows *r, struct err *e)
{
	(void)e;
	cells_clear(r);
	if (++r->pos >= r->nrows) {
		r->done = 1;
		return 0;
	}
	return 1;
}

static int pg_rows_count_columns(const db_rows *r)
{
	return r->ncells;
}

static int valid_cell(const db_rows *r, int col)
{
	return r->h && r->pos >= 0 && r->pos < r->nrows && col >= 0 && col < r->ncells;
}

static int pg_rows_is_null(const db_rows *r, int col)
{
	return !valid_cell(r, col) || PQgetisnull(r->h, r->pos, col);
}

static int64_t pg_rows_int(const db_rows *r, int col)
{
	if (pg_rows_is_null(r, col))
		return 0;
	const char *v = PQgetvalue(r->h, r->pos, col);
	if (!strcmp(v, "t"))
		return 1;
	if (!strcmp(v, "f"))
		return 0;
	return strtoll(v, NULL, 10);
}

static const char *pg_rows_text(const db_rows *r, int col)
{
	return pg_rows_is_null(r, col) ? NULL : PQgetvalue(r->h, r->pos, col);
}

static const void *pg_rows_blob(const db_rows *r, int col, size_t *len)
{
	*len = 0;
	if (pg_rows_is_null(r, col))
		return NULL;
	if (PQftype(r->h, col) != OID_BYTEA) {
		*len = (size_t)PQgetlength(r->h, r->pos, col);
		return PQgetvalue(r->h, r->pos, col);
	}
	db_rows *w = (db_rows *)r; /* the unescaped copy is a cache of this row */
	if (!w->cells[col]) {
		size_t n = 0;
		w->cells[col] = PQunescapeBytea((const unsigned char *)PQgetvalue(r->h, r->pos, col), &n);
		if (!w->cells[col])
			return NULL;
		w->cell_lens[col] = n;
	}
	*len = w->cell_lens[col];
	return w->cells[col];
}

static void pg_rows_free(db_rows *r)
{
	if (r->cells)
		cells_clear(r);
	free(r->cells);
	free(r->cell_lens);
	PQclear(r->h);
	r->h = NULL;
}

static int pg_exec_script(db_conn *c, const char *sql, struct err *e)
{
	return run_simple(c, sql, e);
}

const struct db_driver db_pg_driver = {
	.name = "postgresql",
	.kind = DB_PG,
	.open = pg_open,
	.close = pg_close,
	.connect = pg_connect,
	.disconnect = pg_disconnect,
	.begin = pg_begin,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.exec = pg_exec,
	.query = pg_query,
	.exec_script = pg_exec_script,
	.rows_next = pg_rows_next,
	.rows_count_columns = pg_rows_count_columns,
	.rows_is_null = pg_rows_is_null,
	.rows_int = pg_rows_int,
	.rows_text = pg_rows_text,
	.rows_blob = pg_rows_blob,
	.rows_free = pg_rows_free,
};
