/* theme: WCAG contrast against published figures, colour and text validation naming the
 * field, and the magic-byte check of logos. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "schedule/theme.h"

static void contrast_matches_wcag(void **state)
{
	(void)state;
	assert_float_equal(theme_contrast("#000000", "#ffffff"), 21.0, 1e-9);
	assert_float_equal(theme_contrast("#ffffff", "#FFFFFF"), 1.0, 1e-9);
	assert_float_equal(theme_luminance("#ffffff"), 1.0, 1e-9);
	assert_float_equal(theme_luminance("#000000"), 0.0, 1e-9);
	/* #767676 is the lightest grey that passes AA on white; #777777 just fails */
	assert_float_equal(theme_contrast("#767676", "#ffffff"), 4.54, 0.01);
	assert_float_equal(theme_contrast("#777777", "#ffffff"), 4.48, 0.01);
	assert_float_equal(theme_contrast("#ffcc00", "#1d2430"), 10.31, 0.01);
	assert_float_equal(theme_contrast("red", "#ffffff"), 0.0, 1e-9);
	assert_true(theme_luminance("#12345") < 0);
}

static json_t *contrast_of(const char *primary, const char *accent)
{
	struct theme *t = calloc(1, sizeof(*t));
	theme_defaults(t);
	memcpy(t->primary, primary, 8);
	memcpy(t->accent, accent, 8);
	json_t *j = theme_contrast_json(t);
	free(t);
	return j;
}

static void contrast_json_flags_aa(void **state)
{
	(void)state;
	json_t *j = contrast_of("#767676", "#ffcc00");
	assert_true(json_is_true(json_object_get(j, "primary_on_white_aa")));
	assert_false(json_is_true(json_object_get(j, "accent_on_white_aa")));
	assert_true(json_is_true(json_object_get(j, "accent_on_text_aa")));
	assert_true(json_is_true(json_object_get(j, "aa")));
	assert_float_equal(json_real_value(json_object_get(j, "primary_on_white")), 4.54, 0.001);
	json_decref(j);
	j = contrast_of("#777777", "#ffcc00");
	assert_false(json_is_true(json_object_get(j, "primary_on_white_aa")));
	assert_false(json_is_true(json_object_get(j, "aa")));
	json_decref(j);
}

static int parse(const char *text, struct theme *t, struct err *e)
{
	json_t *j = json_loads(text, 0, NULL);
	assert_non_null(j);
	theme_defaults(t);
	int rc = theme_from_json(j, t, e);
	json_decref(j);
	return rc;
}

