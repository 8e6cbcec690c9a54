/* theme — branding of the public booking page: validation, storage, WCAG contrast, and the
 * magic-byte check of a logo. See theme.h. */
#include "schedule/theme.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "base/banned.h"

const char *const theme_lang_keys[THEME_LANG_COUNT] = {"fr", "en"};
const char *const theme_text_keys[THEME_TEXT_COUNT] = {"welcome", "instructions", "confirmation",
						       "book_button"};

#define TEXT_COLOR "#1d2430"
#define AA_RATIO   4.5

void theme_defaults(struct theme *t)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->primary, sizeof(t->primary), "#1d4ed8");
	snprintf(t->accent, sizeof(t->accent), "#0f766e");
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int theme_color_valid(const char *s)
{
	if (!s || s[0] != '#' || strlen(s) != 7)
		return 0;
	for (int i = 1; i < 7; i++)
		if (hexval(s[i]) < 0)
			return 0;
	return 1;
}

static double channel(int v)
{
	double c = v / 255.0;
	return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

double theme_luminance(const char *hex)
{
	if (!theme_color_valid(hex))
		return -1;
	int rgb[3];
	for (int i = 0; i < 3; i++)
		rgb[i] = hexval(hex[1 + 2 * i]) * 16 + hexval(hex[2 + 2 * i]);
	return 0.2126 * channel(rgb[0]) + 0.7152 * channel(rgb[1]) + 0.0722 * channel(rgb[2]);
}

double theme_contrast(const char *a, const char *b)
{
	double la = theme_luminance(a), lb = theme_luminance(b);
	if (la < 0 || lb < 0)
		return 0;
	double hi = la > lb ? la : lb, lo = la > lb ? lb : la;
	return (hi + 0.05) / (lo + 0.05);
}

/* Characters (code points) of a valid UTF-8 string. */
static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

static int read_color(const json_t *body, const char *field, char out[8], struct err *e)
{
	const json_t *v = json_object_get(body, field);
	if (!v || json_is_null(v))
		return err_set(e, 400, "missing_field", field, "%s is required (#rrggbb)", field);
	const char *s = json_string_value(v);
	if (!theme_color_valid(s))
		return err_set(e, 400, "invalid_color", field, "%s must be a colour written #rrggbb", field);
	for (int i = 0; i < 7; i++)
		out[i] = (char)(s[i] >= 'A' && s[i] <= 'F' ? s[i] - 'A' + 'a' : s[i]);
	out[7] = '\0';
	return 0;
}

static int read_texts(const json_t *texts, struct theme *t, struct err *e)
{
	if (!json_is_object(texts))
		return err_set(e, 400, "invalid_field", "texts", "texts must be an object {fr, en}");
	const char *lang;
	const json_t *lv;
	json_object_foreach((json_t *)texts, lang, lv)
	{
		int l = -1;
		for (int i = 0; i < THEME_LANG_COUNT; i++)
			if (!strcmp(lang, theme_lang_keys[i]))
				l = i;
		char field[64];
		snprintf(field, sizeof(field), "texts.%.20s", lang);
		if (l < 0)
			return err_set(e, 400, "unknown_field", field, "texts has fr and en only");
		if (json_is_null(lv))
			continue;
		if (!json_is_object(lv))
			return err_set(e, 400, "invalid_field", field, "%s must be an object", field);
		const char *key;
		const json_t *v;
		json_object_foreach((json_t *)lv, key, v)
		{
			int k = -1;
			for (int i = 0; i < THEME_TEXT_COUNT; i++)
				if (!strcmp(key, theme_text_keys[i]))
					k = i;
			snprintf(field, sizeof(field), "texts.%s.%.30s", theme_lang_keys[l], key);
			if (k < 0)
				return err_set(e, 400, "unknown_field", field, "%s is not a text of the page",
					       field);
			if (json_is_null(v))
				continue;
			const char *s = json_string_value(v);
			if (!s)
				return err_set(e, 400, "invalid_field", field, "%s must be a string", field);
			size_t max = k == THEME_BOOK_BUTTON ? THEME_BUTTON_MAX : THEME_TEXT_MAX;
			size_t bytes = json_string_length(v);
			if (bytes != strlen(s))
				return err_set(e, 400, "invalid_field", field, "%s contains a NUL character",
					       field);
			if (bytes >= sizeof(t->texts[l][k]) || utf8_chars(s) > max)
				return err_set(e, 400, "text_too_long", field,
					       "%s is longer than %zu characters", field, max);
			for (const unsigned char *p = (const unsigned char *)s; *p; p++)
				if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f)
					return err_set(e, 400, "invalid_field", field,
						       "%s contains a control character", field);
			memcpy(t->texts[l][k], s, bytes + 1);
		}
	}
	return 0;
}

