/* tickets — support tickets in the store (see tickets.h and docs/internals/support.md). */
#include "support/tickets.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account/account.h"
#include "account/deletion.h"
#include "account/lifecycle.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/tz.h"
#include "db/files.h"
#include "jobs/jobs.h"
#include "notify/notify.h"
#include "base/banned.h"

#define K_WARN	 "support.sla_warn"
#define K_BREACH "support.sla_breach"
#define K_CLOSE	 "support.close"
#define K_PURGE	 "support.purge"

static char public_url[256] = "http://127.0.0.1:8080";

void support_configure(const char *url)
{
	if (url && *url)
		snprintf(public_url, sizeof(public_url), "%s", url);
}

static const char *const CATEGORY[] = {"question", "bug", "billing", "deletion_request"};
static const char *const STATE[] = {"new", "open", "pending_customer", "solved", "closed", "spam"};

const char *ticket_category_code(enum ticket_category c)
{
	return (unsigned)c < TICKET_CATEGORY_COUNT ? CATEGORY[c] : "question";
}

int ticket_category_parse(const char *code)
{
	for (int i = 0; code && i < TICKET_CATEGORY_COUNT; i++)
		if (!strcmp(code, CATEGORY[i]))
			return i;
	return -1;
}

const char *ticket_state_code(enum ticket_state s)
{
	return (unsigned)s < TICKET_STATE_COUNT ? STATE[s] : "new";
}

int ticket_state_parse(const char *code)
{
	for (int i = 0; code && i < TICKET_STATE_COUNT; i++)
		if (!strcmp(code, STATE[i]))
			return i;
	return -1;
}

int ticket_category_owner_only(enum ticket_category c)
{
	return c == TICKET_BILLING || c == TICKET_DELETION_REQUEST;
}

int ticket_transition_allowed(enum ticket_state from, enum ticket_state to)
{
	if (from == to || from == TICKET_CLOSED || to == TICKET_CLOSED || to == TICKET_NEW)
		return 0;
	if (from == TICKET_SPAM)
		return to == TICKET_OPEN; /* a ticket marked spam by mistake */
	return 1; /* new/open/pending/solved → open, pending customer, solved, spam */
}

const char *ticket_file_type(const void *data, size_t len)
{
	const unsigned char *b = data;
	if (!b)
		return NULL;
	if (len >= 8 && !memcmp(b, "\x89PNG\r\n\x1a\n", 8))
		return "image/png";
	if (len >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff)
		return "image/jpeg";
	if (len >= 6 && (!memcmp(b, "GIF87a", 6) || !memcmp(b, "GIF89a", 6)))
		return "image/gif";
	if (len >= 12 && !memcmp(b, "RIFF", 4) && !memcmp(b + 8, "WEBP", 4))
		return "image/webp";
	if (len >= 5 && !memcmp(b, "%PDF-", 5))
		return "application/pdf";
	return NULL;
}

/* ---- reading ---- */

static const char *const TICKET_SELECT =
	"SELECT t.id, t.account_id, t.public_id, t.category, t.subject, t.state, t.requester_user_id,"
	" COALESCE(t.opened_by_operator_id, 0), COALESCE(t.assignee_operator_id, 0), t.plan, t.target_hours,"
	" t.awaiting_since, t.due_at, t.first_due_at, t.first_response_at, t.replies_late, t.warned_due_at,"
	" t.breached_due_at, t.breached, t.solved_at, t.closed_at, t.created_at, t.updated_at, u.email, "
	"u.name,"
	" u.locale, u.role, a.public_id, a.name, a.plan, a.state, a.time_zone, COALESCE(o.public_id, ''),"
	" COALESCE(o.name, '') FROM tickets t JOIN users u ON u.account_id = t.account_id AND u.id ="
	" t.requester_user_id JOIN accounts a ON a.id = t.account_id LEFT JOIN operators o ON o.id ="
	" t.assignee_operator_id ";

#define COPY(dst, src) snprintf((dst), sizeof(dst), "%s", (src) ? (src) : "")

static void read_ticket(db_rows *r, struct ticket *t)
{
	memset(t, 0, sizeof(*t));
	t->id = db_rows_int(r, 0);
	t->account_id = db_rows_int(r, 1);
	COPY(t->public_id, db_rows_text(r, 2));
	int cat = ticket_category_parse(db_rows_text(r, 3));
	t->category = cat < 0 ? TICKET_QUESTION : (enum ticket_category)cat;
	COPY(t->subject, db_rows_text(r, 4));
	int st = ticket_state_parse(db_rows_text(r, 5));
	t->state = st < 0 ? TICKET_OPEN : (enum ticket_state)st;
	t->requester_user_id = db_rows_int(r, 6);
	t->opened_by_operator_id = db_rows_int(r, 7);
	t->assignee_operator_id = db_rows_int(r, 8);
	COPY(t->plan, db_rows_text(r, 9));
	t->clock.target_hours = (int)db_rows_int(r, 10);
	t->clock.awaiting_since = db_rows_int(r, 11);
	t->clock.due_at = db_rows_int(r, 12);
	t->clock.first_due_at = db_rows_int(r, 13);
	t->clock.first_response_at = db_rows_int(r, 14);
	t->clock.replies_late = (int)db_rows_int(r, 15);
	t->warned_due_at = db_rows_int(r, 16);
	t->breached_due_at = db_rows_int(r, 17);
	t->breached = (int)db_rows_int(r, 18);
	t->solved_at = db_rows_int(r, 19);
	t->closed_at = db_rows_int(r, 20);
	t->created_at = db_rows_int(r, 21);
	t->updated_at = db_rows_int(r, 22);
	COPY(t->requester_email, db_rows_text(r, 23));
	COPY(t->requester_name, db_rows_text(r, 24));
	COPY(t->requester_locale, db_rows_text(r, 25));
	const char *role = db_rows_text(r, 26);
	t->requester_is_owner = role && !strcmp(role, "owner");
	COPY(t->account_public_id, db_rows_text(r, 27));
	COPY(t->account_name, db_rows_text(r, 28));
	COPY(t->account_plan, db_rows_text(r, 29));
	COPY(t->account_state, db_rows_text(r, 30));
	COPY(t->account_zone, db_rows_text(r, 31));
	COPY(t->assignee_public_id, db_rows_text(r, 32));
	COPY(t->assignee_name, db_rows_text(r, 33));
}

