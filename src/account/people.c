/* People of an account: invitations, roles, removal (see people.h). */
#include "account/people.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "base/token.h"
#include "notify/notify.h"
#include "base/banned.h"

int principal_is_owner(const struct principal *p)
{
	return p && p->kind == PRINCIPAL_USER && p->role == ROLE_OWNER;
}

int principal_may_touch_user(const struct principal *p, int64_t user_id, struct err *e)
{
	if (principal_is_owner(p) || (p && p->kind == PRINCIPAL_USER && p->user_id == user_id))
		return 0;
	return err_set(e, 403, "forbidden", NULL, "staff may only touch their own records");
}

static void copy(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

#define PERSON_COLUMNS "id, public_id, email, name, role, status, created_at"

static void read_person(db_rows *r, struct person *p)
{
	memset(p, 0, sizeof(*p));
	p->id = db_rows_int(r, 0);
	copy(p->public_id, sizeof(p->public_id), db_rows_text(r, 1));
	copy(p->email, sizeof(p->email), db_rows_text(r, 2));
	copy(p->name, sizeof(p->name), db_rows_text(r, 3));
	p->role = role_parse(db_rows_text(r, 4)) == ROLE_OWNER ? ROLE_OWNER : ROLE_STAFF;
	copy(p->status, sizeof(p->status), db_rows_text(r, 5));
	p->created_at = db_rows_int(r, 6);
}

int people_list(db_conn *c, int64_t account_id, void (*each)(void *ctx, const struct person *p), void *ctx,
		struct err *e)
{
	db_rows *r;
	if (db_query(c,
		     "SELECT " PERSON_COLUMNS " FROM users WHERE account_id = $1 AND status <> 'removed'"
		     " ORDER BY CASE role WHEN 'owner' THEN 0 ELSE 1 END, name, id LIMIT $2",
		     DB_ARGS(DB_INT(account_id), DB_INT(PEOPLE_LIST_MAX)), &r, e))
		return -1;
	int rc;
	while ((rc = db_rows_next(r, e)) == 1) {
		struct person p;
		read_person(r, &p);
		each(ctx, &p);
	}
	db_rows_free(r);
	return rc < 0 ? -1 : 0;
}

/* Reads a person of the account who is not removed: 1 found, 0 not, negative on error. */
static int find_person(db_conn *c, int64_t account_id, const char *public_id, struct person *out,
		       struct err *e)
{
	db_rows *r;
	if (db_query(c,
		     "SELECT " PERSON_COLUMNS " FROM users"
		     " WHERE account_id = $1 AND public_id = $2 AND status <> 'removed'",
		     DB_ARGS(DB_INT(account_id), DB_TEXT(public_id)), &r, e))
		return -1;
	int rc = db_rows_next(r, e);
	if (rc == 1)
		read_person(r, out);
	db_rows_free(r);
	return rc;
}

static int not_found(struct err *e)
{
	return err_set(e, 404, "not_found", NULL, "no such person in this account");
}

/* Takes the account's row lock (PostgreSQL; SQLite has one writer anyway) so two concurrent
 * demotions cannot both see the other owner still there. */
static int lock_account(db_conn *c, int64_t account_id, struct err *e)
{
	return db_exec(c, "UPDATE accounts SET version = version WHERE id = $1", DB_ARGS(DB_INT(account_id)),
		       e) < 0
		       ? -1
		       : 0;
}

/* 422 last_owner when the account has no active owner other than user_id. */
static int check_other_owner(db_conn *c, int64_t account_id, int64_t user_id, struct err *e)
{
	int64_t others = 0;
	if (db_query_int(c,
			 "SELECT count(*) FROM users WHERE account_id = $1 AND id <> $2"
			 " AND role = 'owner' AND status = 'active'",
			 DB_ARGS(DB_INT(account_id), DB_INT(user_id)), &others, e) < 0)
		return -1;
	if (others < 1)
		return err_set(e, 422, "last_owner", NULL,
			       "the account needs at least one owner: make someone else owner first");
	return 0;
}

static int write_invitation_mail(db_conn *c, const struct principal *by, const struct person *p,
				 const char *token, const char *public_url, struct err *e)
{
	char link[512];
	const char *base = public_url ? public_url : "";
	size_t blen = strlen(base);
	while (blen && base[blen - 1] == '/')
		blen--;
	snprintf(link, sizeof(link), "%.*s/invitation?token=%s", (int)blen, base, token);
	char subject_ref[64];
	snprintf(subject_ref, sizeof(subject_ref), "user:%lld", (long long)p->id);
	json_t *vars =
		json_pack("{s:s, s:s, s:s, s:s, s:i}", "name", p->name[0] ? p->name : p->email, "business",
			  by->account.name, "inviter", by->user_name[0] ? by->user_name : by->email, "link",
			  link, "days", PEOPLE_INVITATION_TTL_S / 86400);
	struct outbox_email m = {
		.account_id = by->account.id,
		.kind = "invitation",
		.subject_ref = subject_ref,
		.version = 1,
		.to = p->email,
		.locale = by->account.locale,
		.vars = vars,
	};
	int rc = outbox_email(c, &m, e);
	json_decref(vars);
	return rc < 0 ? -1 : 0;
}

int people_invite(db_conn *c, const struct principal *by, const char *email, const char *name, enum role role,
		  const char *public_url, const char *ip, int64_t now, struct person *out, struct err *e)
{
	struct person p = {0};
	public_id_new("usr", p.public_id);
	copy(p.email, sizeof(p.email), email);
	copy(p.name, sizeof(p.name), name);
	p.role = role;
	copy(p.status, sizeof(p.status), "invited");
	p.created_at = now;
	const char *locale = by->account.locale[0] ? by->account.locale : "fr";
	db_rows *r;
	int rc = db_query(c,
			  "INSERT INTO users (account_id, public_id, email, name, role, locale, status,"
			  " created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'invited', $7, $7)"
			  " RETURNING id",
			  DB_ARGS(DB_INT(by->account.id), DB_TEXT(p.public_id), DB_TEXT(p.email),
				  DB_TEXT(p.name), DB_TEXT(role_code(role)), DB_TEXT(locale), DB_INT(now)),
			  &r, e);
	if (rc == DB_CONFLICT && !strcmp(db_conflict_name(c), "users_email"))
		return err_set(e, 409, "email_taken", "email", "this e-mail address already has a user");
	if (rc)
		return -1;
	rc = db_rows_next(r, e);
	if (rc == 1)
		p.id = db_rows_int(r, 0);
	db_rows_free(r);
	if (rc != 1)
		return rc < 0 ? -1 : err_internal(e, "INSERT users returned no id");

	char token[TOKEN_LEN + 1], hash[TOKEN_HASH_LEN + 1];
	token_new(token);
	token_hash(token, hash);
	if (db_exec(c,
		    "INSERT INTO user_tokens (kind, token_hash, account_id, user_id, expires_at, created_at)"
		    " VALUES ('invitation', $1, $2, $3, $4, $5)",
		    DB_ARGS(DB_TEXT(hash), DB_INT(by->account.id), DB_INT(p.id),
			    DB_INT(now + PEOPLE_INVITATION_TTL_S), DB_INT(now)),
		    e) < 0)
		return -1;
	if (write_invitation_mail(c, by, &p, token, public_url, e))
		return -1;
	char detail[64];
	snprintf(detail, sizeof(detail), "{\"role\":\"%s\"}", role_code(role));
	if (audit_write(c, by->account.id, by->user_id, 0, "invitation_sent", p.public_id, ip, detail, now,
			e))
		return -1;
	*out = p;
	return 0;
}

int people_update(db_conn *c, const struct principal *by, const char *public_id, int role, const char *name,
		  const char *ip, int64_t now, struct person *out, struct err *e)
{
	int64_t account_id = by->account.id;
	struct person p;
	if (lock_account(c, account_id, e))
		return -1;
	int rc = find_person(c, account_id, public_id, &p, e);
	if (rc <= 0)
		return rc < 0 ? -1 : not_found(e);
	int role_changes = role >= 0 && (enum role)role != p.role;
	if (role_changes && p.role == ROLE_OWNER && !strcmp(p.status, "active") &&
	    check_other_owner(c, account_id, p.id, e))
		return -1;
	if (role_changes) {
		if (db_exec(c,
			    "UPDATE users SET role = $3, updated_at = $4 WHERE account_id = $1 AND id = $2",
			    DB_ARGS(DB_INT(account_id), DB_INT(p.id), DB_TEXT(role_code((enum role)role)),
				    DB_INT(now)),
			    e) < 0)
			return -1;
		char detail[64];
		snprintf(detail, sizeof(detail), "{\"from\":\"%s\",\"to\":\"%s\"}", role_code(p.role),
			 role_code((enum role)role));
		if (audit_write(c, account_id, by->user_id, 0, "role_changed", p.public_id, ip, detail, now,
				e))
			return -1;
		p.role = (enum role)role;
	}
	if (name &&
	    db_exec(c, "UPDATE users SET name = $3, updated_at = $4 WHERE account_id = $1 AND id = $2",
		    DB_ARGS(DB_INT(account_id), DB_INT(p.id), DB_TEXT(name), DB_INT(now)), e) < 0)
		return -1;
	if (name)
		copy(p.name, sizeof(p.name), name);
	*out = p;
	return 0;
}

int people_remove(db_conn *c, const struct principal *by, const char *public_id, const char *ip, int64_t now,
		  struct err *e)
{
	int64_t account_id = by->account.id;
	struct person p;
	if (lock_account(c, account_id, e))
		return -1;
	int rc = find_person(c, account_id, public_id, &p, e);
	if (rc <= 0)
		return rc < 0 ? -1 : not_found(e);
	if (p.role == ROLE_OWNER && !strcmp(p.status, "active") && check_other_owner(c, account_id, p.id, e))
		return -1;
	/* the address is freed: one e-mail is one user, and a person who left may join elsewhere */
	char freed[64];
	snprintf(freed, sizeof(freed), "%s@removed.invalid", p.public_id);
	if (db_exec(c,
		    "UPDATE users SET status = 'removed', email = $3, password_hash = NULL, updated_at = $4"
		    " WHERE account_id = $1 AND id = $2",
		    DB_ARGS(DB_INT(account_id), DB_INT(p.id), DB_TEXT(freed), DB_INT(now)), e) < 0 ||
	    session_end_all(c, account_id, p.id, 0, e) ||
	    db_exec(c,
		    "UPDATE user_tokens SET used_at = $3 WHERE account_id = $1 AND user_id = $2"
		    " AND used_at IS NULL",
		    DB_ARGS(DB_INT(account_id), DB_INT(p.id), DB_INT(now)), e) < 0)
		return -1;
	return audit_write(c, account_id, by->user_id, 0, "user_removed", p.public_id, ip, NULL, now, e);
}

static int invalid_token(struct err *e)
{
	return err_set(e, 400, "invalid_token", "token",
		       "this invitation link is unknown, expired or already used");
}

int people_invitation_find(db_conn *c, const char *token, int64_t now, struct invitation *out, struct err *e)
{
	if (!token_well_formed(token))
		return invalid_token(e);
	char hash[TOKEN_HASH_LEN + 1];
	token_hash(token, hash);
	db_rows *r;
	if (db_query(c,
		     "SELECT t.account_id, t.user_id, u.email, u.locale FROM user_tokens t"
		     " JOIN users u ON u.account_id = t.account_id AND u.id = t.user_id"
		     " WHERE t.token_hash = $1 AND t.kind = 'invitation' AND t.used_at IS NULL"
		     " AND t.expires_at > $2 AND u.status = 'invited'",
		     DB_ARGS(DB_TEXT(hash), DB_INT(now)), &r, e))
		return -1;
	int rc = db_rows_next(r, e);
	if (rc == 1) {
		memset(out, 0, sizeof(*out));
		out->account_id = db_rows_int(r, 0);
		out->user_id = db_rows_int(r, 1);
		copy(out->email, sizeof(out->email), db_rows_text(r, 2));
		copy(out->locale, sizeof(out->locale), db_rows_text(r, 3));
	}
	db_rows_free(r);
	if (rc < 0)
		return -1;
	return rc == 1 ? 1 : invalid_token(e);
}

int people_invitation_accept(db_conn *c, const char *token, const char *password_hash, const char *name,
			     const char *ip, int64_t now, struct invitation *out, struct err *e)
{
	if (people_invitation_find(c, token, now, out, e) != 1)
		return -1;
	char hash[TOKEN_HASH_LEN + 1];
	token_hash(token, hash);
	/* spending the token is the guard against a second acceptance running concurrently */
	int rc = db_exec(c,
			 "UPDATE user_tokens SET used_at = $2 WHERE token_hash = $1 AND kind = 'invitation'"
			 " AND used_at IS NULL",
			 DB_ARGS(DB_TEXT(hash), DB_INT(now)), e);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return invalid_token(e);
	rc = db_exec(c,
		     "UPDATE users SET password_hash = $3, status = 'active', email_verified_at = $4,"
		     " name = CASE WHEN $5 = '' THEN name ELSE $5 END, updated_at = $4"
		     " WHERE account_id = $1 AND id = $2 AND status = 'invited'",
		     DB_ARGS(DB_INT(out->account_id), DB_INT(out->user_id), DB_TEXT(password_hash),
			     DB_INT(now), DB_TEXT(name ? name : "")),
		     e);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return invalid_token(e);
	return audit_write(c, out->account_id, out->user_id, 0, "invitation_accepted", "", ip, NULL, now, e);
}
