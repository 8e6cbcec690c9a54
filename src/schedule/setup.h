/* setup — what a business sets up before it takes bookings, as the store holds it: a staff
 * member's weekly hours and date exceptions, the business-wide closed days, the appointments
 * a change of hours leaves outside them, and the demo set-up created at sign-up. The HTTP
 * side (input, answers) is src/app/api_setup.c; availability itself is slots.c.
 * Every function works in the caller's connection (and transaction) and filters on the
 * account id it is given. */
#ifndef CRENEAU_SETUP_H
#define CRENEAU_SETUP_H
#include <stdint.h>

#include "base/err.h"
#include "base/tz.h"
#include "db/db.h"
#include "schedule/slots.h"

#define SETUP_MAX_CONFLICTS 200	  /* conflicts listed in one answer (the rest counted) */
#define SETUP_MAX_SCANNED   20000 /* future appointments of one staff member checked */

/* Reads the weekly hours of staff member staff_id (an internal id) into *w (zeroed first). */
int setup_load_week(db_conn *c, int64_t account_id, int64_t staff_id, struct slots_week *w,
		    struct err *e) WUR;

/* Parses a stored ranges column ("[[540,720],[840,1110]]", minutes) into out[0..max-1];
 * returns the count, or -1 with a 500 error when the text is not such a list. */
int setup_ranges_parse(const char *json, struct slots_range *out, int max, struct err *e) WUR;

/* Reads the exceptions of a staff member that end on or after local date `from` ("YYYY-MM-DD")
 * into out (room for SLOTS_MAX_EXCEPTIONS, the caller's), in date order; returns the count or -1. */
int setup_load_exceptions(db_conn *c, int64_t account_id, int64_t staff_id, const char *from,
			  struct slots_exception *out, struct err *e) WUR;

/* Reads the business's closed days on or after `from` into out (room for SLOTS_MAX_CLOSED, the
 * caller's); returns the count or -1. */
int setup_load_closed(db_conn *c, int64_t account_id, const char *from, struct slots_date *out,
		      struct err *e) WUR;

/* One booked appointment that the staff member's openings no longer contain. */
struct setup_conflict {
	char public_id[24];
	int64_t starts_at, ends_at;
};

struct setup_conflicts {
	int n;	   /* listed in items */
	int total; /* found (may exceed SETUP_MAX_CONFLICTS) */
	struct setup_conflict items[SETUP_MAX_CONFLICTS];
};

/* Whether [start, end) — with [bfrom, bto) blocked around it, buffers included — lies inside
 * one opening of staff member st (weekly hours and exceptions) outside the closed days, in
 * zone z: slots_check_start with no notice, horizon or grid. */
int setup_inside_openings(const struct tz *z, const struct slots_staff *st, const struct slots_date *closed,
			  int nclosed, int64_t start, int64_t end, int64_t bfrom, int64_t bto);

/* Lists into *out the booked appointments of staff member staff_id starting at or after `now`
 * whose blocked interval (buffers included) is not inside one opening of that member's hours,
 * exceptions and the closed days as the store holds them now (in the caller's transaction, so
 * after its changes), computed with slots_check_start in zone z. */
int setup_conflicts(db_conn *c, int64_t account_id, int64_t staff_id, const struct tz *z, int64_t now,
		    struct setup_conflicts *out, struct err *e) WUR;

/* Minutes from midnight as "HH:MM" ("24:00" for 1440) into out[6]. */
void setup_format_minutes(int minutes, char out[6]);

/* Creates the demo set-up of a business type (services, staff, hours, clients, a week of
 * appointments from the next local Monday), every row is_demo = 1: the filler registered with
 * demo_register_filler. Unknown types get the "other" set-up. */
int setup_demo_fill(db_conn *c, int64_t account_id, const char *business_type, int64_t now,
		    struct err *e) WUR;

/* Registers the scheduling tables holding demo rows (children first) and setup_demo_fill.
 * Called once at start, before serving (app.c). */
void setup_register(void);

#endif
