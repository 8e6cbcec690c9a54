/* nsettings — notification settings and edited reminder texts (see nsettings.h). */
#include "notify/nsettings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/embed.h"
#include "base/xalloc.h"
#include "notify/notify_int.h"
#include "notify/reminders.h"
#include "notify/sms.h"
#include "base/banned.h"

/* The variables of the reminder texts and the lengths (characters) the worst case assumes.
 * manage_url's length is the deployment's link length (reminders_manage_url_len). */
static const struct {
	const char *name, *example;
	int cap;
} variables[] = {
	{"client_first_name", "Camille", 30},
	{"client_last_name", "Martin", 30},
	{"service", "Coupe et brushing", 40},
	{"staff", "Léa", 30},
	{"date", "jeudi 26 novembre 2026", 30},
	{"time", "14 h 30", 8},
	{"datetime", "jeudi 26 novembre 2026 à 14 h 30", 45},
	{"business", "Salon Lumière", 40},
	{"business_phone", "+33 1 23 45 67 89", 20},
	{"manage_url", "https://creneau.example/m/…", 0},
};
#define NVARS ((int)(sizeof(variables) / sizeof(variables[0])))

static int var_cap(int i)
{
	return variables[i].cap ? variables[i].cap : reminders_manage_url_len();
}

static int var_index(const char *name, size_t len)
{
	for (int i = 0; i < NVARS; i++)
		if (strlen(variables[i].name) == len && !memcmp(variables[i].name, name, len))
			return i;
	return -1;
}

int nsettings_variable_known(const char *name)
{
	return var_index(name, strlen(name)) >= 0;
}

json_t *nsettings_variables_json(void)
{
	json_t *a = json_array();
	for (int i = 0; i < NVARS; i++)
		json_array_append_new(a, json_pack("{s:s, s:i, s:s}", "name", variables[i].name, "max_length",
						   var_cap(i), "example", variables[i].example));
	return a;
}

void nsettings_defaults(struct nsettings *s)
{
	memset(s, 0, sizeof(*s));
	s->nreminders = 2;
	s->r[0] = (struct nset_reminder){.minutes = 1440, .email = 1, .sms = 1};
	s->r[1] = (struct nset_reminder){.minutes = 120, .email = 1, .sms = 1};
	s->owner_new_booking = 1;
	s->owner_changes = 1;
	s->version = 1;
}

/* ---- reminders JSON ---- */

static int cmp_reminder(const void *a, const void *b)
{
	const struct nset_reminder *x = a, *y = b;
	return y->minutes - x->minutes;
}

