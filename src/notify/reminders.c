/* reminders — planning reminders and the scanner that writes them to the outbox (see
 * reminders.h and docs/internals/reminders.md). */
#include "notify/reminders.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/token.h"
#include "base/tz.h"
#include "jobs/jobs.h"
#include "notify/notify.h"
#include "notify/notify_int.h"
#include "notify/nsettings.h"
#include "notify/quiet.h"
#include "schedule/manage.h"
#include "base/banned.h"

#define URL_MAX 256
static char public_url[URL_MAX] = "http://127.0.0.1:8080";

void reminders_configure(const char *url)
{
	size_t n = url ? strlen(url) : 0;
	while (n && url[n - 1] == '/')
		n--;
	if (n && n < URL_MAX)
		snprintf(public_url, sizeof(public_url), "%.*s", (int)n, url);
}

int reminders_manage_url_len(void)
{
	return (int)strlen(public_url) + 3 + TOKEN_LEN; /* <base>/m/<token> */
}

/* ---- planning ---- */

struct planned {
	int minutes;
	const char *channel;
	int64_t due;
};

static int enqueue_scan(db_conn *c, int64_t due, struct err *e)
{
	char key[64];
	snprintf(key, sizeof(key), REMINDERS_SCAN_KIND ":%" PRId64, due);
	struct job_spec s = {.kind = REMINDERS_SCAN_KIND, .unique_key = key, .run_at = due};
	return jobs_enqueue(c, &s, e) < 0 ? -1 : 0;
}

/* Drops the pending rows of the appointment (of every version but `keep`, or all when keep
 * is 0) and suppresses their outbox reminders still queued. */
static int drop_rows(db_conn *c, int64_t account_id, int64_t appt_id, int64_t keep, const char *reason,
		     int64_t now, struct err *e)
{
	if (db_exec(c,
		    "UPDATE reminders SET state = 'dropped', reason = $4, updated_at = $5"
		    " WHERE account_id = $1 AND appointment_id = $2 AND state = 'pending' AND version <> $3",
		    DB_ARGS(DB_INT(account_id), DB_INT(appt_id), DB_INT(keep), DB_TEXT(reason), DB_INT(now)),
		    e) < 0)
		return -1;
	/* every reminder written to the outbox names its appointment (index outbox_appointment) */
	if (db_exec(c,
		    "UPDATE outbox SET state = 'suppressed', reason = $4 WHERE account_id = $1"
		    " AND appointment_id = $2 AND state = 'queued' AND substr(kind, 1, 9) = 'reminder_'"
		    " AND version <> $3",
		    DB_ARGS(DB_INT(account_id), DB_INT(appt_id), DB_INT(keep), DB_TEXT(reason)), e) < 0)
		return -1;
	return 0;
}

static int plan_rows(const struct nsettings *s, const struct tz *z, int64_t start, int64_t now,
		     struct planned out[2 * NSET_REMINDERS_MAX])
{
	int n = 0;
	for (int i = 0; i < s->nreminders; i++) {
		int64_t due = start - (int64_t)s->r[i].minutes * 60;
		if (due <= now)
			continue;
		int email = s->r[i].email;
		if (s->r[i].sms) {
			int64_t t = quiet_sms_time(z, due, start, now);
			if (t)
				out[n++] = (struct planned){s->r[i].minutes, "sms", t};
			else
				email = 1; /* "else only by e-mail" */
		}
		if (email)
			out[n++] = (struct planned){s->r[i].minutes, "email", due};
	}
	return n;
}

/* True when the settings still ask for a reminder `minutes` before on `channel` (an e-mail
 * also stands in for an SMS that quiet hours turned into e-mail only). */
static int still_wanted(const struct nsettings *s, int minutes, const char *channel)
{
	for (int i = 0; i < s->nreminders; i++)
		if (s->r[i].minutes == minutes &&
		    (!strcmp(channel, "sms") ? s->r[i].sms : s->r[i].email || s->r[i].sms))
			return 1;
	return 0;
}

