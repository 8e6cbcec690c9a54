/* mime — builds the message put on the wire: RFC 5322 headers, RFC 2047 encoded words,
 * multipart/alternative with quoted-printable UTF-8 parts (RFC 2045/2046). */
#include "notify/notify.h"

#include <sodium.h>
#include <string.h>
#include <time.h>

#include "notify/notify_int.h"
#include "base/banned.h"

#define QP_LINE_MAX  76
#define WORD_RAW_MAX 45 /* bytes per encoded word: 60 base64 chars, 75 with the markers */
#define BOUNDARY     "=_creneau_alternative" /* "=_" never occurs in quoted-printable output */
#define BOUNDARY_MIX "=_creneau_mixed"	     /* nor in base64 output */
#define B64_LINE     57			     /* raw bytes per base64 line: 76 characters */

int notify_address_ok(const char *s)
{
	size_t n = strlen(s);
	if (n < 3 || n > NOTIFY_ADDR_MAX)
		return 0;
	const char *at = strchr(s, '@');
	if (!at || at == s || !at[1] || strchr(at + 1, '@'))
		return 0;
	for (const char *p = s; *p; p++) {
		unsigned char ch = (unsigned char)*p;
		if (ch <= 32 || ch >= 127 || strchr("\"(),:;<>[\\]", ch))
			return 0;
	}
	return !strstr(at, "..") && at[1] != '.' && s[n - 1] != '.';
}

static int plain_ascii(const char *s, const char *also_forbidden)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 32 || *p > 126 || (also_forbidden && strchr(also_forbidden, *p)))
			return 0;
	return !strstr(s, "=?");
}

/* Appends s as RFC 2047 "B" encoded words, never splitting a UTF-8 sequence, folded with
 * CRLF SP between words (a decoder joins adjacent encoded words without the space). */
static int encoded_words(struct buf *out, const char *s)
{
	size_t n = strlen(s), i = 0;
	int first = 1;
	while (i < n) {
		/* the first word shares its line with the header name: keep it under 76 too */
		size_t room = first ? WORD_RAW_MAX - 9 : WORD_RAW_MAX;
		size_t take = n - i > room ? room : n - i;
		while (take > 1 && i + take < n && ((unsigned char)s[i + take] & 0xC0) == 0x80)
			take--;
		char b64[sodium_base64_ENCODED_LEN(WORD_RAW_MAX, sodium_base64_VARIANT_ORIGINAL)];
		sodium_bin2base64(b64, sizeof(b64), (const unsigned char *)s + i, take,
				  sodium_base64_VARIANT_ORIGINAL);
		if (buf_appendf(out, "%s=?UTF-8?B?%s?=", first ? "" : "\r\n ", b64))
			return -1;
		first = 0;
		i += take;
	}
	return 0;
}

static int header_text(struct buf *out, const char *name, const char *value)
{
	if (buf_appendf(out, "%s: ", name))
		return -1;
	if (plain_ascii(value, NULL) && strlen(value) <= 70) {
		if (buf_appends(out, value))
			return -1;
	} else if (encoded_words(out, value)) {
		return -1;
	}
	return buf_appends(out, "\r\n");
}

static int header_from(struct buf *out, const char *name, const char *addr)
{
	if (buf_appends(out, "From: "))
		return -1;
	if (name && *name) {
		if (plain_ascii(name, "\"\\")) {
			if (buf_appendf(out, "\"%s\" ", name))
				return -1;
		} else if (encoded_words(out, name) || buf_appends(out, " ")) {
			return -1;
		}
	}
	return buf_appendf(out, "<%s>\r\n", addr);
}

static int header_date(struct buf *out, int64_t t)
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm))
		return -1;
	return buf_appendf(out, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n", days[tm.tm_wday],
			   tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
			   tm.tm_sec);
}

/* Quoted-printable (RFC 2045 6.7): CRLF line ends, lines of at most 76 characters with soft
 * breaks, '=' and bytes outside printable ASCII as =XX, and white space before a line end
 * encoded so no transport can strip it. */
static int quoted_printable(struct buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t col = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '\r' && p[1] == '\n')
			continue;
		if (*p == '\n') {
			if (buf_appends(out, "\r\n"))
				return -1;
			col = 0;
			continue;
		}
		int at_eol = !p[1] || p[1] == '\n' || (p[1] == '\r' && p[2] == '\n');
		char tok[3];
		size_t tlen;
		if ((*p >= 33 && *p <= 126 && *p != '=') || ((*p == ' ' || *p == '\t') && !at_eol)) {
			tok[0] = (char)*p;
			tlen = 1;
		} else {
			tok[0] = '=';
			tok[1] = hex[*p >> 4];
			tok[2] = hex[*p & 15];
			tlen = 3;
		}
		if (col + tlen > QP_LINE_MAX - 1) {
			if (buf_appends(out, "=\r\n"))
				return -1;
			col = 0;
		}
		if (buf_append(out, tok, tlen))
			return -1;
		col += tlen;
	}
	return buf_appends(out, "\r\n");
}

static int part(struct buf *out, const char *type, const char *body)
{
	if (buf_appendf(out,
			"--" BOUNDARY "\r\n"
			"Content-Type: %s; charset=UTF-8\r\n"
			"Content-Transfer-Encoding: quoted-printable\r\n\r\n",
			type))
		return -1;
	return quoted_printable(out, body);
}

/* Appends data as base64 in lines of 76 characters. */
static int base64_lines(struct buf *out, const unsigned char *data, size_t len)
{
	for (size_t i = 0; i < len; i += B64_LINE) {
		size_t take = len - i > B64_LINE ? B64_LINE : len - i;
		char b64[sodium_base64_ENCODED_LEN(B64_LINE, sodium_base64_VARIANT_ORIGINAL)];
		sodium_bin2base64(b64, sizeof(b64), data + i, take, sodium_base64_VARIANT_ORIGINAL);
		if (buf_appends(out, b64) || buf_appends(out, "\r\n"))
			return -1;
	}
	return 0;
}

