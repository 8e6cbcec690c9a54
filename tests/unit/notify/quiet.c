/* tests/unit/notify/quiet.c — the SMS quiet-hours rule (20:00–08:00 local): the window's edges,
 * the three outcomes (19:59 the evening before, 08:00, e-mail only), across the DST changes of
 * Europe/Paris (29 March and 25 October 2026) and in other zones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "notify/quiet.h"

/* A UTC instant written as a UTC wall time, so expected values are read off the test. */
static int64_t utc(int y, int mo, int d, int h, int mi)
{
	struct civil c = {y, mo, d, h, mi, 0};
	return tz_civil_to_utc(&c);
}

static const struct tz *zone(const char *name)
{
	struct err e = {0};
	const struct tz *z = tz_get(name, &e);
	assert_non_null(z);
	return z;
}

static void test_window_edges(void **state)
{
	(void)state;
	const struct tz *paris = zone("Europe/Paris");
	/* 2026-06-10: CEST, UTC+2 */
	assert_false(quiet_is_quiet(paris, utc(2026, 6, 10, 17, 59))); /* 19:59 */
	assert_true(quiet_is_quiet(paris, utc(2026, 6, 10, 18, 0)));   /* 20:00 */
	assert_true(quiet_is_quiet(paris, utc(2026, 6, 11, 5, 59)));   /* 07:59 */
	assert_false(quiet_is_quiet(paris, utc(2026, 6, 11, 6, 0)));   /* 08:00 */
}

static void test_outside_window_keeps_due(void **state)
{
	(void)state;
	const struct tz *paris = zone("Europe/Paris");
	int64_t start = utc(2026, 6, 11, 12, 0), due = start - 2 * 3600;
	assert_int_equal(quiet_sms_time(paris, due, start, utc(2026, 6, 1, 0, 0)), due);
}

static void test_evening_before_when_ahead(void **state)
{
	(void)state;
	const struct tz *paris = zone("Europe/Paris");
	/* appointment 11 June 09:00 CEST; the 2 h reminder falls at 07:00 → 10 June 19:59 */
	int64_t start = utc(2026, 6, 11, 7, 0);
	assert_int_equal(quiet_sms_time(paris, start - 7200, start, utc(2026, 6, 1, 0, 0)),
			 utc(2026, 6, 10, 17, 59));
	/* due at 22:00 the same evening: 19:59 of that same day */
	int64_t late = utc(2026, 6, 11, 20, 0); /* 22:00; the appointment is at midnight */
	assert_int_equal(quiet_sms_time(paris, late, late + 7200, utc(2026, 6, 1, 0, 0)),
			 utc(2026, 6, 11, 17, 59));
}

static void test_morning_when_evening_passed(void **state)
{
	(void)state;
	const struct tz *paris = zone("Europe/Paris");
	int64_t start = utc(2026, 6, 11, 7, 0); /* 09:00 */
	/* booked at 21:00 the evening before: 19:59 has gone, 08:00 is before 09:00 */
	assert_int_equal(quiet_sms_time(paris, start - 7200, start, utc(2026, 6, 10, 19, 0)),
			 utc(2026, 6, 11, 6, 0));
	/* booked exactly at 19:59: not ahead any more */
	assert_int_equal(quiet_sms_time(paris, start - 7200, start, utc(2026, 6, 10, 17, 59)),
			 utc(2026, 6, 11, 6, 0));
}

static void test_email_only_when_morning_too_late(void **state)
{
	(void)state;
	const struct tz *paris = zone("Europe/Paris");
	int64_t start = utc(2026, 6, 11, 6, 0); /* 08:00: 08:00 is not before the appointment */
	assert_int_equal(quiet_sms_time(paris, start - 7200, start, utc(2026, 6, 10, 19, 0)), 0);
	start = utc(2026, 6, 11, 5, 30); /* 07:30 */
	assert_int_equal(quiet_sms_time(paris, start - 7200, start, utc(2026, 6, 10, 19, 0)), 0);
}

