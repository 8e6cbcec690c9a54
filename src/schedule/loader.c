/* The schedule of one service read in two statements: the set-up (one UNION ALL) and the
 * live blocks. See loader.h and docs/internals/appointments.md. */
#include "schedule/loader.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "base/banned.h"

/* The longest a block may be: a duration and two buffers, each at most a day. Blocks are read
 * from this far before the range so the index on (staff, blocked_from) bounds both ends. */
#define LOADER_BLOCK_MAX_S ((int64_t)SLOTS_MAX_DURATION * 60 * 3)

enum row_kind { ROW_ACCOUNT, ROW_SERVICE, ROW_STAFF, ROW_HOURS, ROW_EXCEPTION, ROW_CLOSED };

/* Columns: kind, staff_id, order, i1..i7, t1..t4. */
static const char setup_sql[] =
	"WITH svc AS (SELECT id, public_id, duration_min, buffer_before_min, buffer_after_min, capacity,"
	"   min_notice_s, horizon_s, slot_step_min FROM services"
	"   WHERE account_id = $1 AND public_id = $2 AND active = 1),"
	" prov AS (SELECT ss.staff_id FROM service_staff ss JOIN svc ON ss.service_id = svc.id"
	"   WHERE ss.account_id = $1),"
	" st AS (SELECT s.id, s.public_id, s.user_id, s.position,"
	"   CASE WHEN s.active = 1 AND s.bookable = 1 AND s.id IN (SELECT staff_id FROM prov)"
	"   THEN 1 ELSE 0 END AS provides"
	"   FROM staff s WHERE s.account_id = $1 AND (s.public_id = $3 OR ($3 = '' AND s.active = 1"
	"   AND s.bookable = 1 AND s.id IN (SELECT staff_id FROM prov))))"
	" SELECT 0 AS k, CAST(0 AS BIGINT) AS sid, CAST(0 AS BIGINT) AS o, a.min_notice_s, a.horizon_s,"
	"   a.slot_step_min, CAST(0 AS BIGINT), CAST(0 AS BIGINT), CAST(0 AS BIGINT), CAST(0 AS BIGINT),"
	"   a.time_zone, CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS TEXT)"
	"   FROM accounts a WHERE a.id = $1"
	" UNION ALL SELECT 1, svc.id, 0, svc.duration_min, svc.buffer_before_min, svc.buffer_after_min,"
	"   svc.capacity, COALESCE(svc.min_notice_s, -1), COALESCE(svc.horizon_s, -1),"
	"   COALESCE(svc.slot_step_min, -1), svc.public_id, NULL, NULL, NULL FROM svc"
	" UNION ALL SELECT 2, st.id, st.position, COALESCE(st.user_id, 0), st.provides, 0, 0, 0, 0, 0,"
	"   st.public_id, NULL, NULL, NULL FROM st"
	" UNION ALL SELECT 3, h.staff_id, 0, h.weekday, h.start_min, h.end_min, 0, 0, 0, 0, NULL, NULL,"
	"   NULL, NULL FROM staff_hours h WHERE h.account_id = $1 AND h.staff_id IN (SELECT id FROM st)"
	" UNION ALL SELECT 4, x.staff_id, 0, 0, 0, 0, 0, 0, 0, 0, x.kind, x.from_date, x.to_date, x.ranges"
	"   FROM staff_exceptions x WHERE x.account_id = $1 AND x.staff_id IN (SELECT id FROM st)"
	"   AND x.to_date >= $4 AND x.from_date <= $5"
	" UNION ALL SELECT 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, d.day, NULL, NULL, NULL FROM closed_days d"
	"   WHERE d.account_id = $1 AND d.day >= $4 AND d.day <= $5"
	" ORDER BY 1, 3, 2";

/* Live blocks of the staff read by the set-up query, over [$3, $4) widened; $5 is the service.
 * One staff member ($6 > 0) or the service's. For a group service (capacity > 1) the rows also
 * say what a group session needs (its service, seats and start); for any other these columns
 * change nothing (loader_check_start and day_sessions look at them for group services only), and
 * leaving them out makes a month for "any" staff, thousands of rows, a third cheaper to read. */
#define BLOCKS_COLUMNS "SELECT b.id, b.staff_id, b.blocked_from, b.blocked_to"
#define BLOCKS_GROUP_COLUMNS                                                                                 \
	", b.service_id, b.capacity, b.seats_taken,"                                                         \
	" CASE WHEN b.capacity > 1 THEN (SELECT min(ap.starts_at) FROM appointments ap"                      \
	"   WHERE ap.account_id = b.account_id AND ap.block_id = b.id AND ap.status <> 'cancelled')"         \
	"   ELSE 0 END"
