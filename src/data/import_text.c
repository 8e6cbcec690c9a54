/* import_text — from uploaded bytes to UTF-8 text, and what kind of text it is (import.h). */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <stdint.h>
#include <stdlib.h>
#include <unicode/ucnv.h>

#include "data/import.h"

#include "base/xalloc.h"
#include "base/banned.h"

static const unsigned char BOM[3] = {0xEF, 0xBB, 0xBF};

/* Length of the valid UTF-8 sequence at p (1..4), or 0 when it is not one. */
static size_t utf8_seq(const unsigned char *p, size_t left)
{
	unsigned char c = p[0];
	size_t n;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		n = 3;
	else if (c >= 0xF0 && c <= 0xF4)
		n = 4;
	else
		return 0;
	if (left < n)
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((p[i] & 0xC0) != 0x80)
			return 0;
	if (n == 3 && ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] > 0x9F)))
		return 0; /* overlong, surrogate */
	if (n == 4 && ((c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] > 0x8F)))
		return 0;
	return n;
}

static int valid_utf8(const unsigned char *p, size_t len)
{
	for (size_t i = 0; i < len;) {
		size_t n = utf8_seq(p + i, len - i);
		if (!n)
			return 0;
		i += n;
	}
	return 1;
}

/* A binary file: a NUL byte, or more than one control byte in a hundred among the first
 * 64 KiB (text has tabs and line ends only). */
static int looks_binary(const unsigned char *p, size_t len)
{
	if (memchr(p, 0, len))
		return 1;
	size_t n = len < 65536 ? len : 65536, ctl = 0;
	for (size_t i = 0; i < n; i++)
		if (p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' && p[i] != '\r' && p[i] != '\f')
			ctl++;
	return ctl * 100 > n;
}

int import_decode(const char *data, size_t len, struct buf *out, const char **encoding, struct err *e)
{
	const unsigned char *p = (const unsigned char *)data;
	buf_init(out, len * 3 + 1);
	if (len >= 3 && !memcmp(p, BOM, 3)) {
		p += 3;
		len -= 3;
	}
	size_t blank = 0;
	while (blank < len && (p[blank] == ' ' || p[blank] == '\t' || p[blank] == '\r' || p[blank] == '\n'))
		blank++;
	if (blank == len)
		return err_set(e, 400, "empty_file", "file", "the file is empty");
	if (looks_binary(p, len))
		return err_set(e, 400, "not_text", "file",
			       "this file is not text: send a CSV file or a vCard (.vcf) file");
	if (valid_utf8(p, len)) {
		*encoding = "utf-8";
		if (buf_append(out, p, len))
			return err_internal(e, "the decoded text does not fit");
		return 0;
	}
	/* Windows-1252 grows by at most 3 bytes a byte */
	*encoding = "windows-1252";
	UErrorCode status = U_ZERO_ERROR;
	size_t cap = len * 3 + 1;
	if (cap > INT32_MAX)
		return err_set(e, 413, "payload_too_large", "file", "the file is too large");
	char *dst = xmalloc(cap);
	int32_t n = ucnv_convert("UTF-8", "windows-1252", dst, (int32_t)cap, (const char *)p, (int32_t)len,
				 &status);
	int rc = 0;
	if (U_FAILURE(status) || n < 0)
		rc = err_set(e, 400, "invalid_encoding", "file",
			     "the file is neither UTF-8 nor Windows-1252 text (%s)", u_errorName(status));
	else if (buf_append(out, dst, (size_t)n))
		rc = err_internal(e, "the decoded text does not fit");
	free(dst);
	return rc;
}

enum import_format import_detect(const char *text, size_t len)
{
	size_t i = 0;
	while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n'))
		i++;
	if (len - i >= 11 && !strncasecmp(text + i, "BEGIN:VCARD", 11))
		return IMPORT_VCARD;
	return IMPORT_CSV;
}

char import_csv_separator(const char *text, size_t len)
{
	static const char cand[4] = {';', ',', '\t', '|'};
	size_t count[4] = {0};
	int quoted = 0;
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		if (c == '"')
			quoted = !quoted;
		else if (!quoted && (c == '\n' || c == '\r'))
			break;
		else if (!quoted)
			for (int k = 0; k < 4; k++)
				count[k] += c == cand[k];
	}
	int best = 1; /* ',' when the line has none */
	for (int k = 0; k < 4; k++)
		if (count[k] > count[best])
			best = k;
	return cand[best];
}
