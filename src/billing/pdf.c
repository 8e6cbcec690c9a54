/* pdf — the French rendering of an invoice or credit note with libharu, DejaVu Sans embedded
 * (the built-in PDF fonts cannot draw €, « » or accents in UTF-8). Rendered once at
 * finalisation; the stored bytes are what is served afterwards. libharu reports errors to a
 * handler that only records them (no longjmp); every step's result is checked. */
#include <hpdf.h>
#include <stdio.h>
#include <string.h>

#include "billing/billing_int.h"
#include "base/banned.h"

#define FONT_FILE      "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#define FONT_BOLD_FILE "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
#define MARGIN	       50.0f
#define PAGE_W	       595.276f
#define PAGE_H	       841.89f

struct pdf {
	HPDF_Doc doc;
	HPDF_Page page;
	HPDF_Font font, bold;
	float y;
	HPDF_STATUS error, detail;
};

static void HPDF_STDCALL on_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user_data)
{
	struct pdf *p = user_data;
	if (!p->error) {
		p->error = error_no;
		p->detail = detail_no;
	}
}

static void text_at(struct pdf *p, HPDF_Font f, float size, float x, float y, const char *s)
{
	HPDF_Page_BeginText(p->page);
	HPDF_Page_SetFontAndSize(p->page, f, size);
	HPDF_Page_TextOut(p->page, x, y, s);
	HPDF_Page_EndText(p->page);
}

static float width(struct pdf *p, HPDF_Font f, float size, const char *s)
{
	HPDF_Page_SetFontAndSize(p->page, f, size);
	return HPDF_Page_TextWidth(p->page, s);
}

/* Writes s from x, wrapped at max_w on spaces, going down from p->y; returns lines written. */
static int wrapped(struct pdf *p, HPDF_Font f, float size, float x, float max_w, const char *s)
{
	char line[512];
	int lines = 0;
	while (*s) {
		size_t best = 0, n = 0, len = strlen(s);
		while (n < len) {
			size_t next = n;
			while (next < len && s[next] != ' ')
				next++;
			if (next >= sizeof(line))
				break;
			memcpy(line, s, next);
			line[next] = '\0';
			if (width(p, f, size, line) > max_w && best)
				break;
			best = next;
			n = next + 1;
		}
		if (!best)
			best = len < sizeof(line) - 1 ? len : sizeof(line) - 1;
		memcpy(line, s, best);
		line[best] = '\0';
		text_at(p, f, size, x, p->y, line);
		p->y -= size + 3;
		lines++;
		s += best;
		while (*s == ' ')
			s++;
	}
	return lines;
}

static void right(struct pdf *p, HPDF_Font f, float size, float x_right, float y, const char *s)
{
	text_at(p, f, size, x_right - width(p, f, size, s), y, s);
}

static void rule(struct pdf *p)
{
	HPDF_Page_SetLineWidth(p->page, 0.5f);
	HPDF_Page_MoveTo(p->page, MARGIN, p->y);
	HPDF_Page_LineTo(p->page, PAGE_W - MARGIN, p->y);
	HPDF_Page_Stroke(p->page);
	p->y -= 14;
}

static void line(struct pdf *p, const char *fmt_text)
{
	wrapped(p, p->font, 9, MARGIN, PAGE_W - 2 * MARGIN, fmt_text);
}

