/* Password reset, password change, e-mail verification and the user's own profile
 * (PATCH /api/v1/me). Hashing and verifying run on the password pool outside any
 * transaction; the transaction then holds only the writes, their audit entry and e-mails. */
#include <stdio.h>
#include <string.h>

#include "account/credentials.h"
#include "account/password.h"
#include "app/api.h"
#include "app/api_handlers.h"
#include "app/routes.h"
#include "base/clock.h"
#include "base/token.h"
#include "base/banned.h"

/* The user's current password hash (the principal does not carry it). */
static int current_hash(struct http_req *req, const struct principal *p, char out[PASSWORD_HASH_SIZE],
			struct err *e)
{
	db_conn *c;
	if (db_acquire(api_app(req)->db, &c, e))
		return -1;
	db_rows *r;
	int rc = db_query(c, "SELECT password_hash FROM users WHERE account_id = $1 AND id = $2",
			  DB_ARGS(DB_INT(p->account.id), DB_INT(p->user_id)), &r, e);
	out[0] = '\0';
	if (rc >= 0) {
		rc = db_rows_next(r, e);
		if (rc == 1 && db_rows_text(r, 0))
			snprintf(out, PASSWORD_HASH_SIZE, "%s", db_rows_text(r, 0));
		db_rows_free(r);
	}
	db_release(c);
	return rc < 0 ? -1 : 0;
}

int api_check_password(struct http_req *req, const char *pw, const char *field, const char *msg,
		       struct err *e)
{
	const struct principal *p = api_principal(req);
	if (route_rate_check(req, RATE_LOGIN_ACCOUNT, p->email, e))
		return -1;
	char hash[PASSWORD_HASH_SIZE];
	if (current_hash(req, p, hash, e))
		return -1;
	int ok = password_verify(hash, pw, e);
	if (ok < 0)
		return -1;
	if (!ok)
		return err_set(e, 400, "wrong_password", field, "%s", msg);
	return 0;
}

/* ---- POST /api/v1/password-reset ---- */

struct reset_request {
	const char *email, *ip;
};

static int reset_request_tx(db_conn *c, void *ctx, struct err *e)
{
	struct reset_request *r = ctx;
	return credentials_request_reset(c, r->email, r->ip, clock_now(), e);
}

int handle_password_reset_request(struct http_req *req, struct http_resp *resp, struct err *e)
{
	json_t *body = http_req_json(req, e);
	static const char *const fields[] = {"email", NULL};
	char raw[256], email[256];
	if (!body || api_only_fields(body, fields, e) || api_string(body, "email", 1, raw, 254, e) ||
	    email_normalise(raw, email, "email", e))
		return -1;
	if (route_rate_check(req, RATE_RESET, email, e))
		return -1;
	struct reset_request r = {email, http_req_client_ip(req)};
	if (api_transact(req, reset_request_tx, &r, e))
		return -1;
	http_resp_json(resp, 202, json_pack("{s:s}", "status", "sent_if_known"));
	return 0;
}

/* ---- POST /api/v1/password-reset/confirm ---- */

struct reset_confirm {
	const char *token, *hash, *ip;
};

static int reset_confirm_tx(db_conn *c, void *ctx, struct err *e)
{
	struct reset_confirm *r = ctx;
	return credentials_reset_password(c, r->token, r->hash, r->ip, clock_now(), e);
}

int handle_password_reset_confirm(struct http_req *req, struct http_resp *resp, struct err *e)
{
	json_t *body = http_req_json(req, e);
	static const char *const fields[] = {"token", "password", NULL};
	char token[TOKEN_LEN + 2], password[PASSWORD_MAX + 1], email[256];
	if (!body || api_only_fields(body, fields, e) ||
	    api_string(body, "token", 1, token, TOKEN_LEN + 1, e) ||
	    api_string(body, "password", 1, password, PASSWORD_MAX, e))
		return -1;
	db_conn *c;
	if (db_acquire(api_app(req)->db, &c, e))
		return -1;
	int rc = credentials_reset_check(c, token, clock_now(), email, e);
	db_release(c);
	char hash[PASSWORD_HASH_SIZE];
	if (rc || password_policy_check(password, email, "password", e) || password_hash(password, hash, e))
		return -1;
	struct reset_confirm r = {token, hash, http_req_client_ip(req)};
	if (api_transact(req, reset_confirm_tx, &r, e))
		return -1;
	api_session_cookie(resp, SESSION_COOKIE, NULL);
	http_resp_json(resp, 200, json_pack("{s:s}", "email", email));
	return 0;
}

/* ---- POST /api/v1/password ---- */

struct password_change {
	const struct principal *p;
	const char *hash, *ip;
};

static int password_change_tx(db_conn *c, void *ctx, struct err *e)
{
	struct password_change *x = ctx;
	return credentials_set_password(c, x->p->account.id, x->p->user_id, x->hash, x->p->session_id, x->ip,
					clock_now(), e);
}

