/* schedule/slots: the starts a person at the counter would list — on days clocks change in
 * Paris, New York, Kolkata, Lord Howe (30-minute change) and Santiago (midnight gap), for
 * businesses open through the night, with buffers, appointments spanning the change, notice,
 * horizon, closed days, exceptions, several staff — and the validation errors and caps. Expected
 * local times were converted with Python's zoneinfo, not taken from this code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "schedule/slots.h"

static const struct tz *zone(const char *name)
{
	struct err e = {0};
	const struct tz *z = tz_get(name, &e);
	assert_non_null(z);
	return z;
}

/* A staff member open `ranges` (pairs of minutes) every day of the week. */
static void every_day(struct slots_staff *st, const int *ranges, int n)
{
	memset(st, 0, sizeof(*st));
	for (int d = 0; d < 7; d++) {
		st->week.count[d] = n;
		for (int i = 0; i < n; i++)
			st->week.ranges[d][i] = (struct slots_range){ranges[2 * i], ranges[2 * i + 1]};
	}
}

#define HM(h, m) ((h)*60 + (m))

/* An input for one day in zone `name`, "now" long before, no notice or horizon. */
static struct slots_input one_day(const char *name, int y, int m, int d, const struct slots_staff *staff,
				  int nstaff, int duration, int step)
{
	struct slots_input in = {.zone = zone(name), .staff = staff, .nstaff = nstaff};
	in.from_date = in.to_date = (struct slots_date){y, m, d};
	in.service.duration = duration;
	in.rules.step = step;
	in.now = 0;
	return in;
}

/* Every start must read back: its wall time is on the day listed and resolves to itself. */
static void assert_round_trips(const struct tz *z, const struct slots_day *day, const struct slots_slot *s)
{
	struct civil c;
	tz_to_civil(z, s->start, &c);
	assert_int_equal(c.year, day->date.year);
	assert_int_equal(c.month, day->date.month);
	assert_int_equal(c.day, day->date.day);
	int64_t early = 0, late = 0;
	int r = tz_resolve(z, &c, TZ_EARLIER, &early);
	assert_true(r == TZ_OK || r == TZ_REPEATED);
	assert_int_equal(tz_resolve(z, &c, TZ_LATER, &late), r);
	assert_true(early == s->start || late == s->start);
}

/* Day `i` of r as "HH:MM+hh:mm ..." with "/mask" after each start when `masks`. */
static const char *listing(const struct slots_input *in, const struct slots_result *r, int i, int masks)
{
	static char out[4096];
	size_t n = 0;
	out[0] = 0;
	for (int k = 0; k < r->days[i].count; k++) {
		const struct slots_slot *s = &r->slots[r->days[i].first + k];
		assert_round_trips(in->zone, &r->days[i], s);
		char t[TZ_RFC3339_SIZE];
		tz_format_rfc3339(in->zone, s->start, t);
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%.5s%s", k ? " " : "", t + 11, t + 19);
		if (masks)
			n += (size_t)snprintf(out + n, sizeof(out) - n, "/%llu",
					      (unsigned long long)s->staff);
		assert_true(n < sizeof(out));
	}
	return out;
}

static const char *compute_day(const struct slots_input *in, int masks)
{
	struct slots_result r = {0};
	struct err e = {0};
	assert_int_equal(slots_compute(in, &r, &e), 0);
	assert_int_equal(r.ndays, 1);
	const char *s = listing(in, &r, 0, masks);
	slots_result_release(&r);
	return s;
}

/* ---- daylight saving */

