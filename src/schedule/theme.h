/* theme — the branding of a business's public booking page (Optimum, and a trial of
 * Optimum): two colours, an optional logo (a file of the account), and displayed texts in
 * French and English. Validation of the editor's input, the stored row, the WCAG 2.x
 * contrast figures the editor warns with, and the image check of an uploaded logo.
 * Whether a theme is shown (may(FEAT_BRANDING)) is the caller's business: a downgraded
 * account's theme stays stored. Texts are plain text, stored and returned as typed; the
 * page shows them escaped. docs/internals/public.md. */
#ifndef CRENEAU_SCHEDULE_THEME_H
#define CRENEAU_SCHEDULE_THEME_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"

enum {
	THEME_TEXT_MAX = 500,	      /* characters of welcome, instructions, confirmation */
	THEME_BUTTON_MAX = 40,	      /* characters of book_button */
	THEME_LOGO_MAX = 1024 * 1024, /* bytes of a logo */
};
enum theme_lang { THEME_FR, THEME_EN, THEME_LANG_COUNT };
enum theme_text {
	THEME_WELCOME,
	THEME_INSTRUCTIONS,
	THEME_CONFIRMATION,
	THEME_BOOK_BUTTON,
	THEME_TEXT_COUNT
};

struct theme {
	char primary[8]; /* "#rrggbb", lower case */
	char accent[8];
	char logo_file_id[33]; /* "" when none */
	char logo_type[16];    /* "image/png" | "image/jpeg" | "image/webp" | "" */
	/* UTF-8, at most THEME_TEXT_MAX characters (4 bytes each at worst); "" = the default */
	char texts[THEME_LANG_COUNT][THEME_TEXT_COUNT][THEME_TEXT_MAX * 4 + 1];
	int64_t updated_at;
};

/* The language and text keys as they appear in JSON ("fr", "welcome" ...). */
extern const char *const theme_lang_keys[THEME_LANG_COUNT];
extern const char *const theme_text_keys[THEME_TEXT_COUNT];

/* Reads PUT /api/v1/theme's body {primary, accent, texts {fr {...}, en {...}}} into *t
 * (logo untouched). 400 naming the field: `invalid_color` for a colour not "#rrggbb",
 * `text_too_long` over a text's limit, `invalid_field` for a wrong type or a control
 * character, `unknown_field` for a key not in the contract, `missing_field`. */
int theme_from_json(const json_t *body, struct theme *t, struct err *e) WUR;
/* {primary, accent, logo_url, texts {fr, en}} — logo_url given by the caller (NULL → null).
 * A new reference for the caller. */
json_t *theme_to_json(const struct theme *t, const char *logo_url);
/* The WCAG figures of the colours: {primary_on_white, primary_on_white_aa, primary_on_text,
 * primary_on_text_aa, accent_on_white, ..., aa} where "text" is #1d2430 and aa is the 4.5:1
 * level; the overall aa holds when primary and accent each reach it against white or text. */
json_t *theme_contrast_json(const struct theme *t);

/* WCAG 2.x relative luminance of "#rrggbb" (0..1), or -1 when hex is not "#rrggbb". */
double theme_luminance(const char *hex);
/* WCAG 2.x contrast ratio (1..21) between two "#rrggbb" colours; 0 when either is invalid. */
double theme_contrast(const char *a, const char *b);
/* 1 when s is exactly "#" and six hex digits. */
int theme_color_valid(const char *s);

/* The image type of data by its magic bytes: "image/png", "image/jpeg", "image/webp", or
 * NULL for anything else (SVG, text, a truncated header). */
const char *theme_image_type(const void *data, size_t len);

/* Loads the account's theme into *t: 1 when there is one, 0 when none, negative on error. */
int theme_get(db_conn *c, int64_t account_id, struct theme *t, struct err *e) WUR;
/* Stores colours and texts (upsert; keeps the logo). */
int theme_put(db_conn *c, int64_t account_id, const struct theme *t, int64_t now, struct err *e) WUR;
/* Sets (file_id and type non-NULL) or clears (NULL) the logo; the previous file id, if any,
 * goes to old_id (the caller deletes that file in the same transaction). Creates the row
 * with default colours when there is none. */
int theme_set_logo(db_conn *c, int64_t account_id, const char *file_id, const char *type, int64_t now,
		   char old_id[33], struct err *e) WUR;
/* The colours of a new theme (the default look of the booking page). */
void theme_defaults(struct theme *t);

#endif
