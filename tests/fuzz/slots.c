/* Fuzz target: the availability computation and its invariants. The input's bytes build one
 * computation within small caps — a zone, 1 to 3 staff with weekly hours, exceptions and busy
 * intervals, closed days, a service with buffers, the rules, "now" and a range of 1 to 7 days —
 * then slots_compute runs and every slot is checked:
 * - its blocked interval [start − before, start + duration + after) meets no busy interval of
 *   any staff member in its mask;
 * - in the zones without daylight saving, that interval lies inside the hours that apply to the
 *   person (closed days, days off, different hours, extra openings), computed here independently;
 * - it respects notice and horizon, days are in order, starts strictly increase, masks name only
 *   given staff, and slots_check_start accepts it (16 per input).
 * Bad input may be refused (400), never anything else. */
#include <string.h>

#include "fuzz/fuzz.h"
#include "schedule/slots.h"

#define NSTAFF_MAX 3
#define NBUSY_MAX  24
#define NEXC_MAX   3
#define NCLOSED	   2

struct span {
	int64_t from, to;
};

static const char *const zones[] = {"UTC",
				    "Asia/Kolkata",
				    "Asia/Tokyo",
				    "Europe/Paris",
				    "America/New_York",
				    "Australia/Lord_Howe",
				    "America/Santiago"};
#define FIXED_ZONES 3 /* the first three never change their offset (in the years used) */

static void add_days(struct slots_date *d, int n)
{
	int64_t days = tz_days_from_civil(d->year, d->month, d->day) + n;
	tz_civil_from_days(days, &d->year, &d->month, &d->day);
}

static int date_cmp(struct slots_date a, struct slots_date b)
{
	int64_t x = tz_days_from_civil(a.year, a.month, a.day),
		y = tz_days_from_civil(b.year, b.month, b.day);
	return x < y ? -1 : x > y;
}

static int fill_ranges(struct fuzz_in *in, struct slots_range *r, int max)
{
	int n = fuzz_range(in, 0, max), prev = 0, k = 0;
	for (int i = 0; i < n; i++) {
		int s = prev + fuzz_range(in, 0, 600);
		if (s > 1439)
			break;
		int e = s + fuzz_range(in, 1, 720);
		if (e > 1440)
			e = 1440;
		r[k++] = (struct slots_range){s, e};
		prev = e + (fuzz_byte(in) & 1); /* sometimes touching, sometimes one minute apart */
	}
	return k;
}

static int cmp_span(const void *a, const void *b)
{
	const struct span *x = a, *y = b;
	return x->from < y->from ? -1 : x->from > y->from;
}

static int cmp_busy(const void *a, const void *b)
{
	const struct slots_interval *x = a, *y = b;
	return x->from < y->from ? -1 : x->from > y->from;
}

