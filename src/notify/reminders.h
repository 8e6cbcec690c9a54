/* reminders — the reminders of appointments (docs/internals/notify.md): which are due when,
 * per the account's settings, and the scanner job that writes each to the outbox as it falls
 * due. */
#ifndef CRENEAU_REMINDERS_H
#define CRENEAU_REMINDERS_H
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"

/* Brings the pending reminders of one appointment in line with it, in the caller's open
 * transaction: drops those of older versions or of a cancelled, past or demo appointment,
 * and plans those of its current version from the account's settings. Idempotent; call it
 * after every change of the appointment (booking, move, cancellation). */
int reminders_schedule(db_conn *c, int64_t account_id, int64_t appointment_id, int64_t now,
		       struct err *e) WUR;

#endif
