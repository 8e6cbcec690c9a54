/* store.h — test helpers for tests/unit/db: a fresh store per test, on SQLite (a temp file)
 * and, when CRENEAU_TEST_PG_URL is set, on PostgreSQL (a fresh database on that server). */
#ifndef CRENEAU_TEST_DB_STORE_H
#define CRENEAU_TEST_DB_STORE_H
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "base/xalloc.h"
#include "db/db.h"

struct store {
	int pg;
	char dir[256];	 /* SQLite: temp dir holding the file */
	char dbname[64]; /* PG: the database made for this test */
	char url[1024];
	db *d;
};

static int g_pg; /* the kind the current group runs on */

static inline void must(int rc, const struct err *e)
{
	if (rc < 0)
		fail_msg("rc=%d status=%d code=%s message=%s", rc, e->status, e->code, e->message);
}

/* Runs a set-up script on the admin database of the PG test server. */
static inline void pg_admin(const char *sql)
{
	db *a;
	db_conn *c;
	struct err e = {0};
	must(db_open(getenv("CRENEAU_TEST_PG_URL"), &(struct db_options){.pool_size = 1}, &a, &e), &e);
	must(db_acquire(a, &c, &e), &e);
	must(db_exec_script(c, sql, &e), &e);
	db_release(c);
	db_close(a);
}

/* The URL of the test server with its database name replaced by name. */
static inline void pg_url_with_db(const char *name, char *out, size_t cap)
{
	const char *base = getenv("CRENEAU_TEST_PG_URL");
	const char *p = strstr(base, "://");
	p = p ? strchr(p + 3, '/') : NULL;
	assert_non_null(p);
	const char *q = strchr(p, '?');
	snprintf(out, cap, "%.*s/%s%s", (int)(p - base), base, name, q ? q : "");
}

static inline struct store *store_new(const struct db_options *opts)
{
	struct store *s = xcalloc(1, sizeof(*s));
	s->pg = g_pg;
	struct err e = {0};
	if (s->pg) {
		static int serial;
		snprintf(s->dbname, sizeof(s->dbname), "creneau_unit_%d_%d", (int)getpid(), ++serial);
		char sql[256];
		snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", s->dbname);
		pg_admin(sql);
		snprintf(sql, sizeof(sql), "CREATE DATABASE %s", s->dbname);
		pg_admin(sql);
		pg_url_with_db(s->dbname, s->url, sizeof(s->url));
	} else {
		snprintf(s->dir, sizeof(s->dir), "/tmp/creneau-dbtest-XXXXXX");
		assert_non_null(mkdtemp(s->dir));
		snprintf(s->url, sizeof(s->url), "sqlite:%s/store.db", s->dir);
	}
	must(db_open(s->url, opts, &s->d, &e), &e);
	return s;
}

static inline void store_free(struct store *s)
{
	if (!s)
		return;
	db_close(s->d);
	if (s->pg) {
		char sql[256];
		snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", s->dbname);
		pg_admin(sql);
	} else {
		const char *suffix[] = {"", "-wal", "-shm"};
		for (int i = 0; i < 3; i++) {
			char path[300];
			snprintf(path, sizeof(path), "%s/store.db%s", s->dir, suffix[i]);
			unlink(path);
		}
		rmdir(s->dir);
	}
	free(s);
}

static inline int setup_store(void **state)
{
	*state = store_new(NULL);
	return 0;
}

static inline int teardown_store(void **state)
{
	store_free(*state);
	return 0;
}

/* The SQL for this store: types differ (SQLite STRICT INTEGER/BLOB, PG BIGINT/BYTEA). */
static inline const char *per_store(const struct store *s, const char *sqlite_sql, const char *pg_sql)
{
	return s->pg ? pg_sql : sqlite_sql;
}

static inline void script(db *d, const char *sql)
{
	db_conn *c;
	struct err e = {0};
	must(db_acquire(d, &c, &e), &e);
	must(db_exec_script(c, sql, &e), &e);
	db_release(c);
}

static inline int64_t query_int(db *d, const char *sql)
{
	db_conn *c;
	struct err e = {0};
	int64_t v = -1;
	must(db_acquire(d, &c, &e), &e);
	int rc = db_query_int(c, sql, DB_NOARGS, &v, &e);
	must(rc, &e);
	assert_int_equal(rc, 1);
	db_release(c);
	return v;
}

/* Runs the group on one store (pg: PostgreSQL at CRENEAU_TEST_PG_URL, which tests/run.sh
 * always sets: without it the run fails rather than pass on half the stores). */
static inline int run_on_store(const char *name, int pg, const struct CMUnitTest *tests, size_t n)
{
	if (pg && !(getenv("CRENEAU_TEST_PG_URL") && *getenv("CRENEAU_TEST_PG_URL"))) {
		printf("[ STORE    ] %s: CRENEAU_TEST_PG_URL is not set (tests/run.sh starts PostgreSQL)\n",
		       name);
		return 1;
	}
	g_pg = pg;
	printf("[ STORE    ] %s on %s\n", name, pg ? "postgresql" : "sqlite");
	return _cmocka_run_group_tests(name, tests, n, NULL, NULL);
}

/* Runs the group once per store. */
static inline int run_on_stores(const char *name, const struct CMUnitTest *tests, size_t n)
{
	return run_on_store(name, 0, tests, n) + run_on_store(name, 1, tests, n);
}
#define RUN_ON_STORES(name, tests) run_on_stores(name, tests, sizeof(tests) / sizeof((tests)[0]))

#endif
