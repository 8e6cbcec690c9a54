/* routes — private to app/: the flags a route declares, checked by route_before() for every
 * request before its handler runs, and the handlers routes.c names. */
#ifndef CRENEAU_ROUTES_H
#define CRENEAU_ROUTES_H

#include "http/http.h"

enum route_flag {
	ROUTE_PUBLIC = 0,           /* no session needed */
	ROUTE_TEST_ONLY = 1u << 0,  /* exists only in test mode: 404 otherwise */
	ROUTE_METRICS = 1u << 1,    /* bearer token, or a loopback peer when no token is set */
};

/* The route table (routes.c). */
extern const struct http_route app_routes[];
extern const unsigned long app_nroutes;

int route_before(const struct http_route *route, struct http_req *req, struct http_resp *resp,
		 struct err *e);

/* ops.c */
int handle_livez(struct http_req *req, struct http_resp *resp, struct err *e);
int handle_healthz(struct http_req *req, struct http_resp *resp, struct err *e);
int handle_metrics(struct http_req *req, struct http_resp *resp, struct err *e);
/* testclock_routes.c */
int handle_test_clock_get(struct http_req *req, struct http_resp *resp, struct err *e);
int handle_test_clock_post(struct http_req *req, struct http_resp *resp, struct err *e);

#endif