static int reminders_from_json(const json_t *arr, struct nsettings *s, struct err *e)
{
	if (!json_is_array(arr))
		return err_invalid(e, "reminders", "reminders is a list of {minutes, channels}");
	size_t n = json_array_size(arr);
	if (n < 1 || n > NSET_REMINDERS_MAX)
		return err_invalid(e, "reminders", "between 1 and %d reminders", NSET_REMINDERS_MAX);
	struct nset_reminder r[NSET_REMINDERS_MAX] = {0};
	char field[64];
	for (size_t i = 0; i < n; i++) {
		const json_t *o = json_array_get(arr, i);
		snprintf(field, sizeof(field), "reminders[%zu]", i);
		if (!json_is_object(o))
			return err_invalid(e, field, "a reminder is {minutes, channels}");
		const char *k;
		const json_t *v;
		json_object_foreach((json_t *)o, k, v)
		{
			if (strcmp(k, "minutes") && strcmp(k, "channels")) {
				snprintf(field, sizeof(field), "reminders[%zu].%.20s", i, k);
				return err_set(e, 400, "unknown_field", field, "unknown field");
			}
		}
		const json_t *m = json_object_get(o, "minutes");
		snprintf(field, sizeof(field), "reminders[%zu].minutes", i);
		if (!json_is_integer(m) || json_integer_value(m) < NSET_MINUTES_MIN ||
		    json_integer_value(m) > NSET_MINUTES_MAX)
			return err_invalid(e, field, "minutes before the appointment, from %d to %d",
					   NSET_MINUTES_MIN, NSET_MINUTES_MAX);
		r[i].minutes = (int)json_integer_value(m);
		for (size_t j = 0; j < i; j++)
			if (r[j].minutes == r[i].minutes)
				return err_invalid(e, field, "two reminders at the same time");
		const json_t *ch = json_object_get(o, "channels");
		snprintf(field, sizeof(field), "reminders[%zu].channels", i);
		if (!json_is_array(ch) || json_array_size(ch) < 1 || json_array_size(ch) > 2)
			return err_invalid(e, field, "channels is a list of \"email\" and/or \"sms\"");
		size_t j;
		const json_t *c;
		json_array_foreach(ch, j, c)
		{
			const char *t = json_string_value(c);
			if (t && !strcmp(t, "email"))
				r[i].email = 1;
			else if (t && !strcmp(t, "sms"))
				r[i].sms = 1;
			else
				return err_invalid(e, field,
						   "channels is a list of \"email\" and/or \"sms\"");
		}
	}
	memcpy(s->r, r, sizeof(r));
	s->nreminders = (int)n;
	qsort(s->r, n, sizeof(s->r[0]), cmp_reminder);
	return 0;
}

static json_t *reminders_to_json(const struct nsettings *s)
{
	json_t *a = json_array();
	for (int i = 0; i < s->nreminders; i++) {
		json_t *ch = json_array();
		if (s->r[i].email)
			json_array_append_new(ch, json_string("email"));
		if (s->r[i].sms)
			json_array_append_new(ch, json_string("sms"));
		json_array_append_new(a, json_pack("{s:i, s:o}", "minutes", s->r[i].minutes, "channels", ch));
	}
	return a;
}

/* ---- load and save ---- */

int nsettings_load(db_conn *c, int64_t account_id, struct nsettings *s, struct err *e)
{
	nsettings_defaults(s);
	db_rows *r;
	if (db_query(c,
		     "SELECT reminders, owner_new_booking, owner_changes, staff_notices, sms_sender, "
		     "sms_accent_free, version, updated_at FROM notification_settings WHERE account_id = $1",
		     DB_ARGS(DB_INT(account_id)), &r, e))
		return -1;
	int rc = db_rows_next(r, e);
	if (rc > 0) {
		json_t *j = json_loads(db_rows_text(r, 0), 0, NULL);
		struct err ignored = {0};
		if (!j || reminders_from_json(j, s, &ignored))
			nsettings_defaults(s); /* cannot happen: only validated lists are stored */
		json_decref(j);
		s->owner_new_booking = (int)db_rows_int(r, 1);
		s->owner_changes = (int)db_rows_int(r, 2);
		s->staff_notices = (int)db_rows_int(r, 3);
		snprintf(s->sms_sender, sizeof(s->sms_sender), "%s", db_rows_text(r, 4));
		s->sms_accent_free = (int)db_rows_int(r, 5);
		s->version = db_rows_int(r, 6);
		s->updated_at = db_rows_int(r, 7);
		s->stored = 1;
	}
	db_rows_free(r);
	return rc < 0 ? -1 : 0;
}

static char *shipped(const char *locale, const char *ext)
{
	char name[64];
	snprintf(name, sizeof(name), "%s/reminder.%s", locale, ext);
	const struct embedded_file *f = embed_find(notify_template_files, name);
	if (!f)
		return xstrdup("");
	size_t n = f->len;
	while (n && (f->data[n - 1] == '\n' || f->data[n - 1] == '\r'))
		n--;
	return xstrndup(f->data, n);
}

