/* export — see export.h. This file holds the codes, the streaming cursor, the account loads and
 * the two row loops (clients, appointments) that feed the writers of export_*.c. */
#include "data/export.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "data/export_int.h"
#include "base/banned.h"

static const char *const format_codes[] = {"csv", "xlsx", "vcf", "json", "ics"};
static const char *const format_types[] = {
	"text/csv; charset=utf-8", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"text/vcard; charset=utf-8", "application/json; charset=utf-8", "text/calendar; charset=utf-8"};
static const char *const column_codes[EXPORT_NCOLS] = {
	"id",	       "first_name", "last_name", "email",     "phone", "notes", "consent_email",
	"consent_sms", "no_shows",   "last_seen", "created_at"};
static const char *const labels_fr[EXPORT_NCOLS] = {
	"Identifiant", "Prénom",	"Nom",	      "E-mail",	  "Téléphone",
	"Notes",       "Accord e-mail", "Accord SMS", "Absences", "Dernier rendez-vous",
	"Créé le"};
static const char *const labels_en[EXPORT_NCOLS] = {
	"ID",	       "First name", "Last name",	 "Email",     "Phone", "Notes", "Email consent",
	"SMS consent", "No-shows",   "Last appointment", "Created on"};

const char *export_format_code(enum export_format f)
{
	return (unsigned)f < 5 ? format_codes[f] : "";
}

int export_format_parse(const char *s)
{
	for (int i = 0; s && i < 5; i++)
		if (!strcmp(s, format_codes[i]))
			return i;
	return -1;
}

const char *export_content_type(enum export_format f)
{
	return (unsigned)f < 5 ? format_types[f] : "application/octet-stream";
}

const char *export_column_code(enum export_column c)
{
	return (unsigned)c < EXPORT_NCOLS ? column_codes[c] : "";
}

int export_column_parse(const char *s, size_t len)
{
	for (int i = 0; i < EXPORT_NCOLS; i++)
		if (strlen(column_codes[i]) == len && !memcmp(s, column_codes[i], len))
			return i;
	return -1;
}

const char *export_column_label(enum export_column col, int french)
{
	return (unsigned)col < EXPORT_NCOLS ? (french ? labels_fr : labels_en)[col] : "";
}

void export_local(const struct tz *z, int64_t utc, int with_time, char out[24])
{
	struct civil cv;
	if (z)
		tz_to_civil(z, utc, &cv);
	else
		tz_utc_to_civil(utc, &cv);
	if (with_time)
		snprintf(out, 24, "%04d-%02d-%02d %02d:%02d", cv.year, cv.month, cv.day, cv.hour, cv.minute);
	else
		snprintf(out, 24, "%04d-%02d-%02d", cv.year, cv.month, cv.day);
}

/* ---- the cursor ---- */

int export_cursor_open(struct export_cursor *cur, db_conn *c, enum db_kind kind, const char *sql,
		       const db_param *p, int n, struct err *e)
{
	memset(cur, 0, sizeof(*cur));
	cur->c = c;
	cur->kind = kind;
	if (kind == DB_SQLITE) {
		if (db_query(c, sql, p, n, &cur->r, e))
			return -1;
		cur->open = 1;
		return 0;
	}
	struct buf q;
	buf_init(&q, 64 * 1024);
	if (buf_appendf(&q, "DECLARE export_cur NO SCROLL CURSOR FOR %s", sql)) {
		buf_release(&q);
		return err_internal(e, "export query too long");
	}
	int rc = db_begin(c, e);
	if (!rc && db_exec(c, buf_str(&q), p, n, e) < 0) {
		db_rollback(c);
		rc = -1;
	}
	buf_release(&q);
	if (rc)
		return -1;
	cur->open = 1;
	return 0;
}

int export_cursor_next(struct export_cursor *cur, struct err *e)
{
	if (!cur->open)
		return 0;
	if (cur->kind == DB_SQLITE)
		return db_rows_next(cur->r, e);
	for (;;) {
		if (cur->r) {
			int rc = db_rows_next(cur->r, e);
			if (rc)
				return rc < 0 ? rc : (cur->batch_rows++, 1);
			db_rows_free(cur->r);
			cur->r = NULL;
			if (cur->batch_rows < EXPORT_FETCH)
				return 0; /* a short batch was the last */
		}
		cur->batch_rows = 0;
		char sql[64];
		snprintf(sql, sizeof(sql), "FETCH %d FROM export_cur", EXPORT_FETCH);
		if (db_query(cur->c, sql, DB_NOARGS, &cur->r, e))
			return -1;
	}
}

