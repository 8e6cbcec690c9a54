/* sms — the SMS text rules (sms.h): GSM-7 alphabet, normalisation, measure, the cut at the
 * 3-segment boundary and the sender name. Pure functions, no state. */
#include "notify/sms.h"

#include <stdint.h>
#include <string.h>
#include <unicode/unorm2.h>

#include "base/banned.h"

/* Decodes one UTF-8 character of s (n bytes left, n > 0): its length, or -1 when the bytes
 * are not UTF-8 (overlong forms, surrogates and values past U+10FFFF are refused). */
static int utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	int len;
	uint32_t min, c;
	if ((s[0] & 0xE0) == 0xC0) {
		len = 2, min = 0x80, c = s[0] & 0x1F;
	} else if ((s[0] & 0xF0) == 0xE0) {
		len = 3, min = 0x800, c = s[0] & 0x0F;
	} else if ((s[0] & 0xF8) == 0xF0) {
		len = 4, min = 0x10000, c = s[0] & 0x07;
	} else {
		return -1;
	}
	if ((size_t)len > n)
		return -1;
	for (int i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return -1;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return -1;
	*cp = c;
	return len;
}

/* The non-ASCII characters of the GSM 03.38 basic table. */
static const uint16_t gsm_basic_high[] = {
	0x00A1, 0x00A3, 0x00A4, 0x00A5, 0x00A7, 0x00BF, 0x00C4, 0x00C5, 0x00C6, 0x00C7,
	0x00C9, 0x00D1, 0x00D6, 0x00D8, 0x00DC, 0x00DF, 0x00E0, 0x00E4, 0x00E5, 0x00E6,
	0x00E8, 0x00E9, 0x00EC, 0x00F1, 0x00F2, 0x00F6, 0x00F8, 0x00F9, 0x00FC, 0x0393,
	0x0394, 0x0398, 0x039B, 0x039E, 0x03A0, 0x03A3, 0x03A6, 0x03A8, 0x03A9,
};

int sms_gsm7_units(uint32_t c)
{
	if (c == '\n' || c == '\r')
		return 1;
	if (c == '\f')
		return 2;
	if (c >= 0x20 && c < 0x7F) {
		switch (c) {
		case '`':
			return 0;
		case '^':
		case '{':
		case '}':
		case '[':
		case ']':
		case '~':
		case '\\':
		case '|':
			return 2;
		default:
			return 1;
		}
	}
	if (c == 0x20AC) /* € */
		return 2;
	for (size_t i = 0; i < sizeof(gsm_basic_high) / sizeof(gsm_basic_high[0]); i++)
		if (gsm_basic_high[i] == c)
			return 1;
	return 0;
}

/* The GSM-7 twin of a typographic character, or NULL when it has none. */
static const char *typographic_twin(uint32_t c)
{
	switch (c) {
	case 0x2018: /* ‘ */
	case 0x2019: /* ’ */
	case 0x201A: /* ‚ */
	case 0x201B: /* ‛ */
	case 0x2032: /* ′ */
	case 0x02BC: /* ʼ */
	case 0x00B4: /* ´ */
	case '`':
		return "'";
	case 0x00AB: /* « */
	case 0x00BB: /* » */
	case 0x201C: /* “ */
	case 0x201D: /* ” */
	case 0x201E: /* „ */
	case 0x201F: /* ‟ */
	case 0x2033: /* ″ */
	case 0x2039: /* ‹ */
	case 0x203A: /* › */
		return c == 0x2039 || c == 0x203A ? "'" : "\"";
	case '\t':
	case 0x00A0: /* no-break space */
	case 0x2000:
	case 0x2001:
	case 0x2002:
	case 0x2003:
	case 0x2004:
	case 0x2005:
	case 0x2006:
	case 0x2007:
	case 0x2008:
	case 0x2009: /* thin space */
	case 0x200A:
	case 0x202F: /* narrow no-break space */
	case 0x205F:
	case 0x3000:
		return " ";
	case 0x2010: /* ‐ */
	case 0x2011: /* non-breaking hyphen */
	case 0x2012: /* ‒ */
	case 0x2013: /* – */
	case 0x2014: /* — */
	case 0x2015: /* ― */
	case 0x2212: /* − */
		return "-";
	case 0x2026: /* … */
		return "...";
	case 0x2022: /* • */
	case 0x00B7: /* · */
		return "-";
	case 0x200B: /* zero-width space */
	case 0xFEFF: /* byte order mark */
	case 0x00AD: /* soft hyphen */
		return "";
	case 0x2028: /* line and paragraph separators */
	case 0x2029:
		return "\n";
	default:
		return NULL;
	}
}

