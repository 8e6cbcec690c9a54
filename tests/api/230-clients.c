/* Clients through the API: phone numbers in E.164 (French by default), e-mail checks,
 * duplicates, accent-free search, paging, history, the export of everything held about one
 * client, erasure, the three-year anonymisation job, and who may do what. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "db/db.h"
#include "harness.h"
#include "schedule/clients.h"

#define GOOD_PASSWORD "correct horse battery staple 42"

/* 2027-03-01T09:00:00Z, a Monday; Paris is at UTC+1 until 2027-03-28 */
#define T0  INT64_C(1803891600)
#define DAY INT64_C(86400)

/* POSTs a client and returns its public id in id (when id is not NULL); fails unless 201. */
static void create(const struct session *s, const char *body, char id[32], struct reply *keep)
{
	struct reply r;
	session_call(&H, s, "POST", "/api/v1/clients", body, &r);
	if (r.status != 201)
		fprintf(stderr, "create %s: %s\n", body, r.body);
	assert_int_equal(r.status, 201);
	if (id)
		snprintf(id, 32, "%s", json_path_str(r.json, "client", "id"));
	if (keep)
		*keep = r;
	else
		reply_free(&r);
}

static void set_clock(int64_t t)
{
	char body[96], when[64];
	struct reply r;
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(body, sizeof(body), "{\"set\": \"%s\"}", when);
	http_call(&H, "POST", "/api/v1/test/clock", body, NULL, &r);
	assert_int_equal(r.status, 200);
	reply_free(&r);
}

static void advance_to(int64_t t)
{
	char body[96], when[64];
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(body, sizeof(body), "{\"advance_to\": \"%s\"}", when);
	struct reply r;
	http_call(&H, "POST", "/api/v1/test/clock", body, NULL, &r);
	if (r.status != 200)
		fprintf(stderr, "advance: %s\n", r.body);
	assert_int_equal(r.status, 200);
	reply_free(&r);
}

/* The number of clients a search finds (one page of 200). */
static size_t found(const struct session *s, const char *q_encoded)
{
	char path[256];
	snprintf(path, sizeof(path), "/api/v1/clients?q=%s", q_encoded);
	struct reply r;
	session_call(&H, s, "GET", path, NULL, &r);
	assert_int_equal(r.status, 200);
	size_t n = json_array_size(json_object_get(r.json, "clients"));
	reply_free(&r);
	return n;
}

