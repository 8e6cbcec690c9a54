/* tickets — support tickets in the store (docs/internals/support.md): opening (by a customer,
 * or by an operator on a customer's behalf), the thread (replies, internal notes), the
 * states new → open → pending customer → solved → closed (+ spam), attachments checked by
 * their bytes, the service-level clock (support/sla.h) kept on the ticket row, the jobs that
 * warn operators at 75 %, flag breaches at 100 %, close solved tickets after 7 days and delete
 * closed ones after 3 years, the queue and the SLA report. Every function taking a db_conn
 * runs in the caller's transaction when it writes, so a failure writes nothing. */
#ifndef CRENEAU_SUPPORT_TICKETS_H
#define CRENEAU_SUPPORT_TICKETS_H
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"
#include "support/sla.h"

#define TICKET_SUBJECT_MAX	 200		   /* bytes */
#define TICKET_MESSAGE_MAX	 10000		   /* bytes of one message */
#define TICKET_ATTACH_MAX	 (5 * 1024 * 1024) /* bytes of one attachment */
#define TICKET_ATTACH_PER_TICKET 20
#define TICKET_ATTACH_NAME_MAX	 120
#define TICKET_LIST_MAX		 200 /* rows of one page */

enum ticket_category {
	TICKET_QUESTION,
	TICKET_BUG,
	TICKET_BILLING,
	TICKET_DELETION_REQUEST,
	TICKET_CATEGORY_COUNT
};
enum ticket_state {
	TICKET_NEW,
	TICKET_OPEN,
	TICKET_PENDING_CUSTOMER,
	TICKET_SOLVED,
	TICKET_CLOSED,
	TICKET_SPAM,
	TICKET_STATE_COUNT
};

/* Codes as the API and the store spell them ("deletion_request", "pending_customer"); parse
 * functions return -1 for an unknown code. */
const char *ticket_category_code(enum ticket_category c);
int ticket_category_parse(const char *code);
const char *ticket_state_code(enum ticket_state s);
int ticket_state_parse(const char *code);
/* 1 for the categories only owners may open (billing, deletion request). */
int ticket_category_owner_only(enum ticket_category c);
/* 1 when an operator may move a ticket from `from` to `to` by hand (closed is reached only
 * by the customer or the 7-day job; nothing leaves closed). */
int ticket_transition_allowed(enum ticket_state from, enum ticket_state to);
/* The content type of an attachment from its first bytes: "image/png", "image/jpeg",
 * "image/gif", "image/webp" or "application/pdf"; NULL for anything else. */
const char *ticket_file_type(const void *data, size_t len);

/* A ticket as both sides read it (the account and requester fields for the console). */
struct ticket {
	int64_t id, account_id;
	char public_id[24];
	enum ticket_category category;
	enum ticket_state state;
	char subject[TICKET_SUBJECT_MAX + 1];
	int64_t requester_user_id;
	char requester_email[256], requester_name[128], requester_locale[3];
	int requester_is_owner;
	int64_t opened_by_operator_id, assignee_operator_id;
	char assignee_public_id[24], assignee_name[128];
	char plan[16]; /* the account's plan when the ticket was opened */
	struct sla_clock clock;
	int64_t warned_due_at, breached_due_at;
	int breached; /* a deadline of this ticket passed unanswered */
	int64_t solved_at, closed_at, created_at, updated_at;
	char account_public_id[24], account_name[128], account_plan[16], account_state[16];
	char account_zone[64];
};

/* One message of a thread; body valid during the callback only. */
struct ticket_message {
	char public_id[24];
	const char *author; /* "customer" | "operator" */
	char author_name[128];
	int internal;
	const char *body;
	int64_t created_at;
};

struct ticket_attachment {
	char public_id[24];
	char file_id[40];
	char name[TICKET_ATTACH_NAME_MAX + 1];
	char content_type[64];
	int64_t size;
	const char *author;
	int64_t created_at;
};

/* What opening a ticket needs. Strings are borrowed. */
struct ticket_new {
	int64_t account_id;
	int64_t requester_user_id;     /* a user of the account */
	int64_t opened_by_operator_id; /* 0 = the customer opened it */
	enum ticket_category category;
	const char *subject, *message;
};

/* Opens a ticket: the account's target (24 h when may(FEAT_SUPPORT_24H), else 48 h) and its
 * deadline, the first message, the SLA jobs, the acknowledgement e-mail to the requester
 * through the outbox. 403 `forbidden` for an owner-only category from a staff user, 404 when
 * the requester is not an active user of the account. Fills *out. */
int ticket_open(db_conn *c, const struct ticket_new *in, int64_t now, struct ticket *out, struct err *e) WUR;

