/* quiet — the quiet-hours rule for SMS (see quiet.h). */
#include "notify/quiet.h"

#include "base/banned.h"

int quiet_is_quiet(const struct tz *z, int64_t at)
{
	struct civil c;
	tz_to_civil(z, at, &c);
	return c.hour >= QUIET_FROM_HOUR || c.hour < QUIET_UNTIL_HOUR;
}

/* The instant of hh:mm on the local date days after (y, m, d); the first occurrence when the
 * wall time happens twice, the end of the gap when it is skipped. */
static int64_t wall_at(const struct tz *z, int y, int m, int d, int days, int hh, int mm)
{
	int64_t n = tz_days_from_civil(y, m, d) + days;
	struct civil w = {0};
	tz_civil_from_days(n, &w.year, &w.month, &w.day);
	w.hour = hh;
	w.minute = mm;
	int64_t t = 0;
	if (tz_resolve(z, &w, TZ_EARLIER, &t) < 0)
		return 0;
	return t;
}

int64_t quiet_sms_time(const struct tz *z, int64_t due, int64_t start, int64_t now)
{
	if (!quiet_is_quiet(z, due))
		return due;
	struct civil c;
	tz_to_civil(z, due, &c);
	/* the window runs from evening E 20:00 to morning E+1 08:00: find E */
	int evening_shift = c.hour >= QUIET_FROM_HOUR ? 0 : -1;
	int64_t before = wall_at(z, c.year, c.month, c.day, evening_shift, QUIET_FROM_HOUR - 1, 59);
	if (before > now)
		return before;
	int64_t morning = wall_at(z, c.year, c.month, c.day, evening_shift + 1, QUIET_UNTIL_HOUR, 0);
	if (morning > now && morning < start)
		return morning;
	return 0;
}
