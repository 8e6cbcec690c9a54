/* tests/unit/db/db.c — the store interface on both stores: values, placeholders, error
 * mapping, transactions, the pool, fault injection, concurrent writers, recovery. */
#include "unit/db/store.h"

#include <pthread.h>
#include <sys/stat.h>
#include <time.h>

#include "base/clock.h"

static db_conn *acquire(db *d)
{
	db_conn *c;
	struct err e = {0};
	must(db_acquire(d, &c, &e), &e);
	return c;
}

static void test_param_types(void **state)
{
	struct store *s = *state;
	script(s->d, per_store(s, "CREATE TABLE v (i INTEGER, t TEXT, b BLOB, n INTEGER) STRICT",
			       "CREATE TABLE v (i BIGINT, t TEXT, b BYTEA, n BIGINT)"));
	db_conn *c = acquire(s->d);
	struct err e = {0};
	static const unsigned char blob[] = {0, 1, 0, 0xff, 'x', 0};
	const char *text = "jeudi 26 novembre à 14 h 30 — €";
	const int64_t big[] = {INT64_MAX, INT64_MIN, 0, -1, 5000000000LL};
	for (size_t k = 0; k < 5; k++)
		assert_int_equal(
			db_exec(c, "INSERT INTO v (i, t, b, n) VALUES ($1, $2, $3, $4)",
				DB_ARGS(DB_INT(big[k]), DB_TEXT(text), DB_BLOB(blob, sizeof(blob)), DB_NULL),
				&e),
			1);
	assert_int_equal(db_exec(c, "INSERT INTO v (i, t, b, n) VALUES ($1, $2, $3, $4)",
				 DB_ARGS(DB_INT(7), DB_TEXTN("abcdef", 3), DB_BLOB(NULL, 0), DB_TEXT(NULL)),
				 &e),
			 1);
	db_rows *r;
	must(db_query(c, "SELECT i, t, b, n FROM v ORDER BY i", DB_NOARGS, &r, &e), &e);
	assert_int_equal(db_rows_count_columns(r), 4);
	const int64_t order[] = {INT64_MIN, -1, 0, 7, 5000000000LL, INT64_MAX};
	for (int k = 0; k < 6; k++) {
		assert_int_equal(db_rows_next(r, &e), 1);
		assert_true(db_rows_int(r, 0) == order[k]);
		assert_true(db_rows_is_null(r, 3));
		assert_null(db_rows_text(r, 3));
		size_t len;
		const void *b = db_rows_blob(r, 2, &len);
		assert_non_null(b);
		if (order[k] == 7) {
			assert_string_equal(db_rows_text(r, 1), "abc");
			assert_int_equal(len, 0);
		} else {
			assert_string_equal(db_rows_text(r, 1), text);
			assert_int_equal(len, sizeof(blob));
			assert_memory_equal(b, blob, sizeof(blob));
		}
	}
	assert_int_equal(db_rows_next(r, &e), 0);
	assert_int_equal(db_rows_next(r, &e), 0);
	db_rows_free(r);

	int64_t v = 0;
	assert_int_equal(db_query_int(c, "SELECT i FROM v WHERE i = $1", DB_ARGS(DB_INT(-42)), &v, &e), 0);
	assert_int_equal(db_query_int(c, "SELECT count(*) FROM v WHERE n IS NULL AND i > $1",
				      DB_ARGS(DB_INT(0)), &v, &e),
			 1);
	assert_int_equal(v, 3);
	assert_int_equal(db_exec(c, "UPDATE v SET n = $1 WHERE i >= $2", DB_ARGS(DB_INT(1), DB_INT(0)), &e),
			 4);
	db_release(c);
}