/* Plans the reminders of the appointment's current version from the settings; unless `fresh`
 * (no row of it can exist yet), first drops its pending rows the settings no longer ask for. */
static int plan(db_conn *c, const struct reminders_appt *a, const struct nsettings *s, int fresh, int64_t now,
		struct err *e)
{
	const struct tz *z = tz_get(a->time_zone, e);
	if (!z)
		return -1;
	struct planned p[2 * NSET_REMINDERS_MAX];
	int n = plan_rows(s, z, a->start, now, p);

	/* pending rows of this version that the settings no longer ask for; a row already due
	 * (the scanner is behind) is never re-planned, but it is still wanted while its offset
	 * and channel are */
	db_rows *r;
	int rc;
	int64_t stale[4 * NSET_REMINDERS_MAX];
	int nstale = 0;
	if (!fresh) {
		if (db_query(c,
			     "SELECT id, minutes, channel, due_at FROM reminders WHERE account_id = $1 AND"
			     " appointment_id = $2 AND version = $3 AND state = 'pending'",
			     DB_ARGS(DB_INT(a->account_id), DB_INT(a->appointment_id), DB_INT(a->version)),
			     &r, e))
			return -1;
		while ((rc = db_rows_next(r, e)) > 0) {
			int64_t minutes = db_rows_int(r, 1);
			const char *channel = db_rows_text(r, 2);
			int keep = 0;
			for (int i = 0; i < n; i++)
				keep |= p[i].minutes == minutes && !strcmp(p[i].channel, channel);
			if (db_rows_int(r, 3) <= now)
				keep |= still_wanted(s, (int)minutes, channel);
			if (!keep && nstale < 4 * NSET_REMINDERS_MAX)
				stale[nstale++] = db_rows_int(r, 0);
		}
		db_rows_free(r);
		if (rc < 0)
			return -1;
	}
	for (int i = 0; i < nstale; i++)
		if (db_exec(c,
			    "UPDATE reminders SET state = 'dropped', reason = 'settings', updated_at = $3 "
			    "WHERE "
			    "account_id = $1 AND id = $2",
			    DB_ARGS(DB_INT(a->account_id), DB_INT(stale[i]), DB_INT(now)), e) < 0)
			return -1;

	for (int i = 0; i < n; i++) {
		if (db_exec(c,
			    "INSERT INTO reminders (account_id, appointment_id, version, minutes, channel, "
			    "due_at, "
			    "state, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, "
			    "$7) ON "
			    "CONFLICT (account_id, appointment_id, version, minutes, channel) DO UPDATE SET "
			    "due_at = "
			    "$6, state = 'pending', reason = NULL, updated_at = $7 WHERE reminders.state <> "
			    "'written'",
			    DB_ARGS(DB_INT(a->account_id), DB_INT(a->appointment_id), DB_INT(a->version),
				    DB_INT(p[i].minutes), DB_TEXT(p[i].channel), DB_INT(p[i].due),
				    DB_INT(now)),
			    e) < 0)
			return -1;
		int seen = 0; /* the e-mail and the SMS of one offset are usually due together */
		for (int j = 0; j < i; j++)
			seen |= p[j].due == p[i].due;
		if (!seen && enqueue_scan(c, p[i].due, e))
			return -1;
	}
	return 0;
}

int reminders_plan_new(db_conn *c, const struct reminders_appt *a, const struct nsettings *s, int64_t now,
		       struct err *e)
{
	return a->start <= now ? 0 : plan(c, a, s, 1, now, e);
}

