/* base/i18n: dates in words from base/tz's wall time, money, percent, name ordering. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/i18n.h"

#define NBSP  "\xc2\xa0"     /* U+00A0 NO-BREAK SPACE */
#define NNBSP "\xe2\x80\xaf" /* U+202F NARROW NO-BREAK SPACE */

static const struct tz *zone(const char *name)
{
	const struct tz *z = tz_get(name, NULL);
	assert_non_null(z);
	return z;
}

static void expect_date(int locale, const char *zone_name, int64_t utc, enum i18n_style style,
			const char *want)
{
	char *s = i18n_format_datetime(locale, zone(zone_name), utc, style);
	assert_string_equal(s, want);
	free(s);
}

/* 2026-11-26T13:30:00Z: 14:30 in Paris, 08:30 in New York, 19:00 in Kolkata */
#define NOV26 1795699800

static void dates_in_french(void **state)
{
	(void)state;
	expect_date(I18N_FR, "Europe/Paris", NOV26, I18N_DATETIME, "jeudi 26 novembre 2026 à 14 h 30");
	expect_date(I18N_FR, "Europe/Paris", NOV26, I18N_DATE, "jeudi 26 novembre 2026");
	expect_date(I18N_FR, "Europe/Paris", NOV26, I18N_DATE_SHORT, "26/11/2026");
	expect_date(I18N_FR, "Europe/Paris", NOV26, I18N_TIME, "14 h 30");
	/* the offset comes from base/tz: same instant, other zones */
	expect_date(I18N_FR, "Asia/Kolkata", NOV26, I18N_DATETIME, "jeudi 26 novembre 2026 à 19 h 00");
	expect_date(I18N_FR, "America/New_York", NOV26, I18N_TIME, "8 h 30");
	/* the date changes with the zone: 23:30 UTC is already Friday in Paris */
	expect_date(I18N_FR, "Europe/Paris", NOV26 + 10 * 3600, I18N_DATE, "vendredi 27 novembre 2026");
	expect_date(I18N_FR, "UTC", NOV26 + 10 * 3600, I18N_DATE, "jeudi 26 novembre 2026");
	/* around the fall back: both 02:30 read as 02:30 */
	expect_date(I18N_FR, "Europe/Paris", 1824942600, I18N_TIME, "2 h 30");
	expect_date(I18N_FR, "Europe/Paris", 1824942600 + 3600, I18N_TIME, "2 h 30");
	/* Mexico dropped DST in 2022 (offset -06:00 all year, as tzdata says) */
	expect_date(I18N_FR, "America/Mexico_City", 1814000000, I18N_DATETIME,
		    "samedi 26 juin 2027 à 2 h 53");
}

static void dates_in_english(void **state)
{
	(void)state;
	expect_date(I18N_EN, "Europe/Paris", NOV26, I18N_DATETIME, "Thursday, November 26, 2026 at 2:30 PM");
	expect_date(I18N_EN, "Europe/Paris", NOV26, I18N_DATE, "Thursday, November 26, 2026");
	expect_date(I18N_EN, "Europe/Paris", NOV26, I18N_DATE_SHORT, "11/26/2026");
	expect_date(I18N_EN, "America/New_York", NOV26, I18N_TIME, "8:30 AM");
	/* an unknown locale or style falls back to French datetime */
	expect_date(42, "Europe/Paris", NOV26, (enum i18n_style)99, "jeudi 26 novembre 2026 à 14 h 30");
}

