/* cii — invoices and credit notes as EN 16931 XML in the UN/CEFACT Cross Industry Invoice
 * syntax (D16B), from billing's structured record (the PDF's source), for the approved
 * e-invoicing platforms; and the transport slot (einvoice.h), empty for now. payments.h. */
#include <libxml/xmlwriter.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "billing/billing_int.h"
#include "payments/einvoice.h"
#include "payments/mandate.h"
#include "payments/payments_int.h"
#include "base/banned.h"

#define NS_RSM "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
#define NS_RAM "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
#define NS_UDT "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
#define NS_QDT "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"

static pthread_mutex_t transport_lock = PTHREAD_MUTEX_INITIALIZER;
static const struct einvoice_transport *transport;

void einvoice_transport_set(const struct einvoice_transport *t)
{
	pthread_mutex_lock(&transport_lock);
	transport = t;
	pthread_mutex_unlock(&transport_lock);
}

const struct einvoice_transport *einvoice_transport_get(void)
{
	pthread_mutex_lock(&transport_lock);
	const struct einvoice_transport *t = transport;
	pthread_mutex_unlock(&transport_lock);
	return t;
}

struct wr {
	xmlTextWriterPtr w;
	int bad;
};

static void open_el(struct wr *x, const char *name)
{
	if (xmlTextWriterStartElement(x->w, BAD_CAST name) < 0)
		x->bad = 1;
}
static void close_el(struct wr *x)
{
	if (xmlTextWriterEndElement(x->w) < 0)
		x->bad = 1;
}
static void el(struct wr *x, const char *name, const char *text)
{
	if (xmlTextWriterWriteElement(x->w, BAD_CAST name, BAD_CAST text) < 0)
		x->bad = 1;
}
static void el_attr(struct wr *x, const char *name, const char *attr, const char *value, const char *text)
{
	open_el(x, name);
	if (xmlTextWriterWriteAttribute(x->w, BAD_CAST attr, BAD_CAST value) < 0 ||
	    xmlTextWriterWriteString(x->w, BAD_CAST text) < 0)
		x->bad = 1;
	close_el(x);
}
static void amount(struct wr *x, const char *name, int64_t cents, int currency)
{
	char t[24];
	payments_amount_text(cents, t);
	if (currency)
		el_attr(x, name, "currencyID", "EUR", t);
	else
		el(x, name, t);
}
/* <name><udt:DateTimeString format="102">YYYYMMDD</udt:DateTimeString></name> */
static void date102(struct wr *x, const char *name, const char *iso)
{
	char t[9];
	snprintf(t, sizeof(t), "%.4s%.2s%.2s", iso, iso + 5, iso + 8);
	open_el(x, name);
	el_attr(x, "udt:DateTimeString", "format", "102", t);
	close_el(x);
}
static void note(struct wr *x, const char *text, const char *code)
{
	open_el(x, "ram:IncludedNote");
	el(x, "ram:Content", text);
	el(x, "ram:SubjectCode", code);
	close_el(x);
}

static void party(struct wr *x, const char *tag, const char *name, const char *siren, const char *street,
		  const char *postcode, const char *city, const char *vat, const char *email)
{
	open_el(x, tag);
	el(x, "ram:Name", name);
	open_el(x, "ram:SpecifiedLegalOrganization");
	el_attr(x, "ram:ID", "schemeID", "0002", siren); /* 0002: SIREN */
	close_el(x);
	open_el(x, "ram:PostalTradeAddress");
	el(x, "ram:PostcodeCode", postcode);
	el(x, "ram:LineOne", street);
	el(x, "ram:CityName", city);
	el(x, "ram:CountryID", "FR");
	close_el(x);
	if (email && *email) {
		open_el(x, "ram:URIUniversalCommunication");
		el_attr(x, "ram:URIID", "schemeID", "EM", email);
		close_el(x);
	}
	if (vat && *vat) {
		open_el(x, "ram:SpecifiedTaxRegistration");
		el_attr(x, "ram:ID", "schemeID", "VA", vat);
		close_el(x);
	}
	close_el(x);
}

