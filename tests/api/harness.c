#include "harness.h"

#include <ctype.h>
#include <curl/curl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
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
	/* tests speak for many clients through X-Forwarded-For from loopback */
	free(h->cfg.trusted_proxies);
	h->cfg.trusted_proxies = strdup("127.0.0.1");
	h->cfg.max_per_ip = 1000; /* every test client comes from loopback */
	if (tweak)
		tweak(&h->cfg);

	struct err e = {0};
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

/* One request: `first` (may be NULL) is sent before the caller's headers; body (len bytes) may be
 * NULL. */
static void call(struct harness *h, const char *method, const char *path, const void *body, size_t len,
		 const char *first, const char *const *headers, long timeout_s, struct reply *out)
{
	memset(out, 0, sizeof(*out));
	struct grow b = {0}, hd = {0};
	char url[2048];
	snprintf(url, sizeof(url), "%s%s", h->base_url, path);
	CURL *c = curl_easy_init();
	struct curl_slist *list = NULL;
	if (first)
		list = curl_slist_append(list, first);
	for (const char *const *hp = headers; hp && *hp; hp++)
		list = curl_slist_append(list, *hp);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (!strcmp(method, "HEAD"))
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &hd);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout_s);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
	curl_slist_free_all(list);
	curl_easy_cleanup(c);
	out->body = b.p ? b.p : strdup("");
	out->len = b.len;
	out->headers = hd.p ? hd.p : strdup("");
	out->json = json_loadb(out->body, out->len, 0, NULL);
}

void http_call(struct harness *h, const char *method, const char *path, const char *body,
	       const char *const *headers, struct reply *out)
{
	call(h, method, path, body, body ? strlen(body) : 0, body ? "Content-Type: application/json" : NULL,
	     headers, 30, out);
}

void http_call_raw(struct harness *h, const char *method, const char *path, const void *body, size_t len,
		   const char *const *headers, struct reply *out)
{
	call(h, method, path, body, len, NULL, headers, 60, out);
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

const char *harness_next_ip_header(void)
{
	static int n;
	static char line[64];
	n++;
	snprintf(line, sizeof(line), "X-Forwarded-For: %s.%d", n % 2 ? "203.0.113" : "198.51.100",
		 1 + n % 250);
	return line;
}

const char *json_path_str(const json_t *j, const char *k1, const char *k2)
{
	const json_t *v = json_object_get(j, k1);
	if (k2)
		v = json_object_get(v, k2);
	return json_string_value(v);
}

void session_from_reply(const struct reply *r, struct session *s)
{
	memset(s, 0, sizeof(*s));
	char v[512];
	assert_non_null(reply_header(r, "Set-Cookie", v, sizeof(v)));
	const char *start = strstr(v, "creneau_session=");
	assert_non_null(start);
	size_t len = strcspn(start, ";");
	snprintf(s->cookie, sizeof(s->cookie), "Cookie: %.*s", (int)len, start);
	const char *csrf = json_path_str(r->json, "csrf_token", NULL);
	assert_non_null(csrf);
	snprintf(s->csrf, sizeof(s->csrf), "X-CSRF-Token: %s", csrf);
	const char *slug = json_path_str(r->json, "account", "slug");
	const char *aid = json_path_str(r->json, "account", "id");
	const char *uid = json_path_str(r->json, "user", "id");
	snprintf(s->slug, sizeof(s->slug), "%s", slug ? slug : "");
	snprintf(s->account_id, sizeof(s->account_id), "%s", aid ? aid : "");
	snprintf(s->user_id, sizeof(s->user_id), "%s", uid ? uid : "");
}

void harness_signup(struct harness *h, const char *business_name, const char *email, const char *plan,
		    struct session *s)
{
	json_t *body =
		json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:b}", "business_name", business_name, "email",
			  email, "password", "Tres-Bon-Mot-2027", "business_type", "hair_salon", "plan",
			  plan ? plan : "optimum", "accept_terms", 1, "accept_dpa", 1);
	char *text = json_dumps(body, 0);
	const char *headers[] = {harness_next_ip_header(), NULL};
	struct reply r;
	http_call(h, "POST", "/api/v1/signup", text, headers, &r);
	if (r.status != 201)
		fprintf(stderr, "sign-up of %s: %ld %s\n", email, r.status, r.body);
	assert_int_equal(r.status, 201);
	session_from_reply(&r, s);
	reply_free(&r);
	free(text);
	json_decref(body);
}

