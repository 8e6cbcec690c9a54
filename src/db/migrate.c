/* migrate.c — the migrations embedded in the binary (src/db/migrations/, table
 * db_migration_files). A file is NNNN_name.sql (both stores) or NNNN_name.sqlite.sql +
 * NNNN_name.pg.sql (types differ). Each is applied in its own transaction and recorded in
 * schema_migrations with the SHA-256 of the file applied; on PostgreSQL the transaction
 * first takes pg_advisory_xact_lock, so servers starting together apply each migration once,
 * and the lock is transaction-scoped, so PgBouncer in transaction mode works. */
#include "db/db_int.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/embed.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "base/banned.h"

static const int64_t MIGRATION_LOCK_KEY = 0x4372656e6561; /* "Crenea" */
enum { MAX_MIGRATIONS = 1000 };

struct migration {
	int version;
	char name[96]; /* "0001_core" */
	char checksum[65];
	const struct embedded_file *file;
};

struct applied {
	int version;
	char name[96];
	char checksum[65];
};

static const char *SCHEMA_SQLITE =
	"CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY,"
	" name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT";
static const char *SCHEMA_PG = "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY,"
			       " name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at BIGINT NOT NULL)";

static void sha256_hex(const char *data, size_t len, char out[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)data, len);
	sodium_bin2hex(out, 65, h, sizeof(h));
}

