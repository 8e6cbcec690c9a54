/* tests/unit/db/migrate.c — embedded migrations: applied once, checksummed, refused when
 * changed or unknown, common and per-store files mixed. */
#include "unit/db/store.h"

#include "base/embed.h"
#include "db/db_int.h"

struct lines {
	int n;
	char text[64][256];
};

static void collect(void *ctx, const char *text)
{
	struct lines *l = ctx;
	if (l->n < 64)
		snprintf(l->text[l->n++], sizeof(l->text[0]), "%s", text);
}

static int count_migration_files_for(int pg)
{
	int n = 0;
	for (const struct embedded_file *f = db_migration_files; f->name; f++)
		if (!strstr(f->name, pg ? ".sqlite.sql" : ".pg.sql"))
			n++;
	return n;
}

static void test_idempotent(void **state)
{
	struct store *s = *state;
	struct err e = {0};
	struct lines l = {0};
	must(db_migrate_status(s->d, collect, &l, &e), &e);
	assert_true(l.n >= 1);
	assert_non_null(strstr(l.text[0], "0001_core pending"));
	must(db_migrate(s->d, &e), &e);
	int64_t applied = query_int(s->d, "SELECT count(*) FROM schema_migrations");
	assert_int_equal(applied, count_migration_files_for(s->pg));
	must(db_migrate(s->d, &e), &e); /* a second run changes nothing */
	assert_int_equal(query_int(s->d, "SELECT count(*) FROM schema_migrations"), applied);
	assert_int_equal(query_int(s->d, "SELECT count(*) FROM files"), 0);
	assert_int_equal(query_int(s->d, "SELECT length(checksum) FROM schema_migrations WHERE version = 1"),
			 64);
	memset(&l, 0, sizeof(l));
	must(db_migrate_status(s->d, collect, &l, &e), &e);
	assert_string_equal(l.text[0], "0001_core applied checksum ok");
	if (s->pg)
		assert_int_equal(
			query_int(s->d, "SELECT count(*) FROM pg_extension WHERE extname = 'btree_gist'"), 1);
}

static void test_changed_or_unknown_refused(void **state)
{
	struct store *s = *state;
	struct err e = {0};
	must(db_migrate(s->d, &e), &e);
	script(s->d, "UPDATE schema_migrations SET checksum = 'x' || substr(checksum, 2) WHERE version = 1");
	assert_int_equal(db_migrate(s->d, &e), DB_ERROR);
	assert_string_equal(e.code, "migration_refused");
	assert_non_null(strstr(e.message, "0001_core was changed"));
	struct lines l = {0};
	must(db_migrate_status(s->d, collect, &l, &e), &e);
	assert_non_null(strstr(l.text[0], "CHECKSUM DIFFERS"));

	script(s->d, "DELETE FROM schema_migrations WHERE version = 1");
	/* 0001 looks pending again but its tables exist: applying it fails and nothing of the
	 * attempt stays recorded. */
	assert_true(db_migrate(s->d, &e) < 0);
	assert_int_equal(query_int(s->d, "SELECT count(*) FROM schema_migrations WHERE version = 1"), 0);
}

static void test_unknown_version_refused(void **state)
{
	struct store *s = *state;
	struct err e = {0};
	must(db_migrate(s->d, &e), &e);
	script(s->d, "INSERT INTO schema_migrations (version, name, checksum, applied_at)"
		     " VALUES (9999, '9999_future', 'abc', 0)");
	assert_int_equal(db_migrate(s->d, &e), DB_ERROR);
	assert_string_equal(e.code, "migration_refused");
	assert_non_null(strstr(e.message, "9999_future"));
	struct lines l = {0};
	must(db_migrate_status(s->d, collect, &l, &e), &e);
	assert_non_null(strstr(l.text[l.n - 1], "9999_future applied UNKNOWN"));
}

#define FILE_ROW(name, sql)                                                                                  \
	{                                                                                                    \
		name, sql, sizeof(sql) - 1                                                                   \
	}

