/* Reminder times across the DST changes of Europe/Paris (29 March and 25 October 2026), through
 * the product with the test clock, on both stores. Default settings: 24 h and 2 h, e-mail and
 * SMS. An offset is real time before the start (start − offset, docs/internals/reminders.md):
 * for the Monday after a change the 24 h reminder is 09:00 local the day before (the change,
 * at 02:00/03:00 on the Sunday, is not in between); for an appointment on the Sunday of the
 * change, it lands an hour off the wall time of the day before (10:00 in October, the day
 * before 25 h long in wall time; 08:00 in March, 23 h). The planned rows are read from the
 * store, the e-mail arrives at its instant and not a second earlier (the outbox records it
 * sent at that instant), and an SMS due in quiet hours (20:00–08:00 local) is planned at
 * 19:59 the evening before. Last, a settings change while a reminder is due but not yet
 * written keeps it. The in-process worker is off: POST /api/v1/test/clock {"advance_to"} runs
 * every due job in order, so each step is deterministic. */
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
#include "sched_fixture.h"

struct shop {
	struct biz z;
	char staff[32], svc[32];
};

/* A business in Paris without demo data: Anne works 06:00–22:00 every day, "Coupe" 30 min. */
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

/* A unique client address for this run and store. */
static void address(char *out, size_t cap, const char *local)
{
	snprintf(out, cap, "%s-%d-%s@dst.example", local, (int)getpid(), harness_store_kind());
}

/* Books `start` in the back office for a client with this address; returns the row id. */
static int64_t book(struct shop *b, const char *start, const char *email)
{
	char body[512];
	struct reply r;
	snprintf(body, sizeof(body),
		 "{\"service\": \"%s\", \"staff\": \"%s\", \"start\": \"%s\", \"client\": "
		 "{\"first_name\": \"Léa\", \"last_name\": \"Martin\", \"email\": \"%s\"}}",
		 b->svc, b->staff, start, email);
	fx_book(&b->z, body, NULL, &r);
	if (r.status != 201)
		fprintf(stderr, "book %s: %ld %s\n", start, r.status, r.body);
	assert_int_equal(r.status, 201);
	int64_t id = fx_int("SELECT id FROM appointments WHERE public_id = $1",
			    DB_ARGS(DB_TEXT(json_path_str(r.json, "appointment", "id"))));
	reply_free(&r);
	return id;
}

static void clock_post(const char *key, const char *instant)
{
	char body[128];
	struct reply r;
	snprintf(body, sizeof(body), "{\"%s\": \"%s\"}", key, instant);
	http_call(&H, "POST", "/api/v1/test/clock", body, NULL, &r);
	if (r.status != 200)
		fprintf(stderr, "clock %s %s: %ld %s\n", key, instant, r.status, r.body);
	assert_int_equal(r.status, 200);
	reply_free(&r);
}

/* Runs every job due up to the instant, in order (there is no worker in this process). */
static void advance_to(const char *instant)
{
	clock_post("advance_to", instant);
}

static int64_t utc(int y, int mo, int d, int h, int mi)
{
	struct civil c = {y, mo, d, h, mi, 0};
	return tz_civil_to_utc(&c);
}

/* The due instant of the pending reminder (offset in minutes, channel) of the appointment. */
static int64_t due_of(int64_t appt, int minutes, const char *channel)
{
	return fx_int("SELECT due_at FROM reminders WHERE appointment_id = $1 AND minutes = $2 AND channel = "
		      "$3 AND state = 'pending'",
		      DB_ARGS(DB_INT(appt), DB_INT(minutes), DB_TEXT(channel)));
}

/* The local wall time of an instant in Paris, "YYYY-MM-DD HH:MM". */
static const char *paris(int64_t t)
{
	static char out[4][32];
	static int k;
	struct err e = {0};
	const struct tz *z = tz_get("Europe/Paris", &e);
	assert_non_null(z);
	struct civil c;
	tz_to_civil(z, t, &c);
	char *o = out[k++ % 4];
	snprintf(o, 32, "%04d-%02d-%02d %02d:%02d", c.year, c.month, c.day, c.hour, c.minute);
	return o;
}

