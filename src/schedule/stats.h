/* stats — the figures of the back office's dashboard, per local week (Monday 00:00 to the next
 * Monday 00:00 in the business's zone): appointments, booked and open minutes (the fill
 * rate), no-shows, new clients; today's appointments; and the first-run checklist. Demo rows
 * are never counted. Every function filters on the account id it is given and works in the
 * caller's connection. Definitions: docs/internals/dashboard.md. */
#ifndef CRENEAU_SCHEDULE_STATS_H
#define CRENEAU_SCHEDULE_STATS_H
#include <stdint.h>

#include "base/err.h"
#include "base/tz.h"
#include "db/db.h"

#define STATS_WEEKS_MAX	    52 /* weeks in one answer */
#define STATS_WEEKS_DEFAULT 12
#define STATS_STAFF_MAX	    500 /* staff members whose hours are summed */
#define STATS_TODAY_MAX	    200 /* appointments listed for today */

/* One local week. */
struct stats_week {
	struct civil monday;	/* its first date (hour, minute, second 0) */
	int64_t from, to;	/* [from, to): UTC instants of its local bounds */
	int64_t appointments;	/* not cancelled, starting in the week */
	int64_t booked_minutes; /* their summed durations */
	int64_t open_minutes;	/* the staff's opening hours in the week, wall-clock minutes */
	int64_t started;	/* not cancelled, starting in the week before `now` */
	int64_t no_shows;	/* of those, marked no_show */
	int64_t new_clients;	/* client records created in the week */
};

/* Fills out[0..weeks-1] (oldest first; the last is the week holding `now`) for the account
 * in zone z. weeks is 1..STATS_WEEKS_MAX (400 `invalid_field` on "weeks" otherwise). Open
 * minutes count the active, bookable staff members' weekly hours, with their date exceptions
 * (a day off: none; other hours: those instead; extra hours: added) and the business's closed
 * days (none), overlapping ranges counted once. */
int stats_weeks(db_conn *c, int64_t account_id, const struct tz *z, int64_t now, int weeks,
		struct stats_week *out, struct err *e) WUR;

/* One of today's appointments; pointers are valid during the callback only. */
struct stats_appointment {
	const char *public_id, *status, *service, *staff, *first_name, *last_name, *client_id;
	int64_t starts_at, ends_at;
};
typedef void (*stats_appointment_fn)(void *ctx, const struct stats_appointment *a);
/* The appointments not cancelled starting in [from, to), in start order, at most
 * STATS_TODAY_MAX. Returns how many. */
int stats_appointments(db_conn *c, int64_t account_id, int64_t from, int64_t to, stats_appointment_fn each,
		       void *ctx, struct err *e) WUR;

/* The first-run checklist: each item is 1 when done. */
struct stats_checklist {
	int services;	 /* an active service of the business's own (not demo) */
	int hours;	 /* a staff member of its own with weekly hours */
	int link_shared; /* the link was copied from the checklist, or a client booked online */
	int dismissed;	 /* the owner closed the checklist */
};
int stats_checklist(db_conn *c, int64_t account_id, struct stats_checklist *out, struct err *e) WUR;
/* Records, in the caller's transaction, that the link was shared (link_shared) and/or that
 * the checklist was dismissed (dismissed), at `now`; what was recorded before is kept. */
int stats_checklist_mark(db_conn *c, int64_t account_id, int link_shared, int dismissed, int64_t now,
			 struct err *e) WUR;

#endif
