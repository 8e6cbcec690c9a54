/* bankfile — the bank's files read with libxml2 (pain.002 status reports, camt.054 debit and
 * credit notifications, camt.053 statements) and applied to the debits and invoices: the file
 * is kept, checked whole before anything is applied, and the same file twice changes nothing.
 * payments_int.h, payments.h. */
#include <ctype.h>
#include <inttypes.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account/account.h"
#include "payments/dunning.h"
#include "payments/payments_int.h"
#include "base/banned.h"

#define NS_PREFIX "urn:iso:std:iso:20022:tech:xsd:"

/* ---- reading the tree ---- */

static xmlNodePtr child(xmlNodePtr n, const char *name)
{
	for (xmlNodePtr k = n ? n->children : NULL; k; k = k->next)
		if (k->type == XML_ELEMENT_NODE && !strcmp((const char *)k->name, name))
			return k;
	return NULL;
}

static xmlNodePtr next_named(xmlNodePtr k, const char *name)
{
	for (k = k ? k->next : NULL; k; k = k->next)
		if (k->type == XML_ELEMENT_NODE && !strcmp((const char *)k->name, name))
			return k;
	return NULL;
}

/* The element at "A/B/C" below n, or NULL. */
static xmlNodePtr at(xmlNodePtr n, const char *path)
{
	char part[64];
	while (n && *path) {
		size_t len = strcspn(path, "/");
		if (len >= sizeof(part))
			return NULL;
		memcpy(part, path, len);
		part[len] = '\0';
		n = child(n, part);
		path += len + (path[len] == '/');
	}
	return n;
}

/* The trimmed text of the element at path into out ("" when absent); 1 when present. */
static int text_at(xmlNodePtr n, const char *path, char *out, size_t cap)
{
	out[0] = '\0';
	xmlNodePtr k = path && *path ? at(n, path) : n;
	if (!k)
		return 0;
	xmlChar *s = xmlNodeGetContent(k);
	if (!s)
		return 1;
	const char *p = (const char *)s;
	while (isspace((unsigned char)*p))
		p++;
	snprintf(out, cap, "%s", p);
	size_t len = strlen(out);
	while (len && isspace((unsigned char)out[len - 1]))
		out[--len] = '\0';
	xmlFree(s);
	return 1;
}

struct parse {
	struct bank_parsed *out;
	char *reason;
	size_t cap;
	int cap_lines;
};

static int refuse(struct parse *p, const char *fmt, const char *a, const char *b)
{
	snprintf(p->reason, p->cap, fmt, a ? a : "", b ? b : "");
	return -1;
}

/* An amount element (with Ccy="EUR") in cents; -1 and the reason when malformed. */
static int amount_of(struct parse *p, xmlNodePtr n, const char *path, int64_t *cents)
{
	char t[64];
	xmlNodePtr k = path && *path ? at(n, path) : n;
	if (!k)
		return refuse(p, "an amount (%s) is missing", path, NULL);
	text_at(k, NULL, t, sizeof(t));
	xmlChar *ccy = xmlGetProp(k, BAD_CAST "Ccy");
	int other = ccy && strcmp((const char *)ccy, "EUR");
	char cc[8] = "";
	if (ccy)
		snprintf(cc, sizeof(cc), "%s", (const char *)ccy);
	xmlFree(ccy);
	if (other)
		return refuse(p, "only euros are collected, not %s", cc, NULL);
	if (payments_amount_parse(t, cents))
		return refuse(p, "\"%s\" is not an amount in euros", t, NULL);
	return 0;
}

static struct bank_line *add_line(struct parse *p)
{
	struct bank_parsed *o = p->out;
	if (o->nlines >= PAYMENTS_LINES_MAX)
		return NULL;
	if (o->nlines == p->cap_lines) {
		p->cap_lines = p->cap_lines ? p->cap_lines * 2 : 32;
		struct bank_line *nl = realloc(o->lines, (size_t)p->cap_lines * sizeof(*nl));
		if (!nl)
			abort();
		o->lines = nl;
	}
	struct bank_line *l = &o->lines[o->nlines++];
	memset(l, 0, sizeof(*l));
	return l;
}

