/* The pure parts of appointment imports: dates, times, date-times and durations as French
 * agendas write them, and the fields proposed for their column names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "data/import.h"

static void date_is(const char *s, int y, int m, int d)
{
	struct civil c = {0};
	if (import_parse_date(s, &c))
		fail_msg("« %s » was refused", s);
	assert_int_equal(c.year, y);
	assert_int_equal(c.month, m);
	assert_int_equal(c.day, d);
}

static void dates(void **state)
{
	(void)state;
	date_is("28/03/2027", 2027, 3, 28);
	date_is(" 1/4/2027 ", 2027, 4, 1);
	date_is("28-03-2027", 2027, 3, 28);
	date_is("28.03.2027", 2027, 3, 28);
	date_is("28/03/27", 2027, 3, 28);
	date_is("2027-03-28", 2027, 3, 28);
	date_is("29/02/2028", 2028, 2, 29);
	struct civil c;
	static const char *const bad[] = {
		"",	      "28/03",	      "31/04/2027", "29/02/2027", "2027/03/28x",
		"28/13/2027", "2027-03-28 9", "mardi",	    "28/03-2027", "0/03/2027"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (import_parse_date(bad[i], &c) == 0)
			fail_msg("« %s » was taken as a date", bad[i]);
}

static void time_is(const char *s, int h, int m, int sec)
{
	struct civil c = {0};
	if (import_parse_time(s, &c))
		fail_msg("« %s » was refused", s);
	assert_int_equal(c.hour, h);
	assert_int_equal(c.minute, m);
	assert_int_equal(c.second, sec);
}

static void times(void **state)
{
	(void)state;
	time_is("09:30", 9, 30, 0);
	time_is("9:30", 9, 30, 0);
	time_is("09:30:15", 9, 30, 15);
	time_is("9h30", 9, 30, 0);
	time_is("9H30", 9, 30, 0);
	time_is("14h", 14, 0, 0);
	time_is("0:00", 0, 0, 0);
	struct civil c;
	static const char *const bad[] = {"", "24:00", "9:60", "9h5", "930", "9:30 pm", "midi"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (import_parse_time(bad[i], &c) == 0)
			fail_msg("« %s » was taken as a time", bad[i]);
}

static void datetimes(void **state)
{
	(void)state;
	struct civil c = {0};
	assert_int_equal(import_parse_datetime("28/03/2027 09:30", &c), 0);
	assert_int_equal(c.day, 28);
	assert_int_equal(c.hour, 9);
	assert_int_equal(c.minute, 30);
	assert_int_equal(import_parse_datetime("2027-03-28T10:00:00", &c), 0);
	assert_int_equal(c.hour, 10);
	assert_int_equal(import_parse_datetime("28/03/2027 à 11h15", &c), 0);
	assert_int_equal(c.hour, 11);
	assert_int_equal(c.minute, 15);
	assert_int_equal(import_parse_datetime("28/03/2027", &c), -1);
	assert_int_equal(import_parse_datetime("09:30 28/03/2027", &c), -1);
}

static void durations(void **state)
{
	(void)state;
	assert_int_equal(import_parse_duration("45"), 45);
	assert_int_equal(import_parse_duration("45 min"), 45);
	assert_int_equal(import_parse_duration("45min"), 45);
	assert_int_equal(import_parse_duration("90 minutes"), 90);
	assert_int_equal(import_parse_duration("1h30"), 90);
	assert_int_equal(import_parse_duration("1:30"), 90);
	assert_int_equal(import_parse_duration("2h"), 120);
	assert_int_equal(import_parse_duration(""), -1);
	assert_int_equal(import_parse_duration("1h75"), -1);
	assert_int_equal(import_parse_duration("une heure"), -1);
}

static void proposed_fields(void **state)
{
	(void)state;
	static const char *const pairs[][2] = {
		{"Date", "date"},	    {"Jour", "date"},
		{"Heure", "start_time"},    {"Heure de début", "start_time"},
		{"Début", "start_time"},    {"Start", "start"},
		{"Date et heure", "start"}, {"Heure de fin", "end_time"},
		{"Fin", "end_time"},	    {"Durée (min)", "duration"},
		{"Prestation", "service"},  {"Service", "service"},
		{"Collaborateur", "staff"}, {"Praticienne", "staff"},
		{"Avec", "staff"},	    {"Client", "full_name"},
		{"Prénom", "first_name"},   {"Nom", "last_name"},
		{"E-mail", "email"},	    {"Téléphone portable", "phone"},
		{"Remarques", "notes"},	    {"Couleur", ""},
	};
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
		if (strcmp(import_guess_appt_field(pairs[i][0]), pairs[i][1]))
			fail_msg("« %s » → « %s », not « %s »", pairs[i][0],
				 import_guess_appt_field(pairs[i][0]), pairs[i][1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dates),     cmocka_unit_test(times),		cmocka_unit_test(datetimes),
		cmocka_unit_test(durations), cmocka_unit_test(proposed_fields),
	};
	return cmocka_run_group_tests_name("unit/data/import_appointments", tests, NULL, NULL);
}