int nsettings_text_get(db_conn *c, int64_t account_id, const char *channel, const char *locale,
		       char **subject, char **body, struct err *e)
{
	*subject = *body = NULL;
	db_rows *r;
	if (db_query(c,
		     "SELECT subject, body FROM notification_texts WHERE account_id = $1 AND kind = $2 AND "
		     "channel = $3 AND locale = $4",
		     DB_ARGS(DB_INT(account_id), DB_TEXT(NSET_TEXT_KIND), DB_TEXT(channel), DB_TEXT(locale)),
		     &r, e))
		return -1;
	int rc = db_rows_next(r, e);
	if (rc > 0) {
		*subject = xstrdup(db_rows_text(r, 0));
		*body = xstrdup(db_rows_text(r, 1));
	}
	db_rows_free(r);
	return rc;
}

static const char *const text_channel[NSET_TEXTS] = {"email", "email", "sms", "sms"};
static const char *const text_locale[NSET_TEXTS] = {"fr", "en", "fr", "en"};

int nsettings_texts_load(db_conn *c, int64_t account_id, struct nset_text t[NSET_TEXTS], struct err *e)
{
	memset(t, 0, sizeof(*t) * NSET_TEXTS);
	for (int i = 0; i < NSET_TEXTS; i++) {
		t[i].channel = text_channel[i];
		t[i].locale = text_locale[i];
		int rc = nsettings_text_get(c, account_id, t[i].channel, t[i].locale, &t[i].subject,
					    &t[i].body, e);
		if (rc < 0) {
			nsettings_texts_release(t);
			return -1;
		}
		t[i].edited = rc;
		if (!rc) {
			int sms = !strcmp(t[i].channel, "sms");
			t[i].subject = sms ? xstrdup("") : shipped(t[i].locale, "subject");
			t[i].body = shipped(t[i].locale, sms ? "sms" : "txt");
		}
	}
	return 0;
}

void nsettings_texts_release(struct nset_text t[NSET_TEXTS])
{
	for (int i = 0; i < NSET_TEXTS; i++) {
		free(t[i].subject);
		free(t[i].body);
		t[i].subject = t[i].body = NULL;
	}
}

/* ---- texts: variables and the SMS worst case ---- */

/* Checks every {{name}} of text against the list; with fill, appends to *fill the text with
 * each variable replaced by its cap of 'x'. */
static int scan_text(const char *text, const char *field, struct buf *fill, struct err *e)
{
	const char *p = text;
	for (;;) {
		const char *open = strstr(p, "{{");
		if (!open) {
			if (fill && buf_appends(fill, p))
				return err_invalid(e, field, "the text is too long");
			return 0;
		}
		const char *close = strstr(open + 2, "}}");
		if (!close)
			return err_set(e, 400, "invalid_template", field, "a {{ is not closed by }}");
		const char *a = open + 2, *b = close;
		while (a < b && *a == ' ')
			a++;
		while (b > a && b[-1] == ' ')
			b--;
		int i = var_index(a, (size_t)(b - a));
		if (i < 0)
			return err_set(e, 400, "unknown_variable", field, "unknown variable {{%.*s}}",
				       (int)((b - a) > 40 ? 40 : (b - a)), a);
		if (fill) {
			if (buf_append(fill, p, (size_t)(open - p)))
				return err_invalid(e, field, "the text is too long");
			for (int k = 0; k < var_cap(i); k++)
				if (buf_append(fill, "x", 1))
					return err_invalid(e, field, "the text is too long");
		}
		p = close + 2;
	}
}

int nsettings_sms_worst(const char *text, int accent_free, const char *field, const char **encoding,
			int *segments, int *units, struct err *e)
{
	struct buf norm = BUF_INIT(4 * SMS_TEXT_MAX + 16), fill = BUF_INIT(16 * SMS_TEXT_MAX);
	int rc = -1;
	if (sms_normalise(text, accent_free, &norm, e)) {
		snprintf(e->field, sizeof(e->field), "%s", field);
		goto out;
	}
	if (scan_text(buf_str(&norm), field, &fill, e))
		goto out;
	struct sms_measure m;
	sms_measure_text(buf_str(&fill), &m);
	*encoding = m.coding == SMS_GSM7 ? "gsm7" : "ucs2";
	*segments = m.segments;
	*units = m.units;
	rc = 0;
out:
	buf_release(&norm);
	buf_release(&fill);
	return rc;
}

