/* import_vcard — vCard 3.0 and 4.0 cards as the cells of IMPORT_VCARD_COLUMNS (import.h).
 * RFC 6350 / 2426: content lines are folded (a line starting with a space or a tab continues
 * the previous one); 3.0 values may be QUOTED-PRINTABLE (a final '=' continues the line) in a
 * CHARSET; ',', ';', '\' and newlines are escaped with '\'; a card may carry several EMAIL and
 * TEL: the preferred one (PREF, or a mobile for TEL) is kept, the others listed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unicode/ucnv.h>

#include "data/import.h"

#include "base/xalloc.h"
#include "base/banned.h"

enum { C_LAST, C_FIRST, C_FULL, C_EMAIL, C_PHONE, C_NOTES, C_OTHER };

struct card {
	struct buf cell[IMPORT_VCARD_NCOLS];
	int email_rank, phone_rank; /* rank of the kept value: higher wins */
	int too_long;
	long line;
};

struct prop {
	char name[32];
	int qp, pref, cell, skip; /* skip: base64 and other binary values */
	char charset[40];
};

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Reads the name and parameters of a content line up to its ':'; returns the offset of the
 * value, or -1 when the line has no ':'. */
static long parse_head(const char *s, size_t len, struct prop *p)
{
	memset(p, 0, sizeof(*p));
	size_t i = 0, start = 0;
	int quoted = 0;
	for (; i < len; i++) {
		if (s[i] == '"')
			quoted = !quoted;
		else if (!quoted && s[i] == ':')
			break;
	}
	if (i == len)
		return -1;
	size_t head_end = i;
	/* name: after an optional group "item1." */
	size_t j = 0;
	while (j < head_end && s[j] != ';')
		j++;
	const char *dot = memchr(s, '.', j);
	start = dot ? (size_t)(dot - s) + 1 : 0;
	snprintf(p->name, sizeof(p->name), "%.*s", (int)(j - start), s + start);
	/* parameters */
	while (j < head_end) {
		size_t k = j + 1;
		quoted = 0;
		while (k < head_end && (quoted || s[k] != ';')) {
			if (s[k] == '"')
				quoted = !quoted;
			k++;
		}
		char param[128];
		snprintf(param, sizeof(param), "%.*s", (int)(k - j - 1), s + j + 1);
		char *eq = strchr(param, '=');
		const char *val = eq ? eq + 1 : param;
		if (eq)
			*eq = 0;
		if (!strcasecmp(param, "ENCODING") || !eq) {
			if (!strcasecmp(val, "QUOTED-PRINTABLE"))
				p->qp = 1;
			else if (!strcasecmp(val, "b") || !strcasecmp(val, "base64"))
				p->skip = 1;
		}
		if (!strcasecmp(param, "CHARSET") && eq)
			snprintf(p->charset, sizeof(p->charset), "%.39s", val);
		if (!strcasecmp(param, "PREF") && eq)
			p->pref = 1;
		/* TYPE=cell,pref / TYPE="cell,voice" / bare CELL (3.0) */
		if (!strcasecmp(param, "TYPE") || !eq) {
			char types[128];
			snprintf(types, sizeof(types), "%s", val);
			char *save = NULL;
			for (char *t = strtok_r(types, ",\"", &save); t; t = strtok_r(NULL, ",\"", &save)) {
				if (!strcasecmp(t, "pref"))
					p->pref = 1;
				if (!strcasecmp(t, "cell"))
					p->cell = 1;
			}
		}
		j = k;
	}
	return (long)head_end + 1;
}

/* Decodes quoted-printable in place; returns the new length. */
static size_t qp_decode(char *s, size_t len)
{
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '=' && i + 2 < len && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
			s[o++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
		} else if (s[i] == '=' && i + 1 == len) {
			break; /* a soft break left at the end */
		} else {
			s[o++] = s[i];
		}
	}
	return o;
}

/* Converts value bytes to UTF-8 from charset (or Windows-1252 when they are not UTF-8 and
 * none is named) into out (malloc'd). */
static char *to_utf8(const char *v, size_t len, const char *charset, size_t *out_len)
{
	struct buf probe = BUF_INIT(len * 3 + 1);
	const char *enc = charset[0] ? charset : NULL;
	if (!enc) {
		const char *ignored;
		struct err e = {0};
		if (len == 0 || import_decode(v, len, &probe, &ignored, &e) != 0) {
			buf_release(&probe);
			return to_utf8(v, len, "windows-1252", out_len);
		}
		*out_len = probe.len;
		return buf_detach(&probe, NULL);
	}
	UErrorCode st = U_ZERO_ERROR;
	char *dst = xmalloc(len * 3 + 1);
	int32_t n = ucnv_convert("UTF-8", enc, dst, (int32_t)(len * 3 + 1), v, (int32_t)len, &st);
	if (U_FAILURE(st) || n < 0) {
		/* an unknown CHARSET: read as Windows-1252, so a cell is always UTF-8 */
		free(dst);
		if (strcasecmp(enc, "windows-1252"))
			return to_utf8(v, len, "windows-1252", out_len);
		char *copy = xstrndup(v, len);
		for (char *c = copy; *c; c++)
			if ((unsigned char)*c >= 0x80)
				*c = '?';
		*out_len = strlen(copy);
		return copy;
	}
	dst[n] = 0;
	*out_len = strlen(dst); /* a decoded NUL (=00) ends the value */
	return dst;
}

