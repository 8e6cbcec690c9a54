/* Micro-benchmark of schedule/slots (no store, no HTTP): the cost of
 *   - one day for one staff member with 50 busy intervals around it;
 *   - one month for "any staff": 20 staff, 2 500 busy intervals in the month;
 * in Europe/Paris, over a month that contains a change of offset. Prints ns per computation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "schedule/slots.h"

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Weekdays 09:00-12:30 and 13:30-19:00, Saturday 09:00-13:00. */
static void typical_week(struct slots_staff *st)
{
	memset(st, 0, sizeof(*st));
	for (int d = 0; d < 5; d++) {
		st->week.count[d] = 2;
		st->week.ranges[d][0] = (struct slots_range){9 * 60, 12 * 60 + 30};
		st->week.ranges[d][1] = (struct slots_range){13 * 60 + 30, 19 * 60};
	}
	st->week.count[5] = 1;
	st->week.ranges[5][0] = (struct slots_range){9 * 60, 13 * 60};
}

/* n appointments of 30-60 minutes on the half hour between 09:00 and 18:00 UTC+1/+2 of the
 * days from `day0`, sorted, not overlapping. */
static void appointments(struct slots_interval *out, int n, int64_t day0, int days, unsigned seed)
{
	int per_day = (n + days - 1) / days, k = 0;
	for (int d = 0; d < days && k < n; d++) {
		int64_t t = day0 + (int64_t)d * 86400 + 7 * 3600;
		for (int i = 0; i < per_day && k < n; i++) {
			seed = seed * 1103515245u + 12345u;
			t += 1800 * (int64_t)(seed >> 16 & 1);
			int64_t len = 1800 * (1 + (int64_t)(seed >> 20 & 1));
			out[k++] = (struct slots_interval){t, t + len};
			t += len;
		}
	}
}

static double run(const struct slots_input *in, struct slots_result *r, int iterations, int *nslots)
{
	struct err e = {0};
	double t0 = now_ns();
	for (int i = 0; i < iterations; i++)
		if (slots_compute(in, r, &e) < 0) {
			fprintf(stderr, "slots_compute: %s %s\n", e.code, e.message);
			exit(1);
		}
	*nslots = r->nslots;
	return (now_ns() - t0) / iterations;
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	struct err e = {0};
	const struct tz *paris = tz_get("Europe/Paris", &e);
	if (!paris) {
		fprintf(stderr, "%s\n", e.message);
		return 1;
	}
	int64_t march1 = 1803855600; /* 2027-03-01T00:00:00+01:00 */
	struct slots_result r = {0};
	int n;

	/* one day, one staff member, 50 busy intervals over the days around it */
	static struct slots_staff one;
	typical_week(&one);
	static struct slots_interval busy1[50];
	appointments(busy1, 50, march1 + 20 * 86400, 8, 1);
	one.busy = busy1;
	one.nbusy = 50;
	struct slots_input day = {.zone = paris, .staff = &one, .nstaff = 1, .now = march1};
	day.service = (struct slots_service){30, 5, 10};
	day.rules = (struct slots_rules){3600, 60 * 86400, 15};
	day.from_date = day.to_date = (struct slots_date){2027, 3, 24};
	double ns_day = run(&day, &r, 200000, &n);
	printf("slots day, 1 staff, 50 busy:          %8.0f ns  (%d slots)\n", ns_day, n);

	/* March 2027 (with the change of the 28th), any of 20 staff, 2 500 busy intervals */
	static struct slots_staff staff[20];
	static struct slots_interval busy[20][125];
	for (int s = 0; s < 20; s++) {
		typical_week(&staff[s]);
		appointments(busy[s], 125, march1, 31, 100u + (unsigned)s);
		staff[s].busy = busy[s];
		staff[s].nbusy = 125;
	}
	struct slots_input month = day;
	month.staff = staff;
	month.nstaff = 20;
	month.from_date = (struct slots_date){2027, 3, 1};
	month.to_date = (struct slots_date){2027, 3, 31};
	double ns_month = run(&month, &r, 2000, &n);
	printf("slots month, any of 20 staff, 2500 busy: %8.0f ns  (%d slots)\n", ns_month, n);
	month.rules.step = 5;
	ns_month = run(&month, &r, 1000, &n);
	printf("slots month, 20 staff, 5-minute grid:  %8.0f ns  (%d slots)\n", ns_month, n);
	slots_result_release(&r);
	return 0;
}
