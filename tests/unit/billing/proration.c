/* The pure billing rules of PRODUCT.md "Plan change": the test vectors, months of 28 to 31
 * days, d = 1 and d = N, the DST days, several changes in one month, an upgrade and a
 * downgrade the same day, VAT half up, SIREN and VAT-number checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/tz.h"
#include "billing/billing_int.h"

enum { ESSENTIEL = 1900, PRO = 3900, OPTIMUM = 6900 };

/* Noon, Paris time, on y-m-d (UTC+1 or UTC+2: 10:00 UTC is always that date). */
static int64_t noon(int y, int m, int d)
{
	return tz_days_from_civil(y, m, d) * 86400 + 10 * 3600;
}

/* What a change on y-m-d from `from` (paid from the 1st) to `to` bills, HT. */
static int64_t change(int y, int m, int d, int64_t from, int64_t to)
{
	struct billing_month bm;
	billing_month_of(noon(y, m, d), &bm);
	struct billing_segments g = {0};
	assert_int_equal(billing_segments_set(&g, 1, from), 0);
	int64_t before = billing_segments_total(&g, bm.days);
	assert_int_equal(before, from);
	assert_int_equal(billing_segments_set(&g, bm.day, to), 0);
	return billing_segments_total(&g, bm.days) - before;
}

static void the_vectors_of_the_product(void **state)
{
	(void)state;
	/* Essentiel -> Pro on 18 April: R = 13, N = 30 -> 866,67 -> 8,67 HT, 1,73 TVA, 10,40 TTC */
	struct billing_month m;
	billing_month_of(noon(2027, 4, 18), &m);
	assert_int_equal(m.days, 30);
	assert_int_equal(m.day, 18);
	assert_int_equal(m.days - m.day + 1, 13);
	int64_t ht = change(2027, 4, 18, ESSENTIEL, PRO);
	assert_int_equal(ht, 867);
	assert_int_equal(billing_vat(ht), 173);
	assert_int_equal(ht + billing_vat(ht), 1040);
	/* Pro -> Optimum on 18 April: 13,00 HT, 2,60 TVA, 15,60 TTC */
	ht = change(2027, 4, 18, PRO, OPTIMUM);
	assert_int_equal(ht, 1300);
	assert_int_equal(billing_vat(ht), 260);
	assert_int_equal(ht + billing_vat(ht), 1560);
}

static void months_of_every_length(void **state)
{
	(void)state;
	struct billing_month m;
	billing_month_of(noon(2027, 2, 10), &m);
	assert_int_equal(m.days, 28);
	billing_month_of(noon(2028, 2, 10), &m);
	assert_int_equal(m.days, 29);
	billing_month_of(noon(2027, 5, 10), &m);
	assert_int_equal(m.days, 31);
	/* February 2027 (28 days), Essentiel -> Pro on the 15th: 2000 x 14 / 28 = 1000 */
	assert_int_equal(change(2027, 2, 15, ESSENTIEL, PRO), 1000);
	/* February 2028 (29 days) on the 15th: 2000 x 15 / 29 = 1034,48 -> 1034 */
	assert_int_equal(change(2028, 2, 15, ESSENTIEL, PRO), 1034);
	/* May (31 days) on the 16th: 2000 x 16 / 31 = 1032,26 -> 1032 */
	assert_int_equal(change(2027, 5, 16, ESSENTIEL, PRO), 1032);
	/* d = 1: the whole month at the new plan; d = N: one day */
	assert_int_equal(change(2027, 4, 1, ESSENTIEL, PRO), 2000);
	assert_int_equal(change(2027, 4, 30, ESSENTIEL, PRO), billing_round_div(2000, 30)); /* 66,67 -> 67 */
	assert_int_equal(change(2027, 4, 30, ESSENTIEL, PRO), 67);
	assert_int_equal(change(2027, 5, 31, PRO, OPTIMUM), billing_round_div(3000, 31)); /* 96,77 -> 97 */
	/* subscribing from a trial on 10 April: P x R / N = 3900 x 21 / 30 = 2730 */
	assert_int_equal(change(2027, 4, 10, 0, PRO), 2730);
}

