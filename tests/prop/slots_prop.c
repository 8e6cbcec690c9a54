/* Property-test driver for schedule/slots: generates seeded random schedules (zones with
 * daylight saving of 1 hour and 30 minutes, half-hour offsets, a midnight gap), runs
 * slots_compute and slots_check_start, and writes each case with its results as one JSON line
 * for tests/prop/slots_ref.py, which recomputes everything minute by minute from the rules.
 * Usage: slots_prop CASES SEED > cases.jsonl */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schedule/slots.h"

static const char *const zones[] = {"Europe/Paris",	   "America/New_York", "Asia/Kolkata",
				    "Australia/Lord_Howe", "America/Santiago", "UTC"};
#define NZONES ((int)(sizeof(zones) / sizeof(zones[0])))

static uint64_t rng_state;

static uint64_t next_u64(void)
{
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* Uniform in [lo, hi]. */
static int64_t pick(int64_t lo, int64_t hi)
{
	return lo + (int64_t)(next_u64() % (uint64_t)(hi - lo + 1));
}

/* Days (since 1970) in 2026..2028 whose local length is not 24 h, per zone. */
static int64_t transitions[NZONES][16];
static int ntransitions[NZONES];

static void find_transitions(void)
{
	for (int z = 0; z < NZONES; z++) {
		const struct tz *zone = tz_get(zones[z], NULL);
		if (!zone) {
			fprintf(stderr, "zone %s missing\n", zones[z]);
			exit(2);
		}
		for (int64_t n = tz_days_from_civil(2026, 1, 1); n < tz_days_from_civil(2029, 1, 1); n++) {
			int y, m, d, y2, m2, d2;
			int64_t a, b;
			tz_civil_from_days(n, &y, &m, &d);
			tz_civil_from_days(n + 1, &y2, &m2, &d2);
			if (tz_day_start(zone, y, m, d, &a) < 0 || tz_day_start(zone, y2, m2, d2, &b) < 0)
				exit(2);
			if (b - a != 86400 && ntransitions[z] < 16)
				transitions[z][ntransitions[z]++] = n;
		}
	}
}

/* A time on a coarse or fine grid, biased towards the hours clocks change at. */
static int pick_minute(void)
{
	int g = (int)pick(0, 9);
	if (g < 5)
		return (int)pick(0, 48) * 30;
	if (g < 8)
		return (int)pick(0, 288) * 5;
	return (int)pick(0, 1440);
}

/* Up to `max` sorted, non-overlapping ranges (touching allowed). */
static int pick_ranges(struct slots_range *r, int max)
{
	int want = (int)pick(0, max), v[2 * SLOTS_MAX_RANGES], n = 0;
	for (int i = 0; i < 2 * want; i++)
		v[i] = pick_minute();
	for (int i = 1; i < 2 * want; i++)
		for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
			int t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	for (int i = 0; i < want; i++)
		if (v[2 * i] < v[2 * i + 1] && v[2 * i] < 1440)
			r[n++] = (struct slots_range){v[2 * i], v[2 * i + 1]};
	return n;
}

static void date_of(int64_t n, struct slots_date *d)
{
	tz_civil_from_days(n, &d->year, &d->month, &d->day);
}

static void put_date(const struct slots_date *d)
{
	printf("\"%04d-%02d-%02d\"", d->year, d->month, d->day);
}

static void put_ranges(const struct slots_range *r, int n)
{
	putchar('[');
	for (int i = 0; i < n; i++)
		printf("%s[%d,%d]", i ? "," : "", r[i].start, r[i].end);
	putchar(']');
}

#define MAX_STAFF 4
#define MAX_EXC	  4
#define MAX_BUSY  14

struct gen_staff {
	struct slots_exception exc[MAX_EXC];
	struct slots_interval busy[MAX_BUSY];
};

static int cmp_interval(const void *a, const void *b)
{
	const struct slots_interval *x = a, *y = b;
	return x->from < y->from ? -1 : x->from > y->from;
}

static void one_case(long id)
{
	int zi = (int)pick(0, NZONES - 1);
	const struct tz *z = tz_get(zones[zi], NULL);
	int64_t from = ntransitions[zi] && pick(0, 9) < 6
			       ? transitions[zi][pick(0, ntransitions[zi] - 1)] - pick(0, 2)
			       : pick(tz_days_from_civil(2026, 1, 1), tz_days_from_civil(2028, 12, 25));
	int ndays = (int)pick(1, 5);
	struct slots_input in = {.zone = z};
	date_of(from, &in.from_date);
	date_of(from + ndays - 1, &in.to_date);
	int64_t base;
	if (tz_day_start(z, in.from_date.year, in.from_date.month, in.from_date.day, &base) < 0)
		exit(2);

	static const int durations[] = {5, 10, 15, 20, 30, 45, 60, 90, 120, 240};
	static const int buffers[] = {0, 0, 5, 10, 15, 30};
	static const int steps[] = {0, 5, 10, 15, 20, 30, 45, 60};
	in.service.duration = durations[pick(0, 9)];
	in.service.buffer_before = buffers[pick(0, 5)];
	in.service.buffer_after = buffers[pick(0, 5)];
	in.rules.step = steps[pick(0, 7)];
	in.rules.notice_s = pick(0, 3) == 0 ? 0 : pick(0, 2 * 86400);
	in.rules.horizon_s = pick(0, 1) ? 0 : pick(3600, 10 * 86400);
	in.now = base + pick(-2 * 86400, 3 * 86400);

	struct slots_date closed[2];
	in.nclosed = (int)pick(0, 2);
	for (int i = 0; i < in.nclosed; i++)
		date_of(from + pick(0, ndays - 1), &closed[i]);
	in.closed = closed;

	struct slots_staff staff[MAX_STAFF];
	struct gen_staff gs[MAX_STAFF];
	memset(staff, 0, sizeof(staff));
	in.nstaff = (int)pick(1, MAX_STAFF);
	in.staff = staff;
	for (int s = 0; s < in.nstaff; s++) {
		for (int d = 0; d < 7; d++)
			staff[s].week.count[d] = pick(0, 9) < 2 ? 0 : pick_ranges(staff[s].week.ranges[d], 3);
		int nx = (int)pick(0, MAX_EXC), kept = 0;
		for (int i = 0; i < nx; i++) {
			struct slots_exception *x = &gs[s].exc[kept];
			memset(x, 0, sizeof(*x));
			x->kind = (enum slots_exception_kind)pick(1, 3);
			int64_t a = from + pick(-2, ndays);
			date_of(a, &x->from);
			date_of(a + pick(0, 2), &x->to);
			if (x->kind != SLOTS_DAY_OFF)
				x->count = pick_ranges(x->ranges, 2);
			if (slots_validate_exception(z, x, "exception", NULL) == 0)
				kept++;
		}
		staff[s].exceptions = gs[s].exc;
		staff[s].nexceptions = kept;
		int nb = (int)pick(0, MAX_BUSY);
		for (int i = 0; i < nb; i++) {
			int64_t f = base - 43200 + pick(0, (ndays + 1) * 288) * 300;
			gs[s].busy[i] = (struct slots_interval){f, f + pick(1, 48) * 300};
		}
		qsort(gs[s].busy, (size_t)nb, sizeof(gs[s].busy[0]), cmp_interval);
		staff[s].busy = gs[s].busy;
		staff[s].nbusy = nb;
	}

	struct slots_result r = {0};
	struct err e = {0};
	int rc = slots_compute(&in, &r, &e);

	printf("{\"id\":%ld,\"zone\":\"%s\",\"from\":", id, zones[zi]);
	put_date(&in.from_date);
	printf(",\"to\":");
	put_date(&in.to_date);
	printf(",\"now\":%" PRId64 ",\"notice\":%" PRId64 ",\"horizon\":%" PRId64 ",\"step\":%d", in.now,
	       in.rules.notice_s, in.rules.horizon_s, in.rules.step);
	printf(",\"duration\":%d,\"before\":%d,\"after\":%d,\"closed\":[", in.service.duration,
	       in.service.buffer_before, in.service.buffer_after);
	for (int i = 0; i < in.nclosed; i++) {
		if (i)
			putchar(',');
		put_date(&closed[i]);
	}
	printf("],\"staff\":[");
	for (int s = 0; s < in.nstaff; s++) {
		printf("%s{\"week\":[", s ? "," : "");
		for (int d = 0; d < 7; d++) {
			if (d)
				putchar(',');
			put_ranges(staff[s].week.ranges[d], staff[s].week.count[d]);
		}
		printf("],\"exceptions\":[");
		for (int i = 0; i < staff[s].nexceptions; i++) {
			const struct slots_exception *x = &staff[s].exceptions[i];
			printf("%s{\"kind\":\"%s\",\"from\":", i ? "," : "",
			       x->kind == SLOTS_DAY_OFF ? "off"
			       : x->kind == SLOTS_HOURS ? "hours"
							: "extra");
			put_date(&x->from);
			printf(",\"to\":");
			put_date(&x->to);
			printf(",\"ranges\":");
			put_ranges(x->ranges, x->count);
			putchar('}');
		}
		printf("],\"busy\":[");
		for (int i = 0; i < staff[s].nbusy; i++)
			printf("%s[%" PRId64 ",%" PRId64 "]", i ? "," : "", staff[s].busy[i].from,
			       staff[s].busy[i].to);
		printf("]}");
	}
	printf("]");
	if (rc < 0) {
		printf(",\"error\":\"%s %s\"}\n", e.code, e.field);
		slots_result_release(&r);
		return;
	}
	printf(",\"days\":[");
	for (int d = 0; d < r.ndays; d++) {
		printf("%s{\"date\":", d ? "," : "");
		put_date(&r.days[d].date);
		printf(",\"slots\":[");
		for (int i = 0; i < r.days[d].count; i++) {
			const struct slots_slot *sl = &r.slots[r.days[d].first + i];
			printf("%s[%" PRId64 ",%" PRIu64 "]", i ? "," : "", sl->start, sl->staff);
		}
		printf("]}");
	}
	/* probes of slots_check_start for staff 0: some listed starts, some arbitrary instants */
	printf("],\"checks\":[");
	for (int i = 0; i < 8; i++) {
		int64_t t;
		if (i < 3 && r.nslots)
			t = r.slots[pick(0, r.nslots - 1)].start;
		else if (i < 6)
			t = base + pick(0, ndays * 288) * 300;
		else
			t = base + pick(0, ndays * 86400);
		struct err ce = {0};
		int cr = slots_check_start(&in, 0, t, "start", &ce);
		printf("%s[%" PRId64 ",\"%s\"]", i ? "," : "", t, cr == 0 ? "ok" : ce.code);
	}
	printf("]}\n");
	slots_result_release(&r);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 2000;
	rng_state = argc > 2 ? strtoull(argv[2], NULL, 10) : 1;
	find_transitions();
	for (long i = 0; i < n; i++)
		one_case(i);
	return 0;
}
