/* The account's life: timed transitions as jobs, subscribing, plan changes, cancellation,
 * read-only for an unpaid invoice (docs/internals/lifecycle.md). */
#include "account/lifecycle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account/deletion.h"
#include "account/lifecycle_int.h"
#include "account/signup.h"
#include "base/i18n.h"
#include "base/tz.h"
#include "billing/billing.h"
#include "jobs/jobs.h"
#include "notify/notify.h"
#include "base/banned.h"

static struct lifecycle_options opts = {
	.frozen_retention_days = 30,
	.cancelled_retention_months = 12,
	.purge_delay_s = 3600,
	.public_url = "http://127.0.0.1:8080",
};
static char public_url_copy[512];

void lifecycle_configure(const struct lifecycle_options *o)
{
	if (o->frozen_retention_days > 0)
		opts.frozen_retention_days = o->frozen_retention_days;
	if (o->cancelled_retention_months > 0)
		opts.cancelled_retention_months = o->cancelled_retention_months;
	if (o->purge_delay_s > 0)
		opts.purge_delay_s = o->purge_delay_s > 7 * 86400 ? 7 * 86400 : o->purge_delay_s;
	if (o->public_url && *o->public_url) {
		snprintf(public_url_copy, sizeof(public_url_copy), "%s", o->public_url);
		opts.public_url = public_url_copy;
	}
}

const struct lifecycle_options *lifecycle_options_get(void)
{
	return &opts;
}

/* ---- calendar ---- */

int lifecycle_day_shift(const char *zone, int64_t t, int days, int64_t *out, struct err *e)
{
	return local_day_start_after(zone, t, days, out, e);
}

int lifecycle_month_start(const char *zone, int64_t t, int months, int64_t *out, struct err *e)
{
	const struct tz *z = tz_get(zone, e);
	if (!z)
		return -1;
	struct civil c;
	tz_to_civil(z, t, &c);
	int m0 = c.year * 12 + (c.month - 1) + months;
	int y = m0 / 12, m = m0 % 12 + 1;
	return tz_day_start(z, y, m, 1, out) ? err_internal(e, "no start of day %04d-%02d-01", y, m) : 0;
}

int lifecycle_notice_at(const char *zone, int64_t at, int days, int64_t *out, struct err *e)
{
	return lifecycle_day_shift(zone, at, -days, out, e);
}

int lifecycle_delete_at(const char *zone, enum account_state state, int64_t since, int64_t *out,
			struct err *e)
{
	if (state == ACCOUNT_FROZEN)
		return lifecycle_day_shift(zone, since, opts.frozen_retention_days, out, e);
	if (state == ACCOUNT_READ_ONLY)
		return lifecycle_month_start(LIFECYCLE_SELLER_ZONE, since, opts.cancelled_retention_months,
					     out, e);
	return err_internal(e, "no deletion instant for state %s", account_state_code(state));
}

int lifecycle_trial_days_left(const char *zone, int64_t trial_ends_at, int64_t now)
{
	struct err ignored = {0};
	const struct tz *z = tz_get(zone, &ignored);
	if (!z || now >= trial_ends_at)
		return 0;
	struct civil a, b;
	tz_to_civil(z, now, &a);
	tz_to_civil(z, trial_ends_at, &b);
	return (int)(tz_days_from_civil(b.year, b.month, b.day) - tz_days_from_civil(a.year, a.month, a.day));
}

/* ---- the row ---- */

static const char *const ROW_COLUMNS =
	"SELECT id, public_id, name, slug, business_type, plan, state, COALESCE(state_reason, ''),"
	" COALESCE(trial_ends_at, 0), time_zone, locale, has_demo, COALESCE(subscribed_at, 0),"
	" COALESCE(cancel_at, 0), COALESCE(frozen_at, 0), COALESCE(delete_at, 0),"
	" COALESCE(deletion_requested_at, 0), created_at FROM accounts WHERE id = $1";

