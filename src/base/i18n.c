/* i18n — see i18n.h and docs/internals/time.md. ICU formatters and collators are opened
 * once and shared; ICU does not promise that one formatter may be used by two threads at
 * once, so every use holds icu_lock. Formatting is rare (mails, documents) and short. */
#include "base/i18n.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unicode/ucol.h>
#include <unicode/uchar.h>
#include <unicode/udat.h>
#include <unicode/unorm2.h>
#include <unicode/unum.h>
#include <unicode/ustring.h>

#include "base/xalloc.h"
#include "base/banned.h"

#define NLOCALES 2
#define NSTYLES	 4

static const char *const codes[NLOCALES] = {"fr", "en"};

/* Fixed patterns (ICU date pattern syntax), indexed by locale then style. */
static const UChar *const patterns[NLOCALES][NSTYLES] = {
	{u"EEEE d MMMM y 'à' H 'h' mm", u"EEEE d MMMM y", u"dd/MM/y", u"H 'h' mm"},
	{u"EEEE, MMMM d, y 'at' h:mm a", u"EEEE, MMMM d, y", u"MM/dd/y", u"h:mm a"},
};

static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_mutex_t icu_lock = PTHREAD_MUTEX_INITIALIZER;
static UDateFormat *dates[NLOCALES][NSTYLES];
static UNumberFormat *money[NLOCALES];
static UNumberFormat *percent[NLOCALES];
static UCollator *collators[NLOCALES];	     /* tertiary: for ordering */
static UCollator *loose_collators[NLOCALES]; /* primary: ignores case and accents */

static void open_all(void)
{
	for (int l = 0; l < NLOCALES; l++) {
		UErrorCode st = U_ZERO_ERROR;
		for (int s = 0; s < NSTYLES; s++) {
			st = U_ZERO_ERROR;
			dates[l][s] = udat_open(UDAT_PATTERN, UDAT_PATTERN, codes[l], u"GMT", -1,
						patterns[l][s], -1, &st);
			if (U_FAILURE(st))
				dates[l][s] = NULL;
		}
		st = U_ZERO_ERROR;
		money[l] = unum_open(UNUM_CURRENCY, NULL, 0, codes[l], NULL, &st);
		if (U_FAILURE(st))
			money[l] = NULL;
		st = U_ZERO_ERROR;
		percent[l] = unum_open(UNUM_PERCENT, NULL, 0, codes[l], NULL, &st);
		if (U_FAILURE(st))
			percent[l] = NULL;
		else
			unum_setAttribute(percent[l], UNUM_MAX_FRACTION_DIGITS, 2);
		st = U_ZERO_ERROR;
		collators[l] = ucol_open(codes[l], &st);
		if (U_FAILURE(st))
			collators[l] = NULL;
		st = U_ZERO_ERROR;
		loose_collators[l] = ucol_open(codes[l], &st);
		if (U_FAILURE(st))
			loose_collators[l] = NULL;
		else
			ucol_setStrength(loose_collators[l], UCOL_PRIMARY);
	}
}

static int norm_locale(int locale)
{
	return locale >= 0 && locale < NLOCALES ? locale : I18N_DEFAULT;
}

int i18n_locale_parse(const char *s)
{
	if (!s)
		return -1;
	size_t n = strnlen(s, 16);
	if (n < 2 || n > 15 || (n > 2 && s[2] != '-' && s[2] != '_'))
		return -1;
	for (int l = 0; l < NLOCALES; l++)
		if (strncasecmp(s, codes[l], 2) == 0)
			return l;
	return -1;
}

const char *i18n_locale_code(int locale)
{
	return codes[norm_locale(locale)];
}

/* UTF-16 → malloc'd UTF-8, or NULL. */
static char *to_utf8(const UChar *u, int32_t n)
{
	UErrorCode st = U_ZERO_ERROR;
	int32_t len = 0;
	u_strToUTF8(NULL, 0, &len, u, n, &st);
	if (st != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(st))
		return NULL;
	char *out = xmalloc((size_t)len + 1);
	st = U_ZERO_ERROR;
	u_strToUTF8(out, len + 1, NULL, u, n, &st);
	if (U_FAILURE(st)) {
		free(out);
		return NULL;
	}
	return out;
}

