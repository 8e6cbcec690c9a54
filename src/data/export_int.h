/* export_int — what the export files share (private to src/data/export*.c): the streaming row
 * cursor, the client and appointment rows as the writers see them, and one writer per format. */
#ifndef CRENEAU_DATA_EXPORT_INT_H
#define CRENEAU_DATA_EXPORT_INT_H
#include <stdint.h>
#include <stdio.h>

#include "base/tz.h"
#include "data/export.h"
#include "db/db.h"

/* A query read in batches: on PostgreSQL a cursor in a read transaction fetched EXPORT_FETCH
 * rows at a time (libpq would otherwise hold the whole result), on SQLite the statement
 * stepped row by row. */
struct export_cursor {
	db_conn *c;
	enum db_kind kind;
	db_rows *r;
	int open, in_batch, batch_rows;
};
/* Opens the cursor on a connection the caller holds (and releases after export_cursor_close). */
int export_cursor_open(struct export_cursor *cur, db_conn *c, enum db_kind kind, const char *sql,
		       const db_param *p, int n, struct err *e) WUR;
/* 1 with a row in cur->r, 0 at the end, negative on error. */
int export_cursor_next(struct export_cursor *cur, struct err *e) WUR;
void export_cursor_close(struct export_cursor *cur);

/* One client as the writers see it (strings borrowed for the call). */
struct export_client {
	const char *id, *first_name, *last_name, *email, *phone, *notes;
	int consent_email, consent_sms;
	int64_t no_shows;
	int64_t last_seen; /* UTC seconds, 0 = never */
	int64_t created;   /* UTC seconds */
};

/* One appointment as the writers see it. */
struct export_appt {
	const char *id, *status, *service, *staff, *first_name, *last_name, *email, *phone, *notes;
	int64_t start, end, version, updated;
};

/* The local wall time of utc in zone z as "YYYY-MM-DD" (date only) or "YYYY-MM-DD HH:MM". */
void export_local(const struct tz *z, int64_t utc, int with_time, char out[24]);
/* The header label of a client column in the account's locale. */
const char *export_column_label(enum export_column col, int french);

/* ---- CSV (export_csv.c) ---- */
/* Writes one cell: quoted when it holds the separator, a quote, CR or LF (quotes doubled); an
 * apostrophe first when it starts with = + - @, a tab or a CR (formula injection). */
int csv_cell(FILE *f, const char *s, char sep, int first);
int csv_end_row(FILE *f);
int csv_bom(FILE *f);

/* ---- vCard 4.0 (export_vcard.c) ---- */
int vcard_client(FILE *f, const struct export_client *cl);

/* ---- iCalendar (export_ics.c) ---- */
int ics_stream_begin(FILE *f, const char *calendar_name);
int ics_stream_event(FILE *f, const struct export_appt *ap, int64_t stamp, struct err *e) WUR;
int ics_stream_end(FILE *f);

/* ---- XLSX (export_xlsx.c): an opaque workbook of one sheet ---- */
struct xlsx_out;
struct xlsx_out *xlsx_open(const char *path, const char *sheet, struct err *e);
/* The header row (labels) and the column types: 's' text, 'n' number, 'b' boolean, 'd' date,
 * 't' date and time. */
int xlsx_header(struct xlsx_out *x, const char *const *labels, const char *types, int ncols,
		struct err *e) WUR;
/* One cell: type as above; s for 's', n for the others (UTC seconds for 'd' and 't', where 0
 * leaves the cell empty). */
struct xlsx_cell {
	const char *s;
	int64_t n;
};
/* One row of ncols cells (as many as the header); dates are local to zone z. */
int xlsx_row(struct xlsx_out *x, const struct xlsx_cell *cells, const struct tz *z, struct err *e) WUR;
int xlsx_close(struct xlsx_out *x, struct err *e) WUR;

#endif
