/* Branding through the API: refused on Essentiel and Pro, taken on a trial of Optimum and
 * shown on the public page; kept but not shown after a downgrade; colours and texts checked
 * field by field, script stored as text; logos known by their bytes (PNG, JPEG, WebP taken;
 * SVG, text and 2 MB refused), served back identical. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "harness.h"
#include "sched_fixture.h"

static struct biz O; /* a trial of Optimum */

/* a 1x1 transparent PNG */
static const unsigned char png[] = {
	0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00,
	0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00,
	0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01,
	0x0d, 0x0a, 0x2d, 0xb4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
};
static const unsigned char jpeg[] = {0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 'J',  'F',  'I',  'F',	 0x00,
				     0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xff, 0xd9};
static const unsigned char webp[] = {'R',  'I',	 'F',  'F',  0x1a, 0,	 0,    0,    'W',  'E', 'B', 'P',
				     'V',  'P',	 '8',  'L',  0x0d, 0,	 0,    0,    0x2f, 0,	0,   0,
				     0x10, 0x07, 0x10, 0x11, 0x11, 0x88, 0x88, 0xfe, 0x07, 0};

static void signup(struct biz *b, const char *name, const char *plan)
{
	static int n;
	char email[128];
	snprintf(email, sizeof(email), "theme-%d-%d-%s@brand.example", (int)getpid(), n++,
		 harness_store_kind());
	harness_signup(&H, name, email, plan, &b->s);
	b->id = fx_int("SELECT id FROM accounts WHERE slug = $1", DB_ARGS(DB_TEXT(b->s.slug)));
}

static int setup(void **state)
{
	harness_setup(state);
	signup(&O, "Studio Couleur", NULL);
	return 0;
}

/* PUT /api/v1/theme/logo with raw bytes. */
static void upload(const struct biz *b, const char *type, const void *data, size_t len, struct reply *out)
{
	char ct[128];
	snprintf(ct, sizeof(ct), "Content-Type: %s", type);
	/* "Expect:" off: curl would wait for a 100 Continue before a large body */
	const char *headers[] = {b->s.cookie, b->s.csrf, ct, "Expect:", NULL};
	http_call_raw(&H, "PUT", "/api/v1/theme/logo", data, len, headers, out);
}

static void get_public(const struct biz *b, struct reply *r)
{
	char path[160];
	snprintf(path, sizeof(path), "/api/v1/public/%s", b->s.slug);
	http_call(&H, "GET", path, NULL, NULL, r);
	assert_int_equal(r->status, 200);
}

static const char *public_theme_str(const struct reply *r, const char *key)
{
	return json_string_value(json_object_get(json_object_get(r->json, "theme"), key));
}

static void other_plans_are_refused(void **state)
{
	(void)state;
	const char *plans[] = {"essentiel", "pro"};
	for (int i = 0; i < 2; i++) {
		struct biz b;
		struct reply r;
		signup(&b, plans[i], plans[i]);
		session_call(&H, &b.s, "GET", "/api/v1/theme", NULL, &r);
		assert_error(&r, 403, "plan_required");
		reply_free(&r);
		session_call(&H, &b.s, "PUT", "/api/v1/theme",
			     "{\"primary\": \"#112233\", \"accent\": \"#445566\"}", &r);
		assert_error(&r, 403, "plan_required");
		reply_free(&r);
		upload(&b, "image/png", png, sizeof(png), &r);
		assert_int_equal(r.status, 403);
		reply_free(&r);
		get_public(&b, &r);
		assert_true(json_is_null(json_object_get(r.json, "theme")));
		reply_free(&r);
	}
}

