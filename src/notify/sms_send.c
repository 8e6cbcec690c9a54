/* sms_send — the "sms.send" job: the sending path decides whether an SMS may go (expiry, demo,
 * account state, plan, consent, quiet hours, monthly quota), renders and cuts its text, sends
 * it through Kannel once and records the outcome on its outbox row. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "account/account.h"
#include "base/clock.h"
#include "base/counters.h"
#include "base/log.h"
#include "base/tz.h"
#include "base/xalloc.h"
#include "notify/notify.h"
#include "notify/quiet.h"
#include "notify/sms.h"
#include "notify/sms_int.h"
#include "base/banned.h"

struct sms_row {
	int64_t account_id, client_id, appointment_id, expires_at;
	char *kind, *recipient, *locale, *template_name, *vars, *state;
};

struct sms_account {
	char *state, *plan, *time_zone, *name, *sender;
	int accent_free;
};

static char *col(db_rows *rows, int i)
{
	const char *s = db_rows_text(rows, i);
	return xstrdup(s ? s : "");
}

static void row_release(struct sms_row *r)
{
	free(r->kind);
	free(r->recipient);
	free(r->locale);
	free(r->template_name);
	free(r->vars);
	free(r->state);
}

static void account_release(struct sms_account *a)
{
	free(a->state);
	free(a->plan);
	free(a->time_zone);
	free(a->name);
	free(a->sender);
}

static int load(db_conn *c, int64_t id, struct sms_row *r, struct sms_account *a, struct err *e)
{
	db_rows *rows = NULL;
	int rc = db_query(
		c,
		"SELECT o.account_id, o.client_id, o.appointment_id, o.expires_at, o.kind, o.recipient,"
		" o.locale, o.template, o.vars, o.state, a.state, a.plan, a.time_zone, a.name,"
		" ns.sms_sender, ns.sms_accent_free"
		" FROM outbox o LEFT JOIN accounts a ON a.id = o.account_id"
		" LEFT JOIN notification_settings ns ON ns.account_id = o.account_id"
		" WHERE o.id = $1 AND o.channel = 'sms'",
		DB_ARGS(DB_INT(id)), &rows, e);
	if (rc < 0)
		return rc;
	rc = db_rows_next(rows, e);
	if (rc > 0) {
		r->account_id = db_rows_is_null(rows, 0) ? 0 : db_rows_int(rows, 0);
		r->client_id = db_rows_is_null(rows, 1) ? 0 : db_rows_int(rows, 1);
		r->appointment_id = db_rows_is_null(rows, 2) ? 0 : db_rows_int(rows, 2);
		r->expires_at = db_rows_is_null(rows, 3) ? 0 : db_rows_int(rows, 3);
		r->kind = col(rows, 4);
		r->recipient = col(rows, 5);
		r->locale = col(rows, 6);
		r->template_name = col(rows, 7);
		r->vars = col(rows, 8);
		r->state = col(rows, 9);
		a->state = col(rows, 10);
		a->plan = col(rows, 11);
		a->time_zone = col(rows, 12);
		a->name = col(rows, 13);
		a->sender = col(rows, 14);
		a->accent_free = db_rows_is_null(rows, 15) ? 0 : (int)db_rows_int(rows, 15);
	}
	db_rows_free(rows);
	return rc;
}

/* 1 when the query's single integer is non-zero. */
static int flag(db_conn *c, const char *sql, int64_t account_id, int64_t id, struct err *e)
{
	int64_t v = 0;
	int rc = db_query_int(c, sql, DB_ARGS(DB_INT(account_id), DB_INT(id)), &v, e);
	if (rc < 0)
		return rc;
	return rc > 0 && v;
}

/* The bounds [from, to) of the local calendar month of now in time_zone. */
static int month_bounds(const char *time_zone, int64_t now, int64_t *from, int64_t *to, struct err *e)
{
	const struct tz *z = tz_get(time_zone, e);
	if (!z)
		return -1;
	struct civil cv;
	tz_to_civil(z, now, &cv);
	int ny = cv.month == 12 ? cv.year + 1 : cv.year, nm = cv.month == 12 ? 1 : cv.month + 1;
	if (tz_day_start(z, cv.year, cv.month, 1, from) || tz_day_start(z, ny, nm, 1, to))
		return err_internal(e, "month bounds");
	return 0;
}

