/* loader — reads what slots_compute needs for one business, one service, one staff member or
 * "any", and a range of local dates, from the store in exactly two queries whatever the range:
 * one for the set-up (account rules and zone, the service, the staff, their weekly hours and
 * exceptions, closed days: one UNION ALL) and one for the live blocks. It fills a
 * struct slots_input ready to compute or to check one start; docs/internals/appointments.md
 * says why blocks are read over a widened range and how group sessions are treated. */
#ifndef CRENEAU_SCHEDULE_LOADER_H
#define CRENEAU_SCHEDULE_LOADER_H
#include <stdint.h>

#include "base/err.h"
#include "base/tz.h"
#include "db/db.h"
#include "schedule/slots.h"

#define LOADER_PID_MAX 24 /* public ids, NUL included */

/* The service as booking needs it; rules already resolved (service override or account's). */
struct loader_service {
	int64_t id;
	char public_id[LOADER_PID_MAX];
	int duration, buffer_before, buffer_after, capacity;
	struct slots_rules rules;
};

/* A staff member of the computation (index i = bit i of a slot's mask). */
struct loader_staff {
	int64_t id;
	int64_t user_id; /* 0 when no user is linked */
	char public_id[LOADER_PID_MAX];
	int provides; /* provides the service, active and bookable */
};

/* A group session of the service with free seats: busy for everything else, joinable at
 * exactly `start` by the same service. */
struct loader_session {
	int staff_index;
	int64_t block_id, start;
	int seats_taken, capacity;
};

/* A block as read (buffers included), for excluding one from a check. */
struct loader_block {
	int64_t id;
	int staff_index;
	struct slots_interval at;
	int64_t service_id;	   /* group blocks (capacity > 1) only, else 0 */
	int64_t session_start;	   /* group blocks: the start of the session, else 0 */
	int capacity, seats_taken; /* seats_taken: group blocks only, else 0 */
};

/* Everything read, owned by the struct (free with loader_release). in.staff[i] is
 * staff[i]; in.from_date/to_date are the range asked for. */
struct loader {
	const struct tz *zone;
	char time_zone[TZ_NAME_MAX + 1];
	struct loader_service service;
	int nstaff;
	struct loader_staff staff[SLOTS_MAX_STAFF];
	struct slots_staff slot_staff[SLOTS_MAX_STAFF];
	struct slots_exception *exceptions; /* every staff member's, grouped by staff */
	struct slots_interval *busy;	    /* every staff member's, grouped by staff, sorted */
	struct loader_block *blocks;	    /* parallel to busy */
	struct slots_date *closed;
	int nclosed, nexceptions, nbusy;
	struct loader_session *sessions;
	int nsessions;
	struct slots_input in;
	int queries; /* statements run (the benchmark and tests check it is 2) */
};

/* Loads the schedule of service `service_pid` of account `account_id` for staff
 * `staff_pid` ("" or "any" = every active bookable staff member providing the service) over
 * local dates [from, to] (at most SLOTS_MAX_DAYS days), with "now" = now. Errors: 404
 * `not_found` on field "service" or "staff" (unknown, another account's, inactive, or not
 * providing the service), 400 on the dates. *l must be zeroed; release it after use. */
int loader_load(db_conn *c, int64_t account_id, const char *service_pid, const char *staff_pid,
		struct slots_date from, struct slots_date to, int64_t now, struct loader *l,
		struct err *e) WUR;
/* Frees what *l holds and zeroes it. */
void loader_release(struct loader *l);

/* Index in l->staff of the staff member whose row id is staff_id, or -1. */
int loader_staff_index(const struct loader *l, int64_t staff_id);

/* Checks that staff member `staff_index` can take `start` for the loaded service under
 * `rules` (NULL = the loaded ones), as slots_check_start answers (422 rule codes, 409
 * `slot_taken`). Block `exclude_block` (the appointment being moved; 0 = none) is not busy.
 * For a group service, the session block of the same service starting at `start` is not busy
 * either (joining it is decided by the seat update); *session_block receives its id, or 0. */
int loader_check_start(const struct loader *l, const struct slots_rules *rules, int staff_index,
		       int64_t start, int64_t exclude_block, const char *field, int64_t *session_block,
		       struct err *e) WUR;

/* The local date of an instant in the loaded zone. */
struct slots_date loader_local_date(const struct loader *l, int64_t utc);

#endif
