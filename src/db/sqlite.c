/* sqlite.c — the SQLite driver. One sqlite3* per pooled connection (multi-thread mode:
 * a connection is used by one thread at a time), WAL so readers run beside the writer, and
 * one process-wide writer mutex per store file: BEGIN IMMEDIATE is taken behind it, and so
 * is a writing statement run outside a transaction. Writers then queue on the mutex instead
 * of spinning on busy_timeout (ARCHITECTURE.md measured the difference).
 * Each connection keeps its recent prepared statements (struct stmt_cache): parsing a large
 * query costs several times what running it does. */
#include "db/db_int.h"

#include <limits.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "base/xalloc.h"
#include "base/banned.h"

enum {
	BUSY_TIMEOUT_MS = 5000,	    /* other processes (creneau migrate beside a server) */
	WRITER_WAIT_MS = 10000,	    /* longest wait for the writer mutex: then DB_RETRY */
	STMT_CACHE_SIZE = 64,	    /* prepared statements kept per connection */
	STMT_CACHE_MAX_SQL = 65536, /* longer SQL is prepared each time, not kept */
};

struct db_writer {
	char *path; /* realpath of the store file */
	pthread_mutex_t mu;
	int refs;
	struct db_writer *next;
};

static pthread_mutex_t writers_mu = PTHREAD_MUTEX_INITIALIZER;
static struct db_writer *writers;

static struct db_writer *writer_get(const char *path)
{
	pthread_mutex_lock(&writers_mu);
	struct db_writer *w;
	for (w = writers; w; w = w->next)
		if (!strcmp(w->path, path))
			break;
	if (!w) {
		w = xcalloc(1, sizeof(*w));
		w->path = xstrdup(path);
		pthread_mutex_init(&w->mu, NULL);
		w->next = writers;
		writers = w;
	}
	w->refs++;
	pthread_mutex_unlock(&writers_mu);
	return w;
}

static void writer_put(struct db_writer *w)
{
	pthread_mutex_lock(&writers_mu);
	if (--w->refs == 0) {
		for (struct db_writer **p = &writers; *p; p = &(*p)->next)
			if (*p == w) {
				*p = w->next;
				break;
			}
		pthread_mutex_destroy(&w->mu);
		free(w->path);
		free(w);
	}
	pthread_mutex_unlock(&writers_mu);
}

static int writer_lock(db_conn *c, struct err *e)
{
	struct timespec deadline;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += WRITER_WAIT_MS / 1000;
	if (pthread_mutex_timedlock(&c->d->writer->mu, &deadline) != 0) {
		log_warn("db: sqlite writer mutex not free within %d ms", WRITER_WAIT_MS);
		return db_fail(e, DB_RETRY, "the store is busy, try again");
	}
	c->holds_writer = 1;
	return 0;
}

static void writer_unlock(db_conn *c)
{
	if (c->holds_writer) {
		c->holds_writer = 0;
		pthread_mutex_unlock(&c->d->writer->mu);
	}
}

/* --- error mapping ------------------------------------------------------------------- */

/* Finds the name of the unique index SQLite reports as "UNIQUE constraint failed: t.a, t.b"
 * (or "... failed: index 'name'"). A primary key is named like PostgreSQL names it,
 * "<table>_pkey", so constraint names agree on both stores. */
