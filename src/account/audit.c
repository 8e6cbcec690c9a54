/* The audit log: who did what, when, from where — never a secret or a content. */
#include "account/account.h"
#include "base/banned.h"

int audit_write(db_conn *c, int64_t account_id, int64_t user_id, int64_t operator_id, const char *action,
		const char *target, const char *ip, const char *detail, int64_t now, struct err *e)
{
	int rc = db_exec(
		c,
		"INSERT INTO audit_log (account_id, user_id, operator_id, action, target, ip, detail, at)"
		" VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
		DB_ARGS(account_id ? DB_INT(account_id) : DB_NULL, user_id ? DB_INT(user_id) : DB_NULL,
			operator_id ? DB_INT(operator_id) : DB_NULL, DB_TEXT(action),
			DB_TEXT(target ? target : ""), DB_TEXT(ip ? ip : ""), DB_TEXT(detail ? detail : "{}"),
			DB_INT(now)),
		e);
	return rc < 0 ? -1 : 0;
}
