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
#include "base/phone.h"
#include "db/db.h"

#define CLIENTS_NAME_MAX    100	 /* bytes of first_name and of last_name */
#define CLIENTS_NOTES_MAX   4000 /* bytes of notes */
#define CLIENTS_SEARCH_MAX  100	 /* bytes of a search query */
#define CLIENTS_PAGE_MAX    200	 /* rows of one page of the list */
#define CLIENTS_ERASED_NAME "Client effacé"
#define CLIENTS_RETENTION_S (1096 * 86400LL) /* 3 years, a leap day included: then anonymised */
#define CLIENTS_JOB_KIND    "clients.anonymise"

/* One client as stored. Anonymised clients keep their row (anonymised_at != 0). */
struct client {
	int64_t id;
	char public_id[24];
	char first_name[CLIENTS_NAME_MAX + 1];
	char last_name[CLIENTS_NAME_MAX + 1];
	char email[256];
	char phone[PHONE_E164_SIZE];
	char notes[CLIENTS_NOTES_MAX + 1];
	int consent_email, consent_sms, is_demo;
	int64_t no_show_count;	     /* appointments marked no_show (clients_get only) */
	int64_t last_appointment_at; /* 0 = none */
	int64_t anonymised_at;	     /* 0 = not anonymised */
	int64_t version, created_at, updated_at;
};

/* What a create or a PATCH gives, already validated by the caller (email normalised, phone
 * in E.164, lengths within the caps). For a PATCH only the fields whose CLIENT_SET_* bit is
 * in `set` change; a create takes them all. */
enum {
	CLIENT_SET_FIRST = 1 << 0,
	CLIENT_SET_LAST = 1 << 1,
	CLIENT_SET_EMAIL = 1 << 2,
	CLIENT_SET_PHONE = 1 << 3,
	CLIENT_SET_NOTES = 1 << 4,
	CLIENT_SET_CONSENT_EMAIL = 1 << 5,
	CLIENT_SET_CONSENT_SMS = 1 << 6,
	CLIENT_SET_ALL = 0x7f,
};
struct client_input {
	unsigned set;
	char first_name[CLIENTS_NAME_MAX + 1];
	char last_name[CLIENTS_NAME_MAX + 1];
	char email[256];
	char phone[PHONE_E164_SIZE];
	char notes[CLIENTS_NOTES_MAX + 1];
	int consent_email, consent_sms;
};

/* Creates a client in the caller's transaction; *out receives it. 400 `missing_field` when
 * it has no name, email or phone; 409 `duplicate_client` (field "email" or "phone", the
 * existing client's public id in the message) when a client of the account not anonymised
 * has the same email or phone. */
int clients_create(db_conn *c, int64_t account_id, const struct client_input *in, int64_t now,
		   struct client *out, struct err *e) WUR;
/* Reads one client by public id; 404 `not_found` when the account has none. Fills
 * no_show_count. */
int clients_get(db_conn *c, int64_t account_id, const char *public_id, struct client *out, struct err *e) WUR;
/* Changes the fields of `in` marked in in->set (same checks as create; 409 `client_erased`
 * for an anonymised client); *out receives the result. */
int clients_update(db_conn *c, int64_t account_id, const char *public_id, const struct client_input *in,
		   int64_t now, struct client *out, struct err *e) WUR;

/* One page of the account's clients not anonymised, newest first. q (may be NULL or "")
 * keeps those whose name, email or phone contains every word of q, ignoring case and
 * accents; digits match a phone as typed nationally or in E.164. after_public_id (NULL or
 * "" for the first page) is the last client of the previous page; 400 `invalid_field` on "cursor"
 * when it is not one of the account's. Calls each(ctx, client) for at most limit rows and
 * returns how many. */
typedef void (*clients_each_fn)(void *ctx, const struct client *cl);
int clients_list(db_conn *c, int64_t account_id, const char *q, const char *after_public_id, int limit,
		 clients_each_fn each, void *ctx, struct err *e) WUR;

/* One appointment of a client, with the names of its service and staff member. Pointers
 * are valid for the duration of the callback only. */
struct client_appointment {
	int64_t id;
	const char *public_id, *status, *source, *service_name, *staff_name, *notes;
	int64_t starts_at, ends_at, created_at, cancelled_at; /* cancelled_at 0 = not */
};
enum clients_when { CLIENTS_PAST, CLIENTS_UPCOMING, CLIENTS_ALL };
typedef void (*clients_appointment_fn)(void *ctx, const struct client_appointment *a);
/* The client's appointments: CLIENTS_PAST (started before now, latest first),
 * CLIENTS_UPCOMING (from now, soonest first) or CLIENTS_ALL (oldest first); at most limit.
 * Returns how many. */
int clients_appointments(db_conn *c, int64_t account_id, int64_t client_id, enum clients_when when,
			 int64_t now, int limit, clients_appointment_fn each, void *ctx, struct err *e) WUR;
/* Every answer the client gave to a booking question: each(ctx, appointment id, question
 * label, answer). Returns how many. */
typedef void (*clients_answer_fn)(void *ctx, int64_t appointment_id, const char *label, const char *answer);
int clients_answers(db_conn *c, int64_t account_id, int64_t client_id, clients_answer_fn each, void *ctx,
		    struct err *e) WUR;

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
int clients_anonymise(db_conn *c, int64_t account_id, int64_t client_id, int64_t now, struct err *e) WUR;

/* Merges client `from_public_id` into `into_public_id` inside the caller's transaction (both
 * of account_id; 404 `not_found` otherwise, 409 `same_client` when they are one, 409
 * `client_erased` when either is erased): the other's appointments (with their answers) and
 * messages move to the kept client, its empty names, email and phone are filled from the
 * other, the notes are joined (capped at CLIENTS_NOTES_MAX), a consent survives only when
 * both gave it, and the other is then anonymised. *out receives the kept client;
 * *moved (may be NULL) the number of appointments moved. */
int clients_merge(db_conn *c, int64_t account_id, const char *into_public_id, const char *from_public_id,
		  int64_t now, struct client *out, int64_t *moved, struct err *e) WUR;

/* Anonymises, in every account, the clients created and last booked more than
 * CLIENTS_RETENTION_S before now (in batches, each its own transaction). *count (may be
 * NULL) receives how many were anonymised. */
int clients_anonymise_stale(db *d, int64_t now, int *count, struct err *e) WUR;

/* Registers the job kind CLIENTS_JOB_KIND (runs clients_anonymise_stale, purges the
 * idempotency keys older than APPT_IDEMPOTENCY_KEEP_S, then enqueues the next day's run) and the demo table
 * "clients". Call once at start-up, before workers start, AFTER the registration of the appointments' demo
 * tables (demo rows go children first). */
void clients_register(void);
/* Enqueues today's anonymisation run (unique key per UTC day, due at now), so it is safe to
 * call at every start. Returns 0 or negative. */
int clients_schedule_jobs(db *d, int64_t now, struct err *e) WUR;

/* Folds text for search: lower-case, accents removed, runs of spaces made one; digits of a
 * phone kept. Writes at most cap bytes (NUL included) to out. Returns 0 or negative on
 * malformed UTF-8. */
int clients_search_text(const char *first, const char *last, const char *email, const char *phone, char *out,
			size_t cap, struct err *e) WUR;

#endif
