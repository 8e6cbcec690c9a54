/* stats — the dashboard's figures and the first-run checklist (see stats.h and
 * docs/internals/dashboard.md). */
#include "schedule/stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "schedule/setup.h"
#include "schedule/slots.h"
#include "base/banned.h"

#define DAY_MINUTES 1440

static int64_t date_num(int y, int m, int d)
{
	return tz_days_from_civil(y, m, d);
}

/* The week bounds: out[i].monday, from, to for weeks ending with the one holding now. */
static int week_bounds(const struct tz *z, int64_t now, int weeks, struct stats_week *out, struct err *e)
{
	struct civil today;
	tz_to_civil(z, now, &today);
	int64_t monday = date_num(today.year, today.month, today.day) -
			 (tz_weekday(today.year, today.month, today.day) - 1) - 7 * (int64_t)(weeks - 1);
	for (int i = 0; i <= weeks; i++) {
		struct civil d = {0};
		tz_civil_from_days(monday + 7 * (int64_t)i, &d.year, &d.month, &d.day);
		int64_t start;
		if (tz_day_start(z, d.year, d.month, d.day, &start))
			return err_internal(e, "no start for %04d-%02d-%02d", d.year, d.month, d.day);
		if (i < weeks) {
			memset(&out[i], 0, sizeof(out[i]));
			out[i].monday = d;
			out[i].from = start;
		}
		if (i > 0)
			out[i - 1].to = start;
	}
	return 0;
}

