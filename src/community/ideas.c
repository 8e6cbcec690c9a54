/* Improvement requests, votes, comments, subscriptions and the hourly digest (ideas.h). */
#include "community/ideas.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account/account.h"
#include "base/log.h"
#include "base/token.h"
#include "jobs/jobs.h"
#include "notify/notify.h"
#include "base/banned.h"

/* ---- pure rules ---- */

static const char *const status_codes[IDEA_STATUS_COUNT] = {
	"under_review", "open", "planned", "started", "completed", "declined", "duplicate",
};
static const char *const labels_fr[IDEA_STATUS_COUNT] = {
	"en cours d'examen",
	"ouverte aux votes",
	"planifiée",
	"en cours de réalisation",
	"réalisée",
	"refusée",
	"fusionnée avec une autre demande",
};
static const char *const labels_en[IDEA_STATUS_COUNT] = {
	"under review",
	"open for votes",
	"planned",
	"in progress",
	"completed",
	"declined",
	"merged into another request",
};

const char *idea_status_code(enum idea_status s)
{
	return (int)s >= 0 && s < IDEA_STATUS_COUNT ? status_codes[s] : "unknown";
}

int idea_status_parse(const char *code)
{
	for (int i = 0; code && i < IDEA_STATUS_COUNT; i++)
		if (!strcmp(code, status_codes[i]))
			return i;
	return -1;
}

const char *idea_status_label(enum idea_status s, const char *locale)
{
	if ((int)s < 0 || s >= IDEA_STATUS_COUNT)
		return "?";
	return locale && !strcmp(locale, "en") ? labels_en[s] : labels_fr[s];
}

int idea_voting_open(enum idea_status s)
{
	return s == IDEA_OPEN || s == IDEA_PLANNED || s == IDEA_STARTED;
}

int idea_needs_response(enum idea_status s)
{
	return s == IDEA_PLANNED || s == IDEA_STARTED || s == IDEA_COMPLETED || s == IDEA_DECLINED;
}

int idea_transition_ok(enum idea_status from, enum idea_status to)
{
	if (from == to || to == IDEA_DUPLICATE || to == IDEA_UNDER_REVIEW)
		return 0;
	switch (from) {
	case IDEA_UNDER_REVIEW:
		return to == IDEA_OPEN || to == IDEA_DECLINED;
	case IDEA_OPEN:
	case IDEA_PLANNED:
	case IDEA_STARTED:
		return 1; /* forward, back to open/planned, or closed */
	default:
		return 0; /* completed, declined, duplicate are final */
	}
}