int lifecycle_load(db_conn *c, int64_t account_id, int lock, struct lifecycle_row *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	/* an UPDATE that changes nothing takes the row lock on PostgreSQL (SQLite's writer
	 * mutex already serialises writers) */
	if (lock && db_exec(c, "UPDATE accounts SET version = version WHERE id = $1",
			    DB_ARGS(DB_INT(account_id)), e) < 0)
		return -1;
	db_rows *r;
	if (db_query(c, ROW_COLUMNS, DB_ARGS(DB_INT(account_id)), &r, e))
		return -1;
	int found = db_rows_next(r, e);
	if (found == 1) {
		struct account *a = &out->a;
		a->id = db_rows_int(r, 0);
		snprintf(a->public_id, sizeof(a->public_id), "%s", db_rows_text(r, 1));
		snprintf(a->name, sizeof(a->name), "%s", db_rows_text(r, 2));
		snprintf(a->slug, sizeof(a->slug), "%s", db_rows_text(r, 3));
		snprintf(a->business_type, sizeof(a->business_type), "%s", db_rows_text(r, 4));
		const struct plan *p = plan_by_code(db_rows_text(r, 5));
		a->plan = p ? p->id : PLAN_ESSENTIEL;
		int st = account_state_parse(db_rows_text(r, 6));
		a->state = st < 0 ? ACCOUNT_DELETED : (enum account_state)st;
		snprintf(a->state_reason, sizeof(a->state_reason), "%s", db_rows_text(r, 7));
		a->trial_ends_at = db_rows_int(r, 8);
		snprintf(a->time_zone, sizeof(a->time_zone), "%s", db_rows_text(r, 9));
		snprintf(a->locale, sizeof(a->locale), "%s", db_rows_text(r, 10));
		a->has_demo = (int)db_rows_int(r, 11);
		out->subscribed_at = db_rows_int(r, 12);
		out->cancel_at = db_rows_int(r, 13);
		out->frozen_at = db_rows_int(r, 14);
		out->delete_at = db_rows_int(r, 15);
		out->deletion_requested_at = db_rows_int(r, 16);
		out->created_at = db_rows_int(r, 17);
	}
	db_rows_free(r);
	if (found < 0)
		return -1;
	if (!found)
		return err_set(e, 404, "not_found", NULL, "no such account");
	return 0;
}

static int is_cancelled_read_only(const struct lifecycle_row *r)
{
	return r->a.state == ACCOUNT_READ_ONLY && !strcmp(r->a.state_reason, "cancelled");
}

void lifecycle_next(const struct lifecycle_row *r, struct lifecycle_next *out)
{
	*out = (struct lifecycle_next){0};
	switch (r->a.state) {
	case ACCOUNT_TRIAL:
		*out = (struct lifecycle_next){"trial_end", "frozen", r->a.trial_ends_at};
		break;
	case ACCOUNT_CANCEL_PENDING:
		*out = (struct lifecycle_next){"cancellation", "read_only", r->cancel_at};
		break;
	case ACCOUNT_FROZEN:
		*out = (struct lifecycle_next){"deletion", "deleting", r->delete_at};
		break;
	case ACCOUNT_READ_ONLY:
		if (is_cancelled_read_only(r) && r->delete_at)
			*out = (struct lifecycle_next){"deletion", "deleting", r->delete_at};
		break;
	case ACCOUNT_DELETING:
		*out = (struct lifecycle_next){"purge", "deleted",
					       r->deletion_requested_at + opts.purge_delay_s};
		break;
	default:
		break;
	}
}

/* ---- notices ---- */

/* A date in words for the account's locale and zone, e.g. « lundi 5 avril 2027 ». */
static void date_words(const struct account *a, int64_t t, char *out, size_t cap)
{
	struct err ignored = {0};
	const struct tz *z = tz_get(a->time_zone, &ignored);
	if (!z)
		z = tz_get(LIFECYCLE_SELLER_ZONE, &ignored);
	char *s = i18n_format_datetime(i18n_locale_parse(a->locale) == I18N_EN ? I18N_EN : I18N_FR, z, t,
				       I18N_DATE);
	snprintf(out, cap, "%s", s ? s : "");
	free(s);
}