/* A content-type token or parameter value we write without quoting: letters, digits and
 * "-+./" only. */
static int token_ok(const char *s)
{
	if (!s || !*s || strlen(s) > 127)
		return 0;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      strchr("-+./", *p)))
			return 0;
	return 1;
}

/* filename="name" when plain ASCII, else RFC 2231 filename*=UTF-8''%XX. */
static int filename_param(struct buf *out, const char *name)
{
	static const char hex[] = "0123456789ABCDEF";
	if (plain_ascii(name, "\"\\;") && strlen(name) <= 60)
		return buf_appendf(out, "; filename=\"%s\"", name);
	if (buf_appends(out, ";\r\n filename*=UTF-8''"))
		return -1;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		int plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			    (*p >= '0' && *p <= '9') || strchr("-._", *p);
		char tok[3] = {'%', hex[*p >> 4], hex[*p & 15]};
		if (plain ? buf_append(out, (const char *)p, 1) : buf_append(out, tok, 3))
			return -1;
	}
	return 0;
}

static int attachment(struct buf *out, const struct mime_attachment *a)
{
	if (buf_appendf(out, "--" BOUNDARY_MIX "\r\nContent-Type: %s\r\nContent-Disposition: attachment",
			a->content_type) ||
	    filename_param(out, a->filename) ||
	    buf_appends(out, "\r\nContent-Transfer-Encoding: base64\r\n\r\n"))
		return -1;
	return base64_lines(out, a->data, a->len);
}

static int alternative(struct buf *out, const struct mime_mail *m)
{
	if (part(out, "text/plain", m->text) || part(out, "text/html", m->html))
		return -1;
	if (m->calendar && (buf_appendf(out,
					"--" BOUNDARY "\r\n"
					"Content-Type: text/calendar; charset=UTF-8; method=%s\r\n"
					"Content-Transfer-Encoding: base64\r\n\r\n",
					m->calendar_method) ||
			    base64_lines(out, (const unsigned char *)m->calendar, strlen(m->calendar))))
		return -1;
	return buf_appends(out, "--" BOUNDARY "--\r\n");
}

int mime_build(const struct mime_mail *m, struct buf *out, struct err *e)
{
	if (!notify_address_ok(m->from))
		return err_invalid(e, "from", "bad sender address");
	if (!notify_address_ok(m->to))
		return err_invalid(e, "to", "bad recipient address");
	if (m->reply_to && *m->reply_to && !notify_address_ok(m->reply_to))
		return err_invalid(e, "reply_to", "bad reply-to address");
	if (!plain_ascii(m->message_id, "<> ") || !strchr(m->message_id, '@'))
		return err_invalid(e, "message_id", "bad Message-ID");
	if (m->calendar && (!m->calendar_method ||
			    (strcmp(m->calendar_method, "REQUEST") && strcmp(m->calendar_method, "CANCEL"))))
		return err_invalid(e, "calendar_method", "a calendar needs METHOD REQUEST or CANCEL");
	if (m->nattachments < 0 || m->nattachments > MIME_ATTACHMENTS_MAX)
		return err_invalid(e, "attachments", "at most %d attachments", MIME_ATTACHMENTS_MAX);
	for (int i = 0; i < m->nattachments; i++)
		if (!token_ok(m->attachments[i].content_type) || !m->attachments[i].filename ||
		    !*m->attachments[i].filename || strlen(m->attachments[i].filename) > 255)
			return err_invalid(e, "attachments", "an attachment needs a plain type and a name");
	int mixed = m->calendar || m->nattachments > 0;
	int bad = header_date(out, m->date) || header_from(out, m->from_name, m->from) ||
		  buf_appendf(out, "To: <%s>\r\n", m->to);
	if (!bad && m->reply_to && *m->reply_to)
		bad = buf_appendf(out, "Reply-To: <%s>\r\n", m->reply_to);
	bad = bad || header_text(out, "Subject", m->subject) ||
	      buf_appendf(out,
			  "Message-ID: <%s>\r\n"
			  "MIME-Version: 1.0\r\n"
			  "Auto-Submitted: auto-generated\r\n",
			  m->message_id);
	if (!mixed) {
		bad = bad ||
		      buf_appends(out, "Content-Type: multipart/alternative; boundary=\"" BOUNDARY "\"\r\n"
				       "\r\n"
				       "This is a multi-part message in MIME format.\r\n") ||
		      alternative(out, m);
	} else {
		bad = bad ||
		      buf_appends(out, "Content-Type: multipart/mixed; boundary=\"" BOUNDARY_MIX "\"\r\n"
				       "\r\n"
				       "This is a multi-part message in MIME format.\r\n"
				       "--" BOUNDARY_MIX "\r\n"
				       "Content-Type: multipart/alternative; boundary=\"" BOUNDARY "\"\r\n"
				       "\r\n") ||
		      alternative(out, m);
		if (!bad && m->calendar) {
			struct mime_attachment ics = {.filename = "invite.ics",
						      .content_type = "application/ics",
						      .data = m->calendar,
						      .len = strlen(m->calendar)};
			bad = attachment(out, &ics);
		}
		for (int i = 0; !bad && i < m->nattachments; i++)
			bad = attachment(out, &m->attachments[i]);
		bad = bad || buf_appends(out, "--" BOUNDARY_MIX "--\r\n");
	}
	if (bad)
		return err_set(e, 500, "mail_too_large", NULL, "message over %zu bytes", out->cap);
	return 0;
}
