/* base/phone: numbers of several countries to E.164, as libphonenumber's metadata has them.
 * The expected forms are written by hand from each country's numbering plan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <string.h>
#include <cmocka.h>

#include "base/phone.h"

static void expect_ok(const char *input, const char *region, const char *want)
{
	char out[PHONE_E164_SIZE];
	struct err e = {0};
	int rc = phone_normalise(input, region, out, "phone", &e);
	if (rc)
		print_error("%s (%s): %s\n", input, region ? region : "default", e.message);
	assert_int_equal(rc, 0);
	assert_string_equal(out, want);
}

static void expect_bad(const char *input, const char *region)
{
	char out[PHONE_E164_SIZE] = "junk";
	struct err e = {0};
	if (phone_normalise(input, region, out, "mobile", &e) == 0)
		print_error("accepted %s as %s\n", input, out);
	assert_int_equal(e.status, 400);
	assert_string_equal(e.code, "invalid_phone");
	assert_string_equal(e.field, "mobile");
	assert_string_equal(out, "");
}

static void french_numbers_by_default(void **state)
{
	(void)state;
	expect_ok("06 12 34 56 78", NULL, "+33612345678");
	expect_ok("0612345678", "FR", "+33612345678");
	expect_ok("06.12.34.56.78", NULL, "+33612345678");
	expect_ok("07-81-23-45-67", NULL, "+33781234567");
	expect_ok("01 42 68 53 00", NULL, "+33142685300"); /* Paris fixed line */
	expect_ok("+33 6 12 34 56 78", NULL, "+33612345678");
	expect_ok("0033 6 12 34 56 78", NULL, "+33612345678"); /* French international prefix */
	expect_ok("  06 12 34 56 78  ", NULL, "+33612345678");
}

static void international_numbers_kept(void **state)
{
	(void)state;
	expect_ok("+1 212 736 5000", NULL, "+12127365000"); /* New York */
	expect_ok("(212) 736-5000", "US", "+12127365000");
	expect_ok("+44 20 7219 3000", NULL, "+442072193000"); /* London fixed line */
	expect_ok("+44 7400 123456", NULL, "+447400123456");  /* UK mobile */
	expect_ok("+91 98765 43210", NULL, "+919876543210");  /* India mobile */
	expect_ok("+49 30 901820", NULL, "+4930901820");      /* Berlin */
	expect_ok("+32 470 12 34 56", NULL, "+32470123456");  /* Belgian mobile */
	expect_ok("+41 44 668 18 00", NULL, "+41446681800");  /* Zürich */
	/* French overseas departments have their own region code */
	expect_ok("+262 692 12 34 56", NULL, "+262692123456"); /* Réunion mobile */
}

static void bad_numbers(void **state)
{
	(void)state;
	expect_bad("", NULL);
	expect_bad(NULL, NULL);
	expect_bad("abc", NULL);
	expect_bad("06 12", NULL);	       /* too short */
	expect_bad("06 12 34 56 78 90", NULL); /* too long for France */
	expect_bad("00 00 00 00 00", NULL);
	expect_bad("+999 1234 5678", NULL);    /* no country has code 999 */
	expect_bad("+33 0 12 34 56 78", NULL); /* French numbers never start 0 after +33 */
	expect_bad("0612345678", "US");	       /* not a US number */
	expect_bad("+1 212 736 500", NULL);    /* a digit short */
	char long_input[200];
	memset(long_input, '6', sizeof(long_input) - 1);
	long_input[sizeof(long_input) - 1] = '\0';
	expect_bad(long_input, NULL);
}

static void mobiles(void **state)
{
	(void)state;
	assert_true(phone_is_mobile("+33612345678"));
	assert_true(phone_is_mobile("+33781234567"));
	assert_true(phone_is_mobile("+447400123456"));
	assert_true(phone_is_mobile("+919876543210"));
	assert_false(phone_is_mobile("+33142685300")); /* Paris fixed line */
	assert_false(phone_is_mobile("+442072193000"));
	assert_false(phone_is_mobile("+3361234"));   /* not a number */
	assert_false(phone_is_mobile("0612345678")); /* not E.164 */
	assert_false(phone_is_mobile(""));
	assert_false(phone_is_mobile(NULL));
}

static void national_digits(void **state)
{
	(void)state;
	char out[PHONE_E164_SIZE];
	phone_national_digits("+33612345678", out);
	assert_string_equal(out, "0612345678");
	phone_national_digits("+12127365000", out);
	assert_string_equal(out, "2127365000");
	phone_national_digits("+442072193000", out);
	assert_string_equal(out, "02072193000");
	phone_national_digits("+3361234", out);
	assert_string_equal(out, "");
	phone_national_digits("0612345678", out);
	assert_string_equal(out, "");
}

/* Several threads normalising at once get the same answers (run under TSan/ASan). */
static void *normalise_many(void *arg)
{
	(void)arg;
	for (int i = 0; i < 200; i++) {
		char out[PHONE_E164_SIZE];
		struct err e = {0};
		if (phone_normalise(i % 2 ? "06 12 34 56 78" : "+44 20 7219 3000", NULL, out, "phone", &e) ||
		    strcmp(out, i % 2 ? "+33612345678" : "+442072193000"))
			return (void *)1;
	}
	return NULL;
}

static void threads(void **state)
{
	(void)state;
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, normalise_many, NULL), 0);
	for (int i = 0; i < 4; i++) {
		void *r;
		pthread_join(t[i], &r);
		assert_null(r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(french_numbers_by_default),
		cmocka_unit_test(international_numbers_kept),
		cmocka_unit_test(bad_numbers),
		cmocka_unit_test(mobiles),
		cmocka_unit_test(national_digits),
		cmocka_unit_test(threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
