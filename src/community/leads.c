/* Leads of the contact form, and operators' replies through the outbox (leads.h). */
#include "community/leads.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "account/account.h"
#include "notify/notify.h"
#include "base/banned.h"

int leads_create(db_conn *c, const struct lead_input *in, int64_t now, char out[24], struct err *e)
{
	public_id_new("led", out);
	int rc = db_exec(c,
			 "INSERT INTO leads (public_id, name, email, company, phone, message, ip, status,"
			 " created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'new', $8, $8)",
			 DB_ARGS(DB_TEXT(out), DB_TEXT(in->name), DB_TEXT(in->email), DB_TEXT(in->company),
				 DB_TEXT(in->phone), DB_TEXT(in->message), DB_TEXT(in->ip ? in->ip : ""),
				 DB_INT(now)),
			 e);
	return rc < 0 ? -1 : 0;
}

#define LEAD_COLS                                                                                            \
	"l.id, l.public_id, l.name, l.email, l.company, l.phone, l.message, l.status, l.created_at,"         \
	" l.updated_at, (SELECT count(*) FROM lead_replies r WHERE r.lead_id = l.id)"

static void read_lead(db_rows *rows, struct lead_row *r)
{
	r->id = db_rows_int(rows, 0);
	r->public_id = db_rows_text(rows, 1);
	r->name = db_rows_text(rows, 2);
	r->email = db_rows_text(rows, 3);
	r->company = db_rows_text(rows, 4);
	r->phone = db_rows_text(rows, 5);
	r->message = db_rows_text(rows, 6);
	r->status = db_rows_text(rows, 7);
	r->created_at = db_rows_int(rows, 8);
	r->updated_at = db_rows_int(rows, 9);
	r->replies = db_rows_int(rows, 10);
}

static int walk(db_rows *rows, void (*fn)(void *ctx, const struct lead_row *r), void *ctx, struct err *e)
{
	int n = 0, rc;
	while ((rc = db_rows_next(rows, e)) == 1) {
		struct lead_row r;
		read_lead(rows, &r);
		fn(ctx, &r);
		n++;
	}
	db_rows_free(rows);
	return rc < 0 ? -1 : n;
}

int leads_list(db_conn *c, const char *status, int64_t offset, int64_t limit,
	       void (*fn)(void *ctx, const struct lead_row *r), void *ctx, struct err *e)
{
	db_rows *rows;
	if (limit <= 0 || limit > LEAD_LIST_MAX)
		limit = LEAD_LIST_MAX;
	if (db_query(c,
		     "SELECT " LEAD_COLS " FROM leads l WHERE ($1 = '' OR l.status = $1)"
		     " ORDER BY l.created_at DESC, l.id DESC LIMIT $2 OFFSET $3",
		     DB_ARGS(DB_TEXT(status ? status : ""), DB_INT(limit), DB_INT(offset)), &rows, e))
		return -1;
	return walk(rows, fn, ctx, e);
}

int leads_get(db_conn *c, const char *public_id, void (*fn)(void *ctx, const struct lead_row *r), void *ctx,
	      struct err *e)
{
	db_rows *rows;
	if (db_query(c, "SELECT " LEAD_COLS " FROM leads l WHERE l.public_id = $1",
		     DB_ARGS(DB_TEXT(public_id)), &rows, e))
		return -1;
	return walk(rows, fn, ctx, e);
}

int leads_replies(db_conn *c, int64_t lead_id, void (*fn)(void *ctx, const struct lead_reply_row *r),
		  void *ctx, struct err *e)
{
	db_rows *rows;
	if (db_query(c,
		     "SELECT r.body, COALESCE(o.name, ''), r.created_at FROM lead_replies r"
		     " LEFT JOIN operators o ON o.id = r.operator_id WHERE r.lead_id = $1 ORDER BY r.id",
		     DB_ARGS(DB_INT(lead_id)), &rows, e))
		return -1;
	int rc;
	while ((rc = db_rows_next(rows, e)) == 1) {
		struct lead_reply_row r = {db_rows_text(rows, 0), db_rows_text(rows, 1),
					   db_rows_int(rows, 2)};
		fn(ctx, &r);
	}
	db_rows_free(rows);
	return rc < 0 ? -1 : 0;
}

int leads_reply(db_conn *c, const char *public_id, int64_t operator_id, const char *body, const char *locale,
		int64_t now, struct err *e)
{
	db_rows *rows;
	if (db_query(c, "SELECT id, email, name FROM leads WHERE public_id = $1", DB_ARGS(DB_TEXT(public_id)),
		     &rows, e))
		return -1;
	int rc = db_rows_next(rows, e);
	if (rc <= 0) {
		db_rows_free(rows);
		return rc < 0 ? -1 : err_set(e, 404, "not_found", NULL, "no such lead");
	}
	int64_t id = db_rows_int(rows, 0);
	char email[256], name[LEAD_NAME_MAX + 1];
	snprintf(email, sizeof(email), "%s", db_rows_text(rows, 1));
	snprintf(name, sizeof(name), "%s", db_rows_text(rows, 2));
	db_rows_free(rows);
	int64_t reply_no = 0;
	if (db_query_int(c, "SELECT count(*) FROM lead_replies WHERE lead_id = $1", DB_ARGS(DB_INT(id)),
			 &reply_no, e) < 0)
		return -1;
	if (db_exec(c,
		    "INSERT INTO lead_replies (lead_id, operator_id, body, created_at) VALUES ($1, $2, $3, "
		    "$4)",
		    DB_ARGS(DB_INT(id), operator_id ? DB_INT(operator_id) : DB_NULL, DB_TEXT(body),
			    DB_INT(now)),
		    e) < 0 ||
	    db_exec(c, "UPDATE leads SET status = 'answered', updated_at = $2 WHERE id = $1",
		    DB_ARGS(DB_INT(id), DB_INT(now)), e) < 0)
		return -1;
	char ref[64];
	snprintf(ref, sizeof(ref), "lead:%lld", (long long)id);
	json_t *vars = json_pack("{s:s, s:s}", "name", name, "message", body);
	struct outbox_email m = {.kind = "lead_reply",
				 .subject_ref = ref,
				 .version = reply_no + 1,
				 .to = email,
				 .locale = locale,
				 .vars = vars};
	rc = outbox_email(c, &m, e);
	json_decref(vars);
	return rc < 0 ? -1 : 0;
}

int leads_set_status(db_conn *c, const char *public_id, const char *status, int64_t now, struct err *e)
{
	if (strcmp(status, "new") && strcmp(status, "answered") && strcmp(status, "closed"))
		return err_invalid(e, "status", "status must be new, answered or closed");
	int rc = db_exec(c, "UPDATE leads SET status = $2, updated_at = $3 WHERE public_id = $1",
			 DB_ARGS(DB_TEXT(public_id), DB_TEXT(status), DB_INT(now)), e);
	if (rc < 0)
		return -1;
	return rc == 0 ? err_set(e, 404, "not_found", NULL, "no such lead") : 0;
}
