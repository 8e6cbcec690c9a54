/* ideas — improvement requests put to the whole community (docs/internals/community.md).
 * A request enters `under_review`, seen by its author only; an operator publishes it (`open`),
 * merges it into another (`duplicate`, votes and subscribers moved without double votes) or
 * declines it. Published requests are shared by every customer: one vote per user while the
 * request is open, planned or started; comments; subscriptions. Every status change leaves
 * one notice per subscriber, sent by the hourly digest job (one e-mail per user per hour at
 * most), each with a one-click unsubscribe link /u/{token} whose token is stored hashed.
 * Authors are shown by first name and business type only, never by business name or e-mail.
 * All functions take a connection in the caller's transaction (writes) or not (reads). */
#ifndef CRENEAU_COMMUNITY_IDEAS_H
#define CRENEAU_COMMUNITY_IDEAS_H
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"

#define IDEA_TITLE_MAX	      140  /* bytes of a title */
#define IDEA_BODY_MAX	      5000 /* bytes of a description */
#define IDEA_COMMENT_MAX      2000 /* bytes of a comment */
#define IDEA_RESPONSE_MAX     2000 /* bytes of an operator's response or decline reason */
#define IDEA_SEARCH_MAX	      100  /* bytes of a search text */
#define IDEA_LIST_MAX	      100  /* ideas in one page */
#define IDEA_FIRST_NAME_MAX   63
#define IDEAS_DIGEST_KIND     "ideas.digest"
#define IDEAS_DIGEST_PERIOD_S 3600

enum idea_status {
	IDEA_UNDER_REVIEW,
	IDEA_OPEN,
	IDEA_PLANNED,
	IDEA_STARTED,
	IDEA_COMPLETED,
	IDEA_DECLINED,
	IDEA_DUPLICATE,
	IDEA_STATUS_COUNT
};

/* "under_review", "open" ...; "unknown" out of range. */
const char *idea_status_code(enum idea_status s);
/* -1 when unknown. */
int idea_status_parse(const char *code);
/* The status in words for a locale ("fr" or "en"; anything else is fr). */
const char *idea_status_label(enum idea_status s, const char *locale);
/* True while votes may be cast or withdrawn: open, planned, started. */
int idea_voting_open(enum idea_status s);
/* True when an operator must write a response to enter s: planned, started, completed,
 * declined. */
int idea_needs_response(enum idea_status s);
/* True when an operator may move a request from `from` to `to` with the status route
 * (merging is its own operation; duplicate is never a target here). */
int idea_transition_ok(enum idea_status from, enum idea_status to);
/* The first word of a person's name, at most IDEA_FIRST_NAME_MAX bytes cut on a character
 * boundary; "" for an empty name. What the community sees of an author. */
void idea_first_name(const char *full_name, char out[IDEA_FIRST_NAME_MAX + 1]);

/* One request as read from the store; pointers valid until the next row. */
struct idea_row {
	int64_t id;
	const char *public_id;
	int64_t account_id, user_id; /* the author (0 when the account is gone) */
	const char *first_name, *business_type;
	const char *account_name; /* for operators only: the author's business, "" when gone */
	const char *title, *body, *response;
	enum idea_status status;
	const char *merged_into; /* public id of the surviving request, or NULL */
	int64_t votes, comments;
	int voted, subscribed; /* by the viewer */
	int64_t published_at, created_at, updated_at;
};

/* What a list asks for. viewer_user_id is the customer asking (0 = an operator, who sees
 * every request and its author's business). */
struct idea_query {
	int64_t viewer_user_id;
	int mine;	       /* the viewer's own requests only, whatever their status */
	int by_votes;	       /* most voted first; else newest first */
	const char *search;    /* words in title or description; NULL or "" = all */
	int status;	       /* one status only, or -1 (customers: every published one) */
	int64_t offset, limit; /* page */
};

