/* leads — prospects who wrote through the public contact form (docs/internals/community.md).
 * The form stores a lead and answers on screen only: nothing is ever sent to the typed
 * address except an operator's own reply from the console (through the outbox). */
#ifndef CRENEAU_COMMUNITY_LEADS_H
#define CRENEAU_COMMUNITY_LEADS_H
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"

#define LEAD_NAME_MAX	 120
#define LEAD_COMPANY_MAX 160
#define LEAD_PHONE_MAX	 40
#define LEAD_MESSAGE_MAX 5000
#define LEAD_REPLY_MAX	 10000
#define LEAD_LIST_MAX	 200

/* What the form sent, validated by the caller (email normalised). */
struct lead_input {
	const char *name, *email, *company, *phone, *message, *ip;
};

/* Stores a new lead; writes its public id into out. */
int leads_create(db_conn *c, const struct lead_input *in, int64_t now, char out[24], struct err *e) WUR;

/* A lead as read; pointers valid for the callback only. */
struct lead_row {
	int64_t id;
	const char *public_id, *name, *email, *company, *phone, *message, *status;
	int64_t created_at, updated_at, replies;
};
/* Lists leads newest first (status NULL = all) and calls fn for each; returns the count. */
int leads_list(db_conn *c, const char *status, int64_t offset, int64_t limit,
	       void (*fn)(void *ctx, const struct lead_row *r), void *ctx, struct err *e) WUR;
/* Reads one lead: 1 found (fn called), 0 not. */
int leads_get(db_conn *c, const char *public_id, void (*fn)(void *ctx, const struct lead_row *r), void *ctx,
	      struct err *e) WUR;

/* A reply as read. */
struct lead_reply_row {
	const char *body, *operator_name;
	int64_t created_at;
};
/* Calls fn for each reply to the lead, oldest first. */
int leads_replies(db_conn *c, int64_t lead_id, void (*fn)(void *ctx, const struct lead_reply_row *r),
		  void *ctx, struct err *e) WUR;
/* An operator's answer: stored, and written to the outbox to the lead's address in `locale`
 * ("fr"/"en") with template lead_reply; the lead becomes `answered`. 404 when unknown. */
int leads_reply(db_conn *c, const char *public_id, int64_t operator_id, const char *body, const char *locale,
		int64_t now, struct err *e) WUR;
/* Sets a lead's status ("new", "answered", "closed"): 400 unknown, 404 no lead. */
int leads_set_status(db_conn *c, const char *public_id, const char *status, int64_t now, struct err *e) WUR;

#endif
