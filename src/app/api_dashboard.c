/* The back office's dashboard: GET /api/v1/dashboard (weekly figures, SMS of the month,
 * today's appointments, the trial's days left, the first-run checklist) and
 * POST /api/v1/dashboard/checklist (link shared, dismissed). Owners only: the figures are the
 * business's. The figures come from src/schedule/stats.h; definitions in
 * docs/internals/dashboard.md. */
#include <stdlib.h>
#include <string.h>

#include "app/api.h"
#include "app/api_handlers.h"
#include "base/arena.h"
#include "base/clock.h"
#include "base/tz.h"
#include "notify/sms.h"
#include "schedule/stats.h"
#include "base/banned.h"

/* part / whole rounded half up to 4 decimals, or null when whole is 0. */
static json_t *ratio(int64_t part, int64_t whole)
{
	if (whole <= 0)
		return json_null();
	int64_t per10k = (part * 20000 + whole) / (2 * whole);
	return json_real((double)per10k / 10000.0);
}

static void date_text(const struct civil *d, char out[16])
{
	snprintf(out, 16, "%04d-%02d-%02d", d->year, d->month, d->day);
}

static json_t *checklist_json(const struct stats_checklist *k)
{
	return json_pack("{s:b, s:b, s:b, s:b, s:b}", "services", k->services, "hours", k->hours,
			 "link_shared", k->link_shared, "dismissed", k->dismissed, "complete",
			 k->services && k->hours && k->link_shared);
}

struct today_ctx {
	struct http_req *req;
	json_t *list;
};

static void today_one(void *ctx, const struct stats_appointment *a)
{
	struct today_ctx *t = ctx;
	const struct account *acc = api_account(t->req);
	json_t *client = json_null();
	if (a->client_id)
		client = json_pack("{s:s, s:s, s:s}", "id", a->client_id, "first_name", a->first_name,
				   "last_name", a->last_name);
	json_array_append_new(t->list,
			      json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "id", a->public_id, "status",
					a->status, "starts_at", api_time(t->req, acc, a->starts_at),
					"ends_at", api_time(t->req, acc, a->ends_at), "service", a->service,
					"staff", a->staff, "client", client));
}

int handle_dashboard_get(struct http_req *req, struct http_resp *resp, struct err *e)
{
	const struct account *a = api_account(req);
	int weeks = STATS_WEEKS_DEFAULT;
	const char *w = http_req_query(req, "weeks");
	if (w) {
		char *end;
		long v = strtol(w, &end, 10);
		if (end == w || *end || v < 1 || v > STATS_WEEKS_MAX)
			return err_invalid(e, "weeks", "weeks is a whole number from 1 to %d",
					   STATS_WEEKS_MAX);
		weeks = (int)v;
	}
	const struct tz *z = tz_get(a->time_zone, e);
	if (!z)
		return -1;
	int64_t now = clock_now();
	struct civil today;
	tz_to_civil(z, now, &today);
	int64_t day_from, day_to;
	int64_t today_num = tz_days_from_civil(today.year, today.month, today.day);
	struct civil next = {0};
	tz_civil_from_days(today_num + 1, &next.year, &next.month, &next.day);
	if (tz_day_start(z, today.year, today.month, today.day, &day_from) ||
	    tz_day_start(z, next.year, next.month, next.day, &day_to))
		return err_internal(e, "no local day bounds");

	struct stats_week *wk = arena_alloc(http_req_arena(req), sizeof(*wk) * STATS_WEEKS_MAX);
	struct stats_checklist check;
	struct today_ctx t = {.req = req, .list = json_array()};
	int64_t sms_used = 0;
	db_conn *c;
	if (db_acquire(api_app(req)->db, &c, e)) {
		json_decref(t.list);
		return -1;
	}
	int rc = stats_weeks(c, a->id, z, now, weeks, wk, e) ||
				 stats_appointments(c, a->id, day_from, day_to, today_one, &t, e) < 0 ||
				 stats_checklist(c, a->id, &check, e) ||
				 sms_segments_used(c, a->id, a->time_zone, now, &sms_used, e)
			 ? -1
			 : 0;
	db_release(c);
	if (rc) {
		json_decref(t.list);
		return -1;
	}

	json_t *list = json_array();
	for (int i = 0; i < weeks; i++) {
		char week[16];
		date_text(&wk[i].monday, week);
		json_t *o = json_pack(
			"{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I}", "week", week, "from",
			api_time(req, a, wk[i].from), "to", api_time(req, a, wk[i].to), "appointments",
			(json_int_t)wk[i].appointments, "booked_minutes", (json_int_t)wk[i].booked_minutes,
			"open_minutes", (json_int_t)wk[i].open_minutes, "started", (json_int_t)wk[i].started,
			"no_shows", (json_int_t)wk[i].no_shows, "new_clients", (json_int_t)wk[i].new_clients);
		json_object_set_new(o, "fill_rate", ratio(wk[i].booked_minutes, wk[i].open_minutes));
		json_object_set_new(o, "no_show_rate", ratio(wk[i].no_shows, wk[i].started));
		json_array_append_new(list, o);
	}
	char month[8], date[16];
	snprintf(month, sizeof(month), "%04d-%02d", today.year, today.month);
	date_text(&today, date);
	struct err ignored = {0};
	json_t *sms = json_pack("{s:s, s:I, s:i, s:b}", "month", month, "used", (json_int_t)sms_used, "quota",
				plan_get(a->plan)->sms_per_month, "available", !may(a, FEAT_SMS, &ignored));
	json_t *days_left = json_null();
	if (a->state == ACCOUNT_TRIAL && a->trial_ends_at) {
		struct civil end;
		tz_to_civil(z, a->trial_ends_at, &end);
		int64_t left = tz_days_from_civil(end.year, end.month, end.day) - today_num;
		days_left = json_integer(left > 0 ? left : 0);
	}
	http_resp_json(resp, 200,
		       json_pack("{s:s, s:o, s:o, s:{s:s, s:o}, s:o, s:o}", "time_zone", a->time_zone,
				 "weeks", list, "sms", sms, "today", "date", date, "appointments", t.list,
				 "trial_days_left", days_left, "checklist", checklist_json(&check)));
	return 0;
}

struct mark_ctx {
	int64_t account_id;
	int link_shared, dismissed;
	struct stats_checklist out;
};

static int mark_tx(db_conn *c, void *ctx, struct err *e)
{
	struct mark_ctx *m = ctx;
	return stats_checklist_mark(c, m->account_id, m->link_shared, m->dismissed, clock_now(), e) ||
	       stats_checklist(c, m->account_id, &m->out, e);
}

int handle_dashboard_checklist(struct http_req *req, struct http_resp *resp, struct err *e)
{
	static const char *const fields[] = {"link_shared", "dismissed", NULL};
	struct mark_ctx m = {.account_id = api_account(req)->id};
	json_t *body = http_req_json(req, e);
	if (!body || api_only_fields(body, fields, e) ||
	    api_bool(body, "link_shared", 0, 0, &m.link_shared, e) ||
	    api_bool(body, "dismissed", 0, 0, &m.dismissed, e) || api_transact(req, mark_tx, &m, e))
		return -1;
	http_resp_json(resp, 200, json_pack("{s:o}", "checklist", checklist_json(&m.out)));
	return 0;
}
