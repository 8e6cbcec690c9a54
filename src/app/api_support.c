/* Support tickets over HTTP (docs/api.md "Support tickets"; the rules are in
 * src/support/tickets.h and sla.h). Customer side under /api/v1/tickets: any account state
 * short of deletion may open and follow tickets (the route table says FEAT_TICKETS); owners
 * see every ticket of their account, staff users the ones they opened. Operator side under
 * /api/v1/ops/tickets and /api/v1/ops/sla-report: every account's tickets, internal notes
 * included. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "account/lifecycle.h"
#include "app/api.h"
#include "app/api_handlers.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/i18n.h"
#include "base/tz.h"
#include "db/files.h"
#include "support/tickets.h"
#include "base/banned.h"

#define LIST_DEFAULT 50

/* ---- JSON ---- */

static json_t *time_or_null(struct http_req *req, const struct account *a, int64_t t)
{
	return t ? json_string(api_time(req, a, t)) : json_null();
}

/* The ticket as its customer sees it (ops = 0) or as the console does. a: the zone of the
 * times (NULL = UTC). */
static json_t *ticket_json(struct http_req *req, const struct account *a, const struct ticket *t, int ops)
{
	json_t *j = json_pack(
		"{s:s, s:s, s:s, s:s, s:i, s:o, s:o, s:o, s:o, s:o, s:{s:s}}", "id", t->public_id, "category",
		ticket_category_code(t->category), "subject", t->subject, "state",
		ticket_state_code(t->state), "target_hours", t->clock.target_hours, "first_response_due_at",
		time_or_null(req, a, t->clock.first_due_at), "first_response_at",
		time_or_null(req, a, t->clock.first_response_at), "reply_due_at",
		time_or_null(req, a, t->clock.due_at), "created_at", time_or_null(req, a, t->created_at),
		"updated_at", time_or_null(req, a, t->updated_at), "requester", "name", t->requester_name);
	json_object_set_new(j, "closed_at", time_or_null(req, a, t->closed_at));
	if (!ops)
		return j;
	int64_t now = clock_now();
	json_object_set_new(json_object_get(j, "requester"), "email", json_string(t->requester_email));
	json_object_set_new(j, "account",
			    json_pack("{s:s, s:s, s:s, s:s}", "id", t->account_public_id, "name",
				      t->account_name, "plan", t->account_plan, "state", t->account_state));
	json_object_set_new(j, "plan_at_opening", json_string(t->plan));
	json_object_set_new(j, "assignee",
			    t->assignee_operator_id ? json_pack("{s:s, s:s}", "id", t->assignee_public_id,
								"name", t->assignee_name)
						    : json_null());
	json_object_set_new(j, "breached",
			    json_boolean(t->breached || (t->clock.due_at && now >= t->clock.due_at)));
	/* like breached, read from the clock as well as from the job, so the queue never waits
	 * for a job to show what the deadline already says */
	json_object_set_new(j, "warned",
			    json_boolean(t->clock.due_at &&
					 (t->warned_due_at == t->clock.due_at ||
					  now >= sla_warn_at(t->clock.awaiting_since, t->clock.due_at))));
	json_object_set_new(j, "opened_by_operator", json_boolean(t->opened_by_operator_id != 0));
	json_object_set_new(j, "solved_at", time_or_null(req, a, t->solved_at));
	return j;
}

struct list_ctx {
	struct http_req *req;
	const struct account *a;
	json_t *arr;
	int ops;
};

static void add_ticket(void *ctx, const struct ticket *t)
{
	struct list_ctx *l = ctx;
	json_array_append_new(l->arr, ticket_json(l->req, l->a, t, l->ops));
}

static void add_message(void *ctx, const struct ticket_message *m)
{
	struct list_ctx *l = ctx;
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:o}", "id", m->public_id, "author", m->author,
			      "author_name", m->author_name, "body", m->body ? m->body : "", "created_at",
			      time_or_null(l->req, l->a, m->created_at));
	if (l->ops)
		json_object_set_new(j, "internal", json_boolean(m->internal));
	json_array_append_new(l->arr, j);
}