static void paris_spring_forward(void **state)
{
	(void)state;
	struct slots_staff st;
	every_day(&st, (int[]){HM(9, 0), HM(12, 0)}, 1);
	struct slots_input in = one_day("Europe/Paris", 2027, 3, 28, &st, 1, 60, 60);
	assert_string_equal(compute_day(&in, 0), "09:00+02:00 10:00+02:00 11:00+02:00");
	/* open through the night: 00:00-06:00 lasts 5 real hours, 02:00 does not exist */
	every_day(&st, (int[]){HM(0, 0), HM(6, 0)}, 1);
	assert_string_equal(compute_day(&in, 0),
			    "00:00+01:00 01:00+01:00 03:00+02:00 04:00+02:00 05:00+02:00");
	/* a range starting in the gap opens when the gap ends */
	every_day(&st, (int[]){HM(2, 30), HM(5, 0)}, 1);
	assert_string_equal(compute_day(&in, 0), "03:00+02:00 04:00+02:00");
	/* a range wholly inside the gap is empty */
	every_day(&st, (int[]){HM(2, 0), HM(3, 0)}, 1);
	assert_string_equal(compute_day(&in, 0), "");
	/* afternoon hours are not affected */
	every_day(&st, (int[]){HM(13, 0), HM(15, 0)}, 1);
	in.service.duration = 30;
	in.rules.step = 30;
	assert_string_equal(compute_day(&in, 0), "13:00+02:00 13:30+02:00 14:00+02:00 14:30+02:00");
}

static void paris_fall_back(void **state)
{
	(void)state;
	struct slots_staff st;
	every_day(&st, (int[]){HM(0, 0), HM(6, 0)}, 1);
	struct slots_input in = one_day("Europe/Paris", 2027, 10, 31, &st, 1, 60, 60);
	/* 7 real hours: 02:00 is listed twice, once per offset */
	assert_string_equal(compute_day(&in, 0),
			    "00:00+02:00 01:00+02:00 02:00+02:00 02:00+01:00 03:00+01:00 "
			    "04:00+01:00 05:00+01:00");
	/* 01:00-04:00 lasts 4 real hours; 90-minute sessions every 30 minutes */
	every_day(&st, (int[]){HM(1, 0), HM(4, 0)}, 1);
	in.service.duration = 90;
	in.rules.step = 30;
	assert_string_equal(compute_day(&in, 0),
			    "01:00+02:00 01:30+02:00 02:00+02:00 02:30+02:00 02:00+01:00 "
			    "02:30+01:00");
	/* "until 02:00": closes the first time the clock reads 02:00 */
	every_day(&st, (int[]){HM(0, 0), HM(2, 0)}, 1);
	in.service.duration = 60;
	in.rules.step = 60;
	assert_string_equal(compute_day(&in, 0), "00:00+02:00 01:00+02:00");
	/* "until 02:30": the clock reads less than 02:30 until the second 02:30 */
	every_day(&st, (int[]){HM(0, 0), HM(2, 30)}, 1);
	assert_string_equal(compute_day(&in, 0), "00:00+02:00 01:00+02:00 02:00+02:00");
	/* hours at or after 13:00 */
	every_day(&st, (int[]){HM(13, 0), HM(17, 0)}, 1);
	assert_string_equal(compute_day(&in, 0), "13:00+01:00 14:00+01:00 15:00+01:00 16:00+01:00");
}

static void appointment_spanning_the_change(void **state)
{
	(void)state;
	struct slots_staff st;
	every_day(&st, (int[]){HM(0, 0), HM(6, 0)}, 1);
	/* busy 01:30+02:00 .. 02:30+01:00: two real hours across the change */
	struct slots_interval busy[] = {{1824939000, 1824946200}};
	st.busy = busy;
	st.nbusy = 1;
	struct slots_input in = one_day("Europe/Paris", 2027, 10, 31, &st, 1, 60, 60);
	assert_string_equal(compute_day(&in, 0), "00:00+02:00 03:00+01:00 04:00+01:00 05:00+01:00");
}

static void new_york(void **state)
{
	(void)state;
	struct slots_staff st;
	every_day(&st, (int[]){HM(1, 0), HM(4, 0)}, 1);
	struct slots_input in = one_day("America/New_York", 2027, 3, 14, &st, 1, 60, 60);
	assert_string_equal(compute_day(&in, 0), "01:00-05:00 03:00-04:00");
	every_day(&st, (int[]){HM(13, 0), HM(15, 0)}, 1);
	in.service.duration = 30;
	in.rules.step = 30;
	assert_string_equal(compute_day(&in, 0), "13:00-04:00 13:30-04:00 14:00-04:00 14:30-04:00");
	/* fall back: 01:00-02:00 happens twice, 00:00-03:00 lasts 4 real hours */
	in = one_day("America/New_York", 2027, 11, 7, &st, 1, 60, 60);
	every_day(&st, (int[]){HM(0, 0), HM(3, 0)}, 1);
	assert_string_equal(compute_day(&in, 0), "00:00-04:00 01:00-04:00 01:00-05:00 02:00-05:00");
}

