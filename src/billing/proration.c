/* proration — the pure rules of PRODUCT.md "Plan change": calendar months in Europe/Paris,
 * the month's plan segments and their exact total, VAT, SIREN and VAT-number checks. No store. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/tz.h"
#include "billing/billing_int.h"
#include "base/banned.h"

static const struct tz *paris(void)
{
	struct err e = {0};
	const struct tz *z = tz_get(BILLING_ZONE, &e);
	if (!z)
		abort(); /* the zone is built in: without it no date can be right */
	return z;
}

void billing_month_of(int64_t t, struct billing_month *m)
{
	const struct tz *z = paris();
	struct civil c;
	tz_to_civil(z, t, &c);
	*m = (struct billing_month){.year = c.year, .month = c.month, .day = c.day};
	m->days = tz_days_in_month(c.year, c.month);
	int ny = c.month == 12 ? c.year + 1 : c.year, nm = c.month == 12 ? 1 : c.month + 1;
	if (tz_day_start(z, c.year, c.month, 1, &m->start) || tz_day_start(z, ny, nm, 1, &m->next_start))
		abort();
}

int billing_month_key(const struct billing_month *m)
{
	return m->year * 100 + m->month;
}

void billing_month_from_key(int key, struct billing_month *m)
{
	int y = key / 100, mo = key % 100;
	int64_t start;
	if (tz_day_start(paris(), y, mo, 1, &start))
		abort();
	billing_month_of(start, m);
}

void billing_date_text(int y, int m, int d, char out[11])
{
	snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u, (unsigned)d % 100u);
}

int64_t billing_round_div(int64_t num, int64_t den)
{
	return (num * 2 + den) / (den * 2);
}

int64_t billing_vat(int64_t ht_cents)
{
	return billing_round_div(ht_cents * BILLING_VAT_RATE_BP, 10000);
}

/* ---- segments ---- */

int billing_segments_set(struct billing_segments *g, int day, int64_t price)
{
	if (day < 1 || price < 0)
		return -1;
	if (g->n > 0) {
		struct billing_segment *last = &g->s[g->n - 1];
		if (day < last->from_day)
			return -1;
		if (day == last->from_day) {
			last->price = price;
			return 0;
		}
	}
	if (g->n >= BILLING_SEGMENTS_MAX)
		return -1;
	g->s[g->n++] = (struct billing_segment){.from_day = day, .price = price};
	return 0;
}

int64_t billing_segments_total(const struct billing_segments *g, int days_in_month)
{
	int64_t num = 0;
	for (int i = 0; i < g->n; i++) {
		int to = i + 1 < g->n ? g->s[i + 1].from_day : days_in_month + 1;
		if (to > days_in_month + 1)
			to = days_in_month + 1;
		if (to > g->s[i].from_day)
			num += g->s[i].price * (to - g->s[i].from_day);
	}
	return billing_round_div(num, days_in_month);
}

void billing_segments_format(const struct billing_segments *g, char *out, size_t cap)
{
	size_t len = 0;
	out[0] = '\0';
	for (int i = 0; i < g->n && len < cap; i++) {
		int w = snprintf(out + len, cap - len, "%s%d:%lld", i ? "," : "", g->s[i].from_day,
				 (long long)g->s[i].price);
		if (w < 0)
			break;
		len += (size_t)w;
	}
}

int billing_segments_parse(const char *text, struct billing_segments *g)
{
	g->n = 0;
	const char *p = text;
	while (*p) {
		char *end;
		long day = strtol(p, &end, 10);
		if (end == p || *end != ':' || day < 1 || day > 31)
			return -1;
		p = end + 1;
		long long price = strtoll(p, &end, 10);
		if (end == p || price < 0 || (*end && *end != ','))
			return -1;
		if (billing_segments_set(g, (int)day, price))
			return -1;
		p = *end ? end + 1 : end;
	}
	return 0;
}

/* ---- identifiers ---- */

int billing_siren_ok(const char *s)
{
	if (!s || strlen(s) != 9)
		return 0;
	int sum = 0;
	for (int i = 0; i < 9; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		int d = s[i] - '0';
		if (i % 2 == 1) { /* every second digit from the left, i.e. from the right of 9 */
			d *= 2;
			if (d > 9)
				d -= 9;
		}
		sum += d;
	}
	return sum % 10 == 0;
}

int billing_vat_number_ok(const char *vat, const char *siren)
{
	if (!vat || !siren || strlen(vat) != 13 || vat[0] != 'F' || vat[1] != 'R' ||
	    !billing_siren_ok(siren) || strcmp(vat + 4, siren))
		return 0;
	if (vat[2] < '0' || vat[2] > '9' || vat[3] < '0' || vat[3] > '9')
		return 0;
	long long n = strtoll(siren, NULL, 10);
	int key = (int)((12 + 3 * (n % 97)) % 97);
	return (vat[2] - '0') * 10 + (vat[3] - '0') == key;
}

/* ---- text ---- */

void billing_money_text(int64_t cents, char out[32])
{
	int neg = cents < 0;
	unsigned long long v = (unsigned long long)(neg ? -cents : cents);
	unsigned long long euros = v / 100, rest = v % 100;
	char digits[24], grouped[40];
	int n = snprintf(digits, sizeof(digits), "%llu", euros), g = 0;
	for (int i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			grouped[g++] = ' ';
		grouped[g++] = digits[i];
	}
	grouped[g] = '\0';
	snprintf(out, 32, "%s%.22s,%02llu €", neg ? "-" : "", grouped, rest % 100u);
}

void billing_date_fr(const char *iso, char out[11])
{
	if (!iso || strlen(iso) != 10) {
		out[0] = '\0';
		return;
	}
	snprintf(out, 11, "%.2s/%.2s/%.4s", iso + 8, iso + 5, iso);
}
