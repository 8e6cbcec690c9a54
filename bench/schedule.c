/* The store behind bench/schedule-http: fills the store named by argv[1] with one business
 * (Europe/Paris) of 20 staff (Monday to Saturday 08:00-12:00 and 13:00-20:00), three
 * services every staff member provides, 2 000 clients and N appointments (argv[2], default
 * 50 000) from about 270 days ago onwards, each with its own block, in a few big transactions
 * (the store's overlap guard checks every block). Then prints, as shell assignments, what the
 * HTTP benchmark needs: the slug, a staff id, the services, the owner's session cookie, a day
 * and a month with appointments, and the first Monday of a range left free for booking.
 * Usage: schedule STORE_URL [APPOINTMENTS] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account/account.h"
#include "account/signup.h"
#include "base/clock.h"
#include "base/tz.h"
#include "db/db.h"

#define NSTAFF	  20
#define NCLIENTS  2000
#define PER_DAY	  8	/* appointments per staff member per open day */
#define PAST_DAYS 270	/* the first filled day, before today */
#define BOOK_GAP  20	/* free days between the last filled day and the booking range */
#define BATCH	  10000 /* appointments per transaction */

struct svc {
	const char *name;
	int duration, before, after;
	int64_t id;
	char pid[24];
};

static struct svc svcs[] = {
	{"Coupe", 30, 0, 0, 0, ""},
	{"Couleur", 45, 0, 15, 0, ""},
	{"Soin complet", 60, 10, 10, 0, ""},
};
#define NSVC ((int)(sizeof(svcs) / sizeof(svcs[0])))

static const int ranges[2][2] = {{8 * 60, 12 * 60}, {13 * 60, 20 * 60}};

static uint64_t rng = 0x9e3779b97f4a7c15u;
static unsigned next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng >> 33);
}

static void die(const char *what, const struct err *e)
{
	fprintf(stderr, "schedule bench: %s: %s\n", what, e->message);
	exit(1);
}

static int64_t insert_id(db_conn *c, const char *sql, const db_param *p, int n)
{
	struct err e = {0};
	int64_t id = 0;
	if (db_query_int(c, sql, p, n, &id, &e) != 1)
		die(sql, &e);
	return id;
}

static void exec(db_conn *c, const char *sql, const db_param *p, int n)
{
	struct err e = {0};
	if (db_exec(c, sql, p, n, &e) < 0)
		die(sql, &e);
}

static int64_t local_instant(const struct tz *z, int64_t day, int minute)
{
	struct civil w = {0};
	tz_civil_from_days(day, &w.year, &w.month, &w.day);
	w.hour = minute / 60;
	w.minute = minute % 60;
	int64_t t = 0;
	if (tz_resolve(z, &w, TZ_EARLIER, &t) < 0) {
		fprintf(stderr, "schedule bench: bad wall time\n");
		exit(1);
	}
	return t;
}