char *i18n_format_datetime(int locale, const struct tz *z, int64_t utc, enum i18n_style style)
{
	pthread_once(&once, open_all);
	int l = norm_locale(locale);
	int s = style >= 0 && style < NSTYLES ? (int)style : I18N_DATETIME;
	struct civil wall;
	tz_to_civil(z, utc, &wall);
	/* the local wall time, read as if it were GMT */
	UDate ms = (UDate)tz_civil_to_utc(&wall) * 1000.0;
	UChar out[128];
	UErrorCode st = U_ZERO_ERROR;
	int32_t n = -1;
	pthread_mutex_lock(&icu_lock);
	if (dates[l][s])
		n = udat_format(dates[l][s], ms, out, 128, NULL, &st);
	pthread_mutex_unlock(&icu_lock);
	char *r = n >= 0 && U_SUCCESS(st) && st != U_STRING_NOT_TERMINATED_WARNING ? to_utf8(out, n) : NULL;
	if (!r) { /* ICU data missing: still say when */
		r = xmalloc(TZ_RFC3339_SIZE);
		tz_format_rfc3339(z, utc, r);
	}
	return r;
}

static int currency_ok(const char *c)
{
	if (!c || strnlen(c, 4) != 3)
		return 0;
	for (int i = 0; i < 3; i++)
		if (c[i] < 'A' || c[i] > 'Z')
			return 0;
	return 1;
}

/* Writes value/100 (or value/10000 for percent) as an exact decimal string. */
static void decimal(char *out, size_t cap, int64_t value, unsigned scale_digits)
{
	uint64_t mag = value < 0 ? (uint64_t)0 - (uint64_t)value : (uint64_t)value;
	uint64_t div = scale_digits == 2 ? 100 : 10000;
	snprintf(out, cap, "%s%llu.%0*llu", value < 0 ? "-" : "", (unsigned long long)(mag / div),
		 (int)scale_digits, (unsigned long long)(mag % div));
}

static char *format_number(UNumberFormat *f, const char *dec, const char *currency)
{
	UChar out[128];
	UErrorCode st = U_ZERO_ERROR;
	int32_t n = -1;
	pthread_mutex_lock(&icu_lock);
	if (f) {
		if (currency) {
			UChar cur[4] = {(UChar)currency[0], (UChar)currency[1], (UChar)currency[2], 0};
			unum_setTextAttribute(f, UNUM_CURRENCY_CODE, cur, 3, &st);
		}
		if (U_SUCCESS(st))
			n = unum_formatDecimal(f, dec, -1, out, 128, NULL, &st);
	}
	pthread_mutex_unlock(&icu_lock);
	char *r = n >= 0 && U_SUCCESS(st) && st != U_STRING_NOT_TERMINATED_WARNING ? to_utf8(out, n) : NULL;
	return r;
}

char *i18n_format_money(int locale, int64_t cents, const char *currency)
{
	if (!currency_ok(currency))
		return NULL;
	pthread_once(&once, open_all);
	char dec[32];
	decimal(dec, sizeof(dec), cents, 2);
	char *r = format_number(money[norm_locale(locale)], dec, currency);
	return r ? r : xasprintf("%s %s", dec, currency);
}

char *i18n_format_percent(int locale, int64_t hundredths)
{
	pthread_once(&once, open_all);
	char dec[32];
	decimal(dec, sizeof(dec), hundredths, 4); /* 550 → "0.0550", ICU multiplies by 100 */
	char *r = format_number(percent[norm_locale(locale)], dec, NULL);
	if (!r) {
		decimal(dec, sizeof(dec), hundredths, 2);
		r = xasprintf("%s%%", dec);
	}
	return r;
}

