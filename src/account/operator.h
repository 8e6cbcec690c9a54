/* operator — the platform's operators, who live outside every tenant: creation (the
 * `creneau operator add` command) and log-in with a password and a TOTP second factor
 * (RFC 6238 through liboath: 6 digits, 30-second steps, one step of tolerance either way).
 * A TOTP code is accepted once: the last accepted step is kept per operator and a code of
 * that step or an earlier one is refused. docs/internals/people.md explains the rules. */
#ifndef CRENEAU_OPERATOR_H
#define CRENEAU_OPERATOR_H
#include <stddef.h>
#include <stdint.h>

#include "account/account.h"
#include "base/err.h"
#include "db/db.h"

#define OPERATOR_TOTP_STEP_S	 30
#define OPERATOR_TOTP_DIGITS	 6
#define OPERATOR_SECRET_BYTES	 20 /* raw TOTP secret */
#define OPERATOR_SECRET_B32_SIZE 40 /* its base32 text (32 characters) and a NUL, rounded up */
#define OPERATOR_URI_SIZE	 600

/* Writes a fresh TOTP secret (20 random bytes) as base32 text, without padding. */
void operator_totp_secret_new(char out[OPERATOR_SECRET_B32_SIZE]);
/* Writes the otpauth://totp/ URI an authenticator app reads (issuer Créneau, the e-mail as
 * the account name), percent-encoded. */
void operator_otpauth_uri(const char *email, const char *secret_b32, char out[OPERATOR_URI_SIZE]);
/* Checks a code against a base32 secret at instant now, within one step either way: returns
 * 1 and the code's time step in *step when it matches, 0 when not, negative (500) when the
 * secret cannot be decoded. */
int operator_totp_check(const char *secret_b32, const char *code, int64_t now, int64_t *step,
			struct err *e) WUR;

/* Creates an operator from a normalised e-mail, a name ("" allowed) and a password (checked
 * against the policy, then hashed), with a fresh TOTP secret written to secret_out. 409
 * `email_taken` when an operator has the address. */
int operator_create(db *d, const char *email, const char *name, const char *password, int64_t now,
		    char secret_out[OPERATOR_SECRET_B32_SIZE], struct err *e) WUR;

/* What the console shows of its operator. */
struct operator_info {
	int64_t id;
	char public_id[24];
	char email[256];
	char name[128];
};

/* Logs an operator in: the e-mail, password and TOTP code must all be right (else 401
 * `invalid_credentials`, the same whatever was wrong; the failure is audited), and the code
 * not already used. Creates an operator session (token_out for the cookie, csrf_out) and
 * audits 'operator_login'. */
int operator_login(db *d, const char *email, const char *password, const char *totp, const char *ip,
		   int64_t now, char token_out[SESSION_TOKEN_SIZE], char csrf_out[48],
		   struct operator_info *out, struct err *e) WUR;

/* Reads an operator by id (for GET /api/v1/ops/me): 1 found, 0 not, negative on error. */
int operator_get(db_conn *c, int64_t id, struct operator_info *out, struct err *e) WUR;

/* One business account as the console lists it. */
struct ops_account_row {
	int64_t id; /* the paging cursor; never shown */
	char public_id[24];
	char name[128];
	char slug[64];
	char plan[16];
	char state[16];
	int64_t created_at;
};
#define OPS_ACCOUNT_SEARCH_MAX 100 /* bytes of a search text */

/* Calls each(ctx, row) for up to limit accounts whose id is above after_id, in id order, and
 * when q is not empty only those whose name, slug or contact e-mail contains it (ASCII case
 * ignored) or whose public id it is; returns how many were listed, negative on error. */
int ops_accounts_list(db_conn *c, const char *q, int64_t after_id, int limit,
		      void (*each)(void *ctx, const struct ops_account_row *row), void *ctx,
		      struct err *e) WUR;

#endif