static void test_common_and_per_store_files(void **state)
{
	struct store *s = *state;
	struct err e = {0};
	/* Listed out of order on purpose: versions decide. */
	const struct embedded_file files[] = {
		FILE_ROW("0003_c.sql", "INSERT INTO mig_a (v) VALUES (3)"),
		FILE_ROW("0001_a.sql", "CREATE TABLE mig_a (v INTEGER NOT NULL)"),
		FILE_ROW("0002_b.sqlite.sql",
			 "CREATE TABLE mig_b (data BLOB) STRICT; INSERT INTO mig_a (v) VALUES (2)"),
		FILE_ROW("0002_b.pg.sql",
			 "CREATE TABLE mig_b (data BYTEA); INSERT INTO mig_a (v) VALUES (2)"),
		{NULL, NULL, 0},
	};
	must(db_migrate_files(s->d, files, &e), &e);
	must(db_migrate_files(s->d, files, &e), &e);
	assert_int_equal(query_int(s->d, "SELECT count(*) FROM schema_migrations"), 3);
	assert_int_equal(query_int(s->d, "SELECT sum(v) FROM mig_a"), 5);
	assert_int_equal(query_int(s->d, "SELECT count(*) FROM mig_b"), 0);
	struct lines l = {0};
	must(db_migrate_status_files(s->d, files, collect, &l, &e), &e);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.text[1], "0002_b applied checksum ok");

	/* A version with a file for the other store only is a packaging bug. */
	const struct embedded_file missing[] = {
		FILE_ROW("0001_a.sql", "CREATE TABLE mig_a (v INTEGER NOT NULL)"),
		FILE_ROW(s->pg ? "0004_d.sqlite.sql" : "0004_d.pg.sql", "SELECT 1"),
		{NULL, NULL, 0},
	};
	assert_int_equal(db_migrate_files(s->d, missing, &e), DB_ERROR);
	assert_non_null(strstr(e.message, "0004 has no file"));
	const struct embedded_file bad_name[] = {
		FILE_ROW("5_x.sql", "SELECT 1"),
		{NULL, NULL, 0},
	};
	assert_int_equal(db_migrate_files(s->d, bad_name, &e), DB_ERROR);
	/* A failing migration leaves nothing of itself. */
	const struct embedded_file failing[] = {
		FILE_ROW("0001_a.sql", "CREATE TABLE mig_a (v INTEGER NOT NULL)"),
		FILE_ROW("0002_b.sqlite.sql",
			 "CREATE TABLE mig_b (data BLOB) STRICT; INSERT INTO mig_a (v) VALUES (2)"),
		FILE_ROW("0002_b.pg.sql",
			 "CREATE TABLE mig_b (data BYTEA); INSERT INTO mig_a (v) VALUES (2)"),
		FILE_ROW("0003_c.sql", "INSERT INTO mig_a (v) VALUES (3)"),
		FILE_ROW("0004_e.sql", "CREATE TABLE mig_e (v INTEGER); INSERT INTO nowhere VALUES (1)"),
		{NULL, NULL, 0},
	};
	assert_true(db_migrate_files(s->d, failing, &e) < 0);
	assert_int_equal(query_int(s->d, "SELECT count(*) FROM schema_migrations"), 3);
	assert_int_equal(query_int(s->d, s->pg ? "SELECT count(*) FROM pg_tables WHERE tablename = 'mig_e'"
					       : "SELECT count(*) FROM sqlite_master WHERE name = 'mig_e'"),
			 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_idempotent, setup_store, teardown_store),
		cmocka_unit_test_setup_teardown(test_changed_or_unknown_refused, setup_store, teardown_store),
		cmocka_unit_test_setup_teardown(test_unknown_version_refused, setup_store, teardown_store),
		cmocka_unit_test_setup_teardown(test_common_and_per_store_files, setup_store, teardown_store),
	};
	return RUN_ON_STORES("db/migrate", tests);
}