/* Validates one entry of "texts" (field prefix f). Sets *reset when it asks for the shipped
 * text back. */
static int text_check(const json_t *t, const char *f, int accent_free, struct err *e)
{
	char field[64];
	if (!json_is_object(t))
		return err_invalid(e, f, "a text is {channel, locale, subject, body}");
	const char *k;
	const json_t *v;
	json_object_foreach((json_t *)t, k, v)
	{
		if (strcmp(k, "kind") && strcmp(k, "channel") && strcmp(k, "locale") &&
		    strcmp(k, "subject") && strcmp(k, "body")) {
			snprintf(field, sizeof(field), "%s.%.20s", f, k);
			return err_set(e, 400, "unknown_field", field, "unknown field");
		}
	}
	const char *kind = json_string_value(json_object_get(t, "kind"));
	const char *channel = json_string_value(json_object_get(t, "channel"));
	const char *locale = json_string_value(json_object_get(t, "locale"));
	const json_t *jsubject = json_object_get(t, "subject"), *jbody = json_object_get(t, "body");
	snprintf(field, sizeof(field), "%s.kind", f);
	if (json_object_get(t, "kind") && (!kind || strcmp(kind, NSET_TEXT_KIND)))
		return err_invalid(e, field, "only the \"reminder\" texts can be edited");
	snprintf(field, sizeof(field), "%s.channel", f);
	if (!channel || (strcmp(channel, "email") && strcmp(channel, "sms")))
		return err_invalid(e, field, "channel is \"email\" or \"sms\"");
	snprintf(field, sizeof(field), "%s.locale", f);
	if (!locale || (strcmp(locale, "fr") && strcmp(locale, "en")))
		return err_invalid(e, field, "locale is \"fr\" or \"en\"");
	int sms = !strcmp(channel, "sms");
	snprintf(field, sizeof(field), "%s.body", f);
	if (jbody && !json_is_null(jbody) && !json_is_string(jbody))
		return err_invalid(e, field, "body is a string, or null for the shipped text");
	const char *body = json_string_value(jbody);
	if (!body || !body[0])
		return 0; /* back to the shipped text */
	size_t blen = json_string_length(jbody);
	if (blen > (sms ? NSET_SMS_BODY_MAX : NSET_EMAIL_BODY_MAX) || strlen(body) != blen)
		return err_invalid(e, field, "the text is at most %d bytes",
				   sms ? NSET_SMS_BODY_MAX : NSET_EMAIL_BODY_MAX);
	if (sms) {
		if (jsubject && !json_is_null(jsubject) && json_string_length(jsubject))
			return err_invalid(e, field, "an SMS has no subject");
		const char *enc;
		int segs, units;
		if (nsettings_sms_worst(body, accent_free, field, &enc, &segs, &units, e))
			return -1;
		if (segs > SMS_MAX_SEGMENTS)
			return err_set(e, 422, "sms_too_long", field,
				       "at its longest this SMS takes %d segments (%s); the limit is %d",
				       segs, enc, SMS_MAX_SEGMENTS);
		return 0;
	}
	if (scan_text(body, field, NULL, e))
		return -1;
	snprintf(field, sizeof(field), "%s.subject", f);
	const char *subject = json_string_value(jsubject);
	if (!subject || !subject[0] || json_string_length(jsubject) > NSET_SUBJECT_MAX ||
	    strchr(subject, '\n') || strlen(subject) != json_string_length(jsubject))
		return err_invalid(e, field, "an e-mail needs a subject of one line, at most %d bytes",
				   NSET_SUBJECT_MAX);
	return scan_text(subject, field, NULL, e);
}

