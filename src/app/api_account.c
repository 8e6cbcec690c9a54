/* GET/PATCH /api/v1/account (the business profile) and DELETE /api/v1/demo. */
#include <string.h>

#include "account/demo.h"
#include "app/api.h"
#include "app/api_handlers.h"
#include "base/clock.h"
#include "base/tz.h"
#include "base/banned.h"

static const char profile_columns[] =
	"name, slug, business_type, plan, state, state_reason, trial_ends_at, time_zone, locale,"
	" contact_email, phone, address, website, has_demo, terms_version, terms_accepted_at, dpa_version,"
	" dpa_accepted_at, version, created_at, min_notice_s, horizon_s, slot_step_min, cancel_cutoff_s";

/* The booking rules of the account (a service may override each; schedule/setup.h). */
static const char *const rule_fields[] = {"min_notice_s", "horizon_s", "slot_step_min", "cancel_cutoff_s"};
#define DAY_S 86400LL
static const int64_t rule_min[] = {0, DAY_S, 0, 0};
static const int64_t rule_max[] = {30 * DAY_S, 731 * DAY_S, 60, 30 * DAY_S};

static json_t *profile_json(struct http_req *req, const struct account *a, db_rows *r)
{
	const char *reason = db_rows_text(r, 5);
	struct account shown = *a;
	snprintf(shown.time_zone, sizeof(shown.time_zone), "%s", db_rows_text(r, 7));
	json_t *j = json_pack(
		"{s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:s?, s:s, s:s, s:s, s:s, s:s, s:s, s:b,"
		" s:{s:s, s:s, s:s, s:s}, s:I, s:s}",
		"id", a->public_id, "name", db_rows_text(r, 0), "slug", db_rows_text(r, 1), "business_type",
		db_rows_text(r, 2), "plan", db_rows_text(r, 3), "state", db_rows_text(r, 4), "state_reason",
		reason && *reason ? reason : NULL, "trial_ends_at",
		db_rows_is_null(r, 6) ? NULL : api_time(req, &shown, db_rows_int(r, 6)), "time_zone",
		db_rows_text(r, 7), "locale", db_rows_text(r, 8), "contact_email", db_rows_text(r, 9),
		"phone", db_rows_text(r, 10), "address", db_rows_text(r, 11), "website", db_rows_text(r, 12),
		"has_demo", (int)db_rows_int(r, 13), "accepted", "terms_version", db_rows_text(r, 14),
		"terms_accepted_at", api_time(req, &shown, db_rows_int(r, 15)), "dpa_version",
		db_rows_text(r, 16), "dpa_accepted_at", api_time(req, &shown, db_rows_int(r, 17)), "version",
		(json_int_t)db_rows_int(r, 18), "created_at", api_time(req, &shown, db_rows_int(r, 19)));
	for (int i = 0; j && i < 4; i++)
		json_object_set_new(j, rule_fields[i], json_integer(db_rows_int(r, 20 + i)));
	return j;
}

/* Reads the profile of the session's account and answers with it. */
static int answer_profile(struct http_req *req, struct http_resp *resp, int status, struct err *e)
{
	const struct account *a = api_account(req);
	db_conn *c;
	db_rows *r;
	char sql[512];
	snprintf(sql, sizeof(sql), "SELECT %s FROM accounts WHERE id = $1", profile_columns);
	if (db_acquire(api_app(req)->db, &c, e))
		return -1;
	int rc = db_query(c, sql, DB_ARGS(DB_INT(a->id)), &r, e);
	if (!rc) {
		rc = db_rows_next(r, e);
		if (rc == 1)
			http_resp_json(resp, status, json_pack("{s:o}", "account", profile_json(req, a, r)));
		db_rows_free(r);
	}
	db_release(c);
	if (rc == 0)
		return err_set(e, 404, "not_found", NULL, "no such account");
	return rc < 0 ? -1 : 0;
}

int handle_account_get(struct http_req *req, struct http_resp *resp, struct err *e)
{
	return answer_profile(req, resp, 200, e);
}

struct profile_patch {
	const struct principal *p;
	const char *ip;
	int64_t version; /* 0: no check */
	int has[7];
	char name[121], contact_email[256], phone[40], address[300], website[200], time_zone[64], locale[3];
	int has_rule[4];
	int64_t rule[4];
};

enum { P_NAME, P_EMAIL, P_PHONE, P_ADDRESS, P_WEBSITE, P_TZ, P_LOCALE };