static void money(int64_t cents, char out[24])
{
	payments_amount_text(cents, out);
}

/* ---- pain.002 ---- */

static int parse_pain002(struct parse *p, xmlNodePtr rpt)
{
	xmlNodePtr grp = child(rpt, "OrgnlGrpInfAndSts");
	if (!grp)
		return refuse(p, "pain.002 without OrgnlGrpInfAndSts", NULL, NULL);
	char orig[36], gsts[8], reason[8];
	text_at(grp, "OrgnlMsgId", orig, sizeof(orig));
	text_at(grp, "GrpSts", gsts, sizeof(gsts));
	if (!strcmp(gsts, "RJCT")) {
		struct bank_line *l = add_line(p);
		if (!l)
			return refuse(p, "too many transactions", NULL, NULL);
		l->kind = BANK_LINE_DEBIT_REJECTED;
		snprintf(l->orig_msg_id, sizeof(l->orig_msg_id), "%s", orig);
		text_at(grp, "StsRsnInf/Rsn/Cd", reason, sizeof(reason));
		snprintf(l->reason_code, sizeof(l->reason_code), "%s", reason);
		snprintf(l->reference, sizeof(l->reference), "batch %s rejected", orig);
	}
	int first = p->out->nlines;
	for (xmlNodePtr pmt = child(rpt, "OrgnlPmtInfAndSts"); pmt;
	     pmt = next_named(pmt, "OrgnlPmtInfAndSts"))
		for (xmlNodePtr tx = child(pmt, "TxInfAndSts"); tx; tx = next_named(tx, "TxInfAndSts")) {
			char sts[8];
			text_at(tx, "TxSts", sts, sizeof(sts));
			int rj = !strcmp(sts, "RJCT"), ok = !strcmp(sts, "ACSC");
			struct bank_line *l = add_line(p);
			if (!l)
				return refuse(p, "too many transactions", NULL, NULL);
			l->kind = rj ? BANK_LINE_DEBIT_REJECTED : BANK_LINE_DEBIT_SETTLED;
			text_at(tx, "OrgnlEndToEndId", l->end_to_end_id, sizeof(l->end_to_end_id));
			text_at(tx, "StsRsnInf/Rsn/Cd", l->reason_code, sizeof(l->reason_code));
			text_at(tx, "OrgnlTxRef/ReqdColltnDt", l->booking_date, sizeof(l->booking_date));
			text_at(tx, "OrgnlTxRef/Dbtr/Nm", l->counterparty, sizeof(l->counterparty));
			snprintf(l->reference, sizeof(l->reference), "%s", sts);
			if (at(tx, "OrgnlTxRef/Amt/InstdAmt") &&
			    amount_of(p, tx, "OrgnlTxRef/Amt/InstdAmt", &l->amount))
				return -1;
			if (!l->end_to_end_id[0])
				return refuse(p, "a transaction status without OrgnlEndToEndId", NULL, NULL);
			if (!rj && !ok)
				p->out->nlines--; /* accepted or pending: nothing to apply yet */
		}
	/* the totals per status must be those of the transactions listed */
	for (xmlNodePtr d = child(grp, "NbOfTxsPerSts"); d; d = next_named(d, "NbOfTxsPerSts")) {
		char sts[8], nb[24], want_sum[24], got_sum[24];
		text_at(d, "DtldSts", sts, sizeof(sts));
		text_at(d, "DtldNbOfTxs", nb, sizeof(nb));
		int64_t n = 0, sum = 0, want = 0;
		for (xmlNodePtr pmt = child(rpt, "OrgnlPmtInfAndSts"); pmt;
		     pmt = next_named(pmt, "OrgnlPmtInfAndSts"))
			for (xmlNodePtr tx = child(pmt, "TxInfAndSts"); tx;
			     tx = next_named(tx, "TxInfAndSts")) {
				char s[8];
				text_at(tx, "TxSts", s, sizeof(s));
				if (strcmp(s, sts))
					continue;
				n++;
				int64_t a = 0;
				if (at(tx, "OrgnlTxRef/Amt/InstdAmt") &&
				    amount_of(p, tx, "OrgnlTxRef/Amt/InstdAmt", &a))
					return -1;
				sum += a;
			}
		char got[24];
		snprintf(got, sizeof(got), "%" PRId64, n);
		if (strcmp(nb, got))
			return refuse(
				p, "the totals do not add up: DtldNbOfTxs says %s, the transactions are %s",
				nb, got);
		if (at(d, "DtldCtrlSum")) {
			char t[32];
			text_at(d, "DtldCtrlSum", t, sizeof(t));
			if (payments_amount_parse(t, &want))
				return refuse(p, "DtldCtrlSum \"%s\" is not an amount", t, NULL);
			money(want, want_sum);
			money(sum, got_sum);
			if (want != sum)
				return refuse(p,
					      "the totals do not add up: DtldCtrlSum says %s, the "
					      "transactions add up to %s",
					      want_sum, got_sum);
		}
	}
	(void)first;
	return 0;
}

