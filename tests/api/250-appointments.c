/* Appointments through the API: availability of a day computed by hand, booking and the slot
 * taken afterwards, every booking rule's 422, bad input, Idempotency-Key, moves, cancels,
 * optimistic versions, the changes feed, the public page, group sessions, "no preference",
 * and recurring bookings. The clock is Monday 2027-04-05 08:00 in Paris (+02:00). */
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

static struct biz B;
static char svc[24], svc_group[24], svc_q[24], ana[24], ben[24];
static int64_t ana_id, ben_id, svc_id;

static int setup(void **state)
{
	harness_setup(state);
	fx_clock("2027-04-05T08:00:00+02:00");
	fx_business(&B, "Salon Horaires", "Europe/Paris");
	ana_id = fx_staff(&B, "Ana", ana);
	ben_id = fx_staff(&B, "Ben", ben);
	svc_id = fx_service(&B, 60, 0, 0, 1, svc);
	int64_t g = fx_service(&B, 60, 0, 0, 3, svc_group);
	int64_t q = fx_service(&B, 30, 0, 0, 1, svc_q);
	fx_provides(&B, svc_id, ana_id);
	fx_provides(&B, g, ben_id);
	fx_provides(&B, q, ben_id);
	/* Ana: 09:00–12:00 and 14:00–18:00 every day; Ben: 09:00–18:00 */
	for (int d = 1; d <= 7; d++) {
		fx_hours(&B, ana_id, d, 540, 720);
		fx_hours(&B, ana_id, d, 840, 1080);
		fx_hours(&B, ben_id, d, 540, 1080);
	}
	char qpid[24];
	public_id_new("qst", qpid);
	fx_exec("INSERT INTO service_questions (account_id, service_id, public_id, label, kind, required)"
		" VALUES ($1, $2, $3, 'Allergies ?', 'text', 1)",
		DB_ARGS(DB_INT(B.id), DB_INT(q), DB_TEXT(qpid)));
	return 0;
}

static void get(const char *path, struct reply *r)
{
	session_call(&H, &B.s, "GET", path, NULL, r);
}

static void availability(const char *service, const char *staff, const char *from, const char *to,
			 struct reply *r)
{
	char path[256];
	snprintf(path, sizeof(path), "/api/v1/availability?service=%s&staff=%s&from=%s&to=%s", service, staff,
		 from, to);
	get(path, r);
}

static void book(const char *service, const char *staff, const char *start, const char *extra,
		 struct reply *r)
{
	char body[1024];
	snprintf(body, sizeof(body), "{\"service\": \"%s\", \"staff\": \"%s\", \"start\": \"%s\"%s%s}",
		 service, staff, start, extra ? ", " : "", extra ? extra : "");
	fx_book(&B, body, NULL, r);
}

static void a_day_lists_what_the_counter_would(void **state)
{
	(void)state;
	struct reply r;
	availability(svc, ana, "2027-04-06", "2027-04-06", &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "time_zone")), "Europe/Paris");
	const json_t *slots = fx_day_slots(r.json, "2027-04-06");
	assert_non_null(slots);
	/* 60 minutes on a 15-minute grid: 09:00..11:00 (9) and 14:00..17:00 (13) */
	assert_int_equal(json_array_size(slots), 22);
	assert_string_equal(fx_slot_start(slots, 0), "2027-04-06T09:00:00+02:00");
	assert_string_equal(fx_slot_start(slots, 8), "2027-04-06T11:00:00+02:00");
	assert_string_equal(fx_slot_start(slots, 9), "2027-04-06T14:00:00+02:00");
	assert_string_equal(fx_slot_start(slots, 21), "2027-04-06T17:00:00+02:00");
	const json_t *who = json_object_get(json_array_get(slots, 0), "staff");
	assert_int_equal(json_array_size(who), 1);
	assert_string_equal(json_string_value(json_array_get(who, 0)), ana);
	reply_free(&r);
}

