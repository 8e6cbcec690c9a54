/* The demo set-up a new business starts with: typical services, staff, hours, fictitious
 * clients and a week of appointments, all flagged as demo data; never counted in the plan's
 * staff limit; gone, every row of it, after DELETE /api/v1/demo — except the demo staff member,
 * service and client the business's own appointments use, which stay as its own. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/clock.h"
#include "base/tz.h"
#include "harness.h"
#include "schedule/setup.h"

static const char *const demo_tables[] = {
	"appointment_answers", "appointments", "blocks", "service_questions", "service_staff", "staff_hours",
	"staff_exceptions",    "services",     "staff",	 "clients",	      "closed_days"};

static const char *addr(const char *who)
{
	static char out[8][128];
	static int n;
	char *a = out[n++ % 8];
	snprintf(a, 128, "%s-%d-%d-%s@demo-setup.example", who, n, (int)getpid(), harness_store_kind());
	return a;
}

/* Signs up a business of this type and plan. */
static void signup(const char *name, const char *type, const char *plan, struct session *s)
{
	char body[512];
	snprintf(
		body, sizeof(body),
		"{\"business_name\": \"%s\", \"email\": \"%s\", \"password\": \"Tres-Bon-Mot-2027\","
		" \"business_type\": \"%s\", \"plan\": \"%s\", \"accept_terms\": true, \"accept_dpa\": true}",
		name, addr(type), type, plan);
	const char *h[] = {harness_next_ip_header(), NULL};
	struct reply r;
	http_call(&H, "POST", "/api/v1/signup", body, h, &r);
	if (r.status != 201)
		fprintf(stderr, "sign-up %s: %ld %s\n", type, r.status, r.body);
	assert_int_equal(r.status, 201);
	assert_true(json_is_true(json_object_get(json_object_get(r.json, "account"), "has_demo")));
	session_from_reply(&r, s);
	reply_free(&r);
}

static int64_t count(const char *table, const char *account_pid, int is_demo)
{
	char sql[256];
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM %s t JOIN accounts a ON a.id = t.account_id WHERE a.public_id = $1 AND"
		 " t.is_demo = $2",
		 table);
	struct err e = {0};
	db_conn *c;
	int64_t n = -1;
	assert_int_equal(db_acquire(H.app->db, &c, &e), 0);
	assert_int_equal(db_query_int(c, sql, DB_ARGS(DB_TEXT(account_pid), DB_INT(is_demo)), &n, &e), 1);
	db_release(c);
	return n;
}

static int list_has_name(const json_t *list, const char *name)
{
	size_t i;
	json_t *v;
	json_array_foreach(list, i,
			   v) if (!strcmp(json_string_value(json_object_get(v, "name")), name)) return 1;
	return 0;
}

