/* support/sla: first-response deadlines on a 24/7 clock, the 75 % warning instant, how each
 * message moves the clock (customer replies restart it, internal notes never count), the
 * 3-year retention instant and the report's nearest-rank percentiles. Instants are checked
 * against Europe/Paris wall times computed with Python's zoneinfo. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "base/tz.h"
#include "support/sla.h"

#define H 3600

/* 2027-03-26 23:00 Europe/Paris (UTC+1), a Friday */
static const int64_t FRIDAY_23H = 1806098400;

static void targets_by_plan(void **state)
{
	(void)state;
	assert_int_equal(sla_target_hours(1), 24);
	assert_int_equal(sla_target_hours(0), 48);
}

static void friday_23h_on_optimum_is_due_saturday_23h(void **state)
{
	(void)state;
	struct sla_clock c;
	sla_open(&c, sla_target_hours(1), FRIDAY_23H);
	/* Saturday 2027-03-27 23:00 Paris = 22:00 UTC */
	assert_int_equal(c.due_at, FRIDAY_23H + 24 * H);
	assert_int_equal(c.first_due_at, c.due_at);
	struct civil cv;
	tz_utc_to_civil(c.due_at, &cv);
	assert_int_equal(cv.day, 27);
	assert_int_equal(cv.hour, 22);
	assert_int_equal(tz_weekday(cv.year, cv.month, cv.day), 6); /* Saturday */
	/* the same ticket on another plan (or a trial of Optimum): Sunday 23:00 */
	sla_open(&c, sla_target_hours(0), FRIDAY_23H);
	assert_int_equal(c.due_at, FRIDAY_23H + 48 * H);
}

static void warning_at_75_percent(void **state)
{
	(void)state;
	assert_int_equal(sla_warn_at(FRIDAY_23H, sla_due(FRIDAY_23H, 24)), FRIDAY_23H + 18 * H);
	assert_int_equal(sla_warn_at(FRIDAY_23H, sla_due(FRIDAY_23H, 48)), FRIDAY_23H + 36 * H);
	assert_int_equal(sla_warn_at(100, 100), 100);
}

static void dst_changes_nothing(void **state)
{
	(void)state;
	/* Saturday 2027-03-27 03:00 +01:00; the clocks go forward that night: 24 elapsed hours
	 * later is Sunday 04:00 +02:00 (1806199200), not 03:00 */
	int64_t sat_3h = 1806112800;
	assert_int_equal(sla_due(sat_3h, 24), 1806199200);
	/* and in October (back one hour) still 24 elapsed hours */
	int64_t oct_fri = 1824843600;
	assert_int_equal(sla_due(oct_fri, 48) - oct_fri, 48 * H);
}

static void customer_reply_restarts_the_clock(void **state)
{
	(void)state;
	struct sla_clock c;
	sla_open(&c, 24, FRIDAY_23H);
	/* an answer at 10 h: in time, nothing owed */
	sla_apply(&c, SLA_AGENT_REPLY, FRIDAY_23H + 10 * H);
	assert_int_equal(c.first_response_at, FRIDAY_23H + 10 * H);
	assert_int_equal(c.awaiting_since, 0);
	assert_int_equal(c.due_at, 0);
	assert_int_equal(c.replies_late, 0);
	/* the customer answers 30 h later: the next reply is due 24 h after that */
	int64_t back = FRIDAY_23H + 40 * H;
	sla_apply(&c, SLA_CUSTOMER_MESSAGE, back);
	assert_int_equal(c.due_at, back + 24 * H);
	/* a second customer message does not push the deadline */
	sla_apply(&c, SLA_CUSTOMER_MESSAGE, back + 5 * H);
	assert_int_equal(c.due_at, back + 24 * H);
	/* the reply comes late; the first response stays the first */
	sla_apply(&c, SLA_AGENT_REPLY, back + 25 * H);
	assert_int_equal(c.replies_late, 1);
	assert_int_equal(c.first_response_at, FRIDAY_23H + 10 * H);
	assert_int_equal(c.first_due_at, FRIDAY_23H + 24 * H);
}

static void notes_and_automatic_messages_do_not_count(void **state)
{
	(void)state;
	struct sla_clock c;
	sla_open(&c, 24, FRIDAY_23H);
	sla_apply(&c, SLA_AUTO_MESSAGE, FRIDAY_23H + 1);
	sla_apply(&c, SLA_INTERNAL_NOTE, FRIDAY_23H + 2 * H);
	assert_int_equal(c.first_response_at, 0);
	assert_int_equal(c.due_at, FRIDAY_23H + 24 * H);
	assert_int_equal(c.awaiting_since, FRIDAY_23H);
	/* solving stops the clock without making a response */
	sla_apply(&c, SLA_STOP, FRIDAY_23H + 3 * H);
	assert_int_equal(c.due_at, 0);
	assert_int_equal(c.first_response_at, 0);
}

static void three_years_after_closing(void **state)
{
	(void)state;
	struct civil cv;
	int64_t closed = FRIDAY_23H;
	tz_utc_to_civil(sla_years_after(closed, 3), &cv);
	assert_int_equal(cv.year, 2030);
	assert_int_equal(cv.month, 3);
	assert_int_equal(cv.day, 26);
	assert_int_equal(cv.hour, 22);
	/* 29 February 2028 → 28 February 2031 */
	struct civil leap = {2028, 2, 29, 12, 0, 0};
	tz_utc_to_civil(sla_years_after(tz_civil_to_utc(&leap), 3), &cv);
	assert_int_equal(cv.year, 2031);
	assert_int_equal(cv.month, 2);
	assert_int_equal(cv.day, 28);
}

static void percentiles_by_nearest_rank(void **state)
{
	(void)state;
	int64_t v[10] = {10, 1, 9, 2, 8, 3, 7, 4, 6, 5};
	assert_int_equal(sla_percentile(v, 10, 50), 5);
	assert_int_equal(sla_percentile(v, 10, 90), 9);
	assert_int_equal(sla_percentile(v, 10, 100), 10);
	int64_t one[1] = {42};
	assert_int_equal(sla_percentile(one, 1, 50), 42);
	assert_int_equal(sla_percentile(one, 1, 90), 42);
	int64_t three[3] = {3 * H, 1 * H, 20 * H};
	assert_int_equal(sla_percentile(three, 3, 50), 3 * H);
	assert_int_equal(sla_percentile(three, 3, 90), 20 * H);
	assert_int_equal(sla_percentile(NULL, 0, 50), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(targets_by_plan),
		cmocka_unit_test(friday_23h_on_optimum_is_due_saturday_23h),
		cmocka_unit_test(warning_at_75_percent),
		cmocka_unit_test(dst_changes_nothing),
		cmocka_unit_test(customer_reply_restarts_the_clock),
		cmocka_unit_test(notes_and_automatic_messages_do_not_count),
		cmocka_unit_test(three_years_after_closing),
		cmocka_unit_test(percentiles_by_nearest_rank),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