/* Segments counted in [from, to) for the account, the row except_id left out: every SMS
 * reserved in the month (sent, in flight, or given up after an answer that may have been a
 * send), and SMS sent in the month without a reservation (rows older than it). The
 * expression is the one of the index outbox_sms_month. */
static int month_used(db_conn *c, int64_t account_id, int64_t from, int64_t to, int64_t except_id,
		      int64_t *out, struct err *e)
{
	*out = 0;
	int rc = db_query_int(c,
			      "SELECT COALESCE(SUM(segments), 0) FROM outbox WHERE account_id = $1"
			      " AND channel = 'sms' AND COALESCE(reserved_at, sent_at) >= $2"
			      " AND COALESCE(reserved_at, sent_at) < $3 AND id <> $4"
			      " AND (reserved_at IS NOT NULL OR state = 'sent')",
			      DB_ARGS(DB_INT(account_id), DB_INT(from), DB_INT(to), DB_INT(except_id)), out,
			      e);
	return rc < 0 ? rc : 0;
}

int sms_segments_used(db_conn *c, int64_t account_id, const char *time_zone, int64_t now, int64_t *out,
		      struct err *e)
{
	int64_t from = 0, to = 0;
	*out = 0;
	if (month_bounds(time_zone, now, &from, &to, e))
		return -1;
	return month_used(c, account_id, from, to, 0, out, e);
}

/* Runs one statement on its own connection (autocommit). */
static int exec_one(db *d, const char *sql, const db_param *p, int n, struct err *e)
{
	db_conn *c = NULL;
	int rc = db_acquire(d, &c, e);
	if (rc < 0)
		return rc;
	rc = db_exec(c, sql, p, n, e);
	db_release(c);
	return rc;
}

/* Records that the SMS will not go, and why. */
static enum job_result suppress(db *d, int64_t id, int64_t account_id, const char *reason, struct err *e)
{
	struct err dbe;
	err_clear(&dbe);
	if (exec_one(d,
		     "UPDATE outbox SET state = 'suppressed', reason = $2, last_error = NULL"
		     " WHERE id = $1 AND state = 'queued'",
		     DB_ARGS(DB_INT(id), DB_TEXT(reason)), &dbe) < 0) {
		*e = dbe;
		return JOB_RETRY;
	}
	log_info("event=sms_suppressed outbox_id=%" PRId64 " account_id=%" PRId64 " reason=%s", id,
		 account_id, reason);
	return JOB_DONE;
}

/* Moves the send to `at` (quiet hours): a new job, since this one ends now. */
static enum job_result reschedule(db *d, int64_t id, int64_t account_id, int64_t at, struct err *e)
{
	db_conn *c = NULL;
	if (db_acquire(d, &c, e) < 0)
		return JOB_RETRY;
	char key[64];
	snprintf(key, sizeof(key), "outbox:%" PRId64 ":at:%" PRId64, id, at);
	json_t *payload = json_pack("{s:I}", "outbox_id", (json_int_t)id);
	struct job_spec js = {.kind = SMS_SEND_KIND,
			      .unique_key = key,
			      .account_id = account_id,
			      .payload = payload,
			      .run_at = at,
			      .max_attempts = SMS_MAX_ATTEMPTS};
	int rc = db_begin(c, e);
	if (rc >= 0)
		rc = jobs_enqueue(c, &js, e);
	if (rc >= 0)
		rc = db_commit(c, e);
	else
		db_rollback(c);
	json_decref(payload);
	db_release(c);
	if (rc < 0)
		return JOB_RETRY;
	log_info("event=sms_quiet_hours outbox_id=%" PRId64 " moved_to=%" PRId64, id, at);
	return JOB_DONE;
}

