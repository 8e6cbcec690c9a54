/* appt_messages — the e-mails about an appointment (docs/internals/notify.md): the client's
 * confirmation, reschedule and cancellation notices, each with its own manage link and an
 * iCalendar invitation, and the notices to the owner and the staff member. They are outbox
 * rows written in the transaction of the change, keyed by (account, "appointment:<public
 * id>", recipient, kind, version, 'email'), so a retried request writes nothing twice. The
 * hook also brings the appointment's reminders in line (reminders_schedule). */
#ifndef CRENEAU_NOTIFY_APPT_MESSAGES_H
#define CRENEAU_NOTIFY_APPT_MESSAGES_H
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"

enum appt_event {
	APPT_EV_BOOKED,	   /* a new appointment (public page or back office) */
	APPT_EV_MOVED,	   /* new start or staff member (version bumped) */
	APPT_EV_CANCELLED, /* status became cancelled */
	APPT_EV_CHANGED,   /* anything else (notes, no-show, done): no message, reminders only */
};

/* Writes the messages of event ev of the appointment, as it is now in the caller's open
 * transaction c, and calls reminders_schedule. prev_start is the start before a move (0 =
 * unknown). Demo appointments get nothing; client messages need an e-mail address and an
 * account that may send them (FEAT_EMAIL_REMINDERS); the owner's and staff's follow
 * notification_settings (defaults: new bookings and changes to the owner, nothing to staff).
 * Returns 0 or negative (the caller's transaction then rolls back). */
int appt_messages_event(db_conn *c, int64_t account_id, int64_t appointment_id, enum appt_event ev,
			int64_t prev_start, int64_t now, struct err *e) WUR;

#endif
