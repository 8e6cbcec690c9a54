/* schedule/loader: availability reads at most 2 statements whatever the range. A business of
 * three staff with hours and one appointment block a day each over 80 days is written into a
 * fresh store (SQLite, and PostgreSQL when CRENEAU_TEST_PG_URL is set); then a day, a week and
 * 62 days are loaded for one staff member and for "any". The statements are counted twice:
 * by the loader's own counter and by the store (db_fault_counted, which counts every
 * statement run on any connection), and the blocks of the range are checked to be there. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "account/account.h"
#include "account/signup.h"
#include "base/tz.h"
#include "db/db.h"
#include "schedule/loader.h"
#include "support/testdb.h"

#define NSTAFF 3
#define DAYS   80

struct fixture {
	struct testdb t;
	db *d;
	int64_t account;
	char service[24];
	char staff[NSTAFF][24];
	int64_t first_block; /* blocked_from of staff 0's block on 2027-01-04 */
};

static void must(int rc, const struct err *e)
{
	if (rc < 0)
		fail_msg("rc=%d status=%d code=%s message=%s", rc, e->status, e->code, e->message);
}

static int64_t insert_id(db_conn *c, const char *sql, const db_param *p, int n)
{
	struct err e = {0};
	int64_t id = 0;
	if (db_query_int(c, sql, p, n, &id, &e) != 1)
		fail_msg("%s: %s", sql, e.message);
	return id;
}

static void exec(db_conn *c, const char *sql, const db_param *p, int n)
{
	struct err e = {0};
	must(db_exec(c, sql, p, n, &e), &e);
}

/* 2027-01-04 is a Monday; Paris is at +01:00 all of January and February. */
static int64_t paris(int64_t day_offset, int minute)
{
	return tz_days_from_civil(2027, 1, 4) * 86400 + day_offset * 86400 + minute * 60 - 3600;
}

static int setup(void **state, const char *kind)
{
	struct fixture *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	if (testdb_create(&f->t, kind)) {
		free(f);
		return -1;
	}
	struct err e = {0};
	must(db_open(f->t.url, NULL, &f->d, &e), &e);
	must(db_migrate(f->d, &e), &e);
	must(plans_load(f->d, &e), &e);
	struct signup s = {.plan = PLAN_OPTIMUM};
	snprintf(s.business_name, sizeof(s.business_name), "Salon Requêtes");
	snprintf(s.email, sizeof(s.email), "requetes@example.fr");
	snprintf(s.password, sizeof(s.password), "Un mot de passe solide 42");
	snprintf(s.business_type, sizeof(s.business_type), "other");
	snprintf(s.time_zone, sizeof(s.time_zone), "Europe/Paris");
	snprintf(s.locale, sizeof(s.locale), "fr");
	struct signup_result out;
	int64_t now = paris(-30, 0);
	must(signup_create(f->d, &s, now, &out, &e), &e);
	f->account = out.account_id;

	db_conn *c;
	must(db_acquire(f->d, &c, &e), &e);
	must(db_begin(c, &e), &e);
	exec(c,
	     "UPDATE accounts SET time_zone = 'Europe/Paris', min_notice_s = 0, horizon_s = 0 WHERE id = $1",
	     DB_ARGS(DB_INT(f->account)));
	public_id_new("svc", f->service);
	int64_t svc = insert_id(
		c,
		"INSERT INTO services (account_id, public_id, name, duration_min, created_at, updated_at)"
		" VALUES ($1, $2, 'Coupe', 30, 0, 0) RETURNING id",
		DB_ARGS(DB_INT(f->account), DB_TEXT(f->service)));
	for (int i = 0; i < NSTAFF; i++) {
		public_id_new("stf", f->staff[i]);
		int64_t st =
			insert_id(c,
				  "INSERT INTO staff (account_id, public_id, name, created_at, updated_at)"
				  " VALUES ($1, $2, 'Coiffeur', 0, 0) RETURNING id",
				  DB_ARGS(DB_INT(f->account), DB_TEXT(f->staff[i])));
		exec(c, "INSERT INTO service_staff (account_id, service_id, staff_id) VALUES ($1, $2, $3)",
		     DB_ARGS(DB_INT(f->account), DB_INT(svc), DB_INT(st)));
		for (int wd = 1; wd <= 7; wd++) {
			exec(c,
			     "INSERT INTO staff_hours (account_id, staff_id, weekday, start_min, end_min)"
			     " VALUES ($1, $2, $3, 540, 720)",
			     DB_ARGS(DB_INT(f->account), DB_INT(st), DB_INT(wd)));
			exec(c,
			     "INSERT INTO staff_hours (account_id, staff_id, weekday, start_min, end_min)"
			     " VALUES ($1, $2, $3, 840, 1080)",
			     DB_ARGS(DB_INT(f->account), DB_INT(st), DB_INT(wd)));
		}
		char pid[24];
		public_id_new("stx", pid);
		exec(c,
		     "INSERT INTO staff_exceptions (account_id, staff_id, public_id, kind, from_date, "
		     "to_date)"
		     " VALUES ($1, $2, $3, 'off', '2027-01-20', '2027-01-22')",
		     DB_ARGS(DB_INT(f->account), DB_INT(st), DB_TEXT(pid)));
		/* one appointment a day at 10:00 (staff 0), 10:30 (staff 1), 11:00 (staff 2) */
		for (int day = -5; day < DAYS; day++) {
			int64_t from = paris(day, 600 + 30 * i);
			int64_t block =
				insert_id(c,
					  "INSERT INTO blocks (account_id, staff_id, service_id, "
					  "blocked_from, blocked_to, capacity,"
					  " seats_taken) VALUES ($1, $2, $3, $4, $5, 1, 1) RETURNING id",
					  DB_ARGS(DB_INT(f->account), DB_INT(st), DB_INT(svc), DB_INT(from),
						  DB_INT(from + 1800)));
			public_id_new("apt", pid);
			exec(c,
			     "INSERT INTO appointments (account_id, public_id, block_id, service_id, "
			     "staff_id, starts_at,"
			     " ends_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 0, 0)",
			     DB_ARGS(DB_INT(f->account), DB_TEXT(pid), DB_INT(block), DB_INT(svc), DB_INT(st),
				     DB_INT(from), DB_INT(from + 1800)));
		}
	}
	must(db_commit(c, &e), &e);
	db_release(c);
	f->first_block = paris(0, 600);
	*state = f;
	return 0;
}