const char *harness_addr(const char *who)
{
	static char out[8][128];
	static int n;
	char *a = out[n % 8];
	snprintf(a, 128, "%s%d-%d-%s@example.fr", who, n, (int)getpid(), harness_store_kind());
	n++;
	return a;
}

void harness_business(struct harness *h, const char *name, struct session *s)
{
	harness_signup(h, name, harness_addr("owner"), NULL, s);
	struct reply r;
	session_call(h, s, "DELETE", "/api/v1/demo", NULL, &r);
	assert_true(r.status == 200 || r.status == 204);
	reply_free(&r);
}

void session_call(struct harness *h, const struct session *s, const char *method, const char *path,
		  const char *body, struct reply *out)
{
	const char *headers[] = {s ? s->cookie : NULL, s ? s->csrf : NULL, NULL};
	http_call(h, method, path, body, s ? headers : NULL, out);
}

void session_expect(struct harness *h, const struct session *s, const char *method, const char *path,
		    const char *body, long status, struct reply *out)
{
	session_call(h, s, method, path, body, out);
	if (out->status != status)
		fprintf(stderr, "%s %s %s: %ld %s\n", method, path, body ? body : "", out->status, out->body);
	assert_int_equal(out->status, status);
}

void harness_relogin(struct harness *h, const char *email, struct session *s)
{
	char body[300];
	snprintf(body, sizeof(body), "{\"email\": \"%s\", \"password\": \"Tres-Bon-Mot-2027\"}", email);
	const char *headers[] = {harness_next_ip_header(), NULL};
	struct reply r;
	http_call(h, "POST", "/api/v1/session", body, headers, &r);
	if (r.status != 200)
		fail_msg("log-in of %s: %ld %s", email, r.status, r.body);
	session_from_reply(&r, s);
	reply_free(&r);
}

static void test_clock_post(const char *body)
{
	struct reply r;
	http_call(&H, "POST", "/api/v1/test/clock", body, NULL, &r);
	if (r.status != 200)
		fail_msg("clock %s: %ld %s", body, r.status, r.body);
	reply_free(&r);
}

void test_clock(const char *key, const char *instant)
{
	char body[160];
	snprintf(body, sizeof(body), "{\"%s\": \"%s\"}", key, instant);
	test_clock_post(body);
}

void test_clock_advance_s(long seconds)
{
	char body[64];
	snprintf(body, sizeof(body), "{\"advance_seconds\": %ld}", seconds);
	test_clock_post(body);
}

void test_account_state(const char *slug, const char *state, const char *reason)
{
	char body[200];
	snprintf(body, sizeof(body), "{\"slug\": \"%s\", \"state\": \"%s\"%s%s%s}", slug, state,
		 reason ? ", \"reason\": \"" : "", reason ? reason : "", reason ? "\"" : "");
	struct reply r;
	http_call(&H, "POST", "/api/v1/test/account-state", body, NULL, &r);
	if (r.status != 200)
		fail_msg("account-state: %ld %s", r.status, r.body);
	reply_free(&r);
}

json_t *maildir_messages(const char *script, const char *to, size_t want, int attempts)
{
	const char *maildir = getenv("CRENEAU_TEST_MAILDIR");
	if (!maildir)
		fail_msg("CRENEAU_TEST_MAILDIR is not set: tests/run.sh starts the SMTP server");
	json_t *list = NULL;
	for (int attempt = 0; attempt < attempts; attempt++) {
		char cmd[1024];
		snprintf(cmd, sizeof(cmd), "/usr/bin/python3 %s '%s' '%s'", script, maildir, to);
		FILE *p = popen(cmd, "r");
		assert_non_null(p);
		static char buf[1 << 20];
		size_t n = fread(buf, 1, sizeof(buf) - 1, p);
		buf[n] = '\0';
		if (pclose(p) != 0)
			fail_msg("%s failed on the mail to %s", script, to);
		json_decref(list);
		list = json_loads(buf, 0, NULL);
		assert_non_null(list);
		if (json_array_size(list) >= want)
			break;
		usleep(100 * 1000);
	}
	return list;
}

