/* export_archive — the full archive of an account (a ZIP written with libzip) and the jobs
 * that build it in the background and delete it after EXPORT_ARCHIVE_KEEP_S. The tables come
 * from the same list the account purge uses (deletion_account_tables), so a table added later
 * is in the archive without a change here. Columns that hold secrets (hashes, tokens,
 * passwords) and bytes (blobs) are left out. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

#include "account/deletion.h"
#include "base/buf.h"
#include "base/clock.h"
#include "data/export_int.h"
#include "db/files.h"
#include "jobs/jobs.h"
#include "base/banned.h"

#define ARCHIVE_TABLES_MAX 256
#define ARCHIVE_COLS_MAX   128
#define ARCHIVE_FILES_MAX  (ARCHIVE_TABLES_MAX + 4096)
#define INVOICE_PDF_MAX	   (16 * 1024 * 1024)

struct name_list {
	char (*names)[64];
	int n, cap;
};

static int add_name(void *ctx, const char *name, struct err *e)
{
	struct name_list *l = ctx;
	if (l->n >= l->cap)
		return err_internal(e, "too many tables for the archive");
	snprintf(l->names[l->n++], 64, "%s", name);
	return 0;
}

static int secret_column(const char *name)
{
	return strstr(name, "hash") || strstr(name, "secret") || strstr(name, "password") ||
	       strstr(name, "token") || strstr(name, "totp");
}

/* The columns of a table worth exporting, with 'i' (integer) or 't' (text) each. */
static int table_columns(db_conn *c, enum db_kind kind, const char *table, char cols[][64], char *types,
			 int *n, struct err *e)
{
	const char *sql = kind == DB_SQLITE ? "SELECT name, type FROM pragma_table_info($1) ORDER BY cid"
					    : "SELECT column_name, data_type FROM information_schema.columns"
					      " WHERE table_schema = current_schema() AND table_name = $1"
					      " ORDER BY ordinal_position";
	db_rows *r;
	if (db_query(c, sql, DB_ARGS(DB_TEXT(table)), &r, e))
		return -1;
	int rc;
	*n = 0;
	while ((rc = db_rows_next(r, e)) == 1) {
		const char *name = db_rows_text(r, 0), *type = db_rows_text(r, 1);
		if (!name || !type || secret_column(name) || !strcasecmp(type, "BLOB") ||
		    !strcmp(type, "bytea"))
			continue;
		size_t len = strlen(name);
		if (!len || len >= 64 || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") != len ||
		    *n >= ARCHIVE_COLS_MAX)
			continue;
		memcpy(cols[*n], name, len + 1);
		types[*n] = (!strcasecmp(type, "INTEGER") || !strcmp(type, "bigint") ||
			     !strcmp(type, "integer") || !strcmp(type, "smallint"))
				    ? 'i'
				    : 't';
		(*n)++;
	}
	db_rows_free(r);
	return rc < 0 ? -1 : 0;
}