/* Appends the value v (escapes resolved) to cell; a ';' unescaped ends it when stop_at_semi.
 * Returns the bytes of v consumed. */
static size_t unescape_into(struct card *cd, int cell, const char *v, size_t len, int stop_at_semi)
{
	size_t i = 0;
	struct buf *b = &cd->cell[cell];
	for (; i < len; i++) {
		char c = v[i];
		if (c == ';' && stop_at_semi)
			break;
		if (c == '\\' && i + 1 < len) {
			char n = v[++i];
			c = (n == 'n' || n == 'N') ? '\n' : n;
		}
		if (buf_append(b, &c, 1))
			cd->too_long = 1;
	}
	return i;
}

static void set_cell(struct card *cd, int cell, const char *v, size_t len)
{
	buf_reset(&cd->cell[cell]);
	unescape_into(cd, cell, v, len, 0);
}

static void add_other(struct card *cd, const char *v, size_t len)
{
	if (cd->cell[C_OTHER].len && buf_append(&cd->cell[C_OTHER], ", ", 2))
		cd->too_long = 1;
	unescape_into(cd, C_OTHER, v, len, 0);
}

/* Keeps the better of the current value and this one (rank), listing the other. */
static void keep_best(struct card *cd, int cell, int *rank, int this_rank, const char *v, size_t len)
{
	if (*rank < 0 || this_rank > *rank) {
		if (*rank >= 0 && cd->cell[cell].len) {
			if (cd->cell[C_OTHER].len && buf_append(&cd->cell[C_OTHER], ", ", 2))
				cd->too_long = 1;
			if (buf_append(&cd->cell[C_OTHER], cd->cell[cell].data, cd->cell[cell].len))
				cd->too_long = 1;
		}
		set_cell(cd, cell, v, len);
		*rank = this_rank;
	} else {
		add_other(cd, v, len);
	}
}

static void apply(struct card *cd, const struct prop *p, const char *v, size_t len)
{
	if (!strcasecmp(p->name, "N")) {
		buf_reset(&cd->cell[C_LAST]);
		buf_reset(&cd->cell[C_FIRST]);
		size_t used = unescape_into(cd, C_LAST, v, len, 1);
		if (used < len)
			unescape_into(cd, C_FIRST, v + used + 1, len - used - 1, 1);
	} else if (!strcasecmp(p->name, "FN")) {
		set_cell(cd, C_FULL, v, len);
	} else if (!strcasecmp(p->name, "EMAIL")) {
		keep_best(cd, C_EMAIL, &cd->email_rank, p->pref, v, len);
	} else if (!strcasecmp(p->name, "TEL")) {
		/* 4.0 may give "tel:+33..." */
		if (len > 4 && !strncasecmp(v, "tel:", 4)) {
			v += 4;
			len -= 4;
		}
		keep_best(cd, C_PHONE, &cd->phone_rank, p->pref * 2 + p->cell, v, len);
	} else if (!strcasecmp(p->name, "NOTE")) {
		if (cd->cell[C_NOTES].len && buf_append(&cd->cell[C_NOTES], "\n", 1))
			cd->too_long = 1;
		unescape_into(cd, C_NOTES, v, len, 0);
	}
}

static int wanted(const char *name)
{
	static const char *const names[] = {"N", "FN", "EMAIL", "TEL", "NOTE"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcasecmp(name, names[i]))
			return 1;
	return 0;
}

struct vreader {
	struct card cd;
	int in_card;
	long rows;
	import_record_fn fn;
	void *ctx;
};

static void card_reset(struct card *cd)
{
	for (int i = 0; i < IMPORT_VCARD_NCOLS; i++)
		buf_reset(&cd->cell[i]);
	cd->email_rank = cd->phone_rank = -1;
	cd->too_long = 0;
}

static int emit(struct vreader *r, struct err *e)
{
	if (++r->rows > IMPORT_ROWS_MAX)
		return err_set(e, 400, "too_many_rows", "file", "the file has more than %d cards",
			       IMPORT_ROWS_MAX);
	struct import_record rec = {.row_no = r->rows,
				    .line = r->cd.line,
				    .ncells = IMPORT_VCARD_NCOLS,
				    .too_long = r->cd.too_long ? C_NOTES : -1};
	for (int i = 0; i < IMPORT_VCARD_NCOLS; i++) {
		rec.cells[i] = buf_str(&r->cd.cell[i]);
		rec.lens[i] = r->cd.cell[i].len;
	}
	return r->fn(r->ctx, &rec, e);
}

