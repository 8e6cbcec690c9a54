/* Importing upcoming appointments from CSV: for each N given (default 1000 and 10000), a fresh
 * account of the store argv[1] with five staff members and one service gets a generated agenda
 * of N rows (ten a day per staff member from a week ahead, a client per row with one in ten
 * coming back, one row in a hundred in the past, one in a hundred overlapping the row before)
 * through import_create (staged a thousand rows per transaction, each checked against the agenda
 * and the file) and import_commit (one publishing transaction). Each N runs in its own process.
 * Prints the time of each step and how long the publish held the writer; docs/internals/data.md
 * keeps the figures. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "base/tz.h"
#include "bench_util.h"

#define STAFF 5

static int fail(const char *what, const struct err *e)
{
	fprintf(stderr, "import-appointments: %s: %s\n", what, e->message);
	return 1;
}

/* Five staff members with all-week hours, and the service « Coupe » (45 min) they all provide. */
static int set_up(db *d, int64_t account_id, struct err *e)
{
	db_conn *c;
	if (db_acquire(d, &c, e))
		return -1;
	int64_t service = 0;
	char pid[24];
	public_id_new("svc", pid);
	int rc = db_query_int(c,
			      "INSERT INTO services (account_id, public_id, name, duration_min, created_at, "
			      "updated_at) VALUES ($1, $2, 'Coupe', 45, 0, 0) RETURNING id",
			      DB_ARGS(DB_INT(account_id), DB_TEXT(pid)), &service, e) == 1
			 ? 0
			 : -1;
	for (int i = 0; rc == 0 && i < STAFF; i++) {
		char name[32];
		int64_t staff = 0;
		snprintf(name, sizeof(name), "Coiffeur %d", i + 1);
		public_id_new("stf", pid);
		rc = db_query_int(
			     c,
			     "INSERT INTO staff (account_id, public_id, name, created_at, updated_at) VALUES "
			     "($1, $2, $3, 0, 0) RETURNING id",
			     DB_ARGS(DB_INT(account_id), DB_TEXT(pid), DB_TEXT(name)), &staff, e) == 1
			     ? 0
			     : -1;
		if (rc == 0 &&
		    db_exec(c,
			    "INSERT INTO service_staff (account_id, service_id, staff_id) VALUES ($1, "
			    "$2, $3)",
			    DB_ARGS(DB_INT(account_id), DB_INT(service), DB_INT(staff)), e) < 0)
			rc = -1;
		for (int wd = 1; rc == 0 && wd <= 7; wd++)
			if (db_exec(c,
				    "INSERT INTO staff_hours (account_id, staff_id, weekday, start_min, "
				    "end_min) "
				    "VALUES ($1, $2, $3, 540, 1140)",
				    DB_ARGS(DB_INT(account_id), DB_INT(staff), DB_INT(wd)), e) < 0)
				rc = -1;
	}
	db_release(c);
	return rc;
}

static char *make_csv(long n, int64_t now, size_t *len)
{
	size_t cap = (size_t)n * 120 + 256, off = 0;
	char *s = malloc(cap);
	off += (size_t)snprintf(s, cap,
				"\xEF\xBB\xBF"
				"Date;Heure;Prestation;Collaborateur;Client;E-mail\r\n");
	int64_t day0 = now / 86400 + 7;
	for (long i = 0; i < n; i++) {
		long slot = i / STAFF; /* ten a day per staff member, on the hour from 9:00 */
		int y, m, d;
		tz_civil_from_days(i % 100 == 42 ? day0 - 30 : day0 + slot / 10, &y, &m, &d);
		int minute = i % 100 == 77 && i >= STAFF ? 30 : 0; /* overlaps the row of the hour before */
		int hour = 9 + (int)(slot % 10) - (minute ? 1 : 0);
		long who = i % 10 == 9 ? i - 9 : i;
		off += (size_t)snprintf(s + off, cap - off,
					"%02d/%02d/%04d;%02d:%02d;Coupe;Coiffeur %ld;Hélène %ld;"
					"client%ld@bench.example\r\n",
					d, m, y, hour, minute, i % STAFF + 1, who, who);
	}
	*len = off;
	return s;
}

static int run_one(const char *store, long n)
{
	struct err e = {0};
	struct bench_business b;
	const char *what;
	if (bench_business_open(&b, store, "Salon Import", "import.example", n, &what, &e))
		return fail(what, &e);
	if (set_up(b.d, b.account_id, &e))
		return fail("set-up", &e);
	size_t len;
	char *csv = make_csv(n, clock_now(), &len);
	struct import_upload up = {
		.account_id = b.account_id, .appointments = 1, .data = csv, .len = len, .now = clock_now()};
	struct bench_import r;
	if (bench_import(b.d, &up, &r, &what, &e))
		return fail(what, &e);
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("import-appointments %s N=%ld: staged and checked in %.2f s (%.0f rows/s, %lld to fix), "
	       "commit %.2f s, publish held the writer %lld ms (%.0f us a row), %lld of %lld good rows "
	       "published; peak RSS %.1f MB\n",
	       db_kind_name(b.d), n, (double)r.stage_ms / 1000, (double)n * 1000 / (double)(r.stage_ms + 1),
	       (long long)r.rows_invalid, (double)r.commit_ms / 1000, (long long)r.publish_ms,
	       r.rows_published ? (double)r.publish_ms * 1000 / (double)r.rows_published : 0.0,
	       (long long)r.rows_published, (long long)r.rows_ok, (double)ru.ru_maxrss / 1024);
	bench_business_close(&b);
	return r.rows_published == r.rows_ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	static char *defaults[] = {"1000", "10000"};
	return bench_each_n(argc, argv, "import-appointments", defaults, run_one);
}
