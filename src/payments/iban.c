/* iban — IBAN, BIC and SEPA creditor identifier checks (pure). iban.h. */
#include "payments/iban.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "base/banned.h"

/* The IBAN registry's lengths for the countries of the SEPA scheme; bic: 1 when the country
 * is outside the EEA, so a debit needs the BIC. */
static const struct {
	char cc[3];
	int len, bic;
} countries[] = {
	{"AD", 24, 1}, {"AT", 20, 0}, {"BE", 16, 0}, {"BG", 22, 0}, {"CH", 21, 1}, {"CY", 28, 0},
	{"CZ", 24, 0}, {"DE", 22, 0}, {"DK", 18, 0}, {"EE", 20, 0}, {"ES", 24, 0}, {"FI", 18, 0},
	{"FR", 27, 0}, {"GB", 22, 1}, {"GI", 23, 1}, {"GR", 27, 0}, {"HR", 21, 0}, {"HU", 28, 0},
	{"IE", 22, 0}, {"IS", 26, 0}, {"IT", 27, 0}, {"LI", 21, 0}, {"LT", 20, 0}, {"LU", 20, 0},
	{"LV", 21, 0}, {"MC", 27, 1}, {"MT", 31, 0}, {"NL", 18, 0}, {"NO", 15, 0}, {"PL", 28, 0},
	{"PT", 25, 0}, {"RO", 24, 0}, {"SE", 24, 0}, {"SI", 19, 0}, {"SK", 24, 0}, {"SM", 27, 1},
	{"VA", 22, 1},
};

int iban_normalise(const char *in, char out[IBAN_MAX + 1])
{
	size_t n = 0;
	for (const char *p = in; *p; p++) {
		unsigned char ch = (unsigned char)*p;
		if (ch == ' ')
			continue;
		if (!isascii(ch) || !isalnum(ch) || n >= IBAN_MAX)
			return -1;
		out[n++] = (char)toupper(ch);
	}
	out[n] = '\0';
	return 0;
}

static int find_country(const char *cc)
{
	for (size_t i = 0; i < sizeof(countries) / sizeof(countries[0]); i++)
		if (!strncmp(countries[i].cc, cc, 2))
			return (int)i;
	return -1;
}

int iban_country_length(const char *country2)
{
	int i = find_country(country2);
	return i < 0 ? 0 : countries[i].len;
}

/* The remainder mod 97 of the digits of s[from..] then s[..from), letters as 10..35. */
static int mod97_rotated(const char *s, size_t from)
{
	size_t n = strlen(s);
	int r = 0;
	for (size_t k = 0; k < n; k++) {
		char ch = s[(from + k) % n];
		if (isdigit((unsigned char)ch))
			r = (r * 10 + (ch - '0')) % 97;
		else if (isupper((unsigned char)ch))
			r = (r * 100 + (ch - 'A' + 10)) % 97;
		else
			return -1;
	}
	return r;
}

int iban_valid(const char *iban)
{
	size_t n = strlen(iban);
	if (n < 5 || !isupper((unsigned char)iban[0]) || !isupper((unsigned char)iban[1]) ||
	    !isdigit((unsigned char)iban[2]) || !isdigit((unsigned char)iban[3]))
		return 0;
	int len = iban_country_length(iban);
	return len && (size_t)len == n && mod97_rotated(iban, 4) == 1;
}

int iban_check(const char *in, char out[IBAN_MAX + 1], const char *field, struct err *e)
{
	if (iban_normalise(in, out))
		return err_set(e, 400, "invalid_iban", field,
			       "an IBAN holds only letters and digits (34 at most)");
	size_t n = strlen(out);
	if (n < 5)
		return err_set(e, 400, "invalid_iban", field, "this IBAN is too short");
	int len = iban_country_length(out);
	if (!len)
		return err_set(e, 400, "invalid_iban", field, "%.2s is not a country of the SEPA scheme",
			       out);
	if ((size_t)len != n)
		return err_set(e, 400, "invalid_iban", field, "an IBAN of %.2s has %d characters, not %zu",
			       out, len, n);
	if (!iban_valid(out))
		return err_set(e, 400, "invalid_iban", field,
			       "the check digits of this IBAN are wrong: a character was mistyped");
	return 0;
}

int iban_bic_required(const char *iban)
{
	int i = find_country(iban);
	return i >= 0 && countries[i].bic;
}

int bic_valid(const char *bic)
{
	size_t n = strlen(bic);
	if (n != 8 && n != 11)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)bic[i];
		if (i < 6 ? !isupper(ch) : !(isupper(ch) || isdigit(ch)))
			return 0;
	}
	return 1;
}

int creditor_id_valid(const char *ics)
{
	size_t n = strlen(ics);
	if (n < 8 || n > 35 || !isupper((unsigned char)ics[0]) || !isupper((unsigned char)ics[1]) ||
	    !isdigit((unsigned char)ics[2]) || !isdigit((unsigned char)ics[3]))
		return 0;
	/* national identifier (from position 8) + country + check digits, mod 97 = 1 */
	char s[48];
	int w = snprintf(s, sizeof(s), "%s%.4s", ics + 7, ics);
	if (w < 0 || (size_t)w >= sizeof(s))
		return 0;
	for (size_t i = 4; i < 7; i++)
		if (!isalnum((unsigned char)ics[i]))
			return 0;
	return mod97_rotated(s, 0) == 1;
}

void iban_masked(const char *iban, char *out, size_t cap)
{
	size_t n = strlen(iban), o = 0;
	for (size_t i = 0; i < n && o + 2 < cap; i++) {
		if (i && i % 4 == 0)
			out[o++] = ' ';
		out[o++] = (i < 4 || i + 3 >= n) ? iban[i] : '*';
	}
	out[o < cap ? o : cap - 1] = '\0';
}
