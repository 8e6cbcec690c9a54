/* i18n — dates, money and name ordering in French and English, through ICU with fixed
 * patterns per locale. ICU never computes a time-zone offset: base/tz gives the local wall
 * time and ICU formats that wall time as if it were in GMT. All text is UTF-8. Every
 * function is safe to call from any thread. French output keeps ICU's spaces: U+00A0 before
 * "€" and "%", U+202F between thousands. */
#ifndef CRENEAU_I18N_H
#define CRENEAU_I18N_H
#include <stddef.h>
#include <stdint.h>

#include "base/tz.h"

enum i18n_locale { I18N_FR = 0, I18N_EN = 1 };
#define I18N_DEFAULT I18N_FR

/* Fixed patterns (docs/internals/time.md), for 2026-11-26 14:30 local:
 *   I18N_DATETIME    fr "jeudi 26 novembre 2026 à 14 h 30"
 *                    en "Thursday, November 26, 2026 at 2:30 PM"
 *   I18N_DATE        fr "jeudi 26 novembre 2026"   en "Thursday, November 26, 2026"
 *   I18N_DATE_SHORT  fr "26/11/2026"               en "11/26/2026"
 *   I18N_TIME        fr "14 h 30"                  en "2:30 PM" */
enum i18n_style { I18N_DATETIME, I18N_DATE, I18N_DATE_SHORT, I18N_TIME };

/* "fr", "en" and their regional forms ("fr-FR", "en_GB", any case) → I18N_FR / I18N_EN;
 * -1 for anything else (NULL included). */
int i18n_locale_parse(const char *s);
/* "fr" or "en" (I18N_DEFAULT's code for an unknown value); static storage. */
const char *i18n_locale_code(int locale);

/* The instant `utc` as local time in zone z, in words. Returns a malloc'd string the caller
 * frees; never NULL (an unknown locale or style formats as French / I18N_DATETIME). */
char *i18n_format_datetime(int locale, const struct tz *z, int64_t utc, enum i18n_style style);
/* An amount in hundredths of `currency` (ISO 4217, three capital letters), e.g. 867 "EUR" →
 * fr "8,67 €" (U+00A0 before €), en "€8.67". Returns a malloc'd string, or NULL when the
 * currency code is malformed. */
char *i18n_format_money(int locale, int64_t cents, const char *currency);
/* A rate in hundredths of a percent, e.g. 550 → fr "5,5 %" (U+00A0), en "5.5%". Malloc'd. */
char *i18n_format_percent(int locale, int64_t hundredths);
/* Orders two UTF-8 names the way the locale's readers expect (accents after their base
 * letter, case after accents): <0, 0 or >0 like strcmp. NULL sorts first. */
int i18n_collate(int locale, const char *a, const char *b);
/* True when a and b are equal ignoring case and accents ("Élodie" and "elodie"). */
int i18n_equal_loose(int locale, const char *a, const char *b);
/* Folds UTF-8 text for accent- and case-insensitive matching: decomposed, combining marks
 * removed, case-folded, ligatures and stroked letters spelt in ASCII ("Élodie Œuvray" →
 * "elodie oeuvray", "Łódź" → "lodz"). Writes at most cap bytes, NUL included, cutting on a
 * character boundary. Returns 0, or -1 (out = "") when the input is not valid UTF-8. */
int i18n_fold(const char *in, char *out, size_t cap);

#endif