/* The reminder e-mails to `to` (subject starting "Rappel"), waiting up to 3 s for `want`. */
static size_t reminders_to(const char *to, size_t want, char *subject, size_t cap)
{
	const char *maildir = getenv("CRENEAU_TEST_MAILDIR");
	size_t n = 0;
	for (int attempt = 0; attempt < 30; attempt++) {
		char cmd[1024];
		snprintf(cmd, sizeof(cmd), "/usr/bin/python3 tests/api/mail_read.py '%s' '%s'", maildir, to);
		FILE *p = popen(cmd, "r");
		assert_non_null(p);
		static char buf[1 << 20];
		size_t len = fread(buf, 1, sizeof(buf) - 1, p);
		buf[len] = '\0';
		assert_int_equal(pclose(p), 0);
		json_t *all = json_loads(buf, 0, NULL);
		assert_non_null(all);
		n = 0;
		for (size_t i = 0; i < json_array_size(all); i++) {
			const char *s = json_string_value(json_object_get(json_array_get(all, i), "subject"));
			if (s && !strncmp(s, "Rappel", 6)) {
				n++;
				if (subject)
					snprintf(subject, cap, "%s", s);
			}
		}
		json_decref(all);
		if (n >= want)
			break;
		usleep(100 * 1000);
	}
	return n;
}

/* The instant the outbox recorded the reminder e-mail as sent (0 when it was not). */
static int64_t sent_at(int64_t appt, int minutes)
{
	char kind[32];
	snprintf(kind, sizeof(kind), "reminder_%d", minutes);
	return fx_int("SELECT COALESCE(max(sent_at), 0) FROM outbox WHERE appointment_id = $1 AND kind = $2 "
		      "AND channel = 'email' AND state = 'sent'",
		      DB_ARGS(DB_INT(appt), DB_TEXT(kind)));
}

/* The 24 h e-mail of `appt` to `to` arrives at `due` (given as local RFC 3339 times for the
 * second before and the instant), not before. */
static void arrives_at(int64_t appt, const char *to, const char *before, const char *at, int64_t due,
		       const char *subject_part)
{
	char subject[512] = "";
	advance_to(before);
	assert_int_equal(reminders_to(to, 0, NULL, 0), 0);
	assert_int_equal(sent_at(appt, 1440), 0);
	advance_to(at);
	assert_int_equal(reminders_to(to, 1, subject, sizeof(subject)), 1);
	if (!strstr(subject, subject_part))
		fail_msg("subject \"%s\" lacks \"%s\"", subject, subject_part);
	assert_int_equal(sent_at(appt, 1440), due);
}

static void spring_forward(void **state)
{
	(void)state;
	struct shop b;
	char mon[128], sun[128];
	fx_clock("2026-03-25T10:00:00+01:00");
	shop_open(&b, "Salon Printemps");
	address(mon, sizeof(mon), "mon-march");
	address(sun, sizeof(sun), "sun-march");
	/* Monday 30 March 09:00 CEST = 07:00 UTC; the change was on Sunday at 02:00 */
	int64_t a = book(&b, "2026-03-30T09:00:00+02:00", mon);
	/* Sunday 29 March 09:00 CEST = 07:00 UTC, hours after the change */
	int64_t s = book(&b, "2026-03-29T09:00:00+02:00", sun);

	/* Monday: 24 h before is 09:00 local on Sunday (both sides of it in CEST) */
	assert_int_equal(due_of(a, 1440, "email"), utc(2026, 3, 29, 7, 0));
	assert_string_equal(paris(due_of(a, 1440, "email")), "2026-03-29 09:00");
	assert_int_equal(due_of(a, 1440, "sms"), utc(2026, 3, 29, 7, 0));  /* 09:00 is not quiet */
	assert_int_equal(due_of(a, 120, "email"), utc(2026, 3, 30, 5, 0)); /* 07:00 local */
	/* the 2 h SMS would be at 07:00, in quiet hours: 19:59 the evening before */
	assert_int_equal(due_of(a, 120, "sms"), utc(2026, 3, 29, 17, 59));
	assert_string_equal(paris(due_of(a, 120, "sms")), "2026-03-29 19:59");

	/* Sunday of the change: 24 h of real time before 09:00 CEST is 08:00 CET on Saturday
	 * (the wall clock skips an hour in between) */
	assert_int_equal(due_of(s, 1440, "email"), utc(2026, 3, 28, 7, 0));
	assert_string_equal(paris(due_of(s, 1440, "email")), "2026-03-28 08:00");
	assert_int_equal(due_of(s, 1440, "sms"), utc(2026, 3, 28, 7, 0));  /* 08:00 is not quiet */
	assert_int_equal(due_of(s, 120, "email"), utc(2026, 3, 29, 5, 0)); /* 07:00 CEST */
	assert_string_equal(paris(due_of(s, 120, "sms")), "2026-03-28 19:59");
	assert_int_equal(due_of(s, 120, "sms"), utc(2026, 3, 28, 18, 59)); /* still CET */

	/* the e-mails arrive at those instants, not a second earlier */
	arrives_at(s, sun, "2026-03-28T07:59:59+01:00", "2026-03-28T08:00:00+01:00", utc(2026, 3, 28, 7, 0),
		   "dimanche 29 mars 2026 à 9 h 00");
	arrives_at(a, mon, "2026-03-29T08:59:59+02:00", "2026-03-29T09:00:00+02:00", utc(2026, 3, 29, 7, 0),
		   "lundi 30 mars 2026 à 9 h 00");
}

