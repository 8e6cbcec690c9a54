/* The contact form and leads, improvement requests, votes, comments, subscriptions and the
 * public roadmap over HTTP (docs/api.md "Community"; rules in src/community/ideas.h and
 * leads.h). Community routes read and write data shared by every customer: an idea's author
 * is shown by first name and business type only; operators (/api/v1/ops/...) also see the
 * author's business. Writes of customers need FEAT_TICKETS (the support area stays open to
 * read-only and frozen accounts). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/api.h"
#include "app/api_handlers.h"
#include "app/routes.h"
#include "base/clock.h"
#include "community/ideas.h"
#include "community/leads.h"
#include "base/banned.h"

#define IDEAS_PAGE_DEFAULT 20

/* ---- shared bits ---- */

/* The viewer's user id: a customer's, or 0 for an operator. */
static int64_t viewer_of(struct http_req *req)
{
	const struct principal *p = api_principal(req);
	return p->kind == PRINCIPAL_USER ? p->user_id : 0;
}

static const struct account *zone_of(struct http_req *req)
{
	return api_principal(req)->kind == PRINCIPAL_USER ? api_account(req) : NULL;
}

static const char *public_url(struct http_req *req)
{
	const char *u = api_app(req)->cfg->public_url;
	return u && *u ? u : "http://127.0.0.1:8080";
}

/* ?limit= within [1, max] (default def), ?cursor= an offset given by a previous page. */
static int page_args(struct http_req *req, int64_t def, int64_t max, int64_t *limit, int64_t *offset,
		     struct err *e)
{
	const char *l = http_req_query(req, "limit"), *c = http_req_query(req, "cursor");
	char *end;
	*limit = def;
	*offset = 0;
	if (l && *l) {
		long long v = strtoll(l, &end, 10);
		if (*end || v < 1 || v > max)
			return err_invalid(e, "limit", "limit is a number from 1 to %lld", (long long)max);
		*limit = v;
	}
	if (c && *c) {
		long long v = strtoll(c, &end, 10);
		if (*end || v < 0 || v > 1000000)
			return err_invalid(e, "cursor", "cursor is the next_cursor of a previous page");
		*offset = v;
	}
	return 0;
}

struct list_ctx {
	struct http_req *req;
	json_t *items;
	int64_t viewer;
	int64_t limit, n;
	int public_only; /* the roadmap: no author at all */
};

static json_t *idea_json(struct http_req *req, const struct idea_row *r, int64_t viewer)
{
	const struct account *z = zone_of(req);
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:b, s:b, s:b, s:{s:s, s:s}}", "id",
			      r->public_id, "title", r->title, "body", r->body, "status",
			      idea_status_code(r->status), "response", r->response, "votes",
			      (json_int_t)r->votes, "comments", (json_int_t)r->comments, "voted", r->voted,
			      "subscribed", r->subscribed, "mine", viewer && r->user_id == viewer, "author",
			      "first_name", r->first_name, "business_type", r->business_type);
	json_object_set_new(j, "voting_open", json_boolean(idea_voting_open(r->status)));
	json_object_set_new(j, "merged_into", r->merged_into ? json_string(r->merged_into) : json_null());
	json_object_set_new(j, "created_at", json_string(api_time(req, z, r->created_at)));
	json_object_set_new(j, "updated_at", json_string(api_time(req, z, r->updated_at)));
	json_object_set_new(j, "published_at",
			    r->published_at ? json_string(api_time(req, z, r->published_at)) : json_null());
	if (!viewer) /* operators: whose request it is */
		json_object_set_new(j, "account", json_pack("{s:s}", "name", r->account_name));
	return j;
}

static void add_idea(void *ctx, const struct idea_row *r)
{
	struct list_ctx *l = ctx;
	if (l->n++ >= l->limit)
		return; /* the extra row only says there is a next page */
	if (l->public_only)
		json_array_append_new(l->items, json_pack("{s:s, s:s, s:s, s:I, s:s}", "id", r->public_id,
							  "title", r->title, "response", r->response, "votes",
							  (json_int_t)r->votes, "updated_at",
							  api_time(l->req, NULL, r->updated_at)));
	else
		json_array_append_new(l->items, idea_json(l->req, r, l->viewer));
}

