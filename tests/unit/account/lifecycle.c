/* account/lifecycle: the pure rules of the account's life (PRODUCT.md "Lifecycle rules") —
 * the trial's warnings at end − 3 and − 1 local days, the next 1st 00:00 Europe/Paris from any
 * instant, deletion 12 months after a cancellation with its notices at − 30 and − 7 days, a
 * frozen account's deletion 30 days after its trial ended, the days of trial left and what
 * comes next. Instants are written with their offset, as Python's zoneinfo gives them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "account/lifecycle.h"
#include "base/tz.h"

#define PARIS "Europe/Paris"

static int64_t at(const char *rfc3339)
{
	struct err e = {0};
	int64_t t = 0;
	if (tz_parse_rfc3339(rfc3339, &t, &e, "t"))
		fail_msg("bad instant %s: %s", rfc3339, e.message);
	return t;
}

/* t written in zone, for messages that say which instant was wrong. */
static const char *in(const char *zone, int64_t t)
{
	static char out[4][TZ_RFC3339_SIZE];
	static int n;
	struct err e = {0};
	const struct tz *z = tz_get(zone, &e);
	assert_non_null(z);
	char *s = out[n++ % 4];
	tz_format_rfc3339(z, t, s);
	return s;
}

static void next_first(const char *from, const char *expected)
{
	struct err e = {0};
	int64_t t = 0;
	assert_int_equal(lifecycle_month_start(PARIS, at(from), 1, &t, &e), 0);
	assert_string_equal(in(PARIS, t), expected);
}

static void the_next_first_at_midnight_in_paris(void **state)
{
	(void)state;
	next_first("2027-07-15T10:00:00+02:00", "2027-08-01T00:00:00+02:00");
	/* the year turns */
	next_first("2027-12-31T23:59:59+01:00", "2028-01-01T00:00:00+01:00");
	next_first("2027-12-01T00:00:01+01:00", "2028-01-01T00:00:00+01:00");
	/* into summer time (28 March 2027) and out of it (31 October 2027) */
	next_first("2027-03-15T12:00:00+01:00", "2027-04-01T00:00:00+02:00");
	next_first("2027-03-28T03:30:00+02:00", "2027-04-01T00:00:00+02:00");
	next_first("2027-10-15T12:00:00+02:00", "2027-11-01T00:00:00+01:00");
	next_first("2027-10-31T02:30:00+01:00", "2027-11-01T00:00:00+01:00");
	/* exactly 00:00 on a 1st: that 1st has come, the next is a month on */
	next_first("2027-08-01T00:00:00+02:00", "2027-09-01T00:00:00+02:00");
	next_first("2027-03-01T00:00:00+01:00", "2027-04-01T00:00:00+02:00");
	/* one second before the 1st: that very 1st */
	next_first("2027-07-31T23:59:59+02:00", "2027-08-01T00:00:00+02:00");
	/* the month is Paris's, not UTC's: 31 July 23:30 UTC is already 1 August in Paris */
	next_first("2027-07-31T23:30:00Z", "2027-09-01T00:00:00+02:00");
	next_first("2027-12-31T23:30:00Z", "2028-02-01T00:00:00+01:00");
	/* February of a leap year and of a common one */
	next_first("2028-02-29T12:00:00+01:00", "2028-03-01T00:00:00+01:00");
	next_first("2027-02-28T12:00:00+01:00", "2027-03-01T00:00:00+01:00");
}

