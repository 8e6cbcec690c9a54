/* Exports over HTTP (docs/internals/data.md; rules in src/data/export.h):
 *   GET    /api/v1/exports/{file}        clients.{csv,xlsx,vcf,json} (owners) and
 *                                        appointments.{ics,csv} (a staff user: their own);
 *   GET    /api/v1/exports/archive       the account's archives (owners);
 *   POST   /api/v1/exports/archive       asks for the full archive (a job; 202);
 *   GET    /api/v1/exports/archive/{id}  its state, and {id}.zip the file for 7 days;
 *   GET/POST /api/v1/feeds, DELETE /api/v1/feeds/{id}: staff calendar links (owners);
 *   GET    /feeds/{token}.ics            the feed itself (public: the token is the key).
 * Every export needs FEAT_EXPORT only, so it works in trial, active, frozen and read-only
 * accounts, and each is written to the audit log. A file is written to a temporary file row
 * by row, then sent. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/api.h"
#include "app/api_handlers.h"
#include "base/arena.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/tz.h"
#include "data/export.h"
#include "data/feeds.h"
#include "db/files.h"
#include "base/banned.h"

#define ARCHIVE_LIST_MAX 20

/* A temporary file for one export, removed by tmp_done. */
static int tmp_make(char path[300], struct err *e)
{
	const char *dir = getenv("TMPDIR");
	snprintf(path, 300, "%s/creneau-export-XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkstemp(path);
	if (fd < 0)
		return err_internal(e, "cannot make a temporary file");
	close(fd);
	return 0;
}

/* Answers with the file, read from disk as the client takes it (memory stays flat whatever
 * the export's size), and removes its name at once: the open descriptor keeps the bytes. */
static int send_file(struct http_resp *resp, const char *path, const char *type, const char *filename,
		     const char *cache, struct err *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st)) {
		if (fd >= 0)
			close(fd);
		unlink(path);
		return err_internal(e, "cannot read the export");
	}
	unlink(path);
	char disposition[200];
	snprintf(disposition, sizeof(disposition), "attachment; filename=\"%s\"", filename);
	http_resp_header(resp, "Content-Disposition", disposition);
	http_resp_header(resp, "Cache-Control", cache);
	http_resp_file(resp, 200, type, fd, (uint64_t)st.st_size);
	return 0;
}

struct audit_op {
	int64_t account_id, user_id;
	const char *action, *target, *ip;
	char detail[256];
};

static int audit_tx(db_conn *c, void *ctx, struct err *e)
{
	struct audit_op *op = ctx;
	return audit_write(c, op->account_id, op->user_id, 0, op->action, op->target, op->ip, op->detail,
			   clock_now(), e);
}

static int audit(struct http_req *req, const char *action, const char *target, const char *detail,
		 struct err *e)
{
	struct audit_op op = {.account_id = api_account(req)->id,
			      .user_id = api_principal(req)->user_id,
			      .action = action,
			      .target = target,
			      .ip = http_req_client_ip(req)};
	snprintf(op.detail, sizeof(op.detail), "%s", detail);
	return api_transact(req, audit_tx, &op, e);
}

/* ?name=YYYY-MM-DD as the first instant of that local day (plus days_after days). */
static int query_day(struct http_req *req, const struct tz *z, const char *name, int days_after, int required,
		     int64_t *out, struct err *e)
{
	const char *s = http_req_query(req, name);
	*out = 0;
	if (!s || !*s)
		return required ? err_set(e, 400, "missing_field", name, "%s is required (YYYY-MM-DD)", name)
				: 0;
	struct civil c;
	if (tz_parse_date(s, &c, e, name))
		return -1;
	int y, m, d;
	tz_civil_from_days(tz_days_from_civil(c.year, c.month, c.day) + days_after, &y, &m, &d);
	if (tz_day_start(z, y, m, d, out))
		return err_set(e, 400, "invalid_date", name, "not a date");
	return 0;
}

static int parse_columns(const char *s, unsigned *out, struct err *e)
{
	*out = 0;
	if (!s || !*s)
		return 0;
	if (strlen(s) > 512)
		return err_invalid(e, "columns", "too many columns");
	while (*s) {
		size_t len = strcspn(s, ",");
		int col = export_column_parse(s, len);
		if (col < 0)
			return err_invalid(e, "columns", "unknown column \"%.*s\"",
					   (int)(len > 40 ? 40 : len), s);
		*out |= 1u << col;
		s += len;
		if (*s == ',')
			s++;
	}
	return 0;
}