static void test_paris_spring_forward(void **state)
{
	(void)state;
	const struct tz *paris = zone("Europe/Paris");
	/* Sunday 29 March 2026, 09:00 CEST (07:00Z); clocks went 02:00 → 03:00 that night */
	int64_t start = utc(2026, 3, 29, 7, 0);
	int64_t early = utc(2026, 3, 20, 12, 0);
	/* 2 h before is 07:00 CEST: the evening before is Saturday 19:59 CET = 18:59Z */
	assert_int_equal(quiet_sms_time(paris, start - 7200, start, early), utc(2026, 3, 28, 18, 59));
	/* booked Saturday 21:00 CET: 08:00 CEST Sunday = 06:00Z */
	assert_int_equal(quiet_sms_time(paris, start - 7200, start, utc(2026, 3, 28, 20, 0)),
			 utc(2026, 3, 29, 6, 0));
	/* 24 h before is Saturday 07:00Z = 08:00 CET: outside the window, kept */
	assert_int_equal(quiet_sms_time(paris, start - 86400, start, early), start - 86400);
	/* 10:30 CEST with an 8 h reminder: due 00:30Z = 01:30 CET, in the window: 19:59 CET */
	start = utc(2026, 3, 29, 8, 30);
	assert_int_equal(quiet_sms_time(paris, start - 8 * 3600, start, early), utc(2026, 3, 28, 18, 59));
}

static void test_paris_fall_back(void **state)
{
	(void)state;
	const struct tz *paris = zone("Europe/Paris");
	/* Sunday 25 October 2026, 09:00 CET (08:00Z); clocks went 03:00 → 02:00 that night */
	int64_t start = utc(2026, 10, 25, 8, 0);
	int64_t early = utc(2026, 10, 20, 12, 0);
	/* 2 h before = 07:00 CET; the evening before is Saturday 19:59 CEST = 17:59Z */
	assert_int_equal(quiet_sms_time(paris, start - 7200, start, early), utc(2026, 10, 24, 17, 59));
	/* booked Saturday 23:00: 08:00 CET Sunday = 07:00Z */
	assert_int_equal(quiet_sms_time(paris, start - 7200, start, utc(2026, 10, 24, 21, 0)),
			 utc(2026, 10, 25, 7, 0));
	/* 24 h before Sunday 09:00 CET is Saturday 08:00Z = 10:00 CEST: kept */
	assert_int_equal(quiet_sms_time(paris, start - 86400, start, early), start - 86400);
	/* Monday 26 October 08:30 CET: 24 h before = Sunday 07:30Z = 08:30 CET, kept */
	start = utc(2026, 10, 26, 7, 30);
	assert_int_equal(quiet_sms_time(paris, start - 86400, start, early), start - 86400);
	/* Sunday 20:30 CET with a 24 h reminder: Saturday 19:30Z = 21:30 CEST → 19:59 CEST Saturday */
	start = utc(2026, 10, 25, 19, 30);
	assert_int_equal(quiet_sms_time(paris, start - 86400, start, early), utc(2026, 10, 24, 17, 59));
}

static void test_other_zones(void **state)
{
	(void)state;
	/* Kolkata, UTC+5:30: 10 June 09:00 IST = 03:30Z; 2 h before → 9 June 19:59 IST = 14:29Z */
	const struct tz *kol = zone("Asia/Kolkata");
	int64_t start = utc(2026, 6, 10, 3, 30);
	assert_int_equal(quiet_sms_time(kol, start - 7200, start, utc(2026, 6, 1, 0, 0)),
			 utc(2026, 6, 9, 14, 29));
	/* New York, clocks back on 1 November 2026: 09:00 EST = 14:00Z; 2 h before = 07:00 EST →
	 * 31 October 19:59 EDT = 23:59Z */
	const struct tz *ny = zone("America/New_York");
	start = utc(2026, 11, 1, 14, 0);
	assert_int_equal(quiet_sms_time(ny, start - 7200, start, utc(2026, 10, 1, 0, 0)),
			 utc(2026, 10, 31, 23, 59));
	/* booked at 21:00 EDT on 31 October: 08:00 EST = 13:00Z */
	assert_int_equal(quiet_sms_time(ny, start - 7200, start, utc(2026, 11, 1, 1, 0)),
			 utc(2026, 11, 1, 13, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_window_edges),
		cmocka_unit_test(test_outside_window_keeps_due),
		cmocka_unit_test(test_evening_before_when_ahead),
		cmocka_unit_test(test_morning_when_evening_passed),
		cmocka_unit_test(test_email_only_when_morning_too_late),
		cmocka_unit_test(test_paris_spring_forward),
		cmocka_unit_test(test_paris_fall_back),
		cmocka_unit_test(test_other_zones),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