static void a_booked_slot_is_taken(void **state)
{
	(void)state;
	struct reply r;
	book(svc, ana, "2027-04-06T10:00:00+02:00",
	     "\"client\": {\"first_name\": \"Zoé\", \"last_name\": \"Roux\"}", &r);
	assert_int_equal(r.status, 201);
	assert_string_equal(json_path_str(r.json, "appointment", "start"), "2027-04-06T10:00:00+02:00");
	assert_string_equal(json_path_str(r.json, "appointment", "end"), "2027-04-06T11:00:00+02:00");
	assert_string_equal(json_path_str(r.json, "appointment", "status"), "booked");
	reply_free(&r);
	book(svc, ana, "2027-04-06T10:00:00+02:00", NULL, &r);
	assert_error(&r, 409, "slot_taken");
	reply_free(&r);
	book(svc, ana, "2027-04-06T10:30:00+02:00", NULL, &r); /* overlaps half of it */
	assert_error(&r, 409, "slot_taken");
	reply_free(&r);
	availability(svc, ana, "2027-04-06", "2027-04-06", &r);
	const json_t *slots = fx_day_slots(r.json, "2027-04-06");
	/* morning: 09:00 (ends as 10:00 starts) and 11:00 only */
	assert_int_equal(json_array_size(slots), 15);
	assert_string_equal(fx_slot_start(slots, 0), "2027-04-06T09:00:00+02:00");
	assert_string_equal(fx_slot_start(slots, 1), "2027-04-06T11:00:00+02:00");
	reply_free(&r);
	assert_int_equal(fx_overlaps(&B), 0);
}

static void each_rule_says_why(void **state)
{
	(void)state;
	struct reply r;
	fx_rules(&B, 86400, 30 * 86400, 15);
	book(svc, ana, "2027-04-05T07:00:00+02:00", NULL, &r);
	assert_error(&r, 422, "in_the_past");
	reply_free(&r);
	book(svc, ana, "2027-04-05T15:00:00+02:00", NULL, &r);
	assert_error(&r, 422, "inside_notice");
	reply_free(&r);
	book(svc, ana, "2027-06-01T10:00:00+02:00", NULL, &r);
	assert_error(&r, 422, "beyond_horizon");
	reply_free(&r);
	book(svc, ana, "2027-04-07T12:30:00+02:00", NULL, &r);
	assert_error(&r, 422, "outside_hours");
	reply_free(&r);
	book(svc, ana, "2027-04-07T14:10:00+02:00", NULL, &r);
	assert_error(&r, 422, "off_grid");
	reply_free(&r);
	/* the back office may relax notice and grid, recorded on the appointment */
	book(svc, ana, "2027-04-05T15:10:00+02:00", "\"override\": {\"notice\": true, \"grid\": true}", &r);
	assert_int_equal(r.status, 201);
	assert_true(
		json_is_true(json_object_get(json_object_get(r.json, "appointment"), "rules_overridden")));
	reply_free(&r);
	/* nothing overrides an overlap */
	book(svc, ana, "2027-04-05T15:30:00+02:00", "\"override\": {\"notice\": true, \"grid\": true}", &r);
	assert_error(&r, 409, "slot_taken");
	reply_free(&r);
	fx_rules(&B, 0, 0, 15);
}

static void bad_input_names_the_field(void **state)
{
	(void)state;
	struct reply r;
	availability("svc_nosuchservice0000", ana, "2027-04-06", "2027-04-06", &r);
	assert_error(&r, 404, "not_found");
	assert_string_equal(json_path_str(r.json, "error", "field"), "service");
	reply_free(&r);
	/* another business's staff member */
	struct biz other;
	char theirs[24];
	fx_business(&other, "Autre Salon", "Europe/Paris");
	fx_staff(&other, "Chloé", theirs);
	availability(svc, theirs, "2027-04-06", "2027-04-06", &r);
	assert_error(&r, 404, "not_found");
	assert_string_equal(json_path_str(r.json, "error", "field"), "staff");
	reply_free(&r);
	book(svc, theirs, "2027-04-08T10:00:00+02:00", NULL, &r);
	assert_error(&r, 404, "not_found");
	reply_free(&r);
	availability(svc, ana, "2027-04-06", "2027-04-05", &r);
	assert_error(&r, 400, "end_before_start");
	assert_string_equal(json_path_str(r.json, "error", "field"), "to");
	reply_free(&r);
	availability(svc, ana, "2027-04-06", "2027-06-07", &r); /* 63 days */
	assert_error(&r, 400, "range_too_large");
	reply_free(&r);
	availability(svc, ana, "2027-04-06", "2027-06-06", &r); /* 62 days */
	assert_int_equal(r.status, 200);
	reply_free(&r);
	availability(svc, ana, "06/04/2027", "2027-04-06", &r);
	assert_error(&r, 400, "invalid_date");
	reply_free(&r);
	book(svc, ana, "2027-04-08 10:00", NULL, &r);
	assert_error(&r, 400, "invalid_datetime");
	reply_free(&r);
	/* a required question left empty */
	book(svc_q, ben, "2027-04-08T10:00:00+02:00", NULL, &r);
	assert_error(&r, 400, "missing_answer");
	reply_free(&r);
}

