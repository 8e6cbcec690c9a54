/* request — what handlers read from a struct http_req: its route, parameters, query,
 * headers, cookies and body (raw or as JSON). Everything returned lives in the request. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http/server_int.h"
#include "base/banned.h"

void *http_req_app(const struct http_req *r)
{
	return r->srv->cfg.app;
}

struct arena *http_req_arena(const struct http_req *r)
{
	return r->arena;
}

const char *http_req_method(const struct http_req *r)
{
	return r->method ? r->method : "";
}

const char *http_req_path(const struct http_req *r)
{
	return r->raw_path;
}

const struct http_route *http_req_route(const struct http_req *r)
{
	return r->route;
}

const char *http_req_id(const struct http_req *r)
{
	return r->id;
}

const char *http_req_client_ip(const struct http_req *r)
{
	return r->client_ip ? r->client_ip : r->conn->peer;
}

const char *http_req_param(const struct http_req *r, const char *name)
{
	for (size_t i = 0; i < r->match.nparams; i++)
		if (!strcmp(r->match.params[i].name, name))
			return r->match.params[i].value;
	return NULL;
}

const char *http_req_query(const struct http_req *r, const char *name)
{
	for (int i = 0; i < r->nquery; i++)
		if (!strcmp(r->query[i].name, name))
			return r->query[i].value;
	return NULL;
}

const char *http_req_header(const struct http_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->mc, MHD_HEADER_KIND, name);
}

const char *http_req_cookie(const struct http_req *r, const char *name)
{
	struct http_req *rw = (struct http_req *)r; /* parsed on first use */
	if (!rw->cookies_parsed) {
		const char *h = MHD_lookup_connection_value(r->mc, MHD_HEADER_KIND, "Cookie");
		rw->ncookies = h ? http_cookies_parse(h, strlen(h), rw->arena, &rw->cookies) : 0;
		rw->cookies_parsed = 1;
	}
	for (int i = 0; i < r->ncookies; i++)
		if (!strcmp(r->cookies[i].name, name))
			return r->cookies[i].value;
	return NULL;
}

const char *http_req_body(const struct http_req *r, size_t *len)
{
	if (len)
		*len = r->body.len;
	return r->body.len ? r->body.data : "";
}

static int is_json_type(const char *ct)
{
	if (!ct)
		return 0;
	while (*ct == ' ')
		ct++;
	size_t n = strcspn(ct, "; \t");
	if (n == 16 && !strncasecmp(ct, "application/json", 16))
		return 1;
	/* application/something+json */
	return n > 17 && !strncasecmp(ct, "application/", 12) && !strncasecmp(ct + n - 5, "+json", 5);
}

static void json_release(void *j)
{
	json_decref(j);
}

json_t *http_req_json(struct http_req *r, struct err *e)
{
	if (r->json)
		return r->json;
	if (!is_json_type(http_req_header(r, "Content-Type"))) {
		err_set(e, 415, "unsupported_media_type", NULL, "the body must be application/json");
		return NULL;
	}
	json_t *j = http_json_decode(r->body.data, r->body.len, e);
	if (!j)
		return NULL;
	arena_defer(r->arena, json_release, j);
	r->json = j;
	return j;
}

void http_req_set_account(struct http_req *r, const char *account_id)
{
	r->account_id = account_id ? arena_strdup(r->arena, account_id) : NULL;
}

void http_req_set_user_data(struct http_req *r, void *data)
{
	r->user_data = data;
}

void *http_req_user_data(const struct http_req *r)
{
	return r->user_data;
}

struct http_server *http_req_server(const struct http_req *r)
{
	return r->srv;
}