/* data/<table>.json: {"table": ..., "rows": [{column: value}...]} streamed row by row. */
static int table_json(db *d, int64_t account_id, const char *table, const char *path, struct err *e)
{
	char(*cols)[64] = calloc(ARCHIVE_COLS_MAX, 64);
	char types[ARCHIVE_COLS_MAX];
	int n = 0;
	if (!cols)
		return err_internal(e, "out of memory");
	db_conn *c;
	if (db_acquire(d, &c, e)) {
		free(cols);
		return -1;
	}
	int rc = table_columns(c, db_kind(d), table, cols, types, &n, e);
	struct buf q;
	buf_init(&q, 64 * 1024);
	rc = rc || buf_appends(&q, "SELECT ");
	for (int i = 0; !rc && i < n; i++)
		rc = buf_appendf(&q, "%s\"%s\"", i ? ", " : "", cols[i]);
	rc = rc || buf_appendf(&q, "%s FROM \"%s\" WHERE account_id = $1", n ? "" : "1", table);
	FILE *f = rc ? NULL : fopen(path, "wb");
	if (!rc && !f)
		rc = err_internal(e, "cannot write %s", path);
	struct export_cursor cur = {0};
	if (!rc && fprintf(f, "{\"table\": \"%s\", \"rows\": [", table) < 0)
		rc = err_internal(e, "cannot write %s", path);
	if (!rc && export_cursor_open(&cur, c, db_kind(d), buf_str(&q), DB_ARGS(DB_INT(account_id)), e))
		rc = -1;
	int64_t rows = 0;
	while (!rc) {
		int got = export_cursor_next(&cur, e);
		if (got <= 0) {
			rc = got;
			break;
		}
		json_t *o = json_object();
		for (int i = 0; i < n; i++) {
			json_t *v = db_rows_is_null(cur.r, i) ? json_null()
				    : types[i] == 'i' ? json_integer((json_int_t)db_rows_int(cur.r, i))
						      : json_string(db_rows_text(cur.r, i));
			json_object_set_new(o, cols[i], v ? v : json_null());
		}
		if (fputs(rows++ ? ",\n  " : "\n  ", f) < 0 || json_dumpf(o, f, JSON_COMPACT))
			rc = err_internal(e, "cannot write %s", path);
		json_decref(o);
	}
	export_cursor_close(&cur);
	db_release(c);
	if (!rc && fputs(rows ? "\n]}\n" : "]}\n", f) < 0)
		rc = err_internal(e, "cannot write %s", path);
	if (f && fclose(f) && !rc)
		rc = err_internal(e, "cannot write %s", path);
	buf_release(&q);
	free(cols);
	return rc ? -1 : 0;
}

struct staged {
	char dir[256];
	char (*paths)[320];
	char (*names)[160];
	int n;
};

static const char *stage(struct staged *s, const char *name)
{
	if (s->n >= ARCHIVE_FILES_MAX)
		return NULL;
	snprintf(s->names[s->n], 160, "%s", name);
	snprintf(s->paths[s->n], 320, "%s/f%d", s->dir, s->n);
	return s->paths[s->n++];
}

/* invoices/<number>.pdf: the stored PDFs, unchanged. */
static int invoice_pdfs(db *d, int64_t account_id, struct staged *s, struct err *e)
{
	db_conn *c;
	db_rows *r;
	if (db_acquire(d, &c, e))
		return -1;
	if (db_query(c,
		     "SELECT number, pdf_file_id FROM invoices WHERE account_id = $1 AND state = 'final'"
		     " AND pdf_file_id IS NOT NULL ORDER BY id",
		     DB_ARGS(DB_INT(account_id)), &r, e)) {
		db_release(c);
		return -1;
	}
	/* the ids first (few), then the files, one at a time */
	struct {
		char number[64], file[FILES_ID_LEN + 1];
	} *list = NULL;
	int n = 0, cap = 0, rc;
	while ((rc = db_rows_next(r, e)) == 1 && n < 4000) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			void *grown = realloc(list, (size_t)cap * sizeof(*list));
			if (!grown) {
				rc = err_internal(e, "out of memory");
				break;
			}
			list = grown;
		}
		snprintf(list[n].number, sizeof(list[n].number), "%s", db_rows_text(r, 0));
		snprintf(list[n].file, sizeof(list[n].file), "%s", db_rows_text(r, 1));
		n++;
	}
	db_rows_free(r);
	for (int i = 0; rc >= 0 && i < n; i++) {
		struct buf pdf;
		buf_init(&pdf, INVOICE_PDF_MAX);
		char name[160];
		for (char *p = list[i].number; *p; p++)
			if (*p == '/' || *p == '\\')
				*p = '-';
		snprintf(name, sizeof(name), "invoices/%s.pdf", list[i].number);
		const char *path = stage(s, name);
		if (!path || files_get(c, account_id, list[i].file, INVOICE_PDF_MAX, &pdf, NULL, e)) {
			rc = path ? -1 : err_internal(e, "too many files for the archive");
		} else {
			FILE *f = fopen(path, "wb");
			if (!f || fwrite(pdf.data, 1, pdf.len, f) != pdf.len)
				rc = err_internal(e, "cannot write %s", path);
			if (f && fclose(f) && rc >= 0)
				rc = err_internal(e, "cannot write %s", path);
		}
		buf_release(&pdf);
	}
	free(list);
	db_release(c);
	return rc < 0 ? -1 : 0;
}