static void one_idea(void *ctx, const struct idea_row *r)
{
	struct list_ctx *l = ctx;
	l->items = idea_json(l->req, r, l->viewer);
	l->n = r->id;
}

static void add_comment(void *ctx, const struct idea_comment_row *r)
{
	struct list_ctx *l = ctx;
	json_array_append_new(l->items,
			      json_pack("{s:s, s:s, s:b, s:{s:s, s:s}, s:s}", "id", r->public_id, "body",
					r->body, "mine", r->mine, "author", "first_name", r->first_name,
					"business_type", r->business_type, "created_at",
					api_time(l->req, zone_of(l->req), r->created_at)));
}

/* Lists ideas for a customer (viewer > 0) or an operator (0). */
static int list_ideas(struct http_req *req, struct http_resp *resp, int64_t viewer, struct err *e)
{
	struct idea_query q = {.viewer_user_id = viewer, .status = -1};
	const char *sort = http_req_query(req, "sort"), *search = http_req_query(req, "q");
	const char *mine = http_req_query(req, "mine"), *status = http_req_query(req, "status");
	if (sort && *sort && strcmp(sort, "votes") && strcmp(sort, "new"))
		return err_invalid(e, "sort", "sort is votes or new");
	q.by_votes = !sort || !*sort || !strcmp(sort, "votes");
	if (search && strlen(search) > IDEA_SEARCH_MAX)
		return err_invalid(e, "q", "a search is at most %d bytes", IDEA_SEARCH_MAX);
	q.search = search;
	q.mine = viewer && mine && (!strcmp(mine, "1") || !strcmp(mine, "true"));
	if (status && *status) {
		if ((q.status = idea_status_parse(status)) < 0)
			return err_invalid(e, "status", "unknown status");
		if (viewer && !q.mine && (q.status == IDEA_UNDER_REVIEW || q.status == IDEA_DUPLICATE))
			return err_invalid(e, "status", "this list holds published requests only");
	}
	if (page_args(req, IDEAS_PAGE_DEFAULT, IDEA_LIST_MAX - 1, &q.limit, &q.offset, e))
		return -1;
	struct list_ctx l = {.req = req, .items = json_array(), .viewer = viewer, .limit = q.limit};
	int64_t limit = q.limit;
	q.limit++;
	db_conn *c;
	if (db_acquire(api_app(req)->db, &c, e)) {
		json_decref(l.items);
		return -1;
	}
	int n = ideas_list(c, &q, add_idea, &l, e);
	db_release(c);
	if (n < 0) {
		json_decref(l.items);
		return -1;
	}
	json_t *out = json_pack("{s:o}", "ideas", l.items);
	if (n > limit) {
		char next[32];
		snprintf(next, sizeof(next), "%lld", (long long)(q.offset + limit));
		json_object_set_new(out, "next_cursor", json_string(next));
	} else {
		json_object_set_new(out, "next_cursor", json_null());
	}
	http_resp_json(resp, 200, out);
	return 0;
}

/* Answers {"idea": ..., "comments": [...]} as the viewer sees it; 404 when hidden. */
static int answer_idea(struct http_req *req, struct http_resp *resp, const char *id, int64_t viewer,
		       int status, struct err *e)
{
	db_conn *c;
	if (db_acquire(api_app(req)->db, &c, e))
		return -1;
	struct list_ctx l = {.req = req, .viewer = viewer};
	int rc = ideas_get(c, id, viewer, one_idea, &l, e);
	if (rc == 1) {
		json_t *idea = l.items;
		l.items = json_array();
		if (ideas_comments(c, l.n, viewer, add_comment, &l, e)) {
			json_decref(idea);
			json_decref(l.items);
			db_release(c);
			return -1;
		}
		db_release(c);
		http_resp_json(resp, status, json_pack("{s:o, s:o}", "idea", idea, "comments", l.items));
		return 0;
	}
	db_release(c);
	return rc < 0 ? -1 : err_set(e, 404, "not_found", NULL, "no such request");
}

/* ---- the public side ---- */

struct contact_tx {
	struct lead_input in;
	char id[24];
};

static int contact_tx(db_conn *c, void *ctx, struct err *e)
{
	struct contact_tx *t = ctx;
	return leads_create(c, &t->in, clock_now(), t->id, e);
}