int lifecycle_mail_owners(db_conn *c, int64_t account_id, const char *kind, int64_t version, json_t *vars,
			  struct err *e)
{
	char ref[48];
	snprintf(ref, sizeof(ref), "account:%lld", (long long)account_id);
	db_rows *rows;
	if (db_query(c,
		     "SELECT email, locale FROM users WHERE account_id = $1 AND role = 'owner' AND status = "
		     "'active'"
		     " ORDER BY id",
		     DB_ARGS(DB_INT(account_id)), &rows, e)) {
		json_decref(vars);
		return -1;
	}
	int rc;
	while ((rc = db_rows_next(rows, e)) == 1) {
		struct outbox_email m = {
			.account_id = account_id,
			.kind = kind,
			.subject_ref = ref,
			.version = version,
			.to = db_rows_text(rows, 0),
			.locale = db_rows_text(rows, 1),
			.vars = vars,
		};
		if (outbox_email(c, &m, e) < 0) {
			rc = -1;
			break;
		}
	}
	db_rows_free(rows);
	json_decref(vars);
	return rc < 0 ? -1 : 0;
}

/* E-mails every active owner of the account the notice `kind` (a template name), once per
 * (kind, version): version is the instant the notice is about, so a later cycle can send it
 * again. vars gets "business" and "link" added; it is consumed. */
static int notify_owners(db_conn *c, const struct lifecycle_row *r, const char *kind, int64_t version,
			 json_t *vars, struct err *e)
{
	char link[600];
	snprintf(link, sizeof(link), "%s/office/account/", opts.public_url);
	json_object_set_new(vars, "business", json_string(r->a.name));
	json_object_set_new(vars, "link", json_string(link));
	return lifecycle_mail_owners(c, r->a.id, kind, version, vars, e);
}

/* ---- jobs ---- */

#define K_TRIAL_WARNING	  "lifecycle.trial_warning"
#define K_TRIAL_END	  "lifecycle.trial_end"
#define K_CANCEL	  "lifecycle.cancel"
#define K_DELETION_NOTICE "lifecycle.deletion_notice"
#define K_RETENTION	  "lifecycle.retention_delete"
#define K_PURGE		  "lifecycle.purge"

static int enqueue(db_conn *c, const char *kind, int64_t account_id, int64_t at, int days, struct err *e)
{
	char key[128];
	snprintf(key, sizeof(key), "%s:%lld:%lld:%d", kind, (long long)account_id, (long long)at, days);
	json_t *payload = json_pack("{s:I, s:i}", "at", (json_int_t)at, "days", days);
	struct job_spec s = {.kind = kind, .unique_key = key, .account_id = account_id, .payload = payload};
	int64_t run_at = at;
	if (days && lifecycle_day_shift(LIFECYCLE_SELLER_ZONE, at, -days, &run_at, e)) {
		json_decref(payload);
		return -1;
	}
	s.run_at = run_at;
	int rc = jobs_enqueue(c, &s, e);
	json_decref(payload);
	return rc < 0 ? -1 : 0;
}

/* Like enqueue, with the notice days counted in the account's own zone. */
static int enqueue_local(db_conn *c, const char *kind, const struct lifecycle_row *r, int64_t at, int days,
			 struct err *e)
{
	char key[128];
	snprintf(key, sizeof(key), "%s:%lld:%lld:%d", kind, (long long)r->a.id, (long long)at, days);
	int64_t run_at = at;
	if (days && lifecycle_notice_at(r->a.time_zone, at, days, &run_at, e))
		return -1;
	json_t *payload = json_pack("{s:I, s:i}", "at", (json_int_t)at, "days", days);
	struct job_spec s = {
		.kind = kind, .unique_key = key, .account_id = r->a.id, .payload = payload, .run_at = run_at};
	int rc = jobs_enqueue(c, &s, e);
	json_decref(payload);
	return rc < 0 ? -1 : 0;
}