/* Runs a ticket query (TICKET_SELECT + tail) and calls each() per row; returns the count. */
static int query_tickets(db_conn *c, const char *tail, const db_param *params, int n,
			 void (*each)(void *ctx, const struct ticket *t), void *ctx, struct err *e)
{
	char sql[2048];
	snprintf(sql, sizeof(sql), "%s%s", TICKET_SELECT, tail);
	db_rows *r;
	if (db_query(c, sql, params, n, &r, e))
		return -1;
	struct ticket *t = malloc(sizeof(*t));
	if (!t) {
		db_rows_free(r);
		return err_internal(e, "out of memory");
	}
	int count = 0, rc;
	while ((rc = db_rows_next(r, e)) == 1) {
		read_ticket(r, t);
		each(ctx, t);
		count++;
	}
	free(t);
	db_rows_free(r);
	return rc < 0 ? -1 : count;
}

struct one {
	struct ticket *out;
	int found;
};

static void keep_one(void *ctx, const struct ticket *t)
{
	struct one *o = ctx;
	*o->out = *t;
	o->found = 1;
}

static int get_where(db_conn *c, const char *where, const db_param *p, int n, int64_t lock_id,
		     struct ticket *out, struct err *e)
{
	if (lock_id && db_exec(c, "UPDATE tickets SET updated_at = updated_at WHERE id = $1",
			       DB_ARGS(DB_INT(lock_id)), e) < 0)
		return -1;
	struct one o = {out, 0};
	if (query_tickets(c, where, p, n, keep_one, &o, e) < 0)
		return -1;
	if (!o.found)
		return err_set(e, 404, "not_found", NULL, "no such ticket");
	return 0;
}

int ticket_get(db_conn *c, int64_t account_id, int64_t user_id, const char *public_id, int lock,
	       struct ticket *out, struct err *e)
{
	const char *where = "WHERE t.public_id = $1 AND ($2 = 0 OR t.account_id = $2) AND ($3 = 0 OR"
			    " t.requester_user_id = $3)";
	db_param p[] = {DB_TEXT(public_id), DB_INT(account_id), DB_INT(user_id)};
	if (get_where(c, where, p, 3, 0, out, e))
		return -1;
	if (lock)
		return get_where(c, where, p, 3, out->id, out, e);
	return 0;
}

static int reload(db_conn *c, struct ticket *t, struct err *e)
{
	return get_where(c, "WHERE t.id = $1", DB_ARGS(DB_INT(t->id)), 0, t, e);
}

int ticket_messages(db_conn *c, const struct ticket *t, int with_internal,
		    void (*each)(void *ctx, const struct ticket_message *m), void *ctx, struct err *e)
{
	db_rows *r;
	if (db_query(c,
		     "SELECT public_id, author, author_name, internal, body, created_at FROM ticket_messages"
		     " WHERE account_id = $1 AND ticket_id = $2 AND ($3 = 1 OR internal = 0) ORDER BY id",
		     DB_ARGS(DB_INT(t->account_id), DB_INT(t->id), DB_INT(with_internal ? 1 : 0)), &r, e))
		return -1;
	int rc;
	while ((rc = db_rows_next(r, e)) == 1) {
		struct ticket_message m = {0};
		COPY(m.public_id, db_rows_text(r, 0));
		const char *a = db_rows_text(r, 1);
		m.author = a && !strcmp(a, "operator") ? "operator" : "customer";
		COPY(m.author_name, db_rows_text(r, 2));
		m.internal = (int)db_rows_int(r, 3);
		m.body = db_rows_text(r, 4);
		m.created_at = db_rows_int(r, 5);
		each(ctx, &m);
	}
	db_rows_free(r);
	return rc < 0 ? -1 : 0;
}

static void read_attachment(db_rows *r, struct ticket_attachment *a)
{
	memset(a, 0, sizeof(*a));
	COPY(a->public_id, db_rows_text(r, 0));
	COPY(a->file_id, db_rows_text(r, 1));
	COPY(a->name, db_rows_text(r, 2));
	COPY(a->content_type, db_rows_text(r, 3));
	a->size = db_rows_int(r, 4);
	const char *au = db_rows_text(r, 5);
	a->author = au && !strcmp(au, "operator") ? "operator" : "customer";
	a->created_at = db_rows_int(r, 6);
}

