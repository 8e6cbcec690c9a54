/* tests/unit/db/stmt_cache.c — statements run again and again on one connection: the same
 * SQL with other values, the same SQL nested inside its own rows, more distinct statements
 * than a connection keeps, a schema change between two runs, errors, and the SQLite writer
 * mutex and read snapshots after a statement is given back. Runs on both stores; the checks
 * of what SQLite keeps prepared look at the connection's sqlite3 handle. */
#include "unit/db/store.h"

#include <sqlite3.h>

#include "db/db_int.h"

enum { KEEP = 64 }; /* statements sqlite.c keeps per connection */

static db_conn *acquire(db *d)
{
	db_conn *c;
	struct err e = {0};
	must(db_acquire(d, &c, &e), &e);
	return c;
}

/* SQLite: statements alive on the connection (kept ones and any still in use). */
static int live_statements(db_conn *c)
{
	int n = 0;
	for (sqlite3_stmt *st = sqlite3_next_stmt(c->handle, NULL); st; st = sqlite3_next_stmt(c->handle, st))
		n++;
	return n;
}

static void make_table(struct store *s)
{
	script(s->d, per_store(s, "CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL) STRICT",
			       "CREATE TABLE t (k BIGINT PRIMARY KEY, v TEXT NOT NULL)"));
}

static void fill(db_conn *c, int n)
{
	struct err e = {0};
	for (int k = 0; k < n; k++) {
		char v[32];
		snprintf(v, sizeof(v), "value %d", k);
		/* The same text at another address every time: a copy on the heap. */
		char *sql = xstrdup("INSERT INTO t (k, v) VALUES ($1, $2)");
		assert_int_equal(db_exec(c, sql, DB_ARGS(DB_INT(k), DB_TEXT(v)), &e), 1);
		free(sql);
	}
}

static void test_same_sql_other_values(void **state)
{
	struct store *s = *state;
	make_table(s);
	db_conn *c = acquire(s->d);
	struct err e = {0};
	fill(c, 300);
	for (int k = 299; k >= 0; k--) {
		db_rows *r;
		must(db_query(c, "SELECT v FROM t WHERE k = $1", DB_ARGS(DB_INT(k)), &r, &e), &e);
		assert_int_equal(db_rows_next(r, &e), 1);
		char want[32];
		snprintf(want, sizeof(want), "value %d", k);
		assert_string_equal(db_rows_text(r, 0), want);
		assert_int_equal(db_rows_next(r, &e), 0);
		db_rows_free(r);
	}
	/* A value bound on one run is not left for the next: a missing one is an error. */
	int64_t v = -1;
	assert_int_equal(db_query_int(c, "SELECT count(*) FROM t WHERE k >= $1 AND k < $2",
				      DB_ARGS(DB_INT(10), DB_INT(20)), &v, &e),
			 1);
	assert_int_equal(v, 10);
	assert_int_equal(db_query_int(c, "SELECT count(*) FROM t WHERE k >= $1 AND k < $2",
				      DB_ARGS(DB_INT(10)), &v, &e),
			 DB_ERROR);
	assert_int_equal(db_query_int(c, "SELECT count(*) FROM t WHERE k >= $1 AND k < $2",
				      DB_ARGS(DB_INT(290), DB_INT(1000)), &v, &e),
			 1);
	assert_int_equal(v, 10);
	if (!s->pg) /* one statement per SQL text, whatever its address */
		assert_int_equal(live_statements(c), 3);
	db_release(c);
}

static void test_nested_same_sql(void **state)
{
	struct store *s = *state;
	make_table(s);
	db_conn *c = acquire(s->d);
	struct err e = {0};
	fill(c, 20);
	const char *sql = "SELECT k, v FROM t WHERE k >= $1 ORDER BY k";
	db_rows *outer;
	must(db_query(c, sql, DB_ARGS(DB_INT(0)), &outer, &e), &e);
	int64_t k = 0;
	while (db_rows_next(outer, &e) == 1) {
		assert_int_equal(db_rows_int(outer, 0), k);
		/* The same SQL again while outer is open: all of it, then two open at once. */
		db_rows *in1, *in2;
		must(db_query(c, sql, DB_ARGS(DB_INT(k)), &in1, &e), &e);
		int n = 0;
		while (db_rows_next(in1, &e) == 1) {
			assert_int_equal(db_rows_int(in1, 0), k + n);
			n++;
		}
		assert_int_equal(n, 20 - k);
		db_rows_free(in1);
		must(db_query(c, sql, DB_ARGS(DB_INT(19 - k)), &in1, &e), &e);
		must(db_query(c, sql, DB_ARGS(DB_INT(k)), &in2, &e), &e);
		assert_int_equal(db_rows_next(in1, &e), 1);
		assert_int_equal(db_rows_next(in2, &e), 1);
		assert_int_equal(db_rows_int(in1, 0), 19 - k);
		assert_int_equal(db_rows_int(in2, 0), k);
		db_rows_free(in1); /* freed before the other: either order must work */
		int64_t v = -1;
		assert_int_equal(db_query_int(c, sql, DB_ARGS(DB_INT(k)), &v, &e), 1);
		assert_int_equal(v, k);
		assert_int_equal(db_rows_next(in2, &e), k < 19 ? 1 : 0);
		db_rows_free(in2);
		k++;
	}
	assert_int_equal(k, 20);
	db_rows_free(outer);
	if (!s->pg) /* the extra statements of the nested runs were not kept */
		assert_int_equal(live_statements(c), 2);
	db_release(c);
}