static void trial_warnings_are_whole_local_days_before_its_end(void **state)
{
	(void)state;
	struct err e = {0};
	int64_t t = 0;
	/* 510's trial: it ends on 19 January 00:00; warnings on the 16th and the 18th */
	int64_t end = at("2027-01-19T00:00:00+01:00");
	assert_int_equal(lifecycle_notice_at(PARIS, end, 3, &t, &e), 0);
	assert_string_equal(in(PARIS, t), "2027-01-16T00:00:00+01:00");
	assert_int_equal(lifecycle_notice_at(PARIS, end, 1, &t, &e), 0);
	assert_string_equal(in(PARIS, t), "2027-01-18T00:00:00+01:00");
	/* across the spring change: − 3 days is still winter time, − 1 day summer time */
	end = at("2027-03-30T00:00:00+02:00");
	assert_int_equal(lifecycle_notice_at(PARIS, end, 3, &t, &e), 0);
	assert_string_equal(in(PARIS, t), "2027-03-27T00:00:00+01:00");
	assert_int_equal(lifecycle_notice_at(PARIS, end, 1, &t, &e), 0);
	assert_string_equal(in(PARIS, t), "2027-03-29T00:00:00+02:00");
	assert_int_equal(end - t, 86400);
	/* the 23-hour day: 28 March lasts 23 hours, the warning is still one local day before */
	end = at("2027-03-29T00:00:00+02:00");
	assert_int_equal(lifecycle_notice_at(PARIS, end, 1, &t, &e), 0);
	assert_string_equal(in(PARIS, t), "2027-03-28T00:00:00+01:00");
	assert_int_equal(end - t, 23 * 3600);
	/* the account's own zone: New York changes on 14 March 2027 */
	end = at("2027-03-16T00:00:00-04:00");
	assert_int_equal(lifecycle_notice_at("America/New_York", end, 3, &t, &e), 0);
	assert_string_equal(in("America/New_York", t), "2027-03-13T00:00:00-05:00");
	/* a trial ending mid-day (a zone changed since) still warns at the start of a day */
	end = at("2027-01-19T15:20:00+01:00");
	assert_int_equal(lifecycle_notice_at(PARIS, end, 1, &t, &e), 0);
	assert_string_equal(in(PARIS, t), "2027-01-18T00:00:00+01:00");
	/* an unknown zone is an error, never a default */
	assert_int_not_equal(lifecycle_notice_at("Europe/Atlantis", end, 1, &t, &e), 0);
}

static void a_frozen_account_is_deleted_30_days_after_its_trial(void **state)
{
	(void)state;
	struct err e = {0};
	int64_t del = 0, t = 0;
	assert_int_equal(
		lifecycle_delete_at(PARIS, ACCOUNT_FROZEN, at("2027-01-19T00:00:00+01:00"), &del, &e), 0);
	assert_string_equal(in(PARIS, del), "2027-02-18T00:00:00+01:00"); /* day 45 of 510's trial */
	assert_int_equal(lifecycle_notice_at(PARIS, del, 7, &t, &e), 0);
	assert_string_equal(in(PARIS, t), "2027-02-11T00:00:00+01:00");
	/* 30 local days, not 30 × 24 hours, across the spring change */
	assert_int_equal(
		lifecycle_delete_at(PARIS, ACCOUNT_FROZEN, at("2027-03-20T00:00:00+01:00"), &del, &e), 0);
	assert_string_equal(in(PARIS, del), "2027-04-19T00:00:00+02:00");
	assert_int_equal(del - at("2027-03-20T00:00:00+01:00"), 30 * 86400 - 3600);
	assert_int_equal(lifecycle_notice_at(PARIS, del, 7, &t, &e), 0);
	assert_string_equal(in(PARIS, t), "2027-04-12T00:00:00+02:00");
	/* in the account's zone */
	assert_int_equal(lifecycle_delete_at("America/New_York", ACCOUNT_FROZEN,
					     at("2027-10-20T00:00:00-04:00"), &del, &e),
			 0);
	assert_string_equal(in("America/New_York", del), "2027-11-19T00:00:00-05:00");
	/* no deletion instant for a state that has none */
	assert_int_not_equal(lifecycle_delete_at(PARIS, ACCOUNT_ACTIVE, del, &t, &e), 0);
}

