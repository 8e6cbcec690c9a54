/* The HTTP adapter end to end: a server on 127.0.0.1:0 with a small route table, driven
 * with libcurl, and with raw sockets where a real client would not misbehave enough. */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "base/buf.h"
#include "base/clock.h"
#include "http/http.h"

/* ---- the test app ---- */

static int h_hello(struct http_req *req, struct http_resp *resp, struct err *e)
{
	(void)e;
	const char *name = http_req_query(req, "name");
	const char *sid = http_req_cookie(req, "sid");
	json_t *j = json_pack("{s:s, s:s, s:s}", "name", name ? name : "", "sid", sid ? sid : "", "ip",
			      http_req_client_ip(req));
	http_resp_cookie(resp, "seen", "yes", 3600);
	http_req_set_account(req, "acc_test");
	http_resp_json(resp, 200, j);
	return 0;
}

static int h_echo(struct http_req *req, struct http_resp *resp, struct err *e)
{
	json_t *j = http_req_json(req, e);
	if (!j)
		return -1;
	http_resp_json(resp, 200, json_incref(j));
	return 0;
}

static int h_item(struct http_req *req, struct http_resp *resp, struct err *e)
{
	(void)e;
	const char *id = http_req_param(req, "id");
	http_resp_body(resp, 200, "text/plain", id, strlen(id));
	return 0;
}

static int h_slow(struct http_req *req, struct http_resp *resp, struct err *e)
{
	(void)req;
	(void)e;
	struct timespec ts = {1, 0};
	nanosleep(&ts, NULL);
	http_resp_body(resp, 200, "text/plain", "done", 4);
	return 0;
}

static int h_forgot(struct http_req *req, struct http_resp *resp, struct err *e)
{
	(void)req;
	(void)resp;
	(void)e;
	return 0;
}

static int h_busy(struct http_req *req, struct http_resp *resp, struct err *e)
{
	(void)req;
	(void)resp;
	err_set(e, 503, "store_unavailable", "start", "try later");
	e->retry_after = 7;
	return -1;
}

static int h_widget(struct http_req *req, struct http_resp *resp, struct err *e)
{
	(void)req;
	(void)e;
	http_resp_empty(resp, 204);
	return 0;
}

static const struct http_route routes[] = {
	{"GET", "/hello", h_hello, 0, 0, NULL},
	{"POST", "/echo", h_echo, 0, 1024, NULL},
	{"GET", "/items/{id}", h_item, 0, 0, NULL},
	{"DELETE", "/items/{id}", h_item, 0, 0, NULL},
	{"GET", "/slow", h_slow, 0, 0, NULL},
	{"GET", "/forgot", h_forgot, 0, 0, NULL},
	{"GET", "/busy", h_busy, 0, 0, NULL},
	{"GET", "/embed", h_widget, HTTP_ROUTE_FRAMEABLE, 0, NULL},
};

static struct http_server *srv;
static int port;
static char web_root[] = "/tmp/creneau-http-test-XXXXXX";
static char log_path[] = "/tmp/creneau-http-log-XXXXXX";
static int saved_stderr = -1;

static void write_file(const char *rel, const char *content)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", web_root, rel);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

static int setup(void **state)
{
	(void)state;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	/* the adapter logs to stderr: keep it in a file the tests read */
	int lfd = mkstemp(log_path);
	saved_stderr = dup(2);
	dup2(lfd, 2);
	close(lfd);
	if (!mkdtemp(web_root))
		return -1;
	char path[512];
	snprintf(path, sizeof(path), "%s/widget", web_root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/docs", web_root);
	mkdir(path, 0755);
	write_file("index.html", "<!doctype html><title>Créneau</title>");
	write_file("widget/index.html", "<!doctype html><title>widget</title>");
	write_file("docs/index.html", "<!doctype html><title>docs</title>");
	write_file(".secret", "password");
	char css[4096] = "";
	size_t used = 0;
	for (int i = 0; i < 100; i++)
		used += (size_t)snprintf(css + used, sizeof(css) - used, ".c%d{color:red}\n", i);
	write_file("app.css", css);
	struct http_config cfg = {
		.listen = "127.0.0.1:0",
		.routes = routes,
		.nroutes = sizeof(routes) / sizeof(routes[0]),
		.web_root = web_root,
		.threads = 4,
		.header_deadline_s = 1,
		.trusted_proxies = "127.0.0.1, 10.0.0.1",
	};
	struct err e;
	if (http_server_start(&cfg, &srv, &e) < 0)
		return -1;
	port = http_server_port(srv);
	return port > 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	http_server_stop(srv);
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", web_root);
	if (system(cmd) != 0)
		return -1;
	dup2(saved_stderr, 2);
	unlink(log_path);
	curl_global_cleanup();
	return 0;
}

/* ---- a small libcurl client ---- */

struct reply {
	long status;
	struct buf headers;
	struct buf body;
};

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
	if (buf_append(ud, p, size * n) < 0)
		return 0;
	return size * n;
}