static json_t *attachment_json(struct http_req *req, const struct account *a, const struct ticket *t,
			       const struct ticket_attachment *at, int ops)
{
	char url[200];
	snprintf(url, sizeof(url), "/api/v1/%stickets/%s/attachments/%s", ops ? "ops/" : "", t->public_id,
		 at->public_id);
	return json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:o}", "id", at->public_id, "name", at->name,
			 "content_type", at->content_type, "size", (json_int_t)at->size, "author", at->author,
			 "url", url, "created_at", time_or_null(req, a, at->created_at));
}

struct att_ctx {
	struct http_req *req;
	const struct account *a;
	const struct ticket *t;
	json_t *arr;
	int ops;
};

static void add_attachment(void *ctx, const struct ticket_attachment *at)
{
	struct att_ctx *x = ctx;
	json_array_append_new(x->arr, attachment_json(x->req, x->a, x->t, at, x->ops));
}

/* {"ticket": ..., "messages": [...], "attachments": [...]} */
static int thread_json(struct http_req *req, db_conn *c, const struct account *a, const struct ticket *t,
		       int ops, json_t **out, struct err *e)
{
	struct list_ctx l = {req, a, json_array(), ops};
	struct att_ctx x = {req, a, t, json_array(), ops};
	if (ticket_messages(c, t, ops, add_message, &l, e) ||
	    ticket_attachments(c, t, add_attachment, &x, e)) {
		json_decref(l.arr);
		json_decref(x.arr);
		return -1;
	}
	*out = json_pack("{s:o, s:o, s:o}", "ticket", ticket_json(req, a, t, ops), "messages", l.arr,
			 "attachments", x.arr);
	return 0;
}

/* ---- input ---- */

static int read_paging(struct http_req *req, int *offset, int *limit, struct err *e)
{
	const char *l = http_req_query(req, "limit"), *cur = http_req_query(req, "cursor");
	*limit = LIST_DEFAULT;
	*offset = 0;
	char *end;
	if (l) {
		long v = strtol(l, &end, 10);
		if (!*l || *end || v < 1 || v > TICKET_LIST_MAX)
			return err_invalid(e, "limit", "limit is 1 to %d", TICKET_LIST_MAX);
		*limit = (int)v;
	}
	if (cur) {
		long v = strtol(cur, &end, 10);
		if (!*cur || *end || v < 0 || v > 1000000)
			return err_invalid(e, "cursor", "cursor is not one this API gave");
		*offset = (int)v;
	}
	return 0;
}

static json_t *page(json_t *arr, const char *key, int offset, int limit, int n)
{
	char next[24];
	snprintf(next, sizeof(next), "%d", offset + n);
	return json_pack("{s:o, s:o}", key, arr, "next_cursor", n == limit ? json_string(next) : json_null());
}

/* A required text of at most max bytes: 400 `missing_field` when empty. */
static char *read_text(struct http_req *req, const json_t *body, const char *field, size_t max, struct err *e)
{
	char *out = arena_alloc(http_req_arena(req), max + 1);
	if (api_string(body, field, 1, out, max, e))
		return NULL;
	if (!out[0]) {
		err_set(e, 400, "missing_field", field, "%s is empty", field);
		return NULL;
	}
	return out;
}

struct new_input {
	int category;
	char *subject, *message;
};

static int read_new(struct http_req *req, const json_t *body, struct new_input *in, struct err *e)
{
	char cat[32];
	if (api_string(body, "category", 1, cat, sizeof(cat) - 1, e))
		return -1;
	in->category = ticket_category_parse(cat);
	if (in->category < 0)
		return err_invalid(e, "category", "category is question, bug, billing or deletion_request");
	if (!(in->subject = read_text(req, body, "subject", TICKET_SUBJECT_MAX, e)) ||
	    !(in->message = read_text(req, body, "message", TICKET_MESSAGE_MAX, e)))
		return -1;
	return 0;
}

/* ---- customer side ---- */

static int64_t own_filter(const struct principal *p)
{
	return p->role == ROLE_OWNER ? 0 : p->user_id;
}

int handle_tickets_list(struct http_req *req, struct http_resp *resp, struct err *e)
{
	int offset, limit;
	if (read_paging(req, &offset, &limit, e))
		return -1;
	const struct principal *p = api_principal(req);
	struct list_ctx l = {req, &p->account, json_array(), 0};
	db_conn *c;
	if (db_acquire(api_app(req)->db, &c, e)) {
		json_decref(l.arr);
		return -1;
	}
	int n = tickets_list(c, p->account.id, own_filter(p), offset, limit, add_ticket, &l, e);
	db_release(c);
	if (n < 0) {
		json_decref(l.arr);
		return -1;
	}
	http_resp_json(resp, 200, page(l.arr, "tickets", offset, limit, n));
	return 0;
}

