/* appointments — booking, moving, cancelling and listing appointments of one business. The
 * store's block guard decides every overlap (blocks_no_overlap → 409 `slot_taken`); this
 * module checks the rules first (slots_check_start through the loader), takes group-session
 * seats with a conditional update, retries "no preference" on the next free staff member,
 * and makes every booking one transaction: client, block, appointment, answers, change_seq,
 * idempotency row. docs/internals/appointments.md explains the choices. Every function takes
 * the account id of the caller's principal, never one from the request. */
#ifndef CRENEAU_SCHEDULE_APPOINTMENTS_H
#define CRENEAU_SCHEDULE_APPOINTMENTS_H
#include <jansson.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/tz.h"
#include "db/db.h"
#include "schedule/loader.h"

#define APPT_NOTES_MAX	  2000 /* bytes of notes */
#define APPT_ANSWER_MAX	  1000 /* bytes of one answer */
#define APPT_ANSWERS_MAX  32   /* answers in one booking */
#define APPT_REPEAT_MAX	  52   /* occurrences of a recurring booking */
#define APPT_IDEM_KEY_MAX 128  /* bytes of an Idempotency-Key */
#define APPT_CHANGES_PAGE 500  /* rows of one page of changes */
#define APPT_LIST_MAX	  5000 /* rows of one agenda read */
#define APPT_LENGTH_MAX	  720  /* minutes of a resized appointment (12 h); 5-minute steps */

enum appt_source { APPT_OFFICE, APPT_PUBLIC };

/* One answer to a booking question, by the question's public id. */
struct appt_answer {
	char question[LOADER_PID_MAX];
	char answer[APPT_ANSWER_MAX + 1];
};

/* Who the booking is for: an existing client (public id) or the fields of a new one. */
struct appt_client {
	char public_id[LOADER_PID_MAX]; /* "" = use the fields below */
	char first_name[101], last_name[101], email[300], phone[64];
	int consent_email, consent_sms, has_consents;
};

/* What the back office may relax for one appointment (recorded in rules_overridden). */
struct appt_override {
	int notice, horizon, grid;
};

/* A booking request, validated by the caller's parsing. `starts` holds one start, or the
 * occurrences of a recurring booking (each one checked and placed on its own). */
struct appt_request {
	int64_t account_id;
	enum appt_source source;
	char service[LOADER_PID_MAX];
	char staff[LOADER_PID_MAX]; /* a staff public id, or "any" */
	int64_t only_staff_user;    /* a staff user: only the staff member linked to this user */
	int64_t starts[APPT_REPEAT_MAX];
	char start_missing[APPT_REPEAT_MAX]; /* 1: that week's wall time does not exist (DST gap) */
	int nstarts;
	struct appt_client client;
	char notes[APPT_NOTES_MAX + 1];
	struct appt_answer answers[APPT_ANSWERS_MAX];
	int nanswers;
	struct appt_override ov;
	int dry_run, accept_partial; /* recurring only */
	char idem_key[APPT_IDEM_KEY_MAX + 1];
	char request_hash[65]; /* SHA-256 hex of the request body (with the key's scope) */
	int64_t now;
};

/* The outcome: an HTTP status and the JSON body to answer (malloc'd text, owned by the
 * caller; free it). Errors of the rules are answers too (status >= 400 with the error
 * shape) when they come from a stored idempotent answer. */
struct appt_answer_out {
	int status;
	char *body;
};

/* Idempotency keys and their stored answers are kept this long after the booking, then
 * purged by the daily clients job (clients.h): a retry comes within seconds or minutes, and a
 * stored answer names the client. */
#define APPT_IDEMPOTENCY_KEEP_S 86400

/* Deletes the idempotency keys stored before `before`, in transactions of at most 1 000;
 * *count (may be NULL) gets how many. */
int appt_idempotency_purge(db *d, int64_t before, int *count, struct err *e) WUR;

/* Books req (every start of it). Returns 0 with *out filled (201, or 200 for a dry run, or
 * the stored answer of an earlier request with the same Idempotency-Key), or -1 with *e: 404
 * (service, staff, client), 400 (a required question empty, unknown question), 422 (the
 * rule of slots_check_start), 409 `slot_taken`, `session_full`, `idempotency_key_reused`,
 * `occurrences_unavailable`. */
int appt_book(db *d, const struct appt_request *req, struct appt_answer_out *out, struct err *e) WUR;

/* A change of one appointment (PATCH). */
struct appt_change {
	int64_t account_id;
	int64_t only_staff_user; /* a staff user: only appointments of their own staff member */
	char id[LOADER_PID_MAX];
	int has_start;
	int64_t start;
	int has_end; /* a new end (resize; the service must be resizable) */
	int64_t end;
	int64_t duration_min;	    /* 0 = keep; else a new length (resize), 5..APPT_LENGTH_MAX by 5 */
	char staff[LOADER_PID_MAX]; /* "" = keep */
	char status[16];	    /* "" = keep; cancelled | no_show | done */
	char notes[APPT_NOTES_MAX + 1];
	int has_notes;
	int64_t version; /* 0 = no optimistic check */
	struct appt_override ov;
	int64_t now;
};

/* Applies ch in one transaction (version + 1, next change_seq). *out receives the
 * appointment's JSON (caller frees). A moved appointment of a resizable service keeps its
 * length; a resize (has_end or duration_min) keeps its start unless has_start. 404, 400
 * (a length off the 5-minute steps or out of 5 min..12 h), 409 `stale_version` /
 * `slot_taken` / `session_full`, 422 rule codes, `appointment_cancelled` or `not_resizable`. */
int appt_update(db *d, const struct appt_change *ch, json_t **out, struct err *e) WUR;

/* One appointment as JSON (404 when not in the account or not the staff user's). */
int appt_get(db *d, int64_t account_id, int64_t only_staff_user, const char *id, json_t **out,
	     struct err *e) WUR;

/* The appointments starting in [from, to) (UTC), of one staff member (public id, "" = all);
 * a staff user sees only their own. *out: {"appointments": [...]}. */
int appt_list(db *d, int64_t account_id, int64_t only_staff_user, const char *staff, int64_t from, int64_t to,
	      json_t **out, struct err *e) WUR;

/* What changed after change_seq `since`, oldest first, at most APPT_CHANGES_PAGE:
 * {"changes": [...appointments...], "next": cursor}. */
int appt_changes(db *d, int64_t account_id, int64_t only_staff_user, int64_t since, json_t **out,
		 struct err *e) WUR;
/* {"changes": [], "next": the account's latest cursor}: where a client that has just read
 * the appointments it shows starts following the changes. */
int appt_changes_latest(db *d, int64_t account_id, json_t **out, struct err *e) WUR;

/* Appends the free slots of a loaded schedule, joinable group sessions included, to *out
 * as the JSON text {"time_zone", "days": [{"date", "slots": [{"start", "staff": [...]}]}]}
 * (the caller owns *out; 422 `too_many_slots` when it would pass out's cap). */
int appt_availability_write(const struct loader *l, struct buf *out, struct err *e) WUR;

#endif
