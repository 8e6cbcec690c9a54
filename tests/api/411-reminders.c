/* Reminders as the client receives them from the real SMTP server, with the test clock: the
 * 24 h and 2 h reminders arrive at their time (not a second earlier) with a working manage
 * link; moving the appointment drops the old reminders and plans new ones; cancelling drops
 * them; a booking made 1 h before plans none; a reminder whose appointment started is never
 * sent. Then the SMS times across the DST changes of Europe/Paris (29 March and 25 October
 * 2026), read from the planned rows and the scanner's jobs. Paris is UTC+02:00 in April 2027. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"
#include "base/tz.h"
#include "notify/reminders.h"
#include "sched_fixture.h"

static char owner_email[256];
static const char *fx_text_owner(int64_t account_id)
{
	struct err e = {0};
	db_conn *c;
	db_rows *r;
	assert_int_equal(db_acquire(H.app->db, &c, &e), 0);
	assert_int_equal(db_query(c, "SELECT email FROM users WHERE account_id = $1",
				  DB_ARGS(DB_INT(account_id)), &r, &e),
			 0);
	assert_int_equal(db_rows_next(r, &e), 1);
	snprintf(owner_email, sizeof(owner_email), "%s", db_rows_text(r, 0));
	db_rows_free(r);
	db_release(c);
	return owner_email;
}

struct shop {
	struct biz z;
	char staff[32], svc[32];
};

static void shop_open(struct shop *b, const char *name)
{
	char body[512];
	struct reply r;
	fx_business(&b->z, name, "Europe/Paris");
	session_expect(&H, &b->z.s, "DELETE", "/api/v1/demo", NULL, 200, &r);
	reply_free(&r);
	fx_api_staff_every_day(&b->z.s, "Anne", "06:00", "22:00", b->staff);
	snprintf(body, sizeof(body),
		 "{\"name\": \"Coupe\", \"duration_min\": 30, \"price_cents\": 3000, \"staff\": [\"%s\"]}",
		 b->staff);
	session_expect(&H, &b->z.s, "POST", "/api/v1/services", body, 201, &r);
	snprintf(b->svc, sizeof(b->svc), "%s", json_path_str(r.json, "service", "id"));
	reply_free(&r);
}

static void book(struct shop *b, const char *start, const char *email, const char *phone, char id[32])
{
	char body[512];
	struct reply r;
	snprintf(
		body, sizeof(body),
		"{\"service\": \"%s\", \"staff\": \"%s\", \"start\": \"%s\", \"client\": "
		"{\"first_name\": \"Léa\", \"last_name\": \"Martin\", \"email\": \"%s\", \"phone\": \"%s\"}}",
		b->svc, b->staff, start, email, phone);
	fx_book(&b->z, body, NULL, &r);
	if (r.status != 201)
		fprintf(stderr, "book %s: %ld %s\n", start, r.status, r.body);
	assert_int_equal(r.status, 201);
	snprintf(id, 32, "%s", json_path_str(r.json, "appointment", "id"));
	reply_free(&r);
}

/* A fresh session for the shop's owner (the clock jumps days, past the idle limit). */
static void relogin(struct shop *b)
{
	harness_relogin(&H, fx_text_owner(b->z.id), &b->z.s);
}

static void address(char *out, size_t cap, const char *local)
{
	snprintf(out, cap, "%s-%d-%s@client.example", local, (int)getpid(), harness_store_kind());
}

/* The reminder mails to `to` (subject starting "Rappel"), waiting up to 3 s for `want`. */
static json_t *reminders_to(const char *to, size_t want)
{
	json_t *out = NULL;
	for (int attempt = 0; attempt < 30; attempt++) {
		json_t *all = maildir_messages("tests/api/mail_read.py", to, 0, 1);
		json_decref(out);
		out = json_array();
		for (size_t i = 0; i < json_array_size(all); i++) {
			json_t *m = json_array_get(all, i);
			if (!strncmp(json_string_value(json_object_get(m, "subject")), "Rappel", 6))
				json_array_append(out, m);
		}
		json_decref(all);
		if (json_array_size(out) >= want)
			break;
		usleep(100 * 1000);
	}
	return out;
}