struct open_op {
	struct ticket_new in;
	struct ticket t;
};

static int open_tx(db_conn *c, void *ctx, struct err *e)
{
	struct open_op *op = ctx;
	return ticket_open(c, &op->in, clock_now(), &op->t, e);
}

int handle_tickets_create(struct http_req *req, struct http_resp *resp, struct err *e)
{
	json_t *body = http_req_json(req, e);
	if (!body)
		return -1;
	static const char *const allowed[] = {"category", "subject", "message", NULL};
	struct new_input in;
	if (api_only_fields(body, allowed, e) || read_new(req, body, &in, e))
		return -1;
	const struct principal *p = api_principal(req);
	if (ticket_category_owner_only((enum ticket_category)in.category) && p->role != ROLE_OWNER)
		return err_set(e, 403, "forbidden", "category",
			       "only the account's owner may open this kind of ticket");
	struct open_op *op = arena_alloc(http_req_arena(req), sizeof(*op));
	op->in = (struct ticket_new){.account_id = p->account.id,
				     .requester_user_id = p->user_id,
				     .category = (enum ticket_category)in.category,
				     .subject = in.subject,
				     .message = in.message};
	if (api_transact(req, open_tx, op, e))
		return -1;
	const struct ticket *t = &op->t;
	struct err ignored = {0};
	const struct tz *z = tz_get(p->account.time_zone, &ignored);
	char *text = z ? i18n_format_datetime(i18n_locale_parse(p->user_locale) < 0
						      ? I18N_DEFAULT
						      : i18n_locale_parse(p->user_locale),
					      z, t->clock.first_due_at, I18N_DATETIME)
		       : NULL;
	json_t *ack = json_pack("{s:s, s:s, s:i, s:s}", "deadline",
				api_time(req, &p->account, t->clock.first_due_at), "deadline_text",
				text ? text : "", "target_hours", t->clock.target_hours, "time_zone",
				p->account.time_zone);
	free(text);
	json_t *out = json_pack("{s:o, s:o}", "ticket", ticket_json(req, &p->account, t, 0),
				"acknowledgement", ack);
	http_resp_json(resp, 201, out);
	return 0;
}

/* Loads the session's ticket named by the path (404 for another account's). */
static int own_ticket(struct http_req *req, db_conn *c, int lock, struct ticket *t, struct err *e)
{
	const struct principal *p = api_principal(req);
	return ticket_get(c, p->account.id, own_filter(p), http_req_param(req, "id"), lock, t, e);
}

static int answer_thread(struct http_req *req, struct http_resp *resp, int ops, int status, struct err *e)
{
	db_conn *c;
	struct ticket *t = arena_alloc(http_req_arena(req), sizeof(*t));
	if (db_acquire(api_app(req)->db, &c, e))
		return -1;
	json_t *out = NULL;
	int rc = ops ? ticket_get(c, 0, 0, http_req_param(req, "id"), 0, t, e) : own_ticket(req, c, 0, t, e);
	if (!rc)
		rc = thread_json(req, c, ops ? NULL : &api_principal(req)->account, t, ops, &out, e);
	db_release(c);
	if (rc)
		return -1;
	http_resp_json(resp, status, out);
	return 0;
}

int handle_ticket_get(struct http_req *req, struct http_resp *resp, struct err *e)
{
	return answer_thread(req, resp, 0, 200, e);
}

int handle_ticket_messages_list(struct http_req *req, struct http_resp *resp, struct err *e)
{
	return answer_thread(req, resp, 0, 200, e);
}

struct change_op {
	struct http_req *req;
	struct ticket t;
	const char *text;
	int internal, to, set_assignee;
	int64_t assignee;
	const char *att_name, *data;
	size_t len;
	struct ticket_attachment att;
	enum { CH_REPLY, CH_CLOSE, CH_OPS_MESSAGE, CH_OPS_UPDATE, CH_DELETION, CH_ATTACH } what;
};