/* ---- camt.054 / camt.053 entries ---- */

static int parse_entries(struct parse *p, xmlNodePtr holder, int64_t *credits, int64_t *debits, int *count)
{
	for (xmlNodePtr ntry = child(holder, "Ntry"); ntry; ntry = next_named(ntry, "Ntry")) {
		int64_t amt;
		char cdi[8], date[16];
		if (amount_of(p, ntry, "Amt", &amt))
			return -1;
		text_at(ntry, "CdtDbtInd", cdi, sizeof(cdi));
		int credit = !strcmp(cdi, "CRDT");
		if (!credit && strcmp(cdi, "DBIT"))
			return refuse(p, "an entry without CdtDbtInd CRDT or DBIT", NULL, NULL);
		(*count)++;
		*(credit ? credits : debits) += amt;
		if (!text_at(ntry, "BookgDt/Dt", date, sizeof(date)))
			text_at(ntry, "BookgDt/DtTm", date, sizeof(date));
		date[date[0] ? 10 : 0] = '\0';
		int64_t txsum = 0, ntx = 0;
		xmlNodePtr dtls = child(ntry, "NtryDtls");
		for (; dtls; dtls = next_named(dtls, "NtryDtls"))
			for (xmlNodePtr tx = child(dtls, "TxDtls"); tx; tx = next_named(tx, "TxDtls")) {
				struct bank_line *l = add_line(p);
				if (!l)
					return refuse(p, "too many transactions", NULL, NULL);
				const char *ap = at(tx, "AmtDtls/TxAmt/Amt") ? "AmtDtls/TxAmt/Amt" : "Amt";
				if (at(tx, ap)) {
					if (amount_of(p, tx, ap, &l->amount))
						return -1;
				} else {
					l->amount = amt; /* one transaction: the entry's amount */
				}
				txsum += l->amount;
				ntx++;
				snprintf(l->booking_date, sizeof(l->booking_date), "%.10s", date);
				text_at(tx, "Refs/EndToEndId", l->end_to_end_id, sizeof(l->end_to_end_id));
				if (!strcmp(l->end_to_end_id, "NOTPROVIDED"))
					l->end_to_end_id[0] = '\0';
				char ustrd[281] = "", cref[64] = "";
				text_at(tx, "RmtInf/Ustrd", ustrd, sizeof(ustrd));
				text_at(tx, "RmtInf/Strd/CdtrRefInf/Ref", cref, sizeof(cref));
				snprintf(l->reference, sizeof(l->reference), "%.200s%s%.60s", ustrd,
					 *ustrd && *cref ? " " : "", cref);
				if (!text_at(tx, credit ? "RltdPties/Dbtr/Nm" : "RltdPties/Cdtr/Nm",
					     l->counterparty, sizeof(l->counterparty)))
					text_at(tx, "RltdPties/Dbtr/Pty/Nm", l->counterparty,
						sizeof(l->counterparty));
				int returned = at(tx, "RtrInf") != NULL;
				text_at(tx, "RtrInf/Rsn/Cd", l->reason_code, sizeof(l->reason_code));
				if (returned || !credit)
					l->kind = BANK_LINE_DEBIT_REJECTED;
				else
					l->kind = BANK_LINE_TRANSFER;
				if (l->kind == BANK_LINE_DEBIT_REJECTED && !l->end_to_end_id[0])
					p->out->nlines--; /* money out that is no debit of ours */
			}
		if (ntx && txsum != amt) {
			char a[24], b[24];
			money(txsum, a);
			money(amt, b);
			return refuse(p,
				      "the totals do not add up: an entry's transactions add up to %s, the "
				      "entry says %s",
				      a, b);
		}
		if (!ntx && credit) {
			/* an entry without details: itself the line */
			struct bank_line *l = add_line(p);
			if (!l)
				return refuse(p, "too many transactions", NULL, NULL);
			l->kind = BANK_LINE_TRANSFER;
			l->amount = amt;
			snprintf(l->booking_date, sizeof(l->booking_date), "%.10s", date);
			text_at(ntry, "AddtlNtryInf", l->reference, sizeof(l->reference));
		}
	}
	return 0;
}

