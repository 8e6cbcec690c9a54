/* db_int.h — private to src/db: the driver table, the pool, the connection and row
 * layouts shared by db.c, pool.c, migrate.c, fault.c and the drivers. Nothing outside
 * src/db includes it. */
#ifndef CRENEAU_DB_INT_H
#define CRENEAU_DB_INT_H
#include <pthread.h>
#include <stdatomic.h>

#include "db/db.h"

struct db_writer; /* the process-wide SQLite writer mutex of one store file (sqlite.c) */

/* One driver: curl's vtls style. Every function gets a connection whose handle is live
 * (connect was called by the pool); errors are mapped to enum db_rc with *e filled. */
struct db_driver {
	const char *name; /* "sqlite" | "postgresql" */
	enum db_kind kind;
	/* Store-wide set-up at db_open (SQLite: pragmas of a new store, the writer mutex). */
	int (*open)(db *d, struct err *e);
	void (*close)(db *d);
	/* Makes c->handle usable: connects lazily, re-establishes a broken connection. */
	int (*connect)(db_conn *c, struct err *e);
	void (*disconnect)(db_conn *c);
	int (*begin)(db_conn *c, struct err *e);
	int (*commit)(db_conn *c, struct err *e);
	void (*rollback)(db_conn *c);
	int (*exec)(db_conn *c, const char *sql, const db_param *p, int n, struct err *e);
	int (*query)(db_conn *c, const char *sql, const db_param *p, int n, db_rows *r, struct err *e);
	int (*exec_script)(db_conn *c, const char *sql, struct err *e);
	int (*rows_next)(db_rows *r, struct err *e);
	int (*rows_count_columns)(const db_rows *r);
	int (*rows_is_null)(const db_rows *r, int col);
	int64_t (*rows_int)(const db_rows *r, int col);
	const char *(*rows_text)(const db_rows *r, int col);
	const void *(*rows_blob)(const db_rows *r, int col, size_t *len);
	void (*rows_free)(db_rows *r);
};

extern const struct db_driver db_sqlite_driver;
extern const struct db_driver db_pg_driver;

struct db_conn {
	db *d;
	void *handle; /* sqlite3* or PGconn*; NULL until connected */
	int in_tx;
	int holds_writer; /* SQLite: this connection holds the writer mutex */
	int in_use;
	void *cache;		 /* driver's per-connection state (statement cache) */
	char conflict_name[128]; /* after DB_CONFLICT */
	int retry_seen;		 /* a statement of this transaction failed with DB_RETRY */
};

struct db_rows {
	db_conn *c;
	void *h;      /* sqlite3_stmt* or PGresult* */
	int pos;      /* PG: current row; SQLite: 1 when the first row was stepped by query */
	int nrows;    /* PG: rows in the result */
	int done;     /* no more rows */
	int writer;   /* SQLite: this statement holds the writer mutex until done */
	void **cells; /* PG: unescaped bytea of the current row, by column */
	size_t *cell_lens;
	int ncells;
};

struct db {
	const struct db_driver *drv;
	char *url;  /* PG connection URL */
	char *path; /* SQLite file */
	struct db_writer *writer;
	int pool_size, acquire_wait_ms;
	db_conn *conns;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int in_use, waiting;
	uint64_t timeouts, waits, wait_ns;
	atomic_long fault_k, fault_counted;
	atomic_int pg_prepare; /* pg.c: statements are prepared (until one goes missing) */
	/* group.c: transactions waiting to share a commit, and whether one thread runs them */
	pthread_mutex_t group_mu;
	pthread_cond_t group_cv;
	struct group_entry *group_head, *group_tail;
	int group_running;
	/* the runner's own connection, outside the pool: its page cache outlives a batch, where
	 * a pooled one finds it discarded whenever another connection wrote since its last use */
	db_conn group_conn;
};

/* fault.c: counts one statement; true when it must fail (then *e is filled). */
int db_fault_hit(db *d, struct err *e);

/* db.c: error helpers every driver uses. The message never holds SQL: that is logged. */
int db_fail(struct err *e, int rc, const char *what);
int db_fail_conflict(db_conn *c, struct err *e, const char *name);

/* migrate.c: db_migrate / db_migrate_status over a given table of files (tests). */
struct embedded_file;
int db_migrate_files(db *d, const struct embedded_file *files, struct err *e) WUR;
int db_migrate_status_files(db *d, const struct embedded_file *files,
			    void (*line)(void *ctx, const char *text), void *ctx, struct err *e) WUR;

/* db.c: fn in a transaction on c, with db_transact's retries. */
int db_transact_on(db_conn *c, int (*fn)(db_conn *c, void *ctx, struct err *e), void *ctx, struct err *e);

/* group.c */
void db_group_init(db *d);
void db_group_destroy(db *d);

/* pool.c */
int db_pool_init(db *d, struct err *e);
void db_pool_destroy(db *d);

#endif