static void test_placeholder_order(void **state)
{
	struct store *s = *state;
	script(s->d, per_store(s, "CREATE TABLE p (x INTEGER, y TEXT, z INTEGER) STRICT",
			       "CREATE TABLE p (x BIGINT, y TEXT, z BIGINT)"));
	db_conn *c = acquire(s->d);
	struct err e = {0};
	/* "$2 ... $1 ... $2": SQLite numbers by first appearance; the driver binds by name. */
	assert_int_equal(db_exec(c, "INSERT INTO p (x, y, z) VALUES ($2, $1, $2)",
				 DB_ARGS(DB_TEXT("first"), DB_INT(22)), &e),
			 1);
	db_rows *r;
	must(db_query(c, "SELECT x, y, z FROM p WHERE y = $1 AND (x = $2 OR z = $2)",
		      DB_ARGS(DB_TEXT("first"), DB_INT(22)), &r, &e),
	     &e);
	assert_int_equal(db_rows_next(r, &e), 1);
	assert_int_equal(db_rows_int(r, 0), 22);
	assert_string_equal(db_rows_text(r, 1), "first");
	assert_int_equal(db_rows_int(r, 2), 22);
	db_rows_free(r);
	/* A statement naming a parameter that was not given is a bug, answered 500. */
	err_clear(&e);
	assert_int_equal(db_exec(c, "INSERT INTO p (x, y, z) VALUES ($1, $2, $3)",
				 DB_ARGS(DB_INT(1), DB_TEXT("a")), &e),
			 DB_ERROR);
	assert_int_equal(e.status, 500);
	db_release(c);
}

static void test_unique_conflict_names(void **state)
{
	struct store *s = *state;
	script(s->d, per_store(s,
			       "CREATE TABLE u (account_id TEXT NOT NULL, id INTEGER NOT NULL,"
			       " email TEXT NOT NULL, CONSTRAINT u_pkey PRIMARY KEY (account_id, id)) STRICT;"
			       "CREATE UNIQUE INDEX u_email_key ON u (account_id, email)",
			       "CREATE TABLE u (account_id TEXT NOT NULL, id BIGINT NOT NULL,"
			       " email TEXT NOT NULL, CONSTRAINT u_pkey PRIMARY KEY (account_id, id));"
			       "CREATE UNIQUE INDEX u_email_key ON u (account_id, email)"));
	db_conn *c = acquire(s->d);
	struct err e = {0};
	const char *ins = "INSERT INTO u (account_id, id, email) VALUES ($1, $2, $3)";
	assert_int_equal(db_exec(c, ins, DB_ARGS(DB_TEXT("a1"), DB_INT(1), DB_TEXT("x@y")), &e), 1);
	assert_int_equal(db_exec(c, ins, DB_ARGS(DB_TEXT("a2"), DB_INT(1), DB_TEXT("x@y")), &e), 1);
	assert_int_equal(db_exec(c, ins, DB_ARGS(DB_TEXT("a1"), DB_INT(2), DB_TEXT("x@y")), &e), DB_CONFLICT);
	assert_string_equal(db_conflict_name(c), "u_email_key");
	assert_int_equal(e.status, 409);
	assert_null(strstr(e.message, "INSERT"));
	assert_int_equal(db_exec(c, ins, DB_ARGS(DB_TEXT("a1"), DB_INT(1), DB_TEXT("z@y")), &e), DB_CONFLICT);
	assert_string_equal(db_conflict_name(c), "u_pkey");
	/* The same through db_query (INSERT ... RETURNING). */
	db_rows *r = NULL;
	assert_int_equal(db_query(c, "INSERT INTO u (account_id, id, email) VALUES ($1, $2, $3) RETURNING id",
				  DB_ARGS(DB_TEXT("a1"), DB_INT(3), DB_TEXT("x@y")), &r, &e),
			 DB_CONFLICT);
	assert_null(r);
	assert_string_equal(db_conflict_name(c), "u_email_key");
	/* The next statement clears the name. */
	assert_int_equal(db_exec(c, "DELETE FROM u WHERE id = $1", DB_ARGS(DB_INT(99)), &e), 0);
	assert_string_equal(db_conflict_name(c), "");
	db_release(c);
}