static void hair_salon_demo_then_cleared(void **state)
{
	(void)state;
	struct session s;
	signup("Salon Démo", "hair_salon", "optimum", &s);
	struct reply r;
	session_call(&H, &s, "GET", "/api/v1/services", NULL, &r);
	assert_int_equal(r.status, 200);
	json_t *svc = json_object_get(r.json, "services");
	assert_true(list_has_name(svc, "Coupe femme"));
	assert_true(list_has_name(svc, "Brushing"));
	assert_true(list_has_name(svc, "Coloration"));
	size_t i;
	json_t *v;
	json_array_foreach(svc, i, v)
	{
		assert_true(json_is_true(json_object_get(v, "is_demo")));
		assert_true(json_array_size(json_object_get(v, "staff")) >= 1);
	}
	reply_free(&r);

	session_call(&H, &s, "GET", "/api/v1/staff", NULL, &r);
	json_t *staff = json_object_get(r.json, "staff");
	assert_true(json_array_size(staff) >= 1 && json_array_size(staff) <= 3);
	char path[128];
	snprintf(path, sizeof(path), "/api/v1/staff/%s/hours",
		 json_path_str(json_array_get(staff, 0), "id", NULL));
	reply_free(&r);
	/* a salon: closed Monday, Tuesday 9:00-12:00 and 14:00-19:00 */
	session_call(&H, &s, "GET", path, NULL, &r);
	json_t *h = json_object_get(r.json, "hours");
	assert_int_equal(json_array_size(json_object_get(h, "mon")), 0);
	json_t *tue = json_object_get(h, "tue");
	assert_int_equal(json_array_size(tue), 2);
	assert_string_equal(json_string_value(json_array_get(json_array_get(tue, 0), 0)), "09:00");
	assert_string_equal(json_string_value(json_array_get(json_array_get(tue, 1), 1)), "19:00");
	reply_free(&r);

	/* a week of appointments, in the future, inside the salon's hours (local time), with clients */
	assert_true(count("clients", s.account_id, 1) >= 5);
	assert_true(count("appointments", s.account_id, 1) >= 10);
	assert_int_equal(count("appointments", s.account_id, 0), 0);
	struct err e = {0};
	db_conn *c;
	db_rows *rows;
	const struct tz *paris = tz_get("Europe/Paris", &e);
	assert_non_null(paris);
	int64_t now = clock_now(), first = INT64_MAX, last = 0;
	assert_int_equal(db_acquire(H.app->db, &c, &e), 0);
	assert_int_equal(db_query(c,
				  "SELECT p.starts_at, p.ends_at, p.client_id FROM appointments p JOIN "
				  "accounts a ON a.id ="
				  " p.account_id WHERE a.public_id = $1",
				  DB_ARGS(DB_TEXT(s.account_id)), &rows, &e),
			 0);
	while (db_rows_next(rows, &e) == 1) {
		int64_t st = db_rows_int(rows, 0), en = db_rows_int(rows, 1);
		struct civil a, b;
		tz_to_civil(paris, st, &a);
		tz_to_civil(paris, en, &b);
		int wd = tz_weekday(a.year, a.month, a.day);
		assert_true(wd >= 2 && wd <= 6); /* Tuesday..Saturday */
		int from = a.hour * 60 + a.minute, to = b.hour * 60 + b.minute;
		assert_true((from >= 540 && to <= 720) || (from >= 840 && to <= 1140));
		assert_false(db_rows_is_null(rows, 2));
		first = st < first ? st : first;
		last = st > last ? st : last;
	}
	db_rows_free(rows);
	db_release(c);
	assert_true(first > now);
	assert_true(last - first < 7 * 86400);
	assert_true(first - now < 8 * 86400);
	/* the first is on a Tuesday (Monday is closed): in the week after the next Monday */
	struct civil f;
	tz_to_civil(paris, first, &f);
	assert_int_equal(tz_weekday(f.year, f.month, f.day), 2);

	/* cleared: every demo row of every table */
	session_call(&H, &s, "DELETE", "/api/v1/demo", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_true(json_integer_value(json_object_get(r.json, "deleted")) > 20);
	reply_free(&r);
	for (size_t t = 0; t < sizeof(demo_tables) / sizeof(demo_tables[0]); t++)
		assert_int_equal(count(demo_tables[t], s.account_id, 1), 0);
	session_call(&H, &s, "GET", "/api/v1/services", NULL, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "services")), 0);
	reply_free(&r);
	session_call(&H, &s, "GET", "/api/v1/staff", NULL, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "staff")), 0);
	reply_free(&r);
	session_call(&H, &s, "GET", "/api/v1/me", NULL, &r);
	assert_true(json_is_false(json_object_get(json_object_get(r.json, "account"), "has_demo")));
	reply_free(&r);
}

/* The first free start in the coming fortnight of `service` with `staff`, as the back office
 * lists them. */
static void first_free_start(const struct session *s, const char *service, const char *staff, char out[64])
{
	char from[16], to[16], path[256];
	time_t a = (time_t)clock_now() + 86400, b = a + 14 * 86400;
	strftime(from, sizeof(from), "%Y-%m-%d", gmtime(&a));
	strftime(to, sizeof(to), "%Y-%m-%d", gmtime(&b));
	snprintf(path, sizeof(path), "/api/v1/availability?service=%s&staff=%s&from=%s&to=%s", service, staff,
		 from, to);
	struct reply r;
	session_call(&H, s, "GET", path, NULL, &r);
	assert_int_equal(r.status, 200);
	out[0] = 0;
	json_t *days = json_object_get(r.json, "days");
	for (size_t i = 0; i < json_array_size(days) && !out[0]; i++) {
		json_t *slots = json_object_get(json_array_get(days, i), "slots");
		if (json_array_size(slots))
			snprintf(out, 64, "%s",
				 json_string_value(json_object_get(json_array_get(slots, 0), "start")));
	}
	reply_free(&r);
	assert_true(out[0]);
}

