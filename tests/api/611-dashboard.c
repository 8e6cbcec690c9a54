/* The dashboard's figures for a constructed week, exactly: one staff member open Monday to
 * Friday 09:00–17:00, a day off on Wednesday, the business closed on Friday, two extra hours
 * on Saturday → 1 560 open minutes; five one-hour appointments kept (one cancelled besides),
 * one a no-show among the three already started; two clients created in the week. The demo
 * data that sign-up put in the same week (staff, hours, appointments, clients) counts nowhere.
 * Also today's appointments, the SMS of the month, the trial's days left, the first-run
 * checklist, and the refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"
#include "sched_fixture.h"

static struct biz B;
static char staff_id[24], service_id[24], email[128];

/* Moves the test clock, and logs in again: days pass between the steps of the story. */
static void clock_to(const char *instant)
{
	fx_clock(instant);
	harness_relogin(&H, email, &B.s);
}

static const json_t *checklist_of(const json_t *j)
{
	return json_object_get(j, "checklist");
}

static int flag(const json_t *checklist, const char *name)
{
	const json_t *v = json_object_get(checklist, name);
	assert_true(json_is_boolean(v));
	return json_is_true(v);
}

static void book(const char *start, char id[32])
{
	char body[512];
	struct reply r;
	snprintf(body, sizeof(body),
		 "{\"service\": \"%s\", \"staff\": \"%s\", \"start\": \"%s\", \"client\": {\"first_name\": "
		 "\"Jean\", "
		 "\"last_name\": \"Dupont\", \"email\": \"jean.dupont@example.fr\"}}",
		 service_id, staff_id, start);
	fx_book(&B, body, NULL, &r);
	if (r.status != 201)
		fprintf(stderr, "book %s: %ld %s\n", body, r.status, r.body);
	assert_int_equal(r.status, 201);
	const json_t *a = json_object_get(r.json, "appointment");
	snprintf(id, 32, "%s", json_string_value(json_object_get(a, "id")));
	reply_free(&r);
}

static void set_status(const char *id, const char *status)
{
	char path[96], body[64];
	struct reply r;
	snprintf(path, sizeof(path), "/api/v1/appointments/%s", id);
	snprintf(body, sizeof(body), "{\"status\": \"%s\"}", status);
	session_expect(&H, &B.s, "PATCH", path, body, 200, &r);
	reply_free(&r);
}