/* The unaccented form of a letter outside GSM-7 (ê → e, œ → oe), or 0 when it has none;
 * the result is written to out (at most 3 bytes + NUL). */
static int unaccented(uint32_t c, char out[8])
{
	static const struct {
		uint32_t c;
		const char *s;
	} special[] = {
		{0x0152, "OE"}, {0x0153, "oe"}, {0x0132, "IJ"}, {0x0133, "ij"}, {0x0141, "L"},
		{0x0142, "l"},	{0x0110, "D"},	{0x0111, "d"},	{0x00D0, "D"},	{0x00F0, "d"},
		{0x00DE, "TH"}, {0x00FE, "th"}, {0x0131, "i"},	{0x1E9E, "SS"},
	};
	for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++)
		if (special[i].c == c) {
			size_t n = strlen(special[i].s);
			memcpy(out, special[i].s, n + 1);
			return 1;
		}
	if (c > 0xFFFF)
		return 0;
	UErrorCode st = U_ZERO_ERROR;
	const UNormalizer2 *nfd = unorm2_getNFDInstance(&st);
	if (U_FAILURE(st))
		return 0;
	UChar d[8];
	int32_t n = unorm2_getDecomposition(nfd, (UChar32)c, d, 8, &st);
	if (U_FAILURE(st) || n < 2)
		return 0;
	/* A base letter followed by combining marks only: keep the base when it is ASCII. */
	if (d[0] >= 0x80 || !((d[0] >= 'A' && d[0] <= 'Z') || (d[0] >= 'a' && d[0] <= 'z')))
		return 0;
	for (int32_t i = 1; i < n; i++)
		if (d[i] < 0x0300 || d[i] > 0x036F)
			return 0;
	out[0] = (char)d[0];
	out[1] = '\0';
	return 1;
}

/* accent_free: 0 keep letters, 1 unaccent those outside GSM-7, 2 unaccent every one. */
static int normalise(const char *in, int accent_free, struct buf *out, struct err *e)
{
	size_t n = strlen(in);
	if (n > SMS_TEXT_MAX)
		return err_set(e, 400, "invalid_text", "text", "the text is longer than %d bytes",
			       SMS_TEXT_MAX);
	const unsigned char *s = (const unsigned char *)in;
	size_t start = out->len;
	for (size_t i = 0; i < n;) {
		uint32_t c;
		int len = utf8_decode(s + i, n - i, &c);
		if (len < 0) {
			out->len = start;
			if (out->data)
				out->data[start] = '\0';
			return err_set(e, 400, "invalid_text", "text", "the text is not UTF-8");
		}
		const char *twin = typographic_twin(c);
		char alt[8];
		int rc;
		if (twin)
			rc = buf_appends(out, twin);
		else if (accent_free && (accent_free == 2 || !sms_gsm7_units(c)) && unaccented(c, alt))
			rc = buf_appends(out, alt);
		else
			rc = buf_append(out, s + i, (size_t)len);
		if (rc) {
			out->len = start;
			if (out->data)
				out->data[start] = '\0';
			return err_set(e, 400, "invalid_text", "text", "the normalised text is too long");
		}
		i += (size_t)len;
	}
	if (!out->data) /* always a string, even for "" */
		return buf_append(out, "", 0) ? err_set(e, 400, "invalid_text", "text", "no room") : 0;
	return 0;
}

int sms_normalise(const char *in, int accent_free, struct buf *out, struct err *e)
{
	return normalise(in, accent_free ? 1 : 0, out, e);
}

/* Units one character takes in the given coding. Invalid bytes count as one U+FFFD. */
static int char_units(uint32_t c, enum sms_coding coding)
{
	if (coding == SMS_GSM7)
		return sms_gsm7_units(c);
	return c > 0xFFFF ? 2 : 1;
}

/* Steps through text one character at a time: its byte length and its code point. */
static int next_char(const char *text, size_t n, size_t i, uint32_t *c)
{
	int len = utf8_decode((const unsigned char *)text + i, n - i, c);
	if (len < 0) {
		*c = 0xFFFD;
		return 1;
	}
	return len;
}

/* Part sizes of a coding: one message alone, and one part of a concatenated message. */
static void part_sizes(enum sms_coding coding, int *single, int *part)
{
	*single = coding == SMS_GSM7 ? 160 : 70;
	*part = coding == SMS_GSM7 ? 153 : 67;
}