#define BLOCKS_OF_ONE                                                                                        \
	" FROM blocks b WHERE b.account_id = $1 AND b.staff_id = $6 AND b.status = 'active'"                 \
	" AND b.blocked_from >= $2 AND b.blocked_from < $4 AND b.blocked_to > $3 AND $5 > 0"                 \
	" ORDER BY b.staff_id, b.blocked_from"
#define BLOCKS_OF_ANY                                                                                        \
	" FROM blocks b WHERE b.account_id = $1 AND b.status = 'active'"                                     \
	" AND b.staff_id IN (SELECT ss.staff_id FROM service_staff ss JOIN staff s"                          \
	"   ON s.account_id = ss.account_id AND s.id = ss.staff_id"                                          \
	"   WHERE ss.account_id = $1 AND ss.service_id = $5 AND s.active = 1 AND s.bookable = 1)"            \
	" AND b.blocked_from >= $2 AND b.blocked_from < $4 AND b.blocked_to > $3 AND $6 = 0"                 \
	" ORDER BY b.staff_id, b.blocked_from"
/* by (any staff ? 2 : 0) + (group service ? 1 : 0) */
static const char *const blocks_sql[4] = {
	BLOCKS_COLUMNS BLOCKS_OF_ONE,
	BLOCKS_COLUMNS BLOCKS_GROUP_COLUMNS BLOCKS_OF_ONE,
	BLOCKS_COLUMNS BLOCKS_OF_ANY,
	BLOCKS_COLUMNS BLOCKS_GROUP_COLUMNS BLOCKS_OF_ANY,
};

static void date_text(struct slots_date d, char out[16])
{
	snprintf(out, 16, "%04u-%02u-%02u", (unsigned)d.year % 10000u, (unsigned)d.month % 100u,
		 (unsigned)d.day % 100u);
}

static int parse_date(const char *s, struct slots_date *out)
{
	struct civil c;
	if (!s || tz_parse_date(s, &c, NULL, "date"))
		return -1;
	out->year = c.year;
	out->month = c.month;
	out->day = c.day;
	return 0;
}

int loader_staff_index(const struct loader *l, int64_t staff_id)
{
	for (int i = 0; i < l->nstaff; i++)
		if (l->staff[i].id == staff_id)
			return i;
	return -1;
}

struct slots_date loader_local_date(const struct loader *l, int64_t utc)
{
	struct civil c;
	tz_to_civil(l->zone, utc, &c);
	return (struct slots_date){c.year, c.month, c.day};
}

static int parse_ranges(const char *text, struct slots_exception *x)
{
	json_error_t je;
	json_t *a = json_loads(text ? text : "[]", 0, &je);
	size_t i;
	json_t *r;
	if (!json_is_array(a) || json_array_size(a) > SLOTS_MAX_RANGES) {
		json_decref(a);
		return -1;
	}
	x->count = 0;
	json_array_foreach(a, i, r)
	{
		if (!json_is_array(r) || json_array_size(r) != 2 || !json_is_integer(json_array_get(r, 0)) ||
		    !json_is_integer(json_array_get(r, 1))) {
			json_decref(a);
			return -1;
		}
		x->ranges[x->count].start = (int)json_integer_value(json_array_get(r, 0));
		x->ranges[x->count].end = (int)json_integer_value(json_array_get(r, 1));
		x->count++;
	}
	json_decref(a);
	return 0;
}

static int exception_kind(const char *k)
{
	if (!k)
		return -1;
	if (!strcmp(k, "off"))
		return SLOTS_DAY_OFF;
	if (!strcmp(k, "hours"))
		return SLOTS_HOURS;
	if (!strcmp(k, "extra"))
		return SLOTS_EXTRA;
	return -1;
}

struct setup_state {
	int have_account, have_service;
	int64_t acct_notice, acct_horizon, acct_step;
	int cap_exc, cap_closed;
	int64_t *exc_owner; /* staff id of each exception row */
};

