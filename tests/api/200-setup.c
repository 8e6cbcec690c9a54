/* The scheduling set-up through the API: services, staff, weekly hours, date exceptions,
 * closed days with France's public holidays, and the account's booking rules. Bad input is
 * answered 400 naming the field; another account's ids 404; the plan's staff limit 422; a
 * staff user cannot change the set-up; a change of hours lists the appointments it leaves
 * outside them. Expected values are worked out by hand (dates and instants checked with
 * Python's zoneinfo), never copied from the code's output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "account/account.h"
#include "base/clock.h"
#include "harness.h"
#include "schedule/setup.h"

static const char *addr(const char *who)
{
	static char out[8][128];
	static int n;
	char *a = out[n++ % 8];
	snprintf(a, 128, "%s-%d-%s@setup-test.example", who, (int)getpid(), harness_store_kind());
	return a;
}

/* A call that must answer `status`; the reply is the caller's. */
static void expect(const struct session *s, const char *method, const char *path, const char *body,
		   long status, struct reply *r)
{
	session_call(&H, s, method, path, body, r);
	if (r->status != status)
		fprintf(stderr, "%s %s %s: %ld %s\n", method, path, body ? body : "", r->status, r->body);
	assert_int_equal(r->status, status);
}

static void expect_error(const struct session *s, const char *method, const char *path, const char *body,
			 long status, const char *code, const char *field)
{
	struct reply r;
	session_call(&H, s, method, path, body, &r);
	if (r.status != status)
		fprintf(stderr, "%s %s %s: %ld %s\n", method, path, body ? body : "", r.status, r.body);
	assert_error(&r, status, code);
	if (field) {
		const char *f = json_path_str(json_object_get(r.json, "error"), "field", NULL);
		if (!f || strcmp(f, field))
			fprintf(stderr, "%s %s %s: field %s, expected %s\n", method, path, body,
				f ? f : "(none)", field);
		assert_non_null(f);
		assert_string_equal(f, field);
	}
	reply_free(&r);
}

/* A business with its demo set-up cleared, so lists hold only what the test creates. */
static void business(const char *name, const char *who, const char *plan, struct session *s)
{
	harness_signup(&H, name, addr(who), plan, s);
	struct reply r;
	expect(s, "DELETE", "/api/v1/demo", NULL, 200, &r);
	reply_free(&r);
}

static int64_t sql_int(const char *sql, const char *text)
{
	struct err e = {0};
	db_conn *c;
	int64_t v = -1;
	assert_int_equal(db_acquire(H.app->db, &c, &e), 0);
	int rc = db_query_int(c, sql, DB_ARGS(DB_TEXT(text)), &v, &e);
	db_release(c);
	if (rc != 1)
		fprintf(stderr, "%s: %d %s\n", sql, rc, e.message);
	assert_int_equal(rc, 1);
	return v;
}

/* Creates a staff member; its public id into id. */
static void new_staff(const struct session *s, const char *body, char id[32])
{
	struct reply r;
	expect(s, "POST", "/api/v1/staff", body, 201, &r);
	snprintf(id, 32, "%s", json_path_str(r.json, "staff", "id"));
	reply_free(&r);
}

static void new_service(const struct session *s, const char *body, char id[32])
{
	struct reply r;
	expect(s, "POST", "/api/v1/services", body, 201, &r);
	snprintf(id, 32, "%s", json_path_str(r.json, "service", "id"));
	reply_free(&r);
}

/* A staff user of the owner's account, logged in: the user row and its session are made in
 * the store directly (the invitation flow has its own tests). */
static void staff_user(const struct session *owner, const char *who, struct session *out, char user_id[32])
{
	struct err e = {0};
	db_conn *c;
	int64_t account_id = sql_int("SELECT id FROM accounts WHERE public_id = $1", owner->account_id),
		uid = 0;
	char pid[24], token[SESSION_TOKEN_SIZE], csrf[48];
	public_id_new("usr", pid);
	assert_int_equal(db_acquire(H.app->db, &c, &e), 0);
	assert_int_equal(db_begin(c, &e), 0);
	assert_int_equal(
		db_query_int(
			c,
			"INSERT INTO users (account_id, public_id, email, name, role, locale, status,"
			" created_at, updated_at) VALUES ($1, $2, $3, 'Léa', 'staff', 'fr', 'active', $4, $4)"
			" RETURNING id",
			DB_ARGS(DB_INT(account_id), DB_TEXT(pid), DB_TEXT(addr(who)), DB_INT(clock_now())),
			&uid, &e),
		1);
	assert_int_equal(
		session_create(c, account_id, uid, clock_now(), "127.0.0.1", "test", token, csrf, &e), 0);
	assert_int_equal(db_commit(c, &e), 0);
	db_release(c);
	memset(out, 0, sizeof(*out));
	snprintf(out->cookie, sizeof(out->cookie), "Cookie: %s=%s", SESSION_COOKIE, token);
	snprintf(out->csrf, sizeof(out->csrf), "X-CSRF-Token: %s", csrf);
	snprintf(out->account_id, sizeof(out->account_id), "%s", owner->account_id);
	snprintf(user_id, 32, "%s", pid);
}

