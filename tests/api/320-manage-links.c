/* Manage links through the API, as a client holding the link from the booking: view the
 * appointment, reschedule it to a free slot (the old one frees up), be refused a taken slot or
 * a rule, cancel once, be refused after the business's cut-off (with its phone number), see a
 * frozen business's appointment without changing it, never reach another appointment, and
 * lose the link 30 days after the appointment; a booking replayed with its Idempotency-Key
 * gets a link of its own, and its key is purged a day later. The calendar file is read back by Python's
 * icalendar, not by our code. Businesses are set up through the API; expected instants are
 * worked out by hand (Paris is UTC+02:00 in April and May 2027). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/clock.h"
#include "harness.h"
#include "sched_fixture.h"
#include "schedule/appointments.h"
#include "schedule/manage.h"

#define PHONE "+33 1 23 45 67 89"

struct shop {
	struct session s;
	char staff[32], svc[32], manucure[32];
};

static void expect(const struct session *s, const char *method, const char *path, const char *body,
		   long status, struct reply *r)
{
	session_call(&H, s, method, path, body, r);
	if (r->status != status)
		fprintf(stderr, "%s %s %s: %ld %s\n", method, path, body ? body : "", r->status, r->body);
	assert_int_equal(r->status, status);
}

/* A business in Paris: Anne works 09:00–18:00 every day; "Coupe & brushing" (60 min, the
 * account's 24 h cut-off) and "Manucure" (30 min, its own 2 h cut-off); no notice. */
static void shop_open(struct shop *b, const char *name, const char *tag)
{
	char email[128], body[512], path[128];
	struct reply r;
	snprintf(email, sizeof(email), "%s-%d-%s@manage-test.example", tag, (int)getpid(),
		 harness_store_kind());
	harness_signup(&H, name, email, NULL, &b->s);
	expect(&b->s, "DELETE", "/api/v1/demo", NULL, 200, &r);
	reply_free(&r);
	expect(&b->s, "PATCH", "/api/v1/account",
	       "{\"phone\": \"" PHONE
	       "\", \"address\": \"12 rue de la Paix, 75002 Paris\", \"min_notice_s\": 0}",
	       200, &r);
	reply_free(&r);
	expect(&b->s, "POST", "/api/v1/staff", "{\"name\": \"Anne\"}", 201, &r);
	snprintf(b->staff, sizeof(b->staff), "%s", json_path_str(r.json, "staff", "id"));
	reply_free(&r);
	snprintf(path, sizeof(path), "/api/v1/staff/%s/hours", b->staff);
	expect(&b->s, "PUT", path,
	       "{\"mon\": [[\"09:00\", \"18:00\"]], \"tue\": [[\"09:00\", \"18:00\"]], \"wed\": [[\"09:00\", "
	       "\"18:00\"]],"
	       " \"thu\": [[\"09:00\", \"18:00\"]], \"fri\": [[\"09:00\", \"18:00\"]], \"sat\": [[\"09:00\", "
	       "\"18:00\"]],"
	       " \"sun\": [[\"09:00\", \"18:00\"]]}",
	       200, &r);
	reply_free(&r);
	snprintf(body, sizeof(body),
		 "{\"name\": \"Coupe & brushing\", \"duration_min\": 60, \"staff\": [\"%s\"]}", b->staff);
	expect(&b->s, "POST", "/api/v1/services", body, 201, &r);
	snprintf(b->svc, sizeof(b->svc), "%s", json_path_str(r.json, "service", "id"));
	reply_free(&r);
	snprintf(body, sizeof(body),
		 "{\"name\": \"Manucure\", \"duration_min\": 30, \"cancel_cutoff_s\": 7200, \"staff\": "
		 "[\"%s\"]}",
		 b->staff);
	expect(&b->s, "POST", "/api/v1/services", body, 201, &r);
	snprintf(b->manucure, sizeof(b->manucure), "%s", json_path_str(r.json, "service", "id"));
	reply_free(&r);
}