static const char *named(const json_t *list, const char *name)
{
	size_t i;
	json_t *v;
	json_array_foreach(list, i, v) if (!strcmp(json_string_value(json_object_get(v, "name")),
						   name)) return json_string_value(json_object_get(v, "id"));
	return NULL;
}

/* A business tries Créneau with the sample staff and services and books two real
 * appointments with them, one for a sample client; clearing the demo then keeps those three
 * records as its own (hours and links included), so its appointments lose nothing. */
static void what_the_business_booked_with_the_demo_stays(void **state)
{
	(void)state;
	struct session s;
	struct reply r;
	signup("Salon Essai", "hair_salon", "optimum", &s);
	session_call(&H, &s, "GET", "/api/v1/services", NULL, &r);
	char svc[32], stf[32], stf_name[128], start[64], client[32], client_name[256], body[512];
	snprintf(svc, sizeof(svc), "%s", named(json_object_get(r.json, "services"), "Coupe femme"));
	reply_free(&r);
	session_call(&H, &s, "GET", "/api/v1/staff", NULL, &r);
	json_t *staff = json_object_get(r.json, "staff");
	assert_true(json_array_size(staff) >= 2); /* one stays, the others go */
	snprintf(stf, sizeof(stf), "%s", json_path_str(json_array_get(staff, 0), "id", NULL));
	snprintf(stf_name, sizeof(stf_name), "%s", json_path_str(json_array_get(staff, 0), "name", NULL));
	reply_free(&r);
	session_call(&H, &s, "GET", "/api/v1/clients", NULL, &r);
	json_t *one = json_array_get(json_object_get(r.json, "clients"), 0);
	snprintf(client, sizeof(client), "%s", json_path_str(one, "id", NULL));
	snprintf(client_name, sizeof(client_name), "%s %s", json_path_str(one, "first_name", NULL),
		 json_path_str(one, "last_name", NULL));
	reply_free(&r);

	char appt[2][32];
	for (int i = 0; i < 2; i++) {
		first_free_start(&s, svc, stf, start);
		snprintf(body, sizeof(body),
			 "{\"service\": \"%s\", \"staff\": \"%s\", \"start\": \"%s\", \"client\": %s}", svc,
			 stf, start,
			 i ? "{\"first_name\": \"Vraie\", \"last_name\": \"Cliente\", \"email\": "
			     "\"vraie@client.example\"}"
			   : "\"CLIENT\"");
		if (!i) { /* the sample client's id in place of CLIENT */
			char with[512];
			char *at = strstr(body, "CLIENT");
			snprintf(with, sizeof(with), "%.*s%s%s", (int)(at - body), body, client, at + 6);
			snprintf(body, sizeof(body), "%s", with);
		}
		session_call(&H, &s, "POST", "/api/v1/appointments", body, &r);
		if (r.status != 201)
			fprintf(stderr, "%s: %ld %s\n", body, r.status, r.body);
		assert_int_equal(r.status, 201);
		snprintf(appt[i], sizeof(appt[i]), "%s", json_path_str(r.json, "appointment", "id"));
		reply_free(&r);
	}

	session_call(&H, &s, "DELETE", "/api/v1/demo", NULL, &r);
	assert_int_equal(r.status, 200);
	json_t *kept = json_object_get(r.json, "kept");
	assert_int_equal(json_array_size(json_object_get(kept, "staff")), 1);
	assert_string_equal(json_string_value(json_array_get(json_object_get(kept, "staff"), 0)), stf_name);
	assert_int_equal(json_array_size(json_object_get(kept, "services")), 1);
	assert_string_equal(json_string_value(json_array_get(json_object_get(kept, "services"), 0)),
			    "Coupe femme");
	assert_int_equal(json_array_size(json_object_get(kept, "clients")), 1);
	assert_string_equal(json_string_value(json_array_get(json_object_get(kept, "clients"), 0)),
			    client_name);
	reply_free(&r);

	/* nothing of the demo is left; what was kept is the business's own and still works */
	for (size_t t = 0; t < sizeof(demo_tables) / sizeof(demo_tables[0]); t++)
		assert_int_equal(count(demo_tables[t], s.account_id, 1), 0);
	session_call(&H, &s, "GET", "/api/v1/services", NULL, &r);
	json_t *services = json_object_get(r.json, "services");
	assert_int_equal(json_array_size(services), 1);
	assert_true(json_is_false(json_object_get(json_array_get(services, 0), "is_demo")));
	assert_string_equal(
		json_string_value(json_array_get(json_object_get(json_array_get(services, 0), "staff"), 0)),
		stf);
	reply_free(&r);
	session_call(&H, &s, "GET", "/api/v1/staff", NULL, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "staff")), 1);
	reply_free(&r);
	char path[128];
	snprintf(path, sizeof(path), "/api/v1/staff/%s/hours", stf);
	session_call(&H, &s, "GET", path, NULL, &r);
	assert_int_equal(json_array_size(json_object_get(json_object_get(r.json, "hours"), "tue")), 2);
	reply_free(&r);
	first_free_start(&s, svc, stf, start); /* still bookable */
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "/api/v1/appointments/%s", appt[i]);
		session_call(&H, &s, "GET", path, NULL, &r);
		assert_int_equal(r.status, 200);
		assert_string_equal(json_path_str(r.json, "appointment", "status"), "booked");
		reply_free(&r);
	}
	session_call(&H, &s, "GET", "/api/v1/me", NULL, &r);
	assert_true(json_is_false(json_object_get(json_object_get(r.json, "account"), "has_demo")));
	reply_free(&r);
}