static void services_crud_and_bad_input(void **state)
{
	(void)state;
	struct session o, other;
	business("Salon Service", "svc", NULL, &o);
	business("Salon Autre", "svc-other", NULL, &other);
	char anne[32], foreign[32], svc[32], path[128];
	new_staff(&o, "{\"name\": \"Anne\"}", anne);
	new_staff(&other, "{\"name\": \"Autre\"}", foreign);

	/* bad input, each naming its field */
	expect_error(&o, "POST", "/api/v1/services", "{\"duration_min\": 30}", 400, "missing_field", "name");
	expect_error(&o, "POST", "/api/v1/services", "{\"name\": \"Coupe\"}", 400, "missing_field",
		     "duration_min");
	expect_error(&o, "POST", "/api/v1/services", "{\"name\": \"Coupe\", \"duration_min\": -30}", 400,
		     "invalid_field", "duration_min");
	expect_error(&o, "POST", "/api/v1/services", "{\"name\": \"Coupe\", \"duration_min\": 1441}", 400,
		     "invalid_field", "duration_min");
	expect_error(&o, "POST", "/api/v1/services",
		     "{\"name\": \"Coupe\", \"duration_min\": 30, \"price_cents\": -1}", 400, "invalid_field",
		     "price_cents");
	expect_error(&o, "POST", "/api/v1/services",
		     "{\"name\": \"Coupe\", \"duration_min\": 30, \"buffer_after_min\": -5}", 400,
		     "invalid_field", "buffer_after_min");
	expect_error(&o, "POST", "/api/v1/services",
		     "{\"name\": \"Coupe\", \"duration_min\": 30, \"capacity\": 0}", 400, "invalid_field",
		     "capacity");
	expect_error(&o, "POST", "/api/v1/services",
		     "{\"name\": \"Coupe\", \"duration_min\": 30, \"color\": \"red\"}", 400, "invalid_field",
		     "color");
	expect_error(&o, "POST", "/api/v1/services",
		     "{\"name\": \"Coupe\", \"duration_min\": 30, \"slot_step_min\": 3}", 400,
		     "invalid_field", "slot_step_min");
	expect_error(&o, "POST", "/api/v1/services",
		     "{\"name\": \"Coupe\", \"duration_min\": 30, \"horizon_s\": 60}", 400, "invalid_field",
		     "horizon_s");
	expect_error(&o, "POST", "/api/v1/services",
		     "{\"name\": \"Coupe\", \"duration_min\": 30, \"questions\": [{\"label\": \"Couleur ?\","
		     " \"kind\": \"choice\"}]}",
		     400, "invalid_field", "questions[0].choices");
	expect_error(&o, "POST", "/api/v1/services",
		     "{\"name\": \"Coupe\", \"duration_min\": 30, \"questions\": [{\"label\": \"x\", "
		     "\"kind\": \"date\"}]}",
		     400, "invalid_field", "questions[0].kind");
	expect_error(&o, "POST", "/api/v1/services",
		     "{\"name\": \"Coupe\", \"duration_min\": 30, \"colour\": \"#ffffff\"}", 400,
		     "unknown_field", "colour");
	/* a staff member of another account is unknown here */
	char body[512];
	snprintf(body, sizeof(body),
		 "{\"name\": \"Coupe\", \"duration_min\": 30, \"staff\": [\"%s\", \"%s\"]}", anne, foreign);
	expect_error(&o, "POST", "/api/v1/services", body, 404, "not_found", "staff[1]");

	/* create */
	snprintf(body, sizeof(body),
		 "{\"name\": \"Coupe femme\", \"duration_min\": 45, \"price_cents\": 3800, \"color\": "
		 "\"#c2185b\","
		 " \"buffer_after_min\": 10, \"category\": \"Coupes\", \"slot_step_min\": 15, \"staff\": "
		 "[\"%s\"],"
		 " \"questions\": [{\"label\": \"Longueur\", \"kind\": \"choice\", \"choices\": [\"Courts\", "
		 "\"Longs\"],"
		 " \"required\": true}, {\"label\": \"Allergies\", \"kind\": \"text\"}]}",
		 anne);
	struct reply r;
	expect(&o, "POST", "/api/v1/services", body, 201, &r);
	json_t *s = json_object_get(r.json, "service");
	snprintf(svc, sizeof(svc), "%s", json_string_value(json_object_get(s, "id")));
	assert_string_equal(json_string_value(json_object_get(s, "name")), "Coupe femme");
	assert_int_equal(json_integer_value(json_object_get(s, "duration_min")), 45);
	assert_int_equal(json_integer_value(json_object_get(s, "price_cents")), 3800);
	assert_int_equal(json_integer_value(json_object_get(s, "buffer_after_min")), 10);
	assert_int_equal(json_integer_value(json_object_get(s, "capacity")), 1);
	assert_int_equal(json_integer_value(json_object_get(s, "slot_step_min")), 15);
	assert_true(json_is_null(json_object_get(s, "min_notice_s")));
	assert_true(json_is_true(json_object_get(s, "active")));
	assert_int_equal(json_array_size(json_object_get(s, "staff")), 1);
	assert_string_equal(json_string_value(json_array_get(json_object_get(s, "staff"), 0)), anne);
	json_t *qs = json_object_get(s, "questions");
	assert_int_equal(json_array_size(qs), 2);
	assert_string_equal(json_path_str(json_array_get(qs, 0), "kind", NULL), "choice");
	assert_true(json_is_true(json_object_get(json_array_get(qs, 0), "required")));
	assert_int_equal(json_array_size(json_object_get(json_array_get(qs, 0), "choices")), 2);
	char q0[32];
	snprintf(q0, sizeof(q0), "%s", json_path_str(json_array_get(qs, 0), "id", NULL));
	reply_free(&r);

	/* patch: a group session, the first question kept and renamed, the second dropped */
	snprintf(path, sizeof(path), "/api/v1/services/%s", svc);
	snprintf(body, sizeof(body),
		 "{\"capacity\": 8, \"min_notice_s\": 7200, \"slot_step_min\": null, \"questions\": "
		 "[{\"id\": \"%s\","
		 " \"label\": \"Longueur des cheveux\", \"kind\": \"choice\", \"choices\": [\"Courts\", "
		 "\"Mi-longs\","
		 " \"Longs\"]}]}",
		 q0);
	expect(&o, "PATCH", path, body, 200, &r);
	s = json_object_get(r.json, "service");
	assert_int_equal(json_integer_value(json_object_get(s, "capacity")), 8);
	assert_int_equal(json_integer_value(json_object_get(s, "min_notice_s")), 7200);
	assert_true(json_is_null(json_object_get(s, "slot_step_min")));
	assert_int_equal(json_integer_value(json_object_get(s, "duration_min")), 45); /* untouched */
	assert_int_equal(json_integer_value(json_object_get(s, "version")), 2);
	qs = json_object_get(s, "questions");
	assert_int_equal(json_array_size(qs), 1);
	assert_string_equal(json_path_str(json_array_get(qs, 0), "id", NULL), q0);
	assert_string_equal(json_path_str(json_array_get(qs, 0), "label", NULL), "Longueur des cheveux");
	reply_free(&r);
	expect_error(&o, "PATCH", path, "{\"capacity\": 501}", 400, "invalid_field", "capacity");
	expect_error(&o, "PATCH", path, "{\"name\": \"\"}", 400, "missing_field", "name");

	/* another account sees nothing of it */
	expect_error(&other, "GET", path, NULL, 404, "not_found", NULL);
	expect_error(&other, "PATCH", path, "{\"name\": \"Volé\"}", 404, "not_found", NULL);
	expect_error(&other, "DELETE", path, NULL, 404, "not_found", NULL);
	expect(&other, "GET", "/api/v1/services", NULL, 200, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "services")), 0);
	reply_free(&r);

	expect(&o, "GET", "/api/v1/services", NULL, 200, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "services")), 1);
	reply_free(&r);
	/* no appointment names it: deleted for good */
	expect(&o, "DELETE", path, NULL, 200, &r);
	assert_true(json_is_true(json_object_get(r.json, "deleted")));
	reply_free(&r);
	expect_error(&o, "GET", path, NULL, 404, "not_found", NULL);
}