static int sender_ok(const char *s)
{
	size_t n = strlen(s);
	if (n > NSET_SENDER_MAX)
		return 0;
	int letters = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			letters++;
		else if (c != ' ')
			return 0;
	}
	return n == 0 || letters > 0;
}

int nsettings_apply_json(const json_t *body, struct nsettings *s, struct err *e)
{
	if (!json_is_object(body))
		return err_set(e, 400, "invalid_json", NULL, "the body is a JSON object");
	static const char *const allowed[] = {"version",	 "reminders",	  "owner_new_booking",
					      "owner_changes",	 "staff_notices", "sms_sender",
					      "sms_accent_free", "texts",	  NULL};
	const char *key;
	const json_t *val;
	json_object_foreach((json_t *)body, key, val)
	{
		int ok = 0;
		for (const char *const *a = allowed; *a; a++)
			ok |= !strcmp(*a, key);
		if (!ok)
			return err_set(e, 400, "unknown_field", key, "unknown field");
	}
	const json_t *v;
	if ((v = json_object_get(body, "reminders")) && reminders_from_json(v, s, e))
		return -1;
	static const char *const flags[] = {"owner_new_booking", "owner_changes", "staff_notices",
					    "sms_accent_free"};
	int *dest[] = {&s->owner_new_booking, &s->owner_changes, &s->staff_notices, &s->sms_accent_free};
	for (int i = 0; i < 4; i++) {
		v = json_object_get(body, flags[i]);
		if (!v)
			continue;
		if (!json_is_boolean(v))
			return err_invalid(e, flags[i], "%s is true or false", flags[i]);
		*dest[i] = json_is_true(v);
	}
	if ((v = json_object_get(body, "sms_sender"))) {
		const char *sender = json_string_value(v);
		if (!sender || strlen(sender) != json_string_length(v) || !sender_ok(sender))
			return err_invalid(e, "sms_sender",
					   "the sender name is at most %d letters, digits or spaces",
					   NSET_SENDER_MAX);
		snprintf(s->sms_sender, sizeof(s->sms_sender), "%s", sender);
	}
	if ((v = json_object_get(body, "texts"))) {
		if (!json_is_array(v) || json_array_size(v) > NSET_TEXTS)
			return err_invalid(e, "texts", "texts is a list of at most %d texts", NSET_TEXTS);
		char f[32];
		for (size_t i = 0; i < json_array_size(v); i++) {
			snprintf(f, sizeof(f), "texts[%zu]", i);
			if (text_check(json_array_get(v, i), f, s->sms_accent_free, e))
				return -1;
		}
	}
	return 0;
}

static int save_texts(db_conn *c, int64_t account_id, const json_t *texts, int64_t now, struct err *e)
{
	size_t i;
	const json_t *t;
	json_array_foreach(texts, i, t)
	{
		const char *channel = json_string_value(json_object_get(t, "channel"));
		const char *locale = json_string_value(json_object_get(t, "locale"));
		const char *subject = json_string_value(json_object_get(t, "subject"));
		const char *body = json_string_value(json_object_get(t, "body"));
		int rc;
		if (!body || !body[0])
			rc = db_exec(c,
				     "DELETE FROM notification_texts WHERE account_id = $1 AND kind = $2 AND "
				     "channel = $3 AND locale = $4",
				     DB_ARGS(DB_INT(account_id), DB_TEXT(NSET_TEXT_KIND), DB_TEXT(channel),
					     DB_TEXT(locale)),
				     e);
		else
			rc = db_exec(
				c,
				"INSERT INTO notification_texts (account_id, kind, channel, locale, subject, "
				"body, "
				"updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (account_id, "
				"kind, "
				"channel, locale) DO UPDATE SET subject = $5, body = $6, updated_at = $7",
				DB_ARGS(DB_INT(account_id), DB_TEXT(NSET_TEXT_KIND), DB_TEXT(channel),
					DB_TEXT(locale), DB_TEXT(!strcmp(channel, "sms") ? "" : subject),
					DB_TEXT(body), DB_INT(now)),
				e);
		if (rc < 0)
			return -1;
	}
	return 0;
}

