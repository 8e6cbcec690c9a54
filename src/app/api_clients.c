/* Clients of a business: GET/POST /api/v1/clients, GET/PATCH/DELETE /api/v1/clients/{id},
 * GET /api/v1/clients/{id}/export (the right of access), POST /api/v1/clients/{id}/merge
 * (duplicates). Staff read (FEAT_READ), writes need
 * FEAT_WRITE, erasure is for owners, the export needs FEAT_EXPORT (so it works in read-only
 * and frozen accounts). The rules are in src/schedule/clients.h; this file reads input and
 * shapes answers. */
#include <stdlib.h>
#include <string.h>

#include "app/api.h"
#include "app/api_handlers.h"
#include "base/arena.h"
#include "base/clock.h"
#include "base/phone.h"
#include "notify/notify.h"
#include "schedule/clients.h"
#include "base/banned.h"

#define LIST_DEFAULT 50
#define HISTORY_MAX  50	    /* past and upcoming appointments shown with a client, each */
#define EXPORT_MAX   100000 /* appointments in one export */

static json_t *client_json(struct http_req *req, const struct client *cl, int with_no_shows)
{
	const struct account *a = api_account(req);
	json_t *j =
		json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:b, s:s, s:s}", "id", cl->public_id,
			  "first_name", cl->first_name, "last_name", cl->last_name, "email", cl->email,
			  "phone", cl->phone, "notes", cl->notes, "consent_email", cl->consent_email,
			  "consent_sms", cl->consent_sms, "demo", cl->is_demo, "created_at",
			  api_time(req, a, cl->created_at), "updated_at", api_time(req, a, cl->updated_at));
	json_object_set_new(j, "version", json_integer(cl->version));
	json_object_set_new(j, "last_appointment_at",
			    cl->last_appointment_at ? json_string(api_time(req, a, cl->last_appointment_at))
						    : json_null());
	json_object_set_new(j, "anonymised_at",
			    cl->anonymised_at ? json_string(api_time(req, a, cl->anonymised_at))
					      : json_null());
	if (with_no_shows)
		json_object_set_new(j, "no_show_count", json_integer(cl->no_show_count));
	return j;
}

/* The {id} of the path: a public id, else 404 like an unknown one. */
static const char *path_id(struct http_req *req, struct err *e)
{
	const char *id = http_req_param(req, "id");
	if (!id || strlen(id) >= 24) {
		err_set(e, 404, "not_found", NULL, "no such client in this account");
		return NULL;
	}
	return id;
}

/* Reads the fields of a create (all) or a PATCH (those present) into *in. */
static int read_input(const json_t *body, int patch, struct client_input *in, struct err *e)
{
	static const char *const fields[] = {"first_name", "last_name",	    "email",	   "phone",
					     "notes",	   "consent_email", "consent_sms", NULL};
	char raw_email[300], raw_phone[PHONE_INPUT_MAX + 1];
	memset(in, 0, sizeof(*in));
	if (api_only_fields(body, fields, e) ||
	    api_string(body, "first_name", 0, in->first_name, CLIENTS_NAME_MAX, e) ||
	    api_string(body, "last_name", 0, in->last_name, CLIENTS_NAME_MAX, e) ||
	    api_string(body, "email", 0, raw_email, sizeof(raw_email) - 1, e) ||
	    api_string(body, "phone", 0, raw_phone, PHONE_INPUT_MAX, e) ||
	    api_string(body, "notes", 0, in->notes, CLIENTS_NOTES_MAX, e) ||
	    api_bool(body, "consent_email", 0, 1, &in->consent_email, e) ||
	    api_bool(body, "consent_sms", 0, 0, &in->consent_sms, e))
		return -1;
	if (raw_email[0] && email_normalise(raw_email, in->email, "email", e))
		return -1;
	if (raw_phone[0] && phone_normalise(raw_phone, "FR", in->phone, "phone", e))
		return -1;
	if (!patch) {
		in->set = CLIENT_SET_ALL;
		return 0;
	}
	static const unsigned bits[] = {CLIENT_SET_FIRST,      CLIENT_SET_LAST,	 CLIENT_SET_EMAIL,
					CLIENT_SET_PHONE,      CLIENT_SET_NOTES, CLIENT_SET_CONSENT_EMAIL,
					CLIENT_SET_CONSENT_SMS};
	for (int i = 0; fields[i]; i++)
		if (json_object_get(body, fields[i]))
			in->set |= bits[i];
	return 0;
}

