/* testdb — a fresh, empty store for one test program: a SQLite file in a new temp dir, or
 * a new database on the harness's PostgreSQL (CRENEAU_TEST_PG_URL), dropped afterwards.
 * Tests never share a database, so one test's migrations or rows cannot leak into another. */
#ifndef CRENEAU_TESTDB_H
#define CRENEAU_TESTDB_H
#include <stddef.h>

struct testdb {
	char url[700]; /* what db_open takes */
	char dir[256]; /* SQLite: the temp dir holding the file */
	char pg_admin[512];
	char pg_name[64];
};

/* kind: "sqlite" or "pg". Returns 0, or -1 with a message on stderr (e.g. pg without
 * CRENEAU_TEST_PG_URL). */
int testdb_create(struct testdb *t, const char *kind);
/* Removes the file or drops the database. */
void testdb_destroy(struct testdb *t);
/* True when CRENEAU_TEST_PG_URL names a PostgreSQL to test against. */
int testdb_have_pg(void);

#endif