int handle_contact(struct http_req *req, struct http_resp *resp, struct err *e)
{
	static const char *const fields[] = {"name",	"email",   "company", "phone",
					     "message", "website", "locale",  NULL};
	json_t *body = http_req_json(req, e);
	if (!body || api_only_fields(body, fields, e))
		return -1;
	/* the honeypot: a field people never see, that robots fill. Same answer, nothing kept. */
	json_t *hp = json_object_get(body, "website");
	if (hp && !(json_is_string(hp) && json_string_length(hp) == 0) && !json_is_null(hp)) {
		http_resp_json(resp, 202, json_pack("{s:b}", "received", 1));
		return 0;
	}
	char name[LEAD_NAME_MAX + 1], raw_email[300], email[256], company[LEAD_COMPANY_MAX + 1];
	char phone[LEAD_PHONE_MAX + 1], locale[8];
	char *message = arena_alloc(http_req_arena(req), LEAD_MESSAGE_MAX + 1);
	if (api_string(body, "name", 1, name, LEAD_NAME_MAX, e) ||
	    api_string(body, "email", 1, raw_email, sizeof(raw_email) - 1, e) ||
	    email_normalise(raw_email, email, "email", e) ||
	    api_string(body, "company", 0, company, LEAD_COMPANY_MAX, e) ||
	    api_string(body, "phone", 0, phone, LEAD_PHONE_MAX, e) ||
	    api_string(body, "message", 1, message, LEAD_MESSAGE_MAX, e) ||
	    api_string(body, "locale", 0, locale, sizeof(locale) - 1, e))
		return -1;
	struct contact_tx t = {.in = {name, email, company, phone, message, http_req_client_ip(req)}};
	if (api_transact(req, contact_tx, &t, e))
		return -1;
	http_resp_json(resp, 202, json_pack("{s:b}", "received", 1));
	return 0;
}

int handle_roadmap(struct http_req *req, struct http_resp *resp, struct err *e)
{
	static const enum idea_status columns[] = {IDEA_PLANNED, IDEA_STARTED, IDEA_COMPLETED};
	json_t *out = json_object();
	db_conn *c;
	if (db_acquire(api_app(req)->db, &c, e)) {
		json_decref(out);
		return -1;
	}
	for (size_t i = 0; i < sizeof(columns) / sizeof(columns[0]); i++) {
		struct idea_query q = {.status = (int)columns[i], .by_votes = 1, .limit = IDEA_LIST_MAX};
		struct list_ctx l = {
			.req = req, .items = json_array(), .limit = IDEA_LIST_MAX, .public_only = 1};
		if (ideas_list(c, &q, add_idea, &l, e) < 0) {
			json_decref(l.items);
			json_decref(out);
			db_release(c);
			return -1;
		}
		json_object_set_new(out, idea_status_code(columns[i]), l.items);
	}
	db_release(c);
	http_resp_header(resp, "Cache-Control", "public, max-age=60");
	http_resp_json(resp, 200, out);
	return 0;
}

int handle_unsubscribe_page(struct http_req *req, struct http_resp *resp, struct err *e)
{
	if (http_resp_static(req, resp, 200, "/u/index.html") == 0)
		return 0;
	return err_set(e, 404, "not_found", NULL, "the unsubscribe page is not installed");
}

struct unsub_tx {
	const char *token;
	char title[IDEA_TITLE_MAX + 1];
	int found;
};

static int unsub_tx(db_conn *c, void *ctx, struct err *e)
{
	struct unsub_tx *t = ctx;
	t->found = ideas_unsubscribe_token(c, t->token, clock_now(), t->title, sizeof(t->title), e);
	return t->found < 0 ? -1 : 0;
}

int handle_unsubscribe(struct http_req *req, struct http_resp *resp, struct err *e)
{
	struct unsub_tx t = {.token = http_req_param(req, "token")};
	if (api_transact(req, unsub_tx, &t, e))
		return -1;
	if (!t.found)
		return err_set(e, 404, "not_found", NULL, "this link is not valid");
	http_resp_json(resp, 200, json_pack("{s:b, s:{s:s}}", "unsubscribed", 1, "idea", "title", t.title));
	return 0;
}

/* ---- the customer side ---- */

