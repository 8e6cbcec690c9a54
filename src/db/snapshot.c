/* snapshot.c — online copy and inspection of SQLite store files (snapshot.h). */
#include "db/snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/log.h"
#include "base/banned.h"

enum { SNAPSHOT_BUSY_MS = 10000 };

static int fail(struct err *e, sqlite3 *h, const char *what, const char *path)
{
	return err_set(e, 500, "backup_failed", NULL, "%s %s: %s", what, path,
		       h ? sqlite3_errmsg(h) : "out of memory");
}

/* fsync a file by name (flags: O_RDONLY works for both files and directories on Linux). */
static int sync_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	close(fd);
	return rc;
}

static int sync_parent(const char *path)
{
	char copy[4096];
	if (snprintf(copy, sizeof(copy), "%s", path) >= (int)sizeof(copy))
		return -1;
	return sync_path(dirname(copy));
}

int db_snapshot_copy(const char *src, const char *dst, int pages_per_step, int pause_ms,
		     struct db_snapshot_stats *stats, struct err *e)
{
	struct db_snapshot_stats st = {0};
	int64_t t0 = clock_mono_ms();
	char part[4096];
	struct stat sb;
	if (snprintf(part, sizeof(part), "%s.part", dst) >= (int)sizeof(part))
		return err_invalid(e, "DEST", "the destination path is too long");
	if (stat(dst, &sb) == 0)
		return err_set(e, 409, "exists", "DEST", "%s already exists", dst);
	if (stat(src, &sb) != 0)
		return err_set(e, 404, "not_found", "store", "no store at %s", src);
	unlink(part); /* a copy interrupted earlier */
	if (pages_per_step <= 0)
		pages_per_step = 256;

	sqlite3 *s = NULL, *d = NULL;
	sqlite3_backup *b = NULL;
	int rc = sqlite3_open_v2(src, &s, SQLITE_OPEN_READWRITE, NULL);
	if (rc != SQLITE_OK)
		goto src_fail;
	sqlite3_busy_timeout(s, SNAPSHOT_BUSY_MS);
	/* the read transaction pins one snapshot for every step: the copy is of one moment, and
	 * the server's commits meanwhile go to the WAL without restarting the copy */
	rc = sqlite3_exec(s, "BEGIN; SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		goto src_fail;
	rc = sqlite3_open_v2(part, &d, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK)
		goto dst_fail;
	b = sqlite3_backup_init(d, "main", s, "main");
	if (!b)
		goto dst_fail;
	for (;;) {
		int64_t s0 = clock_mono_ms();
		rc = sqlite3_backup_step(b, pages_per_step);
		int64_t took = clock_mono_ms() - s0;
		if (took > st.max_stall)
			st.max_stall = took;
		st.steps++;
		if (rc == SQLITE_DONE)
			break;
		if (rc != SQLITE_OK && rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
			break;
		if (pause_ms > 0)
			sqlite3_sleep(pause_ms);
	}
	st.pages = sqlite3_backup_pagecount(b);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE)
		goto dst_fail;
	sqlite3_exec(s, "COMMIT", NULL, NULL, NULL);
	sqlite3_close_v2(s);
	s = NULL;
	/* one self-contained file: no -wal to carry beside it */
	rc = sqlite3_exec(d, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		goto dst_fail;
	sqlite3_close_v2(d);
	d = NULL;
	if (sync_path(part) || rename(part, dst) || sync_parent(dst)) {
		int saved = errno;
		unlink(part);
		return err_set(e, 500, "backup_failed", NULL, "cannot write %s: %s", dst, strerror(saved));
	}
	if (stat(dst, &sb) == 0)
		st.bytes = sb.st_size;
	st.millis = clock_mono_ms() - t0;
	if (stats)
		*stats = st;
	return 0;

src_fail:
	fail(e, s, "cannot read the store", src);
	sqlite3_close_v2(s);
	return -1;
dst_fail:
	fail(e, d, "cannot write the copy", part);
	sqlite3_close_v2(d);
	sqlite3_close_v2(s);
	unlink(part);
	return -1;
}

static int has_sqlite_header(const char *path, int *yes, struct err *e)
{
	static const char magic[16] = "SQLite format 3";
	char head[16] = {0};
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(e, errno == ENOENT ? 404 : 500, "not_found", "FILE", "cannot open %s: %s",
			       path, strerror(errno));
	ssize_t n = read(fd, head, sizeof(head));
	close(fd);
	*yes = n == (ssize_t)sizeof(head) && !memcmp(head, magic, sizeof(head));
	return 0;
}

int db_snapshot_inspect(const char *path, struct db_snapshot_info *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	if (has_sqlite_header(path, &out->is_sqlite, e))
		return -1;
	if (!out->is_sqlite)
		return 0;
	sqlite3 *h = NULL;
	char uri[4200];
	if (snprintf(uri, sizeof(uri), "file:%s?mode=ro", path) >= (int)sizeof(uri))
		return err_invalid(e, "FILE", "the path is too long");
	int rc = sqlite3_open_v2(uri, &h, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
	if (rc != SQLITE_OK) {
		fail(e, h, "cannot open", path);
		sqlite3_close_v2(h);
		return -1;
	}
	sqlite3_busy_timeout(h, SNAPSHOT_BUSY_MS);
	sqlite3_stmt *q = NULL;
	rc = sqlite3_prepare_v2(h, "PRAGMA integrity_check(1)", -1, &q, NULL);
	if (rc == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(q, 0);
		snprintf(out->integrity, sizeof(out->integrity), "%s", t ? t : "");
		out->integrity_ok = t && !strcmp(t, "ok");
	} else {
		snprintf(out->integrity, sizeof(out->integrity), "%s", sqlite3_errmsg(h));
	}
	sqlite3_finalize(q);
	q = NULL;
	if (sqlite3_prepare_v2(
		    h,
		    "SELECT (SELECT count(*) FROM schema_migrations WHERE version = 1 AND name = "
		    "'0001_core'), version, name FROM schema_migrations ORDER BY version DESC LIMIT 1",
		    -1, &q, NULL) == SQLITE_OK &&
	    sqlite3_step(q) == SQLITE_ROW) {
		out->has_migrations = sqlite3_column_int(q, 0) == 1;
		out->max_version = sqlite3_column_int(q, 1);
		const char *n = (const char *)sqlite3_column_text(q, 2);
		snprintf(out->max_name, sizeof(out->max_name), "%s", n ? n : "");
	}
	sqlite3_finalize(q);
	sqlite3_close_v2(h);
	return 0;
}
