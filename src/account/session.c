/* Sessions: a 256-bit random token in the cookie, its SHA-256 in the store. */
#include <stdio.h>
#include <string.h>

#include "account/account.h"
#include "base/token.h"
#include "base/banned.h"

int session_create(db_conn *c, int64_t account_id, int64_t user_id, int64_t now, const char *ip,
		   const char *user_agent, char token_out[SESSION_TOKEN_SIZE], char csrf_out[48],
		   struct err *e)
{
	char hash[65], ua[256];
	token_new(token_out);
	token_new(csrf_out);
	token_hash(token_out, hash);
	snprintf(ua, sizeof(ua), "%s", user_agent ? user_agent : "");
	int rc = db_exec(
		c,
		"INSERT INTO sessions (token_hash, account_id, user_id, csrf_token, created_at,"
		" last_seen_at, expires_at, ip, user_agent) VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8)",
		DB_ARGS(DB_TEXT(hash), DB_INT(account_id), DB_INT(user_id), DB_TEXT(csrf_out), DB_INT(now),
			DB_INT(now + SESSION_ABSOLUTE_S), DB_TEXT(ip ? ip : ""), DB_TEXT(ua)),
		e);
	return rc < 0 ? -1 : 0;
}

static void copy(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

static void fill_principal(db_rows *r, struct principal *p)
{
	memset(p, 0, sizeof(*p));
	p->kind = PRINCIPAL_USER;
	p->session_id = db_rows_int(r, 0);
	copy(p->csrf_token, sizeof(p->csrf_token), db_rows_text(r, 1));
	p->user_id = db_rows_int(r, 4);
	copy(p->user_public_id, sizeof(p->user_public_id), db_rows_text(r, 5));
	copy(p->email, sizeof(p->email), db_rows_text(r, 6));
	copy(p->user_name, sizeof(p->user_name), db_rows_text(r, 7));
	copy(p->user_locale, sizeof(p->user_locale), db_rows_text(r, 8));
	p->role = role_parse(db_rows_text(r, 9)) == ROLE_OWNER ? ROLE_OWNER : ROLE_STAFF;
	struct account *a = &p->account;
	a->id = db_rows_int(r, 10);
	copy(a->public_id, sizeof(a->public_id), db_rows_text(r, 11));
	copy(a->name, sizeof(a->name), db_rows_text(r, 12));
	copy(a->slug, sizeof(a->slug), db_rows_text(r, 13));
	copy(a->business_type, sizeof(a->business_type), db_rows_text(r, 14));
	const struct plan *pl = plan_by_code(db_rows_text(r, 15));
	a->plan = pl ? pl->id : PLAN_ESSENTIEL;
	int st = account_state_parse(db_rows_text(r, 16));
	a->state = st < 0 ? ACCOUNT_DELETED : (enum account_state)st;
	copy(a->state_reason, sizeof(a->state_reason), db_rows_text(r, 17));
	a->trial_ends_at = db_rows_is_null(r, 18) ? 0 : db_rows_int(r, 18);
	copy(a->time_zone, sizeof(a->time_zone), db_rows_text(r, 19));
	copy(a->locale, sizeof(a->locale), db_rows_text(r, 20));
	a->has_demo = (int)db_rows_int(r, 21);
}

int session_lookup(db *d, const char *token, int64_t now, struct principal *p, struct err *e)
{
	char hash[65];
	if (!token_well_formed(token))
		return 0;
	token_hash(token, hash);
	db_conn *c;
	db_rows *r;
	if (db_acquire(d, &c, e))
		return -1;
	int rc = db_query(
		c,
		"SELECT s.id, s.csrf_token, s.last_seen_at, s.expires_at,"
		" u.id, u.public_id, u.email, u.name, u.locale, u.role,"
		" a.id, a.public_id, a.name, a.slug, a.business_type, a.plan, a.state, a.state_reason,"
		" a.trial_ends_at, a.time_zone, a.locale, a.has_demo"
		" FROM sessions s JOIN users u ON u.account_id = s.account_id AND u.id = s.user_id"
		" JOIN accounts a ON a.id = s.account_id"
		" WHERE s.token_hash = $1 AND u.status = 'active'",
		DB_ARGS(DB_TEXT(hash)), &r, e);
	if (rc) {
		db_release(c);
		return -1;
	}
	int found = db_rows_next(r, e);
	int64_t last_seen = 0, expires = 0;
	if (found == 1) {
		last_seen = db_rows_int(r, 2);
		expires = db_rows_int(r, 3);
		fill_principal(r, p);
	}
	db_rows_free(r);
	if (found == 1 && (now >= expires || now - last_seen >= SESSION_IDLE_S ||
			   p->account.state == ACCOUNT_DELETING || p->account.state == ACCOUNT_DELETED))
		found = 0;
	/* last_seen_at moves at most once a minute: nothing written on every request */
	if (found == 1 && now - last_seen >= 60 &&
	    db_exec(c, "UPDATE sessions SET last_seen_at = $2 WHERE id = $1",
		    DB_ARGS(DB_INT(p->session_id), DB_INT(now)), e) < 0)
		found = -1;
	db_release(c);
	if (found != 1)
		memset(p, 0, sizeof(*p));
	return found;
}

int session_end(db_conn *c, int64_t session_id, struct err *e)
{
	return db_exec(c, "DELETE FROM sessions WHERE id = $1", DB_ARGS(DB_INT(session_id)), e) < 0 ? -1 : 0;
}

int session_end_all(db_conn *c, int64_t account_id, int64_t user_id, int64_t keep_session_id, struct err *e)
{
	return db_exec(c, "DELETE FROM sessions WHERE account_id = $1 AND user_id = $2 AND id <> $3",
		       DB_ARGS(DB_INT(account_id), DB_INT(user_id), DB_INT(keep_session_id)), e) < 0
		       ? -1
		       : 0;
}

int ops_session_create(db_conn *c, int64_t operator_id, int64_t now, const char *ip,
		       char token_out[SESSION_TOKEN_SIZE], char csrf_out[48], struct err *e)
{
	char hash[65];
	token_new(token_out);
	token_new(csrf_out);
	token_hash(token_out, hash);
	int rc = db_exec(c,
			 "INSERT INTO operator_sessions (token_hash, operator_id, csrf_token, created_at,"
			 " last_seen_at, expires_at, ip) VALUES ($1, $2, $3, $4, $4, $5, $6)",
			 DB_ARGS(DB_TEXT(hash), DB_INT(operator_id), DB_TEXT(csrf_out), DB_INT(now),
				 DB_INT(now + OPS_SESSION_ABSOLUTE_S), DB_TEXT(ip ? ip : "")),
			 e);
	return rc < 0 ? -1 : 0;
}

int ops_session_lookup(db *d, const char *token, int64_t now, struct principal *p, struct err *e)
{
	char hash[65];
	if (!token_well_formed(token))
		return 0;
	token_hash(token, hash);
	db_conn *c;
	db_rows *r;
	if (db_acquire(d, &c, e))
		return -1;
	if (db_query(c,
		     "SELECT s.id, s.csrf_token, s.last_seen_at, s.expires_at, o.id, o.email, o.name"
		     " FROM operator_sessions s JOIN operators o ON o.id = s.operator_id WHERE s.token_hash "
		     "= $1",
		     DB_ARGS(DB_TEXT(hash)), &r, e)) {
		db_release(c);
		return -1;
	}
	int found = db_rows_next(r, e);
	if (found == 1) {
		memset(p, 0, sizeof(*p));
		p->kind = PRINCIPAL_OPERATOR;
		p->session_id = db_rows_int(r, 0);
		copy(p->csrf_token, sizeof(p->csrf_token), db_rows_text(r, 1));
		int64_t last_seen = db_rows_int(r, 2), expires = db_rows_int(r, 3);
		p->operator_id = db_rows_int(r, 4);
		copy(p->email, sizeof(p->email), db_rows_text(r, 5));
		copy(p->user_name, sizeof(p->user_name), db_rows_text(r, 6));
		if (now >= expires || now - last_seen >= OPS_SESSION_IDLE_S)
			found = 0;
		else if (now - last_seen >= 60)
			found = -2; /* refresh below, after the rows are released */
	}
	db_rows_free(r);
	if (found == -2)
		found = db_exec(c, "UPDATE operator_sessions SET last_seen_at = $2 WHERE id = $1",
				DB_ARGS(DB_INT(p->session_id), DB_INT(now)), e) < 0
				? -1
				: 1;
	db_release(c);
	if (found != 1)
		memset(p, 0, sizeof(*p));
	return found;
}

int ops_session_end(db_conn *c, int64_t session_id, struct err *e)
{
	return db_exec(c, "DELETE FROM operator_sessions WHERE id = $1", DB_ARGS(DB_INT(session_id)), e) < 0
		       ? -1
		       : 0;
}