static void create_normalises_and_refuses_bad_input(void **state)
{
	(void)state;
	struct session s;
	harness_business(&H, "Cabinet Normal", &s);
	struct reply r;
	create(&s,
	       "{\"first_name\": \"Élodie\", \"last_name\": \"Martin\", \"email\": "
	       "\"Elodie.Martin@Example.FR\", "
	       "\"phone\": \"06 12 34 56 78\", \"notes\": \"allergique au latex\"}",
	       NULL, &r);
	json_t *c = json_object_get(r.json, "client");
	assert_string_equal(json_string_value(json_object_get(c, "phone")), "+33612345678");
	assert_string_equal(json_string_value(json_object_get(c, "email")), "elodie.martin@example.fr");
	assert_string_equal(json_string_value(json_object_get(c, "first_name")), "Élodie");
	assert_true(json_is_true(json_object_get(c, "consent_email")));
	assert_true(json_is_false(json_object_get(c, "consent_sms")));
	assert_int_equal(json_integer_value(json_object_get(c, "no_show_count")), 0);
	assert_int_equal(strncmp(json_string_value(json_object_get(c, "id")), "cli_", 4), 0);
	reply_free(&r);

	/* an international number is kept in its own country */
	create(&s, "{\"last_name\": \"Smith\", \"phone\": \"+1 212 736 5000\"}", NULL, &r);
	assert_string_equal(json_path_str(r.json, "client", "phone"), "+12127365000");
	reply_free(&r);

	static const struct {
		const char *body;
		const char *code, *field;
	} bad[] = {
		{"{\"last_name\": \"X\", \"phone\": \"06 12\"}", "invalid_phone", "phone"},
		{"{\"last_name\": \"X\", \"phone\": \"not a number\"}", "invalid_phone", "phone"},
		{"{\"last_name\": \"X\", \"phone\": \"+999 1234 5678\"}", "invalid_phone", "phone"},
		{"{\"last_name\": \"X\", \"email\": \"no-at-sign.example.fr\"}", "invalid_email", "email"},
		{"{\"last_name\": \"X\", \"email\": \"a@b@c.fr\"}", "invalid_email", "email"},
		{"{\"notes\": \"nobody\"}", "missing_field", "last_name"},
		{"{}", "missing_field", "last_name"},
		{"{\"last_name\": \"X\", \"nickname\": \"Y\"}", "unknown_field", "nickname"},
		{"{\"last_name\": 12}", "invalid_field", "last_name"},
		{"{\"last_name\": \"X\", \"consent_sms\": \"yes\"}", "invalid_field", "consent_sms"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		session_call(&H, &s, "POST", "/api/v1/clients", bad[i].body, &r);
		assert_error(&r, 400, bad[i].code);
		assert_string_equal(json_path_str(r.json, "error", "field"), bad[i].field);
		reply_free(&r);
	}
	/* notes of 4001 bytes */
	static char big[4100];
	int n = snprintf(big, sizeof(big), "{\"last_name\": \"X\", \"notes\": \"");
	memset(big + n, 'a', 4001);
	snprintf(big + n + 4001, sizeof(big) - (size_t)n - 4001, "\"}");
	session_call(&H, &s, "POST", "/api/v1/clients", big, &r);
	assert_error(&r, 400, "invalid_field");
	assert_string_equal(json_path_str(r.json, "error", "field"), "notes");
	reply_free(&r);
}

static void duplicates_are_refused_with_the_existing_id(void **state)
{
	(void)state;
	struct session s;
	harness_business(&H, "Cabinet Doublon", &s);
	char id[32];
	create(&s,
	       "{\"last_name\": \"Durand\", \"email\": \"paul@durand.example\", \"phone\": \"0781234567\"}",
	       id, NULL);
	struct reply r;
	session_call(&H, &s, "POST", "/api/v1/clients",
		     "{\"last_name\": \"Autre\", \"email\": \"PAUL@durand.example\"}", &r);
	assert_error(&r, 409, "duplicate_client");
	assert_string_equal(json_path_str(r.json, "error", "field"), "email");
	assert_non_null(strstr(json_path_str(r.json, "error", "message"), id));
	reply_free(&r);
	/* the same number written another way */
	session_call(&H, &s, "POST", "/api/v1/clients",
		     "{\"last_name\": \"Autre\", \"phone\": \"+33 7 81 23 45 67\"}", &r);
	assert_error(&r, 409, "duplicate_client");
	assert_string_equal(json_path_str(r.json, "error", "field"), "phone");
	reply_free(&r);
	/* a PATCH that would take another client's address */
	char other[32], path[64];
	create(&s, "{\"last_name\": \"Bernard\"}", other, NULL);
	snprintf(path, sizeof(path), "/api/v1/clients/%s", other);
	session_call(&H, &s, "PATCH", path, "{\"email\": \"paul@durand.example\"}", &r);
	assert_error(&r, 409, "duplicate_client");
	reply_free(&r);
	/* a PATCH of its own fields */
	session_call(&H, &s, "PATCH", path,
		     "{\"first_name\": \"Anne\", \"phone\": \"01 42 68 53 00\", \"consent_sms\": true}", &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_path_str(r.json, "client", "first_name"), "Anne");
	assert_string_equal(json_path_str(r.json, "client", "last_name"), "Bernard");
	assert_string_equal(json_path_str(r.json, "client", "phone"), "+33142685300");
	assert_true(json_is_true(json_object_get(json_object_get(r.json, "client"), "consent_sms")));
	reply_free(&r);
	session_call(&H, &s, "PATCH", path, "{\"phone\": \"12\"}", &r);
	assert_error(&r, 400, "invalid_phone");
	reply_free(&r);
	/* emptying every way to know who it is */
	session_call(&H, &s, "PATCH", path, "{\"first_name\": \"\", \"last_name\": \"\", \"phone\": \"\"}",
		     &r);
	assert_error(&r, 400, "missing_field");
	reply_free(&r);
}

static void search_ignores_accents_and_case(void **state)
{
	(void)state;
	struct session s;
	harness_business(&H, "Cabinet Recherche", &s);
	create(&s, "{\"first_name\": \"Élodie\", \"last_name\": \"Durand\", \"phone\": \"06 12 34 56 78\"}",
	       NULL, NULL);
	create(&s, "{\"first_name\": \"Marc\", \"last_name\": \"Lefèvre\", \"email\": \"marc@exemple.fr\"}",
	       NULL, NULL);
	create(&s, "{\"first_name\": \"Chloé\", \"last_name\": \"Éloi\", \"phone\": \"+44 20 7219 3000\"}",
	       NULL, NULL);
	assert_int_equal(found(&s, "elodie"), 1);
	assert_int_equal(found(&s, "%C3%89LODIE"), 1); /* ÉLODIE */
	assert_int_equal(found(&s, "%C3%89LO"), 2);    /* ÉLO: Élodie and Éloi */
	assert_int_equal(found(&s, "lefevre"), 1);
	assert_int_equal(found(&s, "LEF%C3%88VRE"), 1);	   /* LEFÈVRE */
	assert_int_equal(found(&s, "elodie%20durand"), 1); /* every word must match */
	assert_int_equal(found(&s, "elodie%20lefevre"), 0);
	assert_int_equal(found(&s, "0612"), 1);	    /* as dialled in France */
	assert_int_equal(found(&s, "%2B33612"), 1); /* +33612 */
	assert_int_equal(found(&s, "06.12.34"), 1);
	assert_int_equal(found(&s, "2072193000"), 1); /* the London number, nationally */
	assert_int_equal(found(&s, "exemple.fr"), 1);
	assert_int_equal(found(&s, "%25"), 0); /* % is a character, not a wildcard */
	assert_int_equal(found(&s, "_"), 0);
	assert_int_equal(found(&s, "zzz"), 0);
	assert_int_equal(found(&s, ""), 3);
	struct reply r;
	char q[200];
	memset(q, 'a', 150);
	q[150] = '\0';
	char path[256];
	snprintf(path, sizeof(path), "/api/v1/clients?q=%s", q);
	session_call(&H, &s, "GET", path, NULL, &r);
	assert_error(&r, 400, "invalid_field");
	reply_free(&r);
}

static void paging_with_a_cursor(void **state)
{
	(void)state;
	struct session s;
	harness_business(&H, "Cabinet Pages", &s);
	char ids[5][32];
	for (int i = 0; i < 5; i++) {
		char body[96];
		snprintf(body, sizeof(body), "{\"last_name\": \"Client %d\"}", i);
		create(&s, body, ids[i], NULL);
	}
	char seen[5][32];
	int nseen = 0, pages = 0;
	char cursor[32] = "";
	for (;;) {
		char path[128];
		snprintf(path, sizeof(path), "/api/v1/clients?limit=2%s%s", cursor[0] ? "&cursor=" : "",
			 cursor);
		struct reply r;
		session_call(&H, &s, "GET", path, NULL, &r);
		assert_int_equal(r.status, 200);
		json_t *list = json_object_get(r.json, "clients");
		assert_true(json_array_size(list) <= 2);
		for (size_t i = 0; i < json_array_size(list); i++) {
			assert_true(nseen < 5);
			snprintf(seen[nseen++], 32, "%s",
				 json_string_value(json_object_get(json_array_get(list, i), "id")));
		}
		pages++;
		json_t *next = json_object_get(r.json, "next_cursor");
		if (json_is_null(next)) {
			reply_free(&r);
			break;
		}
		snprintf(cursor, sizeof(cursor), "%s", json_string_value(next));
		reply_free(&r);
		assert_true(pages < 10);
	}
	assert_int_equal(pages, 3);
	assert_int_equal(nseen, 5);
	/* newest first, each once */
	for (int i = 0; i < 5; i++)
		assert_string_equal(seen[i], ids[4 - i]);
	struct reply r;
	session_call(&H, &s, "GET", "/api/v1/clients?limit=0", NULL, &r);
	assert_error(&r, 400, "invalid_field");
	reply_free(&r);
	session_call(&H, &s, "GET", "/api/v1/clients?limit=2&cursor=cli_doesnotexist", NULL, &r);
	assert_error(&r, 400, "invalid_field");
	reply_free(&r);
}

/* ---- history, export, erasure: appointments written straight into the store ---- */

static int64_t account_row_id(const struct session *s)
{
	db_conn *c;
	struct err e = {0};
	int64_t id = 0;
	assert_int_equal(db_acquire(H.app->db, &c, &e), 0);
	assert_int_equal(db_query_int(c, "SELECT id FROM accounts WHERE public_id = $1",
				      DB_ARGS(DB_TEXT(s->account_id)), &id, &e),
			 1);
	db_release(c);
	return id;
}

/* A staff member "Julie Coiffeuse", a service "Coupe Zénith" with a question, and three
 * appointments of the client: a past one done, a past no-show, an upcoming one with an answer. */
static void add_history(int64_t account, const char *client_public_id, int64_t base)
{
	static int serial;
	char staff_pid[48], service_pid[48], question_pid[48];
	serial++;
	snprintf(staff_pid, sizeof(staff_pid), "stf_t%d_%d_%s", serial, (int)getpid(), harness_store_kind());
	snprintf(service_pid, sizeof(service_pid), "svc_t%d_%d_%s", serial, (int)getpid(),
		 harness_store_kind());
	snprintf(question_pid, sizeof(question_pid), "q_t%d_%d_%s", serial, (int)getpid(),
		 harness_store_kind());
	db_conn *c;
	struct err e = {0};
	assert_int_equal(db_acquire(H.app->db, &c, &e), 0);
	assert_int_equal(db_begin(c, &e), 0);
	int64_t client = 0, staff = 0, service = 0, question = 0;
	assert_int_equal(db_query_int(c, "SELECT id FROM clients WHERE account_id = $1 AND public_id = $2",
				      DB_ARGS(DB_INT(account), DB_TEXT(client_public_id)), &client, &e),
			 1);
	assert_int_equal(
		db_query_int(c,
			     "INSERT INTO staff (account_id, public_id, name, created_at, updated_at) "
			     "VALUES ($1, $2, 'Julie Coiffeuse', $3, $3) RETURNING id",
			     DB_ARGS(DB_INT(account), DB_TEXT(staff_pid), DB_INT(T0)), &staff, &e),
		1);
	assert_int_equal(
		db_query_int(c,
			     "INSERT INTO services (account_id, public_id, name, duration_min, created_at, "
			     "updated_at) VALUES ($1, $2, 'Coupe Zénith', 30, $3, $3) RETURNING id",
			     DB_ARGS(DB_INT(account), DB_TEXT(service_pid), DB_INT(T0)), &service, &e),
		1);
	assert_int_equal(
		db_query_int(c,
			     "INSERT INTO service_questions (account_id, service_id, public_id, label, kind) "
			     "VALUES ($1, $2, $3, 'Longueur des cheveux ?', 'text') RETURNING id",
			     DB_ARGS(DB_INT(account), DB_INT(service), DB_TEXT(question_pid)), &question, &e),
		1);
	static const struct {
		int64_t at;
		const char *status, *notes;
	} appts[] = {
		{-20 * DAY, "done", "teinture châtain secret"},
		{-10 * DAY, "no_show", ""},
		{9 * DAY, "booked", ""}, /* from T0: 2027-03-10T09:00Z = 10:00 in Paris */
	};
	for (int i = 0; i < 3; i++) {
		int64_t block = 0, appt = 0;
		assert_int_equal(
			db_query_int(c,
				     "INSERT INTO blocks (account_id, staff_id, service_id, blocked_from, "
				     "blocked_to, capacity, seats_taken) VALUES ($1, $2, $3, $4, $5, 1, 1) "
				     "RETURNING id",
				     DB_ARGS(DB_INT(account), DB_INT(staff), DB_INT(service),
					     DB_INT((base + appts[i].at)),
					     DB_INT((base + appts[i].at) + 1800)),
				     &block, &e),
			1);
		char pid[32];
		snprintf(pid, sizeof(pid), "apt_%d_%d_%s", i, (int)getpid(), client_public_id + 4);
		assert_int_equal(
			db_query_int(c,
				     "INSERT INTO appointments (account_id, public_id, block_id, service_id, "
				     "staff_id, client_id, starts_at, ends_at, status, notes, created_at, "
				     "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) "
				     "RETURNING id",
				     DB_ARGS(DB_INT(account), DB_TEXT(pid), DB_INT(block), DB_INT(service),
					     DB_INT(staff), DB_INT(client), DB_INT((base + appts[i].at)),
					     DB_INT((base + appts[i].at) + 1800), DB_TEXT(appts[i].status),
					     DB_TEXT(appts[i].notes), DB_INT(base - 30 * DAY)),
				     &appt, &e),
			1);
		if (i == 2)
			assert_int_equal(
				db_exec(c,
					"INSERT INTO appointment_answers (account_id, appointment_id, "
					"question_id, answer) VALUES ($1, $2, $3, 'mi-longs, frange "
					"Zoubida')",
					DB_ARGS(DB_INT(account), DB_INT(appt), DB_INT(question)), &e),
				1);
		assert_int_equal(clients_note_appointment(c, account, client, (base + appts[i].at), &e), 0);
	}
	assert_int_equal(db_commit(c, &e), 0);
	db_release(c);
}

static void history_export_and_erasure(void **state)
{
	(void)state;
	set_clock(T0);
	struct session s, stranger;
	harness_business(&H, "Salon Historique", &s);
	harness_business(&H, "Salon Voisin", &stranger);
	char id[32], path[96], export_path[112];
	create(&s,
	       "{\"first_name\": \"Zoé\", \"last_name\": \"Quintard\", \"email\": "
	       "\"zoe.quintard@exemple.fr\", "
	       "\"phone\": \"06 98 76 54 32\", \"notes\": \"préfère le matin\"}",
	       id, NULL);
	add_history(account_row_id(&s), id, T0);
	snprintf(path, sizeof(path), "/api/v1/clients/%s", id);
	snprintf(export_path, sizeof(export_path), "/api/v1/clients/%s/export", id);

	struct reply r;
	session_call(&H, &s, "GET", path, NULL, &r);
	assert_int_equal(r.status, 200);
	json_t *c = json_object_get(r.json, "client");
	assert_int_equal(json_integer_value(json_object_get(c, "no_show_count")), 1);
	json_t *up = json_object_get(c, "upcoming"), *past = json_object_get(c, "past");
	assert_int_equal(json_array_size(up), 1);
	assert_int_equal(json_array_size(past), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(up, 0), "starts_at")),
			    "2027-03-10T10:00:00+01:00");
	assert_string_equal(json_string_value(json_object_get(json_array_get(up, 0), "service")),
			    "Coupe Zénith");
	assert_string_equal(json_string_value(json_object_get(json_array_get(up, 0), "staff")),
			    "Julie Coiffeuse");
	/* latest first: the no-show of 2027-02-19, then the cut of 2027-02-09 */
	assert_string_equal(json_string_value(json_object_get(json_array_get(past, 0), "status")), "no_show");
	assert_string_equal(json_string_value(json_object_get(json_array_get(past, 1), "status")), "done");
	assert_string_equal(json_string_value(json_object_get(c, "last_appointment_at")),
			    "2027-03-10T10:00:00+01:00");
	reply_free(&r);

	/* the export holds everything: profile, appointments with names, answers */
	session_call(&H, &s, "GET", export_path, NULL, &r);
	assert_int_equal(r.status, 200);
	static const char *const held[] = {"Zoé",
					   "Quintard",
					   "zoe.quintard@exemple.fr",
					   "+33698765432",
					   "préfère le matin",
					   "teinture châtain secret",
					   "mi-longs, frange Zoubida",
					   "Longueur des cheveux ?",
					   "Coupe Zénith",
					   "Julie Coiffeuse",
					   NULL};
	for (int i = 0; held[i]; i++)
		if (!strstr(r.body, held[i]))
			fail_msg("the export lacks \"%s\": %s", held[i], r.body);
	assert_int_equal(json_array_size(json_object_get(r.json, "appointments")), 3);
	reply_free(&r);

	/* another business sees none of it */
	static const char *const methods[] = {"GET", "PATCH", "DELETE"};
	for (int i = 0; i < 3; i++) {
		session_call(&H, &stranger, methods[i], path, i == 1 ? "{\"notes\": \"x\"}" : NULL, &r);
		assert_error(&r, 404, "not_found");
		reply_free(&r);
	}
	session_call(&H, &stranger, "GET", export_path, NULL, &r);
	assert_error(&r, 404, "not_found");
	reply_free(&r);

	/* erasure */
	session_call(&H, &s, "DELETE", path, NULL, &r);
	assert_int_equal(r.status, 204);
	reply_free(&r);
	session_call(&H, &s, "GET", export_path, NULL, &r);
	assert_int_equal(r.status, 200);
	static const char *const gone[] = {"Zoé",     "Quintard", "zoe",     "698765432", "0698",
					   "préfère", "teinture", "Zoubida", NULL};
	for (int i = 0; gone[i]; i++)
		if (strstr(r.body, gone[i]))
			fail_msg("the export after erasure still holds \"%s\": %s", gone[i], r.body);
	/* the appointments stay, with their times, for the business's history */
	json_t *appts = json_object_get(r.json, "appointments");
	assert_int_equal(json_array_size(appts), 3);
	assert_non_null(strstr(r.body, "Coupe Zénith"));
	assert_non_null(json_object_get(json_object_get(r.json, "client"), "anonymised_at"));
	assert_false(json_is_null(json_object_get(json_object_get(r.json, "client"), "anonymised_at")));
	reply_free(&r);
	session_call(&H, &s, "GET", path, NULL, &r);
	assert_string_equal(json_path_str(r.json, "client", "last_name"), "Client effacé");
	reply_free(&r);
	/* not found by search any more, and not editable; erasing again is harmless */
	assert_int_equal(found(&s, "quintard"), 0);
	assert_int_equal(found(&s, "0698"), 0);
	session_call(&H, &s, "PATCH", path, "{\"notes\": \"retour\"}", &r);
	assert_error(&r, 409, "client_erased");
	reply_free(&r);
	session_call(&H, &s, "DELETE", path, NULL, &r);
	assert_int_equal(r.status, 204);
	reply_free(&r);
	/* the same address may be used by a new client now */
	create(&s, "{\"last_name\": \"Quintard\", \"email\": \"zoe.quintard@exemple.fr\"}", NULL, NULL);
}

