/* outbox — messages written in the caller's transaction and the job that sends them. */
#include "notify/notify.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/counters.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "db/files.h"
#include "jobs/jobs.h"
#include "notify/ics.h"
#include "notify/notify_int.h"
#include "base/banned.h"

#define MAIL_MAX (3 * NOTIFY_OUTPUT_MAX + 16384) /* both parts after encoding, and headers */

void notify_message_id(int64_t account_id, const char *subject_ref, const char *recipient, const char *kind,
		       int64_t version, const char *channel, char out[NOTIFY_MSGID_SIZE])
{
	struct buf key = BUF_INIT(4 * 1024);
	char account[24] = "";
	if (account_id)
		snprintf(account, sizeof(account), "%" PRId64, account_id);
	/* the fields are capped by outbox_email, so this always fits */
	if (buf_appendf(&key, "%s\n%s\n%s\n%s\n%" PRId64 "\n%s", account, subject_ref, recipient, kind,
			version, channel))
		buf_reset(&key);
	unsigned char hash[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(hash, (const unsigned char *)buf_str(&key), key.len);
	buf_release(&key);
	char hex[crypto_hash_sha256_BYTES * 2 + 1];
	sodium_bin2hex(hex, sizeof(hex), hash, sizeof(hash));
	snprintf(out, NOTIFY_MSGID_SIZE, "%s@creneau", hex);
}

int notify_ref_ok(const char *s)
{
	if (!s || !*s || strlen(s) > NOTIFY_REF_MAX)
		return 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 32 || *p == 127)
			return 0;
	return 1;
}

int outbox_write(db_conn *c, const struct outbox_row_spec *s, struct err *e)
{
	if (!notify_ref_ok(s->kind))
		return err_invalid(e, "kind", "message kind empty, too long or with control characters");
	if (!notify_ref_ok(s->subject_ref))
		return err_invalid(e, "subject_ref",
				   "subject_ref empty, too long or with control characters");
	if (s->recipient_check && s->recipient_check(s, e))
		return -1;
	if (s->vars && !json_is_object(s->vars))
		return err_internal(e, "outbox vars must be a JSON object");
	struct outbox_row_spec r = *s; /* resolved: the locale and the template as the row keeps them */
	r.locale = s->locale && *s->locale ? s->locale : "fr";
	r.template_name = s->template_name ? s->template_name : s->kind;
	r.reply_to = s->reply_to && *s->reply_to ? s->reply_to : NULL;
	if (!notify_locale_ok(r.locale))
		return err_invalid(e, "locale", "bad locale");

	/* render now: a missing variable is the caller's bug, better seen in its request */
	if (r.render_check && r.render_check(&r, e))
		return -1;

	char *vars = r.vars ? json_dumps(r.vars, JSON_COMPACT) : xstrdup("{}");
	if (!vars)
		return err_internal(e, "outbox vars could not be serialised");
	if (strlen(vars) > NOTIFY_VARS_MAX) {
		free(vars);
		return err_invalid(e, "vars", "message variables over %d bytes", NOTIFY_VARS_MAX);
	}
	char msgid[NOTIFY_MSGID_SIZE];
	notify_message_id(r.account_id, r.subject_ref, r.to, r.kind, r.version, r.channel, msgid);

	db_rows *rows = NULL;
	int rc =
		db_query(c,
			 "INSERT INTO outbox (account_id, kind, channel, subject_ref, recipient, version,"
			 " locale, template, vars, reply_to, state, message_id, attempts, created_at,"
			 " client_id, appointment_id, expires_at)"
			 " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'queued', $11, 0, $12,"
			 " $13, $14, $15)"
			 " ON CONFLICT DO NOTHING RETURNING id",
			 DB_ARGS(r.account_id ? DB_INT(r.account_id) : DB_NULL, DB_TEXT(r.kind),
				 DB_TEXT(r.channel), DB_TEXT(r.subject_ref), DB_TEXT(r.to), DB_INT(r.version),
				 DB_TEXT(r.locale), DB_TEXT(r.template_name), DB_TEXT(vars),
				 r.reply_to ? DB_TEXT(r.reply_to) : DB_NULL, DB_TEXTN(msgid, strlen(msgid)),
				 DB_INT(clock_now()), r.client_id ? DB_INT(r.client_id) : DB_NULL,
				 r.appointment_id ? DB_INT(r.appointment_id) : DB_NULL,
				 r.expires_at ? DB_INT(r.expires_at) : DB_NULL),
			 &rows, e);
	free(vars);
	if (rc < 0)
		return rc;
	rc = db_rows_next(rows, e);
	int64_t id = rc > 0 ? db_rows_int(rows, 0) : 0;
	db_rows_free(rows);
	if (rc <= 0)
		return rc; /* 0: the same message was written before */

	char key[48];
	snprintf(key, sizeof(key), "outbox:%" PRId64, id);
	json_t *payload = json_pack("{s:I}", "outbox_id", (json_int_t)id);
	struct job_spec js = {
		.kind = r.job_kind,
		.unique_key = key,
		.account_id = r.account_id,
		.payload = payload,
		.max_attempts = r.max_attempts,
	};
	rc = jobs_enqueue(c, &js, e);
	json_decref(payload);
	return rc < 0 ? rc : 1;
}