/* Why the SMS may not go now, or NULL; *move_to gets the instant to try again at (quiet
 * hours), 0 otherwise. Negative on a store error. */
static int refusal(db_conn *c, const struct sms_row *r, const struct sms_account *a, int64_t now,
		   const char **why, int64_t *move_to, struct err *e)
{
	*why = NULL;
	*move_to = 0;
	if (r->expires_at && now >= r->expires_at) {
		*why = "expired";
		return 0;
	}
	if (r->appointment_id) {
		int demo = flag(c, "SELECT is_demo FROM appointments WHERE account_id = $1 AND id = $2",
				r->account_id, r->appointment_id, e);
		if (demo < 0)
			return demo;
		if (demo) {
			*why = "demo";
			return 0;
		}
	}
	if (!r->account_id || !*a->state) {
		*why = "account_state";
		return 0;
	}
	if (!strcmp(a->state, "trial")) {
		*why = "trial";
		return 0;
	}
	if (strcmp(a->state, "active") && strcmp(a->state, "cancel_pending")) {
		*why = "account_state";
		return 0;
	}
	const struct plan *p = plan_by_code(a->plan);
	if (!p || p->sms_per_month <= 0) {
		*why = "plan";
		return 0;
	}
	if (r->client_id) {
		int ok = flag(c, "SELECT consent_sms FROM clients WHERE account_id = $1 AND id = $2",
			      r->account_id, r->client_id, e);
		if (ok < 0)
			return ok;
		if (!ok) {
			*why = "consent";
			return 0;
		}
	}
	const struct tz *z = tz_get(a->time_zone, e);
	if (!z)
		return -1;
	if (quiet_is_quiet(z, now)) {
		int64_t at = quiet_sms_time(z, now, r->expires_at ? r->expires_at : INT64_MAX, now);
		if (at > now)
			*move_to = at;
		else
			*why = "quiet_hours";
	}
	return 0;
}

enum reservation { RESERVED, OVER_QUOTA, NOT_QUEUED };

/* Reserves the month's quota for this SMS before it goes: in one short transaction under the
 * account's quota lock, the segments of the month (sent and reserved, this row left out) plus
 * these must fit sms_per_month; then the row keeps segments and reserved_at. Over the quota
 * the row is suppressed ("quota") in the same transaction. Two workers sending for one
 * account queue on the lock, and the second sees the first's reservation. */
static int reserve(db_conn *c, int64_t id, int64_t account_id, const char *time_zone, int64_t quota,
		   const struct sms_measure *m, int64_t now, enum reservation *out, struct err *e)
{
	int64_t from = 0, to = 0, used = 0;
	if (month_bounds(time_zone, now, &from, &to, e))
		return -1;
	int rc = db_begin(c, e);
	if (rc < 0)
		return rc;
	rc = db_xact_lock(c, SMS_QUOTA_LOCK_KEY ^ account_id, e);
	if (rc >= 0)
		rc = month_used(c, account_id, from, to, id, &used, e);
	if (rc >= 0 && used + m->segments > quota) {
		*out = OVER_QUOTA;
		rc = db_exec(c,
			     "UPDATE outbox SET state = 'suppressed', reason = 'quota', last_error = NULL"
			     " WHERE id = $1 AND state = 'queued'",
			     DB_ARGS(DB_INT(id)), e);
		if (rc == 0)
			*out = NOT_QUEUED;
	} else if (rc >= 0) {
		rc = db_exec(c,
			     "UPDATE outbox SET segments = $2, encoding = $3, reserved_at = $4"
			     " WHERE id = $1 AND state = 'queued'",
			     DB_ARGS(DB_INT(id), DB_INT(m->segments),
				     DB_TEXT(m->coding == SMS_GSM7 ? "gsm7" : "ucs2"), DB_INT(now)),
			     e);
		*out = rc > 0 ? RESERVED : NOT_QUEUED;
	}
	if (rc < 0) {
		db_rollback(c);
		return rc;
	}
	return db_commit(c, e);
}

