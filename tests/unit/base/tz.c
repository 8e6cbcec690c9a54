/* base/tz: offsets, wall-time rules (skipped, repeated, day starts), unknown zones, RFC 3339,
 * calendar helpers, and zones shared between threads. Expected values were taken from
 * Python's zoneinfo on the same tzdata. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <string.h>
#include <cmocka.h>

#include "base/tz.h"

static const struct tz *zone(const char *name)
{
	struct err e = {0};
	const struct tz *z = tz_get(name, &e);
	assert_non_null(z);
	assert_false(err_isset(&e));
	return z;
}

static const char *fmt(const struct tz *z, int64_t utc)
{
	static char out[TZ_RFC3339_SIZE];
	tz_format_rfc3339(z, utc, out);
	return out;
}

static int resolve(const struct tz *z, int y, int mo, int d, int h, int mi, enum tz_pick pick, int64_t *out)
{
	struct civil c = {y, mo, d, h, mi, 0};
	return tz_resolve(z, &c, pick, out);
}

static void paris_spring_forward_is_skipped(void **state)
{
	(void)state;
	const struct tz *z = zone("Europe/Paris");
	int64_t t = 0;
	assert_int_equal(resolve(z, 2027, 3, 28, 2, 30, TZ_EARLIER, &t), TZ_SKIPPED);
	/* the gap ends at 03:00 local, 01:00 UTC */
	assert_string_equal(fmt(z, t), "2027-03-28T03:00:00+02:00");
	assert_int_equal(resolve(z, 2027, 3, 28, 2, 30, TZ_LATER, &t), TZ_SKIPPED);
	assert_string_equal(fmt(z, t), "2027-03-28T03:00:00+02:00");
	assert_int_equal(resolve(z, 2027, 3, 28, 9, 0, TZ_EARLIER, &t), TZ_OK);
	assert_int_equal(t, 1806217200);
	assert_string_equal(fmt(z, t), "2027-03-28T09:00:00+02:00");
	assert_int_equal(resolve(z, 2027, 3, 28, 1, 59, TZ_EARLIER, &t), TZ_OK);
	assert_string_equal(fmt(z, t), "2027-03-28T01:59:00+01:00");
	assert_int_equal(resolve(z, 2027, 3, 28, 3, 0, TZ_EARLIER, &t), TZ_OK);
	assert_string_equal(fmt(z, t), "2027-03-28T03:00:00+02:00");
}

static void paris_fall_back_is_repeated(void **state)
{
	(void)state;
	const struct tz *z = zone("Europe/Paris");
	int64_t first = 0, later = 0;
	assert_int_equal(resolve(z, 2027, 10, 31, 2, 30, TZ_EARLIER, &first), TZ_REPEATED);
	assert_int_equal(resolve(z, 2027, 10, 31, 2, 30, TZ_LATER, &later), TZ_REPEATED);
	assert_string_equal(fmt(z, first), "2027-10-31T02:30:00+02:00");
	assert_string_equal(fmt(z, later), "2027-10-31T02:30:00+01:00");
	assert_int_equal(later - first, 3600);
	assert_int_equal(tz_offset_at(z, first), 7200);
	assert_int_equal(tz_offset_at(z, later), 3600);
	int64_t t = 0;
	assert_int_equal(resolve(z, 2027, 10, 31, 3, 0, TZ_EARLIER, &t), TZ_OK);
	assert_string_equal(fmt(z, t), "2027-10-31T03:00:00+01:00");
}

static void day_starts(void **state)
{
	(void)state;
	const struct tz *paris = zone("Europe/Paris");
	int64_t t = 0;
	assert_int_equal(tz_day_start(paris, 2027, 3, 28, &t), 0);
	assert_int_equal(t, 1806188400);
	assert_int_equal(tz_day_start(paris, 2027, 10, 31, &t), 0);
	assert_int_equal(t, 1824933600);
	/* the next day starts 23 and 25 hours later on those two days */
	int64_t next = 0;
	assert_int_equal(tz_day_start(paris, 2027, 3, 29, &next), 0);
	assert_int_equal(tz_day_start(paris, 2027, 3, 28, &t), 0);
	assert_int_equal(next - t, 23 * 3600);
	assert_int_equal(tz_day_start(paris, 2027, 11, 1, &next), 0);
	assert_int_equal(tz_day_start(paris, 2027, 10, 31, &t), 0);
	assert_int_equal(next - t, 25 * 3600);
	/* Santiago springs forward at midnight: 2026-09-06 starts at 01:00 */
	const struct tz *scl = zone("America/Santiago");
	assert_int_equal(tz_day_start(scl, 2026, 9, 6, &t), 0);
	assert_int_equal(t, 1788667200);
	assert_string_equal(fmt(scl, t), "2026-09-06T01:00:00-03:00");
	/* Havana too (2027-03-14) */
	assert_int_equal(tz_day_start(zone("America/Havana"), 2027, 3, 14, &t), 0);
	assert_int_equal(t, 1805000400);
	/* invalid dates are refused */
	assert_int_equal(tz_day_start(paris, 2027, 2, 29, &t), -1);
	assert_int_equal(tz_day_start(paris, 2027, 13, 1, &t), -1);
}