static void test_overlap_conflict(void **state)
{
	struct store *s = *state;
	/* The blocks guard of ARCHITECTURE.md, reduced: a trigger on SQLite, an exclusion
	 * constraint on PostgreSQL, the same name. */
	script(s->d,
	       per_store(s,
			 "CREATE TABLE blocks (staff TEXT NOT NULL, f INTEGER NOT NULL, t INTEGER NOT NULL) "
			 "STRICT;"
			 "CREATE TRIGGER blocks_no_overlap BEFORE INSERT ON blocks"
			 " WHEN EXISTS (SELECT 1 FROM blocks b WHERE b.staff = NEW.staff"
			 "  AND b.f < NEW.t AND NEW.f < b.t)"
			 " BEGIN SELECT RAISE(ABORT, 'blocks_no_overlap'); END",
			 "CREATE EXTENSION IF NOT EXISTS btree_gist;"
			 "CREATE TABLE blocks (staff TEXT NOT NULL, f BIGINT NOT NULL, t BIGINT NOT NULL,"
			 " CONSTRAINT blocks_no_overlap EXCLUDE USING gist (staff WITH =,"
			 " int8range(f, t) WITH &&))"));
	db_conn *c = acquire(s->d);
	struct err e = {0};
	const char *ins = "INSERT INTO blocks (staff, f, t) VALUES ($1, $2, $3)";
	assert_int_equal(db_exec(c, ins, DB_ARGS(DB_TEXT("s1"), DB_INT(100), DB_INT(200)), &e), 1);
	assert_int_equal(db_exec(c, ins, DB_ARGS(DB_TEXT("s1"), DB_INT(200), DB_INT(300)), &e), 1);
	assert_int_equal(db_exec(c, ins, DB_ARGS(DB_TEXT("s2"), DB_INT(150), DB_INT(250)), &e), 1);
	assert_int_equal(db_exec(c, ins, DB_ARGS(DB_TEXT("s1"), DB_INT(150), DB_INT(250)), &e), DB_CONFLICT);
	assert_string_equal(db_conflict_name(c), "blocks_no_overlap");
	assert_int_equal(e.status, 409);
	if (s->pg) { /* a PL/pgSQL RAISE is reported by its message */
		assert_int_equal(db_exec_script(c, "DO $$ BEGIN RAISE EXCEPTION 'seat_taken'; END $$", &e),
				 DB_CONFLICT);
		assert_string_equal(db_conflict_name(c), "seat_taken");
	}
	db_release(c);
}

static void test_bugs_are_errors(void **state)
{
	struct store *s = *state;
	script(s->d,
	       per_store(s,
			 "CREATE TABLE parent (id INTEGER PRIMARY KEY) STRICT;"
			 "CREATE TABLE child (id INTEGER NOT NULL, parent_id INTEGER REFERENCES parent (id),"
			 " qty INTEGER NOT NULL CHECK (qty > 0)) STRICT",
			 "CREATE TABLE parent (id BIGINT PRIMARY KEY);"
			 "CREATE TABLE child (id BIGINT NOT NULL, parent_id BIGINT REFERENCES parent (id),"
			 " qty BIGINT NOT NULL CHECK (qty > 0))"));
	db_conn *c = acquire(s->d);
	struct err e = {0};
	const char *ins = "INSERT INTO child (id, parent_id, qty) VALUES ($1, $2, $3)";
	assert_int_equal(db_exec(c, ins, DB_ARGS(DB_INT(1), DB_INT(404), DB_INT(1)), &e), DB_ERROR);
	assert_int_equal(e.status, 500);
	assert_null(strstr(e.message, "INSERT"));
	assert_null(strstr(e.message, "child"));
	assert_int_equal(db_exec(c, ins, DB_ARGS(DB_INT(1), DB_NULL, DB_INT(0)), &e), DB_ERROR);
	assert_int_equal(db_exec(c, ins, DB_ARGS(DB_NULL, DB_NULL, DB_INT(1)), &e), DB_ERROR);
	assert_int_equal(db_exec(c, "SELEC 1", DB_NOARGS, &e), DB_ERROR);
	assert_string_equal(db_conflict_name(c), "");
	assert_int_equal(db_exec(c, ins, DB_ARGS(DB_INT(1), DB_NULL, DB_INT(1)), &e), 1);
	db_release(c);
}

