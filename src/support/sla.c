/* sla — deadlines and percentiles of the support service level (see sla.h). */
#include "support/sla.h"

#include <stdlib.h>

#include "base/tz.h"
#include "base/banned.h"

int sla_target_hours(int has_support_24h)
{
	return has_support_24h ? SLA_TARGET_FAST_H : SLA_TARGET_STANDARD_H;
}

int64_t sla_due(int64_t since, int target_hours)
{
	return since + (int64_t)target_hours * SLA_HOUR_S;
}

int64_t sla_warn_at(int64_t since, int64_t due)
{
	return since + (due - since) * SLA_WARN_PERMILLE / 1000;
}

void sla_open(struct sla_clock *c, int target_hours, int64_t at)
{
	c->target_hours = target_hours;
	c->awaiting_since = at;
	c->due_at = sla_due(at, target_hours);
	c->first_due_at = c->due_at;
	c->first_response_at = 0;
	c->replies_late = 0;
}

void sla_apply(struct sla_clock *c, enum sla_event ev, int64_t at)
{
	switch (ev) {
	case SLA_CUSTOMER_MESSAGE:
		if (!c->awaiting_since) {
			c->awaiting_since = at;
			c->due_at = sla_due(at, c->target_hours);
		}
		break;
	case SLA_AGENT_REPLY:
		if (!c->first_response_at)
			c->first_response_at = at;
		if (c->awaiting_since) {
			if (at > c->due_at)
				c->replies_late++;
			c->awaiting_since = 0;
			c->due_at = 0;
		}
		break;
	case SLA_STOP:
		c->awaiting_since = 0;
		c->due_at = 0;
		break;
	case SLA_INTERNAL_NOTE:
	case SLA_AUTO_MESSAGE:
		break;
	}
}

int64_t sla_years_after(int64_t utc, int years)
{
	struct civil cv;
	tz_utc_to_civil(utc, &cv);
	cv.year += years;
	if (cv.month == 2 && cv.day == 29 && !tz_is_leap(cv.year))
		cv.day = 28;
	return tz_civil_to_utc(&cv);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

int64_t sla_percentile(int64_t *v, size_t n, int p)
{
	if (!n)
		return 0;
	if (p < 1)
		p = 1;
	if (p > 100)
		p = 100;
	qsort(v, n, sizeof(*v), cmp_i64);
	size_t rank = ((size_t)p * n + 99) / 100; /* ceil(p/100 * n), 1-based */
	if (rank < 1)
		rank = 1;
	return v[rank - 1];
}