#define ATTACH_SELECT                                                                                        \
	"SELECT public_id, file_id, name, content_type, size, author, created_at FROM ticket_attachments"    \
	" WHERE account_id = $1 AND ticket_id = $2"

int ticket_attachments(db_conn *c, const struct ticket *t,
		       void (*each)(void *ctx, const struct ticket_attachment *a), void *ctx, struct err *e)
{
	db_rows *r;
	if (db_query(c, ATTACH_SELECT " ORDER BY id", DB_ARGS(DB_INT(t->account_id), DB_INT(t->id)), &r, e))
		return -1;
	int rc;
	struct ticket_attachment a;
	while ((rc = db_rows_next(r, e)) == 1) {
		read_attachment(r, &a);
		each(ctx, &a);
	}
	db_rows_free(r);
	return rc < 0 ? -1 : 0;
}

int ticket_attachment_get(db_conn *c, const struct ticket *t, const char *public_id,
			  struct ticket_attachment *out, struct err *e)
{
	db_rows *r;
	if (db_query(c, ATTACH_SELECT " AND public_id = $3",
		     DB_ARGS(DB_INT(t->account_id), DB_INT(t->id), DB_TEXT(public_id)), &r, e))
		return -1;
	int rc = db_rows_next(r, e);
	if (rc == 1)
		read_attachment(r, out);
	db_rows_free(r);
	if (rc < 0)
		return -1;
	return rc ? 0 : err_set(e, 404, "not_found", NULL, "no such attachment");
}

int tickets_list(db_conn *c, int64_t account_id, int64_t user_id, int offset, int limit,
		 void (*each)(void *ctx, const struct ticket *t), void *ctx, struct err *e)
{
	return query_tickets(c,
			     "WHERE t.account_id = $1 AND ($2 = 0 OR t.requester_user_id = $2) AND t.state <>"
			     " 'spam' ORDER BY t.created_at DESC, t.id DESC LIMIT $3 OFFSET $4",
			     DB_ARGS(DB_INT(account_id), DB_INT(user_id), DB_INT(limit), DB_INT(offset)),
			     each, ctx, e);
}

int tickets_queue(db_conn *c, unsigned state_mask, int offset, int limit,
		  void (*each)(void *ctx, const struct ticket *t), void *ctx, struct err *e)
{
	db_param p[TICKET_STATE_COUNT + 2];
	char in[256] = "";
	size_t n = 0;
	int np = 0;
	for (int s = 0; s < TICKET_STATE_COUNT; s++)
		if (state_mask & (1u << s)) {
			p[np] = DB_TEXT(STATE[s]);
			np++;
			n += (size_t)snprintf(in + n, sizeof(in) - n, "%s$%d", n ? ", " : "", np);
		}
	if (!np)
		return 0;
	p[np] = DB_INT(limit);
	p[np + 1] = DB_INT(offset);
	char tail[512];
	snprintf(tail, sizeof(tail),
		 "WHERE t.state IN (%s) ORDER BY CASE WHEN t.due_at = 0 THEN 1 ELSE 0 END, t.due_at,"
		 " t.created_at, t.id LIMIT $%d OFFSET $%d",
		 in, np + 1, np + 2);
	return query_tickets(c, tail, p, np + 2, each, ctx, e);
}

/* ---- writing ---- */

static int save(db_conn *c, struct ticket *t, int64_t now, struct err *e)
{
	t->updated_at = now;
	if (db_exec(c,
		    "UPDATE tickets SET state = $2, assignee_operator_id = $3, awaiting_since = $4, due_at = "
		    "$5,"
		    " first_response_at = $6, replies_late = $7, solved_at = $8, closed_at = $9, updated_at "
		    "= $10"
		    " WHERE id = $1",
		    DB_ARGS(DB_INT(t->id), DB_TEXT(STATE[t->state]),
			    t->assignee_operator_id ? DB_INT(t->assignee_operator_id) : DB_NULL,
			    DB_INT(t->clock.awaiting_since), DB_INT(t->clock.due_at),
			    DB_INT(t->clock.first_response_at), DB_INT(t->clock.replies_late),
			    DB_INT(t->solved_at), DB_INT(t->closed_at), DB_INT(now)),
		    e) < 0)
		return -1;
	return 0;
}

static int enqueue(db_conn *c, const char *kind, const struct ticket *t, int64_t mark, int64_t run_at,
		   struct err *e)
{
	char key[128];
	snprintf(key, sizeof(key), "%s:%" PRId64 ":%" PRId64, kind, t->id, mark);
	json_t *payload = json_pack("{s:I, s:I}", "ticket", (json_int_t)t->id, "mark", (json_int_t)mark);
	struct job_spec s = {.kind = kind,
			     .unique_key = key,
			     .account_id = t->account_id,
			     .payload = payload,
			     .run_at = run_at};
	int rc = jobs_enqueue(c, &s, e);
	json_decref(payload);
	return rc < 0 ? -1 : 0;
}

/* The warning and breach jobs of the deadline owed now, when one is. */
static int schedule_clock(db_conn *c, const struct ticket *t, struct err *e)
{
	if (!t->clock.awaiting_since)
		return 0;
	int64_t due = t->clock.due_at;
	return enqueue(c, K_WARN, t, due, sla_warn_at(t->clock.awaiting_since, due), e) ||
	       enqueue(c, K_BREACH, t, due, due, e);
}