static int export_clients_http(struct http_req *req, struct http_resp *resp, enum export_format fmt,
			       struct err *e)
{
	const struct account *a = api_account(req);
	if (api_principal(req)->role != ROLE_OWNER)
		return err_set(e, 403, "forbidden", NULL, "only owners export the clients");
	const struct tz *z = tz_get(a->time_zone, e);
	if (!z)
		return -1;
	struct export_clients_opts o = {.format = fmt, .separator = ';'};
	const char *sep = http_req_query(req, "separator"), *filter = http_req_query(req, "filter");
	if (sep && *sep) {
		if (!strcmp(sep, ",") || !strcmp(sep, "comma"))
			o.separator = ',';
		else if (strcmp(sep, ";") && strcmp(sep, "semicolon"))
			return err_invalid(e, "separator", "the separator is ; (semicolon) or , (comma)");
	}
	if (!filter || !*filter || !strcmp(filter, "all")) {
		o.filter = EXPORT_ALL;
	} else if (!strcmp(filter, "consented")) {
		o.filter = EXPORT_CONSENTED;
	} else if (!strcmp(filter, "seen")) {
		o.filter = EXPORT_SEEN;
		if (query_day(req, z, "from", 0, 1, &o.seen_from, e) ||
		    query_day(req, z, "to", 1, 1, &o.seen_to, e))
			return -1;
		if (o.seen_to <= o.seen_from)
			return err_set(e, 400, "end_before_start", "to", "to is before from");
	} else {
		return err_invalid(e, "filter", "the filter is all, consented or seen");
	}
	if (parse_columns(http_req_query(req, "columns"), &o.columns, e))
		return -1;
	char path[300], name[128];
	int64_t n = 0;
	if (tmp_make(path, e))
		return -1;
	if (export_clients(api_app(req)->db, a, &o, path, &n, e)) {
		unlink(path);
		return -1;
	}
	char detail[128];
	snprintf(detail, sizeof(detail), "{\"what\": \"clients\", \"format\": \"%s\", \"rows\": %lld}",
		 export_format_code(fmt), (long long)n);
	if (audit(req, "export.clients", "", detail, e)) {
		unlink(path);
		return -1;
	}
	snprintf(name, sizeof(name), "clients-%s.%s", a->slug, export_format_code(fmt));
	return send_file(resp, path, export_content_type(fmt), name, "private, no-store", e);
}

/* The staff member a staff user is linked to (0 when none), or the one named by ?staff= for an
 * owner (0 = everyone). */
static int staff_filter(struct http_req *req, db_conn *c, int64_t *staff_id, struct err *e)
{
	const struct principal *p = api_principal(req);
	const char *staff = http_req_query(req, "staff");
	int64_t account_id = api_account(req)->id;
	*staff_id = 0;
	if (p->role == ROLE_STAFF) {
		int has = db_query_int(c, "SELECT id FROM staff WHERE account_id = $1 AND user_id = $2",
				       DB_ARGS(DB_INT(account_id), DB_INT(p->user_id)), staff_id, e);
		if (has < 0)
			return -1;
		if (!has)
			return err_set(e, 403, "forbidden", "staff",
				       "your user is not linked to a staff member");
		return 0;
	}
	if (!staff || !*staff || !strcmp(staff, "any"))
		return 0;
	if (strlen(staff) >= 24)
		return err_set(e, 404, "not_found", "staff", "no such staff member");
	int has = db_query_int(c, "SELECT id FROM staff WHERE account_id = $1 AND public_id = $2",
			       DB_ARGS(DB_INT(account_id), DB_TEXT(staff)), staff_id, e);
	return has < 0 ? -1 : has ? 0 : err_set(e, 404, "not_found", "staff", "no such staff member");
}

