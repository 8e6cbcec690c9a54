/* The subscription and the account's life (docs/api.md "Subscription and the account's life"):
 * GET/POST/DELETE /api/v1/subscription, GET /api/v1/subscription/quote,
 * POST /api/v1/subscription/resume, GET/POST /api/v1/account/deletion, and the operator's
 * GET /api/v1/ops/accounts/{id}. The rules are src/account/lifecycle.c's and deletion.c's. */
#include <sodium.h>
#include <string.h>

#include "account/deletion.h"
#include "account/lifecycle.h"
#include "account/password.h"
#include "app/api.h"
#include "app/api_handlers.h"
#include "base/clock.h"
#include "billing/billing.h"
#include "base/banned.h"

static json_t *time_or_null(struct http_req *req, const struct account *a, int64_t t)
{
	return t ? json_string(api_time(req, a, t)) : json_null();
}

static json_t *next_json(struct http_req *req, const struct lifecycle_row *r)
{
	struct lifecycle_next n;
	lifecycle_next(r, &n);
	if (!n.kind)
		return json_null();
	return json_pack("{s:s, s:o, s:s}", "kind", n.kind, "at", time_or_null(req, &r->a, n.at), "to_state",
			 n.to_state);
}

static json_t *subscription_json(struct http_req *req, const struct lifecycle_row *r, int64_t now)
{
	const struct account *a = &r->a;
	const struct plan *p = plan_get(a->plan);
	int in_trial = a->state == ACCOUNT_TRIAL;
	return json_pack(
		"{s:s, s:s, s:I, s:s, s:s, s:s?, s:o, s:o, s:o, s:o, s:o, s:o, s:b}", "plan", p->code,
		"plan_name", p->name, "price_cents", (json_int_t)p->price_cents, "currency", p->currency,
		"state", account_state_code(a->state), "state_reason",
		a->state_reason[0] ? a->state_reason : NULL, "trial_ends_at",
		time_or_null(req, a, in_trial ? a->trial_ends_at : 0), "trial_days_left",
		in_trial ? json_integer(lifecycle_trial_days_left(a->time_zone, a->trial_ends_at, now))
			 : json_null(),
		"subscribed_at", time_or_null(req, a, r->subscribed_at), "cancel_at",
		time_or_null(req, a, a->state == ACCOUNT_CANCEL_PENDING ? r->cancel_at : 0), "delete_at",
		time_or_null(req, a, r->delete_at), "next_transition", next_json(req, r), "can_resume",
		a->state == ACCOUNT_CANCEL_PENDING && now < r->cancel_at);
}

/* Reads the session's account and answers status with {"subscription": ...} (+ extra). */
static int answer_subscription(struct http_req *req, struct http_resp *resp, int status,
			       const char *extra_key, json_t *extra, struct err *e)
{
	db_conn *c;
	if (db_acquire(api_app(req)->db, &c, e)) {
		json_decref(extra);
		return -1;
	}
	struct lifecycle_row r;
	int rc = lifecycle_load(c, api_account(req)->id, 0, &r, e);
	db_release(c);
	if (rc) {
		json_decref(extra);
		return -1;
	}
	json_t *body = json_pack("{s:o}", "subscription", subscription_json(req, &r, clock_now()));
	if (extra_key)
		json_object_set_new(body, extra_key, extra);
	http_resp_json(resp, status, body);
	return 0;
}

int handle_subscription_get(struct http_req *req, struct http_resp *resp, struct err *e)
{
	return answer_subscription(req, resp, 200, NULL, NULL, e);
}

/* The plan named by `s` (a query value or a body field): 400 on field "plan". */
static int plan_arg(const char *s, enum plan_id *out, struct err *e)
{
	if (!s || !*s)
		return err_set(e, 400, "missing_field", "plan", "plan is required");
	const struct plan *p = strlen(s) < 16 ? plan_by_code(s) : NULL;
	if (!p)
		return err_set(e, 400, "invalid_plan", "plan", "plan must be essentiel, pro or optimum");
	*out = p->id;
	return 0;
}

static json_t *quote_json(const struct lifecycle_change *ch)
{
	const struct billing_quote_view *q = &ch->quote;
	return json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:s, s:I, s:I, s:I, s:I, s:i, s:i, s:i, s:I}",
			 "plan", plan_get(ch->to)->code, "from_plan", plan_get(ch->from)->code, "kind",
			 ch->kind, "document", q->document, "amount_ht", (json_int_t)q->due_ht, "amount_vat",
			 (json_int_t)q->due_vat, "amount_ttc", (json_int_t)q->due_ttc, "currency", "EUR",
			 "credit_used_ht", (json_int_t)q->credit_used_ht, "month_total_ht",
			 (json_int_t)q->month_total_ht, "already_billed_ht", (json_int_t)q->already_billed_ht,
			 "delta_ht", (json_int_t)q->delta_ht, "day", q->day, "days_in_month",
			 q->days_in_month, "days_remaining", q->days_remaining, "next_month_ht",
			 (json_int_t)q->next_month_ht);
}

