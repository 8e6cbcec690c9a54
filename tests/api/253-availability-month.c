/* A month of availability for "any" staff: the answer is written as text rather than built as
 * a JSON tree, so it must still parse, keep its shape and field order, and list exactly what the
 * one-staff, one-day answers list — each start once, in time order, with the staff who can take
 * it in the business's staff order. The range crosses Paris's spring change, some staff work
 * only some weekdays, and booked appointments (and a group session with seats left) are in it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/tz.h"
#include "harness.h"
#include "sched_fixture.h"

#define NSTAFF 3
#define FROM   "2027-03-20"
#define TO     "2027-04-04"

static int setup(void **state)
{
	harness_setup(state);
	fx_clock("2027-03-01T08:00:00+01:00");
	return 0;
}

static json_t *get(struct biz *b, const char *svc, const char *staff, const char *from, const char *to)
{
	char path[256];
	struct reply r;
	snprintf(path, sizeof(path), "/api/v1/availability?service=%s&staff=%s&from=%s&to=%s", svc, staff,
		 from, to);
	session_call(&H, &b->s, "GET", path, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(r.json);
	json_t *j = json_incref(r.json);
	reply_free(&r);
	return j;
}

static int64_t instant(const char *s)
{
	int64_t t;
	struct err e = {0};
	assert_non_null(s);
	assert_int_equal(tz_parse_rfc3339(s, &t, &e, "start"), 0);
	return t;
}

/* Does one staff member's one-day answer list start? */
static int lists(const json_t *day_answer, const char *date, const char *start)
{
	const json_t *slots = fx_day_slots(day_answer, date);
	for (size_t i = 0; i < json_array_size(slots); i++)
		if (!strcmp(fx_slot_start(slots, i), start))
			return 1;
	return 0;
}