static int schedule_purge(db_conn *c, const struct ticket *t, struct err *e)
{
	return enqueue(c, K_PURGE, t, t->closed_at, sla_years_after(t->closed_at, SLA_RETENTION_YEARS), e);
}

static int add_message(db_conn *c, const struct ticket *t, const char *author, int64_t user_id,
		       int64_t operator_id, const char *author_name, int internal, const char *body,
		       int64_t now, int64_t *id_out, struct err *e)
{
	char pid[24];
	public_id_new("msg", pid);
	db_rows *r;
	if (db_query(c,
		     "INSERT INTO ticket_messages (account_id, ticket_id, public_id, author, user_id, "
		     "operator_id,"
		     " author_name, internal, body, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
		     "$10)"
		     " RETURNING id",
		     DB_ARGS(DB_INT(t->account_id), DB_INT(t->id), DB_TEXT(pid), DB_TEXT(author),
			     user_id ? DB_INT(user_id) : DB_NULL, operator_id ? DB_INT(operator_id) : DB_NULL,
			     DB_TEXT(author_name), DB_INT(internal ? 1 : 0), DB_TEXT(body), DB_INT(now)),
		     &r, e))
		return -1;
	int rc = db_rows_next(r, e);
	if (rc == 1 && id_out)
		*id_out = db_rows_int(r, 0);
	db_rows_free(r);
	return rc == 1 ? 0 : rc < 0 ? -1 : err_internal(e, "message not inserted");
}

static int user_name(db_conn *c, int64_t account_id, int64_t user_id, char out[128], struct err *e)
{
	db_rows *r;
	if (db_query(c, "SELECT name, email FROM users WHERE account_id = $1 AND id = $2",
		     DB_ARGS(DB_INT(account_id), DB_INT(user_id)), &r, e))
		return -1;
	int rc = db_rows_next(r, e);
	if (rc == 1) {
		const char *n = db_rows_text(r, 0);
		snprintf(out, 128, "%s", n && *n ? n : db_rows_text(r, 1));
	}
	db_rows_free(r);
	return rc < 0 ? -1 : 0;
}

static int operator_name(db_conn *c, int64_t operator_id, char out[128], struct err *e)
{
	db_rows *r;
	snprintf(out, 128, "Support Créneau");
	if (db_query(c, "SELECT name FROM operators WHERE id = $1", DB_ARGS(DB_INT(operator_id)), &r, e))
		return -1;
	int rc = db_rows_next(r, e);
	if (rc == 1 && db_rows_text(r, 0) && *db_rows_text(r, 0))
		snprintf(out, 128, "%s", db_rows_text(r, 0));
	db_rows_free(r);
	return rc < 0 ? -1 : 0;
}

/* The deadline in words, in the account's zone and the reader's language; malloc'd. */
static char *deadline_text(const char *zone, const char *locale, int64_t at)
{
	struct err ignored = {0};
	const struct tz *z = tz_get(zone && *zone ? zone : "Europe/Paris", &ignored);
	if (!z) {
		err_clear(&ignored);
		if (!(z = tz_get("Europe/Paris", &ignored)))
			return NULL;
	}
	int loc = i18n_locale_parse(locale);
	return i18n_format_datetime(loc < 0 ? I18N_DEFAULT : loc, z, at, I18N_DATETIME);
}

static int mail_requester(db_conn *c, const struct ticket *t, const char *kind, int64_t version,
			  const char *message, struct err *e)
{
	char ref[48], link[400];
	snprintf(ref, sizeof(ref), "ticket:%s", t->public_id);
	snprintf(link, sizeof(link), "%s/office/support/?ticket=%s", public_url, t->public_id);
	char *deadline = deadline_text(t->account_zone, t->requester_locale, t->clock.first_due_at);
	json_t *vars = json_pack("{s:s, s:s, s:s, s:s, s:i, s:s, s:s}", "business", t->account_name,
				 "subject", t->subject, "ticket", t->public_id, "deadline",
				 deadline ? deadline : "", "target_hours", t->clock.target_hours, "link",
				 link, "message", message ? message : "");
	free(deadline);
	struct outbox_email m = {.account_id = t->account_id,
				 .kind = kind,
				 .subject_ref = ref,
				 .version = version,
				 .to = t->requester_email,
				 .locale = t->requester_locale,
				 .vars = vars};
	int rc = outbox_email(c, &m, e);
	json_decref(vars);
	return rc < 0 ? -1 : 0;
}

