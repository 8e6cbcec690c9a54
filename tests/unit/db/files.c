/* tests/unit/db/files.c — files kept in the store in chunks. */
#include "unit/db/store.h"

#include <sodium.h>

#include "base/buf.h"
#include "db/files.h"

static int setup_migrated(void **state)
{
	struct store *s = store_new(NULL);
	struct err e = {0};
	must(db_migrate(s->d, &e), &e);
	*state = s;
	return 0;
}

static void test_round_trip(void **state)
{
	struct store *s = *state;
	struct err e = {0};
	size_t len = 1024 * 1024 + 17; /* five chunks, the last one short */
	unsigned char *data = xmalloc(len);
	randombytes_buf(data, len);
	data[0] = 0;
	data[len - 1] = 0;
	db_conn *c;
	must(db_acquire(s->d, &c, &e), &e);
	char id[FILES_ID_LEN + 1];
	must(files_put(c, 1, "logo.png", "image/png", data, len, 1700000000, id, &e), &e);
	assert_int_equal(strlen(id), FILES_ID_LEN);
	assert_int_equal(query_int(s->d, "SELECT count(*) FROM file_chunks"), 5);

	struct buf out = BUF_INIT(8 * 1024 * 1024);
	struct file_info info;
	must(files_get(c, 1, id, 2 * 1024 * 1024, &out, &info, &e), &e);
	assert_int_equal(out.len, len);
	assert_memory_equal(out.data, data, len);
	assert_string_equal(info.name, "logo.png");
	assert_string_equal(info.content_type, "image/png");
	assert_int_equal(info.size, (int64_t)len);
	assert_int_equal(info.created_at, 1700000000);
	unsigned char h[32];
	char hex[65];
	crypto_hash_sha256(h, data, len);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	assert_string_equal(info.sha256, hex);

	/* Another tenant cannot reach it; a cap below its size refuses it. */
	buf_reset(&out);
	assert_true(files_get(c, 2, id, 2 * 1024 * 1024, &out, NULL, &e) < 0);
	assert_int_equal(e.status, 404);
	assert_true(files_get(c, 1, id, 1024 * 1024, &out, NULL, &e) < 0);
	assert_int_equal(e.status, 413);
	assert_int_equal(out.len, 0);
	assert_true(files_delete(c, 2, id, &e) < 0);
	assert_int_equal(e.status, 404);

	must(files_delete(c, 1, id, &e), &e);
	assert_int_equal(query_int(s->d, "SELECT count(*) FROM file_chunks"), 0);
	assert_true(files_delete(c, 1, id, &e) < 0);
	assert_int_equal(e.status, 404);
	db_release(c);
	buf_release(&out);
	free(data);
}

static void test_empty_and_limits(void **state)
{
	struct store *s = *state;
	struct err e = {0};
	db_conn *c;
	must(db_acquire(s->d, &c, &e), &e);
	char id[FILES_ID_LEN + 1];
	must(files_put(c, 7, "empty.txt", "text/plain", NULL, 0, 1, id, &e), &e);
	struct buf out = BUF_INIT(16);
	struct file_info info;
	must(files_get(c, 7, id, 16, &out, &info, &e), &e);
	assert_int_equal(out.len, 0);
	assert_int_equal(info.size, 0);
	assert_true(files_put(c, 7, "", "text/plain", "x", 1, 1, id, &e) < 0);
	assert_int_equal(e.status, 400);
	assert_true(files_put(c, 7, "big", "text/plain", "x", FILES_MAX_SIZE + 1, 1, id, &e) < 0);
	assert_int_equal(e.status, 413);
	/* Inside the caller's transaction: rolled back with it. */
	must(db_begin(c, &e), &e);
	must(files_put(c, 7, "t.txt", "text/plain", "hello", 5, 1, id, &e), &e);
	db_rollback(c);
	assert_true(files_get(c, 7, id, 16, &out, NULL, &e) < 0);
	assert_int_equal(e.status, 404);
	db_release(c);
	buf_release(&out);
}

static void test_fault_never_half_a_file(void **state)
{
	struct store *s = *state;
	size_t len = 3 * FILES_CHUNK;
	unsigned char *data = xcalloc(1, len);
	long k;
	for (k = 1; k < 20; k++) {
		struct err e = {0};
		db_conn *c;
		must(db_acquire(s->d, &c, &e), &e);
		char id[FILES_ID_LEN + 1];
		db_fault_fail_nth(s->d, k);
		int rc = files_put(c, 7, "f.bin", "application/octet-stream", data, len, 1, id, &e);
		long counted = db_fault_counted(s->d);
		db_fault_fail_nth(s->d, 0);
		db_release(c);
		if (counted < k) {
			must(rc, &e);
			break;
		}
		assert_true(rc < 0);
		assert_int_equal(query_int(s->d, "SELECT count(*) FROM files"), 0);
		assert_int_equal(query_int(s->d, "SELECT count(*) FROM file_chunks"), 0);
	}
	assert_int_equal(k, 7); /* BEGIN, files, 3 chunks, COMMIT */
	assert_int_equal(query_int(s->d, "SELECT count(*) FROM file_chunks"), 3);
	free(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup_migrated, teardown_store),
		cmocka_unit_test_setup_teardown(test_empty_and_limits, setup_migrated, teardown_store),
		cmocka_unit_test_setup_teardown(test_fault_never_half_a_file, setup_migrated, teardown_store),
	};
	return RUN_ON_STORES("db/files", tests);
}
