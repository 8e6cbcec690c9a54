/* Test-mode routes. GET/POST /api/v1/test/clock — the shared test clock (test mode only; see
 * docs/internals/jobs.md). POST takes exactly one of:
 *   {"set": "2027-04-18T09:00:00+02:00"}         move the clock forward, running nothing (409 clock_backwards
 * otherwise)
 *   {"advance_to": "2027-04-18T09:00:00+02:00"}  move forward, running each due job in order
 *   {"advance_seconds": 86400}                    the same, relative to now */
#include <string.h>

#include "app/api.h"
#include "app/app.h"
#include "app/api_handlers.h"
#include "app/routes.h"
#include "base/clock.h"
#include "base/tz.h"
#include "jobs/testclock.h"
#include "base/banned.h"

static json_t *clock_json(int64_t now, int jobs_run)
{
	char when[TZ_RFC3339_SIZE];
	tz_format_rfc3339(NULL, now, when);
	return json_pack("{s:s, s:I, s:i}", "now", when, "unix", (json_int_t)now, "jobs_run", jobs_run);
}

int handle_test_clock_get(struct http_req *req, struct http_resp *resp, struct err *e)
{
	(void)req;
	(void)e;
	http_resp_json(resp, 200, clock_json(clock_now(), 0));
	return 0;
}

static int instant_field(json_t *body, const char *name, int64_t *out, struct err *e)
{
	const char *s = json_string_value(json_object_get(body, name));
	if (!s)
		return err_invalid(e, name, "%s must be an RFC 3339 instant", name);
	return tz_parse_rfc3339(s, out, e, name);
}

int handle_test_clock_post(struct http_req *req, struct http_resp *resp, struct err *e)
{
	struct app *app = http_req_app(req);
	json_t *body = http_req_json(req, e);
	if (!body)
		return -1;
	int given = !!json_object_get(body, "set") + !!json_object_get(body, "advance_to") +
		    !!json_object_get(body, "advance_seconds");
	if (given != 1)
		return err_invalid(e, NULL, "give exactly one of set, advance_to, advance_seconds");

	int64_t target;
	int jobs_run = 0;
	if (json_object_get(body, "set")) {
		if (instant_field(body, "set", &target, e) || testclock_set(app->db, target, e))
			return -1;
	} else {
		if (json_object_get(body, "advance_to")) {
			if (instant_field(body, "advance_to", &target, e))
				return -1;
		} else {
			json_t *secs = json_object_get(body, "advance_seconds");
			if (!json_is_integer(secs) || json_integer_value(secs) < 0 ||
			    json_integer_value(secs) > 20LL * 366 * 86400)
				return err_invalid(e, "advance_seconds",
						   "advance_seconds must be a whole number of seconds from 0 "
						   "to 20 years");
			target = clock_now() + json_integer_value(secs);
		}
		jobs_run = testclock_advance_to(app->db, target, e);
		if (jobs_run < 0)
			return -1;
	}
	http_resp_json(resp, 200, clock_json(clock_now(), jobs_run));
	return 0;
}

/* POST /api/v1/test/account-state {"slug", "state", "reason"?}: sets an account's state
 * directly, so tests can see what each state allows before the lifecycle jobs that move
 * accounts between states exist. */
int handle_test_account_state(struct http_req *req, struct http_resp *resp, struct err *e)
{
	char slug[64], state[32], reason[16];
	json_t *body = http_req_json(req, e);
	if (!body || api_string(body, "slug", 1, slug, sizeof(slug) - 1, e) ||
	    api_string(body, "state", 1, state, sizeof(state) - 1, e) ||
	    api_string(body, "reason", 0, reason, sizeof(reason) - 1, e))
		return -1;
	if (account_state_parse(state) < 0)
		return err_invalid(e, "state", "unknown account state");
	if (reason[0] && strcmp(reason, "cancelled") && strcmp(reason, "unpaid"))
		return err_invalid(e, "reason", "reason must be cancelled or unpaid");
	db_conn *c;
	if (db_acquire(api_app(req)->db, &c, e))
		return -1;
	int n = db_exec(c,
			"UPDATE accounts SET state = $2, state_reason = $3, state_changed_at = $4, version = "
			"version + 1"
			" WHERE slug = $1",
			DB_ARGS(DB_TEXT(slug), DB_TEXT(state), reason[0] ? DB_TEXT(reason) : DB_NULL,
				DB_INT(clock_now())),
			e);
	db_release(c);
	if (n < 0)
		return -1;
	if (n == 0)
		return err_set(e, 404, "not_found", "slug", "no account has this slug");
	http_resp_json(resp, 200, json_pack("{s:s, s:s}", "slug", slug, "state", state));
	return 0;
}