int reminders_schedule(db_conn *c, int64_t account_id, int64_t appointment_id, int64_t now, struct err *e)
{
	db_rows *r;
	if (db_query(c,
		     "SELECT a.status, a.starts_at, a.version, a.is_demo, acc.time_zone FROM appointments a "
		     "JOIN "
		     "accounts acc ON acc.id = a.account_id WHERE a.account_id = $1 AND a.id = $2",
		     DB_ARGS(DB_INT(account_id), DB_INT(appointment_id)), &r, e))
		return -1;
	int rc = db_rows_next(r, e);
	if (rc <= 0) {
		db_rows_free(r);
		return rc;
	}
	char status[16], zone[TZ_NAME_MAX + 1];
	snprintf(status, sizeof(status), "%s", db_rows_text(r, 0));
	int64_t start = db_rows_int(r, 1), version = db_rows_int(r, 2);
	int demo = (int)db_rows_int(r, 3);
	snprintf(zone, sizeof(zone), "%s", db_rows_text(r, 4));
	db_rows_free(r);

	if (strcmp(status, "booked") || demo || start <= now) {
		const char *why = !strcmp(status, "cancelled") ? "cancelled" : demo ? "demo" : "started";
		return drop_rows(c, account_id, appointment_id, 0, why, now, e);
	}
	if (drop_rows(c, account_id, appointment_id, version, "moved", now, e))
		return -1;

	struct nsettings s;
	if (nsettings_load(c, account_id, &s, e))
		return -1;
	return plan(c, &(struct reminders_appt){account_id, appointment_id, version, start, zone}, &s, 0, now,
		    e);
}

/* ---- the scanner ---- */

struct due_row {
	int64_t id, account_id, appt_id, version;
	int minutes;
	char channel[8];
};

/* What a reminder says, read from the appointment and its account. */
struct appt_info {
	char status[16];
	int64_t start, version;
	int demo;
	int64_t client_id;
	char *first_name, *last_name, *email, *phone;
	char *business, *business_phone, *reply_to, *zone, *locale;
	char *service, *staff;
};

static void appt_info_release(struct appt_info *a)
{
	free(a->first_name);
	free(a->last_name);
	free(a->email);
	free(a->phone);
	free(a->business);
	free(a->business_phone);
	free(a->reply_to);
	free(a->zone);
	free(a->locale);
	free(a->service);
	free(a->staff);
}

static char *dup_text(const db_rows *r, int col)
{
	const char *s = db_rows_text(r, col);
	return strdup(s ? s : "");
}

static int appt_info_load(db_conn *c, int64_t account_id, int64_t appt_id, struct appt_info *a, struct err *e)
{
	memset(a, 0, sizeof(*a));
	db_rows *r;
	if (db_query(
		    c,
		    "SELECT a.status, a.starts_at, a.version, a.is_demo, COALESCE(a.client_id, 0), "
		    "c.first_name, "
		    "c.last_name, c.email, c.phone, acc.name, acc.phone, acc.contact_email, acc.time_zone, "
		    "acc.locale, s.name, st.name FROM appointments a JOIN accounts acc ON acc.id = "
		    "a.account_id "
		    "JOIN services s ON s.account_id = a.account_id AND s.id = a.service_id JOIN staff st ON "
		    "st.account_id = a.account_id AND st.id = a.staff_id LEFT JOIN clients c ON c.account_id "
		    "= "
		    "a.account_id AND c.id = a.client_id WHERE a.account_id = $1 AND a.id = $2",
		    DB_ARGS(DB_INT(account_id), DB_INT(appt_id)), &r, e))
		return -1;
	int rc = db_rows_next(r, e);
	if (rc > 0) {
		snprintf(a->status, sizeof(a->status), "%s", db_rows_text(r, 0));
		a->start = db_rows_int(r, 1);
		a->version = db_rows_int(r, 2);
		a->demo = (int)db_rows_int(r, 3);
		a->client_id = db_rows_int(r, 4);
		a->first_name = dup_text(r, 5);
		a->last_name = dup_text(r, 6);
		a->email = dup_text(r, 7);
		a->phone = dup_text(r, 8);
		a->business = dup_text(r, 9);
		a->business_phone = dup_text(r, 10);
		a->reply_to = dup_text(r, 11);
		a->zone = dup_text(r, 12);
		a->locale = dup_text(r, 13);
		a->service = dup_text(r, 14);
		a->staff = dup_text(r, 15);
	}
	db_rows_free(r);
	return rc;
}