void sms_measure_text(const char *text, struct sms_measure *m)
{
	size_t n = strlen(text);
	m->coding = SMS_GSM7;
	for (size_t i = 0; i < n;) {
		uint32_t c;
		i += (size_t)next_char(text, n, i, &c);
		if (!sms_gsm7_units(c)) {
			m->coding = SMS_UCS2;
			break;
		}
	}
	int single, part;
	part_sizes(m->coding, &single, &part);
	/* Parts are packed character by character: an escape pair (GSM-7) or a surrogate pair
	 * (UCS-2) never straddles two parts, so a part may hold one unit less. */
	int units = 0, segs = 1, used = 0;
	for (size_t i = 0; i < n;) {
		uint32_t c;
		i += (size_t)next_char(text, n, i, &c);
		int u = char_units(c, m->coding);
		units += u;
		if (used + u > part) {
			segs++;
			used = u;
		} else {
			used += u;
		}
	}
	m->units = units;
	m->segments = units <= single ? 1 : segs;
}

int sms_fit(const char *text, int max_segments, struct buf *out, struct sms_measure *m, struct err *e)
{
	sms_measure_text(text, m);
	size_t start = out->len;
	if (m->segments <= max_segments) {
		if (buf_appends(out, text))
			return err_set(e, 400, "invalid_text", "text", "the text does not fit its buffer");
		return 0;
	}
	int single, part;
	part_sizes(m->coding, &single, &part);
	/* In GSM-7 the ellipsis is "..." (… would switch to UCS-2); in UCS-2 it is "…". */
	const char *ellipsis = m->coding == SMS_GSM7 ? "..." : "\xE2\x80\xA6";
	int ell_units = m->coding == SMS_GSM7 ? 3 : 1;
	size_t n = strlen(text), keep = 0;
	int segs = 1, used = 0;
	for (size_t i = 0; i < n;) {
		uint32_t c;
		int len = next_char(text, n, i, &c);
		int u = char_units(c, m->coding);
		int s2 = segs, used2 = used;
		if (used2 + u > part)
			s2++, used2 = u;
		else
			used2 += u;
		/* Keep this character only if the ellipsis still fits after it. */
		int s3 = s2, used3 = used2 + ell_units;
		if (used3 > part)
			s3++;
		if (s3 > max_segments)
			break;
		segs = s2, used = used2;
		i += (size_t)len;
		keep = i;
	}
	while (keep > 0 && (text[keep - 1] == ' ' || text[keep - 1] == '\n'))
		keep--;
	if (buf_append(out, text, keep) || buf_appends(out, ellipsis)) {
		out->len = start;
		if (out->data)
			out->data[start] = '\0';
		return err_set(e, 400, "invalid_text", "text", "the text does not fit its buffer");
	}
	sms_measure_text(out->data + start, m);
	return 1;
}

int sms_prepare(const char *in, int accent_free, struct buf *out, struct sms_measure *m, struct err *e)
{
	struct buf norm = BUF_INIT(SMS_TEXT_MAX * 4);
	if (sms_normalise(in, accent_free, &norm, e)) {
		buf_release(&norm);
		return -1;
	}
	int rc = sms_fit(buf_str(&norm), SMS_MAX_SEGMENTS, out, m, e);
	buf_release(&norm);
	return rc;
}

int sms_sender_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > SMS_SENDER_MAX)
		return 0;
	int letters = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
		int digit = c >= '0' && c <= '9';
		if (alpha)
			letters++;
		if (!alpha && !digit && c != ' ' && c != '.' && c != '-' && c != '&' && c != '\'')
			return 0;
	}
	/* At least one letter, and no leading or trailing space. */
	return letters > 0 && s[0] != ' ' && s[n - 1] != ' ';
}

void sms_sender_default(const char *business_name, char out[SMS_SENDER_MAX + 1])
{
	struct buf norm = BUF_INIT(SMS_TEXT_MAX * 4);
	size_t o = 0;
	if (business_name && !normalise(business_name, 2, &norm, NULL)) {
		const char *s = buf_str(&norm);
		for (size_t i = 0; s[i] && o < SMS_SENDER_MAX; i++) {
			unsigned char c = (unsigned char)s[i];
			int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
				 c == '.' || c == '-' || c == '&' || c == '\'';
			if (ok)
				out[o++] = (char)c;
			else if (c == ' ' && o > 0 && out[o - 1] != ' ')
				out[o++] = ' ';
		}
	}
	while (o > 0 && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
	if (!sms_sender_ok(out))
		memcpy(out, "Creneau", sizeof("Creneau"));
	buf_release(&norm);
}