static void fall_back(void **state)
{
	(void)state;
	struct shop b;
	char mon[128], early[128], sun[128];
	fx_clock("2026-10-20T10:00:00+02:00");
	shop_open(&b, "Salon Automne");
	address(mon, sizeof(mon), "mon-october");
	address(early, sizeof(early), "early-october");
	address(sun, sizeof(sun), "sun-october");
	/* Monday 26 October 09:00 CET = 08:00 UTC and 08:30 CET = 07:30 UTC; the change was on
	 * Sunday at 03:00 CEST */
	int64_t a = book(&b, "2026-10-26T09:00:00+01:00", mon);
	int64_t c = book(&b, "2026-10-26T08:30:00+01:00", early);
	/* Sunday 25 October 09:00 CET = 08:00 UTC, hours after the change */
	int64_t s = book(&b, "2026-10-25T09:00:00+01:00", sun);

	assert_int_equal(due_of(a, 1440, "email"), utc(2026, 10, 25, 8, 0));
	assert_string_equal(paris(due_of(a, 1440, "email")), "2026-10-25 09:00");
	assert_int_equal(due_of(a, 1440, "sms"), utc(2026, 10, 25, 8, 0));
	assert_int_equal(due_of(a, 120, "email"), utc(2026, 10, 26, 6, 0)); /* 07:00 CET */
	assert_int_equal(due_of(a, 120, "sms"), utc(2026, 10, 25, 18, 59));
	assert_string_equal(paris(due_of(a, 120, "sms")), "2026-10-25 19:59");

	assert_int_equal(due_of(c, 1440, "email"), utc(2026, 10, 25, 7, 30));
	assert_string_equal(paris(due_of(c, 1440, "email")), "2026-10-25 08:30");
	assert_int_equal(due_of(c, 1440, "sms"), utc(2026, 10, 25, 7, 30));  /* 08:30 is not quiet */
	assert_int_equal(due_of(c, 120, "email"), utc(2026, 10, 26, 5, 30)); /* 06:30 CET */
	/* the 2 h SMS would be at 06:30, in quiet hours: 19:59 the evening before */
	assert_int_equal(due_of(c, 120, "sms"), utc(2026, 10, 25, 18, 59));
	assert_string_equal(paris(due_of(c, 120, "sms")), "2026-10-25 19:59");

	/* Sunday of the change: 24 h of real time before 09:00 CET is 10:00 CEST on Saturday
	 * (the wall clock repeats an hour in between) */
	assert_int_equal(due_of(s, 1440, "email"), utc(2026, 10, 24, 8, 0));
	assert_string_equal(paris(due_of(s, 1440, "email")), "2026-10-24 10:00");
	assert_int_equal(due_of(s, 120, "email"), utc(2026, 10, 25, 6, 0)); /* 07:00 CET */
	assert_int_equal(due_of(s, 120, "sms"), utc(2026, 10, 24, 17, 59)); /* 19:59 CEST */
	assert_string_equal(paris(due_of(s, 120, "sms")), "2026-10-24 19:59");

	arrives_at(s, sun, "2026-10-24T09:59:59+02:00", "2026-10-24T10:00:00+02:00", utc(2026, 10, 24, 8, 0),
		   "dimanche 25 octobre 2026 à 9 h 00");
	arrives_at(c, early, "2026-10-25T08:29:59+01:00", "2026-10-25T08:30:00+01:00",
		   utc(2026, 10, 25, 7, 30), "lundi 26 octobre 2026 à 8 h 30");
	arrives_at(a, mon, "2026-10-25T08:59:59+01:00", "2026-10-25T09:00:00+01:00", utc(2026, 10, 25, 8, 0),
		   "lundi 26 octobre 2026 à 9 h 00");
	/* the 2 h e-mails at 06:30 and 07:00 CET on Monday */
	advance_to("2026-10-26T07:00:00+01:00");
	assert_int_equal(sent_at(c, 120), utc(2026, 10, 26, 5, 30));
	assert_int_equal(sent_at(a, 120), utc(2026, 10, 26, 6, 0));
	assert_int_equal(reminders_to(early, 2, NULL, 0), 2);
	assert_int_equal(reminders_to(mon, 2, NULL, 0), 2);
}