static int export_appts_http(struct http_req *req, struct http_resp *resp, enum export_format fmt,
			     struct err *e)
{
	const struct account *a = api_account(req);
	const struct tz *z = tz_get(a->time_zone, e);
	if (!z)
		return -1;
	struct export_appts_opts o = {.format = fmt};
	if (query_day(req, z, "from", 0, 1, &o.from, e) || query_day(req, z, "to", 1, 1, &o.to, e))
		return -1;
	if (o.to <= o.from)
		return err_set(e, 400, "end_before_start", "to", "to is before from");
	if (o.to - o.from > EXPORT_APPTS_SPAN_MAX)
		return err_set(e, 400, "range_too_large", "to", "at most 3 years at once");
	const char *cancelled = http_req_query(req, "cancelled");
	o.with_cancelled = cancelled && !strcmp(cancelled, "1");
	db_conn *c;
	if (db_acquire(api_app(req)->db, &c, e))
		return -1;
	int rc = staff_filter(req, c, &o.staff_id, e);
	db_release(c);
	if (rc)
		return -1;
	char path[300], name[128];
	int64_t n = 0;
	if (tmp_make(path, e))
		return -1;
	if (export_appointments(api_app(req)->db, a, &o, path, &n, e)) {
		unlink(path);
		return -1;
	}
	char detail[128];
	snprintf(detail, sizeof(detail), "{\"what\": \"appointments\", \"format\": \"%s\", \"rows\": %lld}",
		 export_format_code(fmt), (long long)n);
	if (audit(req, "export.appointments", "", detail, e)) {
		unlink(path);
		return -1;
	}
	snprintf(name, sizeof(name), "rendez-vous-%s.%s", a->slug, export_format_code(fmt));
	return send_file(resp, path, export_content_type(fmt), name, "private, no-store", e);
}

int handle_exports_get(struct http_req *req, struct http_resp *resp, struct err *e)
{
	const char *file = http_req_param(req, "file");
	const char *dot = file ? strrchr(file, '.') : NULL;
	int fmt = dot ? export_format_parse(dot + 1) : -1;
	if (!dot || fmt < 0)
		return err_set(e, 404, "not_found", NULL, "no such export");
	size_t stem = (size_t)(dot - file);
	if (stem == 7 && !strncmp(file, "clients", 7) && fmt != EXPORT_ICS)
		return export_clients_http(req, resp, (enum export_format)fmt, e);
	if (stem == 12 && !strncmp(file, "appointments", 12) && (fmt == EXPORT_ICS || fmt == EXPORT_CSV))
		return export_appts_http(req, resp, (enum export_format)fmt, e);
	return err_set(e, 404, "not_found", NULL, "no such export");
}

/* ---- the archive ---- */

struct archive_op {
	int64_t account_id, user_id;
	const char *ip;
	char id[24];
};

static int archive_tx(db_conn *c, void *ctx, struct err *e)
{
	struct archive_op *op = ctx;
	int64_t pending = 0;
	if (db_query_int(c,
			 "SELECT COUNT(*) FROM export_archives WHERE account_id = $1 AND state = 'pending'",
			 DB_ARGS(DB_INT(op->account_id)), &pending, e) < 0)
		return -1;
	if (pending)
		return err_set(e, 409, "archive_pending", NULL, "an archive is already being prepared");
	return export_archive_request(c, op->account_id, op->user_id, op->ip, clock_now(), op->id, e);
}

static json_t *archive_json(struct http_req *req, db_rows *r)
{
	/* columns: public_id, state, size, created_at, ready_at, expires_at */
	const struct account *a = api_account(req);
	const char *state = db_rows_text(r, 1);
	int64_t expires = db_rows_is_null(r, 5) ? 0 : db_rows_int(r, 5);
	if (!strcmp(state, "ready") && expires && clock_now() >= expires)
		state = "expired";
	char url[96];
	snprintf(url, sizeof(url), "/api/v1/exports/archive/%s.zip", db_rows_text(r, 0));
	return json_pack("{s:s, s:s, s:I, s:s, s:s?, s:s?, s:s?}", "id", db_rows_text(r, 0), "state", state,
			 "size", (json_int_t)db_rows_int(r, 2), "created_at",
			 api_time(req, a, db_rows_int(r, 3)), "ready_at",
			 db_rows_is_null(r, 4) ? NULL : api_time(req, a, db_rows_int(r, 4)), "expires_at",
			 expires ? api_time(req, a, expires) : NULL, "download_url",
			 !strcmp(state, "ready") ? url : NULL);
}

int handle_archive_create(struct http_req *req, struct http_resp *resp, struct err *e)
{
	struct archive_op op = {.account_id = api_account(req)->id,
				.user_id = api_principal(req)->user_id,
				.ip = http_req_client_ip(req)};
	if (api_transact(req, archive_tx, &op, e))
		return -1;
	char url[96];
	snprintf(url, sizeof(url), "/api/v1/exports/archive/%s", op.id);
	http_resp_header(resp, "Location", url);
	http_resp_json(resp, 202,
		       json_pack("{s:{s:s, s:s, s:s}}", "archive", "id", op.id, "state", "pending",
				 "status_url", url));
	return 0;
}

#define ARCHIVE_COLS "public_id, state, size, created_at, ready_at, expires_at, file_id"

