/* clients — the people who book: profile, search, history, export, erasure and the
 * three-year anonymisation (docs/internals/clients.md). Every function takes the account id
 * of the caller's principal and touches only that account's rows; a client of another
 * account is "not found" (404). Email is kept as email_normalise gives it, phone in E.164.
 * A client is identified by at least a name, an email or a phone. */
#ifndef CRENEAU_SCHEDULE_CLIENTS_H
#define CRENEAU_SCHEDULE_CLIENTS_H
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"

#define CLIENTS_NAME_MAX 100     /* bytes of first_name and of last_name */
#define CLIENTS_NOTES_MAX 4000   /* bytes of notes */
#define CLIENTS_SEARCH_MAX 100   /* bytes of a search query */
#define CLIENTS_PAGE_MAX 200     /* rows of one page of the list */
#define CLIENTS_ERASED_NAME "Client effacé"
#define CLIENTS_RETENTION_S (3 * 366 * 86400LL) /* no appointment for this long → anonymised */
#define CLIENTS_JOB_KIND "clients.anonymise"

/* Finds the account's client whose email (when given) or else phone (when given) matches,
 * or creates one, inside the caller's open transaction on c; *client_id receives the row
 * id. email and phone are raw input: they are normalised here (400 `invalid_email` /
 * `invalid_phone` naming "email" / "phone"; French numbers by default). An existing client
 * keeps its data, except that empty names, email or phone are filled from the input.
 * Anonymised clients are never matched. At least one of the four must be non-empty (400
 * `missing_field`). For the booking transaction of the appointments module. */
int clients_find_or_create(db_conn *c, int64_t account_id, const char *first, const char *last,
			   const char *email, const char *phone, int64_t now, int64_t *client_id,
			   struct err *e) WUR;

/* Records that the client has an appointment starting at starts_at: last_appointment_at
 * becomes the later of its value and starts_at (the anonymisation job reads it). Call in
 * the transaction that creates or moves the appointment. */
int clients_note_appointment(db_conn *c, int64_t account_id, int64_t client_id, int64_t starts_at,
			     struct err *e) WUR;

/* Anonymises one client in place (names → CLIENTS_ERASED_NAME, email, phone, notes and
 * search text emptied, anonymised_at = now; its appointments keep their times but lose their
 * notes and answers) inside the caller's transaction. Returns 1 when done, 0 when there is
 * no such client in the account. Writes no audit entry (the API does). */
int clients_anonymise(db_conn *c, int64_t account_id, int64_t client_id, int64_t now,
		      struct err *e) WUR;

/* Anonymises, in every account, the clients created and last booked more than
 * CLIENTS_RETENTION_S before now (in batches, each its own transaction). *count (may be
 * NULL) receives how many were anonymised. */
int clients_anonymise_stale(db *d, int64_t now, int *count, struct err *e) WUR;

/* Registers the job kind CLIENTS_JOB_KIND (runs clients_anonymise_stale, then enqueues the
 * next day's run). Call once at start-up, before workers start. */
void clients_register(void);
/* Enqueues today's anonymisation run (unique key per UTC day, due at now), so it is safe to
 * call at every start. Returns 0 or negative. */
int clients_schedule_jobs(db *d, int64_t now, struct err *e) WUR;

/* Folds text for search: lower-case, accents removed, runs of spaces made one; digits of a
 * phone kept. Writes at most cap bytes (NUL included) to out. Returns 0 or negative on
 * malformed UTF-8. */
int clients_search_text(const char *first, const char *last, const char *email, const char *phone,
			char *out, size_t cap, struct err *e) WUR;

#endif