void export_cursor_close(struct export_cursor *cur)
{
	if (cur->r)
		db_rows_free(cur->r);
	cur->r = NULL;
	if (cur->open && cur->kind == DB_PG)
		db_rollback(cur->c); /* a read: nothing to keep; closes the cursor */
	cur->open = 0;
}

/* ---- accounts ---- */

static int account_row(db *d, const char *where, db_param key, struct account *out, struct err *e)
{
	char sql[512];
	snprintf(sql, sizeof(sql),
		 "SELECT id, public_id, name, slug, plan, state, time_zone, locale FROM accounts WHERE %s",
		 where);
	db_conn *c;
	db_rows *r;
	if (db_acquire(d, &c, e))
		return -1;
	if (db_query(c, sql, &key, 1, &r, e)) {
		db_release(c);
		return -1;
	}
	int rc = db_rows_next(r, e);
	if (rc == 1) {
		memset(out, 0, sizeof(*out));
		out->id = db_rows_int(r, 0);
		snprintf(out->public_id, sizeof(out->public_id), "%s", db_rows_text(r, 1));
		snprintf(out->name, sizeof(out->name), "%s", db_rows_text(r, 2));
		snprintf(out->slug, sizeof(out->slug), "%s", db_rows_text(r, 3));
		const struct plan *p = plan_by_code(db_rows_text(r, 4));
		out->plan = p ? p->id : PLAN_ESSENTIEL;
		int st = account_state_parse(db_rows_text(r, 5));
		out->state = st < 0 ? ACCOUNT_DELETED : (enum account_state)st;
		snprintf(out->time_zone, sizeof(out->time_zone), "%s", db_rows_text(r, 6));
		snprintf(out->locale, sizeof(out->locale), "%s", db_rows_text(r, 7));
	}
	db_rows_free(r);
	db_release(c);
	if (rc < 0)
		return -1;
	return rc == 1 ? 0 : err_set(e, 404, "not_found", NULL, "no such account");
}

int export_account_load(db *d, int64_t account_id, struct account *out, struct err *e)
{
	return account_row(d, "id = $1", DB_INT(account_id), out, e);
}

int export_account_by_slug(db *d, const char *slug, struct account *out, struct err *e)
{
	return account_row(d, "slug = $1", DB_TEXT(slug), out, e);
}

static const struct tz *account_zone(const struct account *a)
{
	struct err ignored = {0};
	const struct tz *z = tz_get(a->time_zone[0] ? a->time_zone : "Europe/Paris", &ignored);
	return z;
}

static int french(const struct account *a)
{
	return strcmp(a->locale, "en") != 0;
}

/* ---- clients ---- */

static const char clients_sql[] =
	"SELECT id, public_id, first_name, last_name, email, phone, notes, consent_email, consent_sms,"
	" no_show_count, COALESCE(last_appointment_at, 0), created_at FROM clients c"
	" WHERE account_id = $1 AND anonymised_at IS NULL"
	" AND ($2 = 0 OR (consent_email = 1 AND email <> ''))"
	" AND ($3 = 0 OR EXISTS (SELECT 1 FROM appointments ap WHERE ap.account_id = c.account_id"
	" AND ap.client_id = c.id AND ap.status IN ('booked', 'done', 'no_show')"
	" AND ap.starts_at >= $4 AND ap.starts_at < $5))"
	" ORDER BY id";

static void client_from_row(db_rows *r, struct export_client *cl)
{
	cl->id = db_rows_text(r, 1);
	cl->first_name = db_rows_text(r, 2);
	cl->last_name = db_rows_text(r, 3);
	cl->email = db_rows_text(r, 4);
	cl->phone = db_rows_text(r, 5);
	cl->notes = db_rows_text(r, 6);
	cl->consent_email = (int)db_rows_int(r, 7);
	cl->consent_sms = (int)db_rows_int(r, 8);
	cl->no_shows = db_rows_int(r, 9);
	cl->last_seen = db_rows_int(r, 10);
	cl->created = db_rows_int(r, 11);
}

