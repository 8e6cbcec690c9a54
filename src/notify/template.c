/* template — {{var}} substitution for e-mail and SMS texts embedded from templates/. */
#include "notify/notify.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "base/embed.h"
#include "base/xalloc.h"
#include "notify/notify_int.h"
#include "base/banned.h"

#define VAR_NAME_MAX 64

static int name_char(char ch)
{
	return isalnum((unsigned char)ch) || ch == '_' || ch == '.';
}

/* Looks up "a.b.c" in nested objects. */
static const json_t *lookup(const json_t *vars, const char *name, size_t n)
{
	const json_t *cur = vars;
	while (n && cur) {
		const char *dot = memchr(name, '.', n);
		size_t part = dot ? (size_t)(dot - name) : n;
		char key[VAR_NAME_MAX + 1];
		if (!part || part > VAR_NAME_MAX || !json_is_object(cur))
			return NULL;
		memcpy(key, name, part);
		key[part] = '\0';
		cur = json_object_get(cur, key);
		if (!dot)
			return cur;
		name += part + 1;
		n -= part + 1;
	}
	return NULL;
}

static int append_escaped(struct buf *out, const char *s, size_t n, int html)
{
	if (!html)
		return buf_append(out, s, n);
	for (size_t i = 0; i < n; i++) {
		const char *rep = NULL;
		switch (s[i]) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&#39;";
			break;
		}
		if (rep ? buf_appends(out, rep) : buf_append(out, &s[i], 1))
			return -1;
	}
	return 0;
}

static int too_big(struct err *e)
{
	return err_set(e, 500, "template_error", NULL, "rendered template over %d bytes", NOTIFY_OUTPUT_MAX);
}

int template_render_string(const char *tpl, size_t len, const json_t *vars, int html, struct buf *out,
			   struct err *e)
{
	size_t i = 0;
	while (i < len) {
		const char *open = NULL;
		for (size_t k = i; k + 1 < len; k++)
			if (tpl[k] == '{' && tpl[k + 1] == '{') {
				open = tpl + k;
				break;
			}
		size_t lit = open ? (size_t)(open - (tpl + i)) : len - i;
		if (buf_append(out, tpl + i, lit))
			return too_big(e);
		if (!open)
			break;
		size_t a = (size_t)(open - tpl) + 2, b = a;
		while (b < len && tpl[b] == ' ')
			b++;
		size_t name_at = b;
		while (b < len && name_char(tpl[b]))
			b++;
		size_t name_len = b - name_at;
		while (b < len && tpl[b] == ' ')
			b++;
		if (b + 1 >= len || tpl[b] != '}' || tpl[b + 1] != '}' || !name_len ||
		    name_len > VAR_NAME_MAX)
			return err_set(e, 500, "template_error", NULL, "malformed placeholder at byte %zu",
				       (size_t)(open - tpl));
		const json_t *v = lookup(vars, tpl + name_at, name_len);
		char num[64];
		const char *s;
		size_t n;
		if (json_is_string(v)) {
			s = json_string_value(v);
			n = json_string_length(v);
		} else if (json_is_integer(v)) {
			n = (size_t)snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
					     json_integer_value(v));
			s = num;
		} else if (json_is_real(v)) {
			n = (size_t)snprintf(num, sizeof(num), "%g", json_real_value(v));
			s = num;
		} else {
			return err_set(e, 500, "template_error", NULL, "template variable %.*s is %s",
				       (int)name_len, tpl + name_at,
				       v ? "not a string or number" : "missing");
		}
		if (append_escaped(out, s, n, html))
			return too_big(e);
		i = b + 2;
	}
	return 0;
}

int notify_locale_ok(const char *s)
{
	size_t n = strlen(s);
	if (n < 2 || n >= NOTIFY_LOCALE_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalpha((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
			return 0;
	return 1;
}

static int template_name_ok(const char *s)
{
	size_t n = strlen(s);
	if (!n || n > VAR_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && s[i] != '_')
			return 0;
	return 1;
}

/* templates/<dir>/<name>.<ext> exactly, or NULL. */
static const struct embedded_file *part(const char *dir, const char *name, const char *ext)
{
	char path[NOTIFY_LOCALE_MAX + VAR_NAME_MAX + 16];
	snprintf(path, sizeof(path), "%s/%s.%s", dir, name, ext);
	return embed_find(notify_template_files, path);
}

const struct embedded_file *notify_template_find(const char *locale, const char *name, const char *ext,
						 char found[NOTIFY_LOCALE_MAX])
{
	if (!name || !template_name_ok(name) || !ext || strlen(ext) > 8)
		return NULL;
	char cand[3][NOTIFY_LOCALE_MAX];
	int n = 0;
	if (locale && notify_locale_ok(locale)) {
		snprintf(cand[n++], NOTIFY_LOCALE_MAX, "%s", locale);
		size_t lang = strcspn(locale, "-_");
		if (locale[lang])
			snprintf(cand[n++], NOTIFY_LOCALE_MAX, "%.*s", (int)lang, locale);
	}
	snprintf(cand[n++], NOTIFY_LOCALE_MAX, "fr");
	for (int i = 0; i < n; i++) {
		const struct embedded_file *f = part(cand[i], name, ext);
		if (f) {
			if (found)
				memcpy(found, cand[i], NOTIFY_LOCALE_MAX);
			return f;
		}
	}
	return NULL;
}

static int render_part(const struct embedded_file *f, const json_t *vars, int html, char **out, struct err *e)
{
	struct buf b = BUF_INIT(NOTIFY_OUTPUT_MAX);
	if (template_render_string(f->data, f->len, vars, html, &b, e)) {
		buf_release(&b);
		return -1;
	}
	if (buf_append(&b, "", 0)) { /* makes data non-NULL even when empty */
		buf_release(&b);
		return too_big(e);
	}
	*out = b.data ? buf_detach(&b, NULL) : xstrdup("");
	return 0;
}

int notify_render(const char *locale, const char *name, const json_t *vars, struct notify_rendered *out,
		  struct err *e)
{
	memset(out, 0, sizeof(*out));
	if (!name || !template_name_ok(name))
		return err_set(e, 500, "template_error", NULL, "bad template name");
	char chosen[NOTIFY_LOCALE_MAX];
	const struct embedded_file *subject = notify_template_find(locale, name, "subject", chosen);
	if (!subject)
		return err_set(e, 500, "template_error", NULL, "no template %s", name);
	const struct embedded_file *text = part(chosen, name, "txt");
	const struct embedded_file *html = part(chosen, name, "html");
	if (!text || !html)
		return err_set(e, 500, "template_error", NULL, "template %s/%s lacks a part", chosen, name);
	json_t *empty = vars ? NULL : json_object();
	const json_t *v = vars ? vars : empty;
	int rc = 0;
	if (render_part(subject, v, 0, &out->subject, e) || render_part(text, v, 0, &out->text, e) ||
	    render_part(html, v, 1, &out->html, e))
		rc = -1;
	json_decref(empty);
	if (rc) {
		notify_rendered_release(out);
		return rc;
	}
	/* the subject is one line: trailing newlines go, inner ones become spaces */
	size_t n = strlen(out->subject);
	while (n && (out->subject[n - 1] == '\n' || out->subject[n - 1] == '\r'))
		out->subject[--n] = '\0';
	for (char *p = out->subject; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	return 0;
}

void notify_rendered_release(struct notify_rendered *r)
{
	free(r->subject);
	free(r->text);
	free(r->html);
	memset(r, 0, sizeof(*r));
}