static void kolkata(void **state)
{
	(void)state;
	struct slots_staff st;
	every_day(&st, (int[]){HM(9, 0), HM(11, 0)}, 1);
	struct slots_input in = one_day("Asia/Kolkata", 2027, 6, 1, &st, 1, 45, 15);
	struct slots_result r = {0};
	struct err e = {0};
	assert_int_equal(slots_compute(&in, &r, &e), 0);
	assert_string_equal(listing(&in, &r, 0, 0),
			    "09:00+05:30 09:15+05:30 09:30+05:30 09:45+05:30 10:00+05:30 "
			    "10:15+05:30");
	assert_int_equal(r.slots[0].start, 1811820600); /* 2027-06-01T03:30:00Z */
	slots_result_release(&r);
	assert_null(r.slots);
}

static void lord_howe(void **state)
{
	(void)state;
	struct slots_staff st;
	/* 2027-04-04: 02:00+11:00 becomes 01:30+10:30; hour-long sessions back to back */
	every_day(&st, (int[]){HM(1, 0), HM(4, 0)}, 1);
	struct slots_input in = one_day("Australia/Lord_Howe", 2027, 4, 4, &st, 1, 60, 60);
	assert_string_equal(compute_day(&in, 0), "01:00+11:00 01:30+10:30 02:30+10:30");
	/* 2027-10-03: 02:00+10:30 becomes 02:30+11:00 */
	every_day(&st, (int[]){HM(0, 0), HM(4, 0)}, 1);
	in = one_day("Australia/Lord_Howe", 2027, 10, 3, &st, 1, 30, 30);
	assert_string_equal(compute_day(&in, 0),
			    "00:00+10:30 00:30+10:30 01:00+10:30 01:30+10:30 02:30+11:00 "
			    "03:00+11:00 03:30+11:00");
	every_day(&st, (int[]){HM(14, 0), HM(16, 0)}, 1);
	in.service.duration = 60;
	in.rules.step = 0;
	assert_string_equal(compute_day(&in, 0), "14:00+11:00 15:00+11:00");
}

static void santiago_midnight_gap(void **state)
{
	(void)state;
	struct slots_staff st;
	/* 2026-09-06 starts at 01:00-03:00: midnight does not exist */
	every_day(&st, (int[]){HM(0, 0), HM(3, 0)}, 1);
	struct slots_input in = one_day("America/Santiago", 2026, 9, 6, &st, 1, 60, 60);
	assert_string_equal(compute_day(&in, 0), "01:00-03:00 02:00-03:00");
	/* 2026-04-04 ends at 24:00-03:00 = 23:00-04:00: 23:00-24:00 happens twice */
	every_day(&st, (int[]){HM(22, 0), HM(24, 0)}, 1);
	in = one_day("America/Santiago", 2026, 4, 4, &st, 1, 60, 60);
	assert_string_equal(compute_day(&in, 0), "22:00-03:00 23:00-03:00 23:00-04:00");
	/* "until 23:00" closes at the first 23:00 */
	every_day(&st, (int[]){HM(21, 0), HM(23, 0)}, 1);
	assert_string_equal(compute_day(&in, 0), "21:00-03:00 22:00-03:00");
}

/* ---- rules */

static void grid_starts_at_each_range(void **state)
{
	(void)state;
	struct slots_staff st;
	every_day(&st, (int[]){HM(9, 10), HM(11, 0), HM(14, 5), HM(15, 0)}, 2);
	struct slots_input in = one_day("Europe/Paris", 2027, 6, 2, &st, 1, 30, 30);
	assert_string_equal(compute_day(&in, 0), "09:10+02:00 09:40+02:00 10:10+02:00 14:05+02:00");
	in.service.duration = 45;
	in.rules.step = 0; /* the duration */
	assert_string_equal(compute_day(&in, 0), "09:10+02:00 09:55+02:00 14:05+02:00");
	/* touching ranges are one opening; 24:00 ends the day */
	every_day(&st, (int[]){HM(10, 0), HM(11, 0), HM(9, 0), HM(10, 0), HM(22, 0), HM(24, 0)}, 3);
	in.service.duration = 90;
	in.rules.step = 30;
	assert_string_equal(compute_day(&in, 0), "09:00+02:00 09:30+02:00 22:00+02:00 22:30+02:00");
}