int handle_password_change(struct http_req *req, struct http_resp *resp, struct err *e)
{
	const struct principal *p = api_principal(req);
	json_t *body = http_req_json(req, e);
	static const char *const fields[] = {"current_password", "new_password", NULL};
	char current[PASSWORD_MAX + 1], fresh[PASSWORD_MAX + 1];
	if (!body || api_only_fields(body, fields, e) ||
	    api_string(body, "current_password", 1, current, PASSWORD_MAX, e) ||
	    api_string(body, "new_password", 1, fresh, PASSWORD_MAX, e) ||
	    password_policy_check(fresh, p->email, "new_password", e) ||
	    api_check_password(req, current, "current_password", "the current password is not right", e))
		return -1;
	char hash[PASSWORD_HASH_SIZE];
	if (password_hash(fresh, hash, e))
		return -1;
	struct password_change x = {p, hash, http_req_client_ip(req)};
	if (api_transact(req, password_change_tx, &x, e))
		return -1;
	http_resp_empty(resp, 204);
	return 0;
}

/* ---- POST /api/v1/email/verify ---- */

struct verify {
	const char *token;
	char email[256];
};

static int verify_tx(db_conn *c, void *ctx, struct err *e)
{
	struct verify *v = ctx;
	return credentials_verify_email(c, v->token, clock_now(), v->email, e);
}

int handle_email_verify(struct http_req *req, struct http_resp *resp, struct err *e)
{
	json_t *body = http_req_json(req, e);
	static const char *const fields[] = {"token", NULL};
	char token[TOKEN_LEN + 2];
	if (!body || api_only_fields(body, fields, e) ||
	    api_string(body, "token", 1, token, TOKEN_LEN + 1, e))
		return -1;
	struct verify v = {.token = token};
	if (api_transact(req, verify_tx, &v, e))
		return -1;
	http_resp_json(resp, 200, json_pack("{s:s, s:b}", "email", v.email, "email_verified", 1));
	return 0;
}

/* ---- PATCH /api/v1/me ---- */

struct profile {
	const struct principal *p;
	const char *ip;
	char name[128];
	char locale[3];
	char email[256]; /* normalised; "" = unchanged */
	int has_name, has_locale;
};

static int profile_tx(db_conn *c, void *ctx, struct err *e)
{
	struct profile *x = ctx;
	const struct principal *p = x->p;
	int64_t now = clock_now();
	if (x->has_name || x->has_locale) {
		if (db_exec(c,
			    "UPDATE users SET name = $1, locale = $2, updated_at = $3 WHERE account_id = $4 "
			    "AND id = $5",
			    DB_ARGS(DB_TEXT(x->has_name ? x->name : p->user_name),
				    DB_TEXT(x->has_locale ? x->locale : p->user_locale), DB_INT(now),
				    DB_INT(p->account.id), DB_INT(p->user_id)),
			    e) < 0 ||
		    audit_write(c, p->account.id, p->user_id, 0, "profile_changed", "", x->ip, NULL, now, e))
			return -1;
	}
	if (x->email[0])
		return credentials_change_email(c, p->account.id, p->user_id, p->email, x->email,
						x->has_locale ? x->locale : p->user_locale, x->ip, now, e);
	return 0;
}

int handle_me_patch(struct http_req *req, struct http_resp *resp, struct err *e)
{
	const struct principal *p = api_principal(req);
	json_t *body = http_req_json(req, e);
	static const char *const fields[] = {"name", "locale", "email", "current_password", NULL};
	struct profile x = {.p = p, .ip = http_req_client_ip(req)};
	char raw_email[256], current[PASSWORD_MAX + 1];
	if (!body || api_only_fields(body, fields, e) ||
	    api_string(body, "name", 0, x.name, sizeof(x.name) - 1, e) ||
	    api_string(body, "locale", 0, x.locale, 2, e) ||
	    api_string(body, "email", 0, raw_email, 254, e) ||
	    api_string(body, "current_password", 0, current, PASSWORD_MAX, e))
		return -1;
	x.has_name = json_is_string(json_object_get(body, "name"));
	x.has_locale = json_is_string(json_object_get(body, "locale"));
	if (x.has_locale && strcmp(x.locale, "fr") && strcmp(x.locale, "en"))
		return err_set(e, 400, "invalid_locale", "locale", "locale must be fr or en");
	if (raw_email[0]) {
		if (email_normalise(raw_email, x.email, "email", e))
			return -1;
		if (!strcmp(x.email, p->email))
			x.email[0] = '\0';
	}
	if (x.email[0]) {
		if (!current[0])
			return err_set(e, 400, "missing_field", "current_password",
				       "changing the e-mail address needs the current password");
		if (api_check_password(req, current, "current_password", "the current password is not right",
				       e))
			return -1;
	}
	if (api_transact(req, profile_tx, &x, e))
		return -1;
	/* Answer with the profile as it now is. */
	struct principal *now_p = arena_alloc(http_req_arena(req), sizeof(*now_p));
	*now_p = *p;
	if (x.has_name)
		snprintf(now_p->user_name, sizeof(now_p->user_name), "%s", x.name);
	if (x.has_locale)
		snprintf(now_p->user_locale, sizeof(now_p->user_locale), "%s", x.locale);
	if (x.email[0])
		snprintf(now_p->email, sizeof(now_p->email), "%s", x.email);
	http_resp_json(resp, 200, me_json(req, now_p));
	return 0;
}
