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
	int bad = header_date(out, m->date) || header_from(out, m->from_name, m->from) ||
		  buf_appendf(out, "To: <%s>\r\n", m->to);
	if (!bad && m->reply_to && *m->reply_to)
		bad = buf_appendf(out, "Reply-To: <%s>\r\n", m->reply_to);
	bad = bad || header_text(out, "Subject", m->subject) ||
	      buf_appendf(out,
			  "Message-ID: <%s>\r\n"
			  "MIME-Version: 1.0\r\n"
			  "Auto-Submitted: auto-generated\r\n"
			  "Content-Type: multipart/alternative; boundary=\"" BOUNDARY "\"\r\n"
			  "\r\n"
			  "This is a multi-part message in MIME format.\r\n",
			  m->message_id) ||
	      part(out, "text/plain", m->text) || part(out, "text/html", m->html) ||
	      buf_appends(out, "--" BOUNDARY "--\r\n");
	if (bad)
		return err_set(e, 500, "mail_too_large", NULL, "message over %zu bytes", out->cap);
	return 0;
}