int ticket_open(db_conn *c, const struct ticket_new *in, int64_t now, struct ticket *out, struct err *e)
{
	struct lifecycle_row lr;
	if (lifecycle_load(c, in->account_id, 0, &lr, e))
		return -1;
	db_rows *r;
	if (db_query(c, "SELECT role FROM users WHERE account_id = $1 AND id = $2 AND status = 'active'",
		     DB_ARGS(DB_INT(in->account_id), DB_INT(in->requester_user_id)), &r, e))
		return -1;
	int found = db_rows_next(r, e);
	int owner = found == 1 && db_rows_text(r, 0) && !strcmp(db_rows_text(r, 0), "owner");
	db_rows_free(r);
	if (found < 0)
		return -1;
	if (!found)
		return err_set(e, 404, "not_found", "requester", "no such user in this account");
	if (ticket_category_owner_only(in->category) && !owner)
		return err_set(e, 403, "forbidden", "category",
			       "only the account's owner may open this kind of ticket");

	struct err ignored = {0};
	int fast = may(&lr.a, FEAT_SUPPORT_24H, &ignored) == 0;
	struct sla_clock clk;
	sla_open(&clk, sla_target_hours(fast), now);
	const struct plan *plan = plan_get(lr.a.plan);
	char pid[24];
	public_id_new("tkt", pid);
	if (db_query(
		    c,
		    "INSERT INTO tickets (account_id, public_id, category, subject, state, requester_user_id,"
		    " opened_by_operator_id, plan, target_hours, awaiting_since, due_at, first_due_at, "
		    "created_at,"
		    " updated_at) VALUES ($1, $2, $3, $4, 'new', $5, $6, $7, $8, $9, $10, $11, $12, $12) "
		    "RETURNING id",
		    DB_ARGS(DB_INT(in->account_id), DB_TEXT(pid), DB_TEXT(CATEGORY[in->category]),
			    DB_TEXT(in->subject), DB_INT(in->requester_user_id),
			    in->opened_by_operator_id ? DB_INT(in->opened_by_operator_id) : DB_NULL,
			    DB_TEXT(plan ? plan->code : "essentiel"), DB_INT(clk.target_hours),
			    DB_INT(clk.awaiting_since), DB_INT(clk.due_at), DB_INT(clk.first_due_at),
			    DB_INT(now)),
		    &r, e))
		return -1;
	found = db_rows_next(r, e);
	int64_t id = found == 1 ? db_rows_int(r, 0) : 0;
	db_rows_free(r);
	if (found != 1)
		return found < 0 ? -1 : err_internal(e, "ticket not inserted");
	out->id = id;
	if (reload(c, out, e))
		return -1;
	char name[128] = "";
	if (user_name(c, in->account_id, in->requester_user_id, name, e) ||
	    add_message(c, out, "customer", in->requester_user_id, in->opened_by_operator_id, name, 0,
			in->message, now, NULL, e) ||
	    schedule_clock(c, out, e) || mail_requester(c, out, "ticket_ack", 0, NULL, e))
		return -1;
	log_info("msg=\"ticket opened\" ticket=%s account=%" PRId64 " target_h=%d", out->public_id,
		 out->account_id, out->clock.target_hours);
	return 0;
}

static int refuse_closed(const struct ticket *t, struct err *e)
{
	if (t->state == TICKET_CLOSED || t->state == TICKET_SPAM)
		return err_set(e, 409, "ticket_closed", NULL, "this ticket is closed: open a new one");
	return 0;
}

int ticket_customer_reply(db_conn *c, struct ticket *t, int64_t user_id, const char *body, int64_t now,
			  struct err *e)
{
	if (refuse_closed(t, e))
		return -1;
	char name[128] = "";
	if (user_name(c, t->account_id, user_id, name, e) ||
	    add_message(c, t, "customer", user_id, 0, name, 0, body, now, NULL, e))
		return -1;
	sla_apply(&t->clock, SLA_CUSTOMER_MESSAGE, now);
	if (t->state == TICKET_PENDING_CUSTOMER || t->state == TICKET_SOLVED) {
		t->state = TICKET_OPEN;
		t->solved_at = 0;
	}
	return save(c, t, now, e) || schedule_clock(c, t, e) ? -1 : 0;
}

static int close_ticket(db_conn *c, struct ticket *t, enum ticket_state to, int64_t now, struct err *e)
{
	t->state = to;
	t->closed_at = now;
	sla_apply(&t->clock, SLA_STOP, now);
	return save(c, t, now, e) || schedule_purge(c, t, e) ? -1 : 0;
}

int ticket_customer_close(db_conn *c, struct ticket *t, int64_t now, struct err *e)
{
	if (refuse_closed(t, e))
		return -1;
	return close_ticket(c, t, TICKET_CLOSED, now, e);
}

int ticket_operator_message(db_conn *c, struct ticket *t, int64_t operator_id, const char *body, int internal,
			    int64_t now, struct err *e)
{
	if (t->state == TICKET_CLOSED)
		return err_set(e, 409, "ticket_closed", NULL, "this ticket is closed");
	char name[128];
	int64_t msg_id = 0;
	if (operator_name(c, operator_id, name, e) ||
	    add_message(c, t, "operator", 0, operator_id, name, internal, body, now, &msg_id, e))
		return -1;
	if (internal)
		return save(c, t, now, e); /* a note moves nothing */
	sla_apply(&t->clock, SLA_AGENT_REPLY, now);
	if (t->state == TICKET_NEW || t->state == TICKET_OPEN)
		t->state = TICKET_PENDING_CUSTOMER;
	if (!t->assignee_operator_id)
		t->assignee_operator_id = operator_id;
	return save(c, t, now, e) || mail_requester(c, t, "ticket_reply", msg_id, body, e) ? -1 : 0;
}