static void month_bounds_in_paris(void **state)
{
	(void)state;
	struct billing_month m;
	/* 1 April 2027 00:00 Paris is 31 March 22:00 UTC */
	int64_t april_first = tz_days_from_civil(2027, 3, 31) * 86400 + 22 * 3600;
	billing_month_of(april_first, &m);
	assert_int_equal(m.month, 4);
	assert_int_equal(m.day, 1);
	assert_int_equal(m.start, april_first);
	billing_month_of(april_first - 1, &m);
	assert_int_equal(m.month, 3);
	assert_int_equal(m.day, 31);
	assert_int_equal(m.next_start, april_first);
	/* 1 January 00:00 Paris is 31 December 23:00 UTC */
	int64_t jan_first = tz_days_from_civil(2027, 12, 31) * 86400 + 23 * 3600;
	billing_month_of(jan_first, &m);
	assert_int_equal(m.year, 2028);
	assert_int_equal(m.month, 1);
	assert_int_equal(billing_month_key(&m), 202801);
	billing_month_from_key(202801, &m);
	assert_int_equal(m.start, jan_first);
}

static void dst_days(void **state)
{
	(void)state;
	struct billing_month m;
	/* 28 March 2027 (clocks go forward at 02:00): 01:30 UTC is 03:30 Paris, still the 28th */
	int64_t t = tz_days_from_civil(2027, 3, 28) * 86400 + 90 * 60;
	billing_month_of(t, &m);
	assert_int_equal(m.day, 28);
	assert_int_equal(m.days, 31);
	/* the month of March 2027 has 743 hours but 31 billing days */
	assert_int_equal(m.next_start - m.start, 31 * 86400 - 3600);
	/* 29 March 2026 and 25 October 2026, the DST days of the brief, at 23:30 Paris */
	billing_month_of(tz_days_from_civil(2026, 3, 29) * 86400 + 21 * 3600 + 1800, &m); /* UTC+2 */
	assert_int_equal(m.day, 29);
	assert_int_equal(change(2026, 3, 29, ESSENTIEL, PRO),
			 billing_round_div(2000 * 3, 31)); /* 193,5 -> 194 */
	assert_int_equal(change(2026, 3, 29, ESSENTIEL, PRO), 194);
	billing_month_of(tz_days_from_civil(2026, 10, 25) * 86400 + 22 * 3600 + 1800, &m); /* UTC+1 */
	assert_int_equal(m.day, 25);
	assert_int_equal(m.next_start - m.start, 31 * 86400 + 3600);
	assert_int_equal(change(2026, 10, 25, PRO, OPTIMUM), billing_round_div(3000 * 7, 31)); /* 677,4 */
	assert_int_equal(change(2026, 10, 25, PRO, OPTIMUM), 677);
}

static void two_changes_bill_the_recomputed_month(void **state)
{
	(void)state;
	/* April: Essentiel from the 1st, Pro from the 18th, Optimum from the 25th */
	struct billing_segments g = {0};
	assert_int_equal(billing_segments_set(&g, 1, ESSENTIEL), 0);
	int64_t billed = billing_segments_total(&g, 30);
	assert_int_equal(billing_segments_set(&g, 18, PRO), 0);
	int64_t first = billing_segments_total(&g, 30) - billed;
	assert_int_equal(first, 867);
	billed += first;
	assert_int_equal(billing_segments_set(&g, 25, OPTIMUM), 0);
	int64_t second = billing_segments_total(&g, 30) - billed;
	/* exact month: (1900 x 17 + 3900 x 7 + 6900 x 6) / 30 = 101 000 / 30 = 3366,67 -> 3367 */
	assert_int_equal(billing_segments_total(&g, 30), 3367);
	assert_int_equal(billed + second, 3367);
	/* each change alone would have rounded twice: 3000 x 6 / 30 = 600 and 866,67: no drift here,
	 * and the sum of the documents is the month rounded once */
	assert_int_equal(second, 600);
	char text[128];
	billing_segments_format(&g, text, sizeof(text));
	assert_string_equal(text, "1:1900,18:3900,25:6900");
	struct billing_segments back;
	assert_int_equal(billing_segments_parse(text, &back), 0);
	assert_int_equal(billing_segments_total(&back, 30), 3367);
	assert_int_equal(billing_segments_parse("1:1900,x", &back), -1);
	assert_int_equal(billing_segments_set(&g, 24, PRO), -1); /* never backwards */
}