static void staff_crud_plan_limit_and_staff_users(void **state)
{
	(void)state;
	struct session o, other, lea;
	char a[32], b[32], foreign[32], lea_user[32], path[128], body[256];
	business("Cabinet Essentiel", "ess", "essentiel", &o);
	business("Cabinet Voisin", "ess-other", NULL, &other);

	expect_error(&o, "POST", "/api/v1/staff", "{}", 400, "missing_field", "name");
	expect_error(&o, "POST", "/api/v1/staff", "{\"name\": \"A\", \"email\": \"pas-une-adresse\"}", 400,
		     "invalid_email", "email");
	expect_error(&o, "POST", "/api/v1/staff", "{\"name\": \"A\", \"color\": \"#12345\"}", 400,
		     "invalid_field", "color");
	expect_error(&o, "POST", "/api/v1/staff", "{\"name\": \"A\", \"bookable\": \"yes\"}", 400,
		     "invalid_field", "bookable");

	new_staff(&o,
		  "{\"name\": \"Dr Anne Lefèvre\", \"email\": \"Anne@Example.FR\", \"color\": \"#00897b\"}",
		  a);
	/* Essentiel: one bookable staff member; the second is refused, saying what to change */
	struct reply r;
	session_call(&H, &o, "POST", "/api/v1/staff", "{\"name\": \"Bruno\"}", &r);
	assert_error(&r, 422, "plan_limit");
	assert_non_null(
		strstr(json_path_str(json_object_get(r.json, "error"), "message", NULL), "Essentiel"));
	reply_free(&r);
	/* a resource that is not bookable does not count; making it bookable is refused */
	new_staff(&o, "{\"name\": \"Salle 2\", \"bookable\": false}", b);
	snprintf(path, sizeof(path), "/api/v1/staff/%s", b);
	expect_error(&o, "PATCH", path, "{\"bookable\": true}", 422, "plan_limit", NULL);
	/* once the first is inactive, there is room */
	char pa[128];
	snprintf(pa, sizeof(pa), "/api/v1/staff/%s", a);
	expect(&o, "PATCH", pa, "{\"active\": false}", 200, &r);
	assert_true(json_is_false(json_object_get(json_object_get(r.json, "staff"), "active")));
	reply_free(&r);
	expect(&o, "PATCH", path, "{\"bookable\": true}", 200, &r);
	reply_free(&r);
	expect_error(&o, "PATCH", pa, "{\"active\": true}", 422, "plan_limit", NULL);

	expect(&o, "GET", pa, NULL, 200, &r);
	json_t *st = json_object_get(r.json, "staff");
	assert_string_equal(json_path_str(st, "name", NULL), "Dr Anne Lefèvre");
	assert_string_equal(json_path_str(st, "email", NULL), "anne@example.fr");
	assert_true(json_is_null(json_object_get(st, "user")));
	reply_free(&r);

	/* ids of another account: 404 */
	new_staff(&other, "{\"name\": \"Voisin\"}", foreign);
	snprintf(path, sizeof(path), "/api/v1/staff/%s", foreign);
	expect_error(&o, "GET", path, NULL, 404, "not_found", NULL);
	expect_error(&o, "PATCH", path, "{\"name\": \"x\"}", 404, "not_found", NULL);
	expect_error(&o, "DELETE", path, NULL, 404, "not_found", NULL);
	snprintf(path, sizeof(path), "/api/v1/staff/%s/hours", foreign);
	expect_error(&o, "GET", path, NULL, 404, "not_found", NULL);
	expect_error(&o, "PUT", path, "{}", 404, "not_found", NULL);
	snprintf(body, sizeof(body), "{\"user\": \"%s\"}", other.user_id);
	expect_error(&o, "PATCH", pa, body, 404, "not_found", "user");

	/* a staff user linked to a record sees that record only, and changes no set-up */
	staff_user(&o, "lea", &lea, lea_user);
	snprintf(body, sizeof(body), "{\"user\": \"%s\"}", lea_user);
	expect(&o, "PATCH", pa, body, 200, &r);
	assert_string_equal(json_path_str(json_object_get(r.json, "staff"), "user", NULL), lea_user);
	reply_free(&r);
	char pb[128];
	snprintf(pb, sizeof(pb), "/api/v1/staff/%s", b);
	expect_error(&o, "PATCH", pb, body, 409, "user_taken", "user");
	expect(&lea, "GET", pa, NULL, 200, &r);
	reply_free(&r);
	expect_error(&lea, "GET", pb, NULL, 403, "forbidden", NULL);
	expect(&lea, "GET", "/api/v1/staff", NULL, 200, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "staff")), 1);
	reply_free(&r);
	expect_error(&lea, "POST", "/api/v1/services", "{\"name\": \"Coupe\", \"duration_min\": 30}", 403,
		     "forbidden", NULL);
	expect_error(&lea, "POST", "/api/v1/staff", "{\"name\": \"Moi\"}", 403, "forbidden", NULL);
	snprintf(path, sizeof(path), "/api/v1/staff/%s/hours", a);
	expect_error(&lea, "PUT", path, "{}", 403, "forbidden", NULL);
	expect(&lea, "GET", path, NULL, 200, &r);
	reply_free(&r);
	expect(&lea, "GET", "/api/v1/services", NULL, 200, &r);
	reply_free(&r);

	/* delete: a staff member nothing references is gone */
	expect(&o, "DELETE", pb, NULL, 200, &r);
	assert_true(json_is_true(json_object_get(r.json, "deleted")));
	reply_free(&r);
	expect_error(&o, "GET", pb, NULL, 404, "not_found", NULL);
}