static void test_transactions(void **state)
{
	struct store *s = *state;
	script(s->d, per_store(s, "CREATE TABLE k (n INTEGER NOT NULL) STRICT",
			       "CREATE TABLE k (n BIGINT NOT NULL)"));
	struct err e = {0};
	db_conn *c = acquire(s->d);
	must(db_begin(c, &e), &e);
	assert_true(db_in_transaction(c));
	assert_int_equal(db_begin(c, &e), DB_ERROR); /* no nesting */
	assert_int_equal(db_exec(c, "INSERT INTO k (n) VALUES ($1)", DB_ARGS(DB_INT(1)), &e), 1);
	must(db_commit(c, &e), &e);
	assert_false(db_in_transaction(c));

	must(db_begin(c, &e), &e);
	assert_int_equal(db_exec(c, "INSERT INTO k (n) VALUES ($1)", DB_ARGS(DB_INT(2)), &e), 1);
	db_rollback(c);
	assert_false(db_in_transaction(c));
	assert_int_equal(query_int(s->d, "SELECT count(*) FROM k"), 1);

	/* Released with a transaction open: rolled back, and the writer is free again. */
	must(db_begin(c, &e), &e);
	assert_int_equal(db_exec(c, "INSERT INTO k (n) VALUES ($1)", DB_ARGS(DB_INT(3)), &e), 1);
	db_release(c);
	assert_int_equal(query_int(s->d, "SELECT count(*) FROM k"), 1);
	c = acquire(s->d);
	must(db_begin(c, &e), &e);
	assert_int_equal(db_exec(c, "INSERT INTO k (n) VALUES ($1)", DB_ARGS(DB_INT(4)), &e), 1);
	/* A reader on another connection does not see the open transaction. */
	assert_int_equal(query_int(s->d, "SELECT count(*) FROM k"), 1);
	must(db_commit(c, &e), &e);
	assert_int_equal(db_commit(c, &e), DB_ERROR); /* nothing to commit */
	db_release(c);
	assert_int_equal(query_int(s->d, "SELECT sum(n) FROM k"), 5);
}

static void test_pool_timeout(void **state)
{
	struct store *s = *state;
	db_close(s->d);
	struct err e = {0};
	must(db_open(s->url, &(struct db_options){.pool_size = 2, .acquire_wait_ms = 300}, &s->d, &e), &e);
	db_conn *a = acquire(s->d), *b = acquire(s->d), *c = NULL;
	int64_t t0 = clock_mono_ms();
	assert_int_equal(db_acquire(s->d, &c, &e), DB_POOL_TIMEOUT);
	int64_t waited = clock_mono_ms() - t0;
	assert_null(c);
	assert_true(waited >= 280 && waited < 1500);
	assert_int_equal(e.status, 503);
	assert_string_equal(e.code, "store_busy");
	assert_int_equal(e.retry_after, 1);
	struct db_pool_stats st;
	db_pool_stats(s->d, &st);
	assert_int_equal(st.size, 2);
	assert_int_equal(st.in_use, 2);
	assert_int_equal(st.timeouts, 1);
	db_release(a);
	c = acquire(s->d);
	db_release(b);
	db_release(c);
	db_pool_stats(s->d, &st);
	assert_int_equal(st.in_use, 0);
}

struct batch_ctx {
	int done, runs, fail_at; /* fail_at: the run that fails (0: none) */
};

static int delete_three(db_conn *c, void *ctx, struct err *e)
{
	struct batch_ctx *b = ctx;
	if (++b->runs == b->fail_at)
		return err_set(e, 500, "stop", NULL, "run %d fails", b->runs);
	b->done = db_exec(c, "DELETE FROM k WHERE n IN (SELECT n FROM k ORDER BY n LIMIT 3)", DB_NOARGS, e);
	return b->done < 0 ? -1 : 0;
}