/* Books publicly, with an Idempotency-Key when key is not NULL; the answer into *r. */
static void book_keyed(const struct shop *b, const char *svc, const char *start, const char *key,
		       struct reply *r)
{
	char path[160], body[512], header[200];
	snprintf(path, sizeof(path), "/api/v1/public/%s/appointments", b->s.slug);
	snprintf(body, sizeof(body),
		 "{\"service\": \"%s\", \"staff\": \"any\", \"start\": \"%s\", \"client\": {\"first_name\": "
		 "\"Léa\","
		 " \"last_name\": \"Martin\", \"email\": \"lea.martin@client.example\"}}",
		 svc, start);
	snprintf(header, sizeof(header), "Idempotency-Key: %s", key ? key : "");
	const char *headers[] = {harness_next_ip_header(), key ? header : NULL, NULL};
	http_call(&H, "POST", path, body, headers, r);
}

/* Books publicly; the manage token into token, the appointment id into id (may be NULL). */
static void book(const struct shop *b, const char *svc, const char *start, char token[TOKEN_LEN + 1],
		 char id[32])
{
	struct reply r;
	book_keyed(b, svc, start, NULL, &r);
	if (r.status != 201)
		fprintf(stderr, "book %s: %ld %s\n", start, r.status, r.body);
	assert_int_equal(r.status, 201);
	const char *t = json_string_value(json_object_get(r.json, "manage_token"));
	assert_non_null(t);
	assert_int_equal(strlen(t), TOKEN_LEN);
	memcpy(token, t, TOKEN_LEN + 1);
	if (id)
		snprintf(id, 32, "%s", json_path_str(r.json, "appointment", "id"));
	reply_free(&r);
}

/* A call on a manage link, as the client's browser makes it (no session). */
static void manage(const char *method, const char *token, const char *suffix, const char *body,
		   struct reply *r)
{
	char path[512];
	snprintf(path, sizeof(path), "/api/v1/manage/%s%s", token, suffix ? suffix : "");
	const char *headers[] = {harness_next_ip_header(), NULL};
	http_call(&H, method, path, body, headers, r);
}

static void manage_ok(const char *method, const char *token, const char *body, struct reply *r)
{
	manage(method, token, NULL, body, r);
	if (r->status != 200)
		fprintf(stderr, "%s manage %s: %ld %s\n", method, body ? body : "", r->status, r->body);
	assert_int_equal(r->status, 200);
}

static void manage_error(const char *method, const char *token, const char *suffix, const char *body,
			 long status, const char *code)
{
	struct reply r;
	manage(method, token, suffix, body, &r);
	if (r.status != status)
		fprintf(stderr, "%s manage%s %s: %ld %s\n", method, suffix ? suffix : "", body ? body : "",
			r.status, r.body);
	assert_error(&r, status, code);
	reply_free(&r);
}

static const char *appt_str(const struct reply *r, const char *key)
{
	return json_path_str(r->json, "appointment", key);
}

/* Whether start is a free slot of day date (YYYY-MM-DD) on the public page. */
static int slot_free(const struct shop *b, const char *svc, const char *date, const char *start)
{
	char path[256];
	struct reply r;
	snprintf(path, sizeof(path), "/api/v1/public/%s/availability?service=%s&staff=any&from=%s&to=%s",
		 b->s.slug, svc, date, date);
	http_call(&H, "GET", path, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	const json_t *slots = fx_day_slots(r.json, date);
	int found = 0;
	for (size_t i = 0; i < json_array_size(slots) && !found; i++)
		found = !strcmp(fx_slot_start(slots, i), start);
	reply_free(&r);
	return found;
}

/* The calendar file of a link, read by Python's icalendar: method, UID, DTSTART (ISO, UTC),
 * SEQUENCE, SUMMARY, STATUS, one per line into lines[6][256]. */
static void read_calendar(const char *token, char lines[6][256])
{
	struct reply r;
	char ctype[128];
	manage("GET", token, "/ics", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(reply_header(&r, "Content-Type", ctype, sizeof(ctype)));
	assert_true(!strncmp(ctype, "text/calendar", 13));
	char file[] = "/tmp/creneau-ics-XXXXXX";
	int fd = mkstemp(file);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, r.body, r.len), (ssize_t)r.len);
	close(fd);
	reply_free(&r);
	char cmd[1024];
	snprintf(
		cmd, sizeof(cmd),
		"PYTHONIOENCODING=utf-8 /usr/bin/python3 -c 'import sys, icalendar\n"
		"cal = icalendar.Calendar.from_ical(open(sys.argv[1], \"rb\").read())\n"
		"ev = cal.walk(\"VEVENT\")[0]\n"
		"print(cal.get(\"METHOD\")); print(ev.get(\"UID\")); "
		"print(ev.decoded(\"DTSTART\").isoformat())\n"
		"print(int(ev.get(\"SEQUENCE\"))); print(ev.get(\"SUMMARY\")); print(ev.get(\"STATUS\"))' %s",
		file);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	for (int i = 0; i < 6; i++) {
		if (!fgets(lines[i], 256, p))
			lines[i][0] = '\0';
		lines[i][strcspn(lines[i], "\n")] = '\0';
	}
	int rc = pclose(p);
	unlink(file);
	if (rc)
		fprintf(stderr, "python3 icalendar could not read the calendar\n");
	assert_int_equal(rc, 0);
}