static void input_is_checked_field_by_field(void **state)
{
	(void)state;
	struct theme *t = calloc(1, sizeof(*t));
	struct err e = {0};
	assert_int_equal(
		parse("{\"primary\": \"#A0B1C2\", \"accent\": \"#000000\", \"texts\": {\"fr\": {\"welcome\":"
		      " \"<script>alert(1)</script>\", \"book_button\": \"Réserver\"}}}",
		      t, &e),
		0);
	assert_string_equal(t->primary, "#a0b1c2");
	assert_string_equal(t->texts[THEME_FR][THEME_WELCOME], "<script>alert(1)</script>");
	assert_string_equal(t->texts[THEME_FR][THEME_BOOK_BUTTON], "Réserver");
	assert_string_equal(t->texts[THEME_EN][THEME_WELCOME], "");

	const struct {
		const char *body, *code, *field;
	} bad[] = {
		{"{\"primary\": \"red\", \"accent\": \"#000000\"}", "invalid_color", "primary"},
		{"{\"primary\": \"#000000\", \"accent\": \"#12345\"}", "invalid_color", "accent"},
		{"{\"primary\": \"#000000\", \"accent\": \"#12345g\"}", "invalid_color", "accent"},
		{"{\"accent\": \"#000000\"}", "missing_field", "primary"},
		{"{\"primary\": \"#000000\", \"accent\": \"#000000\", \"logo\": 1}", "unknown_field", "logo"},
		{"{\"primary\": \"#000000\", \"accent\": \"#000000\", \"texts\": {\"de\": {}}}",
		 "unknown_field", "texts.de"},
		{"{\"primary\": \"#000000\", \"accent\": \"#000000\", \"texts\": {\"en\": {\"footer\": "
		 "\"x\"}}}",
		 "unknown_field", "texts.en.footer"},
		{"{\"primary\": \"#000000\", \"accent\": \"#000000\", \"texts\": {\"en\": {\"welcome\": 3}}}",
		 "invalid_field", "texts.en.welcome"},
		{"{\"primary\": \"#000000\", \"accent\": \"#000000\", \"texts\": {\"en\": {\"welcome\": "
		 "\"a\\u0007\"}}}",
		 "invalid_field", "texts.en.welcome"},
		{"{\"primary\": \"#000000\", \"accent\": \"#000000\", \"texts\": {\"fr\": {\"book_button\":"
		 " \"Réservez votre rendez-vous dès aujourd'hui\"}}}",
		 "text_too_long", "texts.fr.book_button"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&e, 0, sizeof(e));
		assert_int_equal(parse(bad[i].body, t, &e), -1);
		assert_int_equal(e.status, 400);
		assert_string_equal(e.code, bad[i].code);
		assert_string_equal(e.field, bad[i].field);
	}

	/* limits count characters, not bytes: 500 "é" pass, 501 do not */
	char body[2400];
	char text[1100] = "";
	for (int i = 0; i < 500; i++)
		strcat(text, "é");
	snprintf(body, sizeof(body),
		 "{\"primary\": \"#000000\", \"accent\": \"#000000\", \"texts\": {\"en\": {\"welcome\": "
		 "\"%s\"}}}",
		 text);
	assert_int_equal(parse(body, t, &e), 0);
	strcat(text, "é");
	snprintf(body, sizeof(body),
		 "{\"primary\": \"#000000\", \"accent\": \"#000000\", \"texts\": {\"en\": {\"welcome\": "
		 "\"%s\"}}}",
		 text);
	assert_int_equal(parse(body, t, &e), -1);
	assert_string_equal(e.code, "text_too_long");
	free(t);
}

static void images_are_known_by_their_bytes(void **state)
{
	(void)state;
	static const unsigned char png[] = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a, 0,    0,    0,
					    13,	  'I', 'H', 'D', 'R',  0,    0,	   0,	 1,    0,    0,
					    0,	  1,   8,   6,	 0,    0,    0,	   0x1f, 0x15, 0xc4, 0x89};
	static const unsigned char jpeg[] = {0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 'J', 'F', 'I', 'F'};
	static const unsigned char webp[] = {'R', 'I', 'F', 'F', 26,  0,   0,	0,
					     'W', 'E', 'B', 'P', 'V', 'P', '8', 'L'};
	static const char svg[] = "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>";
	static const char text[] = "just some text that claims to be a PNG file";
	assert_string_equal(theme_image_type(png, sizeof(png)), "image/png");
	assert_string_equal(theme_image_type(jpeg, sizeof(jpeg)), "image/jpeg");
	assert_string_equal(theme_image_type(webp, sizeof(webp)), "image/webp");
	assert_null(theme_image_type(svg, strlen(svg)));
	assert_null(theme_image_type(text, strlen(text)));
	assert_null(theme_image_type(png, 8));	 /* the signature alone */
	assert_null(theme_image_type(jpeg, 2));	 /* truncated */
	assert_null(theme_image_type(webp, 12)); /* RIFF....WEBP with no chunk */
	assert_null(theme_image_type("", 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(contrast_matches_wcag),
		cmocka_unit_test(contrast_json_flags_aa),
		cmocka_unit_test(input_is_checked_field_by_field),
		cmocka_unit_test(images_are_known_by_their_bytes),
	};
	return cmocka_run_group_tests_name("schedule/theme", tests, NULL, NULL);
}