static int email_recipient_check(const struct outbox_row_spec *s, struct err *e)
{
	if (!s->to || !notify_address_ok(s->to))
		return err_invalid(e, "email", "not a valid e-mail address");
	if (s->reply_to && *s->reply_to && !notify_address_ok(s->reply_to))
		return err_invalid(e, "reply_to", "not a valid e-mail address");
	return 0;
}

static int email_render_check(const struct outbox_row_spec *s, struct err *e)
{
	struct notify_rendered check;
	if (notify_render(s->locale, s->template_name, s->vars, &check, e))
		return -1;
	notify_rendered_release(&check);
	return 0;
}

int outbox_email(db_conn *c, const struct outbox_email *m, struct err *e)
{
	struct outbox_row_spec s = {
		.channel = "email",
		.job_kind = OUTBOX_SEND_KIND,
		.max_attempts = OUTBOX_MAX_ATTEMPTS,
		.account_id = m->account_id,
		.kind = m->kind,
		.subject_ref = m->subject_ref,
		.to = m->to,
		.version = m->version,
		.locale = m->locale,
		.template_name = m->template_name,
		.vars = m->vars,
		.reply_to = m->reply_to,
		.client_id = m->client_id,
		.appointment_id = m->appointment_id,
		.expires_at = m->expires_at,
		.recipient_check = email_recipient_check,
		.render_check = email_render_check,
	};
	return outbox_write(c, &s, e);
}

/* ---- the send job --------------------------------------------------------------------- */

struct outbox_row {
	char *recipient, *locale, *template_name, *vars, *reply_to, *state, *message_id;
	int64_t account_id, expires_at;
};

static void row_release(struct outbox_row *r)
{
	free(r->recipient);
	free(r->locale);
	free(r->template_name);
	free(r->vars);
	free(r->reply_to);
	free(r->state);
	free(r->message_id);
}

static char *col(db_rows *rows, int i)
{
	const char *s = db_rows_text(rows, i);
	return s ? xstrdup(s) : NULL;
}

static int load_row(db *d, int64_t id, struct outbox_row *r, struct err *e)
{
	memset(r, 0, sizeof(*r));
	db_conn *c = NULL;
	int rc = db_acquire(d, &c, e);
	if (rc < 0)
		return rc;
	db_rows *rows = NULL;
	rc = db_query(c,
		      "SELECT recipient, locale, template, vars, reply_to, state, message_id,"
		      " COALESCE(account_id, 0), COALESCE(expires_at, 0)"
		      " FROM outbox WHERE id = $1 AND channel = 'email'",
		      DB_ARGS(DB_INT(id)), &rows, e);
	if (rc >= 0) {
		rc = db_rows_next(rows, e);
		if (rc > 0) {
			r->recipient = col(rows, 0);
			r->locale = col(rows, 1);
			r->template_name = col(rows, 2);
			r->vars = col(rows, 3);
			r->reply_to = col(rows, 4);
			r->state = col(rows, 5);
			r->message_id = col(rows, 6);
			r->account_id = db_rows_int(rows, 7);
			r->expires_at = db_rows_int(rows, 8);
		}
		db_rows_free(rows);
	}
	db_release(c);
	return rc;
}

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