static void print_date(const char *name, int64_t day)
{
	int y, m, d;
	tz_civil_from_days(day, &y, &m, &d);
	printf("%s=%04d-%02d-%02d\n", name, y, m, d);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: schedule STORE_URL [APPOINTMENTS]\n");
		return 2;
	}
	long total = argc > 2 ? strtol(argv[2], NULL, 10) : 50000;
	if (total < 0 || total > 10000000)
		total = 50000;
	struct err e = {0};
	db *d;
	if (db_open(argv[1], NULL, &d, &e) || db_migrate(d, &e) || plans_load(d, &e))
		die("store", &e);
	const struct tz *z = tz_get("Europe/Paris", &e);
	if (!z)
		die("zone", &e);
	int64_t now = clock_now();

	struct signup s = {.plan = PLAN_OPTIMUM};
	snprintf(s.business_name, sizeof(s.business_name), "Banc Planning");
	snprintf(s.email, sizeof(s.email), "banc-planning-%lld@exemple.fr", (long long)now);
	snprintf(s.password, sizeof(s.password), "Banc-Essai-2027");
	snprintf(s.business_type, sizeof(s.business_type), "other");
	snprintf(s.time_zone, sizeof(s.time_zone), "Europe/Paris");
	snprintf(s.locale, sizeof(s.locale), "fr");
	struct signup_result out;
	if (signup_create(d, &s, now, &out, &e))
		die("sign-up", &e);
	int64_t acc = out.account_id;

	db_conn *c;
	if (db_acquire(d, &c, &e) || db_begin(c, &e))
		die("begin", &e);
	/* Bookings up to 400 days ahead, a 15-minute grid, one hour's notice. */
	exec(c,
	     "UPDATE accounts SET time_zone = 'Europe/Paris', min_notice_s = 3600, horizon_s = $2, "
	     "slot_step_min = 15"
	     " WHERE id = $1",
	     DB_ARGS(DB_INT(acc), DB_INT(400 * 86400)));
	int64_t staff[NSTAFF];
	char staff_pid[NSTAFF][24];
	for (int i = 0; i < NSTAFF; i++) {
		char name[32];
		snprintf(name, sizeof(name), "Coiffeur %02d", i + 1);
		public_id_new("stf", staff_pid[i]);
		staff[i] = insert_id(
			c,
			"INSERT INTO staff (account_id, public_id, name, position, created_at, updated_at)"
			" VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
			DB_ARGS(DB_INT(acc), DB_TEXT(staff_pid[i]), DB_TEXT(name), DB_INT(i), DB_INT(now)));
		for (int wd = 1; wd <= 6; wd++)
			for (int r = 0; r < 2; r++)
				exec(c,
				     "INSERT INTO staff_hours (account_id, staff_id, weekday, start_min, "
				     "end_min)"
				     " VALUES ($1, $2, $3, $4, $5)",
				     DB_ARGS(DB_INT(acc), DB_INT(staff[i]), DB_INT(wd), DB_INT(ranges[r][0]),
					     DB_INT(ranges[r][1])));
	}
	for (int k = 0; k < NSVC; k++) {
		public_id_new("svc", svcs[k].pid);
		svcs[k].id = insert_id(
			c,
			"INSERT INTO services (account_id, public_id, name, duration_min, price_cents,"
			" buffer_before_min, buffer_after_min, position, created_at, updated_at)"
			" VALUES ($1, $2, $3, $4, 3500, $5, $6, $7, $8, $8) RETURNING id",
			DB_ARGS(DB_INT(acc), DB_TEXT(svcs[k].pid), DB_TEXT(svcs[k].name),
				DB_INT(svcs[k].duration), DB_INT(svcs[k].before), DB_INT(svcs[k].after),
				DB_INT(k), DB_INT(now)));
		for (int i = 0; i < NSTAFF; i++)
			exec(c,
			     "INSERT INTO service_staff (account_id, service_id, staff_id) VALUES ($1, $2, "
			     "$3)",
			     DB_ARGS(DB_INT(acc), DB_INT(svcs[k].id), DB_INT(staff[i])));
	}
	static int64_t clients[NCLIENTS];
	for (int i = 0; i < NCLIENTS; i++) {
		char pid[24], first[32], last[32], email[64];
		public_id_new("cli", pid);
		snprintf(first, sizeof(first), "Client%d", i);
		snprintf(last, sizeof(last), "Banc%d", i);
		snprintf(email, sizeof(email), "client-%d@exemple.fr", i);
		clients[i] = insert_id(
			c,
			"INSERT INTO clients (account_id, public_id, first_name, last_name, search_text,"
			" email, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING "
			"id",
			DB_ARGS(DB_INT(acc), DB_TEXT(pid), DB_TEXT(first), DB_TEXT(last), DB_TEXT(email),
				DB_TEXT(email), DB_INT(now)));
	}
	if (db_commit(c, &e))
		die("commit", &e);

	/* Appointments: PER_DAY per staff member and open day, from PAST_DAYS ago onwards. */
	struct civil tc;
	tz_to_civil(z, now, &tc);
	int64_t today = tz_days_from_civil(tc.year, tc.month, tc.day);
	int64_t day = today - PAST_DAYS;
	long placed = 0, seq = 0;
	int64_t t0 = clock_mono_ms();
	while (placed < total) {
		if (db_begin(c, &e))
			die("begin", &e);
		long batch_end = placed + BATCH < total ? placed + BATCH : total;
		while (placed < batch_end) {
			int y, m, dd;
			tz_civil_from_days(day, &y, &m, &dd);
			if (tz_weekday(y, m, dd) == 7) {
				day++;
				continue;
			}
			for (int i = 0; i < NSTAFF && placed < batch_end; i++) {
				int r = 0, cursor = ranges[0][0];
				for (int n = 0; n < PER_DAY && placed < batch_end;) {
					const struct svc *v = &svcs[next_rand() % NSVC];
					int start = cursor + (int)(next_rand() % 3) * 15 + v->before;
					start = (start + 14) / 15 * 15;
					if (start + v->duration + v->after > ranges[r][1]) {
						if (++r == 2)
							break;
						cursor = ranges[r][0];
						continue;
					}
					cursor = start + v->duration + v->after;
					int64_t at = local_instant(z, day, start);
					int64_t end = at + v->duration * 60;
					int past = at < now;
					unsigned roll = next_rand() % 100;
					int cancelled = roll < 5;
					const char *status = cancelled	 ? "cancelled"
							     : !past	 ? "booked"
							     : roll < 10 ? "no_show"
									 : "done";
					int64_t block = insert_id(
						c,
						"INSERT INTO blocks (account_id, staff_id, service_id, "
						"blocked_from, blocked_to, status,"
						" capacity, seats_taken) VALUES ($1, $2, $3, $4, $5, $6, 1, "
						"1) RETURNING id",
						DB_ARGS(DB_INT(acc), DB_INT(staff[i]), DB_INT(v->id),
							DB_INT(at - v->before * 60),
							DB_INT(end + v->after * 60),
							DB_TEXT(cancelled ? "cancelled" : "active")));
					char pid[24];
					public_id_new("apt", pid);
					seq++;
					exec(c,
					     "INSERT INTO appointments (account_id, public_id, block_id, "
					     "service_id, staff_id, client_id,"
					     " starts_at, ends_at, status, source, change_seq, created_at, "
					     "updated_at, cancelled_at)"
					     " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, "
					     "$12, $13)",
					     DB_ARGS(DB_INT(acc), DB_TEXT(pid), DB_INT(block), DB_INT(v->id),
						     DB_INT(staff[i]),
						     DB_INT(clients[next_rand() % NCLIENTS]), DB_INT(at),
						     DB_INT(end), DB_TEXT(status),
						     DB_TEXT(seq % 3 ? "office" : "public"), DB_INT(seq),
						     DB_INT(at - 7 * 86400),
						     cancelled ? DB_INT(at - 86400) : DB_NULL));
					placed++;
					n++;
				}
			}
			day++;
		}
		if (db_commit(c, &e))
			die("commit", &e);
	}
	exec(c,
	     "INSERT INTO change_counters (account_id, seq) VALUES ($1, $2)"
	     " ON CONFLICT (account_id) DO UPDATE SET seq = change_counters.seq + $2",
	     DB_ARGS(DB_INT(acc), DB_INT(seq)));
	/* PostgreSQL's autovacuum would gather the statistics within a minute, in the middle of
	 * the measurements: gather them now. */
	if (db_kind(d) == DB_PG)
		exec(c, "ANALYZE", DB_NOARGS);
	int64_t last_filled = day - 1;
	fprintf(stderr,
		"schedule bench: %ld appointments written on %s in %.1f s, up to %+lld days from today\n",
		placed, db_kind_name(d), (double)(clock_mono_ms() - t0) / 1000.0,
		(long long)(last_filled - today));

	char slug[64] = "";
	{
		db_rows *rows;
		if (db_query(c, "SELECT slug FROM accounts WHERE id = $1", DB_ARGS(DB_INT(acc)), &rows, &e) ||
		    db_rows_next(rows, &e) != 1)
			die("slug", &e);
		snprintf(slug, sizeof(slug), "%s", db_rows_text(rows, 0));
		db_rows_free(rows);
	}
	db_release(c);

	printf("SLUG=%s\n", slug);
	printf("STAFF=%s\n", staff_pid[0]);
	printf("STAFF_ALL='");
	for (int i = 0; i < NSTAFF; i++)
		printf("%s%s", i ? " " : "", staff_pid[i]);
	printf("'\n");
	printf("SERVICE=%s\n", svcs[0].pid);	  /* 30 minutes, no buffers */
	printf("SERVICE_LONG=%s\n", svcs[2].pid); /* 60 minutes, buffers */
	printf("COOKIE='%s=%s'\n", SESSION_COOKIE, out.session_token);
	printf("EMAIL=%s\nPASSWORD=%s\n", s.email, s.password);
	/* A filled open day a week ahead (not a Sunday), and the next calendar month. */
	int64_t dday = today + 7;
	{
		int y, m, dd;
		tz_civil_from_days(dday, &y, &m, &dd);
		if (tz_weekday(y, m, dd) == 7)
			dday++;
	}
	print_date("DAY", dday);
	{
		int y = tc.year, m = tc.month + 1;
		if (m == 13) {
			m = 1;
			y++;
		}
		printf("MONTH_FROM=%04d-%02d-01\nMONTH_TO=%04d-%02d-%02d\n", y, m, y, m,
		       tz_days_in_month(y, m));
	}
	/* Booking range: the first Monday BOOK_GAP days after the last filled day (or today). */
	int64_t b = (last_filled > today ? last_filled : today) + BOOK_GAP;
	for (;;) {
		int y, m, dd;
		tz_civil_from_days(b, &y, &m, &dd);
		if (tz_weekday(y, m, dd) == 1)
			break;
		b++;
	}
	print_date("BOOK_FROM_DATE", b);
	printf("BOOK_FROM=%lld\n", (long long)(b * 86400));
	printf("BOOK_DAYS=%lld\n", (long long)(today + 395 - b));
	printf("APPOINTMENTS=%ld\n", placed);
	db_close(d);
	return 0;
}
