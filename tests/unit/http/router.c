/* The pure parts of the HTTP adapter: router, percent-decoding, query, cookies, client IP,
 * Accept-Encoding and If-None-Match. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "http/http_int.h"

static int h(struct http_req *req, struct http_resp *resp, struct err *e)
{
	(void)req;
	(void)resp;
	(void)e;
	return 0;
}

static const struct http_route routes[] = {
	{"GET", "/api/v1/staff", h, 0, 0, NULL},
	{"POST", "/api/v1/staff", h, 0, 0, NULL},
	{"GET", "/api/v1/staff/{id}", h, 0, 0, NULL},
	{"PATCH", "/api/v1/staff/{id}", h, 0, 0, NULL},
	{"GET", "/api/v1/staff/new", h, 0, 0, NULL},
	{"GET", "/api/v1/staff/{staff_id}/hours", h, 0, 0, NULL},
	{"GET", "/api/v1/public/{slug}/availability", h, 0, 0, NULL},
	{"GET", "/files/{path*}", h, 0, 0, NULL},
	{"DELETE", "/api/v1/staff/{id}/hours", h, 0, 0, NULL},
	{"GET", "/", h, 0, 0, NULL},
};
#define NROUTES (sizeof(routes) / sizeof(routes[0]))

static enum router_result match(struct router *r, const char *method, const char *path, struct arena *a,
				struct router_match *m)
{
	return router_match(r, method, path, strlen(path), a, m);
}

static void test_literal_beats_param(void **state)
{
	(void)state;
	struct router *r;
	struct err e;
	assert_int_equal(router_new(routes, NROUTES, &r, &e), 0);
	struct arena *a = arena_new();
	struct router_match m;
	assert_int_equal(match(r, "GET", "/api/v1/staff/new", a, &m), ROUTER_FOUND);
	assert_ptr_equal(m.route, &routes[4]);
	assert_int_equal(match(r, "GET", "/api/v1/staff/42", a, &m), ROUTER_FOUND);
	assert_ptr_equal(m.route, &routes[2]);
	assert_int_equal(m.nparams, 1);
	assert_string_equal(m.params[0].name, "id");
	assert_string_equal(m.params[0].value, "42");
	/* backtracking: "new" is a literal at that level, but only the param route has /hours */
	assert_int_equal(match(r, "GET", "/api/v1/staff/new/hours", a, &m), ROUTER_FOUND);
	assert_ptr_equal(m.route, &routes[5]);
	assert_string_equal(m.params[0].name, "staff_id");
	assert_string_equal(m.params[0].value, "new");
	assert_int_equal(match(r, "GET", "/", a, &m), ROUTER_FOUND);
	assert_ptr_equal(m.route, &routes[9]);
	arena_free(a);
	router_free(r);
}

static void test_decoding_and_rest(void **state)
{
	(void)state;
	struct router *r;
	assert_int_equal(router_new(routes, NROUTES, &r, NULL), 0);
	struct arena *a = arena_new();
	struct router_match m;
	assert_int_equal(match(r, "GET", "/api/v1/staff/a%2Fb%20c", a, &m), ROUTER_FOUND);
	assert_string_equal(m.params[0].value, "a/b c");
	assert_int_equal(match(r, "GET", "/files/css/app%2B1.css", a, &m), ROUTER_FOUND);
	assert_ptr_equal(m.route, &routes[7]);
	assert_string_equal(m.params[0].name, "path");
	assert_string_equal(m.params[0].value, "css/app+1.css");
	assert_int_equal(match(r, "GET", "/api/v1/staff/a%zz", a, &m), ROUTER_BAD_PATH);
	assert_int_equal(match(r, "GET", "/api/v1/staff/a%00", a, &m), ROUTER_BAD_PATH);
	assert_int_equal(match(r, "GET", "/api/v1/staff/a%2", a, &m), ROUTER_BAD_PATH);
	assert_int_equal(match(r, "GET", "relative", a, &m), ROUTER_BAD_PATH);
	arena_free(a);
	router_free(r);
}

