/* routes — private to app/: the policy a route declares in its flags, checked by
 * route_before() for every request before its handler runs, and the handlers routes.c names.
 *
 * Every route declares a scope:
 *   SCOPE_PUBLIC     no session needed (sign-up, log-in, public booking);
 *   SCOPE_TENANT     a business user's session; the account comes from it, never from the
 *                    request; writes need the CSRF token;
 *   SCOPE_COMMUNITY  a business user's session, but the data is shared by every customer
 *                    (ideas, roadmap): never a private field of another tenant;
 *   SCOPE_OPS        a platform operator's session (password + TOTP);
 *   SCOPE_INFRA      health and metrics;
 *   SCOPE_TEST       exists only in test mode (404 otherwise).
 * Tenant and community routes also name the feature they exercise (ROUTE_NEEDS), checked
 * with may() against the account's state and plan; without it, GET/HEAD need FEAT_READ and
 * every other method FEAT_WRITE. ROUTE_OWNER restricts a route to owners. */
#ifndef CRENEAU_ROUTES_H
#define CRENEAU_ROUTES_H

#include "account/account.h"
#include "http/http.h"

enum route_scope {
	SCOPE_PUBLIC = 1,
	SCOPE_TENANT,
	SCOPE_COMMUNITY,
	SCOPE_OPS,
	SCOPE_INFRA,
	SCOPE_TEST,
};

#define ROUTE_SCOPE_MASK       0xfu
#define ROUTE_SCOPE_OF(flags)  ((enum route_scope)((flags)&ROUTE_SCOPE_MASK))
#define ROUTE_OWNER	       (1u << 4) /* owners only (403 forbidden for staff) */
#define ROUTE_METRICS	       (1u << 5) /* bearer token, or a loopback peer when none is set */
#define ROUTE_SESSION_OPTIONAL (1u << 6) /* public route that uses a session when there is one */
/* The feature a tenant route exercises: ROUTE_NEEDS(FEAT_EXPORT). */
#define ROUTE_NEEDS(feat)	((unsigned)((feat) + 1) << 8)
#define ROUTE_FEATURE_OF(flags) ((int)(((flags) >> 8) & 0xffu) - 1)
/* A rate class (enum rate_class) limited per client IP before the handler runs. */
#define ROUTE_RATE(cls)	     ((unsigned)(cls) << 16)
#define ROUTE_RATE_OF(flags) ((int)(((flags) >> 16) & 0xffu))

enum rate_class {
	RATE_NONE,
	RATE_SIGNUP,	    /* sign-ups per IP */
	RATE_LOGIN_IP,	    /* log-in attempts per IP */
	RATE_RESET,	    /* password-reset requests per IP */
	RATE_PUBLIC,	    /* public forms (contact, booking) per IP */
	RATE_LOGIN_ACCOUNT, /* log-in attempts per account e-mail */
	RATE_CLASS_COUNT
};

/* The route table (routes.c). */
extern const struct http_route app_routes[];
extern const unsigned long app_nroutes;

/* Counts a hit of rate class cls for key (an IP, an account); 429 `rate_limited` with
 * Retry-After when over the class's limit. Handlers call it for keys other than the IP. */
int route_rate_check(struct http_req *req, int cls, const char *key, struct err *e) WUR;

int route_before(const struct http_route *route, struct http_req *req, struct http_resp *resp, struct err *e);

#endif
