/* backup — backups, restores and the deletion ledger (docs/internals/backup.md,
 * docs/operations.md "Backups").
 *
 * The deletion ledger is an append-only text file outside the store (by default next to a
 * SQLite store, PATH.deletions; set --deletion-ledger to put it on another disk). Every account
 * deletion and every client erasure appends one line to it, fsync'd, inside the transaction that
 * makes the change (before its commit: a line whose transaction then failed is re-applied by a
 * restore, which errs towards the deletion the person asked for). A restore re-applies every
 * line, so what was deleted after a backup stays deleted once the backup is put back.
 * The ledger path is process-wide, set once at start-up (backup_ledger_configure). */
#ifndef CRENEAU_OPS_BACKUP_H
#define CRENEAU_OPS_BACKUP_H
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"
#include "db/snapshot.h"

#define BACKUP_KEEP_DAYS_DEFAULT 35
#define BACKUP_LEDGER_SUFFIX	 ".deletions"

/* Sets the ledger's path: `path` when not empty; else STORE.deletions for a sqlite:STORE URL;
 * else (PostgreSQL without a path) no ledger. Copies the strings. */
void backup_ledger_configure(const char *path, const char *store_url);
/* The ledger's path, or "" when there is none. */
const char *backup_ledger_path(void);

/* Appends "account deleted" for account_id (slug_hash: deletion_slug_hash of its slug) and
 * fsyncs it; 0 when written or when there is no ledger, -1 with 500 `ledger_failed` otherwise
 * (the caller then rolls its deletion back). */
int backup_ledger_account(int64_t account_id, const char *slug_hash, const char *origin, int64_t now,
			  struct err *e) WUR;
/* Appends "client erased" for the client (its public id read through c, in the caller's
 * transaction) and fsyncs it; same answers as above. */
int backup_ledger_client(db_conn *c, int64_t account_id, int64_t client_id, int64_t now, struct err *e) WUR;

/* `creneau backup DEST`: a consistent copy of the running SQLite store of store_url. DEST is a
 * file that must not exist, or a directory (the copy is then DEST/creneau-YYYYMMDDTHHMMSSZ.db).
 * The path written goes to out (cap bytes). PostgreSQL: refused (400 `use_pg_dump`) with the
 * commands to use instead. */
int backup_make(const char *store_url, const char *dest, int64_t now, char *out, size_t cap,
		struct db_snapshot_stats *stats, struct err *e) WUR;

/* `creneau backup --prune DIR`: removes DIR's backups (creneau-*.db) last modified more than
 * keep_days days before now; other files are never touched. Counts what it removed and kept. */
int backup_prune(const char *dir, int keep_days, int64_t now, int *removed, int *kept, struct err *e) WUR;

struct backup_restore_report {
	int from_version;     /* the backup's last migration */
	int accounts_deleted; /* ledger lines that deleted an account again */
	int clients_erased;   /* ledger lines that erased a client again */
	int lines_skipped;    /* already applied, unknown ids, or not this store's */
	char previous[4096];  /* where the replaced store was moved ("" when there was none) */
};

/* `creneau restore FILE`: refuses a FILE that is not a SQLite file, not a Créneau store
 * (no schema_migrations with 0001_core), from a newer schema than this binary's migrations,
 * or failing its integrity check (400 `not_a_store`, `newer_schema`, `corrupt_backup`); else
 * moves the current store aside (STORE.before-restore-TIME, with its -wal), copies FILE in its
 * place, applies the pending migrations and re-applies the whole deletion ledger. The server
 * must be stopped. SQLite only (PostgreSQL: pg_restore, then backup_replay_deletions). */
int backup_restore(const char *file, const char *store_url, int64_t now, struct backup_restore_report *r,
		   struct err *e) WUR;

/* Re-applies every line of the deletion ledger to the store d (idempotent): accounts not yet
 * deleted are deleted and purged at once, clients not yet erased are erased. A line whose ids
 * do not match the store (another store's ledger, a slug hash that differs) is skipped. */
int backup_replay_deletions(db *d, int64_t now, struct backup_restore_report *r, struct err *e) WUR;

#endif
