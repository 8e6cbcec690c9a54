/* Notification settings, edited reminder texts and the message log over HTTP:
 * GET/PUT /api/v1/notifications/settings, POST /api/v1/notifications/sms-preview,
 * GET /api/v1/notifications/log. Rules in src/notify/nsettings.h and reminders.h;
 * docs/internals/reminders.md, docs/api.md "Notifications". */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/api.h"
#include "app/api_handlers.h"
#include "base/clock.h"
#include "notify/nsettings.h"
#include "notify/reminders.h"
#include "notify/sms.h"
#include "base/banned.h"

#define LOG_PAGE_DEFAULT 50
#define LOG_PAGE_MAX	 200

static const char worst_case_note[] =
	"segments are counted with every variable at its max_length, in the coding of the text; a "
	"value outside that coding (an accent outside GSM-7 without sms_accent_free) may switch the "
	"message to UCS-2, and a message still over 3 segments when sent is cut with \xe2\x80\xa6";

static int answer(struct http_req *req, struct http_resp *resp, db_conn *c, const struct nsettings *s,
		  struct err *e)
{
	struct nset_text t[NSET_TEXTS];
	if (nsettings_texts_load(c, api_account(req)->id, t, e))
		return -1;
	json_t *settings = nsettings_to_json(s);
	json_object_set_new(settings, "updated_at",
			    s->updated_at ? json_string(api_time(req, api_account(req), s->updated_at))
					  : json_null());
	json_t *out = json_pack("{s:o, s:o, s:o, s:{s:i, s:s}}", "settings", settings, "texts",
				nsettings_texts_json(t, s->sms_accent_free), "variables",
				nsettings_variables_json(), "sms", "max_segments", SMS_MAX_SEGMENTS,
				"worst_case", worst_case_note);
	nsettings_texts_release(t);
	http_resp_json(resp, 200, out);
	return 0;
}

int handle_notify_settings_get(struct http_req *req, struct http_resp *resp, struct err *e)
{
	db_conn *c;
	if (db_acquire(api_app(req)->db, &c, e))
		return -1;
	struct nsettings s;
	int rc = nsettings_load(c, api_account(req)->id, &s, e);
	if (!rc)
		rc = answer(req, resp, c, &s, e);
	db_release(c);
	return rc;
}

struct put_op {
	int64_t account_id, expected, now;
	const json_t *body;
	struct nsettings s;
};

static int put_tx(db_conn *c, void *ctx, struct err *e)
{
	struct put_op *op = ctx;
	if (nsettings_load(c, op->account_id, &op->s, e) || nsettings_apply_json(op->body, &op->s, e))
		return -1;
	if (op->s.version != op->expected)
		return err_set(e, 409, "stale_version", "version",
			       "the settings were changed meanwhile; reload them and try again");
	if (nsettings_save(c, op->account_id, &op->s, op->expected, json_object_get(op->body, "texts"),
			   op->now, e))
		return -1;
	return reminders_replan_account(c, op->account_id, op->s.version, op->now, e);
}

int handle_notify_settings_put(struct http_req *req, struct http_resp *resp, struct err *e)
{
	json_t *body = http_req_json(req, e);
	if (!body)
		return -1;
	struct put_op op = {.account_id = api_account(req)->id, .body = body, .now = clock_now()};
	if (api_int(body, "version", 1, 0, 1, INT64_MAX, &op.expected, e))
		return -1;
	if (api_transact(req, put_tx, &op, e))
		return -1;
	db_conn *c;
	if (db_acquire(api_app(req)->db, &c, e))
		return -1;
	int rc = answer(req, resp, c, &op.s, e);
	db_release(c);
	return rc;
}

