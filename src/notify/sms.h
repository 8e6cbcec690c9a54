/* sms — SMS text rules of PRODUCT.md (docs/internals/notify.md): typographic characters
 * normalised to their GSM-7 twins, the optional accent-free form, GSM-7 or UCS-2 coding,
 * segment counting (160/153, 70/67; ^{}[]~\|€ count double in GSM-7), the 3-segment cap with
 * the cut at a boundary, and the Kannel transport. Pure functions unless said otherwise. */
#ifndef CRENEAU_SMS_H
#define CRENEAU_SMS_H
#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"

#define SMS_MAX_SEGMENTS 3
#define SMS_SENDER_MAX	 11   /* characters of an alphanumeric sender name */
#define SMS_TEXT_MAX	 1024 /* bytes of a text before normalisation */

enum sms_coding { SMS_GSM7, SMS_UCS2 };

struct sms_measure {
	enum sms_coding coding;
	int units;    /* GSM-7 septets (escaped characters count 2) or UCS-2 code units */
	int segments; /* 1 when it fits one message, else concatenated parts */
};

/* Appends to out the UTF-8 text with typographic characters replaced by their GSM-7 twins
 * (’ ‘ → ', « » “ ” → ", non-breaking and narrow spaces → space, – — → -, … → ...), and,
 * when accent_free, letters outside GSM-7 by their unaccented form (ê → e, ç → c, œ → oe).
 * 400 `invalid_text` when in is not UTF-8 or longer than SMS_TEXT_MAX. */
int sms_normalise(const char *in, int accent_free, struct buf *out, struct err *e) WUR;

/* Measures an already normalised text. */
void sms_measure_text(const char *text, struct sms_measure *m);

#endif
