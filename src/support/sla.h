/* sla — the pure rules of the support service level (PRODUCT.md "Support platform";
 * docs/internals/support.md): first-response targets, deadlines on a 24/7 clock, the 75 %
 * warning instant, how each message of a thread moves the clock, the 7-day close and 3-year
 * deletion instants, and the report's percentiles. No store, no clock: every instant is a
 * parameter (Unix seconds, UTC), so a deadline never depends on a time zone or on DST. */
#ifndef CRENEAU_SUPPORT_SLA_H
#define CRENEAU_SUPPORT_SLA_H
#include <stddef.h>
#include <stdint.h>

#define SLA_HOUR_S	      3600
#define SLA_TARGET_FAST_H     24	      /* accounts subscribed to Optimum (FEAT_SUPPORT_24H) */
#define SLA_TARGET_STANDARD_H 48	      /* every other account, trials of Optimum included */
#define SLA_WARN_PERMILLE     750	      /* operators are warned at 75 % of the target */
#define SLA_CLOSE_AFTER_S     (7 * 24 * 3600) /* solved → closed */
#define SLA_RETENTION_YEARS   3		      /* closed tickets are deleted after */

/* The first-response target in hours: 24 when the account has the 24 h target, else 48. */
int sla_target_hours(int has_support_24h);

/* The deadline of a reply owed since `since`: since + target hours, on a 24/7 clock. */
int64_t sla_due(int64_t since, int target_hours);
/* When operators are warned about a deadline: 75 % of the way from since to due. */
int64_t sla_warn_at(int64_t since, int64_t due);

/* What a ticket's clock holds. A reply is owed while awaiting_since is not 0. */
struct sla_clock {
	int target_hours;	   /* fixed when the ticket is opened */
	int64_t awaiting_since;	   /* the customer message the owed reply answers; 0 = none owed */
	int64_t due_at;		   /* the deadline of the owed reply; 0 = none owed */
	int64_t first_due_at;	   /* the committed first-response deadline */
	int64_t first_response_at; /* the first reply the customer could see; 0 = none yet */
	int replies_late;	   /* visible replies sent after their deadline */
};

enum sla_event {
	SLA_CUSTOMER_MESSAGE, /* the opening message, or a customer reply */
	SLA_AGENT_REPLY,      /* an operator's reply the customer sees */
	SLA_INTERNAL_NOTE,    /* an operator's note: never counts */
	SLA_AUTO_MESSAGE,     /* acknowledgements and other automatic texts: never count */
	SLA_STOP,	      /* solved, closed or spam: nothing is owed any more */
};

/* Starts the clock of a ticket opened at `at` with its target: the first reply is owed by
 * at + target, which is also the committed first-response deadline. */
void sla_open(struct sla_clock *c, int target_hours, int64_t at);
/* Applies one event at instant `at`. A customer message starts a new deadline when no reply
 * is owed, and leaves the earlier one when a reply is already owed; a visible agent reply
 * ends what is owed and is the first response when there was none. */
void sla_apply(struct sla_clock *c, enum sla_event ev, int64_t at);

/* The instant `years` calendar years after utc (UTC calendar; 29 February → 28 February). */
int64_t sla_years_after(int64_t utc, int years);

/* The p-th percentile (0 < p <= 100) of n values by the nearest-rank method: the smallest
 * value with at least p % of the values at or below it. Sorts v in place; 0 when n is 0. */
int64_t sla_percentile(int64_t *v, size_t n, int p);

#endif