static void reply_free(struct reply *r)
{
	buf_release(&r->headers);
	buf_release(&r->body);
}

/* The value of a response header ("" when absent), copied into out. */
static const char *header(const struct reply *r, const char *name, char *out, size_t cap)
{
	out[0] = '\0';
	const char *h = buf_str(&r->headers);
	size_t nlen = strlen(name);
	for (const char *line = h; line && *line;
	     line = strstr(line, "\r\n") ? strstr(line, "\r\n") + 2 : NULL) {
		if (!strncasecmp(line, name, nlen) && line[nlen] == ':') {
			const char *v = line + nlen + 1;
			while (*v == ' ')
				v++;
			size_t len = strcspn(v, "\r\n");
			snprintf(out, cap, "%.*s", (int)len, v);
			return out;
		}
	}
	return out;
}

static void request(const char *method, const char *path, const char *const *hdrs, const char *body,
		    struct reply *r)
{
	buf_init(&r->headers, 1 << 20);
	buf_init(&r->body, 1 << 20);
	CURL *c = curl_easy_init();
	char url[512];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (!strcmp(method, "HEAD"))
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &r->body);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &r->headers);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	struct curl_slist *list = NULL;
	for (int i = 0; hdrs && hdrs[i]; i++)
		list = curl_slist_append(list, hdrs[i]);
	list = curl_slist_append(list, "Expect:");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	CURLcode rc = curl_easy_perform(c);
	assert_int_equal(rc, CURLE_OK);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_slist_free_all(list);
	curl_easy_cleanup(c);
}

/* ---- a raw socket client ---- */

static int dial(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static void send_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t w = send(fd, p, len, MSG_NOSIGNAL);
		if (w <= 0)
			return;
		p += w;
		len -= (size_t)w;
	}
}

/* Reads until the peer closes or timeout_ms passes; returns what arrived. */
static char *read_reply(int fd, int timeout_ms)
{
	struct buf b = BUF_INIT(1 << 20);
	int64_t until = clock_mono_ms() + timeout_ms;
	for (;;) {
		int64_t left = until - clock_mono_ms();
		if (left <= 0)
			break;
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, (int)left) <= 0)
			break;
		char chunk[4096];
		ssize_t n = recv(fd, chunk, sizeof(chunk), 0);
		if (n <= 0)
			break;
		if (buf_append(&b, chunk, (size_t)n) < 0)
			break;
	}
	char *s = buf_detach(&b, NULL);
	return s ? s : strdup("");
}

static int log_contains(const char *needle)
{
	FILE *f = fopen(log_path, "r");
	if (!f)
		return 0;
	char line[4096];
	int found = 0;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, needle) != NULL;
	fclose(f);
	return found;
}

/* ---- tests ---- */

