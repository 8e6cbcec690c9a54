/* db — the store layer: the only header the rest of the program includes to reach the
 * database. One interface, two drivers (SQLite: sqlite.c, PostgreSQL: pg.c) behind a table
 * of function pointers (db_int.h). The rest of the program never includes sqlite3.h or
 * libpq-fe.h.
 *
 * Rules every caller relies on (docs/internals/db.md says why):
 * - one SQL dialect: placeholders $1..$n on both stores, values always bound, never spliced;
 * - "now" is a parameter, never now() in a statement;
 * - integers are 64-bit, text is UTF-8, blobs are bytes;
 * - every function returns 0 (or a row count / a row flag, as documented) on success and
 *   a negative enum db_rc on failure, with the details in *e (status 500 for DB_ERROR, 409
 *   for DB_CONFLICT, 503 for DB_RETRY / DB_UNAVAILABLE / DB_POOL_TIMEOUT).
 *
 * Ownership: a struct db owns its connections; a db_conn is borrowed with db_acquire and
 * given back with db_release (which rolls back an open transaction); a db_rows belongs to
 * the caller until db_rows_free, and its text/blob pointers stay valid only until the next
 * db_rows_next or db_rows_free. */
#ifndef CRENEAU_DB_H
#define CRENEAU_DB_H
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

typedef struct db db;
typedef struct db_conn db_conn;
typedef struct db_rows db_rows;

enum db_rc {
	DB_OK = 0,
	DB_ERROR = -1,	      /* a bug: syntax, NOT NULL, CHECK, foreign key → 500 */
	DB_CONFLICT = -2,     /* a named unique / exclusion / trigger constraint → 409 */
	DB_RETRY = -3,	      /* busy, serialization failure, deadlock: try the transaction again */
	DB_UNAVAILABLE = -4,  /* the store cannot be reached → 503 */
	DB_POOL_TIMEOUT = -5, /* no connection freed within the pool's wait → 503 */
};

enum db_kind { DB_SQLITE, DB_PG };

struct db_options {
	int pool_size;	     /* connections; 0 = default (8) */
	int acquire_wait_ms; /* longest wait for a free connection; 0 = default (2000) */
	int pg_unnamed;	     /* PostgreSQL: never prepare statements (a pooler in transaction
				mode that does not track them, PgBouncer before 1.21; pg.c) */
};

/* Opens a store from its URL: "sqlite:PATH" (created if missing, with the pragmas of
 * ARCHITECTURE.md) or "postgresql://..." / "postgres://...". Connections are made lazily
 * on PostgreSQL, so a store that is down at start gives a working db whose acquires fail
 * with DB_UNAVAILABLE until it comes back. opts may be NULL. */
int db_open(const char *url, const struct db_options *opts, db **out, struct err *e) WUR;
/* Closes every connection; waits for none (call after all users are gone). */
void db_close(db *d);
enum db_kind db_kind(const db *d);
const char *db_kind_name(const db *d); /* "sqlite" | "postgresql" */

/* Borrows a connection, waiting at most acquire_wait_ms. On PostgreSQL a broken
 * connection is re-established here (so the server recovers when the store returns). */
int db_acquire(db *d, db_conn **out, struct err *e) WUR;
/* Gives the connection back; rolls back a transaction left open. NULL is ignored. */
void db_release(db_conn *c);

/* A write transaction: BEGIN IMMEDIATE behind the process-wide writer mutex on SQLite,
 * BEGIN on PostgreSQL. Exactly one of db_commit / db_rollback ends it. */
int db_begin(db_conn *c, struct err *e) WUR;
int db_commit(db_conn *c, struct err *e) WUR;
void db_rollback(db_conn *c);
int db_in_transaction(const db_conn *c);

/* A bound value. Build them with the DB_* macros. TEXT is NUL-terminated unless len is
 * given with DB_TEXTN. Pointers must stay valid for the duration of the call only. */
enum db_type { DBT_NULL, DBT_INT, DBT_TEXT, DBT_BLOB };
typedef struct db_param {
	enum db_type type;
	int64_t i;
	const void *p;
	size_t len; /* for TEXT: (size_t)-1 means strlen */
} db_param;

#define DB_NULL	  ((db_param){.type = DBT_NULL})
#define DB_INT(v) ((db_param){.type = DBT_INT, .i = (int64_t)(v)})
/* NULL text binds SQL NULL. A function, so arrays can be passed without -Waddress noise. */
static inline db_param db_text_param(const char *s)
{
	db_param p = {.type = s ? DBT_TEXT : DBT_NULL, .p = s, .len = (size_t)-1};
	return p;
}
#define DB_TEXT(s)     db_text_param(s)
#define DB_TEXTN(s, n) ((db_param){.type = DBT_TEXT, .p = (s), .len = (n)})
#define DB_BLOB(b, n)  ((db_param){.type = DBT_BLOB, .p = (b), .len = (n)})
/* DB_ARGS(DB_INT(1), DB_TEXT(x)) expands to "params, count" for the calls below. */
#define DB_ARGS(...)                                                                                         \
	((const db_param[]){__VA_ARGS__}), (int)(sizeof((const db_param[]){__VA_ARGS__}) / sizeof(db_param))
#define DB_NOARGS NULL, 0

