/* POST /api/v1/session — log-in. An unknown e-mail, a wrong password, a user who cannot log
 * in (invited, removed) and an account being deleted all answer the same 401 after the same
 * work (one argon2id verification, against a dummy hash when there is no real one), so the
 * answer tells nothing about which addresses exist. Rate-limited per IP (the route's class)
 * and per e-mail (RATE_LOGIN_ACCOUNT). */
#include <stdio.h>
#include <string.h>

#include "account/password.h"
#include "app/api.h"
#include "app/api_handlers.h"
#include "app/routes.h"
#include "base/clock.h"
#include "base/banned.h"

struct login_user {
	int found;
	int can_log_in; /* active user of a live account */
	int64_t id, account_id;
	char hash[PASSWORD_HASH_SIZE];
};

/* One read: the user with this e-mail, its hash and whether it may log in. */
static int login_user_find(db *d, const char *email, struct login_user *u, struct err *e)
{
	db_conn *c;
	if (db_acquire(d, &c, e))
		return -1;
	db_rows *r;
	int rc = db_query(c,
			  "SELECT u.id, u.account_id, u.password_hash, u.status, a.state FROM users u"
			  " JOIN accounts a ON a.id = u.account_id WHERE u.email = $1",
			  DB_ARGS(DB_TEXT(email)), &r, e);
	if (rc >= 0) {
		rc = db_rows_next(r, e);
		if (rc == 1) {
			const char *hash = db_rows_text(r, 2);
			const char *status = db_rows_text(r, 3);
			const char *state = db_rows_text(r, 4);
			u->found = 1;
			u->id = db_rows_int(r, 0);
			u->account_id = db_rows_int(r, 1);
			snprintf(u->hash, sizeof(u->hash), "%s", hash ? hash : "");
			u->can_log_in = status && !strcmp(status, "active") && state &&
					strcmp(state, "deleting") && strcmp(state, "deleted");
		}
		db_rows_free(r);
	}
	db_release(c);
	return rc < 0 ? -1 : 0;
}

struct login_tx {
	const struct login_user *u;
	const char *ip, *user_agent;
	int ok;
	char token[SESSION_TOKEN_SIZE];
	char csrf[48];
};

static int login_tx(db_conn *c, void *ctx, struct err *e)
{
	struct login_tx *x = ctx;
	int64_t now = clock_now();
	if (!x->ok)
		return audit_write(c, x->u->found ? x->u->account_id : 0, x->u->found ? x->u->id : 0, 0,
				   "login_failed", "", x->ip, NULL, now, e);
	return session_create(c, x->u->account_id, x->u->id, now, x->ip, x->user_agent, x->token, x->csrf,
			      e) ||
	       audit_write(c, x->u->account_id, x->u->id, 0, "login", "", x->ip, NULL, now, e);
}

int handle_session_create(struct http_req *req, struct http_resp *resp, struct err *e)
{
	json_t *body = http_req_json(req, e);
	static const char *const fields[] = {"email", "password", NULL};
	char raw_email[256], email[256], password[PASSWORD_MAX + 1];
	if (!body || api_only_fields(body, fields, e) || api_string(body, "email", 1, raw_email, 254, e) ||
	    email_normalise(raw_email, email, "email", e) ||
	    api_string(body, "password", 1, password, PASSWORD_MAX, e))
		return -1;
	if (route_rate_check(req, RATE_LOGIN_ACCOUNT, email, e))
		return -1;

	struct app *app = api_app(req);
	struct login_user u = {0};
	if (login_user_find(app->db, email, &u, e))
		return -1;
	int match = password_verify(u.found ? u.hash : NULL, password, e);
	if (match < 0)
		return -1;

	const char *ua = http_req_header(req, "User-Agent");
	char user_agent[256];
	snprintf(user_agent, sizeof(user_agent), "%s", ua ? ua : "");
	struct login_tx x = {.u = &u,
			     .ip = http_req_client_ip(req),
			     .user_agent = user_agent,
			     .ok = match == 1 && u.can_log_in};
	if (api_transact(req, login_tx, &x, e))
		return -1;
	if (!x.ok)
		return err_set(e, 401, "invalid_credentials", NULL, "wrong e-mail address or password");

	struct principal *p = arena_alloc(http_req_arena(req), sizeof(*p));
	int rc = session_lookup(app->db, x.token, clock_now(), p, e);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return err_internal(e, "a session just created cannot be found");
	api_session_cookie(resp, SESSION_COOKIE, x.token);
	http_resp_json(resp, 200, me_json(req, p));
	return 0;
}
