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