int theme_from_json(const json_t *body, struct theme *t, struct err *e)
{
	if (!json_is_object(body))
		return err_set(e, 400, "invalid_json", NULL, "the body must be a JSON object");
	const char *key;
	const json_t *v;
	json_object_foreach((json_t *)body, key, v)
	{
		if (strcmp(key, "primary") && strcmp(key, "accent") && strcmp(key, "texts"))
			return err_set(e, 400, "unknown_field", key, "%.40s is not a field of the theme",
				       key);
	}
	if (read_color(body, "primary", t->primary, e) || read_color(body, "accent", t->accent, e))
		return -1;
	memset(t->texts, 0, sizeof(t->texts));
	const json_t *texts = json_object_get(body, "texts");
	if (texts && !json_is_null(texts) && read_texts(texts, t, e))
		return -1;
	return 0;
}

static json_t *texts_json(const struct theme *t)
{
	json_t *all = json_object();
	for (int l = 0; l < THEME_LANG_COUNT; l++) {
		json_t *o = json_object();
		for (int k = 0; k < THEME_TEXT_COUNT; k++)
			json_object_set_new(o, theme_text_keys[k], json_string(t->texts[l][k]));
		json_object_set_new(all, theme_lang_keys[l], o);
	}
	return all;
}

json_t *theme_to_json(const struct theme *t, const char *logo_url)
{
	return json_pack("{s:s, s:s, s:o, s:o}", "primary", t->primary, "accent", t->accent, "logo_url",
			 logo_url ? json_string(logo_url) : json_null(), "texts", texts_json(t));
}

json_t *theme_contrast_json(const struct theme *t)
{
	json_t *o = json_object();
	const struct {
		const char *name, *fg, *bg;
	} pairs[] = {
		{"primary_on_white", t->primary, "#ffffff"},
		{"primary_on_text", t->primary, TEXT_COLOR},
		{"accent_on_white", t->accent, "#ffffff"},
		{"accent_on_text", t->accent, TEXT_COLOR},
	};
	int ok[4];
	for (int i = 0; i < 4; i++) {
		double r = theme_contrast(pairs[i].fg, pairs[i].bg);
		ok[i] = r >= AA_RATIO;
		char aa[40];
		snprintf(aa, sizeof(aa), "%s_aa", pairs[i].name);
		json_object_set_new(o, pairs[i].name, json_real(floor(r * 100 + 0.5) / 100));
		json_object_set_new(o, aa, json_boolean(ok[i]));
	}
	json_object_set_new(o, "aa", json_boolean((ok[0] || ok[1]) && (ok[2] || ok[3])));
	return o;
}

const char *theme_image_type(const void *data, size_t len)
{
	const unsigned char *p = data;
	static const unsigned char png[8] = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a};
	/* a PNG's first chunk is IHDR: signature + length + "IHDR" + 13 bytes + CRC */
	if (len >= 33 && !memcmp(p, png, 8) && !memcmp(p + 12, "IHDR", 4))
		return "image/png";
	if (len >= 4 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
		return "image/jpeg";
	if (len >= 16 && !memcmp(p, "RIFF", 4) && !memcmp(p + 8, "WEBPVP8", 7))
		return "image/webp";
	return NULL;
}

