/* import — clients from a CSV file or a vCard file, and future appointments from a CSV file
 * (docs/internals/data.md, "Imports").
 *
 * Reading: the uploaded bytes are decoded to UTF-8 (a BOM dropped; bytes that are not valid
 * UTF-8 are read as Windows-1252 through ICU), the format is recognised (vCard when the text
 * starts with BEGIN:VCARD, else CSV with its separator guessed from the first line), and the
 * records are handed one by one to a callback as cells: CSV rows as they are, vCards as the
 * fixed columns IMPORT_VCARD_COLUMNS. Every size has a cap and every failure is a clear
 * answer, never a crash.
 *
 * Staging and publishing: import_create reads a file into an `imports` row and its
 * `import_rows`, a thousand rows per transaction, each row checked against a mapping (column →
 * client field) with its verdict and issues; import_remap checks them again with another
 * mapping; import_commit publishes the good rows in ONE short transaction (clients that meanwhile
 * got the same e-mail or phone are skipped) and then deletes the staging rows. A failure before
 * or during the publish leaves `clients` untouched and the staging rows discarded.
 *
 * Appointments: each row is checked like a booking from the back office (service and staff
 * by name, the staff member provides the service, a start in the future that exists in the
 * business's zone, no overlap with the agenda nor with an earlier row of the file; outside
 * the weekly hours is a warning, not a refusal), and the publish writes them with no
 * confirmation to the client, reminders planned as usual. Every function takes the account id
 * of the caller's principal. */
#ifndef CRENEAU_DATA_IMPORT_H
#define CRENEAU_DATA_IMPORT_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/tz.h"
#include "db/db.h"

#define IMPORT_BODY_MAX	    (64u * 1024 * 1024) /* bytes of an uploaded file */
#define IMPORT_ROWS_MAX	    200000		/* records of one file */
#define IMPORT_COLS_MAX	    64			/* columns of one row */
#define IMPORT_CELL_MAX	    4000		/* bytes of one cell (CLIENTS_NOTES_MAX) */
#define IMPORT_LINE_MAX	    65536		/* bytes of one unfolded vCard line */
#define IMPORT_CHUNK	    1000		/* rows staged or checked per transaction */
#define IMPORT_PREVIEW_ROWS 10			/* rows shown in the preview */
#define IMPORT_ISSUES_MAX   200			/* row issues listed in one report */
#define IMPORT_NAME_MAX	    200			/* bytes of the file name kept */
#define IMPORT_KEEP_S	    (7 * 86400)		/* an import not committed is discarded then */
#define IMPORT_EXPIRE_KIND  "data.import_end"	/* the job that does it */

/* The client fields a column can be mapped to ("" = ignored). */
#define IMPORT_FIELDS                                                                                        \
	"first_name", "last_name", "full_name", "email", "phone", "notes", "consent_email", "consent_sms"
#define IMPORT_NFIELDS 8

/* The appointment fields a column can be mapped to (kind "appointments"): the start as a date
 * and a time, or as one date-time; the end as a time or a duration (else the service's); the
 * service and the staff member by name; the client; the appointment's notes. */
#define IMPORT_APPT_FIELDS                                                                                   \
	"date", "start_time", "start", "end_time", "duration", "service", "staff", "first_name",             \
		"last_name", "full_name", "email", "phone", "notes"
#define IMPORT_APPT_NFIELDS 13

/* The columns a vCard gives, in this order. */
#define IMPORT_VCARD_COLUMNS "Nom", "Prénom", "Nom complet", "E-mail", "Téléphone", "Notes", "Autres contacts"
#define IMPORT_VCARD_NCOLS   7

enum import_format { IMPORT_CSV, IMPORT_VCARD };

/* One record as read: cells[i] is NUL-terminated UTF-8 of lens[i] bytes. too_many_columns
 * is set when the record had more than IMPORT_COLS_MAX cells (ncells then counts them all
 * but only the first IMPORT_COLS_MAX are given); too_long names the first cell over
 * IMPORT_CELL_MAX (-1 when none; that cell is given cut). line is the record's first line. */
struct import_record {
	long row_no; /* 1 = first record (a CSV header counts) */
	long line;
	int ncells;
	const char *cells[IMPORT_COLS_MAX];
	size_t lens[IMPORT_COLS_MAX];
	int too_many_columns;
	int too_long;
};
/* Returns 0 to go on, negative (with *e) to stop the reading. */
typedef int (*import_record_fn)(void *ctx, const struct import_record *r, struct err *e);

/* Decodes an uploaded file into out (UTF-8, BOM dropped, NUL-terminated); *encoding
 * receives "utf-8" or "windows-1252". 400 `empty_file`, or `not_text` for a binary file (a
 * NUL byte, or control bytes no text file has). */
