/* slots — the pure availability computation: given one business's hours, exceptions, closed
 * days, busy intervals, a service, booking rules and "now", the free start instants of each
 * local day and which staff can take each one. No store, no HTTP: plain structs in, a result
 * out. Instants are Unix seconds UTC; wall times are minutes from local midnight and are turned
 * into instants with base/tz only. The rules (buffers, grid, daylight saving) are described in
 * docs/internals/slots.md. */
#ifndef CRENEAU_SLOTS_H
#define CRENEAU_SLOTS_H
#include <stdint.h>

#include "base/err.h"
#include "base/tz.h"

#define SLOTS_MAX_STAFF	     64	    /* staff per computation (one bit each in a mask) */
#define SLOTS_MAX_RANGES     8	    /* ranges per weekday or per exception */
#define SLOTS_MAX_EXCEPTIONS 512    /* date exceptions per staff member */
#define SLOTS_MAX_EXC_DAYS   366    /* days one exception may cover */
#define SLOTS_MAX_CLOSED     1024   /* business-wide closed days */
#define SLOTS_MAX_BUSY	     200000 /* busy intervals per staff member */
#define SLOTS_MAX_DAYS	     62	    /* days in [from_date, to_date] */
#define SLOTS_MAX_SLOTS	     50000  /* slots in one result */
#define SLOTS_MAX_DURATION   1440   /* minutes, for a duration and each buffer */

/* A local date. */
struct slots_date {
	int year, month, day;
};

/* A local opening range [start, end) in minutes from midnight: start 0..1439, end 1..1440
 * (1440 is "24:00", the start of the next day). */
struct slots_range {
	int start, end;
};

/* Weekly hours: ranges[0] is Monday … ranges[6] Sunday; count[d] ranges that day, in any
 * order, none overlapping (touching ones form one opening). */
struct slots_week {
	int count[7];
	struct slots_range ranges[7][SLOTS_MAX_RANGES];
};

enum slots_exception_kind {
	SLOTS_DAY_OFF = 1, /* closed every date of [from, to] */
	SLOTS_HOURS = 2,   /* these ranges replace the weekly ones on every date of [from, to] */
	SLOTS_EXTRA = 3,   /* these ranges are open on top of the weekly ones */
};

/* A staff member's date exception; from..to inclusive (one day: from == to). */
struct slots_exception {
	enum slots_exception_kind kind;
	struct slots_date from, to;
	int count; /* ranges used (SLOTS_HOURS with 0 ranges closes the day) */
	struct slots_range ranges[SLOTS_MAX_RANGES];
};

/* An instant interval [from, to), UTC seconds. */
struct slots_interval {
	int64_t from, to;
};

/* One staff member. `busy` already includes each appointment's buffers and must be sorted by
 * `from` (overlaps allowed). The arrays are the caller's and are only read. */
struct slots_staff {
	struct slots_week week;
	const struct slots_exception *exceptions;
	int nexceptions;
	const struct slots_interval *busy;
	int nbusy;
};

/* The service booked: minutes. */
struct slots_service {
	int duration, buffer_before, buffer_after;
};

/* Booking rules. notice_s >= 0; horizon_s 0 means no horizon; step 5..60 minutes, or 0 for
 * the service's duration. */
struct slots_rules {
	int64_t notice_s, horizon_s;
	int step;
};

/* Everything one computation needs. Staff bit i of a slot's mask is staff[i]; pass one staff
 * member for "this person", every candidate for "any staff". */
struct slots_input {
	const struct tz *zone;
	const struct slots_staff *staff;
	int nstaff;
	const struct slots_date *closed; /* business-wide closed dates, any order */
	int nclosed;
	struct slots_service service;
	struct slots_rules rules;
	int64_t now;
	struct slots_date from_date, to_date; /* local dates, inclusive */
};

/* A free start and the staff who can take it (bit i = input staff[i]). */
struct slots_slot {
	int64_t start;
	uint64_t staff;
};

/* One local day of the result: slots[first .. first + count - 1], sorted by start. */
struct slots_day {
	struct slots_date date;
	int first, count;
};

/* The result, owned by the caller: zero it before the first use, reuse it across calls (the
 * slot array is kept and grown), free it with slots_result_release. */
struct slots_result {
	int ndays;
	struct slots_day days[SLOTS_MAX_DAYS];
	struct slots_slot *slots;
	int nslots, cap;
};

/* Computes the free starts of every day of [in->from_date, in->to_date] into *out (previous
 * contents replaced). Returns 0, or -1 with a 400 error naming the field on bad input (caps,
 * unsorted busy intervals, invalid hours, dates or rules). */
int slots_compute(const struct slots_input *in, struct slots_result *out, struct err *e) WUR;
/* Frees what *r holds and zeroes it. */
void slots_result_release(struct slots_result *r);

/* Why a given start cannot be booked, as a booking would be answered: 0 when staff member
 * `staff_index` of `in` can take `start`; else -1 with 422 `in_the_past`, `inside_notice`,
 * `beyond_horizon`, `outside_hours` or `off_grid`, or 409 `slot_taken`, on field `field`.
 * in->from_date/to_date are ignored (the start's own local date is used). */
int slots_check_start(const struct slots_input *in, int staff_index, int64_t start, const char *field,
		      struct err *e) WUR;

/* Parses "HH:MM" (00:00..23:59, and "24:00" when allow_24) into minutes from midnight; -1
 * with 400 `invalid_time` on `field` otherwise. */
int slots_parse_time(const char *s, int allow_24, int *out, struct err *e, const char *field) WUR;
/* Checks weekly hours: each range in bounds (400 `invalid_time`), end after start (400
 * `end_before_start`), at most SLOTS_MAX_RANGES a day (400 `too_many_ranges`), no two
 * overlapping on one weekday (400 `overlapping_ranges`). The error's field is
 * "<prefix>.<mon..sun>[i].start|end", or "<prefix>.<day>[i]" for an overlap. */
int slots_validate_week(const struct slots_week *w, const char *prefix, struct err *e) WUR;
/* Checks one exception as slots_validate_week checks a day, plus its dates (400
 * `invalid_date`, from after to → 400 `end_before_start`, more than SLOTS_MAX_EXC_DAYS → 400
 * `range_too_large`) and, for SLOTS_HOURS and SLOTS_EXTRA, that every range's local times
 * exist on every date in zone z (400 `invalid_local_time` on "<prefix>.ranges[i].start|end";
 * an end exactly at the start of a gap is accepted). */
int slots_validate_exception(const struct tz *z, const struct slots_exception *x, const char *prefix,
			     struct err *e) WUR;

#endif