/* Batches run until one is short, each committed on its own. */
static void test_transact_batches(void **state)
{
	struct store *s = *state;
	script(s->d, per_store(s, "CREATE TABLE k (n INTEGER NOT NULL) STRICT",
			       "CREATE TABLE k (n BIGINT NOT NULL)"));
	struct err e = {0};
	db_conn *c = acquire(s->d);
	for (int i = 1; i <= 7; i++)
		assert_int_equal(db_exec(c, "INSERT INTO k (n) VALUES ($1)", DB_ARGS(DB_INT(i)), &e), 1);
	db_release(c);
	struct batch_ctx b = {0};
	int64_t total = -1;
	must(db_transact_batches(s->d, delete_three, &b, &b.done, 3, &total, &e), &e);
	assert_int_equal(total, 7);
	assert_int_equal(b.runs, 3); /* 3, 3, then 1 */
	assert_int_equal(query_int(s->d, "SELECT count(*) FROM k"), 0);

	/* a failure keeps the batches committed before it */
	c = acquire(s->d);
	for (int i = 1; i <= 7; i++)
		assert_int_equal(db_exec(c, "INSERT INTO k (n) VALUES ($1)", DB_ARGS(DB_INT(i)), &e), 1);
	db_release(c);
	b = (struct batch_ctx){.fail_at = 2};
	assert_true(db_transact_batches(s->d, delete_three, &b, &b.done, 3, NULL, &e) < 0);
	assert_string_equal(e.code, "stop");
	assert_int_equal(query_int(s->d, "SELECT count(*) FROM k"), 4);
}

static int write_pair(db_conn *c, void *ctx, struct err *e)
{
	int64_t n = *(int64_t *)ctx;
	int rc = db_exec(c, "INSERT INTO pairs (n, half) VALUES ($1, $2)", DB_ARGS(DB_INT(n), DB_INT(1)), e);
	if (rc >= 0)
		rc = db_exec(c, "INSERT INTO pairs (n, half) VALUES ($1, $2)", DB_ARGS(DB_INT(n), DB_INT(2)),
			     e);
	return rc < 0 ? rc : 0;
}

static void test_fault_injection(void **state)
{
	struct store *s = *state;
	script(s->d, per_store(s, "CREATE TABLE pairs (n INTEGER NOT NULL, half INTEGER NOT NULL) STRICT",
			       "CREATE TABLE pairs (n BIGINT NOT NULL, half BIGINT NOT NULL)"));
	/* Fail statement k of (BEGIN, INSERT, INSERT, COMMIT) for each k: never half a pair. */
	long k;
	for (k = 1; k < 20; k++) {
		struct err e = {0};
		int64_t n = k;
		db_fault_fail_nth(s->d, k);
		int rc = db_transact(s->d, write_pair, &n, &e);
		long counted = db_fault_counted(s->d);
		db_fault_fail_nth(s->d, 0);
		if (counted < k) { /* ran to the end without reaching the fault */
			must(rc, &e);
			break;
		}
		assert_int_equal(rc, DB_ERROR);
		assert_int_equal(e.status, 500);
		assert_int_equal(query_int(s->d, "SELECT count(*) FROM pairs"), 0);
	}
	assert_int_equal(k, 5); /* four statements, each failed once */
	assert_int_equal(query_int(s->d, "SELECT count(*) FROM pairs"), 2);
}

struct writer_arg {
	db *d;
	int id, failures;
};

static int add_row(db_conn *c, void *ctx, struct err *e)
{
	struct writer_arg *w = ctx;
	int64_t n;
	int rc = db_query_int(c, "SELECT count(*) FROM w WHERE who = $1", DB_ARGS(DB_INT(w->id)), &n, e);
	if (rc >= 0)
		rc = db_exec(c, "INSERT INTO w (who, seq) VALUES ($1, $2)", DB_ARGS(DB_INT(w->id), DB_INT(n)),
			     e);
	return rc < 0 ? rc : 0;
}

static void *writer_thread(void *p)
{
	struct writer_arg *w = p;
	for (int i = 0; i < 40; i++) {
		struct err e = {0};
		if (db_transact(w->d, add_row, w, &e) < 0)
			w->failures++;
		/* and a write outside a transaction, behind the same mutex on SQLite */
		db_conn *c;
		if (db_acquire(w->d, &c, &e) < 0) {
			w->failures++;
			continue;
		}
		if (db_exec(c, "UPDATE counter SET n = n + 1", DB_NOARGS, &e) != 1)
			w->failures++;
		db_release(c);
	}
	return NULL;
}

