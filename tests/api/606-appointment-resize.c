/* Resizing an appointment in the back office (PATCH /api/v1/appointments/{id} with `end` or
 * `duration_min`): a service marked `resizable` lets its appointments be lengthened and
 * shortened — 200, version + 1, the block and the end follow, the client receives the
 * reschedule notice with the new length — and a move afterwards keeps the chosen length. A
 * service that is not resizable answers 422 `not_resizable`; a length that would overlap the
 * next appointment 409 `slot_taken` with nothing changed; a length off the 5-minute steps, out
 * of 5 min..12 h, an end before the start or both fields at once 400. Paris is UTC+02:00 in
 * April 2027. */
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

struct shop {
	struct session s;
	int64_t id;
	char staff[32], fixed[32], flexible[32];
};

/* A business in Paris without its demo data: Anne works 09:00–18:00 every day; "Coupe" 30 min
 * (fixed length) and "Coloration" 60 min with a 10-minute buffer after (resizable). */
static void shop_open(struct shop *b)
{
	static int n;
	char email[128], body[512], path[128];
	struct reply r;
	snprintf(email, sizeof(email), "resize-%d-%d-%s@example.fr", (int)getpid(), n++,
		 harness_store_kind());
	harness_signup(&H, "Salon Rallonge", email, NULL, &b->s);
	b->id = fx_int("SELECT id FROM accounts WHERE slug = $1", DB_ARGS(DB_TEXT(b->s.slug)));
	session_expect(&H, &b->s, "DELETE", "/api/v1/demo", NULL, 200, &r);
	reply_free(&r);
	session_expect(&H, &b->s, "PATCH", "/api/v1/account", "{\"min_notice_s\": 0}", 200, &r);
	reply_free(&r);
	fx_api_staff_every_day(&b->s, "Anne", "09:00", "18:00", b->staff);

	snprintf(body, sizeof(body), "{\"name\": \"Coupe\", \"duration_min\": 30, \"staff\": [\"%s\"]}",
		 b->staff);
	session_expect(&H, &b->s, "POST", "/api/v1/services", body, 201, &r);
	snprintf(b->fixed, sizeof(b->fixed), "%s", json_path_str(r.json, "service", "id"));
	assert_true(json_is_false(json_object_get(json_object_get(r.json, "service"), "resizable")));
	reply_free(&r);

	snprintf(body, sizeof(body),
		 "{\"name\": \"Coloration\", \"duration_min\": 60, \"buffer_after_min\": 10,"
		 " \"staff\": [\"%s\"]}",
		 b->staff);
	session_expect(&H, &b->s, "POST", "/api/v1/services", body, 201, &r);
	snprintf(b->flexible, sizeof(b->flexible), "%s", json_path_str(r.json, "service", "id"));
	reply_free(&r);
	/* the flag is set by a change of the service and read back */
	snprintf(path, sizeof(path), "/api/v1/services/%s", b->flexible);
	session_expect(&H, &b->s, "PATCH", path, "{\"resizable\": true}", 200, &r);
	assert_true(json_is_true(json_object_get(json_object_get(r.json, "service"), "resizable")));
	reply_free(&r);
	session_expect(&H, &b->s, "GET", path, NULL, 200, &r);
	assert_true(json_is_true(json_object_get(json_object_get(r.json, "service"), "resizable")));
	reply_free(&r);
}

/* Books `service` at `start` for a client with e-mail `email` (may be NULL); id receives it. */
static void book(struct shop *b, const char *service, const char *start, const char *email, char id[32])
{
	char body[512];
	struct reply r;
	if (email)
		snprintf(body, sizeof(body),
			 "{\"service\": \"%s\", \"staff\": \"%s\", \"start\": \"%s\", \"client\":"
			 " {\"first_name\": \"Inès\", \"last_name\": \"Moreau\", \"email\": \"%s\"}}",
			 service, b->staff, start, email);
	else
		snprintf(body, sizeof(body), "{\"service\": \"%s\", \"staff\": \"%s\", \"start\": \"%s\"}",
			 service, b->staff, start);
	struct biz z = {.s = b->s, .id = b->id};
	fx_book(&z, body, NULL, &r);
	if (r.status != 201)
		fprintf(stderr, "book %s: %ld %s\n", start, r.status, r.body);
	assert_int_equal(r.status, 201);
	snprintf(id, 32, "%s", json_path_str(r.json, "appointment", "id"));
	reply_free(&r);
}

/* PATCH the appointment with body; expects status; the answer's appointment into *out when
 * out is not NULL (the caller frees the reply). */
