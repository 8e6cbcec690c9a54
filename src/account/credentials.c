/* Credentials: e-mailed single-use tokens (verification, reset), own password and e-mail
 * changes, and the audit purge job. See credentials.h and docs/internals/accounts-security.md. */
#include "account/credentials.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "account/account.h"
#include "base/log.h"
#include "base/token.h"
#include "jobs/jobs.h"
#include "notify/notify.h"
#include "base/banned.h"

#define PUBLIC_URL_MAX 256
#define DAY_S	       86400
#define PURGE_HOUR_UTC 3 /* the purge runs at 03:00 UTC, away from business hours */

static char public_url[PUBLIC_URL_MAX] = "http://127.0.0.1:8080";

void credentials_set_public_url(const char *url)
{
	if (!url || !*url)
		return;
	snprintf(public_url, sizeof(public_url), "%s", url);
	size_t n = strlen(public_url);
	while (n > 0 && public_url[n - 1] == '/')
		public_url[--n] = '\0';
}

/* ---- tokens ---- */

/* Creates a token of `kind` for the user, valid ttl seconds; writes its clear text to token
 * and returns its row id through *id. */
static int token_create(db_conn *c, const char *kind, int64_t account_id, int64_t user_id, int64_t ttl,
			int64_t now, char token[TOKEN_LEN + 1], int64_t *id, struct err *e)
{
	char hash[TOKEN_HASH_LEN + 1];
	token_new(token);
	token_hash(token, hash);
	int rc = db_query_int(c,
			      "INSERT INTO user_tokens (kind, token_hash, account_id, user_id, expires_at,"
			      " created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
			      DB_ARGS(DB_TEXT(kind), DB_TEXT(hash), DB_INT(account_id), DB_INT(user_id),
				      DB_INT(now + ttl), DB_INT(now)),
			      id, e);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return err_internal(e, "user token insert returned no id");
	return 0;
}

struct token_row {
	int64_t id, account_id, user_id;
	char email[256];
	char locale[3];
};

