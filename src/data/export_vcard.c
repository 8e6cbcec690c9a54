/* export_vcard — one client as a vCard 4.0 (RFC 6350): N, FN, EMAIL, TEL as a tel: URI,
 * NOTE, UID; text values escaped (\\ \, \; and \n), lines folded at 75 octets without
 * splitting a UTF-8 character, CRLF line ends. */
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "data/export_int.h"
#include "base/banned.h"

/* Appends s escaped as a vCard text value. */
static int escape(struct buf *b, const char *s)
{
	for (const char *p = s ? s : ""; *p; p++) {
		int rc;
		switch (*p) {
		case '\\':
			rc = buf_appends(b, "\\\\");
			break;
		case ',':
			rc = buf_appends(b, "\\,");
			break;
		case ';':
			rc = buf_appends(b, "\\;");
			break;
		case '\n':
			rc = buf_appends(b, "\\n");
			break;
		case '\r':
			rc = 0;
			break;
		default:
			rc = buf_append(b, p, 1);
			break;
		}
		if (rc)
			return -1;
	}
	return 0;
}

/* Writes one content line folded at 75 octets (a continuation starts with a space). */
static int line(FILE *f, const struct buf *b)
{
	const unsigned char *s = (const unsigned char *)buf_str(b);
	size_t len = b->len, col = 0;
	for (size_t i = 0; i < len;) {
		size_t ch = 1;
		if (s[i] >= 0xF0)
			ch = 4;
		else if (s[i] >= 0xE0)
			ch = 3;
		else if (s[i] >= 0xC0)
			ch = 2;
		if (i + ch > len)
			ch = len - i;
		if (col + ch > 75) {
			if (fputs("\r\n ", f) < 0)
				return -1;
			col = 1;
		}
		if (fwrite(s + i, 1, ch, f) != ch)
			return -1;
		col += ch;
		i += ch;
	}
	return fputs("\r\n", f) < 0 ? -1 : 0;
}

int vcard_client(FILE *f, const struct export_client *cl)
{
	struct buf b;
	buf_init(&b, 64 * 1024);
	int rc = fputs("BEGIN:VCARD\r\nVERSION:4.0\r\n", f) < 0;
	/* FN is required: the full name, else the e-mail, else the phone */
	buf_reset(&b);
	rc = rc || buf_appends(&b, "FN:");
	if (*cl->first_name || *cl->last_name) {
		rc = rc || escape(&b, cl->first_name);
		rc = rc || (*cl->first_name && *cl->last_name && buf_appends(&b, " "));
		rc = rc || escape(&b, cl->last_name);
	} else {
		rc = rc || escape(&b, *cl->email ? cl->email : *cl->phone ? cl->phone : cl->id);
	}
	rc = rc || line(f, &b);
	buf_reset(&b);
	rc = rc || buf_appends(&b, "N:") || escape(&b, cl->last_name) || buf_appends(&b, ";") ||
	     escape(&b, cl->first_name) || buf_appends(&b, ";;;") || line(f, &b);
	if (*cl->email) {
		buf_reset(&b);
		rc = rc || buf_appends(&b, "EMAIL:") || escape(&b, cl->email) || line(f, &b);
	}
	if (*cl->phone) {
		buf_reset(&b);
		char tel[64];
		size_t n = 0;
		for (const char *p = cl->phone; *p && n + 1 < sizeof(tel); p++)
			if ((*p >= '0' && *p <= '9') || (*p == '+' && n == 0))
				tel[n++] = *p;
		tel[n] = '\0';
		rc = rc || buf_appendf(&b, "TEL;VALUE=uri:tel:%s", tel) || line(f, &b);
	}
	if (*cl->notes) {
		buf_reset(&b);
		rc = rc || buf_appends(&b, "NOTE:") || escape(&b, cl->notes) || line(f, &b);
	}
	buf_reset(&b);
	rc = rc || buf_appendf(&b, "UID:urn:creneau:%s", cl->id) || line(f, &b);
	rc = rc || fputs("END:VCARD\r\n", f) < 0;
	buf_release(&b);
	return rc ? -1 : 0;
}
