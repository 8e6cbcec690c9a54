/* tz — see tz.h and docs/internals/time.md. libical is used only while a zone loads, under
 * load_lock; afterwards a zone is an immutable sorted array of (instant, offset) pairs. */
#include "base/tz.h"
#include "base/tz_int.h"

#include <libical/ical.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "base/banned.h"

struct tz {
	struct tz *next; /* cache list, guarded by load_lock; never unlinked */
	char name[TZ_NAME_MAX + 1];
	int count;   /* entries in at[] and off[] */
	int64_t *at; /* at[0] = INT64_MIN; off[i] is in force from at[i] */
	int32_t *off;
};

static const char *const supported[] = {
#include "base/tz_supported.inc"
};
#define SUPPORTED_COUNT ((int)(sizeof(supported) / sizeof(supported[0])))

static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;
static struct tz *loaded; /* guarded by load_lock */

/* ---- calendar (Howard Hinnant's algorithms, "chrono-Compatible Low-Level Date Algorithms") */

int tz_is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int tz_days_in_month(int y, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m < 1 || m > 12)
		return 0;
	return m == 2 && tz_is_leap(y) ? 29 : days[m - 1];
}

int64_t tz_days_from_civil(int y, int m, int d)
{
	int64_t yy = (int64_t)y - (m <= 2);
	int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
	int64_t yoe = yy - era * 400;
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void tz_civil_from_days(int64_t z, int *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t dd = doy - (153 * mp + 2) / 5 + 1;
	int64_t mm = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)(yoe + era * 400 + (mm <= 2));
	*m = (int)mm;
	*d = (int)dd;
}

int tz_weekday(int y, int m, int d)
{
	int64_t days = tz_days_from_civil(y, m, d); /* 1970-01-01 was a Thursday (4) */
	int64_t w = (days % 7 + 7 + 3) % 7;	    /* 0 = Monday */
	return (int)w + 1;
}

int tz_civil_valid(const struct civil *c)
{
	return c->year >= 1 && c->year <= 9999 && c->month >= 1 && c->month <= 12 && c->day >= 1 &&
	       c->day <= tz_days_in_month(c->year, c->month) && c->hour >= 0 && c->hour <= 23 &&
	       c->minute >= 0 && c->minute <= 59 && c->second >= 0 && c->second <= 59;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

void tz_utc_to_civil(int64_t utc, struct civil *out)
{
	int64_t days = floor_div(utc, 86400);
	int64_t secs = utc - days * 86400;
	tz_civil_from_days(days, &out->year, &out->month, &out->day);
	out->hour = (int)(secs / 3600);
	out->minute = (int)(secs / 60 % 60);
	out->second = (int)(secs % 60);
}

int64_t tz_civil_to_utc(const struct civil *c)
{
	return tz_days_from_civil(c->year, c->month, c->day) * 86400 + c->hour * 3600 + c->minute * 60 +
	       c->second;
}

/* ---- loading */

static int supported_cmp(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

int tz_is_supported(const char *name)
{
	if (!name || strnlen(name, TZ_NAME_MAX + 1) > TZ_NAME_MAX)
		return 0;
	return bsearch(name, supported, SUPPORTED_COUNT, sizeof(supported[0]), supported_cmp) != NULL;
}

const char *const *tz_supported_list(int *count)
{
	*count = SUPPORTED_COUNT;
	return supported;
}

/* A name libical may turn into a path under /usr/share/zoneinfo: no "..", no leading '/'. */
static int name_well_formed(const char *name)
{
	size_t n = strnlen(name, TZ_NAME_MAX + 1);
	if (n == 0 || n > TZ_NAME_MAX || name[0] == '/' || name[0] == '.' || strstr(name, ".."))
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '/' || c == '_' || c == '-' || c == '+'))
			return 0;
	}
	return 1;
}

static int ical_offset(icaltimezone *iz, int64_t utc)
{
	struct civil c;
	tz_utc_to_civil(utc, &c);
	struct icaltimetype tt = icaltime_null_time();
	tt.year = c.year;
	tt.month = c.month;
	tt.day = c.day;
	tt.hour = c.hour;
	tt.minute = c.minute;
	tt.second = c.second;
	tt.zone = icaltimezone_get_utc_timezone();
	int is_daylight = 0;
	return icaltimezone_get_utc_offset_of_utc_time(iz, &tt, &is_daylight);
}