static int setup_sqlite(void **state)
{
	return setup(state, "sqlite");
}

static int setup_pg(void **state)
{
	return setup(state, "pg");
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	if (!f)
		return 0;
	db_close(f->d);
	testdb_destroy(&f->t);
	free(f);
	return 0;
}

/* Busy intervals of staff index si in l that start at `from`. */
static int busy_at(const struct loader *l, int si, int64_t from)
{
	int n = 0;
	for (int i = 0; i < l->nbusy; i++)
		if (l->blocks[i].staff_index == si && l->busy[i].from == from)
			n++;
	return n;
}

/* Loads [2027-01-04, 2027-01-04 + days - 1] for staff (a public id or "any") and checks the
 * statement count, the staff loaded and that every day's block of staff 0 is busy. */
static void load_range(struct fixture *f, const char *staff, int days, int expect_staff)
{
	struct slots_date from = {2027, 1, 4}, to;
	int64_t last = tz_days_from_civil(2027, 1, 4) + days - 1;
	tz_civil_from_days(last, &to.year, &to.month, &to.day);
	db_conn *c;
	struct err e = {0};
	must(db_acquire(f->d, &c, &e), &e);
	struct loader l;
	memset(&l, 0, sizeof(l));
	db_fault_fail_nth(f->d, 1000000); /* never fires: only counts the statements */
	int rc = loader_load(c, f->account, f->service, staff, from, to, paris(-30, 0), &l, &e);
	long counted = db_fault_counted(f->d);
	db_fault_fail_nth(f->d, 0);
	db_release(c);
	must(rc, &e);
	if (l.queries > 2 || counted > 2)
		fail_msg("%s over %d days: %d statements by the loader's count, %ld by the store's", staff,
			 days, l.queries, counted);
	assert_int_equal(l.queries, counted);
	assert_int_equal(l.nstaff, expect_staff);
	int s0 = -1;
	for (int i = 0; i < l.nstaff; i++)
		if (!strcmp(l.staff[i].public_id, f->staff[0]))
			s0 = i;
	assert_true(s0 >= 0);
	for (int d = 0; d < days; d++)
		if (busy_at(&l, s0, f->first_block + d * 86400) != 1)
			fail_msg("%s over %d days: the block of day %d is not busy", staff, days, d);
	/* the days off of 2027-01-20..22 arrive with the set-up when the range covers them */
	assert_int_equal(l.nexceptions, days > 16 ? l.nstaff : 0);
	loader_release(&l);
}

static void a_day_a_week_and_62_days_in_two_statements(void **state)
{
	struct fixture *f = *state;
	const int ranges[] = {1, 7, SLOTS_MAX_DAYS};
	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		load_range(f, f->staff[0], ranges[i], 1);
		load_range(f, "any", ranges[i], NSTAFF);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_day_a_week_and_62_days_in_two_statements),
	};
	int failed = cmocka_run_group_tests_name("schedule/loader sqlite", tests, setup_sqlite, teardown);
	/* PostgreSQL always: without CRENEAU_TEST_PG_URL its set-up fails the run */
	failed += cmocka_run_group_tests_name("schedule/loader postgresql", tests, setup_pg, teardown);
	return failed;
}
