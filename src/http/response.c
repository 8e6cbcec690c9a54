/* response — what handlers fill (struct http_resp) and how it goes out: JSON and error
 * bodies, cookies, and the headers every response carries (X-Request-Id and the security
 * headers). Bodies live in the request arena, which outlives the response's sending. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "http/server_int.h"
#include "base/banned.h"

#define CSP_BASE                                                                                             \
	"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "                    \
	"base-uri 'none'; form-action 'self'"
static const char csp_deny[] = CSP_BASE "; frame-ancestors 'none'";
static const char csp_frameable[] = CSP_BASE;

void http_resp_header(struct http_resp *w, const char *name, const char *value)
{
	struct arena *a = w->req->arena;
	struct resp_header *h = arena_alloc(a, sizeof(*h));
	h->name = arena_strdup(a, name);
	h->value = arena_strdup(a, value);
	h->next = w->headers;
	w->headers = h;
}

static void drop_file(struct http_resp *w)
{
	if (w->has_fd)
		close(w->fd);
	w->has_fd = 0;
}

static void set_body(struct http_resp *w, int status, const char *ctype, const char *body, size_t len)
{
	drop_file(w);
	w->answered = 1;
	w->status = status;
	w->content_type = ctype;
	w->body = body;
	w->len = len;
}

static void free_str(void *p)
{
	free(p);
}

void http_resp_json(struct http_resp *w, int status, json_t *j)
{
	char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (!s) {
		struct err e;
		err_internal(&e, "response is not serialisable JSON");
		http_resp_error(w, &e);
		return;
	}
	arena_defer(w->req->arena, free_str, s);
	set_body(w, status, "application/json; charset=utf-8", s, strlen(s));
}

void http_resp_body(struct http_resp *w, int status, const char *content_type, const void *body, size_t len)
{
	char *copy = arena_alloc(w->req->arena, len + 1);
	if (len)
		memcpy(copy, body, len);
	set_body(w, status, content_type ? arena_strdup(w->req->arena, content_type) : NULL, copy, len);
}

/* One line per error answer, enough to find the cause: the request id (also in the client's
 * X-Request-Id), route pattern, account, code, field and the full message — a store error's
 * message names its SQLSTATE or SQLite code. 5xx at error level, 4xx at debug. */
static void log_failure(const struct http_req *r, int status, const char *code, const char *field,
			const char *message)
{
	char msg[300];
	snprintf(msg, sizeof(msg), "%s", message);
	for (char *p = msg; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '"')
			*p = *p == '"' ? '\'' : ' ';
	const char *route = r->route ? r->route->pattern : "-";
	if (status >= 500)
		log_error("http_error id=%s method=%s route=%s status=%d code=%s field=%s account=%s ip=%s "
			  "message=\"%s\"",
			  r->id, r->method ? r->method : "-", route, status, code, field,
			  r->account_id ? r->account_id : "-", http_req_client_ip(r), msg);
	else
		log_debug("http_error id=%s method=%s route=%s status=%d code=%s field=%s account=%s ip=%s "
			  "message=\"%s\"",
			  r->id, r->method ? r->method : "-", route, status, code, field,
			  r->account_id ? r->account_id : "-", http_req_client_ip(r), msg);
}

void http_resp_error(struct http_resp *w, const struct err *e)
{
	int status = e && e->status >= 400 && e->status <= 599 ? e->status : 500;
	const char *code = e && e->code[0] ? e->code : "internal";
	const char *message = e && e->message[0] ? e->message : code;
	log_failure(w->req, status, code, e && e->field[0] ? e->field : "-", message);
	if (status >= 500 && !strcmp(code, "internal"))
		message = "internal error"; /* the details are for the log, not for the client */
	json_t *inner = json_object();
	json_object_set_new(inner, "code", json_string(code));
	json_t *msg = json_string(message);
	json_object_set_new(inner, "message", msg ? msg : json_string("(message not UTF-8)"));
	if (e && e->field[0])
		json_object_set_new(inner, "field", json_string(e->field));
	json_t *j = json_object();
	json_object_set_new(j, "error", inner);
	char *s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (!s) /* only when a text was not UTF-8 */
		s = strdup("{\"error\":{\"code\":\"internal\",\"message\":\"internal error\"}}");
	arena_defer(w->req->arena, free_str, s);
	set_body(w, status, "application/json; charset=utf-8", s, strlen(s));
	if (e && e->retry_after > 0) {
		char ra[24];
		snprintf(ra, sizeof(ra), "%d", e->retry_after);
		http_resp_header(w, "Retry-After", ra);
	}
}