/* The settings are saved (offsets unchanged) and the workers only catch up after the reminder
 * fell due (down for a while, or behind a backlog): the re-plan runs first, and the reminder,
 * due but not yet written, must still go — late, since the appointment has not started. */
static void settings_saved_before_a_due_reminder_is_written(void **state)
{
	(void)state;
	struct shop b;
	char who[128];
	struct reply r;
	fx_clock("2026-11-02T10:00:00+01:00");
	shop_open(&b, "Salon Réglages");
	address(who, sizeof(who), "replan");
	int64_t a = book(&b, "2026-11-05T14:00:00+01:00", who);
	assert_int_equal(due_of(a, 1440, "email"), utc(2026, 11, 4, 13, 0));
	session_expect(&H, &b.z.s, "PUT", "/api/v1/notifications/settings",
		       "{\"version\": 1, \"staff_notices\": true}", 200, &r);
	reply_free(&r);
	clock_post("set", "2026-11-04T14:30:00+01:00"); /* no job ran meanwhile */
	advance_to("2026-11-04T14:31:00+01:00");
	int64_t lost =
		fx_int("SELECT count(*) FROM reminders WHERE appointment_id = $1 AND minutes = 1440 AND "
		       "channel = 'email' AND state = 'dropped' AND reason = 'settings'",
		       DB_ARGS(DB_INT(a)));
	if (lost)
		fail_msg("the due 24 h reminder was dropped with reason \"settings\" by the re-plan "
			 "(src/notify/reminders.c plans no row whose due time is past, then drops the "
			 "pending rows it did not plan)");
	assert_int_equal(fx_int("SELECT count(*) FROM reminders WHERE appointment_id = $1 AND minutes = 1440 "
				"AND channel = 'email' AND state = 'written'",
				DB_ARGS(DB_INT(a))),
			 1);
	assert_int_equal(reminders_to(who, 1, NULL, 0), 1);
	assert_int_equal(sent_at(a, 1440), utc(2026, 11, 4, 13, 30));
}

static void no_worker(struct config *cfg)
{
	cfg->no_worker = 1;
}

static int setup(void **state)
{
	(void)state;
	harness_start(&H, no_worker);
	return 0;
}

int main(void)
{
	if (!getenv("CRENEAU_TEST_SMTP") || !getenv("CRENEAU_TEST_MAILDIR")) {
		fprintf(stderr,
			"CRENEAU_TEST_SMTP and CRENEAU_TEST_MAILDIR must be set: tests/run.sh starts the "
			"SMTP server (scripts/peers/smtp.sh)\n");
		return 1;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(spring_forward),
		cmocka_unit_test(fall_back),
		cmocka_unit_test(settings_saved_before_a_due_reminder_is_written),
	};
	return cmocka_run_group_tests_name("reminders across DST", tests, setup, harness_teardown);
}