static void vat(struct wr *x, int64_t calculated, int64_t basis, int header, int on_debits)
{
	open_el(x, "ram:ApplicableTradeTax");
	if (header)
		amount(x, "ram:CalculatedAmount", calculated, 0);
	el(x, "ram:TypeCode", "VAT");
	if (header)
		amount(x, "ram:BasisAmount", basis, 0);
	el(x, "ram:CategoryCode", "S");
	if (header)
		el(x, "ram:DueDateTypeCode", on_debits ? "5" : "72"); /* 5: invoice date; 72: paid */
	el(x, "ram:RateApplicablePercent", "20");
	close_el(x);
}

static void period(struct wr *x, const char *tag, const char *start, const char *end)
{
	open_el(x, tag);
	date102(x, "ram:StartDateTime", start);
	date102(x, "ram:EndDateTime", end);
	close_el(x);
}

/* The CII of d. mandate is the account's mandate when the invoice is collected by direct
 * debit (NULL: paid by transfer to the creditor's IBAN). */
static int render(const struct billing_doc *d, const struct mandate *mandate, struct buf *out, struct err *e)
{
	char cid[64], cname[64], ciban[64], cbic[64], text[600];
	payments_creditor(cid, cname, ciban, cbic);
	int credit = d->type == BILLING_CREDIT_NOTE;
	xmlBufferPtr xb = xmlBufferCreate();
	struct wr x = {.w = xmlNewTextWriterMemory(xb, 0)};
	if (!x.w) {
		xmlBufferFree(xb);
		return err_internal(e, "the CII writer failed");
	}
	if (xmlTextWriterSetIndent(x.w, 1) < 0 || xmlTextWriterStartDocument(x.w, NULL, "UTF-8", NULL) < 0)
		x.bad = 1;
	open_el(&x, "rsm:CrossIndustryInvoice");
	xmlTextWriterWriteAttribute(x.w, BAD_CAST "xmlns:rsm", BAD_CAST NS_RSM);
	xmlTextWriterWriteAttribute(x.w, BAD_CAST "xmlns:qdt", BAD_CAST NS_QDT);
	xmlTextWriterWriteAttribute(x.w, BAD_CAST "xmlns:ram", BAD_CAST NS_RAM);
	xmlTextWriterWriteAttribute(x.w, BAD_CAST "xmlns:udt", BAD_CAST NS_UDT);

	open_el(&x, "rsm:ExchangedDocumentContext");
	open_el(&x, "ram:GuidelineSpecifiedDocumentContextParameter");
	el(&x, "ram:ID", "urn:cen.eu:en16931:2017");
	close_el(&x);
	close_el(&x);

	open_el(&x, "rsm:ExchangedDocument");
	el(&x, "ram:ID", d->number);
	el(&x, "ram:TypeCode", credit ? "381" : "380");
	date102(&x, "ram:IssueDateTime", d->issue_date);
	snprintf(text, sizeof(text), "%s, %s, capital %s, %s", d->seller.name, d->seller.legal_form,
		 d->seller.capital, d->seller.rcs);
	note(&x, text, "ABL");
	snprintf(text, sizeof(text),
		 "Pénalités de retard : %s. Indemnité forfaitaire pour frais de recouvrement de 40 €.",
		 d->seller.penalty_rate);
	note(&x, text, "PMD");
	note(&x, "Pas d'escompte pour paiement anticipé.", "AAB");
	note(&x, "Catégorie d'opération : prestations de services.", "TXD");
	if (d->seller.vat_on_debits)
		note(&x, "Option pour le paiement de la TVA d'après les débits.", "TXD");
	if (d->note[0])
		note(&x, d->note, "AAI");
	close_el(&x);

	open_el(&x, "rsm:SupplyChainTradeTransaction");
	for (int i = 0; i < d->nlines; i++) {
		const struct billing_line *l = &d->lines[i];
		char id[16], qty[24];
		snprintf(id, sizeof(id), "%d", i + 1);
		snprintf(qty, sizeof(qty), "%lld", (long long)l->quantity);
		open_el(&x, "ram:IncludedSupplyChainTradeLineItem");
		open_el(&x, "ram:AssociatedDocumentLineDocument");
		el(&x, "ram:LineID", id);
		close_el(&x);
		open_el(&x, "ram:SpecifiedTradeProduct");
		el(&x, "ram:Name", l->description);
		close_el(&x);
		open_el(&x, "ram:SpecifiedLineTradeAgreement");
		open_el(&x, "ram:NetPriceProductTradePrice");
		amount(&x, "ram:ChargeAmount", l->unit_ht, 0);
		close_el(&x);
		close_el(&x);
		open_el(&x, "ram:SpecifiedLineTradeDelivery");
		el_attr(&x, "ram:BilledQuantity", "unitCode", "C62", qty);
		close_el(&x);
		open_el(&x, "ram:SpecifiedLineTradeSettlement");
		vat(&x, 0, 0, 0, 0);
		if (l->period_start[0] && l->period_end[0])
			period(&x, "ram:BillingSpecifiedPeriod", l->period_start, l->period_end);
		open_el(&x, "ram:SpecifiedTradeSettlementLineMonetarySummation");
		amount(&x, "ram:LineTotalAmount", l->amount_ht, 0);
		close_el(&x);
		close_el(&x);
		close_el(&x);
	}
	open_el(&x, "ram:ApplicableHeaderTradeAgreement");
	party(&x, "ram:SellerTradeParty", d->seller.name, d->seller.siren, d->seller.street,
	      d->seller.postcode, d->seller.city, d->seller.vat_number, NULL);
	party(&x, "ram:BuyerTradeParty", d->customer.legal_name, d->customer.siren, d->customer.street,
	      d->customer.postcode, d->customer.city, d->customer.vat_number, d->customer.email);
	close_el(&x);
	open_el(&x, "ram:ApplicableHeaderTradeDelivery");
	close_el(&x);

	open_el(&x, "ram:ApplicableHeaderTradeSettlement");
	if (mandate && !credit)
		el(&x, "ram:CreditorReferenceID", mandate->creditor_id);
	el(&x, "ram:PaymentReference", d->number);
	el(&x, "ram:InvoiceCurrencyCode", "EUR");
	if (!credit) {
		open_el(&x, "ram:SpecifiedTradeSettlementPaymentMeans");
		if (mandate) {
			el(&x, "ram:TypeCode", "59"); /* SEPA direct debit */
			open_el(&x, "ram:PayerPartyDebtorFinancialAccount");
			el(&x, "ram:IBANID", mandate->iban);
			close_el(&x);
		} else {
			el(&x, "ram:TypeCode", "58"); /* SEPA credit transfer */
			open_el(&x, "ram:PayeePartyCreditorFinancialAccount");
			el(&x, "ram:IBANID", ciban);
			close_el(&x);
			open_el(&x, "ram:PayeeSpecifiedCreditorFinancialInstitution");
			el(&x, "ram:BICID", cbic);
			close_el(&x);
		}
		close_el(&x);
	}
	vat(&x, d->total_vat, d->total_ht, 1, d->seller.vat_on_debits);
	if (d->period_start[0] && d->period_end[0])
		period(&x, "ram:BillingSpecifiedPeriod", d->period_start, d->period_end);
	open_el(&x, "ram:SpecifiedTradePaymentTerms");
	if (!credit) {
		snprintf(text, sizeof(text), "À régler au plus tard le %.2s/%.2s/%.4s.", d->due_date + 8,
			 d->due_date + 5, d->due_date);
		el(&x, "ram:Description", text);
		date102(&x, "ram:DueDateDateTime", d->due_date);
		if (mandate)
			el(&x, "ram:DirectDebitMandateID", mandate->reference);
	} else {
		el(&x, "ram:Description", "Avoir : crédit déduit des factures suivantes.");
	}
	close_el(&x);
	open_el(&x, "ram:SpecifiedTradeSettlementHeaderMonetarySummation");
	amount(&x, "ram:LineTotalAmount", d->total_ht, 0);
	amount(&x, "ram:TaxBasisTotalAmount", d->total_ht, 0);
	amount(&x, "ram:TaxTotalAmount", d->total_vat, 1);
	amount(&x, "ram:GrandTotalAmount", d->total_ttc, 0);
	amount(&x, "ram:TotalPrepaidAmount", credit ? 0 : d->credit_applied_ttc, 0);
	amount(&x, "ram:DuePayableAmount", credit ? d->total_ttc : d->amount_due_ttc, 0);
	close_el(&x);
	if (credit && d->corrects_number[0]) {
		open_el(&x, "ram:InvoiceReferencedDocument");
		el(&x, "ram:IssuerAssignedID", d->corrects_number);
		close_el(&x);
	}
	close_el(&x); /* settlement */
	close_el(&x); /* transaction */
	close_el(&x); /* CrossIndustryInvoice */
	if (xmlTextWriterEndDocument(x.w) < 0)
		x.bad = 1;
	xmlFreeTextWriter(x.w);
	int rc = 0;
	if (x.bad)
		rc = err_internal(e, "the CII writer failed");
	else if (buf_append(out, xmlBufferContent(xb), (size_t)xmlBufferLength(xb)))
		rc = err_internal(e, "the CII is too large");
	xmlBufferFree(xb);
	return rc;
}

