/* account — the product's spine: plans, account states, what each allows (`may`), and the
 * principal a request acts as (a business user or a platform operator), resolved from the
 * session cookie. Rules are PRODUCT.md's tables; docs/internals/accounts.md explains them.
 *
 * Handlers never take an account id from the request: they read it from the principal,
 * which route_before (src/app/routes.c) attaches to every request of a tenant route. */
#ifndef CRENEAU_ACCOUNT_H
#define CRENEAU_ACCOUNT_H
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"

/* ---- plans (rows of the `plans` table, loaded once at start) ---- */
enum plan_id { PLAN_ESSENTIEL, PLAN_PRO, PLAN_OPTIMUM, PLAN_COUNT };

struct plan {
	enum plan_id id;
	char code[16]; /* "essentiel" | "pro" | "optimum" */
	char name[32];
	int64_t price_cents; /* per month, excluding VAT */
	char currency[4];
	int staff_limit;   /* active bookable staff; -1 = unlimited */
	int sms_per_month; /* segments per local calendar month */
	int branding;	   /* logo, colours, texts on the booking page */
	int support_hours; /* first-response target */
};

/* Reads the plans from the store into the process (call once at start; thread-safe after). */
int plans_load(db *d, struct err *e) WUR;
const struct plan *plan_get(enum plan_id id);
/* NULL for an unknown code. */
const struct plan *plan_by_code(const char *code);

/* ---- account states ---- */
enum account_state {
	ACCOUNT_TRIAL,
	ACCOUNT_ACTIVE,
	ACCOUNT_CANCEL_PENDING,
	ACCOUNT_FROZEN,
	ACCOUNT_READ_ONLY,
	ACCOUNT_DELETING,
	ACCOUNT_DELETED,
	ACCOUNT_STATE_COUNT
};
const char *account_state_code(enum account_state s);
/* -1 for an unknown code. */
int account_state_parse(const char *code);

/* What an account may do; `may` answers each from the state and the plan. */
enum feature {
	FEAT_LOGIN,	      /* log in, log out, own password and e-mail */
	FEAT_READ,	      /* read the back office */
	FEAT_EXPORT,	      /* exports */
	FEAT_WRITE,	      /* change anything of the business */
	FEAT_TICKETS,	      /* open support tickets */
	FEAT_SUBSCRIBE,	      /* subscribe, change plan, resume, pay */
	FEAT_DELETE_ACCOUNT,  /* delete the account */
	FEAT_PUBLIC_BOOKING,  /* the public page takes bookings */
	FEAT_EMAIL_REMINDERS, /* client confirmations and reminders by e-mail */
	FEAT_SMS,	      /* SMS to clients */
	FEAT_BRANDING,	      /* logo, colours, texts (Optimum, and a trial of Optimum) */
	FEAT_SUPPORT_24H,     /* the 24 h first-response target */
	FEAT_COUNT
};

/* The account as a request sees it. */
struct account {
	int64_t id;
	char public_id[24];
	char name[128];
	char slug[64];
	char business_type[32];
	enum plan_id plan;
	enum account_state state;
	char state_reason[16]; /* "cancelled" | "unpaid" | "" */
	int64_t trial_ends_at; /* 0 when not in trial */
	char time_zone[64];
	char locale[3];
	int has_demo;
};

/* 0 when the account may; else -1 with the error to answer: 403 `account_frozen`,
 * `account_read_only` or `plan_required`, 410 `account_deleted`. */
int may(const struct account *a, enum feature f, struct err *e) WUR;

/* ---- roles and principals ---- */
enum role { ROLE_STAFF, ROLE_OWNER };
const char *role_code(enum role r);
int role_parse(const char *code); /* -1 when unknown */

struct principal {
	enum { PRINCIPAL_NONE, PRINCIPAL_USER, PRINCIPAL_OPERATOR } kind;
	int64_t session_id;
	char csrf_token[48];
	/* PRINCIPAL_USER */
	int64_t user_id;
	char user_public_id[24];
	char email[256];
	char user_name[128];
	char user_locale[3];
	enum role role;
	struct account account;
	/* PRINCIPAL_OPERATOR */
	int64_t operator_id;
};

/* ---- sessions (session.c) ---- */
#define SESSION_COOKIE	   "creneau_session"
#define OPS_SESSION_COOKIE "creneau_ops"
#define SESSION_IDLE_S	   (24 * 3600)	    /* unused for a day: log in again */
#define SESSION_ABSOLUTE_S (30 * 24 * 3600) /* at most 30 days whatever the use */
#define SESSION_TOKEN_SIZE 48		    /* token_new's output, NUL included */

/* Creates a session for a user in the caller's transaction; writes the cookie token (to
 * give to the client, never stored) and fills the CSRF token. */
int session_create(db_conn *c, int64_t account_id, int64_t user_id, int64_t now, const char *ip,
		   const char *user_agent, char token_out[SESSION_TOKEN_SIZE], char csrf_out[48],
		   struct err *e) WUR;
/* Resolves a cookie token into *p with one indexed read (sessions ⋈ users ⋈ accounts);
 * refreshes last_seen_at at most once a minute. Returns 1 when valid, 0 when unknown,
 * expired or its account can no longer log in, negative on store error. */
int session_lookup(db *d, const char *token, int64_t now, struct principal *p, struct err *e) WUR;
/* Ends one session (log-out); 0 also when it did not exist. */
int session_end(db_conn *c, int64_t session_id, struct err *e) WUR;
/* Ends every session of a user except `keep_session_id` (0 = all): password change, removal. */
int session_end_all(db_conn *c, int64_t account_id, int64_t user_id, int64_t keep_session_id,
		    struct err *e) WUR;

/* Operator sessions: the same, in operator_sessions, with shorter lives (a console with
 * every tenant's data behind it). */
#define OPS_SESSION_IDLE_S     (2 * 3600)
#define OPS_SESSION_ABSOLUTE_S (12 * 3600)
int ops_session_create(db_conn *c, int64_t operator_id, int64_t now, const char *ip,
		       char token_out[SESSION_TOKEN_SIZE], char csrf_out[48], struct err *e) WUR;
int ops_session_lookup(db *d, const char *token, int64_t now, struct principal *p, struct err *e) WUR;
int ops_session_end(db_conn *c, int64_t session_id, struct err *e) WUR;

/* ---- small shared helpers ---- */
/* Lower-cases and checks an e-mail address (one @, a dot in the domain, ASCII, <= 254
 * bytes); writes the normalised form to out. 400 `invalid_email` on `field`. */
int email_normalise(const char *in, char out[256], const char *field, struct err *e) WUR;
/* A new opaque public id: a prefix of up to 3 letters, "_", 16 random base32 characters
 * (80 bits), e.g. "usr_k3m…". */
void public_id_new(const char *prefix, char out[24]);

/* ---- audit log (audit.c) ---- */
/* Appends an entry in the caller's transaction. detail is a JSON object text or NULL; never
 * put a secret in it. account_id / user_id / operator_id 0 = none. */
int audit_write(db_conn *c, int64_t account_id, int64_t user_id, int64_t operator_id, const char *action,
		const char *target, const char *ip, const char *detail, int64_t now, struct err *e) WUR;

#endif
