/* Fuzz target: the router. The first byte picks the method, the rest is the raw path. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int h(struct http_req *req, struct http_resp *resp, struct err *e)
{
	(void)req;
	(void)resp;
	(void)e;
	return 0;
}

static const struct http_route routes[] = {
	{"GET", "/", h, 0, 0, NULL},
	{"GET", "/api/v1/staff", h, 0, 0, NULL},
	{"POST", "/api/v1/staff", h, 0, 0, NULL},
	{"GET", "/api/v1/staff/new", h, 0, 0, NULL},
	{"GET", "/api/v1/staff/{id}", h, 0, 0, NULL},
	{"PATCH", "/api/v1/staff/{id}", h, 0, 0, NULL},
	{"GET", "/api/v1/staff/{id}/hours", h, 0, 0, NULL},
	{"GET", "/api/v1/public/{slug}/availability", h, 0, 0, NULL},
	{"POST", "/api/v1/public/{slug}/appointments", h, 0, 0, NULL},
	{"GET", "/api/v1/manage/{token}", h, 0, 0, NULL},
	{"GET", "/u/{token}", h, 0, 0, NULL},
	{"GET", "/files/{path*}", h, 0, 0, NULL},
	{"DELETE", "/a/{b}/{c}/{d}/{e}/{f}/{g}/{h}/{i}", h, 0, 0, NULL},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct router *r;
	static const char *const methods[] = {"GET",   "HEAD",	 "POST",    "PUT",
					      "PATCH", "DELETE", "OPTIONS", "BREW"};
	if (!r && router_new(routes, sizeof(routes) / sizeof(routes[0]), &r, NULL) < 0)
		abort();
	if (size < 1)
		return 0;
	const char *method = methods[data[0] % 8];
	struct arena *a = arena_new();
	struct router_match m;
	enum router_result rr = router_match(r, method, (const char *)data + 1, size - 1, a, &m);
	if (rr == ROUTER_FOUND) {
		if (!m.route || m.nparams > HTTP_PARAMS_MAX)
			abort();
		for (size_t i = 0; i < m.nparams; i++)
			if (!m.params[i].name || !m.params[i].value || !*m.params[i].value)
				abort();
	} else if (rr == ROUTER_METHOD_NOT_ALLOWED) {
		char allow[80];
		router_allow_string(m.allow, allow, sizeof(allow));
		if (!allow[0])
			abort();
	}
	arena_free(a);
	return 0;
}