int harness_need_smtp(void)
{
	if (getenv("CRENEAU_TEST_SMTP") && getenv("CRENEAU_TEST_MAILDIR"))
		return 0;
	fprintf(stderr, "CRENEAU_TEST_SMTP and CRENEAU_TEST_MAILDIR must be set: tests/run.sh starts the "
			"SMTP server (scripts/peers/smtp.sh)\n");
	return 1;
}

/* Decodes quoted-printable in place (soft line breaks and =XX). */
static void qp_decode(char *s)
{
	char *o = s;
	for (char *p = s; *p;) {
		if (p[0] == '=' && p[1] == '\r' && p[2] == '\n')
			p += 3;
		else if (p[0] == '=' && p[1] == '\n')
			p += 2;
		else if (p[0] == '=' && p[1] && p[2] && strchr("0123456789ABCDEF", p[1]) &&
			 strchr("0123456789ABCDEF", p[2])) {
			char hex[3] = {p[1], p[2], 0};
			*o++ = (char)strtol(hex, NULL, 16);
			p += 3;
		} else
			*o++ = *p++;
	}
	*o = '\0';
}

/* Calls fn on the decoded text of each message in the maildir and counts the messages it
 * accepts (nonzero); stops at the first accepted one unless `all`. -1 without a maildir. */
static int maildir_each(int (*fn)(const char *text, void *ctx), void *ctx, int all)
{
	const char *maildir = getenv("CRENEAU_TEST_MAILDIR");
	if (!maildir)
		fail_msg("CRENEAU_TEST_MAILDIR is not set: tests/run.sh starts the SMTP server");
	char dir[512];
	snprintf(dir, sizeof(dir), "%s/new", maildir);
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	int n = 0;
	struct dirent *ent;
	static char buf[512 * 1024];
	while ((ent = readdir(d))) {
		if (ent->d_name[0] == '.')
			continue;
		char path[1024];
		snprintf(path, sizeof(path), "%s/%s", dir, ent->d_name);
		FILE *f = fopen(path, "rb");
		if (!f)
			continue;
		size_t len = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[len] = '\0';
		qp_decode(buf);
		if (fn(buf, ctx)) {
			n++;
			if (!all)
				break;
		}
	}
	closedir(d);
	return n;
}

struct mail_match {
	const char *to, *marker;
	char *token; /* mail_link_token: where the link's token goes */
};

static int holds_marker(const char *text, void *ctx)
{
	const struct mail_match *m = ctx;
	return strstr(text, m->to) && strstr(text, m->marker);
}

int maildir_count(const char *to, const char *marker)
{
	struct mail_match m = {.to = to, .marker = marker};
	int n = 0;
	for (int i = 0; i < 15 && !n; i++) {
		if (i)
			usleep(100 * 1000);
		n = maildir_each(holds_marker, &m, 1);
		if (n < 0)
			fail_msg("no maildir in %s", getenv("CRENEAU_TEST_MAILDIR"));
	}
	return n;
}

static int take_token(const char *text, void *ctx)
{
	const struct mail_match *m = ctx;
	const char *link = strstr(text, m->marker);
	if (!strstr(text, m->to) || !link)
		return 0;
	link += strlen(m->marker);
	size_t len = strspn(link, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
	assert_int_equal(len, 43);
	snprintf(m->token, 64, "%.*s", (int)len, link);
	return 1;
}

void mail_link_token(const char *to, const char *page, char token[64])
{
	char marker[64];
	snprintf(marker, sizeof(marker), "/%s?token=", page);
	struct mail_match m = {.to = to, .marker = marker, .token = token};
	for (int attempt = 0; attempt < 100; attempt++) {
		if (maildir_each(take_token, &m, 0) > 0)
			return;
		usleep(100 * 1000);
	}
	fail_msg("no %s mail to %s", page, to);
}