static void money_and_percent(void **state)
{
	(void)state;
	struct {
		int locale;
		int64_t cents;
		const char *cur, *want;
	} cases[] = {
		{I18N_FR, 867, "EUR", "8,67" NBSP "€"},
		{I18N_EN, 867, "EUR", "€8.67"},
		{I18N_FR, 0, "EUR", "0,00" NBSP "€"},
		{I18N_FR, 5, "EUR", "0,05" NBSP "€"},
		{I18N_FR, 123456789, "EUR", "1" NNBSP "234" NNBSP "567,89" NBSP "€"},
		{I18N_EN, 123456789, "EUR", "€1,234,567.89"},
		{I18N_FR, -1250, "EUR", "-12,50" NBSP "€"},
		{I18N_EN, -1250, "EUR", "-€12.50"},
		{I18N_FR, 1999, "CHF", "19,99" NBSP "CHF"},
		{I18N_EN, 1999, "USD", "$19.99"},
		{I18N_EN, INT64_MIN, "EUR", "-€92,233,720,368,547,758.08"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *s = i18n_format_money(cases[i].locale, cases[i].cents, cases[i].cur);
		assert_non_null(s);
		assert_string_equal(s, cases[i].want);
		free(s);
	}
	assert_null(i18n_format_money(I18N_FR, 100, "eur"));
	assert_null(i18n_format_money(I18N_FR, 100, "EURO"));
	assert_null(i18n_format_money(I18N_FR, 100, ""));
	assert_null(i18n_format_money(I18N_FR, 100, NULL));

	char *p = i18n_format_percent(I18N_FR, 550);
	assert_string_equal(p, "5,5" NBSP "%");
	free(p);
	p = i18n_format_percent(I18N_EN, 2000);
	assert_string_equal(p, "20%");
	free(p);
}

static void locales(void **state)
{
	(void)state;
	assert_int_equal(i18n_locale_parse("fr"), I18N_FR);
	assert_int_equal(i18n_locale_parse("FR-fr"), I18N_FR);
	assert_int_equal(i18n_locale_parse("en"), I18N_EN);
	assert_int_equal(i18n_locale_parse("en_GB"), I18N_EN);
	assert_int_equal(i18n_locale_parse("de"), -1);
	assert_int_equal(i18n_locale_parse("f"), -1);
	assert_int_equal(i18n_locale_parse("french"), -1);
	assert_int_equal(i18n_locale_parse("enx"), -1);
	assert_int_equal(i18n_locale_parse(""), -1);
	assert_int_equal(i18n_locale_parse(NULL), -1);
	assert_string_equal(i18n_locale_code(I18N_EN), "en");
	assert_string_equal(i18n_locale_code(-3), "fr");
}

static int cmp_fr(const void *a, const void *b)
{
	return i18n_collate(I18N_FR, *(const char *const *)a, *(const char *const *)b);
}

static void names_sort_with_accents(void **state)
{
	(void)state;
	const char *names[] = {"Zoé", "émile", "Eric", "Élodie", "eve", "Ève", "Adèle", "adam"};
	const char *want[] = {"adam", "Adèle", "Élodie", "émile", "Eric", "eve", "Ève", "Zoé"};
	qsort(names, 8, sizeof(names[0]), cmp_fr);
	for (int i = 0; i < 8; i++)
		assert_string_equal(names[i], want[i]);
	assert_true(i18n_collate(I18N_FR, "e", "é") < 0);
	assert_true(i18n_collate(I18N_EN, "Zoe", "Émile") > 0); /* strcmp would say < */
	assert_int_equal(i18n_collate(I18N_FR, "Léa", "Léa"), 0);
	assert_true(i18n_collate(I18N_FR, NULL, "a") < 0);
	assert_true(i18n_collate(I18N_FR, "a", NULL) > 0);
	assert_int_equal(i18n_collate(I18N_FR, "bad \xff utf8", "bad \xff utf8"), 0);
	assert_true(i18n_equal_loose(I18N_FR, "Élodie", "elodie"));
	assert_true(i18n_equal_loose(I18N_FR, "FRANÇOIS", "francois"));
	assert_false(i18n_equal_loose(I18N_FR, "Elodie", "Melodie"));
	assert_false(i18n_equal_loose(I18N_FR, NULL, "x"));
}

static void *format_a_lot(void *arg)
{
	(void)arg;
	const struct tz *z = tz_get("Europe/Paris", NULL);
	for (int i = 0; i < 300; i++) {
		char *s = i18n_format_datetime(I18N_FR, z, NOV26, I18N_DATETIME);
		char *m = i18n_format_money(i % 2, 867, "EUR");
		int ok = strcmp(s, "jeudi 26 novembre 2026 à 14 h 30") == 0 &&
			 strcmp(m, i % 2 ? "€8.67" : "8,67" NBSP "€") == 0 &&
			 i18n_collate(I18N_FR, "émile", "Eric") < 0;
		free(s);
		free(m);
		if (!ok)
			return (void *)1;
	}
	return NULL;
}

static void shared_between_threads(void **state)
{
	(void)state;
	pthread_t th[6];
	for (int i = 0; i < 6; i++)
		assert_int_equal(pthread_create(&th[i], NULL, format_a_lot, NULL), 0);
	for (int i = 0; i < 6; i++) {
		void *rc = (void *)1;
		assert_int_equal(pthread_join(th[i], &rc), 0);
		assert_null(rc);
	}
}

static void expect_fold(const char *in, size_t cap, const char *want)
{
	char out[256];
	assert_int_equal(i18n_fold(in, out, cap), 0);
	assert_string_equal(out, want);
}

static void folding_for_search(void **state)
{
	(void)state;
	expect_fold("Élodie", 256, "elodie");
	expect_fold("ÉLO", 256, "elo");
	expect_fold("Hélène Müller-Lüdenscheidt", 256, "helene muller-ludenscheidt");
	expect_fold("Œuvray Æsa", 256, "oeuvray aesa");
	expect_fold("Łódź Straße", 256, "lodz strasse");
	expect_fold("François Ñúñez", 256, "francois nunez");
	expect_fold("e\xcc\x81"
		    "cole",
		    256, "ecole"); /* e + U+0301: already decomposed */
	expect_fold("", 256, "");
	expect_fold(NULL, 256, "");
	expect_fold("Élodie", 4, "elo");  /* cut to 3 bytes and the NUL */
	expect_fold("日本", 256, "日本"); /* no Latin form: kept */
	char out[16] = "x";
	assert_int_equal(i18n_fold("bad \xff utf-8", out, sizeof(out)), -1);
	assert_string_equal(out, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(shared_between_threads), /* first, so opening races too */
		cmocka_unit_test(dates_in_french),	   cmocka_unit_test(dates_in_english),
		cmocka_unit_test(money_and_percent),	   cmocka_unit_test(locales),
		cmocka_unit_test(names_sort_with_accents), cmocka_unit_test(folding_for_search),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