static int check_summary(struct parse *p, xmlNodePtr holder, int64_t credits, int64_t debits, int count)
{
	xmlNodePtr s = at(holder, "TxsSummry/TtlNtries");
	if (!s)
		return 0;
	char nb[24], got[24];
	if (text_at(s, "NbOfNtries", nb, sizeof(nb))) {
		snprintf(got, sizeof(got), "%d", count);
		if (strcmp(nb, got))
			return refuse(p, "the totals do not add up: NbOfNtries says %s, the entries are %s",
				      nb, got);
	}
	if (at(s, "Sum")) {
		char t[32], a[24], b[24];
		int64_t want;
		text_at(s, "Sum", t, sizeof(t));
		if (payments_amount_parse(t, &want))
			return refuse(p, "Sum \"%s\" is not an amount", t, NULL);
		if (want != credits + debits) {
			money(want, a);
			money(credits + debits, b);
			return refuse(
				p,
				"the totals do not add up: TxsSummry Sum says %s, the entries add up to %s",
				a, b);
		}
	}
	return 0;
}

/* camt.053: opening balance + credits - debits = closing balance. */
static int check_balances(struct parse *p, xmlNodePtr stmt, int64_t credits, int64_t debits)
{
	int have_open = 0, have_close = 0;
	int64_t open = 0, close = 0;
	for (xmlNodePtr b = child(stmt, "Bal"); b; b = next_named(b, "Bal")) {
		char cd[8], ind[8];
		text_at(b, "Tp/CdOrPrtry/Cd", cd, sizeof(cd));
		text_at(b, "CdtDbtInd", ind, sizeof(ind));
		int64_t v;
		if (amount_of(p, b, "Amt", &v))
			return -1;
		if (!strcmp(ind, "DBIT"))
			v = -v;
		if (!strcmp(cd, "OPBD") || !strcmp(cd, "PRCD"))
			open = v, have_open = 1;
		else if (!strcmp(cd, "CLBD"))
			close = v, have_close = 1;
	}
	if (!have_open || !have_close)
		return refuse(p, "a statement needs its opening (OPBD) and closing (CLBD) balances", NULL,
			      NULL);
	if (open + credits - debits != close) {
		char a[24], b[24];
		int64_t want = open + credits - debits;
		money(want < 0 ? -want : want, a);
		money(close < 0 ? -close : close, b);
		return refuse(p,
			      "the totals do not add up: opening balance and entries give %s, the closing "
			      "balance says %s",
			      a, b);
	}
	return 0;
}