static void rounding_never_drifts(void **state)
{
	(void)state;
	/* three one-third days: each change alone rounds 66,67 up; the recomputed month does not */
	struct billing_segments g = {0};
	assert_int_equal(billing_segments_set(&g, 1, 0), 0);
	int64_t billed = 0, sum = 0;
	int64_t prices[] = {ESSENTIEL, PRO, ESSENTIEL, PRO, OPTIMUM};
	for (int i = 0; i < 5; i++) {
		assert_int_equal(billing_segments_set(&g, 10 + 3 * i, prices[i]), 0);
		int64_t delta = billing_segments_total(&g, 30) - billed;
		billed += delta;
		sum += delta;
	}
	int64_t exact = (1900 * 3 + 3900 * 3 + 1900 * 3 + 3900 * 3 + 6900 * 9) * 2 + 30;
	assert_int_equal(sum, exact / 60);
	assert_int_equal(sum, billing_segments_total(&g, 30));
}

static void upgrade_then_downgrade_the_same_day_nets_to_zero(void **state)
{
	(void)state;
	struct billing_segments g = {0};
	assert_int_equal(billing_segments_set(&g, 1, ESSENTIEL), 0);
	int64_t billed = billing_segments_total(&g, 30);
	assert_int_equal(billing_segments_set(&g, 18, PRO), 0);
	int64_t up = billing_segments_total(&g, 30) - billed;
	billed += up;
	assert_int_equal(billing_segments_set(&g, 18, ESSENTIEL), 0); /* the same day: replaced */
	int64_t down = billing_segments_total(&g, 30) - billed;
	assert_int_equal(up, 867);
	assert_int_equal(down, -867);
	assert_int_equal(g.n, 2);
	/* the invoice and the credit note carry the same VAT, so TTC nets to zero too */
	assert_int_equal(billing_vat(up), billing_vat(-down));
}

static void vat_is_half_up_on_the_total(void **state)
{
	(void)state;
	assert_int_equal(billing_vat(0), 0);
	assert_int_equal(billing_vat(1), 0); /* 0,2 */
	assert_int_equal(billing_vat(3), 1); /* 0,6 */
	assert_int_equal(billing_vat(5), 1); /* 1,0 */
	assert_int_equal(billing_vat(1900), 380);
	assert_int_equal(billing_vat(2730), 546);
	assert_int_equal(billing_vat(12), 2);	       /* 2,4 */
	assert_int_equal(billing_vat(13), 3);	       /* 2,6 */
	assert_int_equal(billing_round_div(5, 10), 1); /* half up */
	assert_int_equal(billing_round_div(4, 10), 0);
	assert_int_equal(billing_round_div(15, 10), 2);
}

static void siren_and_vat_numbers(void **state)
{
	(void)state;
	assert_true(billing_siren_ok("732829320"));
	assert_true(billing_siren_ok("912345675"));
	assert_false(billing_siren_ok("732829321"));
	assert_false(billing_siren_ok("73282932"));
	assert_false(billing_siren_ok("7328293200"));
	assert_false(billing_siren_ok("73282932a"));
	assert_false(billing_siren_ok(""));
	assert_false(billing_siren_ok(NULL));
	assert_true(billing_vat_number_ok("FR44732829320", "732829320"));
	assert_false(billing_vat_number_ok("FR45732829320", "732829320")); /* wrong key */
	assert_false(billing_vat_number_ok("FR65912345675", "732829320")); /* another SIREN */
	assert_false(billing_vat_number_ok("DE44732829320", "732829320"));
	assert_true(billing_vat_number_ok("FR65912345675", "912345675"));
}

static void money_and_dates_as_printed(void **state)
{
	(void)state;
	char s[32], d[11];
	billing_money_text(867, s);
	assert_string_equal(s, "8,67 €");
	billing_money_text(123456789, s);
	assert_string_equal(s, "1 234 567,89 €");
	billing_money_text(5, s);
	assert_string_equal(s, "0,05 €");
	billing_date_fr("2027-04-18", d);
	assert_string_equal(d, "18/04/2027");
	billing_date_text(2027, 5, 3, d);
	assert_string_equal(d, "2027-05-03");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_vectors_of_the_product),
		cmocka_unit_test(months_of_every_length),
		cmocka_unit_test(month_bounds_in_paris),
		cmocka_unit_test(dst_days),
		cmocka_unit_test(two_changes_bill_the_recomputed_month),
		cmocka_unit_test(rounding_never_drifts),
		cmocka_unit_test(upgrade_then_downgrade_the_same_day_nets_to_zero),
		cmocka_unit_test(vat_is_half_up_on_the_total),
		cmocka_unit_test(siren_and_vat_numbers),
		cmocka_unit_test(money_and_dates_as_printed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