static int setup(void **state)
{
	harness_setup(state);
	fx_clock("2027-04-05T08:00:00+02:00");
	return 0;
}

static void view_reschedule_and_calendar(void **state)
{
	(void)state;
	struct shop b;
	char tok[TOKEN_LEN + 1], id[32], uid[64], cal[6][256];
	struct reply r;
	shop_open(&b, "Salon Élodie", "view");
	book(&b, b.svc, "2027-04-13T09:00:00+02:00", tok, id);

	manage_ok("GET", tok, NULL, &r);
	assert_string_equal(appt_str(&r, "id"), id);
	assert_string_equal(appt_str(&r, "start"), "2027-04-13T09:00:00+02:00");
	assert_string_equal(appt_str(&r, "end"), "2027-04-13T10:00:00+02:00");
	assert_string_equal(appt_str(&r, "status"), "booked");
	json_t *a = json_object_get(r.json, "appointment");
	assert_string_equal(json_path_str(a, "service", "name"), "Coupe & brushing");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(a, "service"), "duration_min")),
			 60);
	assert_string_equal(json_path_str(a, "staff", "name"), "Anne");
	assert_string_equal(json_path_str(r.json, "business", "name"), "Salon Élodie");
	assert_string_equal(json_path_str(r.json, "business", "phone"), PHONE);
	assert_string_equal(json_path_str(r.json, "business", "slug"), b.s.slug);
	assert_string_equal(json_path_str(r.json, "business", "time_zone"), "Europe/Paris");
	assert_true(json_is_true(json_object_get(r.json, "can_change")));
	assert_string_equal(json_path_str(r.json, "change_until", NULL), "2027-04-12T09:00:00+02:00");
	assert_true(json_is_null(json_object_get(r.json, "reason")));
	assert_null(strstr(r.body, "lea.martin")); /* the client's own details are not on the link */
	reply_free(&r);

	snprintf(uid, sizeof(uid), "%s@creneau", id);
	read_calendar(tok, cal);
	assert_string_equal(cal[0], "REQUEST");
	assert_string_equal(cal[1], uid);
	assert_string_equal(cal[2], "2027-04-13T07:00:00+00:00");
	assert_string_equal(cal[3], "1");
	assert_string_equal(cal[4], "Coupe & brushing — Salon Élodie");

	manage_ok("PATCH", tok, "{\"start\": \"2027-04-13T11:00:00+02:00\"}", &r);
	assert_string_equal(appt_str(&r, "start"), "2027-04-13T11:00:00+02:00");
	assert_string_equal(appt_str(&r, "end"), "2027-04-13T12:00:00+02:00");
	assert_int_equal(
		json_integer_value(json_object_get(json_object_get(r.json, "appointment"), "version")), 2);
	reply_free(&r);
	assert_true(slot_free(&b, b.svc, "2027-04-13", "2027-04-13T09:00:00+02:00"));
	assert_false(slot_free(&b, b.svc, "2027-04-13", "2027-04-13T11:00:00+02:00"));

	/* the back office sees the move */
	char path[128];
	snprintf(path, sizeof(path), "/api/v1/appointments/%s", id);
	expect(&b.s, "GET", path, NULL, 200, &r);
	assert_string_equal(appt_str(&r, "start"), "2027-04-13T11:00:00+02:00");
	reply_free(&r);

	read_calendar(tok, cal);
	assert_string_equal(cal[1], uid);
	assert_string_equal(cal[2], "2027-04-13T09:00:00+00:00");
	assert_string_equal(cal[3], "2");
	assert_string_equal(cal[5], "CONFIRMED");
}

