/* THE route table: every endpoint of the product, in one place. A route's flags say what
 * route_before() checks before the handler runs. */
#include "app/routes.h"

#include <sodium.h>
#include <string.h>

#include "app/app.h"
#include "base/banned.h"

const struct http_route app_routes[] = {
	/* operations */
	{ "GET", "/livez", handle_livez, ROUTE_PUBLIC, 0, NULL },
	{ "GET", "/healthz", handle_healthz, ROUTE_PUBLIC, 0, NULL },
	{ "GET", "/metrics", handle_metrics, ROUTE_METRICS, 0, NULL },
	/* test mode only */
	{ "GET", "/api/v1/test/clock", handle_test_clock_get, ROUTE_TEST_ONLY, 0, NULL },
	{ "POST", "/api/v1/test/clock", handle_test_clock_post, ROUTE_TEST_ONLY, 4096, NULL },
};
const unsigned long app_nroutes = sizeof(app_routes) / sizeof(app_routes[0]);

static int is_loopback(const char *ip)
{
	return ip && (!strncmp(ip, "127.", 4) || !strcmp(ip, "::1") || !strncmp(ip, "::ffff:127.", 11));
}

static int check_metrics_access(struct http_req *req, const struct config *cfg, struct err *e)
{
	const char *token = cfg->metrics_token;
	if (!token || !*token) {
		if (is_loopback(http_req_client_ip(req)))
			return 0;
		return err_set(e, 403, "forbidden", NULL, "metrics are served to loopback peers only");
	}
	const char *auth = http_req_header(req, "Authorization");
	size_t tlen = strlen(token);
	if (auth && !strncmp(auth, "Bearer ", 7) && strlen(auth + 7) == tlen &&
	    sodium_memcmp(auth + 7, token, tlen) == 0)
		return 0;
	return err_set(e, 401, "unauthorized", NULL, "metrics need the bearer token");
}

int route_before(const struct http_route *route, struct http_req *req, struct http_resp *resp,
		 struct err *e)
{
	(void)resp;
	const struct app *app = http_req_app(req);
	if ((route->flags & ROUTE_TEST_ONLY) && !app->cfg->test_mode)
		return err_set(e, 404, "not_found", NULL, "no such resource");
	if (route->flags & ROUTE_METRICS)
		return check_metrics_access(req, app->cfg, e);
	return 0;
}