static void unstage(struct staged *s)
{
	for (int i = 0; i < s->n; i++)
		unlink(s->paths[i]);
	if (s->dir[0])
		rmdir(s->dir);
}

int export_archive(db *d, const struct account *a, const char *path, struct err *e)
{
	struct staged s = {0};
	struct name_list tables = {0};
	s.paths = calloc(ARCHIVE_FILES_MAX, sizeof(*s.paths));
	s.names = calloc(ARCHIVE_FILES_MAX, sizeof(*s.names));
	tables.names = calloc(ARCHIVE_TABLES_MAX, sizeof(*tables.names));
	tables.cap = ARCHIVE_TABLES_MAX;
	int rc = 0;
	if (!s.paths || !s.names || !tables.names)
		rc = err_internal(e, "out of memory");
	const char *tmp = getenv("TMPDIR");
	snprintf(s.dir, sizeof(s.dir), "%s/creneau-archive-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!rc && !mkdtemp(s.dir)) {
		s.dir[0] = '\0';
		rc = err_internal(e, "cannot make a temporary directory: %s", strerror(errno));
	}
	db_conn *c;
	if (!rc && !db_acquire(d, &c, e)) {
		rc = deletion_account_tables(c, db_kind(d), add_name, &tables, e);
		db_release(c);
	} else if (!rc) {
		rc = -1;
	}
	for (int i = 0; !rc && i < tables.n; i++) {
		char name[96];
		snprintf(name, sizeof(name), "data/%s.json", tables.names[i]);
		const char *p = stage(&s, name);
		rc = p ? table_json(d, a->id, tables.names[i], p, e) : err_internal(e, "too many files");
	}
	struct export_clients_opts csv = {.format = EXPORT_CSV}, vcf = {.format = EXPORT_VCF};
	struct export_appts_opts acsv = {.format = EXPORT_CSV, .all_time = 1, .with_cancelled = 1},
				 aics = {.format = EXPORT_ICS, .all_time = 1, .with_cancelled = 1};
	if (!rc)
		rc = export_clients(d, a, &csv, stage(&s, "clients.csv"), NULL, e);
	if (!rc)
		rc = export_clients(d, a, &vcf, stage(&s, "clients.vcf"), NULL, e);
	if (!rc)
		rc = export_appointments(d, a, &acsv, stage(&s, "appointments.csv"), NULL, e);
	if (!rc)
		rc = export_appointments(d, a, &aics, stage(&s, "appointments.ics"), NULL, e);
	if (!rc)
		rc = invoice_pdfs(d, a->id, &s, e);
	if (!rc) {
		int zerr = 0;
		zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
		if (!z)
			rc = err_internal(e, "cannot create the archive %s (libzip error %d)", path, zerr);
		for (int i = 0; !rc && i < s.n; i++) {
			zip_source_t *src = zip_source_file(z, s.paths[i], 0, -1);
			if (!src || zip_file_add(z, s.names[i], src, ZIP_FL_ENC_UTF_8) < 0) {
				if (src)
					zip_source_free(src);
				rc = err_internal(e, "cannot add %s to the archive: %s", s.names[i],
						  zip_strerror(z));
			}
		}
		if (z && !rc && zip_close(z) < 0)
			rc = err_internal(e, "cannot write the archive: %s", zip_strerror(z));
		if (z && rc)
			zip_discard(z);
	}
	unstage(&s);
	free(s.paths);
	free(s.names);
	free(tables.names);
	return rc ? -1 : 0;
}

