/* pain008 — the SEPA Direct Debit collection batch (pain.008.001.02, CORE scheme) of the
 * invoices due on a date, written with libxml2's writer. payments.h. */
#include <inttypes.h>
#include <libxml/xmlwriter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/tz.h"
#include "payments/payments_int.h"
#include "base/banned.h"

#define NS_PAIN008 "urn:iso:std:iso:20022:tech:xsd:pain.008.001.02"

struct debit {
	char e2e[36], seq[5], reference[36], signature_date[11], iban[35], bic[12], holder[281], number[24];
	int64_t amount;
};

/* Records the debits of the invoices due on `date` not yet sent (FRST when the mandate has no
 * debit that was not rejected, else RCUR). */
static int record_debits(db_conn *c, const char *date, int64_t now, struct err *e)
{
	db_rows *r;
	if (db_query(c,
		     "SELECT i.id, i.account_id, i.number, p.amount_due, m.id FROM invoice_payments p"
		     " JOIN invoices i ON i.id = p.invoice_id JOIN sepa_mandates m ON m.account_id ="
		     " i.account_id AND m.state = 'active' WHERE i.type = 'invoice' AND i.state = 'final' AND"
		     " i.due_date = $1 AND p.state = 'open' AND p.amount_due > 0 AND NOT EXISTS (SELECT 1"
		     " FROM sepa_debits d WHERE d.invoice_id = i.id) ORDER BY i.id",
		     DB_ARGS(DB_TEXT(date)), &r, e))
		return -1;
	struct todo {
		int64_t invoice_id, account_id, amount, mandate_id;
		char number[24];
	} *t = NULL;
	size_t n = 0, cap = 0;
	int rc;
	while ((rc = db_rows_next(r, e)) == 1) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			struct todo *nt = realloc(t, cap * sizeof(*t));
			if (!nt)
				abort();
			t = nt;
		}
		t[n].invoice_id = db_rows_int(r, 0);
		t[n].account_id = db_rows_int(r, 1);
		snprintf(t[n].number, sizeof(t[n].number), "%s", db_rows_text(r, 2));
		t[n].amount = db_rows_int(r, 3);
		t[n].mandate_id = db_rows_int(r, 4);
		n++;
	}
	db_rows_free(r);
	for (size_t i = 0; !rc && i < n; i++) {
		int64_t earlier = 0;
		if (payments_lock(c, t[i].account_id, e) ||
		    db_query_int(
			    c,
			    "SELECT COUNT(*) FROM sepa_debits WHERE mandate_id = $1 AND state <> 'rejected'",
			    DB_ARGS(DB_INT(t[i].mandate_id)), &earlier, e) < 0 ||
		    db_exec(c,
			    "INSERT INTO sepa_debits (account_id, invoice_id, mandate_id, end_to_end_id, "
			    "seq_type,"
			    " collection_date, amount, state, created_at, updated_at) VALUES ($1, $2, $3, "
			    "$4, $5,"
			    " $6, $7, 'sent', $8, $8)",
			    DB_ARGS(DB_INT(t[i].account_id), DB_INT(t[i].invoice_id), DB_INT(t[i].mandate_id),
				    DB_TEXT(t[i].number), DB_TEXT(earlier ? "RCUR" : "FRST"), DB_TEXT(date),
				    DB_INT(t[i].amount), DB_INT(now)),
			    e) < 0 ||
		    db_exec(c,
			    "UPDATE invoice_payments SET state = 'collecting', method = 'sepa_dd', "
			    "updated_at = $2"
			    " WHERE invoice_id = $1 AND state = 'open'",
			    DB_ARGS(DB_INT(t[i].invoice_id), DB_INT(now)), e) < 0)
			rc = -1;
	}
	free(t);
	return rc < 0 ? -1 : 0;
}