/* ---- roles and states ---- */

static void staff_reads_but_does_not_erase(void **state)
{
	(void)state;
	struct session owner, staff;
	harness_business(&H, "Salon Equipe", &owner);
	const char *email = harness_addr("staff");
	char body[300], token[64];
	struct reply r;
	snprintf(body, sizeof(body), "{\"email\": \"%s\", \"name\": \"Léa\", \"role\": \"staff\"}", email);
	session_call(&H, &owner, "POST", "/api/v1/users", body, &r);
	assert_int_equal(r.status, 201);
	reply_free(&r);
	mail_link_token(email, "invitation", token);
	snprintf(body, sizeof(body), "{\"token\": \"%s\", \"password\": \"%s\"}", token, GOOD_PASSWORD);
	const char *h[] = {harness_next_ip_header(), NULL};
	http_call(&H, "POST", "/api/v1/invitations/accept", body, h, &r);
	assert_int_equal(r.status, 200);
	session_from_reply(&r, &staff);
	reply_free(&r);

	char id[32], path[96];
	create(&owner, "{\"first_name\": \"Hélène\", \"last_name\": \"Roux\"}", id, NULL);
	snprintf(path, sizeof(path), "/api/v1/clients/%s", id);
	session_call(&H, &staff, "GET", "/api/v1/clients", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "clients")), 1);
	reply_free(&r);
	session_call(&H, &staff, "GET", path, NULL, &r);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	session_call(&H, &staff, "DELETE", path, NULL, &r);
	assert_error(&r, 403, "forbidden");
	reply_free(&r);
	session_call(&H, &owner, "GET", path, NULL, &r);
	assert_string_equal(json_path_str(r.json, "client", "last_name"), "Roux");
	reply_free(&r);

	/* a frozen account still gives its clients' data out (right of access), and refuses writes */
	test_account_state(owner.slug, "frozen", NULL);
	char export_path[112];
	snprintf(export_path, sizeof(export_path), "%s/export", path);
	session_call(&H, &owner, "GET", export_path, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "Hélène"));
	reply_free(&r);
	session_call(&H, &owner, "POST", "/api/v1/clients", "{\"last_name\": \"Neuf\"}", &r);
	assert_int_equal(r.status, 403);
	reply_free(&r);
}