static int setup_row(struct loader *l, struct setup_state *s, db_rows *r, struct err *e)
{
	int kind = (int)db_rows_int(r, 0);
	int64_t sid = db_rows_int(r, 1);
	int64_t i1 = db_rows_int(r, 3), i2 = db_rows_int(r, 4), i3 = db_rows_int(r, 5),
		i4 = db_rows_int(r, 6);
	int64_t i5 = db_rows_int(r, 7), i6 = db_rows_int(r, 8), i7 = db_rows_int(r, 9);
	const char *t1 = db_rows_text(r, 10);
	switch (kind) {
	case ROW_ACCOUNT:
		s->have_account = 1;
		s->acct_notice = i1;
		s->acct_horizon = i2;
		s->acct_step = i3;
		snprintf(l->time_zone, sizeof(l->time_zone), "%s", t1 ? t1 : "");
		return 0;
	case ROW_SERVICE: {
		struct loader_service *v = &l->service;
		s->have_service = 1;
		v->id = sid;
		snprintf(v->public_id, sizeof(v->public_id), "%s", t1 ? t1 : "");
		v->duration = (int)i1;
		v->buffer_before = (int)i2;
		v->buffer_after = (int)i3;
		v->capacity = (int)i4;
		v->rules.notice_s = i5 >= 0 ? i5 : s->acct_notice;
		v->rules.horizon_s = i6 >= 0 ? i6 : s->acct_horizon;
		v->rules.step = (int)(i7 >= 0 ? i7 : s->acct_step);
		return 0;
	}
	case ROW_STAFF: {
		if (l->nstaff >= SLOTS_MAX_STAFF)
			return err_set(e, 422, "too_many_staff", "staff", "at most %d staff per computation",
				       SLOTS_MAX_STAFF);
		struct loader_staff *st = &l->staff[l->nstaff++];
		st->id = sid;
		st->user_id = i1;
		st->provides = (int)i2;
		snprintf(st->public_id, sizeof(st->public_id), "%s", t1 ? t1 : "");
		return 0;
	}
	case ROW_HOURS: {
		int si = loader_staff_index(l, sid);
		if (si < 0 || i1 < 1 || i1 > 7)
			return 0;
		struct slots_week *w = &l->slot_staff[si].week;
		int d = (int)i1 - 1;
		if (w->count[d] >= SLOTS_MAX_RANGES)
			return err_internal(e, "more than %d ranges on one weekday", SLOTS_MAX_RANGES);
		w->ranges[d][w->count[d]++] = (struct slots_range){(int)i2, (int)i3};
		return 0;
	}
	case ROW_EXCEPTION: {
		int si = loader_staff_index(l, sid);
		if (si < 0)
			return 0;
		if (l->nexceptions >= SLOTS_MAX_EXCEPTIONS * SLOTS_MAX_STAFF)
			return err_internal(e, "too many exceptions");
		if (l->nexceptions == s->cap_exc) {
			s->cap_exc = s->cap_exc ? s->cap_exc * 2 : 16;
			l->exceptions = xrealloc(l->exceptions, (size_t)s->cap_exc * sizeof(*l->exceptions));
			s->exc_owner = xrealloc(s->exc_owner, (size_t)s->cap_exc * sizeof(*s->exc_owner));
		}
		s->exc_owner[l->nexceptions] = sid;
		struct slots_exception *x = &l->exceptions[l->nexceptions];
		memset(x, 0, sizeof(*x));
		int k = exception_kind(t1);
		if (k < 0 || parse_date(db_rows_text(r, 11), &x->from) ||
		    parse_date(db_rows_text(r, 12), &x->to) || parse_ranges(db_rows_text(r, 13), x))
			return err_internal(e, "a stored exception of staff %lld is malformed",
					    (long long)sid);
		x->kind = (enum slots_exception_kind)k;
		l->nexceptions++;
		return 0;
	}
	case ROW_CLOSED:
		if (l->nclosed >= SLOTS_MAX_CLOSED)
			return 0;
		if (l->nclosed == s->cap_closed) {
			s->cap_closed = s->cap_closed ? s->cap_closed * 2 : 16;
			l->closed = xrealloc(l->closed, (size_t)s->cap_closed * sizeof(*l->closed));
		}
		if (parse_date(t1, &l->closed[l->nclosed]))
			return err_internal(e, "a stored closed day is malformed");
		l->nclosed++;
		return 0;
	default:
		return err_internal(e, "unknown set-up row kind %d", kind);
	}
}

/* Exception rows arrive ordered by staff id (ORDER BY): give each staff member its slice. */
static void attach_exceptions(struct loader *l, const int64_t *owner)
{
	for (int i = 0; i < l->nstaff; i++) {
		int first = -1, n = 0;
		for (int j = 0; j < l->nexceptions; j++)
			if (owner[j] == l->staff[i].id) {
				if (first < 0)
					first = j;
				n++;
			}
		l->slot_staff[i].exceptions = first >= 0 ? &l->exceptions[first] : NULL;
		l->slot_staff[i].nexceptions = n;
	}
}