static void new_york(void **state)
{
	(void)state;
	const struct tz *z = zone("America/New_York");
	int64_t t = 0;
	assert_int_equal(resolve(z, 2027, 3, 14, 2, 30, TZ_EARLIER, &t), TZ_SKIPPED);
	assert_string_equal(fmt(z, t), "2027-03-14T03:00:00-04:00");
	assert_int_equal(resolve(z, 2027, 11, 7, 1, 30, TZ_EARLIER, &t), TZ_REPEATED);
	assert_string_equal(fmt(z, t), "2027-11-07T01:30:00-04:00");
	assert_int_equal(resolve(z, 2027, 11, 7, 1, 30, TZ_LATER, &t), TZ_REPEATED);
	assert_string_equal(fmt(z, t), "2027-11-07T01:30:00-05:00");
	assert_int_equal(resolve(z, 2026, 11, 26, 14, 30, TZ_EARLIER, &t), TZ_OK);
	assert_int_equal(tz_offset_at(z, t), -5 * 3600);
	struct civil c;
	tz_to_civil(z, t, &c);
	assert_int_equal(c.year, 2026);
	assert_int_equal(c.month, 11);
	assert_int_equal(c.day, 26);
	assert_int_equal(c.hour, 14);
	assert_int_equal(c.minute, 30);
}

static void kolkata_and_half_hours(void **state)
{
	(void)state;
	const struct tz *z = zone("Asia/Kolkata");
	assert_int_equal(tz_offset_at(z, 1795699800), 19800);
	assert_string_equal(fmt(z, 1795699800), "2026-11-26T19:00:00+05:30");
	int64_t t = 0;
	assert_int_equal(resolve(z, 2026, 11, 26, 19, 0, TZ_EARLIER, &t), TZ_OK);
	assert_int_equal(t, 1795699800);
	/* Lord Howe moves by half an hour */
	const struct tz *lh = zone("Australia/Lord_Howe");
	assert_string_equal(fmt(lh, 1800000000), "2027-01-15T19:00:00+11:00");
	assert_string_equal(fmt(lh, 1790000000), "2026-09-22T00:43:20+10:30");
	assert_string_equal(tz_name(z), "Asia/Kolkata");
	assert_ptr_equal(zone("Asia/Kolkata"), z); /* cached */
	assert_int_equal(tz_offset_at(zone("UTC"), 1795699800), 0);
}

static void unknown_zones_refused(void **state)
{
	(void)state;
	const char *bad[] = {"Mars/Olympus_Mons",
			     "",
			     "../../etc/passwd",
			     "/etc/localtime",
			     "Europe/../Europe/Paris",
			     "localtime",
			     "Europe/Paris ",
			     "europe/paris",
			     "Pacific/Easter", /* disagrees with zoneinfo */
			     "Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/B"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct err e = {0};
		assert_null(tz_get(bad[i], &e));
		assert_int_equal(e.status, 400);
		assert_string_equal(e.code, "invalid_timezone");
		assert_string_equal(e.field, "time_zone");
		assert_false(tz_is_supported(bad[i]));
	}
	struct err e = {0};
	assert_null(tz_get(NULL, &e));
	assert_string_equal(e.code, "invalid_timezone");
	assert_null(tz_get("Nowhere/At_All", NULL)); /* NULL err is allowed */
	int n = 0;
	const char *const *list = tz_supported_list(&n);
	assert_true(n > 500);
	for (int i = 1; i < n; i++)
		assert_true(strcmp(list[i - 1], list[i]) < 0);
	assert_true(tz_is_supported("Europe/Paris"));
	assert_true(tz_is_supported("America/New_York"));
	assert_true(tz_is_supported("Asia/Kolkata"));
}

