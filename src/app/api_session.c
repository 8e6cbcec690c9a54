/* GET /api/v1/plans, DELETE /api/v1/session (log-out), GET /api/v1/me. Log-in is in
 * api_login.c. */
#include <string.h>

#include "app/api.h"
#include "app/api_handlers.h"
#include "base/clock.h"
#include "base/banned.h"

static json_t *plan_json(const struct plan *p)
{
	return json_pack("{s:s, s:s, s:I, s:s, s:i, s:i, s:b, s:i}", "code", p->code, "name", p->name,
			 "price_cents", (json_int_t)p->price_cents, "currency", p->currency, "staff_limit",
			 p->staff_limit, "sms_per_month", p->sms_per_month, "branding", p->branding,
			 "support_hours", p->support_hours);
}

int handle_plans_list(struct http_req *req, struct http_resp *resp, struct err *e)
{
	(void)req;
	(void)e;
	json_t *list = json_array();
	for (int i = 0; i < PLAN_COUNT; i++)
		json_array_append_new(list, plan_json(plan_get((enum plan_id)i)));
	http_resp_json(resp, 200,
		       json_pack("{s:o, s:s, s:i}", "plans", list, "default", "optimum", "trial_days", 15));
	return 0;
}

json_t *account_json(struct http_req *req, const struct account *a)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:s?, s:s, s:s, s:b}", "id", a->public_id,
			 "name", a->name, "slug", a->slug, "business_type", a->business_type, "plan",
			 plan_get(a->plan)->code, "state", account_state_code(a->state), "state_reason",
			 a->state_reason[0] ? a->state_reason : NULL, "trial_ends_at",
			 a->trial_ends_at ? api_time(req, a, a->trial_ends_at) : NULL, "time_zone",
			 a->time_zone, "locale", a->locale, "has_demo", a->has_demo);
}

json_t *me_json(struct http_req *req, const struct principal *p)
{
	json_t *user = json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", p->user_public_id, "email", p->email,
				 "name", p->user_name, "role", role_code(p->role), "locale", p->user_locale);
	json_t *features = json_object();
	static const struct {
		enum feature f;
		const char *name;
	} shown[] = {{FEAT_WRITE, "write"},
		     {FEAT_SMS, "sms"},
		     {FEAT_BRANDING, "branding"},
		     {FEAT_PUBLIC_BOOKING, "public_booking"}};
	for (size_t i = 0; i < sizeof(shown) / sizeof(shown[0]); i++) {
		struct err ignored = {0};
		json_object_set_new(features, shown[i].name,
				    json_boolean(!may(&p->account, shown[i].f, &ignored)));
	}
	return json_pack("{s:o, s:o, s:o, s:s}", "user", user, "account", account_json(req, &p->account),
			 "may", features, "csrf_token", p->csrf_token);
}

int handle_me(struct http_req *req, struct http_resp *resp, struct err *e)
{
	(void)e;
	http_resp_json(resp, 200, me_json(req, api_principal(req)));
	return 0;
}

struct logout {
	const struct principal *p;
	const char *ip;
};

static int logout_tx(db_conn *c, void *ctx, struct err *e)
{
	struct logout *l = ctx;
	return session_end(c, l->p->session_id, e) ||
	       audit_write(c, l->p->account.id, l->p->user_id, 0, "logout", "", l->ip, NULL, clock_now(), e);
}

int handle_session_delete(struct http_req *req, struct http_resp *resp, struct err *e)
{
	struct logout l = {api_principal(req), http_req_client_ip(req)};
	if (api_transact(req, logout_tx, &l, e))
		return -1;
	api_session_cookie(resp, SESSION_COOKIE, NULL);
	http_resp_empty(resp, 204);
	return 0;
}