static int read_setup(db_conn *c, int64_t account_id, const char *service_pid, const char *staff_pid,
		      const char *from, const char *to, struct loader *l, struct err *e)
{
	struct setup_state s = {0};
	db_rows *r;
	l->queries++;
	if (db_query(c, setup_sql,
		     DB_ARGS(DB_INT(account_id), DB_TEXT(service_pid), DB_TEXT(staff_pid), DB_TEXT(from),
			     DB_TEXT(to)),
		     &r, e))
		return -1;
	int rc;
	while ((rc = db_rows_next(r, e)) == 1)
		if (setup_row(l, &s, r, e)) {
			rc = -1;
			break;
		}
	db_rows_free(r);
	if (rc >= 0)
		attach_exceptions(l, s.exc_owner);
	free(s.exc_owner);
	if (rc < 0)
		return -1;
	if (!s.have_account)
		return err_set(e, 404, "not_found", NULL, "no such business");
	if (!s.have_service)
		return err_set(e, 404, "not_found", "service", "no such service in this business");
	if (staff_pid[0] && (l->nstaff != 1 || !l->staff[0].provides))
		return err_set(e, 404, "not_found", "staff", "no such staff member providing this service");
	return 0;
}

static int read_blocks(db_conn *c, int64_t account_id, int64_t staff_id, int64_t from_s, int64_t to_s,
		       struct loader *l, struct err *e)
{
	db_rows *r;
	int cap = 0;
	l->queries++;
	int group = l->service.capacity > 1;
	if (db_query(c, blocks_sql[(staff_id ? 0 : 2) + group],
		     DB_ARGS(DB_INT(account_id), DB_INT(from_s - LOADER_BLOCK_MAX_S), DB_INT(from_s),
			     DB_INT(to_s), DB_INT(l->service.id), DB_INT(staff_id)),
		     &r, e))
		return -1;
	int rc, si = -1;
	int64_t sid = 0;
	while ((rc = db_rows_next(r, e)) == 1) {
		int64_t row_sid = db_rows_int(r, 1);
		if (si < 0 || row_sid != sid) /* rows come grouped by staff */
			si = loader_staff_index(l, row_sid), sid = row_sid;
		if (si < 0)
			continue;
		if (l->nbusy >= SLOTS_MAX_BUSY) {
			db_rows_free(r);
			return err_set(e, 422, "range_too_large", "to",
				       "too many appointments in this range");
		}
		if (l->nbusy == cap) {
			cap = cap ? cap * 2 : 64;
			l->busy = xrealloc(l->busy, (size_t)cap * sizeof(*l->busy));
			l->blocks = xrealloc(l->blocks, (size_t)cap * sizeof(*l->blocks));
		}
		struct loader_block *b = &l->blocks[l->nbusy];
		b->id = db_rows_int(r, 0);
		b->staff_index = si;
		b->at.from = db_rows_int(r, 2);
		b->at.to = db_rows_int(r, 3);
		b->capacity = group ? (int)db_rows_int(r, 5) : 1;
		/* the rest matters only for group sessions: most rows skip reading it */
		b->service_id = b->capacity > 1 ? db_rows_int(r, 4) : 0;
		b->seats_taken = b->capacity > 1 ? (int)db_rows_int(r, 6) : 0;
		b->session_start = b->capacity > 1 && !db_rows_is_null(r, 7) ? db_rows_int(r, 7) : 0;
		l->busy[l->nbusy++] = b->at;
	}
	db_rows_free(r);
	if (rc < 0)
		return -1;
	/* rows are ordered by staff id, then start: give each staff member its slice (one pass:
	 * a month for "any" staff is thousands of rows) */
	for (int i = 0; i < l->nstaff; i++) {
		l->slot_staff[i].busy = NULL;
		l->slot_staff[i].nbusy = 0;
	}
	for (int j = 0; j < l->nbusy; j++) {
		struct slots_staff *st = &l->slot_staff[l->blocks[j].staff_index];
		if (!st->busy)
			st->busy = &l->busy[j];
		st->nbusy++;
	}
	/* group sessions of this service with a free seat */
	for (int j = 0; j < l->nbusy; j++) {
		const struct loader_block *b = &l->blocks[j];
		if (b->capacity > 1 && b->service_id == l->service.id && b->session_start &&
		    b->seats_taken < b->capacity) {
			l->sessions =
				xrealloc(l->sessions, (size_t)(l->nsessions + 1) * sizeof(*l->sessions));
			l->sessions[l->nsessions++] = (struct loader_session){
				b->staff_index, b->id, b->session_start, b->seats_taken, b->capacity};
		}
	}
	return 0;
}

