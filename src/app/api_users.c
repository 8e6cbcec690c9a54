/* People of a business: GET/POST /api/v1/users, PATCH/DELETE /api/v1/users/{id} (owners
 * only: the routes carry ROUTE_OWNER), POST /api/v1/invitations/accept (public). The rules
 * are in src/account/people.h; this file reads input and shapes answers. */
#include <string.h>

#include "account/password.h"
#include "account/people.h"
#include "app/api.h"
#include "app/api_handlers.h"
#include "base/clock.h"
#include "base/token.h"
#include "base/banned.h"

static json_t *person_json(struct http_req *req, const struct person *p)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "id", p->public_id, "email", p->email, "name",
			 p->name, "role", role_code(p->role), "status", p->status, "created_at",
			 api_time(req, api_account(req), p->created_at));
}

struct list_ctx {
	struct http_req *req;
	json_t *list;
};

static void list_one(void *ctx, const struct person *p)
{
	struct list_ctx *l = ctx;
	json_array_append_new(l->list, person_json(l->req, p));
}

int handle_users_list(struct http_req *req, struct http_resp *resp, struct err *e)
{
	db_conn *c;
	if (db_acquire(api_app(req)->db, &c, e))
		return -1;
	struct list_ctx l = {req, json_array()};
	int rc = people_list(c, api_account(req)->id, list_one, &l, e);
	db_release(c);
	if (rc) {
		json_decref(l.list);
		return -1;
	}
	http_resp_json(resp, 200, json_pack("{s:o}", "users", l.list));
	return 0;
}

/* The role field: "owner" or "staff"; def when absent. */
static int read_role(const json_t *body, int def, int *out, struct err *e)
{
	char code[16];
	if (api_string(body, "role", 0, code, sizeof(code) - 1, e))
		return -1;
	if (!code[0]) {
		*out = def;
		return 0;
	}
	*out = role_parse(code);
	if (*out < 0)
		return err_invalid(e, "role", "role must be \"owner\" or \"staff\"");
	return 0;
}

struct invite {
	const struct principal *by;
	char email[256];
	char name[PEOPLE_NAME_MAX + 1];
	int role;
	const char *public_url, *ip;
	struct person out;
};

static int invite_tx(db_conn *c, void *ctx, struct err *e)
{
	struct invite *x = ctx;
	return people_invite(c, x->by, x->email, x->name, (enum role)x->role, x->public_url, x->ip,
			     clock_now(), &x->out, e);
}

/* The base of the links in e-mails (--public-url). */
static const char *public_url(struct http_req *req)
{
	const char *u = api_app(req)->cfg->public_url;
	return u ? u : "";
}

int handle_users_invite(struct http_req *req, struct http_resp *resp, struct err *e)
{
	static const char *const fields[] = {"email", "name", "role", NULL};
	json_t *body = http_req_json(req, e);
	struct invite x = {.by = api_principal(req), .ip = http_req_client_ip(req)};
	char raw_email[300];
	if (!body || api_only_fields(body, fields, e) ||
	    api_string(body, "email", 1, raw_email, sizeof(raw_email) - 1, e) ||
	    email_normalise(raw_email, x.email, "email", e) ||
	    api_string(body, "name", 0, x.name, PEOPLE_NAME_MAX, e) ||
	    read_role(body, ROLE_STAFF, &x.role, e))
		return -1;
	x.public_url = public_url(req);
	if (api_transact(req, invite_tx, &x, e))
		return -1;
	http_resp_json(resp, 201, json_pack("{s:o}", "user", person_json(req, &x.out)));
	return 0;
}

struct change {
	const struct principal *by;
	const char *id, *ip;
	int role;
	char name[PEOPLE_NAME_MAX + 1];
	int has_name;
	struct person out;
};

static int update_tx(db_conn *c, void *ctx, struct err *e)
{
	struct change *x = ctx;
	return people_update(c, x->by, x->id, x->role, x->has_name ? x->name : NULL, x->ip, clock_now(),
			     &x->out, e);
}

static int remove_tx(db_conn *c, void *ctx, struct err *e)
{
	struct change *x = ctx;
	return people_remove(c, x->by, x->id, x->ip, clock_now(), e);
}

