/* sms_int.h — the SMS files' own declarations (templates, the send job, the Kannel call),
 * shared by src/notify/sms*.c, kannel.c and their tests. Not for other modules. */
#ifndef CRENEAU_SMS_INT_H
#define CRENEAU_SMS_INT_H
#include <jansson.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "db/db.h"
#include "jobs/jobs.h"
#include "notify/sms.h"

#define SMS_SEND_KIND	      "sms.send"
#define SMS_MAX_ATTEMPTS      12 /* about 17 h of retries with the queue's backoff */
#define SMS_SEND_LEASE_S      120
#define SMS_TIMEOUT_DEFAULT_S 10
#define SMS_QUOTA_LOCK_KEY    0x534d535100000000LL /* "SMSQ" << 32, xor'ed with the account id */

/* Appends to out the account's SMS text of kind in locale rendered with vars: its edited text
 * (notification_texts, channel 'sms') when it has one that renders, else the file
 * templates/<locale>/<name>.sms (falling back to the language, then fr). 500 template_error
 * when neither renders. c may be NULL (file only). */
int sms_render(db_conn *c, int64_t account_id, const char *kind, const char *locale, const char *name,
	       const json_t *vars, struct buf *out, struct err *e) WUR;

/* The "sms.send" job: decides whether the SMS of the payload's outbox_id may go, renders,
 * sends it through Kannel once and records the outcome. */
enum job_result sms_send_job(db *d, const struct job *j, struct err *e);

/* A snapshot of the configuration, malloc'd; sms_settings_free releases it. */
struct sms_settings {
	char *sendsms_url, *user, *password, *public_url;
	char *dlr_secret; /* HMAC key */
	int timeout_s;
};
struct sms_settings *sms_settings_get(void);
void sms_settings_free(struct sms_settings *s);

enum sms_outcome {
	SMS_SENT,
	SMS_TEMPORARY, /* Kannel down, 5xx, timeout, refused credentials: try later */
	SMS_PERMANENT, /* a 4xx refusal of the message itself */
};

/* One sendsms call. */
struct kannel_msg {
	const char *from, *to, *text; /* UTF-8 */
	enum sms_coding coding;
	int64_t outbox_id; /* named in the dlr-url */
};
enum sms_outcome kannel_send(const struct sms_settings *s, const struct kannel_msg *m, struct err *e);

#endif