static void test_not_found_and_allow(void **state)
{
	(void)state;
	struct router *r;
	assert_int_equal(router_new(routes, NROUTES, &r, NULL), 0);
	struct arena *a = arena_new();
	struct router_match m;
	assert_int_equal(match(r, "GET", "/api/v1/nothing", a, &m), ROUTER_NOT_FOUND);
	assert_int_equal(match(r, "GET", "/api/v1/staff/", a, &m), ROUTER_NOT_FOUND); /* empty param */
	assert_int_equal(match(r, "GET", "/files/", a, &m), ROUTER_NOT_FOUND);
	assert_int_equal(match(r, "PUT", "/api/v1/staff/7", a, &m), ROUTER_METHOD_NOT_ALLOWED);
	char allow[64];
	router_allow_string(m.allow, allow, sizeof(allow));
	assert_string_equal(allow, "GET, HEAD, PATCH");
	assert_int_equal(match(r, "POST", "/api/v1/staff/7/hours", a, &m), ROUTER_METHOD_NOT_ALLOWED);
	router_allow_string(m.allow, allow, sizeof(allow));
	assert_string_equal(allow, "GET, HEAD, DELETE");
	/* HEAD is answered by GET routes */
	assert_int_equal(match(r, "HEAD", "/api/v1/staff", a, &m), ROUTER_FOUND);
	assert_ptr_equal(m.route, &routes[0]);
	assert_int_equal(match(r, "DELETE", "/api/v1/staff/7/hours", a, &m), ROUTER_FOUND);
	assert_ptr_equal(m.route, &routes[8]);
	arena_free(a);
	router_free(r);
}

static void test_bad_tables(void **state)
{
	(void)state;
	struct router *r = NULL;
	struct err e;
	const struct http_route dup[] = {{"GET", "/a/{x}", h, 0, 0, NULL}, {"GET", "/a/{y}", h, 0, 0, NULL}};
	assert_int_equal(router_new(dup, 2, &r, &e), -1);
	assert_non_null(strstr(e.message, "duplicates"));
	const struct http_route rest_mid[] = {{"GET", "/a/{x*}/b", h, 0, 0, NULL}};
	assert_int_equal(router_new(rest_mid, 1, &r, &e), -1);
	const struct http_route bad_method[] = {{"BREW", "/a", h, 0, 0, NULL}};
	assert_int_equal(router_new(bad_method, 1, &r, &e), -1);
	const struct http_route repeated[] = {{"GET", "/a/{x}/{x}", h, 0, 0, NULL}};
	assert_int_equal(router_new(repeated, 1, &r, &e), -1);
	const struct http_route brace[] = {{"GET", "/a/b{x}", h, 0, 0, NULL}};
	assert_int_equal(router_new(brace, 1, &r, &e), -1);
}

/* Hundreds of routes: each one is found, and found as itself. */
static void test_many_routes(void **state)
{
	(void)state;
	enum { N = 600 };
	static struct http_route big[N];
	static char patterns[N][64];
	for (int i = 0; i < N; i++) {
		snprintf(patterns[i], sizeof(patterns[i]), i % 2 ? "/api/v1/r%d/{id}" : "/api/v1/r%d", i);
		big[i] = (struct http_route){"GET", patterns[i], h, 0, 0, NULL};
	}
	struct router *r;
	assert_int_equal(router_new(big, N, &r, NULL), 0);
	struct arena *a = arena_new();
	struct router_match m;
	for (int i = 0; i < N; i++) {
		char path[64];
		snprintf(path, sizeof(path), i % 2 ? "/api/v1/r%d/x" : "/api/v1/r%d", i);
		assert_int_equal(match(r, "GET", path, a, &m), ROUTER_FOUND);
		assert_ptr_equal(m.route, &big[i]);
	}
	arena_free(a);
	router_free(r);
}

static void test_query(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	struct http_kv *kv;
	struct err e;
	const char *q = "from=2027-03-28&staff=any&name=Ren%C3%A9e+Dupont&flag&=empty";
	int n = http_query_parse(q, strlen(q), a, &kv, &e);
	assert_int_equal(n, 5);
	assert_string_equal(kv[0].name, "from");
	assert_string_equal(kv[0].value, "2027-03-28");
	assert_string_equal(kv[2].value, "Renée Dupont");
	assert_string_equal(kv[3].name, "flag");
	assert_string_equal(kv[3].value, "");
	assert_string_equal(kv[4].name, "");
	assert_int_equal(http_query_parse("a=%G1", 5, a, &kv, &e), -1);
	assert_int_equal(e.status, 400);
	char many[2000];
	size_t used = 0;
	for (int i = 0; i <= HTTP_QUERY_MAX; i++) {
		memcpy(many + used, "a=1&", 4);
		used += 4;
	}
	many[used] = '\0';
	assert_int_equal(http_query_parse(many, strlen(many), a, &kv, &e), -1);
	assert_string_equal(e.code, "invalid_query");
	arena_free(a);
}

