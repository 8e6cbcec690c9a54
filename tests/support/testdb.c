#include "support/testdb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/token.h"
#include "db/db.h"

int testdb_have_pg(void)
{
	const char *u = getenv("CRENEAU_TEST_PG_URL");
	return u && *u;
}

static int admin_exec(const char *admin_url, const char *sql)
{
	struct err e = {0};
	db *d;
	db_conn *c;
	if (db_open(admin_url, NULL, &d, &e)) {
		fprintf(stderr, "testdb: %s\n", e.message);
		return -1;
	}
	int rc = db_acquire(d, &c, &e);
	if (!rc) {
		rc = db_exec(c, sql, DB_NOARGS, &e) < 0 ? -1 : 0;
		db_release(c);
	}
	if (rc)
		fprintf(stderr, "testdb: %s: %s\n", sql, e.message);
	db_close(d);
	return rc;
}

int testdb_create(struct testdb *t, const char *kind)
{
	memset(t, 0, sizeof(*t));
	if (strcmp(kind, "pg")) {
		const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
		snprintf(t->dir, sizeof(t->dir), "%s/creneau-db-XXXXXX", tmp);
		if (!mkdtemp(t->dir))
			return -1;
		snprintf(t->url, sizeof(t->url), "sqlite:%s/store.db", t->dir);
		return 0;
	}
	const char *url = getenv("CRENEAU_TEST_PG_URL");
	if (!url || !*url) {
		fprintf(stderr, "testdb: PostgreSQL asked for but CRENEAU_TEST_PG_URL is not set "
				"(tests/run.sh starts one)\n");
		return -1;
	}
	snprintf(t->pg_admin, sizeof(t->pg_admin), "%s", url);
	char hex[17];
	rand_hex(hex, 8);
	snprintf(t->pg_name, sizeof(t->pg_name), "t_%s", hex);
	char sql[128];
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", t->pg_name);
	if (admin_exec(url, sql))
		return -1;
	/* postgresql://user@host/DBNAME?query: swap the database name */
	const char *scheme_end = strstr(url, "://");
	const char *slash = scheme_end ? strchr(scheme_end + 3, '/') : NULL;
	if (!slash) {
		fprintf(stderr, "testdb: CRENEAU_TEST_PG_URL needs a /database part\n");
		return -1;
	}
	const char *rest = slash + 1 + strcspn(slash + 1, "?");
	snprintf(t->url, sizeof(t->url), "%.*s/%s%s", (int)(slash - url), url, t->pg_name, rest);
	return 0;
}

void testdb_destroy(struct testdb *t)
{
	if (t->pg_name[0]) {
		char sql[128];
		snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", t->pg_name);
		(void)admin_exec(t->pg_admin, sql);
	}
	if (t->dir[0]) {
		char cmd[300];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
		if (system(cmd) != 0)
			fprintf(stderr, "testdb: could not remove %s\n", t->dir);
	}
	memset(t, 0, sizeof(*t));
}