static int64_t appt_row(const char *pid)
{
	return fx_int("SELECT id FROM appointments WHERE public_id = $1", DB_ARGS(DB_TEXT(pid)));
}

static int64_t rows(int64_t appt, const char *state, const char *reason)
{
	return fx_int("SELECT count(*) FROM reminders WHERE appointment_id = $1 AND state = $2 AND "
		      "COALESCE(reason, '') = $3",
		      DB_ARGS(DB_INT(appt), DB_TEXT(state), DB_TEXT(reason ? reason : "")));
}

static int64_t due_of(int64_t appt, int minutes, const char *channel)
{
	return fx_int(
		"SELECT due_at FROM reminders WHERE appointment_id = $1 AND minutes = $2 AND channel = $3 "
		"AND state = 'pending'",
		DB_ARGS(DB_INT(appt), DB_INT(minutes), DB_TEXT(channel)));
}

static int64_t utc(int y, int mo, int d, int h, int mi)
{
	struct civil c = {y, mo, d, h, mi, 0};
	return tz_civil_to_utc(&c);
}

static void reminders_arrive_24h_and_2h_before(void **state)
{
	(void)state;
	struct shop b;
	char lea[128], id[32], path[600];
	struct reply r;
	fx_clock("2027-04-12T08:00:00+02:00");
	shop_open(&b, "Salon Rappel");
	address(lea, sizeof(lea), "lea");
	book(&b, "2027-04-15T14:30:00+02:00", lea, "", id);
	int64_t a = appt_row(id);
	/* e-mail and SMS at 24 h and 2 h; the SMS go nowhere (no phone) */
	assert_int_equal(due_of(a, 1440, "email"), utc(2027, 4, 14, 12, 30));
	assert_int_equal(due_of(a, 120, "email"), utc(2027, 4, 15, 10, 30));
	assert_int_equal(rows(a, "pending", NULL), 4);

	test_clock("advance_to", "2027-04-14T14:29:59+02:00");
	json_t *got = reminders_to(lea, 0);
	assert_int_equal(json_array_size(got), 0);
	json_decref(got);
	test_clock("advance_to", "2027-04-14T14:30:00+02:00");
	got = reminders_to(lea, 1);
	assert_int_equal(json_array_size(got), 1);
	const json_t *m = json_array_get(got, 0);
	assert_non_null(
		strstr(json_string_value(json_object_get(m, "subject")), "jeudi 15 avril 2027 à 14 h 30"));
	const char *text = json_string_value(json_object_get(m, "text"));
	assert_non_null(strstr(text, "Bonjour Léa"));
	const char *link = strstr(text, "/m/");
	assert_non_null(link);
	snprintf(path, sizeof(path), "/api/v1/manage/%.43s", link + 3);
	http_call(&H, "GET", path, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_path_str(r.json, "appointment", "id"), id);
	reply_free(&r);
	json_decref(got);
	assert_int_equal(rows(a, "dropped", "no_phone"), 1);

	test_clock("advance_to", "2027-04-15T12:31:00+02:00");
	got = reminders_to(lea, 2);
	assert_int_equal(json_array_size(got), 2);
	/* two different messages, not one sent twice */
	assert_string_not_equal(json_string_value(json_object_get(json_array_get(got, 0), "message_id")),
				json_string_value(json_object_get(json_array_get(got, 1), "message_id")));
	json_decref(got);
	assert_int_equal(rows(a, "written", NULL), 2);
	assert_int_equal(rows(a, "dropped", "no_phone"), 2);
	/* the log shows them with the appointment's public id */
	relogin(&b);
	session_expect(&H, &b.z.s, "GET", "/api/v1/notifications/log?channel=email", NULL, 200, &r);
	int reminders = 0;
	const json_t *msgs = json_object_get(r.json, "messages");
	for (size_t i = 0; i < json_array_size(msgs); i++) {
		const json_t *x = json_array_get(msgs, i);
		if (!strncmp(json_string_value(json_object_get(x, "kind")), "reminder_", 9)) {
			reminders++;
			assert_string_equal(json_string_value(json_object_get(x, "appointment")), id);
			assert_string_equal(json_string_value(json_object_get(x, "status")), "sent");
		}
	}
	assert_int_equal(reminders, 2);
	reply_free(&r);
}

