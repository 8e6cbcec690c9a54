/* base/token: token format, uniqueness, hashing, constant-time equality, random helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "base/token.h"

static void tokens_are_well_formed_and_distinct(void **state)
{
	(void)state;
	char seen[64][TOKEN_LEN + 1];
	for (int i = 0; i < 64; i++) {
		memset(seen[i], 'x', sizeof(seen[i]));
		token_new(seen[i]);
		assert_int_equal(strlen(seen[i]), TOKEN_LEN);
		assert_true(token_well_formed(seen[i]));
		assert_null(strchr(seen[i], '='));
		assert_null(strchr(seen[i], '+'));
		assert_null(strchr(seen[i], '/'));
		for (int j = 0; j < i; j++)
			assert_string_not_equal(seen[i], seen[j]);
	}
	assert_false(token_well_formed(NULL));
	assert_false(token_well_formed(""));
	assert_false(token_well_formed("abc"));
	char t[TOKEN_LEN + 2];
	token_new(t);
	t[5] = '+';
	assert_false(token_well_formed(t));
	token_new(t);
	t[TOKEN_LEN] = 'A';
	t[TOKEN_LEN + 1] = '\0';
	assert_false(token_well_formed(t)); /* one too long */
}

static void hash_is_sha256_hex(void **state)
{
	(void)state;
	char h[TOKEN_HASH_LEN + 1];
	token_hash("abc", h);
	assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	token_hash("", h);
	assert_string_equal(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	char t[TOKEN_LEN + 1], h2[TOKEN_HASH_LEN + 1];
	token_new(t);
	token_hash(t, h);
	token_hash(t, h2);
	assert_string_equal(h, h2);
	assert_int_equal(strlen(h), TOKEN_HASH_LEN);
	assert_string_not_equal(h, t);
}

static void equality(void **state)
{
	(void)state;
	char a[TOKEN_LEN + 1], b[TOKEN_LEN + 1];
	token_new(a);
	memcpy(b, a, sizeof(a));
	assert_true(token_equal(a, b));
	b[TOKEN_LEN - 1] = b[TOKEN_LEN - 1] == 'A' ? 'B' : 'A';
	assert_false(token_equal(a, b));
	assert_false(token_equal(a, "short"));
	assert_false(token_equal(NULL, a));
	assert_false(token_equal(a, NULL));
	assert_true(token_equal("", ""));
}

static void random_helpers(void **state)
{
	(void)state;
	char hex[33], hex2[33];
	rand_hex(hex, 16);
	rand_hex(hex2, 16);
	assert_int_equal(strlen(hex), 32);
	assert_int_equal(strspn(hex, "0123456789abcdef"), 32);
	assert_string_not_equal(hex, hex2);
	char big[2 * 100 + 1];
	big[200] = 'x';
	rand_hex(big, 100); /* more than one internal chunk */
	assert_int_equal(strlen(big), 200);
	assert_int_equal(strspn(big, "0123456789abcdef"), 200);
	char none[1] = {'x'};
	rand_hex(none, 0);
	assert_int_equal(none[0], '\0');

	int counts[6] = {0};
	for (int i = 0; i < 6000; i++) {
		uint32_t r = rand_uniform(6);
		assert_true(r < 6);
		counts[r]++;
	}
	for (int i = 0; i < 6; i++)
		assert_in_range(counts[i], 800, 1200); /* fails by chance far less than 1e-9 */
	assert_int_equal(rand_uniform(0), 0);
	assert_int_equal(rand_uniform(1), 0);
	unsigned char buf[32] = {0}, zero[32] = {0};
	rand_bytes(buf, sizeof(buf));
	assert_memory_not_equal(buf, zero, sizeof(buf));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tokens_are_well_formed_and_distinct),
		cmocka_unit_test(hash_is_sha256_hex),
		cmocka_unit_test(equality),
		cmocka_unit_test(random_helpers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