static int change_tx(db_conn *c, void *ctx, struct err *e)
{
	struct change_op *op = ctx;
	const struct principal *p = api_principal(op->req);
	int64_t now = clock_now();
	int ops = op->what == CH_OPS_MESSAGE || op->what == CH_OPS_UPDATE || op->what == CH_DELETION;
	int rc = ops ? ticket_get(c, 0, 0, http_req_param(op->req, "id"), 1, &op->t, e)
		     : own_ticket(op->req, c, 1, &op->t, e);
	if (rc)
		return -1;
	switch (op->what) {
	case CH_REPLY:
		return ticket_customer_reply(c, &op->t, p->user_id, op->text, now, e);
	case CH_CLOSE:
		return ticket_customer_close(c, &op->t, now, e);
	case CH_OPS_MESSAGE:
		return ticket_operator_message(c, &op->t, p->operator_id, op->text, op->internal, now, e);
	case CH_OPS_UPDATE:
		return ticket_operator_update(c, &op->t, op->to, op->set_assignee, op->assignee, now, e);
	case CH_DELETION:
		return ticket_execute_deletion(c, &op->t, p->operator_id, now, e);
	case CH_ATTACH:
		return ticket_attach(c, &op->t, "customer", op->att_name, op->data, op->len, now, &op->att,
				     e);
	}
	return err_internal(e, "unknown ticket change");
}

static struct change_op *new_change(struct http_req *req, int what)
{
	struct change_op *op = arena_alloc(http_req_arena(req), sizeof(*op));
	memset(op, 0, sizeof(*op));
	op->req = req;
	op->what = what;
	op->to = -1;
	return op;
}

/* 404 for a ticket the session cannot see, before the body is read: a stranger learns
 * nothing from a validation error. */
static int visible_or_404(struct http_req *req, struct err *e)
{
	db_conn *c;
	struct ticket *t = arena_alloc(http_req_arena(req), sizeof(*t));
	if (db_acquire(api_app(req)->db, &c, e))
		return -1;
	int rc = own_ticket(req, c, 0, t, e);
	db_release(c);
	return rc;
}

int handle_ticket_reply(struct http_req *req, struct http_resp *resp, struct err *e)
{
	if (visible_or_404(req, e))
		return -1;
	json_t *body = http_req_json(req, e);
	if (!body)
		return -1;
	static const char *const allowed[] = {"message", NULL};
	struct change_op *op = new_change(req, CH_REPLY);
	if (api_only_fields(body, allowed, e) ||
	    !(op->text = read_text(req, body, "message", TICKET_MESSAGE_MAX, e)))
		return -1;
	if (api_transact(req, change_tx, op, e))
		return -1;
	return answer_thread(req, resp, 0, 201, e);
}

int handle_ticket_patch(struct http_req *req, struct http_resp *resp, struct err *e)
{
	if (visible_or_404(req, e))
		return -1;
	json_t *body = http_req_json(req, e);
	if (!body)
		return -1;
	static const char *const allowed[] = {"state", NULL};
	char state[32];
	if (api_only_fields(body, allowed, e) || api_string(body, "state", 1, state, sizeof(state) - 1, e))
		return -1;
	if (strcmp(state, "closed"))
		return err_invalid(e, "state", "a customer may only set the state to closed");
	struct change_op *op = new_change(req, CH_CLOSE);
	if (api_transact(req, change_tx, op, e))
		return -1;
	return answer_thread(req, resp, 0, 200, e);
}

int handle_ticket_attachments_list(struct http_req *req, struct http_resp *resp, struct err *e)
{
	return answer_thread(req, resp, 0, 200, e);
}

/* The file name of a Content-Disposition header, kept to printable ASCII without quotes,
 * slashes or backslashes (others become '_'); `fallback` when there is none. */
static void disposition_name(const char *h, const char *fallback, char out[TICKET_ATTACH_NAME_MAX + 1])
{
	const char *f = h ? strcasestr(h, "filename=") : NULL;
	size_t n = 0;
	if (f) {
		f += 9;
		int quoted = *f == '"';
		f += quoted;
		for (; *f && n < TICKET_ATTACH_NAME_MAX; f++) {
			if ((quoted && *f == '"') || (!quoted && (*f == ';' || *f == ' ')))
				break;
			unsigned char ch = (unsigned char)*f;
			out[n++] = ch < 0x20 || ch > 0x7e || ch == '/' || ch == '\\' || ch == '"' ? '_'
												  : (char)ch;
		}
	}
	out[n] = '\0';
	if (!n || !strcmp(out, ".") || !strcmp(out, ".."))
		snprintf(out, TICKET_ATTACH_NAME_MAX + 1, "%s", fallback);
}

