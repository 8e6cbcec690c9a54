/* dunning — reminders, read-only at due + 30, and the way back on payment. dunning.h. */
#include "payments/dunning.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "account/lifecycle.h"
#include "billing/billing_int.h"
#include "jobs/jobs.h"
#include "payments/payments_int.h"
#include "base/banned.h"

static const int step_days[4] = {0, PAYMENTS_REMINDER_1_DAYS, PAYMENTS_REMINDER_2_DAYS,
				 PAYMENTS_READ_ONLY_DAYS};

static int enqueue_step(db_conn *c, int64_t account_id, int64_t invoice_id, int level, int64_t at,
			int catchup, struct err *e)
{
	char key[128];
	if (catchup)
		snprintf(key, sizeof(key), "%s:%" PRId64 ":%d:at:%" PRId64, DUNNING_KIND, invoice_id, level,
			 at);
	else
		snprintf(key, sizeof(key), "%s:%" PRId64 ":%d", DUNNING_KIND, invoice_id, level);
	json_t *payload = json_pack("{s:I, s:i}", "invoice_id", (json_int_t)invoice_id, "level", level);
	struct job_spec s = {.kind = DUNNING_KIND,
			     .unique_key = key,
			     .account_id = account_id,
			     .payload = payload,
			     .run_at = at};
	int rc = jobs_enqueue(c, &s, e);
	json_decref(payload);
	return rc < 0 ? -1 : 0;
}

int dunning_schedule(db_conn *c, int64_t account_id, int64_t invoice_id, int64_t issued_at, int64_t now,
		     struct err *e)
{
	int passed = 0;
	for (int level = 1; level <= 3; level++) {
		int64_t at;
		if (payments_day_shift(issued_at, BILLING_DUE_DAYS + step_days[level], &at, e))
			return -1;
		if (at <= now) {
			passed = level;
			continue;
		}
		if (enqueue_step(c, account_id, invoice_id, level, at, 0, e))
			return -1;
	}
	return passed ? enqueue_step(c, account_id, invoice_id, passed, now, 1, e) : 0;
}

/* Restores the account from read-only `unpaid` when none of its invoices is still past the
 * read-only step. */
static int maybe_restore(db_conn *c, int64_t account_id, int64_t now, struct err *e)
{
	int64_t overdue = 0, unpaid = 0;
	if (db_query_int(c,
			 "SELECT COUNT(*) FROM invoice_payments WHERE account_id = $1 AND state <> 'paid' AND"
			 " dunning_level >= 3",
			 DB_ARGS(DB_INT(account_id)), &overdue, e) < 0 ||
	    db_query_int(
		    c,
		    "SELECT COUNT(*) FROM accounts WHERE id = $1 AND state = 'read_only' AND state_reason ="
		    " 'unpaid'",
		    DB_ARGS(DB_INT(account_id)), &unpaid, e) < 0)
		return -1;
	if (overdue || !unpaid)
		return 0;
	return account_set_unpaid(c, account_id, 0, now, e);
}

int dunning_paid(db_conn *c, int64_t invoice_id, const char *by, const char *note, int64_t now, struct err *e)
{
	int64_t account_id;
	int has = db_query_int(c, "SELECT account_id FROM invoice_payments WHERE invoice_id = $1",
			       DB_ARGS(DB_INT(invoice_id)), &account_id, e);
	if (has < 0)
		return -1;
	if (!has)
		return err_set(e, 404, "not_found", NULL, "no payment is followed for this invoice");
	if (payments_lock(c, account_id, e))
		return -1;
	int n = db_exec(c,
			"UPDATE invoice_payments SET state = 'paid', paid_at = $2, paid_by = $3, note = $4,"
			" updated_at = $2 WHERE invoice_id = $1 AND state <> 'paid'",
			DB_ARGS(DB_INT(invoice_id), DB_INT(now), DB_TEXT(by), DB_TEXT(note ? note : "")), e);
	if (n < 0)
		return -1;
	if (!n)
		return 1;
	char detail[96];
	snprintf(detail, sizeof(detail), "{\"invoice_id\": %" PRId64 ", \"by\": \"%s\"}", invoice_id, by);
	if (audit_write(c, account_id, 0, 0, "invoice.paid", "", "", detail, now, e))
		return -1;
	return maybe_restore(c, account_id, now, e);
}