/* Splits "0002_jobs.pg.sql" into version 2, name "0002_jobs", store "pg". */
static int parse_file_name(const char *fname, int *version, char *name, size_t cap, const char **store)
{
	size_t len = strlen(fname);
	if (len < 10 || len >= cap + 11)
		return -1;
	for (int i = 0; i < 4; i++)
		if (fname[i] < '0' || fname[i] > '9')
			return -1;
	if (fname[4] != '_')
		return -1;
	*version =
		(fname[0] - '0') * 1000 + (fname[1] - '0') * 100 + (fname[2] - '0') * 10 + (fname[3] - '0');
	const char *dot = strchr(fname, '.');
	if (!dot || dot == fname + 5)
		return -1;
	for (const char *s = fname + 5; s < dot; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return -1;
	if (!strcmp(dot, ".sql"))
		*store = "";
	else if (!strcmp(dot, ".sqlite.sql"))
		*store = "sqlite";
	else if (!strcmp(dot, ".pg.sql"))
		*store = "pg";
	else
		return -1;
	snprintf(name, cap, "%.*s", (int)(dot - fname), fname);
	return 0;
}

static int cmp_migration(const void *a, const void *b)
{
	return ((const struct migration *)a)->version - ((const struct migration *)b)->version;
}

/* The migrations of this binary for this store, by version. Refuses a version with no file
 * (or two) for this store: that is a packaging bug, found at the first start. */
static int load_known(db *d, const struct embedded_file *files, struct migration **out, int *count,
		      struct err *e)
{
	const char *mine = d->drv->kind == DB_PG ? "pg" : "sqlite";
	int n = 0;
	struct migration *m = xcalloc(MAX_MIGRATIONS, sizeof(*m));
	char seen[10000] = {0}; /* versions that have any file */
	for (const struct embedded_file *f = files; f->name; f++) {
		int v;
		char name[96];
		const char *store;
		if (parse_file_name(f->name, &v, name, sizeof(name), &store) < 0) {
			free(m);
			return err_set(e, 500, "migration_refused", NULL,
				       "migration file name %s is not NNNN_name[.sqlite|.pg].sql", f->name);
		}
		seen[v] = 1;
		if (*store && strcmp(store, mine))
			continue;
		for (int i = 0; i < n; i++)
			if (m[i].version == v) {
				free(m);
				return err_set(e, 500, "migration_refused", NULL,
					       "two migration files for version %04d on %s", v, d->drv->name);
			}
		if (n == MAX_MIGRATIONS) {
			free(m);
			return err_set(e, 500, "migration_refused", NULL, "too many migrations");
		}
		m[n].version = v;
		snprintf(m[n].name, sizeof(m[n].name), "%s", name);
		sha256_hex(f->data, f->len, m[n].checksum);
		m[n].file = f;
		n++;
	}
	for (int v = 0; v < 10000; v++) {
		if (!seen[v])
			continue;
		int found = 0;
		for (int i = 0; i < n && !found; i++)
			found = m[i].version == v;
		if (!found) {
			free(m);
			return err_set(e, 500, "migration_refused", NULL, "migration %04d has no file for %s",
				       v, d->drv->name);
		}
	}
	qsort(m, (size_t)n, sizeof(*m), cmp_migration);
	*out = m;
	*count = n;
	return 0;
}

static int load_applied(db_conn *c, struct applied **out, int *count, struct err *e)
{
	db_rows *r;
	int rc = db_query(c, "SELECT version, name, checksum FROM schema_migrations ORDER BY version",
			  DB_NOARGS, &r, e);
	if (rc < 0)
		return rc;
	int n = 0, cap = 16;
	struct applied *a = xcalloc((size_t)cap, sizeof(*a));
	while ((rc = db_rows_next(r, e)) == 1) {
		if (n == cap) {
			cap *= 2;
			a = xrealloc(a, (size_t)cap * sizeof(*a));
		}
		a[n].version = (int)db_rows_int(r, 0);
		snprintf(a[n].name, sizeof(a[n].name), "%s", db_rows_text(r, 1));
		snprintf(a[n].checksum, sizeof(a[n].checksum), "%s", db_rows_text(r, 2));
		n++;
	}
	db_rows_free(r);
	if (rc < 0) {
		free(a);
		return rc;
	}
	*out = a;
	*count = n;
	return 0;
}

static const struct migration *find_known(const struct migration *m, int n, int version)
{
	for (int i = 0; i < n; i++)
		if (m[i].version == version)
			return &m[i];
	return NULL;
}

static int is_applied(const struct applied *a, int n, int version)
{
	for (int i = 0; i < n; i++)
		if (a[i].version == version)
			return 1;
	return 0;
}

static int check_applied(const struct migration *m, int nm, const struct applied *a, int na, struct err *e)
{
	for (int i = 0; i < na; i++) {
		const struct migration *k = find_known(m, nm, a[i].version);
		if (!k)
			return err_set(e, 500, "migration_refused", NULL,
				       "the store has migration %s, unknown to this binary"
				       " (a newer creneau applied it)",
				       a[i].name);
		if (strcmp(k->checksum, a[i].checksum) || strcmp(k->name, a[i].name))
			return err_set(e, 500, "migration_refused", NULL,
				       "migration %s was changed after it was applied"
				       " (checksum %.12s… in the store, %.12s… in this binary)",
				       a[i].name, a[i].checksum, k->checksum);
	}
	return 0;
}

/* One round: in one transaction, lock, re-read what is applied, apply the first pending
 * migration. Returns 1 when one was applied, 0 when none is pending. */
static int migrate_one(db_conn *c, const struct migration *m, int nm, struct err *e)
{
	int pg = c->d->drv->kind == DB_PG;
	int rc = db_begin(c, e);
	if (rc < 0)
		return rc;
	struct applied *a = NULL;
	int na = 0;
	if (pg)
		rc = db_exec(c, "SELECT pg_advisory_xact_lock($1)", DB_ARGS(DB_INT(MIGRATION_LOCK_KEY)), e);
	if (rc >= 0)
		rc = db_exec(c, pg ? SCHEMA_PG : SCHEMA_SQLITE, DB_NOARGS, e);
	if (rc >= 0)
		rc = load_applied(c, &a, &na, e);
	if (rc >= 0)
		rc = check_applied(m, nm, a, na, e);
	const struct migration *next = NULL;
	for (int i = 0; rc >= 0 && i < nm && !next; i++)
		if (!is_applied(a, na, m[i].version))
			next = &m[i];
	free(a);
	if (rc >= 0 && next) {
		log_info("db: applying migration %s on %s", next->name, c->d->drv->name);
		rc = db_exec_script(c, next->file->data, e);
		if (rc < 0)
			log_error("db: migration %s failed: %s", next->name, e ? e->message : "");
		else
			rc = db_exec(c,
				     "INSERT INTO schema_migrations (version, name, checksum, applied_at)"
				     " VALUES ($1, $2, $3, $4)",
				     DB_ARGS(DB_INT(next->version), DB_TEXT(next->name),
					     DB_TEXT(next->checksum), DB_INT(clock_now())),
				     e);
	}
	if (rc < 0) {
		db_rollback(c);
		return rc;
	}
	rc = db_commit(c, e);
	if (rc < 0)
		return rc;
	return next ? 1 : 0;
}

int db_migrate_files(db *d, const struct embedded_file *files, struct err *e)
{
	struct migration *m;
	int nm;
	int rc = load_known(d, files, &m, &nm, e);
	if (rc < 0)
		return rc;
	db_conn *c;
	rc = db_acquire(d, &c, e);
	if (rc == 0) {
		/* DB_RETRY: a deadlock, or PostgreSQL statements that stopped being prepared (pg.c) */
		for (int retries = 0;
		     (rc = migrate_one(c, m, nm, e)) == 1 || (rc == DB_RETRY && retries++ < 5);)
			;
		db_release(c);
	}
	free(m);
	return rc < 0 ? rc : 0;
}

int db_migrate(db *d, struct err *e)
{
	return db_migrate_files(d, db_migration_files, e);
}

static int table_exists(db_conn *c, int *exists, struct err *e)
{
	int64_t n = 0;
	int rc = db_query_int(c,
			      c->d->drv->kind == DB_PG
				      ? "SELECT count(*) FROM pg_catalog.pg_tables WHERE tablename ="
					" 'schema_migrations' AND schemaname = current_schema()"
				      : "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND"
					" name = 'schema_migrations'",
			      DB_NOARGS, &n, e);
	*exists = n > 0;
	return rc < 0 ? rc : 0;
}

int db_migrate_status_files(db *d, const struct embedded_file *files,
			    void (*line)(void *ctx, const char *text), void *ctx, struct err *e)
{
	struct migration *m;
	int nm;
	int rc = load_known(d, files, &m, &nm, e);
	if (rc < 0)
		return rc;
	db_conn *c;
	struct applied *a = NULL;
	int na = 0, exists = 0;
	rc = db_acquire(d, &c, e);
	if (rc < 0) {
		free(m);
		return rc;
	}
	rc = table_exists(c, &exists, e);
	if (rc == 0 && exists)
		rc = load_applied(c, &a, &na, e);
	db_release(c);
	if (rc < 0) {
		free(m);
		return rc;
	}
	char text[256];
	for (int i = 0; i < nm; i++) {
		const struct applied *ap = NULL;
		for (int j = 0; j < na; j++)
			if (a[j].version == m[i].version)
				ap = &a[j];
		if (!ap)
			snprintf(text, sizeof(text), "%s pending", m[i].name);
		else if (strcmp(ap->checksum, m[i].checksum) || strcmp(ap->name, m[i].name))
			snprintf(text, sizeof(text),
				 "%s applied CHECKSUM DIFFERS (store %.12s, binary %.12s)", m[i].name,
				 ap->checksum, m[i].checksum);
		else
			snprintf(text, sizeof(text), "%s applied checksum ok", m[i].name);
		line(ctx, text);
	}
	for (int j = 0; j < na; j++)
		if (!find_known(m, nm, a[j].version)) {
			snprintf(text, sizeof(text), "%s applied UNKNOWN TO THIS BINARY", a[j].name);
			line(ctx, text);
		}
	free(a);
	free(m);
	return 0;
}

int db_migrate_status(db *d, void (*line)(void *ctx, const char *text), void *ctx, struct err *e)
{
	return db_migrate_status_files(d, db_migration_files, line, ctx, e);
}