static int load_debits(db_conn *c, const char *date, const char *seq, struct debit **out, size_t *n,
		       int64_t *sum, struct err *e)
{
	db_rows *r;
	*out = NULL;
	*n = 0;
	*sum = 0;
	if (db_query(c,
		     "SELECT d.end_to_end_id, d.seq_type, m.reference, m.signature_date, m.iban, m.bic,"
		     " m.holder_name, i.number, d.amount FROM sepa_debits d JOIN sepa_mandates m ON m.id ="
		     " d.mandate_id JOIN invoices i ON i.id = d.invoice_id WHERE d.collection_date = $1 AND"
		     " d.seq_type = $2 AND d.state <> 'rejected' ORDER BY d.id",
		     DB_ARGS(DB_TEXT(date), DB_TEXT(seq)), &r, e))
		return -1;
	size_t cap = 0;
	int rc;
	while ((rc = db_rows_next(r, e)) == 1) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			struct debit *nd = realloc(*out, cap * sizeof(**out));
			if (!nd)
				abort();
			*out = nd;
		}
		struct debit *d = &(*out)[(*n)++];
		snprintf(d->e2e, sizeof(d->e2e), "%s", db_rows_text(r, 0));
		snprintf(d->seq, sizeof(d->seq), "%s", db_rows_text(r, 1));
		snprintf(d->reference, sizeof(d->reference), "%s", db_rows_text(r, 2));
		snprintf(d->signature_date, sizeof(d->signature_date), "%s", db_rows_text(r, 3));
		snprintf(d->iban, sizeof(d->iban), "%s", db_rows_text(r, 4));
		snprintf(d->bic, sizeof(d->bic), "%s", db_rows_text(r, 5));
		snprintf(d->holder, sizeof(d->holder), "%s", db_rows_text(r, 6));
		snprintf(d->number, sizeof(d->number), "%s", db_rows_text(r, 7));
		d->amount = db_rows_int(r, 8);
		*sum += d->amount;
	}
	db_rows_free(r);
	return rc < 0 ? -1 : 0;
}

#define W(x)                                                                                                 \
	do {                                                                                                 \
		if ((x) < 0)                                                                                 \
			bad = 1;                                                                             \
	} while (0)
#define EL(name, text) W(xmlTextWriterWriteElement(w, BAD_CAST(name), BAD_CAST(text)))
#define OPEN(name)     W(xmlTextWriterStartElement(w, BAD_CAST(name)))
#define CLOSE()	       W(xmlTextWriterEndElement(w))

static void write_amount(xmlTextWriterPtr w, const char *name, int64_t cents, int *bad_out)
{
	int bad = 0;
	char t[24];
	payments_amount_text(cents, t);
	OPEN(name);
	W(xmlTextWriterWriteAttribute(w, BAD_CAST "Ccy", BAD_CAST "EUR"));
	W(xmlTextWriterWriteString(w, BAD_CAST t));
	CLOSE();
	*bad_out |= bad;
}

/* UTF-8 text cut to at most max characters (never inside a character). */
static void cut(const char *in, size_t max, char *out, size_t cap)
{
	size_t chars = 0, i = 0;
	for (; in[i] && i + 4 < cap; i++) {
		if (((unsigned char)in[i] & 0xc0) != 0x80 && chars++ == max)
			break;
		out[i] = in[i];
	}
	out[i] = '\0';
}