int handle_archive_list(struct http_req *req, struct http_resp *resp, struct err *e)
{
	db_conn *c;
	db_rows *r;
	if (db_acquire(api_app(req)->db, &c, e))
		return -1;
	if (db_query(c,
		     "SELECT " ARCHIVE_COLS
		     " FROM export_archives WHERE account_id = $1 ORDER BY id DESC LIMIT $2",
		     DB_ARGS(DB_INT(api_account(req)->id), DB_INT(ARCHIVE_LIST_MAX)), &r, e)) {
		db_release(c);
		return -1;
	}
	json_t *list = json_array();
	int rc;
	while ((rc = db_rows_next(r, e)) == 1)
		json_array_append_new(list, archive_json(req, r));
	db_rows_free(r);
	db_release(c);
	if (rc < 0) {
		json_decref(list);
		return -1;
	}
	http_resp_json(resp, 200, json_pack("{s:o}", "archives", list));
	return 0;
}

int handle_archive_get(struct http_req *req, struct http_resp *resp, struct err *e)
{
	const char *param = http_req_param(req, "id");
	char id[32];
	size_t len = param ? strlen(param) : 0;
	int want_zip = len > 4 && !strcmp(param + len - 4, ".zip");
	if (want_zip)
		len -= 4;
	if (!len || len >= 24)
		return err_set(e, 404, "not_found", NULL, "no such archive");
	memcpy(id, param, len);
	id[len] = '\0';
	const struct account *a = api_account(req);
	db_conn *c;
	db_rows *r;
	if (db_acquire(api_app(req)->db, &c, e))
		return -1;
	if (db_query(c,
		     "SELECT " ARCHIVE_COLS " FROM export_archives WHERE account_id = $1 AND public_id = $2",
		     DB_ARGS(DB_INT(a->id), DB_TEXT(id)), &r, e)) {
		db_release(c);
		return -1;
	}
	int has = db_rows_next(r, e);
	if (has <= 0) {
		db_rows_free(r);
		db_release(c);
		return has < 0 ? -1 : err_set(e, 404, "not_found", NULL, "no such archive");
	}
	json_t *j = archive_json(req, r);
	char file_id[FILES_ID_LEN + 1] = "";
	if (!db_rows_is_null(r, 6))
		snprintf(file_id, sizeof(file_id), "%s", db_rows_text(r, 6));
	db_rows_free(r);
	const char *state = json_string_value(json_object_get(j, "state"));
	if (!want_zip) {
		db_release(c);
		http_resp_json(resp, 200, json_pack("{s:o}", "archive", j));
		return 0;
	}
	if (!strcmp(state, "expired")) {
		db_release(c);
		json_decref(j);
		return err_set(e, 410, "archive_expired", NULL,
			       "this archive was kept for 7 days and is gone: ask for a new one");
	}
	if (strcmp(state, "ready") || !file_id[0]) {
		db_release(c);
		json_decref(j);
		return err_set(e, 409, "archive_not_ready", NULL, "this archive is not ready yet");
	}
	json_decref(j);
	struct buf zip;
	buf_init(&zip, FILES_MAX_SIZE);
	int rc = files_get(c, a->id, file_id, FILES_MAX_SIZE, &zip, NULL, e);
	db_release(c);
	char detail[64];
	snprintf(detail, sizeof(detail), "{\"archive\": \"%s\"}", id);
	if (!rc)
		rc = audit(req, "export.archive_downloaded", id, detail, e);
	if (!rc) {
		char disposition[200];
		snprintf(disposition, sizeof(disposition), "attachment; filename=\"archive-%s-%s.zip\"",
			 a->slug, id);
		http_resp_header(resp, "Content-Disposition", disposition);
		http_resp_header(resp, "Cache-Control", "private, no-store");
		http_resp_body(resp, 200, "application/zip", zip.data ? zip.data : "", zip.len);
	}
	buf_release(&zip);
	return rc;
}

/* ---- calendar feeds ---- */

int handle_feeds_list(struct http_req *req, struct http_resp *resp, struct err *e)
{
	db_conn *c;
	json_t *list;
	if (db_acquire(api_app(req)->db, &c, e))
		return -1;
	int rc = feeds_list(c, api_account(req)->id, &list, e);
	db_release(c);
	if (rc)
		return -1;
	size_t i;
	json_t *f;
	json_array_foreach(list, i, f)
	{
		int64_t at = json_integer_value(json_object_get(f, "created_at"));
		json_object_set_new(f, "created_at", json_string(api_time(req, api_account(req), at)));
	}
	http_resp_json(resp, 200, json_pack("{s:o}", "feeds", list));
	return 0;
}

