/* import — staging an uploaded file's rows, checking them against a mapping, publishing them
 * in one short transaction (import.h; docs/internals/data.md, "Imports"). */
#include "data/import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "account/account.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "data/import_int.h"
#include "jobs/jobs.h"
#include "schedule/clients.h"
#include "base/banned.h"

static const char *const FIELDS[IMPORT_NFIELDS] = {IMPORT_FIELDS};
static const char *const APPT_FIELDS[IMPORT_APPT_NFIELDS] = {IMPORT_APPT_FIELDS};
static const char *const VCARD_COLUMNS[IMPORT_VCARD_NCOLS] = {IMPORT_VCARD_COLUMNS};

/* The import row of the store, as the functions below need it. */
struct imp {
	int64_t id, account_id;
	char public_id[24], kind[16], format[8], encoding[16], separator[4], state[16];
	char file_name[IMPORT_NAME_MAX + 1], error[256];
	json_t *columns, *mapping; /* owned */
	int64_t rows_total, rows_ok, rows_invalid, rows_duplicate, rows_existing, rows_published;
	int64_t progress, publish_ms, created_at, published_at;
	int64_t rows_warning, rows_skipped;
	json_t *publish_issues; /* owned: rows the publish left out */
	int appointments;	/* kind "appointments" */
};

struct stager {
	db *d;
	struct imp *im;
	const char *const *mapping;
	int nmap;
	struct import_pending *rows; /* IMPORT_CHUNK */
	int n;
	long staged;
	int header_done, has_header;
	json_t *columns;		    /* CSV: from the header record */
	const struct import_catalogue *cat; /* appointments: what the rows are checked against */
	struct import_intervals *iv;	    /* appointments: the good rows' intervals so far */
	int64_t now;
};

static void imp_free(struct imp *im)
{
	json_decref(im->columns);
	json_decref(im->mapping);
	json_decref(im->publish_issues);
	im->columns = im->mapping = im->publish_issues = NULL;
}

/* ---- mapping ---- */

static const char *guess(int appointments, const char *column)
{
	return appointments ? import_guess_appt_field(column) : import_guess_field(column);
}

static int is_field(int appointments, const char *f)
{
	if (!f[0])
		return 1;
	const char *const *list = appointments ? APPT_FIELDS : FIELDS;
	int n = appointments ? IMPORT_APPT_NFIELDS : IMPORT_NFIELDS;
	for (int i = 0; i < n; i++)
		if (!strcmp(f, list[i]))
			return 1;
	return 0;
}

/* Whether some column of these names is proposed a field. */
static int identifies(int appointments, const json_t *columns)
{
	size_t i;
	json_t *col;
	json_array_foreach(columns, i, col) if (guess(appointments, json_string_value(col))[0]) return 1;
	return 0;
}

/* The proposed mapping of columns: one guess per column, each field used once. */
static json_t *propose(int appointments, const json_t *columns)
{
	json_t *m = json_array();
	size_t i;
	json_t *col;
	json_array_foreach(columns, i, col)
	{
		const char *f = guess(appointments, json_string_value(col));
		size_t k;
		json_t *prev;
		json_array_foreach(m, k, prev) if (f[0] && !strcmp(json_string_value(prev), f)) f = "";
		json_array_append_new(m, json_string(f));
	}
	return m;
}

/* Reads a mapping given as an array of fields or an object {column index or name: field}
 * into a full array of the import's columns. */
static json_t *read_mapping(int appointments, const json_t *given, const json_t *columns,
			    const json_t *current, struct err *e)
{
	size_t ncol = json_array_size(columns);
	json_t *m = json_deep_copy(current);
	while (json_array_size(m) < ncol)
		json_array_append_new(m, json_string(""));
	if (json_is_array(given)) {
		if (json_array_size(given) != ncol) {
			json_decref(m);
			err_invalid(e, "mapping", "the mapping names %zu columns; the file has %zu",
				    json_array_size(given), ncol);
			return NULL;
		}
		json_array_clear(m);
		size_t i;
		json_t *v;
		json_array_foreach(given, i, v)
			json_array_append_new(m, json_string(json_is_string(v) ? json_string_value(v) : "?"));
	} else if (json_is_object(given)) {
		const char *key;
		json_t *v;
		json_object_foreach((json_t *)given, key, v)
		{
			long idx = -1;
			char *end;
			long n = strtol(key, &end, 10);
			if (*key && !*end && n >= 0 && (size_t)n < ncol)
				idx = n;
			for (size_t i = 0; idx < 0 && i < ncol; i++)
				if (!strcmp(json_string_value(json_array_get(columns, i)), key))
					idx = (long)i;
			if (idx < 0) {
				json_decref(m);
				err_invalid(e, "mapping", "no column named \"%.60s\"", key);
				return NULL;
			}
			json_array_set_new(m, (size_t)idx,
					   json_string(json_is_string(v) ? json_string_value(v) : "?"));
		}
	} else {
		json_decref(m);
		err_invalid(e, "mapping", "the mapping is an object {column: field} or an array of fields");
		return NULL;
	}
	/* every field known, each at most once, and something that identifies a client */
	size_t i;
	json_t *v;
	int identifies = 0, has_start = 0, has_date = 0, has_time = 0, has_service = 0;
	json_array_foreach(m, i, v)
	{
		const char *f = json_string_value(v);
		if (!is_field(appointments, f)) {
			err_invalid(e, "mapping", "\"%.40s\" is not %s field", f,
				    appointments ? "an appointment" : "a client");
			json_decref(m);
			return NULL;
		}
		for (size_t k = 0; k < i && f[0]; k++)
			if (!strcmp(json_string_value(json_array_get(m, k)), f)) {
				err_invalid(e, "mapping", "two columns are mapped to %s", f);
				json_decref(m);
				return NULL;
			}
		identifies |= !strcmp(f, "first_name") || !strcmp(f, "last_name") ||
			      !strcmp(f, "full_name") || !strcmp(f, "email") || !strcmp(f, "phone");
		has_start |= !strcmp(f, "start");
		has_date |= !strcmp(f, "date");
		has_time |= !strcmp(f, "start_time");
		has_service |= !strcmp(f, "service");
	}
	if (appointments && (!(has_start || (has_date && has_time)) || !has_service)) {
		json_decref(m);
		err_invalid(e, "mapping", "map a date and a start time (or a start) and a service column");
		return NULL;
	}
	if (!identifies && !appointments) {
		json_decref(m);
		err_invalid(e, "mapping", "map at least a name, an e-mail or a phone column");
		return NULL;
	}
	return m;
}