/* ---- list ---- */

struct list_ctx {
	struct http_req *req;
	json_t *list;
	char last[24];
};

static void list_one(void *ctx, const struct client *cl)
{
	struct list_ctx *l = ctx;
	json_array_append_new(l->list, client_json(l->req, cl, 0));
	memcpy(l->last, cl->public_id, sizeof(l->last));
}

int handle_clients_list(struct http_req *req, struct http_resp *resp, struct err *e)
{
	const char *q = http_req_query(req, "q"), *lim = http_req_query(req, "limit");
	const char *cursor = http_req_query(req, "cursor");
	int limit = LIST_DEFAULT;
	if (lim) {
		char *end;
		long v = strtol(lim, &end, 10);
		if (end == lim || *end || v < 1 || v > CLIENTS_PAGE_MAX)
			return err_invalid(e, "limit", "limit must be a whole number from 1 to %d",
					   CLIENTS_PAGE_MAX);
		limit = (int)v;
	}
	if (q && strlen(q) > CLIENTS_SEARCH_MAX)
		return err_invalid(e, "q", "a search has at most %d bytes", CLIENTS_SEARCH_MAX);
	if (cursor && strlen(cursor) >= 24)
		return err_invalid(e, "cursor", "this cursor does not come from this list");
	db_conn *c;
	if (db_acquire(api_app(req)->db, &c, e))
		return -1;
	struct list_ctx l = {.req = req, .list = json_array()};
	int n = clients_list(c, api_account(req)->id, q, cursor, limit, list_one, &l, e);
	db_release(c);
	if (n < 0) {
		json_decref(l.list);
		return -1;
	}
	http_resp_json(resp, 200,
		       json_pack("{s:o, s:o}", "clients", l.list, "next_cursor",
				 n == limit ? json_string(l.last) : json_null()));
	return 0;
}

/* ---- create, patch ---- */

struct write_ctx {
	int64_t account_id;
	const char *id; /* PATCH: the client's public id */
	struct client_input in;
	struct client out;
};

static int create_tx(db_conn *c, void *ctx, struct err *e)
{
	struct write_ctx *x = ctx;
	return clients_create(c, x->account_id, &x->in, clock_now(), &x->out, e);
}

static int patch_tx(db_conn *c, void *ctx, struct err *e)
{
	struct write_ctx *x = ctx;
	return clients_update(c, x->account_id, x->id, &x->in, clock_now(), &x->out, e);
}

/* The context of a write, from the request arena (it holds two clients' notes). */
static struct write_ctx *write_ctx_new(struct http_req *req)
{
	struct write_ctx *x = arena_alloc(http_req_arena(req), sizeof(*x));
	memset(x, 0, sizeof(*x));
	x->account_id = api_account(req)->id;
	return x;
}

int handle_clients_create(struct http_req *req, struct http_resp *resp, struct err *e)
{
	struct write_ctx *x = write_ctx_new(req);
	json_t *body = http_req_json(req, e);
	if (!body || read_input(body, 0, &x->in, e) || api_transact(req, create_tx, x, e))
		return -1;
	http_resp_json(resp, 201, json_pack("{s:o}", "client", client_json(req, &x->out, 1)));
	return 0;
}

int handle_clients_patch(struct http_req *req, struct http_resp *resp, struct err *e)
{
	struct write_ctx *x = write_ctx_new(req);
	json_t *body = http_req_json(req, e);
	if (!(x->id = path_id(req, e)) || !body || read_input(body, 1, &x->in, e) ||
	    api_transact(req, patch_tx, x, e))
		return -1;
	http_resp_json(resp, 200, json_pack("{s:o}", "client", client_json(req, &x->out, 1)));
	return 0;
}

/* ---- read with history ---- */

