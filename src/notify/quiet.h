/* quiet — the quiet-hours rule of PRODUCT.md for SMS (docs/internals/reminders.md). Nothing
 * goes by SMS between 20:00 and 08:00 in the business's time zone; a reminder due in that
 * window goes at 19:59 the evening before when that is still ahead of now, else at 08:00 when
 * that is before the appointment, else only by e-mail. Pure: no store, no clock. */
#ifndef CRENEAU_QUIET_H
#define CRENEAU_QUIET_H
#include <stdint.h>

#include "base/tz.h"

#define QUIET_FROM_HOUR	 20 /* the window starts at 20:00 local */
#define QUIET_UNTIL_HOUR 8  /* and ends at 08:00 local */

/* True when the local time of `at` in zone z is inside the quiet window. */
int quiet_is_quiet(const struct tz *z, int64_t at);

/* The instant an SMS due at `due` (for an appointment starting at `start`, planned at `now`)
 * goes at: `due` itself outside the window, else 19:59 the evening before (when > now), else
 * 08:00 of the window's morning (when < start); 0 when it may only go by e-mail. */
int64_t quiet_sms_time(const struct tz *z, int64_t due, int64_t start, int64_t now);

#endif