static void cancelled_then_deleted_12_months_later_with_notices(void **state)
{
	(void)state;
	struct err e = {0};
	int64_t del = 0, t30 = 0, t7 = 0;
	/* 510's year: read-only on 1 August 2027, deleted 1 August 2028, notices 2 and 25 July */
	assert_int_equal(
		lifecycle_delete_at(PARIS, ACCOUNT_READ_ONLY, at("2027-08-01T00:00:00+02:00"), &del, &e), 0);
	assert_string_equal(in(PARIS, del), "2028-08-01T00:00:00+02:00");
	assert_int_equal(lifecycle_notice_at(PARIS, del, 30, &t30, &e), 0);
	assert_int_equal(lifecycle_notice_at(PARIS, del, 7, &t7, &e), 0);
	assert_string_equal(in(PARIS, t30), "2028-07-02T00:00:00+02:00");
	assert_string_equal(in(PARIS, t7), "2028-07-25T00:00:00+02:00");
	/* winter deletion, summer notices */
	assert_int_equal(
		lifecycle_delete_at(PARIS, ACCOUNT_READ_ONLY, at("2027-11-01T00:00:00+01:00"), &del, &e), 0);
	assert_string_equal(in(PARIS, del), "2028-11-01T00:00:00+01:00");
	assert_int_equal(lifecycle_notice_at(PARIS, del, 30, &t30, &e), 0);
	assert_int_equal(lifecycle_notice_at(PARIS, del, 7, &t7, &e), 0);
	assert_string_equal(in(PARIS, t30), "2028-10-02T00:00:00+02:00");
	assert_string_equal(in(PARIS, t7), "2028-10-25T00:00:00+02:00");
	/* from December: the next year's December, and March's notices fall in February */
	assert_int_equal(
		lifecycle_delete_at(PARIS, ACCOUNT_READ_ONLY, at("2027-12-01T00:00:00+01:00"), &del, &e), 0);
	assert_string_equal(in(PARIS, del), "2028-12-01T00:00:00+01:00");
	assert_int_equal(
		lifecycle_delete_at(PARIS, ACCOUNT_READ_ONLY, at("2027-03-01T00:00:00+01:00"), &del, &e), 0);
	assert_string_equal(in(PARIS, del), "2028-03-01T00:00:00+01:00");
	assert_int_equal(lifecycle_notice_at(PARIS, del, 30, &t30, &e), 0);
	assert_string_equal(in(PARIS, t30), "2028-01-31T00:00:00+01:00"); /* 2028 is a leap year */
	assert_int_equal(lifecycle_notice_at(PARIS, del, 7, &t7, &e), 0);
	assert_string_equal(in(PARIS, t7), "2028-02-23T00:00:00+01:00");
	/* months count in Paris whatever the account's zone */
	assert_int_equal(lifecycle_delete_at("America/New_York", ACCOUNT_READ_ONLY,
					     at("2027-08-01T00:00:00+02:00"), &del, &e),
			 0);
	assert_string_equal(in(PARIS, del), "2028-08-01T00:00:00+02:00");
	/* a cancellation, then the whole chain from an instant mid-month */
	int64_t cancel_at = 0;
	assert_int_equal(lifecycle_month_start(PARIS, at("2027-07-15T10:00:00+02:00"), 1, &cancel_at, &e), 0);
	assert_int_equal(lifecycle_delete_at(PARIS, ACCOUNT_READ_ONLY, cancel_at, &del, &e), 0);
	assert_string_equal(in(PARIS, del), "2028-08-01T00:00:00+02:00");
}

static void options_change_the_retention(void **state)
{
	(void)state;
	struct err e = {0};
	int64_t del = 0;
	lifecycle_configure(&(struct lifecycle_options){
		.frozen_retention_days = 10, .cancelled_retention_months = 3, .purge_delay_s = 30 * 86400});
	assert_int_equal(lifecycle_options_get()->purge_delay_s, 7 * 86400); /* capped at 7 days */
	assert_int_equal(
		lifecycle_delete_at(PARIS, ACCOUNT_FROZEN, at("2027-01-19T00:00:00+01:00"), &del, &e), 0);
	assert_string_equal(in(PARIS, del), "2027-01-29T00:00:00+01:00");
	assert_int_equal(
		lifecycle_delete_at(PARIS, ACCOUNT_READ_ONLY, at("2027-11-01T00:00:00+01:00"), &del, &e), 0);
	assert_string_equal(in(PARIS, del), "2028-02-01T00:00:00+01:00");
	lifecycle_configure(&(struct lifecycle_options){
		.frozen_retention_days = 30, .cancelled_retention_months = 12, .purge_delay_s = 3600});
}