int handle_ticket_attach(struct http_req *req, struct http_resp *resp, struct err *e)
{
	size_t len;
	const char *data = http_req_body(req, &len);
	if (visible_or_404(req, e))
		return -1;
	if (len > TICKET_ATTACH_MAX)
		return err_set(e, 400, "file_too_large", NULL, "an attachment is at most 5 MB");
	if (!len)
		return err_set(e, 400, "missing_file", NULL, "send the file as the request body");
	/* the type is checked again, from the same bytes, by ticket_attach */
	const char *type = ticket_file_type(data, len);
	if (!type)
		return err_set(e, 400, "invalid_file_type", NULL,
			       "an attachment is an image (PNG, JPEG, GIF, WebP) or a PDF");
	char *name = arena_alloc(http_req_arena(req), TICKET_ATTACH_NAME_MAX + 1);
	disposition_name(http_req_header(req, "Content-Disposition"),
			 !strcmp(type, "application/pdf") ? "piece-jointe.pdf" : "image", name);
	struct change_op *op = new_change(req, CH_ATTACH);
	op->att_name = name;
	op->data = data;
	op->len = len;
	if (api_transact(req, change_tx, op, e))
		return -1;
	http_resp_json(resp, 201,
		       json_pack("{s:o}", "attachment",
				 attachment_json(req, &api_principal(req)->account, &op->t, &op->att, 0)));
	return 0;
}

static int send_attachment(struct http_req *req, struct http_resp *resp, int ops, struct err *e)
{
	db_conn *c;
	struct ticket *t = arena_alloc(http_req_arena(req), sizeof(*t));
	struct ticket_attachment at;
	if (db_acquire(api_app(req)->db, &c, e))
		return -1;
	struct buf b;
	buf_init(&b, TICKET_ATTACH_MAX);
	int rc = ops ? ticket_get(c, 0, 0, http_req_param(req, "id"), 0, t, e) : own_ticket(req, c, 0, t, e);
	if (!rc)
		rc = ticket_attachment_get(c, t, http_req_param(req, "attachment_id"), &at, e);
	if (!rc)
		rc = files_get(c, t->account_id, at.file_id, TICKET_ATTACH_MAX, &b, NULL, e);
	db_release(c);
	if (!rc) {
		char *disp = arena_printf(http_req_arena(req), "attachment; filename=\"%s\"", at.name);
		http_resp_header(resp, "Content-Disposition", disp);
		http_resp_body(resp, 200, arena_strdup(http_req_arena(req), at.content_type), buf_str(&b),
			       b.len);
	}
	buf_release(&b);
	return rc ? -1 : 0;
}

int handle_ticket_attachment_get(struct http_req *req, struct http_resp *resp, struct err *e)
{
	return send_attachment(req, resp, 0, e);
}

/* ---- operator side ---- */

int handle_ops_tickets_list(struct http_req *req, struct http_resp *resp, struct err *e)
{
	int offset, limit;
	if (read_paging(req, &offset, &limit, e))
		return -1;
	const char *s = http_req_query(req, "state");
	unsigned mask = ~((1u << TICKET_CLOSED) | (1u << TICKET_SPAM)) & ((1u << TICKET_STATE_COUNT) - 1);
	if (s && !strcmp(s, "all"))
		mask = (1u << TICKET_STATE_COUNT) - 1;
	else if (s && *s) {
		int st = ticket_state_parse(s);
		if (st < 0)
			return err_invalid(e, "state", "state is a ticket state, or all");
		mask = 1u << st;
	}
	struct list_ctx l = {req, NULL, json_array(), 1};
	db_conn *c;
	if (db_acquire(api_app(req)->db, &c, e)) {
		json_decref(l.arr);
		return -1;
	}
	int n = tickets_queue(c, mask, offset, limit, add_ticket, &l, e);
	db_release(c);
	if (n < 0) {
		json_decref(l.arr);
		return -1;
	}
	http_resp_json(resp, 200, page(l.arr, "tickets", offset, limit, n));
	return 0;
}

struct ops_open {
	struct open_op op;
	const char *account, *requester;
};