static int compare(UCollator *c, const char *a, const char *b)
{
	if (!a || !b)
		return (a != NULL) - (b != NULL);
	UErrorCode st = U_ZERO_ERROR;
	UCollationResult r = UCOL_EQUAL;
	pthread_mutex_lock(&icu_lock);
	if (c)
		r = ucol_strcollUTF8(c, a, -1, b, -1, &st);
	pthread_mutex_unlock(&icu_lock);
	if (!c || U_FAILURE(st)) {
		int x = strcmp(a, b);
		return (x > 0) - (x < 0);
	}
	return r == UCOL_LESS ? -1 : r == UCOL_GREATER ? 1 : 0;
}

int i18n_collate(int locale, const char *a, const char *b)
{
	pthread_once(&once, open_all);
	return compare(collators[norm_locale(locale)], a, b);
}

int i18n_equal_loose(int locale, const char *a, const char *b)
{
	pthread_once(&once, open_all);
	return a && b && compare(loose_collators[norm_locale(locale)], a, b) == 0;
}

/* Letters that neither decompose nor case-fold to ASCII, spelt the way French and the
 * neighbouring languages write them without the special letter. */
static const char *spelt(UChar32 c)
{
	switch (c) {
	case 0x00E6:
		return "ae"; /* æ */
	case 0x0153:
		return "oe"; /* œ */
	case 0x00F8:
		return "o"; /* ø */
	case 0x0142:
		return "l"; /* ł */
	case 0x0111:
		return "d"; /* đ */
	case 0x0131:
		return "i"; /* dotless ı */
	case 0x00F0:
		return "d"; /* ð */
	case 0x00FE:
		return "th"; /* þ */
	default:
		return NULL;
	}
}

#define FOLD_MAX_UNITS 4096 /* UTF-16 units of input folded; the rest is cut */

int i18n_fold(const char *in, char *out, size_t cap)
{
	if (cap == 0)
		return -1;
	out[0] = '\0';
	if (!in)
		return 0;
	UErrorCode st = U_ZERO_ERROR;
	UChar *u = xmalloc(FOLD_MAX_UNITS * sizeof(UChar));
	UChar *d = xmalloc(FOLD_MAX_UNITS * 4 * sizeof(UChar));
	UChar *f = xmalloc(FOLD_MAX_UNITS * 4 * sizeof(UChar));
	int32_t ulen = 0, dlen = 0, flen = 0;
	int rc = -1;
	/* at most FOLD_MAX_UNITS bytes, cut on a character boundary: never more UTF-16 units */
	size_t len = strnlen(in, FOLD_MAX_UNITS);
	if (len == FOLD_MAX_UNITS)
		while (len > 0 && ((unsigned char)in[len] & 0xC0) == 0x80)
			len--;
	u_strFromUTF8(u, FOLD_MAX_UNITS, &ulen, in, (int32_t)len, &st);
	if (U_FAILURE(st))
		goto done;
	/* case-fold first (ß → ss), then decompose and drop the marks */
	flen = u_strFoldCase(f, FOLD_MAX_UNITS * 4, u, ulen, U_FOLD_CASE_DEFAULT, &st);
	if (U_FAILURE(st) || flen >= FOLD_MAX_UNITS * 4)
		goto done;
	const UNormalizer2 *nfd = unorm2_getNFDInstance(&st);
	if (U_FAILURE(st))
		goto done;
	dlen = unorm2_normalize(nfd, f, flen, d, FOLD_MAX_UNITS * 4, &st);
	if (U_FAILURE(st))
		goto done;
	size_t n = 0;
	for (int32_t i = 0; i < dlen;) {
		UChar32 c;
		U16_NEXT(d, i, dlen, c);
		if (u_charType(c) == U_NON_SPACING_MARK || u_charType(c) == U_ENCLOSING_MARK)
			continue;
		char enc[8];
		const char *piece = spelt(c);
		size_t plen;
		if (piece) {
			plen = strlen(piece);
		} else {
			int32_t k = 0;
			UBool bad = 0;
			U8_APPEND((uint8_t *)enc, k, (int32_t)sizeof(enc), c, bad);
			if (bad)
				continue;
			piece = enc;
			plen = (size_t)k;
		}
		if (n + plen + 1 > cap)
			break;
		memcpy(out + n, piece, plen);
		n += plen;
	}
	out[n] = '\0';
	rc = 0;
done:
	free(u);
	free(d);
	free(f);
	return rc;
}