int lifecycle_schedule_trial(db_conn *c, int64_t account_id, const char *zone, int64_t trial_ends_at,
			     struct err *e)
{
	struct lifecycle_row r = {.a = {.id = account_id}};
	snprintf(r.a.time_zone, sizeof(r.a.time_zone), "%s", zone);
	return enqueue_local(c, K_TRIAL_WARNING, &r, trial_ends_at, 3, e) ||
			       enqueue_local(c, K_TRIAL_WARNING, &r, trial_ends_at, 1, e) ||
			       enqueue_local(c, K_TRIAL_END, &r, trial_ends_at, 0, e)
		       ? -1
		       : 0;
}

/* Deletion of a frozen or cancelled account at delete_at, with its notices. */
static int schedule_retention(db_conn *c, const struct lifecycle_row *r, int64_t delete_at, struct err *e)
{
	if (enqueue_local(c, K_RETENTION, r, delete_at, 0, e) ||
	    enqueue_local(c, K_DELETION_NOTICE, r, delete_at, 7, e))
		return -1;
	if (r->a.state == ACCOUNT_READ_ONLY && enqueue_local(c, K_DELETION_NOTICE, r, delete_at, 30, e))
		return -1;
	return 0;
}

struct lifecycle_row;
struct job_ctx {
	const struct job *j;
	int64_t at;
	int days;
	/* whether the job still applies to the account at `at` */
	int (*still_due)(const struct lifecycle_row *r, int64_t at);
	/* what it does then, in the transaction, with the account locked and loaded */
	int (*act)(db_conn *c, const struct job_ctx *x, struct lifecycle_row *r, struct err *e);
};

static int set_state(db_conn *c, int64_t id, const char *state, const char *reason, int64_t now,
		     struct err *e)
{
	return db_exec(c,
		       "UPDATE accounts SET state = $2, state_reason = $3, state_changed_at = $4, updated_at "
		       "= $4,"
		       " version = version + 1 WHERE id = $1",
		       DB_ARGS(DB_INT(id), DB_TEXT(state), DB_TEXT(reason), DB_INT(now)), e) < 0
		       ? -1
		       : 0;
}

/* A trial still ending at `at`. */
static int trial_due(const struct lifecycle_row *r, int64_t at)
{
	return r->a.state == ACCOUNT_TRIAL && r->a.trial_ends_at == at;
}

/* A cancellation still taking effect at `at`. */
static int cancel_due(const struct lifecycle_row *r, int64_t at)
{
	return r->a.state == ACCOUNT_CANCEL_PENDING && r->cancel_at == at;
}

/* Frozen and cancelled accounts whose deletion instant is still `at`. */
static int retention_applies(const struct lifecycle_row *r, int64_t at)
{
	return (r->a.state == ACCOUNT_FROZEN || is_cancelled_read_only(r)) && r->delete_at == at;
}

/* A lifecycle job's transaction: locks and loads its account and runs x->act when the job still
 * applies; an account that is gone or has moved on leaves nothing to do. */
static int job_tx(db_conn *c, void *vctx, struct err *e)
{
	const struct job_ctx *x = vctx;
	struct lifecycle_row r;
	if (lifecycle_load(c, x->j->account_id, 1, &r, e))
		return e->status == 404 ? 0 : -1;
	return x->still_due(&r, x->at) ? x->act(c, x, &r, e) : 0;
}

/* Ends the account's active life at the job's instant: state `st` (frozen at the trial's end,
 * read-only with `reason` at a cancellation's), its deletion instant (*delete_at, with
 * frozen_at for a frozen one) and the retention jobs that delete it then. */
