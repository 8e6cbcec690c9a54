/* sms — SMS text rules of PRODUCT.md (docs/internals/notify.md): typographic characters
 * normalised to their GSM-7 twins, the optional accent-free form, GSM-7 or UCS-2 coding,
 * segment counting (160/153, 70/67; ^{}[]~\|€ count double in GSM-7), the 3-segment cap with
 * the cut at a boundary, and the Kannel transport. Pure functions unless said otherwise. */
#ifndef CRENEAU_SMS_H
#define CRENEAU_SMS_H
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "db/db.h"

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

/* Measures an already normalised text: GSM-7 when every character is in the GSM 03.38
 * tables, else UCS-2 (a character past U+FFFF, e.g. an emoji, takes 2 units); segments 1
 * up to 160/70 units, else parts of 153/67 that never split an escape or surrogate pair. */
void sms_measure_text(const char *text, struct sms_measure *m);

/* GSM-7 septets the code point c takes: 1 (basic table), 2 (^{}[]~\| € and form feed, the
 * extension table), 0 when it is not in GSM-7. */
int sms_gsm7_units(uint32_t c);

/* Appends text (normalised) to out, cut when it needs more than max_segments: the longest
 * prefix of whole characters that leaves room for the ellipsis ("..." in GSM-7, "…" in
 * UCS-2) within max_segments, trailing spaces dropped. *m measures what was appended.
 * Returns 0 when appended whole, 1 when cut, negative when out's cap is too small. */
int sms_fit(const char *text, int max_segments, struct buf *out, struct sms_measure *m, struct err *e) WUR;

/* sms_normalise then sms_fit to SMS_MAX_SEGMENTS: the text as it is sent. Same returns. */
int sms_prepare(const char *in, int accent_free, struct buf *out, struct sms_measure *m, struct err *e) WUR;

/* True when s is a valid alphanumeric sender name: 1 to SMS_SENDER_MAX ASCII letters, digits,
 * spaces and . - & ' with at least one letter and no space at either end. */
int sms_sender_ok(const char *s);

/* The default sender of a business: its name without accents nor other characters, cut to
 * SMS_SENDER_MAX; "Creneau" when nothing valid is left. */
void sms_sender_default(const char *business_name, char out[SMS_SENDER_MAX + 1]);

/* ---- the Kannel transport and delivery reports (sms_send.c, kannel.c) ---- */

/* Kannel's sendsms interface and the delivery-report callback. Strings are copied; may be
 * called again (tests); sends in flight keep the old values. */
struct sms_config {
	const char *sendsms_url; /* http://host:port/cgi-bin/sendsms; empty = SMS wait (retry) */
	const char *user;	 /* sendsms-user username and password */
	const char *password;
	const char *dlr_secret; /* key of the dlr-url signatures; empty = random per process */
	const char *public_url; /* base of the dlr-url Kannel calls, e.g. https://creneau.example */
	int timeout_s;		/* one sendsms call; 0 = 10 */
};

/* Sets the transport and registers the "sms.send" job kind. Call at start, before workers. */
void sms_configure(const struct sms_config *cfg);

/* The signature of a delivery report for an outbox id: hex HMAC-SHA256 of the id's decimal
 * form with the DLR secret. */
#define SMS_SIG_HEX_SIZE 65
void sms_dlr_sign(int64_t outbox_id, char out[SMS_SIG_HEX_SIZE]);
/* True when sig is the signature of outbox_id (constant-time comparison). */
int sms_dlr_signature_ok(int64_t outbox_id, const char *sig);

/* Kannel's report statuses (dlr-mask bits). 1, 2 and 16 are final. */
enum sms_dlr {
	SMS_DLR_DELIVERED = 1,
	SMS_DLR_FAILED = 2,
	SMS_DLR_BUFFERED = 4,
	SMS_DLR_SMSC = 8,
	SMS_DLR_REJECTED = 16,
};

/* Stores a report on the SMS outbox row: dlr_status and dlr_at = now, unless the row already
 * holds a final status (a report never goes back from delivered, failed or rejected).
 * Returns 1 when stored, 0 when the row is unknown or already final, negative on error. */
int sms_dlr_record(db *d, int64_t outbox_id, int status, struct err *e) WUR;

/* Segments counted against the plan's sms_per_month in the local calendar month of `now` in
 * time_zone: SMS reserved for sending in the month (sent, in flight, or left by a crash) and
 * SMS sent in the month without a reservation (docs/internals/sms.md). */
int sms_segments_used(db_conn *c, int64_t account_id, const char *time_zone, int64_t now, int64_t *out,
		      struct err *e) WUR;

#endif