/* Reads a ticket by public id. account_id 0 = any account (operators); user_id not 0 = only
 * a ticket that user opened (staff users see their own). lock = 1 takes the row lock. 404
 * `not_found` otherwise. */
int ticket_get(db_conn *c, int64_t account_id, int64_t user_id, const char *public_id, int lock,
	       struct ticket *out, struct err *e) WUR;
/* Calls each() for the thread in order; internal notes only when with_internal. */
int ticket_messages(db_conn *c, const struct ticket *t, int with_internal,
		    void (*each)(void *ctx, const struct ticket_message *m), void *ctx, struct err *e) WUR;
/* Calls each() for the ticket's attachments in order. */
int ticket_attachments(db_conn *c, const struct ticket *t,
		       void (*each)(void *ctx, const struct ticket_attachment *a), void *ctx,
		       struct err *e) WUR;

/* A customer's reply (t read with lock): reopens a pending or solved ticket, restarts the
 * clock when no reply was owed. 409 `ticket_closed` on a closed or spam ticket. */
int ticket_customer_reply(db_conn *c, struct ticket *t, int64_t user_id, const char *body, int64_t now,
			  struct err *e) WUR;
/* The customer closes the ticket (409 `ticket_closed` when it already is, or is spam). */
int ticket_customer_close(db_conn *c, struct ticket *t, int64_t now, struct err *e) WUR;
/* An operator's message: a reply (the customer sees it and is told by e-mail; it ends what is
 * owed; a new or open ticket becomes pending customer) or an internal note (changes nothing of
 * the clock). 409 `ticket_closed` on a closed ticket. */
int ticket_operator_message(db_conn *c, struct ticket *t, int64_t operator_id, const char *body, int internal,
			    int64_t now, struct err *e) WUR;
/* An operator changes the state (to < 0 = unchanged; 409 `invalid_transition` when not
 * allowed) and/or the assignee (set_assignee: operator id, 0 = nobody). A new ticket that gets
 * an assignee becomes open. */
int ticket_operator_update(db_conn *c, struct ticket *t, int to, int set_assignee, int64_t assignee,
			   int64_t now, struct err *e) WUR;
/* Executes the deletion request of ticket t through account_delete(): 409
 * `not_a_deletion_request` for another category, 422 `requester_not_owner` when the
 * requester is not an owner, 409 `ticket_closed` on a closed or spam ticket; then an internal
 * note and the ticket solved. */
int ticket_execute_deletion(db_conn *c, struct ticket *t, int64_t operator_id, int64_t now,
			    struct err *e) WUR;
/* Stores an attachment of t: the type from the bytes (400 `invalid_file_type`), at most
 * TICKET_ATTACH_MAX (400 `file_too_large`), at most TICKET_ATTACH_PER_TICKET per ticket (422
 * `too_many_attachments`), 409 on a closed ticket. author "customer" | "operator". */
int ticket_attach(db_conn *c, struct ticket *t, const char *author, const char *name, const void *data,
		  size_t len, int64_t now, struct ticket_attachment *out, struct err *e) WUR;
/* Finds an attachment of t by public id (404 when none). */
int ticket_attachment_get(db_conn *c, const struct ticket *t, const char *public_id,
			  struct ticket_attachment *out, struct err *e) WUR;

/* A page of an account's tickets, newest first (user_id not 0: only that user's). Returns
 * how many rows, negative on error. */
int tickets_list(db_conn *c, int64_t account_id, int64_t user_id, int offset, int limit,
		 void (*each)(void *ctx, const struct ticket *t), void *ctx, struct err *e) WUR;
/* The operators' queue: tickets in the states of state_mask (bit 1 << state), the ones owing
 * a reply first by deadline, then the others oldest first. */
int tickets_queue(db_conn *c, unsigned state_mask, int offset, int limit,
		  void (*each)(void *ctx, const struct ticket *t), void *ctx, struct err *e) WUR;

/* The SLA report of one plan over the tickets opened in [from, to) (spam left out). */
struct sla_report_row {
	char plan[16];
	int64_t tickets;	  /* opened in the period */
	int64_t answered;	  /* with a first response */
	int64_t answered_in_time; /* first response by the committed deadline */
	int64_t late_unanswered;  /* no response and the deadline passed at `now` */
	int64_t median_s, p90_s;  /* first-response times of the answered ones; 0 when none */
};
/* Fills rows[PLAN_COUNT] in plan order (essentiel, pro, optimum). */
int tickets_sla_report(db_conn *c, int64_t from, int64_t to, int64_t now, struct sla_report_row *rows,
		       struct err *e) WUR;

/* Registers the support jobs (warnings, breaches, closing, deletion) and keeps the base of
 * the links in e-mails (NULL = http://127.0.0.1:8080). Call at start. */
void support_register(void);
void support_configure(const char *public_url);

#endif