static void figures_of_a_constructed_week(void **state)
{
	(void)state;
	struct reply r;
	/* sign-up on Wednesday 24 February 2027 (Paris): the demo fills the week of 1 March */
	fx_clock("2027-02-24T08:00:00Z");
	snprintf(email, sizeof(email), "chiffres-%d-%s@example.fr", (int)getpid(), harness_store_kind());
	harness_signup(&H, "Atelier Chiffres", email, "optimum", &B.s);
	B.id = fx_int("SELECT id FROM accounts WHERE slug = $1", DB_ARGS(DB_TEXT(B.s.slug)));
	fx_exec("UPDATE accounts SET min_notice_s = 0, horizon_s = 0 WHERE id = $1", DB_ARGS(DB_INT(B.id)));
	assert_true(fx_int("SELECT count(*) FROM appointments WHERE account_id = $1 AND is_demo = 1",
			   DB_ARGS(DB_INT(B.id))) > 0);

	/* a fresh business: nothing of its own yet, so nothing on the checklist is done */
	session_expect(&H, &B.s, "GET", "/api/v1/dashboard", NULL, 200, &r);
	const json_t *k = checklist_of(r.json);
	assert_false(flag(k, "services"));
	assert_false(flag(k, "hours"));
	assert_false(flag(k, "link_shared"));
	assert_false(flag(k, "dismissed"));
	assert_false(flag(k, "complete"));
	assert_int_equal(json_array_size(json_object_get(r.json, "weeks")), 12);
	reply_free(&r);

	int64_t st = fx_staff(&B, "Marc", staff_id);
	int64_t sv = fx_service(&B, 60, 0, 0, 1, service_id);
	fx_provides(&B, sv, st);
	for (int d = 1; d <= 5; d++)
		fx_hours(&B, st, d, 9 * 60, 17 * 60);
	char pid[24];
	public_id_new("exc", pid);
	fx_exec("INSERT INTO staff_exceptions (account_id, staff_id, public_id, kind, from_date, to_date, "
		"ranges) "
		"VALUES ($1, $2, $3, 'off', '2027-03-03', '2027-03-03', '[]')",
		DB_ARGS(DB_INT(B.id), DB_INT(st), DB_TEXT(pid)));
	public_id_new("exc", pid);
	fx_exec("INSERT INTO staff_exceptions (account_id, staff_id, public_id, kind, from_date, to_date, "
		"ranges) "
		"VALUES ($1, $2, $3, 'extra', '2027-03-06', '2027-03-06', '[[600,720]]')",
		DB_ARGS(DB_INT(B.id), DB_INT(st), DB_TEXT(pid)));
	public_id_new("cld", pid);
	fx_exec("INSERT INTO closed_days (account_id, public_id, day, label) VALUES ($1, $2, '2027-03-05', "
		"'Inventaire')",
		DB_ARGS(DB_INT(B.id), DB_TEXT(pid)));

	char mon9[32], mon10[32], tue9[32], thu14[32], thu16[32], sat10[32];
	book("2027-03-01T09:00:00+01:00", mon9);
	book("2027-03-01T10:00:00+01:00", mon10);
	book("2027-03-02T09:00:00+01:00", tue9);
	book("2027-03-04T14:00:00+01:00", thu14);
	book("2027-03-04T16:00:00+01:00", thu16);
	book("2027-03-06T10:00:00+01:00", sat10);

	/* Tuesday: two clients created in the week of 1 March */
	clock_to("2027-03-02T12:00:00Z");
	session_expect(&H, &B.s, "POST", "/api/v1/clients", "{\"last_name\": \"Nouveau\"}", 201, &r);
	reply_free(&r);
	session_expect(&H, &B.s, "POST", "/api/v1/clients", "{\"last_name\": \"Nouvelle\"}", 201, &r);
	reply_free(&r);

	/* Thursday 13:00 in Paris: Tuesday's client did not come, Thursday 14:00 is cancelled */
	clock_to("2027-03-04T12:00:00Z");
	set_status(tue9, "no_show");
	set_status(thu14, "cancelled");

	session_expect(&H, &B.s, "GET", "/api/v1/dashboard?weeks=2", NULL, 200, &r);
	const json_t *weeks = json_object_get(r.json, "weeks");
	assert_int_equal(json_array_size(weeks), 2);
	const json_t *prev = json_array_get(weeks, 0), *w = json_array_get(weeks, 1);

	assert_string_equal(json_string_value(json_object_get(prev, "week")), "2027-02-22");
	assert_int_equal(json_integer_value(json_object_get(prev, "appointments")), 0);
	assert_int_equal(json_integer_value(json_object_get(prev, "open_minutes")), 5 * 480);
	assert_true(json_is_real(json_object_get(prev, "fill_rate")));
	assert_true(json_real_value(json_object_get(prev, "fill_rate")) == 0.0);
	assert_true(json_is_null(json_object_get(prev, "no_show_rate")));
	assert_int_equal(json_integer_value(json_object_get(prev, "new_clients")), 1); /* Jean, at booking */

	assert_string_equal(json_string_value(json_object_get(w, "week")), "2027-03-01");
	assert_string_equal(json_string_value(json_object_get(w, "from")), "2027-03-01T00:00:00+01:00");
	assert_string_equal(json_string_value(json_object_get(w, "to")), "2027-03-08T00:00:00+01:00");
	assert_int_equal(json_integer_value(json_object_get(w, "appointments")), 5);
	assert_int_equal(json_integer_value(json_object_get(w, "booked_minutes")), 300);
	/* Mon, Tue, Thu 480 each; Wednesday off; Friday closed; Saturday 10:00–12:00 */
	assert_int_equal(json_integer_value(json_object_get(w, "open_minutes")), 3 * 480 + 120);
	assert_true(json_real_value(json_object_get(w, "fill_rate")) == 0.1923); /* 300 / 1560 */
	assert_int_equal(json_integer_value(json_object_get(w, "started")), 3);
	assert_int_equal(json_integer_value(json_object_get(w, "no_shows")), 1);
	assert_true(json_real_value(json_object_get(w, "no_show_rate")) == 0.3333);
	assert_int_equal(json_integer_value(json_object_get(w, "new_clients")), 2);

	/* today: Thursday 4 March, 16:00 only (14:00 was cancelled; demo rows left out) */
	const json_t *today = json_object_get(r.json, "today");
	assert_string_equal(json_string_value(json_object_get(today, "date")), "2027-03-04");
	const json_t *list = json_object_get(today, "appointments");
	assert_int_equal(json_array_size(list), 1);
	const json_t *a = json_array_get(list, 0);
	assert_string_equal(json_string_value(json_object_get(a, "id")), thu16);
	assert_string_equal(json_string_value(json_object_get(a, "starts_at")), "2027-03-04T16:00:00+01:00");
	assert_string_equal(json_string_value(json_object_get(a, "staff")), "Marc");
	assert_string_equal(json_path_str(a, "client", "last_name"), "Dupont");

	/* an Optimum trial: no SMS, the plan's quota shown; 7 days left (the trial ends on 11 March) */
	const json_t *sms = json_object_get(r.json, "sms");
	assert_string_equal(json_string_value(json_object_get(sms, "month")), "2027-03");
	assert_int_equal(json_integer_value(json_object_get(sms, "used")), 0);
	assert_int_equal(json_integer_value(json_object_get(sms, "quota")), 500);
	assert_true(json_is_false(json_object_get(sms, "available")));
	assert_int_equal(json_integer_value(json_object_get(r.json, "trial_days_left")), 7);

	/* the business's own service and hours tick the checklist */
	k = checklist_of(r.json);
	assert_true(flag(k, "services"));
	assert_true(flag(k, "hours"));
	assert_false(flag(k, "link_shared"));
	assert_false(flag(k, "complete"));
	reply_free(&r);

	session_expect(&H, &B.s, "POST", "/api/v1/dashboard/checklist", "{\"link_shared\": true}", 200, &r);
	k = checklist_of(r.json);
	assert_true(flag(k, "link_shared"));
	assert_true(flag(k, "complete"));
	assert_false(flag(k, "dismissed"));
	reply_free(&r);
	session_expect(&H, &B.s, "POST", "/api/v1/dashboard/checklist", "{\"dismissed\": true}", 200, &r);
	k = checklist_of(r.json);
	assert_true(flag(k, "dismissed"));
	assert_true(flag(k, "link_shared")); /* kept */
	reply_free(&r);
	session_expect(&H, &B.s, "GET", "/api/v1/dashboard?weeks=1", NULL, 200, &r);
	assert_true(flag(checklist_of(r.json), "dismissed"));
	assert_int_equal(json_array_size(json_object_get(r.json, "weeks")), 1);
	reply_free(&r);
}