/* The {id} of the path: a public id, else 404 like an unknown one. */
static const char *path_id(struct http_req *req, struct err *e)
{
	const char *id = http_req_param(req, "id");
	if (!id || strlen(id) >= 24) {
		err_set(e, 404, "not_found", NULL, "no such person in this account");
		return NULL;
	}
	return id;
}

int handle_users_patch(struct http_req *req, struct http_resp *resp, struct err *e)
{
	static const char *const fields[] = {"name", "role", NULL};
	struct change x = {.by = api_principal(req), .ip = http_req_client_ip(req)};
	json_t *body = http_req_json(req, e);
	if (!body || api_only_fields(body, fields, e) || read_role(body, -1, &x.role, e) ||
	    api_string(body, "name", 0, x.name, PEOPLE_NAME_MAX, e))
		return -1;
	x.has_name = json_object_get(body, "name") != NULL;
	if (!(x.id = path_id(req, e)) || api_transact(req, update_tx, &x, e))
		return -1;
	http_resp_json(resp, 200, json_pack("{s:o}", "user", person_json(req, &x.out)));
	return 0;
}

int handle_users_delete(struct http_req *req, struct http_resp *resp, struct err *e)
{
	struct change x = {.by = api_principal(req), .ip = http_req_client_ip(req)};
	if (!(x.id = path_id(req, e)) || api_transact(req, remove_tx, &x, e))
		return -1;
	http_resp_empty(resp, 204);
	return 0;
}

struct accept {
	char token[TOKEN_INPUT_MAX + 1];
	char name[PEOPLE_NAME_MAX + 1];
	char hash[PASSWORD_HASH_SIZE];
	const char *ip, *user_agent;
	struct invitation inv;
	char session[SESSION_TOKEN_SIZE], csrf[48];
};

static int accept_tx(db_conn *c, void *ctx, struct err *e)
{
	struct accept *x = ctx;
	int64_t now = clock_now();
	return people_invitation_accept(c, x->token, x->hash, x->name, x->ip, now, &x->inv, e) ||
	       session_create(c, x->inv.account_id, x->inv.user_id, now, x->ip, x->user_agent, x->session,
			      x->csrf, e);
}

/* Reads the invitation the token leads to, without spending it. */
static int find_invitation(struct http_req *req, struct accept *x, struct err *e)
{
	db_conn *c;
	if (db_acquire(api_app(req)->db, &c, e))
		return -1;
	int rc = people_invitation_find(c, x->token, clock_now(), &x->inv, e);
	db_release(c);
	return rc == 1 ? 0 : -1;
}

int handle_invitation_accept(struct http_req *req, struct http_resp *resp, struct err *e)
{
	static const char *const fields[] = {"token", "password", "name", NULL};
	struct accept x = {.ip = http_req_client_ip(req), .user_agent = http_req_header(req, "User-Agent")};
	char password[PASSWORD_MAX + 1];
	json_t *body = http_req_json(req, e);
	if (!body || api_only_fields(body, fields, e) ||
	    api_string(body, "token", 1, x.token, TOKEN_INPUT_MAX, e) ||
	    api_string(body, "password", 1, password, PASSWORD_MAX, e) ||
	    api_string(body, "name", 0, x.name, PEOPLE_NAME_MAX, e))
		return -1;
	/* the policy compares the password with the address, so read the invitation first; the
	 * hash is computed outside the transaction (it takes tens of milliseconds) */
	if (find_invitation(req, &x, e) || password_policy_check(password, x.inv.email, "password", e) ||
	    password_hash(password, x.hash, e) || api_transact(req, accept_tx, &x, e))
		return -1;
	struct principal *p = arena_alloc(http_req_arena(req), sizeof(*p));
	if (session_lookup(api_app(req)->db, x.session, clock_now(), p, e) != 1)
		return err_internal(e, "the new session of an accepted invitation was not found");
	api_session_cookie(resp, SESSION_COOKIE, x.session);
	http_resp_json(resp, 200, me_json(req, p));
	return 0;
}