static void test_json_and_standard_headers(void **state)
{
	(void)state;
	struct reply r;
	request("GET", "/hello?name=Ren%C3%A9e+D", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	char v[512];
	assert_string_equal(header(&r, "Content-Type", v, sizeof(v)), "application/json; charset=utf-8");
	assert_int_equal(strlen(header(&r, "X-Request-Id", v, sizeof(v))), 16);
	assert_int_equal(strspn(v, "0123456789abcdef"), 16);
	assert_string_equal(header(&r, "X-Content-Type-Options", v, sizeof(v)), "nosniff");
	assert_string_equal(header(&r, "Referrer-Policy", v, sizeof(v)), "strict-origin-when-cross-origin");
	assert_string_equal(header(&r, "X-Frame-Options", v, sizeof(v)), "DENY");
	header(&r, "Content-Security-Policy", v, sizeof(v));
	assert_non_null(strstr(v, "script-src 'self'"));
	assert_non_null(strstr(v, "frame-ancestors 'none'"));
	assert_null(strstr(v, "unsafe-inline"));
	json_t *j = json_loads(buf_str(&r.body), 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "name")), "Renée D");
	json_decref(j);
	/* a second request gets another id */
	char first[32];
	snprintf(first, sizeof(first), "%s", header(&r, "X-Request-Id", v, sizeof(v)));
	reply_free(&r);
	request("GET", "/hello", NULL, NULL, &r);
	assert_string_not_equal(header(&r, "X-Request-Id", v, sizeof(v)), first);
	reply_free(&r);
	assert_true(log_contains("http_access"));
	assert_true(log_contains("route=/hello status=200"));
	assert_true(log_contains("account=acc_test"));
}

static void test_json_errors(void **state)
{
	(void)state;
	const char *json_ct[] = {"Content-Type: application/json", NULL};
	struct reply r;
	request("POST", "/echo", json_ct, "{\"a\": 1,\n \"b\": }", &r);
	assert_int_equal(r.status, 400);
	json_t *j = json_loads(buf_str(&r.body), 0, NULL);
	json_t *err = json_object_get(j, "error");
	assert_string_equal(json_string_value(json_object_get(err, "code")), "invalid_json");
	assert_non_null(strstr(json_string_value(json_object_get(err, "message")), "line 2"));
	assert_null(json_object_get(err, "field"));
	json_decref(j);
	reply_free(&r);

	request("POST", "/echo", json_ct, "{\"a\": 1, \"a\": 2}", &r);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(buf_str(&r.body), "invalid_json"));
	reply_free(&r);

	request("POST", "/echo", json_ct,
		"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", &r);
	assert_int_equal(r.status, 400);
	reply_free(&r);

	const char *text_ct[] = {"Content-Type: text/plain", NULL};
	request("POST", "/echo", text_ct, "{}", &r);
	assert_int_equal(r.status, 415);
	reply_free(&r);

	request("POST", "/echo", json_ct, "{\"ok\":true}", &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(buf_str(&r.body), "{\"ok\":true}");
	reply_free(&r);
}

static void test_body_limit(void **state)
{
	(void)state;
	const char *json_ct[] = {"Content-Type: application/json", NULL};
	char big[2048];
	memset(big, ' ', sizeof(big) - 1);
	big[0] = '{';
	big[sizeof(big) - 2] = '}';
	big[sizeof(big) - 1] = '\0';
	struct reply r;
	request("POST", "/echo", json_ct, big, &r);
	assert_int_equal(r.status, 413);
	assert_non_null(strstr(buf_str(&r.body), "payload_too_large"));
	reply_free(&r);

	/* chunked: no length announced, the limit is found while reading */
	int fd = dial();
	const char *head = "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
			   "Transfer-Encoding: chunked\r\n\r\n";
	send_all(fd, head, strlen(head));
	for (int i = 0; i < 3; i++) {
		char chunk[700];
		int n = snprintf(chunk, sizeof(chunk), "200\r\n%0512d\r\n", 0);
		send_all(fd, chunk, (size_t)n);
	}
	send_all(fd, "0\r\n\r\n", 5);
	char *resp = read_reply(fd, 3000);
	assert_non_null(strstr(resp, " 413 "));
	free(resp);
	close(fd);
}