struct step {
	int64_t invoice_id, account_id;
	int level;
	int64_t now;
};

static int run_step(db_conn *c, void *ctx, struct err *e)
{
	struct step *s = ctx;
	if (payments_lock(c, s->account_id, e))
		return -1;
	db_rows *r;
	if (db_query(c,
		     "SELECT p.state, p.dunning_level, p.amount_due, i.public_id, i.number, i.customer_email,"
		     " i.issued_at FROM invoice_payments p JOIN invoices i ON i.id = p.invoice_id WHERE"
		     " p.invoice_id = $1",
		     DB_ARGS(DB_INT(s->invoice_id)), &r, e))
		return -1;
	int has = db_rows_next(r, e);
	if (has != 1) {
		db_rows_free(r);
		return has;
	}
	int open = !strcmp(db_rows_text(r, 0), "open");
	int64_t level = db_rows_int(r, 1), amount = db_rows_int(r, 2), issued_at = db_rows_int(r, 6);
	char pid[24], number[24], email[256];
	snprintf(pid, sizeof(pid), "%s", db_rows_text(r, 3));
	snprintf(number, sizeof(number), "%s", db_rows_text(r, 4));
	snprintf(email, sizeof(email), "%s", db_rows_text(r, 5));
	db_rows_free(r);
	/* paid, or a debit on its way: nothing to say; a step already taken: nothing again */
	if (!open || level >= s->level)
		return 0;
	if (db_exec(c,
		    "UPDATE invoice_payments SET dunning_level = $2, updated_at = $3 WHERE invoice_id = $1",
		    DB_ARGS(DB_INT(s->invoice_id), DB_INT(s->level), DB_INT(s->now)), e) < 0)
		return -1;
	if (s->level == 3) {
		struct err gone = {0};
		if (account_set_unpaid(c, s->account_id, 1, s->now, &gone)) {
			if (gone.status != 404) {
				*e = gone;
				return -1;
			}
			return 0; /* the account is being deleted: no notice */
		}
	}
	int loc = payments_account_locale(c, s->account_id);
	int64_t due_at;
	if (payments_day_shift(issued_at, BILLING_DUE_DAYS, &due_at, e))
		return -1;
	char cname[64], ciban[64], link[320];
	payments_creditor(NULL, cname, ciban, NULL);
	snprintf(link, sizeof(link), "%s/office/account/#invoices", billing_public_url());
	json_t *vars =
		json_pack("{s:s, s:i, s:s, s:s, s:s}", "number", number, "days_late", step_days[s->level],
			  "creditor_name", cname, "creditor_iban", ciban, "link", link);
	payments_set_date(vars, "due_date", loc, due_at);
	payments_set_money(vars, "amount", loc, amount);
	int rc = payments_mail(c, s->account_id, s->level == 3 ? "payment_read_only" : "payment_reminder",
			       pid, s->level, email, vars, e);
	json_decref(vars);
	return rc;
}

static enum job_result dunning_job(db *d, const struct job *j, struct err *e)
{
	struct step s = {
		.invoice_id = (int64_t)json_integer_value(json_object_get(j->payload, "invoice_id")),
		.account_id = j->account_id,
		.level = (int)json_integer_value(json_object_get(j->payload, "level")),
		.now = j->now,
	};
	if (s.level < 1 || s.level > 3 || !s.invoice_id) {
		err_set(e, 400, "invalid_job", NULL, "a dunning step without invoice or level");
		return JOB_FAILED;
	}
	return db_transact(d, run_step, &s, e) ? JOB_RETRY : JOB_DONE;
}

void dunning_register(void)
{
	jobs_register(DUNNING_KIND, dunning_job, 0);
}