int handle_ideas_list(struct http_req *req, struct http_resp *resp, struct err *e)
{
	return list_ideas(req, resp, viewer_of(req), e);
}

struct idea_tx {
	const struct principal *p;
	const char *id;
	const char *title, *body, *response, *into;
	enum idea_status to;
	int on;
	char out[24];
	const char *url;
	const char *op; /* vote, unvote, comment, subscribe */
};

static int create_tx(db_conn *c, void *ctx, struct err *e)
{
	struct idea_tx *t = ctx;
	return ideas_create(c, t->p->account.id, t->p->user_id, t->title, t->body, clock_now(), t->out, e);
}

int handle_ideas_create(struct http_req *req, struct http_resp *resp, struct err *e)
{
	static const char *const fields[] = {"title", "body", NULL};
	json_t *body = http_req_json(req, e);
	char title[IDEA_TITLE_MAX + 1];
	char *text = arena_alloc(http_req_arena(req), IDEA_BODY_MAX + 1);
	if (!body || api_only_fields(body, fields, e) ||
	    api_string(body, "title", 1, title, IDEA_TITLE_MAX, e) ||
	    api_string(body, "body", 1, text, IDEA_BODY_MAX, e))
		return -1;
	struct idea_tx t = {.p = api_principal(req), .title = title, .body = text};
	if (api_transact(req, create_tx, &t, e))
		return -1;
	return answer_idea(req, resp, t.out, t.p->user_id, 201, e);
}

int handle_ideas_get(struct http_req *req, struct http_resp *resp, struct err *e)
{
	return answer_idea(req, resp, http_req_param(req, "id"), viewer_of(req), 200, e);
}

static int act_tx(db_conn *c, void *ctx, struct err *e)
{
	struct idea_tx *t = ctx;
	int64_t uid = t->p->user_id, now = clock_now();
	if (!strcmp(t->op, "vote"))
		return ideas_vote(c, t->id, uid, now, e);
	if (!strcmp(t->op, "unvote"))
		return ideas_unvote(c, t->id, uid, e);
	if (!strcmp(t->op, "comment"))
		return ideas_comment(c, t->id, uid, t->body, now, t->out, e);
	return ideas_subscribe(c, t->id, uid, t->on, now, e);
}

static int act(struct http_req *req, struct http_resp *resp, const char *op, int on, const char *body,
	       int status, struct err *e)
{
	struct idea_tx t = {
		.p = api_principal(req), .id = http_req_param(req, "id"), .op = op, .on = on, .body = body};
	if (api_transact(req, act_tx, &t, e))
		return -1;
	return answer_idea(req, resp, t.id, t.p->user_id, status, e);
}

int handle_ideas_vote(struct http_req *req, struct http_resp *resp, struct err *e)
{
	return act(req, resp, "vote", 0, NULL, 201, e);
}

int handle_ideas_unvote(struct http_req *req, struct http_resp *resp, struct err *e)
{
	return act(req, resp, "unvote", 0, NULL, 200, e);
}

int handle_ideas_subscribe(struct http_req *req, struct http_resp *resp, struct err *e)
{
	return act(req, resp, "subscribe", 1, NULL, 200, e);
}

int handle_ideas_unsubscribe(struct http_req *req, struct http_resp *resp, struct err *e)
{
	return act(req, resp, "subscribe", 0, NULL, 200, e);
}

int handle_ideas_comments_list(struct http_req *req, struct http_resp *resp, struct err *e)
{
	return answer_idea(req, resp, http_req_param(req, "id"), viewer_of(req), 200, e);
}

static void seen(void *ctx, const struct idea_row *r)
{
	(void)ctx;
	(void)r;
}

int handle_ideas_comment(struct http_req *req, struct http_resp *resp, struct err *e)
{
	static const char *const fields[] = {"body", NULL};
	/* a request the caller cannot see answers 404 whatever the body says */
	db_conn *c;
	if (db_acquire(api_app(req)->db, &c, e))
		return -1;
	int found = ideas_get(c, http_req_param(req, "id"), viewer_of(req), seen, NULL, e);
	db_release(c);
	if (found <= 0)
		return found < 0 ? -1 : err_set(e, 404, "not_found", NULL, "no such request");
	json_t *body = http_req_json(req, e);
	char *text = arena_alloc(http_req_arena(req), IDEA_COMMENT_MAX + 1);
	if (!body || api_only_fields(body, fields, e) ||
	    api_string(body, "body", 1, text, IDEA_COMMENT_MAX, e))
		return -1;
	return act(req, resp, "comment", 0, text, 201, e);
}