int payments_invoice_cii(db_conn *c, int64_t account_id, const char *public_id, struct buf *out,
			 char number[24], struct err *e)
{
	struct billing_doc *d = calloc(1, sizeof(*d));
	if (!d)
		return err_internal(e, "out of memory");
	int has = billing_doc_load(c, account_id, public_id, d, NULL, e);
	struct mandate m;
	int sepa = 0;
	if (has == 1 && d->type == BILLING_INVOICE) {
		/* collected by direct debit: the mandate of its debit, else the active one when the
		 * invoice is still open under SEPA */
		db_rows *r;
		if (db_query(c,
			     "SELECT m.reference, m.iban, m.creditor_id FROM sepa_debits s JOIN "
			     "sepa_mandates m ON"
			     " m.id = s.mandate_id JOIN invoices i ON i.id = s.invoice_id WHERE i.public_id "
			     "= $1"
			     " AND i.account_id = $2",
			     DB_ARGS(DB_TEXT(public_id), DB_INT(account_id)), &r, e))
			has = -1;
		else {
			int f = db_rows_next(r, e);
			if (f == 1) {
				memset(&m, 0, sizeof(m));
				snprintf(m.reference, sizeof(m.reference), "%s", db_rows_text(r, 0));
				snprintf(m.iban, sizeof(m.iban), "%s", db_rows_text(r, 1));
				snprintf(m.creditor_id, sizeof(m.creditor_id), "%s", db_rows_text(r, 2));
				sepa = 1;
			}
			db_rows_free(r);
			if (f < 0)
				has = -1;
		}
		if (has == 1 && !sepa) {
			int64_t open_sepa = 0;
			if (db_query_int(
				    c,
				    "SELECT COUNT(*) FROM invoice_payments p JOIN invoices i ON i.id = "
				    "p.invoice_id"
				    " WHERE i.public_id = $1 AND i.account_id = $2 AND p.method = 'sepa_dd'",
				    DB_ARGS(DB_TEXT(public_id), DB_INT(account_id)), &open_sepa, e) < 0)
				has = -1;
			else if (open_sepa) {
				int a = mandate_active(c, account_id, &m, e);
				if (a < 0)
					has = -1;
				sepa = a == 1;
			}
		}
	}
	if (has == 1) {
		snprintf(number, 24, "%s", d->number);
		if (render(d, sepa ? &m : NULL, out, e))
			has = -1;
	}
	free(d);
	return has;
}