/* The week of out[0..weeks-1] holding instant t, or -1. */
static int week_of(const struct stats_week *w, int weeks, int64_t t)
{
	int lo = 0, hi = weeks - 1;
	if (t < w[0].from || t >= w[weeks - 1].to)
		return -1;
	while (lo < hi) {
		int mid = (lo + hi + 1) / 2;
		if (w[mid].from <= t)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

/* ---- open minutes ---- */

static void mark(unsigned char *open, const struct slots_range *r, int n)
{
	for (int i = 0; i < n; i++) {
		int from = r[i].start < 0 ? 0 : r[i].start,
		    to = r[i].end > DAY_MINUTES ? DAY_MINUTES : r[i].end;
		if (to > from)
			memset(open + from, 1, (size_t)(to - from));
	}
}

/* The wall-clock minutes a staff member is open on local date `num` (closed days already left
 * out by the caller): as slots.c's local_ranges, a day off closes the day, other hours replace
 * the weekly ones, extra hours are added; overlaps count once. */
static int64_t day_minutes(const struct slots_week *week, const struct slots_exception *x, int nx,
			   int64_t num, int weekday_index)
{
	unsigned char open[DAY_MINUTES];
	memset(open, 0, sizeof(open));
	int replaced = 0;
	for (int i = 0; i < nx; i++) {
		if (num < date_num(x[i].from.year, x[i].from.month, x[i].from.day) ||
		    num > date_num(x[i].to.year, x[i].to.month, x[i].to.day))
			continue;
		if (x[i].kind == SLOTS_DAY_OFF)
			return 0;
		replaced |= x[i].kind == SLOTS_HOURS;
		mark(open, x[i].ranges, x[i].count);
	}
	if (!replaced)
		mark(open, week->ranges[weekday_index], week->count[weekday_index]);
	int64_t n = 0;
	for (int m = 0; m < DAY_MINUTES; m++)
		n += open[m];
	return n;
}

static int open_minutes(db_conn *c, int64_t account_id, struct stats_week *w, int weeks, struct err *e)
{
	int64_t staff[STATS_STAFF_MAX];
	int nstaff = 0, rc;
	db_rows *r;
	if (db_query(c,
		     "SELECT id FROM staff WHERE account_id = $1 AND is_demo = 0 AND active = 1 AND bookable "
		     "= 1 "
		     "ORDER BY id LIMIT $2",
		     DB_ARGS(DB_INT(account_id), DB_INT(STATS_STAFF_MAX)), &r, e))
		return -1;
	while (nstaff < STATS_STAFF_MAX && (rc = db_rows_next(r, e)) == 1)
		staff[nstaff++] = db_rows_int(r, 0);
	db_rows_free(r);
	if (nstaff < STATS_STAFF_MAX && rc < 0)
		return -1;
	if (!nstaff)
		return 0;

	char from[16];
	snprintf(from, sizeof(from), "%04d-%02d-%02d", w[0].monday.year, w[0].monday.month, w[0].monday.day);
	struct slots_date *closed = xcalloc(SLOTS_MAX_CLOSED, sizeof(*closed));
	struct slots_exception *x = xcalloc(SLOTS_MAX_EXCEPTIONS, sizeof(*x));
	int nclosed = setup_load_closed(c, account_id, from, closed, e);
	int64_t first = date_num(w[0].monday.year, w[0].monday.month, w[0].monday.day);
	rc = nclosed < 0 ? -1 : 0;
	for (int s = 0; rc == 0 && s < nstaff; s++) {
		struct slots_week week;
		int nx;
		if (setup_load_week(c, account_id, staff[s], &week, e) ||
		    (nx = setup_load_exceptions(c, account_id, staff[s], from, x, e)) < 0) {
			rc = -1;
			break;
		}
		for (int k = 0; k < 7 * weeks; k++) {
			int64_t num = first + k;
			int is_closed = 0;
			for (int i = 0; i < nclosed && !is_closed; i++)
				is_closed = date_num(closed[i].year, closed[i].month, closed[i].day) == num;
			if (!is_closed)
				w[k / 7].open_minutes += day_minutes(&week, x, nx, num, k % 7);
		}
	}
	free(closed);
	free(x);
	return rc;
}

/* ---- counts ---- */

int stats_weeks(db_conn *c, int64_t account_id, const struct tz *z, int64_t now, int weeks,
		struct stats_week *out, struct err *e)
{
	if (weeks < 1 || weeks > STATS_WEEKS_MAX)
		return err_invalid(e, "weeks", "weeks is a whole number from 1 to %d", STATS_WEEKS_MAX);
	if (week_bounds(z, now, weeks, out, e))
		return -1;
	int64_t from = out[0].from, to = out[weeks - 1].to;
	db_rows *r;
	int rc;
	if (db_query(c,
		     "SELECT starts_at, ends_at, status FROM appointments WHERE account_id = $1 AND is_demo "
		     "= 0 "
		     "AND status <> 'cancelled' AND starts_at >= $2 AND starts_at < $3",
		     DB_ARGS(DB_INT(account_id), DB_INT(from), DB_INT(to)), &r, e))
		return -1;
	while ((rc = db_rows_next(r, e)) == 1) {
		int64_t start = db_rows_int(r, 0), end = db_rows_int(r, 1);
		int i = week_of(out, weeks, start);
		if (i < 0)
			continue;
		out[i].appointments++;
		out[i].booked_minutes += (end - start) / 60;
		if (start < now) {
			out[i].started++;
			out[i].no_shows += !strcmp(db_rows_text(r, 2), "no_show");
		}
	}
	db_rows_free(r);
	if (rc < 0)
		return -1;
	if (db_query(c,
		     "SELECT created_at FROM clients WHERE account_id = $1 AND is_demo = 0 AND created_at >= "
		     "$2 "
		     "AND created_at < $3",
		     DB_ARGS(DB_INT(account_id), DB_INT(from), DB_INT(to)), &r, e))
		return -1;
	while ((rc = db_rows_next(r, e)) == 1) {
		int i = week_of(out, weeks, db_rows_int(r, 0));
		if (i >= 0)
			out[i].new_clients++;
	}
	db_rows_free(r);
	if (rc < 0)
		return -1;
	return open_minutes(c, account_id, out, weeks, e);
}

int stats_appointments(db_conn *c, int64_t account_id, int64_t from, int64_t to, stats_appointment_fn each,
		       void *ctx, struct err *e)
{
	db_rows *r;
	if (db_query(c,
		     "SELECT a.public_id, a.status, s.name, st.name, cl.first_name, cl.last_name, "
		     "cl.public_id, "
		     "a.starts_at, a.ends_at FROM appointments a "
		     "LEFT JOIN services s ON s.account_id = a.account_id AND s.id = a.service_id "
		     "LEFT JOIN staff st ON st.account_id = a.account_id AND st.id = a.staff_id "
		     "LEFT JOIN clients cl ON cl.account_id = a.account_id AND cl.id = a.client_id "
		     "WHERE a.account_id = $1 AND a.is_demo = 0 AND a.status <> 'cancelled' AND a.starts_at "
		     ">= $2 "
		     "AND a.starts_at < $3 ORDER BY a.starts_at, a.id LIMIT $4",
		     DB_ARGS(DB_INT(account_id), DB_INT(from), DB_INT(to), DB_INT(STATS_TODAY_MAX)), &r, e))
		return -1;
	int n = 0, rc;
	while ((rc = db_rows_next(r, e)) == 1) {
		struct stats_appointment a = {
			.public_id = db_rows_text(r, 0),
			.status = db_rows_text(r, 1),
			.service = db_rows_text(r, 2) ? db_rows_text(r, 2) : "",
			.staff = db_rows_text(r, 3) ? db_rows_text(r, 3) : "",
			.first_name = db_rows_text(r, 4) ? db_rows_text(r, 4) : "",
			.last_name = db_rows_text(r, 5) ? db_rows_text(r, 5) : "",
			.client_id = db_rows_text(r, 6),
			.starts_at = db_rows_int(r, 7),
			.ends_at = db_rows_int(r, 8),
		};
		each(ctx, &a);
		n++;
	}
	db_rows_free(r);
	return rc < 0 ? -1 : n;
}

/* ---- the checklist ---- */

static int count_positive(db_conn *c, const char *sql, int64_t account_id, int *out, struct err *e)
{
	int64_t n = 0;
	if (db_query_int(c, sql, DB_ARGS(DB_INT(account_id)), &n, e) < 0)
		return -1;
	*out = n > 0;
	return 0;
}

int stats_checklist(db_conn *c, int64_t account_id, struct stats_checklist *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	int booked_online = 0;
	if (count_positive(
		    c, "SELECT count(*) FROM services WHERE account_id = $1 AND is_demo = 0 AND active = 1",
		    account_id, &out->services, e) ||
	    count_positive(c,
			   "SELECT count(*) FROM staff_hours h JOIN staff s ON s.account_id = h.account_id "
			   "AND s.id = h.staff_id WHERE h.account_id = $1 AND s.is_demo = 0 AND s.active = 1",
			   account_id, &out->hours, e) ||
	    count_positive(
		    c,
		    "SELECT count(*) FROM (SELECT 1 FROM appointments WHERE account_id = $1 AND is_demo = 0 "
		    "AND source = 'public' LIMIT 1) x",
		    account_id, &booked_online, e))
		return -1;
	db_rows *r;
	if (db_query(c, "SELECT link_shared_at, dismissed_at FROM office_checklist WHERE account_id = $1",
		     DB_ARGS(DB_INT(account_id)), &r, e))
		return -1;
	int rc = db_rows_next(r, e);
	if (rc == 1) {
		out->link_shared = !db_rows_is_null(r, 0);
		out->dismissed = !db_rows_is_null(r, 1);
	}
	db_rows_free(r);
	if (rc < 0)
		return -1;
	out->link_shared |= booked_online;
	return 0;
}

int stats_checklist_mark(db_conn *c, int64_t account_id, int link_shared, int dismissed, int64_t now,
			 struct err *e)
{
	if (!link_shared && !dismissed)
		return 0;
	int n = db_exec(
		c,
		"INSERT INTO office_checklist (account_id, link_shared_at, dismissed_at) VALUES ($1, $2, $3) "
		"ON CONFLICT (account_id) DO UPDATE SET "
		"link_shared_at = COALESCE(office_checklist.link_shared_at, excluded.link_shared_at), "
		"dismissed_at = COALESCE(office_checklist.dismissed_at, excluded.dismissed_at)",
		DB_ARGS(DB_INT(account_id), link_shared ? DB_INT(now) : DB_NULL,
			dismissed ? DB_INT(now) : DB_NULL),
		e);
	return n < 0 ? -1 : 0;
}
