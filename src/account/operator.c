/* Platform operators: creation, TOTP through liboath, log-in (see operator.h). */
#include "account/operator.h"

#include <liboath/oath.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account/password.h"
#include "base/log.h"
#include "base/token.h"
#include "base/banned.h"

static pthread_once_t oath_once = PTHREAD_ONCE_INIT;
static int oath_ready;

static void oath_start(void)
{
	oath_ready = oath_init() == OATH_OK;
}

static void copy(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

void operator_totp_secret_new(char out[OPERATOR_SECRET_B32_SIZE])
{
	unsigned char raw[OPERATOR_SECRET_BYTES];
	char *b32 = NULL;
	size_t len = 0;
	rand_bytes(raw, sizeof(raw));
	pthread_once(&oath_once, oath_start);
	/* 20 bytes make 32 base32 characters, no padding; liboath fails only out of memory */
	if (oath_base32_encode((const char *)raw, sizeof(raw), &b32, &len) != OATH_OK ||
	    len >= OPERATOR_SECRET_B32_SIZE)
		abort();
	memcpy(out, b32, len);
	out[len] = '\0';
	sodium_memzero(b32, len);
	free(b32);
	sodium_memzero(raw, sizeof(raw));
}

static void percent_encode(const char *in, char *out, size_t cap)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;
	for (; *in && o + 4 < cap; in++) {
		unsigned char ch = (unsigned char)*in;
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		    strchr("-._~", ch)) {
			out[o++] = (char)ch;
		} else {
			out[o++] = '%';
			out[o++] = hex[ch >> 4];
			out[o++] = hex[ch & 15];
		}
	}
	out[o] = '\0';
}

void operator_otpauth_uri(const char *email, const char *secret_b32, char out[OPERATOR_URI_SIZE])
{
	char issuer[32], label[300];
	percent_encode("Créneau", issuer, sizeof(issuer));
	percent_encode(email, label, sizeof(label));
	snprintf(out, OPERATOR_URI_SIZE,
		 "otpauth://totp/%s:%s?secret=%s&issuer=%s&algorithm=SHA1&digits=%d&period=%d", issuer, label,
		 secret_b32, issuer, OPERATOR_TOTP_DIGITS, OPERATOR_TOTP_STEP_S);
}

int operator_totp_check(const char *secret_b32, const char *code, int64_t now, int64_t *step, struct err *e)
{
	if (strlen(code) != OPERATOR_TOTP_DIGITS || strspn(code, "0123456789") != OPERATOR_TOTP_DIGITS)
		return 0;
	pthread_once(&oath_once, oath_start);
	if (!oath_ready)
		return err_internal(e, "liboath did not initialise");
	char *secret = NULL;
	size_t secret_len = 0;
	if (oath_base32_decode(secret_b32, strlen(secret_b32), &secret, &secret_len) != OATH_OK)
		return err_internal(e, "an operator's TOTP secret is not base32");
	int pos = 0;
	int rc = oath_totp_validate2(secret, secret_len, (time_t)now, OPERATOR_TOTP_STEP_S,
				     OATH_TOTP_DEFAULT_START_TIME, 1, &pos, code);
	sodium_memzero(secret, secret_len);
	free(secret);
	if (rc < 0)
		return 0;
	*step = now / OPERATOR_TOTP_STEP_S + pos;
	return 1;
}

struct create_ctx {
	const char *email, *name, *hash, *secret;
	int64_t now;
};

