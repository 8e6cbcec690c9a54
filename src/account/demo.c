#include "account/demo.h"

#include <stdio.h>
#include <string.h>

#include "base/banned.h"

#define MAX_TABLES  32
#define MAX_FILLERS 16
#define MAX_KEEPERS 8

static struct {
	const char *name;
	enum demo_rank rank;
} tables[MAX_TABLES];
static int ntables;
static demo_filler fillers[MAX_FILLERS];
static int nfillers;
static demo_keeper keepers[MAX_KEEPERS];
static int nkeepers;

const char *const demo_business_types[] = {
	"hair_salon", "beauty", "physio", "medical", "garage", "coach", "town_hall", "other", NULL,
};

int demo_business_type_known(const char *type)
{
	for (const char *const *t = demo_business_types; *t; t++)
		if (!strcmp(*t, type))
			return 1;
	return 0;
}

void demo_register_table(const char *table, enum demo_rank rank)
{
	for (int i = 0; i < ntables; i++)
		if (!strcmp(tables[i].name, table))
			return;
	if (ntables == MAX_TABLES)
		return;
	/* keep the array sorted by rank, registration order within a rank */
	int at = ntables;
	while (at > 0 && tables[at - 1].rank > rank) {
		tables[at] = tables[at - 1];
		at--;
	}
	tables[at].name = table;
	tables[at].rank = rank;
	ntables++;
}

void demo_register_filler(demo_filler fn)
{
	for (int i = 0; i < nfillers; i++)
		if (fillers[i] == fn)
			return;
	if (nfillers < MAX_FILLERS)
		fillers[nfillers++] = fn;
}

void demo_register_keeper(demo_keeper fn)
{
	for (int i = 0; i < nkeepers; i++)
		if (keepers[i] == fn)
			return;
	if (nkeepers < MAX_KEEPERS)
		keepers[nkeepers++] = fn;
}

void demo_reset_registrations(void)
{
	ntables = nfillers = nkeepers = 0;
}

int demo_fill(db_conn *c, int64_t account_id, const char *business_type, int64_t now, struct err *e)
{
	for (int i = 0; i < nfillers; i++)
		if (fillers[i](c, account_id, business_type, now, e))
			return -1;
	int64_t rows = 0;
	for (int i = 0; i < ntables; i++) {
		char sql[160];
		int64_t n = 0;
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s WHERE account_id = $1 AND is_demo = 1",
			 tables[i].name);
		if (db_query_int(c, sql, DB_ARGS(DB_INT(account_id)), &n, e) < 0)
			return -1;
		rows += n;
	}
	if (rows &&
	    db_exec(c, "UPDATE accounts SET has_demo = 1 WHERE id = $1", DB_ARGS(DB_INT(account_id)), e) < 0)
		return -1;
	return 0;
}

int demo_clear(db_conn *c, int64_t account_id, json_t *kept, struct err *e)
{
	for (int i = 0; i < nkeepers; i++)
		if (keepers[i](c, account_id, kept, e))
			return -1;
	int deleted = 0;
	for (int i = 0; i < ntables; i++) {
		char sql[160];
		snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE account_id = $1 AND is_demo = 1",
			 tables[i].name);
		int n = db_exec(c, sql, DB_ARGS(DB_INT(account_id)), e);
		if (n < 0)
			return -1;
		deleted += n;
	}
	if (db_exec(c, "UPDATE accounts SET has_demo = 0, version = version + 1 WHERE id = $1",
		    DB_ARGS(DB_INT(account_id)), e) < 0)
		return -1;
	return deleted;
}