static void an_idempotency_key_answers_the_same(void **state)
{
	(void)state;
	struct reply a, b, c;
	char body[256], other[256];
	snprintf(body, sizeof(body),
		 "{\"service\": \"%s\", \"staff\": \"%s\", \"start\": \"2027-04-09T09:00:00+02:00\"}", svc,
		 ana);
	snprintf(other, sizeof(other),
		 "{\"service\": \"%s\", \"staff\": \"%s\", \"start\": \"2027-04-09T11:00:00+02:00\"}", svc,
		 ana);
	fx_book(&B, body, "key-one", &a);
	assert_int_equal(a.status, 201);
	fx_book(&B, body, "key-one", &b);
	assert_int_equal(b.status, 201);
	assert_string_equal(a.body, b.body);
	fx_book(&B, other, "key-one", &c);
	assert_error(&c, 409, "idempotency_key_reused");
	assert_int_equal(fx_int("SELECT count(*) FROM appointments WHERE account_id = $1 AND starts_at = $2",
				DB_ARGS(DB_INT(B.id), DB_INT(1807254000))), /* 2027-04-09T07:00:00Z */
			 1);
	reply_free(&a);
	reply_free(&b);
	reply_free(&c);
}

static void moves_cancels_and_versions(void **state)
{
	(void)state;
	struct reply r;
	char path[128], id[32], body[256];
	get("/api/v1/appointments/changes?since=0", &r);
	assert_int_equal(r.status, 200);
	json_int_t cursor = json_integer_value(json_object_get(r.json, "next"));
	assert_true(cursor >= 1);
	reply_free(&r);
	/* a fresh agenda starts following at the latest change, without reading the history */
	get("/api/v1/appointments/changes?since=latest", &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "changes")), 0);
	assert_int_equal(json_integer_value(json_object_get(r.json, "next")), cursor);
	reply_free(&r);
	get("/api/v1/appointments/changes?since=soon", &r);
	assert_error(&r, 400, "invalid_field");
	reply_free(&r);

	book(svc, ana, "2027-04-12T09:00:00+02:00", NULL, &r);
	assert_int_equal(r.status, 201);
	snprintf(id, sizeof(id), "%s", json_path_str(r.json, "appointment", "id"));
	reply_free(&r);
	snprintf(path, sizeof(path), "/api/v1/appointments/%s", id);
	session_call(&H, &B.s, "PATCH", path, "{\"start\": \"2027-04-12T15:00:00+02:00\", \"version\": 1}",
		     &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_path_str(r.json, "appointment", "start"), "2027-04-12T15:00:00+02:00");
	assert_int_equal(
		json_integer_value(json_object_get(json_object_get(r.json, "appointment"), "version")), 2);
	reply_free(&r);
	session_call(&H, &B.s, "PATCH", path, "{\"start\": \"2027-04-12T16:00:00+02:00\", \"version\": 1}",
		     &r);
	assert_error(&r, 409, "stale_version");
	reply_free(&r);
	/* the old place is free again, the new one taken */
	book(svc, ana, "2027-04-12T09:00:00+02:00", NULL, &r);
	assert_int_equal(r.status, 201);
	reply_free(&r);
	book(svc, ana, "2027-04-12T15:30:00+02:00", NULL, &r);
	assert_error(&r, 409, "slot_taken");
	reply_free(&r);
	session_call(&H, &B.s, "PATCH", path, "{\"status\": \"cancelled\"}", &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_path_str(r.json, "appointment", "status"), "cancelled");
	reply_free(&r);
	book(svc, ana, "2027-04-12T15:30:00+02:00", NULL, &r);
	assert_int_equal(r.status, 201);
	reply_free(&r);
	session_call(&H, &B.s, "PATCH", path, "{\"status\": \"done\"}", &r);
	assert_error(&r, 422, "appointment_cancelled");
	reply_free(&r);
	session_call(&H, &B.s, "PATCH", path, "{\"status\": \"lost\"}", &r);
	assert_error(&r, 400, "invalid_field");
	reply_free(&r);

	/* the changes since the cursor: X booked, moved, cancelled; Y and Z booked */
	snprintf(body, sizeof(body), "/api/v1/appointments/changes?since=%lld", (long long)cursor);
	get(body, &r);
	assert_int_equal(r.status, 200);
	const json_t *ch = json_object_get(r.json, "changes");
	assert_int_equal(json_array_size(ch), 3); /* each appointment once, at its latest change */
	json_int_t prev = cursor;
	for (size_t i = 0; i < json_array_size(ch); i++) {
		json_int_t seq = json_integer_value(json_object_get(json_array_get(ch, i), "change_seq"));
		assert_true(seq > prev);
		prev = seq;
	}
	assert_int_equal(json_integer_value(json_object_get(r.json, "next")), prev);
	reply_free(&r);
	snprintf(body, sizeof(body), "/api/v1/appointments/changes?since=%lld", (long long)prev);
	get(body, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "changes")), 0);
	reply_free(&r);

	/* the agenda of that day */
	get("/api/v1/appointments?from=2027-04-12&to=2027-04-12", &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "appointments")), 3);
	reply_free(&r);
	get("/api/v1/appointments/apt_nosuchappointment0", &r);
	assert_error(&r, 404, "not_found");
	reply_free(&r);
}