static int create_tx(db_conn *c, void *ctx, struct err *e)
{
	struct create_ctx *x = ctx;
	char public_id[24];
	public_id_new("opr", public_id);
	db_rows *r;
	int rc = db_query(c,
			  "INSERT INTO operators (public_id, email, name, password_hash, totp_secret,"
			  " created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
			  DB_ARGS(DB_TEXT(public_id), DB_TEXT(x->email), DB_TEXT(x->name), DB_TEXT(x->hash),
				  DB_TEXT(x->secret), DB_INT(x->now)),
			  &r, e);
	if (rc == DB_CONFLICT && !strcmp(db_conflict_name(c), "operators_email"))
		return err_set(e, 409, "email_taken", "email", "an operator already has this e-mail address");
	if (rc)
		return -1;
	int64_t id = 0;
	rc = db_rows_next(r, e);
	if (rc == 1)
		id = db_rows_int(r, 0);
	db_rows_free(r);
	if (rc != 1)
		return rc < 0 ? -1 : err_internal(e, "INSERT operators returned no id");
	return audit_write(c, 0, 0, id, "operator_created", public_id, "", NULL, x->now, e);
}

int operator_create(db *d, const char *email, const char *name, const char *password, int64_t now,
		    char secret_out[OPERATOR_SECRET_B32_SIZE], struct err *e)
{
	char hash[PASSWORD_HASH_SIZE];
	if (password_policy_check(password, email, "password", e) || password_hash(password, hash, e))
		return -1;
	operator_totp_secret_new(secret_out);
	struct create_ctx x = {email, name ? name : "", hash, secret_out, now};
	return db_transact(d, create_tx, &x, e);
}

/* An operator as log-in reads it. */
struct operator_cred {
	struct operator_info info;
	char password_hash[PASSWORD_HASH_SIZE];
	char totp_secret[OPERATOR_SECRET_B32_SIZE + 24];
};

static int find_by_email(db *d, const char *email, struct operator_cred *out, struct err *e)
{
	db_conn *c;
	db_rows *r;
	if (db_acquire(d, &c, e))
		return -1;
	if (db_query(c,
		     "SELECT id, public_id, email, name, password_hash, totp_secret FROM operators"
		     " WHERE email = $1",
		     DB_ARGS(DB_TEXT(email)), &r, e)) {
		db_release(c);
		return -1;
	}
	int rc = db_rows_next(r, e);
	if (rc == 1) {
		out->info.id = db_rows_int(r, 0);
		copy(out->info.public_id, sizeof(out->info.public_id), db_rows_text(r, 1));
		copy(out->info.email, sizeof(out->info.email), db_rows_text(r, 2));
		copy(out->info.name, sizeof(out->info.name), db_rows_text(r, 3));
		copy(out->password_hash, sizeof(out->password_hash), db_rows_text(r, 4));
		copy(out->totp_secret, sizeof(out->totp_secret), db_rows_text(r, 5));
	}
	db_rows_free(r);
	db_release(c);
	return rc;
}

struct login_ctx {
	int64_t operator_id, step, now;
	const char *ip;
	char *token, *csrf;
	int replayed;
};

static int login_tx(db_conn *c, void *ctx, struct err *e)
{
	struct login_ctx *x = ctx;
	/* the step moves forward only: the same code, or an older one, never logs in twice */
	int rc = db_exec(c, "UPDATE operators SET totp_last_step = $2 WHERE id = $1 AND totp_last_step < $2",
			 DB_ARGS(DB_INT(x->operator_id), DB_INT(x->step)), e);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		x->replayed = 1;
		return err_set(e, 401, "invalid_credentials", NULL, "wrong e-mail, password or code");
	}
	if (ops_session_create(c, x->operator_id, x->now, x->ip, x->token, x->csrf, e))
		return -1;
	return audit_write(c, 0, 0, x->operator_id, "operator_login", "", x->ip, NULL, x->now, e);
}

struct failed_ctx {
	int64_t operator_id, now;
	const char *ip;
};

static int failed_tx(db_conn *c, void *ctx, struct err *e)
{
	struct failed_ctx *x = ctx;
	return audit_write(c, 0, 0, x->operator_id, "operator_login_failed", "", x->ip, NULL, x->now, e);
}

static int login_failed(db *d, int64_t operator_id, const char *ip, int64_t now, struct err *e)
{
	struct failed_ctx x = {operator_id, now, ip};
	struct err ignored = {0};
	if (db_transact(d, failed_tx, &x, &ignored))
		log_warn("msg=\"operator log-in failure not audited\" error=\"%s\"", ignored.message);
	return err_set(e, 401, "invalid_credentials", NULL, "wrong e-mail, password or code");
}