static int enter_retention(db_conn *c, struct lifecycle_row *r, enum account_state st, const char *reason,
			   const struct job_ctx *x, int64_t *delete_at, struct err *e)
{
	if (lifecycle_delete_at(r->a.time_zone, st, x->at, delete_at, e))
		return -1;
	if (set_state(c, r->a.id, account_state_code(st), reason, x->j->now, e) ||
	    db_exec(c, "UPDATE accounts SET delete_at = $2 WHERE id = $1",
		    DB_ARGS(DB_INT(r->a.id), DB_INT(*delete_at)), e) < 0 ||
	    (st == ACCOUNT_FROZEN && db_exec(c, "UPDATE accounts SET frozen_at = $2 WHERE id = $1",
					     DB_ARGS(DB_INT(r->a.id), DB_INT(x->j->now)), e) < 0))
		return -1;
	r->a.state = st;
	if (reason)
		snprintf(r->a.state_reason, sizeof(r->a.state_reason), "%s", reason);
	return schedule_retention(c, r, *delete_at, e);
}

static int trial_warning_act(db_conn *c, const struct job_ctx *x, struct lifecycle_row *r, struct err *e)
{
	char last_day[128];
	date_words(&r->a, x->at - 1, last_day, sizeof(last_day));
	return notify_owners(c, r, x->days == 1 ? "trial_ending_1d" : "trial_ending_3d", x->at,
			     json_pack("{s:s, s:i}", "last_day", last_day, "days", x->days), e);
}

static int trial_end_act(db_conn *c, const struct job_ctx *x, struct lifecycle_row *r, struct err *e)
{
	int64_t delete_at;
	if (enter_retention(c, r, ACCOUNT_FROZEN, NULL, x, &delete_at, e))
		return -1;
	char when[128];
	date_words(&r->a, delete_at, when, sizeof(when));
	if (notify_owners(c, r, "account_frozen", delete_at, json_pack("{s:s}", "delete_date", when), e))
		return -1;
	return audit_write(c, r->a.id, 0, 0, "account.frozen", "", "", NULL, x->j->now, e);
}

static int cancel_act(db_conn *c, const struct job_ctx *x, struct lifecycle_row *r, struct err *e)
{
	int64_t delete_at;
	if (enter_retention(c, r, ACCOUNT_READ_ONLY, "cancelled", x, &delete_at, e))
		return -1;
	return audit_write(c, r->a.id, 0, 0, "subscription.ended", "", "", NULL, x->j->now, e);
}

static int deletion_notice_act(db_conn *c, const struct job_ctx *x, struct lifecycle_row *r, struct err *e)
{
	const char *kind = r->a.state == ACCOUNT_FROZEN ? "deletion_7d"
			   : x->days >= 30		? "read_only_deletion_30d"
							: "read_only_deletion_7d";
	char when[128];
	date_words(&r->a, x->at, when, sizeof(when));
	return notify_owners(c, r, kind, x->at, json_pack("{s:s, s:i}", "delete_date", when, "days", x->days),
			     e);
}

static int retention_act(db_conn *c, const struct job_ctx *x, struct lifecycle_row *r, struct err *e)
{
	return account_delete(c, r->a.id, "retention", x->j->now, e);
}

static enum job_result
run_tx(db *d, const struct job *j, int (*still_due)(const struct lifecycle_row *r, int64_t at),
       int (*act)(db_conn *c, const struct job_ctx *x, struct lifecycle_row *r, struct err *e), struct err *e)
{
	struct job_ctx x = {
		.j = j,
		.at = json_integer_value(json_object_get(j->payload, "at")),
		.days = (int)json_integer_value(json_object_get(j->payload, "days")),
		.still_due = still_due,
		.act = act,
	};
	if (!j->account_id || !x.at)
		return err_internal(e, "lifecycle job %s without account or instant", j->kind), JOB_FAILED;
	return db_transact(d, job_tx, &x, e) ? JOB_RETRY : JOB_DONE;
}

static enum job_result trial_warning_job(db *d, const struct job *j, struct err *e)
{
	return run_tx(d, j, trial_due, trial_warning_act, e);
}
static enum job_result trial_end_job(db *d, const struct job *j, struct err *e)
{
	return run_tx(d, j, trial_due, trial_end_act, e);
}
static enum job_result cancel_job(db *d, const struct job *j, struct err *e)
{
	return run_tx(d, j, cancel_due, cancel_act, e);
}
static enum job_result deletion_notice_job(db *d, const struct job *j, struct err *e)
{
	return run_tx(d, j, retention_applies, deletion_notice_act, e);
}
static enum job_result retention_job(db *d, const struct job *j, struct err *e)
{
	return run_tx(d, j, retention_applies, retention_act, e);
}