static void the_public_page_books(void **state)
{
	(void)state;
	struct reply r;
	char path[256], body[512];
	snprintf(path, sizeof(path),
		 "/api/v1/public/%s/availability?service=%s&staff=any&from=2027-04-13&to=2027-04-13",
		 B.s.slug, svc);
	http_call(&H, "GET", path, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(fx_day_slots(r.json, "2027-04-13")), 22);
	reply_free(&r);
	snprintf(path, sizeof(path), "/api/v1/public/%s/appointments", B.s.slug);
	snprintf(
		body, sizeof(body),
		"{\"service\": \"%s\", \"staff\": \"any\", \"start\": \"2027-04-13T09:00:00+02:00\", "
		"\"client\":"
		" {\"first_name\": \"Léa\", \"last_name\": \"Martin\", \"email\": \"lea.martin@example.fr\"},"
		" \"consent_email\": true, \"notes\": \"Cheveux très longs\"}",
		svc);
	const char *headers[] = {harness_next_ip_header(), NULL};
	http_call(&H, "POST", path, body, headers, &r);
	assert_int_equal(r.status, 201);
	const char *token = json_string_value(json_object_get(r.json, "manage_token"));
	assert_non_null(token);
	assert_int_equal(strlen(token), 43);
	assert_string_equal(json_path_str(r.json, "appointment", "source"), "public");
	assert_string_equal(json_path_str(r.json, "appointment", "notes"), "Cheveux très longs");
	/* the store keeps only its hash */
	assert_int_equal(fx_int("SELECT count(*) FROM appointments WHERE manage_token_hash = $1",
				DB_ARGS(DB_TEXT(token))),
			 0);
	reply_free(&r);
	http_call(&H, "POST", path, body, headers, &r);
	assert_error(&r, 409, "slot_taken");
	reply_free(&r);
	http_call(&H, "GET",
		  "/api/v1/public/no-such-business/availability?service=x&from=2027-04-13&to=2027-04-13",
		  NULL, NULL, &r);
	assert_error(&r, 404, "not_found");
	reply_free(&r);
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

static void a_closed_or_deleted_page_takes_no_booking(void **state)
{
	(void)state;
	struct biz c;
	char s[24], st[24], path[256];
	struct reply r;
	fx_business(&c, "Salon Ferme", "Europe/Paris");
	fx_service(&c, 30, 0, 0, 1, s);
	fx_staff(&c, "Dan", st);
	snprintf(path, sizeof(path),
		 "/api/v1/public/%s/availability?service=%s&from=2027-04-13&to=2027-04-13", c.s.slug, s);
	set_state(c.s.slug, "frozen");
	http_call(&H, "GET", path, NULL, NULL, &r);
	assert_error(&r, 403, "bookings_closed");
	reply_free(&r);
	set_state(c.s.slug, "deleted");
	http_call(&H, "GET", path, NULL, NULL, &r);
	assert_int_equal(r.status, 410);
	reply_free(&r);
}

static void a_group_session_counts_seats(void **state)
{
	(void)state;
	struct reply r;
	const char *names[] = {"Ali", "Bea", "Cy", "Dee"};
	for (int i = 0; i < 4; i++) {
		char extra[128];
		snprintf(extra, sizeof(extra),
			 "\"client\": {\"first_name\": \"%s\", \"last_name\": \"Yoga\"}", names[i]);
		book(svc_group, ben, "2027-04-14T10:00:00+02:00", extra, &r);
		if (i < 3)
			assert_int_equal(r.status, 201);
		else
			assert_error(&r, 409, "session_full");
		reply_free(&r);
		if (i == 1) {
			/* with a seat left, 10:00 is still offered, 10:30 is not */
			availability(svc_group, ben, "2027-04-14", "2027-04-14", &r);
			const json_t *slots = fx_day_slots(r.json, "2027-04-14");
			int has10 = 0, has1030 = 0;
			for (size_t k = 0; k < json_array_size(slots); k++) {
				has10 |= !strcmp(fx_slot_start(slots, k), "2027-04-14T10:00:00+02:00");
				has1030 |= !strcmp(fx_slot_start(slots, k), "2027-04-14T10:30:00+02:00");
			}
			assert_true(has10);
			assert_false(has1030);
			reply_free(&r);
		}
	}
	/* one block, three seats */
	assert_int_equal(fx_int("SELECT seats_taken FROM blocks WHERE account_id = $1 AND capacity = 3",
				DB_ARGS(DB_INT(B.id))),
			 3);
}

static void no_preference_picks_a_free_person(void **state)
{
	(void)state;
	struct reply r;
	fx_provides(&B, svc_id, ben_id);
	char first[24] = "";
	for (int i = 0; i < 3; i++) {
		book(svc, "any", "2027-04-15T09:00:00+02:00", NULL, &r);
		if (i < 2) {
			assert_int_equal(r.status, 201);
			const char *who = json_path_str(r.json, "appointment", "staff");
			if (i == 0)
				snprintf(first, sizeof(first), "%s", who);
			else
				assert_string_not_equal(first, who);
		} else {
			assert_error(&r, 409, "slot_taken");
		}
		reply_free(&r);
	}
}

static void recurring_bookings_say_what_cannot_be_placed(void **state)
{
	(void)state;
	struct reply r;
	int64_t before =
		fx_int("SELECT count(*) FROM appointments WHERE account_id = $1", DB_ARGS(DB_INT(B.id)));
	/* the third Monday is taken already */
	book(svc, ana, "2027-05-03T16:00:00+02:00", NULL, &r);
	assert_int_equal(r.status, 201);
	reply_free(&r);
	const char *rep = "\"repeat\": {\"every_weeks\": 1, \"count\": 4}";
	char extra[256];
	snprintf(extra, sizeof(extra), "%s, \"dry_run\": true", rep);
	book(svc, ana, "2027-04-19T16:00:00+02:00", extra, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "placeable")), 3);
	const json_t *occ = json_object_get(r.json, "occurrences");
	assert_int_equal(json_array_size(occ), 4);
	assert_string_equal(json_string_value(json_object_get(json_array_get(occ, 2), "start")),
			    "2027-05-03T16:00:00+02:00");
	assert_false(json_is_true(json_object_get(json_array_get(occ, 2), "placeable")));
	reply_free(&r);
	book(svc, ana, "2027-04-19T16:00:00+02:00", rep, &r);
	assert_error(&r, 409, "occurrences_unavailable");
	assert_int_equal(json_array_size(json_object_get(r.json, "unplaced")), 1);
	reply_free(&r);
	assert_int_equal(
		fx_int("SELECT count(*) FROM appointments WHERE account_id = $1", DB_ARGS(DB_INT(B.id))),
		before + 1);
	snprintf(extra, sizeof(extra), "%s, \"accept_partial\": true", rep);
	book(svc, ana, "2027-04-19T16:00:00+02:00", extra, &r);
	assert_int_equal(r.status, 201);
	assert_int_equal(json_array_size(json_object_get(r.json, "appointments")), 3);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(r.json, "appointments"), 2), "start")),
			    "2027-05-10T16:00:00+02:00");
	reply_free(&r);
	book(svc, ana, "2027-04-19T16:00:00+02:00", "\"repeat\": {\"every_weeks\": 9, \"count\": 2}", &r);
	assert_error(&r, 400, "invalid_field");
	reply_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_day_lists_what_the_counter_would),
		cmocka_unit_test(a_booked_slot_is_taken),
		cmocka_unit_test(each_rule_says_why),
		cmocka_unit_test(bad_input_names_the_field),
		cmocka_unit_test(an_idempotency_key_answers_the_same),
		cmocka_unit_test(moves_cancels_and_versions),
		cmocka_unit_test(the_public_page_books),
		cmocka_unit_test(a_closed_or_deleted_page_takes_no_booking),
		cmocka_unit_test(a_group_session_counts_seats),
		cmocka_unit_test(no_preference_picks_a_free_person),
		cmocka_unit_test(recurring_bookings_say_what_cannot_be_placed),
	};
	return cmocka_run_group_tests(tests, setup, harness_teardown);
}
