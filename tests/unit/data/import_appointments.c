/* The pure parts of appointment imports: dates, times, date-times and durations as French
 * agendas write them, and the fields proposed for their column names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "data/import.h"

/* A text the parser takes, and the fields it must give (the others stay 0). */
struct civil_case {
	const char *text;
	struct civil want;
};

/* Each good case parses to its fields; each bad text is refused. `what` names the kind of
 * value in the failure. */
static void check_parser(int (*parse)(const char *, struct civil *), const char *what,
			 const struct civil_case *good, size_t ngood, const char *const *bad, size_t nbad)
{
	for (size_t i = 0; i < ngood; i++) {
		struct civil c = {0};
		const struct civil *w = &good[i].want;
		if (parse(good[i].text, &c))
			fail_msg("« %s » was refused", good[i].text);
		if (c.year != w->year || c.month != w->month || c.day != w->day || c.hour != w->hour ||
		    c.minute != w->minute || c.second != w->second)
			fail_msg("« %s » gave %d-%d-%d %d:%d:%d", good[i].text, c.year, c.month, c.day,
				 c.hour, c.minute, c.second);
	}
	for (size_t i = 0; i < nbad; i++) {
		struct civil c;
		if (parse(bad[i], &c) == 0)
			fail_msg("« %s » was taken as a %s", bad[i], what);
	}
}

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static void dates(void **state)
{
	(void)state;
	static const struct civil_case good[] = {
		{"28/03/2027", {2027, 3, 28}}, {" 1/4/2027 ", {2027, 4, 1}}, {"28-03-2027", {2027, 3, 28}},
		{"28.03.2027", {2027, 3, 28}}, {"28/03/27", {2027, 3, 28}},  {"2027-03-28", {2027, 3, 28}},
		{"29/02/2028", {2028, 2, 29}},
	};
	static const char *const bad[] = {
		"",	      "28/03",	      "31/04/2027", "29/02/2027", "2027/03/28x",
		"28/13/2027", "2027-03-28 9", "mardi",	    "28/03-2027", "0/03/2027"};
	check_parser(import_parse_date, "date", good, N_OF(good), bad, N_OF(bad));
}

static void times(void **state)
{
	(void)state;
	static const struct civil_case good[] = {
		{"09:30", {.hour = 9, .minute = 30}},
		{"9:30", {.hour = 9, .minute = 30}},
		{"09:30:15", {.hour = 9, .minute = 30, .second = 15}},
		{"9h30", {.hour = 9, .minute = 30}},
		{"9H30", {.hour = 9, .minute = 30}},
		{"14h", {.hour = 14}},
		{"0:00", {0}},
	};
	static const char *const bad[] = {"", "24:00", "9:60", "9h5", "930", "9:30 pm", "midi"};
	check_parser(import_parse_time, "time", good, N_OF(good), bad, N_OF(bad));
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
