/* tests/unit/notify/sms.c — the SMS text rules: normalisation of typographic characters,
 * the accent-free form, GSM-7 or UCS-2, segment counting (escape and surrogate pairs never
 * straddle two parts), the cut at the 3-segment boundary and the sender name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "notify/sms.h"

/* s repeated n times, in a static buffer. */
static const char *rep(const char *s, int n)
{
	static char out[8][4096];
	static int k;
	char *o = out[k++ % 8];
	o[0] = '\0';
	size_t len = 0, sl = strlen(s);
	for (int i = 0; i < n; i++) {
		memcpy(o + len, s, sl);
		len += sl;
	}
	o[len] = '\0';
	return o;
}

static char *cat3(const char *a, const char *b, const char *c)
{
	static char out[4][8192];
	static int k;
	char *o = out[k++ % 4];
	char tmp[8192];
	snprintf(tmp, sizeof(tmp), "%s%s%s", a, b, c);
	memcpy(o, tmp, sizeof(tmp));
	return o;
}

static char *norm(const char *in, int accent_free)
{
	static char out[4096];
	struct buf b = BUF_INIT(4096);
	struct err e = {0};
	assert_int_equal(sms_normalise(in, accent_free, &b, &e), 0);
	snprintf(out, sizeof(out), "%s", buf_str(&b));
	buf_release(&b);
	return out;
}

static void check(const char *text, enum sms_coding coding, int units, int segments)
{
	struct sms_measure m;
	sms_measure_text(text, &m);
	if ((int)m.coding != (int)coding || m.units != units || m.segments != segments)
		fail_msg("\"%.40s...\" (%zu bytes): coding %d units %d segments %d, expected %d %d %d", text,
			 strlen(text), m.coding, m.units, m.segments, coding, units, segments);
}

static void test_typographic_characters_get_their_gsm7_twins(void **state)
{
	(void)state;
	assert_string_equal(norm("L\u2019heure \u00ab ici \u00bb", 0), "L'heure \" ici \"");
	assert_string_equal(norm("\u201cRDV\u201d \u2018a\u2019", 0), "\"RDV\" 'a'");
	assert_string_equal(norm("14\u00a0h\u202f30\u2009!", 0), "14 h 30 !");
	assert_string_equal(norm("9 h \u2013 10 h \u2014 fin\u2026", 0), "9 h - 10 h - fin...");
	assert_string_equal(norm("a\tb`c\u00adx\u200b", 0), "a b'cx");
	assert_string_equal(norm("", 0), "");
	/* Accents are kept unless asked, including those outside GSM-7. */
	assert_string_equal(norm("F\u00eate \u00e0 No\u00ebl, \u00e7a \u0153uvre", 0),
			    "F\u00eate \u00e0 No\u00ebl, \u00e7a \u0153uvre");
	/* Every normalised typographic text is GSM-7. */
	check(norm("Rendez-vous l\u2019apr\u00e8s-midi \u00ab 14\u202fh \u00bb \u2013 \u00e0 "
		   "bient\u00f4t\u2026",
		   1),
	      SMS_GSM7, 48, 1);
}

static void test_accent_free_keeps_gsm7_letters(void **state)
{
	(void)state;
	/* à é è ù ì ò Ç É Ä Ö Ñ Ü ä ö ñ ü å ø æ ß are GSM-7 and stay. */
	const char *gsm =
		"\u00e0\u00e9\u00e8\u00f9\u00ec\u00f2\u00c7\u00c9\u00c4\u00d6\u00d1\u00dc\u00e4\u00f6"
		"\u00f1\u00fc\u00e5\u00f8\u00e6\u00df";
	assert_string_equal(norm(gsm, 1), gsm);
	assert_string_equal(norm("F\u00eate \u00e0 No\u00ebl, \u00e7a \u0153uvre", 1),
			    "Fete \u00e0 Noel, ca oeuvre");
	assert_string_equal(norm("\u00c0 \u00c2 \u00ca \u00c8 \u00ce \u00cf \u00d4 \u00db \u00d9 \u0152 "
				 "\u00ff \u00ee \u00e2",
				 1),
			    "A A E E I I O U U OE y i a");
	assert_string_equal(norm("\u0141\u00f3d\u017a \u00e1\u00ed\u00fa", 1), "Lodz aiu");
	/* Nothing to unaccent: emoji and other scripts stay as they are. */
	assert_string_equal(norm("\xF0\x9F\x98\x80 \u4e2d", 1), "\xF0\x9F\x98\x80 \u4e2d");
	check(norm("Votre s\u00e9ance de soin du visage ch\u00e8z B\u00e9atrice est confirm\u00e9e pour "
		   "mercredi \u00e0 9 h. \u00c0 bient\u00f4t ! \u0152uvre, gar\u00e7on, na\u00efve.",
		   1),
	      SMS_GSM7, 114, 1);
}