static void test_not_found_and_method(void **state)
{
	(void)state;
	struct reply r;
	request("GET", "/nothing/here", NULL, NULL, &r);
	assert_int_equal(r.status, 404);
	json_t *j = json_loads(buf_str(&r.body), 0, NULL);
	json_t *err = json_object_get(j, "error");
	assert_string_equal(json_string_value(json_object_get(err, "code")), "not_found");
	assert_non_null(json_object_get(err, "message"));
	json_decref(j);
	char v[256];
	assert_int_equal(strlen(header(&r, "X-Request-Id", v, sizeof(v))), 16);
	reply_free(&r);

	request("PUT", "/items/12", NULL, NULL, &r);
	assert_int_equal(r.status, 405);
	assert_string_equal(header(&r, "Allow", v, sizeof(v)), "GET, HEAD, DELETE");
	assert_non_null(strstr(buf_str(&r.body), "method_not_allowed"));
	reply_free(&r);

	request("GET", "/items/a%20b", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(buf_str(&r.body), "a b");
	reply_free(&r);

	request("GET", "/items/%zz", NULL, NULL, &r);
	assert_int_equal(r.status, 400);
	reply_free(&r);
	assert_true(log_contains("route=- status=404"));
}

static void test_library_limits(void **state)
{
	(void)state;
	/* a URL longer than the connection's memory: 414 */
	size_t ulen = 40000;
	char *req = malloc(ulen + 64);
	int n = snprintf(req, ulen + 64, "GET /");
	memset(req + n, 'a', ulen);
	n += (int)ulen;
	n += snprintf(req + n, 64, " HTTP/1.1\r\nHost: t\r\n\r\n");
	int fd = dial();
	send_all(fd, req, (size_t)n);
	char *resp = read_reply(fd, 3000);
	assert_non_null(strstr(resp, "HTTP/1.1 414"));
	free(resp);
	close(fd);
	free(req);

	/* too many headers: 431 */
	struct buf b = BUF_INIT(1 << 20);
	assert_int_equal(buf_appends(&b, "GET /hello HTTP/1.1\r\nHost: t\r\n"), 0);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(buf_appendf(&b, "X-Filler-%d: %040d\r\n", i, i), 0);
	assert_int_equal(buf_appends(&b, "\r\n"), 0);
	fd = dial();
	send_all(fd, b.data, b.len);
	resp = read_reply(fd, 3000);
	assert_non_null(strstr(resp, "HTTP/1.1 431"));
	free(resp);
	close(fd);
	buf_release(&b);
	assert_true(log_contains("http_library"));
	assert_true(log_contains("431"));
	char *m = http_metrics_text(srv);
	assert_null(strstr(m, "http_library_rejects_total 0\n"));
	free(m);
}

static void test_header_deadline(void **state)
{
	(void)state;
	int fd = dial();
	const char *line = "GET /hello HTTP/1.1\r\nHost: t\r\nX-Slow: ";
	send_all(fd, line, strlen(line));
	int64_t start = clock_mono_ms();
	int closed = 0;
	/* one byte every 100 ms: the idle timeout never fires, the deadline (1 s) must */
	for (int i = 0; i < 50 && !closed; i++) {
		struct timespec ts = {0, 100 * 1000000};
		nanosleep(&ts, NULL);
		if (send(fd, "a", 1, MSG_NOSIGNAL) != 1) {
			closed = 1;
			break;
		}
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, 0) > 0) {
			char c[256];
			ssize_t r = recv(fd, c, sizeof(c), MSG_DONTWAIT);
			if (r <= 0)
				closed = 1;
		}
	}
	int64_t took = clock_mono_ms() - start;
	assert_true(closed);
	assert_true(took >= 900);
	assert_true(took < 2500);
	close(fd);
	assert_true(log_contains("http_deadline cut"));

	/* a normal client on a keep-alive connection is not cut between requests */
	fd = dial();
	const char *two = "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n";
	send_all(fd, two, strlen(two));
	struct timespec ts = {1, 500 * 1000000};
	nanosleep(&ts, NULL);
	send_all(fd, two, strlen(two));
	char *resp = read_reply(fd, 800);
	const char *second = strstr(resp, "HTTP/1.1 200");
	assert_non_null(second);
	assert_non_null(strstr(second + 1, "HTTP/1.1 200"));
	free(resp);
	close(fd);
}