/* Checks the month answer against the day answers; returns the month answer (caller frees). */
static json_t *check_month(struct biz *b, const char *svc, char staff[NSTAFF][24])
{
	char path[256];
	struct reply r;
	snprintf(path, sizeof(path), "/api/v1/availability?service=%s&staff=any&from=%s&to=%s", svc, FROM,
		 TO);
	session_call(&H, &b->s, "GET", path, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(r.json);
	/* the fields and their order are part of the contract */
	const char head[] = "{\"time_zone\":\"Europe/Paris\",\"days\":[{\"date\":\"" FROM "\",\"slots\":[";
	assert_true(r.len > sizeof(head));
	assert_memory_equal(r.body, head, sizeof(head) - 1);
	assert_int_equal(json_object_size(r.json), 2);
	const json_t *days = json_object_get(r.json, "days");
	assert_int_equal(json_array_size(days), 16);
	int total = 0, shared = 0;
	for (size_t d = 0; d < json_array_size(days); d++) {
		const json_t *day = json_array_get(days, d);
		char date[32];
		snprintf(date, sizeof(date), "2027-%s-%02d", d < 12 ? "03" : "04",
			 d < 12 ? 20 + (int)d : (int)d - 11);
		assert_int_equal(json_object_size(day), 2);
		assert_string_equal(json_string_value(json_object_get(day, "date")), date);
		json_t *one[NSTAFF];
		int want = 0; /* distinct starts over the staff's own answers */
		for (int k = 0; k < NSTAFF; k++)
			one[k] = get(b, svc, staff[k], date, date);
		for (int k = 0; k < NSTAFF; k++) {
			const json_t *ks = fx_day_slots(one[k], date);
			for (size_t i = 0; i < json_array_size(ks); i++) {
				int earlier = 0;
				for (int m = 0; m < k; m++)
					earlier |= lists(one[m], date, fx_slot_start(ks, i));
				want += !earlier;
			}
		}
		const json_t *slots = json_object_get(day, "slots");
		assert_int_equal((int)json_array_size(slots), want);
		int64_t prev = 0;
		for (size_t i = 0; i < json_array_size(slots); i++) {
			const json_t *s = json_array_get(slots, i);
			const char *start = json_string_value(json_object_get(s, "start"));
			assert_int_equal(json_object_size(s), 2);
			assert_true(i == 0 || instant(start) > prev);
			prev = instant(start);
			/* exactly the staff whose own answer has this start, in staff order */
			const json_t *who = json_object_get(s, "staff");
			size_t n = 0;
			for (int k = 0; k < NSTAFF; k++) {
				if (!lists(one[k], date, start))
					continue;
				assert_true(n < json_array_size(who));
				assert_string_equal(json_string_value(json_array_get(who, n)), staff[k]);
				n++;
			}
			assert_int_equal(json_array_size(who), n);
			shared += n > 1;
		}
		total += want;
		for (int k = 0; k < NSTAFF; k++)
			json_decref(one[k]);
	}
	/* the set-up is not degenerate: many slots, some shared by several staff */
	assert_true(total > 40);
	assert_true(shared > 10);
	/* by hand: on the day of the change, Ben's 10:00 is in summer time */
	const json_t *change = fx_day_slots(r.json, "2027-03-28");
	assert_non_null(change);
	int seen = 0;
	for (size_t i = 0; i < json_array_size(change); i++)
		seen |= !strcmp(fx_slot_start(change, i), "2027-03-28T10:00:00+02:00");
	assert_true(seen);
	json_t *j = json_incref(r.json);
	reply_free(&r);
	return j;
}

/* Ana works weekdays 9–12, Ben every day 10–14, Cleo Wednesdays 11–13 and Saturdays 8–10. */
static void staff_set(struct biz *b, int64_t sv, char staff[NSTAFF][24], int64_t id[NSTAFF])
{
	static const char *const names[NSTAFF] = {"Ana", "Ben", "Cleo"};
	for (int k = 0; k < NSTAFF; k++) {
		id[k] = fx_staff(b, names[k], staff[k]);
		fx_provides(b, sv, id[k]);
	}
	for (int d = 1; d <= 5; d++)
		fx_hours(b, id[0], d, 540, 720);
	fx_hours_all_week(b, id[1], 600, 840);
	fx_hours(b, id[2], 3, 660, 780);
	fx_hours(b, id[2], 6, 480, 600);
}

static void book(struct biz *b, const char *svc, const char *staff, const char *start)
{
	char body[256];
	struct reply r;
	snprintf(body, sizeof(body), "{\"service\": \"%s\", \"staff\": \"%s\", \"start\": \"%s\"}", svc,
		 staff, start);
	fx_book(b, body, NULL, &r);
	assert_int_equal(r.status, 201);
	reply_free(&r);
}

static void month_matches_day_answers(void **state)
{
	(void)state;
	struct biz b;
	char svc[24], staff[NSTAFF][24];
	int64_t id[NSTAFF];
	fx_business(&b, "Salon Mois", "Europe/Paris");
	fx_rules(&b, 0, 0, 30);
	int64_t sv = fx_service(&b, 45, 0, 15, 1, svc);
	staff_set(&b, sv, staff, id);
	book(&b, svc, staff[1], "2027-03-22T10:00:00+01:00");
	book(&b, svc, staff[0], "2027-03-24T11:00:00+01:00");
	book(&b, svc, staff[1], "2027-03-29T12:30:00+02:00");
	json_decref(check_month(&b, svc, staff));
}

static void month_with_a_group_session(void **state)
{
	(void)state;
	struct biz b;
	char svc[24], staff[NSTAFF][24];
	int64_t id[NSTAFF];
	fx_business(&b, "Atelier Mois", "Europe/Paris");
	fx_rules(&b, 0, 0, 60);
	int64_t sv = fx_service(&b, 60, 0, 0, 3, svc);
	staff_set(&b, sv, staff, id);
	book(&b, svc, staff[0], "2027-03-23T09:00:00+01:00"); /* a session with two seats left */
	book(&b, svc, staff[2], "2027-03-31T11:00:00+02:00");
	json_t *m = check_month(&b, svc, staff);
	/* by hand: the session Ana holds at 09:00 still has seats, and Ana alone works then */
	const json_t *slots = fx_day_slots(m, "2027-03-23");
	assert_non_null(slots);
	assert_string_equal(fx_slot_start(slots, 0), "2027-03-23T09:00:00+01:00");
	const json_t *who = json_object_get(json_array_get(slots, 0), "staff");
	assert_int_equal(json_array_size(who), 1);
	assert_string_equal(json_string_value(json_array_get(who, 0)), staff[0]);
	json_decref(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(month_matches_day_answers),
		cmocka_unit_test(month_with_a_group_session),
	};
	return cmocka_run_group_tests(tests, setup, harness_teardown);
}