static void test_bad_input_is_refused(void **state)
{
	(void)state;
	const char *bad[] = {"abc\xff", "\xc3", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "a\xe2\x82"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct buf b = BUF_INIT(4096);
		struct err e = {0};
		assert_int_equal(sms_normalise(bad[i], 0, &b, &e), -1);
		assert_int_equal(e.status, 400);
		assert_string_equal(e.code, "invalid_text");
		assert_int_equal(b.len, 0);
		buf_release(&b);
	}
	struct buf b = BUF_INIT(8192);
	struct err e = {0};
	assert_int_equal(sms_normalise(rep("a", SMS_TEXT_MAX), 0, &b, &e), 0);
	buf_reset(&b);
	assert_int_equal(sms_normalise(rep("a", SMS_TEXT_MAX + 1), 0, &b, &e), -1);
	assert_string_equal(e.code, "invalid_text");
	buf_release(&b);
}

static void test_gsm7_segments(void **state)
{
	(void)state;
	check("Bonjour", SMS_GSM7, 7, 1);
	check("", SMS_GSM7, 0, 1);
	check(rep("a", 160), SMS_GSM7, 160, 1);
	check(rep("a", 161), SMS_GSM7, 161, 2);
	check(rep("a", 306), SMS_GSM7, 306, 2);
	check(rep("a", 307), SMS_GSM7, 307, 3);
	check(rep("a", 459), SMS_GSM7, 459, 3);
	check(rep("a", 460), SMS_GSM7, 460, 4);
	/* ^{}[]~\| and € count double. */
	check("^{}[]~\\|\u20ac", SMS_GSM7, 18, 1);
	check(rep("\u20ac", 80), SMS_GSM7, 160, 1);
	check(rep("\u20ac", 81), SMS_GSM7, 162, 2);
	check(rep("[", 153), SMS_GSM7, 306, 3); /* 76 pairs per part */
	/* An escape pair never straddles two parts: 152 + {, then 151 + 1 left. */
	check(cat3(rep("a", 152), "{", rep("a", 152)), SMS_GSM7, 306, 3);
	check(cat3(rep("a", 151), "{", rep("a", 153)), SMS_GSM7, 306, 2);
	/* The GSM-7 letters and symbols outside ASCII. */
	check("@\u00a3$\u00a5\u00e8\u00e9\u00f9\u00ec\u00f2\u00c7\n\u00d8\u00f8\r\u00c5\u00e5\u0394_"
	      "\u03a6\u0393\u039b"
	      "\u03a9\u03a0\u03a8\u03a3\u0398\u039e\u00c6\u00e6\u00df\u00c9 "
	      "!\"#\u00a4%&'()*+,-./:;<=>?\u00a1\u00c4"
	      "\u00d6\u00d1\u00dc\u00a7\u00bf\u00e4\u00f6\u00f1\u00fc\u00e0",
	      SMS_GSM7, 65, 1);
}

static void test_ucs2_segments(void **state)
{
	(void)state;
	check("\u00ea", SMS_UCS2, 1, 1);
	check("`", SMS_UCS2, 1, 1); /* not in GSM-7 at all */
	check(cat3(rep("a", 200), "\u00f4", ""), SMS_UCS2, 201, 3);
	check(rep("\u00ea", 70), SMS_UCS2, 70, 1);
	check(rep("\u00ea", 71), SMS_UCS2, 71, 2);
	check(rep("\u00ea", 134), SMS_UCS2, 134, 2);
	check(rep("\u00ea", 135), SMS_UCS2, 135, 3);
	check(rep("\u00ea", 201), SMS_UCS2, 201, 3);
	check(rep("\u00ea", 202), SMS_UCS2, 202, 4);
	/* In UCS-2 the escape characters count once. */
	check("{\u00ea}", SMS_UCS2, 3, 1);
	/* An emoji is a surrogate pair: 2 units, never split across parts. */
	check("\xF0\x9F\x98\x80", SMS_UCS2, 2, 1);
	check(rep("\xF0\x9F\x98\x80", 35), SMS_UCS2, 70, 1);
	check(rep("\xF0\x9F\x98\x80", 36), SMS_UCS2, 72, 2);  /* 33 pairs per part: 33 + 3 */
	check(rep("\xF0\x9F\x98\x80", 67), SMS_UCS2, 134, 3); /* 33 + 33 + 1 */
	check(cat3(cat3("\u00ea", rep("a", 65), "\xF0\x9F\x98\x80"), rep("a", 66), ""), SMS_UCS2, 134, 3);
	check(cat3(cat3("\u00ea", rep("a", 64), "\xF0\x9F\x98\x80"), rep("a", 67), ""), SMS_UCS2, 134, 2);
	check("Merci \xF0\x9F\x99\x8F \u00e0 demain", SMS_UCS2, 17, 1);
}

