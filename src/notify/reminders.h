/* reminders — the reminders of appointments (docs/internals/reminders.md): which are due when,
 * per the account's settings, and the scanner job that writes each to the outbox as it falls
 * due. Table `reminders` (migration 0019): one row per (appointment version, offset, channel),
 * pending → written | dropped. */
#ifndef CRENEAU_REMINDERS_H
#define CRENEAU_REMINDERS_H
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"

#define REMINDERS_SCAN_KIND   "reminders.scan"
#define REMINDERS_REPLAN_KIND "reminders.replan"
#define REMINDERS_BATCH	      200 /* reminders written per transaction */
#define REMINDERS_BATCHES     50  /* transactions per scanner run before it hands over */

/* Brings the pending reminders of one appointment in line with it, in the caller's open
 * transaction: drops those of older versions (reason "moved") or of a cancelled, past or demo
 * appointment, suppresses their outbox rows still queued, and plans those of its current
 * version from the account's settings (SMS times by the quiet-hours rule; due times already
 * past are not planned). Enqueues the scanner at each due time. Idempotent; call it after
 * every change of the appointment (booking, move, cancellation). */
int reminders_schedule(db_conn *c, int64_t account_id, int64_t appointment_id, int64_t now,
		       struct err *e) WUR;

/* The facts of an appointment its reminders are planned from. */
struct reminders_appt {
	int64_t account_id, appointment_id, version, start;
	const char *time_zone;
};
struct nsettings;

/* reminders_schedule for an appointment the caller's transaction has just created, booked and
 * not demo, from facts and settings the caller has read: it has no reminder rows yet, so none
 * is looked for or dropped; plans those of `s` as reminders_schedule does. */
int reminders_plan_new(db_conn *c, const struct reminders_appt *a, const struct nsettings *s, int64_t now,
		       struct err *e) WUR;

/* Enqueues, in the caller's transaction, the job that re-plans every future appointment of
 * the account after its settings changed to `settings_version`. */
int reminders_replan_account(db_conn *c, int64_t account_id, int64_t settings_version, int64_t now,
			     struct err *e) WUR;

/* Sets the base of the manage links put in reminders (e.g. https://creneau.example); copied. */
void reminders_configure(const char *public_url);
/* Characters of a manage link of this deployment (the worst case of {{manage_url}}). */
int reminders_manage_url_len(void);

/* Registers the scanner and re-plan job kinds. Call at start, before the worker starts. */
void reminders_register(void);

/* Runs the scanner once at `now` outside the queue (tests and benchmarks): writes the due
 * reminders in batches. Returns how many rows it handled (written or dropped), or negative. */
int reminders_scan(db *d, int64_t now, struct err *e) WUR;

/* Retention (retention.c): registers the daily "notify.retention" job and enqueues the next
 * run. Outbox bodies and variables are emptied after 3 months, outbox rows and reminder rows
 * deleted after 12 months, done jobs deleted after 30 days. */
void retention_register(void);
int retention_schedule(db *d, int64_t now, struct err *e) WUR;
/* One retention pass at `now` in its own transactions; *counts gets emptied bodies, deleted
 * outbox rows, deleted reminders and deleted jobs (may be NULL). */
int retention_run(db *d, int64_t now, int64_t counts[4], struct err *e) WUR;

#endif
