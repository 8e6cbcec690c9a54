/* people — the users of one business account: listing, invitations, role changes, removal,
 * and who may touch whom (owner / staff). Store operations without HTTP: every function that
 * writes runs in the caller's open transaction on c, so the change, its audit entry and its
 * e-mail commit together. Every query is filtered on the caller's account_id, so an id of
 * another account answers 404 like an unknown one. docs/internals/people.md explains the rules. */
#ifndef CRENEAU_PEOPLE_H
#define CRENEAU_PEOPLE_H
#include <stdint.h>

#include "account/account.h"
#include "base/err.h"
#include "db/db.h"

#define PEOPLE_INVITATION_TTL_S (7 * 24 * 3600) /* an invitation link lives 7 days */
#define PEOPLE_NAME_MAX		120		/* bytes of a person's name */
#define PEOPLE_LIST_MAX		1000		/* people listed for one account, at most */

/* ---- who may touch whom: every later route that touches people's data uses these ---- */
/* True when the principal is a business user with the owner role. */
int principal_is_owner(const struct principal *p);
/* 0 when p may touch the records of user user_id of its own account: owners touch everyone,
 * staff only themselves; else 403 `forbidden`. */
int principal_may_touch_user(const struct principal *p, int64_t user_id, struct err *e) WUR;

/* A person as the API shows it. */
struct person {
	int64_t id; /* internal; never shown */
	char public_id[24];
	char email[256];
	char name[PEOPLE_NAME_MAX + 8];
	enum role role;
	char status[12]; /* "invited" | "active" */
	int64_t created_at;
};

/* Calls each(ctx, person) for every person of the account who is not removed, owners first
 * then by name; at most PEOPLE_LIST_MAX. */
int people_list(db_conn *c, int64_t account_id, void (*each)(void *ctx, const struct person *p), void *ctx,
		struct err *e) WUR;

/* Invites email (already normalised) into by's account with name and role: creates the
 * user with status 'invited' and no password, an 'invitation' token valid 7 days (stored
 * hashed) and the invitation e-mail with <public_url>/invitation?token=... in the account's
 * locale; audits 'invitation_sent'. 409 `email_taken` when any user of any account has the
 * address (saying nothing about which). Fills *out with the new person. */
int people_invite(db_conn *c, const struct principal *by, const char *email, const char *name, enum role role,
		  const char *public_url, const char *ip, int64_t now, struct person *out, struct err *e) WUR;

/* Changes a person's role (role < 0: unchanged) and/or name (NULL: unchanged) in by's
 * account. 404 `not_found` for an unknown, removed or other account's id; 422 `last_owner`
 * when it would leave the account without an active owner. Audits 'role_changed' when the
 * role changes. Fills *out with the person after the change. */
int people_update(db_conn *c, const struct principal *by, const char *public_id, int role, const char *name,
		  const char *ip, int64_t now, struct person *out, struct err *e) WUR;

/* Removes a person from by's account: status 'removed', every session ended, pending tokens
 * spent, and the e-mail address freed (so it may join another account later); audits
 * 'user_removed'. 404 as people_update; 422 `last_owner` for the last active owner. */
int people_remove(db_conn *c, const struct principal *by, const char *public_id, const char *ip, int64_t now,
		  struct err *e) WUR;

/* What an invitation token leads to (read before hashing the new password, so the password
 * policy can compare it with the address). */
struct invitation {
	int64_t account_id, user_id;
	char email[256];
	char locale[3];
};
/* Reads a live (unused, unexpired, of an invited user) invitation token: 1 and *out when it
 * is one, else 400 `invalid_token` (-1). Does not spend it. */
int people_invitation_find(db_conn *c, const char *token, int64_t now, struct invitation *out,
			   struct err *e) WUR;
/* Accepts an invitation: spends the token (once: a second call gets 400 `invalid_token`),
 * stores password_hash (computed by the caller), sets the name when not NULL/empty, marks
 * the user active with a verified address, audits 'invitation_accepted'. Fills *out. */
int people_invitation_accept(db_conn *c, const char *token, const char *password_hash, const char *name,
			     const char *ip, int64_t now, struct invitation *out, struct err *e) WUR;

#endif