static int mark(db_conn *c, const struct due_row *d, const char *state, const char *reason, int64_t now,
		struct err *e)
{
	return db_exec(c,
		       "UPDATE reminders SET state = $3, reason = $4, updated_at = $5 WHERE account_id = $1 "
		       "AND id = $2",
		       DB_ARGS(DB_INT(d->account_id), DB_INT(d->id), DB_TEXT(state), DB_TEXT(reason),
			       DB_INT(now)),
		       e) < 0
		       ? -1
		       : 0;
}

static json_t *reminder_vars(const struct appt_info *a, const char *manage_url)
{
	int loc = i18n_locale_parse(a->locale);
	if (loc < 0)
		loc = I18N_DEFAULT;
	struct err ignored = {0};
	const struct tz *z = tz_get(a->zone, &ignored);
	char *date = i18n_format_datetime(loc, z, a->start, I18N_DATE);
	char *time = i18n_format_datetime(loc, z, a->start, I18N_TIME);
	char *dt = i18n_format_datetime(loc, z, a->start, I18N_DATETIME);
	json_t *v = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "client_first_name",
			      a->first_name, "client_last_name", a->last_name, "service", a->service, "staff",
			      a->staff, "date", date, "time", time, "datetime", dt, "business", a->business,
			      "business_phone", a->business_phone, "manage_url", manage_url);
	free(date);
	free(time);
	free(dt);
	return v;
}

/* Renders an edited text with vars into a malloc'd string, or NULL with *e set. */
static char *render_edited(const char *tpl, const json_t *vars, struct err *e)
{
	struct buf b = BUF_INIT(NOTIFY_OUTPUT_MAX);
	if (template_render_string(tpl, strlen(tpl), vars, 0, &b, e)) {
		buf_release(&b);
		return NULL;
	}
	return b.data ? buf_detach(&b, NULL) : strdup("");
}

static int write_email(db_conn *c, const struct due_row *d, const struct appt_info *a, json_t *vars,
		       const char *kind, const char *ref, struct err *e)
{
	const char *locale = !strcmp(a->locale, "en") ? "en" : "fr";
	char *subject = NULL, *body = NULL;
	int edited = nsettings_text_get(c, d->account_id, "email", locale, &subject, &body, e);
	if (edited < 0)
		return -1;
	const char *tpl = "reminder";
	int rc = -1;
	if (edited) {
		char *s = render_edited(subject, vars, e), *b = s ? render_edited(body, vars, e) : NULL;
		if (!b) {
			free(s);
			goto out;
		}
		json_object_set_new(vars, "custom_subject", json_string(s));
		json_object_set_new(vars, "custom_body", json_string(b));
		json_object_set_new(vars, "manage_label",
				    json_string(!strcmp(locale, "en")
							? "Reschedule or cancel the appointment"
							: "Déplacer ou annuler le rendez-vous"));
		free(s);
		free(b);
		tpl = "reminder_custom";
	}
	struct outbox_email m = {
		.account_id = d->account_id,
		.kind = kind,
		.subject_ref = ref,
		.version = d->version,
		.to = a->email,
		.locale = locale,
		.template_name = tpl,
		.vars = vars,
		.reply_to = a->reply_to[0] ? a->reply_to : NULL,
		.client_id = a->client_id,
		.appointment_id = d->appt_id,
		.expires_at = a->start,
	};
	rc = outbox_email(c, &m, e) < 0 ? -1 : 0;
out:
	free(subject);
	free(body);
	return rc;
}