/* ---- the operator side ---- */

int handle_ops_ideas_list(struct http_req *req, struct http_resp *resp, struct err *e)
{
	return list_ideas(req, resp, 0, e);
}

int handle_ops_ideas_get(struct http_req *req, struct http_resp *resp, struct err *e)
{
	return answer_idea(req, resp, http_req_param(req, "id"), 0, 200, e);
}

static int status_tx(db_conn *c, void *ctx, struct err *e)
{
	struct idea_tx *t = ctx;
	if (t->into)
		return ideas_merge(c, t->id, t->into, t->response, clock_now(), t->url, e);
	return ideas_set_status(c, t->id, t->to, t->response, clock_now(), t->url, e);
}

/* Moves a request: `to` < 0 reads the status from the body; merge reads "into". */
static int change(struct http_req *req, struct http_resp *resp, int to, int merge, struct err *e)
{
	static const char *const fields[] = {"status", "response", "into", NULL};
	json_t *body = http_req_json(req, e);
	char status[32], into[32];
	char *response = arena_alloc(http_req_arena(req), IDEA_RESPONSE_MAX + 1);
	if (!body || api_only_fields(body, fields, e) ||
	    api_string(body, "response", to == IDEA_DECLINED, response, IDEA_RESPONSE_MAX, e) ||
	    api_string(body, "status", to < 0, status, sizeof(status) - 1, e) ||
	    api_string(body, "into", merge, into, sizeof(into) - 1, e))
		return -1;
	if (to < 0 && (to = idea_status_parse(status)) < 0)
		return err_invalid(e, "status", "status is open, planned, started, completed or declined");
	struct idea_tx t = {.id = http_req_param(req, "id"),
			    .to = (enum idea_status)(to < 0 ? 0 : to),
			    .response = response,
			    .into = merge ? into : NULL,
			    .url = public_url(req)};
	if (api_transact(req, status_tx, &t, e))
		return -1;
	return answer_idea(req, resp, t.id, 0, 200, e);
}

int handle_ops_ideas_publish(struct http_req *req, struct http_resp *resp, struct err *e)
{
	return change(req, resp, IDEA_OPEN, 0, e);
}

int handle_ops_ideas_decline(struct http_req *req, struct http_resp *resp, struct err *e)
{
	return change(req, resp, IDEA_DECLINED, 0, e);
}

int handle_ops_ideas_status(struct http_req *req, struct http_resp *resp, struct err *e)
{
	return change(req, resp, -1, 0, e);
}

int handle_ops_ideas_merge(struct http_req *req, struct http_resp *resp, struct err *e)
{
	return change(req, resp, IDEA_DUPLICATE, 1, e);
}

/* leads */

static json_t *lead_json(struct http_req *req, const struct lead_row *r)
{
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I}", "id", r->public_id, "name", r->name,
			      "email", r->email, "company", r->company, "phone", r->phone, "message",
			      r->message, "status", r->status, "replies", (json_int_t)r->replies);
	json_object_set_new(j, "created_at", json_string(api_time(req, NULL, r->created_at)));
	json_object_set_new(j, "updated_at", json_string(api_time(req, NULL, r->updated_at)));
	return j;
}

struct lead_ctx {
	struct http_req *req;
	json_t *items, *one;
	int64_t id, limit, n;
};

static void add_lead(void *ctx, const struct lead_row *r)
{
	struct lead_ctx *l = ctx;
	if (l->n++ < l->limit)
		json_array_append_new(l->items, lead_json(l->req, r));
}

static void one_lead(void *ctx, const struct lead_row *r)
{
	struct lead_ctx *l = ctx;
	l->one = lead_json(l->req, r);
	l->id = r->id;
}

static void add_reply(void *ctx, const struct lead_reply_row *r)
{
	struct lead_ctx *l = ctx;
	json_array_append_new(l->items,
			      json_pack("{s:s, s:s, s:s}", "body", r->body, "operator", r->operator_name,
					"created_at", api_time(l->req, NULL, r->created_at)));
}