/* ---- storage ---- */

static int texts_from_text(const char *s, struct theme *t)
{
	json_t *j = s ? json_loads(s, 0, NULL) : NULL;
	if (!j)
		return -1;
	for (int l = 0; l < THEME_LANG_COUNT; l++)
		for (int k = 0; k < THEME_TEXT_COUNT; k++) {
			const char *v = json_string_value(
				json_object_get(json_object_get(j, theme_lang_keys[l]), theme_text_keys[k]));
			snprintf(t->texts[l][k], sizeof(t->texts[l][k]), "%s", v ? v : "");
		}
	json_decref(j);
	return 0;
}

int theme_get(db_conn *c, int64_t account_id, struct theme *t, struct err *e)
{
	db_rows *r;
	theme_defaults(t);
	if (db_query(
		    c,
		    "SELECT primary_color, accent_color, COALESCE(logo_file_id, ''), COALESCE(logo_type, ''),"
		    " texts, updated_at FROM themes WHERE account_id = $1",
		    DB_ARGS(DB_INT(account_id)), &r, e))
		return -1;
	int found = db_rows_next(r, e);
	if (found == 1) {
		snprintf(t->primary, sizeof(t->primary), "%s", db_rows_text(r, 0));
		snprintf(t->accent, sizeof(t->accent), "%s", db_rows_text(r, 1));
		snprintf(t->logo_file_id, sizeof(t->logo_file_id), "%s", db_rows_text(r, 2));
		snprintf(t->logo_type, sizeof(t->logo_type), "%s", db_rows_text(r, 3));
		if (texts_from_text(db_rows_text(r, 4), t))
			found = err_internal(e, "the stored texts of account %lld are not JSON",
					     (long long)account_id);
		t->updated_at = db_rows_int(r, 5);
	}
	db_rows_free(r);
	return found;
}

int theme_put(db_conn *c, int64_t account_id, const struct theme *t, int64_t now, struct err *e)
{
	json_t *texts = texts_json(t);
	char *s = json_dumps(texts, JSON_COMPACT);
	json_decref(texts);
	int rc = db_exec(
		c,
		"INSERT INTO themes (account_id, primary_color, accent_color, texts, updated_at)"
		" VALUES ($1, $2, $3, $4, $5) ON CONFLICT (account_id) DO UPDATE SET"
		" primary_color = excluded.primary_color, accent_color = excluded.accent_color,"
		" texts = excluded.texts, updated_at = excluded.updated_at",
		DB_ARGS(DB_INT(account_id), DB_TEXT(t->primary), DB_TEXT(t->accent), DB_TEXT(s), DB_INT(now)),
		e);
	free(s);
	return rc < 0 ? -1 : 0;
}

int theme_set_logo(db_conn *c, int64_t account_id, const char *file_id, const char *type, int64_t now,
		   char old_id[33], struct err *e)
{
	struct theme *t = xcalloc(1, sizeof(*t));
	int found = theme_get(c, account_id, t, e);
	int rc = found;
	old_id[0] = '\0';
	if (found == 1)
		snprintf(old_id, 33, "%s", t->logo_file_id);
	if (found == 0)
		rc = theme_put(c, account_id, t, now, e);
	if (rc >= 0)
		rc = db_exec(c,
			     "UPDATE themes SET logo_file_id = $2, logo_type = $3, updated_at = $4 WHERE "
			     "account_id = $1",
			     DB_ARGS(DB_INT(account_id), DB_TEXT(file_id), DB_TEXT(file_id ? type : NULL),
				     DB_INT(now)),
			     e);
	free(t);
	return rc < 0 ? -1 : 0;
}