static void rfc3339(void **state)
{
	(void)state;
	const struct tz *paris = zone("Europe/Paris");
	struct err e = {0};
	int64_t t = 0;
	assert_int_equal(tz_parse_rfc3339("2027-03-28T09:00:00+02:00", &t, &e, "start"), 0);
	assert_int_equal(t, 1806217200);
	assert_int_equal(tz_parse_rfc3339("2027-03-28T07:00:00Z", &t, &e, "start"), 0);
	assert_int_equal(t, 1806217200);
	assert_int_equal(tz_parse_rfc3339("2027-03-28t07:00:00.123z", &t, &e, "start"), 0);
	assert_int_equal(t, 1806217200);
	assert_int_equal(tz_parse_rfc3339("2026-11-26T19:00:00+05:30", &t, &e, "start"), 0);
	assert_int_equal(t, 1795699800);
	assert_int_equal(tz_parse_rfc3339("1969-12-31T23:59:59Z", &t, &e, "start"), 0);
	assert_int_equal(t, -1);
	assert_string_equal(fmt(NULL, -1), "1969-12-31T23:59:59Z");
	assert_string_equal(fmt(NULL, 0), "1970-01-01T00:00:00Z");

	/* round trip every 7 hours 13 minutes over a few years, through three zones */
	const struct tz *zs[] = {paris, zone("America/New_York"), zone("Asia/Kolkata")};
	for (int64_t u = 1700000000; u < 1900000000; u += 7 * 3600 + 13 * 60 + 7) {
		for (int i = 0; i < 3; i++) {
			int64_t back = 0;
			assert_int_equal(tz_parse_rfc3339(fmt(zs[i], u), &back, &e, "x"), 0);
			assert_int_equal(back, u);
		}
	}

	const char *bad[] = {"",
			     "2027-03-28",
			     "2027-03-28T09:00:00",
			     "2027-03-28 09:00:00Z",
			     "2027-02-29T09:00:00Z",
			     "2027-13-01T09:00:00Z",
			     "2027-00-10T09:00:00Z",
			     "2027-03-28T24:00:00Z",
			     "2027-03-28T09:60:00Z",
			     "2027-03-28T09:00:60Z",
			     "2027-03-28T09:00:00+24:00",
			     "2027-03-28T09:00:00+02:60",
			     "2027-03-28T09:00:00+0200",
			     "2027-03-28T09:00:00Zjunk",
			     "2027-03-28T09:00:00.Z",
			     "2027-03-28T09:00:00.1234567890Z",
			     "2027-3-28T09:00:00Z",
			     "+2027-03-28T09:00:00Z",
			     "0000-01-01T00:00:00Z",
			     "2027-03-28T09:00:00+02:00                                                  ",
			     "2027-03-28T9:00:00Z",
			     "2027-03-28T09:00Z"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err_clear(&e);
		t = 42;
		assert_int_equal(tz_parse_rfc3339(bad[i], &t, &e, "start"), -1);
		assert_int_equal(t, 42);
		assert_int_equal(e.status, 400);
		assert_string_equal(e.code, "invalid_datetime");
		assert_string_equal(e.field, "start");
	}
	assert_int_equal(tz_parse_rfc3339(NULL, &t, &e, "start"), -1);
}

static void dates_and_local_times(void **state)
{
	(void)state;
	struct err e = {0};
	struct civil c;
	assert_int_equal(tz_parse_date("2028-02-29", &c, &e, "date"), 0);
	assert_int_equal(c.year, 2028);
	assert_int_equal(c.month, 2);
	assert_int_equal(c.day, 29);
	assert_int_equal(c.hour, 0);
	const char *bad[] = {"2027-02-29", "2027-3-1", "2027-03-01x", "27-03-01", "", "2027/03/01"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err_clear(&e);
		assert_int_equal(tz_parse_date(bad[i], &c, &e, "date"), -1);
		assert_string_equal(e.code, "invalid_date");
		assert_string_equal(e.field, "date");
	}
	assert_int_equal(tz_parse_civil("2027-10-31T02:30", &c, &e, "start"), 0);
	assert_int_equal(c.hour, 2);
	assert_int_equal(c.minute, 30);
	assert_int_equal(c.second, 0);
	assert_int_equal(tz_parse_civil("2027-10-31T02:30:15", &c, &e, "start"), 0);
	assert_int_equal(c.second, 15);
	assert_int_equal(tz_parse_civil("2027-10-31T02:30:00+01:00", &c, &e, "start"), -1);
	assert_int_equal(tz_parse_civil("2027-10-31T25:30", &c, &e, "start"), -1);
	assert_int_equal(tz_parse_civil("2027-10-31T02:3", &c, &e, "start"), -1);
	struct civil wrong = {2027, 2, 29, 10, 0, 0};
	int64_t t = 7;
	assert_int_equal(tz_resolve(zone("UTC"), &wrong, TZ_EARLIER, &t), -1);
	assert_int_equal(t, 7);
}