static void draw(struct pdf *p, const struct billing_doc *d)
{
	const struct billing_seller_copy *s = &d->seller;
	const struct billing_identity *c = &d->customer;
	char t[600], a[32], b[32], date[11], due[11], ps[11], pe[11];
	billing_date_fr(d->issue_date, date);
	billing_date_fr(d->due_date, due);
	billing_date_fr(d->period_start, ps);
	billing_date_fr(d->period_end, pe);
	int invoice = d->type == BILLING_INVOICE;

	/* title */
	p->y = PAGE_H - MARGIN;
	text_at(p, p->bold, 18, MARGIN, p->y - 10, invoice ? "FACTURE" : "AVOIR");
	snprintf(t, sizeof(t), "N° %s", d->number);
	right(p, p->bold, 12, PAGE_W - MARGIN, p->y - 4, t);
	snprintf(t, sizeof(t), "Date : %s", date);
	right(p, p->font, 10, PAGE_W - MARGIN, p->y - 18, t);
	snprintf(t, sizeof(t), "Échéance : %s", due);
	right(p, p->font, 10, PAGE_W - MARGIN, p->y - 31, t);
	p->y -= 56;

	/* seller (left) and customer (right) */
	float top = p->y, col = PAGE_W / 2 + 10, colw = PAGE_W / 2 - MARGIN - 10;
	text_at(p, p->bold, 10, MARGIN, p->y, "Vendeur");
	p->y -= 14;
	wrapped(p, p->bold, 9, MARGIN, colw, s->name);
	wrapped(p, p->font, 9, MARGIN, colw, s->legal_form);
	snprintf(t, sizeof(t), "Capital social : %s", s->capital);
	wrapped(p, p->font, 9, MARGIN, colw, t);
	wrapped(p, p->font, 9, MARGIN, colw, s->street);
	snprintf(t, sizeof(t), "%s %s, France", s->postcode, s->city);
	wrapped(p, p->font, 9, MARGIN, colw, t);
	snprintf(t, sizeof(t), "SIREN : %s", s->siren);
	wrapped(p, p->font, 9, MARGIN, colw, t);
	wrapped(p, p->font, 9, MARGIN, colw, s->rcs);
	snprintf(t, sizeof(t), "N° TVA intracommunautaire : %s", s->vat_number);
	wrapped(p, p->font, 9, MARGIN, colw, t);
	float left_end = p->y;

	p->y = top;
	text_at(p, p->bold, 10, col, p->y, "Client");
	p->y -= 14;
	wrapped(p, p->bold, 9, col, colw, c->legal_name);
	wrapped(p, p->font, 9, col, colw, c->street);
	snprintf(t, sizeof(t), "%s %s, France", c->postcode, c->city);
	wrapped(p, p->font, 9, col, colw, t);
	snprintf(t, sizeof(t), "SIREN : %s", c->siren);
	wrapped(p, p->font, 9, col, colw, t);
	if (c->vat_number[0]) {
		snprintf(t, sizeof(t), "N° TVA intracommunautaire : %s", c->vat_number);
		wrapped(p, p->font, 9, col, colw, t);
	}
	if (p->y > left_end)
		p->y = left_end;
	p->y -= 12;

	line(p, "Catégorie de l'opération : prestations de services");
	snprintf(t, sizeof(t), "Période : du %s au %s", ps, pe);
	line(p, t);
	if (!invoice) {
		snprintf(t, sizeof(t), "Avoir rectifiant la facture n° %s", d->corrects_number);
		line(p, t);
	}
	p->y -= 10;

	/* lines */
	float xq = PAGE_W - MARGIN - 200, xu = PAGE_W - MARGIN - 90, xr = PAGE_W - MARGIN;
	text_at(p, p->bold, 9, MARGIN, p->y, "Désignation");
	right(p, p->bold, 9, xq + 30, p->y, "Quantité");
	right(p, p->bold, 9, xu + 10, p->y, "Prix unitaire HT");
	right(p, p->bold, 9, xr, p->y, "Montant HT");
	p->y -= 6;
	rule(p);
	for (int i = 0; i < d->nlines; i++) {
		const struct billing_line *l = &d->lines[i];
		float y0 = p->y;
		snprintf(t, sizeof(t), "%lld", (long long)l->quantity);
		right(p, p->font, 9, xq + 30, y0, t);
		billing_money_text(l->unit_ht, a);
		right(p, p->font, 9, xu + 10, y0, a);
		billing_money_text(l->amount_ht, b);
		right(p, p->font, 9, xr, y0, b);
		wrapped(p, p->font, 9, MARGIN, xq - MARGIN - 40, l->description);
		p->y -= 4;
	}
	rule(p);

	/* totals */
	float xl = PAGE_W - MARGIN - 250;
	billing_money_text(d->total_ht, a);
	text_at(p, p->font, 10, xl, p->y, "Total HT");
	right(p, p->font, 10, xr, p->y, a);
	p->y -= 14;
	billing_money_text(d->total_ht, b);
	snprintf(t, sizeof(t), "TVA 20 %% (base %s)", b);
	billing_money_text(d->total_vat, a);
	text_at(p, p->font, 10, xl, p->y, t);
	right(p, p->font, 10, xr, p->y, a);
	p->y -= 14;
	billing_money_text(d->total_ttc, a);
	text_at(p, p->bold, 10, xl, p->y, "Total TTC");
	right(p, p->bold, 10, xr, p->y, a);
	p->y -= 14;
	if (invoice && d->credit_applied_ttc) {
		billing_money_text(d->credit_applied_ttc, a);
		snprintf(t, sizeof(t), "Avoir déduit : -%s", a);
		text_at(p, p->font, 10, xl, p->y, t);
		p->y -= 14;
		billing_money_text(d->amount_due_ttc, a);
		text_at(p, p->bold, 10, xl, p->y, "Net à payer");
		right(p, p->bold, 10, xr, p->y, a);
		p->y -= 14;
		snprintf(t, sizeof(t), "Avoir(s) déduit(s) : %s", d->credit_notes);
		wrapped(p, p->font, 8, xl, xr - xl, t);
	} else if (!invoice) {
		text_at(p, p->font, 9, xl, p->y, "Montant porté au crédit du client, déduit des");
		p->y -= 11;
		text_at(p, p->font, 9, xl, p->y, "prochaines factures ou remboursé par virement.");
		p->y -= 14;
	}
	p->y -= 10;
	if (d->note[0])
		line(p, d->note);

	/* conditions */
	p->y -= 6;
	rule(p);
	if (invoice) {
		snprintf(t, sizeof(t), "Date d'échéance : %s (%d jours après la date de facture).", due,
			 BILLING_DUE_DAYS);
		line(p, t);
	}
	snprintf(t, sizeof(t), "Pénalités de retard : %s, exigibles dès le lendemain de l'échéance.",
		 s->penalty_rate);
	line(p, t);
	line(p, "Indemnité forfaitaire pour frais de recouvrement de 40 € (articles L441-10 et D441-5 du "
		"code de commerce).");
	line(p, "Pas d'escompte pour paiement anticipé.");
	if (s->vat_on_debits)
		line(p, "Option pour le paiement de la TVA d'après les débits.");
}