static void moved_and_cancelled_appointments(void **state)
{
	(void)state;
	struct shop b;
	char moved[128], gone[128], late[128], id[32], id2[32], id3[32], path[128];
	struct reply r;
	fx_clock("2027-04-16T08:00:00+02:00");
	shop_open(&b, "Salon Change");
	address(moved, sizeof(moved), "moved");
	address(gone, sizeof(gone), "gone");
	address(late, sizeof(late), "late");
	book(&b, "2027-04-20T10:00:00+02:00", moved, "", id);
	book(&b, "2027-04-20T11:00:00+02:00", gone, "", id2);
	int64_t a = appt_row(id), a2 = appt_row(id2);

	snprintf(path, sizeof(path), "/api/v1/appointments/%s", id);
	session_expect(&H, &b.z.s, "PATCH", path, "{\"start\": \"2027-04-21T16:00:00+02:00\"}", 200, &r);
	reply_free(&r);
	assert_int_equal(rows(a, "dropped", "moved"), 4);
	assert_int_equal(due_of(a, 1440, "email"), utc(2027, 4, 20, 14, 0));
	snprintf(path, sizeof(path), "/api/v1/appointments/%s", id2);
	session_expect(&H, &b.z.s, "PATCH", path, "{\"status\": \"cancelled\"}", 200, &r);
	reply_free(&r);
	assert_int_equal(rows(a2, "dropped", "cancelled"), 4);
	assert_int_equal(rows(a2, "pending", NULL), 0);

	/* booked 1 h before: no reminder is planned */
	fx_clock("2027-04-19T09:00:00+02:00");
	relogin(&b);
	book(&b, "2027-04-19T10:00:00+02:00", late, "", id3);
	assert_int_equal(fx_int("SELECT count(*) FROM reminders WHERE appointment_id = $1",
				DB_ARGS(DB_INT(appt_row(id3)))),
			 0);

	test_clock("advance_to", "2027-04-20T12:00:00+02:00"); /* past the old 24 h and 2 h times */
	json_t *got = reminders_to(moved, 0);
	assert_int_equal(json_array_size(got), 0);
	json_decref(got);
	got = reminders_to(gone, 0);
	assert_int_equal(json_array_size(got), 0);
	json_decref(got);
	test_clock("advance_to", "2027-04-20T16:00:00+02:00");
	got = reminders_to(moved, 1);
	assert_int_equal(json_array_size(got), 1);
	assert_non_null(strstr(json_string_value(json_object_get(json_array_get(got, 0), "subject")),
			       "21 avril 2027 à 16 h 00"));
	json_decref(got);
	got = reminders_to(late, 0);
	assert_int_equal(json_array_size(got), 0);
	json_decref(got);
}

static void a_started_appointment_gets_no_reminder(void **state)
{
	(void)state;
	struct shop b;
	char who[128], id[32];
	fx_clock("2027-04-22T08:00:00+02:00");
	shop_open(&b, "Salon Retard");
	address(who, sizeof(who), "started");
	book(&b, "2027-04-24T10:00:00+02:00", who, "", id);
	int64_t a = appt_row(id);
	/* a scanner that comes late (workers down for hours): the reminders fall due after the start */
	fx_exec("UPDATE reminders SET due_at = $2 WHERE appointment_id = $1",
		DB_ARGS(DB_INT(a), DB_INT(utc(2027, 4, 24, 8, 5))));
	fx_clock("2027-04-24T10:06:00+02:00");
	struct err e = {0};
	assert_true(reminders_scan(H.app->db, utc(2027, 4, 24, 8, 6), &e) >= 4);
	assert_int_equal(rows(a, "dropped", "started"), 4);
	test_clock("advance_to", "2027-04-24T12:00:00+02:00");
	json_t *got = reminders_to(who, 0);
	assert_int_equal(json_array_size(got), 0);
	json_decref(got);
}

int main(void)
{
	if (harness_need_smtp())
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reminders_arrive_24h_and_2h_before),
		cmocka_unit_test(moved_and_cancelled_appointments),
		cmocka_unit_test(a_started_appointment_gets_no_reminder),
	};
	return cmocka_run_group_tests_name("reminders", tests, harness_setup, harness_teardown);
}