/* ---- the background archive ---- */

int export_archive_request(db_conn *c, int64_t account_id, int64_t user_id, const char *ip, int64_t now,
			   char id_out[24], struct err *e)
{
	public_id_new("arc", id_out);
	char key[64], detail[64];
	snprintf(key, sizeof(key), "archive:%s", id_out);
	snprintf(detail, sizeof(detail), "{\"archive\": \"%s\"}", id_out);
	json_t *payload = json_pack("{s:s}", "archive", id_out);
	struct job_spec spec = {.kind = EXPORT_ARCHIVE_KIND,
				.unique_key = key,
				.account_id = account_id,
				.payload = payload,
				.run_at = now,
				.max_attempts = 3};
	int rc = db_exec(c,
			 "INSERT INTO export_archives (account_id, public_id, state, created_by, created_at)"
			 " VALUES ($1, $2, 'pending', $3, $4)",
			 DB_ARGS(DB_INT(account_id), DB_TEXT(id_out), user_id ? DB_INT(user_id) : DB_NULL,
				 DB_INT(now)),
			 e) < 0 ||
				 jobs_enqueue(c, &spec, e) < 0 ||
				 audit_write(c, account_id, user_id, 0, "export.archive_requested", id_out,
					     ip ? ip : "", detail, now, e)
			 ? -1
			 : 0;
	json_decref(payload);
	return rc;
}

struct ready_op {
	int64_t account_id, now;
	const char *archive;
	const char *data;
	size_t len;
	const char *error;
};

static int ready_tx(db_conn *c, void *ctx, struct err *e)
{
	struct ready_op *op = ctx;
	if (op->error)
		return db_exec(c,
			       "UPDATE export_archives SET state = 'failed', error = $3 WHERE account_id = $1"
			       " AND public_id = $2 AND state = 'pending'",
			       DB_ARGS(DB_INT(op->account_id), DB_TEXT(op->archive), DB_TEXT(op->error)),
			       e) < 0
			       ? -1
			       : 0;
	char file_id[FILES_ID_LEN + 1], name[64], key[64];
	snprintf(name, sizeof(name), "%s.zip", op->archive);
	snprintf(key, sizeof(key), "archive_end:%s", op->archive);
	int64_t expires = op->now + EXPORT_ARCHIVE_KEEP_S;
	json_t *payload = json_pack("{s:s}", "archive", op->archive);
	struct job_spec spec = {.kind = EXPORT_EXPIRE_KIND,
				.unique_key = key,
				.account_id = op->account_id,
				.payload = payload,
				.run_at = expires};
	int rc = files_put(c, op->account_id, name, "application/zip", op->data, op->len, op->now, file_id,
			   e) ||
				 db_exec(c,
					 "UPDATE export_archives SET state = 'ready', file_id = $3, size = "
					 "$4, ready_at = $5,"
					 " expires_at = $6 WHERE account_id = $1 AND public_id = $2 AND "
					 "state = 'pending'",
					 DB_ARGS(DB_INT(op->account_id), DB_TEXT(op->archive),
						 DB_TEXT(file_id), DB_INT((int64_t)op->len), DB_INT(op->now),
						 DB_INT(expires)),
					 e) < 0 ||
				 jobs_enqueue(c, &spec, e) < 0
			 ? -1
			 : 0;
	json_decref(payload);
	return rc;
}