int payments_sepa_batch(db_conn *c, const char *date, int64_t now, struct buf *out, int *count, struct err *e)
{
	*count = 0;
	if (!date || !payments_date_ok(date))
		return err_set(e, 400, "invalid_date", "date", "give the collection date as YYYY-MM-DD");
	if (record_debits(c, date, now, e))
		return -1;
	struct debit *frst, *rcur;
	size_t nf, nr;
	int64_t sf, sr;
	if (load_debits(c, date, "FRST", &frst, &nf, &sf, e))
		return -1;
	if (load_debits(c, date, "RCUR", &rcur, &nr, &sr, e)) {
		free(frst);
		return -1;
	}
	if (!nf && !nr) {
		free(frst);
		free(rcur);
		return err_set(e, 404, "nothing_to_collect", "date",
			       "no invoice due on %s is to be collected by direct debit", date);
	}
	char cid[64], cname[64], ciban[64], cbic[64], name70[290], msg[36], created[32], tmp[300];
	payments_creditor(cid, cname, ciban, cbic);
	cut(cname, 70, name70, sizeof(name70));
	snprintf(msg, sizeof(msg), "CRN-SDD-%.4s%.2s%.2s", date, date + 5, date + 8);
	struct civil cv = {0};
	const struct tz *paris = tz_get(PAYMENTS_ZONE, e);
	if (paris)
		tz_to_civil(paris, now, &cv);
	snprintf(created, sizeof(created), "%04d-%02d-%02dT%02d:%02d:%02d", cv.year, cv.month, cv.day,
		 cv.hour, cv.minute, cv.second);

	xmlBufferPtr xb = xmlBufferCreate();
	xmlTextWriterPtr w = xmlNewTextWriterMemory(xb, 0);
	int bad = !w;
	char n_all[24], n_part[24], sum_all[24];
	snprintf(n_all, sizeof(n_all), "%zu", nf + nr);
	payments_amount_text(sf + sr, sum_all);
	if (w) {
		W(xmlTextWriterSetIndent(w, 1));
		W(xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL));
		OPEN("Document");
		W(xmlTextWriterWriteAttribute(w, BAD_CAST "xmlns", BAD_CAST NS_PAIN008));
		W(xmlTextWriterWriteAttribute(w, BAD_CAST "xmlns:xsi",
					      BAD_CAST "http://www.w3.org/2001/XMLSchema-instance"));
		OPEN("CstmrDrctDbtInitn");
		OPEN("GrpHdr");
		EL("MsgId", msg);
		EL("CreDtTm", created);
		EL("NbOfTxs", n_all);
		EL("CtrlSum", sum_all);
		OPEN("InitgPty");
		EL("Nm", name70);
		CLOSE();
		CLOSE();
		for (int part = 0; part < 2; part++) {
			struct debit *d = part ? rcur : frst;
			size_t nd = part ? nr : nf;
			if (!nd)
				continue;
			const char *seq = part ? "RCUR" : "FRST";
			char pid[48], sum[24];
			snprintf(pid, sizeof(pid), "%s-%s", msg, seq);
			snprintf(n_part, sizeof(n_part), "%zu", nd);
			payments_amount_text(part ? sr : sf, sum);
			OPEN("PmtInf");
			EL("PmtInfId", pid);
			EL("PmtMtd", "DD");
			EL("BtchBookg", "true");
			EL("NbOfTxs", n_part);
			EL("CtrlSum", sum);
			OPEN("PmtTpInf");
			OPEN("SvcLvl");
			EL("Cd", "SEPA");
			CLOSE();
			OPEN("LclInstrm");
			EL("Cd", "CORE");
			CLOSE();
			EL("SeqTp", seq);
			CLOSE();
			EL("ReqdColltnDt", date);
			OPEN("Cdtr");
			EL("Nm", name70);
			CLOSE();
			OPEN("CdtrAcct");
			OPEN("Id");
			EL("IBAN", ciban);
			CLOSE();
			CLOSE();
			OPEN("CdtrAgt");
			OPEN("FinInstnId");
			EL("BIC", cbic);
			CLOSE();
			CLOSE();
			EL("ChrgBr", "SLEV");
			OPEN("CdtrSchmeId");
			OPEN("Id");
			OPEN("PrvtId");
			OPEN("Othr");
			EL("Id", cid);
			OPEN("SchmeNm");
			EL("Prtry", "SEPA");
			CLOSE();
			CLOSE();
			CLOSE();
			CLOSE();
			CLOSE();
			for (size_t i = 0; i < nd; i++) {
				OPEN("DrctDbtTxInf");
				OPEN("PmtId");
				EL("EndToEndId", d[i].e2e);
				CLOSE();
				write_amount(w, "InstdAmt", d[i].amount, &bad);
				OPEN("DrctDbtTx");
				OPEN("MndtRltdInf");
				EL("MndtId", d[i].reference);
				EL("DtOfSgntr", d[i].signature_date);
				CLOSE();
				CLOSE();
				OPEN("DbtrAgt");
				OPEN("FinInstnId");
				if (d[i].bic[0]) {
					EL("BIC", d[i].bic);
				} else {
					OPEN("Othr");
					EL("Id", "NOTPROVIDED");
					CLOSE();
				}
				CLOSE();
				CLOSE();
				OPEN("Dbtr");
				cut(d[i].holder, 70, tmp, sizeof(tmp));
				EL("Nm", tmp);
				CLOSE();
				OPEN("DbtrAcct");
				OPEN("Id");
				EL("IBAN", d[i].iban);
				CLOSE();
				CLOSE();
				OPEN("RmtInf");
				snprintf(tmp, sizeof(tmp), "Facture %s Creneau", d[i].number);
				EL("Ustrd", tmp);
				CLOSE();
				CLOSE();
			}
			CLOSE();
		}
		W(xmlTextWriterEndDocument(w));
		xmlFreeTextWriter(w);
	}
	free(frst);
	free(rcur);
	int rc = 0;
	if (bad)
		rc = err_internal(e, "the pain.008 writer failed");
	else if (buf_append(out, xmlBufferContent(xb), (size_t)xmlBufferLength(xb)))
		rc = err_set(e, 500, "too_large", NULL, "the batch is too large");
	xmlBufferFree(xb);
	if (!rc)
		*count = (int)(nf + nr);
	return rc;
}