/* Calls fn for each request of the query; returns the number listed or negative. Customers
 * see published requests (not duplicates) and their own; operators everything. */
int ideas_list(db_conn *c, const struct idea_query *q, void (*fn)(void *ctx, const struct idea_row *r),
	       void *ctx, struct err *e) WUR;
/* Reads one request by public id as viewer_user_id sees it (0 = operator): 1 and fn called,
 * 0 when it does not exist or the viewer may not see it (another user's unpublished one). */
int ideas_get(db_conn *c, const char *public_id, int64_t viewer_user_id,
	      void (*fn)(void *ctx, const struct idea_row *r), void *ctx, struct err *e) WUR;

/* A comment as read from the store. */
struct idea_comment_row {
	const char *public_id, *first_name, *business_type, *body;
	int mine;
	int64_t created_at;
};
/* Calls fn for every comment of idea_id, oldest first (at most 500). */
int ideas_comments(db_conn *c, int64_t idea_id, int64_t viewer_user_id,
		   void (*fn)(void *ctx, const struct idea_comment_row *r), void *ctx, struct err *e) WUR;

/* Records a new request under review by user_id of account_id, who is subscribed to it;
 * writes its public id (24 bytes) into out. */
int ideas_create(db_conn *c, int64_t account_id, int64_t user_id, const char *title, const char *body,
		 int64_t now, char out[24], struct err *e) WUR;
/* One vote of user_id (who gets subscribed unless they unsubscribed before): 409
 * `already_voted`, 409 `voting_closed` outside open/planned/started, 404 unpublished. */
int ideas_vote(db_conn *c, const char *public_id, int64_t user_id, int64_t now, struct err *e) WUR;
/* Withdraws the vote: 404 when there is none, 409 `voting_closed` when frozen. */
int ideas_unvote(db_conn *c, const char *public_id, int64_t user_id, struct err *e) WUR;
/* Adds a comment (subscribing its author unless they unsubscribed before); 409
 * `comments_closed` on a duplicate, 404 unpublished and not the author's. */
int ideas_comment(db_conn *c, const char *public_id, int64_t user_id, const char *body, int64_t now,
		  char out[24], struct err *e) WUR;
/* Subscribes (on = 1) or unsubscribes user_id from a request they can see. */
int ideas_subscribe(db_conn *c, const char *public_id, int64_t user_id, int on, int64_t now,
		    struct err *e) WUR;

/* Operator: moves a request to status `to` with `response` (required for planned, started,
 * completed, declined: 400 `missing_field` on "response"; 409 `invalid_transition` when the
 * move is not allowed). Publishing (to open) stamps published_at. Leaves a notice per
 * subscriber and enqueues the digest of the next hour; public_url goes into the links. */
int ideas_set_status(db_conn *c, const char *public_id, enum idea_status to, const char *response,
		     int64_t now, const char *public_url, struct err *e) WUR;
/* Operator: merges request `from` into `into` (published and open, planned or started): votes
 * and subscriptions move, a user who had both keeps one; `from` becomes a duplicate pointing
 * at `into`, and its subscribers get a notice. 409 `invalid_transition` otherwise. */
int ideas_merge(db_conn *c, const char *from, const char *into, const char *response, int64_t now,
		const char *public_url, struct err *e) WUR;

/* One-click unsubscribe: the token of a /u/{token} link ends its user's subscription to its
 * request. 1 done (title copied into title_out, cap bytes), 0 unknown token. */
int ideas_unsubscribe_token(db_conn *c, const char *token, int64_t now, char *title_out, size_t cap,
			    struct err *e) WUR;

/* Registers the digest job kind (call at start-up). */
void community_register(void);
/* The digest of instant `now` (what the job runs), exposed for tests: sends one e-mail per
 * user with pending notices who got none in the last hour. Returns the e-mails written. */
int ideas_digest_run(db *d, int64_t now, const char *public_url, struct err *e) WUR;

#endif