static enum job_result purge_job(db *d, const struct job *j, struct err *e)
{
	int64_t id = json_integer_value(json_object_get(j->payload, "account"));
	if (id <= 0)
		return err_internal(e, "purge job without account"), JOB_FAILED;
	return deletion_purge(d, id, j->now, e) ? JOB_RETRY : JOB_DONE;
}

void lifecycle_register(void)
{
	jobs_register(K_TRIAL_WARNING, trial_warning_job, 0);
	jobs_register(K_TRIAL_END, trial_end_job, 0);
	jobs_register(K_CANCEL, cancel_job, 0);
	jobs_register(K_DELETION_NOTICE, deletion_notice_job, 0);
	jobs_register(K_RETENTION, retention_job, 0);
	jobs_register(K_PURGE, purge_job, 3600);
}

/* ---- subscribing and plan changes ---- */

static int active_bookable_staff(db_conn *c, int64_t account_id, int64_t *n, struct err *e)
{
	return db_query_int(c,
			    "SELECT count(*) FROM staff WHERE account_id = $1 AND active = 1 AND bookable = 1"
			    " AND is_demo = 0",
			    DB_ARGS(DB_INT(account_id)), n, e) < 0
		       ? -1
		       : 0;
}

/* The checks every change makes, and its kind. */
static int change_check(db_conn *c, const struct lifecycle_row *r, enum plan_id to,
			struct lifecycle_change *out, struct err *e)
{
	const struct account *a = &r->a;
	const struct plan *target = plan_get(to);
	if (!target)
		return err_invalid(e, "plan", "unknown plan");
	if (a->state == ACCOUNT_DELETING || a->state == ACCOUNT_DELETED)
		return err_set(e, 404, "not_found", NULL, "this account is being deleted");
	if (a->state == ACCOUNT_READ_ONLY && !strcmp(a->state_reason, "unpaid"))
		return err_set(
			e, 409, "payment_overdue", NULL,
			"an invoice is overdue: paying it restores the account, then the plan can change");
	out->from = a->plan;
	out->to = to;
	out->paying_before = a->state == ACCOUNT_ACTIVE || a->state == ACCOUNT_CANCEL_PENDING;
	if (out->paying_before && a->plan == to)
		return err_set(e, 409, "plan_already_held", "plan", "the account is on the %s plan already",
			       target->name);
	const struct plan *from = plan_get(a->plan);
	out->kind = !out->paying_before			       ? "subscribe"
		    : target->price_cents >= from->price_cents ? "upgrade"
							       : "downgrade";
	int64_t staff = 0;
	if (target->staff_limit >= 0) {
		if (active_bookable_staff(c, a->id, &staff, e))
			return -1;
		if (staff > target->staff_limit) {
			int64_t over = staff - target->staff_limit;
			int en = i18n_locale_parse(a->locale) == I18N_EN;
			if (en)
				return err_set(
					e, 422, "over_plan_limits", "plan",
					"Deactivate %lld bookable staff member%s before moving to %s (%d at "
					"most; you have %lld).",
					(long long)over, over > 1 ? "s" : "", target->name,
					target->staff_limit, (long long)staff);
			return err_set(
				e, 422, "over_plan_limits", "plan",
				"Désactivez %lld membre%s de l'équipe réservable%s avant de passer à %s (%d "
				"au plus ; vous en avez %lld).",
				(long long)over, over > 1 ? "s" : "", over > 1 ? "s" : "", target->name,
				target->staff_limit, (long long)staff);
		}
	}
	return 0;
}