static void a_taken_slot_or_a_rule_changes_nothing(void **state)
{
	(void)state;
	struct shop b;
	char ta[TOKEN_LEN + 1], tb[TOKEN_LEN + 1];
	struct reply r;
	shop_open(&b, "Salon Occupé", "taken");
	book(&b, b.svc, "2027-04-14T09:00:00+02:00", ta, NULL);
	book(&b, b.svc, "2027-04-14T10:00:00+02:00", tb, NULL);
	manage_error("PATCH", ta, NULL, "{\"start\": \"2027-04-14T10:00:00+02:00\"}", 409, "slot_taken");
	manage_error("PATCH", ta, NULL, "{\"start\": \"2027-04-14T10:30:00+02:00\"}", 409, "slot_taken");
	/* outside Anne's hours, off the 15-minute grid: the slots rules answer 422 */
	manage("PATCH", ta, NULL, "{\"start\": \"2027-04-14T20:00:00+02:00\"}", &r);
	assert_int_equal(r.status, 422);
	reply_free(&r);
	manage("PATCH", ta, NULL, "{\"start\": \"2027-04-14T11:07:00+02:00\"}", &r);
	assert_int_equal(r.status, 422);
	reply_free(&r);
	manage_error("PATCH", ta, NULL, "{\"start\": \"demain\"}", 400, "invalid_datetime");
	manage_error("PATCH", ta, NULL, "{}", 400, "missing_field");
	manage_error("PATCH", ta, NULL, "{\"start\": \"2027-04-14T11:00:00+02:00\", \"when\": 1}", 400,
		     "unknown_field");
	manage_error("PATCH", ta, NULL,
		     "{\"start\": \"2027-04-14T11:00:00+02:00\", \"staff\": \"stf_nobody\"}", 404,
		     "not_found");
	manage_ok("GET", ta, NULL, &r);
	assert_string_equal(appt_str(&r, "start"), "2027-04-14T09:00:00+02:00");
	assert_int_equal(
		json_integer_value(json_object_get(json_object_get(r.json, "appointment"), "version")), 1);
	reply_free(&r);
	struct biz store = {
		.id = fx_int("SELECT id FROM accounts WHERE slug = $1", DB_ARGS(DB_TEXT(b.s.slug)))};
	assert_int_equal(fx_overlaps(&store), 0);
}

static void a_cancel_frees_the_slot_once(void **state)
{
	(void)state;
	struct shop b;
	char tok[TOKEN_LEN + 1], other[TOKEN_LEN + 1], id[32], uid[64], cal[6][256];
	struct reply r;
	shop_open(&b, "Salon Annulé", "cancel");
	book(&b, b.svc, "2027-04-15T09:00:00+02:00", tok, id);
	assert_false(slot_free(&b, b.svc, "2027-04-15", "2027-04-15T09:00:00+02:00"));
	manage_ok("DELETE", tok, NULL, &r);
	assert_string_equal(appt_str(&r, "status"), "cancelled");
	assert_false(json_is_true(json_object_get(r.json, "can_change")));
	assert_string_equal(json_path_str(r.json, "reason", NULL), "cancelled");
	reply_free(&r);
	assert_true(slot_free(&b, b.svc, "2027-04-15", "2027-04-15T09:00:00+02:00"));
	book(&b, b.svc, "2027-04-15T09:00:00+02:00", other, NULL); /* someone else takes it */

	manage_error("DELETE", tok, NULL, NULL, 409, "appointment_cancelled");
	manage_error("PATCH", tok, NULL, "{\"start\": \"2027-04-15T11:00:00+02:00\"}", 409,
		     "appointment_cancelled");
	manage_ok("GET", tok, NULL, &r);
	assert_string_equal(appt_str(&r, "status"), "cancelled");
	assert_string_equal(appt_str(&r, "start"), "2027-04-15T09:00:00+02:00");
	reply_free(&r);

	snprintf(uid, sizeof(uid), "%s@creneau", id);
	read_calendar(tok, cal);
	assert_string_equal(cal[0], "CANCEL");
	assert_string_equal(cal[1], uid);
	assert_string_equal(cal[3], "2");
	assert_string_equal(cal[5], "CANCELLED");
}

