/* Fuzz target: the router over the product's real route table (app_routes). The first byte
 * picks the method, the rest is the raw path. What matches must be a route of that method (or
 * GET for HEAD) with one decoded, non-empty value per parameter of its pattern. */
#include <string.h>

#include "app/routes.h"
#include "fuzz/fuzz.h"
#include "http/http_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct router *r;
	static const char *const methods[] = {"GET",   "HEAD",	 "POST",    "PUT",
					      "PATCH", "DELETE", "OPTIONS", "TRACE"};
	if (!r && router_new(app_routes, app_nroutes, &r, NULL) < 0)
		abort(); /* the product's own table must build */
	if (size < 1)
		return 0;
	const char *method = methods[data[0] % 8];
	struct arena *a = arena_new();
	struct router_match m;
	enum router_result rr = router_match(r, method, (const char *)data + 1, size - 1, a, &m);
	if (rr == ROUTER_FOUND) {
		FUZZ_CHECK(m.route && m.route_index < app_nroutes && m.route == &app_routes[m.route_index]);
		FUZZ_CHECK(!strcmp(m.route->method, method) ||
			   (!strcmp(method, "HEAD") && !strcmp(m.route->method, "GET")));
		FUZZ_CHECK(m.nparams <= HTTP_PARAMS_MAX);
		size_t braces = 0;
		for (const char *p = m.route->pattern; *p; p++)
			braces += *p == '{';
		FUZZ_CHECK(m.nparams == braces);
		for (size_t i = 0; i < m.nparams; i++) {
			FUZZ_CHECK(m.params[i].name && m.params[i].value && m.params[i].value[0]);
			char pat[80];
			snprintf(pat, sizeof(pat), "{%s", m.params[i].name);
			FUZZ_CHECK(strstr(m.route->pattern, pat));
		}
		FUZZ_CHECK(size - 1 <= HTTP_PATH_MAX);
	} else if (rr == ROUTER_METHOD_NOT_ALLOWED) {
		char allow[128];
		router_allow_string(m.allow, allow, sizeof(allow));
		FUZZ_CHECK(allow[0]);
	}
	arena_free(a);
	return 0;
}