/* ---- the three-year anonymisation (last: it moves the clock years ahead) ---- */

/* The stored email of a client and whether it is anonymised (read from the store: after
 * years of test clock the sessions are long expired). */
static void stored(const char *public_id, char email[256], int *anonymised)
{
	db_conn *c;
	struct err e = {0};
	db_rows *r;
	assert_int_equal(db_acquire(H.app->db, &c, &e), 0);
	assert_int_equal(db_query(c,
				  "SELECT email, anonymised_at, last_name FROM clients WHERE public_id = $1",
				  DB_ARGS(DB_TEXT(public_id)), &r, &e),
			 0);
	assert_int_equal(db_rows_next(r, &e), 1);
	snprintf(email, 256, "%s", db_rows_text(r, 0));
	*anonymised = !db_rows_is_null(r, 1);
	if (*anonymised)
		assert_string_equal(db_rows_text(r, 2), "Client effacé");
	db_rows_free(r);
	db_release(c);
}

/* A client made the way a booking page makes one, in its own transaction; its public id. */
static void booked_client(int64_t account, const char *first, const char *email, const char *phone,
			  char id[32])
{
	db_conn *c;
	struct err e = {0};
	int64_t cid = 0;
	assert_int_equal(db_acquire(H.app->db, &c, &e), 0);
	assert_int_equal(db_begin(c, &e), 0);
	if (clients_find_or_create(c, account, first, "Cliente", email, phone, T0 + 2 * 365 * DAY, &cid, &e))
		fail_msg("find_or_create: %s", e.message);
	assert_int_equal(db_commit(c, &e), 0);
	db_rows *r;
	assert_int_equal(db_query(c, "SELECT public_id FROM clients WHERE account_id = $1 AND id = $2",
				  DB_ARGS(DB_INT(account), DB_INT(cid)), &r, &e),
			 0);
	assert_int_equal(db_rows_next(r, &e), 1);
	snprintf(id, 32, "%s", db_rows_text(r, 0));
	db_rows_free(r);
	db_release(c);
}

