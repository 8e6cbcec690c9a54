/* export — an account's data in the formats people use (docs/internals/data.md, "Exports").
 *
 * Clients as CSV (UTF-8 with a BOM, `;` by default so Excel in France opens it, `,` on
 * request), XLSX (libxlsxwriter in constant-memory mode: typed columns, a header row, frozen
 * panes), vCard 4.0 (one file, every client) and JSON; appointments as iCalendar (one VEVENT per
 * appointment, UID equal to the invitation e-mails' ones, see notify/ics.h) and CSV; the full
 * archive as a ZIP (JSON of every record of every table with an account_id, the CSVs, the ICS,
 * the invoices' PDFs).
 *
 * Everything is streamed: rows are written as they are read (PostgreSQL through a cursor
 * fetched in batches, SQLite row by row), so memory stays flat whatever the row count. A text
 * cell starting with = + - @, a tab or a CR gets a leading apostrophe in CSV; XLSX writes every
 * text as a string, never a formula. Every function takes the account id of the caller's
 * principal and reads nothing of another account. */
#ifndef CRENEAU_DATA_EXPORT_H
#define CRENEAU_DATA_EXPORT_H
#include <stdint.h>
#include <stdio.h>

#include "account/account.h"
#include "base/err.h"
#include "db/db.h"

#define EXPORT_FETCH	      500		 /* rows fetched per round trip on PostgreSQL */
#define EXPORT_ARCHIVE_KEEP_S (7 * 24 * 3600)	 /* an archive can be downloaded for 7 days */
#define EXPORT_ARCHIVE_KIND   "data.archive"	 /* the job that builds an archive */
#define EXPORT_EXPIRE_KIND    "data.archive_end" /* the job that deletes it after 7 days */
#define EXPORT_APPTS_SPAN_MAX (3 * 366 * 86400)	 /* longest range of an appointment export */
#define EXPORT_FEED_PAST_S    (31 * 86400)	 /* a feed shows a month back... */
#define EXPORT_FEED_FUTURE_S  (366 * 86400)	 /* ...and a year ahead */

enum export_format { EXPORT_CSV, EXPORT_XLSX, EXPORT_VCF, EXPORT_JSON, EXPORT_ICS };

/* Client columns, for the column choice of a mailing (a bit set of 1 << EXPORT_COL_x). */
enum export_column {
	EXPORT_COL_ID,
	EXPORT_COL_FIRST_NAME,
	EXPORT_COL_LAST_NAME,
	EXPORT_COL_EMAIL,
	EXPORT_COL_PHONE,
	EXPORT_COL_NOTES,
	EXPORT_COL_CONSENT_EMAIL,
	EXPORT_COL_CONSENT_SMS,
	EXPORT_COL_NO_SHOWS,
	EXPORT_COL_LAST_SEEN,
	EXPORT_COL_CREATED,
	EXPORT_NCOLS
};
#define EXPORT_COLS_ALL ((1u << EXPORT_NCOLS) - 1)

enum export_filter {
	EXPORT_ALL,	  /* every client not erased */
	EXPORT_CONSENTED, /* those who consented to e-mail and have an address */
	EXPORT_SEEN,	  /* those whose last appointment is in [seen_from, seen_to) */
};

struct export_clients_opts {
	enum export_format format; /* CSV, XLSX, VCF or JSON */
	char separator;		   /* CSV: ';' (0 = ';') or ',' */
	unsigned columns;	   /* CSV and XLSX: 0 = all */
	enum export_filter filter;
	int64_t seen_from, seen_to; /* UTC seconds, for EXPORT_SEEN */
};

struct export_appts_opts {
	enum export_format format; /* ICS or CSV */
	int64_t from, to;	   /* UTC seconds: appointments starting in [from, to) */
	int64_t staff_id;	   /* 0 = every staff member */
	int with_cancelled;	   /* 1: cancelled ones too (STATUS:CANCELLED in ICS) */
	int all_time;		   /* 1: every appointment, the range ignored (the archive) */
};

/* The code of a format ("csv", "xlsx", "vcf", "json", "ics") and back (-1 when unknown). */
const char *export_format_code(enum export_format f);
int export_format_parse(const char *s);
/* The content type of a format's file. */
const char *export_content_type(enum export_format f);
/* The code of a column ("first_name"...) and back (-1 when unknown). */
const char *export_column_code(enum export_column c);
int export_column_parse(const char *s, size_t len);

/* Writes the clients of account a to the file at path (created or truncated); *count (may be
 * NULL) receives how many were written. 400 `invalid_field` for a format that is not a client
 * format. */
int export_clients(db *d, const struct account *a, const struct export_clients_opts *o, const char *path,
		   int64_t *count, struct err *e) WUR;

/* Writes the appointments of account a starting in [o->from, o->to) (one staff member's or
 * everyone's) to the file at path; *count (may be NULL) receives how many. */
int export_appointments(db *d, const struct account *a, const struct export_appts_opts *o, const char *path,
			int64_t *count, struct err *e) WUR;

/* Writes the full archive of account a as a ZIP to the file at path: data/<table>.json for
 * every table with an account_id (secrets and blobs left out), clients.csv, clients.vcf,
 * appointments.csv, appointments.ics and invoices/<number>.pdf. Temporary files go to
 * $TMPDIR and are removed. */
int export_archive(db *d, const struct account *a, const char *path, struct err *e) WUR;

/* Loads the account with this id (for jobs and the command line); 404 when none. */
int export_account_load(db *d, int64_t account_id, struct account *out, struct err *e) WUR;
/* Finds the account of this slug; 404 when none. */
int export_account_by_slug(db *d, const char *slug, struct account *out, struct err *e) WUR;

/* ---- archives in the background (export_archive.c) ---- */

/* Registers the archive jobs (call once at start-up). */
void export_register(void);

/* Asks for an archive in the caller's transaction: an export_archives row `pending`, its job
 * and an audit entry; writes its public id to id_out. */
int export_archive_request(db_conn *c, int64_t account_id, int64_t user_id, const char *ip, int64_t now,
			   char id_out[24], struct err *e) WUR;

#endif