/* The openings of staff member s over [from - 1, to + 1], merged, for a fixed-offset zone. */
static int openings(const struct slots_input *in, const struct slots_staff *s, struct span *out, int cap)
{
	int n = 0;
	struct slots_date d = in->from_date;
	add_days(&d, -1);
	struct slots_date last = in->to_date;
	add_days(&last, 1);
	for (; date_cmp(d, last) <= 0; add_days(&d, 1)) {
		int closed = 0;
		for (int i = 0; i < in->nclosed; i++)
			closed |= date_cmp(in->closed[i], d) == 0;
		const struct slots_range *ranges[2 * SLOTS_MAX_RANGES * (NEXC_MAX + 1)];
		int nr = 0, replaced = 0;
		for (int i = 0; i < s->nexceptions; i++) {
			const struct slots_exception *x = &s->exceptions[i];
			if (date_cmp(x->from, d) > 0 || date_cmp(x->to, d) < 0)
				continue;
			if (x->kind == SLOTS_DAY_OFF)
				closed = 1;
			if (x->kind == SLOTS_HOURS)
				replaced = 1;
			for (int k = 0; k < x->count && x->kind != SLOTS_DAY_OFF; k++)
				ranges[nr++] = &x->ranges[k];
		}
		if (closed)
			continue;
		if (!replaced) {
			int wd = (tz_weekday(d.year, d.month, d.day) + 6) % 7; /* Monday = 0 */
			for (int k = 0; k < s->week.count[wd]; k++)
				ranges[nr++] = &s->week.ranges[wd][k];
		}
		int64_t ds;
		if (tz_day_start(in->zone, d.year, d.month, d.day, &ds) < 0)
			abort();
		for (int k = 0; k < nr && n < cap; k++)
			out[n++] = (struct span){ds + ranges[k]->start * 60, ds + ranges[k]->end * 60};
	}
	qsort(out, (size_t)n, sizeof(*out), cmp_span);
	int m = 0;
	for (int i = 0; i < n; i++) {
		if (m && out[i].from <= out[m - 1].to) {
			if (out[i].to > out[m - 1].to)
				out[m - 1].to = out[i].to;
		} else {
			out[m++] = out[i];
		}
	}
	return m;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	struct err e;
	int zi = fuzz_range(&in, 0, (int)(sizeof(zones) / sizeof(zones[0])) - 1);
	const struct tz *zone = tz_get(zones[zi], &e);
	FUZZ_CHECK(zone);

	/* days near the changes of 2027 (and Santiago's of 2026), or any day of 2026–2027 */
	static const struct slots_date bases[] = {{2027, 3, 28}, {2027, 10, 31}, {2026, 9, 6}, {2027, 4, 3}};
	struct slots_date from = bases[fuzz_byte(&in) & 3];
	int shift = fuzz_range(&in, -3, 3);
	if (fuzz_byte(&in) & 4)
		shift += fuzz_range(&in, -400, 300);
	add_days(&from, shift);
	struct slots_date to = from;
	add_days(&to, fuzz_range(&in, 0, 6));

	struct slots_staff staff[NSTAFF_MAX];
	struct slots_exception exc[NSTAFF_MAX][NEXC_MAX];
	struct slots_interval busy[NSTAFF_MAX][NBUSY_MAX];
	int nstaff = fuzz_range(&in, 1, NSTAFF_MAX);
	int64_t first;
	if (tz_day_start(zone, from.year, from.month, from.day, &first) < 0)
		abort();
	memset(staff, 0, sizeof(staff));
	for (int i = 0; i < nstaff; i++) {
		struct slots_staff *s = &staff[i];
		for (int d = 0; d < 7; d++)
			s->week.count[d] = fill_ranges(&in, s->week.ranges[d], 3);
		int nx = fuzz_range(&in, 0, NEXC_MAX);
		for (int k = 0; k < nx; k++) {
			struct slots_exception *x = &exc[i][k];
			memset(x, 0, sizeof(*x));
			x->kind = (enum slots_exception_kind)fuzz_range(&in, 1, 3);
			x->from = from;
			add_days(&x->from, fuzz_range(&in, -1, 7));
			x->to = x->from;
			add_days(&x->to, fuzz_range(&in, 0, 3));
			x->count = fill_ranges(&in, x->ranges, 2);
		}
		s->exceptions = exc[i];
		s->nexceptions = nx;
		int nb = fuzz_range(&in, 0, NBUSY_MAX);
		for (int k = 0; k < nb; k++) {
			int64_t at = first + (int64_t)fuzz_range(&in, -1440, 8 * 1440) * 60;
			int64_t len = (int64_t)fuzz_range(&in, 1, 600) * 60;
			busy[i][k] = (struct slots_interval){at, at + len};
		}
		qsort(busy[i], (size_t)nb, sizeof(busy[i][0]), cmp_busy);
		s->busy = busy[i];
		s->nbusy = nb;
	}
	struct slots_date closed[NCLOSED];
	int nclosed = fuzz_range(&in, 0, NCLOSED);
	for (int k = 0; k < nclosed; k++) {
		closed[k] = from;
		add_days(&closed[k], fuzz_range(&in, -1, 7));
	}
	static const int steps[] = {0, 5, 10, 15, 20, 30, 60, 7};
	/* one read per statement: the order bytes are taken in must not depend on the compiler */
	int duration = fuzz_range(&in, 1, 300);
	int buffer_before = fuzz_range(&in, 0, 60);
	int buffer_after = fuzz_range(&in, 0, 60);
	int64_t notice = (int64_t)fuzz_range(&in, 0, 48) * 1800;
	int64_t horizon = fuzz_byte(&in) & 1;
	horizon *= (int64_t)fuzz_range(&in, 1, 30) * 86400;
	int step = steps[fuzz_byte(&in) & 7];
	int64_t now = first + (int64_t)fuzz_range(&in, -2880, 4320) * 60;
	now += fuzz_range(&in, 0, 59);
	struct slots_input si = {
		.zone = zone,
		.staff = staff,
		.nstaff = nstaff,
		.closed = closed,
		.nclosed = nclosed,
		.service = {duration, buffer_before, buffer_after},
		.rules = {notice, horizon, step},
		.now = now,
		.from_date = from,
		.to_date = to,
	};

	struct slots_result res = {0};
	if (slots_compute(&si, &res, &e) < 0) {
		if (e.status != 400)
			fprintf(stderr, "slots_compute: %d %s %s: %s\n", e.status, e.code, e.field,
				e.message);
		FUZZ_CHECK(e.status == 400);
		slots_result_release(&res);
		return 0;
	}
	int64_t before = (int64_t)si.service.buffer_before * 60;
	int64_t after = (int64_t)(si.service.duration + si.service.buffer_after) * 60;
	struct span open[NSTAFF_MAX][128];
	int nopen[NSTAFF_MAX];
	if (zi < FIXED_ZONES)
		for (int i = 0; i < nstaff; i++)
			nopen[i] = openings(&si, &staff[i], open[i], 128);
	FUZZ_CHECK(res.ndays == (int)(tz_days_from_civil(to.year, to.month, to.day) -
				      tz_days_from_civil(from.year, from.month, from.day)) +
					1);
	int64_t prev = INT64_MIN;
	int checked = 0;
	for (int d = 0; d < res.ndays; d++) {
		const struct slots_day *day = &res.days[d];
		FUZZ_CHECK(day->first >= 0 && day->count >= 0 && day->first + day->count <= res.nslots);
		for (int k = day->first; k < day->first + day->count; k++) {
			const struct slots_slot *sl = &res.slots[k];
			FUZZ_CHECK(sl->start > prev);
			prev = sl->start;
			FUZZ_CHECK(sl->staff && !(sl->staff >> nstaff));
			FUZZ_CHECK(sl->start >= si.now + si.rules.notice_s);
			FUZZ_CHECK(!si.rules.horizon_s || sl->start <= si.now + si.rules.horizon_s);
			int64_t b0 = sl->start - before, b1 = sl->start + after;
			for (int i = 0; i < nstaff; i++) {
				if (!(sl->staff >> i & 1))
					continue;
				for (int b = 0; b < staff[i].nbusy; b++)
					FUZZ_CHECK(!(staff[i].busy[b].from < b1 && staff[i].busy[b].to > b0));
				if (zi < FIXED_ZONES) {
					int inside = 0;
					for (int o = 0; o < nopen[i] && !inside; o++)
						inside = open[i][o].from <= b0 && b1 <= open[i][o].to;
					FUZZ_CHECK(inside);
				}
				if (checked++ < 16) /* each check is a computation of its own: a sample */
					FUZZ_CHECK(slots_check_start(&si, i, sl->start, "start", &e) == 0);
			}
		}
	}
	slots_result_release(&res);
	return 0;
}
