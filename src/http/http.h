/* http — the HTTP adapter on libmicrohttpd. The only module that includes microhttpd.h.
 *
 * The server owns the connections; for each request it builds a struct http_req (method,
 * path, path parameters, query, headers, cookies, a body bounded by the route's limit, and a
 * per-request arena), matches the route table given at start, calls the app's `before` hook
 * (auth, CSRF, plan and state checks: the app's business) and then the route's handler,
 * which fills the struct http_resp. After the response is sent it writes one access-log
 * line and counts the request in the metrics.
 *
 * Handlers run on libmicrohttpd's thread pool (sized for blocking calls, see
 * docs/internals/http.md) and may block on the store. They allocate from the request
 * arena and never free. A handler returns 0 when it filled the response, or -1 with *e set,
 * and the adapter answers with API.md's error shape from *e. */
#ifndef CRENEAU_HTTP_H
#define CRENEAU_HTTP_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"

struct http_req;
struct http_resp;
struct http_server;

typedef int (*http_handler)(struct http_req *req, struct http_resp *resp, struct err *e);

#define HTTP_BODY_DEFAULT (64 * 1024)

/* Route flag bits owned by the adapter (the app's own flags use the low bits). A frameable
 * route's responses leave out X-Frame-Options and CSP frame-ancestors, so they can be shown
 * in an iframe on a customer's site (the booking widget). Static paths under /widget/ are
 * frameable too. */
#define HTTP_ROUTE_FRAMEABLE (1u << 31)

/* One row of the route table (src/app/routes.c). `pattern` is a path with parameters in
 * braces, "/api/v1/staff/{id}/hours"; a parameter matches one non-empty segment. A final
 * "{name*}" matches the rest of the path. `flags` and `meta` belong to the app's `before`
 * hook; the adapter only reads body_limit. */
struct http_route {
	const char *method; /* "GET", "POST", "PUT", "PATCH", "DELETE" */
	const char *pattern;
	http_handler handler;
	unsigned flags;
	size_t body_limit; /* 0 = HTTP_BODY_DEFAULT; requests over it get 413 */
	const void *meta;
};

struct http_config {
	const char *listen; /* "127.0.0.1:8080"; port 0 picks a free port */
	const struct http_route *routes;
	size_t nroutes;
	const char *web_root;	     /* static files served for GET paths no route matches; may be NULL */
	int threads;		     /* thread pool size; 0 = 8 x cores, 16 to 32 */
	int header_deadline_s;	     /* request headers must arrive within this; 0 = 10 */
	int idle_timeout_s;	     /* keep-alive idle; 0 = 30 */
	int max_connections;	     /* total; 0 = 1024 */
	int max_per_ip;		     /* 0 = 64 */
	const char *trusted_proxies; /* comma-separated IPs whose X-Forwarded-For is believed */
	/* Called before the handler with the matched route; returns 0 to go on, -1 with *e to
	 * answer with that error. If it fills resp and returns 0, the handler is skipped. May be
	 * NULL. */
	int (*before)(const struct http_route *route, struct http_req *req, struct http_resp *resp,
		      struct err *e);
	void *app;	/* handed to handlers through http_req_app */
	int behind_tls; /* TLS terminates in front of us: cookies get Secure */
};

/* The thread pool size for the configured `threads`: itself when positive, else 8 x cores,
 * at least 16 and at most 32 (docs/internals/http.md). */
long http_threads_for(long threads);

/* Starts listening and serving; returns once the socket is bound. */
int http_server_start(const struct http_config *cfg, struct http_server **out, struct err *e) WUR;
/* The bound port (useful with port 0). */
int http_server_port(const struct http_server *s);
/* Stops accepting, lets in-flight requests finish, then frees everything. */
void http_server_stop(struct http_server *s);

/* ---- request (all strings are NUL-terminated and live as long as the request) ---- */
void *http_req_app(const struct http_req *r);
struct arena *http_req_arena(const struct http_req *r);
const char *http_req_method(const struct http_req *r);
const char *http_req_path(const struct http_req *r);
const struct http_route *http_req_route(const struct http_req *r);
const char *http_req_id(const struct http_req *r);	  /* 16 hex chars, also in X-Request-Id */
const char *http_req_client_ip(const struct http_req *r); /* trusted-proxy aware */
const char *http_req_param(const struct http_req *r, const char *name);	 /* path parameter or NULL */
const char *http_req_query(const struct http_req *r, const char *name);	 /* decoded, or NULL */
const char *http_req_header(const struct http_req *r, const char *name); /* case-insensitive */
const char *http_req_cookie(const struct http_req *r, const char *name);
/* The raw body (NUL-terminated, len excludes the NUL); "" and 0 when none. */
const char *http_req_body(const struct http_req *r, size_t *len);
/* Parses the body as a JSON object. Errors: 400 invalid_json naming line and column, 415
 * when Content-Type is not JSON. The value belongs to the request. */
json_t *http_req_json(struct http_req *r, struct err *e);
/* Lets the app attach its session, user and account to the request (for the access log
 * and handlers). */
void http_req_set_account(struct http_req *r, const char *account_id);
void http_req_set_user_data(struct http_req *r, void *data);
void *http_req_user_data(const struct http_req *r);

/* ---- response ---- */
void http_resp_header(struct http_resp *w, const char *name, const char *value);
/* Sends j (reference stolen) with the status. */
void http_resp_json(struct http_resp *w, int status, json_t *j);
/* Copies body. */
void http_resp_body(struct http_resp *w, int status, const char *content_type, const void *body, size_t len);
/* Answers with the size bytes of the open file fd, read from disk as the client takes them
 * (memory stays flat whatever the size). Takes fd: it is closed once sent, or when another
 * answer replaces this one. */
void http_resp_file(struct http_resp *w, int status, const char *content_type, int fd, uint64_t size);
/* API.md's error shape from *e (status, code, message, field; Retry-After when set). */
void http_resp_error(struct http_resp *w, const struct err *e);
/* Answers with the static file at path under web_root ("/b/index.html") from the in-memory
 * cache: its type, ETag, Cache-Control and gzip; a 200 honours If-None-Match (304). Other
 * statuses (a 404 or 410 page) carry the file as their body. -1 when no such file is loaded. */
int http_resp_static(struct http_req *r, struct http_resp *w, int status, const char *path) WUR;
/* 204 No Content. */
void http_resp_empty(struct http_resp *w, int status);
/* Set-Cookie with HttpOnly; SameSite=Lax; Path=/ (and Secure when the server says TLS).
 * max_age < 0 deletes the cookie. */
void http_resp_cookie(struct http_resp *w, const char *name, const char *value, long max_age);

/* ---- metrics (the adapter counts requests; others add their lines) ---- */
/* Appends the adapter's Prometheus text (requests by route and status, latency histogram,
 * connections) to a malloc'd string the caller frees. */
char *http_metrics_text(struct http_server *s);
struct http_server *http_req_server(const struct http_req *r);

#endif