static int ncols_of(unsigned cols, int *which)
{
	int n = 0;
	for (int i = 0; i < EXPORT_NCOLS; i++)
		if (cols & (1u << i))
			which[n++] = i;
	return n;
}

static const char col_types[EXPORT_NCOLS] = {'s', 's', 's', 's', 's', 's', 'b', 'b', 'n', 'd', 'd'};

static void client_cell(const struct export_client *cl, int col, struct xlsx_cell *out)
{
	out->s = "";
	out->n = 0;
	switch (col) {
	case EXPORT_COL_ID:
		out->s = cl->id;
		break;
	case EXPORT_COL_FIRST_NAME:
		out->s = cl->first_name;
		break;
	case EXPORT_COL_LAST_NAME:
		out->s = cl->last_name;
		break;
	case EXPORT_COL_EMAIL:
		out->s = cl->email;
		break;
	case EXPORT_COL_PHONE:
		out->s = cl->phone;
		break;
	case EXPORT_COL_NOTES:
		out->s = cl->notes;
		break;
	case EXPORT_COL_CONSENT_EMAIL:
		out->n = cl->consent_email;
		break;
	case EXPORT_COL_CONSENT_SMS:
		out->n = cl->consent_sms;
		break;
	case EXPORT_COL_NO_SHOWS:
		out->n = cl->no_shows;
		break;
	case EXPORT_COL_LAST_SEEN:
		out->n = cl->last_seen;
		break;
	case EXPORT_COL_CREATED:
		out->n = cl->created;
		break;
	default:
		break;
	}
}

/* One CSV line of a client: texts as they are, consents 1/0 as "oui"/"non" (or yes/no),
 * dates as local YYYY-MM-DD. */
static int csv_client(FILE *f, const struct export_client *cl, const int *which, int n, char sep,
		      const struct tz *z, int fr)
{
	for (int i = 0; i < n; i++) {
		struct xlsx_cell cell;
		client_cell(cl, which[i], &cell);
		char tmp[24];
		const char *s = cell.s;
		switch (col_types[which[i]]) {
		case 'b':
			s = cell.n ? (fr ? "oui" : "yes") : (fr ? "non" : "no");
			break;
		case 'n':
			snprintf(tmp, sizeof(tmp), "%lld", (long long)cell.n), s = tmp;
			break;
		case 'd':
			if (cell.n)
				export_local(z, cell.n, 0, tmp), s = tmp;
			else
				s = "";
			break;
		default:
			break;
		}
		if (csv_cell(f, s, sep, i == 0))
			return -1;
	}
	return csv_end_row(f);
}

static int json_client(FILE *f, const struct export_client *cl, const struct tz *z, int first)
{
	char last[24] = "", created[24];
	if (cl->last_seen)
		export_local(z, cl->last_seen, 0, last);
	export_local(z, cl->created, 0, created);
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:I, s:s?, s:s}", "id", cl->id,
			      "first_name", cl->first_name, "last_name", cl->last_name, "email", cl->email,
			      "phone", cl->phone, "notes", cl->notes, "consent_email", cl->consent_email,
			      "consent_sms", cl->consent_sms, "no_shows", (json_int_t)cl->no_shows,
			      "last_seen", cl->last_seen ? last : NULL, "created_at", created);
	if (!o)
		return -1;
	int rc = (fputs(first ? "\n  " : ",\n  ", f) < 0 || json_dumpf(o, f, JSON_COMPACT)) ? -1 : 0;
	json_decref(o);
	return rc;
}