enum job_result sms_send_job(db *d, const struct job *j, struct err *e)
{
	json_t *idv = json_object_get(j->payload, "outbox_id");
	int64_t id = json_is_integer(idv) ? json_integer_value(idv) : 0;
	if (id <= 0) {
		err_internal(e, "payload has no outbox_id");
		return JOB_FAILED;
	}
	struct sms_row r = {0};
	struct sms_account a = {0};
	struct sms_settings *s = NULL;
	json_t *vars = NULL;
	struct buf text = BUF_INIT(NOTIFY_OUTPUT_MAX), sent = BUF_INIT(SMS_TEXT_MAX * 4);
	enum job_result res = JOB_RETRY;
	db_conn *c = NULL;
	if (db_acquire(d, &c, e) < 0)
		return JOB_RETRY;
	int rc = load(c, id, &r, &a, e);
	if (rc <= 0) {
		if (rc == 0)
			err_internal(e, "SMS outbox row %" PRId64 " not found", id);
		res = rc == 0 ? JOB_FAILED : JOB_RETRY;
		goto out;
	}
	if (strcmp(r.state, "queued")) {
		res = JOB_DONE; /* sent, failed or suppressed already */
		goto out;
	}
	if (db_exec(c, "UPDATE outbox SET attempts = attempts + 1 WHERE id = $1", DB_ARGS(DB_INT(id)), e) < 0)
		goto out;
	int64_t now = clock_now(), move_to = 0;
	const char *why = NULL;
	if (refusal(c, &r, &a, now, &why, &move_to, e) < 0)
		goto out;
	if (why || move_to) {
		db_release(c);
		c = NULL;
		res = why ? suppress(d, id, r.account_id, why, e)
			  : reschedule(d, id, r.account_id, move_to, e);
		goto out;
	}

	/* the text as it goes: edited or file template, normalised, cut to 3 segments */
	json_error_t jerr;
	vars = json_loads(*r.vars ? r.vars : "{}", 0, &jerr);
	struct sms_measure m;
	if (!vars || sms_render(c, r.account_id, r.kind, r.locale, r.template_name, vars, &text, e) ||
	    sms_prepare(buf_str(&text), a.accent_free, &sent, &m, e) < 0) {
		if (!vars)
			err_internal(e, "outbox vars unreadable: %s", jerr.text);
		log_warn("event=sms_unrenderable outbox_id=%" PRId64 " error=\"%s\"", id, e->message);
		struct err dbe;
		err_clear(&dbe);
		if (db_exec(c,
			    "UPDATE outbox SET state = 'failed', last_error = $2 WHERE id = $1 AND state = "
			    "'queued'",
			    DB_ARGS(DB_INT(id), DB_TEXT(e->message)), &dbe) < 0)
			goto out;
		res = JOB_FAILED;
		goto out;
	}
	/* the month's quota, this message included, reserved before the call */
	const struct plan *p = plan_by_code(a.plan);
	enum reservation got = OVER_QUOTA;
	if (p && reserve(c, id, r.account_id, a.time_zone, p->sms_per_month, &m, now, &got, e) < 0)
		goto out;
	db_release(c); /* no connection held during the HTTP call */
	c = NULL;
	if (got == NOT_QUEUED) {
		res = JOB_DONE; /* another run of this job finished it meanwhile */
		goto out;
	}
	if (got == OVER_QUOTA) {
		if (!p) { /* refusal() says "plan" first: unreachable */
			res = suppress(d, id, r.account_id, "quota", e);
			goto out;
		}
		log_info("event=sms_suppressed outbox_id=%" PRId64 " account_id=%" PRId64 " reason=quota", id,
			 r.account_id);
		res = JOB_DONE;
		goto out;
	}

