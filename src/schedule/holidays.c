/* holidays — France's public holidays: fixed dates, and those that follow Easter. */
#include <string.h>

#include "schedule/holidays.h"
#include "base/tz.h"
#include "base/banned.h"

int holidays_easter(int year, int *month, int *day, struct err *e)
{
	if (year < HOLIDAYS_YEAR_MIN || year > HOLIDAYS_YEAR_MAX)
		return err_set(e, 400, "invalid_year", "year", "years %d..%d", HOLIDAYS_YEAR_MIN,
			       HOLIDAYS_YEAR_MAX);
	/* The anonymous Gregorian algorithm (Meeus/Jones/Butcher). */
	int a = year % 19, b = year / 100, c = year % 100;
	int d = b / 4, ee = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3;
	int h = (19 * a + b - d - g + 15) % 30;
	int i = c / 4, k = c % 4;
	int l = (32 + 2 * ee + 2 * i - h - k) % 7;
	int m = (a + 11 * h + 22 * l) / 451;
	*month = (h + l - 7 * m + 114) / 31;
	*day = (h + l - 7 * m + 114) % 31 + 1;
	return 0;
}

struct rule {
	int month, day;	 /* a fixed date, or month 0: `day` days after Easter Sunday */
	int alsace_only; /* only in Alsace-Moselle (Bas-Rhin, Haut-Rhin, Moselle) */
	const char *key, *fr, *en;
};

static const struct rule rules[] = {
	{1, 1, 0, "new_year", "Jour de l'an", "New Year's Day"},
	{0, -2, 1, "good_friday", "Vendredi saint", "Good Friday"},
	{0, 1, 0, "easter_monday", "Lundi de Pâques", "Easter Monday"},
	{5, 1, 0, "labour_day", "Fête du Travail", "Labour Day"},
	{5, 8, 0, "victory_1945", "Victoire 1945", "Victory in Europe Day"},
	{0, 39, 0, "ascension", "Ascension", "Ascension Day"},
	{0, 50, 0, "whit_monday", "Lundi de Pentecôte", "Whit Monday"},
	{7, 14, 0, "bastille_day", "Fête nationale", "Bastille Day"},
	{8, 15, 0, "assumption", "Assomption", "Assumption Day"},
	{11, 1, 0, "all_saints", "Toussaint", "All Saints' Day"},
	{11, 11, 0, "armistice_1918", "Armistice 1918", "Armistice Day"},
	{12, 25, 0, "christmas", "Noël", "Christmas Day"},
	{12, 26, 1, "st_stephen", "Saint-Étienne", "St Stephen's Day"},
};

int holidays_fr(int year, int alsace_moselle, struct holiday *out, struct err *e)
{
	int em, ed;
	if (holidays_easter(year, &em, &ed, e) < 0)
		return -1;
	int64_t easter = tz_days_from_civil(year, em, ed);
	int n = 0;
	for (size_t r = 0; r < sizeof(rules) / sizeof(rules[0]); r++) {
		if (rules[r].alsace_only && !alsace_moselle)
			continue;
		struct holiday h = {year,	  rules[r].month, rules[r].day,
				    rules[r].key, rules[r].fr,	  rules[r].en};
		if (rules[r].month == 0)
			tz_civil_from_days(easter + rules[r].day, &h.year, &h.month, &h.day);
		/* stable insertion by date: Ascension may fall on or around 1 and 8 May */
		int j = n++;
		for (; j > 0 && (out[j - 1].month > h.month ||
				 (out[j - 1].month == h.month && out[j - 1].day > h.day));
		     j--)
			out[j] = out[j - 1];
		out[j] = h;
	}
	return n;
}