static void optimum_sets_colours_and_texts(void **state)
{
	(void)state;
	struct reply r;
	session_call(&H, &O.s, "GET", "/api/v1/theme", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_true(json_is_false(json_object_get(r.json, "stored")));
	reply_free(&r);

	session_call(&H, &O.s, "PUT", "/api/v1/theme",
		     "{\"primary\": \"#777777\", \"accent\": \"#FFCC00\", \"texts\": {\"fr\": {\"welcome\":"
		     " \"<script>alert('x')</script> Bienvenue\", \"book_button\": \"Réserver\"}, \"en\": "
		     "{\"welcome\": \"Hello\"}}}",
		     &r);
	assert_int_equal(r.status, 200);
	json_t *c = json_object_get(r.json, "contrast");
	assert_float_equal(json_real_value(json_object_get(c, "primary_on_white")), 4.48, 0.01);
	assert_true(json_is_false(json_object_get(c, "primary_on_white_aa")));
	assert_true(json_is_false(json_object_get(c, "aa")));
	assert_string_equal(json_path_str(r.json, "theme", "accent"), "#ffcc00");
	reply_free(&r);

	get_public(&O, &r);
	assert_string_equal(public_theme_str(&r, "primary"), "#777777");
	json_t *texts = json_object_get(json_object_get(r.json, "theme"), "texts");
	assert_string_equal(json_string_value(json_object_get(json_object_get(texts, "fr"), "welcome")),
			    "<script>alert('x')</script> Bienvenue"); /* as typed: the page escapes it */
	assert_string_equal(json_string_value(json_object_get(json_object_get(texts, "en"), "welcome")),
			    "Hello");
	assert_string_equal(json_string_value(json_object_get(json_object_get(texts, "en"), "book_button")),
			    "");
	assert_true(json_is_null(json_object_get(json_object_get(r.json, "theme"), "logo_url")));
	reply_free(&r);

	const struct {
		const char *body, *field;
	} bad[] = {
		{"{\"primary\": \"red\", \"accent\": \"#000000\"}", "primary"},
		{"{\"primary\": \"#000000\", \"accent\": \"#12345\"}", "accent"},
		{"{\"primary\": \"#000000\", \"accent\": \"#000000\", \"texts\": {\"en\": {\"book_button\":"
		 " \"Book an appointment with us today, please!\"}}}",
		 "texts.en.book_button"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		session_call(&H, &O.s, "PUT", "/api/v1/theme", bad[i].body, &r);
		assert_int_equal(r.status, 400);
		assert_string_equal(json_path_str(r.json, "error", "field"), bad[i].field);
		reply_free(&r);
	}
	char *big = malloc(1200);
	int n = snprintf(
		big, 1200,
		"{\"primary\": \"#000000\", \"accent\": \"#000000\", \"texts\": {\"fr\": {\"welcome\": \"");
	memset(big + n, 'a', 501);
	snprintf(big + n + 501, 1200 - (size_t)n - 501, "\"}}}");
	session_call(&H, &O.s, "PUT", "/api/v1/theme", big, &r);
	assert_error(&r, 400, "text_too_long");
	assert_string_equal(json_path_str(r.json, "error", "field"), "texts.fr.welcome");
	reply_free(&r);
	free(big);
	/* nothing changed */
	get_public(&O, &r);
	assert_string_equal(public_theme_str(&r, "primary"), "#777777");
	reply_free(&r);
}

static void logos_are_known_by_their_bytes(void **state)
{
	(void)state;
	struct reply r;
	const struct {
		const char *type;
		const void *data;
		size_t len;
	} good[] = {
		{"image/jpeg", jpeg, sizeof(jpeg)},
		{"image/webp", webp, sizeof(webp)},
		{"image/png", png, sizeof(png)}, /* last: the one served below */
	};
	for (size_t i = 0; i < 3; i++) {
		upload(&O, good[i].type, good[i].data, good[i].len, &r);
		if (r.status != 200)
			fprintf(stderr, "%s: %ld %s\n", good[i].type, r.status, r.body);
		assert_int_equal(r.status, 200);
		assert_non_null(json_path_str(r.json, "theme", "logo_url"));
		reply_free(&r);
	}
	/* replaced logos leave no file behind */
	assert_int_equal(fx_int("SELECT COUNT(*) FROM files WHERE account_id = $1", DB_ARGS(DB_INT(O.id))),
			 1);

	get_public(&O, &r);
	char url[200];
	snprintf(url, sizeof(url), "%s", public_theme_str(&r, "logo_url"));
	reply_free(&r);
	http_call(&H, "GET", url, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	char v[200];
	assert_string_equal(reply_header(&r, "Content-Type", v, sizeof(v)), "image/png");
	assert_int_equal(r.len, sizeof(png));
	assert_memory_equal(r.body, png, sizeof(png));
	char etag[80], line[120];
	assert_non_null(reply_header(&r, "ETag", etag, sizeof(etag)));
	reply_free(&r);
	snprintf(line, sizeof(line), "If-None-Match: %s", etag);
	const char *h[] = {line, NULL};
	http_call(&H, "GET", url, NULL, h, &r);
	assert_int_equal(r.status, 304);
	reply_free(&r);

	static const char svg[] = "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"></svg>";
	static const char text[] = "this is only text, in a file called logo.png";
	upload(&O, "image/svg+xml", svg, strlen(svg), &r);
	assert_error(&r, 400, "invalid_image");
	reply_free(&r);
	upload(&O, "image/png", svg, strlen(svg), &r);
	assert_error(&r, 400, "invalid_image");
	reply_free(&r);
	upload(&O, "image/png", text, strlen(text), &r);
	assert_error(&r, 400, "invalid_image");
	reply_free(&r);
	upload(&O, "image/png", png, 20, &r); /* truncated */
	assert_error(&r, 400, "invalid_image");
	reply_free(&r);
	size_t big_len = 2 * 1024 * 1024;
	unsigned char *big = calloc(1, big_len);
	memcpy(big, png, sizeof(png));
	upload(&O, "image/png", big, big_len, &r);
	assert_error(&r, 400, "file_too_large");
	reply_free(&r);
	memset(big, 0, big_len);
	memcpy(big, jpeg, sizeof(jpeg));
	upload(&O, "image/jpeg", big, 1024 * 1024 + 1, &r); /* one byte over 1 MB */
	assert_error(&r, 400, "file_too_large");
	reply_free(&r);
	free(big);
	/* past what the route accepts at all, the server stops reading: 413 */
	size_t huge_len = 9 * 1024 * 1024;
	unsigned char *huge = calloc(1, huge_len);
	memcpy(huge, png, sizeof(png));
	/* with Expect: 100-continue the answer comes before the body is sent, as a browser's or
	 * curl's large upload does; without it the server's early close may cut the client's
	 * sending before it reads the answer */
	const char *expecting[] = {O.s.cookie, O.s.csrf, "Content-Type: image/png", "Expect: 100-continue",
				   NULL};
	http_call_raw(&H, "PUT", "/api/v1/theme/logo", huge, huge_len, expecting, &r);
	assert_error(&r, 413, "payload_too_large");
	reply_free(&r);
	free(huge);
	/* the refused files changed nothing */
	http_call(&H, "GET", url, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_memory_equal(r.body, png, sizeof(png));
	reply_free(&r);

	session_call(&H, &O.s, "DELETE", "/api/v1/theme/logo", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_true(json_is_null(json_object_get(json_object_get(r.json, "theme"), "logo_url")));
	reply_free(&r);
	http_call(&H, "GET", url, NULL, NULL, &r);
	assert_error(&r, 404, "not_found");
	reply_free(&r);
	assert_int_equal(fx_int("SELECT COUNT(*) FROM files WHERE account_id = $1", DB_ARGS(DB_INT(O.id))),
			 0);
}

static void a_downgrade_keeps_the_theme_but_hides_it(void **state)
{
	(void)state;
	struct reply r;
	upload(&O, "image/png", png, sizeof(png), &r);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	get_public(&O, &r);
	char url[200];
	snprintf(url, sizeof(url), "%s", public_theme_str(&r, "logo_url"));
	reply_free(&r);

	fx_exec("UPDATE accounts SET plan = 'pro' WHERE id = $1", DB_ARGS(DB_INT(O.id)));
	get_public(&O, &r);
	assert_true(json_is_null(json_object_get(r.json, "theme")));
	reply_free(&r);
	http_call(&H, "GET", url, NULL, NULL, &r);
	assert_error(&r, 404, "not_found");
	reply_free(&r);
	session_call(&H, &O.s, "GET", "/api/v1/theme", NULL, &r);
	assert_error(&r, 403, "plan_required");
	reply_free(&r);
	assert_int_equal(
		fx_int("SELECT COUNT(*) FROM themes WHERE account_id = $1 AND primary_color = '#777777'",
		       DB_ARGS(DB_INT(O.id))),
		1);

	fx_exec("UPDATE accounts SET plan = 'optimum' WHERE id = $1", DB_ARGS(DB_INT(O.id)));
	get_public(&O, &r);
	assert_string_equal(public_theme_str(&r, "primary"), "#777777");
	assert_non_null(public_theme_str(&r, "logo_url"));
	reply_free(&r);
}

int main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(other_plans_are_refused),
		cmocka_unit_test(optimum_sets_colours_and_texts),
		cmocka_unit_test(logos_are_known_by_their_bytes),
		cmocka_unit_test(a_downgrade_keeps_the_theme_but_hides_it),
	};
	return cmocka_run_group_tests(tests, setup, harness_teardown);
}