int ticket_operator_update(db_conn *c, struct ticket *t, int to, int set_assignee, int64_t assignee,
			   int64_t now, struct err *e)
{
	if (set_assignee) {
		if (assignee) {
			int64_t one;
			int rc = db_query_int(c, "SELECT id FROM operators WHERE id = $1",
					      DB_ARGS(DB_INT(assignee)), &one, e);
			if (rc < 0)
				return -1;
			if (!rc)
				return err_set(e, 400, "invalid_field", "assignee", "no such operator");
		}
		t->assignee_operator_id = assignee;
		if (assignee && t->state == TICKET_NEW && to < 0)
			to = TICKET_OPEN;
	}
	if (to >= 0 && to != (int)t->state) {
		if (!ticket_transition_allowed(t->state, (enum ticket_state)to))
			return err_set(e, 409, "invalid_transition", "state",
				       "a ticket cannot go from %s to %s", STATE[t->state], STATE[to]);
		enum ticket_state from = t->state;
		if (to == TICKET_SPAM)
			return close_ticket(c, t, TICKET_SPAM, now, e);
		t->state = (enum ticket_state)to;
		if (to == TICKET_SOLVED) {
			t->solved_at = now;
			sla_apply(&t->clock, SLA_STOP, now);
			if (save(c, t, now, e))
				return -1;
			return enqueue(c, K_CLOSE, t, now, now + SLA_CLOSE_AFTER_S, e);
		}
		t->solved_at = 0;
		if (from == TICKET_SPAM) {
			t->closed_at = 0; /* back in the queue: a reply is owed again */
			sla_apply(&t->clock, SLA_CUSTOMER_MESSAGE, now);
			if (save(c, t, now, e))
				return -1;
			return schedule_clock(c, t, e);
		}
	}
	return save(c, t, now, e);
}

int ticket_execute_deletion(db_conn *c, struct ticket *t, int64_t operator_id, int64_t now, struct err *e)
{
	if (refuse_closed(t, e))
		return -1;
	if (t->category != TICKET_DELETION_REQUEST)
		return err_set(e, 409, "not_a_deletion_request", NULL,
			       "this ticket is not a deletion request");
	if (!t->requester_is_owner)
		return err_set(e, 422, "requester_not_owner", NULL,
			       "only an owner of the account may ask for its deletion");
	if (account_delete(c, t->account_id, "support", now, e))
		return -1;
	if (add_message(c, t, "operator", 0, operator_id, "Support Créneau", 1,
			"Suppression du compte exécutée (account_delete).", now, NULL, e))
		return -1;
	t->state = TICKET_SOLVED;
	t->solved_at = now;
	sla_apply(&t->clock, SLA_STOP, now);
	return save(c, t, now, e);
}

int ticket_attach(db_conn *c, struct ticket *t, const char *author, const char *name, const void *data,
		  size_t len, int64_t now, struct ticket_attachment *out, struct err *e)
{
	if (len > TICKET_ATTACH_MAX)
		return err_set(e, 400, "file_too_large", NULL, "an attachment is at most 5 MB");
	const char *type = ticket_file_type(data, len);
	if (!type)
		return err_set(e, 400, "invalid_file_type", NULL,
			       "an attachment is an image (PNG, JPEG, GIF, WebP) or a PDF");
	if (refuse_closed(t, e))
		return -1;
	int64_t count = 0;
	if (db_query_int(c,
			 "SELECT COUNT(*) FROM ticket_attachments WHERE account_id = $1 AND ticket_id = $2",
			 DB_ARGS(DB_INT(t->account_id), DB_INT(t->id)), &count, e) < 0)
		return -1;
	if (count >= TICKET_ATTACH_PER_TICKET)
		return err_set(e, 422, "too_many_attachments", NULL, "a ticket holds at most %d attachments",
			       TICKET_ATTACH_PER_TICKET);
	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "%s", name);
	snprintf(out->content_type, sizeof(out->content_type), "%s", type);
	out->size = (int64_t)len;
	out->author = !strcmp(author, "operator") ? "operator" : "customer";
	out->created_at = now;
	public_id_new("att", out->public_id);
	char fid[FILES_ID_LEN + 1];
	if (files_put(c, t->account_id, out->name, type, data, len, now, fid, e))
		return -1;
	snprintf(out->file_id, sizeof(out->file_id), "%s", fid);
	if (db_exec(c,
		    "INSERT INTO ticket_attachments (account_id, ticket_id, public_id, file_id, name, "
		    "content_type,"
		    " size, author, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
		    DB_ARGS(DB_INT(t->account_id), DB_INT(t->id), DB_TEXT(out->public_id), DB_TEXT(fid),
			    DB_TEXT(out->name), DB_TEXT(type), DB_INT(out->size), DB_TEXT(out->author),
			    DB_INT(now)),
		    e) < 0)
		return -1;
	return save(c, t, now, e);
}

/* ---- the SLA report ---- */

