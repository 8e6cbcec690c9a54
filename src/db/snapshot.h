/* snapshot — file-level operations on a SQLite store, for backups and restores (src/ops/backup.h,
 * docs/internals/backup.md): a consistent online copy of a store that a server keeps writing
 * (SQLite's online backup API, in small steps inside one read transaction), and a look inside a
 * file that may or may not be a store, without changing it. Here rather than in src/ops because
 * only src/db may include sqlite3.h. Every function opens its own connections and closes them. */
#ifndef CRENEAU_DB_SNAPSHOT_H
#define CRENEAU_DB_SNAPSHOT_H
#include <stdint.h>

#include "base/err.h"

struct db_snapshot_stats {
	int64_t pages;	   /* pages copied */
	int64_t steps;	   /* backup steps taken */
	int64_t millis;	   /* wall time of the copy */
	int64_t bytes;	   /* size of the copy */
	int64_t max_stall; /* longest single step, ms: how long the copy ever held SQLite's locks */
};

/* Copies the SQLite file `src` (a live store: other processes may write it meanwhile) to `dst`
 * as it was when the copy began: one read transaction on src, pages_per_step pages per step and
 * pause_ms between steps, so writers are never blocked long (WAL). The copy is written to
 * dst + ".part", turned into a single file (journal_mode=DELETE), fsync'd, then renamed to dst
 * (and the directory fsync'd). dst must not exist. stats may be NULL. */
int db_snapshot_copy(const char *src, const char *dst, int pages_per_step, int pause_ms,
		     struct db_snapshot_stats *stats, struct err *e) WUR;

/* What a file holds, read without writing to it. */
struct db_snapshot_info {
	int is_sqlite;	     /* the file starts with SQLite's header */
	int has_migrations;  /* a schema_migrations table with 0001_core applied */
	int max_version;     /* highest migration applied (0 when none) */
	char max_name[96];   /* its name, e.g. "0028_office_checklist" */
	int integrity_ok;    /* PRAGMA integrity_check answered "ok" */
	char integrity[256]; /* its first line otherwise */
};

/* Fills *out about `path` (read-only; a -wal beside it is read too). Fails only when the file
 * cannot be read at all (404 when missing); a file that is not a store is described, not an
 * error. */
int db_snapshot_inspect(const char *path, struct db_snapshot_info *out, struct err *e) WUR;

#endif