int nsettings_save(db_conn *c, int64_t account_id, struct nsettings *s, int64_t expected, const json_t *texts,
		   int64_t now, struct err *e)
{
	json_t *rj = reminders_to_json(s);
	char *rtext = json_dumps(rj, JSON_COMPACT);
	json_decref(rj);
	int rc;
	if (s->stored)
		rc = db_exec(c,
			     "UPDATE notification_settings SET reminders = $3, owner_new_booking = $4, "
			     "owner_changes = "
			     "$5, staff_notices = $6, sms_sender = $7, sms_accent_free = $8, version = "
			     "version + 1, "
			     "updated_at = $9 WHERE account_id = $1 AND version = $2",
			     DB_ARGS(DB_INT(account_id), DB_INT(expected), DB_TEXT(rtext),
				     DB_INT(s->owner_new_booking), DB_INT(s->owner_changes),
				     DB_INT(s->staff_notices), DB_TEXT(s->sms_sender),
				     DB_INT(s->sms_accent_free), DB_INT(now)),
			     e);
	else if (expected != 1)
		rc = 0;
	else
		rc = db_exec(c,
			     "INSERT INTO notification_settings (account_id, reminders, owner_new_booking, "
			     "owner_changes, staff_notices, sms_sender, sms_accent_free, version, "
			     "updated_at) VALUES "
			     "($1, $2, $3, $4, $5, $6, $7, 2, $8) ON CONFLICT (account_id) DO NOTHING",
			     DB_ARGS(DB_INT(account_id), DB_TEXT(rtext), DB_INT(s->owner_new_booking),
				     DB_INT(s->owner_changes), DB_INT(s->staff_notices),
				     DB_TEXT(s->sms_sender), DB_INT(s->sms_accent_free), DB_INT(now)),
			     e);
	free(rtext);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return err_set(e, 409, "stale_version", "version",
			       "the settings were changed meanwhile; reload them and try again");
	s->version = expected + 1;
	s->updated_at = now;
	s->stored = 1;
	return texts ? save_texts(c, account_id, texts, now, e) : 0;
}

json_t *nsettings_to_json(const struct nsettings *s)
{
	return json_pack("{s:o, s:b, s:b, s:b, s:s, s:b, s:I}", "reminders", reminders_to_json(s),
			 "owner_new_booking", s->owner_new_booking, "owner_changes", s->owner_changes,
			 "staff_notices", s->staff_notices, "sms_sender", s->sms_sender, "sms_accent_free",
			 s->sms_accent_free, "version", (json_int_t)s->version);
}

json_t *nsettings_texts_json(const struct nset_text t[NSET_TEXTS], int accent_free)
{
	json_t *a = json_array();
	for (int i = 0; i < NSET_TEXTS; i++) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:b}", "kind", NSET_TEXT_KIND, "channel",
				      t[i].channel, "locale", t[i].locale, "body", t[i].body, "edited",
				      t[i].edited);
		if (!strcmp(t[i].channel, "email")) {
			json_object_set_new(o, "subject", json_string(t[i].subject));
		} else {
			const char *enc;
			int segs, units;
			struct err e = {0};
			if (!nsettings_sms_worst(t[i].body, accent_free, "body", &enc, &segs, &units, &e)) {
				json_object_set_new(o, "encoding", json_string(enc));
				json_object_set_new(o, "segments", json_integer(segs));
				json_object_set_new(o, "units", json_integer(units));
			}
		}
		json_array_append_new(a, o);
	}
	return a;
}
