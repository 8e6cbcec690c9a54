/* tz — time-zone offsets and wall-time rules. Offsets come from the system tzdata through
 * libical's zones, never from ICU. A zone is loaded once per process (thread-safe) into an
 * immutable table of transitions covering 1900..2100; lookups are then lock-free, so one
 * `const struct tz *` may be shared by every thread. Instants are Unix seconds UTC.
 * Outside 1900..2100 the first/last offset of the table applies.
 *
 * Wall-time rules (see docs/internals/time.md): a wall time that does not exist (spring
 * forward) is TZ_SKIPPED and resolves to the instant the gap ends; one that happens twice
 * (fall back) is TZ_REPEATED and resolves to its first occurrence unless TZ_LATER is asked;
 * the start of a local day is the first instant that date has. */
#ifndef CRENEAU_TZ_H
#define CRENEAU_TZ_H
#include <stdint.h>

#include "base/err.h"

#define TZ_NAME_MAX	64   /* longest zone name accepted, NUL excluded */
#define TZ_RFC3339_SIZE 32   /* buffer size for tz_format_rfc3339 */
#define TZ_YEAR_MIN	1900 /* the transition table covers these years */
#define TZ_YEAR_MAX	2100

struct tz; /* opaque, immutable once returned, lives until the process exits */

struct civil {
	int year, month, day;	  /* month 1..12, day 1..31 */
	int hour, minute, second; /* 0..23, 0..59, 0..59 */
};

enum tz_pick { TZ_EARLIER = 0, TZ_LATER = 1 };

enum tz_resolution {
	TZ_OK = 0,	 /* the wall time happens exactly once */
	TZ_SKIPPED = 1,	 /* it does not exist; *out = the first instant after the gap */
	TZ_REPEATED = 2, /* it happens twice; *out = the occurrence chosen by `pick` */
};

/* The zone called `name` (an IANA name such as "Europe/Paris"), loaded on first use and
 * cached for the process lifetime. Returns NULL with a 400 `invalid_timezone` error on
 * field "time_zone" when the name is unknown or not among the supported zones. */
const struct tz *tz_get(const char *name, struct err *e) WUR;
/* The IANA name the zone was loaded with; owned by the zone. */
const char *tz_name(const struct tz *z);
/* True when `name` is a supported zone (no loading involved). */
int tz_is_supported(const char *name);
/* The sorted list of supported zone names (static storage); *count receives its length. */
const char *const *tz_supported_list(int *count);

/* Seconds east of UTC in force at `utc`. */
int tz_offset_at(const struct tz *z, int64_t utc);
/* The local wall time at `utc`. */
void tz_to_civil(const struct tz *z, int64_t utc, struct civil *out);
/* The instant of wall time `wall` into *out; returns TZ_OK, TZ_SKIPPED or TZ_REPEATED (see
 * above), or -1 with *out untouched when a field of `wall` is out of range. */
int tz_resolve(const struct tz *z, const struct civil *wall, enum tz_pick pick, int64_t *out) WUR;
/* The first instant of local date y-m-d into *out (midnight, or the end of a gap that
 * swallows midnight). Returns 0, or -1 for an invalid date. */
int tz_day_start(const struct tz *z, int y, int m, int d, int64_t *out) WUR;

/* Pure calendar helpers (proleptic Gregorian, any year). */
int tz_is_leap(int y);
int tz_days_in_month(int y, int m); /* 0 when m is not 1..12 */
/* Day of week, ISO numbering: 1 = Monday … 7 = Sunday. */
int tz_weekday(int y, int m, int d);
/* Days since 1970-01-01 for a (normalised) date, and back. */
int64_t tz_days_from_civil(int y, int m, int d);
void tz_civil_from_days(int64_t days, int *y, int *m, int *d);
/* True when every field of c is in range (year 1..9999). */
int tz_civil_valid(const struct civil *c);
/* The UTC wall time at `utc`, and the instant of a UTC wall time. */
void tz_utc_to_civil(int64_t utc, struct civil *out);
int64_t tz_civil_to_utc(const struct civil *c);

/* Writes `utc` as RFC 3339 in zone z, e.g. "2027-03-28T09:00:00+02:00", into out (at least
 * TZ_RFC3339_SIZE bytes). z may be NULL for UTC ("…Z"). An offset that is not a whole
 * number of minutes (local mean time before 1900s) is written in UTC instead. */
void tz_format_rfc3339(const struct tz *z, int64_t utc, char *out);
/* Parses "YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)" into *out (fraction dropped). On bad
 * input returns -1 with a 400 `invalid_datetime` error naming `field`. */
int tz_parse_rfc3339(const char *s, int64_t *out, struct err *e, const char *field) WUR;
/* Parses "YYYY-MM-DD" into out (time fields zeroed); -1 with 400 `invalid_date` on `field`. */
int tz_parse_date(const char *s, struct civil *out, struct err *e, const char *field) WUR;
/* Parses a local wall time "YYYY-MM-DDTHH:MM[:SS]" (no offset) into out; -1 with 400
 * `invalid_datetime` on `field`. Resolve it with tz_resolve. */
int tz_parse_civil(const char *s, struct civil *out, struct err *e, const char *field) WUR;

#endif
