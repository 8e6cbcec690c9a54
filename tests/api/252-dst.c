/* Daylight saving through HTTP: for each zone and change, the hourly slots of 00:00–06:00 (or
 * the hours given) are those a person at the counter would list — written by hand and checked
 * with Python's zoneinfo — with the right offsets; every listed instant is then booked and
 * answers 201 with the same start, and an appointment spanning the change keeps its real
 * duration. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"
#include "sched_fixture.h"

static int setup(void **state)
{
	harness_setup(state);
	fx_clock("2027-03-01T08:00:00+01:00");
	return 0;
}

/* A business in zone tz whose one staff member works start..end (minutes) every day, an hourly
 * grid and a 60-minute service; checks date's slots against `want` and books each of them. */
static void check_day(const char *tz, const char *date, int start, int end, const char *const *want, int n)
{
	struct biz b;
	char svc[24], staff[24], path[256], body[256];
	struct reply r;
	fx_business(&b, "Salon Heure", tz);
	fx_rules(&b, 0, 0, 60);
	int64_t st = fx_staff(&b, "Ana", staff), sv = fx_service(&b, 60, 0, 0, 1, svc);
	fx_provides(&b, sv, st);
	fx_hours_all_week(&b, st, start, end);
	snprintf(path, sizeof(path), "/api/v1/availability?service=%s&staff=%s&from=%s&to=%s", svc, staff,
		 date, date);
	session_call(&H, &b.s, "GET", path, NULL, &r);
	assert_int_equal(r.status, 200);
	const json_t *slots = fx_day_slots(r.json, date);
	assert_non_null(slots);
	if ((int)json_array_size(slots) != n)
		fprintf(stderr, "%s %s: %s\n", tz, date, r.body);
	assert_int_equal(json_array_size(slots), n);
	for (int i = 0; i < n; i++)
		assert_string_equal(fx_slot_start(slots, (size_t)i), want[i]);
	reply_free(&r);
	for (int i = 0; i < n; i++) {
		snprintf(body, sizeof(body), "{\"service\": \"%s\", \"staff\": \"%s\", \"start\": \"%s\"}",
			 svc, staff, want[i]);
		fx_book(&b, body, NULL, &r);
		assert_int_equal(r.status, 201);
		assert_string_equal(json_path_str(r.json, "appointment", "start"), want[i]);
		/* 60 real minutes each, across the change too: the next start is its end */
		if (i + 1 < n && strncmp(want[i + 1], want[i], 10) == 0)
			assert_string_equal(json_path_str(r.json, "appointment", "end"), want[i + 1]);
		reply_free(&r);
	}
	assert_int_equal(fx_overlaps(&b), 0);
}

static void paris_spring_forward(void **state)
{
	(void)state;
	static const char *const want[] = {"2027-03-28T00:00:00+01:00", "2027-03-28T01:00:00+01:00",
					   "2027-03-28T03:00:00+02:00", "2027-03-28T04:00:00+02:00",
					   "2027-03-28T05:00:00+02:00"};
	check_day("Europe/Paris", "2027-03-28", 0, 360, want, 5);
}

static void paris_fall_back(void **state)
{
	(void)state;
	static const char *const want[] = {"2027-10-31T00:00:00+02:00", "2027-10-31T01:00:00+02:00",
					   "2027-10-31T02:00:00+02:00", "2027-10-31T02:00:00+01:00",
					   "2027-10-31T03:00:00+01:00", "2027-10-31T04:00:00+01:00",
					   "2027-10-31T05:00:00+01:00"};
	check_day("Europe/Paris", "2027-10-31", 0, 360, want, 7);
}

static void new_york_spring_forward(void **state)
{
	(void)state;
	static const char *const want[] = {"2027-03-14T00:00:00-05:00", "2027-03-14T01:00:00-05:00",
					   "2027-03-14T03:00:00-04:00", "2027-03-14T04:00:00-04:00",
					   "2027-03-14T05:00:00-04:00"};
	check_day("America/New_York", "2027-03-14", 0, 360, want, 5);
}

static void new_york_fall_back(void **state)
{
	(void)state;
	static const char *const want[] = {"2027-11-07T00:00:00-04:00", "2027-11-07T01:00:00-04:00",
					   "2027-11-07T01:00:00-05:00", "2027-11-07T02:00:00-05:00",
					   "2027-11-07T03:00:00-05:00", "2027-11-07T04:00:00-05:00",
					   "2027-11-07T05:00:00-05:00"};
	check_day("America/New_York", "2027-11-07", 0, 360, want, 7);
}

static void kolkata_half_hour_offset(void **state)
{
	(void)state;
	static const char *const want[] = {"2027-03-28T09:00:00+05:30", "2027-03-28T10:00:00+05:30",
					   "2027-03-28T11:00:00+05:30"};
	check_day("Asia/Kolkata", "2027-03-28", 540, 720, want, 3);
}

static void lord_howe_half_hour_change(void **state)
{
	(void)state;
	/* 02:00+11:00 becomes 01:30+10:30 */
	static const char *const want[] = {"2027-04-04T01:00:00+11:00", "2027-04-04T01:30:00+10:30",
					   "2027-04-04T02:30:00+10:30"};
	check_day("Australia/Lord_Howe", "2027-04-04", 60, 240, want, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(paris_spring_forward),	    cmocka_unit_test(paris_fall_back),
		cmocka_unit_test(new_york_spring_forward),  cmocka_unit_test(new_york_fall_back),
		cmocka_unit_test(kolkata_half_hour_offset), cmocka_unit_test(lord_howe_half_hour_change),
	};
	return cmocka_run_group_tests(tests, setup, harness_teardown);
}