struct appts_ctx {
	struct http_req *req;
	json_t *list;
	json_t *by_id; /* export: appointment id (decimal) → its object, to attach answers */
};

static json_t *appointment_json(struct http_req *req, const struct client_appointment *a)
{
	const struct account *acc = api_account(req);
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id", a->public_id, "status",
			      a->status, "source", a->source, "service", a->service_name, "staff",
			      a->staff_name, "starts_at", api_time(req, acc, a->starts_at), "ends_at",
			      api_time(req, acc, a->ends_at), "notes", a->notes);
	json_object_set_new(j, "created_at", json_string(api_time(req, acc, a->created_at)));
	json_object_set_new(j, "cancelled_at",
			    a->cancelled_at ? json_string(api_time(req, acc, a->cancelled_at)) : json_null());
	return j;
}

static void appt_one(void *ctx, const struct client_appointment *a)
{
	struct appts_ctx *x = ctx;
	json_t *j = appointment_json(x->req, a);
	if (x->by_id) {
		char key[24];
		snprintf(key, sizeof(key), "%lld", (long long)a->id);
		json_object_set_new(j, "answers", json_array());
		json_object_set(x->by_id, key, j);
	}
	json_array_append_new(x->list, j);
}

int handle_clients_get(struct http_req *req, struct http_resp *resp, struct err *e)
{
	const char *id = path_id(req, e);
	if (!id)
		return -1;
	int64_t account_id = api_account(req)->id, now = clock_now();
	db_conn *c;
	if (db_acquire(api_app(req)->db, &c, e))
		return -1;
	struct client cl;
	struct appts_ctx past = {.req = req, .list = json_array()};
	struct appts_ctx upcoming = {.req = req, .list = json_array()};
	int rc = clients_get(c, account_id, id, &cl, e);
	if (rc == 0)
		rc = clients_appointments(c, account_id, cl.id, CLIENTS_UPCOMING, now, HISTORY_MAX, appt_one,
					  &upcoming, e) < 0 ||
				     clients_appointments(c, account_id, cl.id, CLIENTS_PAST, now,
							  HISTORY_MAX, appt_one, &past, e) < 0
			     ? -1
			     : 0;
	char bounce[300];
	int64_t bounced_at = 0;
	int suppressed = 0;
	if (rc == 0) {
		suppressed = notify_email_suppression(c, account_id, cl.email, bounce, sizeof(bounce),
						      &bounced_at, e);
		rc = suppressed < 0 ? -1 : 0;
	}
	db_release(c);
	if (rc) {
		json_decref(past.list);
		json_decref(upcoming.list);
		return -1;
	}
	json_t *j = client_json(req, &cl, 1);
	json_object_set_new(j, "upcoming", upcoming.list);
	json_object_set_new(j, "past", past.list);
	/* a hard bounce: this business mails the address no more (notify/notify.h) */
	json_object_set_new(j, "email_suppressed",
			    suppressed > 0 ? json_pack("{s:s, s:s}", "reason", bounce, "since",
						       api_time(req, api_account(req), bounced_at))
					   : json_null());
	http_resp_json(resp, 200, json_pack("{s:o}", "client", j));
	return 0;
}

/* ---- export (GDPR art. 15) ---- */

static void answer_one(void *ctx, int64_t appointment_id, const char *label, const char *answer)
{
	struct appts_ctx *x = ctx;
	char key[24];
	snprintf(key, sizeof(key), "%lld", (long long)appointment_id);
	json_t *appt = json_object_get(x->by_id, key);
	if (appt)
		json_array_append_new(json_object_get(appt, "answers"),
				      json_pack("{s:s, s:s}", "question", label ? label : "", "answer",
						answer ? answer : ""));
}

