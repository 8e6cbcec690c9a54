/* manage — the client's own appointment through a manage link (/m/{token}): tokens, what the
 * link shows, reschedule and cancel. Every message that carries a link gets its own random
 * 256-bit token; only its SHA-256 is stored (table manage_tokens). A token is valid through
 * reschedules until MANAGE_LINK_TTL_S after the appointment's end, and it only ever reaches
 * the one appointment it was issued for. Changes go through appt_update, so the booking rules
 * and the store's block guard decide exactly as in the back office. docs/internals/manage.md. */
#ifndef CRENEAU_SCHEDULE_MANAGE_H
#define CRENEAU_SCHEDULE_MANAGE_H
#include <jansson.h>
#include <stdint.h>

#include "account/account.h"
#include "base/err.h"
#include "base/token.h"
#include "db/db.h"
#include "schedule/loader.h"

#define MANAGE_LINK_TTL_S (30 * 86400) /* a link works until 30 days after the appointment */

/* Issues a fresh token for one appointment of account_id, inside the caller's transaction c
 * (so a message and its link commit together), and writes its text into token_out. purpose
 * is 'booking', 'confirmation', 'reminder', 'change' or 'cancellation' (anything else is a
 * bug: 500). */
int manage_token_issue(db_conn *c, int64_t account_id, int64_t appointment_id, const char *purpose,
		       int64_t now, char token_out[TOKEN_LEN + 1], struct err *e) WUR;

/* What a manage link points at, read by manage_find. */
struct manage_view {
	struct account account; /* id, public_id, name, slug, plan, state, trial, time_zone, locale */
	char phone[64], address[512];
	int64_t appt_id;
	char appt_pid[LOADER_PID_MAX];
	char status[16];
	int64_t start, end, version;
	int64_t cutoff_s; /* the service's cancel_cutoff_s, else the account's */
	char service_pid[LOADER_PID_MAX], service_name[256];
	char staff_pid[LOADER_PID_MAX], staff_name[256];
};

/* Finds the appointment of token (the text from the link). 404 `not_found` for anything that
 * is not a live token of ours, 410 `account_deleted` when the business is gone, 410
 * `link_expired` MANAGE_LINK_TTL_S after the appointment's end. */
int manage_find(db *d, const char *token, int64_t now, struct manage_view *v, struct err *e) WUR;

/* Whether the client may change the appointment now; *reason (static text) says why not:
 * "cancelled", "past", "bookings_closed" (frozen or read-only account), "past_cutoff"; NULL
 * when it may. */
int manage_can_change(const struct manage_view *v, int64_t now, const char **reason);

/* The answer of GET /api/v1/manage/{token} (new reference, owned by the caller). */
json_t *manage_json(const struct manage_view *v, int64_t now);

/* Moves the appointment to start (UTC), with staff (public id; "" = keep), by the booking
 * rules. 409 `appointment_cancelled`, 403 `past_cutoff` (message names the business's phone)
 * or `bookings_closed`, then appt_update's answers: 422 rule codes, 409 `slot_taken`. */
int manage_reschedule(db *d, const struct manage_view *v, int64_t start, const char *staff, int64_t now,
		      struct err *e) WUR;

/* Cancels the appointment (frees its slot); same refusals as manage_reschedule. */
int manage_cancel(db *d, const struct manage_view *v, int64_t now, struct err *e) WUR;

#endif