int tickets_sla_report(db_conn *c, int64_t from, int64_t to, int64_t now, struct sla_report_row *rows,
		       struct err *e)
{
	for (int p = 0; p < PLAN_COUNT; p++) {
		memset(&rows[p], 0, sizeof(rows[p]));
		const struct plan *pl = plan_get((enum plan_id)p);
		snprintf(rows[p].plan, sizeof(rows[p].plan), "%s", pl ? pl->code : "");
	}
	db_rows *r;
	if (db_query(c,
		     "SELECT plan, first_due_at, first_response_at, created_at FROM tickets WHERE created_at "
		     ">= $1"
		     " AND created_at < $2 AND state <> 'spam' ORDER BY plan",
		     DB_ARGS(DB_INT(from), DB_INT(to)), &r, e))
		return -1;
	size_t cap[PLAN_COUNT] = {0}, n[PLAN_COUNT] = {0};
	int64_t *times[PLAN_COUNT] = {0};
	int rc;
	while ((rc = db_rows_next(r, e)) == 1) {
		const struct plan *pl = plan_by_code(db_rows_text(r, 0));
		if (!pl)
			continue;
		struct sla_report_row *row = &rows[pl->id];
		int64_t due = db_rows_int(r, 1), first = db_rows_int(r, 2), created = db_rows_int(r, 3);
		row->tickets++;
		if (first) {
			row->answered++;
			if (first <= due)
				row->answered_in_time++;
			if (n[pl->id] == cap[pl->id]) {
				cap[pl->id] = cap[pl->id] ? cap[pl->id] * 2 : 64;
				int64_t *grown = realloc(times[pl->id], cap[pl->id] * sizeof(int64_t));
				if (!grown) {
					rc = err_internal(e, "out of memory");
					break;
				}
				times[pl->id] = grown;
			}
			times[pl->id][n[pl->id]++] = first - created;
		} else if (now > due) {
			row->late_unanswered++;
		}
	}
	db_rows_free(r);
	for (int p = 0; p < PLAN_COUNT; p++) {
		rows[p].median_s = sla_percentile(times[p], n[p], 50);
		rows[p].p90_s = sla_percentile(times[p], n[p], 90);
		free(times[p]);
	}
	return rc < 0 ? -1 : 0;
}

/* ---- jobs ---- */

struct job_ctx {
	const struct job *j;
	int64_t ticket_id, mark;
};

static int job_ticket(db_conn *c, struct job_ctx *x, struct ticket *t, struct err *e)
{
	t->id = x->ticket_id;
	if (db_exec(c, "UPDATE tickets SET updated_at = updated_at WHERE id = $1", DB_ARGS(DB_INT(t->id)),
		    e) < 0)
		return -1;
	int rc = get_where(c, "WHERE t.id = $1", DB_ARGS(DB_INT(t->id)), 0, t, e);
	if (rc && e->status == 404) {
		err_clear(e);
		return 1; /* deleted since: nothing to do */
	}
	return rc;
}

/* The addresses an SLA notice about t goes to: the operator it is assigned to, else every
 * operator. *out is malloc'd (the caller frees it); returns how many, negative on error. */
static int notice_recipients(db_conn *c, const struct ticket *t, char (**out)[256], struct err *e)
{
	db_rows *r;
	*out = NULL;
	if (t->assignee_operator_id) {
		if (db_query(c, "SELECT email FROM operators WHERE id = $1",
			     DB_ARGS(DB_INT(t->assignee_operator_id)), &r, e))
			return -1;
	} else if (db_query(c, "SELECT email FROM operators ORDER BY id", DB_NOARGS, &r, e)) {
		return -1;
	}
	char(*to)[256] = NULL;
	int n = 0, rc;
	while ((rc = db_rows_next(r, e)) == 1 && n < 1000) {
		char(*grown)[256] = realloc(to, ((size_t)n + 1) * sizeof(*to));
		if (!grown) {
			rc = err_internal(e, "out of memory");
			break;
		}
		to = grown;
		snprintf(to[n++], 256, "%s", db_rows_text(r, 0));
	}
	db_rows_free(r);
	if (rc < 0) {
		free(to);
		return -1;
	}
	*out = to;
	return n;
}

/* One e-mail per recipient about the deadline `due` of t (kind ticket_sla_warning or
 * ticket_sla_breach). The outbox key (ticket, recipient, kind, version = the deadline) makes a
 * retried job or a second run write nothing more. */
static int mail_operators(db_conn *c, const struct ticket *t, const char *kind, int64_t due, struct err *e)
{
	char(*to)[256];
	int n = notice_recipients(c, t, &to, e);
	if (n < 0)
		return -1;
	char ref[48], link[400];
	snprintf(ref, sizeof(ref), "ticket:%s", t->public_id);
	snprintf(link, sizeof(link), "%s/ops/tickets/?ticket=%s", public_url, t->public_id);
	/* operators read French: one text, the deadline in Paris time */
	char *deadline = deadline_text("Europe/Paris", "fr", due);
	json_t *vars = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s}", "business", t->account_name,
				 "subject", t->subject, "ticket", t->public_id, "plan", t->plan, "deadline",
				 deadline ? deadline : "", "target_hours", t->clock.target_hours, "link",
				 link, "assignee", t->assignee_name);
	free(deadline);
	int rc = 0;
	for (int i = 0; i < n && rc >= 0; i++) {
		struct outbox_email m = {.account_id = t->account_id,
					 .kind = kind,
					 .subject_ref = ref,
					 .version = due,
					 .to = to[i],
					 .locale = "fr",
					 .vars = vars};
		rc = outbox_email(c, &m, e);
	}
	json_decref(vars);
	free(to);
	if (rc < 0)
		return -1;
	log_info("msg=\"ticket SLA notice\" kind=%s ticket=%s due=%" PRId64 " operators=%d", kind,
		 t->public_id, due, n);
	return 0;
}