int operator_login(db *d, const char *email, const char *password, const char *totp, const char *ip,
		   int64_t now, char token_out[SESSION_TOKEN_SIZE], char csrf_out[48],
		   struct operator_info *out, struct err *e)
{
	struct operator_cred cred;
	memset(&cred, 0, sizeof(cred));
	int found = find_by_email(d, email, &cred, e);
	if (found < 0)
		return -1;
	/* the hash is checked even for an unknown address, so both cost the same */
	int ok = password_verify(found ? cred.password_hash : NULL, password, e);
	if (ok < 0)
		return -1;
	int64_t step = 0;
	if (found && ok) {
		ok = operator_totp_check(cred.totp_secret, totp, now, &step, e);
		if (ok < 0)
			return -1;
	}
	sodium_memzero(cred.totp_secret, sizeof(cred.totp_secret));
	if (!found || !ok)
		return login_failed(d, found ? cred.info.id : 0, ip, now, e);
	struct login_ctx x = {cred.info.id, step, now, ip, token_out, csrf_out, 0};
	if (db_transact(d, login_tx, &x, e))
		return x.replayed ? login_failed(d, cred.info.id, ip, now, e) : -1;
	*out = cred.info;
	return 0;
}

int operator_get(db_conn *c, int64_t id, struct operator_info *out, struct err *e)
{
	db_rows *r;
	if (db_query(c, "SELECT id, public_id, email, name FROM operators WHERE id = $1", DB_ARGS(DB_INT(id)),
		     &r, e))
		return -1;
	int rc = db_rows_next(r, e);
	if (rc == 1) {
		memset(out, 0, sizeof(*out));
		out->id = db_rows_int(r, 0);
		copy(out->public_id, sizeof(out->public_id), db_rows_text(r, 1));
		copy(out->email, sizeof(out->email), db_rows_text(r, 2));
		copy(out->name, sizeof(out->name), db_rows_text(r, 3));
	}
	db_rows_free(r);
	return rc;
}

int ops_accounts_list(db_conn *c, const char *q, int64_t after_id, int limit,
		      void (*each)(void *ctx, const struct ops_account_row *row), void *ctx, struct err *e)
{
	char pattern[OPS_ACCOUNT_SEARCH_MAX * 2 + 4] = "";
	if (q && *q)
		db_like_pattern(q, pattern, sizeof(pattern));
	db_rows *r;
	if (db_query(c,
		     "SELECT id, public_id, name, slug, plan, state, created_at FROM accounts"
		     " WHERE id > $1 AND ($3 = '' OR lower(name) LIKE $3 ESCAPE '\\'"
		     " OR lower(slug) LIKE $3 ESCAPE '\\' OR lower(contact_email) LIKE $3 ESCAPE '\\'"
		     " OR public_id = $4) ORDER BY id LIMIT $2",
		     DB_ARGS(DB_INT(after_id), DB_INT(limit), DB_TEXT(pattern), DB_TEXT(q ? q : "")), &r, e))
		return -1;
	int rc, n = 0;
	while ((rc = db_rows_next(r, e)) == 1) {
		struct ops_account_row row;
		memset(&row, 0, sizeof(row));
		row.id = db_rows_int(r, 0);
		copy(row.public_id, sizeof(row.public_id), db_rows_text(r, 1));
		copy(row.name, sizeof(row.name), db_rows_text(r, 2));
		copy(row.slug, sizeof(row.slug), db_rows_text(r, 3));
		copy(row.plan, sizeof(row.plan), db_rows_text(r, 4));
		copy(row.state, sizeof(row.state), db_rows_text(r, 5));
		row.created_at = db_rows_int(r, 6);
		each(ctx, &row);
		n++;
	}
	db_rows_free(r);
	return rc < 0 ? -1 : n;
}