static int patch_parse(const json_t *body, struct profile_patch *x, struct err *e)
{
	static const char *const fields[] = {
		"name",		 "contact_email",   "phone",   "address",      "website",
		"time_zone",	 "locale",	    "version", "min_notice_s", "horizon_s",
		"slot_step_min", "cancel_cutoff_s", NULL};
	struct {
		const char *field;
		char *out;
		size_t max;
	} text[] = {
		{"name", x->name, sizeof(x->name) - 1},
		{"contact_email", x->contact_email, 254},
		{"phone", x->phone, sizeof(x->phone) - 1},
		{"address", x->address, sizeof(x->address) - 1},
		{"website", x->website, sizeof(x->website) - 1},
		{"time_zone", x->time_zone, sizeof(x->time_zone) - 1},
		{"locale", x->locale, 2},
	};
	if (api_only_fields(body, fields, e) || api_int(body, "version", 0, 0, 1, INT64_MAX, &x->version, e))
		return -1;
	for (int i = 0; i < 7; i++) {
		x->has[i] = json_object_get(body, text[i].field) != NULL;
		if (x->has[i] &&
		    api_string(body, text[i].field, i == P_NAME || i == P_EMAIL || i == P_TZ || i == P_LOCALE,
			       text[i].out, text[i].max, e))
			return -1;
	}
	char normalised[256];
	if (x->has[P_EMAIL]) {
		if (email_normalise(x->contact_email, normalised, "contact_email", e))
			return -1;
		memcpy(x->contact_email, normalised, sizeof(normalised));
	}
	if (x->has[P_TZ] && !tz_get(x->time_zone, e))
		return -1;
	if (x->has[P_LOCALE] && strcmp(x->locale, "fr") && strcmp(x->locale, "en"))
		return err_set(e, 400, "invalid_locale", "locale", "locale must be fr or en");
	for (int i = 0; i < 4; i++) {
		x->has_rule[i] = json_object_get(body, rule_fields[i]) != NULL;
		if (x->has_rule[i] &&
		    api_int(body, rule_fields[i], 1, 0, rule_min[i], rule_max[i], &x->rule[i], e))
			return -1;
	}
	/* the slot step is 0 (the service's duration) or 5..60 minutes */
	if (x->has_rule[2] && x->rule[2] > 0 && x->rule[2] < 5)
		return err_invalid(e, "slot_step_min",
				   "slot_step_min must be 0 (the service's duration) or 5 to 60");
	return 0;
}

static int patch_tx(db_conn *c, void *ctx, struct err *e)
{
	static const char *const columns[] = {"name",	 "contact_email", "phone", "address",
					      "website", "time_zone",	  "locale"};
	struct profile_patch *x = ctx;
	const char *values[] = {x->name,    x->contact_email, x->phone, x->address,
				x->website, x->time_zone,     x->locale};
	int64_t now = clock_now();
	int64_t version = 0;
	if (db_query_int(c, "SELECT version FROM accounts WHERE id = $1", DB_ARGS(DB_INT(x->p->account.id)),
			 &version, e) != 1)
		return -1;
	if (x->version && x->version != version)
		return err_set(e, 409, "stale_version", "version",
			       "the profile changed since it was read: reload it and apply the change again");
	char changed[200] = "";
	for (int i = 0; i < 7; i++) {
		if (!x->has[i])
			continue;
		char sql[128];
		snprintf(sql, sizeof(sql), "UPDATE accounts SET %s = $2 WHERE id = $1", columns[i]);
		if (db_exec(c, sql, DB_ARGS(DB_INT(x->p->account.id), DB_TEXT(values[i])), e) < 0)
			return -1;
		size_t n = strlen(changed);
		snprintf(changed + n, sizeof(changed) - n, "%s\"%s\"", n ? "," : "", columns[i]);
	}
	for (int i = 0; i < 4; i++) {
		if (!x->has_rule[i])
			continue;
		char sql[128];
		snprintf(sql, sizeof(sql), "UPDATE accounts SET %s = $2 WHERE id = $1", rule_fields[i]);
		if (db_exec(c, sql, DB_ARGS(DB_INT(x->p->account.id), DB_INT(x->rule[i])), e) < 0)
			return -1;
		size_t n = strlen(changed);
		snprintf(changed + n, sizeof(changed) - n, "%s\"%s\"", n ? "," : "", rule_fields[i]);
	}
	char detail[240];
	snprintf(detail, sizeof(detail), "{\"fields\":[%s]}", changed);
	return db_exec(c, "UPDATE accounts SET version = version + 1, updated_at = $2 WHERE id = $1",
		       DB_ARGS(DB_INT(x->p->account.id), DB_INT(now)), e) < 0 ||
	       audit_write(c, x->p->account.id, x->p->user_id, 0, "account_updated", "", x->ip, detail, now,
			   e);
}

int handle_account_patch(struct http_req *req, struct http_resp *resp, struct err *e)
{
	json_t *body = http_req_json(req, e);
	struct profile_patch x;
	memset(&x, 0, sizeof(x));
	x.p = api_principal(req);
	x.ip = http_req_client_ip(req);
	if (!body || patch_parse(body, &x, e) || api_transact(req, patch_tx, &x, e))
		return -1;
	return answer_profile(req, resp, 200, e);
}

static int kept_count(const json_t *kept)
{
	const char *k;
	const json_t *v;
	int n = 0;
	json_object_foreach((json_t *)kept, k, v) n += (int)json_array_size(v);
	return n;
}

struct demo_clear_ctx {
	const struct principal *p;
	const char *ip;
	int deleted;
	json_t *kept;
};

static int demo_clear_tx(db_conn *c, void *ctx, struct err *e)
{
	struct demo_clear_ctx *x = ctx;
	json_decref(x->kept); /* of an earlier attempt */
	x->kept = json_object();
	x->deleted = demo_clear(c, x->p->account.id, x->kept, e);
	if (x->deleted < 0)
		return -1;
	char detail[64];
	snprintf(detail, sizeof(detail), "{\"rows\":%d,\"kept\":%d}", x->deleted, kept_count(x->kept));
	return audit_write(c, x->p->account.id, x->p->user_id, 0, "demo_cleared", "", x->ip, detail,
			   clock_now(), e);
}

int handle_demo_clear(struct http_req *req, struct http_resp *resp, struct err *e)
{
	struct demo_clear_ctx x = {api_principal(req), http_req_client_ip(req), 0, NULL};
	if (api_transact(req, demo_clear_tx, &x, e)) {
		json_decref(x.kept);
		return -1;
	}
	http_resp_json(resp, 200, json_pack("{s:i, s:o}", "deleted", x.deleted, "kept", x.kept));
	return 0;
}