static void test_more_statements_than_kept(void **state)
{
	struct store *s = *state;
	db_conn *c = acquire(s->d);
	struct err e = {0};
	enum { N = 3 * KEEP };
	for (int round = 0; round < 3; round++)
		for (int i = 0; i < N; i++) {
			char sql[64];
			snprintf(sql, sizeof(sql), "SELECT $1 + %d", i);
			int64_t v = -1;
			assert_int_equal(db_query_int(c, sql, DB_ARGS(DB_INT(round * 1000)), &v, &e), 1);
			assert_int_equal(v, round * 1000 + i);
			if (!s->pg)
				assert_true(live_statements(c) <= KEEP);
		}
	/* More statements open at once than are kept: every one still gives its own rows. */
	db_rows *open[KEEP + 10];
	for (int i = 0; i < KEEP + 10; i++) {
		char sql[64];
		snprintf(sql, sizeof(sql), "SELECT $1 + %d UNION ALL SELECT $1 - %d", i, i);
		must(db_query(c, sql, DB_ARGS(DB_INT(100)), &open[i], &e), &e);
		assert_int_equal(db_rows_next(open[i], &e), 1);
	}
	for (int i = 0; i < KEEP + 10; i++) {
		assert_int_equal(db_rows_int(open[i], 0), 100 + i);
		assert_int_equal(db_rows_next(open[i], &e), 1);
		assert_int_equal(db_rows_int(open[i], 0), 100 - i);
		assert_int_equal(db_rows_next(open[i], &e), 0);
		db_rows_free(open[i]);
	}
	if (!s->pg)
		assert_true(live_statements(c) <= KEEP);
	db_release(c);
}

static void test_schema_change(void **state)
{
	struct store *s = *state;
	make_table(s);
	db_conn *c = acquire(s->d);
	struct err e = {0};
	fill(c, 5);
	const char *sel = "SELECT * FROM t WHERE k = $1";
	const char *ins = "INSERT INTO t VALUES ($1, $2)";
	db_rows *r;
	must(db_query(c, sel, DB_ARGS(DB_INT(3)), &r, &e), &e);
	assert_int_equal(db_rows_count_columns(r), 2);
	db_rows_free(r);
	assert_int_equal(db_exec(c, ins, DB_ARGS(DB_INT(5), DB_TEXT("five")), &e), 1);

	/* The schema changes on this connection (as migrations do), then on another one. */
	must(db_exec_script(c,
			    per_store(s, "ALTER TABLE t ADD COLUMN w INTEGER NOT NULL DEFAULT 7",
				      "ALTER TABLE t ADD COLUMN w BIGINT NOT NULL DEFAULT 7"),
			    &e),
	     &e);
	must(db_query(c, sel, DB_ARGS(DB_INT(3)), &r, &e), &e);
	assert_int_equal(db_rows_count_columns(r), 3);
	assert_int_equal(db_rows_next(r, &e), 1);
	assert_string_equal(db_rows_text(r, 1), "value 3");
	assert_int_equal(db_rows_int(r, 2), 7);
	db_rows_free(r);
	/* "INSERT INTO t VALUES" now means 3 columns: SQLite refuses 2 values (the plan made
	 * for 2 columns must not run), PostgreSQL fills the third with its default. */
	assert_int_equal(db_exec(c, ins, DB_ARGS(DB_INT(6), DB_TEXT("six")), &e), s->pg ? 1 : DB_ERROR);
	assert_int_equal(
		db_exec(c, "INSERT INTO t (k, v) VALUES ($1, $2)", DB_ARGS(DB_INT(7), DB_TEXT("seven")), &e),
		1);
	assert_int_equal(query_int(s->d, "SELECT w FROM t WHERE k = 7"), 7);

	db_conn *other = acquire(s->d);
	must(db_exec_script(other, "CREATE UNIQUE INDEX t_v ON t (v)", &e), &e);
	db_release(other);
	assert_int_equal(
		db_exec(c, "INSERT INTO t (k, v) VALUES ($1, $2)", DB_ARGS(DB_INT(8), DB_TEXT("five")), &e),
		DB_CONFLICT);
	assert_string_equal(db_conflict_name(c), "t_v");
	must(db_query(c, sel, DB_ARGS(DB_INT(5)), &r, &e), &e);
	assert_int_equal(db_rows_next(r, &e), 1);
	assert_string_equal(db_rows_text(r, 1), "five");
	assert_int_equal(db_rows_int(r, 2), 7);
	db_rows_free(r);

	/* The table goes: a kept statement on it fails, and works again once it is back. */
	must(db_exec_script(c, "DROP TABLE t", &e), &e);
	assert_int_equal(db_query(c, sel, DB_ARGS(DB_INT(5)), &r, &e), DB_ERROR);
	make_table(s);
	fill(c, 6);
	must(db_query(c, sel, DB_ARGS(DB_INT(5)), &r, &e), &e);
	assert_int_equal(db_rows_count_columns(r), 2);
	assert_int_equal(db_rows_next(r, &e), 1);
	assert_string_equal(db_rows_text(r, 1), "value 5");
	db_rows_free(r);
	db_release(c);
}