int handle_subscription_quote(struct http_req *req, struct http_resp *resp, struct err *e)
{
	enum plan_id to;
	if (plan_arg(http_req_query(req, "plan"), &to, e))
		return -1;
	db_conn *c;
	if (db_acquire(api_app(req)->db, &c, e))
		return -1;
	struct lifecycle_change ch;
	int rc = lifecycle_quote(c, api_account(req)->id, to, clock_now(), &ch, e);
	db_release(c);
	if (rc)
		return -1;
	http_resp_json(resp, 200, json_pack("{s:o}", "quote", quote_json(&ch)));
	return 0;
}

struct change_ctx {
	const struct principal *p;
	const char *ip;
	enum plan_id to;
	int64_t now;
	struct lifecycle_change ch;
};

static int change_tx(db_conn *c, void *vctx, struct err *e)
{
	struct change_ctx *x = vctx;
	return lifecycle_change_plan(c, x->p->account.id, x->p->user_id, x->to, x->now, x->ip, &x->ch, e);
}

int handle_subscription_post(struct http_req *req, struct http_resp *resp, struct err *e)
{
	static const char *const allowed[] = {"plan", NULL};
	char plan[16];
	json_t *body = http_req_json(req, e);
	if (!body || api_only_fields(body, allowed, e) ||
	    api_string(body, "plan", 1, plan, sizeof(plan) - 1, e))
		return -1;
	struct change_ctx x = {.p = api_principal(req), .ip = http_req_client_ip(req), .now = clock_now()};
	if (plan_arg(plan, &x.to, e) || api_transact(req, change_tx, &x, e))
		return -1;
	json_t *change = quote_json(&x.ch);
	json_object_set_new(change, "document_id",
			    x.ch.document_id[0] ? json_string(x.ch.document_id) : json_null());
	return answer_subscription(req, resp, strcmp(x.ch.kind, "subscribe") ? 200 : 201, "change", change,
				   e);
}

static int cancel_tx(db_conn *c, void *vctx, struct err *e)
{
	struct change_ctx *x = vctx;
	return lifecycle_cancel(c, x->p->account.id, x->p->user_id, x->now, x->ip, e);
}

static int resume_tx(db_conn *c, void *vctx, struct err *e)
{
	struct change_ctx *x = vctx;
	return lifecycle_resume(c, x->p->account.id, x->p->user_id, x->now, x->ip, e);
}

int handle_subscription_cancel(struct http_req *req, struct http_resp *resp, struct err *e)
{
	struct change_ctx x = {.p = api_principal(req), .ip = http_req_client_ip(req), .now = clock_now()};
	if (api_transact(req, cancel_tx, &x, e))
		return -1;
	return answer_subscription(req, resp, 200, NULL, NULL, e);
}

int handle_subscription_resume(struct http_req *req, struct http_resp *resp, struct err *e)
{
	struct change_ctx x = {.p = api_principal(req), .ip = http_req_client_ip(req), .now = clock_now()};
	if (api_transact(req, resume_tx, &x, e))
		return -1;
	return answer_subscription(req, resp, 200, NULL, NULL, e);
}

/* ---- deletion ---- */

int handle_account_deletion_get(struct http_req *req, struct http_resp *resp, struct err *e)
{
	(void)e;
	const struct account *a = api_account(req);
	int days = (lifecycle_options_get()->purge_delay_s + 86399) / 86400;
	http_resp_json(resp, 200,
		       json_pack("{s:{s:s, s:s, s:i}}", "deletion", "confirmation", DELETION_CONFIRMATION,
				 "business_name", a->name, "purge_within_days", days > 7 ? 7 : days));
	return 0;
}

static int delete_tx(db_conn *c, void *vctx, struct err *e)
{
	struct change_ctx *x = vctx;
	if (account_delete(c, x->p->account.id, "owner", x->now, e))
		return -1;
	return audit_write(c, x->p->account.id, x->p->user_id, 0, "account.delete_request", "", x->ip, NULL,
			   x->now, e);
}

int handle_account_deletion_post(struct http_req *req, struct http_resp *resp, struct err *e)
{
	static const char *const allowed[] = {"password", "confirmation", NULL};
	char pw[PASSWORD_MAX + 1], confirmation[64];
	json_t *body = http_req_json(req, e);
	if (!body || api_only_fields(body, allowed, e) ||
	    api_string(body, "password", 1, pw, sizeof(pw) - 1, e) ||
	    api_string(body, "confirmation", 1, confirmation, sizeof(confirmation) - 1, e))
		return -1;
	const struct principal *p = api_principal(req);
	if (strcmp(confirmation, DELETION_CONFIRMATION))
		return err_set(e, 400, "wrong_confirmation", "confirmation", "type %s to confirm",
			       DELETION_CONFIRMATION);
	/* a stolen session cannot guess the password quickly: the user's log-in limit counts */
	int rc = api_check_password(req, pw, "password", "the password is not right", e);
	sodium_memzero(pw, sizeof(pw));
	if (rc)
		return -1;
	struct change_ctx x = {.p = p, .ip = http_req_client_ip(req), .now = clock_now()};
	if (api_transact(req, delete_tx, &x, e))
		return -1;
	api_session_cookie(resp, SESSION_COOKIE, NULL);
	const struct account *a = &p->account;
	http_resp_json(resp, 202,
		       json_pack("{s:{s:s, s:s, s:s}}", "deletion", "state", "deleting", "requested_at",
				 api_time(req, a, x.now), "purge_by",
				 api_time(req, a, x.now + lifecycle_options_get()->purge_delay_s)));
	return 0;
}

