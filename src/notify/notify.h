/* notify — the outbox and the e-mail transport (docs/internals/notify.md). A message is a row
 * of `outbox` written in the transaction of what caused it, together with the job that sends
 * it; the job renders the template and sends over SMTP. Delivery is at least once: a send
 * that succeeded but was not recorded (crash) is repeated with the same Message-ID, derived
 * from the outbox unique key, so receivers can recognise the duplicate. */
#ifndef CRENEAU_NOTIFY_H
#define CRENEAU_NOTIFY_H
#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"

#define NOTIFY_ADDR_MAX	  254		     /* bytes of an e-mail address */
#define NOTIFY_REF_MAX	  200		     /* bytes of a kind, subject_ref or template name */
#define NOTIFY_VARS_MAX	  65536		     /* bytes of the serialised template variables */
#define NOTIFY_OUTPUT_MAX 262144	     /* bytes of one rendered part */
#define NOTIFY_ATTACH_MAX (10 * 1024 * 1024) /* bytes of a message's attached files together */

/* The mail relay and the sender. Strings are copied; NULL or "" leaves a field empty. */
struct notify_config {
	const char *smtp_url;	   /* smtp://host:port or smtps://host:port; empty = mail waits */
	const char *smtp_starttls; /* "none" | "try" | "required"; NULL = "try" */
	const char *smtp_user;	   /* empty = no authentication */
	const char *smtp_password;
	const char *mail_from;	    /* the platform's address, e.g. no-reply@creneau.example */
	const char *mail_from_name; /* display name, e.g. "Créneau" */
	int timeout_s;		    /* whole SMTP exchange; 0 = 30 */
	const char *public_url;	    /* base of the links in messages; NULL = http://127.0.0.1:8080 */
};

/* Sets the relay (may be called again, e.g. by tests; sends in flight keep the old one) and
 * registers the "email.send" job kind. Call at start, before the worker starts. An unknown
 * starttls value is treated as "required" and logged, never as weaker. */
void notify_configure(const struct notify_config *cfg);

/* An e-mail to write to the outbox. Everything is borrowed for the call. The unique key is
 * (account_id, subject_ref, to, kind, version, 'email'): writing the same key twice sends once. */
struct outbox_email {
	int64_t account_id;	   /* the business it is sent for; 0 = platform mail */
	const char *kind;	   /* what it is: "smtp_check", "booking_confirmed" ... */
	const char *subject_ref;   /* what it is about: "appointment:42", "account:7" ... */
	int64_t version;	   /* bump to send again about the same subject (e.g. a new time) */
	const char *to;		   /* recipient address */
	const char *locale;	   /* "fr", "en" ...; NULL = "fr"; missing templates fall back to fr */
	const char *template_name; /* templates/<locale>/<name>.*; NULL = kind */
	const json_t *vars;	   /* object of the template's variables; NULL = {} */
	const char *reply_to;	   /* the business's address, or NULL */
	int64_t client_id;	   /* the end client it goes to; 0 = none */
	int64_t appointment_id;	   /* the appointment it is about; 0 = none */
	int64_t expires_at;	   /* not sent after this instant (state suppressed, reason
				    * "expired"); 0 = never */
};

/* Writes the message and enqueues its send job ("outbox:<id>") in the caller's open
 * transaction on c. Renders the template once to refuse a missing variable now (500, a bug
 * of the caller). Returns 1 when written, 0 when the same key was written before (nothing
 * changes), negative on error (400 for a bad address or field). */
int outbox_email(db_conn *c, const struct outbox_email *m, struct err *e) WUR;

/* An SMS to write to the outbox (src/notify/sms*.c). Same rules as outbox_email: the key is
 * (account_id, subject_ref, to, kind, version, 'sms'); borrowed fields; 1 written, 0 already
 * there, negative on error. `to` is E.164. The send job (kind "sms.send") decides at sending
 * whether the SMS may go (trial, plan, consent, monthly quota, quiet hours, expiry) and
 * records why not in outbox.reason; the text is rendered then, normalised and cut to at
 * most 3 segments. */
struct outbox_sms {
	int64_t account_id;
	const char *kind;
	const char *subject_ref;
	int64_t version;
	const char *to;
	const char *locale;
	const char *template_name; /* NULL = kind; the account's edited text wins when it has one */
	const json_t *vars;
	int64_t client_id;	/* whose consent is checked at sending; 0 = none needed */
	int64_t appointment_id; /* 0 = none */
	int64_t expires_at;	/* 0 = never */
};
int outbox_sms(db_conn *c, const struct outbox_sms *m, struct err *e) WUR;

/* Whether account_id suppressed address after a hard bounce: 1 with the reason (e.g.
 * "hard_bounce: SMTP 550: ...") copied into reason (cap bytes) and the instant into *since, 0
 * when not, negative on error. For the client's card. */
int notify_email_suppression(db_conn *c, int64_t account_id, const char *address, char *reason, size_t cap,
			     int64_t *since, struct err *e) WUR;

/* The three parts of a rendered message; malloc'd, released by notify_rendered_release. */
struct notify_rendered {
	char *subject; /* one line */
	char *text;
	char *html;
};

/* Renders templates/<locale>/<name>.{subject,txt,html} (falling back to the language, then
 * to fr) with vars: `{{name}}` or `{{a.b}}` takes a string or number from vars, HTML-escaped
 * in the .html part. A missing variable, an unknown template or an output over
 * NOTIFY_OUTPUT_MAX is an error (500 `template_error`). */
int notify_render(const char *locale, const char *name, const json_t *vars, struct notify_rendered *out,
		  struct err *e) WUR;
void notify_rendered_release(struct notify_rendered *r);

/* The Message-ID (without angle brackets) of an outbox key: hex of SHA-256 of the key's
 * fields joined by '\n' (account id as "" when 0), then "@creneau". out holds 80 bytes. */
#define NOTIFY_MSGID_SIZE 80
void notify_message_id(int64_t account_id, const char *subject_ref, const char *recipient, const char *kind,
		       int64_t version, const char *channel, char out[NOTIFY_MSGID_SIZE]);

#endif