static void test_concurrent_writers(void **state)
{
	struct store *s = *state;
	script(s->d,
	       per_store(s,
			 "CREATE TABLE w (who INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (who, "
			 "seq)) STRICT;"
			 "CREATE TABLE counter (n INTEGER NOT NULL) STRICT; INSERT INTO counter VALUES (0)",
			 "CREATE TABLE w (who BIGINT NOT NULL, seq BIGINT NOT NULL, PRIMARY KEY (who, seq));"
			 "CREATE TABLE counter (n BIGINT NOT NULL); INSERT INTO counter VALUES (0)"));
	enum { THREADS = 8 };
	pthread_t t[THREADS];
	struct writer_arg w[THREADS];
	for (int i = 0; i < THREADS; i++) {
		w[i] = (struct writer_arg){.d = s->d, .id = i};
		assert_int_equal(pthread_create(&t[i], NULL, writer_thread, &w[i]), 0);
	}
	int failures = 0;
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		failures += w[i].failures;
	}
	assert_int_equal(failures, 0);
	assert_int_equal(query_int(s->d, "SELECT count(*) FROM w"), THREADS * 40);
	assert_int_equal(query_int(s->d, "SELECT n FROM counter"), THREADS * 40);
}

/* db_transact_shared: many threads at once; every 5th transaction writes then fails, every
 * 7th hits a unique key. Each caller gets its own outcome; a failed one leaves nothing, the
 * others all stay (on SQLite they share commits, each in its own savepoint). */
struct shared_arg {
	db *d;
	int id, round, failed, conflicts, others;
};

static int shared_one(db_conn *c, void *ctx, struct err *e)
{
	struct shared_arg *w = ctx;
	int64_t key = w->round % 7 == 6 ? -1 : (int64_t)w->id * 1000 + w->round;
	int rc = db_exec(c, "INSERT INTO s (who, k) VALUES ($1, $2)", DB_ARGS(DB_INT(w->id), DB_INT(key)), e);
	if (rc < 0)
		return rc;
	if (w->round % 5 == 4)
		return err_set(e, 422, "refused", NULL, "refused after writing");
	return 0;
}

static void *shared_thread(void *p)
{
	struct shared_arg *w = p;
	for (w->round = 0; w->round < 40; w->round++) {
		struct err e = {0};
		int rc = db_transact_shared(w->d, shared_one, w, &e);
		if (rc == 0)
			continue;
		if (!strcmp(e.code, "refused"))
			w->failed++;
		else if (rc == DB_CONFLICT)
			w->conflicts++;
		else
			w->others++;
	}
	return NULL;
}

static void test_shared_commit(void **state)
{
	struct store *s = *state;
	script(s->d, per_store(s,
			       "CREATE TABLE s (who INTEGER NOT NULL, k INTEGER NOT NULL) STRICT;"
			       " CREATE UNIQUE INDEX s_k ON s (k); INSERT INTO s VALUES (-1, -1)",
			       "CREATE TABLE s (who BIGINT NOT NULL, k BIGINT NOT NULL);"
			       " CREATE UNIQUE INDEX s_k ON s (k); INSERT INTO s VALUES (-1, -1)"));
	enum { THREADS = 12 };
	pthread_t t[THREADS];
	struct shared_arg w[THREADS];
	for (int i = 0; i < THREADS; i++) {
		w[i] = (struct shared_arg){.d = s->d, .id = i};
		assert_int_equal(pthread_create(&t[i], NULL, shared_thread, &w[i]), 0);
	}
	int kept = 0;
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(w[i].others, 0);
		assert_int_equal(w[i].failed, 7);    /* rounds 4, 9, ... 39 but 34 */
		assert_int_equal(w[i].conflicts, 5); /* rounds 6, 13, 20, 27, 34 */
		kept += 40 - 7 - 5;
	}
	assert_int_equal(query_int(s->d, "SELECT count(*) FROM s WHERE who >= 0"), kept);
	assert_int_equal(query_int(s->d, "SELECT count(*) FROM s WHERE who >= 0 AND k % 1000 % 5 = 4"), 0);
}