static int ops_open_tx(db_conn *c, void *ctx, struct err *e)
{
	struct ops_open *o = ctx;
	int64_t id;
	int rc = db_query_int(c, "SELECT id FROM accounts WHERE public_id = $1", DB_ARGS(DB_TEXT(o->account)),
			      &id, e);
	if (rc < 0)
		return -1;
	if (!rc)
		return err_set(e, 404, "not_found", "account", "no such account");
	o->op.in.account_id = id;
	if (*o->requester)
		rc = db_query_int(
			c, "SELECT id FROM users WHERE account_id = $1 AND email = $2 AND status = 'active'",
			DB_ARGS(DB_INT(id), DB_TEXT(o->requester)), &id, e);
	else
		rc = db_query_int(
			c,
			"SELECT id FROM users WHERE account_id = $1 AND role = 'owner' AND status = 'active'"
			" ORDER BY id LIMIT 1",
			DB_ARGS(DB_INT(id)), &id, e);
	if (rc < 0)
		return -1;
	if (!rc)
		return err_set(e, 404, "not_found", "requester", "no such user in this account");
	o->op.in.requester_user_id = id;
	return ticket_open(c, &o->op.in, clock_now(), &o->op.t, e);
}

int handle_ops_tickets_create(struct http_req *req, struct http_resp *resp, struct err *e)
{
	json_t *body = http_req_json(req, e);
	if (!body)
		return -1;
	static const char *const allowed[] = {"account", "requester", "category", "subject", "message", NULL};
	struct new_input in;
	struct ops_open *o = arena_alloc(http_req_arena(req), sizeof(*o));
	memset(o, 0, sizeof(*o));
	char *account = arena_alloc(http_req_arena(req), 32),
	     *req_email = arena_alloc(http_req_arena(req), 256);
	if (api_only_fields(body, allowed, e) || api_string(body, "account", 1, account, 31, e) ||
	    api_string(body, "requester", 0, req_email, 254, e) || read_new(req, body, &in, e))
		return -1;
	if (*req_email) {
		char norm[256];
		if (email_normalise(req_email, norm, "requester", e))
			return -1;
		snprintf(req_email, 256, "%s", norm);
	}
	o->account = account;
	o->requester = req_email;
	o->op.in = (struct ticket_new){.opened_by_operator_id = api_principal(req)->operator_id,
				       .category = (enum ticket_category)in.category,
				       .subject = in.subject,
				       .message = in.message};
	if (api_transact(req, ops_open_tx, o, e))
		return -1;
	http_resp_json(resp, 201, json_pack("{s:o}", "ticket", ticket_json(req, NULL, &o->op.t, 1)));
	return 0;
}

int handle_ops_ticket_get(struct http_req *req, struct http_resp *resp, struct err *e)
{
	return answer_thread(req, resp, 1, 200, e);
}

int handle_ops_ticket_patch(struct http_req *req, struct http_resp *resp, struct err *e)
{
	json_t *body = http_req_json(req, e);
	if (!body)
		return -1;
	static const char *const allowed[] = {"state", "assignee", NULL};
	if (api_only_fields(body, allowed, e))
		return -1;
	struct change_op *op = new_change(req, CH_OPS_UPDATE);
	json_t *st = json_object_get(body, "state");
	if (st) {
		op->to = json_is_string(st) ? ticket_state_parse(json_string_value(st)) : -1;
		if (op->to < 0)
			return err_invalid(e, "state", "state is open, pending_customer, solved or spam");
	}
	json_t *as = json_object_get(body, "assignee");
	if (as) {
		op->set_assignee = 1;
		if (json_is_string(as) && !strcmp(json_string_value(as), "me")) {
			op->assignee = api_principal(req)->operator_id;
		} else if (json_is_string(as)) {
			db_conn *c;
			if (db_acquire(api_app(req)->db, &c, e))
				return -1;
			int rc = db_query_int(c, "SELECT id FROM operators WHERE public_id = $1",
					      DB_ARGS(DB_TEXT(json_string_value(as))), &op->assignee, e);
			db_release(c);
			if (rc < 0)
				return -1;
			if (!rc)
				return err_invalid(e, "assignee", "no such operator");
		} else if (!json_is_null(as)) {
			return err_invalid(e, "assignee", "assignee is an operator id, \"me\" or null");
		}
	}
	if (!st && !as)
		return err_set(e, 400, "missing_field", "state", "give a state or an assignee");
	if (api_transact(req, change_tx, op, e))
		return -1;
	return answer_thread(req, resp, 1, 200, e);
}