/* ---- operator console ---- */

/* The account's documents, newest first, when billing's table is there. */
static json_t *invoices_json(struct http_req *req, db_conn *c, int64_t account_id)
{
	json_t *list = json_array();
	db_rows *r;
	struct err ignored = {0};
	if (db_query(c,
		     "SELECT public_id, COALESCE(number, ''), type, state, issued_at, total_ht, total_ttc,"
		     " amount_due_ttc FROM invoices WHERE account_id = $1 ORDER BY id DESC LIMIT 50",
		     DB_ARGS(DB_INT(account_id)), &r, &ignored))
		return list; /* billing not installed yet */
	while (db_rows_next(r, &ignored) == 1)
		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I}", "id",
						      db_rows_text(r, 0), "number", db_rows_text(r, 1),
						      "kind", db_rows_text(r, 2), "state", db_rows_text(r, 3),
						      "issued_at", api_time(req, NULL, db_rows_int(r, 4)),
						      "total_ht", (json_int_t)db_rows_int(r, 5), "total_ttc",
						      (json_int_t)db_rows_int(r, 6), "amount_due_ttc",
						      (json_int_t)db_rows_int(r, 7)));
	db_rows_free(r);
	return list;
}

static json_t *deletion_json(struct http_req *req, db_conn *c, int64_t account_id, struct err *e, int *failed)
{
	db_rows *r;
	*failed = 0;
	if (db_query(c,
		     "SELECT requested_at, origin, COALESCE(purged_at, 0), credit_left_cents FROM "
		     "account_deletions"
		     " WHERE account_id = $1",
		     DB_ARGS(DB_INT(account_id)), &r, e)) {
		*failed = 1;
		return NULL;
	}
	json_t *out = json_null();
	int rc = db_rows_next(r, e);
	if (rc == 1) {
		json_decref(out);
		out = json_pack("{s:s, s:s, s:o, s:I}", "requested_at",
				api_time(req, NULL, db_rows_int(r, 0)), "origin", db_rows_text(r, 1),
				"purged_at", time_or_null(req, NULL, db_rows_int(r, 2)), "credit_left_cents",
				(json_int_t)db_rows_int(r, 3));
	}
	db_rows_free(r);
	if (rc < 0) {
		json_decref(out);
		*failed = 1;
		return NULL;
	}
	return out;
}

int handle_ops_account_get(struct http_req *req, struct http_resp *resp, struct err *e)
{
	const char *pid = http_req_param(req, "id");
	if (!pid || strlen(pid) >= 24)
		return err_set(e, 404, "not_found", NULL, "no such account");
	db_conn *c;
	if (db_acquire(api_app(req)->db, &c, e))
		return -1;
	int64_t id = 0;
	int rc = db_query_int(c, "SELECT id FROM accounts WHERE public_id = $1", DB_ARGS(DB_TEXT(pid)), &id,
			      e);
	struct lifecycle_row r;
	if (rc == 0)
		rc = err_set(e, 404, "not_found", NULL, "no such account");
	if (rc > 0)
		rc = lifecycle_load(c, id, 0, &r, e);
	if (rc < 0) {
		db_release(c);
		return -1;
	}
	int64_t credit = -1;
	struct err ignored = {0};
	if (r.a.state != ACCOUNT_DELETED && billing_credit_left(c, id, &credit, &ignored))
		credit = -1; /* unknown */
	int failed;
	json_t *deletion = deletion_json(req, c, id, e, &failed);
	if (failed) {
		db_release(c);
		return -1;
	}
	json_t *invoices = invoices_json(req, c, id);
	db_release(c);
	const struct account *a = &r.a;
	json_t *acc = json_pack(
		"{s:s, s:s, s:s, s:s, s:s, s:s?, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "id",
		a->public_id, "name", a->name, "slug", a->slug, "plan", plan_get(a->plan)->code, "state",
		account_state_code(a->state), "state_reason", a->state_reason[0] ? a->state_reason : NULL,
		"time_zone", a->time_zone, "created_at", api_time(req, a, r.created_at), "trial_ends_at",
		time_or_null(req, a, a->trial_ends_at), "subscribed_at",
		time_or_null(req, a, r.subscribed_at), "cancel_at", time_or_null(req, a, r.cancel_at),
		"delete_at", time_or_null(req, a, r.delete_at), "next_transition", next_json(req, &r),
		"credit_left_cents", credit >= 0 ? json_integer(credit) : json_null(), "invoices", invoices,
		"deletion", deletion);
	http_resp_json(resp, 200, json_pack("{s:o}", "account", acc));
	return 0;
}