/* Writes one due reminder (or drops it), in the batch's transaction. */
static int write_one(db_conn *c, const struct due_row *d, int64_t now, struct err *e)
{
	struct appt_info a;
	int rc = appt_info_load(c, d->account_id, d->appt_id, &a, e);
	if (rc <= 0) {
		appt_info_release(&a);
		return rc < 0 ? -1 : mark(c, d, "dropped", "cancelled", now, e);
	}
	const char *drop = NULL;
	if (strcmp(a.status, "booked"))
		drop = !strcmp(a.status, "cancelled") ? "cancelled" : "started";
	else if (a.version != d->version)
		drop = "moved";
	else if (a.demo)
		drop = "demo";
	else if (a.start <= now)
		drop = "started";
	else if (!strcmp(d->channel, "email") && !a.email[0])
		drop = "no_address";
	else if (!strcmp(d->channel, "sms") && !a.phone[0])
		drop = "no_phone";
	if (drop) {
		appt_info_release(&a);
		return mark(c, d, "dropped", drop, now, e);
	}

	char token[TOKEN_LEN + 1], url[URL_MAX + TOKEN_LEN + 8], kind[32], ref[64];
	if (manage_token_issue(c, d->account_id, d->appt_id, "reminder", now, token, e)) {
		appt_info_release(&a);
		return -1;
	}
	snprintf(url, sizeof(url), "%s/m/%s", public_url, token);
	snprintf(kind, sizeof(kind), "reminder_%d", d->minutes);
	snprintf(ref, sizeof(ref), "appointment:%" PRId64, d->appt_id);
	json_t *vars = reminder_vars(&a, url);
	const char *state = "written", *reason = NULL;
	if (!strcmp(d->channel, "email")) {
		rc = write_email(c, d, &a, vars, kind, ref, e);
	} else {
		struct outbox_sms m = {
			.account_id = d->account_id,
			.kind = kind,
			.subject_ref = ref,
			.version = d->version,
			.to = a.phone,
			.locale = !strcmp(a.locale, "en") ? "en" : "fr",
			.template_name = "reminder",
			.vars = vars,
			.client_id = a.client_id,
			.appointment_id = d->appt_id,
			.expires_at = a.start,
		};
		rc = outbox_sms(c, &m, e) < 0 ? -1 : 0;
		if (rc && (e->status == 400 || e->status == 422)) {
			/* a phone number the SMS path refuses: say so, do not retry for ever */
			state = "dropped";
			reason = "invalid_phone";
			rc = 0;
		}
	}
	json_decref(vars);
	appt_info_release(&a);
	if (rc)
		return -1;
	return mark(c, d, state, reason, now, e);
}

struct batch {
	int64_t now;
	int pg;
	int handled;
};

static int batch_tx(db_conn *c, void *ctx, struct err *e)
{
	struct batch *b = ctx;
	b->handled = 0;
	db_rows *r;
	/* on PostgreSQL, workers scanning at once take disjoint rows; SQLite's writer mutex
	 * serialises them anyway */
	const char *sql =
		b->pg ? "SELECT id, account_id, appointment_id, version, minutes, channel FROM reminders "
			"WHERE state = 'pending' AND due_at <= $1 ORDER BY due_at, id LIMIT $2 "
			"FOR UPDATE SKIP LOCKED"
		      : "SELECT id, account_id, appointment_id, version, minutes, channel FROM reminders "
			"WHERE state = 'pending' AND due_at <= $1 ORDER BY due_at, id LIMIT $2";
	if (db_query(c, sql, DB_ARGS(DB_INT(b->now), DB_INT(REMINDERS_BATCH)), &r, e))
		return -1;
	struct due_row rows[REMINDERS_BATCH];
	int n = 0, rc;
	while (n < REMINDERS_BATCH && (rc = db_rows_next(r, e)) > 0) {
		rows[n] = (struct due_row){.id = db_rows_int(r, 0),
					   .account_id = db_rows_int(r, 1),
					   .appt_id = db_rows_int(r, 2),
					   .version = db_rows_int(r, 3),
					   .minutes = (int)db_rows_int(r, 4)};
		snprintf(rows[n].channel, sizeof(rows[n].channel), "%s", db_rows_text(r, 5));
		n++;
	}
	db_rows_free(r);
	if (rc < 0)
		return -1;
	for (int i = 0; i < n; i++)
		if (write_one(c, &rows[i], b->now, e))
			return -1;
	b->handled = n;
	return 0;
}

