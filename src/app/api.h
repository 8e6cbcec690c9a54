/* api — what every HTTP handler of app/ shares: the app and principal of a request, and
 * typed reading of JSON input with API.md's errors (400 naming the field). Handlers validate
 * their whole input into a struct before touching the store, so bad input changes nothing. */
#ifndef CRENEAU_API_H
#define CRENEAU_API_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "account/account.h"
#include "app/app.h"
#include "http/http.h"

/* The app serving the request. */
struct app *api_app(const struct http_req *req);
/* The principal route_before attached (never NULL: kind PRINCIPAL_NONE on public routes). */
const struct principal *api_principal(const struct http_req *req);
/* The account of the session (tenant and community routes only). */
const struct account *api_account(const struct http_req *req);

/* Reads a string field into out (at most max bytes, NUL excluded, valid UTF-8, no control
 * characters, trimmed). Missing or null: "" when optional, 400 `missing_field` when
 * required. Wrong type or too long: 400 `invalid_field`. */
int api_string(const json_t *body, const char *field, int required, char *out, size_t max, struct err *e) WUR;
/* Reads a boolean field; missing = def unless required. */
int api_bool(const json_t *body, const char *field, int required, int def, int *out, struct err *e) WUR;
/* Reads an integer field within [min, max]; missing = def unless required. */
int api_int(const json_t *body, const char *field, int required, int64_t def, int64_t min, int64_t max,
	    int64_t *out, struct err *e) WUR;
/* Refuses fields not in `allowed` (NULL-terminated): 400 `unknown_field` naming it, so a
 * typo never silently does nothing. */
int api_only_fields(const json_t *body, const char *const *allowed, struct err *e) WUR;

/* Runs fn in a write transaction on the app's store, retrying on DB_RETRY (db_transact). */
int api_transact(struct http_req *req, int (*fn)(db_conn *c, void *ctx, struct err *e), void *ctx,
		 struct err *e) WUR;

/* Sets the session cookie (token) for SESSION_ABSOLUTE_S, or clears it with token NULL. */
void api_session_cookie(struct http_resp *resp, const char *name, const char *token);

/* An RFC 3339 string of utc in the account's zone (UTC when a is NULL), from the arena. */
const char *api_time(struct http_req *req, const struct account *a, int64_t utc);

/* Checks `pw` against the password of the session's user: 400 `wrong_password` on `field`
 * with `msg`. Counted against the user's log-in limit (RATE_LOGIN_ACCOUNT), so a stolen
 * session cannot guess it quickly (api_password.c). */
int api_check_password(struct http_req *req, const char *pw, const char *field, const char *msg,
		       struct err *e) WUR;

/* The JSON of GET /api/v1/me for a principal: user, account, what it may do, CSRF token
 * (api_session.c). Log-in and sign-up answer with it too. */
json_t *me_json(struct http_req *req, const struct principal *p);
/* The account part of it. */
json_t *account_json(struct http_req *req, const struct account *a);

#endif