static void push(struct tz *z, int *alloc, int64_t at, int off)
{
	if (z->count == *alloc) {
		*alloc = *alloc ? *alloc * 2 : 64;
		z->at = xrealloc(z->at, (size_t)*alloc * sizeof(*z->at));
		z->off = xrealloc(z->off, (size_t)*alloc * sizeof(*z->off));
	}
	z->at[z->count] = at;
	z->off[z->count] = off;
	z->count++;
}

/* Scans the zone a day at a time and bisects inside each day whose offset changed. An offset
 * that changes and changes back within one day would be missed: tzdata has none since 1900. */
static struct tz *build(const char *name, icaltimezone *iz)
{
	struct tz *z = xcalloc(1, sizeof(*z));
	int alloc = 0;
	snprintf(z->name, sizeof(z->name), "%s", name);
	int64_t start = tz_days_from_civil(TZ_YEAR_MIN, 1, 1) * 86400;
	int64_t end = tz_days_from_civil(TZ_YEAR_MAX + 1, 1, 1) * 86400;
	int prev = ical_offset(iz, start);
	push(z, &alloc, INT64_MIN, prev);
	for (int64_t t = start + 86400; t <= end; t += 86400) {
		int cur = ical_offset(iz, t);
		if (cur == prev)
			continue;
		int64_t lo = t - 86400, hi = t; /* offset(lo) == prev, offset(hi) != prev */
		while (hi - lo > 1) {
			int64_t mid = lo + (hi - lo) / 2;
			if (ical_offset(iz, mid) == prev)
				lo = mid;
			else
				hi = mid;
		}
		int at_hi = ical_offset(iz, hi);
		push(z, &alloc, hi, at_hi);
		if (at_hi != cur)
			push(z, &alloc, t, cur);
		prev = cur;
	}
	return z;
}

static const struct tz *load(const char *name, int check_supported, struct err *e)
{
	if (!name || !name_well_formed(name) || (check_supported && !tz_is_supported(name))) {
		err_set(e, 400, "invalid_timezone", "time_zone", "unknown or unsupported time zone");
		return NULL;
	}
	pthread_mutex_lock(&load_lock);
	struct tz *z;
	for (z = loaded; z; z = z->next)
		if (strcmp(z->name, name) == 0)
			break;
	if (!z) {
		icaltimezone *iz = icaltimezone_get_builtin_timezone(name);
		if (iz) {
			z = build(name, iz);
			z->next = loaded;
			loaded = z;
		}
	}
	pthread_mutex_unlock(&load_lock);
	if (!z)
		err_set(e, 400, "invalid_timezone", "time_zone", "unknown time zone");
	return z;
}

const struct tz *tz_get(const char *name, struct err *e)
{
	return load(name, 1, e);
}

const struct tz *tz_load_any(const char *name, struct err *e)
{
	return load(name, 0, e);
}

int tz_transition_count(const struct tz *z)
{
	return z->count;
}

const char *tz_name(const struct tz *z)
{
	return z->name;
}

/* ---- lookups (lock-free: the table never changes once published) */