static void test_sqlite_new_store_pragmas(void **state)
{
	struct store *s = *state;
	assert_int_equal(query_int(s->d, "PRAGMA auto_vacuum"), 2); /* incremental */
	assert_int_equal(query_int(s->d, "PRAGMA foreign_keys"), 1);
	assert_int_equal(query_int(s->d, "PRAGMA synchronous"), 2); /* full */
	db_conn *c = acquire(s->d);
	db_rows *r;
	struct err e = {0};
	must(db_query(c, "PRAGMA journal_mode", DB_NOARGS, &r, &e), &e);
	assert_int_equal(db_rows_next(r, &e), 1);
	assert_string_equal(db_rows_text(r, 0), "wal");
	db_rows_free(r);
	db_release(c);
}

static int run_pg_sh(const char *what, const char *dir, char *url, size_t cap)
{
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "scripts/peers/pg.sh %s %s", what, dir);
	FILE *f = popen(cmd, "r");
	if (!f)
		return -1;
	if (!url || !fgets(url, (int)cap, f))
		if (url)
			url[0] = 0;
	if (url)
		url[strcspn(url, "\n")] = 0;
	return pclose(f);
}

static void test_pg_down_and_back(void **state)
{
	(void)state; /* starts its own PostgreSQL */
	struct stat st;
	if (stat("scripts/peers/pg.sh", &st) < 0)
		fail_msg("run from the repository root (scripts/peers/pg.sh not found)");
	/* A server of its own, so the shared one keeps serving other tests. */
	char dir[] = "/tmp/creneau-pgdown-XXXXXX", url[512];
	assert_non_null(mkdtemp(dir));
	assert_int_equal(run_pg_sh("start", dir, url, sizeof(url)), 0);
	db *d;
	db_conn *c;
	struct err e = {0};
	int64_t v = 0;
	must(db_open(url, NULL, &d, &e), &e);
	must(db_acquire(d, &c, &e), &e);
	assert_int_equal(db_query_int(c, "SELECT 1", DB_NOARGS, &v, &e), 1);
	db_release(c);

	assert_int_equal(run_pg_sh("stop", dir, NULL, 0), 0);
	int64_t t0 = clock_mono_ms();
	int rc = db_acquire(d, &c, &e);
	if (rc == 0) { /* the broken connection may only show on use */
		rc = db_query_int(c, "SELECT 1", DB_NOARGS, &v, &e);
		db_release(c);
	}
	assert_int_equal(rc, DB_UNAVAILABLE);
	assert_int_equal(e.status, 503);
	assert_string_equal(e.code, "store_unavailable");
	assert_int_equal(db_acquire(d, &c, &e), DB_UNAVAILABLE);
	assert_true(clock_mono_ms() - t0 < 3000);

	assert_int_equal(run_pg_sh("start", dir, url, sizeof(url)), 0);
	must(db_acquire(d, &c, &e), &e);
	assert_int_equal(db_query_int(c, "SELECT 2", DB_NOARGS, &v, &e), 1);
	assert_int_equal(v, 2);
	db_release(c);
	db_close(d);
	assert_int_equal(run_pg_sh("stop", dir, NULL, 0), 0);
	char rm[600];
	snprintf(rm, sizeof(rm), "rm -rf %s", dir);
	assert_int_equal(system(rm), 0);
}

/* Statements prepared on the connection that runs them, here statements counted by name. */
static int64_t prepared_here(db_conn *c)
{
	struct err e = {0};
	int64_t n = -1;
	must(db_query_int(c, "SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'cr\\_%'",
			  DB_NOARGS, &n, &e),
	     &e);
	return n;
}

static int64_t plus_one(db_conn *c, int64_t v, int *rc)
{
	struct err e = {0};
	int64_t out = 0;
	*rc = db_query_int(c, "SELECT $1::bigint + 1", DB_ARGS(DB_INT(v)), &out, &e);
	return out;
}