static void hours_exceptions_and_conflicts(void **state)
{
	(void)state;
	struct session o;
	char st[32], svc[32], path[160], body[512];
	business("Salon Horaires", "hours", NULL, &o);
	new_staff(&o, "{\"name\": \"Élodie\"}", st);
	snprintf(body, sizeof(body),
		 "{\"name\": \"Coupe\", \"duration_min\": 60, \"buffer_after_min\": 15,"
		 " \"staff\": [\"%s\"]}",
		 st);
	new_service(&o, body, svc);
	snprintf(path, sizeof(path), "/api/v1/staff/%s/hours", st);

	/* bad weeks, each naming the range at fault */
	expect_error(&o, "PUT", path, "{\"tue\": [[\"09:00\", \"12:00\"], [\"11:30\", \"18:00\"]]}", 400,
		     "overlapping_ranges", "hours.tue[1]");
	expect_error(&o, "PUT", path, "{\"mon\": [[\"14:00\", \"09:00\"]]}", 400, "end_before_start", NULL);
	expect_error(&o, "PUT", path, "{\"mon\": [[\"9h\", \"12:00\"]]}", 400, "invalid_time",
		     "hours.mon[0].start");
	expect_error(&o, "PUT", path, "{\"mon\": [[\"24:00\", \"24:00\"]]}", 400, "invalid_time",
		     "hours.mon[0].start");
	expect_error(&o, "PUT", path, "{\"lundi\": []}", 400, "unknown_field", "lundi");

	struct reply r;
	expect(&o, "PUT", path,
	       "{\"tue\": [[\"14:00\", \"18:30\"], [\"09:00\", \"12:00\"]], \"sat\": [[\"20:00\", "
	       "\"24:00\"]]}",
	       200, &r);
	json_t *h = json_object_get(r.json, "hours");
	assert_int_equal(json_array_size(json_object_get(h, "mon")), 0);
	json_t *tue = json_object_get(h, "tue");
	assert_int_equal(json_array_size(tue), 2);
	assert_string_equal(json_string_value(json_array_get(json_array_get(tue, 0), 0)), "09:00");
	assert_string_equal(json_string_value(json_array_get(json_array_get(tue, 1), 1)), "18:30");
	assert_string_equal(
		json_string_value(json_array_get(json_array_get(json_object_get(h, "sat"), 0), 1)), "24:00");
	assert_int_equal(json_array_size(json_object_get(r.json, "conflicts")), 0);
	reply_free(&r);

	/* an appointment on Tuesday 8 June 2027 at 10:00 in Paris (08:00 UTC = 1812441600), 60 min +
	 * 15 min after: inserted in the store as the booking engine would */
	struct err e = {0};
	db_conn *c;
	int64_t account_id = sql_int("SELECT id FROM accounts WHERE public_id = $1", o.account_id);
	int64_t staff_id = sql_int("SELECT id FROM staff WHERE public_id = $1", st);
	int64_t service_id = sql_int("SELECT id FROM services WHERE public_id = $1", svc);
	int64_t block = 0, start = 1812441600;
	assert_int_equal(db_acquire(H.app->db, &c, &e), 0);
	assert_int_equal(
		db_query_int(c,
			     "INSERT INTO blocks (account_id, staff_id, service_id, blocked_from, blocked_to,"
			     " capacity, seats_taken) VALUES ($1, $2, $3, $4, $5, 1, 1) RETURNING id",
			     DB_ARGS(DB_INT(account_id), DB_INT(staff_id), DB_INT(service_id), DB_INT(start),
				     DB_INT(start + 75 * 60)),
			     &block, &e),
		1);
	assert_int_equal(
		db_exec(c,
			"INSERT INTO appointments (account_id, public_id, block_id, service_id, staff_id,"
			" starts_at, ends_at, created_at, updated_at) VALUES ($1, 'apt_conflicttest00001', "
			"$2,"
			" $3, $4, $5, $6, $7, $7)",
			DB_ARGS(DB_INT(account_id), DB_INT(block), DB_INT(service_id), DB_INT(staff_id),
				DB_INT(start), DB_INT(start + 3600), DB_INT(clock_now())),
			&e),
		1);
	db_release(c);

	/* Tuesday mornings until 11:00 now: 10:00 + 60 + 15 min no longer fits */
	expect(&o, "PUT", path, "{\"tue\": [[\"08:00\", \"11:00\"], [\"14:00\", \"18:30\"]]}", 200, &r);
	json_t *k = json_object_get(r.json, "conflicts");
	assert_int_equal(json_array_size(k), 1);
	assert_string_equal(json_path_str(json_array_get(k, 0), "id", NULL), "apt_conflicttest00001");
	assert_string_equal(json_path_str(json_array_get(k, 0), "starts_at", NULL),
			    "2027-06-08T10:00:00+02:00");
	assert_string_equal(json_path_str(json_array_get(k, 0), "ends_at", NULL),
			    "2027-06-08T11:00:00+02:00");
	reply_free(&r);
	/* until 11:15 it fits again, the buffer included */
	expect(&o, "PUT", path, "{\"tue\": [[\"08:00\", \"11:15\"]]}", 200, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "conflicts")), 0);
	reply_free(&r);

	/* exceptions */
	snprintf(path, sizeof(path), "/api/v1/staff/%s/exceptions", st);
	expect_error(&o, "POST", path,
		     "{\"kind\": \"hours\", \"from\": \"2027-03-28\", \"ranges\": [[\"02:30\", \"05:00\"]]}",
		     400, "invalid_local_time", "ranges[0].start");
	expect_error(&o, "POST", path, "{\"kind\": \"holiday\", \"from\": \"2027-06-01\"}", 400,
		     "invalid_field", "kind");
	expect_error(&o, "POST", path, "{\"kind\": \"off\", \"from\": \"2027-06-31\"}", 400, "invalid_date",
		     "from");
	expect_error(&o, "POST", path,
		     "{\"kind\": \"off\", \"from\": \"2027-06-10\", \"to\": \"2027-06-01\"}", 400,
		     "end_before_start", "to");
	expect_error(&o, "POST", path, "{\"kind\": \"extra\", \"from\": \"2027-06-10\"}", 400,
		     "missing_field", "ranges");
	expect_error(&o, "POST", path,
		     "{\"kind\": \"extra\", \"from\": \"2027-06-10\", \"ranges\": [[\"10:00\", \"09:00\"]]}",
		     400, "end_before_start", NULL);

	/* a week off over the appointment lists it */
	expect(&o, "POST", path,
	       "{\"kind\": \"off\", \"from\": \"2027-06-07\", \"to\": \"2027-06-13\", \"note\": \"Congés\"}",
	       201, &r);
	json_t *x = json_object_get(r.json, "exception");
	assert_string_equal(json_path_str(x, "kind", NULL), "off");
	assert_string_equal(json_path_str(x, "from", NULL), "2027-06-07");
	assert_string_equal(json_path_str(x, "to", NULL), "2027-06-13");
	assert_string_equal(json_path_str(x, "note", NULL), "Congés");
	char xid[32];
	snprintf(xid, sizeof(xid), "%s", json_path_str(x, "id", NULL));
	k = json_object_get(r.json, "conflicts");
	assert_int_equal(json_array_size(k), 1);
	assert_string_equal(json_path_str(json_array_get(k, 0), "id", NULL), "apt_conflicttest00001");
	reply_free(&r);
	/* an extra opening on 2027-03-28 from 03:00 (the end of Paris's gap) is accepted */
	expect(&o, "POST", path,
	       "{\"kind\": \"extra\", \"from\": \"2027-03-28\", \"ranges\": [[\"03:00\", \"05:00\"]]}", 201,
	       &r);
	reply_free(&r);
	expect(&o, "GET", path, NULL, 200, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "exceptions")), 2);
	x = json_array_get(json_object_get(r.json, "exceptions"), 0);
	assert_string_equal(json_path_str(x, "from", NULL), "2027-03-28");
	assert_string_equal(
		json_string_value(json_array_get(json_array_get(json_object_get(x, "ranges"), 0), 0)),
		"03:00");
	reply_free(&r);
	/* deleting the week off: nothing left outside */
	char xpath[200];
	snprintf(xpath, sizeof(xpath), "%s/%s", path, xid);
	expect(&o, "DELETE", xpath, NULL, 200, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "conflicts")), 0);
	reply_free(&r);
	expect_error(&o, "DELETE", xpath, NULL, 404, "not_found", NULL);

	/* a closed day on that date lists it too (through the next hours change) */
	expect(&o, "POST", "/api/v1/closed-days", "{\"day\": \"2027-06-08\", \"label\": \"Inventaire\"}", 201,
	       &r);
	reply_free(&r);
	snprintf(path, sizeof(path), "/api/v1/staff/%s/hours", st);
	expect(&o, "PUT", path, "{\"tue\": [[\"08:00\", \"11:15\"]]}", 200, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "conflicts")), 1);
	reply_free(&r);

	/* a service named by an appointment is only deactivated */
	snprintf(path, sizeof(path), "/api/v1/services/%s", svc);
	expect(&o, "DELETE", path, NULL, 200, &r);
	assert_true(json_is_false(json_object_get(r.json, "deleted")));
	reply_free(&r);
	expect(&o, "GET", path, NULL, 200, &r);
	assert_true(json_is_false(json_object_get(json_object_get(r.json, "service"), "active")));
	reply_free(&r);
}

