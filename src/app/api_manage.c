/* Manage links over HTTP: GET/PATCH/DELETE /api/v1/manage/{token} and GET
 * /api/v1/manage/{token}/ics. No session: the token is the credential, and it reaches one
 * appointment only. This file reads input and shapes answers; the rules are in
 * src/schedule/manage.h, the calendar in src/notify/ics.h. */
#include <stdlib.h>
#include <string.h>

#include "app/api.h"
#include "app/api_handlers.h"
#include "base/clock.h"
#include "base/tz.h"
#include "notify/ics.h"
#include "schedule/manage.h"
#include "base/banned.h"

/* The appointment of the request's token (404 / 410 as manage_find says). */
static int find(struct http_req *req, int64_t now, struct manage_view *v, struct err *e)
{
	return manage_find(api_app(req)->db, http_req_param(req, "token"), now, v, e);
}

static int answer_state(struct http_req *req, struct http_resp *resp, int64_t now, struct err *e)
{
	struct manage_view *v = arena_alloc(http_req_arena(req), sizeof(*v));
	if (find(req, now, v, e))
		return -1;
	http_resp_header(resp, "Cache-Control", "no-store");
	http_resp_json(resp, 200, manage_json(v, now));
	return 0;
}

int handle_manage_get(struct http_req *req, struct http_resp *resp, struct err *e)
{
	return answer_state(req, resp, clock_now(), e);
}

int handle_manage_patch(struct http_req *req, struct http_resp *resp, struct err *e)
{
	static const char *const fields[] = {"start", "staff", NULL};
	int64_t now = clock_now();
	struct manage_view *v = arena_alloc(http_req_arena(req), sizeof(*v));
	if (find(req, now, v, e))
		return -1;
	json_t *body = http_req_json(req, e);
	char start[64], staff[LOADER_PID_MAX];
	int64_t at;
	if (!body || api_only_fields(body, fields, e) ||
	    api_string(body, "start", 1, start, sizeof(start) - 1, e) ||
	    api_string(body, "staff", 0, staff, sizeof(staff) - 1, e) ||
	    tz_parse_rfc3339(start, &at, e, "start"))
		return -1;
	if (manage_reschedule(api_app(req)->db, v, at, staff, now, e))
		return -1;
	return answer_state(req, resp, now, e);
}

int handle_manage_delete(struct http_req *req, struct http_resp *resp, struct err *e)
{
	int64_t now = clock_now();
	struct manage_view *v = arena_alloc(http_req_arena(req), sizeof(*v));
	if (find(req, now, v, e) || manage_cancel(api_app(req)->db, v, now, e))
		return -1;
	return answer_state(req, resp, now, e);
}

int handle_manage_ics(struct http_req *req, struct http_resp *resp, struct err *e)
{
	int64_t now = clock_now();
	struct manage_view *v = arena_alloc(http_req_arena(req), sizeof(*v));
	if (find(req, now, v, e))
		return -1;
	char uid[LOADER_PID_MAX + 16], summary[600], description[400];
	ics_uid(v->appt_pid, uid, sizeof(uid));
	snprintf(summary, sizeof(summary), "%s — %s", v->service_name, v->account.name);
	if (v->phone[0])
		snprintf(description, sizeof(description), "%s · %s", v->staff_name, v->phone);
	else
		snprintf(description, sizeof(description), "%s", v->staff_name);
	struct ics_event ev = {.uid = uid,
			       .sequence = v->version,
			       .start = v->start,
			       .end = v->end,
			       .stamp = now,
			       .summary = summary,
			       .location = v->address,
			       .description = description};
	int cancelled = !strcmp(v->status, "cancelled");
	char *text;
	size_t len;
	if (ics_render(&ev, cancelled ? ICS_CANCEL : ICS_REQUEST, &text, &len, e))
		return -1;
	http_resp_header(resp, "Cache-Control", "no-store");
	http_resp_header(resp, "Content-Disposition", "attachment; filename=\"rendez-vous.ics\"");
	http_resp_body(resp, 200,
		       cancelled ? "text/calendar; charset=utf-8; method=CANCEL"
				 : "text/calendar; charset=utf-8; method=REQUEST",
		       text, len);
	free(text);
	return 0;
}