int handle_ops_leads_list(struct http_req *req, struct http_resp *resp, struct err *e)
{
	const char *status = http_req_query(req, "status");
	if (status && *status && strcmp(status, "new") && strcmp(status, "answered") &&
	    strcmp(status, "closed"))
		return err_invalid(e, "status", "status is new, answered or closed");
	struct lead_ctx l = {.req = req, .items = json_array()};
	int64_t offset;
	if (page_args(req, 50, LEAD_LIST_MAX - 1, &l.limit, &offset, e)) {
		json_decref(l.items);
		return -1;
	}
	db_conn *c;
	if (db_acquire(api_app(req)->db, &c, e)) {
		json_decref(l.items);
		return -1;
	}
	int n = leads_list(c, status, offset, l.limit + 1, add_lead, &l, e);
	db_release(c);
	if (n < 0) {
		json_decref(l.items);
		return -1;
	}
	json_t *out = json_pack("{s:o}", "leads", l.items);
	char next[32];
	snprintf(next, sizeof(next), "%lld", (long long)(offset + l.limit));
	json_object_set_new(out, "next_cursor", n > l.limit ? json_string(next) : json_null());
	http_resp_json(resp, 200, out);
	return 0;
}

static int answer_lead(struct http_req *req, struct http_resp *resp, const char *id, struct err *e)
{
	db_conn *c;
	if (db_acquire(api_app(req)->db, &c, e))
		return -1;
	struct lead_ctx l = {.req = req};
	int rc = leads_get(c, id, one_lead, &l, e);
	if (rc == 1) {
		l.items = json_array();
		if (leads_replies(c, l.id, add_reply, &l, e)) {
			db_release(c);
			json_decref(l.one);
			json_decref(l.items);
			return -1;
		}
		db_release(c);
		http_resp_json(resp, 200, json_pack("{s:o, s:o}", "lead", l.one, "replies", l.items));
		return 0;
	}
	db_release(c);
	return rc < 0 ? -1 : err_set(e, 404, "not_found", NULL, "no such lead");
}

int handle_ops_leads_get(struct http_req *req, struct http_resp *resp, struct err *e)
{
	return answer_lead(req, resp, http_req_param(req, "id"), e);
}

struct lead_tx {
	const char *id, *body, *locale, *status;
	int64_t operator_id;
};

static int lead_tx(db_conn *c, void *ctx, struct err *e)
{
	struct lead_tx *t = ctx;
	if (t->status)
		return leads_set_status(c, t->id, t->status, clock_now(), e);
	return leads_reply(c, t->id, t->operator_id, t->body, t->locale, clock_now(), e);
}

int handle_ops_leads_reply(struct http_req *req, struct http_resp *resp, struct err *e)
{
	static const char *const fields[] = {"message", "locale", NULL};
	json_t *body = http_req_json(req, e);
	char locale[8];
	char *text = arena_alloc(http_req_arena(req), LEAD_REPLY_MAX + 1);
	if (!body || api_only_fields(body, fields, e) ||
	    api_string(body, "message", 1, text, LEAD_REPLY_MAX, e) ||
	    api_string(body, "locale", 0, locale, sizeof(locale) - 1, e))
		return -1;
	if (locale[0] && strcmp(locale, "fr") && strcmp(locale, "en"))
		return err_invalid(e, "locale", "locale is fr or en");
	struct lead_tx t = {.id = http_req_param(req, "id"),
			    .body = text,
			    .locale = locale[0] ? locale : "fr",
			    .operator_id = api_principal(req)->operator_id};
	if (api_transact(req, lead_tx, &t, e))
		return -1;
	return answer_lead(req, resp, t.id, e);
}

int handle_ops_leads_patch(struct http_req *req, struct http_resp *resp, struct err *e)
{
	static const char *const fields[] = {"status", NULL};
	json_t *body = http_req_json(req, e);
	char status[16];
	if (!body || api_only_fields(body, fields, e) ||
	    api_string(body, "status", 1, status, sizeof(status) - 1, e))
		return -1;
	struct lead_tx t = {.id = http_req_param(req, "id"), .status = status};
	if (api_transact(req, lead_tx, &t, e))
		return -1;
	return answer_lead(req, resp, t.id, e);
}