/* Records the outcome of one attempt on the row, if it is still queued. state "sent" keeps
 * the text body as sent (body may be NULL); "suppressed" and "failed" keep reason (NULL for
 * none) and error. A store failure retries the job: a sent message then goes again with
 * the same Message-ID. */
static enum job_result record(db *d, int64_t id, const char *state, const char *reason, const char *error,
			      const char *body, enum job_result r, struct err *e)
{
	struct err dbe;
	err_clear(&dbe);
	int rc;
	if (!strcmp(state, "sent"))
		rc = exec_one(d,
			      "UPDATE outbox SET state = 'sent', sent_at = $2, last_error = NULL, body = $3"
			      " WHERE id = $1 AND state = 'queued'",
			      DB_ARGS(DB_INT(id), DB_INT(clock_now()), body ? DB_TEXT(body) : DB_NULL), &dbe);
	else
		rc = exec_one(d,
			      "UPDATE outbox SET state = $2, last_error = $3, reason = $4"
			      " WHERE id = $1 AND state = 'queued'",
			      DB_ARGS(DB_INT(id), DB_TEXT(state), error ? DB_TEXT(error) : DB_NULL,
				      reason ? DB_TEXT(reason) : DB_NULL),
			      &dbe);
	if (rc < 0) {
		*e = dbe;
		return JOB_RETRY;
	}
	if (strcmp(state, "suppressed")) /* for /metrics */
		counter_add("creneau_messages_total",
			    strcmp(state, "sent") ? "channel=\"email\",result=\"failed\""
						  : "channel=\"email\",result=\"sent\"",
			    1);
	return r;
}

/* 1 when the account suppressed the address (a hard bounce), 0 when not, negative on error. */
static int suppressed(db *d, int64_t account_id, const char *address, struct err *e)
{
	if (!account_id)
		return 0;
	db_conn *c = NULL;
	int rc = db_acquire(d, &c, e);
	if (rc < 0)
		return rc;
	int64_t n = 0;
	rc = db_query_int(c, "SELECT count(*) FROM email_suppressions WHERE account_id = $1 AND address = $2",
			  DB_ARGS(DB_INT(account_id), DB_TEXT(address)), &n, e);
	db_release(c);
	return rc < 0 ? rc : n > 0;
}

/* A hard bounce: the address is never mailed again for this account. The first reason
 * stays (ON CONFLICT DO NOTHING). */
static int suppress_address(db *d, int64_t account_id, const char *address, int64_t outbox_id,
			    const char *why, struct err *e)
{
	if (!account_id)
		return 0; /* platform mail: nothing to suppress per business */
	char reason[300];
	snprintf(reason, sizeof(reason), "hard_bounce: %s", why);
	return exec_one(d,
			"INSERT INTO email_suppressions (account_id, address, reason, outbox_id, created_at)"
			" VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
			DB_ARGS(DB_INT(account_id), DB_TEXT(address), DB_TEXT(reason), DB_INT(outbox_id),
				DB_INT(clock_now())),
			e) < 0
		       ? -1
		       : 0;
}

/* The files named by vars.attachments ([{"file_id": "..."}], files of the row's account),
 * read into bufs; at most MIME_ATTACHMENTS_MAX, NOTIFY_ATTACH_MAX bytes together. */
