/* A staff user sees and changes only their own agenda. The owner invites a person as staff
 * (the invitation mail reaches the real SMTP server), links them to the staff record of Ana,
 * and books for Ana and for Ben. The staff user lists only Ana's appointments (agenda and
 * changes feed), gets 404 for Ben's (read or change), may change their own but not hand it to
 * Ben, books only for themselves, and cannot change the set-up (403). The clock is Monday
 * 2027-04-05 08:00 in Paris (+02:00). */
#include <dirent.h>
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

#define GOOD_PASSWORD "Un mot de passe solide 42"

static struct biz B;
static char svc[24], ana[24], ben[24];
static int64_t ana_id, ben_id;

static int setup(void **state)
{
	harness_setup(state);
	fx_clock("2027-04-05T08:00:00+02:00");
	fx_business(&B, "Salon Agenda", "Europe/Paris");
	ana_id = fx_staff(&B, "Ana", ana);
	ben_id = fx_staff(&B, "Ben", ben);
	int64_t s = fx_service(&B, 60, 0, 0, 1, svc);
	fx_provides(&B, s, ana_id);
	fx_provides(&B, s, ben_id);
	fx_hours_all_week(&B, ana_id, 540, 1080);
	fx_hours_all_week(&B, ben_id, 540, 1080);
	return 0;
}

/* Books service svc for staff at start with session s; the new appointment's id in id. */
static void book(const struct session *s, const char *staff, const char *start, char id[32])
{
	char body[512];
	struct reply r;
	snprintf(body, sizeof(body),
		 "{\"service\": \"%s\", \"staff\": \"%s\", \"start\": \"%s\", \"client\": {\"first_name\": "
		 "\"Zoé\","
		 " \"last_name\": \"Roux\"}}",
		 svc, staff, start);
	session_call(&H, s, "POST", "/api/v1/appointments", body, &r);
	if (r.status != 201)
		fprintf(stderr, "book: %s\n", r.body);
	assert_int_equal(r.status, 201);
	assert_string_equal(json_path_str(r.json, "appointment", "staff"), staff);
	snprintf(id, 32, "%s", json_path_str(r.json, "appointment", "id"));
	reply_free(&r);
}

/* The ids of the "appointments" (or "changes") array of r, joined by spaces. */
static const char *ids_of(const struct reply *r, const char *key)
{
	static char out[1024];
	out[0] = '\0';
	const json_t *list = json_object_get(r->json, key);
	assert_true(json_is_array(list));
	for (size_t i = 0; i < json_array_size(list); i++) {
		const char *id = json_string_value(json_object_get(json_array_get(list, i), "id"));
		assert_non_null(id);
		size_t n = strlen(out);
		snprintf(out + n, sizeof(out) - n, "%s%s", n ? " " : "", id);
	}
	return out;
}

