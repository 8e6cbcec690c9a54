/* credentials — the e-mailed single-use tokens (address verification, password reset) and
 * the changes of a user's own password and e-mail, as store operations without HTTP. Every
 * function that writes runs in the caller's open transaction on c, so the change, its audit
 * entry and its e-mails commit together. Tokens are stored hashed (token_hash); the clear
 * token exists only in the e-mail. docs/internals/accounts-security.md explains the rules. */
#ifndef CRENEAU_CREDENTIALS_H
#define CRENEAU_CREDENTIALS_H
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"

#define CREDENTIALS_RESET_TTL_S	 3600		   /* a reset link lives 1 hour */
#define CREDENTIALS_VERIFY_TTL_S (7 * 24 * 3600)   /* a verification link lives 7 days */
#define CREDENTIALS_AUDIT_KEEP_S (365 * 24 * 3600) /* audit entries kept 12 months */

/* Sets the base URL the links in e-mails start with (e.g. "https://creneau.example"; a
 * trailing '/' is dropped). Call at start; the default is "http://127.0.0.1:8080". */
void credentials_set_public_url(const char *url);

/* Creates an 'email_verify' token for the user (valid 7 days) and writes the email_verify
 * e-mail with the link <public-url>/verify?token=... to `email` in `locale`, in the caller's
 * transaction on c. Sign-up and e-mail change call it. */
int credentials_send_verification(db_conn *c, int64_t account_id, int64_t user_id, const char *email,
				  const char *locale, int64_t now, struct err *e) WUR;

/* Marks the user of an 'email_verify' token verified and the token used; writes the
 * verified address to email_out. 400 `invalid_token` when the token is unknown, used or
 * expired, or the user's address changed since it was sent. */
int credentials_verify_email(db_conn *c, const char *token, int64_t now, char email_out[256],
			     struct err *e) WUR;

/* A reset request for a normalised e-mail: when an active user of a live account has it,
 * creates a 'password_reset' token (1 hour) and writes the password_reset e-mail with
 * <public-url>/reset?token=...; otherwise does nothing. Either way returns 0, so callers
 * answer the same. ip is audited. */
int credentials_request_reset(db_conn *c, const char *email, const char *ip, int64_t now, struct err *e) WUR;

/* Checks a reset token without using it (so the policy can be checked and the hash computed
 * outside any transaction): writes the user's e-mail to email_out. 400 `invalid_token` when
 * unknown, used, expired, or its user can no longer log in. */
int credentials_reset_check(db_conn *c, const char *token, int64_t now, char email_out[256],
			    struct err *e) WUR;
/* Uses a reset token: checks it again, marks it (and every other reset token of the user)
 * used, stores new_hash, ends every session of the user, audits 'password_reset'. 400
 * `invalid_token` as above; when two requests race, one wins. */
int credentials_reset_password(db_conn *c, const char *token, const char *new_hash, const char *ip,
			       int64_t now, struct err *e) WUR;

/* Replaces a user's password hash (already computed outside the transaction), ends every
 * other session (keep_session_id stays), audits 'password_changed' and writes the
 * password_changed notice e-mail. */
int credentials_set_password(db_conn *c, int64_t account_id, int64_t user_id, const char *new_hash,
			     int64_t keep_session_id, const char *ip, int64_t now, struct err *e) WUR;

/* Changes a user's e-mail to new_email (normalised): 409 `email_taken` when another user
 * has it (saying nothing about who); clears email_verified_at, sends the verification
 * e-mail to the new address and the email_changed notice to the old one, audits
 * 'email_changed'. */
int credentials_change_email(db_conn *c, int64_t account_id, int64_t user_id, const char *old_email,
			     const char *new_email, const char *locale, const char *ip, int64_t now,
			     struct err *e) WUR;

/* Registers the 'audit.purge' job kind (deletes audit entries older than 12 months, then
 * enqueues itself for the next day). Call at start, before the workers start. */
void credentials_register_jobs(void);
/* Enqueues today's 'audit.purge' run in its own transaction on d (idempotent: one job a
 * day, each run enqueues the next). App start calls it once after the migrations. */
int credentials_schedule_purge(db *d, int64_t now, struct err *e) WUR;
/* Deletes the audit entries older than 12 months before now; returns how many or negative. */
int credentials_audit_purge(db_conn *c, int64_t now, struct err *e) WUR;

#endif