static void buffers_stay_inside_hours_and_off_busy(void **state)
{
	(void)state;
	struct slots_staff st;
	every_day(&st, (int[]){HM(9, 0), HM(12, 0)}, 1);
	struct slots_input in = one_day("Europe/Paris", 2027, 6, 2, &st, 1, 60, 30);
	in.service.buffer_before = 15;
	in.service.buffer_after = 15;
	/* blocked [start - 15, start + 75) must lie in 09:00-12:00 */
	assert_string_equal(compute_day(&in, 0), "09:30+02:00 10:00+02:00 10:30+02:00");
	/* busy 11:30-12:00 (already with its own buffers) takes 10:30 */
	struct slots_interval busy[] = {{1811928600, 1811930400}};
	st.busy = busy;
	st.nbusy = 1;
	assert_string_equal(compute_day(&in, 0), "09:30+02:00 10:00+02:00");
	/* touching a busy interval is allowed: without the buffer after, 10:30 ends at 11:30 */
	in.service.buffer_after = 0;
	assert_string_equal(compute_day(&in, 0), "09:30+02:00 10:00+02:00 10:30+02:00");
}

static void notice_and_horizon(void **state)
{
	(void)state;
	struct slots_staff st;
	every_day(&st, (int[]){HM(9, 0), HM(18, 0)}, 1);
	struct slots_input in = one_day("Europe/Paris", 2027, 6, 2, &st, 1, 60, 60);
	in.now = 1811920200; /* 09:10+02:00 */
	in.rules.notice_s = 3600;
	assert_string_equal(compute_day(&in, 0),
			    "11:00+02:00 12:00+02:00 13:00+02:00 14:00+02:00 15:00+02:00 "
			    "16:00+02:00 17:00+02:00");
	in.rules.horizon_s = 5 * 3600; /* up to 14:10 */
	assert_string_equal(compute_day(&in, 0), "11:00+02:00 12:00+02:00 13:00+02:00 14:00+02:00");
	in.rules.horizon_s = 4 * 3600 + 50 * 60; /* exactly 14:00 is still bookable */
	assert_string_equal(compute_day(&in, 0), "11:00+02:00 12:00+02:00 13:00+02:00 14:00+02:00");
}

static void closed_days_and_exceptions(void **state)
{
	(void)state;
	struct slots_staff st;
	memset(&st, 0, sizeof(st));
	for (int d = 0; d < 5; d++) { /* Monday to Friday 09:00-11:00 */
		st.week.count[d] = 1;
		st.week.ranges[d][0] = (struct slots_range){HM(9, 0), HM(11, 0)};
	}
	struct slots_exception x[] = {
		{SLOTS_DAY_OFF, {2027, 6, 1}, {2027, 6, 1}, 0, {{0, 0}}},
		{SLOTS_HOURS, {2027, 6, 3}, {2027, 6, 3}, 1, {{HM(14, 0), HM(16, 0)}}},
		{SLOTS_EXTRA, {2027, 6, 3}, {2027, 6, 3}, 1, {{HM(18, 0), HM(19, 0)}}},
		{SLOTS_EXTRA, {2027, 6, 6}, {2027, 6, 6}, 1, {{HM(10, 0), HM(12, 0)}}},
		{SLOTS_DAY_OFF, {2027, 6, 8}, {2027, 6, 9}, 0, {{0, 0}}},
	};
	st.exceptions = x;
	st.nexceptions = 5;
	struct slots_date closed[] = {{2027, 6, 2}};
	struct slots_input in = one_day("Europe/Paris", 2027, 6, 1, &st, 1, 60, 60);
	in.to_date = (struct slots_date){2027, 6, 10};
	in.closed = closed;
	in.nclosed = 1;
	struct slots_result r = {0};
	struct err e = {0};
	assert_int_equal(slots_compute(&in, &r, &e), 0);
	assert_int_equal(r.ndays, 10);
	const char *want[10] = {
		"",				       /* Tue 1: day off */
		"",				       /* Wed 2: business closed */
		"14:00+02:00 15:00+02:00 18:00+02:00", /* Thu 3: different hours plus an extra opening */
		"09:00+02:00 10:00+02:00",	       /* Fri 4 */
		"",				       /* Sat 5 */
		"10:00+02:00 11:00+02:00",	       /* Sun 6: extra opening on a closed weekday */
		"09:00+02:00 10:00+02:00",	       /* Mon 7 */
		"",				       /* Tue 8: holiday range */
		"",				       /* Wed 9 */
		"09:00+02:00 10:00+02:00",	       /* Thu 10 */
	};
	for (int i = 0; i < 10; i++) {
		assert_int_equal(r.days[i].date.day, i + 1);
		assert_string_equal(listing(&in, &r, i, 0), want[i]);
	}
	slots_result_release(&r);
}

