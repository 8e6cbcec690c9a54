/* slots — free start instants from hours, exceptions and busy intervals. See slots.h and
 * docs/internals/slots.md for the rules; this file follows them step by step:
 *   1. each local day of the range gets its first instant (and a fast path when the UTC
 *      offset does not change that day);
 *   2. per staff member and day, the local ranges that apply (weekly, exceptions, closed
 *      days) are resolved to real intervals and merged into openings;
 *   3. each opening's grid is walked in real elapsed seconds from its start, sweeping the
 *      staff member's busy intervals (sorted by start) once for the whole computation;
 *   4. for several staff, each one's starts of the day are merged into the day's list. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schedule/slots.h"
#include "base/xalloc.h"
#include "base/banned.h"

#define DAY_RANGES_MAX 64 /* local ranges of one staff member on one date */
/* starts of one staff member on one day: at most 25 h of openings (26 h kept), one start a
 * minute (a 1-minute service with step 0, the duration), plus one per opening */
#define DAY_STARTS_MAX (26 * 60 + DAY_RANGES_MAX)

static const char *const weekday_names[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

/* One local day of the computation. */
struct day {
	int64_t num;			     /* days since 1970-01-01 of the local date */
	int year, month, day, weekday_index; /* weekday_index 0 = Monday */
	int64_t start, end;		     /* [first instant of the date, first instant of the next) */
	int uniform;			     /* the offset is the same all day: wall = instant + offset */
	int offset;
};

/* A staff member's sweep over its busy intervals (see walk_opening). */
struct sweep {
	int next;      /* first busy interval not yet absorbed */
	int64_t maxto; /* latest end among absorbed intervals */
};

/* ---- dates and wall times */

static int date_valid(const struct slots_date *d)
{
	return d->year > TZ_YEAR_MIN && d->year < TZ_YEAR_MAX && d->month >= 1 && d->month <= 12 &&
	       d->day >= 1 && d->day <= tz_days_in_month(d->year, d->month);
}

static int64_t date_num(const struct slots_date *d)
{
	return tz_days_from_civil(d->year, d->month, d->day);
}

static int day_init(const struct tz *z, int64_t num, struct day *out)
{
	memset(out, 0, sizeof(*out));
	out->num = num;
	tz_civil_from_days(num, &out->year, &out->month, &out->day);
	out->weekday_index = tz_weekday(out->year, out->month, out->day) - 1;
	int ny, nm, nd;
	tz_civil_from_days(num + 1, &ny, &nm, &nd);
	if (tz_day_start(z, out->year, out->month, out->day, &out->start) < 0 ||
	    tz_day_start(z, ny, nm, nd, &out->end) < 0)
		return -1;
	int off = tz_offset_at(z, out->start);
	/* tzdata has no pair of changes that cancel within one day (docs/internals/time.md), so
	 * equal offsets at both ends and a 24-hour day mean no change that day. */
	out->uniform = out->end - out->start == 86400 && tz_offset_at(z, out->end - 1) == off &&
		       out->start == num * 86400 - off;
	out->offset = off;
	return 0;
}

/* The first instant of day `d` whose wall time is at least `minute` (a time in a gap opens
 * when the gap ends; a repeated time opens at its first occurrence). */
static int64_t wall_open(const struct tz *z, const struct day *d, int minute)
{
	if (d->uniform)
		return d->num * 86400 + (int64_t)minute * 60 - d->offset;
	struct civil c = {d->year, d->month, d->day, minute / 60, minute % 60, 0};
	int64_t t = d->start;
	if (tz_resolve(z, &c, TZ_EARLIER, &t) < 0)
		return d->start;
	return t;
}

/* The instant after which day `d`'s wall clock never again reads less than `minute`: 24:00
 * is the next day's start, a time in a gap the gap's end, a repeated time its later
 * occurrence — unless clocks fall back exactly to it (Paris "until 02:00" on the night 03:00
 * becomes 02:00): the clock never reads less than 02:00 after the first 02:00. */
static int64_t wall_close(const struct tz *z, const struct day *d, int minute)
{
	if (minute >= 1440)
		return d->end;
	if (d->uniform)
		return d->num * 86400 + (int64_t)minute * 60 - d->offset;
	struct civil c = {d->year, d->month, d->day, minute / 60, minute % 60, 0};
	int64_t t = d->end, first = d->end;
	int r = tz_resolve(z, &c, TZ_LATER, &t);
	if (r < 0)
		return d->end;
	if (r == TZ_REPEATED && tz_offset_at(z, t - 1) != tz_offset_at(z, t) &&
	    tz_resolve(z, &c, TZ_EARLIER, &first) == TZ_REPEATED)
		return first;
	return t;
}

/* ---- validation */

static int range_check(const struct slots_range *r, const char *field_base, struct err *e)
{
	char f[64];
	if (r->start < 0 || r->start > 1439) {
		snprintf(f, sizeof(f), "%.48s.start", field_base);
		return err_set(e, 400, "invalid_time", f, "a range starts between 00:00 and 23:59");
	}
	if (r->end < 1 || r->end > 1440) {
		snprintf(f, sizeof(f), "%.48s.end", field_base);
		return err_set(e, 400, "invalid_time", f, "a range ends between 00:01 and 24:00");
	}
	if (r->end <= r->start) {
		snprintf(f, sizeof(f), "%.48s.end", field_base);
		return err_set(e, 400, "end_before_start", f, "a range ends after it starts");
	}
	return 0;
}

/* Checks n ranges named "<base>[i]": bounds, order, no overlap. */
static int ranges_check(const struct slots_range *r, int n, const char *base, struct err *e)
{
	char f[64];
	if (n < 0 || n > SLOTS_MAX_RANGES)
		return err_set(e, 400, "too_many_ranges", base, "at most %d ranges a day", SLOTS_MAX_RANGES);
	for (int i = 0; i < n; i++) {
		snprintf(f, sizeof(f), "%.40s[%d]", base, i);
		if (range_check(&r[i], f, e) < 0)
			return -1;
	}
	for (int i = 0; i < n; i++)
		for (int j = 0; j < i; j++)
			if (r[i].start < r[j].end && r[j].start < r[i].end) {
				snprintf(f, sizeof(f), "%.40s[%d]", base, i);
				return err_set(e, 400, "overlapping_ranges", f, "ranges %d and %d overlap", j,
					       i);
			}
	return 0;
}

int slots_validate_week(const struct slots_week *w, const char *prefix, struct err *e)
{
	char base[48];
	for (int d = 0; d < 7; d++) {
		snprintf(base, sizeof(base), "%.40s.%s", prefix, weekday_names[d]);
		if (ranges_check(w->ranges[d], w->count[d], base, e) < 0)
			return -1;
	}
	return 0;
}

/* Whether local `minute` exists on the date, or is exactly where a gap starts (accepted for
 * an end: "until 02:00" on the night clocks jump from 02:00 to 03:00). */
static int local_time_exists(const struct tz *z, const struct day *d, int minute, int is_end)
{
	if (minute >= 1440)
		return 1;
	struct civil c = {d->year, d->month, d->day, minute / 60, minute % 60, 0};
	int64_t t, before;
	int r = tz_resolve(z, &c, TZ_EARLIER, &t);
	if (r != TZ_SKIPPED)
		return r >= 0;
	if (!is_end || minute == 0)
		return 0;
	struct civil p = {d->year, d->month, d->day, (minute - 1) / 60, (minute - 1) % 60, 0};
	return tz_resolve(z, &p, TZ_EARLIER, &before) != TZ_SKIPPED && before + 60 == t;
}

static int exception_shape_check(const struct slots_exception *x, const char *prefix, struct err *e)
{
	char f[64];
	if (x->kind != SLOTS_DAY_OFF && x->kind != SLOTS_HOURS && x->kind != SLOTS_EXTRA) {
		snprintf(f, sizeof(f), "%.48s.kind", prefix);
		return err_set(e, 400, "invalid_kind", f,
			       "an exception is a day off, hours or an extra opening");
	}
	if (!date_valid(&x->from) || !date_valid(&x->to)) {
		snprintf(f, sizeof(f), "%.48s.%s", prefix, date_valid(&x->from) ? "to" : "from");
		return err_set(e, 400, "invalid_date", f, "not a date");
	}
	int64_t a = date_num(&x->from), b = date_num(&x->to);
	if (b < a) {
		snprintf(f, sizeof(f), "%.48s.to", prefix);
		return err_set(e, 400, "end_before_start", f, "the last day is before the first");
	}
	if (b - a >= SLOTS_MAX_EXC_DAYS) {
		snprintf(f, sizeof(f), "%.48s.to", prefix);
		return err_set(e, 400, "range_too_large", f, "an exception covers at most %d days",
			       SLOTS_MAX_EXC_DAYS);
	}
	snprintf(f, sizeof(f), "%.48s.ranges", prefix);
	if (x->kind == SLOTS_DAY_OFF)
		return 0;
	return ranges_check(x->ranges, x->count, f, e);
}

int slots_validate_exception(const struct tz *z, const struct slots_exception *x, const char *prefix,
			     struct err *e)
{
	char f[80];
	if (exception_shape_check(x, prefix, e) < 0)
		return -1;
	if (x->kind == SLOTS_DAY_OFF)
		return 0;
	for (int64_t n = date_num(&x->from); n <= date_num(&x->to); n++) {
		struct day d;
		if (day_init(z, n, &d) < 0)
			return err_set(e, 400, "invalid_date", prefix, "date out of range");
		if (d.uniform)
			continue;
		for (int i = 0; i < x->count; i++) {
			if (!local_time_exists(z, &d, x->ranges[i].start, 0)) {
				snprintf(f, sizeof(f), "%.40s.ranges[%d].start", prefix, i);
				return err_set(e, 400, "invalid_local_time", f,
					       "%02d:%02d does not exist on %04d-%02d-%02d",
					       x->ranges[i].start / 60, x->ranges[i].start % 60, d.year,
					       d.month, d.day);
			}
			if (!local_time_exists(z, &d, x->ranges[i].end, 1)) {
				snprintf(f, sizeof(f), "%.40s.ranges[%d].end", prefix, i);
				return err_set(e, 400, "invalid_local_time", f,
					       "%02d:%02d does not exist on %04d-%02d-%02d",
					       x->ranges[i].end / 60, x->ranges[i].end % 60, d.year, d.month,
					       d.day);
			}
		}
	}
	return 0;
}

int slots_parse_time(const char *s, int allow_24, int *out, struct err *e, const char *field)
{
	if (!s || strnlen(s, 6) != 5 || s[2] != ':')
		return err_set(e, 400, "invalid_time", field, "expected HH:MM");
	for (int i = 0; i < 5; i++)
		if (i != 2 && (s[i] < '0' || s[i] > '9'))
			return err_set(e, 400, "invalid_time", field, "expected HH:MM");
	int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
	if (m > 59 || h > 24 || (h == 24 && (m != 0 || !allow_24)))
		return err_set(e, 400, "invalid_time", field, "expected 00:00..23:59%s",
			       allow_24 ? " or 24:00" : "");
	*out = h * 60 + m;
	return 0;
}

static int input_check(const struct slots_input *in, struct err *e)
{
	char f[64];
	if (!in->zone)
		return err_set(e, 400, "invalid_timezone", "time_zone", "no time zone");
	if (in->nstaff < 0 || in->nstaff > SLOTS_MAX_STAFF)
		return err_set(e, 400, "too_many_staff", "staff", "at most %d staff", SLOTS_MAX_STAFF);
	if (!date_valid(&in->from_date))
		return err_set(e, 400, "invalid_date", "from_date", "not a date");
	if (!date_valid(&in->to_date))
		return err_set(e, 400, "invalid_date", "to_date", "not a date");
	int64_t days = date_num(&in->to_date) - date_num(&in->from_date) + 1;
	if (days < 1)
		return err_set(e, 400, "end_before_start", "to_date", "to_date is before from_date");
	if (days > SLOTS_MAX_DAYS)
		return err_set(e, 400, "range_too_large", "to_date", "at most %d days", SLOTS_MAX_DAYS);
	const struct slots_service *sv = &in->service;
	if (sv->duration < 1 || sv->duration > SLOTS_MAX_DURATION)
		return err_set(e, 400, "invalid_duration", "duration", "1..%d minutes", SLOTS_MAX_DURATION);
	if (sv->buffer_before < 0 || sv->buffer_before > SLOTS_MAX_DURATION)
		return err_set(e, 400, "invalid_duration", "buffer_before", "0..%d minutes",
			       SLOTS_MAX_DURATION);
	if (sv->buffer_after < 0 || sv->buffer_after > SLOTS_MAX_DURATION)
		return err_set(e, 400, "invalid_duration", "buffer_after", "0..%d minutes",
			       SLOTS_MAX_DURATION);
	const struct slots_rules *r = &in->rules;
	if (r->step != 0 && (r->step < 5 || r->step > 60))
		return err_set(e, 400, "invalid_step", "slot_step", "5..60 minutes, or 0 for the duration");
	if (r->notice_s < 0 || r->notice_s > 366LL * 86400)
		return err_set(e, 400, "invalid_duration", "min_notice", "0..366 days");
	if (r->horizon_s < 0 || r->horizon_s > 3660LL * 86400)
		return err_set(e, 400, "invalid_duration", "horizon", "0..3660 days");
	if (in->nclosed < 0 || in->nclosed > SLOTS_MAX_CLOSED)
		return err_set(e, 400, "too_many_closed_days", "closed_days", "at most %d", SLOTS_MAX_CLOSED);
	for (int i = 0; i < in->nclosed; i++)
		if (!date_valid(&in->closed[i])) {
			snprintf(f, sizeof(f), "closed_days[%d]", i);
			return err_set(e, 400, "invalid_date", f, "not a date");
		}
	for (int s = 0; s < in->nstaff; s++) {
		const struct slots_staff *st = &in->staff[s];
		snprintf(f, sizeof(f), "staff[%d].hours", s);
		if (slots_validate_week(&st->week, f, e) < 0)
			return -1;
		if (st->nexceptions < 0 || st->nexceptions > SLOTS_MAX_EXCEPTIONS) {
			snprintf(f, sizeof(f), "staff[%d].exceptions", s);
			return err_set(e, 400, "too_many_exceptions", f, "at most %d", SLOTS_MAX_EXCEPTIONS);
		}
		for (int i = 0; i < st->nexceptions; i++) {
			snprintf(f, sizeof(f), "staff[%d].exceptions[%d]", s, i);
			if (exception_shape_check(&st->exceptions[i], f, e) < 0)
				return -1;
		}
		if (st->nbusy < 0 || st->nbusy > SLOTS_MAX_BUSY) {
			snprintf(f, sizeof(f), "staff[%d].busy", s);
			return err_set(e, 400, "too_many_intervals", f, "at most %d", SLOTS_MAX_BUSY);
		}
		for (int i = 0; i < st->nbusy; i++) {
			const struct slots_interval *b = &st->busy[i];
			if (b->to <= b->from || (i > 0 && b->from < st->busy[i - 1].from)) {
				snprintf(f, sizeof(f), "staff[%d].busy[%d]", s, i);
				return err_set(e, 400, "invalid_interval", f,
					       "busy intervals are non-empty and sorted by start");
			}
		}
	}
	return 0;
}

/* ---- openings of one staff member on one day */

static int date_is_closed(const struct slots_input *in, int64_t num)
{
	for (int i = 0; i < in->nclosed; i++)
		if (date_num(&in->closed[i]) == num)
			return 1;
	return 0;
}

/* The local ranges that apply to staff member st on day d: none on a day off; the ranges of
 * every SLOTS_HOURS exception covering d instead of the weekly ones when there is one; plus
 * the ranges of every SLOTS_EXTRA covering d. Returns the count, or -1 when over the cap. */
static int local_ranges(const struct slots_staff *st, const struct day *d, struct slots_range *out)
{
	int replaced = 0, n = 0;
	for (int i = 0; i < st->nexceptions; i++) {
		const struct slots_exception *x = &st->exceptions[i];
		if (d->num < date_num(&x->from) || d->num > date_num(&x->to))
			continue;
		if (x->kind == SLOTS_DAY_OFF)
			return 0;
		replaced |= x->kind == SLOTS_HOURS;
	}
	if (!replaced) {
		int c = st->week.count[d->weekday_index];
		memcpy(out, st->week.ranges[d->weekday_index], (size_t)c * sizeof(*out));
		n = c;
	}
	for (int i = 0; i < st->nexceptions; i++) {
		const struct slots_exception *x = &st->exceptions[i];
		if (x->kind == SLOTS_DAY_OFF || d->num < date_num(&x->from) || d->num > date_num(&x->to))
			continue;
		if (n + x->count > DAY_RANGES_MAX)
			return -1;
		memcpy(out + n, x->ranges, (size_t)x->count * sizeof(*out));
		n += x->count;
	}
	return n;
}

/* Resolves the day's local ranges to real intervals, sorted and merged where they overlap or
 * touch: the openings. Returns their count, or -1 (with e set) when over the cap. */
static int openings(const struct slots_input *in, const struct slots_staff *st, const struct day *d,
		    struct slots_interval *out, struct err *e)
{
	struct slots_range local[DAY_RANGES_MAX];
	int n = local_ranges(st, d, local);
	if (n < 0)
		return err_set(e, 400, "too_many_ranges", "exceptions",
			       "more than %d ranges on %04d-%02d-%02d", DAY_RANGES_MAX, d->year, d->month,
			       d->day);
	int m = 0;
	for (int i = 0; i < n; i++) {
		struct slots_interval r = {wall_open(in->zone, d, local[i].start),
					   wall_close(in->zone, d, local[i].end)};
		if (r.to <= r.from)
			continue; /* wholly inside a gap */
		int j = m++;
		for (; j > 0 && out[j - 1].from > r.from; j--)
			out[j] = out[j - 1];
		out[j] = r;
	}
	int k = 0;
	for (int i = 0; i < m; i++) {
		if (k > 0 && out[i].from <= out[k - 1].to) {
			if (out[i].to > out[k - 1].to)
				out[k - 1].to = out[i].to;
		} else {
			out[k++] = out[i];
		}
	}
	return k;
}

/* ---- the grid walk */

static int64_t ceil_div(int64_t a, int64_t b)
{
	return a <= 0 ? -((-a) / b) : (a + b - 1) / b;
}

struct limits {
	int64_t step, before, span; /* seconds: grid step, buffer before, duration + buffer after */
	int64_t earliest, latest;   /* now + notice, now + horizon */
};

static void limits_init(const struct slots_input *in, struct limits *l)
{
	int step_min = in->rules.step ? in->rules.step : in->service.duration;
	l->step = (int64_t)step_min * 60;
	l->before = (int64_t)in->service.buffer_before * 60;
	l->span = (int64_t)(in->service.duration + in->service.buffer_after) * 60;
	l->earliest = in->now + in->rules.notice_s;
	l->latest = in->rules.horizon_s ? in->now + in->rules.horizon_s : INT64_MAX;
}

/* Appends to starts[*n] the free grid points of opening o for staff member st, advancing
 * its sweep. The blocked interval [t - before, t + span) must lie in o and meet no busy
 * interval; t in [earliest, latest]. Returns -1 when `cap` is reached. */
static int walk_opening(const struct slots_staff *st, struct sweep *sw, const struct limits *l,
			const struct slots_interval *o, int64_t *starts, int *n, int cap)
{
	int64_t lo = o->from + l->before, hi = o->to - l->span;
	if (lo < l->earliest)
		lo = l->earliest;
	if (hi > l->latest)
		hi = l->latest;
	if (lo > hi)
		return 0;
	int64_t t = o->from + ceil_div(lo - o->from, l->step) * l->step;
	while (t <= hi) {
		int64_t a = t - l->before, b = t + l->span;
		while (sw->next < st->nbusy && st->busy[sw->next].from < b) {
			if (st->busy[sw->next].to > sw->maxto)
				sw->maxto = st->busy[sw->next].to;
			sw->next++;
		}
		if (sw->maxto > a) {
			/* every later start keeps meeting that interval until a reaches maxto */
			t = o->from + ceil_div(sw->maxto + l->before - o->from, l->step) * l->step;
			continue;
		}
		if (*n >= cap)
			return -1;
		starts[(*n)++] = t;
		t += l->step;
	}
	return 0;
}

/* Makes room for `more` slots in r, within SLOTS_MAX_SLOTS. */
static int reserve(struct slots_result *r, int more, struct err *e)
{
	if (r->nslots + more > SLOTS_MAX_SLOTS)
		return err_set(e, 400, "range_too_large", "to_date", "more than %d slots; ask for fewer days",
			       SLOTS_MAX_SLOTS);
	if (r->nslots + more <= r->cap)
		return 0;
	int cap = r->cap ? r->cap : 256;
	while (cap < r->nslots + more)
		cap *= 2;
	if (cap > SLOTS_MAX_SLOTS)
		cap = SLOTS_MAX_SLOTS;
	r->slots = xrealloc(r->slots, (size_t)cap * sizeof(*r->slots));
	r->cap = cap;
	return 0;
}

/* Merges the sorted starts of staff bit `bit` into the day's sorted slots (the tail of r
 * from `first`), in place from the back. */
static int merge_day(struct slots_result *r, int first, const int64_t *starts, int n, uint64_t bit,
		     struct err *e)
{
	if (n == 0)
		return 0;
	if (reserve(r, n, e) < 0)
		return -1;
	struct slots_slot *s = r->slots;
	int have = r->nslots - first, dups = 0;
	for (int i = 0, j = 0; i < have && j < n;) {
		int64_t a = s[first + i].start;
		if (a == starts[j])
			dups++, i++, j++;
		else if (a < starts[j])
			i++;
		else
			j++;
	}
	int i = have - 1, j = n - 1, w = have + n - dups - 1;
	while (j >= 0) {
		if (i >= 0 && s[first + i].start > starts[j]) {
			s[first + w--] = s[first + i--];
		} else if (i >= 0 && s[first + i].start == starts[j]) {
			s[first + w] = s[first + i--];
			s[first + w--].staff |= bit;
			j--;
		} else {
			s[first + w].start = starts[j--];
			s[first + w--].staff = bit;
		}
	}
	r->nslots += n - dups;
	return 0;
}

int slots_compute(const struct slots_input *in, struct slots_result *out, struct err *e)
{
	out->ndays = 0;
	out->nslots = 0;
	if (input_check(in, e) < 0)
		return -1;
	struct limits l;
	limits_init(in, &l);
	struct sweep sw[SLOTS_MAX_STAFF];
	memset(sw, 0, sizeof(sw));
	for (int s = 0; s < in->nstaff; s++)
		sw[s].maxto = INT64_MIN;
	int64_t first = date_num(&in->from_date), last = date_num(&in->to_date);
	int64_t starts[DAY_STARTS_MAX];
	for (int64_t num = first; num <= last; num++) {
		struct day d;
		if (day_init(in->zone, num, &d) < 0)
			return err_set(e, 400, "invalid_date", "to_date", "date out of range");
		struct slots_day *od = &out->days[out->ndays++];
		od->date = (struct slots_date){d.year, d.month, d.day};
		od->first = out->nslots;
		od->count = 0;
		if (date_is_closed(in, num) || d.end <= l.earliest || d.start > l.latest)
			continue;
		for (int s = 0; s < in->nstaff; s++) {
			struct slots_interval open[DAY_RANGES_MAX];
			int nopen = openings(in, &in->staff[s], &d, open, e);
			if (nopen < 0)
				return -1;
			int n = 0;
			for (int k = 0; k < nopen; k++)
				if (walk_opening(&in->staff[s], &sw[s], &l, &open[k], starts, &n,
						 DAY_STARTS_MAX) < 0)
					return err_internal(e, "more than %d starts in one day",
							    DAY_STARTS_MAX);
			if (merge_day(out, od->first, starts, n, (uint64_t)1 << s, e) < 0)
				return -1;
		}
		od->count = out->nslots - od->first;
	}
	return 0;
}

void slots_result_release(struct slots_result *r)
{
	free(r->slots);
	memset(r, 0, sizeof(*r));
}

int slots_check_start(const struct slots_input *in, int staff_index, int64_t start, const char *field,
		      struct err *e)
{
	struct slots_input one = *in;
	struct civil c;
	tz_to_civil(in->zone, start, &c);
	one.from_date = one.to_date = (struct slots_date){c.year, c.month, c.day};
	if (staff_index < 0 || staff_index >= in->nstaff)
		return err_set(e, 404, "not_found", "staff_id", "no such staff member");
	if (input_check(&one, e) < 0)
		return -1;
	struct limits l;
	limits_init(&one, &l);
	if (start < in->now)
		return err_set(e, 422, "in_the_past", field, "this start has passed");
	if (start < l.earliest)
		return err_set(e, 422, "inside_notice", field, "too close to now");
	if (start > l.latest)
		return err_set(e, 422, "beyond_horizon", field, "too far ahead");
	struct day d;
	if (day_init(in->zone, tz_days_from_civil(c.year, c.month, c.day), &d) < 0)
		return err_set(e, 400, "invalid_date", field, "date out of range");
	const struct slots_staff *st = &in->staff[staff_index];
	struct slots_interval open[DAY_RANGES_MAX];
	int nopen = date_is_closed(in, d.num) ? 0 : openings(&one, st, &d, open, e);
	if (nopen < 0)
		return -1;
	const struct slots_interval *o = NULL;
	for (int k = 0; k < nopen && !o; k++)
		if (start - l.before >= open[k].from && start + l.span <= open[k].to)
			o = &open[k];
	if (!o)
		return err_set(e, 422, "outside_hours", field, "outside opening hours");
	if ((start - o->from) % l.step != 0)
		return err_set(e, 422, "off_grid", field, "not on the slot grid");
	for (int i = 0; i < st->nbusy && st->busy[i].from < start + l.span; i++)
		if (st->busy[i].to > start - l.before)
			return err_set(e, 409, "slot_taken", field, "this slot is taken");
	return 0;
}