/* Index of the last entry with at[i] <= utc; at[0] is INT64_MIN so it always exists. */
static int find(const struct tz *z, int64_t utc)
{
	int lo = 0, hi = z->count - 1;
	while (lo < hi) {
		int mid = lo + (hi - lo + 1) / 2;
		if (z->at[mid] <= utc)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

int tz_offset_at(const struct tz *z, int64_t utc)
{
	return z->off[find(z, utc)];
}

void tz_to_civil(const struct tz *z, int64_t utc, struct civil *out)
{
	tz_utc_to_civil(utc + tz_offset_at(z, utc), out);
}

int tz_resolve(const struct tz *z, const struct civil *wall, enum tz_pick pick, int64_t *out)
{
	if (!tz_civil_valid(wall))
		return -1;
	int64_t local = tz_civil_to_utc(wall);
	int before = tz_offset_at(z, local - 86400);
	int after = tz_offset_at(z, local + 86400);
	int64_t u1 = local - before, u2 = local - after;
	int ok1 = tz_offset_at(z, u1) == before;
	int ok2 = before != after && tz_offset_at(z, u2) == after;
	if (ok1 && ok2) {
		int64_t first = u1 < u2 ? u1 : u2, second = u1 < u2 ? u2 : u1;
		*out = pick == TZ_LATER ? second : first;
		return TZ_REPEATED;
	}
	if (ok1 || ok2) {
		*out = ok1 ? u1 : u2;
		return TZ_OK;
	}
	/* In a gap: read with the offset from before, the time falls after the transition;
	 * that transition is where the gap ends. */
	*out = z->at[find(z, u1)];
	return TZ_SKIPPED;
}

int tz_day_start(const struct tz *z, int y, int m, int d, int64_t *out)
{
	struct civil c = {y, m, d, 0, 0, 0};
	return tz_resolve(z, &c, TZ_EARLIER, out) < 0 ? -1 : 0;
}

/* ---- RFC 3339 */

void tz_format_rfc3339(const struct tz *z, int64_t utc, char *out)
{
	int off = z ? tz_offset_at(z, utc) : 0;
	if (off % 60 != 0)
		off = 0, z = NULL;
	struct civil c;
	tz_utc_to_civil(utc + off, &c);
	int n = snprintf(out, TZ_RFC3339_SIZE, "%04d-%02d-%02dT%02d:%02d:%02d", c.year, c.month, c.day,
			 c.hour, c.minute, c.second);
	if (n < 0 || n >= TZ_RFC3339_SIZE)
		return;
	if (!z) {
		snprintf(out + n, (size_t)(TZ_RFC3339_SIZE - n), "Z");
		return;
	}
	int a = off < 0 ? -off : off;
	snprintf(out + n, (size_t)(TZ_RFC3339_SIZE - n), "%c%02d:%02d", off < 0 ? '-' : '+', a / 3600,
		 a / 60 % 60);
}

/* Reads exactly n decimal digits at *p into *v and advances *p. */
static int digits(const char **p, int n, int *v)
{
	int x = 0;
	for (int i = 0; i < n; i++) {
		char c = (*p)[i];
		if (c < '0' || c > '9')
			return -1;
		x = x * 10 + (c - '0');
	}
	*p += n;
	*v = x;
	return 0;
}

static int expect(const char **p, char a, char b)
{
	if (**p != a && **p != b)
		return -1;
	(*p)++;
	return 0;
}

static int parse_date_part(const char **p, struct civil *c)
{
	return digits(p, 4, &c->year) || expect(p, '-', '-') || digits(p, 2, &c->month) ||
			       expect(p, '-', '-') || digits(p, 2, &c->day)
		       ? -1
		       : 0;
}

/* Input longer than this is refused before any parsing. */
#define PARSE_MAX 48

static int too_long(const char *s)
{
	return !s || strnlen(s, PARSE_MAX + 1) > PARSE_MAX;
}

int tz_parse_rfc3339(const char *s, int64_t *out, struct err *e, const char *field)
{
	struct civil c = {0};
	const char *p = s;
	int oh = 0, om = 0, sign = 0;
	if (too_long(s) || parse_date_part(&p, &c) || expect(&p, 'T', 't') || digits(&p, 2, &c.hour) ||
	    expect(&p, ':', ':') || digits(&p, 2, &c.minute) || expect(&p, ':', ':') ||
	    digits(&p, 2, &c.second))
		goto bad;
	if (*p == '.') {
		int n = 0;
		for (p++; *p >= '0' && *p <= '9'; p++)
			n++;
		if (n < 1 || n > 9)
			goto bad;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '-' ? -1 : 1;
		p++;
		if (digits(&p, 2, &oh) || expect(&p, ':', ':') || digits(&p, 2, &om) || oh > 23 || om > 59)
			goto bad;
	} else {
		goto bad;
	}
	if (*p != '\0' || !tz_civil_valid(&c))
		goto bad;
	*out = tz_civil_to_utc(&c) - sign * (oh * 3600 + om * 60);
	return 0;
bad:
	return err_set(e, 400, "invalid_datetime", field,
		       "expected an RFC 3339 date-time such as 2027-03-28T09:00:00+02:00");
}

int tz_parse_date(const char *s, struct civil *out, struct err *e, const char *field)
{
	struct civil c = {0};
	const char *p = s;
	if (too_long(s) || parse_date_part(&p, &c) || *p != '\0' || !tz_civil_valid(&c))
		return err_set(e, 400, "invalid_date", field, "expected a date such as 2027-03-28");
	*out = c;
	return 0;
}

int tz_parse_civil(const char *s, struct civil *out, struct err *e, const char *field)
{
	struct civil c = {0};
	const char *p = s;
	if (too_long(s) || parse_date_part(&p, &c) || expect(&p, 'T', 't') || digits(&p, 2, &c.hour) ||
	    expect(&p, ':', ':') || digits(&p, 2, &c.minute))
		goto bad;
	if (*p == ':' && (p++, digits(&p, 2, &c.second)))
		goto bad;
	if (*p != '\0' || !tz_civil_valid(&c))
		goto bad;
	*out = c;
	return 0;
bad:
	return err_set(e, 400, "invalid_datetime", field,
		       "expected a local date-time such as 2027-03-28T09:00");
}
