/* holidays — France's public holidays (jours fériés) of a year, with their French and English
 * names, and optionally the two extra days of Alsace-Moselle. Pure: no store, no zone. Offered
 * to a business as closed days; the business chooses which to keep. */
#ifndef CRENEAU_HOLIDAYS_H
#define CRENEAU_HOLIDAYS_H

#include "base/err.h"

#define HOLIDAYS_MAX	  13   /* 11 national days + 2 in Alsace-Moselle */
#define HOLIDAYS_YEAR_MIN 1583 /* first full year of the Gregorian calendar */
#define HOLIDAYS_YEAR_MAX 9999

struct holiday {
	int year, month, day;
	const char *key;	       /* stable name: "new_year", "easter_monday", ... */
	const char *name_fr, *name_en; /* static strings */
};

/* Easter Sunday of `year` (anonymous Gregorian algorithm) into *month, *day. Returns 0, or
 * -1 with 400 `invalid_year` on field "year" outside HOLIDAYS_YEAR_MIN..MAX. */
int holidays_easter(int year, int *month, int *day, struct err *e) WUR;
/* Fills out[0..] (room for HOLIDAYS_MAX) with the public holidays of `year` in date order
 * (two may share a date, e.g. Ascension on 1 May 2008); with `alsace_moselle`, Good Friday and
 * 26 December too. Returns the count, or -1 with 400 `invalid_year` on field "year". */
int holidays_fr(int year, int alsace_moselle, struct holiday *out, struct err *e) WUR;

#endif
