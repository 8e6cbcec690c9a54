/* account/util: public ids — their shape, that ids made later sort later (the store's indexes
 * of them take new rows at their right edge), and that the random part differs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "account/account.h"

static const char alphabet[] = "23456789abcdefghijkmnpqrstuvwxyz";

static void shape(void **state)
{
	(void)state;
	char id[24];
	public_id_new("apt", id);
	assert_int_equal(strlen(id), 23);
	assert_memory_equal(id, "apt_", 4);
	for (size_t i = 4; i < 23; i++)
		assert_non_null(strchr(alphabet, id[i]));
}

/* The alphabet is in ASCII order, so comparing the texts compares the times. */
static void later_sorts_later(void **state)
{
	(void)state;
	char a[24], b[24];
	public_id_new("cli", a);
	struct timespec pause = {0, 3 * 1000 * 1000};
	nanosleep(&pause, NULL);
	public_id_new("cli", b);
	assert_true(strcmp(a, b) < 0);
	assert_true(memcmp(a + 4, b + 4, 9) < 0); /* the time part alone */
}

/* The time part is the creation time in milliseconds: read back, it is within a second of now. */
static void time_part_is_now(void **state)
{
	(void)state;
	char id[24];
	public_id_new("apt", id);
	uint64_t ms = 0;
	for (size_t i = 4; i < 13; i++)
		ms = ms * 32 + (uint64_t)(strchr(alphabet, id[i]) - alphabet);
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	uint64_t now_ms = (uint64_t)now.tv_sec * 1000u + (uint64_t)now.tv_nsec / 1000000u;
	assert_true(ms <= now_ms && now_ms - ms < 1000);
}

/* Ids made within one millisecond share their time part and differ by the random one. */
static void same_millisecond_differs(void **state)
{
	(void)state;
	enum { N = 1000 };
	static char ids[N][24];
	for (int i = 0; i < N; i++)
		public_id_new("apt", ids[i]);
	for (int i = 0; i < N; i++)
		for (int j = i + 1; j < N; j++)
			assert_true(strcmp(ids[i], ids[j]) != 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(shape),
		cmocka_unit_test(later_sorts_later),
		cmocka_unit_test(time_part_is_now),
		cmocka_unit_test(same_millisecond_differs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