static void test_errors_then_reuse(void **state)
{
	struct store *s = *state;
	make_table(s);
	db_conn *c = acquire(s->d);
	struct err e = {0};
	fill(c, 3);
	const char *ins = "INSERT INTO t (k, v) VALUES ($1, $2)";
	for (int i = 0; i < 3; i++) {
		assert_int_equal(db_exec(c, ins, DB_ARGS(DB_INT(1), DB_TEXT("again")), &e), DB_CONFLICT);
		assert_string_equal(db_conflict_name(c), "t_pkey");
		assert_int_equal(db_exec(c, ins, DB_ARGS(DB_INT(10 + i), DB_TEXT("new")), &e), 1);
		assert_int_equal(db_exec(c, "SELEC k FROM t", DB_NOARGS, &e), DB_ERROR);
		assert_int_equal(db_exec(c, "SELECT 1; SELECT 2", DB_NOARGS, &e), DB_ERROR);
		/* a parameter the caller did not pass */
		assert_int_equal(db_exec(c, "UPDATE t SET v = $2 WHERE k = $1", DB_ARGS(DB_INT(1)), &e),
				 DB_ERROR);
		assert_int_equal(db_exec(c, "UPDATE t SET v = $2 WHERE k = $1",
					 DB_ARGS(DB_INT(1), DB_TEXT("one")), &e),
				 1);
	}
	assert_int_equal(query_int(s->d, "SELECT count(*) FROM t"), 6);
	db_release(c);
}

/* A statement given back must not keep what it held: the SQLite writer mutex (a writing
 * statement outside a transaction) or a read snapshot (rows freed before their end). */
static void test_given_back_statements_hold_nothing(void **state)
{
	struct store *s = *state;
	make_table(s);
	db_conn *a = acquire(s->d), *b = acquire(s->d);
	struct err e = {0};
	fill(a, 3);
	const char *ret = "INSERT INTO t (k, v) VALUES ($1, $2) RETURNING k";
	for (int i = 0; i < 3; i++) {
		db_rows *r;
		must(db_query(a, ret, DB_ARGS(DB_INT(100 + i), DB_TEXT("r")), &r, &e), &e);
		assert_int_equal(db_rows_next(r, &e), 1);
		assert_int_equal(db_rows_int(r, 0), 100 + i);
		db_rows_free(r); /* before its end */
		/* b can take the writer mutex at once: a does not hold it any more. */
		must(db_begin(b, &e), &e);
		assert_int_equal(db_exec(b, "UPDATE t SET v = $1 WHERE k = $2",
					 DB_ARGS(DB_TEXT("b"), DB_INT(100 + i)), &e),
				 1);
		must(db_commit(b, &e), &e);
	}
	const char *all = "SELECT k FROM t ORDER BY k";
	for (int i = 0; i < 3; i++) {
		db_rows *r;
		must(db_query(a, all, DB_NOARGS, &r, &e), &e);
		assert_int_equal(db_rows_next(r, &e), 1);
		db_rows_free(r); /* one row read of many */
		assert_int_equal(db_exec(b, "INSERT INTO t (k, v) VALUES ($1, $2)",
					 DB_ARGS(DB_INT(200 + i), DB_TEXT("b")), &e),
				 1);
		int64_t n = -1;
		assert_int_equal(db_query_int(a, "SELECT count(*) FROM t", DB_NOARGS, &n, &e), 1);
		assert_int_equal(n, 3 + 3 + i + 1); /* a sees b's row: no old snapshot kept */
	}
	db_release(b);
	db_release(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_same_sql_other_values, setup_store, teardown_store),
		cmocka_unit_test_setup_teardown(test_nested_same_sql, setup_store, teardown_store),
		cmocka_unit_test_setup_teardown(test_more_statements_than_kept, setup_store, teardown_store),
		cmocka_unit_test_setup_teardown(test_schema_change, setup_store, teardown_store),
		cmocka_unit_test_setup_teardown(test_errors_then_reuse, setup_store, teardown_store),
		cmocka_unit_test_setup_teardown(test_given_back_statements_hold_nothing, setup_store,
						teardown_store),
	};
	return RUN_ON_STORES("db_stmt_cache", tests);
}