/* The mapping as C strings (pointers into m). */
static const char **mapping_strings(const json_t *m, int *n)
{
	*n = (int)json_array_size(m);
	const char **out = xcalloc((size_t)*n + 1, sizeof(*out));
	for (int i = 0; i < *n; i++)
		out[i] = json_string_value(json_array_get(m, (size_t)i));
	return out;
}

/* ---- staging ---- */

static void pending_clear(struct import_pending *p)
{
	free(p->cells);
	free(p->issues);
	free(p->a.warnings);
	p->cells = p->issues = p->a.warnings = NULL;
}

static json_t *record_json(const struct import_record *r)
{
	json_t *cells = json_array();
	int n = r->ncells < IMPORT_COLS_MAX ? r->ncells : IMPORT_COLS_MAX;
	for (int i = 0; i < n; i++)
		json_array_append_new(cells, json_stringn(r->cells[i], r->lens[i]));
	return json_pack("{s:o, s:i, s:i}", "cells", cells, "ncells", r->ncells, "too_long", r->too_long);
}

/* Checks r with the mapping into p. */
static void check_into(const struct stager *s, struct import_pending *p, const struct import_record *r)
{
	const char *const *mapping = s->mapping;
	int nmap = s->nmap;
	if (s->im->appointments) {
		import_appt_check(s->cat, r, mapping, nmap, s->now, p);
		return;
	}
	json_t *issues = json_array();
	int bad = import_check_record(r, mapping, nmap, &p->v, issues);
	p->status = bad ? "invalid" : "ok";
	p->issues = json_dumps(issues, JSON_COMPACT);
	json_decref(issues);
	p->search[0] = 0;
	struct err ignored = {0};
	if (!bad && clients_search_text(p->v.first_name, p->v.last_name, p->v.email, p->v.phone, p->search,
					sizeof(p->search), &ignored))
		p->search[0] = 0;
}

/* Marks the rows of [lo, hi] that a client of the account or (within_file) an earlier row of
 * the file already has, by e-mail, then by phone. "r.row_no + 0" keeps the planner on the
 * e-mail and phone indexes: a range on the primary key would make the check quadratic. */
static int mark_duplicates(db_conn *c, int64_t import_id, int64_t account_id, long lo, long hi,
			   int within_file, struct err *e)
{
	static const char *const sql[4] = {
		"UPDATE import_rows SET status = 'existing', match_public_id = (SELECT c.public_id FROM "
		"clients "
		"c WHERE c.account_id = $2 AND c.email = import_rows.email AND c.anonymised_at IS NULL ORDER "
		"BY "
		"c.id LIMIT 1) WHERE import_id = $1 AND row_no BETWEEN $3 AND $4 AND status = 'ok' AND email "
		"<> '' AND EXISTS (SELECT 1 FROM clients c WHERE c.account_id = $2 AND c.email = "
		"import_rows.email AND c.anonymised_at IS NULL)",
		"UPDATE import_rows SET status = 'existing', match_public_id = (SELECT c.public_id FROM "
		"clients "
		"c WHERE c.account_id = $2 AND c.phone = import_rows.phone AND c.anonymised_at IS NULL ORDER "
		"BY "
		"c.id LIMIT 1) WHERE import_id = $1 AND row_no BETWEEN $3 AND $4 AND status = 'ok' AND phone "
		"<> '' AND EXISTS (SELECT 1 FROM clients c WHERE c.account_id = $2 AND c.phone = "
		"import_rows.phone AND c.anonymised_at IS NULL)",
		"UPDATE import_rows SET status = 'duplicate', match_public_id = CAST((SELECT min(r.row_no) "
		"FROM "
		"import_rows r WHERE r.import_id = $1 AND r.email = import_rows.email AND r.row_no + 0 < "
		"import_rows.row_no AND r.status <> 'invalid') AS TEXT) WHERE import_id = $1 AND row_no "
		"BETWEEN "
		"$2 AND $3 AND status = 'ok' AND email <> '' AND EXISTS (SELECT 1 FROM import_rows r "
		"WHERE r.import_id = $1 AND r.email = import_rows.email AND r.row_no + 0 < "
		"import_rows.row_no "
		"AND "
		"r.status <> 'invalid')",
		"UPDATE import_rows SET status = 'duplicate', match_public_id = CAST((SELECT min(r.row_no) "
		"FROM "
		"import_rows r WHERE r.import_id = $1 AND r.phone = import_rows.phone AND r.row_no + 0 < "
		"import_rows.row_no AND r.status <> 'invalid') AS TEXT) WHERE import_id = $1 AND row_no "
		"BETWEEN "
		"$2 AND $3 AND status = 'ok' AND phone <> '' AND EXISTS (SELECT 1 FROM import_rows r "
		"WHERE r.import_id = $1 AND r.phone = import_rows.phone AND r.row_no + 0 < "
		"import_rows.row_no "
		"AND "
		"r.status <> 'invalid')",
	};
	for (int i = 0; i < (within_file ? 4 : 2); i++) {
		int rc = i < 2 ? db_exec(c, sql[i],
					 DB_ARGS(DB_INT(import_id), DB_INT(account_id), DB_INT(lo),
						 DB_INT(hi)),
					 e)
			       : db_exec(c, sql[i], DB_ARGS(DB_INT(import_id), DB_INT(lo), DB_INT(hi)), e);
		if (rc < 0)
			return -1;
	}
	return 0;
}

struct flush_ctx {
	struct stager *s;
	int update; /* 1: rows exist (a new mapping), 0: insert them */
};

