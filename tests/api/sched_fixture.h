/* A business to book in, for the appointment tests: rows written straight into the store
 * through H.app->db (staff, services, who provides what, weekly hours), rules and zone set on
 * the account, and small HTTP helpers. Header-only; include after harness.h and cmocka. */
#ifndef CRENEAU_TEST_SCHED_FIXTURE_H
#define CRENEAU_TEST_SCHED_FIXTURE_H
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "account/account.h"
#include "db/db.h"

struct biz {
	struct session s;
	int64_t id; /* accounts.id */
};

static inline void fx_exec(const char *sql, const db_param *p, int n)
{
	struct err e = {0};
	db_conn *c;
	assert_int_equal(db_acquire(H.app->db, &c, &e), 0);
	int rc = db_exec(c, sql, p, n, &e);
	if (rc < 0)
		fprintf(stderr, "%s: %s\n", sql, e.message);
	assert_true(rc >= 0);
	db_release(c);
}

static inline int64_t fx_int(const char *sql, const db_param *p, int n)
{
	struct err e = {0};
	db_conn *c;
	int64_t v = -1;
	assert_int_equal(db_acquire(H.app->db, &c, &e), 0);
	assert_true(db_query_int(c, sql, p, n, &v, &e) >= 0);
	db_release(c);
	return v;
}

/* Signs up a business in zone tz with notice 0, no horizon (unless set later), a 15-minute grid. */
static inline void fx_business(struct biz *b, const char *name, const char *tz)
{
	static int n;
	char email[128];
	snprintf(email, sizeof(email), "owner-%d-%d-%s@example.fr", (int)getpid(), n++, harness_store_kind());
	harness_signup(&H, name, email, "optimum", &b->s);
	b->id = fx_int("SELECT id FROM accounts WHERE slug = $1", DB_ARGS(DB_TEXT(b->s.slug)));
	assert_true(b->id > 0);
	fx_exec("UPDATE accounts SET time_zone = $2, min_notice_s = 0, horizon_s = 0, slot_step_min = 15 "
		"WHERE id = $1",
		DB_ARGS(DB_INT(b->id), DB_TEXT(tz)));
}

static inline void fx_rules(struct biz *b, int64_t notice_s, int64_t horizon_s, int step)
{
	fx_exec("UPDATE accounts SET min_notice_s = $2, horizon_s = $3, slot_step_min = $4 WHERE id = $1",
		DB_ARGS(DB_INT(b->id), DB_INT(notice_s), DB_INT(horizon_s), DB_INT(step)));
}

/* A staff member; pid receives the public id; returns the row id. */
static inline int64_t fx_staff(struct biz *b, const char *name, char pid[24])
{
	public_id_new("stf", pid);
	fx_exec("INSERT INTO staff (account_id, public_id, name, created_at, updated_at) VALUES ($1, $2, $3, "
		"0, 0)",
		DB_ARGS(DB_INT(b->id), DB_TEXT(pid), DB_TEXT(name)));
	return fx_int("SELECT id FROM staff WHERE public_id = $1", DB_ARGS(DB_TEXT(pid)));
}

static inline int64_t fx_service(struct biz *b, int duration, int before, int after, int capacity,
				 char pid[24])
{
	public_id_new("svc", pid);
	fx_exec("INSERT INTO services (account_id, public_id, name, duration_min, buffer_before_min, "
		"buffer_after_min,"
		" capacity, created_at, updated_at) VALUES ($1, $2, 'Soin', $3, $4, $5, $6, 0, 0)",
		DB_ARGS(DB_INT(b->id), DB_TEXT(pid), DB_INT(duration), DB_INT(before), DB_INT(after),
			DB_INT(capacity)));
	return fx_int("SELECT id FROM services WHERE public_id = $1", DB_ARGS(DB_TEXT(pid)));
}

static inline void fx_provides(struct biz *b, int64_t service, int64_t staff)
{
	fx_exec("INSERT INTO service_staff (account_id, service_id, staff_id) VALUES ($1, $2, $3)",
		DB_ARGS(DB_INT(b->id), DB_INT(service), DB_INT(staff)));
}