static void copy_quote(const struct billing_quote *q, struct lifecycle_change *out)
{
	out->quote = (struct billing_quote_view){
		.month_total_ht = q->month_total_ht,
		.already_billed_ht = q->already_billed_ht,
		.delta_ht = q->delta_ht,
		.credit_used_ht = q->credit_used_ht,
		.due_ht = q->due_ht,
		.due_vat = q->due_vat,
		.due_ttc = q->due_ttc,
		.next_month_ht = q->next_month_ht,
		.document = q->document ? q->document : "none",
		.day = q->day,
		.days_in_month = q->days_in_month,
		.days_remaining = q->days_remaining,
	};
}

int lifecycle_quote(db_conn *c, int64_t account_id, enum plan_id to, int64_t now,
		    struct lifecycle_change *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	struct lifecycle_row r;
	if (lifecycle_load(c, account_id, 0, &r, e) || change_check(c, &r, to, out, e))
		return -1;
	struct billing_quote q;
	if (billing_quote(c, account_id, out->paying_before, out->from, to, now, &q, e))
		return -1;
	copy_quote(&q, out);
	return 0;
}

int lifecycle_change_plan(db_conn *c, int64_t account_id, int64_t user_id, enum plan_id to, int64_t now,
			  const char *ip, struct lifecycle_change *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	struct lifecycle_row r;
	if (lifecycle_load(c, account_id, 1, &r, e) || change_check(c, &r, to, out, e) ||
	    billing_identity_ready(c, account_id, e))
		return -1;
	struct billing_quote q;
	if (billing_quote(c, account_id, out->paying_before, out->from, to, now, &q, e))
		return -1;
	copy_quote(&q, out);
	if (billing_change_plan(c, account_id, out->paying_before, out->from, to, now, out->document_id, e))
		return -1;
	/* a change while cancel_pending keeps the cancellation: resuming is explicit */
	const char *state = r.a.state == ACCOUNT_CANCEL_PENDING ? "cancel_pending" : "active";
	int state_changes = strcmp(state, account_state_code(r.a.state)) != 0;
	if (db_exec(c,
		    "UPDATE accounts SET plan = $2, state = $3, state_reason = NULL,"
		    " state_changed_at = CASE WHEN $4 = 1 THEN $5 ELSE state_changed_at END,"
		    " trial_ends_at = NULL, frozen_at = NULL, delete_at = NULL,"
		    " subscribed_at = COALESCE(subscribed_at, $5), updated_at = $5, version = version + 1"
		    " WHERE id = $1",
		    DB_ARGS(DB_INT(account_id), DB_TEXT(plan_get(to)->code), DB_TEXT(state),
			    DB_INT(state_changes), DB_INT(now)),
		    e) < 0)
		return -1;
	char detail[200];
	snprintf(detail, sizeof(detail),
		 "{\"from_plan\":\"%s\",\"plan\":\"%s\",\"from_state\":\"%s\",\"kind\":\"%s\"}",
		 plan_get(out->from)->code, plan_get(to)->code, account_state_code(r.a.state), out->kind);
	return audit_write(c, account_id, user_id, 0, "subscription.change", out->document_id, ip, detail,
			   now, e);
}

int lifecycle_cancel(db_conn *c, int64_t account_id, int64_t user_id, int64_t now, const char *ip,
		     struct err *e)
{
	struct lifecycle_row r;
	if (lifecycle_load(c, account_id, 1, &r, e))
		return -1;
	if (r.a.state == ACCOUNT_DELETING || r.a.state == ACCOUNT_DELETED)
		return err_set(e, 404, "not_found", NULL, "this account is being deleted");
	if (r.a.state == ACCOUNT_CANCEL_PENDING)
		return err_set(e, 409, "already_cancelled", NULL, "the subscription is already cancelled");
	if (r.a.state != ACCOUNT_ACTIVE)
		return err_set(e, 409, "not_subscribed", NULL, "there is no subscription to cancel");
	int64_t cancel_at;
	if (lifecycle_month_start(LIFECYCLE_SELLER_ZONE, now, 1, &cancel_at, e) ||
	    set_state(c, account_id, "cancel_pending", NULL, now, e) ||
	    db_exec(c, "UPDATE accounts SET cancel_at = $2 WHERE id = $1",
		    DB_ARGS(DB_INT(account_id), DB_INT(cancel_at)), e) < 0 ||
	    enqueue(c, K_CANCEL, account_id, cancel_at, 0, e))
		return -1;
	int64_t delete_at;
	if (lifecycle_delete_at(r.a.time_zone, ACCOUNT_READ_ONLY, cancel_at, &delete_at, e))
		return -1;
	char when[128], del[128];
	date_words(&r.a, cancel_at, when, sizeof(when));
	date_words(&r.a, delete_at, del, sizeof(del));
	if (notify_owners(c, &r, "cancellation_confirmed", cancel_at,
			  json_pack("{s:s, s:s}", "cancel_date", when, "delete_date", del), e))
		return -1;
	return audit_write(c, account_id, user_id, 0, "subscription.cancel", "", ip, NULL, now, e);
}

