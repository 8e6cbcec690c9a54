/* schedule/holidays: Easter by the anonymous Gregorian algorithm and France's public holidays,
 * checked against published calendars. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "schedule/holidays.h"

static void easter_dates(void **state)
{
	(void)state;
	static const int known[][3] = {
		{2024, 3, 31}, {2025, 4, 20}, {2026, 4, 5},  {2027, 3, 28}, {2028, 4, 16},
		{2008, 3, 23}, {2011, 4, 24}, {2038, 4, 25}, {2285, 3, 22}, {1818, 3, 22},
	};
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		int m = 0, d = 0;
		struct err e = {0};
		assert_int_equal(holidays_easter(known[i][0], &m, &d, &e), 0);
		assert_int_equal(m, known[i][1]);
		assert_int_equal(d, known[i][2]);
	}
	int m, d;
	struct err e = {0};
	assert_int_equal(holidays_easter(1582, &m, &d, &e), -1);
	assert_string_equal(e.code, "invalid_year");
	assert_string_equal(e.field, "year");
}

/* The year's holidays as "MM-DD key" joined by spaces. */
static const char *listing(int year, int alsace)
{
	static char out[1024];
	struct holiday h[HOLIDAYS_MAX];
	struct err e = {0};
	int n = holidays_fr(year, alsace, h, &e);
	assert_true(n > 0);
	size_t k = 0;
	for (int i = 0; i < n; i++) {
		assert_int_equal(h[i].year, year);
		assert_non_null(h[i].name_fr);
		assert_non_null(h[i].name_en);
		k += (size_t)snprintf(out + k, sizeof(out) - k, "%s%02d-%02d %s", i ? " " : "", h[i].month,
				      h[i].day, h[i].key);
	}
	return out;
}

static void france_2027(void **state)
{
	(void)state;
	assert_string_equal(listing(2027, 0),
			    "01-01 new_year 03-29 easter_monday 05-01 labour_day 05-06 ascension "
			    "05-08 victory_1945 05-17 whit_monday 07-14 bastille_day "
			    "08-15 assumption 11-01 all_saints 11-11 armistice_1918 12-25 christmas");
	assert_string_equal(listing(2027, 1),
			    "01-01 new_year 03-26 good_friday 03-29 easter_monday 05-01 labour_day "
			    "05-06 ascension 05-08 victory_1945 05-17 whit_monday 07-14 bastille_day "
			    "08-15 assumption 11-01 all_saints 11-11 armistice_1918 12-25 christmas "
			    "12-26 st_stephen");
	/* 2024 and 2025 as published by service-public.fr */
	assert_string_equal(listing(2024, 0),
			    "01-01 new_year 04-01 easter_monday 05-01 labour_day 05-08 victory_1945 "
			    "05-09 ascension 05-20 whit_monday 07-14 bastille_day 08-15 assumption "
			    "11-01 all_saints 11-11 armistice_1918 12-25 christmas");
	assert_string_equal(listing(2025, 0),
			    "01-01 new_year 04-21 easter_monday 05-01 labour_day 05-08 victory_1945 "
			    "05-29 ascension 06-09 whit_monday 07-14 bastille_day 08-15 assumption "
			    "11-01 all_saints 11-11 armistice_1918 12-25 christmas");
	/* 2008: Ascension on 1 May, both listed */
	assert_non_null(strstr(listing(2008, 0), "05-01 labour_day 05-01 ascension"));
	/* the names people read */
	struct holiday h[HOLIDAYS_MAX];
	struct err e = {0};
	assert_int_equal(holidays_fr(2027, 0, h, &e), 11);
	assert_string_equal(h[1].name_fr, "Lundi de Pâques");
	assert_string_equal(h[1].name_en, "Easter Monday");
	assert_string_equal(h[6].name_fr, "Fête nationale");
	assert_int_equal(holidays_fr(10000, 0, h, &e), -1);
	assert_string_equal(e.code, "invalid_year");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(easter_dates),
		cmocka_unit_test(france_2027),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