int handle_clients_export(struct http_req *req, struct http_resp *resp, struct err *e)
{
	const char *id = path_id(req, e);
	if (!id)
		return -1;
	const struct account *a = api_account(req);
	int64_t now = clock_now();
	db_conn *c;
	if (db_acquire(api_app(req)->db, &c, e))
		return -1;
	struct client cl;
	struct appts_ctx all = {.req = req, .list = json_array(), .by_id = json_object()};
	int rc = clients_get(c, a->id, id, &cl, e);
	if (rc == 0)
		rc = clients_appointments(c, a->id, cl.id, CLIENTS_ALL, now, EXPORT_MAX, appt_one, &all, e) <
					     0 ||
				     clients_answers(c, a->id, cl.id, answer_one, &all, e) < 0
			     ? -1
			     : 0;
	db_release(c);
	json_decref(all.by_id);
	if (rc) {
		json_decref(all.list);
		return -1;
	}
	json_t *j = json_pack("{s:s, s:s, s:o, s:o}", "exported_at", api_time(req, a, now), "business",
			      a->name, "client", client_json(req, &cl, 1), "appointments", all.list);
	char disposition[80];
	snprintf(disposition, sizeof(disposition), "attachment; filename=\"client-%s.json\"", cl.public_id);
	http_resp_header(resp, "Content-Disposition", disposition);
	http_resp_json(resp, 200, j);
	return 0;
}

/* ---- erasure ---- */

struct erase_ctx {
	int64_t account_id, user_id;
	const char *id, *ip;
};

static int erase_tx(db_conn *c, void *ctx, struct err *e)
{
	struct erase_ctx *x = ctx;
	struct client cl;
	int64_t now = clock_now();
	if (clients_get(c, x->account_id, x->id, &cl, e))
		return -1;
	if (cl.anonymised_at)
		return 0; /* erased already: nothing more to do, nothing more to record */
	if (clients_anonymise(c, x->account_id, cl.id, now, e) < 0)
		return -1;
	/* the entry names the record only: nothing about the person */
	return audit_write(c, x->account_id, x->user_id, 0, "client_erased", cl.public_id, x->ip, NULL, now,
			   e);
}

int handle_clients_delete(struct http_req *req, struct http_resp *resp, struct err *e)
{
	struct erase_ctx x = {.account_id = api_account(req)->id,
			      .user_id = api_principal(req)->user_id,
			      .ip = http_req_client_ip(req)};
	if (!(x.id = path_id(req, e)) || api_transact(req, erase_tx, &x, e))
		return -1;
	http_resp_empty(resp, 204);
	return 0;
}

/* ---- merging duplicates ---- */

struct merge_ctx {
	int64_t account_id, user_id, moved;
	const char *id, *ip;
	char from[64];
	struct client out;
};

static int merge_tx(db_conn *c, void *ctx, struct err *e)
{
	struct merge_ctx *x = ctx;
	struct client kept;
	int64_t now = clock_now();
	/* the path's client first: a stranger's id is 404 whatever the body says */
	if (clients_get(c, x->account_id, x->id, &kept, e))
		return -1;
	if (!x->from[0])
		return err_set(e, 400, "missing_field", "from", "name the client to merge into this one");
	if (strlen(x->from) >= 24)
		return err_set(e, 404, "not_found", "from", "no such client in this account");
	if (clients_merge(c, x->account_id, x->id, x->from, now, &x->out, &x->moved, e))
		return -1;
	char detail[96];
	snprintf(detail, sizeof(detail), "{\"from\": \"%s\"}", x->from);
	return audit_write(c, x->account_id, x->user_id, 0, "client_merged", x->out.public_id, x->ip, detail,
			   now, e);
}

int handle_clients_merge(struct http_req *req, struct http_resp *resp, struct err *e)
{
	static const char *const fields[] = {"from", NULL};
	struct merge_ctx *x = arena_alloc(http_req_arena(req), sizeof(*x));
	memset(x, 0, sizeof(*x));
	x->account_id = api_account(req)->id;
	x->user_id = api_principal(req)->user_id;
	x->ip = http_req_client_ip(req);
	json_t *body = http_req_json(req, e);
	if (!(x->id = path_id(req, e)) || !body || api_only_fields(body, fields, e) ||
	    api_string(body, "from", 0, x->from, sizeof(x->from) - 1, e) || api_transact(req, merge_tx, x, e))
		return -1;
	http_resp_json(resp, 200,
		       json_pack("{s:o, s:I}", "client", client_json(req, &x->out, 1), "appointments_moved",
				 (json_int_t)x->moved));
	return 0;
}