static void quiet(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

int bankfile_parse(const void *data, size_t len, struct bank_parsed *out, char *reason, size_t cap)
{
	memset(out, 0, sizeof(*out));
	struct parse p = {.out = out, .reason = reason, .cap = cap};
	reason[0] = '\0';
	if (!len || len > PAYMENTS_BANK_FILE_MAX)
		return refuse(&p, "the file is empty or larger than 5 MB", NULL, NULL);
	xmlSetGenericErrorFunc(NULL, quiet);
	/* no network, no external entity, no DTD loading, no entity substitution */
	xmlDocPtr doc = xmlReadMemory(data, (int)len, "bank.xml", NULL,
				      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc) {
		const xmlError *xe = xmlGetLastError();
		char msg[160] = "";
		if (xe && xe->message)
			snprintf(msg, sizeof(msg), "%s", xe->message);
		size_t m = strlen(msg);
		while (m && msg[m - 1] == '\n')
			msg[--m] = '\0';
		return refuse(&p, "not XML: %s", msg, NULL);
	}
	int rc = 0;
	xmlNodePtr root = xmlDocGetRootElement(doc), body = NULL;
	const char *ns = root && root->ns && root->ns->href ? (const char *)root->ns->href : "";
	if (doc->intSubset || doc->extSubset)
		rc = refuse(&p, "a bank file with a DOCTYPE is not accepted", NULL, NULL);
	else if (!root || strcmp((const char *)root->name, "Document") ||
		 strncmp(ns, NS_PREFIX, strlen(NS_PREFIX)))
		rc = refuse(&p, "another format: not an ISO 20022 document (%s)",
			    root ? (const char *)root->name : "", NULL);
	for (xmlNodePtr k = root ? root->children : NULL; !rc && k && !body; k = k->next)
		if (k->type == XML_ELEMENT_NODE)
			body = k;
	const char *tail = ns + strlen(NS_PREFIX);
	if (rc) {
	} else if (body && !strcmp((const char *)body->name, "CstmrPmtStsRpt") &&
		   !strncmp(tail, "pain.002.", 9)) {
		snprintf(out->kind, sizeof(out->kind), "pain.002");
		text_at(body, "GrpHdr/MsgId", out->message_id, sizeof(out->message_id));
		rc = parse_pain002(&p, body);
	} else if (body && !strcmp((const char *)body->name, "BkToCstmrDbtCdtNtfctn") &&
		   !strncmp(tail, "camt.054.", 9)) {
		snprintf(out->kind, sizeof(out->kind), "camt.054");
		text_at(body, "GrpHdr/MsgId", out->message_id, sizeof(out->message_id));
		for (xmlNodePtr n = child(body, "Ntfctn"); !rc && n; n = next_named(n, "Ntfctn")) {
			int64_t cr = 0, dt = 0;
			int count = 0;
			rc = parse_entries(&p, n, &cr, &dt, &count);
			if (!rc)
				rc = check_summary(&p, n, cr, dt, count);
		}
	} else if (body && !strcmp((const char *)body->name, "BkToCstmrStmt") &&
		   !strncmp(tail, "camt.053.", 9)) {
		snprintf(out->kind, sizeof(out->kind), "camt.053");
		text_at(body, "GrpHdr/MsgId", out->message_id, sizeof(out->message_id));
		int stmts = 0;
		for (xmlNodePtr s = child(body, "Stmt"); !rc && s; s = next_named(s, "Stmt")) {
			int64_t cr = 0, dt = 0;
			int count = 0;
			stmts++;
			rc = parse_entries(&p, s, &cr, &dt, &count);
			if (!rc)
				rc = check_summary(&p, s, cr, dt, count);
			if (!rc)
				rc = check_balances(&p, s, cr, dt);
		}
		if (!rc && !stmts)
			rc = refuse(&p, "a camt.053 without statement", NULL, NULL);
	} else if (!rc) {
		rc = refuse(&p, "another format: %s is not a pain.002, camt.054 or camt.053",
			    body ? (const char *)body->name : "an empty document", NULL);
	}
	if (!rc && !out->message_id[0])
		rc = refuse(&p, "the file has no GrpHdr/MsgId", NULL, NULL);
	xmlFreeDoc(doc);
	if (rc)
		bankfile_free(out);
	return rc;
}

void bankfile_free(struct bank_parsed *p)
{
	free(p->lines);
	p->lines = NULL;
	p->nlines = 0;
}