	char from[SMS_SENDER_MAX + 1];
	if (sms_sender_ok(a.sender))
		snprintf(from, sizeof(from), "%s", a.sender);
	else
		sms_sender_default(a.name, from);
	s = sms_settings_get();
	struct kannel_msg km = {
		.from = from, .to = r.recipient, .text = buf_str(&sent), .coding = m.coding, .outbox_id = id};
	const char *enc = m.coding == SMS_GSM7 ? "gsm7" : "ucs2";
	struct err dbe;
	err_clear(&dbe);
	switch (kannel_send(s, &km, e)) {
	case SMS_SENT:
		counter_add("creneau_messages_total", "channel=\"sms\",result=\"sent\"", 1);
		log_info("event=sms_sent outbox_id=%" PRId64 " account_id=%" PRId64 " segments=%d encoding=%s"
			 " attempt=%d",
			 id, r.account_id, m.segments, enc, j->attempts);
		/* if this fails the job runs again and the SMS goes twice: at least once */
		if (exec_one(d,
			     "UPDATE outbox SET state = 'sent', sent_at = $2, body = $3, segments = $4,"
			     " encoding = $5, last_error = NULL WHERE id = $1 AND state = 'queued'",
			     DB_ARGS(DB_INT(id), DB_INT(clock_now()), DB_TEXT(buf_str(&sent)),
				     DB_INT(m.segments), DB_TEXT(enc)),
			     &dbe) < 0) {
			*e = dbe;
			res = JOB_RETRY;
		} else {
			res = JOB_DONE;
		}
		break;
	case SMS_PERMANENT:
		counter_add("creneau_messages_total", "channel=\"sms\",result=\"failed\"", 1);
		log_warn("event=sms_rejected outbox_id=%" PRId64 " error=\"%s\"", id, e->message);
		if (exec_one(d,
			     "UPDATE outbox SET state = 'failed', last_error = $2, body = $3, segments = $4,"
			     " encoding = $5, reserved_at = NULL WHERE id = $1 AND state = 'queued'",
			     DB_ARGS(DB_INT(id), DB_TEXT(e->message), DB_TEXT(buf_str(&sent)),
				     DB_INT(m.segments), DB_TEXT(enc)),
			     &dbe) < 0)
			*e = dbe, res = JOB_RETRY;
		else
			res = JOB_DONE;
		break;
	case SMS_TEMPORARY:
	default:
		if (j->attempts >= j->max_attempts) {
			counter_add("creneau_messages_total", "channel=\"sms\",result=\"failed\"", 1);
			if (exec_one(d,
				     "UPDATE outbox SET state = 'failed', last_error = $2 WHERE id = $1"
				     " AND state = 'queued'",
				     DB_ARGS(DB_INT(id), DB_TEXT(e->message)), &dbe) < 0)
				log_warn("event=outbox_note_failed outbox_id=%" PRId64, id);
			res = JOB_FAILED;
		} else {
			if (exec_one(d, "UPDATE outbox SET last_error = $2 WHERE id = $1",
				     DB_ARGS(DB_INT(id), DB_TEXT(e->message)), &dbe) < 0)
				log_warn("event=outbox_note_failed outbox_id=%" PRId64, id);
			res = JOB_RETRY;
		}
		break;
	}
out:
	if (c)
		db_release(c);
	sms_settings_free(s);
	json_decref(vars);
	buf_release(&text);
	buf_release(&sent);
	row_release(&r);
	account_release(&a);
	return res;
}

int sms_dlr_record(db *d, int64_t outbox_id, int status, struct err *e)
{
	if (status != SMS_DLR_DELIVERED && status != SMS_DLR_FAILED && status != SMS_DLR_BUFFERED &&
	    status != SMS_DLR_SMSC && status != SMS_DLR_REJECTED)
		return err_invalid(e, "status", "unknown delivery-report status %d", status);
	int rc = exec_one(d,
			  "UPDATE outbox SET dlr_status = $2, dlr_at = $3 WHERE id = $1 AND channel = 'sms'"
			  " AND (dlr_status IS NULL OR dlr_status NOT IN (1, 2, 16))",
			  DB_ARGS(DB_INT(outbox_id), DB_INT(status), DB_INT(clock_now())), e);
	return rc < 0 ? rc : rc > 0;
}