static int load_attachments(db *d, int64_t account_id, const json_t *vars, struct buf *data,
			    struct file_info *info, struct mime_attachment *att, int *n, struct err *e)
{
	const json_t *list = json_object_get(vars, "attachments");
	*n = 0;
	if (!list)
		return 0;
	if (!json_is_array(list) || json_array_size(list) > MIME_ATTACHMENTS_MAX)
		return err_internal(e, "vars.attachments is not a list of at most %d files",
				    MIME_ATTACHMENTS_MAX);
	if (json_array_size(list) == 0)
		return 0;
	if (!account_id)
		return err_internal(e, "attachments need an account");
	db_conn *c = NULL;
	if (db_acquire(d, &c, e) < 0)
		return -1;
	size_t total = 0;
	int rc = 0;
	for (size_t i = 0; i < json_array_size(list) && !rc; i++) {
		const char *fid = json_string_value(json_object_get(json_array_get(list, i), "file_id"));
		if (!fid) {
			rc = err_internal(e, "an attachment without file_id");
			break;
		}
		data[i] = (struct buf)BUF_INIT(NOTIFY_ATTACH_MAX);
		rc = files_get(c, account_id, fid, NOTIFY_ATTACH_MAX - total, &data[i], &info[i], e);
		if (rc)
			break;
		total += data[i].len;
		att[i] = (struct mime_attachment){.filename = info[i].name,
						  .content_type = info[i].content_type,
						  .data = buf_str(&data[i]),
						  .len = data[i].len};
		*n = (int)i + 1;
	}
	db_release(c);
	return rc ? -1 : 0;
}