/* Runs a statement that returns no rows (or whose rows are ignored). Returns the number of
 * rows changed (>= 0) or a negative db_rc. Outside a transaction on SQLite a statement that
 * writes takes the writer mutex for its duration. */
int db_exec(db_conn *c, const char *sql, const db_param *params, int nparams, struct err *e) WUR;
/* Runs a query; *out receives the rows to walk with db_rows_next. */
int db_query(db_conn *c, const char *sql, const db_param *params, int nparams, db_rows **out,
	     struct err *e) WUR;
/* Runs a query expected to return at most one row and reads its first column as an
 * integer: returns 1 and sets *out when there is a row, 0 when none, negative on error. */
int db_query_int(db_conn *c, const char *sql, const db_param *params, int nparams, int64_t *out,
		 struct err *e) WUR;
/* Runs several statements separated by ';' with no parameters (migrations, set-up). */
int db_exec_script(db_conn *c, const char *sql, struct err *e) WUR;

/* Advances to the next row: 1 when a row is there, 0 at the end, negative on error. */
int db_rows_next(db_rows *r, struct err *e) WUR;
int db_rows_count_columns(const db_rows *r);
int db_rows_is_null(const db_rows *r, int col);
int64_t db_rows_int(const db_rows *r, int col);
/* NULL for SQL NULL. */
const char *db_rows_text(const db_rows *r, int col);
const void *db_rows_blob(const db_rows *r, int col, size_t *len);
void db_rows_free(db_rows *r);

/* After DB_CONFLICT: the name of the violated constraint (unique index name, exclusion
 * constraint name, or the message of a trigger's RAISE), or "" if unknown. Valid until the
 * next statement on this connection. Constraint names are the same on both stores. */
const char *db_conflict_name(const db_conn *c);

/* Serialises the current transaction with every other one that takes the same key, until
 * commit or rollback (pg_advisory_xact_lock on PostgreSQL; nothing on SQLite, whose writer
 * mutex already serialises writers). Used before inserting into a table guarded by an exclusion
 * constraint: two transactions inserting overlapping rows at once otherwise wait on each other
 * and one dies of a deadlock instead of a clean conflict. */
int db_xact_lock(db_conn *c, int64_t key, struct err *e) WUR;

/* Pool figures for /metrics. */
struct db_pool_stats {
	int size, in_use, waiting;
	uint64_t timeouts; /* acquires that gave up */
	uint64_t waits;	   /* acquires that found no free connection and waited */
	uint64_t wait_ns;  /* total time those waits took, timeouts included */
};
void db_pool_stats(db *d, struct db_pool_stats *out);

/* Migrations embedded in the binary (src/db/migrations/). Applies the pending ones, each in
 * its own transaction (under pg_advisory_xact_lock on PostgreSQL so servers starting
 * together do not race), and refuses to run if an applied one's checksum changed. */
int db_migrate(db *d, struct err *e) WUR;
/* Prints one line per migration: version, name, applied or pending, checksum state. */
int db_migrate_status(db *d, void (*line)(void *ctx, const char *text), void *ctx, struct err *e) WUR;

/* Fault injection (tests only): the k-th statement run from now on (1 = the next one) on any
 * connection of this store fails with DB_ERROR as if the store had refused it; 0 disarms.
 * Statements run by db_begin/db_commit count too. Returns the statements counted since arming. */
void db_fault_fail_nth(db *d, long k);
long db_fault_counted(const db *d);

/* Runs fn inside a transaction, retrying up to 5 times when it fails with DB_RETRY (or when
 * any statement of it did, whatever fn returned).
 * fn returns 0 to commit or negative to roll back (its error stays in *e); a positive result
 * with an error set in *e (e.g. `return a(...) || b(...);`) rolls back too. */
int db_transact(db *d, int (*fn)(db_conn *c, void *ctx, struct err *e), void *ctx, struct err *e) WUR;

/* Purges and other work in batches: runs fn in a transaction of its own (db_transact), again
 * and again while the batch it reports was full — fn sets *done, a field of its ctx, to the
 * rows its transaction handled, and the runs stop at the first *done < batch. *total (may be
 * NULL) gets the sum. Each batch stays committed if a later one fails. */
int db_transact_batches(db *d, int (*fn)(db_conn *c, void *ctx, struct err *e), void *ctx, const int *done,
			int batch, int64_t *total, struct err *e) WUR;

/* db_transact for short, frequent write transactions of many threads at once (bookings):
 * the same contract, but on SQLite the transactions waiting at one moment share one commit
 * (group.c): one thread runs each fn in its own SAVEPOINT of one transaction, a fn that fails
 * is rolled back to its savepoint alone, and every caller returns only after the shared
 * COMMIT (or with its own error). fn may run on another thread than the caller's and, when the
 * shared transaction fails, once more alone: it must keep nothing but its ctx between runs.
 * On PostgreSQL it is db_transact. */
int db_transact_shared(db *d, int (*fn)(db_conn *c, void *ctx, struct err *e), void *ctx, struct err *e) WUR;

/* A "contains" pattern for LIKE … ESCAPE '\\' on both stores: "%text%" with ASCII letters
 * lower-cased (compare it with lower(column)) and LIKE's wildcards and the backslash escaped;
 * the text is cut to fit cap (at least 3). */
void db_like_pattern(const char *text, char *out, size_t cap);

#endif