/* Weekly hours: weekday 1 = Monday; minutes from local midnight. */
static inline void fx_hours(struct biz *b, int64_t staff, int weekday, int start_min, int end_min)
{
	fx_exec("INSERT INTO staff_hours (account_id, staff_id, weekday, start_min, end_min) VALUES ($1, $2, "
		"$3, $4, $5)",
		DB_ARGS(DB_INT(b->id), DB_INT(staff), DB_INT(weekday), DB_INT(start_min), DB_INT(end_min)));
}

/* The same hours every day of the week. */
static inline void fx_hours_all_week(struct biz *b, int64_t staff, int start_min, int end_min)
{
	for (int d = 1; d <= 7; d++)
		fx_hours(b, staff, d, start_min, end_min);
}

static inline void fx_clock(const char *instant)
{
	char body[128];
	struct reply r;
	snprintf(body, sizeof(body), "{\"set\": \"%s\"}", instant);
	http_call(&H, "POST", "/api/v1/test/clock", body, NULL, &r);
	if (r.status != 200)
		fprintf(stderr, "clock %s: %ld %s\n", instant, r.status, r.body);
	assert_int_equal(r.status, 200);
	reply_free(&r);
}

/* Through the API as `s`: a new staff member `name` working `from`–`to` ("HH:MM") every day;
 * its public id in id. */
static inline void fx_api_staff_every_day(const struct session *s, const char *name, const char *from,
					  const char *to, char id[32])
{
	char body[512], path[128], day[40];
	struct reply r;
	snprintf(body, sizeof(body), "{\"name\": \"%s\"}", name);
	session_expect(&H, s, "POST", "/api/v1/staff", body, 201, &r);
	snprintf(id, 32, "%s", json_path_str(r.json, "staff", "id"));
	reply_free(&r);
	snprintf(path, sizeof(path), "/api/v1/staff/%s/hours", id);
	snprintf(day, sizeof(day), "[[\"%s\", \"%s\"]]", from, to);
	snprintf(
		body, sizeof(body),
		"{\"mon\": %s, \"tue\": %s, \"wed\": %s, \"thu\": %s, \"fri\": %s, \"sat\": %s, \"sun\": %s}",
		day, day, day, day, day, day, day);
	session_expect(&H, s, "PUT", path, body, 200, &r);
	reply_free(&r);
}

/* POST /api/v1/appointments with an optional Idempotency-Key. */
static inline void fx_book(struct biz *b, const char *body, const char *idem, struct reply *r)
{
	char key[200];
	snprintf(key, sizeof(key), "Idempotency-Key: %s", idem ? idem : "");
	const char *headers[] = {b->s.cookie, b->s.csrf, idem ? key : NULL, NULL};
	http_call(&H, "POST", "/api/v1/appointments", body, headers, r);
}

/* The starts of day `date` in an availability answer, as a list of RFC 3339 strings. */
static inline const json_t *fx_day_slots(const json_t *avail, const char *date)
{
	const json_t *days = json_object_get(avail, "days");
	for (size_t i = 0; i < json_array_size(days); i++) {
		const json_t *d = json_array_get(days, i);
		if (!strcmp(json_string_value(json_object_get(d, "date")), date))
			return json_object_get(d, "slots");
	}
	return NULL;
}

static inline const char *fx_slot_start(const json_t *slots, size_t i)
{
	return json_string_value(json_object_get(json_array_get(slots, i), "start"));
}

/* Live blocks of one staff member that overlap another live block (must be 0). */
static inline int64_t fx_overlaps(struct biz *b)
{
	return fx_int("SELECT count(*) FROM blocks x JOIN blocks y ON y.account_id = x.account_id"
		      " AND y.staff_id = x.staff_id AND y.id < x.id AND y.status = 'active'"
		      " AND y.blocked_from < x.blocked_to AND x.blocked_from < y.blocked_to"
		      " WHERE x.account_id = $1 AND x.status = 'active'",
		      DB_ARGS(DB_INT(b->id)));
}

#endif