/* PostgreSQL statements are prepared once per connection; when they go missing (as behind a
 * pooler in transaction mode, imitated by DEALLOCATE ALL) the transaction that met it answers
 * DB_RETRY, and from then on every statement runs unnamed. pg_unnamed never prepares. */
static void test_pg_prepared(void **state)
{
	struct store *s = *state;
	struct err e = {0};
	int rc;
	db_conn *c = acquire(s->d);
	assert_int_equal(plus_one(c, 41, &rc), 42);
	assert_int_equal(rc, 1);
	assert_true(prepared_here(c) >= 1);
	assert_int_equal(plus_one(c, 1, &rc), 2); /* the prepared one, again */

	must(db_exec_script(c, "DEALLOCATE ALL", &e), &e);
	must(db_begin(c, &e), &e);
	plus_one(c, 1, &rc);
	assert_int_equal(rc, DB_RETRY);
	db_rollback(c);
	assert_int_equal(plus_one(c, 6, &rc), 7); /* unnamed now */
	assert_int_equal(rc, 1);
	must(db_begin(c, &e), &e);
	assert_int_equal(plus_one(c, 7, &rc), 8);
	must(db_commit(c, &e), &e);
	assert_int_equal(prepared_here(c), 0);
	db_release(c);

	db *d;
	must(db_open(s->url, &(struct db_options){.pool_size = 1, .pg_unnamed = 1}, &d, &e), &e);
	c = acquire(d);
	assert_int_equal(plus_one(c, 1, &rc), 2);
	assert_int_equal(prepared_here(c), 0);
	db_release(c);
	db_close(d);
}

static void test_store_down_at_open(void **state)
{
	(void)state; /* starts its own PostgreSQL */
	/* db_open works while the server cannot be reached; acquires fail fast. */
	db *d;
	db_conn *c;
	struct err e = {0};
	must(db_open("postgresql://postgres@/postgres?host=/nonexistent-creneau", NULL, &d, &e), &e);
	int64_t t0 = clock_mono_ms();
	assert_int_equal(db_acquire(d, &c, &e), DB_UNAVAILABLE);
	assert_true(clock_mono_ms() - t0 < 3000);
	db_close(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_param_types, setup_store, teardown_store),
		cmocka_unit_test_setup_teardown(test_placeholder_order, setup_store, teardown_store),
		cmocka_unit_test_setup_teardown(test_unique_conflict_names, setup_store, teardown_store),
		cmocka_unit_test_setup_teardown(test_overlap_conflict, setup_store, teardown_store),
		cmocka_unit_test_setup_teardown(test_bugs_are_errors, setup_store, teardown_store),
		cmocka_unit_test_setup_teardown(test_transactions, setup_store, teardown_store),
		cmocka_unit_test_setup_teardown(test_transact_batches, setup_store, teardown_store),
		cmocka_unit_test_setup_teardown(test_pool_timeout, setup_store, teardown_store),
		cmocka_unit_test_setup_teardown(test_fault_injection, setup_store, teardown_store),
		cmocka_unit_test_setup_teardown(test_concurrent_writers, setup_store, teardown_store),
		cmocka_unit_test_setup_teardown(test_shared_commit, setup_store, teardown_store),
	};
	/* what only one of the stores has */
	const struct CMUnitTest sqlite_only[] = {
		cmocka_unit_test_setup_teardown(test_sqlite_new_store_pragmas, setup_store, teardown_store),
	};
	const struct CMUnitTest pg_only[] = {
		cmocka_unit_test_setup_teardown(test_pg_prepared, setup_store, teardown_store),
		cmocka_unit_test_setup_teardown(test_pg_down_and_back, setup_store, teardown_store),
		cmocka_unit_test_setup_teardown(test_store_down_at_open, setup_store, teardown_store),
	};
	return RUN_ON_STORES("db", tests) +
	       run_on_store("db-sqlite", 0, sqlite_only, sizeof(sqlite_only) / sizeof(sqlite_only[0])) +
	       run_on_store("db-postgresql", 1, pg_only, sizeof(pg_only) / sizeof(pg_only[0]));
}