static void patch(struct shop *b, const char *id, const char *body, long status, struct reply *r)
{
	char path[128];
	snprintf(path, sizeof(path), "/api/v1/appointments/%s", id);
	session_expect(&H, &b->s, "PATCH", path, body, status, r);
}

static const char *appt_str(const struct reply *r, const char *k)
{
	const char *s = json_string_value(json_object_get(json_object_get(r->json, "appointment"), k));
	assert_non_null(s);
	return s;
}

static int64_t appt_version(const struct reply *r)
{
	return json_integer_value(json_object_get(json_object_get(r->json, "appointment"), "version"));
}

/* The stored end and block of appointment `id`, in Unix seconds. */
static void stored(const char *id, int64_t *end, int64_t *block_to, int64_t *version)
{
	*end = fx_int("SELECT ends_at FROM appointments WHERE public_id = $1", DB_ARGS(DB_TEXT(id)));
	*block_to =
		fx_int("SELECT b.blocked_to FROM appointments a JOIN blocks b ON b.account_id = a.account_id"
		       " AND b.id = a.block_id WHERE a.public_id = $1",
		       DB_ARGS(DB_TEXT(id)));
	*version = fx_int("SELECT version FROM appointments WHERE public_id = $1", DB_ARGS(DB_TEXT(id)));
}

/* A PATCH refused with status and code. */
static void refused(struct shop *b, const char *id, const char *body, long status, const char *code)
{
	struct reply r;
	patch(b, id, body, status, &r);
	assert_error(&r, status, code);
	reply_free(&r);
}

/* The stored appointment ends at `end`, blocks its staff member until `block_to`, at `version`. */
static void expect_stored(const char *id, int64_t end, int64_t block_to, int64_t version)
{
	int64_t e, b, v;
	stored(id, &e, &b, &v);
	assert_int_equal(e, end);
	assert_int_equal(b, block_to);
	assert_int_equal(v, version);
}

static int64_t moved_mails(const char *to)
{
	return fx_int("SELECT count(*) FROM outbox WHERE recipient = $1 AND kind = 'booking_moved'",
		      DB_ARGS(DB_TEXT(to)));
}

/* 2027-04-20 in Paris (UTC+02:00): 10:00 local is 08:00 UTC. */
#define T10 1808208000LL

static void resizable_lengthened_then_shortened(void **state)
{
	(void)state;
	struct shop b;
	struct reply r;
	char id[32], email[128];
	shop_open(&b);
	snprintf(email, sizeof(email), "ines-%d-%s@client.example", (int)getpid(), harness_store_kind());
	book(&b, b.flexible, "2027-04-20T10:00:00+02:00", email, id);
	expect_stored(id, T10 + 3600, T10 + 4200, 1);

	/* lengthened by a new end: 90 minutes, the buffer after it */
	patch(&b, id, "{\"end\": \"2027-04-20T11:30:00+02:00\", \"version\": 1}", 200, &r);
	assert_string_equal(appt_str(&r, "start"), "2027-04-20T10:00:00+02:00");
	assert_string_equal(appt_str(&r, "end"), "2027-04-20T11:30:00+02:00");
	assert_int_equal(appt_version(&r), 2);
	reply_free(&r);
	expect_stored(id, T10 + 5400, T10 + 6000, 2);
	/* the client is told, with the new length */
	test_clock_advance_s(60);
	assert_int_equal(moved_mails(email), 1);
	json_t *list = maildir_messages("tests/api/mail_read.py", email, 2, 50);
	assert_int_equal(json_array_size(list), 2);
	const char *text = json_string_value(json_object_get(json_array_get(list, 1), "text"));
	assert_non_null(text);
	if (!strstr(text, "Durée : 90 min"))
		fail_msg("no new length in:\n%s", text);
	/* said as a change of length, not as a move to the same time */
	if (!strstr(text, "dure désormais 90 min") || strstr(text, "déplacé"))
		fail_msg("not worded as a new length:\n%s", text);
	json_decref(list);

	/* shortened by a length: 45 minutes */
	patch(&b, id, "{\"duration_min\": 45}", 200, &r);
	assert_string_equal(appt_str(&r, "end"), "2027-04-20T10:45:00+02:00");
	assert_int_equal(appt_version(&r), 3);
	reply_free(&r);
	expect_stored(id, T10 + 2700, T10 + 3300, 3);
	assert_int_equal(moved_mails(email), 2);

	/* a move keeps the length chosen */
	patch(&b, id, "{\"start\": \"2027-04-20T14:00:00+02:00\"}", 200, &r);
	assert_string_equal(appt_str(&r, "end"), "2027-04-20T14:45:00+02:00");
	reply_free(&r);
	/* a move and a new end together */
	patch(&b, id, "{\"start\": \"2027-04-20T15:00:00+02:00\", \"end\": \"2027-04-20T17:00:00+02:00\"}",
	      200, &r);
	assert_string_equal(appt_str(&r, "start"), "2027-04-20T15:00:00+02:00");
	assert_string_equal(appt_str(&r, "end"), "2027-04-20T17:00:00+02:00");
	assert_int_equal(appt_version(&r), 5);
	reply_free(&r);
	struct biz z = {.s = b.s, .id = b.id};
	assert_int_equal(fx_overlaps(&z), 0);
}

