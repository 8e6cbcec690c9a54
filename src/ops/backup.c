/* backup.c — backups, prune, restore and the deletion ledger (backup.h). */
#include "ops/backup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "account/account.h"
#include "account/deletion.h"
#include "base/embed.h"
#include "base/log.h"
#include "base/tz.h"
#include "schedule/clients.h"
#include "base/banned.h"

enum { PATH_CAP = 4096, LINE_CAP = 512, COPY_PAGES = 256, COPY_PAUSE_MS = 2 };

/* ---- the ledger ---- */

static pthread_mutex_t ledger_mu = PTHREAD_MUTEX_INITIALIZER;
static char ledger_path[PATH_CAP];
static int ledger_replaying; /* a restore re-applies lines: it writes none */

void backup_ledger_configure(const char *path, const char *store_url)
{
	pthread_mutex_lock(&ledger_mu);
	if (path && *path)
		snprintf(ledger_path, sizeof(ledger_path), "%s", path);
	else if (store_url && !strncmp(store_url, "sqlite:", 7) && store_url[7])
		snprintf(ledger_path, sizeof(ledger_path), "%s%s", store_url + 7, BACKUP_LEDGER_SUFFIX);
	else
		ledger_path[0] = '\0';
	pthread_mutex_unlock(&ledger_mu);
}

const char *backup_ledger_path(void)
{
	return ledger_path;
}

/* Appends one line with one write(2) (O_APPEND), then fsync; the directory too when the file
 * was created. */