static void any_staff_merges(void **state)
{
	(void)state;
	struct slots_staff st[3];
	every_day(&st[0], (int[]){HM(9, 0), HM(12, 0)}, 1);
	every_day(&st[1], (int[]){HM(10, 0), HM(13, 0)}, 1);
	every_day(&st[2], (int[]){HM(9, 30), HM(10, 30)}, 1);
	struct slots_interval busy0[] = {{1811923200, 1811926800}}; /* 10:00-11:00+02:00 */
	st[0].busy = busy0;
	st[0].nbusy = 1;
	struct slots_input in = one_day("Europe/Paris", 2027, 6, 2, st, 3, 60, 60);
	assert_string_equal(compute_day(&in, 1), "09:00+02:00/1 09:30+02:00/4 10:00+02:00/2 11:00+02:00/3 "
						 "12:00+02:00/2");
	/* one staff member: the same computation with only them */
	in.staff = &st[1];
	in.nstaff = 1;
	assert_string_equal(compute_day(&in, 1), "10:00+02:00/1 11:00+02:00/1 12:00+02:00/1");
}

static void check_start_says_why(void **state)
{
	(void)state;
	struct slots_staff st;
	every_day(&st, (int[]){HM(9, 0), HM(12, 0)}, 1);
	struct slots_interval busy[] = {{1811926800, 1811930400}}; /* 11:00-12:00+02:00 */
	st.busy = busy;
	st.nbusy = 1;
	struct slots_input in = one_day("Europe/Paris", 2027, 6, 2, &st, 1, 30, 30);
	in.now = 1811916000; /* 08:00+02:00 */
	in.rules.notice_s = 7200;
	in.rules.horizon_s = 86400;
	int64_t at10 = 1811923200; /* 10:00+02:00 */
	struct err e = {0};
	assert_int_equal(slots_check_start(&in, 0, at10, "start", &e), 0);
	struct {
		int64_t t;
		int status;
		const char *code;
	} cases[] = {
		{in.now - 60, 422, "in_the_past"},
		{at10 - 3600 + 60 * 30, 422, "inside_notice"},
		{at10 + 2 * 86400, 422, "beyond_horizon"},
		{at10 + 4 * 3600, 422, "outside_hours"},
		{at10 + 600, 422, "off_grid"},
		{at10 + 3600, 409, "slot_taken"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err_clear(&e);
		assert_int_equal(slots_check_start(&in, 0, cases[i].t, "start", &e), -1);
		assert_int_equal(e.status, cases[i].status);
		assert_string_equal(e.code, cases[i].code);
		assert_string_equal(e.field, "start");
	}
}

/* ---- validation and caps */

static void expect_error(int rc, const struct err *e, int status, const char *code, const char *field)
{
	assert_int_equal(rc, -1);
	assert_int_equal(e->status, status);
	assert_string_equal(e->code, code);
	assert_string_equal(e->field, field);
}

static void week_validation(void **state)
{
	(void)state;
	struct slots_week w;
	memset(&w, 0, sizeof(w));
	struct err e = {0};
	w.count[1] = 2;
	w.ranges[1][0] = (struct slots_range){HM(9, 0), HM(12, 0)};
	w.ranges[1][1] = (struct slots_range){HM(12, 0), HM(18, 0)};
	assert_int_equal(slots_validate_week(&w, "hours", &e), 0); /* touching is fine */
	w.ranges[1][1].start = HM(11, 59);
	expect_error(slots_validate_week(&w, "hours", &e), &e, 400, "overlapping_ranges", "hours.tue[1]");
	w.ranges[1][1] = (struct slots_range){HM(14, 0), HM(13, 0)};
	expect_error(slots_validate_week(&w, "hours", &e), &e, 400, "end_before_start", "hours.tue[1].end");
	w.ranges[1][1] = (struct slots_range){HM(14, 0), 1441};
	expect_error(slots_validate_week(&w, "hours", &e), &e, 400, "invalid_time", "hours.tue[1].end");
	w.ranges[1][1] = (struct slots_range){HM(14, 0), HM(24, 0)};
	assert_int_equal(slots_validate_week(&w, "hours", &e), 0);
	w.count[6] = SLOTS_MAX_RANGES + 1;
	expect_error(slots_validate_week(&w, "hours", &e), &e, 400, "too_many_ranges", "hours.sun");
}

static void exception_local_times(void **state)
{
	(void)state;
	const struct tz *paris = zone("Europe/Paris");
	struct err e = {0};
	struct slots_exception x = {
		SLOTS_HOURS, {2027, 3, 27}, {2027, 3, 28}, 2, {{HM(0, 0), HM(1, 0)}, {HM(2, 30), HM(6, 0)}}};
	expect_error(slots_validate_exception(paris, &x, "exceptions[0]", &e), &e, 400, "invalid_local_time",
		     "exceptions[0].ranges[1].start");
	assert_non_null(strstr(e.message, "2027-03-28"));
	x.ranges[1] = (struct slots_range){HM(1, 30), HM(2, 30)};
	expect_error(slots_validate_exception(paris, &x, "exceptions[0]", &e), &e, 400, "invalid_local_time",
		     "exceptions[0].ranges[1].end");
	/* "until 02:00" where clocks jump from 02:00 to 03:00 is the instant of the change */
	x.ranges[1] = (struct slots_range){HM(1, 30), HM(2, 0)};
	assert_int_equal(slots_validate_exception(paris, &x, "exceptions[0]", &e), 0);
	/* a repeated time exists */
	x.from = x.to = (struct slots_date){2027, 10, 31};
	x.ranges[1] = (struct slots_range){HM(2, 30), HM(6, 0)};
	assert_int_equal(slots_validate_exception(paris, &x, "exceptions[0]", &e), 0);
	/* a day off has no times to check; dates are */
	struct slots_exception off = {SLOTS_DAY_OFF, {2027, 3, 28}, {2027, 3, 27}, 0, {{0, 0}}};
	expect_error(slots_validate_exception(paris, &off, "exceptions[1]", &e), &e, 400, "end_before_start",
		     "exceptions[1].to");
	off.to = (struct slots_date){2027, 2, 29};
	expect_error(slots_validate_exception(paris, &off, "exceptions[1]", &e), &e, 400, "invalid_date",
		     "exceptions[1].to");
	off.to = (struct slots_date){2028, 3, 28};
	expect_error(slots_validate_exception(paris, &off, "exceptions[1]", &e), &e, 400, "range_too_large",
		     "exceptions[1].to");
}

static void parse_time(void **state)
{
	(void)state;
	struct err e = {0};
	int m = -1;
	assert_int_equal(slots_parse_time("09:30", 0, &m, &e, "start"), 0);
	assert_int_equal(m, 570);
	assert_int_equal(slots_parse_time("24:00", 1, &m, &e, "end"), 0);
	assert_int_equal(m, 1440);
	expect_error(slots_parse_time("24:00", 0, &m, &e, "start"), &e, 400, "invalid_time", "start");
	const char *bad[] = {"9:30", "09:60", "24:01", "25:00", "0930", "09:30:00", "", "ab:cd", "09:3"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_error(slots_parse_time(bad[i], 1, &m, &e, "end"), &e, 400, "invalid_time", "end");
}

static void input_errors_and_caps(void **state)
{
	(void)state;
	struct slots_staff st;
	every_day(&st, (int[]){HM(9, 0), HM(12, 0)}, 1);
	struct slots_input in = one_day("Europe/Paris", 2027, 6, 1, &st, 1, 60, 60);
	struct slots_result r = {0};
	struct err e = {0};
	in.to_date = (struct slots_date){2027, 8, 1}; /* 62 days: the cap */
	assert_int_equal(slots_compute(&in, &r, &e), 0);
	assert_int_equal(r.ndays, SLOTS_MAX_DAYS);
	in.to_date = (struct slots_date){2027, 8, 2};
	expect_error(slots_compute(&in, &r, &e), &e, 400, "range_too_large", "to_date");
	in.to_date = (struct slots_date){2027, 5, 31};
	expect_error(slots_compute(&in, &r, &e), &e, 400, "end_before_start", "to_date");
	in.to_date = in.from_date;
	in.rules.step = 3;
	expect_error(slots_compute(&in, &r, &e), &e, 400, "invalid_step", "slot_step");
	in.rules.step = 60;
	in.service.duration = 0;
	expect_error(slots_compute(&in, &r, &e), &e, 400, "invalid_duration", "duration");
	in.service.duration = 60;
	in.service.buffer_after = -5;
	expect_error(slots_compute(&in, &r, &e), &e, 400, "invalid_duration", "buffer_after");
	in.service.buffer_after = 0;
	struct slots_interval unsorted[] = {{2000000000, 2000003600}, {1900000000, 1900003600}};
	st.busy = unsorted;
	st.nbusy = 2;
	expect_error(slots_compute(&in, &r, &e), &e, 400, "invalid_interval", "staff[0].busy[1]");
	st.nbusy = 0;
	st.week.ranges[2][0].end = HM(8, 0);
	expect_error(slots_compute(&in, &r, &e), &e, 400, "end_before_start", "staff[0].hours.wed[0].end");
	in.nstaff = SLOTS_MAX_STAFF + 1;
	expect_error(slots_compute(&in, &r, &e), &e, 400, "too_many_staff", "staff");

	/* more slots than the cap: 64 staff open all day on staggered 5-minute grids, 62 days */
	static struct slots_staff many[SLOTS_MAX_STAFF];
	for (int i = 0; i < SLOTS_MAX_STAFF; i++)
		every_day(&many[i], (int[]){i, HM(24, 0)}, 1);
	in = one_day("Europe/Paris", 2027, 6, 1, many, SLOTS_MAX_STAFF, 5, 5);
	in.to_date = (struct slots_date){2027, 8, 1};
	expect_error(slots_compute(&in, &r, &e), &e, 400, "range_too_large", "to_date");
	/* one day of it fits, and the result is reused */
	in.to_date = in.from_date;
	assert_int_equal(slots_compute(&in, &r, &e), 0);
	assert_int_equal(r.ndays, 1);
	assert_int_equal(r.nslots, 1436); /* every minute from 00:00 to 23:55 */
	slots_result_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(paris_spring_forward),
		cmocka_unit_test(paris_fall_back),
		cmocka_unit_test(appointment_spanning_the_change),
		cmocka_unit_test(new_york),
		cmocka_unit_test(kolkata),
		cmocka_unit_test(lord_howe),
		cmocka_unit_test(santiago_midnight_gap),
		cmocka_unit_test(grid_starts_at_each_range),
		cmocka_unit_test(buffers_stay_inside_hours_and_off_busy),
		cmocka_unit_test(notice_and_horizon),
		cmocka_unit_test(closed_days_and_exceptions),
		cmocka_unit_test(any_staff_merges),
		cmocka_unit_test(check_start_says_why),
		cmocka_unit_test(week_validation),
		cmocka_unit_test(exception_local_times),
		cmocka_unit_test(parse_time),
		cmocka_unit_test(input_errors_and_caps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
