/* lifecycle — the account's life after sign-up (docs/internals/lifecycle.md): the trial's
 * warnings and its end, subscribing and changing plan, cancellation and its undoing, the
 * read-only states and the deletions that retention asks for. Every timed transition is a job
 * on the shared clock, enqueued with a unique key that carries the instant it is for, and
 * re-checked against the account row when it runs: a job made stale by a later change (the
 * owner subscribed, resumed, paid) does nothing.
 *
 * Billing (src/billing/billing.h) computes and issues the documents; this module decides
 * what the account may do and moves its state, in the same transaction. */
#ifndef CRENEAU_LIFECYCLE_H
#define CRENEAU_LIFECYCLE_H
#include <stdint.h>

#include "account/account.h"
#include "base/err.h"
#include "db/db.h"

/* ---- options (PRODUCT.md "Retention"; configurable) ---- */
struct lifecycle_options {
	int frozen_retention_days;	/* a trial never converted: deleted this long after trial end (30) */
	int cancelled_retention_months; /* a cancelled account: deleted this long after it ends (12) */
	int purge_delay_s;		/* from the deletion request to the purge (3600; at most 7 days) */
	const char *public_url;		/* base of the links in notices; NULL = http://127.0.0.1:8080 */
};
/* Sets the options (copied; zero fields keep the defaults). Call at start, before workers. */
void lifecycle_configure(const struct lifecycle_options *o);
/* The options in force. */
const struct lifecycle_options *lifecycle_options_get(void);
/* Registers the job kinds of the account's life (lifecycle.* and the purge). Call at start. */
void lifecycle_register(void);

/* The zone of the seller: cancellations take effect on its 1st at 00:00. */
#define LIFECYCLE_SELLER_ZONE "Europe/Paris"

/* ---- calendar helpers (pure) ---- */
/* First instant of the local date `days` after the local date of t in zone (days may be < 0). */
int lifecycle_day_shift(const char *zone, int64_t t, int days, int64_t *out, struct err *e) WUR;
/* First instant of the 1st of the month `months` after the month of t (1 = the next 1st). */
int lifecycle_month_start(const char *zone, int64_t t, int months, int64_t *out, struct err *e) WUR;
/* When the notice `days` local days before `at` goes out: the first instant of that date in
 * zone (what the notice jobs are enqueued for). */
int lifecycle_notice_at(const char *zone, int64_t at, int days, int64_t *out, struct err *e) WUR;
/* When an account is deleted under the options in force: frozen, `since` its trial end, after
 * frozen_retention_days local days in zone; read-only cancelled, `since` the instant its
 * cancellation took effect, on the 1st cancelled_retention_months later in Europe/Paris. 500
 * for any other state. */
int lifecycle_delete_at(const char *zone, enum account_state state, int64_t since, int64_t *out,
			struct err *e) WUR;
/* Local calendar days from the date of now to the date of trial_ends_at (15 on the day of
 * sign-up, 1 on the last day of the trial, 0 once it ended). */
int lifecycle_trial_days_left(const char *zone, int64_t trial_ends_at, int64_t now);

/* ---- the account row as this module reads it ---- */
struct lifecycle_row {
	struct account a;
	int64_t subscribed_at, cancel_at, frozen_at, delete_at, deletion_requested_at,
		created_at; /* 0 = none */
};
/* Reads the account; lock = 1 takes its row lock first (a write transaction). 404 when none. */
int lifecycle_load(db_conn *c, int64_t account_id, int lock, struct lifecycle_row *out, struct err *e) WUR;

/* What happens next to the account on its own: kind "trial_end", "cancellation", "deletion",
 * "purge", or NULL when nothing is scheduled (active, read-only unpaid, deleted). */
struct lifecycle_next {
	const char *kind;
	const char *to_state;
	int64_t at;
};
void lifecycle_next(const struct lifecycle_row *r, struct lifecycle_next *out);

/* ---- jobs enqueued in the caller's transaction ---- */
/* The trial's warnings (end - 3 and - 1 local days) and its end. Sign-up calls it. */
int lifecycle_schedule_trial(db_conn *c, int64_t account_id, const char *zone, int64_t trial_ends_at,
			     struct err *e) WUR;

/* ---- subscribing and changing plan ---- */
struct lifecycle_change {
	enum plan_id from, to;
	const char *kind;  /* "subscribe" | "upgrade" | "downgrade" */
	int paying_before; /* the account was subscribed before (active, cancel_pending) */
	struct billing_quote_view {
		int64_t month_total_ht, already_billed_ht, delta_ht, credit_used_ht;
		int64_t due_ht, due_vat, due_ttc, next_month_ht;
		const char *document; /* "invoice" | "credit_note" | "none" */
		int day, days_in_month, days_remaining;
	} quote;
	char document_id[24]; /* the issued document's public id, "" when none */
};
/* What changing to `to` at now would bill, after the same checks as the change: 404 deleted,
 * 409 `plan_already_held`, 409 `payment_overdue`, 422 `over_plan_limits`. */
int lifecycle_quote(db_conn *c, int64_t account_id, enum plan_id to, int64_t now,
		    struct lifecycle_change *out, struct err *e) WUR;
/* Subscribes or changes plan at once, in the caller's transaction: the checks of
 * lifecycle_quote, then billing_identity_ready (409), billing_change_plan, the account's plan
 * and state (trial, frozen, read-only cancelled → active; cancel_pending stays pending) and an
 * audit entry by user_id from ip. */
int lifecycle_change_plan(db_conn *c, int64_t account_id, int64_t user_id, enum plan_id to, int64_t now,
			  const char *ip, struct lifecycle_change *out, struct err *e) WUR;

/* active → cancel_pending, effective at the next 1st 00:00 Europe/Paris (job enqueued, owner
 * e-mailed). 409 `not_subscribed`, `already_cancelled`; 404 deleted. */
int lifecycle_cancel(db_conn *c, int64_t account_id, int64_t user_id, int64_t now, const char *ip,
		     struct err *e) WUR;
/* cancel_pending → active before the cancellation takes effect. 409 `not_cancelled`. */
int lifecycle_resume(db_conn *c, int64_t account_id, int64_t user_id, int64_t now, const char *ip,
		     struct err *e) WUR;

/* The one switch of the payments module: unpaid = 1 turns an active or cancel_pending account
 * read-only with reason `unpaid` (never deleted for it); unpaid = 0 (paid) restores it at once
 * — to active, or to cancel_pending / read-only `cancelled` when a cancellation was pending.
 * Idempotent; trial and frozen accounts are left as they are; 404 deleted. Caller's
 * transaction. */
int account_set_unpaid(db_conn *c, int64_t account_id, int unpaid, int64_t now, struct err *e) WUR;

#endif