int handle_notify_sms_preview(struct http_req *req, struct http_resp *resp, struct err *e)
{
	json_t *body = http_req_json(req, e);
	if (!body)
		return -1;
	static const char *const allowed[] = {"body", "sms_accent_free", NULL};
	if (api_only_fields(body, allowed, e))
		return -1;
	const json_t *jb = json_object_get(body, "body");
	const char *text = json_string_value(jb);
	if (!text)
		return err_set(e, 400, "missing_field", "body", "body is the SMS text");
	if (json_string_length(jb) > NSET_SMS_BODY_MAX || strlen(text) != json_string_length(jb))
		return err_invalid(e, "body", "the text is at most %d bytes", NSET_SMS_BODY_MAX);
	int accent_free;
	if (api_bool(body, "sms_accent_free", 0, 0, &accent_free, e))
		return -1;
	const char *enc;
	int segs, units;
	if (nsettings_sms_worst(text, accent_free, "body", &enc, &segs, &units, e))
		return -1;
	http_resp_json(resp, 200,
		       json_pack("{s:s, s:i, s:i, s:i, s:b}", "encoding", enc, "segments", segs, "units",
				 units, "max_segments", SMS_MAX_SEGMENTS, "fits", segs <= SMS_MAX_SEGMENTS));
	return 0;
}

/* ---- the log ---- */

/* The cursor is the last row's id, written in base 36 after "n" so it reads as a token. */
static void cursor_write(int64_t id, char out[24])
{
	char tmp[24];
	int n = 0;
	uint64_t v = (uint64_t)id;
	do {
		tmp[n++] = "0123456789abcdefghijklmnopqrstuvwxyz"[v % 36];
		v /= 36;
	} while (v && n < 20);
	out[0] = 'n';
	for (int i = 0; i < n; i++)
		out[1 + i] = tmp[n - 1 - i];
	out[n + 1] = '\0';
}

static int cursor_read(const char *s, int64_t *id, struct err *e)
{
	if (s[0] != 'n' || !s[1] || strlen(s) > 13)
		return err_invalid(e, "cursor", "this cursor does not come from this list");
	uint64_t v = 0;
	for (const char *p = s + 1; *p; p++) {
		int d = *p >= '0' && *p <= '9' ? *p - '0' : *p >= 'a' && *p <= 'z' ? *p - 'a' + 10 : -1;
		if (d < 0)
			return err_invalid(e, "cursor", "this cursor does not come from this list");
		v = v * 36 + (uint64_t)d;
	}
	if (v > INT64_MAX)
		return err_invalid(e, "cursor", "this cursor does not come from this list");
	*id = (int64_t)v;
	return 0;
}

static const char *dlr_name(int64_t s)
{
	switch (s) {
	case 1:
		return "delivered";
	case 2:
		return "failed";
	case 4:
		return "buffered";
	case 8:
		return "reached_smsc";
	case 16:
		return "rejected";
	default:
		return "unknown";
	}
}

