/* feeds — see feeds.h. */
#include "data/feeds.h"

#include <stdio.h>
#include <string.h>

#include "account/account.h"
#include "base/banned.h"

int feeds_create(db_conn *c, int64_t account_id, const char *staff_public_id, int64_t user_id, int64_t now,
		 char id_out[24], char token_out[TOKEN_LEN + 1], struct err *e)
{
	int64_t staff_id = 0, live = 0;
	int has = db_query_int(c, "SELECT id FROM staff WHERE account_id = $1 AND public_id = $2",
			       DB_ARGS(DB_INT(account_id), DB_TEXT(staff_public_id)), &staff_id, e);
	if (has <= 0)
		return has < 0 ? -1
			       : err_set(e, 404, "not_found", "staff",
					 "no such staff member in this account");
	if (db_query_int(c,
			 "SELECT COUNT(*) FROM staff_feeds WHERE account_id = $1 AND staff_id = $2"
			 " AND revoked_at IS NULL",
			 DB_ARGS(DB_INT(account_id), DB_INT(staff_id)), &live, e) < 0)
		return -1;
	if (live >= FEEDS_PER_STAFF_MAX)
		return err_set(e, 409, "too_many_feeds", "staff",
			       "this staff member already has %d calendar links: revoke one first",
			       FEEDS_PER_STAFF_MAX);
	char hash[TOKEN_HASH_LEN + 1];
	token_new(token_out);
	token_hash(token_out, hash);
	public_id_new("fd", id_out);
	return db_exec(c,
		       "INSERT INTO staff_feeds (account_id, staff_id, public_id, token_hash, created_by,"
		       " created_at) VALUES ($1, $2, $3, $4, $5, $6)",
		       DB_ARGS(DB_INT(account_id), DB_INT(staff_id), DB_TEXT(id_out), DB_TEXT(hash),
			       user_id ? DB_INT(user_id) : DB_NULL, DB_INT(now)),
		       e) < 0
		       ? -1
		       : 0;
}

int feeds_revoke(db_conn *c, int64_t account_id, const char *feed_public_id, int64_t now, struct err *e)
{
	int n = db_exec(c,
			"UPDATE staff_feeds SET revoked_at = $3 WHERE account_id = $1 AND public_id = $2"
			" AND revoked_at IS NULL",
			DB_ARGS(DB_INT(account_id), DB_TEXT(feed_public_id), DB_INT(now)), e);
	if (n < 0)
		return -1;
	return n ? 0 : err_set(e, 404, "not_found", NULL, "no such calendar link");
}

int feeds_list(db_conn *c, int64_t account_id, json_t **out, struct err *e)
{
	*out = NULL;
	db_rows *r;
	if (db_query(c,
		     "SELECT f.public_id, s.public_id, s.name, f.created_at FROM staff_feeds f"
		     " JOIN staff s ON s.account_id = f.account_id AND s.id = f.staff_id"
		     " WHERE f.account_id = $1 AND f.revoked_at IS NULL ORDER BY f.id LIMIT 1000",
		     DB_ARGS(DB_INT(account_id)), &r, e))
		return -1;
	json_t *list = json_array();
	int rc;
	while ((rc = db_rows_next(r, e)) == 1)
		json_array_append_new(list,
				      json_pack("{s:s, s:{s:s, s:s}, s:I}", "id", db_rows_text(r, 0), "staff",
						"id", db_rows_text(r, 1), "name", db_rows_text(r, 2),
						"created_at", (json_int_t)db_rows_int(r, 3)));
	db_rows_free(r);
	if (rc < 0) {
		json_decref(list);
		return -1;
	}
	*out = list;
	return 0;
}

int feeds_resolve(db_conn *c, const char *token, int64_t *account_id, int64_t *staff_id, struct err *e)
{
	if (!token_well_formed(token))
		return 0;
	char hash[TOKEN_HASH_LEN + 1];
	token_hash(token, hash);
	db_rows *r;
	if (db_query(c,
		     "SELECT account_id, staff_id FROM staff_feeds WHERE token_hash = $1 AND revoked_at IS "
		     "NULL",
		     DB_ARGS(DB_TEXT(hash)), &r, e))
		return -1;
	int rc = db_rows_next(r, e);
	if (rc == 1) {
		*account_id = db_rows_int(r, 0);
		*staff_id = db_rows_int(r, 1);
	}
	db_rows_free(r);
	return rc;
}