static int flush_tx(db_conn *c, void *ctx, struct err *e)
{
	struct flush_ctx *f = ctx;
	struct stager *s = f->s;
	for (int i = 0; s->im->appointments && i < s->n; i++)
		if (import_appt_stage(c, s->im->account_id, s->im->id, s->iv, &s->rows[i], f->update, e))
			return -1;
	for (int i = 0; !s->im->appointments && i < s->n; i++) {
		struct import_pending *p = &s->rows[i];
		const struct import_values *v = &p->v;
		int rc;
		if (f->update)
			rc = db_exec(c,
				     "UPDATE import_rows SET status = $3, issues = $4, first_name = $5, "
				     "last_name = "
				     "$6, email = $7, phone = $8, notes = $9, consent_email = $10, "
				     "consent_sms = $11, "
				     "search_text = $12, match_public_id = '' WHERE import_id = $1 AND "
				     "row_no = $2",
				     DB_ARGS(DB_INT(s->im->id), DB_INT(p->row_no), DB_TEXT(p->status),
					     DB_TEXT(p->issues), DB_TEXT(v->first_name),
					     DB_TEXT(v->last_name), DB_TEXT(v->email), DB_TEXT(v->phone),
					     DB_TEXT(v->notes), DB_INT(v->consent_email),
					     DB_INT(v->consent_sms), DB_TEXT(p->search)),
				     e);
		else
			rc = db_exec(
				c,
				"INSERT INTO import_rows (import_id, row_no, cells, status, issues, "
				"public_id, "
				"first_name, last_name, email, phone, notes, consent_email, consent_sms, "
				"search_text) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, "
				"$13, $14)",
				DB_ARGS(DB_INT(s->im->id), DB_INT(p->row_no), DB_TEXT(p->cells),
					DB_TEXT(p->status), DB_TEXT(p->issues), DB_TEXT(p->public_id),
					DB_TEXT(v->first_name), DB_TEXT(v->last_name), DB_TEXT(v->email),
					DB_TEXT(v->phone), DB_TEXT(v->notes), DB_INT(v->consent_email),
					DB_INT(v->consent_sms), DB_TEXT(p->search)),
				e);
		if (rc < 0)
			return -1;
	}
	if (s->n && !s->im->appointments &&
	    mark_duplicates(c, s->im->id, s->im->account_id, s->rows[0].row_no, s->rows[s->n - 1].row_no, 1,
			    e))
		return -1;
	s->staged += s->n;
	return db_exec(c, "UPDATE imports SET progress = $2, updated_at = $3 WHERE id = $1",
		       DB_ARGS(DB_INT(s->im->id), DB_INT(s->staged), DB_INT(clock_now())), e) < 0
		       ? -1
		       : 0;
}

static int flush(struct stager *s, int update, struct err *e)
{
	struct flush_ctx f = {s, update};
	int rc = s->n ? db_transact(s->d, flush_tx, &f, e) : 0;
	for (int i = 0; i < s->n; i++)
		pending_clear(&s->rows[i]);
	s->n = 0;
	return rc;
}

/* First pass: the structure only (quotes, sizes, the header), nothing written. */
struct probe {
	long records, ragged; /* ragged: rows whose width is not the header's */
	json_t *columns;
	int is_csv;
};

static int probe_record(void *ctx, const struct import_record *r, struct err *e)
{
	struct probe *p = ctx;
	if (p->records++ == 0 && p->is_csv) {
		if (r->too_many_columns)
			return err_set(e, 400, "too_many_columns", "file",
				       "the header line has %d columns; at most %d are read", r->ncells,
				       IMPORT_COLS_MAX);
		p->columns = json_array();
		for (int i = 0; i < r->ncells; i++)
			json_array_append_new(p->columns, json_stringn(r->cells[i], r->lens[i]));
	} else if (p->is_csv && (size_t)r->ncells != json_array_size(p->columns)) {
		p->ragged++;
	}
	return 0;
}

static int stage_record(void *ctx, const struct import_record *r, struct err *e)
{
	struct stager *s = ctx;
	if (s->has_header && !s->header_done) {
		s->header_done = 1;
		return 0;
	}
	struct import_pending *p = &s->rows[s->n++];
	p->row_no = r->row_no;
	json_t *j = record_json(r);
	p->cells = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	public_id_new(s->im->appointments ? "apt" : "cli", p->public_id);
	check_into(s, p, r);
	return s->n == IMPORT_CHUNK ? flush(s, 0, e) : 0;
}

static int read_text(const struct imp *im, const char *text, size_t len, import_record_fn fn, void *ctx,
		     struct err *e)
{
	if (!strcmp(im->format, "vcard"))
		return import_vcard_read(text, len, fn, ctx, e);
	return import_csv_read(text, len, im->separator[0], fn, ctx, e);
}

/* Deletes the staging rows of an import, a chunk per transaction. */
static void discard_rows(db *d, int64_t import_id, int64_t last_row)
{
	for (int64_t lo = 0; lo <= last_row; lo += IMPORT_CHUNK) {
		db_conn *c;
		struct err e = {0};
		if (db_acquire(d, &c, &e))
			return;
		if (db_exec(c,
			    "DELETE FROM import_rows WHERE import_id = $1 AND row_no >= $2 AND row_no < $3",
			    DB_ARGS(DB_INT(import_id), DB_INT(lo), DB_INT(lo + IMPORT_CHUNK)), &e) < 0)
			log_warn("import: discarding rows of %lld: %s", (long long)import_id, e.message);
		db_release(c);
	}
}

/* ---- the import row ---- */

#define IMP_COLS                                                                                             \
	"id, account_id, public_id, kind, format, encoding, separator, state, file_name, error, columns, "   \
	"mapping, rows_total, rows_ok, rows_invalid, rows_duplicate, rows_existing, rows_published, "        \
	"progress, publish_ms, created_at, published_at, rows_warning, rows_skipped, publish_issues"