static void calendar(void **state)
{
	(void)state;
	assert_int_equal(tz_weekday(2026, 11, 26), 4); /* a Thursday */
	assert_int_equal(tz_weekday(1970, 1, 1), 4);
	assert_int_equal(tz_weekday(2027, 3, 28), 7); /* a Sunday */
	assert_int_equal(tz_weekday(1969, 12, 29), 1);
	assert_int_equal(tz_days_in_month(2028, 2), 29);
	assert_int_equal(tz_days_in_month(2100, 2), 28);
	assert_int_equal(tz_days_in_month(2000, 2), 29);
	assert_int_equal(tz_days_in_month(2027, 4), 30);
	assert_int_equal(tz_days_in_month(2027, 13), 0);
	assert_int_equal(tz_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(tz_days_from_civil(1969, 12, 31), -1);
	assert_int_equal(tz_days_from_civil(2000, 3, 1), 11017);
	int y, m, d, prev_y = 0, prev_m = 0, prev_d = 0;
	for (int64_t days = -800000; days < 800000; days += 1) {
		tz_civil_from_days(days, &y, &m, &d);
		if (days > -800000) { /* consecutive days are consecutive dates */
			int next_ok = (d == prev_d + 1 && m == prev_m && y == prev_y) ||
				      (d == 1 && prev_d == tz_days_in_month(prev_y, prev_m) &&
				       ((m == prev_m + 1 && y == prev_y) ||
					(m == 1 && prev_m == 12 && y == prev_y + 1)));
			if (!next_ok)
				fail_msg("%d-%d-%d after %d-%d-%d", y, m, d, prev_y, prev_m, prev_d);
		}
		if (tz_days_from_civil(y, m, d) != days)
			fail_msg("days %lld", (long long)days);
		prev_y = y, prev_m = m, prev_d = d;
	}
}

/* Threads load and read the same zones at once; run under -fsanitize=thread too. */
static const char *thread_zones[] = {"Europe/Paris",	 "America/New_York", "Asia/Kolkata",
				     "Australia/Sydney", "Pacific/Chatham",  "Africa/Cairo"};
static const int thread_offsets[] = {3600, -18000, 19800, 39600, 49500, 7200}; /* 2026-11-26 */

static void *reader(void *arg)
{
	intptr_t id = (intptr_t)arg;
	for (int round = 0; round < 200; round++) {
		int i = (int)((id + round) % 6);
		const struct tz *z = tz_get(thread_zones[i], NULL);
		if (!z || tz_offset_at(z, 1795699800) != thread_offsets[i])
			return (void *)1;
		struct civil c = {2026, 11, 26, 14, 30, 0};
		int64_t t;
		int64_t want =
			tz_days_from_civil(2026, 11, 26) * 86400 + 14 * 3600 + 30 * 60 - thread_offsets[i];
		if (tz_resolve(z, &c, TZ_EARLIER, &t) != TZ_OK || t != want)
			return (void *)2;
	}
	return NULL;
}

static void shared_between_threads(void **state)
{
	(void)state;
	pthread_t th[8];
	for (intptr_t i = 0; i < 8; i++)
		assert_int_equal(pthread_create(&th[i], NULL, reader, (void *)i), 0);
	for (int i = 0; i < 8; i++) {
		void *rc = (void *)1;
		assert_int_equal(pthread_join(th[i], &rc), 0);
		assert_null(rc);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(shared_between_threads), /* first, so loading itself races */
		cmocka_unit_test(paris_spring_forward_is_skipped),
		cmocka_unit_test(paris_fall_back_is_repeated),
		cmocka_unit_test(day_starts),
		cmocka_unit_test(new_york),
		cmocka_unit_test(kolkata_and_half_hours),
		cmocka_unit_test(unknown_zones_refused),
		cmocka_unit_test(rfc3339),
		cmocka_unit_test(dates_and_local_times),
		cmocka_unit_test(calendar),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