static int has_day(const json_t *list, const char *day, const char *key, int closed)
{
	size_t i;
	json_t *v;
	json_array_foreach(list, i, v) if (!strcmp(json_path_str(v, "day", NULL), day))
	{
		if (key && strcmp(json_path_str(v, "key", NULL), key))
			return 0;
		return closed < 0 || json_is_true(json_object_get(v, "closed")) == closed;
	}
	return 0;
}

static void closed_days_and_holidays(void **state)
{
	(void)state;
	struct session o, other;
	business("Mairie Fériés", "holidays", NULL, &o);
	business("Mairie Voisine", "holidays-other", NULL, &other);
	struct reply r;

	expect(&o, "GET", "/api/v1/closed-days/holidays?year=2027", NULL, 200, &r);
	json_t *h = json_object_get(r.json, "holidays");
	assert_int_equal(json_array_size(h), 11);
	/* Easter 2027 is 28 March: Monday 29 March, Ascension 6 May, Whit Monday 17 May */
	assert_true(has_day(h, "2027-03-29", "easter_monday", 0));
	assert_true(has_day(h, "2027-05-06", "ascension", 0));
	assert_true(has_day(h, "2027-05-17", "whit_monday", 0));
	assert_true(has_day(h, "2027-07-14", NULL, 0));
	reply_free(&r);
	expect_error(&o, "GET", "/api/v1/closed-days/holidays?year=deux", NULL, 400, "invalid_year", "year");
	expect_error(&o, "GET", "/api/v1/closed-days/holidays?year=1200", NULL, 400, "invalid_year", "year");

	expect_error(&o, "POST", "/api/v1/closed-days", "{\"day\": \"2027-02-30\"}", 400, "invalid_date",
		     "day");
	expect_error(&o, "POST", "/api/v1/closed-days", "{}", 400, "missing_field", "day");
	expect(&o, "POST", "/api/v1/closed-days", "{\"day\": \"2027-05-06\", \"label\": \"Pont\"}", 201, &r);
	assert_string_equal(json_path_str(json_object_get(r.json, "closed_day"), "day", NULL), "2027-05-06");
	char id[32];
	snprintf(id, sizeof(id), "%s", json_path_str(json_object_get(r.json, "closed_day"), "id", NULL));
	reply_free(&r);
	expect_error(&o, "POST", "/api/v1/closed-days", "{\"day\": \"2027-05-06\"}", 409, "already_closed",
		     "day");

	/* all of 2027 at once: 10 added (6 May was there), then none */
	expect(&o, "POST", "/api/v1/closed-days", "{\"holidays\": 2027}", 200, &r);
	assert_int_equal(json_integer_value(json_object_get(r.json, "added")), 10);
	assert_int_equal(json_array_size(json_object_get(r.json, "closed_days")), 11);
	reply_free(&r);
	expect(&o, "POST", "/api/v1/closed-days", "{\"holidays\": 2027}", 200, &r);
	assert_int_equal(json_integer_value(json_object_get(r.json, "added")), 0);
	reply_free(&r);
	expect(&o, "GET", "/api/v1/closed-days/holidays?year=2027", NULL, 200, &r);
	assert_true(has_day(json_object_get(r.json, "holidays"), "2027-03-29", "easter_monday", 1));
	reply_free(&r);

	/* another account neither sees nor deletes them */
	char path[128];
	snprintf(path, sizeof(path), "/api/v1/closed-days/%s", id);
	expect_error(&other, "DELETE", path, NULL, 404, "not_found", NULL);
	expect(&other, "GET", "/api/v1/closed-days", NULL, 200, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "closed_days")), 0);
	reply_free(&r);
	expect(&other, "GET", "/api/v1/closed-days/holidays?year=2027", NULL, 200, &r);
	assert_true(has_day(json_object_get(r.json, "holidays"), "2027-03-29", NULL, 0));
	reply_free(&r);

	expect(&o, "DELETE", path, NULL, 204, &r);
	reply_free(&r);
	expect(&o, "GET", "/api/v1/closed-days", NULL, 200, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "closed_days")), 10);
	assert_false(has_day(json_object_get(r.json, "closed_days"), "2027-05-06", NULL, -1));
	reply_free(&r);
}

