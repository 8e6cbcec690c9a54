/* notify_int.h — the notify module's own declarations (template engine, MIME, SMTP), shared
 * by its files and its unit tests. Not for other modules. */
#ifndef CRENEAU_NOTIFY_INT_H
#define CRENEAU_NOTIFY_INT_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "notify/notify.h"

/* Appends tpl (len bytes) to out with every {{var}} replaced from vars (HTML-escaped when
 * html is set). A missing variable or a value that is not a string or number is an error. */
int template_render_string(const char *tpl, size_t len, const json_t *vars, int html, struct buf *out,
			   struct err *e) WUR;

/* ---- shared by the channels (outbox.c, template.c, sms_outbox.c) ---- */

#define NOTIFY_LOCALE_MAX 16 /* bytes of a locale tag with its NUL */

/* True when s is a kind or subject_ref as the outbox keeps it: 1..NOTIFY_REF_MAX bytes, no
 * control character. */
int notify_ref_ok(const char *s);

/* True when s looks like a locale tag ("fr", "en-GB"): 2..15 letters, '-' or '_'. */
int notify_locale_ok(const char *s);

/* The embedded file templates/<dir>/<name>.<ext> for the first dir of: locale (when
 * notify_locale_ok), its language ("en" of "en-GB"), then "fr". NULL when the name is not a
 * template name (lowercase letters, digits, '_', at most 64) or no candidate has the file.
 * found (may be NULL) receives the directory it was found in. */
struct embedded_file;
const struct embedded_file *notify_template_find(const char *locale, const char *name, const char *ext,
						 char found[NOTIFY_LOCALE_MAX]);

/* One outbox row to write, whatever its channel. Borrowed for the call. */
struct outbox_row_spec {
	const char *channel;  /* "email" or "sms": the last field of the unique key */
	const char *job_kind; /* the send job enqueued with the row ("outbox:<id>") */
	int max_attempts;     /* of that job */
	int64_t account_id;   /* 0 = platform message (NULL in the row) */
	const char *kind, *subject_ref, *to;
	int64_t version;
	const char *locale;			       /* NULL or "" = "fr" */
	const char *template_name;		       /* NULL = kind */
	const json_t *vars;			       /* an object, or NULL = {} */
	const char *reply_to;			       /* NULL or "" = none */
	int64_t client_id, appointment_id, expires_at; /* 0 = NULL */
	/* The channel's own checks, each 0 or negative with *e set: the recipient (and reply_to),
	 * run after kind and subject_ref; the render, run with locale and template_name already
	 * resolved, so a missing variable fails in the caller's request. */
	int (*recipient_check)(const struct outbox_row_spec *s, struct err *e);
	int (*render_check)(const struct outbox_row_spec *s, struct err *e);
};

/* Validates s (kind, subject_ref, the recipient check, vars an object, locale, the render
 * check, vars at most NOTIFY_VARS_MAX serialised), then inserts the row (state queued, its
 * Message-ID from notify_message_id) unless its unique key exists, and enqueues its send job
 * in the caller's transaction. 1 written, 0 already there, negative on error. */
int outbox_write(db_conn *c, const struct outbox_row_spec *s, struct err *e) WUR;

/* A file joined to a message (base64). Borrowed. */
struct mime_attachment {
	const char *filename;	  /* shown name, UTF-8 (RFC 2231-encoded when not plain ASCII) */
	const char *content_type; /* a plain type such as application/pdf (no parameters) */
	const void *data;
	size_t len;
};
#define MIME_ATTACHMENTS_MAX 8

/* A message to put on the wire. Borrowed strings; reply_to may be NULL. */
struct mime_mail {
	const char *from, *from_name, *to, *reply_to;
	const char *subject, *text, *html; /* UTF-8 */
	const char *message_id;		   /* without <> */
	int64_t date;			   /* Unix seconds */
	const char *calendar;		   /* an iCalendar text, or NULL */
	const char *calendar_method;	   /* "REQUEST" or "CANCEL" when calendar is set */
	const struct mime_attachment *attachments;
	int nattachments;
};

/* Builds the RFC 5322 message: headers (Subject and From's name RFC 2047-encoded when not
 * plain ASCII) and a multipart/alternative body, text then HTML, quoted-printable UTF-8, CRLF
 * line ends. With a calendar or attachments the body is multipart/mixed: the alternative
 * (text, HTML, then `text/calendar; method=...`), the calendar again as the attachment
 * invite.ics, then the attachments, all base64. Fails with 400 when an address or the
 * Message-ID holds a forbidden character, or an attachment has no plain type or name. */
int mime_build(const struct mime_mail *m, struct buf *out, struct err *e) WUR;

/* True when s looks like a deliverable address: local@domain, no space, quote, angle
 * bracket or control character, at most NOTIFY_ADDR_MAX bytes. */
int notify_address_ok(const char *s);

enum smtp_outcome {
	SMTP_SENT,
	SMTP_TEMPORARY, /* connection, timeout, 4xx, authentication: try later */
	SMTP_PERMANENT, /* a 5xx answer to the envelope or the data: do not try again */
};

/* Sends one message over the configured relay; on failure *e says why and *code (when not
 * NULL) holds the server's last reply code (0 when there was none). */
enum smtp_outcome smtp_send(const char *from, const char *to, const char *message, size_t len, long *code,
			    struct err *e);

/* A snapshot of the configuration, malloc'd; notify_config_free releases it. */
struct notify_settings {
	char *smtp_url, *user, *password, *from, *from_name;
	char *public_url; /* base of links in messages, without a trailing '/' */
	long use_ssl;	  /* CURLUSESSL_* */
	int timeout_s;
};
struct notify_settings *notify_settings_get(void);
void notify_settings_free(struct notify_settings *s);

/* The "email.send" job: sends the outbox row named by the payload's outbox_id once. */
#include "jobs/jobs.h"
enum job_result outbox_send_job(db *d, const struct job *j, struct err *e);
#define OUTBOX_SEND_KIND    "email.send"
#define OUTBOX_MAX_ATTEMPTS 12 /* about 17 h of retries with the queue's backoff */
#define OUTBOX_SEND_LEASE_S 180

#endif