int import_decode(const char *data, size_t len, struct buf *out, const char **encoding, struct err *e) WUR;
/* The format of decoded text: IMPORT_VCARD when it starts with BEGIN:VCARD. */
enum import_format import_detect(const char *text, size_t len);
/* The separator of a CSV text, guessed from its first line outside quotes: the most frequent
 * of ';', ',', tab and '|' (',' when none). */
char import_csv_separator(const char *text, size_t len);
/* Reads CSV text with separator sep, calling fn for every record (empty lines skipped).
 * 400 `invalid_csv` naming the line of a broken quote; 400 `too_many_rows` past
 * IMPORT_ROWS_MAX records. */
int import_csv_read(const char *text, size_t len, char sep, import_record_fn fn, void *ctx,
		    struct err *e) WUR;
/* Reads vCard 3.0 / 4.0 text (folded lines, QUOTED-PRINTABLE and CHARSET of 3.0, escaped
 * characters, several TEL and EMAIL), calling fn once per card with the cells of
 * IMPORT_VCARD_COLUMNS (no header record). 400 `invalid_vcard` naming the line of a card not
 * ended or a line too long; `too_many_rows`. */
int import_vcard_read(const char *text, size_t len, import_record_fn fn, void *ctx, struct err *e) WUR;

/* The field proposed for a column name (French and English synonyms, case and accents
 * ignored): one of IMPORT_FIELDS, or "" when none fits. */
const char *import_guess_field(const char *column);

/* The appointment field proposed for a column name (French and English synonyms): one of
 * IMPORT_APPT_FIELDS, or "". */
const char *import_guess_appt_field(const char *column);

/* Dates and times as a French agenda writes them. A date: "28/03/2027", "28-03-2027",
 * "28.03.2027", "28/03/27" or "2027-03-28"; a time: "9:30", "09:30", "09:30:00", "9h30", "9h";
 * a date-time: a date, then a space or "T", then a time. Each fills the matching fields of
 * *out and returns 0, or -1 when the text is not one. */
int import_parse_date(const char *s, struct civil *out);
int import_parse_time(const char *s, struct civil *out);
int import_parse_datetime(const char *s, struct civil *out);
/* A duration in minutes: "45", "45 min", "1h30", "1:30", "2h"; -1 when it is not one. */
int import_parse_duration(const char *s);

/* What a mapped record gives, checked like a client the office types in. */
struct import_values {
	char first_name[101], last_name[101], email[256], phone[32], notes[4001];
	int consent_email, consent_sms;
};
/* Applies mapping (field per column, "" ignored; nmap entries) to record r: fills *v and
 * appends to issues (a JSON array it owns) one {"field","code","message"} per problem (the
 * field is the client field, the column named in the message). Returns the number of issues. */
int import_check_record(const struct import_record *r, const char *const *mapping, int nmap,
			struct import_values *v, json_t *issues);

/* ---- staging and publishing (store) ---- */

struct import_upload {
	int64_t account_id, user_id;
	int appointments; /* 0: clients (CSV or vCard); 1: appointments (CSV only) */
	const char *data; /* the raw upload */
	size_t len;
	const char *file_name;	  /* may be NULL */
	const char *content_type; /* may be NULL; text/vcard forces vCard */
	int64_t now;
};
/* Reads an upload into a new staged import of the account: *out receives its JSON (id,
 * state, format, encoding, separator, columns, mapping, preview, report), owned by the
 * caller. 400 for a file that cannot be read (see above), or a vCard given as appointments
 * (`unsupported_format`); nothing is kept then. */
int import_create(db *d, const struct import_upload *up, json_t **out, struct err *e) WUR;
/* Checks the staged rows again with a new mapping (a JSON object column index or name →
 * field, or an array of fields; NULL: 400 `missing_field`); *out as import_create. 404, 409
 * `import_not_ready` once committed, 400 `invalid_field` on "mapping". */
int import_remap(db *d, int64_t account_id, const char *public_id, const json_t *mapping, int64_t now,
		 json_t **out, struct err *e) WUR;
/* The import's JSON (state, counts, progress, report; a preview while staged). 404. */
int import_get(db *d, int64_t account_id, const char *public_id, json_t **out, struct err *e) WUR;
/* Publishes the rows marked ok in one transaction, then discards the staging rows; *out as
 * import_get (state done, rows_published, publish_ms). 404; 409 `import_not_ready` when not
 * staged or already committed. On failure the import becomes `failed`, nothing published. */
int import_commit(db *d, int64_t account_id, const char *public_id, int64_t now, json_t **out,
		  struct err *e) WUR;

/* Registers IMPORT_EXPIRE_KIND, enqueued with each import for IMPORT_KEEP_S later: an import
 * still not committed then loses its staging rows (the file's personal data) and becomes
 * `failed` with the error "expired". Call once at start, before the workers start. */
void import_register(void);

#endif
