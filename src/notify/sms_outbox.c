/* sms_outbox — writing SMS to the outbox, and their texts: the account's edited text or the
 * file templates/<locale>/<name>.sms. */
#include "notify/notify.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "base/embed.h"
#include "base/log.h"
#include "base/phone.h"
#include "base/xalloc.h"
#include "notify/notify_int.h"
#include "notify/sms_int.h"
#include "base/banned.h"

#define LOCALE_MAX 16

/* A kind, subject_ref or template name as the outbox keeps them: 1..NOTIFY_REF_MAX bytes, no
 * control character. */
static int ref_ok(const char *s)
{
	if (!s || !*s || strlen(s) > NOTIFY_REF_MAX)
		return 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 32 || *p == 127)
			return 0;
	return 1;
}

static int name_ok(const char *s)
{
	size_t n = strlen(s);
	if (!n || n > 64)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && s[i] != '_')
			return 0;
	return 1;
}

static int locale_ok(const char *s)
{
	size_t n = strlen(s);
	if (n < 2 || n >= LOCALE_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalpha((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
			return 0;
	return 1;
}

/* The file template for locale (then its language, then fr), or NULL. */
static const struct embedded_file *sms_file(const char *locale, const char *name)
{
	char cand[3][LOCALE_MAX];
	int n = 0;
	if (locale && locale_ok(locale)) {
		snprintf(cand[n++], LOCALE_MAX, "%s", locale);
		size_t lang = strcspn(locale, "-_");
		if (locale[lang])
			snprintf(cand[n++], LOCALE_MAX, "%.*s", (int)lang, locale);
	}
	snprintf(cand[n++], LOCALE_MAX, "fr");
	for (int i = 0; i < n; i++) {
		char path[LOCALE_MAX + 80];
		snprintf(path, sizeof(path), "%s/%s.sms", cand[i], name);
		const struct embedded_file *f = embed_find(notify_template_files, path);
		if (f)
			return f;
	}
	return NULL;
}

/* Renders tpl into out, trailing newlines dropped (files end with one). */
static int render_text(const char *tpl, size_t len, const json_t *vars, struct buf *out, struct err *e)
{
	size_t start = out->len;
	if (template_render_string(tpl, len, vars, 0, out, e))
		return -1;
	while (out->len > start && (out->data[out->len - 1] == '\n' || out->data[out->len - 1] == '\r'))
		out->data[--out->len] = '\0';
	if (buf_append(out, "", 0))
		return err_set(e, 500, "template_error", NULL, "SMS text over its cap");
	return 0;
}

/* The account's edited text of kind in locale (malloc'd), or NULL. */
static char *edited_text(db_conn *c, int64_t account_id, const char *kind, const char *locale)
{
	if (!c || !account_id)
		return NULL;
	char lang[LOCALE_MAX];
	snprintf(lang, sizeof(lang), "%.*s", (int)strcspn(locale, "-_"), locale);
	db_rows *rows = NULL;
	struct err e;
	err_clear(&e);
	char *body = NULL;
	if (db_query(c,
		     "SELECT body FROM notification_texts"
		     " WHERE account_id = $1 AND kind = $2 AND channel = 'sms' AND locale = $3",
		     DB_ARGS(DB_INT(account_id), DB_TEXT(kind), DB_TEXT(lang)), &rows, &e) < 0)
		return NULL;
	if (db_rows_next(rows, &e) > 0 && db_rows_text(rows, 0))
		body = xstrdup(db_rows_text(rows, 0));
	db_rows_free(rows);
	return body;
}

int sms_render(db_conn *c, int64_t account_id, const char *kind, const char *locale, const char *name,
	       const json_t *vars, struct buf *out, struct err *e)
{
	json_t *empty = vars ? NULL : json_object();
	const json_t *v = vars ? vars : empty;
	int rc = -1;
	char *edited = edited_text(c, account_id, kind, locale && *locale ? locale : "fr");
	if (edited) {
		size_t start = out->len;
		struct err te;
		err_clear(&te);
		rc = render_text(edited, strlen(edited), v, out, &te);
		if (rc) {
			/* the editor checks the variables; a text that still fails gives way to the file */
			log_warn("event=sms_text_unusable account_id=%" PRId64 " kind=%s error=\"%s\"",
				 account_id, kind, te.message);
			out->len = start;
			if (out->data)
				out->data[start] = '\0';
		}
		free(edited);
	}
	if (rc) {
		const struct embedded_file *f = name && name_ok(name) ? sms_file(locale, name) : NULL;
		if (!f)
			rc = err_set(e, 500, "template_error", NULL, "no SMS template %s",
				     name ? name : "(none)");
		else
			rc = render_text(f->data, f->len, v, out, e);
	}
	json_decref(empty);
	return rc;
}

int outbox_sms(db_conn *c, const struct outbox_sms *m, struct err *e)
{
	if (!ref_ok(m->kind))
		return err_invalid(e, "kind", "message kind empty, too long or with control characters");
	if (!ref_ok(m->subject_ref))
		return err_invalid(e, "subject_ref",
				   "subject_ref empty, too long or with control characters");
	char e164[PHONE_E164_SIZE];
	if (!m->to || m->to[0] != '+' || phone_normalise(m->to, NULL, e164, "phone", e))
		return err_set(e, 400, "invalid_phone", "phone", "not an E.164 number");
	if (strcmp(e164, m->to) || !phone_is_mobile(e164))
		return err_set(e, 400, "invalid_phone", "phone", "not the E.164 form of a mobile number");
	if (m->vars && !json_is_object(m->vars))
		return err_internal(e, "outbox vars must be a JSON object");
	const char *locale = m->locale && *m->locale ? m->locale : "fr";
	const char *tpl = m->template_name ? m->template_name : m->kind;
	if (!locale_ok(locale))
		return err_invalid(e, "locale", "bad locale");
	if (!ref_ok(tpl))
		return err_invalid(e, "template", "bad template name");

	/* render the file now: a missing variable is the caller's bug, better seen in its request */
	struct buf check = BUF_INIT(NOTIFY_OUTPUT_MAX);
	int rc = sms_render(NULL, 0, m->kind, locale, tpl, m->vars, &check, e);
	buf_release(&check);
	if (rc)
		return -1;

	char *vars = m->vars ? json_dumps(m->vars, JSON_COMPACT) : xstrdup("{}");
	if (!vars)
		return err_internal(e, "outbox vars could not be serialised");
	if (strlen(vars) > NOTIFY_VARS_MAX) {
		free(vars);
		return err_invalid(e, "vars", "message variables over %d bytes", NOTIFY_VARS_MAX);
	}
	char msgid[NOTIFY_MSGID_SIZE];
	notify_message_id(m->account_id, m->subject_ref, m->to, m->kind, m->version, "sms", msgid);

	db_rows *rows = NULL;
	rc = db_query(
		c,
		"INSERT INTO outbox (account_id, kind, channel, subject_ref, recipient, version, locale,"
		" template, vars, state, message_id, attempts, created_at, client_id, appointment_id,"
		" expires_at)"
		" VALUES ($1, $2, 'sms', $3, $4, $5, $6, $7, $8, 'queued', $9, 0, $10, $11, $12, $13)"
		" ON CONFLICT DO NOTHING RETURNING id",
		DB_ARGS(m->account_id ? DB_INT(m->account_id) : DB_NULL, DB_TEXT(m->kind),
			DB_TEXT(m->subject_ref), DB_TEXT(m->to), DB_INT(m->version), DB_TEXT(locale),
			DB_TEXT(tpl), DB_TEXT(vars), DB_TEXTN(msgid, strlen(msgid)), DB_INT(clock_now()),
			m->client_id ? DB_INT(m->client_id) : DB_NULL,
			m->appointment_id ? DB_INT(m->appointment_id) : DB_NULL,
			m->expires_at ? DB_INT(m->expires_at) : DB_NULL),
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
		.kind = SMS_SEND_KIND,
		.unique_key = key,
		.account_id = m->account_id,
		.payload = payload,
		.max_attempts = SMS_MAX_ATTEMPTS,
	};
	rc = jobs_enqueue(c, &js, e);
	json_decref(payload);
	return rc < 0 ? rc : 1;
}