static void copy(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

/* Finds a live token of `kind` whose user is active in a live account. 400 invalid_token
 * otherwise (unknown, used, expired: the same answer). */
static int token_find(db_conn *c, const char *kind, const char *token, int64_t now, struct token_row *out,
		      struct err *e)
{
	if (!token || !token_well_formed(token))
		return err_set(e, 400, "invalid_token", "token", "this link is invalid or has expired");
	char hash[TOKEN_HASH_LEN + 1];
	token_hash(token, hash);
	db_rows *r;
	if (db_query(c,
		     "SELECT t.id, t.account_id, t.user_id, u.email, u.locale FROM user_tokens t"
		     " JOIN users u ON u.account_id = t.account_id AND u.id = t.user_id"
		     " JOIN accounts a ON a.id = t.account_id"
		     " WHERE t.token_hash = $1 AND t.kind = $2 AND t.used_at IS NULL AND t.expires_at > $3"
		     " AND u.status = 'active' AND a.state NOT IN ('deleting', 'deleted')",
		     DB_ARGS(DB_TEXT(hash), DB_TEXT(kind), DB_INT(now)), &r, e) < 0)
		return -1;
	int rc = db_rows_next(r, e);
	if (rc == 1) {
		out->id = db_rows_int(r, 0);
		out->account_id = db_rows_int(r, 1);
		out->user_id = db_rows_int(r, 2);
		copy(out->email, sizeof(out->email), db_rows_text(r, 3));
		copy(out->locale, sizeof(out->locale), db_rows_text(r, 4));
	}
	db_rows_free(r);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return err_set(e, 400, "invalid_token", "token", "this link is invalid or has expired");
	return 0;
}

/* Marks the token used; 400 invalid_token when another request used it first. */
static int token_use(db_conn *c, int64_t id, int64_t now, struct err *e)
{
	int n = db_exec(c, "UPDATE user_tokens SET used_at = $1 WHERE id = $2 AND used_at IS NULL",
			DB_ARGS(DB_INT(now), DB_INT(id)), e);
	if (n < 0)
		return -1;
	if (n == 0)
		return err_set(e, 400, "invalid_token", "token", "this link is invalid or has expired");
	return 0;
}

/* Ends the user's other unused tokens of a kind (a newer one, or a done job, replaces them). */
static int tokens_retire(db_conn *c, int64_t account_id, int64_t user_id, const char *kind, int64_t now,
			 struct err *e)
{
	int n = db_exec(c,
			"UPDATE user_tokens SET used_at = $1 WHERE account_id = $2 AND user_id = $3"
			" AND kind = $4 AND used_at IS NULL",
			DB_ARGS(DB_INT(now), DB_INT(account_id), DB_INT(user_id), DB_TEXT(kind)), e);
	return n < 0 ? -1 : 0;
}

/* ---- e-mails ---- */

static int send_mail(db_conn *c, int64_t account_id, const char *kind, const char *subject_ref,
		     int64_t version, const char *to, const char *locale, json_t *vars, struct err *e)
{
	struct outbox_email m = {
		.account_id = account_id,
		.kind = kind,
		.subject_ref = subject_ref,
		.version = version,
		.to = to,
		.locale = locale,
		.vars = vars,
	};
	int rc = outbox_email(c, &m, e);
	json_decref(vars);
	return rc < 0 ? -1 : 0;
}

static int send_link(db_conn *c, int64_t account_id, int64_t token_id, const char *kind, const char *page,
		     const char *token, const char *to, const char *locale, struct err *e)
{
	char link[PUBLIC_URL_MAX + 64], ref[48];
	snprintf(link, sizeof(link), "%s/%s?token=%s", public_url, page, token);
	snprintf(ref, sizeof(ref), "user_token:%" PRId64, token_id);
	return send_mail(c, account_id, kind, ref, 1, to, locale,
			 json_pack("{s:s, s:s}", "link", link, "email", to), e);
}

int credentials_send_verification(db_conn *c, int64_t account_id, int64_t user_id, const char *email,
				  const char *locale, int64_t now, struct err *e)
{
	char token[TOKEN_LEN + 1];
	int64_t id;
	if (tokens_retire(c, account_id, user_id, "email_verify", now, e) ||
	    token_create(c, "email_verify", account_id, user_id, CREDENTIALS_VERIFY_TTL_S, now, token, &id,
			 e))
		return -1;
	return send_link(c, account_id, id, "email_verify", "verify", token, email, locale, e);
}

int credentials_verify_email(db_conn *c, const char *token, int64_t now, char email_out[256], struct err *e)
{
	struct token_row t;
	if (token_find(c, "email_verify", token, now, &t, e) || token_use(c, t.id, now, e))
		return -1;
	if (db_exec(c,
		    "UPDATE users SET email_verified_at = $1, updated_at = $1"
		    " WHERE account_id = $2 AND id = $3 AND email_verified_at IS NULL",
		    DB_ARGS(DB_INT(now), DB_INT(t.account_id), DB_INT(t.user_id)), e) < 0)
		return -1;
	copy(email_out, 256, t.email);
	return audit_write(c, t.account_id, t.user_id, 0, "email_verified", "", "", NULL, now, e);
}

/* ---- password reset ---- */

int credentials_request_reset(db_conn *c, const char *email, const char *ip, int64_t now, struct err *e)
{
	db_rows *r;
	if (db_query(c,
		     "SELECT u.id, u.account_id, u.locale FROM users u JOIN accounts a ON a.id = u.account_id"
		     " WHERE u.email = $1 AND u.status = 'active' AND a.state NOT IN ('deleting', 'deleted')",
		     DB_ARGS(DB_TEXT(email)), &r, e) < 0)
		return -1;
	int rc = db_rows_next(r, e);
	int64_t user_id = 0, account_id = 0;
	char locale[3] = "fr";
	if (rc == 1) {
		user_id = db_rows_int(r, 0);
		account_id = db_rows_int(r, 1);
		copy(locale, sizeof(locale), db_rows_text(r, 2));
	}
	db_rows_free(r);
	if (rc <= 0)
		return rc; /* unknown: nothing to do, and the caller answers the same */
	char token[TOKEN_LEN + 1];
	int64_t id;
	if (token_create(c, "password_reset", account_id, user_id, CREDENTIALS_RESET_TTL_S, now, token, &id,
			 e) ||
	    send_link(c, account_id, id, "password_reset", "reset", token, email, locale, e))
		return -1;
	return audit_write(c, account_id, user_id, 0, "password_reset_requested", "", ip, NULL, now, e);
}

int credentials_reset_check(db_conn *c, const char *token, int64_t now, char email_out[256], struct err *e)
{
	struct token_row t;
	if (token_find(c, "password_reset", token, now, &t, e))
		return -1;
	copy(email_out, 256, t.email);
	return 0;
}

int credentials_reset_password(db_conn *c, const char *token, const char *new_hash, const char *ip,
			       int64_t now, struct err *e)
{
	struct token_row t;
	if (token_find(c, "password_reset", token, now, &t, e) || token_use(c, t.id, now, e) ||
	    tokens_retire(c, t.account_id, t.user_id, "password_reset", now, e))
		return -1;
	if (db_exec(c,
		    "UPDATE users SET password_hash = $1, updated_at = $2 WHERE account_id = $3 AND id = $4",
		    DB_ARGS(DB_TEXT(new_hash), DB_INT(now), DB_INT(t.account_id), DB_INT(t.user_id)), e) < 0)
		return -1;
	if (session_end_all(c, t.account_id, t.user_id, 0, e))
		return -1;
	return audit_write(c, t.account_id, t.user_id, 0, "password_reset", "", ip, NULL, now, e);
}

/* ---- own password and e-mail ---- */

int credentials_set_password(db_conn *c, int64_t account_id, int64_t user_id, const char *new_hash,
			     int64_t keep_session_id, const char *ip, int64_t now, struct err *e)
{
	db_rows *r;
	if (db_query(c, "SELECT email, locale FROM users WHERE account_id = $1 AND id = $2",
		     DB_ARGS(DB_INT(account_id), DB_INT(user_id)), &r, e) < 0)
		return -1;
	int rc = db_rows_next(r, e);
	char email[256] = "", locale[3] = "fr";
	if (rc == 1) {
		copy(email, sizeof(email), db_rows_text(r, 0));
		copy(locale, sizeof(locale), db_rows_text(r, 1));
	}
	db_rows_free(r);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return err_set(e, 404, "not_found", NULL, "no such user");
	if (db_exec(c,
		    "UPDATE users SET password_hash = $1, updated_at = $2 WHERE account_id = $3 AND id = $4",
		    DB_ARGS(DB_TEXT(new_hash), DB_INT(now), DB_INT(account_id), DB_INT(user_id)), e) < 0)
		return -1;
	if (session_end_all(c, account_id, user_id, keep_session_id, e) ||
	    tokens_retire(c, account_id, user_id, "password_reset", now, e) ||
	    audit_write(c, account_id, user_id, 0, "password_changed", "", ip, NULL, now, e))
		return -1;
	char ref[48];
	snprintf(ref, sizeof(ref), "user:%" PRId64, user_id);
	return send_mail(c, account_id, "password_changed", ref, now, email, locale,
			 json_pack("{s:s}", "email", email), e);
}

int credentials_change_email(db_conn *c, int64_t account_id, int64_t user_id, const char *old_email,
			     const char *new_email, const char *locale, const char *ip, int64_t now,
			     struct err *e)
{
	if (!strcmp(old_email, new_email))
		return 0;
	int n = db_exec(c,
			"UPDATE users SET email = $1, email_verified_at = NULL, updated_at = $2"
			" WHERE account_id = $3 AND id = $4",
			DB_ARGS(DB_TEXT(new_email), DB_INT(now), DB_INT(account_id), DB_INT(user_id)), e);
	if (n == DB_CONFLICT && !strcmp(db_conflict_name(c), "users_email"))
		return err_set(e, 409, "email_taken", "email", "this e-mail address cannot be used");
	if (n < 0)
		return -1;
	if (n == 0)
		return err_set(e, 404, "not_found", NULL, "no such user");
	if (credentials_send_verification(c, account_id, user_id, new_email, locale, now, e))
		return -1;
	char ref[48];
	snprintf(ref, sizeof(ref), "user:%" PRId64, user_id);
	if (send_mail(c, account_id, "email_changed", ref, now, old_email, locale,
		      json_pack("{s:s}", "new_email", new_email), e))
		return -1;
	return audit_write(c, account_id, user_id, 0, "email_changed", "", ip, NULL, now, e);
}

/* ---- audit purge ---- */

int credentials_audit_purge(db_conn *c, int64_t now, struct err *e)
{
	int n = db_exec(c, "DELETE FROM audit_log WHERE at < $1",
			DB_ARGS(DB_INT(now - CREDENTIALS_AUDIT_KEEP_S)), e);
	return n < 0 ? -1 : n;
}

/* Enqueues the purge of the day that contains `at` (run at 03:00 UTC that day, or at `at`
 * when later). */
static int enqueue_purge(db_conn *c, int64_t at, int64_t not_before, struct err *e)
{
	int64_t day = at / DAY_S;
	int64_t run_at = day * DAY_S + PURGE_HOUR_UTC * 3600;
	if (run_at < not_before)
		run_at = not_before;
	char key[64];
	snprintf(key, sizeof(key), "audit.purge:%" PRId64, day);
	struct job_spec s = {.kind = "audit.purge", .unique_key = key, .run_at = run_at};
	return jobs_enqueue(c, &s, e) < 0 ? -1 : 0;
}

struct purge_ctx {
	int64_t now;
	int deleted;
};

static int purge_tx(db_conn *c, void *ctx, struct err *e)
{
	struct purge_ctx *p = ctx;
	int n = credentials_audit_purge(c, p->now, e);
	if (n < 0)
		return -1;
	p->deleted = n;
	return enqueue_purge(c, p->now + DAY_S, 0, e);
}

static enum job_result purge_job(db *d, const struct job *j, struct err *e)
{
	struct purge_ctx p = {.now = j->now};
	if (db_transact(d, purge_tx, &p, e))
		return JOB_RETRY;
	if (p.deleted)
		log_info("audit.purge: %d entries older than 12 months deleted", p.deleted);
	return JOB_DONE;
}

void credentials_register_jobs(void)
{
	jobs_register("audit.purge", purge_job, 0);
}

static int schedule_tx(db_conn *c, void *ctx, struct err *e)
{
	int64_t now = *(int64_t *)ctx;
	return enqueue_purge(c, now, now, e);
}

int credentials_schedule_purge(db *d, int64_t now, struct err *e)
{
	return db_transact(d, schedule_tx, &now, e);
}