static void test_cookies_in_and_out(void **state)
{
	(void)state;
	const char *cookie[] = {"Cookie: theme=dark; sid=\"s3cr3t\"", NULL};
	struct reply r;
	request("GET", "/hello", cookie, NULL, &r);
	assert_int_equal(r.status, 200);
	json_t *j = json_loads(buf_str(&r.body), 0, NULL);
	assert_string_equal(json_string_value(json_object_get(j, "sid")), "s3cr3t");
	json_decref(j);
	char v[256];
	header(&r, "Set-Cookie", v, sizeof(v));
	assert_non_null(strstr(v, "seen=yes"));
	assert_non_null(strstr(v, "HttpOnly"));
	assert_non_null(strstr(v, "SameSite=Lax"));
	assert_non_null(strstr(v, "Path=/"));
	assert_null(strstr(v, "Secure")); /* not behind TLS in this test */
	reply_free(&r);
}

static void test_static_files(void **state)
{
	(void)state;
	struct reply r;
	char v[256], etag[128];
	request("GET", "/app.css", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(header(&r, "Content-Type", v, sizeof(v)), "text/css; charset=utf-8");
	assert_string_equal(header(&r, "Cache-Control", v, sizeof(v)), "public, max-age=3600");
	assert_string_equal(header(&r, "Vary", v, sizeof(v)), "Accept-Encoding");
	assert_string_equal(header(&r, "Content-Encoding", v, sizeof(v)), "");
	snprintf(etag, sizeof(etag), "%s", header(&r, "ETag", v, sizeof(v)));
	assert_true(strlen(etag) > 10 && etag[0] == '"');
	assert_non_null(strstr(buf_str(&r.body), ".c99{color:red}"));
	size_t plain_len = r.body.len;
	reply_free(&r);

	char inm[200];
	snprintf(inm, sizeof(inm), "If-None-Match: %s", etag);
	const char *reval[] = {inm, NULL};
	request("GET", "/app.css", reval, NULL, &r);
	assert_int_equal(r.status, 304);
	assert_int_equal(r.body.len, 0);
	assert_string_equal(header(&r, "ETag", v, sizeof(v)), etag);
	reply_free(&r);

	const char *gz[] = {"Accept-Encoding: br, gzip", NULL};
	request("GET", "/app.css", gz, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(header(&r, "Content-Encoding", v, sizeof(v)), "gzip");
	assert_true(r.body.len < plain_len / 2);
	assert_string_not_equal(header(&r, "ETag", v, sizeof(v)), etag);
	reply_free(&r);

	request("GET", "/", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(header(&r, "Cache-Control", v, sizeof(v)), "no-cache");
	assert_string_equal(header(&r, "Content-Type", v, sizeof(v)), "text/html; charset=utf-8");
	assert_string_equal(header(&r, "X-Frame-Options", v, sizeof(v)), "DENY");
	reply_free(&r);

	request("GET", "/docs", NULL, NULL, &r);
	assert_int_equal(r.status, 301);
	assert_string_equal(header(&r, "Location", v, sizeof(v)), "/docs/");
	reply_free(&r);

	request("GET", "/docs?token=a%2Bb&lang=en", NULL, NULL, &r);
	assert_int_equal(r.status, 301);
	assert_string_equal(header(&r, "Location", v, sizeof(v)), "/docs/?token=a%2Bb&lang=en");
	reply_free(&r);

	request("GET", "/widget/", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(header(&r, "X-Frame-Options", v, sizeof(v)), "");
	assert_null(strstr(header(&r, "Content-Security-Policy", v, sizeof(v)), "frame-ancestors"));
	reply_free(&r);

	request("GET", "/embed", NULL, NULL, &r);
	assert_int_equal(r.status, 204);
	assert_string_equal(header(&r, "X-Frame-Options", v, sizeof(v)), "");
	reply_free(&r);

	const char *refused[] = {"/.secret",	       "/../etc/passwd",	 "/%2e%2e/etc/passwd",
				 "/widget/../.secret", "/widget/%2E%2E/.secret", "/index.html%00"};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		request("GET", refused[i], NULL, NULL, &r);
		assert_int_equal(r.status >= 400 && r.status < 500, 1);
		assert_null(strstr(buf_str(&r.body), "password"));
		reply_free(&r);
	}
}

static void test_trusted_proxy(void **state)
{
	(void)state;
	struct reply r;
	const char *xff[] = {"X-Forwarded-For: 6.6.6.6, 198.51.100.7, 10.0.0.1", NULL};
	request("GET", "/hello", xff, NULL, &r);
	json_t *j = json_loads(buf_str(&r.body), 0, NULL);
	assert_string_equal(json_string_value(json_object_get(j, "ip")), "198.51.100.7");
	json_decref(j);
	reply_free(&r);
	request("GET", "/hello", NULL, NULL, &r);
	j = json_loads(buf_str(&r.body), 0, NULL);
	assert_string_equal(json_string_value(json_object_get(j, "ip")), "127.0.0.1");
	json_decref(j);
	reply_free(&r);
	assert_true(log_contains("ip=198.51.100.7"));
}

static void test_handler_errors(void **state)
{
	(void)state;
	struct reply r;
	char v[64];
	request("GET", "/forgot", NULL, NULL, &r);
	assert_int_equal(r.status, 500);
	assert_non_null(strstr(buf_str(&r.body), "\"internal\""));
	assert_null(strstr(buf_str(&r.body), "route")); /* details stay in the log */
	reply_free(&r);
	request("GET", "/busy", NULL, NULL, &r);
	assert_int_equal(r.status, 503);
	assert_string_equal(header(&r, "Retry-After", v, sizeof(v)), "7");
	json_t *j = json_loads(buf_str(&r.body), 0, NULL);
	json_t *err = json_object_get(j, "error");
	assert_string_equal(json_string_value(json_object_get(err, "code")), "store_unavailable");
	assert_string_equal(json_string_value(json_object_get(err, "field")), "start");
	json_decref(j);
	reply_free(&r);
}

static void test_metrics(void **state)
{
	(void)state;
	struct reply r;
	request("GET", "/items/1", NULL, NULL, &r);
	reply_free(&r);
	char *m = http_metrics_text(srv);
	assert_non_null(
		strstr(m, "http_requests_total{route=\"/items/{id}\",method=\"GET\",status=\"200\"}"));
	assert_non_null(strstr(m, "http_request_duration_seconds_bucket{route=\"/items/{id}\",le=\"+Inf\"}"));
	assert_non_null(strstr(m, "http_connections_open "));
	assert_null(strstr(m, "/items/1\"")); /* patterns, never raw paths */
	free(m);
}

struct slow_call {
	int port;
	long status;
	struct buf body;
};

static void *slow_client(void *arg)
{
	struct slow_call *sc = arg;
	CURL *c = curl_easy_init();
	char url[128];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/slow", sc->port);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &sc->body);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &sc->status);
	curl_easy_cleanup(c);
	return NULL;
}

/* Stopping waits for the request in flight, which completes; new connections are refused. */
static void test_clean_stop(void **state)
{
	(void)state;
	struct http_config cfg = {.listen = "127.0.0.1:0", .routes = routes, .nroutes = 8, .threads = 2};
	struct http_server *s2;
	assert_int_equal(http_server_start(&cfg, &s2, NULL), 0);
	struct slow_call sc = {.port = http_server_port(s2)};
	buf_init(&sc.body, 4096);
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, slow_client, &sc), 0);
	struct timespec ts = {0, 300 * 1000000};
	nanosleep(&ts, NULL);
	int64_t start = clock_mono_ms();
	http_server_stop(s2);
	int64_t took = clock_mono_ms() - start;
	pthread_join(t, NULL);
	assert_int_equal(sc.status, 200);
	assert_string_equal(buf_str(&sc.body), "done");
	assert_true(took >= 300); /* it did wait for the handler */
	buf_release(&sc.body);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_and_standard_headers),
		cmocka_unit_test(test_json_errors),
		cmocka_unit_test(test_body_limit),
		cmocka_unit_test(test_not_found_and_method),
		cmocka_unit_test(test_library_limits),
		cmocka_unit_test(test_header_deadline),
		cmocka_unit_test(test_cookies_in_and_out),
		cmocka_unit_test(test_static_files),
		cmocka_unit_test(test_trusted_proxy),
		cmocka_unit_test(test_handler_errors),
		cmocka_unit_test(test_metrics),
		cmocka_unit_test(test_clean_stop),
	};
	return cmocka_run_group_tests_name("http_server", tests, setup, teardown);
}
