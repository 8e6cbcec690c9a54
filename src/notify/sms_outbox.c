/* sms_outbox — writing SMS to the outbox, and their texts: the account's edited text or the
 * file templates/<locale>/<name>.sms. */
#include "notify/notify.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "base/embed.h"
#include "base/log.h"
#include "base/phone.h"
#include "base/xalloc.h"
#include "notify/notify_int.h"
#include "notify/sms_int.h"
#include "base/banned.h"

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
	char lang[NOTIFY_LOCALE_MAX];
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
		const struct embedded_file *f = name ? notify_template_find(locale, name, "sms", NULL) : NULL;
		if (!f)
			rc = err_set(e, 500, "template_error", NULL, "no SMS template %s",
				     name ? name : "(none)");
		else
			rc = render_text(f->data, f->len, v, out, e);
	}
	json_decref(empty);
	return rc;
}

static int sms_recipient_check(const struct outbox_row_spec *s, struct err *e)
{
	char e164[PHONE_E164_SIZE];
	if (!s->to || s->to[0] != '+' || phone_normalise(s->to, NULL, e164, "phone", e))
		return err_set(e, 400, "invalid_phone", "phone", "not an E.164 number");
	if (strcmp(e164, s->to) || !phone_is_mobile(e164))
		return err_set(e, 400, "invalid_phone", "phone", "not the E.164 form of a mobile number");
	return 0;
}

/* The file template only: the account's edited text is looked up at sending. */
static int sms_render_check(const struct outbox_row_spec *s, struct err *e)
{
	struct buf check = BUF_INIT(NOTIFY_OUTPUT_MAX);
	int rc = sms_render(NULL, 0, s->kind, s->locale, s->template_name, s->vars, &check, e);
	buf_release(&check);
	return rc ? -1 : 0;
}

int outbox_sms(db_conn *c, const struct outbox_sms *m, struct err *e)
{
	struct outbox_row_spec s = {
		.channel = "sms",
		.job_kind = SMS_SEND_KIND,
		.max_attempts = SMS_MAX_ATTEMPTS,
		.account_id = m->account_id,
		.kind = m->kind,
		.subject_ref = m->subject_ref,
		.to = m->to,
		.version = m->version,
		.locale = m->locale,
		.template_name = m->template_name,
		.vars = m->vars,
		.client_id = m->client_id,
		.appointment_id = m->appointment_id,
		.expires_at = m->expires_at,
		.recipient_check = sms_recipient_check,
		.render_check = sms_render_check,
	};
	return outbox_write(c, &s, e);
}
