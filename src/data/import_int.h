/* import_int — what the files of the import share and nobody else calls: the staged row as it
 * waits for its chunk's transaction, and the appointment side of the checks and the publish
 * (import_appointments.c). docs/internals/data.md, "Imports". */
#ifndef CRENEAU_DATA_IMPORT_INT_H
#define CRENEAU_DATA_IMPORT_INT_H
#include <jansson.h>
#include <stdint.h>

#include "data/import.h"

/* Folds a name: ASCII lower case, the accents of French letters dropped, everything but
 * letters and digits removed ("Prénom " → "prenom", "E-mail" → "email"). */
void import_fold(const char *in, char *out, size_t cap);
/* import_check_record with the "a name, an e-mail or a phone" rule only when need_identity
 * (an imported appointment may have no client). */
int import_check_client_fields(const struct import_record *r, const char *const *mapping, int nmap,
			       struct import_values *v, json_t *issues, int need_identity);

/* The appointment a staged row would give (kind "appointments"). */
struct import_appt {
	int64_t service_id, staff_id, starts_at, ends_at, blocked_from, blocked_to;
	char *warnings; /* JSON text of the warnings, malloc'd */
};

/* One staged row waiting for its chunk's transaction. */
struct import_pending {
	long row_no;
	char *cells; /* JSON text, malloc'd */
	char *issues;
	const char *status;
	char public_id[24];
	struct import_values v;
	struct import_appt a;
	char search[1024];
};

/* The account's services, staff, who provides what, weekly hours and zone, read once for the
 * checks of one file. Opaque; owned by the caller of import_catalogue_load. */
struct import_catalogue;
int import_catalogue_load(db *d, int64_t account_id, struct import_catalogue **out, struct err *e) WUR;
void import_catalogue_free(struct import_catalogue *cat);

/* Checks record r mapped as an appointment at `now`: fills p->v (the client), p->a (the
 * appointment, warnings included), p->issues and p->status. */
void import_appt_check(const struct import_catalogue *cat, const struct import_record *r,
		       const char *const *mapping, int nmap, int64_t now, struct import_pending *p);
/* The intervals (buffers included) of the good rows of one file as it is staged, per staff
 * member. Owned by the caller of import_intervals_new. */
struct import_intervals;
struct import_intervals *import_intervals_new(void);
void import_intervals_free(struct import_intervals *iv);
/* Records the interval [from, to) of staff member `staff` given by row `row`. */
void import_intervals_add(struct import_intervals *iv, int64_t staff, int64_t from, int64_t to, long row);
/* The first row before `before_row` whose interval of the same staff member overlaps [from,
 * to), or 0. */
long import_intervals_overlap(const struct import_intervals *iv, int64_t staff, int64_t from, int64_t to,
			      long before_row);

/* In the chunk's transaction: the row's overlaps with the store's live blocks and with the
 * earlier good rows of the same file (`iv`, which a good row then joins), issues added and
 * status invalid; then its insert (or its update when `update`, after a new mapping). Rows
 * are given in file order. */
int import_appt_stage(db_conn *c, int64_t account_id, int64_t import_id, struct import_intervals *iv,
		      struct import_pending *p, int update, struct err *e) WUR;
/* THE publish of an appointment import, in the caller's transaction: every good row becomes
 * a block, an appointment (source "import") and, when it names one, a client found by
 * e-mail then phone or created; no confirmation and no notice is written; the reminders are
 * planned by the reminders.replan job enqueued here. A row whose interval the store's guard
 * refuses (taken since the check) is left out and appended to `skipped` ({row, field, code,
 * message}, at most IMPORT_ISSUES_MAX listed; *nskipped counts them all). pg: the store is
 * PostgreSQL (its planner statistics are refreshed once on the way). */
int import_appt_publish(db_conn *c, int pg, int64_t account_id, int64_t import_id, int64_t now,
			int64_t *published, int64_t *nskipped, json_t *skipped, struct err *e) WUR;

#endif