int export_clients(db *d, const struct account *a, const struct export_clients_opts *o, const char *path,
		   int64_t *count, struct err *e)
{
	if (count)
		*count = 0;
	if (o->format != EXPORT_CSV && o->format != EXPORT_XLSX && o->format != EXPORT_VCF &&
	    o->format != EXPORT_JSON)
		return err_invalid(e, "format", "clients are exported as csv, xlsx, vcf or json");
	char sep = o->separator ? o->separator : ';';
	if (sep != ';' && sep != ',')
		return err_invalid(e, "separator", "the separator is ; or ,");
	int which[EXPORT_NCOLS];
	int ncols = ncols_of(o->columns ? o->columns & EXPORT_COLS_ALL : EXPORT_COLS_ALL, which);
	if (!ncols)
		return err_invalid(e, "columns", "choose at least one column");
	const struct tz *z = account_zone(a);
	int fr = french(a);

	FILE *f = NULL;
	struct xlsx_out *x = NULL;
	if (o->format == EXPORT_XLSX) {
		if (!(x = xlsx_open(path, fr ? "Clients" : "Clients", e)))
			return -1;
		const char *labels[EXPORT_NCOLS];
		char types[EXPORT_NCOLS];
		for (int i = 0; i < ncols; i++)
			labels[i] = export_column_label(which[i], fr), types[i] = col_types[which[i]];
		if (xlsx_header(x, labels, types, ncols, e)) {
			struct err ignored = {0};
			if (xlsx_close(x, &ignored))
				return -1;
			return -1;
		}
	} else if (!(f = fopen(path, "wb"))) {
		return err_internal(e, "cannot write %s", path);
	}
	int rc = 0;
	if (o->format == EXPORT_CSV) {
		rc = csv_bom(f);
		for (int i = 0; !rc && i < ncols; i++)
			rc = csv_cell(f, export_column_label(which[i], fr), sep, i == 0);
		if (!rc)
			rc = csv_end_row(f);
	} else if (o->format == EXPORT_JSON) {
		rc = fputs("{\"clients\": [", f) < 0 ? -1 : 0;
	}
	if (rc)
		err_internal(e, "cannot write %s", path);

	db_conn *c = NULL;
	struct export_cursor cur = {0};
	int64_t n = 0;
	if (!rc && (db_acquire(d, &c, e) ||
		    export_cursor_open(&cur, c, db_kind(d), clients_sql,
				       DB_ARGS(DB_INT(a->id), DB_INT(o->filter == EXPORT_CONSENTED),
					       DB_INT(o->filter == EXPORT_SEEN), DB_INT(o->seen_from),
					       DB_INT(o->seen_to)),
				       e)))
		rc = -1;
	while (!rc) {
		int got = export_cursor_next(&cur, e);
		if (got <= 0) {
			rc = got;
			break;
		}
		struct export_client cl;
		client_from_row(cur.r, &cl);
		int w = 0;
		switch (o->format) {
		case EXPORT_CSV:
			w = csv_client(f, &cl, which, ncols, sep, z, fr);
			break;
		case EXPORT_VCF:
			w = vcard_client(f, &cl);
			break;
		case EXPORT_JSON:
			w = json_client(f, &cl, z, n == 0);
			break;
		default: {
			struct xlsx_cell cells[EXPORT_NCOLS];
			for (int i = 0; i < ncols; i++)
				client_cell(&cl, which[i], &cells[i]);
			if (xlsx_row(x, cells, z, e))
				rc = -1;
			break;
		}
		}
		if (w)
			rc = err_internal(e, "cannot write %s", path);
		n++;
	}
	export_cursor_close(&cur);
	db_release(c);
	if (!rc && o->format == EXPORT_JSON && fputs(n ? "\n]}\n" : "]}\n", f) < 0)
		rc = err_internal(e, "cannot write %s", path);
	if (f && fclose(f) && !rc)
		rc = err_internal(e, "cannot write %s", path);
	if (x) {
		struct err ignored = {0};
		if (xlsx_close(x, rc ? &ignored : e) && !rc)
			rc = -1;
	}
	if (!rc && count)
		*count = n;
	return rc;
}

/* ---- appointments ---- */

static const char appts_sql[] =
	"SELECT ap.public_id, ap.status, s.name, st.name, COALESCE(cl.first_name, ''),"
	" COALESCE(cl.last_name, ''), COALESCE(cl.email, ''), COALESCE(cl.phone, ''), ap.notes,"
	" ap.starts_at, ap.ends_at, ap.version, ap.updated_at"
	" FROM appointments ap JOIN services s ON s.account_id = ap.account_id AND s.id = ap.service_id"
	" JOIN staff st ON st.account_id = ap.account_id AND st.id = ap.staff_id"
	" LEFT JOIN clients cl ON cl.account_id = ap.account_id AND cl.id = ap.client_id"
	" WHERE ap.account_id = $1 AND ap.starts_at >= $2 AND ap.starts_at < $3"
	" AND ($4 = 0 OR ap.staff_id = $4) AND ($5 = 1 OR ap.status <> 'cancelled')"
	" ORDER BY ap.starts_at, ap.id";