static void refusals(void **state)
{
	(void)state;
	struct reply r;
	static const char *const bad[] = {"0", "53", "x", "-1", ""};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char path[64];
		snprintf(path, sizeof(path), "/api/v1/dashboard?weeks=%s", bad[i]);
		session_expect(&H, &B.s, "GET", path, NULL, 400, &r);
		assert_error(&r, 400, "invalid_field");
		assert_string_equal(json_path_str(r.json, "error", "field"), "weeks");
		reply_free(&r);
	}
	session_expect(&H, &B.s, "POST", "/api/v1/dashboard/checklist", "{\"seen\": true}", 400, &r);
	assert_error(&r, 400, "unknown_field");
	reply_free(&r);
	/* a read-only business reads its figures but cannot tick its checklist */
	char body[128];
	snprintf(body, sizeof(body), "{\"slug\": \"%s\", \"state\": \"read_only\", \"reason\": \"unpaid\"}",
		 B.s.slug);
	http_call(&H, "POST", "/api/v1/test/account-state", body, NULL, &r);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	session_expect(&H, &B.s, "GET", "/api/v1/dashboard", NULL, 200, &r);
	reply_free(&r);
	session_expect(&H, &B.s, "POST", "/api/v1/dashboard/checklist", "{\"dismissed\": true}", 403, &r);
	assert_error(&r, 403, "account_read_only");
	reply_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(figures_of_a_constructed_week),
		cmocka_unit_test(refusals),
	};
	return cmocka_run_group_tests_name("api/dashboard", tests, harness_setup, harness_teardown);
}