static void copy(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

/* Reads the account's import by public id: 0, or 404. */
static int load(db_conn *c, int64_t account_id, const char *public_id, struct imp *im, struct err *e)
{
	db_rows *r;
	if (db_query(c, "SELECT " IMP_COLS " FROM imports WHERE account_id = $1 AND public_id = $2",
		     DB_ARGS(DB_INT(account_id), DB_TEXT(public_id)), &r, e))
		return -1;
	int rc = db_rows_next(r, e);
	if (rc == 1) {
		memset(im, 0, sizeof(*im));
		im->id = db_rows_int(r, 0);
		im->account_id = db_rows_int(r, 1);
		copy(im->public_id, sizeof(im->public_id), db_rows_text(r, 2));
		copy(im->kind, sizeof(im->kind), db_rows_text(r, 3));
		copy(im->format, sizeof(im->format), db_rows_text(r, 4));
		copy(im->encoding, sizeof(im->encoding), db_rows_text(r, 5));
		copy(im->separator, sizeof(im->separator), db_rows_text(r, 6));
		copy(im->state, sizeof(im->state), db_rows_text(r, 7));
		copy(im->file_name, sizeof(im->file_name), db_rows_text(r, 8));
		copy(im->error, sizeof(im->error), db_rows_text(r, 9));
		im->columns = json_loads(db_rows_text(r, 10), 0, NULL);
		im->mapping = json_loads(db_rows_text(r, 11), 0, NULL);
		int64_t *n[] = {&im->rows_total,     &im->rows_ok,	 &im->rows_invalid,
				&im->rows_duplicate, &im->rows_existing, &im->rows_published,
				&im->progress,	     &im->publish_ms,	 &im->created_at,
				&im->published_at,   &im->rows_warning,	 &im->rows_skipped};
		for (int i = 0; i < 12; i++)
			*n[i] = db_rows_is_null(r, 12 + i) ? 0 : db_rows_int(r, 12 + i);
		im->publish_issues = json_loads(db_rows_text(r, 24), 0, NULL);
		if (!im->publish_issues)
			im->publish_issues = json_array();
		im->appointments = !strcmp(im->kind, "appointments");
		if (!im->columns)
			im->columns = json_array();
		if (!im->mapping)
			im->mapping = json_array();
	}
	db_rows_free(r);
	if (rc < 0)
		return -1;
	return rc == 1 ? 0 : err_set(e, 404, "not_found", NULL, "no such import in this account");
}

/* load on a connection of its own, given back at once. */
static int load_alone(db *d, int64_t account_id, const char *public_id, struct imp *im, struct err *e)
{
	db_conn *c;
	if (db_acquire(d, &c, e))
		return -1;
	int rc = load(c, account_id, public_id, im, e);
	db_release(c);
	return rc;
}

/* Counts the staged rows by verdict into the import row. */
static int count_rows(db_conn *c, struct imp *im, struct err *e)
{
	db_rows *r;
	if (db_query(c, "SELECT status, count(*) FROM import_rows WHERE import_id = $1 GROUP BY status",
		     DB_ARGS(DB_INT(im->id)), &r, e))
		return -1;
	im->rows_ok = im->rows_invalid = im->rows_duplicate = im->rows_existing = 0;
	int rc;
	while ((rc = db_rows_next(r, e)) == 1) {
		const char *st = db_rows_text(r, 0);
		int64_t n = db_rows_int(r, 1);
		if (!strcmp(st, "ok"))
			im->rows_ok = n;
		else if (!strcmp(st, "invalid"))
			im->rows_invalid = n;
		else if (!strcmp(st, "duplicate"))
			im->rows_duplicate = n;
		else if (!strcmp(st, "existing"))
			im->rows_existing = n;
	}
	db_rows_free(r);
	if (rc < 0)
		return -1;
	im->rows_total = im->rows_ok + im->rows_invalid + im->rows_duplicate + im->rows_existing;
	im->rows_warning = 0;
	if (im->appointments &&
	    db_query_int(
		    c,
		    "SELECT count(*) FROM import_rows WHERE import_id = $1 AND status = 'ok' AND warnings "
		    "<> '[]'",
		    DB_ARGS(DB_INT(im->id)), &im->rows_warning, e) < 0)
		return -1;
	return 0;
}

static int save_counts(db_conn *c, const struct imp *im, int64_t now, struct err *e)
{
	char *mapping = json_dumps(im->mapping, JSON_COMPACT);
	int rc = db_exec(
		c,
		"UPDATE imports SET state = $2, mapping = $3, rows_total = $4, rows_ok = $5, rows_invalid "
		"= $6, rows_duplicate = $7, rows_existing = $8, updated_at = $9, rows_warning = $10 WHERE "
		"id = $1",
		DB_ARGS(DB_INT(im->id), DB_TEXT(im->state), DB_TEXT(mapping), DB_INT(im->rows_total),
			DB_INT(im->rows_ok), DB_INT(im->rows_invalid), DB_INT(im->rows_duplicate),
			DB_INT(im->rows_existing), DB_INT(now), DB_INT(im->rows_warning)),
		e);
	free(mapping);
	return rc < 0 ? -1 : 0;
}

/* The rows that will not be imported, with why: at most IMPORT_ISSUES_MAX. */
static json_t *issues_json(db_conn *c, const struct imp *im, struct err *e)
{
	db_rows *r;
	/* appointments: the good rows with a warning are listed too */
	if (db_query(c,
		     im->appointments
			     ? "SELECT row_no, status, issues, match_public_id, warnings FROM import_rows "
			       "WHERE "
			       "import_id = $1 AND (status <> 'ok' OR warnings <> '[]') ORDER BY row_no "
			       "LIMIT $2"
			     : "SELECT row_no, status, issues, match_public_id, '[]' FROM import_rows WHERE "
			       "import_id = $1 AND status <> 'ok' ORDER BY row_no LIMIT $2",
		     DB_ARGS(DB_INT(im->id), DB_INT(IMPORT_ISSUES_MAX)), &r, e))
		return NULL;
	json_t *out = json_array();
	int rc;
	while ((rc = db_rows_next(r, e)) == 1) {
		int64_t row = db_rows_int(r, 0);
		const char *st = db_rows_text(r, 1), *match = db_rows_text(r, 3);
		json_t *warnings = json_loads(db_rows_text(r, 4), 0, NULL);
		size_t wi;
		json_t *w;
		json_array_foreach(warnings, wi, w)
		{
			json_object_set_new(w, "row", json_integer(row));
			json_object_set_new(w, "status", json_string(st));
			json_object_set_new(w, "severity", json_string("warning"));
			json_array_append(out, w);
		}
		json_decref(warnings);
		if (!strcmp(st, "ok")) {
			continue;
		} else if (!strcmp(st, "invalid")) {
			json_t *list = json_loads(db_rows_text(r, 2), 0, NULL);
			size_t i;
			json_t *it;
			json_array_foreach(list, i, it)
			{
				json_object_set_new(it, "row", json_integer(row));
				json_object_set_new(it, "status", json_string(st));
				json_array_append(out, it);
			}
			json_decref(list);
		} else if (!strcmp(st, "existing")) {
			json_array_append_new(
				out,
				json_pack("{s:I, s:s, s:n, s:s, s:s, s:s}", "row", (json_int_t)row, "status",
					  st, "field", "code", "existing_client", "client", match, "message",
					  "a client of the account has this e-mail or phone: kept as is"));
		} else {
			char msg[96];
			snprintf(msg, sizeof(msg), "same e-mail or phone as row %s: imported once", match);
			json_array_append_new(out, json_pack("{s:I, s:s, s:n, s:s, s:s}", "row",
							     (json_int_t)row, "status", st, "field", "code",
							     "duplicate_row", "message", msg));
		}
	}
	db_rows_free(r);
	if (rc < 0) {
		json_decref(out);
		return NULL;
	}
	return out;
}

static json_t *preview_json(db_conn *c, const struct imp *im, struct err *e)
{
	db_rows *r;
	if (db_query(c,
		     "SELECT row_no, cells, status FROM import_rows WHERE import_id = $1 ORDER BY row_no "
		     "LIMIT $2",
		     DB_ARGS(DB_INT(im->id), DB_INT(IMPORT_PREVIEW_ROWS)), &r, e))
		return NULL;
	json_t *out = json_array();
	int rc;
	while ((rc = db_rows_next(r, e)) == 1) {
		json_t *rec = json_loads(db_rows_text(r, 1), 0, NULL);
		json_t *cells = rec ? json_incref(json_object_get(rec, "cells")) : json_array();
		json_decref(rec);
		json_array_append_new(out, json_pack("{s:I, s:o, s:s}", "row", (json_int_t)db_rows_int(r, 0),
						     "cells", cells ? cells : json_array(), "status",
						     db_rows_text(r, 2)));
	}
	db_rows_free(r);
	if (rc < 0) {
		json_decref(out);
		return NULL;
	}
	return out;
}

static json_t *fields_json(int appointments)
{
	json_t *f = json_array();
	int n = appointments ? IMPORT_APPT_NFIELDS : IMPORT_NFIELDS;
	for (int i = 0; i < n; i++)
		json_array_append_new(f, json_string(appointments ? APPT_FIELDS[i] : FIELDS[i]));
	return f;
}

static int imp_json(db_conn *c, const struct imp *im, json_t **out, struct err *e)
{
	int staged = !strcmp(im->state, "ready") || !strcmp(im->state, "staging");
	json_t *preview = staged ? preview_json(c, im, e) : json_array();
	json_t *issues;
	if (staged)
		issues = issues_json(c, im, e);
	else /* after the publish: the rows it left out */
		issues = im->publish_issues ? json_deep_copy(im->publish_issues) : json_array();
	if (!preview || !issues) {
		json_decref(preview);
		json_decref(issues);
		return -1;
	}
	json_int_t shown_issues = (json_int_t)json_array_size(issues);
	json_int_t not_ok =
		staged ? im->rows_invalid + im->rows_duplicate + im->rows_existing + im->rows_warning
		       : im->rows_skipped;
	*out = json_pack(
		"{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:O, s:O, s:o, s:o, s:{s:I, s:I, s:I, s:I, "
		"s:I, s:I, s:I, s:I, s:o, "
		"s:b}, s:{s:I, s:I, s:I}, s:I, s:s?}",
		"id", im->public_id, "kind", im->kind, "format", im->format, "encoding", im->encoding,
		"separator", im->separator, "file_name", im->file_name, "state", im->state, "columns",
		im->columns, "mapping", im->mapping, "fields", fields_json(im->appointments), "preview",
		preview, "report", "rows_total", (json_int_t)im->rows_total, "rows_ok",
		(json_int_t)im->rows_ok, "rows_invalid", (json_int_t)im->rows_invalid, "rows_duplicate",
		(json_int_t)im->rows_duplicate, "rows_existing", (json_int_t)im->rows_existing,
		"rows_warning", (json_int_t)im->rows_warning, "rows_skipped", (json_int_t)im->rows_skipped,
		"rows_published", (json_int_t)im->rows_published, "issues", issues, "issues_truncated",
		not_ok > shown_issues && shown_issues >= IMPORT_ISSUES_MAX, "progress", "done",
		(json_int_t)(!strcmp(im->state, "done") ? im->rows_published : im->progress), "total",
		(json_int_t)(!strcmp(im->state, "done") ? im->rows_ok : im->rows_total), "staged",
		(json_int_t)im->progress, "publish_ms", (json_int_t)im->publish_ms, "error",
		im->error[0] ? im->error : NULL);
	if (!*out)
		return err_internal(e, "the import's JSON could not be built");
	return 0;
}

static int answer(db *d, struct imp *im, json_t **out, struct err *e)
{
	db_conn *c;
	if (db_acquire(d, &c, e))
		return -1;
	int rc = imp_json(c, im, out, e);
	db_release(c);
	return rc;
}

/* ---- create ---- */

struct create_ctx {
	struct imp *im;
	int64_t user_id, now;
};

/* ---- the end of an import never committed ---- */

struct expire_ctx {
	int64_t id;
	int deleted; /* by the last transaction */
};

static int expire_rows_tx(db_conn *c, void *ctx, struct err *e)
{
	struct expire_ctx *x = ctx;
	x->deleted = db_exec(c,
			     "DELETE FROM import_rows WHERE import_id = $1 AND row_no IN (SELECT row_no FROM"
			     " import_rows WHERE import_id = $1 LIMIT $2)",
			     DB_ARGS(DB_INT(x->id), DB_INT(IMPORT_CHUNK)), e);
	return x->deleted < 0 ? -1 : 0;
}

static enum job_result import_end_job(db *d, const struct job *j, struct err *e)
{
	const char *pid = json_string_value(json_object_get(j->payload, "import"));
	if (!pid)
		return JOB_DONE;
	db_conn *c;
	if (db_acquire(d, &c, e))
		return JOB_RETRY;
	struct expire_ctx x = {0};
	char state[16] = "";
	db_rows *r;
	if (db_query(c, "SELECT id, state FROM imports WHERE account_id = $1 AND public_id = $2",
		     DB_ARGS(DB_INT(j->account_id), DB_TEXT(pid)), &r, e)) {
		db_release(c);
		return JOB_RETRY;
	}
	int rc = db_rows_next(r, e);
	if (rc > 0) {
		x.id = db_rows_int(r, 0);
		snprintf(state, sizeof(state), "%s", db_rows_text(r, 1));
	}
	db_rows_free(r);
	/* the claim first, so a commit from now on finds it no longer ready (409) and the rows are
	 * never deleted under a publish; a failed import keeps the error it has */
	int claimed = 0;
	if (rc > 0 && (!strcmp(state, "staging") || !strcmp(state, "ready")))
		claimed = db_exec(c,
				  "UPDATE imports SET state = 'failed', error = 'expired', progress = 0,"
				  " updated_at = $2 WHERE id = $1 AND state IN ('staging', 'ready')",
				  DB_ARGS(DB_INT(x.id), DB_INT(j->now)), e);
	db_release(c);
	if (rc < 0 || claimed < 0)
		return JOB_RETRY;
	/* committed or being published meanwhile (claimed 0), or gone: not ours to end */
	if (!claimed && strcmp(state, "failed"))
		return JOB_DONE;
	/* claimed now, or failed before (its rows, if a run of this job was cut, go too) */
	if (db_transact_batches(d, expire_rows_tx, &x, &x.deleted, IMPORT_CHUNK, NULL, e))
		return JOB_RETRY;
	if (claimed)
		log_info(IMPORT_EXPIRE_KIND ": import %s not committed within 7 days, its rows discarded",
			 pid);
	return JOB_DONE;
}

void import_register(void)
{
	jobs_register(IMPORT_EXPIRE_KIND, import_end_job, 600);
}

static int insert_import_tx(db_conn *c, void *ctx, struct err *e)
{
	struct create_ctx *cc = ctx;
	struct imp *im = cc->im;
	char *cols = json_dumps(im->columns, JSON_COMPACT), *map = json_dumps(im->mapping, JSON_COMPACT);
	int rc = db_query_int(
		c,
		"INSERT INTO imports (account_id, public_id, kind, format, file_name, encoding, "
		"separator, columns, mapping, state, created_by, created_at, updated_at) VALUES ($1, "
		"$2, $3, $4, $5, $6, $7, $8, $9, 'staging', $10, $11, $11) RETURNING id",
		DB_ARGS(DB_INT(im->account_id), DB_TEXT(im->public_id), DB_TEXT(im->kind),
			DB_TEXT(im->format), DB_TEXT(im->file_name), DB_TEXT(im->encoding),
			DB_TEXT(im->separator), DB_TEXT(cols), DB_TEXT(map),
			cc->user_id ? DB_INT(cc->user_id) : DB_NULL, DB_INT(cc->now)),
		&im->id, e);
	free(cols);
	free(map);
	if (rc < 0)
		return -1;
	if (rc != 1)
		return err_internal(e, "an import insert returned no id");
	char key[64];
	snprintf(key, sizeof(key), IMPORT_EXPIRE_KIND ":%s", im->public_id);
	json_t *payload = json_pack("{s:s}", "import", im->public_id);
	struct job_spec spec = {.kind = IMPORT_EXPIRE_KIND,
				.unique_key = key,
				.account_id = im->account_id,
				.payload = payload,
				.run_at = cc->now + IMPORT_KEEP_S};
	rc = jobs_enqueue(c, &spec, e) < 0 ? -1 : 0;
	json_decref(payload);
	return rc;
}

static int finish_tx(db_conn *c, void *ctx, struct err *e)
{
	struct create_ctx *cc = ctx;
	if (count_rows(c, cc->im, e))
		return -1;
	return save_counts(c, cc->im, cc->now, e);
}

static void delete_import(db *d, struct imp *im, long rows)
{
	discard_rows(d, im->id, rows + 1);
	db_conn *c;
	struct err e = {0};
	if (db_acquire(d, &c, &e))
		return;
	if (db_exec(c, "DELETE FROM imports WHERE id = $1", DB_ARGS(DB_INT(im->id)), &e) < 0)
		log_warn("import: deleting %lld: %s", (long long)im->id, e.message);
	db_release(c);
}

int import_create(db *d, const struct import_upload *up, json_t **out, struct err *e)
{
	struct buf text = BUF_INIT(0);
	const char *encoding = "utf-8";
	if (import_decode(up->data, up->len, &text, &encoding, e)) {
		buf_release(&text);
		return -1;
	}
	struct imp im = {.account_id = up->account_id, .appointments = up->appointments};
	copy(im.kind, sizeof(im.kind), up->appointments ? "appointments" : "clients");
	copy(im.encoding, sizeof(im.encoding), encoding);
	copy(im.state, sizeof(im.state), "staging");
	copy(im.file_name, sizeof(im.file_name), up->file_name);
	int vcard = import_detect(text.data, text.len) == IMPORT_VCARD ||
		    (up->content_type && (!strncasecmp(up->content_type, "text/vcard", 10) ||
					  !strncasecmp(up->content_type, "text/x-vcard", 12)));
	copy(im.format, sizeof(im.format), vcard ? "vcard" : "csv");
	if (vcard && up->appointments) {
		buf_release(&text);
		return err_set(e, 400, "unsupported_format", "file",
			       "appointments are imported from a CSV file, not a vCard");
	}
	if (!vcard)
		snprintf(im.separator, sizeof(im.separator), "%c", import_csv_separator(text.data, text.len));

	/* first pass: a file that cannot be read is refused before anything is written */
	struct probe pr = {.is_csv = !vcard};
	int rc = read_text(&im, text.data, text.len, probe_record, &pr, e);
	if (rc == 0 && !vcard && pr.records < 2)
		rc = err_set(e, 400, "no_rows", "file", "the file has a header line but no rows");
	if (rc == 0 && !vcard && !identifies(im.appointments, pr.columns) && pr.ragged * 2 >= pr.records - 1)
		/* no column a client field fits, and rows of another width than the header: prose */
		rc = err_set(e, 400, "unsupported_format", "file",
			     "this is neither a CSV file with a header line nor a vCard file");
	if (rc) {
		json_decref(pr.columns);
		buf_release(&text);
		return -1;
	}
	if (vcard) {
		im.columns = json_array();
		for (int i = 0; i < IMPORT_VCARD_NCOLS; i++)
			json_array_append_new(im.columns, json_string(VCARD_COLUMNS[i]));
	} else {
		im.columns = pr.columns;
	}
	im.mapping = propose(im.appointments, im.columns);
	public_id_new("imp", im.public_id);
	struct create_ctx cc = {&im, up->user_id, up->now};
	struct import_catalogue *cat = NULL;
	if ((im.appointments && import_catalogue_load(d, im.account_id, &cat, e)) ||
	    db_transact(d, insert_import_tx, &cc, e)) {
		import_catalogue_free(cat);
		imp_free(&im);
		buf_release(&text);
		return -1;
	}
	struct stager s = {.d = d, .im = &im, .has_header = !vcard, .cat = cat, .now = up->now};
	if (im.appointments)
		s.iv = import_intervals_new();
	s.rows = xcalloc(IMPORT_CHUNK, sizeof(*s.rows));
	const char **map = mapping_strings(im.mapping, &s.nmap);
	s.mapping = map;
	rc = read_text(&im, text.data, text.len, stage_record, &s, e);
	buf_release(&text);
	if (rc == 0)
		rc = flush(&s, 0, e);
	for (int i = 0; i < s.n; i++)
		pending_clear(&s.rows[i]);
	free(s.rows);
	import_catalogue_free(cat);
	import_intervals_free(s.iv);
	copy(im.state, sizeof(im.state), "ready");
	im.progress = s.staged;
	if (rc == 0)
		rc = db_transact(d, finish_tx, &cc, e);
	if (rc == 0)
		rc = answer(d, &im, out, e);
	if (rc)
		delete_import(d, &im, pr.records + 1);
	free(map);
	imp_free(&im);
	return rc;
}

/* ---- a new mapping ---- */

static int remap_rows(db *d, struct imp *im, const char *const *map, int nmap, int64_t now, struct err *e)
{
	struct import_catalogue *cat = NULL;
	if (im->appointments && import_catalogue_load(d, im->account_id, &cat, e))
		return -1;
	struct stager s = {.d = d, .im = im, .mapping = map, .nmap = nmap, .cat = cat, .now = now};
	if (im->appointments)
		s.iv = import_intervals_new();
	s.rows = xcalloc(IMPORT_CHUNK, sizeof(*s.rows));
	int64_t after = -1;
	int rc = 0;
	for (;;) {
		db_conn *c;
		db_rows *r = NULL;
		if ((rc = db_acquire(d, &c, e)))
			break;
		rc = db_query(
			c,
			"SELECT row_no, cells FROM import_rows WHERE import_id = $1 AND row_no > $2 ORDER BY "
			"row_no LIMIT $3",
			DB_ARGS(DB_INT(im->id), DB_INT(after), DB_INT(IMPORT_CHUNK)), &r, e);
		int got = 0;
		while (rc == 0 && (got = db_rows_next(r, e)) == 1) {
			struct import_pending *p = &s.rows[s.n++];
			p->row_no = db_rows_int(r, 0);
			after = p->row_no;
			json_t *rec = json_loads(db_rows_text(r, 1), 0, NULL);
			struct import_record ir = {.row_no = p->row_no, .too_long = -1};
			json_t *cells = json_object_get(rec, "cells");
			ir.ncells = (int)json_integer_value(json_object_get(rec, "ncells"));
			ir.too_long = (int)json_integer_value(json_object_get(rec, "too_long"));
			ir.too_many_columns = ir.ncells > IMPORT_COLS_MAX;
			for (size_t i = 0; i < json_array_size(cells) && i < IMPORT_COLS_MAX; i++) {
				ir.cells[i] = json_string_value(json_array_get(cells, i));
				ir.lens[i] = json_string_length(json_array_get(cells, i));
			}
			if ((size_t)ir.ncells > json_array_size(cells) && !ir.too_many_columns)
				ir.ncells = (int)json_array_size(cells);
			check_into(&s, p, &ir);
			json_decref(rec);
		}
		if (rc == 0 && got < 0)
			rc = -1;
		if (r)
			db_rows_free(r);
		db_release(c);
		if (rc || s.n == 0)
			break;
		int last = s.n < IMPORT_CHUNK;
		if ((rc = flush(&s, 1, e)) || last)
			break;
	}
	for (int i = 0; i < s.n; i++)
		pending_clear(&s.rows[i]);
	free(s.rows);
	import_catalogue_free(cat);
	import_intervals_free(s.iv);
	return rc;
}

static int state_tx(db_conn *c, void *ctx, struct err *e)
{
	struct imp *im = ctx;
	if (count_rows(c, im, e))
		return -1;
	return save_counts(c, im, clock_now(), e);
}

int import_remap(db *d, int64_t account_id, const char *public_id, const json_t *mapping, int64_t now,
		 json_t **out, struct err *e)
{
	struct imp im;
	if (load_alone(d, account_id, public_id, &im, e))
		return -1;
	if (strcmp(im.state, "ready")) {
		imp_free(&im);
		return err_set(e, 409, "import_not_ready", NULL,
			       "this import is %s: its mapping cannot change", im.state);
	}
	json_t *m = read_mapping(im.appointments, mapping, im.columns, im.mapping, e);
	if (!m) {
		imp_free(&im);
		return -1;
	}
	json_decref(im.mapping);
	im.mapping = m;
	int nmap;
	const char **map = mapping_strings(m, &nmap);
	int rc = remap_rows(d, &im, map, nmap, now, e);
	free(map);
	if (rc == 0)
		rc = db_transact(d, state_tx, &im, e);
	if (rc == 0)
		rc = answer(d, &im, out, e);
	imp_free(&im);
	return rc;
}

int import_get(db *d, int64_t account_id, const char *public_id, json_t **out, struct err *e)
{
	struct imp im;
	db_conn *c;
	if (db_acquire(d, &c, e))
		return -1;
	int rc = load(c, account_id, public_id, &im, e);
	if (rc == 0) {
		rc = imp_json(c, &im, out, e);
		imp_free(&im);
	}
	db_release(c);
	return rc;
}

/* ---- commit ---- */

static int claim_tx(db_conn *c, void *ctx, struct err *e)
{
	struct imp *im = ctx;
	int n = db_exec(
		c,
		"UPDATE imports SET state = 'publishing', updated_at = $2 WHERE id = $1 AND state = 'ready'",
		DB_ARGS(DB_INT(im->id), DB_INT(clock_now())), e);
	if (n < 0)
		return -1;
	if (n == 0)
		return err_set(e, 409, "import_not_ready", NULL,
			       "this import is already committed or failed");
	return 0;
}

struct publish_ctx {
	struct imp *im;
	int64_t now;
	int pg; /* the store is PostgreSQL */
};

/* The publish of appointments: every good row placed (or left out when the store's guard
 * finds its interval taken since the check), in the one transaction of publish_tx. */
static int publish_appointments_tx(db_conn *c, struct publish_ctx *p, struct err *e)
{
	struct imp *im = p->im;
	int64_t published, skipped;
	json_t *list = json_array();
	if (import_appt_publish(c, p->pg, im->account_id, im->id, p->now, &published, &skipped, list, e)) {
		json_decref(list);
		return -1;
	}
	if (count_rows(c, im, e)) {
		json_decref(list);
		return -1;
	}
	im->rows_published = published;
	im->rows_skipped = skipped;
	json_decref(im->publish_issues);
	im->publish_issues = list;
	copy(im->state, sizeof(im->state), "done");
	if (save_counts(c, im, p->now, e))
		return -1;
	char *text = json_dumps(list, JSON_COMPACT);
	int rc = db_exec(
		c,
		"UPDATE imports SET rows_published = $2, published_at = $3, progress = $2, rows_skipped "
		"= $4, publish_issues = $5 WHERE id = $1",
		DB_ARGS(DB_INT(im->id), DB_INT(published), DB_INT(p->now), DB_INT(skipped), DB_TEXT(text)),
		e);
	free(text);
	return rc < 0 ? -1 : 0;
}

/* THE publish: the good rows become clients in one transaction. Rows whose e-mail or phone a
 * client got since the check are skipped (marked existing) first. */
static int publish_tx(db_conn *c, void *ctx, struct err *e)
{
	struct publish_ctx *p = ctx;
	struct imp *im = p->im;
	if (im->appointments)
		return publish_appointments_tx(c, p, e);
	if (mark_duplicates(c, im->id, im->account_id, 0, INT64_MAX / 2, 0, e))
		return -1;
	int n = db_exec(
		c,
		"INSERT INTO clients (account_id, public_id, first_name, last_name, search_text, email, "
		"phone, notes, consent_email, consent_sms, created_at, updated_at) SELECT $2, public_id, "
		"first_name, last_name, search_text, email, phone, notes, consent_email, consent_sms, $3, $3 "
		"FROM import_rows WHERE import_id = $1 AND status = 'ok' ORDER BY row_no",
		DB_ARGS(DB_INT(im->id), DB_INT(im->account_id), DB_INT(p->now)), e);
	if (n < 0)
		return -1;
	im->rows_published = n;
	if (count_rows(c, im, e))
		return -1;
	copy(im->state, sizeof(im->state), "done");
	if (save_counts(c, im, p->now, e))
		return -1;
	return db_exec(c,
		       "UPDATE imports SET rows_published = $2, published_at = $3, progress = $2 WHERE id = "
		       "$1",
		       DB_ARGS(DB_INT(im->id), DB_INT(n), DB_INT(p->now)), e) < 0
		       ? -1
		       : 0;
}

static void set_outcome(db *d, struct imp *im, const char *state, const char *error)
{
	db_conn *c;
	struct err e = {0};
	if (db_acquire(d, &c, &e))
		return;
	if (db_exec(c, "UPDATE imports SET state = $2, error = $3, publish_ms = $4 WHERE id = $1",
		    DB_ARGS(DB_INT(im->id), DB_TEXT(state), DB_TEXT(error), DB_INT(im->publish_ms)), &e) < 0)
		log_warn("import: recording the outcome of %s: %s", im->public_id, e.message);
	db_release(c);
	copy(im->state, sizeof(im->state), state);
	copy(im->error, sizeof(im->error), error);
}

int import_commit(db *d, int64_t account_id, const char *public_id, int64_t now, json_t **out, struct err *e)
{
	struct imp im;
	if (load_alone(d, account_id, public_id, &im, e))
		return -1;
	int64_t last_row = im.rows_total + 1;
	if (db_transact(d, claim_tx, &im, e)) {
		imp_free(&im);
		return -1;
	}
	struct publish_ctx p = {&im, now, db_kind(d) == DB_PG};
	int64_t t0 = clock_mono_ms();
	int rc = db_transact(d, publish_tx, &p, e);
	im.publish_ms = clock_mono_ms() - t0;
	if (rc) {
		log_warn("import: publishing %s failed: %s", im.public_id, e->message);
		set_outcome(d, &im, "failed", e->message);
	} else {
		log_info("import: %s published %lld %s in %lld ms", im.public_id,
			 (long long)im.rows_published, im.kind, (long long)im.publish_ms);
		set_outcome(d, &im, "done", "");
	}
	/* staged rows are not needed any more: published or failed, they go */
	discard_rows(d, im.id, last_row);
	if (rc == 0)
		rc = answer(d, &im, out, e);
	imp_free(&im);
	return rc;
}