static const char *const appt_labels_fr[] = {"Identifiant", "Statut",	   "Début",  "Fin",
					     "Prestation",  "Intervenant", "Prénom", "Nom",
					     "E-mail",	    "Téléphone",   "Notes"};
static const char *const appt_labels_en[] = {"ID",	   "Status",	"Start", "End",	  "Service", "Staff",
					     "First name", "Last name", "Email", "Phone", "Notes"};

static int csv_appt(FILE *f, const struct export_appt *ap, const struct tz *z)
{
	char start[24], end[24];
	export_local(z, ap->start, 1, start);
	export_local(z, ap->end, 1, end);
	const char *cells[] = {ap->id,	       ap->status,    start,	 end,	    ap->service, ap->staff,
			       ap->first_name, ap->last_name, ap->email, ap->phone, ap->notes};
	for (size_t i = 0; i < sizeof(cells) / sizeof(cells[0]); i++)
		if (csv_cell(f, cells[i], ';', i == 0))
			return -1;
	return csv_end_row(f);
}

int export_appointments(db *d, const struct account *a, const struct export_appts_opts *o, const char *path,
			int64_t *count, struct err *e)
{
	if (count)
		*count = 0;
	if (o->format != EXPORT_ICS && o->format != EXPORT_CSV)
		return err_invalid(e, "format", "appointments are exported as ics or csv");
	int64_t from = o->all_time ? INT64_MIN : o->from, to = o->all_time ? INT64_MAX : o->to;
	if (!o->all_time && (o->to <= o->from || o->to - o->from > EXPORT_APPTS_SPAN_MAX))
		return err_invalid(e, "to", "the range ends after it starts and spans at most 3 years");
	const struct tz *z = account_zone(a);
	int fr = french(a);
	FILE *f = fopen(path, "wb");
	if (!f)
		return err_internal(e, "cannot write %s", path);
	int rc = 0;
	if (o->format == EXPORT_CSV) {
		rc = csv_bom(f);
		for (int i = 0; !rc && i < 11; i++)
			rc = csv_cell(f, (fr ? appt_labels_fr : appt_labels_en)[i], ';', i == 0);
		if (!rc)
			rc = csv_end_row(f);
	} else {
		rc = ics_stream_begin(f, a->name);
	}
	if (rc)
		err_internal(e, "cannot write %s", path);
	db_conn *c = NULL;
	struct export_cursor cur = {0};
	int64_t n = 0, stamp = clock_now();
	if (!rc && (db_acquire(d, &c, e) ||
		    export_cursor_open(&cur, c, db_kind(d), appts_sql,
				       DB_ARGS(DB_INT(a->id), DB_INT(from), DB_INT(to), DB_INT(o->staff_id),
					       DB_INT(o->with_cancelled ? 1 : 0)),
				       e)))
		rc = -1;
	while (!rc) {
		int got = export_cursor_next(&cur, e);
		if (got <= 0) {
			rc = got;
			break;
		}
		db_rows *r = cur.r;
		struct export_appt ap = {
			.id = db_rows_text(r, 0),
			.status = db_rows_text(r, 1),
			.service = db_rows_text(r, 2),
			.staff = db_rows_text(r, 3),
			.first_name = db_rows_text(r, 4),
			.last_name = db_rows_text(r, 5),
			.email = db_rows_text(r, 6),
			.phone = db_rows_text(r, 7),
			.notes = db_rows_text(r, 8),
			.start = db_rows_int(r, 9),
			.end = db_rows_int(r, 10),
			.version = db_rows_int(r, 11),
			.updated = db_rows_int(r, 12),
		};
		if (o->format == EXPORT_CSV) {
			if (csv_appt(f, &ap, z))
				rc = err_internal(e, "cannot write %s", path);
		} else if (ics_stream_event(f, &ap, stamp, e)) {
			rc = -1;
		}
		n++;
	}
	export_cursor_close(&cur);
	db_release(c);
	if (!rc && o->format == EXPORT_ICS && ics_stream_end(f))
		rc = err_internal(e, "cannot write %s", path);
	if (fclose(f) && !rc)
		rc = err_internal(e, "cannot write %s", path);
	if (!rc && count)
		*count = n;
	return rc;
}