static void set_state(const char *slug, const char *st)
{
	char body[160];
	struct reply r;
	snprintf(body, sizeof(body), "{\"slug\": \"%s\", \"state\": \"%s\"}", slug, st);
	http_call(&H, "POST", "/api/v1/test/account-state", body, NULL, &r);
	assert_int_equal(r.status, 200);
	reply_free(&r);
}

static void a_closed_business_shows_but_takes_no_change(void **state)
{
	(void)state;
	struct shop b;
	char tok[TOKEN_LEN + 1];
	struct reply r;
	shop_open(&b, "Salon Gelé", "frozen");
	book(&b, b.svc, "2027-04-16T09:00:00+02:00", tok, NULL);
	static const char *const states[] = {"frozen", "read_only"};
	for (int i = 0; i < 2; i++) {
		set_state(b.s.slug, states[i]);
		manage_ok("GET", tok, NULL, &r);
		assert_string_equal(appt_str(&r, "status"), "booked");
		assert_false(json_is_true(json_object_get(r.json, "can_change")));
		assert_string_equal(json_path_str(r.json, "reason", NULL), "bookings_closed");
		reply_free(&r);
		manage_error("PATCH", tok, NULL, "{\"start\": \"2027-04-16T11:00:00+02:00\"}", 403,
			     "bookings_closed");
		manage_error("DELETE", tok, NULL, NULL, 403, "bookings_closed");
	}
	manage_ok("GET", tok, NULL, &r);
	assert_string_equal(appt_str(&r, "start"), "2027-04-16T09:00:00+02:00");
	assert_string_equal(appt_str(&r, "status"), "booked");
	reply_free(&r);
	set_state(b.s.slug, "deleting");
	manage_error("GET", tok, NULL, NULL, 410, "account_deleted");
}

/* A second link for the same appointment, as a reminder would carry it. */
static void issue_reminder_token(const char *appt_id, char token[TOKEN_LEN + 1])
{
	int64_t row = fx_int("SELECT id FROM appointments WHERE public_id = $1", DB_ARGS(DB_TEXT(appt_id)));
	int64_t account =
		fx_int("SELECT account_id FROM appointments WHERE public_id = $1", DB_ARGS(DB_TEXT(appt_id)));
	struct err e = {0};
	db_conn *c;
	assert_int_equal(db_acquire(H.app->db, &c, &e), 0);
	assert_int_equal(db_begin(c, &e), 0);
	assert_int_equal(manage_token_issue(c, account, row, "reminder", clock_now(), token, &e), 0);
	assert_int_equal(db_commit(c, &e), 0);
	db_release(c);
	assert_true(token_well_formed(token));
}