static void demo_staff_do_not_count_towards_the_plan(void **state)
{
	(void)state;
	struct session s;
	signup("Cabinet Démo", "physio", "essentiel", &s);
	struct reply r;
	session_call(&H, &s, "GET", "/api/v1/services", NULL, &r);
	assert_true(list_has_name(json_object_get(r.json, "services"), "Séance de kinésithérapie"));
	reply_free(&r);
	assert_true(count("staff", s.account_id, 1) >= 2); /* more than Essentiel's 1 */
	session_call(&H, &s, "POST", "/api/v1/staff", "{\"name\": \"Thomas Réel\"}", &r);
	assert_int_equal(r.status, 201);
	reply_free(&r);
	session_call(&H, &s, "POST", "/api/v1/staff", "{\"name\": \"Second Réel\"}", &r);
	assert_error(&r, 422, "plan_limit");
	reply_free(&r);
	/* clearing keeps the real one */
	session_call(&H, &s, "DELETE", "/api/v1/demo", NULL, &r);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	assert_int_equal(count("staff", s.account_id, 0), 1);
	assert_int_equal(count("staff", s.account_id, 1), 0);
}

static void every_business_type_gets_a_demo(void **state)
{
	(void)state;
	static const struct {
		const char *type, *service;
	} kinds[] = {
		{"beauty", "Manucure"},
		{"medical", "Consultation"},
		{"garage", "Vidange"},
		{"garage", "Contrôle technique"},
		{"coach", "Cours collectif de yoga"},
		{"town_hall", "Rendez-vous urbanisme"},
		{"other", "Rendez-vous"},
	};
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		struct session s;
		char name[64];
		snprintf(name, sizeof(name), "Démo %s %zu", kinds[i].type, i);
		signup(name, kinds[i].type, "pro", &s);
		struct reply r;
		session_call(&H, &s, "GET", "/api/v1/services", NULL, &r);
		if (!list_has_name(json_object_get(r.json, "services"), kinds[i].service))
			fprintf(stderr, "%s: %s\n", kinds[i].type, r.body);
		assert_true(list_has_name(json_object_get(r.json, "services"), kinds[i].service));
		reply_free(&r);
		assert_true(count("appointments", s.account_id, 1) > 0);
		assert_true(count("staff_hours", s.account_id, 1) > 0);
	}
}

static int setup(void **state)
{
	setup_register(); /* also done by app.c; registering twice is harmless */
	return harness_setup(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hair_salon_demo_then_cleared),
		cmocka_unit_test(what_the_business_booked_with_the_demo_stays),
		cmocka_unit_test(demo_staff_do_not_count_towards_the_plan),
		cmocka_unit_test(every_business_type_gets_a_demo),
	};
	return cmocka_run_group_tests_name("api/setup-demo", tests, setup, harness_teardown);
}