static void clients_without_appointments_for_three_years_are_anonymised(void **state)
{
	(void)state;
	set_clock(T0);
	struct err e = {0};
	assert_int_equal(clients_schedule_jobs(H.app->db, T0, &e), 0);
	struct session s;
	harness_business(&H, "Cabinet Ancien", &s);
	/* a paying business: a trial left alone would be frozen, then deleted, long before */
	test_account_state(s.slug, "active", NULL);
	int64_t account = account_row_id(&s);
	char old_id[32], recent_id[32], booked_id[32], again_id[32], email[256];
	int anonymised;
	create(&s,
	       "{\"first_name\": \"Ancienne\", \"last_name\": \"Cliente\", \"email\": "
	       "\"ancienne@exemple.fr\"}",
	       old_id, NULL);
	create(&s, "{\"first_name\": \"Fidèle\", \"last_name\": \"Cliente\", \"phone\": \"06 11 22 33 44\"}",
	       booked_id, NULL);
	/* two years on, a new client books; the second old one books again (found by phone) */
	advance_to(T0 + 2 * 365 * DAY);
	booked_client(account, "Nouvelle", "Nouvelle@Exemple.fr", "", recent_id);
	booked_client(account, "Fidèle", "fidele@exemple.fr", "+33 6 11 22 33 44", again_id);
	assert_string_equal(again_id, booked_id);
	add_history(account, booked_id, T0 + 2 * 365 * DAY);
	/* the same client again by email: no new row */
	booked_client(account, "", "FIDELE@exemple.fr", "", again_id);
	assert_string_equal(again_id, booked_id);
	/* just before three years: nobody is anonymised yet */
	advance_to(T0 + 3 * 365 * DAY - DAY);
	stored(old_id, email, &anonymised);
	assert_string_equal(email, "ancienne@exemple.fr");
	assert_false(anonymised);
	/* three years and a few days after its creation, the old client is anonymised */
	advance_to(T0 + 3 * 365 * DAY + 3 * DAY);
	stored(old_id, email, &anonymised);
	assert_true(anonymised);
	assert_string_equal(email, "");
	stored(recent_id, email, &anonymised);
	assert_false(anonymised);
	assert_string_equal(email, "nouvelle@exemple.fr");
	stored(booked_id, email, &anonymised);
	assert_false(anonymised);
	assert_string_equal(email, "fidele@exemple.fr"); /* filled in from the booking */
}

int main(void)
{
	clients_register();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(create_normalises_and_refuses_bad_input),
		cmocka_unit_test(duplicates_are_refused_with_the_existing_id),
		cmocka_unit_test(search_ignores_accents_and_case),
		cmocka_unit_test(paging_with_a_cursor),
		cmocka_unit_test(history_export_and_erasure),
		cmocka_unit_test(staff_reads_but_does_not_erase),
		cmocka_unit_test(clients_without_appointments_for_three_years_are_anonymised),
	};
	return cmocka_run_group_tests_name("api/clients", tests, harness_setup, harness_teardown);
}