static void a_token_reaches_its_own_appointment_only(void **state)
{
	(void)state;
	struct shop e, f;
	char te[TOKEN_LEN + 1], tf[TOKEN_LEN + 1], te2[TOKEN_LEN + 1], ide[32], idf[32];
	struct reply r;
	shop_open(&e, "Salon Est", "east");
	shop_open(&f, "Salon Ouest", "west");
	book(&e, e.svc, "2027-04-17T09:00:00+02:00", te, ide);
	book(&f, f.svc, "2027-04-17T09:00:00+02:00", tf, idf);
	manage_ok("GET", te, NULL, &r);
	assert_string_equal(appt_str(&r, "id"), ide);
	assert_string_equal(json_path_str(r.json, "business", "name"), "Salon Est");
	reply_free(&r);
	manage_ok("GET", tf, NULL, &r);
	assert_string_equal(appt_str(&r, "id"), idf);
	assert_string_equal(json_path_str(r.json, "business", "name"), "Salon Ouest");
	reply_free(&r);

	/* tokens nobody holds, malformed ones, the appointment id itself */
	char unknown[TOKEN_LEN + 1];
	token_new(unknown);
	static const char *const methods[] = {"GET", "PATCH", "DELETE"};
	for (int i = 0; i < 3; i++)
		manage_error(methods[i], unknown, NULL,
			     i == 1 ? "{\"start\": \"2027-04-17T11:00:00+02:00\"}" : NULL, 404, "not_found");
	manage_error("GET", unknown, "/ics", NULL, 404, "not_found");
	manage_error("GET", "abc", NULL, NULL, 404, "not_found");
	manage_error("GET", ide, NULL, NULL, 404, "not_found");
	char longer[TOKEN_LEN + 2];
	snprintf(longer, sizeof(longer), "%sA", te);
	manage_error("GET", longer, NULL, NULL, 404, "not_found");
	char shorter[TOKEN_LEN + 1];
	snprintf(shorter, sizeof(shorter), "%.*s", TOKEN_LEN - 1, te);
	manage_error("GET", shorter, NULL, NULL, 404, "not_found");
	/* the store keeps hashes only */
	assert_int_equal(
		fx_int("SELECT count(*) FROM manage_tokens WHERE token_hash = $1", DB_ARGS(DB_TEXT(te))), 0);

	/* each message has its own link; every link follows the appointment through a move */
	issue_reminder_token(ide, te2);
	assert_string_not_equal(te, te2);
	manage_ok("PATCH", te, "{\"start\": \"2027-04-17T10:00:00+02:00\"}", &r);
	reply_free(&r);
	manage_ok("GET", te2, NULL, &r);
	assert_string_equal(appt_str(&r, "id"), ide);
	assert_string_equal(appt_str(&r, "start"), "2027-04-17T10:00:00+02:00");
	reply_free(&r);
	/* the other business's appointment did not move */
	manage_ok("GET", tf, NULL, &r);
	assert_string_equal(appt_str(&r, "start"), "2027-04-17T09:00:00+02:00");
	reply_free(&r);
}

static void the_cut_off_and_the_end_of_the_link(void **state)
{
	(void)state;
	struct shop b;
	char ta[TOKEN_LEN + 1], tb[TOKEN_LEN + 1];
	struct reply r;
	shop_open(&b, "Salon Horloge", "cutoff");
	book(&b, b.svc, "2027-04-20T10:00:00+02:00", ta, NULL);	     /* 24 h cut-off: until 04-19 10:00 */
	book(&b, b.manucure, "2027-04-20T14:00:00+02:00", tb, NULL); /* 2 h cut-off */

	fx_clock("2027-04-19T09:59:00+02:00");
	manage_ok("GET", ta, NULL, &r);
	assert_true(json_is_true(json_object_get(r.json, "can_change")));
	assert_string_equal(json_path_str(r.json, "change_until", NULL), "2027-04-19T10:00:00+02:00");
	reply_free(&r);

	fx_clock("2027-04-19T10:01:00+02:00");
	manage_ok("GET", ta, NULL, &r);
	assert_false(json_is_true(json_object_get(r.json, "can_change")));
	assert_string_equal(json_path_str(r.json, "reason", NULL), "past_cutoff");
	reply_free(&r);
	manage("PATCH", ta, NULL, "{\"start\": \"2027-04-20T15:00:00+02:00\"}", &r);
	assert_error(&r, 403, "past_cutoff");
	assert_non_null(strstr(json_path_str(json_object_get(r.json, "error"), "message", NULL), PHONE));
	reply_free(&r);
	manage_error("DELETE", ta, NULL, NULL, 403, "past_cutoff");
	manage_ok("GET", ta, NULL, &r);
	assert_string_equal(appt_str(&r, "start"), "2027-04-20T10:00:00+02:00");
	assert_string_equal(appt_str(&r, "status"), "booked");
	assert_int_equal(
		json_integer_value(json_object_get(json_object_get(r.json, "appointment"), "version")), 1);
	reply_free(&r);
	/* the service's own 2-hour cut-off still lets the manicure move */
	manage_ok("PATCH", tb, "{\"start\": \"2027-04-20T15:00:00+02:00\"}", &r);
	assert_string_equal(json_path_str(r.json, "change_until", NULL), "2027-04-20T13:00:00+02:00");
	reply_free(&r);

	fx_clock("2027-04-20T12:00:00+02:00");
	manage_ok("GET", ta, NULL, &r);
	assert_string_equal(json_path_str(r.json, "reason", NULL), "past");
	reply_free(&r);
	manage_error("PATCH", ta, NULL, "{\"start\": \"2027-04-21T10:00:00+02:00\"}", 403, "past_cutoff");

	fx_clock("2027-04-20T13:30:00+02:00");
	manage_error("DELETE", tb, NULL, NULL, 403, "past_cutoff");

	/* the link of the 10:00–11:00 appointment works until 2027-05-20 11:00 */
	fx_clock("2027-05-20T10:59:00+02:00");
	manage_ok("GET", ta, NULL, &r);
	reply_free(&r);
	fx_clock("2027-05-20T11:00:01+02:00");
	manage_error("GET", ta, NULL, NULL, 410, "link_expired");
	manage_error("GET", ta, "/ics", NULL, 410, "link_expired");
	manage_error("PATCH", ta, NULL, "{\"start\": \"2027-05-21T10:00:00+02:00\"}", 410, "link_expired");
	manage_error("DELETE", ta, NULL, NULL, 410, "link_expired");
}