static void test_cookies(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	struct http_kv *kv;
	const char *c = "sid=abc123; theme=\"dark\";bad name=x; lang=fr ; empty=; =novalue";
	int n = http_cookies_parse(c, strlen(c), a, &kv);
	assert_int_equal(n, 4);
	assert_string_equal(kv[0].name, "sid");
	assert_string_equal(kv[0].value, "abc123");
	assert_string_equal(kv[1].value, "dark");
	assert_string_equal(kv[2].name, "lang");
	assert_string_equal(kv[2].value, "fr");
	assert_string_equal(kv[3].name, "empty");
	assert_string_equal(kv[3].value, "");
	assert_true(http_cookie_valid("sid", "abc-_.123"));
	assert_false(http_cookie_valid("sid", "a;b"));
	assert_false(http_cookie_valid("s id", "a"));
	assert_false(http_cookie_valid("", "a"));
	arena_free(a);
}

static void test_client_ip(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	char p1[] = "10.0.0.1", p2[] = "10.0.0.2";
	char *trusted[] = {p1, p2};
	/* untrusted peer: its own address whatever it claims */
	assert_string_equal(http_client_ip("203.0.113.9", "1.2.3.4", trusted, 2, a), "203.0.113.9");
	/* trusted peer: the right-most entry that is not a trusted proxy */
	assert_string_equal(http_client_ip("10.0.0.1", "6.6.6.6, 198.51.100.7, 10.0.0.2", trusted, 2, a),
			    "198.51.100.7");
	assert_string_equal(http_client_ip("10.0.0.1", "198.51.100.7", trusted, 2, a), "198.51.100.7");
	/* garbage in the header: only what the last trusted hop saw */
	assert_string_equal(http_client_ip("10.0.0.1", "nonsense", trusted, 2, a), "10.0.0.1");
	assert_string_equal(http_client_ip("10.0.0.1", NULL, trusted, 2, a), "10.0.0.1");
	char out[64];
	assert_int_equal(http_ip_normalise("::ffff:127.0.0.1", 16, out, sizeof(out)), 0);
	assert_string_equal(out, "127.0.0.1");
	assert_int_equal(http_ip_normalise("2001:DB8::1", 11, out, sizeof(out)), 0);
	assert_string_equal(out, "2001:db8::1");
	assert_int_equal(http_ip_normalise("example.com", 11, out, sizeof(out)), -1);
	arena_free(a);
}

static void test_encoding_and_etag(void **state)
{
	(void)state;
	assert_true(http_accepts_gzip("gzip, deflate, br"));
	assert_true(http_accepts_gzip("br;q=1.0, GZIP;q=0.5"));
	assert_false(http_accepts_gzip("gzip;q=0"));
	assert_false(http_accepts_gzip("br, deflate"));
	assert_false(http_accepts_gzip(NULL));
	assert_true(http_accepts_gzip("*"));
	assert_true(http_etag_matches("\"a\", \"b\"", "\"b\""));
	assert_true(http_etag_matches("W/\"b\"", "\"b\""));
	assert_true(http_etag_matches("*", "\"b\""));
	assert_false(http_etag_matches("\"a\"", "\"b\""));
	assert_false(http_etag_matches(NULL, "\"b\""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_literal_beats_param),
		cmocka_unit_test(test_decoding_and_rest),
		cmocka_unit_test(test_not_found_and_allow),
		cmocka_unit_test(test_bad_tables),
		cmocka_unit_test(test_many_routes),
		cmocka_unit_test(test_query),
		cmocka_unit_test(test_cookies),
		cmocka_unit_test(test_client_ip),
		cmocka_unit_test(test_encoding_and_etag),
	};
	return cmocka_run_group_tests_name("http_router", tests, NULL, NULL);
}