int reminders_scan(db *d, int64_t now, struct err *e)
{
	struct batch b = {.now = now, .pg = db_kind(d) == DB_PG};
	int total = 0;
	for (int i = 0; i < REMINDERS_BATCHES; i++) {
		if (db_transact(d, batch_tx, &b, e))
			return total ? total : -1;
		total += b.handled;
		if (b.handled < REMINDERS_BATCH)
			return total;
	}
	return total;
}

struct more_ctx {
	int64_t job_id, now;
};

static int enqueue_more(db_conn *c, void *ctx, struct err *e)
{
	struct more_ctx *m = ctx;
	char key[64];
	snprintf(key, sizeof(key), REMINDERS_SCAN_KIND ":more:%" PRId64, m->job_id);
	struct job_spec s = {.kind = REMINDERS_SCAN_KIND, .unique_key = key, .run_at = m->now};
	return jobs_enqueue(c, &s, e) < 0 ? -1 : 0;
}

static enum job_result scan_job(db *d, const struct job *j, struct err *e)
{
	int n = reminders_scan(d, j->now, e);
	if (n < 0)
		return JOB_RETRY;
	if (n >= REMINDERS_BATCH * REMINDERS_BATCHES) {
		/* a backlog: hand over to a fresh job so other work gets its turn and leases stay short */
		struct more_ctx m = {j->id, j->now};
		if (db_transact(d, enqueue_more, &m, e))
			return JOB_RETRY;
		jobs_wake();
	}
	if (n)
		log_info("msg=\"reminders written\" count=%d", n);
	return JOB_DONE;
}

/* ---- re-planning after a settings change ---- */

struct replan_ctx {
	int64_t account_id, now, after;
	int done;
};

static int replan_tx(db_conn *c, void *ctx, struct err *e)
{
	struct replan_ctx *p = ctx;
	db_rows *r;
	if (db_query(c,
		     "SELECT id FROM appointments WHERE account_id = $1 AND status = 'booked' AND starts_at "
		     "> $2 "
		     "AND id > $3 ORDER BY id LIMIT 200",
		     DB_ARGS(DB_INT(p->account_id), DB_INT(p->now), DB_INT(p->after)), &r, e))
		return -1;
	int64_t ids[200];
	int n = 0, rc;
	while (n < 200 && (rc = db_rows_next(r, e)) > 0)
		ids[n++] = db_rows_int(r, 0);
	db_rows_free(r);
	if (rc < 0)
		return -1;
	for (int i = 0; i < n; i++)
		if (reminders_schedule(c, p->account_id, ids[i], p->now, e))
			return -1;
	if (n)
		p->after = ids[n - 1];
	p->done = n < 200;
	return 0;
}

static enum job_result replan_job(db *d, const struct job *j, struct err *e)
{
	struct replan_ctx p = {.account_id = j->account_id, .now = j->now};
	while (!p.done)
		if (db_transact(d, replan_tx, &p, e))
			return JOB_RETRY;
	return JOB_DONE;
}

int reminders_replan_account(db_conn *c, int64_t account_id, int64_t settings_version, int64_t now,
			     struct err *e)
{
	char key[80];
	snprintf(key, sizeof(key), REMINDERS_REPLAN_KIND ":%" PRId64 ":%" PRId64, account_id,
		 settings_version);
	struct job_spec s = {
		.kind = REMINDERS_REPLAN_KIND, .unique_key = key, .account_id = account_id, .run_at = now};
	return jobs_enqueue(c, &s, e) < 0 ? -1 : 0;
}

void reminders_register(void)
{
	jobs_register(REMINDERS_SCAN_KIND, scan_job, 900);
	jobs_register(REMINDERS_REPLAN_KIND, replan_job, 900);
	retention_register();
}