/* One logical (unfolded) line. */
static int on_line(struct vreader *r, char *s, size_t len, long line, struct err *e)
{
	while (len && (s[len - 1] == '\r' || s[len - 1] == ' '))
		len--;
	if (!len)
		return 0;
	struct prop p;
	long off = parse_head(s, len, &p);
	if (off < 0)
		return 0; /* not a content line: ignored like any unknown property */
	const char *v = s + off;
	size_t vlen = len - (size_t)off;
	if (!strcasecmp(p.name, "BEGIN") && !strncasecmp(v, "VCARD", 5)) {
		if (r->in_card)
			return err_set(e, 400, "invalid_vcard", "file",
				       "line %ld: a card begins inside another", line);
		r->in_card = 1;
		card_reset(&r->cd);
		r->cd.line = line;
		return 0;
	}
	if (!strcasecmp(p.name, "END") && !strncasecmp(v, "VCARD", 5)) {
		if (!r->in_card)
			return err_set(e, 400, "invalid_vcard", "file", "line %ld: END:VCARD without BEGIN",
				       line);
		r->in_card = 0;
		return emit(r, e);
	}
	if (!r->in_card || p.skip || !wanted(p.name))
		return 0;
	if (!p.qp && !p.charset[0]) {
		apply(&r->cd, &p, v, vlen);
		return 0;
	}
	char *raw = xstrndup(v, vlen);
	size_t n = p.qp ? qp_decode(raw, vlen) : vlen;
	size_t ulen;
	char *u = to_utf8(raw, n, p.charset, &ulen);
	apply(&r->cd, &p, u, ulen);
	free(u);
	free(raw);
	return 0;
}

int import_vcard_read(const char *text, size_t len, import_record_fn fn, void *ctx, struct err *e)
{
	struct vreader *r = xcalloc(1, sizeof(*r));
	r->fn = fn;
	r->ctx = ctx;
	for (int i = 0; i < IMPORT_VCARD_NCOLS; i++)
		buf_init(&r->cd.cell[i], IMPORT_CELL_MAX);
	struct buf lbuf = BUF_INIT(IMPORT_LINE_MAX);
	int overflow = 0, qp_open = 0, rc = 0;
	long line = 0, lstart = 1;
	size_t pos = 0;
	while (pos <= len && rc == 0) {
		const char *nl = pos < len ? memchr(text + pos, '\n', len - pos) : NULL;
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		const char *s = text + pos;
		int at_end = pos >= len;
		line++;
		size_t sl = n;
		while (sl && s[sl - 1] == '\r')
			sl--;
		int folded = !at_end && sl > 0 && (s[0] == ' ' || s[0] == '\t');
		if (!at_end && (folded || qp_open) && lbuf.len + overflow) {
			/* a continuation: of a fold (its first blank dropped) or of a QP soft break */
			const char *add = folded && !qp_open ? s + 1 : s;
			size_t alen = folded && !qp_open ? sl - 1 : sl;
			if (qp_open && lbuf.len && lbuf.data[lbuf.len - 1] == '=')
				lbuf.data[--lbuf.len] = 0;
			if (!overflow && buf_append(&lbuf, add, alen))
				overflow = 1;
		} else {
			if (overflow) {
				struct prop p;
				if (parse_head(buf_str(&lbuf), lbuf.len, &p) >= 0 && wanted(p.name) &&
				    r->in_card)
					rc = err_set(e, 400, "invalid_vcard", "file",
						     "line %ld: a line longer than %d bytes", lstart,
						     IMPORT_LINE_MAX);
			} else if (lbuf.len) {
				rc = on_line(r, lbuf.data, lbuf.len, lstart, e);
			}
			buf_reset(&lbuf);
			overflow = 0;
			lstart = line;
			if (!at_end && buf_append(&lbuf, s, sl))
				overflow = 1;
		}
		/* a QUOTED-PRINTABLE value whose line ends with '=' goes on */
		qp_open = 0;
		if (!overflow && lbuf.len && lbuf.data[lbuf.len - 1] == '=') {
			const char *colon = memchr(lbuf.data, ':', lbuf.len);
			if (colon && memmem(lbuf.data, (size_t)(colon - lbuf.data), "QUOTED-PRINTABLE", 16))
				qp_open = 1;
		}
		pos += n + 1;
	}
	if (rc == 0 && r->in_card)
		rc = err_set(e, 400, "invalid_vcard", "file", "line %ld: a card begun here has no END:VCARD",
			     r->cd.line);
	if (rc == 0 && r->rows == 0)
		rc = err_set(e, 400, "invalid_vcard", "file", "the file holds no card");
	buf_release(&lbuf);
	for (int i = 0; i < IMPORT_VCARD_NCOLS; i++)
		buf_release(&r->cd.cell[i]);
	free(r);
	return rc;
}