static void account_booking_rules(void **state)
{
	(void)state;
	struct session o;
	business("Salon Règles", "rules", NULL, &o);
	struct reply r;
	expect(&o, "GET", "/api/v1/account", NULL, 200, &r);
	json_t *a = json_object_get(r.json, "account");
	/* the store's defaults: 1 hour, 90 days, 15 minutes, 24 hours */
	assert_int_equal(json_integer_value(json_object_get(a, "min_notice_s")), 3600);
	assert_int_equal(json_integer_value(json_object_get(a, "horizon_s")), 7776000);
	assert_int_equal(json_integer_value(json_object_get(a, "slot_step_min")), 15);
	assert_int_equal(json_integer_value(json_object_get(a, "cancel_cutoff_s")), 86400);
	reply_free(&r);
	expect(&o, "PATCH", "/api/v1/account",
	       "{\"min_notice_s\": 0, \"horizon_s\": 31536000, \"slot_step_min\": 0,"
	       " \"cancel_cutoff_s\": 172800}",
	       200, &r);
	a = json_object_get(r.json, "account");
	assert_int_equal(json_integer_value(json_object_get(a, "min_notice_s")), 0);
	assert_int_equal(json_integer_value(json_object_get(a, "horizon_s")), 31536000);
	assert_int_equal(json_integer_value(json_object_get(a, "slot_step_min")), 0);
	assert_int_equal(json_integer_value(json_object_get(a, "cancel_cutoff_s")), 172800);
	reply_free(&r);
	expect_error(&o, "PATCH", "/api/v1/account", "{\"min_notice_s\": -1}", 400, "invalid_field",
		     "min_notice_s");
	expect_error(&o, "PATCH", "/api/v1/account", "{\"min_notice_s\": 2592001}", 400, "invalid_field",
		     "min_notice_s");
	expect_error(&o, "PATCH", "/api/v1/account", "{\"horizon_s\": 3600}", 400, "invalid_field",
		     "horizon_s");
	expect_error(&o, "PATCH", "/api/v1/account", "{\"horizon_s\": 63158401}", 400, "invalid_field",
		     "horizon_s");
	expect_error(&o, "PATCH", "/api/v1/account", "{\"slot_step_min\": 4}", 400, "invalid_field",
		     "slot_step_min");
	expect_error(&o, "PATCH", "/api/v1/account", "{\"slot_step_min\": 61}", 400, "invalid_field",
		     "slot_step_min");
	expect_error(&o, "PATCH", "/api/v1/account", "{\"cancel_cutoff_s\": null}", 400, "missing_field",
		     "cancel_cutoff_s");
	expect(&o, "GET", "/api/v1/account", NULL, 200, &r);
	assert_int_equal(
		json_integer_value(json_object_get(json_object_get(r.json, "account"), "cancel_cutoff_s")),
		172800);
	reply_free(&r);
}

static int setup(void **state)
{
	setup_register(); /* also done by app.c; registering twice is harmless */
	return harness_setup(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(services_crud_and_bad_input),
		cmocka_unit_test(staff_crud_plan_limit_and_staff_users),
		cmocka_unit_test(hours_exceptions_and_conflicts),
		cmocka_unit_test(closed_days_and_holidays),
		cmocka_unit_test(account_booking_rules),
	};
	return cmocka_run_group_tests_name("api/setup", tests, setup, harness_teardown);
}
