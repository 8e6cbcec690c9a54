/* run — the invoice of each 1st, 00:00 Europe/Paris: one job per account and month
 * ("billing.month:<account>:<yyyymm>"), enqueued by the subscription and by each run for the
 * next month. The billing_months primary key makes a second run of the same month a no-op,
 * whatever the number of workers or a crash in the middle (the transaction rolls back). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/xalloc.h"
#include "billing/billing_int.h"
#include "jobs/jobs.h"
#include "base/banned.h"

static const char *const month_names[] = {"janvier",   "février", "mars",     "avril",
					  "mai",       "juin",	  "juillet",  "août",
					  "septembre", "octobre", "novembre", "décembre"};

static int next_key(int key)
{
	return key % 100 == 12 ? (key / 100 + 1) * 100 + 1 : key + 1;
}

int billing_run_month(db_conn *c, int64_t account_id, int month, int64_t now, char out_public_id[24],
		      struct err *e)
{
	out_public_id[0] = '\0';
	if (billing_lock(c, account_id, e))
		return -1;
	db_rows *r;
	if (db_query(c, "SELECT state, COALESCE(state_reason, ''), plan FROM accounts WHERE id = $1",
		     DB_ARGS(DB_INT(account_id)), &r, e))
		return -1;
	int has = db_rows_next(r, e);
	int paying = 0;
	const struct plan *p = NULL;
	if (has == 1) {
		const char *state = db_rows_text(r, 0), *reason = db_rows_text(r, 1);
		/* cancel_pending is not billed: its cancellation takes effect this same instant */
		paying = !strcmp(state, "active") ||
			 (!strcmp(state, "read_only") && !strcmp(reason, "unpaid"));
		p = plan_by_code(db_rows_text(r, 2));
	}
	db_rows_free(r);
	if (has < 0)
		return -1;
	if (!paying)
		return 0;
	if (!p)
		return err_internal(e, "account %" PRId64 " has an unknown plan", account_id);
	/* the chain goes on whatever this month holds */
	if (billing_enqueue_month(c, account_id, next_key(month), e))
		return -1;
	int64_t billed;
	int found =
		db_query_int(c, "SELECT billed_ht FROM billing_months WHERE account_id = $1 AND month = $2",
			     DB_ARGS(DB_INT(account_id), DB_INT(month)), &billed, e);
	if (found < 0)
		return -1;
	if (found)
		return 0; /* already billed (this run before a crash, or a change in the month) */

	struct billing_month m;
	billing_month_from_key(month, &m);
	char segs[32];
	snprintf(segs, sizeof(segs), "1:%" PRId64, p->price_cents);
	if (db_exec(c,
		    "INSERT INTO billing_months (account_id, month, days, segments, billed_ht, updated_at)"
		    " VALUES ($1, $2, $3, $4, $5, $6)",
		    DB_ARGS(DB_INT(account_id), DB_INT(month), DB_INT(m.days), DB_TEXT(segs),
			    DB_INT(p->price_cents), DB_INT(now)),
		    e) < 0)
		return -1;

	struct billing_doc *d = xcalloc(1, sizeof(*d));
	d->type = BILLING_INVOICE;
	d->month = month;
	snprintf(d->reason, sizeof(d->reason), "monthly");
	billing_date_text(m.year, m.month, 1, d->period_start);
	billing_date_text(m.year, m.month, m.days, d->period_end);
	struct billing_line *l = &d->lines[d->nlines++];
	char ps[11], pe[11];
	billing_date_fr(d->period_start, ps);
	billing_date_fr(d->period_end, pe);
	snprintf(l->description, sizeof(l->description),
		 "Abonnement Créneau, offre %s, mois de %s %d (du %s au %s)", p->name,
		 month_names[(m.month - 1) % 12], m.year, ps, pe);
	snprintf(l->period_start, sizeof(l->period_start), "%s", d->period_start);
	snprintf(l->period_end, sizeof(l->period_end), "%s", d->period_end);
	l->quantity = 1;
	l->unit_ht = l->amount_ht = p->price_cents;
	int64_t left;
	/* credit carried over is deducted from this invoice's TTC (capped by billing_doc_totals) */
	int rc = billing_credit_sources(c, account_id, &left, d->credit_notes, sizeof(d->credit_notes), e);
	d->credit_applied_ttc = left;
	if (!rc)
		rc = billing_doc_issue(c, account_id, d, now, e);
	if (!rc)
		snprintf(out_public_id, 24, "%s", d->public_id);
	free(d);
	return rc < 0 ? -1 : 1;
}

struct run_ctx {
	int64_t account_id, now;
	int month;
	char id[24];
	int issued;
};

static int run_tx(db_conn *c, void *ctx, struct err *e)
{
	struct run_ctx *x = ctx;
	int rc = billing_run_month(c, x->account_id, x->month, x->now, x->id, e);
	if (rc < 0)
		return -1;
	x->issued = rc;
	return 0;
}

static enum job_result month_job(db *d, const struct job *j, struct err *e)
{
	struct run_ctx x = {.account_id = j->account_id, .now = j->now};
	x.month = (int)json_integer_value(json_object_get(j->payload, "month"));
	if (!x.account_id || x.month < 190001 || x.month % 100 < 1 || x.month % 100 > 12) {
		err_set(e, 400, "invalid_job", NULL, "billing.month needs an account and a month");
		return JOB_FAILED;
	}
	if (db_transact(d, run_tx, &x, e))
		return e->status == 409 ? JOB_FAILED : JOB_RETRY;
	if (x.issued)
		log_info("event=billing_month account=%" PRId64 " month=%d invoice=%s", x.account_id, x.month,
			 x.id);
	return JOB_DONE;
}

void billing_register(void)
{
	jobs_register(BILLING_MONTH_KIND, month_job, 600);
}