int loader_load(db_conn *c, int64_t account_id, const char *service_pid, const char *staff_pid,
		struct slots_date from, struct slots_date to, int64_t now, struct loader *l, struct err *e)
{
	char from_s[16], to_s[16];
	if (!staff_pid || !strcmp(staff_pid, "any"))
		staff_pid = "";
	if (strlen(service_pid) >= LOADER_PID_MAX)
		return err_set(e, 404, "not_found", "service", "no such service in this business");
	if (strlen(staff_pid) >= LOADER_PID_MAX)
		return err_set(e, 404, "not_found", "staff", "no such staff member");
	int64_t dfrom = tz_days_from_civil(from.year, from.month, from.day);
	int64_t dto = tz_days_from_civil(to.year, to.month, to.day);
	if (dto < dfrom)
		return err_set(e, 400, "end_before_start", "to", "to is before from");
	if (dto - dfrom + 1 > SLOTS_MAX_DAYS)
		return err_set(e, 400, "range_too_large", "to", "at most %d days at once", SLOTS_MAX_DAYS);
	date_text(from, from_s);
	date_text(to, to_s);
	if (read_setup(c, account_id, service_pid, staff_pid, from_s, to_s, l, e))
		return -1;
	l->zone = tz_get(l->time_zone, e);
	if (!l->zone)
		return -1;
	int64_t start_s, end_s;
	if (tz_day_start(l->zone, from.year, from.month, from.day, &start_s) ||
	    tz_day_start(l->zone, to.year, to.month, to.day, &end_s))
		return err_set(e, 400, "invalid_date", "from", "not a date");
	/* a slot of the last day may run past its midnight (open through the night) */
	end_s += 2 * 86400 + LOADER_BLOCK_MAX_S;
	start_s -= LOADER_BLOCK_MAX_S;
	int64_t one = staff_pid[0] && l->nstaff == 1 ? l->staff[0].id : 0;
	if (read_blocks(c, account_id, one, start_s, end_s, l, e))
		return -1;
	l->in = (struct slots_input){
		.zone = l->zone,
		.staff = l->slot_staff,
		.nstaff = l->nstaff,
		.closed = l->closed,
		.nclosed = l->nclosed,
		.service = {l->service.duration, l->service.buffer_before, l->service.buffer_after},
		.rules = l->service.rules,
		.now = now,
		.from_date = from,
		.to_date = to,
	};
	return 0;
}

void loader_release(struct loader *l)
{
	free(l->exceptions);
	free(l->busy);
	free(l->blocks);
	free(l->closed);
	free(l->sessions);
	memset(l, 0, sizeof(*l));
}

int loader_check_start(const struct loader *l, const struct slots_rules *rules, int staff_index,
		       int64_t start, int64_t exclude_block, const char *field, int64_t *session_block,
		       struct err *e)
{
	*session_block = 0;
	if (staff_index < 0 || staff_index >= l->nstaff)
		return err_set(e, 404, "not_found", "staff", "no such staff member");
	const struct slots_staff *st = &l->slot_staff[staff_index];
	const struct loader_block *blocks = st->nbusy ? &l->blocks[st->busy - l->busy] : NULL;
	struct slots_interval *busy = xmalloc(((size_t)st->nbusy + 1) * sizeof(*busy));
	int n = 0;
	for (int j = 0; j < st->nbusy; j++) {
		const struct loader_block *b = &blocks[j];
		if (b->id == exclude_block)
			continue;
		if (l->service.capacity > 1 && b->capacity > 1 && b->service_id == l->service.id &&
		    b->session_start == start && !*session_block) {
			*session_block = b->id; /* the seat is taken there */
			continue;
		}
		busy[n++] = st->busy[j];
	}
	struct slots_staff copy[SLOTS_MAX_STAFF];
	memcpy(copy, l->slot_staff, (size_t)l->nstaff * sizeof(copy[0]));
	copy[staff_index].busy = busy;
	copy[staff_index].nbusy = n;
	struct slots_input in = l->in;
	in.staff = copy;
	if (rules)
		in.rules = *rules;
	int rc = slots_check_start(&in, staff_index, start, field, e);
	free(busy);
	return rc;
}