static void not_resizable_refused(void **state)
{
	(void)state;
	struct shop b;
	struct reply r;
	char id[32];
	shop_open(&b);
	book(&b, b.fixed, "2027-04-20T10:00:00+02:00", NULL, id);
	refused(&b, id, "{\"end\": \"2027-04-20T11:00:00+02:00\"}", 422, "not_resizable");
	refused(&b, id, "{\"duration_min\": 45}", 422, "not_resizable");
	expect_stored(id, T10 + 1800, T10 + 1800, 1);
	/* a move of it still takes the service's duration */
	patch(&b, id, "{\"start\": \"2027-04-20T11:00:00+02:00\"}", 200, &r);
	assert_string_equal(appt_str(&r, "end"), "2027-04-20T11:30:00+02:00");
	reply_free(&r);
}

static void overlap_refused_nothing_changed(void **state)
{
	(void)state;
	struct shop b;
	struct reply r;
	char first[32], next[32];
	shop_open(&b);
	book(&b, b.flexible, "2027-04-20T10:00:00+02:00", NULL, first);
	book(&b, b.fixed, "2027-04-20T11:30:00+02:00", NULL, next);
	/* 10:00–11:30 plus the 10-minute buffer reaches into 11:30 */
	refused(&b, first, "{\"duration_min\": 90}", 409, "slot_taken");
	refused(&b, first, "{\"end\": \"2027-04-20T12:00:00+02:00\"}", 409, "slot_taken");
	expect_stored(first, T10 + 3600, T10 + 4200, 1);
	/* up to the buffer's edge is fine */
	patch(&b, first, "{\"duration_min\": 80}", 200, &r);
	reply_free(&r);
	struct biz z = {.s = b.s, .id = b.id};
	assert_int_equal(fx_overlaps(&z), 0);
}

static void bad_values_refused(void **state)
{
	(void)state;
	struct shop b;
	struct reply r;
	char id[32];
	shop_open(&b);
	book(&b, b.flexible, "2027-04-20T10:00:00+02:00", NULL, id);
	static const char *const bodies[] = {
		"{\"duration_min\": 47}",
		"{\"duration_min\": 0}",
		"{\"duration_min\": 725}",
		"{\"duration_min\": \"60\"}",
		"{\"end\": \"2027-04-20T10:47:00+02:00\"}",
		"{\"end\": \"2027-04-20T10:00:00+02:00\"}",
		"{\"end\": \"2027-04-20T09:00:00+02:00\"}",
		"{\"end\": \"2027-04-20T22:05:00+02:00\"}",
		"{\"end\": \"demain\"}",
		"{\"end\": \"2027-04-20T11:00:00+02:00\", \"duration_min\": 60}",
	};
	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		patch(&b, id, bodies[i], 400, &r);
		assert_int_equal(r.status, 400);
		assert_non_null(json_object_get(r.json, "error"));
		reply_free(&r);
	}
	expect_stored(id, T10 + 3600, T10 + 4200, 1);
	/* 12 h exactly is the longest */
	patch(&b, id, "{\"duration_min\": 720}", 200, &r);
	assert_string_equal(appt_str(&r, "end"), "2027-04-20T22:00:00+02:00");
	reply_free(&r);
}

/* The shared harness, its clock a week before the appointments. */
static int setup(void **state)
{
	if (harness_setup(state))
		return -1;
	fx_clock("2027-04-12T08:00:00+02:00");
	return 0;
}

int main(void)
{
	if (harness_need_smtp())
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(resizable_lengthened_then_shortened),
		cmocka_unit_test(not_resizable_refused),
		cmocka_unit_test(overlap_refused_nothing_changed),
		cmocka_unit_test(bad_values_refused),
	};
	return cmocka_run_group_tests_name("appointment resize", tests, setup, harness_teardown);
}