int handle_ops_ticket_message(struct http_req *req, struct http_resp *resp, struct err *e)
{
	json_t *body = http_req_json(req, e);
	if (!body)
		return -1;
	static const char *const allowed[] = {"message", "internal", NULL};
	struct change_op *op = new_change(req, CH_OPS_MESSAGE);
	if (api_only_fields(body, allowed, e) ||
	    !(op->text = read_text(req, body, "message", TICKET_MESSAGE_MAX, e)) ||
	    api_bool(body, "internal", 0, 0, &op->internal, e))
		return -1;
	if (api_transact(req, change_tx, op, e))
		return -1;
	return answer_thread(req, resp, 1, 201, e);
}

int handle_ops_ticket_deletion(struct http_req *req, struct http_resp *resp, struct err *e)
{
	struct change_op *op = new_change(req, CH_DELETION);
	if (api_transact(req, change_tx, op, e))
		return -1;
	return answer_thread(req, resp, 1, 200, e);
}

int handle_ops_ticket_attachment_get(struct http_req *req, struct http_resp *resp, struct err *e)
{
	return send_attachment(req, resp, 1, e);
}

/* from/to: dates (YYYY-MM-DD, to included) in Paris time; default the last 30 days. */
int handle_ops_sla_report(struct http_req *req, struct http_resp *resp, struct err *e)
{
	const struct tz *z = tz_get(LIFECYCLE_SELLER_ZONE, e);
	if (!z)
		return -1;
	int64_t now = clock_now(), from, to;
	const char *f = http_req_query(req, "from"), *t = http_req_query(req, "to");
	struct civil cf, ct;
	if (t) {
		if (tz_parse_date(t, &ct, e, "to"))
			return -1;
	} else {
		tz_to_civil(z, now, &ct);
	}
	if (tz_day_start(z, ct.year, ct.month, ct.day, &to) < 0)
		return err_invalid(e, "to", "to is not a date");
	/* to is included: the period ends at the start of the next day */
	int64_t days = tz_days_from_civil(ct.year, ct.month, ct.day) + 1;
	int ny, nm, nd;
	tz_civil_from_days(days, &ny, &nm, &nd);
	if (tz_day_start(z, ny, nm, nd, &to) < 0)
		return err_invalid(e, "to", "to is not a date");
	if (f) {
		if (tz_parse_date(f, &cf, e, "from"))
			return -1;
	} else {
		tz_civil_from_days(days - 30, &cf.year, &cf.month, &cf.day);
	}
	if (tz_day_start(z, cf.year, cf.month, cf.day, &from) < 0)
		return err_invalid(e, "from", "from is not a date");
	if (from >= to)
		return err_invalid(e, "from", "from must be on or before to");
	if (to - from > 366LL * 5 * 86400)
		return err_invalid(e, "from", "a report covers at most 5 years");
	struct sla_report_row rows[PLAN_COUNT];
	db_conn *c;
	if (db_acquire(api_app(req)->db, &c, e))
		return -1;
	int rc = tickets_sla_report(c, from, to, now, rows, e);
	db_release(c);
	if (rc)
		return -1;
	json_t *plans = json_array();
	for (int p = 0; p < PLAN_COUNT; p++) {
		const struct sla_report_row *r = &rows[p];
		int64_t counted = r->answered + r->late_unanswered;
		json_array_append_new(
			plans,
			json_pack("{s:s, s:I, s:I, s:I, s:I, s:o, s:o, s:o}", "plan", r->plan, "tickets",
				  (json_int_t)r->tickets, "answered", (json_int_t)r->answered,
				  "answered_in_time", (json_int_t)r->answered_in_time, "late_unanswered",
				  (json_int_t)r->late_unanswered, "in_time_share",
				  counted ? json_real((double)r->answered_in_time / (double)counted)
					  : json_null(),
				  "median_first_response_s",
				  r->answered ? json_integer(r->median_s) : json_null(),
				  "p90_first_response_s",
				  r->answered ? json_integer(r->p90_s) : json_null()));
	}
	http_resp_json(resp, 200,
		       json_pack("{s:s, s:s, s:o}", "from", api_time(req, NULL, from), "to",
				 api_time(req, NULL, to), "plans", plans));
	return 0;
}
