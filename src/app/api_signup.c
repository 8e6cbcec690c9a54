/* POST /api/v1/signup — a business starts its 15-day trial: no card, a session at once. */
#include <string.h>

#include "account/demo.h"
#include "account/signup.h"
#include "app/api.h"
#include "app/api_handlers.h"
#include "base/clock.h"
#include "base/tz.h"
#include "base/banned.h"

static int signup_parse(struct http_req *req, const json_t *body, struct signup *s, struct err *e)
{
	static const char *const fields[] = {"business_name", "email",	   "password", "business_type",
					     "plan",	      "time_zone", "locale",   "accept_terms",
					     "accept_dpa",    NULL};
	char email[300], plan[32];
	int terms, dpa;
	memset(s, 0, sizeof(*s));
	if (api_only_fields(body, fields, e) ||
	    api_string(body, "business_name", 1, s->business_name, sizeof(s->business_name) - 1, e) ||
	    api_string(body, "email", 1, email, 254, e) || email_normalise(email, s->email, "email", e) ||
	    api_string(body, "password", 1, s->password, PASSWORD_MAX, e) ||
	    api_string(body, "business_type", 1, s->business_type, sizeof(s->business_type) - 1, e) ||
	    api_string(body, "plan", 0, plan, sizeof(plan) - 1, e) ||
	    api_string(body, "time_zone", 0, s->time_zone, sizeof(s->time_zone) - 1, e) ||
	    api_string(body, "locale", 0, s->locale, 2, e) ||
	    api_bool(body, "accept_terms", 1, 0, &terms, e) || api_bool(body, "accept_dpa", 1, 0, &dpa, e))
		return -1;
	if (!demo_business_type_known(s->business_type))
		return err_invalid(e, "business_type", "unknown business type");
	const struct plan *p = plan_by_code(plan[0] ? plan : "optimum");
	if (!p)
		return err_set(e, 400, "invalid_plan", "plan", "plan must be essentiel, pro or optimum");
	s->plan = p->id;
	if (!s->time_zone[0])
		memcpy(s->time_zone, "Europe/Paris", sizeof("Europe/Paris"));
	if (!tz_get(s->time_zone, e))
		return -1;
	if (!s->locale[0])
		memcpy(s->locale, "fr", 3);
	if (strcmp(s->locale, "fr") && strcmp(s->locale, "en"))
		return err_set(e, 400, "invalid_locale", "locale", "locale must be fr or en");
	if (!terms)
		return err_set(e, 400, "terms_not_accepted", "accept_terms",
			       "the terms of service must be accepted");
	if (!dpa)
		return err_set(e, 400, "terms_not_accepted", "accept_dpa",
			       "the data-processing agreement must be accepted");
	const char *ua = http_req_header(req, "User-Agent");
	snprintf(s->ip, sizeof(s->ip), "%s", http_req_client_ip(req));
	snprintf(s->user_agent, sizeof(s->user_agent), "%s", ua ? ua : "");
	return 0;
}

int handle_signup(struct http_req *req, struct http_resp *resp, struct err *e)
{
	json_t *body = http_req_json(req, e);
	struct signup s;
	struct signup_result out;
	if (!body || signup_parse(req, body, &s, e))
		return -1;
	int64_t now = clock_now();
	int rc = signup_create(api_app(req)->db, &s, now, &out, e);
	memset(s.password, 0, sizeof(s.password));
	if (rc)
		return -1;
	struct principal *p = arena_alloc(http_req_arena(req), sizeof(*p));
	if (session_lookup(api_app(req)->db, out.session_token, now, p, e) != 1)
		return err_internal(e, "the new session cannot be read back");
	http_req_set_account(req, p->account.public_id);
	api_session_cookie(resp, SESSION_COOKIE, out.session_token);
	http_resp_json(resp, 201, me_json(req, p));
	return 0;
}