/* Fits text and returns the result; *cut and *m say what happened. */
static char *fit(const char *text, int *cut, struct sms_measure *m)
{
	static char out[8192];
	struct buf b = BUF_INIT(8192);
	struct err e = {0};
	*cut = sms_fit(text, SMS_MAX_SEGMENTS, &b, m, &e);
	assert_true(*cut >= 0);
	snprintf(out, sizeof(out), "%s", buf_str(&b));
	buf_release(&b);
	return out;
}

static void test_cut_at_three_segments(void **state)
{
	(void)state;
	int cut;
	struct sms_measure m;
	/* Fits: untouched. */
	assert_string_equal(fit(rep("a", 459), &cut, &m), rep("a", 459));
	assert_int_equal(cut, 0);
	assert_int_equal(m.segments, 3);
	/* GSM-7: cut with "..." to fill exactly 3 parts. */
	assert_string_equal(fit(rep("a", 500), &cut, &m), cat3(rep("a", 456), "...", ""));
	assert_int_equal(cut, 1);
	assert_int_equal(m.coding, SMS_GSM7);
	assert_int_equal(m.units, 459);
	assert_int_equal(m.segments, 3);
	/* An escape pair at the boundary is dropped whole. */
	assert_string_equal(fit(cat3(rep("a", 455), "{", rep("a", 10)), &cut, &m),
			    cat3(rep("a", 455), "...", ""));
	assert_int_equal(m.units, 458);
	assert_int_equal(m.segments, 3);
	/* Trailing spaces before the ellipsis go. */
	assert_string_equal(fit(cat3(rep("a", 454), "  ", rep("b", 20)), &cut, &m),
			    cat3(rep("a", 454), "...", ""));
	/* UCS-2: "…" is one unit. */
	assert_string_equal(fit(rep("\u00ea", 300), &cut, &m), cat3(rep("\u00ea", 200), "\u2026", ""));
	assert_int_equal(m.coding, SMS_UCS2);
	assert_int_equal(m.units, 201);
	assert_int_equal(m.segments, 3);
	/* A surrogate pair at the boundary is dropped whole, the text stays UTF-8. */
	const char *t = cat3(cat3("\u00ea", rep("a", 198), "\xF0\x9F\x98\x80"), rep("a", 50), "");
	assert_string_equal(fit(t, &cut, &m), cat3("\u00ea", rep("a", 198), "\u2026"));
	assert_int_equal(m.units, 200);
	assert_int_equal(m.segments, 3);
	/* Multi-byte characters are never cut inside. */
	assert_string_equal(fit(rep("\xe4\xb8\xad", 250), &cut, &m),
			    cat3(rep("\xe4\xb8\xad", 200), "\u2026", ""));
}

static void test_prepare_normalises_then_cuts(void **state)
{
	(void)state;
	struct buf b = BUF_INIT(8192);
	struct err e = {0};
	struct sms_measure m;
	assert_int_equal(sms_prepare("\u00ab Bient\u00f4t \u00bb\u2026", 1, &b, &m, &e), 0);
	assert_string_equal(buf_str(&b), "\" Bientot \"...");
	assert_int_equal(m.coding, SMS_GSM7);
	buf_reset(&b);
	assert_int_equal(sms_prepare(rep("\u2026", 200), 0, &b, &m, &e), 1);
	assert_string_equal(buf_str(&b), rep(".", 459));
	buf_release(&b);
}

static void test_sender_names(void **state)
{
	(void)state;
	assert_true(sms_sender_ok("SalonZoe"));
	assert_true(sms_sender_ok("Salon Zoe"));
	assert_true(sms_sender_ok("L'Atelier-2"));
	assert_true(sms_sender_ok("ABCDEFGHIJK"));
	assert_false(sms_sender_ok("ABCDEFGHIJKL"));
	assert_false(sms_sender_ok(""));
	assert_false(sms_sender_ok("12345"));
	assert_false(sms_sender_ok("Salon Zo\u00e9"));
	assert_false(sms_sender_ok(" Salon"));
	assert_false(sms_sender_ok("Salon<b>"));
	char s[SMS_SENDER_MAX + 1];
	sms_sender_default("Salon de coiffure Zo\u00e9", s);
	assert_string_equal(s, "Salon de co");
	sms_sender_default("L\u2019Atelier \u00ab Zo\u00e9 \u00bb", s);
	assert_string_equal(s, "L'Atelier Z");
	sms_sender_default("Chez Zo\u00e9 ", s);
	assert_string_equal(s, "Chez Zoe");
	sms_sender_default("\u4e2d\u6587", s);
	assert_string_equal(s, "Creneau");
	sms_sender_default(NULL, s);
	assert_string_equal(s, "Creneau");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_typographic_characters_get_their_gsm7_twins),
		cmocka_unit_test(test_accent_free_keeps_gsm7_letters),
		cmocka_unit_test(test_bad_input_is_refused),
		cmocka_unit_test(test_gsm7_segments),
		cmocka_unit_test(test_ucs2_segments),
		cmocka_unit_test(test_cut_at_three_segments),
		cmocka_unit_test(test_prepare_normalises_then_cuts),
		cmocka_unit_test(test_sender_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