static void unique_index_name(sqlite3 *h, const char *msg, int is_pk, char *out, size_t cap)
{
	out[0] = 0;
	const char *p = strstr(msg, "failed: ");
	if (!p)
		return;
	p += 8;
	if (!strncmp(p, "index '", 7)) {
		p += 7;
		const char *q = strchr(p, '\'');
		snprintf(out, cap, "%.*s", q ? (int)(q - p) : 0, p);
		return;
	}
	const char *dot = strchr(p, '.');
	if (!dot || dot - p > 100)
		return;
	char table[112], cols[512];
	snprintf(table, sizeof(table), "%.*s", (int)(dot - p), p);
	/* The message's column list without the "t." prefixes: "a, b". */
	size_t n = 0;
	cols[0] = 0;
	for (const char *s = p; *s && n + 1 < sizeof(cols);) {
		if (!strncmp(s, table, strlen(table)) && s[strlen(table)] == '.')
			s += strlen(table) + 1;
		while (*s && *s != ',' && n + 1 < sizeof(cols))
			cols[n++] = *s++;
		if (*s == ',' && n + 3 < sizeof(cols)) {
			cols[n++] = ',';
			cols[n++] = ' ';
			s++;
			while (*s == ' ')
				s++;
		} else if (*s) {
			break;
		}
	}
	cols[n] = 0;

	sqlite3_stmt *il = NULL, *ii = NULL;
	if (sqlite3_prepare_v2(h, "SELECT name, origin FROM pragma_index_list(?1) WHERE \"unique\"", -1, &il,
			       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(h, "SELECT name FROM pragma_index_info(?1) ORDER BY seqno", -1, &ii, NULL) !=
		    SQLITE_OK)
		goto done;
	sqlite3_bind_text(il, 1, table, -1, SQLITE_STATIC);
	while (sqlite3_step(il) == SQLITE_ROW) {
		const char *iname = (const char *)sqlite3_column_text(il, 0);
		const char *origin = (const char *)sqlite3_column_text(il, 1);
		char icols[512];
		size_t m = 0;
		icols[0] = 0;
		sqlite3_reset(ii);
		sqlite3_bind_text(ii, 1, iname, -1, SQLITE_TRANSIENT);
		while (sqlite3_step(ii) == SQLITE_ROW) {
			const char *cn = (const char *)sqlite3_column_text(ii, 0);
			int k = snprintf(icols + m, sizeof(icols) - m, "%s%s", m ? ", " : "", cn ? cn : "?");
			if (k < 0 || (size_t)k >= sizeof(icols) - m)
				break;
			m += (size_t)k;
		}
		if (strcmp(icols, cols))
			continue;
		if (origin && !strcmp(origin, "pk"))
			snprintf(out, cap, "%s_pkey", table);
		else
			snprintf(out, cap, "%s", iname);
		goto done;
	}
	if (is_pk) /* INTEGER PRIMARY KEY: the rowid, no index of its own */
		snprintf(out, cap, "%s_pkey", table);
done:
	sqlite3_finalize(il);
	sqlite3_finalize(ii);
}

/* An internal error whose message names the SQLite code (logged with the request, never sent). */
static int store_error(struct err *e, int xrc)
{
	char what[64];
	snprintf(what, sizeof(what), "store error (sqlite code %d)", xrc);
	return db_fail(e, DB_ERROR, what);
}

static int map_error(db_conn *c, int rc, const char *sql, struct err *e)
{
	sqlite3 *h = c->handle;
	int xrc = h ? sqlite3_extended_errcode(h) : rc;
	char msg[512];
	snprintf(msg, sizeof(msg), "%s", h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
	switch (xrc & 0xff) {
	case SQLITE_CONSTRAINT:
		if (xrc == SQLITE_CONSTRAINT_UNIQUE || xrc == SQLITE_CONSTRAINT_PRIMARYKEY) {
			char name[128];
			unique_index_name(h, msg, xrc == SQLITE_CONSTRAINT_PRIMARYKEY, name, sizeof(name));
			log_debug("db: sqlite conflict name=%s msg=%s", name, msg);
			return db_fail_conflict(c, e, name);
		}
		if (xrc == SQLITE_CONSTRAINT_TRIGGER) {
			log_debug("db: sqlite trigger conflict msg=%s", msg);
			return db_fail_conflict(c, e, msg);
		}
		log_error("db: sqlite constraint failed code=%d msg=%s sql=%s", xrc, msg, sql ? sql : "");
		return store_error(e, xrc);
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		log_warn("db: sqlite busy code=%d msg=%s", xrc, msg);
		return db_fail(e, DB_RETRY, "the store is busy, try again");
	case SQLITE_CANTOPEN:
	case SQLITE_NOTADB:
		log_error("db: sqlite cannot open code=%d msg=%s", xrc, msg);
		return db_fail(e, DB_UNAVAILABLE, "the store cannot be opened");
	default:
		log_error("db: sqlite error code=%d msg=%s sql=%s", xrc, msg, sql ? sql : "");
		return store_error(e, xrc);
	}
}

/* --- statement cache ------------------------------------------------------------------ */

/* One connection's prepared statements, keyed by their SQL text (hash, then the whole
 * string: callers' SQL is mostly literals, but equal text at another address must hit).
 * Statements are prepared SQLITE_PREPARE_PERSISTENT and reset + unbound whenever they are
 * given back, so a kept statement holds no read transaction and no pointer to a caller's
 * values. An entry in use by an unfinished statement (open db_rows) is never handed out
 * twice: a second user of the same SQL gets a fresh statement, finalized when done. A
 * schema change makes SQLite re-prepare a kept statement on its next step. The least
 * recently used idle entry makes room for a new one. */
struct stmt_entry {
	uint64_t hash;
	char *sql; /* NULL: a free slot */
	sqlite3_stmt *st;
	int busy;
	uint64_t used; /* tick of the last hand-out, for LRU */
};

struct stmt_cache {
	struct stmt_entry e[STMT_CACHE_SIZE];
	uint64_t tick;
};

static uint64_t sql_hash(const char *s, size_t *len)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	const char *p = s;
	for (; *p; p++) {
		h ^= (unsigned char)*p;
		h *= 1099511628211ULL;
	}
	*len = (size_t)(p - s);
	return h;
}

static void stmt_cache_free(db_conn *c)
{
	struct stmt_cache *sc = c->cache;
	if (!sc)
		return;
	for (int i = 0; i < STMT_CACHE_SIZE; i++) {
		sqlite3_finalize(sc->e[i].st);
		free(sc->e[i].sql);
	}
	free(sc);
	c->cache = NULL;
}

/* Gives a statement back after use: a kept one is reset, unbound and marked idle; any other
 * is finalized. Call it before releasing the writer mutex (the reset ends the statement). */
static void stmt_put(db_conn *c, sqlite3_stmt *st)
{
	if (!st)
		return;
	struct stmt_cache *sc = c->cache;
	if (sc)
		for (int i = 0; i < STMT_CACHE_SIZE; i++)
			if (sc->e[i].st == st && sc->e[i].busy) {
				sqlite3_reset(st);
				sqlite3_clear_bindings(st);
				sc->e[i].busy = 0;
				return;
			}
	sqlite3_finalize(st);
}

/* Prepares sql, or takes it from the cache: *out is one statement with no bindings, to be
 * given back with stmt_put. Only a single statement is accepted. */
static int stmt_get(db_conn *c, const char *sql, sqlite3_stmt **out, struct err *e)
{
	*out = NULL;
	struct stmt_cache *sc = c->cache;
	if (!sc)
		sc = c->cache = xcalloc(1, sizeof(*sc));
	size_t len;
	uint64_t h = sql_hash(sql, &len);
	struct stmt_entry *hit = NULL, *slot = NULL;
	for (int i = 0; i < STMT_CACHE_SIZE; i++) {
		struct stmt_entry *x = &sc->e[i];
		if (!x->sql) {
			if (!slot || slot->sql)
				slot = x; /* a free slot beats any eviction */
			continue;
		}
		if (x->hash == h && !strcmp(x->sql, sql)) {
			hit = x;
			break;
		}
		if (!x->busy && (!slot || (slot->sql && x->used < slot->used)))
			slot = x;
	}
	if (hit && !hit->busy) {
		hit->busy = 1;
		hit->used = ++sc->tick;
		sqlite3_reset(hit->st);
		sqlite3_clear_bindings(hit->st);
		*out = hit->st;
		return 0;
	}
	/* Busy (a nested use of the same SQL), too long, or no idle slot: not kept. */
	int keep = !hit && slot && len <= STMT_CACHE_MAX_SQL;
	const char *tail = NULL;
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v3(c->handle, sql, len >= INT_MAX ? -1 : (int)len + 1,
				    keep ? SQLITE_PREPARE_PERSISTENT : 0, &st, &tail);
	if (rc != SQLITE_OK)
		return map_error(c, rc, sql, e);
	if (!st) {
		log_error("db: empty statement");
		return db_fail(e, DB_ERROR, "store error");
	}
	while (tail && (*tail == ' ' || *tail == '\n' || *tail == '\t' || *tail == ';'))
		tail++;
	if (tail && *tail) {
		sqlite3_finalize(st);
		log_error("db: more than one statement given to exec/query sql=%s", sql);
		return db_fail(e, DB_ERROR, "store error");
	}
	if (keep) {
		if (slot->sql) {
			sqlite3_finalize(slot->st);
			free(slot->sql);
		}
		slot->sql = xstrdup(sql);
		slot->hash = h;
		slot->st = st;
		slot->busy = 1;
		slot->used = ++sc->tick;
	}
	*out = st;
	return 0;
}

/* --- connections --------------------------------------------------------------------- */

static int run_simple(db_conn *c, const char *sql, struct err *e)
{
	char *msg = NULL;
	int rc = sqlite3_exec(c->handle, sql, NULL, NULL, &msg);
	sqlite3_free(msg);
	return rc == SQLITE_OK ? 0 : map_error(c, rc, sql, e);
}

static int sq_connect(db_conn *c, struct err *e)
{
	if (c->handle)
		return 0;
	sqlite3 *h = NULL;
	int rc = sqlite3_open_v2(c->d->path, &h,
				 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		log_error("db: cannot open sqlite store path=%s: %s", c->d->path,
			  h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
		sqlite3_close_v2(h);
		return db_fail(e, DB_UNAVAILABLE, "the store cannot be opened");
	}
	c->handle = h;
	sqlite3_extended_result_codes(h, 1);
	sqlite3_busy_timeout(h, BUSY_TIMEOUT_MS);
	/* secure_delete=FAST zeroes what a delete or an update frees inside a page, so a purged
	 * account leaves no copy behind (PRODUCT.md). temp_store=MEMORY: a SAVEPOINT (each
	 * booking of a shared commit has one, db/group.c) keeps the original of every page it
	 * changes in a sub-journal, a temporary file otherwise: one write(2) per page, 12 % of
	 * the bookings' throughput. What the file itself keeps (auto_vacuum, WAL) is set once,
	 * by sq_open: setting it again on each new connection takes a lock, and connections
	 * opened while bookings commit then waited in the busy handler for up to seconds. */
	rc = run_simple(c,
			"PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA secure_delete=FAST;"
			" PRAGMA mmap_size=268435456; PRAGMA temp_store=MEMORY",
			e);
	if (rc < 0) {
		sqlite3_close_v2(h);
		c->handle = NULL;
	}
	return rc;
}

static void sq_disconnect(db_conn *c)
{
	stmt_cache_free(c);
	sqlite3_close_v2(c->handle);
	c->handle = NULL;
}

/* SQLite's memory statistics take one process-wide mutex on every allocation, which the
 * request threads then queue on; nothing here reads the statistics. Must run before
 * SQLite initialises (a later call is refused by SQLite and changes nothing). */
static pthread_once_t config_once = PTHREAD_ONCE_INIT;
static void sq_config(void)
{
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static int sq_open(db *d, struct err *e)
{
	pthread_once(&config_once, sq_config);
	/* The first connection is made now: a bad path fails at start, and a new store gets
	 * auto_vacuum before anyone creates a table. */
	db_conn *c = &d->conns[0];
	int rc = sq_connect(c, e);
	/* auto_vacuum only takes effect on a store without tables yet, before WAL is set; on an
	 * existing store it changes nothing. Both are kept in the file. */
	if (rc == 0)
		rc = run_simple(c, "PRAGMA auto_vacuum=INCREMENTAL; PRAGMA journal_mode=WAL", e);
	if (rc < 0)
		return rc;
	char *real = realpath(d->path, NULL);
	d->writer = writer_get(real ? real : d->path);
	free(real);
	return 0;
}

static void sq_close(db *d)
{
	if (d->writer)
		writer_put(d->writer);
	d->writer = NULL;
}

/* --- transactions -------------------------------------------------------------------- */

static int sq_begin(db_conn *c, struct err *e)
{
	int rc = writer_lock(c, e);
	if (rc < 0)
		return rc;
	rc = run_simple(c, "BEGIN IMMEDIATE", e);
	if (rc < 0) {
		writer_unlock(c);
		return rc;
	}
	c->in_tx = 1;
	return 0;
}

static void sq_rollback(db_conn *c)
{
	if (!sqlite3_get_autocommit(c->handle))
		sqlite3_exec(c->handle, "ROLLBACK", NULL, NULL, NULL);
	c->in_tx = 0;
	writer_unlock(c);
}

static int sq_commit(db_conn *c, struct err *e)
{
	int rc = run_simple(c, "COMMIT", e);
	if (rc < 0) {
		sq_rollback(c);
		return rc;
	}
	c->in_tx = 0;
	writer_unlock(c);
	return 0;
}

/* --- statements ---------------------------------------------------------------------- */

/* Prepares one statement (or takes it from the connection's cache) and binds $N by name:
 * SQLite numbers "$N" parameters by first appearance, so "$2 ... $1" would otherwise swap
 * them. Every parameter the statement names must be one of $1..$n. *out is given back with
 * stmt_put. */
static int prepare(db_conn *c, const char *sql, const db_param *p, int n, sqlite3_stmt **out, struct err *e)
{
	*out = NULL;
	sqlite3_stmt *st = NULL;
	int rc = stmt_get(c, sql, &st, e);
	if (rc < 0)
		return rc;
	int count = sqlite3_bind_parameter_count(st);
	for (int i = 1; i <= count; i++) {
		const char *name = sqlite3_bind_parameter_name(st, i);
		char *end = NULL;
		long k = name && name[0] == '$' ? strtol(name + 1, &end, 10) : 0;
		if (k < 1 || k > n || !end || *end) {
			log_error("db: parameter %s not among $1..$%d sql=%s", name ? name : "?", n, sql);
			stmt_put(c, st);
			return db_fail(e, DB_ERROR, "store error");
		}
		const db_param *v = &p[k - 1];
		switch (v->type) {
		case DBT_NULL:
			rc = sqlite3_bind_null(st, i);
			break;
		case DBT_INT:
			rc = sqlite3_bind_int64(st, i, v->i);
			break;
		case DBT_TEXT:
			if (!v->p)
				rc = sqlite3_bind_null(st, i);
			else if (v->len == (size_t)-1)
				rc = sqlite3_bind_text(st, i, v->p, -1, SQLITE_STATIC);
			else
				rc = sqlite3_bind_text64(st, i, v->p, v->len, SQLITE_STATIC, SQLITE_UTF8);
			break;
		case DBT_BLOB:
			if (v->len == 0 || !v->p)
				rc = sqlite3_bind_zeroblob(st, i, 0);
			else
				rc = sqlite3_bind_blob64(st, i, v->p, v->len, SQLITE_STATIC);
			break;
		default:
			rc = SQLITE_MISUSE;
		}
		if (rc != SQLITE_OK) {
			rc = map_error(c, rc, sql, e);
			stmt_put(c, st);
			return rc;
		}
	}
	*out = st;
	return 0;
}

static int sq_exec(db_conn *c, const char *sql, const db_param *p, int n, struct err *e)
{
	sqlite3_stmt *st;
	int rc = prepare(c, sql, p, n, &st, e);
	if (rc < 0)
		return rc;
	int ro = sqlite3_stmt_readonly(st);
	int locked = 0;
	if (!ro && !c->in_tx) {
		if ((rc = writer_lock(c, e)) < 0) {
			stmt_put(c, st);
			return rc;
		}
		locked = 1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	int result;
	if (rc == SQLITE_DONE) {
		sqlite3_int64 changed = ro ? 0 : sqlite3_changes64(c->handle);
		result = changed > INT_MAX ? INT_MAX : (int)changed;
	} else {
		result = map_error(c, rc, sql, e);
	}
	stmt_put(c, st);
	if (locked)
		writer_unlock(c);
	return result;
}

static int sq_query(db_conn *c, const char *sql, const db_param *p, int n, db_rows *r, struct err *e)
{
	sqlite3_stmt *st;
	int rc = prepare(c, sql, p, n, &st, e);
	if (rc < 0)
		return rc;
	if (!sqlite3_stmt_readonly(st) && !c->in_tx) {
		if ((rc = writer_lock(c, e)) < 0) {
			stmt_put(c, st);
			return rc;
		}
		r->writer = 1;
	}
	r->h = st;
	/* The first step runs the statement, so errors (a conflict on INSERT ... RETURNING)
	 * are reported by db_query itself. */
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		r->pos = 1;
		return 0;
	}
	if (rc == SQLITE_DONE) {
		r->done = 1;
		return 0;
	}
	rc = map_error(c, rc, sql, e);
	stmt_put(c, st);
	r->h = NULL;
	if (r->writer)
		writer_unlock(c);
	r->writer = 0;
	return rc;
}

static void rows_finish(db_rows *r)
{
	stmt_put(r->c, r->h);
	r->h = NULL;
	r->done = 1;
	if (r->writer) {
		r->writer = 0;
		writer_unlock(r->c);
	}
}

static int sq_rows_next(db_rows *r, struct err *e)
{
	if (r->pos == 1) {
		r->pos = 2;
		return 1;
	}
	int rc = sqlite3_step(r->h);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE) {
		rows_finish(r);
		return 0;
	}
	rc = map_error(r->c, rc, sqlite3_sql(r->h), e);
	rows_finish(r);
	return rc;
}

static int sq_rows_count_columns(const db_rows *r)
{
	return r->h ? sqlite3_column_count(r->h) : 0;
}

static int sq_rows_is_null(const db_rows *r, int col)
{
	return !r->h || sqlite3_column_type(r->h, col) == SQLITE_NULL;
}

static int64_t sq_rows_int(const db_rows *r, int col)
{
	return r->h ? sqlite3_column_int64(r->h, col) : 0;
}

static const char *sq_rows_text(const db_rows *r, int col)
{
	return r->h ? (const char *)sqlite3_column_text(r->h, col) : NULL;
}

static const void *sq_rows_blob(const db_rows *r, int col, size_t *len)
{
	*len = 0;
	if (!r->h || sqlite3_column_type(r->h, col) == SQLITE_NULL)
		return NULL;
	const void *p = sqlite3_column_blob(r->h, col);
	*len = (size_t)sqlite3_column_bytes(r->h, col);
	return p ? p : "";
}

static void sq_rows_free(db_rows *r)
{
	if (r->h || r->writer)
		rows_finish(r);
}

static int sq_exec_script(db_conn *c, const char *sql, struct err *e)
{
	int locked = 0, rc;
	if (!c->in_tx) {
		if ((rc = writer_lock(c, e)) < 0)
			return rc;
		locked = 1;
	}
	rc = run_simple(c, sql, e);
	if (locked)
		writer_unlock(c);
	return rc;
}

const struct db_driver db_sqlite_driver = {
	.name = "sqlite",
	.kind = DB_SQLITE,
	.open = sq_open,
	.close = sq_close,
	.connect = sq_connect,
	.disconnect = sq_disconnect,
	.begin = sq_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.exec = sq_exec,
	.query = sq_query,
	.exec_script = sq_exec_script,
	.rows_next = sq_rows_next,
	.rows_count_columns = sq_rows_count_columns,
	.rows_is_null = sq_rows_is_null,
	.rows_int = sq_rows_int,
	.rows_text = sq_rows_text,
	.rows_blob = sq_rows_blob,
	.rows_free = sq_rows_free,
};