int lifecycle_resume(db_conn *c, int64_t account_id, int64_t user_id, int64_t now, const char *ip,
		     struct err *e)
{
	struct lifecycle_row r;
	if (lifecycle_load(c, account_id, 1, &r, e))
		return -1;
	if (r.a.state == ACCOUNT_DELETING || r.a.state == ACCOUNT_DELETED)
		return err_set(e, 404, "not_found", NULL, "this account is being deleted");
	if (r.a.state != ACCOUNT_CANCEL_PENDING || now >= r.cancel_at)
		return err_set(e, 409, "not_cancelled", NULL, "no cancellation is pending");
	if (set_state(c, account_id, "active", NULL, now, e) ||
	    db_exec(c, "UPDATE accounts SET cancel_at = NULL WHERE id = $1", DB_ARGS(DB_INT(account_id)), e) <
		    0)
		return -1;
	return audit_write(c, account_id, user_id, 0, "subscription.resume", "", ip, NULL, now, e);
}

int account_set_unpaid(db_conn *c, int64_t account_id, int unpaid, int64_t now, struct err *e)
{
	struct lifecycle_row r;
	if (lifecycle_load(c, account_id, 1, &r, e))
		return -1;
	if (r.a.state == ACCOUNT_DELETING || r.a.state == ACCOUNT_DELETED)
		return err_set(e, 404, "not_found", NULL, "this account is being deleted");
	int is_unpaid = r.a.state == ACCOUNT_READ_ONLY && !strcmp(r.a.state_reason, "unpaid");
	if (unpaid) {
		if (r.a.state != ACCOUNT_ACTIVE && r.a.state != ACCOUNT_CANCEL_PENDING)
			return 0; /* already unpaid, or nothing is being paid for */
		if (set_state(c, account_id, "read_only", "unpaid", now, e))
			return -1;
		return audit_write(c, account_id, 0, 0, "account.unpaid", "", "", NULL, now, e);
	}
	if (!is_unpaid)
		return 0;
	/* paid: back where it would be, a cancellation that was pending included */
	if (r.cancel_at && now < r.cancel_at) {
		if (set_state(c, account_id, "cancel_pending", NULL, now, e))
			return -1;
	} else if (r.cancel_at) {
		int64_t delete_at;
		if (lifecycle_delete_at(r.a.time_zone, ACCOUNT_READ_ONLY, r.cancel_at, &delete_at, e) ||
		    set_state(c, account_id, "read_only", "cancelled", now, e) ||
		    db_exec(c, "UPDATE accounts SET delete_at = $2 WHERE id = $1",
			    DB_ARGS(DB_INT(account_id), DB_INT(delete_at)), e) < 0)
			return -1;
		r.a.state = ACCOUNT_READ_ONLY;
		snprintf(r.a.state_reason, sizeof(r.a.state_reason), "cancelled");
		if (schedule_retention(c, &r, delete_at, e))
			return -1;
	} else if (set_state(c, account_id, "active", NULL, now, e)) {
		return -1;
	}
	return audit_write(c, account_id, 0, 0, "account.paid", "", "", NULL, now, e);
}