int handle_notify_log_get(struct http_req *req, struct http_resp *resp, struct err *e)
{
	const char *lim = http_req_query(req, "limit"), *cur = http_req_query(req, "cursor");
	const char *channel = http_req_query(req, "channel"), *status = http_req_query(req, "status");
	const char *client = http_req_query(req, "client"); /* a client's public id: its messages only */
	int64_t limit = LOG_PAGE_DEFAULT, after = INT64_MAX;
	if (lim) {
		char *end;
		long v = strtol(lim, &end, 10);
		if (end == lim || *end || v < 1 || v > LOG_PAGE_MAX)
			return err_invalid(e, "limit", "limit must be a whole number from 1 to %d",
					   LOG_PAGE_MAX);
		limit = v;
	}
	if (cur && cur[0] && cursor_read(cur, &after, e))
		return -1;
	if (!channel)
		channel = "";
	if (channel[0] && strcmp(channel, "email") && strcmp(channel, "sms"))
		return err_invalid(e, "channel", "channel is email or sms");
	if (!status)
		status = "";
	static const char *const statuses[] = {"queued", "sent", "failed", "suppressed", "delivered", NULL};
	int known = !status[0];
	for (const char *const *p = statuses; *p; p++)
		known |= !strcmp(*p, status);
	if (!known)
		return err_invalid(e, "status", "status is queued, sent, failed, suppressed or delivered");
	if (!client)
		client = "";
	if (strlen(client) >= 24)
		return err_invalid(e, "client", "client is a client's id");

	/* staff members see the messages about their own appointments only */
	const struct principal *pr = api_principal(req);
	int64_t staff_user = pr->role == ROLE_OWNER ? 0 : pr->user_id;
	db_conn *c;
	if (db_acquire(api_app(req)->db, &c, e))
		return -1;
	db_rows *r;
	int rc = db_query(
		c,
		"SELECT o.id, o.kind, o.channel, o.recipient, o.state, o.reason, o.created_at, o.sent_at, "
		"o.segments, o.encoding, o.dlr_status, o.dlr_at, o.last_error, a.public_id, cl.public_id "
		"FROM outbox "
		"o LEFT JOIN appointments a ON a.account_id = o.account_id AND a.id = o.appointment_id LEFT "
		"JOIN "
		"clients cl ON cl.account_id = o.account_id AND cl.id = o.client_id WHERE o.account_id = $1 "
		"AND "
		"o.id < $2 AND ($3 = '' OR o.channel = $3) AND ($4 = '' OR ($4 = 'delivered' AND "
		"o.dlr_status = 1) "
		"OR ($4 <> 'delivered' AND o.state = $4)) AND ($5 = 0 OR EXISTS (SELECT 1 FROM staff s WHERE "
		"s.account_id = a.account_id AND s.id = a.staff_id AND s.user_id = $5)) AND ($7 = '' OR "
		"cl.public_id = $7) ORDER BY o.id DESC "
		"LIMIT $6",
		DB_ARGS(DB_INT(api_account(req)->id), DB_INT(after), DB_TEXT(channel), DB_TEXT(status),
			DB_INT(staff_user), DB_INT(limit), DB_TEXT(client)),
		&r, e);
	if (rc) {
		db_release(c);
		return -1;
	}
	const struct account *acc = api_account(req);
	json_t *list = json_array();
	int n = 0;
	int64_t last = 0;
	while ((rc = db_rows_next(r, e)) > 0) {
		last = db_rows_int(r, 0);
		n++;
		const char *state = db_rows_text(r, 4);
		int has_dlr = !db_rows_is_null(r, 10);
		json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "kind", db_rows_text(r, 1), "channel",
				      db_rows_text(r, 2), "recipient", db_rows_text(r, 3), "status",
				      has_dlr && db_rows_int(r, 10) == 1 ? "delivered" : state, "created_at",
				      api_time(req, acc, db_rows_int(r, 6)));
		json_object_set_new(o, "state", json_string(state));
		json_object_set_new(o, "reason",
				    db_rows_is_null(r, 5) ? json_null() : json_string(db_rows_text(r, 5)));
		json_object_set_new(o, "sent_at",
				    db_rows_is_null(r, 7)
					    ? json_null()
					    : json_string(api_time(req, acc, db_rows_int(r, 7))));
		json_object_set_new(o, "segments",
				    db_rows_is_null(r, 8) ? json_null() : json_integer(db_rows_int(r, 8)));
		json_object_set_new(o, "encoding",
				    db_rows_is_null(r, 9) ? json_null() : json_string(db_rows_text(r, 9)));
		json_object_set_new(o, "delivery",
				    has_dlr ? json_string(dlr_name(db_rows_int(r, 10))) : json_null());
		json_object_set_new(o, "delivered_at",
				    db_rows_is_null(r, 11)
					    ? json_null()
					    : json_string(api_time(req, acc, db_rows_int(r, 11))));
		json_object_set_new(o, "error",
				    db_rows_is_null(r, 12) ? json_null() : json_string(db_rows_text(r, 12)));
		json_object_set_new(o, "appointment",
				    db_rows_is_null(r, 13) ? json_null() : json_string(db_rows_text(r, 13)));
		json_object_set_new(o, "client",
				    db_rows_is_null(r, 14) ? json_null() : json_string(db_rows_text(r, 14)));
		json_array_append_new(list, o);
	}
	db_rows_free(r);
	db_release(c);
	if (rc < 0) {
		json_decref(list);
		return -1;
	}
	char next[24];
	cursor_write(last, next);
	http_resp_json(resp, 200,
		       json_pack("{s:o, s:o}", "messages", list, "next_cursor",
				 n == limit ? json_string(next) : json_null()));
	return 0;
}
