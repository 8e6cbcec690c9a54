/* Cases for scripts/sql-literals.sh --self-test: every call marked BAD must be reported, no
 * other. Never compiled into the product. */
#include <stdio.h>

#include "db/db.h"

#define SELECT_ONE "SELECT 1"
static const char static_sql[] = "SELECT 2";
static const char *const const_ptr = "SELECT 3";
static const char *mutable_ptr = "SELECT 4";
static const char *const table[] = {"SELECT 5", "SELECT 6"};
static const char *mutable_table[] = {"SELECT 7", "SELECT 8"};

int cases(db_conn *c, const char *param, int k, struct err *e);
int cases(db_conn *c, const char *param, int k, struct err *e)
{
	int64_t v;
	char buf[64];
	snprintf(buf, sizeof(buf), "SELECT %s", param);
	const char *local = k ? "SELECT 9" : "SELECT 10";
	const char *reassigned = "SELECT 11";
	if (k > 2)
		reassigned = param; /* BAD */
	int rc = db_exec(c, "DELETE FROM t WHERE a = $1", DB_ARGS(DB_INT(k)), e);
	rc |= db_exec(c,
		      "DELETE FROM t "
		      "WHERE b = $1",
		      DB_ARGS(DB_INT(k)), e);
	rc |= db_query_int(c, SELECT_ONE, DB_NOARGS, &v, e);
	rc |= db_query_int(c, static_sql, DB_NOARGS, &v, e);
	rc |= db_query_int(c, const_ptr, DB_NOARGS, &v, e);
	rc |= db_query_int(c, table[k & 1], DB_NOARGS, &v, e);
	rc |= db_query_int(c, local, DB_NOARGS, &v, e);
	rc |= db_query_int(c, k ? static_sql : const_ptr, DB_NOARGS, &v, e);
	rc |= db_query_int(c, reassigned, DB_NOARGS, &v, e);
	rc |= db_query_int(c, mutable_ptr, DB_NOARGS, &v, e);	       /* BAD */
	rc |= db_query_int(c, mutable_table[k & 1], DB_NOARGS, &v, e); /* BAD */
	rc |= db_query_int(c, param, DB_NOARGS, &v, e);		       /* BAD */
	rc |= db_query_int(c, buf, DB_NOARGS, &v, e);		       /* BAD */
	rc |= db_exec_script(c, k ? buf : "SELECT 12", e);	       /* BAD */
	return rc;
}