static void days_of_trial_left(void **state)
{
	(void)state;
	int64_t end = at("2027-01-19T00:00:00+01:00");
	assert_int_equal(lifecycle_trial_days_left(PARIS, end, at("2027-01-04T09:30:00+01:00")), 15);
	assert_int_equal(lifecycle_trial_days_left(PARIS, end, at("2027-01-18T00:00:00+01:00")), 1);
	assert_int_equal(lifecycle_trial_days_left(PARIS, end, at("2027-01-18T23:59:59+01:00")), 1);
	assert_int_equal(lifecycle_trial_days_left(PARIS, end, end), 0);
	assert_int_equal(lifecycle_trial_days_left(PARIS, end, end + 86400), 0);
	/* local days: 23:30 UTC on the 17th is already the 18th in Paris */
	assert_int_equal(lifecycle_trial_days_left(PARIS, end, at("2027-01-17T23:30:00Z")), 1);
	assert_int_equal(lifecycle_trial_days_left("Europe/Atlantis", end, at("2027-01-10T00:00:00Z")), 0);
}

static void what_comes_next(void **state)
{
	(void)state;
	struct lifecycle_row r = {0};
	struct lifecycle_next n;
	r.a.state = ACCOUNT_TRIAL;
	r.a.trial_ends_at = at("2027-01-19T00:00:00+01:00");
	lifecycle_next(&r, &n);
	assert_string_equal(n.kind, "trial_end");
	assert_string_equal(n.to_state, "frozen");
	assert_int_equal(n.at, r.a.trial_ends_at);

	r.a.state = ACCOUNT_ACTIVE;
	lifecycle_next(&r, &n);
	assert_null(n.kind);

	r.a.state = ACCOUNT_CANCEL_PENDING;
	r.cancel_at = at("2027-08-01T00:00:00+02:00");
	lifecycle_next(&r, &n);
	assert_string_equal(n.kind, "cancellation");
	assert_string_equal(n.to_state, "read_only");
	assert_int_equal(n.at, r.cancel_at);

	r.a.state = ACCOUNT_READ_ONLY;
	snprintf(r.a.state_reason, sizeof(r.a.state_reason), "cancelled");
	r.delete_at = at("2028-08-01T00:00:00+02:00");
	lifecycle_next(&r, &n);
	assert_string_equal(n.kind, "deletion");
	assert_string_equal(n.to_state, "deleting");
	assert_int_equal(n.at, r.delete_at);

	snprintf(r.a.state_reason, sizeof(r.a.state_reason), "unpaid"); /* never deleted for non-payment */
	lifecycle_next(&r, &n);
	assert_null(n.kind);

	r.a.state = ACCOUNT_FROZEN;
	r.delete_at = at("2027-02-18T00:00:00+01:00");
	lifecycle_next(&r, &n);
	assert_string_equal(n.kind, "deletion");
	assert_int_equal(n.at, r.delete_at);

	r.a.state = ACCOUNT_DELETING;
	r.deletion_requested_at = at("2027-06-10T10:00:00+02:00");
	lifecycle_next(&r, &n);
	assert_string_equal(n.kind, "purge");
	assert_string_equal(n.to_state, "deleted");
	assert_int_equal(n.at, r.deletion_requested_at + lifecycle_options_get()->purge_delay_s);

	r.a.state = ACCOUNT_DELETED;
	lifecycle_next(&r, &n);
	assert_null(n.kind);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_next_first_at_midnight_in_paris),
		cmocka_unit_test(trial_warnings_are_whole_local_days_before_its_end),
		cmocka_unit_test(a_frozen_account_is_deleted_30_days_after_its_trial),
		cmocka_unit_test(cancelled_then_deleted_12_months_later_with_notices),
		cmocka_unit_test(options_change_the_retention),
		cmocka_unit_test(days_of_trial_left),
		cmocka_unit_test(what_comes_next),
	};
	return cmocka_run_group_tests_name("account/lifecycle", tests, NULL, NULL);
}
