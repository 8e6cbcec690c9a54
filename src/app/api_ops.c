/* The operator console's API: POST/DELETE /api/v1/ops/session (password + TOTP), GET
 * /api/v1/ops/me, GET /api/v1/ops/accounts. Operators reach only /api/v1/ops/... : the ops
 * routes read only the operator cookie, tenant routes only the business one. Rules in
 * src/account/operator.h. */
#include <stdlib.h>
#include <string.h>

#include "account/operator.h"
#include "account/password.h"
#include "app/api.h"
#include "app/api_handlers.h"
#include "app/routes.h"
#include "base/clock.h"
#include "base/banned.h"

#define OPS_LIST_DEFAULT 50
#define OPS_LIST_MAX	 200

static json_t *operator_json(const struct operator_info *o)
{
	return json_pack("{s:s, s:s, s:s}", "id", o->public_id, "email", o->email, "name", o->name);
}

int handle_ops_session_create(struct http_req *req, struct http_resp *resp, struct err *e)
{
	static const char *const fields[] = {"email", "password", "totp", NULL};
	char raw_email[300], email[256], password[PASSWORD_MAX + 1], totp[16];
	json_t *body = http_req_json(req, e);
	if (!body || api_only_fields(body, fields, e) ||
	    api_string(body, "email", 1, raw_email, sizeof(raw_email) - 1, e) ||
	    api_string(body, "password", 1, password, PASSWORD_MAX, e) ||
	    api_string(body, "totp", 1, totp, sizeof(totp) - 1, e))
		return -1;
	/* a malformed address is a wrong credential like any other */
	struct err ignored = {0};
	if (email_normalise(raw_email, email, "email", &ignored))
		email[0] = '\0';
	char key[300];
	snprintf(key, sizeof(key), "ops:%s", email);
	if (route_rate_check(req, RATE_LOGIN_ACCOUNT, key, e))
		return -1;
	char token[SESSION_TOKEN_SIZE], csrf[48];
	struct operator_info op;
	if (operator_login(api_app(req)->db, email, password, totp, http_req_client_ip(req), clock_now(),
			   token, csrf, &op, e))
		return -1;
	api_session_cookie(resp, OPS_SESSION_COOKIE, token);
	http_resp_json(resp, 200,
		       json_pack("{s:o, s:s}", "operator", operator_json(&op), "csrf_token", csrf));
	return 0;
}

struct ops_logout {
	const struct principal *p;
	const char *ip;
};

static int logout_tx(db_conn *c, void *ctx, struct err *e)
{
	struct ops_logout *l = ctx;
	return ops_session_end(c, l->p->session_id, e) ||
	       audit_write(c, 0, 0, l->p->operator_id, "operator_logout", "", l->ip, NULL, clock_now(), e);
}

int handle_ops_session_delete(struct http_req *req, struct http_resp *resp, struct err *e)
{
	struct ops_logout l = {api_principal(req), http_req_client_ip(req)};
	if (api_transact(req, logout_tx, &l, e))
		return -1;
	api_session_cookie(resp, OPS_SESSION_COOKIE, NULL);
	http_resp_empty(resp, 204);
	return 0;
}

int handle_ops_me(struct http_req *req, struct http_resp *resp, struct err *e)
{
	const struct principal *p = api_principal(req);
	db_conn *c;
	struct operator_info op;
	if (db_acquire(api_app(req)->db, &c, e))
		return -1;
	int rc = operator_get(c, p->operator_id, &op, e);
	db_release(c);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return err_set(e, 401, "unauthorized", NULL, "log in first");
	http_resp_json(resp, 200,
		       json_pack("{s:o, s:s}", "operator", operator_json(&op), "csrf_token", p->csrf_token));
	return 0;
}

/* A cursor is the decimal id of the last account of the previous page. */
static int read_paging(struct http_req *req, int64_t *after, int *limit, struct err *e)
{
	const char *l = http_req_query(req, "limit"), *cur = http_req_query(req, "cursor");
	char *end;
	*limit = OPS_LIST_DEFAULT;
	*after = 0;
	if (l) {
		long v = strtol(l, &end, 10);
		if (end == l || *end || v < 1 || v > OPS_LIST_MAX)
			return err_invalid(e, "limit", "limit must be a whole number from 1 to %d",
					   OPS_LIST_MAX);
		*limit = (int)v;
	}
	if (cur) {
		long long v = strtoll(cur, &end, 10);
		if (end == cur || *end || v < 0 || strlen(cur) > 19)
			return err_invalid(e, "cursor", "cursor is not one this API gave");
		*after = v;
	}
	return 0;
}

struct accounts_ctx {
	struct http_req *req;
	json_t *list;
	int64_t last_id;
};

static void account_row(void *ctx, const struct ops_account_row *row)
{
	struct accounts_ctx *a = ctx;
	json_array_append_new(a->list,
			      json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "id", row->public_id, "name",
					row->name, "slug", row->slug, "plan", row->plan, "state", row->state,
					"created_at", api_time(a->req, NULL, row->created_at)));
	a->last_id = row->id;
}

int handle_ops_accounts(struct http_req *req, struct http_resp *resp, struct err *e)
{
	int64_t after;
	int limit;
	if (read_paging(req, &after, &limit, e))
		return -1;
	const char *q = http_req_query(req, "q");
	if (q && strlen(q) > OPS_ACCOUNT_SEARCH_MAX)
		return err_invalid(e, "q", "a search holds at most %d bytes", OPS_ACCOUNT_SEARCH_MAX);
	db_conn *c;
	if (db_acquire(api_app(req)->db, &c, e))
		return -1;
	struct accounts_ctx a = {req, json_array(), 0};
	int n = ops_accounts_list(c, q, after, limit, account_row, &a, e);
	db_release(c);
	if (n < 0) {
		json_decref(a.list);
		return -1;
	}
	char cursor[24];
	snprintf(cursor, sizeof(cursor), "%lld", (long long)a.last_id);
	http_resp_json(
		resp, 200,
		json_pack("{s:o, s:s?}", "accounts", a.list, "next_cursor", n == limit ? cursor : NULL));
	return 0;
}