int billing_pdf_render(const struct billing_doc *d, struct buf *out, struct err *e)
{
	struct pdf p = {0};
	p.doc = HPDF_New(on_error, &p);
	if (!p.doc)
		return err_internal(e, "libharu could not start");
	int rc = -1;
	if (HPDF_SetCompressionMode(p.doc, HPDF_COMP_ALL) != HPDF_OK ||
	    HPDF_UseUTFEncodings(p.doc) != HPDF_OK)
		goto done;
	const char *regular = HPDF_LoadTTFontFromFile(p.doc, FONT_FILE, HPDF_TRUE);
	const char *bold = regular ? HPDF_LoadTTFontFromFile(p.doc, FONT_BOLD_FILE, HPDF_TRUE) : NULL;
	if (!regular || !bold)
		goto done;
	p.font = HPDF_GetFont(p.doc, regular, "UTF-8");
	p.bold = HPDF_GetFont(p.doc, bold, "UTF-8");
	p.page = HPDF_AddPage(p.doc);
	if (!p.font || !p.bold || !p.page || p.error)
		goto done;
	char title[64];
	snprintf(title, sizeof(title), "%s %s", d->type == BILLING_INVOICE ? "Facture" : "Avoir", d->number);
	(void)HPDF_SetInfoAttr(p.doc, HPDF_INFO_TITLE, title);
	(void)HPDF_SetInfoAttr(p.doc, HPDF_INFO_AUTHOR, d->seller.name);
	(void)HPDF_Page_SetSize(p.page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
	draw(&p, d);
	if (p.error || HPDF_SaveToStream(p.doc) != HPDF_OK)
		goto done;
	HPDF_UINT32 size = HPDF_GetStreamSize(p.doc);
	if (!size || size > 16u * 1024 * 1024)
		goto done;
	char chunk[65536];
	HPDF_UINT32 left = size;
	while (left) {
		HPDF_UINT32 n = sizeof(chunk);
		HPDF_STATUS st = HPDF_ReadFromStream(p.doc, (HPDF_BYTE *)chunk, &n);
		if ((st != HPDF_OK && st != HPDF_STREAM_EOF) || !n || buf_append(out, chunk, n))
			goto done;
		left = n > left ? 0 : left - n;
		if (st == HPDF_STREAM_EOF)
			break;
	}
	rc = left || p.error ? -1 : 0;
done:
	if (rc)
		err_internal(e, "the invoice PDF could not be rendered (libharu error 0x%04X, detail %u)",
			     (unsigned)p.error, (unsigned)p.detail);
	HPDF_Free(p.doc);
	return rc;
}