static int ledger_append(const char *line, struct err *e)
{
	if (ledger_replaying)
		return 0;
	pthread_mutex_lock(&ledger_mu);
	if (!ledger_path[0]) {
		pthread_mutex_unlock(&ledger_mu);
		return 0;
	}
	struct stat sb;
	int created = stat(ledger_path, &sb) != 0;
	int fd = open(ledger_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	size_t len = strlen(line);
	int rc = fd < 0 ? -1 : 0;
	if (!rc && write(fd, line, len) != (ssize_t)len)
		rc = -1;
	if (!rc && fsync(fd))
		rc = -1;
	int saved = errno;
	if (fd >= 0)
		close(fd);
	if (!rc && created) {
		char dir[PATH_CAP];
		snprintf(dir, sizeof(dir), "%s", ledger_path);
		char *slash = strrchr(dir, '/');
		if (slash)
			*(slash == dir ? slash + 1 : slash) = '\0';
		int dfd = open(slash ? dir : ".", O_RDONLY | O_CLOEXEC);
		if (dfd >= 0) {
			(void)fsync(dfd);
			close(dfd);
		}
	}
	if (rc)
		log_error("msg=\"deletion ledger not written\" path=%s error=\"%s\"", ledger_path,
			  strerror(saved));
	pthread_mutex_unlock(&ledger_mu);
	if (rc)
		return err_set(e, 500, "ledger_failed", NULL, "the deletion ledger cannot be written");
	return 0;
}

int backup_ledger_account(int64_t account_id, const char *slug_hash, const char *origin, int64_t now,
			  struct err *e)
{
	char line[LINE_CAP];
	snprintf(line, sizeof(line), "D1 account %lld %s %s %lld\n", (long long)account_id, slug_hash, origin,
		 (long long)now);
	return ledger_append(line, e);
}

int backup_ledger_client(db_conn *c, int64_t account_id, int64_t client_id, int64_t now, struct err *e)
{
	if (ledger_replaying || !ledger_path[0])
		return 0;
	db_rows *r;
	if (db_query(c, "SELECT public_id FROM clients WHERE account_id = $1 AND id = $2",
		     DB_ARGS(DB_INT(account_id), DB_INT(client_id)), &r, e) < 0)
		return -1;
	char line[LINE_CAP] = "";
	int rc = db_rows_next(r, e);
	if (rc == 1)
		snprintf(line, sizeof(line), "D1 client %lld %lld %s %lld\n", (long long)account_id,
			 (long long)client_id, db_rows_text(r, 0), (long long)now);
	db_rows_free(r);
	if (rc < 0)
		return -1;
	return rc == 1 ? ledger_append(line, e) : 0;
}

/* ---- backup ---- */

static const char *sqlite_path(const char *url)
{
	return url && !strncmp(url, "sqlite:", 7) && url[7] ? url + 7 : NULL;
}

static int refuse_pg(struct err *e, const char *what)
{
	return err_set(e, 400, "use_pg_dump", "store",
		       "%s works on a SQLite store only; on PostgreSQL use pg_dump -Fc (a logical copy) or "
		       "pg_basebackup with WAL archiving (a physical one), and pg_restore; see "
		       "docs/operations.md, \"Backups\"",
		       what);
}

static void stamp(int64_t now, char out[32])
{
	struct civil c;
	tz_utc_to_civil(now, &c);
	snprintf(out, 32, "%04d%02d%02dT%02d%02d%02dZ", c.year, c.month, c.day, c.hour, c.minute, c.second);
}

int backup_make(const char *store_url, const char *dest, int64_t now, char *out, size_t cap,
		struct db_snapshot_stats *stats, struct err *e)
{
	const char *src = sqlite_path(store_url);
	if (!src)
		return refuse_pg(e, "creneau backup");
	struct stat sb;
	char ts[32];
	if (stat(dest, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		stamp(now, ts);
		if (snprintf(out, cap, "%s/creneau-%s.db", dest, ts) >= (int)cap)
			return err_invalid(e, "DEST", "the destination path is too long");
	} else if (snprintf(out, cap, "%s", dest) >= (int)cap) {
		return err_invalid(e, "DEST", "the destination path is too long");
	}
	return db_snapshot_copy(src, out, COPY_PAGES, COPY_PAUSE_MS, stats, e);
}

/* ---- prune ---- */

/* creneau-*.db, the names backup_make gives in a directory */
static int is_backup_name(const char *n)
{
	size_t len = strlen(n);
	return len > 11 && !strncmp(n, "creneau-", 8) && !strcmp(n + len - 3, ".db");
}

int backup_prune(const char *dir, int keep_days, int64_t now, int *removed, int *kept, struct err *e)
{
	*removed = *kept = 0;
	if (keep_days < 1)
		return err_invalid(e, "keep-days", "--keep-days is at least 1");
	DIR *d = opendir(dir);
	if (!d)
		return err_set(e, 404, "not_found", "DIR", "cannot open %s: %s", dir, strerror(errno));
	int64_t cutoff = now - (int64_t)keep_days * 86400;
	struct dirent *de;
	int rc = 0;
	while ((de = readdir(d))) {
		if (!is_backup_name(de->d_name))
			continue;
		char p[PATH_CAP];
		struct stat sb;
		if (snprintf(p, sizeof(p), "%s/%s", dir, de->d_name) >= (int)sizeof(p) || lstat(p, &sb) ||
		    !S_ISREG(sb.st_mode))
			continue;
		if ((int64_t)sb.st_mtime >= cutoff) {
			(*kept)++;
			continue;
		}
		if (unlink(p)) {
			rc = err_set(e, 500, "prune_failed", NULL, "cannot remove %s: %s", p,
				     strerror(errno));
			break;
		}
		(*removed)++;
	}
	closedir(d);
	return rc;
}

/* ---- replaying the ledger ---- */

struct replay_account {
	int64_t id, now, at;
	const char *hash, *origin;
	int outcome; /* 0 skipped, 1 marked deleting now, 2 already deleting */
};

static int mark_deleting_tx(db_conn *c, void *ctx, struct err *e)
{
	struct replay_account *x = ctx;
	x->outcome = 0;
	db_rows *r;
	if (db_query(c, "SELECT state, slug FROM accounts WHERE id = $1", DB_ARGS(DB_INT(x->id)), &r, e) < 0)
		return -1;
	int rc = db_rows_next(r, e);
	char state[32] = "", hash[DELETION_HASH_SIZE] = "";
	if (rc == 1) {
		snprintf(state, sizeof(state), "%s", db_rows_text(r, 0));
		deletion_slug_hash(db_rows_text(r, 1), hash);
	}
	db_rows_free(r);
	if (rc <= 0)
		return rc;
	if (!strcmp(state, "deleted") || strcmp(hash, x->hash))
		return 0; /* done already, or not the account the line is about */
	if (!strcmp(state, "deleting")) {
		x->outcome = 2;
		return 0;
	}
	if (db_exec(c,
		    "UPDATE accounts SET state = 'deleting', state_reason = NULL, state_changed_at = $2,"
		    " deletion_requested_at = $3, updated_at = $2, version = version + 1 WHERE id = $1",
		    DB_ARGS(DB_INT(x->id), DB_INT(x->now), DB_INT(x->at)), e) < 0 ||
	    db_exec(c, "DELETE FROM sessions WHERE account_id = $1", DB_ARGS(DB_INT(x->id)), e) < 0 ||
	    db_exec(c, "DELETE FROM user_tokens WHERE account_id = $1", DB_ARGS(DB_INT(x->id)), e) < 0 ||
	    db_exec(c,
		    "INSERT INTO account_deletions (account_id, slug_hash, origin, requested_at)"
		    " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
		    DB_ARGS(DB_INT(x->id), DB_TEXT(x->hash), DB_TEXT(x->origin), DB_INT(x->at)), e) < 0)
		return -1;
	x->outcome = 1;
	return 0;
}

struct replay_client {
	int64_t account_id, id, now;
	const char *public_id;
	int erased;
};

static int erase_tx(db_conn *c, void *ctx, struct err *e)
{
	struct replay_client *x = ctx;
	x->erased = 0;
	db_rows *r;
	if (db_query(c, "SELECT public_id, anonymised_at FROM clients WHERE account_id = $1 AND id = $2",
		     DB_ARGS(DB_INT(x->account_id), DB_INT(x->id)), &r, e) < 0)
		return -1;
	int rc = db_rows_next(r, e);
	int match = rc == 1 && !strcmp(db_rows_text(r, 0), x->public_id) && db_rows_is_null(r, 1);
	db_rows_free(r);
	if (rc < 0)
		return -1;
	if (!match)
		return 0;
	rc = clients_anonymise(c, x->account_id, x->id, x->now, e);
	if (rc < 0)
		return -1;
	x->erased = rc > 0;
	return 0;
}

static int replay_line(db *d, char *line, int64_t now, struct backup_restore_report *r, struct err *e)
{
	char *f[8] = {0};
	int n = 0;
	for (char *s = line; *s && n < 8;) {
		while (*s == ' ')
			s++;
		if (!*s)
			break;
		f[n++] = s;
		while (*s && *s != ' ')
			s++;
		if (*s)
			*s++ = '\0';
	}
	char *end;
	if (n == 6 && !strcmp(f[0], "D1") && !strcmp(f[1], "account")) {
		struct replay_account x = {.now = now, .hash = f[3], .origin = f[4]};
		x.id = strtoll(f[2], &end, 10);
		x.at = strtoll(f[5], NULL, 10);
		if (strlen(f[3]) != DELETION_HASH_SIZE - 1 || db_transact(d, mark_deleting_tx, &x, e))
			return strlen(f[3]) != DELETION_HASH_SIZE - 1 ? (r->lines_skipped++, 0) : -1;
		if (!x.outcome) {
			r->lines_skipped++;
			return 0;
		}
		if (deletion_purge(d, x.id, now, e))
			return -1;
		r->accounts_deleted++;
		return 0;
	}
	if (n == 6 && !strcmp(f[0], "D1") && !strcmp(f[1], "client")) {
		struct replay_client x = {.now = now, .public_id = f[4]};
		x.account_id = strtoll(f[2], &end, 10);
		x.id = strtoll(f[3], &end, 10);
		if (db_transact(d, erase_tx, &x, e))
			return -1;
		if (x.erased)
			r->clients_erased++;
		else
			r->lines_skipped++;
		return 0;
	}
	r->lines_skipped++; /* a line cut by a crash, or an unknown kind */
	return 0;
}

int backup_replay_deletions(db *d, int64_t now, struct backup_restore_report *r, struct err *e)
{
	if (!ledger_path[0])
		return 0;
	FILE *f = fopen(ledger_path, "re");
	if (!f)
		return errno == ENOENT ? 0
				       : err_set(e, 500, "ledger_failed", NULL,
						 "cannot read the deletion ledger %s: %s", ledger_path,
						 strerror(errno));
	char line[LINE_CAP];
	int rc = 0;
	ledger_replaying = 1;
	while (!rc && fgets(line, sizeof(line), f)) {
		size_t len = strlen(line);
		if (!len || line[len - 1] != '\n') {
			r->lines_skipped++; /* the last line, cut by a crash while it was written */
			continue;
		}
		line[len - 1] = '\0';
		rc = replay_line(d, line, now, r, e);
	}
	ledger_replaying = 0;
	fclose(f);
	return rc;
}

/* ---- restore ---- */

/* The highest migration version embedded in this binary. */
static int binary_max_version(void)
{
	int max = 0;
	for (const struct embedded_file *f = db_migration_files; f->name; f++) {
		int v = 0, i = 0;
		for (; i < 4 && f->name[i] >= '0' && f->name[i] <= '9'; i++)
			v = v * 10 + (f->name[i] - '0');
		if (i == 4 && v > max)
			max = v;
	}
	return max;
}

static int move_aside(const char *from, const char *to)
{
	struct stat sb;
	if (stat(from, &sb) != 0)
		return 0;
	return rename(from, to);
}

int backup_restore(const char *file, const char *store_url, int64_t now, struct backup_restore_report *r,
		   struct err *e)
{
	memset(r, 0, sizeof(*r));
	const char *dst = sqlite_path(store_url);
	if (!dst)
		return err_set(
			e, 400, "use_pg_restore", "store",
			"creneau restore works on a SQLite store only; on PostgreSQL use pg_restore, "
			"then `creneau restore --replay-deletions`; see docs/operations.md, \"Backups\"");
	struct db_snapshot_info in;
	if (db_snapshot_inspect(file, &in, e))
		return -1;
	if (!in.is_sqlite || !in.has_migrations)
		return err_set(e, 400, "not_a_store", "FILE", "%s is not a Créneau store (%s)", file,
			       in.is_sqlite ? "a SQLite file without Créneau's schema_migrations"
					    : "not a SQLite file");
	int known = binary_max_version();
	if (in.max_version > known)
		return err_set(e, 400, "newer_schema", "FILE",
			       "%s comes from a newer Créneau (its schema is at %s; this binary knows up to "
			       "migration %04d): restore it with that version or a later one",
			       file, in.max_name, known);
	if (!in.integrity_ok)
		return err_set(e, 400, "corrupt_backup", "FILE", "%s fails its integrity check: %s", file,
			       in.integrity);
	r->from_version = in.max_version;

	/* the copy is made beside the store, then renamed into place */
	char tmp[PATH_CAP], ts[32], aside[PATH_CAP], from[PATH_CAP], to[PATH_CAP];
	stamp(now, ts);
	if (snprintf(tmp, sizeof(tmp), "%s.restoring", dst) >= (int)sizeof(tmp) ||
	    snprintf(aside, sizeof(aside), "%s.before-restore-%s", dst, ts) >= (int)sizeof(aside))
		return err_invalid(e, "store", "the store path is too long");
	unlink(tmp);
	if (db_snapshot_copy(file, tmp, 1 << 20, 0, NULL, e))
		return -1;
	struct stat sb;
	if (stat(dst, &sb) == 0) {
		static const char *const sfx[] = {"", "-wal", "-shm"};
		for (int i = 0; i < 3; i++) {
			snprintf(from, sizeof(from), "%s%s", dst, sfx[i]);
			snprintf(to, sizeof(to), "%s%s", aside, sfx[i]);
			if (move_aside(from, to)) {
				unlink(tmp);
				return err_set(e, 500, "restore_failed", NULL, "cannot move %s aside: %s",
					       from, strerror(errno));
			}
		}
		snprintf(r->previous, sizeof(r->previous), "%s", aside);
	}
	if (rename(tmp, dst)) {
		unlink(tmp);
		return err_set(e, 500, "restore_failed", NULL, "cannot put the copy in place: %s",
			       strerror(errno));
	}
	log_info("msg=\"restored\" file=%s store=%s schema=%s", file, dst, in.max_name);

	db *d;
	if (db_open(store_url, NULL, &d, e))
		return -1;
	int rc = db_migrate(d, e) || plans_load(d, e) || backup_replay_deletions(d, now, r, e) ? -1 : 0;
	db_close(d);
	return rc;
}