enum job_result outbox_send_job(db *d, const struct job *j, struct err *e)
{
	json_t *idv = json_object_get(j->payload, "outbox_id");
	int64_t id = json_is_integer(idv) ? json_integer_value(idv) : 0;
	if (id <= 0) {
		err_internal(e, "payload has no outbox_id");
		return JOB_FAILED;
	}
	struct outbox_row r;
	int rc = load_row(d, id, &r, e);
	if (rc < 0)
		return JOB_RETRY;
	if (rc == 0) {
		err_internal(e, "outbox row %" PRId64 " not found", id);
		return JOB_FAILED;
	}
	enum job_result res;
	struct notify_settings *s = NULL;
	char *message = NULL, *calendar = NULL;
	json_t *vars = NULL;
	struct notify_rendered parts = {0};
	struct buf files[MIME_ATTACHMENTS_MAX];
	struct file_info finfo[MIME_ATTACHMENTS_MAX];
	struct mime_attachment att[MIME_ATTACHMENTS_MAX];
	int natt = 0;
	if (strcmp(r.state, "queued")) {
		res = JOB_DONE; /* sent, failed or suppressed already */
		goto out;
	}
	if (r.expires_at && clock_now() >= r.expires_at) {
		log_info("event=mail_expired outbox_id=%" PRId64, id);
		res = record(d, id, "suppressed", "expired", NULL, NULL, JOB_DONE, e);
		goto out;
	}
	rc = suppressed(d, r.account_id, r.recipient, e);
	if (rc < 0) {
		res = JOB_RETRY;
		goto out;
	}
	if (rc > 0) {
		log_info("event=mail_suppressed outbox_id=%" PRId64, id);
		res = record(d, id, "suppressed", "suppressed_address", NULL, NULL, JOB_DONE, e);
		goto out;
	}
	if (exec_one(d, "UPDATE outbox SET attempts = attempts + 1 WHERE id = $1", DB_ARGS(DB_INT(id)), e) <
	    0) {
		res = JOB_RETRY;
		goto out;
	}
	json_error_t jerr;
	vars = json_loads(r.vars ? r.vars : "{}", 0, &jerr);
	if (!vars || notify_render(r.locale, r.template_name, vars, &parts, e)) {
		if (!vars)
			err_internal(e, "outbox vars unreadable: %s", jerr.text);
		res = record(d, id, "failed", "template", e->message, NULL, JOB_FAILED, e);
		goto out;
	}
	/* the calendar is made now from what the row holds: the appointment may have changed
	 * since, and the row's version says which state this message tells */
	enum ics_method method = ICS_REQUEST;
	size_t callen = 0;
	const json_t *icsv = json_object_get(vars, "ics");
	if (icsv && ics_render_json(icsv, &method, &calendar, &callen, e)) {
		res = record(d, id, "failed", "calendar", e->message, NULL, JOB_FAILED, e);
		goto out;
	}
	if (load_attachments(d, r.account_id, vars, files, finfo, att, &natt, e)) {
		if (e->status == 503) {
			res = JOB_RETRY; /* the store is down */
			goto out;
		}
		res = record(d, id, "failed", "attachment", e->message, NULL, JOB_FAILED, e);
		goto out;
	}
	s = notify_settings_get();
	if (!notify_address_ok(s->from)) {
		err_set(e, 503, "smtp_not_configured", NULL, "no valid sender address configured");
		res = JOB_RETRY;
		goto out;
	}
	struct mime_mail mm = {
		.from = s->from,
		.from_name = s->from_name,
		.to = r.recipient,
		.reply_to = r.reply_to,
		.subject = parts.subject,
		.text = parts.text,
		.html = parts.html,
		.message_id = r.message_id,
		.date = clock_now(),
		.calendar = calendar,
		.calendar_method = method == ICS_CANCEL ? "CANCEL" : "REQUEST",
		.attachments = att,
		.nattachments = natt,
	};
	size_t cap = MAIL_MAX + (calendar ? 3 * callen : 0);
	for (int i = 0; i < natt; i++)
		cap += att[i].len / 3 * 4 + att[i].len / 57 * 2 + 1024;
	struct buf b = BUF_INIT(cap);
	if (mime_build(&mm, &b, e)) {
		buf_release(&b);
		res = record(d, id, "failed", "message", e->message, NULL, JOB_FAILED, e);
		goto out;
	}
	size_t len = b.len;
	message = buf_detach(&b, NULL);
	long code = 0;
	switch (smtp_send(s->from, r.recipient, message, len, &code, e)) {
	case SMTP_SENT:
		log_info("event=mail_sent outbox_id=%" PRId64 " message_id=%s attempt=%d", id, r.message_id,
			 j->attempts);
		res = record(d, id, "sent", NULL, NULL, parts.text, JOB_DONE, e);
		break;
	case SMTP_PERMANENT: {
		/* a hard bounce: the address is suppressed for the account, the row keeps the
		 * refusal, and the job itself did its work */
		log_warn("event=mail_rejected outbox_id=%" PRId64 " code=%ld error=\"%s\"", id, code,
			 e->message);
		struct err se;
		err_clear(&se);
		char why[256];
		snprintf(why, sizeof(why), "%s", e->message);
		if (suppress_address(d, r.account_id, r.recipient, id, why, &se)) {
			*e = se;
			res = JOB_RETRY; /* sends again later: the server refuses again */
			break;
		}
		res = record(d, id, "failed", "hard_bounce", why, NULL, JOB_DONE, e);
		break;
	}
	case SMTP_TEMPORARY:
	default:
		if (j->attempts >= j->max_attempts) {
			res = record(d, id, "failed", "gave_up", e->message, NULL, JOB_FAILED, e);
		} else {
			struct err dbe;
			err_clear(&dbe);
			if (exec_one(d, "UPDATE outbox SET last_error = $2 WHERE id = $1",
				     DB_ARGS(DB_INT(id), DB_TEXT(e->message)), &dbe) < 0)
				log_warn("event=outbox_note_failed outbox_id=%" PRId64, id);
			res = JOB_RETRY;
		}
		break;
	}
out:
	for (int i = 0; i < natt; i++)
		buf_release(&files[i]);
	free(message);
	free(calendar);
	notify_settings_free(s);
	notify_rendered_release(&parts);
	json_decref(vars);
	row_release(&r);
	return res;
}

int notify_email_suppression(db_conn *c, int64_t account_id, const char *address, char *reason, size_t cap,
			     int64_t *since, struct err *e)
{
	reason[0] = '\0';
	*since = 0;
	if (!address || !*address)
		return 0;
	db_rows *rows = NULL;
	int rc = db_query(
		c, "SELECT reason, created_at FROM email_suppressions WHERE account_id = $1 AND address = $2",
		DB_ARGS(DB_INT(account_id), DB_TEXT(address)), &rows, e);
	if (rc < 0)
		return rc;
	rc = db_rows_next(rows, e);
	if (rc > 0) {
		snprintf(reason, cap, "%s", db_rows_text(rows, 0) ? db_rows_text(rows, 0) : "");
		*since = db_rows_int(rows, 1);
	}
	db_rows_free(rows);
	return rc < 0 ? rc : rc > 0;
}