void http_resp_empty(struct http_resp *w, int status)
{
	set_body(w, status, NULL, "", 0);
}

void http_resp_file(struct http_resp *w, int status, const char *content_type, int fd, uint64_t size)
{
	set_body(w, status, content_type ? arena_strdup(w->req->arena, content_type) : NULL, NULL, 0);
	w->has_fd = 1;
	w->fd = fd;
	w->len = (size_t)size;
}

void http_resp_cookie(struct http_resp *w, const char *name, const char *value, long max_age)
{
	if (!http_cookie_valid(name, value ? value : "")) {
		log_error("http_cookie invalid name or value id=%s name=%s", w->req->id, name ? name : "");
		return;
	}
	const char *secure = w->req->srv->cfg.behind_tls ? "; Secure" : "";
	char *v;
	if (max_age < 0)
		v = arena_printf(w->req->arena, "%s=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax%s", name,
				 secure);
	else
		v = arena_printf(w->req->arena, "%s=%s; Max-Age=%ld; Path=/; HttpOnly; SameSite=Lax%s", name,
				 value ? value : "", max_age, secure);
	http_resp_header(w, "Set-Cookie", v);
}

enum MHD_Result http_resp_send_error(struct http_req *r, int status, const char *code, const char *fmt, ...)
{
	struct err e;
	err_clear(&e);
	e.status = status;
	snprintf(e.code, sizeof(e.code), "%s", code);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e.message, sizeof(e.message), fmt, ap);
	va_end(ap);
	http_resp_error(&r->resp, &e);
	return http_resp_send(r);
}

static int frameable(const struct http_req *r)
{
	if (r->route)
		return (r->route->flags & HTTP_ROUTE_FRAMEABLE) != 0;
	return r->sf && !strncmp(r->sf->path, "/widget/", 8);
}

enum MHD_Result http_resp_send(struct http_req *r)
{
	struct http_resp *w = &r->resp;
	struct MHD_Response *mr;
	if (w->has_fd) {
		/* libmicrohttpd owns the descriptor from here, and closes it */
		mr = MHD_create_response_from_fd64((uint64_t)w->len, w->fd);
		w->has_fd = !mr;
		if (!mr)
			drop_file(w);
	} else {
		mr = MHD_create_response_from_buffer(w->len, (void *)(w->body ? w->body : ""),
						     MHD_RESPMEM_PERSISTENT);
	}
	if (!mr)
		return MHD_NO;
	int ok = 1;
	if (w->content_type)
		ok &= MHD_add_response_header(mr, "Content-Type", w->content_type) == MHD_YES;
	ok &= MHD_add_response_header(mr, "X-Request-Id", r->id) == MHD_YES;
	ok &= MHD_add_response_header(mr, "X-Content-Type-Options", "nosniff") == MHD_YES;
	ok &= MHD_add_response_header(mr, "Referrer-Policy", "strict-origin-when-cross-origin") == MHD_YES;
	if (frameable(r)) {
		ok &= MHD_add_response_header(mr, "Content-Security-Policy", csp_frameable) == MHD_YES;
	} else {
		ok &= MHD_add_response_header(mr, "Content-Security-Policy", csp_deny) == MHD_YES;
		ok &= MHD_add_response_header(mr, "X-Frame-Options", "DENY") == MHD_YES;
	}
	for (struct resp_header *h = w->headers; h; h = h->next)
		if (MHD_add_response_header(mr, h->name, h->value) != MHD_YES)
			log_warn("http_header refused id=%s name=%s", r->id, h->name);
	if (!ok)
		log_warn("http_header could not add the standard headers id=%s", r->id);
	r->status = w->status;
	enum MHD_Result ret = MHD_queue_response(r->mc, (unsigned)w->status, mr);
	MHD_destroy_response(mr);
	return ret;
}
