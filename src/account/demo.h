/* demo — the personalised demo a new business starts with. Every tenant table that can hold
 * demo records has an `is_demo` column (0/1); demo records are never notified, never counted
 * in statistics or plan limits (every such query filters `is_demo = 0`), and the owner
 * clears them all in one action. Modules register, at start-up, the tables that hold demo
 * rows (in the order they must be deleted: children first) and a filler per business type
 * that creates typical records (the scheduling module fills services, hours and sample
 * appointments). */
#ifndef CRENEAU_DEMO_H
#define CRENEAU_DEMO_H
#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"

/* Creates demo records for one account in the caller's transaction. */
typedef int (*demo_filler)(db_conn *c, int64_t account_id, const char *business_type, int64_t now,
			   struct err *e);

/* When a table's demo rows are deleted: lower ranks first, so rows that reference others
 * go before what they reference, whatever order modules register in. */
enum demo_rank {
	DEMO_RANK_DETAILS = 10,	     /* answers, attachments of appointments */
	DEMO_RANK_APPOINTMENTS = 20, /* appointments */
	DEMO_RANK_BLOCKS = 30,	     /* what appointments sit in */
	DEMO_RANK_SETUP_LINKS = 40,  /* service questions, service-staff links, hours, exceptions */
	DEMO_RANK_SETUP = 50,	     /* services, staff */
	DEMO_RANK_PEOPLE = 60,	     /* clients */
	DEMO_RANK_ACCOUNT = 70,	     /* account-wide rows (closed days) */
};

/* Registers a table holding demo rows (a name from code, never from input: it is spliced into
 * the DELETE statement) with its deletion rank. At most 32 tables. Call before serving. */
void demo_register_table(const char *table, enum demo_rank rank);
/* Before demo rows are deleted, keeps as the account's own (is_demo = 0) the demo records its
 * own records cannot lose (a demo staff member one of its appointments uses), and appends
 * what it kept to `kept` (an object of arrays of names, by kind). In the caller's
 * transaction. */
typedef int (*demo_keeper)(db_conn *c, int64_t account_id, json_t *kept, struct err *e);

/* Registers a filler; fillers run in registration order. At most 16. */
void demo_register_filler(demo_filler fn);
/* Registers a keeper; keepers run in registration order, before any deletion. At most 8. */
void demo_register_keeper(demo_keeper fn);
/* Forgets every registration (tests). */
void demo_reset_registrations(void);

/* Runs every filler for the account and sets accounts.has_demo = 1 when any created rows.
 * In the caller's transaction. */
int demo_fill(db_conn *c, int64_t account_id, const char *business_type, int64_t now, struct err *e) WUR;
/* Runs the keepers (what they keep goes into `kept`, an object), then deletes every demo row
 * left of the account from the registered tables and sets has_demo = 0. Returns the number
 * of rows deleted (>= 0). In the caller's transaction. */
int demo_clear(db_conn *c, int64_t account_id, json_t *kept, struct err *e) WUR;

/* The business types offered at sign-up ("hair_salon", "physio", ...), NULL-terminated. */
extern const char *const demo_business_types[];
int demo_business_type_known(const char *type);

#endif