static int warn_tx(db_conn *c, void *ctx, struct err *e)
{
	struct job_ctx *x = ctx;
	struct ticket t;
	int rc = job_ticket(c, x, &t, e);
	if (rc)
		return rc < 0 ? -1 : 0;
	if (!t.clock.awaiting_since || t.clock.due_at != x->mark || t.warned_due_at == x->mark)
		return 0;
	if (db_exec(c, "UPDATE tickets SET warned_due_at = $2 WHERE id = $1",
		    DB_ARGS(DB_INT(t.id), DB_INT(x->mark)), e) < 0)
		return -1;
	return mail_operators(c, &t, "ticket_sla_warning", x->mark, e);
}

static int breach_tx(db_conn *c, void *ctx, struct err *e)
{
	struct job_ctx *x = ctx;
	struct ticket t;
	int rc = job_ticket(c, x, &t, e);
	if (rc)
		return rc < 0 ? -1 : 0;
	if (!t.clock.awaiting_since || t.clock.due_at != x->mark || t.breached_due_at == x->mark)
		return 0;
	log_warn("msg=\"ticket SLA breached\" ticket=%s due=%" PRId64, t.public_id, x->mark);
	if (db_exec(c, "UPDATE tickets SET breached = 1, breached_due_at = $2 WHERE id = $1",
		    DB_ARGS(DB_INT(t.id), DB_INT(x->mark)), e) < 0)
		return -1;
	return mail_operators(c, &t, "ticket_sla_breach", x->mark, e);
}

static int close_tx(db_conn *c, void *ctx, struct err *e)
{
	struct job_ctx *x = ctx;
	struct ticket t;
	int rc = job_ticket(c, x, &t, e);
	if (rc)
		return rc < 0 ? -1 : 0;
	if (t.state != TICKET_SOLVED || t.solved_at != x->mark)
		return 0;
	return close_ticket(c, &t, TICKET_CLOSED, x->j->run_at, e);
}

static int purge_tx(db_conn *c, void *ctx, struct err *e)
{
	struct job_ctx *x = ctx;
	struct ticket t;
	int rc = job_ticket(c, x, &t, e);
	if (rc)
		return rc < 0 ? -1 : 0;
	if ((t.state != TICKET_CLOSED && t.state != TICKET_SPAM) || t.closed_at != x->mark)
		return 0;
	db_rows *r;
	if (db_query(c, "SELECT file_id FROM ticket_attachments WHERE account_id = $1 AND ticket_id = $2",
		     DB_ARGS(DB_INT(t.account_id), DB_INT(t.id)), &r, e))
		return -1;
	char(*ids)[40] = NULL;
	size_t n = 0;
	while ((rc = db_rows_next(r, e)) == 1 && n < TICKET_ATTACH_PER_TICKET * 2) {
		char(*grown)[40] = realloc(ids, (n + 1) * sizeof(*ids));
		if (!grown) {
			rc = err_internal(e, "out of memory");
			break;
		}
		ids = grown;
		snprintf(ids[n++], 40, "%s", db_rows_text(r, 0));
	}
	db_rows_free(r);
	for (size_t i = 0; i < n && rc >= 0; i++)
		if (files_delete(c, t.account_id, ids[i], e) && e->status != 404)
			rc = -1;
		else
			err_clear(e);
	free(ids);
	if (rc < 0)
		return -1;
	const db_param *p = (const db_param[]){DB_INT(t.account_id), DB_INT(t.id)};
	if (db_exec(c, "DELETE FROM ticket_attachments WHERE account_id = $1 AND ticket_id = $2", p, 2, e) <
		    0 ||
	    db_exec(c, "DELETE FROM ticket_messages WHERE account_id = $1 AND ticket_id = $2", p, 2, e) < 0 ||
	    db_exec(c, "DELETE FROM tickets WHERE account_id = $1 AND id = $2", p, 2, e) < 0)
		return -1;
	log_info("msg=\"ticket deleted after retention\" ticket=%s", t.public_id);
	return 0;
}

static enum job_result run(db *d, const struct job *j, int (*fn)(db_conn *, void *, struct err *),
			   struct err *e)
{
	struct job_ctx x = {.j = j,
			    .ticket_id = json_integer_value(json_object_get(j->payload, "ticket")),
			    .mark = json_integer_value(json_object_get(j->payload, "mark"))};
	if (!x.ticket_id) {
		err_internal(e, "support job without a ticket");
		return JOB_FAILED;
	}
	return db_transact(d, fn, &x, e) ? JOB_RETRY : JOB_DONE;
}

static enum job_result warn_job(db *d, const struct job *j, struct err *e)
{
	return run(d, j, warn_tx, e);
}

static enum job_result breach_job(db *d, const struct job *j, struct err *e)
{
	return run(d, j, breach_tx, e);
}

static enum job_result close_job(db *d, const struct job *j, struct err *e)
{
	return run(d, j, close_tx, e);
}

static enum job_result purge_job(db *d, const struct job *j, struct err *e)
{
	return run(d, j, purge_tx, e);
}

void support_register(void)
{
	jobs_register(K_WARN, warn_job, 0);
	jobs_register(K_BREACH, breach_job, 0);
	jobs_register(K_CLOSE, close_job, 0);
	jobs_register(K_PURGE, purge_job, 0);
}