struct feed_op {
	int64_t account_id, user_id;
	const char *ip;
	char staff[24], id[24], token[TOKEN_LEN + 1];
};

static int feed_create_tx(db_conn *c, void *ctx, struct err *e)
{
	struct feed_op *op = ctx;
	int64_t now = clock_now();
	char detail[96];
	if (feeds_create(c, op->account_id, op->staff, op->user_id, now, op->id, op->token, e))
		return -1;
	snprintf(detail, sizeof(detail), "{\"staff\": \"%s\"}", op->staff);
	return audit_write(c, op->account_id, op->user_id, 0, "feed.created", op->id, op->ip, detail, now, e);
}

int handle_feeds_create(struct http_req *req, struct http_resp *resp, struct err *e)
{
	static const char *const fields[] = {"staff", NULL};
	struct feed_op *op = arena_alloc(http_req_arena(req), sizeof(*op));
	memset(op, 0, sizeof(*op));
	op->account_id = api_account(req)->id;
	op->user_id = api_principal(req)->user_id;
	op->ip = http_req_client_ip(req);
	json_t *body = http_req_json(req, e);
	if (!body || api_only_fields(body, fields, e) ||
	    api_string(body, "staff", 1, op->staff, sizeof(op->staff) - 1, e) ||
	    api_transact(req, feed_create_tx, op, e))
		return -1;
	char url[128];
	snprintf(url, sizeof(url), "/feeds/%s.ics", op->token);
	http_resp_json(
		resp, 201,
		json_pack("{s:{s:s, s:s, s:s}}", "feed", "id", op->id, "staff", op->staff, "url", url));
	return 0;
}

struct revoke_op {
	int64_t account_id, user_id;
	const char *id, *ip;
};

static int feed_revoke_tx(db_conn *c, void *ctx, struct err *e)
{
	struct revoke_op *op = ctx;
	int64_t now = clock_now();
	return feeds_revoke(c, op->account_id, op->id, now, e) ||
			       audit_write(c, op->account_id, op->user_id, 0, "feed.revoked", op->id, op->ip,
					   NULL, now, e)
		       ? -1
		       : 0;
}

int handle_feeds_delete(struct http_req *req, struct http_resp *resp, struct err *e)
{
	const char *id = http_req_param(req, "id");
	if (!id || strlen(id) >= 24)
		return err_set(e, 404, "not_found", NULL, "no such calendar link");
	struct revoke_op op = {.account_id = api_account(req)->id,
			       .user_id = api_principal(req)->user_id,
			       .id = id,
			       .ip = http_req_client_ip(req)};
	if (api_transact(req, feed_revoke_tx, &op, e))
		return -1;
	http_resp_empty(resp, 204);
	return 0;
}

/* GET /feeds/{token}.ics: a month back and a year ahead of the staff member's appointments. */
int handle_feed_ics(struct http_req *req, struct http_resp *resp, struct err *e)
{
	const char *param = http_req_param(req, "token");
	size_t len = param ? strlen(param) : 0;
	char token[TOKEN_LEN + 1];
	if (len != TOKEN_LEN + 4 || strcmp(param + TOKEN_LEN, ".ics"))
		return err_set(e, 404, "not_found", NULL, "no such calendar");
	memcpy(token, param, TOKEN_LEN);
	token[TOKEN_LEN] = '\0';
	db *d = api_app(req)->db;
	db_conn *c;
	int64_t account_id = 0, staff_id = 0;
	if (db_acquire(d, &c, e))
		return -1;
	int has = feeds_resolve(c, token, &account_id, &staff_id, e);
	db_release(c);
	if (has <= 0)
		return has < 0 ? -1 : err_set(e, 404, "not_found", NULL, "no such calendar");
	struct account a;
	if (export_account_load(d, account_id, &a, e))
		return -1;
	if (may(&a, FEAT_EXPORT, e))
		return err_set(e, 404, "not_found", NULL, "no such calendar");
	int64_t now = clock_now();
	struct export_appts_opts o = {.format = EXPORT_ICS,
				      .from = now - EXPORT_FEED_PAST_S,
				      .to = now + EXPORT_FEED_FUTURE_S,
				      .staff_id = staff_id};
	char path[300];
	if (tmp_make(path, e))
		return -1;
	if (export_appointments(d, &a, &o, path, NULL, e)) {
		unlink(path);
		return -1;
	}
	/* calendar apps poll; a feed is private, never stored by a shared cache */
	return send_file(resp, path, "text/calendar; charset=utf-8", "agenda.ics", "private, max-age=300", e);
}