/* A client whose answer was lost sends the booking again with its Idempotency-Key: same
 * appointment, and a working link of its own, since the store keeps no token in clear, not
 * even in the stored answer. A day later the key is purged and the same request is a new
 * booking (here of a taken slot). */
static void a_replayed_booking_gets_a_link_of_its_own(void **state)
{
	(void)state;
	struct shop b;
	struct reply r1, r2, r;
	char key[64];
	snprintf(key, sizeof(key), "replay-%d-%s", (int)getpid(), harness_store_kind());
	shop_open(&b, "Salon Reprise", "replay"); /* the clock is past every other test's dates */
	book_keyed(&b, b.svc, "2027-06-10T10:00:00+02:00", key, &r1);
	assert_int_equal(r1.status, 201);
	book_keyed(&b, b.svc, "2027-06-10T10:00:00+02:00", key, &r2);
	assert_int_equal(r2.status, 201);
	const char *t1 = json_string_value(json_object_get(r1.json, "manage_token"));
	const char *t2 = json_string_value(json_object_get(r2.json, "manage_token"));
	assert_non_null(t1);
	assert_non_null(t2);
	assert_true(token_well_formed(t2));
	assert_string_not_equal(t1, t2);
	assert_string_equal(json_path_str(r2.json, "appointment", "id"),
			    json_path_str(r1.json, "appointment", "id"));
	for (int i = 0; i < 2; i++) {
		manage_ok("GET", i ? t2 : t1, NULL, &r);
		assert_string_equal(appt_str(&r, "id"), json_path_str(r1.json, "appointment", "id"));
		reply_free(&r);
	}
	/* the stored answer: the appointment, no token */
	assert_int_equal(fx_int("SELECT count(*) FROM idempotency_keys WHERE account_id = 0 AND idem_key = $1"
				" AND response LIKE '%' || $2 || '%' AND response NOT LIKE '%manage_token%'",
				DB_ARGS(DB_TEXT(key), DB_TEXT(json_path_str(r1.json, "appointment", "id")))),
			 1);

	int64_t at = fx_int("SELECT created_at FROM idempotency_keys WHERE account_id = 0 AND idem_key = $1",
			    DB_ARGS(DB_TEXT(key)));
	int purged = -1;
	struct err e = {0};
	assert_int_equal(appt_idempotency_purge(H.app->db, at, &purged, &e), 0);
	assert_int_equal(purged, 0); /* kept until a day has passed */
	assert_int_equal(appt_idempotency_purge(H.app->db, at + 1, &purged, &e), 0);
	assert_int_equal(purged, 1);
	book_keyed(&b, b.svc, "2027-06-10T10:00:00+02:00", key, &r);
	assert_error(&r, 409, "slot_taken");
	reply_free(&r);
	reply_free(&r1);
	reply_free(&r2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(view_reschedule_and_calendar),
		cmocka_unit_test(a_taken_slot_or_a_rule_changes_nothing),
		cmocka_unit_test(a_cancel_frees_the_slot_once),
		cmocka_unit_test(a_closed_business_shows_but_takes_no_change),
		cmocka_unit_test(a_token_reaches_its_own_appointment_only),
		cmocka_unit_test(the_cut_off_and_the_end_of_the_link),
		cmocka_unit_test(a_replayed_booking_gets_a_link_of_its_own),
	};
	return cmocka_run_group_tests(tests, setup, harness_teardown);
}
