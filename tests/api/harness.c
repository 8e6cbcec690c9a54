#include "harness.h"

#include <ctype.h>
#include <curl/curl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>


const char *harness_store_kind(void)
{
	const char *k = getenv("CRENEAU_TEST_STORE");
	return k && !strcmp(k, "pg") ? "pg" : "sqlite";
}

static void die(const char *what, const struct err *e)
{
	fprintf(stderr, "harness: %s: %s\n", what, e ? e->message : "");
	fail();
}

void harness_start(struct harness *h, void (*tweak)(struct config *cfg))
{
	memset(h, 0, sizeof(*h));
	if (testdb_create(&h->store, harness_store_kind()))
		die("create the test store", NULL);
	h->store_url = h->store.url;

	config_defaults(&h->cfg);
	free(h->cfg.store);
	h->cfg.store = strdup(h->store_url);
	free(h->cfg.listen);
	h->cfg.listen = strdup("127.0.0.1:0");
	free(h->cfg.log_level);
	h->cfg.log_level = strdup(getenv("CRENEAU_TEST_LOG") ? getenv("CRENEAU_TEST_LOG") : "warn");
	const char *smtp = getenv("CRENEAU_TEST_SMTP");
	if (smtp) {
		free(h->cfg.smtp_url);
		size_t n = strlen(smtp) + 8;
		h->cfg.smtp_url = malloc(n);
		snprintf(h->cfg.smtp_url, n, "smtp://%s", smtp);
		free(h->cfg.smtp_starttls);
		h->cfg.smtp_starttls = strdup("none");
	}
	h->cfg.test_mode = 1;
	if (tweak)
		tweak(&h->cfg);

	struct err e = { 0 };
	if (app_start(&h->cfg, &h->app, &e))
		die("app_start", &e);
	snprintf(h->base_url, sizeof(h->base_url), "http://127.0.0.1:%d", app_port(h->app));
}

struct harness H;

int harness_setup(void **state)
{
	(void)state;
	harness_start(&H, NULL);
	return 0;
}

int harness_teardown(void **state)
{
	(void)state;
	harness_stop(&H);
	return 0;
}

void harness_stop(struct harness *h)
{
	app_stop(h->app);
	h->app = NULL;
	config_release(&h->cfg);
	testdb_destroy(&h->store);
}

struct grow {
	char *p;
	size_t len;
};

static size_t collect(char *data, size_t size, size_t n, void *ctx)
{
	struct grow *g = ctx;
	size_t add = size * n;
	char *q = realloc(g->p, g->len + add + 1);
	if (!q)
		return 0;
	g->p = q;
	memcpy(g->p + g->len, data, add);
	g->len += add;
	g->p[g->len] = '\0';
	return add;
}

void http_call(struct harness *h, const char *method, const char *path, const char *body,
	       const char *const *headers, struct reply *out)
{
	memset(out, 0, sizeof(*out));
	struct grow b = { 0 }, hd = { 0 };
	char url[2048];
	snprintf(url, sizeof(url), "%s%s", h->base_url, path);
	CURL *c = curl_easy_init();
	struct curl_slist *list = NULL;
	if (body)
		list = curl_slist_append(list, "Content-Type: application/json");
	for (const char *const *hp = headers; hp && *hp; hp++)
		list = curl_slist_append(list, *hp);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (!strcmp(method, "HEAD"))
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &hd);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
	curl_slist_free_all(list);
	curl_easy_cleanup(c);
	out->body = b.p ? b.p : strdup("");
	out->len = b.len;
	out->headers = hd.p ? hd.p : strdup("");
	out->json = json_loadb(out->body, out->len, 0, NULL);
}

const char *reply_header(const struct reply *r, const char *name, char *out, size_t cap)
{
	size_t n = strlen(name);
	for (const char *line = r->headers; line && *line;) {
		const char *end = strstr(line, "\r\n");
		size_t len = end ? (size_t)(end - line) : strlen(line);
		if (len > n && line[n] == ':' && !strncasecmp(line, name, n)) {
			const char *v = line + n + 1;
			while (*v == ' ')
				v++;
			snprintf(out, cap, "%.*s", (int)(len - (size_t)(v - line)), v);
			return out;
		}
		line = end ? end + 2 : NULL;
	}
	return NULL;
}

void reply_free(struct reply *r)
{
	free(r->body);
	free(r->headers);
	json_decref(r->json);
	memset(r, 0, sizeof(*r));
}

void assert_error(const struct reply *r, long status, const char *code)
{
	if (r->status != status || !r->json)
		fprintf(stderr, "expected %ld %s, got %ld: %s\n", status, code, r->status, r->body);
	assert_int_equal(r->status, status);
	assert_non_null(r->json);
	json_t *err = json_object_get(r->json, "error");
	assert_true(json_is_object(err));
	assert_string_equal(json_string_value(json_object_get(err, "code")), code);
	const char *msg = json_string_value(json_object_get(err, "message"));
	assert_non_null(msg);
	assert_true(strlen(msg) > 0);
}