void idea_first_name(const char *full_name, char out[IDEA_FIRST_NAME_MAX + 1])
{
	const char *s = full_name ? full_name : "";
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strcspn(s, " \t");
	if (n > IDEA_FIRST_NAME_MAX) {
		n = IDEA_FIRST_NAME_MAX;
		while (n && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--; /* never cut a UTF-8 sequence */
	}
	memcpy(out, s, n);
	out[n] = '\0';
}

/* ---- reading ---- */

#define IDEA_COLS                                                                                            \
	"i.id, i.public_id, COALESCE(i.account_id, 0), COALESCE(i.user_id, 0), i.author_first_name,"         \
	" i.author_business_type, COALESCE(a.name, ''), i.title, i.body, i.response, i.status,"              \
	" m.public_id,"                                                                                      \
	" (SELECT count(*) FROM idea_votes v WHERE v.idea_id = i.id) AS nvotes,"                             \
	" (SELECT count(*) FROM idea_comments k WHERE k.idea_id = i.id),"                                    \
	" CASE WHEN EXISTS (SELECT 1 FROM idea_votes v WHERE v.idea_id = i.id AND v.user_id = $1)"           \
	" THEN 1 ELSE 0 END,"                                                                                \
	" CASE WHEN EXISTS (SELECT 1 FROM idea_subscriptions s WHERE s.idea_id = i.id AND s.user_id = $1"    \
	" AND s.active = 1) THEN 1 ELSE 0 END,"                                                              \
	" COALESCE(i.published_at, 0), i.created_at, i.updated_at"                                           \
	" FROM ideas i LEFT JOIN accounts a ON a.id = i.account_id LEFT JOIN ideas m ON m.id = "             \
	"i.merged_into"

static void read_idea(db_rows *rows, int operator_view, struct idea_row *r)
{
	r->id = db_rows_int(rows, 0);
	r->public_id = db_rows_text(rows, 1);
	r->account_id = db_rows_int(rows, 2);
	r->user_id = db_rows_int(rows, 3);
	r->first_name = db_rows_text(rows, 4);
	r->business_type = db_rows_text(rows, 5);
	r->account_name = operator_view ? db_rows_text(rows, 6) : "";
	r->title = db_rows_text(rows, 7);
	r->body = db_rows_text(rows, 8);
	r->response = db_rows_text(rows, 9);
	int st = idea_status_parse(db_rows_text(rows, 10));
	r->status = st < 0 ? IDEA_UNDER_REVIEW : (enum idea_status)st;
	r->merged_into = db_rows_text(rows, 11);
	r->votes = db_rows_int(rows, 12);
	r->comments = db_rows_int(rows, 13);
	r->voted = (int)db_rows_int(rows, 14);
	r->subscribed = (int)db_rows_int(rows, 15);
	r->published_at = db_rows_int(rows, 16);
	r->created_at = db_rows_int(rows, 17);
	r->updated_at = db_rows_int(rows, 18);
}

static int walk_ideas(db_rows *rows, int operator_view, void (*fn)(void *ctx, const struct idea_row *r),
		      void *ctx, struct err *e)
{
	int n = 0, rc;
	while ((rc = db_rows_next(rows, e)) == 1) {
		struct idea_row r;
		read_idea(rows, operator_view, &r);
		fn(ctx, &r);
		n++;
	}
	db_rows_free(rows);
	return rc < 0 ? -1 : n;
}

int ideas_list(db_conn *c, const struct idea_query *q, void (*fn)(void *ctx, const struct idea_row *r),
	       void *ctx, struct err *e)
{
	const char *who = q->viewer_user_id == 0 ? "1 = 1"
			  : q->mine		 ? "i.user_id = $1"
						 : "i.published_at IS NOT NULL AND i.status <> 'duplicate'";
	const char *order = q->by_votes ? "nvotes DESC, i.id DESC" : "i.created_at DESC, i.id DESC";
	char sql[2048], pattern[IDEA_SEARCH_MAX * 2 + 4] = "";
	if (q->search && *q->search)
		db_like_pattern(q->search, pattern, sizeof(pattern));
	snprintf(sql, sizeof(sql),
		 "SELECT " IDEA_COLS " WHERE %s AND ($2 = '' OR lower(i.title) LIKE $2 ESCAPE '\\'"
		 " OR lower(i.body) LIKE $2 ESCAPE '\\') AND ($3 = '' OR i.status = $3)"
		 " ORDER BY %s LIMIT $4 OFFSET $5",
		 who, order);
	int64_t limit = q->limit <= 0 || q->limit > IDEA_LIST_MAX ? IDEA_LIST_MAX : q->limit;
	db_rows *rows;
	if (db_query(c, sql,
		     DB_ARGS(DB_INT(q->viewer_user_id), DB_TEXT(pattern),
			     DB_TEXT(q->status >= 0 ? idea_status_code((enum idea_status)q->status) : ""),
			     DB_INT(limit), DB_INT(q->offset < 0 ? 0 : q->offset)),
		     &rows, e))
		return -1;
	return walk_ideas(rows, q->viewer_user_id == 0, fn, ctx, e);
}

int ideas_get(db_conn *c, const char *public_id, int64_t viewer_user_id,
	      void (*fn)(void *ctx, const struct idea_row *r), void *ctx, struct err *e)
{
	db_rows *rows;
	if (db_query(c,
		     "SELECT " IDEA_COLS " WHERE i.public_id = $2 AND ($1 = 0 OR i.user_id = $1"
		     " OR i.published_at IS NOT NULL)",
		     DB_ARGS(DB_INT(viewer_user_id), DB_TEXT(public_id)), &rows, e))
		return -1;
	return walk_ideas(rows, viewer_user_id == 0, fn, ctx, e);
}

int ideas_comments(db_conn *c, int64_t idea_id, int64_t viewer_user_id,
		   void (*fn)(void *ctx, const struct idea_comment_row *r), void *ctx, struct err *e)
{
	db_rows *rows;
	if (db_query(c,
		     "SELECT public_id, author_first_name, author_business_type, body,"
		     " CASE WHEN user_id = $2 THEN 1 ELSE 0 END, created_at FROM idea_comments"
		     " WHERE idea_id = $1 ORDER BY id LIMIT 500",
		     DB_ARGS(DB_INT(idea_id), DB_INT(viewer_user_id)), &rows, e))
		return -1;
	int rc;
	while ((rc = db_rows_next(rows, e)) == 1) {
		struct idea_comment_row r = {db_rows_text(rows, 0),	db_rows_text(rows, 1),
					     db_rows_text(rows, 2),	db_rows_text(rows, 3),
					     (int)db_rows_int(rows, 4), db_rows_int(rows, 5)};
		fn(ctx, &r);
	}
	db_rows_free(rows);
	return rc < 0 ? -1 : 0;
}

/* ---- writing ---- */

/* The request as the viewer may act on it: 1 found, else 404 (also another user's
 * unpublished request, which must not be told apart from a missing one). */
struct found {
	int64_t id, user_id;
	enum idea_status status;
	int published;
	char title[IDEA_TITLE_MAX + 1];
};

static int find(db_conn *c, const char *public_id, int64_t viewer, struct found *f, struct err *e)
{
	db_rows *rows;
	if (db_query(c,
		     "SELECT id, COALESCE(user_id, 0), status, CASE WHEN published_at IS NULL THEN 0 ELSE 1 "
		     "END,"
		     " title FROM ideas WHERE public_id = $1",
		     DB_ARGS(DB_TEXT(public_id)), &rows, e))
		return -1;
	int rc = db_rows_next(rows, e);
	if (rc == 1) {
		f->id = db_rows_int(rows, 0);
		f->user_id = db_rows_int(rows, 1);
		int st = idea_status_parse(db_rows_text(rows, 2));
		f->status = st < 0 ? IDEA_UNDER_REVIEW : (enum idea_status)st;
		f->published = (int)db_rows_int(rows, 3);
		snprintf(f->title, sizeof(f->title), "%s", db_rows_text(rows, 4));
	}
	db_rows_free(rows);
	if (rc < 0)
		return -1;
	if (rc == 0 || (viewer && !f->published && f->user_id != viewer))
		return err_set(e, 404, "not_found", NULL, "no such request");
	return 0;
}

/* Subscribes a participant unless a row exists (an unsubscribed user stays so). */
static int auto_subscribe(db_conn *c, int64_t idea_id, int64_t user_id, int64_t now, struct err *e)
{
	return db_exec(c,
		       "INSERT INTO idea_subscriptions (idea_id, user_id, active, created_at, updated_at)"
		       " VALUES ($1, $2, 1, $3, $3) ON CONFLICT (idea_id, user_id) DO NOTHING",
		       DB_ARGS(DB_INT(idea_id), DB_INT(user_id), DB_INT(now)), e) < 0
		       ? -1
		       : 0;
}

/* The author as the community sees them. */
static int author_of(db_conn *c, int64_t user_id, char first[IDEA_FIRST_NAME_MAX + 1], char btype[32],
		     struct err *e)
{
	db_rows *rows;
	first[0] = btype[0] = '\0';
	if (db_query(c,
		     "SELECT u.name, a.business_type FROM users u JOIN accounts a ON a.id = u.account_id"
		     " WHERE u.id = $1",
		     DB_ARGS(DB_INT(user_id)), &rows, e))
		return -1;
	int rc = db_rows_next(rows, e);
	if (rc == 1) {
		idea_first_name(db_rows_text(rows, 0), first);
		snprintf(btype, 32, "%s", db_rows_text(rows, 1));
	}
	db_rows_free(rows);
	return rc < 0 ? -1 : 0;
}

int ideas_create(db_conn *c, int64_t account_id, int64_t user_id, const char *title, const char *body,
		 int64_t now, char out[24], struct err *e)
{
	char first[IDEA_FIRST_NAME_MAX + 1], btype[32];
	if (author_of(c, user_id, first, btype, e))
		return -1;
	public_id_new("ida", out);
	if (db_exec(c,
		    "INSERT INTO ideas (public_id, account_id, user_id, author_first_name, "
		    "author_business_type,"
		    " title, body, status, created_at, updated_at)"
		    " VALUES ($1, $2, $3, $4, $5, $6, $7, 'under_review', $8, $8)",
		    DB_ARGS(DB_TEXT(out), DB_INT(account_id), DB_INT(user_id), DB_TEXT(first), DB_TEXT(btype),
			    DB_TEXT(title), DB_TEXT(body), DB_INT(now)),
		    e) < 0)
		return -1;
	int64_t id;
	if (db_query_int(c, "SELECT id FROM ideas WHERE public_id = $1", DB_ARGS(DB_TEXT(out)), &id, e) != 1)
		return err_isset(e) ? -1 : err_internal(e, "the new request vanished");
	return auto_subscribe(c, id, user_id, now, e);
}

int ideas_vote(db_conn *c, const char *public_id, int64_t user_id, int64_t now, struct err *e)
{
	struct found f;
	if (find(c, public_id, user_id, &f, e))
		return -1;
	if (!idea_voting_open(f.status))
		return err_set(e, 409, "voting_closed", NULL, "votes are closed on a request that is %s",
			       idea_status_code(f.status));
	int64_t had = 0;
	if (db_query_int(c, "SELECT count(*) FROM idea_votes WHERE idea_id = $1 AND user_id = $2",
			 DB_ARGS(DB_INT(f.id), DB_INT(user_id)), &had, e) < 0)
		return -1;
	if (had)
		return err_set(e, 409, "already_voted", NULL, "you already voted for this request");
	int rc = db_exec(c, "INSERT INTO idea_votes (idea_id, user_id, created_at) VALUES ($1, $2, $3)",
			 DB_ARGS(DB_INT(f.id), DB_INT(user_id), DB_INT(now)), e);
	if (rc == DB_CONFLICT)
		return err_set(e, 409, "already_voted", NULL, "you already voted for this request");
	if (rc < 0)
		return -1;
	return auto_subscribe(c, f.id, user_id, now, e);
}

int ideas_unvote(db_conn *c, const char *public_id, int64_t user_id, struct err *e)
{
	struct found f;
	if (find(c, public_id, user_id, &f, e))
		return -1;
	if (!idea_voting_open(f.status))
		return err_set(e, 409, "voting_closed", NULL, "votes are frozen on a request that is %s",
			       idea_status_code(f.status));
	int rc = db_exec(c, "DELETE FROM idea_votes WHERE idea_id = $1 AND user_id = $2",
			 DB_ARGS(DB_INT(f.id), DB_INT(user_id)), e);
	if (rc < 0)
		return -1;
	return rc == 0 ? err_set(e, 404, "not_found", NULL, "you have no vote on this request") : 0;
}

int ideas_comment(db_conn *c, const char *public_id, int64_t user_id, const char *body, int64_t now,
		  char out[24], struct err *e)
{
	struct found f;
	if (find(c, public_id, user_id, &f, e))
		return -1;
	if (f.status == IDEA_DUPLICATE)
		return err_set(e, 409, "comments_closed", NULL,
			       "this request was merged: comment on the other one");
	char first[IDEA_FIRST_NAME_MAX + 1], btype[32];
	if (author_of(c, user_id, first, btype, e))
		return -1;
	public_id_new("cmt", out);
	if (db_exec(c,
		    "INSERT INTO idea_comments (public_id, idea_id, user_id, author_first_name,"
		    " author_business_type, body, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
		    DB_ARGS(DB_TEXT(out), DB_INT(f.id), DB_INT(user_id), DB_TEXT(first), DB_TEXT(btype),
			    DB_TEXT(body), DB_INT(now)),
		    e) < 0)
		return -1;
	return auto_subscribe(c, f.id, user_id, now, e);
}

int ideas_subscribe(db_conn *c, const char *public_id, int64_t user_id, int on, int64_t now, struct err *e)
{
	struct found f;
	if (find(c, public_id, user_id, &f, e))
		return -1;
	return db_exec(c,
		       "INSERT INTO idea_subscriptions (idea_id, user_id, active, created_at, updated_at)"
		       " VALUES ($1, $2, $3, $4, $4) ON CONFLICT (idea_id, user_id)"
		       " DO UPDATE SET active = excluded.active, updated_at = excluded.updated_at",
		       DB_ARGS(DB_INT(f.id), DB_INT(user_id), DB_INT(on ? 1 : 0), DB_INT(now)), e) < 0
		       ? -1
		       : 0;
}

/* The digest job of one slot (IDEAS_DIGEST_PERIOD_S long); its unique key makes a second
 * enqueue of the same slot a no-op. */
static int enqueue_digest(db_conn *c, int64_t slot, const char *public_url, struct err *e)
{
	char key[64];
	snprintf(key, sizeof(key), IDEAS_DIGEST_KIND ":%lld", (long long)slot);
	json_t *payload = json_pack("{s:s}", "public_url", public_url ? public_url : "");
	struct job_spec js = {.kind = IDEAS_DIGEST_KIND,
			      .unique_key = key,
			      .payload = payload,
			      .run_at = slot * IDEAS_DIGEST_PERIOD_S};
	int rc = jobs_enqueue(c, &js, e);
	json_decref(payload);
	return rc < 0 ? -1 : 0;
}

/* A notice for every active subscriber of idea_id, and the digest of the next hour. */
static int notify_subscribers(db_conn *c, int64_t idea_id, enum idea_status s, int64_t now,
			      const char *public_url, struct err *e)
{
	int n = db_exec(c,
			"INSERT INTO idea_notices (idea_id, user_id, status, created_at)"
			" SELECT s.idea_id, s.user_id, $2, $3 FROM idea_subscriptions s"
			" JOIN users u ON u.id = s.user_id"
			" WHERE s.idea_id = $1 AND s.active = 1 AND u.status = 'active'",
			DB_ARGS(DB_INT(idea_id), DB_TEXT(idea_status_code(s)), DB_INT(now)), e);
	if (n < 0)
		return -1;
	return n == 0 ? 0 : enqueue_digest(c, now / IDEAS_DIGEST_PERIOD_S + 1, public_url, e);
}

int ideas_set_status(db_conn *c, const char *public_id, enum idea_status to, const char *response,
		     int64_t now, const char *public_url, struct err *e)
{
	struct found f;
	if (find(c, public_id, 0, &f, e))
		return -1;
	if ((int)to < 0 || to >= IDEA_STATUS_COUNT)
		return err_invalid(e, "status", "unknown status");
	if (!idea_transition_ok(f.status, to))
		return err_set(e, 409, "invalid_transition", "status",
			       "a request that is %s cannot become %s", idea_status_code(f.status),
			       idea_status_code(to));
	if (idea_needs_response(to) && (!response || !*response))
		return err_set(e, 400, "missing_field", "response",
			       "a request that becomes %s needs a response", idea_status_code(to));
	if (db_exec(c,
		    "UPDATE ideas SET status = $2, response = CASE WHEN $3 = '' THEN response ELSE $3 END,"
		    " published_at = CASE WHEN $2 = 'open' AND published_at IS NULL THEN $4"
		    " ELSE published_at END, updated_at = $4 WHERE id = $1",
		    DB_ARGS(DB_INT(f.id), DB_TEXT(idea_status_code(to)), DB_TEXT(response ? response : ""),
			    DB_INT(now)),
		    e) < 0)
		return -1;
	return notify_subscribers(c, f.id, to, now, public_url, e);
}

int ideas_merge(db_conn *c, const char *from, const char *into, const char *response, int64_t now,
		const char *public_url, struct err *e)
{
	struct found src, dst;
	if (find(c, from, 0, &src, e))
		return -1;
	if (find(c, into, 0, &dst, e)) {
		if (e->status == 404)
			snprintf(e->field, sizeof(e->field), "into");
		return -1;
	}
	if (src.id == dst.id)
		return err_set(e, 409, "invalid_transition", "into",
			       "a request cannot be merged into itself");
	if (!(src.status == IDEA_UNDER_REVIEW || idea_voting_open(src.status)))
		return err_set(e, 409, "invalid_transition", NULL, "a request that is %s cannot be merged",
			       idea_status_code(src.status));
	if (!dst.published || !idea_voting_open(dst.status))
		return err_set(e, 409, "invalid_transition", "into",
			       "requests are merged into a published one that is open, planned or started");
	if (db_exec(c,
		    "UPDATE ideas SET status = 'duplicate', merged_into = $2,"
		    " response = CASE WHEN $3 = '' THEN response ELSE $3 END, updated_at = $4 WHERE id = $1",
		    DB_ARGS(DB_INT(src.id), DB_INT(dst.id), DB_TEXT(response ? response : ""), DB_INT(now)),
		    e) < 0 ||
	    notify_subscribers(c, src.id, IDEA_DUPLICATE, now, public_url, e))
		return -1;
	/* votes and subscriptions move; a user already on the surviving request keeps one */
	if (db_exec(c,
		    "INSERT INTO idea_votes (idea_id, user_id, created_at)"
		    " SELECT $2, v.user_id, v.created_at FROM idea_votes v WHERE v.idea_id = $1"
		    " AND NOT EXISTS (SELECT 1 FROM idea_votes w WHERE w.idea_id = $2 AND w.user_id = "
		    "v.user_id)",
		    DB_ARGS(DB_INT(src.id), DB_INT(dst.id)), e) < 0 ||
	    db_exec(c, "DELETE FROM idea_votes WHERE idea_id = $1", DB_ARGS(DB_INT(src.id)), e) < 0 ||
	    db_exec(c,
		    "INSERT INTO idea_subscriptions (idea_id, user_id, active, created_at, updated_at)"
		    " SELECT $2, s.user_id, s.active, s.created_at, $3 FROM idea_subscriptions s"
		    " WHERE s.idea_id = $1 AND NOT EXISTS (SELECT 1 FROM idea_subscriptions t"
		    " WHERE t.idea_id = $2 AND t.user_id = s.user_id)",
		    DB_ARGS(DB_INT(src.id), DB_INT(dst.id), DB_INT(now)), e) < 0 ||
	    db_exec(c, "DELETE FROM idea_subscriptions WHERE idea_id = $1", DB_ARGS(DB_INT(src.id)), e) < 0)
		return -1;
	return 0;
}

int ideas_unsubscribe_token(db_conn *c, const char *token, int64_t now, char *title_out, size_t cap,
			    struct err *e)
{
	if (!token_well_formed(token))
		return 0;
	char hash[TOKEN_HASH_LEN + 1];
	token_hash(token, hash);
	db_rows *rows;
	if (db_query(c,
		     "SELECT t.idea_id, t.user_id, i.title FROM idea_unsub_tokens t JOIN ideas i ON i.id = "
		     "t.idea_id"
		     " WHERE t.token_hash = $1",
		     DB_ARGS(DB_TEXT(hash)), &rows, e))
		return -1;
	int rc = db_rows_next(rows, e);
	int64_t idea = 0, user = 0;
	if (rc == 1) {
		idea = db_rows_int(rows, 0);
		user = db_rows_int(rows, 1);
		snprintf(title_out, cap, "%s", db_rows_text(rows, 2));
	}
	db_rows_free(rows);
	if (rc <= 0)
		return rc;
	if (db_exec(c,
		    "UPDATE idea_subscriptions SET active = 0, updated_at = $3 WHERE idea_id = $1 AND "
		    "user_id = $2",
		    DB_ARGS(DB_INT(idea), DB_INT(user), DB_INT(now)), e) < 0 ||
	    db_exec(c, "DELETE FROM idea_notices WHERE idea_id = $1 AND user_id = $2 AND sent_at IS NULL",
		    DB_ARGS(DB_INT(idea), DB_INT(user)), e) < 0)
		return -1;
	return 1;
}

/* ---- the hourly digest ---- */

#define DIGEST_USERS_MAX   2000 /* users served by one run; the rest by the next */
#define DIGEST_NOTICES_MAX 50	/* changes in one e-mail */

struct digest_user {
	int64_t user_id, now;
	const char *public_url;
	int sent;
};

/* The slot job that will serve a user whose last digest was at `last`. */
static int enqueue_slot(db_conn *c, int64_t at, const char *public_url, struct err *e)
{
	return enqueue_digest(c, (at + IDEAS_DIGEST_PERIOD_S - 1) / IDEAS_DIGEST_PERIOD_S, public_url, e);
}

static int digest_one(db_conn *c, void *ctx, struct err *e)
{
	struct digest_user *u = ctx;
	u->sent = 0;
	int64_t last = 0;
	if (db_query_int(c, "SELECT COALESCE(max(sent_at), 0) FROM idea_notices WHERE user_id = $1",
			 DB_ARGS(DB_INT(u->user_id)), &last, e) < 0)
		return -1;
	if (last && last > u->now - IDEAS_DIGEST_PERIOD_S)
		return enqueue_slot(c, last + IDEAS_DIGEST_PERIOD_S, u->public_url,
				    e); /* not twice an hour */
	db_rows *rows;
	char email[256] = "", locale[3] = "fr";
	if (db_query(c, "SELECT email, locale FROM users WHERE id = $1 AND status = 'active'",
		     DB_ARGS(DB_INT(u->user_id)), &rows, e))
		return -1;
	int rc = db_rows_next(rows, e);
	if (rc == 1) {
		snprintf(email, sizeof(email), "%s", db_rows_text(rows, 0));
		snprintf(locale, sizeof(locale), "%s", db_rows_text(rows, 1));
	}
	db_rows_free(rows);
	if (rc < 0)
		return -1;
	if (db_query(c,
		     "SELECT n.id, n.status, i.id, i.public_id, i.title, i.response FROM idea_notices n"
		     " JOIN ideas i ON i.id = n.idea_id JOIN idea_subscriptions s ON s.idea_id = n.idea_id"
		     " AND s.user_id = n.user_id AND s.active = 1"
		     " WHERE n.user_id = $1 AND n.sent_at IS NULL ORDER BY n.id LIMIT $2",
		     DB_ARGS(DB_INT(u->user_id), DB_INT(DIGEST_NOTICES_MAX)), &rows, e))
		return -1;
	int en = !strcmp(locale, "en");
	const char *base = u->public_url && *u->public_url ? u->public_url : "http://127.0.0.1:8080";
	size_t cap = 4096, len = 0;
	char *text = malloc(cap);
	text[0] = '\0';
	int64_t max_id = 0, n = 0;
	struct {
		int64_t idea_id;
	} toks[DIGEST_NOTICES_MAX];
	char tokens[DIGEST_NOTICES_MAX][TOKEN_LEN + 1];
	while ((rc = db_rows_next(rows, e)) == 1) {
		int64_t id = db_rows_int(rows, 0);
		int st = idea_status_parse(db_rows_text(rows, 1));
		max_id = id > max_id ? id : max_id;
		toks[n].idea_id = db_rows_int(rows, 2);
		token_new(tokens[n]);
		const char *response = db_rows_text(rows, 5);
		char line[8192];
		int w = snprintf(
			line, sizeof(line), "« %s » — %s%s%s\n%s : %s/office/ideas/?id=%s\n%s : %s/u/%s\n\n",
			db_rows_text(rows, 4), idea_status_label((enum idea_status)(st < 0 ? 0 : st), locale),
			*response ? "\n" : "", response, en ? "See the request" : "Voir la demande", base,
			db_rows_text(rows, 3),
			en ? "Unsubscribe from this request" : "Se désabonner de cette demande", base,
			tokens[n]);
		size_t wl = w < 0 ? 0 : (size_t)w >= sizeof(line) ? sizeof(line) - 1 : (size_t)w;
		if (len + wl + 1 > cap) {
			cap = (len + wl + 1) * 2;
			char *grown = realloc(text, cap);
			if (!grown)
				abort();
			text = grown;
		}
		memcpy(text + len, line, wl);
		len += wl;
		text[len] = '\0';
		n++;
	}
	db_rows_free(rows);
	if (rc < 0) {
		free(text);
		return -1;
	}
	int ret = 0;
	for (int64_t k = 0; k < n && !ret; k++) {
		char hash[TOKEN_HASH_LEN + 1];
		token_hash(tokens[k], hash);
		if (db_exec(c,
			    "INSERT INTO idea_unsub_tokens (token_hash, idea_id, user_id, created_at)"
			    " VALUES ($1, $2, $3, $4)",
			    DB_ARGS(DB_TEXT(hash), DB_INT(toks[k].idea_id), DB_INT(u->user_id),
				    DB_INT(u->now)),
			    e) < 0)
			ret = -1;
	}
	if (!ret && n && email[0]) {
		char ref[64];
		snprintf(ref, sizeof(ref), "ideas_digest:%lld", (long long)u->user_id);
		json_t *vars = json_pack("{s:s, s:I}", "changes", text, "count", (json_int_t)n);
		struct outbox_email m = {.kind = "ideas_digest",
					 .subject_ref = ref,
					 .version = max_id,
					 .to = email,
					 .locale = locale,
					 .vars = vars};
		if (outbox_email(c, &m, e) < 0)
			ret = -1;
		else
			u->sent = 1;
		json_decref(vars);
	}
	free(text);
	if (ret)
		return -1;
	/* everything pending is settled: sent, or dropped for an unsubscribed or departed user */
	if (db_exec(c,
		    "UPDATE idea_notices SET sent_at = $2 WHERE user_id = $1 AND sent_at IS NULL"
		    " AND ($3 = 0 OR id <= $3)",
		    DB_ARGS(DB_INT(u->user_id), DB_INT(u->now), DB_INT(n == DIGEST_NOTICES_MAX ? max_id : 0)),
		    e) < 0)
		return -1;
	if (n == DIGEST_NOTICES_MAX)
		return enqueue_slot(c, u->now + IDEAS_DIGEST_PERIOD_S, u->public_url, e);
	return 0;
}

int ideas_digest_run(db *d, int64_t now, const char *public_url, struct err *e)
{
	db_conn *c;
	if (db_acquire(d, &c, e))
		return -1;
	db_rows *rows;
	int64_t *users = malloc(sizeof(int64_t) * DIGEST_USERS_MAX);
	int nusers = 0, rc;
	if (db_query(c,
		     "SELECT DISTINCT user_id FROM idea_notices WHERE sent_at IS NULL ORDER BY user_id LIMIT "
		     "$1",
		     DB_ARGS(DB_INT(DIGEST_USERS_MAX)), &rows, e)) {
		db_release(c);
		free(users);
		return -1;
	}
	while ((rc = db_rows_next(rows, e)) == 1)
		users[nusers++] = db_rows_int(rows, 0);
	db_rows_free(rows);
	db_release(c);
	if (rc < 0) {
		free(users);
		return -1;
	}
	int sent = 0;
	for (int i = 0; i < nusers; i++) {
		struct digest_user u = {.user_id = users[i], .now = now, .public_url = public_url};
		if (db_transact(d, digest_one, &u, e)) {
			free(users);
			return -1;
		}
		sent += u.sent;
	}
	free(users);
	if (nusers == DIGEST_USERS_MAX) { /* more to serve: come back in a minute */
		struct err ignored = {0};
		if (db_acquire(d, &c, &ignored) == 0) {
			if (db_begin(c, &ignored) == 0 &&
			    enqueue_slot(c, now + 60, public_url, &ignored) == 0 &&
			    db_commit(c, &ignored) == 0)
				log_info("msg=\"ideas digest: more users next minute\"");
			db_release(c);
		}
	}
	return sent;
}

static enum job_result digest_job(db *d, const struct job *j, struct err *e)
{
	const char *url = json_string_value(json_object_get(j->payload, "public_url"));
	if (ideas_digest_run(d, j->now, url, e) < 0)
		return JOB_RETRY;
	log_info("msg=\"ideas digest\" job=%lld", (long long)j->id);
	return JOB_DONE;
}

void community_register(void)
{
	jobs_register(IDEAS_DIGEST_KIND, digest_job, 600);
}