static void a_staff_user_sees_only_their_own_agenda(void **state)
{
	(void)state;
	struct reply r;
	char body[512], path[256];

	/* the owner invites a person as staff; they accept and are logged in */
	char email[128], uid[32], token[64];
	snprintf(email, sizeof(email), "ana-%d-%s@example.fr", (int)getpid(), harness_store_kind());
	snprintf(body, sizeof(body), "{\"email\": \"%s\", \"name\": \"Ana Lopez\", \"role\": \"staff\"}",
		 email);
	session_call(&H, &B.s, "POST", "/api/v1/users", body, &r);
	assert_int_equal(r.status, 201);
	snprintf(uid, sizeof(uid), "%s", json_path_str(r.json, "user", "id"));
	reply_free(&r);
	mail_link_token(email, "invitation", token);
	snprintf(body, sizeof(body), "{\"token\": \"%s\", \"password\": \"%s\"}", token, GOOD_PASSWORD);
	const char *h[] = {harness_next_ip_header(), NULL};
	http_call(&H, "POST", "/api/v1/invitations/accept", body, h, &r);
	assert_int_equal(r.status, 200);
	struct session staff;
	session_from_reply(&r, &staff);
	reply_free(&r);
	assert_string_equal(staff.user_id, uid);

	/* linked to Ana's record */
	snprintf(path, sizeof(path), "/api/v1/staff/%s", ana);
	snprintf(body, sizeof(body), "{\"user\": \"%s\"}", uid);
	session_call(&H, &B.s, "PATCH", path, body, &r);
	assert_int_equal(r.status, 200);
	reply_free(&r);

	/* the owner books one appointment for Ana and two for Ben */
	char a1[32], b1[32], b2[32];
	book(&B.s, ana, "2027-04-06T10:00:00+02:00", a1);
	book(&B.s, ben, "2027-04-06T10:00:00+02:00", b1);
	book(&B.s, ben, "2027-04-06T14:00:00+02:00", b2);

	/* the owner's agenda holds all three, the staff user's only Ana's */
	session_call(&H, &B.s, "GET", "/api/v1/appointments?from=2027-04-06&to=2027-04-06", NULL, &r);
	assert_int_equal(r.status, 200);
	const char *all = ids_of(&r, "appointments");
	assert_non_null(strstr(all, a1));
	assert_non_null(strstr(all, b1));
	assert_non_null(strstr(all, b2));
	reply_free(&r);
	session_call(&H, &staff, "GET", "/api/v1/appointments?from=2027-04-06&to=2027-04-06", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(ids_of(&r, "appointments"), a1);
	reply_free(&r);
	/* asking for Ben's agenda by name shows nothing of it */
	snprintf(path, sizeof(path), "/api/v1/appointments?from=2027-04-06&to=2027-04-06&staff=%s", ben);
	session_call(&H, &staff, "GET", path, NULL, &r);
	if (r.status == 200)
		assert_string_equal(ids_of(&r, "appointments"), "");
	else
		assert_error(&r, 404, "not_found");
	reply_free(&r);
	/* the changes feed too */
	session_call(&H, &staff, "GET", "/api/v1/appointments/changes?since=0", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(ids_of(&r, "changes"), a1);
	reply_free(&r);

	/* Ben's appointments do not exist for them */
	const char *bens[] = {b1, b2};
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "/api/v1/appointments/%s", bens[i]);
		session_call(&H, &staff, "GET", path, NULL, &r);
		assert_error(&r, 404, "not_found");
		reply_free(&r);
		session_call(&H, &staff, "PATCH", path, "{\"notes\": \"vu\"}", &r);
		assert_error(&r, 404, "not_found");
		reply_free(&r);
		session_call(&H, &staff, "PATCH", path, "{\"status\": \"cancelled\"}", &r);
		assert_error(&r, 404, "not_found");
		reply_free(&r);
	}
	/* and were not changed */
	assert_int_equal(fx_int("SELECT count(*) FROM appointments WHERE account_id = $1 AND staff_id = $2"
				" AND status = 'booked' AND notes = '' AND version = 1",
				DB_ARGS(DB_INT(B.id), DB_INT(ben_id))),
			 2);

	/* their own: notes and a move work */
	snprintf(path, sizeof(path), "/api/v1/appointments/%s", a1);
	session_call(&H, &staff, "PATCH", path, "{\"notes\": \"Apporter le dossier\"}", &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_path_str(r.json, "appointment", "notes"), "Apporter le dossier");
	reply_free(&r);
	session_call(&H, &staff, "PATCH", path, "{\"start\": \"2027-04-06T15:00:00+02:00\"}", &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_path_str(r.json, "appointment", "start"), "2027-04-06T15:00:00+02:00");
	assert_string_equal(json_path_str(r.json, "appointment", "staff"), ana);
	reply_free(&r);
	/* but not handed over to Ben */
	snprintf(body, sizeof(body), "{\"staff\": \"%s\"}", ben);
	session_call(&H, &staff, "PATCH", path, body, &r);
	assert_error(&r, 404, "not_found");
	reply_free(&r);
	session_call(&H, &staff, "GET", path, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_path_str(r.json, "appointment", "staff"), ana);
	reply_free(&r);

	/* they book for themselves, never for Ben */
	char a2[32];
	book(&staff, ana, "2027-04-07T09:00:00+02:00", a2);
	snprintf(body, sizeof(body),
		 "{\"service\": \"%s\", \"staff\": \"%s\", \"start\": \"2027-04-07T09:00:00+02:00\", "
		 "\"client\":"
		 " {\"first_name\": \"Zoé\", \"last_name\": \"Roux\"}}",
		 svc, ben);
	session_call(&H, &staff, "POST", "/api/v1/appointments", body, &r);
	assert_true(r.status >= 400 && r.status < 500);
	reply_free(&r);
	assert_int_equal(fx_int("SELECT count(*) FROM appointments WHERE account_id = $1 AND staff_id = $2",
				DB_ARGS(DB_INT(B.id), DB_INT(ben_id))),
			 2);

	/* and change no set-up */
	int64_t services =
		fx_int("SELECT count(*) FROM services WHERE account_id = $1", DB_ARGS(DB_INT(B.id)));
	snprintf(body, sizeof(body), "{\"name\": \"Coupe\", \"duration_min\": 30}");
	session_call(&H, &staff, "POST", "/api/v1/services", body, &r);
	assert_error(&r, 403, "forbidden");
	reply_free(&r);
	assert_int_equal(fx_int("SELECT count(*) FROM services WHERE account_id = $1", DB_ARGS(DB_INT(B.id))),
			 services);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_staff_user_sees_only_their_own_agenda),
	};
	return cmocka_run_group_tests(tests, setup, harness_teardown);
}