static enum job_result archive_job(db *d, const struct job *j, struct err *e)
{
	const char *archive = json_string_value(json_object_get(j->payload, "archive"));
	if (!archive || strlen(archive) >= 24)
		return err_set(e, 400, "invalid_field", "archive", "no archive named"), JOB_FAILED;
	int64_t state_pending = 0;
	db_conn *c;
	if (db_acquire(d, &c, e))
		return JOB_RETRY;
	int has = db_query_int(c,
			       "SELECT id FROM export_archives WHERE account_id = $1 AND public_id = $2"
			       " AND state = 'pending'",
			       DB_ARGS(DB_INT(j->account_id), DB_TEXT(archive)), &state_pending, e);
	db_release(c);
	if (has <= 0)
		return has < 0 ? JOB_RETRY : JOB_DONE; /* already built, failed or gone */
	struct account a;
	if (export_account_load(d, j->account_id, &a, e))
		return JOB_RETRY;
	const char *tmp = getenv("TMPDIR");
	char path[300];
	snprintf(path, sizeof(path), "%s/creneau-%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", archive);
	int fd = mkstemp(path);
	if (fd < 0)
		return err_internal(e, "cannot make a temporary file"), JOB_RETRY;
	close(fd);
	struct buf zipped;
	buf_init(&zipped, FILES_MAX_SIZE);
	struct ready_op op = {.account_id = j->account_id, .now = j->now, .archive = archive};
	int rc = export_archive(d, &a, path, e);
	if (!rc) {
		FILE *f = fopen(path, "rb");
		char chunk[65536];
		size_t got;
		while (f && !rc && (got = fread(chunk, 1, sizeof(chunk), f)) > 0)
			if (buf_append(&zipped, chunk, got))
				rc = err_set(e, 413, "file_too_large", NULL,
					     "the archive is larger than %zu MB", FILES_MAX_SIZE >> 20);
		if (!f)
			rc = err_internal(e, "cannot read the archive");
		else
			fclose(f);
	}
	unlink(path);
	enum job_result res = JOB_DONE;
	if (rc && e->status >= 500 && j->attempts < j->max_attempts) {
		res = JOB_RETRY;
	} else {
		if (rc)
			op.error = e->message[0] ? e->message : "archive failed";
		op.data = zipped.data;
		op.len = zipped.len;
		struct err e2 = {0};
		if (db_transact(d, ready_tx, &op, &e2)) {
			*e = e2;
			res = JOB_RETRY;
		} else if (rc) {
			res = JOB_FAILED;
		}
	}
	buf_release(&zipped);
	return res;
}

static int expire_tx(db_conn *c, void *ctx, struct err *e)
{
	const struct job *j = ctx;
	const char *archive = json_string_value(json_object_get(j->payload, "archive"));
	db_rows *r;
	if (!archive ||
	    db_query(c,
		     "SELECT file_id FROM export_archives WHERE account_id = $1 AND public_id = $2"
		     " AND state = 'ready'",
		     DB_ARGS(DB_INT(j->account_id), DB_TEXT(archive)), &r, e))
		return archive ? -1 : 0;
	char file_id[FILES_ID_LEN + 1] = "";
	int rc = db_rows_next(r, e);
	if (rc == 1 && db_rows_text(r, 0))
		snprintf(file_id, sizeof(file_id), "%s", db_rows_text(r, 0));
	db_rows_free(r);
	if (rc <= 0)
		return rc;
	if (file_id[0] && files_delete(c, j->account_id, file_id, e) && e->status != 404)
		return -1;
	return db_exec(c,
		       "UPDATE export_archives SET state = 'expired', file_id = NULL WHERE account_id = $1"
		       " AND public_id = $2",
		       DB_ARGS(DB_INT(j->account_id), DB_TEXT(archive)), e) < 0
		       ? -1
		       : 0;
}

static enum job_result expire_job(db *d, const struct job *j, struct err *e)
{
	return db_transact(d, expire_tx, (void *)j, e) ? JOB_RETRY : JOB_DONE;
}

void export_register(void)
{
	jobs_register(EXPORT_ARCHIVE_KIND, archive_job, 1800);
	jobs_register(EXPORT_EXPIRE_KIND, expire_job, 0);
}
