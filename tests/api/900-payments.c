/* Collecting the money (issue 9): SEPA mandates signed online on the official example IBANs
 * of several countries (corrupted ones: 400), the pain.008 batch of a collection date and
 * the CII of an invoice read back with libxml2 (totals, counts, identifiers, dates, sequence
 * types), bank files built here in the standard formats (pain.002, camt.053) applied
 * idempotently, the ones that are not XML, of another format or whose totals do not add up
 * refused whole, an ambiguous statement line left for an operator, and a rejected debit
 * leading through the dunning e-mails (+7, +21) to read-only `unpaid` at +30 and back to
 * active when paid — with the test clock, on SQLite and PostgreSQL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "life_util.h"
#include "support_util.h"

/* ---- XML read back ---- */

struct xdoc {
	xmlDocPtr doc;
	xmlXPathContextPtr ctx;
};

static void xml_open(struct xdoc *x, const char *body, size_t len, const char *prefix, const char *ns)
{
	x->doc = xmlReadMemory(body, (int)len, "t.xml", NULL, XML_PARSE_NONET);
	if (!x->doc)
		fail_msg("not well-formed XML: %.300s", body);
	x->ctx = xmlXPathNewContext(x->doc);
	xmlXPathRegisterNs(x->ctx, BAD_CAST prefix, BAD_CAST ns);
	if (strcmp(prefix, "rsm")) {
		return;
	}
	xmlXPathRegisterNs(
		x->ctx, BAD_CAST "ram",
		BAD_CAST
		"urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100");
	xmlXPathRegisterNs(x->ctx, BAD_CAST "udt",
			   BAD_CAST "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100");
}

static void xml_close(struct xdoc *x)
{
	xmlXPathFreeContext(x->ctx);
	xmlFreeDoc(x->doc);
}

/* The string value of an XPath expression (string(...) applied). */
static void xs(struct xdoc *x, const char *expr, char *out, size_t cap)
{
	char e[512];
	snprintf(e, sizeof(e), "string(%s)", expr);
	xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST e, x->ctx);
	assert_non_null(o);
	snprintf(out, cap, "%s", o->stringval ? (const char *)o->stringval : "");
	xmlXPathFreeObject(o);
}

static double xn(struct xdoc *x, const char *expr)
{
	xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST expr, x->ctx);
	assert_non_null(o);
	double v = xmlXPathCastToNumber(o);
	xmlXPathFreeObject(o);
	return v;
}

static void expect_xs(struct xdoc *x, const char *expr, const char *want)
{
	char got[400];
	xs(x, expr, got, sizeof(got));
	if (strcmp(got, want))
		fail_msg("%s = \"%s\", expected \"%s\"", expr, got, want);
}

/* ---- helpers ---- */

static void put_mandate(const struct session *s, const char *iban, const char *bic, long status,
			const char *code, char ref[40])
{
	char body[300];
	snprintf(body, sizeof(body), "{\"iban\": \"%s\", %s%s%s \"holder_name\": \"Atelier SARL\"}", iban,
		 bic ? "\"bic\": \"" : "", bic ? bic : "", bic ? "\"," : "");
	struct reply r;
	session_call(&H, s, "PUT", "/api/v1/billing/mandate", body, &r);
	if (r.status != status)
		fail_msg("PUT mandate %s: %ld %s", iban, r.status, r.body);
	if (code)
		assert_error(&r, status, code);
	if (ref && status == 200) {
		json_t *m = json_object_get(r.json, "mandate");
		snprintf(ref, 40, "%s", json_string_value(json_object_get(m, "reference")));
		assert_string_equal(json_string_value(json_object_get(m, "creditor_id")), "FR72ZZZ123456");
		assert_string_equal(json_string_value(json_object_get(m, "state")), "active");
		assert_int_equal(strlen(json_string_value(json_object_get(m, "signature_date"))), 10);
	}
	reply_free(&r);
}

/* The account's payment row of invoice `number` (the caller frees), or fails. */
static json_t *payment_of(const struct session *s, const char *number)
{
	struct reply r;
	session_expect(&H, s, "GET", "/api/v1/billing/payments", NULL, 200, &r);
	size_t i;
	json_t *p, *found = NULL;
	json_array_foreach(json_object_get(r.json, "payments"), i,
			   p) if (!strcmp(json_string_value(json_object_get(p, "number")), number)) found =
		json_incref(p);
	if (!found)
		fail_msg("no payment row for %s: %s", number, r.body);
	reply_free(&r);
	return found;
}

static void expect_payment(const struct session *s, const char *number, const char *state)
{
	json_t *p = payment_of(s, number);
	if (strcmp(json_string_value(json_object_get(p, "state")), state))
		fail_msg("%s is %s, expected %s", number, json_string_value(json_object_get(p, "state")),
			 state);
	json_decref(p);
}

/* The newest invoice of the account: public id, number, amount due. */
static void newest_invoice(const struct session *s, char id[32], char number[24], long long *due)
{
	struct reply r;
	session_expect(&H, s, "GET", "/api/v1/invoices?limit=100", NULL, 200, &r);
	size_t i;
	json_t *d;
	id[0] = '\0';
	json_array_foreach(json_object_get(r.json, "invoices"), i, d)
	{
		if (strcmp(json_string_value(json_object_get(d, "type")), "invoice"))
			continue;
		snprintf(id, 32, "%s", json_string_value(json_object_get(d, "id")));
		snprintf(number, 24, "%s", json_string_value(json_object_get(d, "number")));
		*due = json_integer_value(json_object_get(d, "amount_due_ttc"));
		break;
	}
	reply_free(&r);
	assert_true(id[0]);
}

static void upload(const struct operator_session *op, const char *body, long status, const char *code,
		   struct reply *out)
{
	const char *h[] = {op->cookie, op->csrf, "Content-Disposition: attachment; filename=\"banque.xml\"",
			   NULL};
	http_call(&H, "POST", "/api/v1/ops/bank-files", body, h, out);
	if (out->status != status)
		fail_msg("upload: expected %ld, got %ld %s", status, out->status, out->body);
	if (code)
		assert_error(out, status, code);
}

static const char *account_state(const struct session *s)
{
	static char st[32];
	struct reply r;
	session_expect(&H, s, "GET", "/api/v1/account", NULL, 200, &r);
	const char *v = json_path_str(r.json, "account", "state");
	snprintf(st, sizeof(st), "%s", v ? v : "?");
	reply_free(&r);
	return st;
}

static int mails_with_subject(const char *to, const char *needle, size_t want)
{
	json_t *list = maildir_messages("tests/api/mail_read.py", to, want, 50);
	size_t i;
	json_t *m;
	int n = 0;
	json_array_foreach(list, i, m)
	{
		const char *subject = json_string_value(json_object_get(m, "subject"));
		const char *text = json_string_value(json_object_get(m, "text"));
		if (subject && strstr(subject, needle))
			n++;
		else if (!subject && text && strstr(text, needle))
			n++;
	}
	json_decref(list);
	return n;
}

/* ---- the tests ---- */

static void iban_and_mandates(void **state)
{
	(void)state;
	test_clock("set", "2027-03-02T10:00:00+01:00");
	struct session s;
	char email[128], name[96];
	unique_names("mandat", email, name);
	harness_signup(&H, name, email, "optimum", &s);
	/* corrupted IBANs: one character changed, a digit missing, an unknown country */
	const char *bad[] = {
		"FR1420041010050500013M02607",	 "DE89370400440532013001", "BE6853900754703",
		"XX89370400440532013000",	 "NL91ABNA0417164301",	   "IT60X0542811101000000123457",
		"ES91 2100 0418 4502 0005 1333", "FR14-2004-1010",	   NULL};
	for (const char *const *b = bad; *b; b++) {
		struct reply r;
		char body[200];
		snprintf(body, sizeof(body), "{\"iban\": \"%s\", \"holder_name\": \"Atelier SARL\"}", *b);
		session_call(&H, &s, "PUT", "/api/v1/billing/mandate", body, &r);
		if (r.status != 400)
			fail_msg("IBAN %s accepted: %s", *b, r.body);
		assert_error(&r, 400, "invalid_iban");
		assert_string_equal(json_path_str(r.json, "error", "field"), "iban");
		reply_free(&r);
	}
	/* outside the EEA the BIC is needed */
	put_mandate(&s, "GB29NWBK60161331926819", NULL, 400, "bic_required", NULL);
	put_mandate(&s, "CH9300762011623852957", "UBSW", 400, "invalid_bic", NULL);
	/* the official example IBANs of several countries, each replacing the previous mandate */
	const char *good[][2] = {{"FR1420041010050500013M02606", NULL},
				 {"DE89 3704 0044 0532 0130 00", NULL},
				 {"BE68539007547034", NULL},
				 {"ES9121000418450200051332", NULL},
				 {"IT60X0542811101000000123456", NULL},
				 {"nl91abna0417164300", NULL},
				 {"GB29NWBK60161331926819", "NWBKGB2L"},
				 {"CH9300762011623852957", "UBSWCHZH80A"},
				 {"AT611904300234573201", NULL},
				 {"PT50000201231234567890154", NULL}};
	char refs[10][40];
	for (int i = 0; i < 10; i++) {
		put_mandate(&s, good[i][0], good[i][1], 200, NULL, refs[i]);
		assert_memory_equal(refs[i], "CRN-", 4);
		for (int k = 0; k < i; k++)
			assert_string_not_equal(refs[i], refs[k]);
	}
	struct reply r;
	session_expect(&H, &s, "GET", "/api/v1/billing/mandate", NULL, 200, &r);
	json_t *m = json_object_get(r.json, "mandate");
	assert_string_equal(json_string_value(json_object_get(m, "reference")), refs[9]);
	assert_string_equal(json_string_value(json_object_get(m, "iban")), "PT50 **** **** **** **** **15 4");
	reply_free(&r);
	session_expect(&H, &s, "DELETE", "/api/v1/billing/mandate", NULL, 200, &r);
	reply_free(&r);
	session_expect(&H, &s, "GET", "/api/v1/billing/mandate", NULL, 200, &r);
	assert_true(json_is_null(json_object_get(r.json, "mandate")));
	reply_free(&r);
	session_expect(&H, &s, "DELETE", "/api/v1/billing/mandate", NULL, 404, &r);
	assert_error(&r, 404, "no_mandate");
	reply_free(&r);
}

static const char PAIN002[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.002.001.03\"><CstmrPmtStsRpt>"
	"<GrpHdr><MsgId>%s</MsgId><CreDtTm>2027-05-05T08:00:00</CreDtTm></GrpHdr>"
	"<OrgnlGrpInfAndSts><OrgnlMsgId>%s</OrgnlMsgId><OrgnlMsgNmId>pain.008.001.02</OrgnlMsgNmId>"
	"<NbOfTxsPerSts><DtldNbOfTxs>%d</DtldNbOfTxs><DtldSts>RJCT</DtldSts><DtldCtrlSum>%s</DtldCtrlSum>"
	"</NbOfTxsPerSts></OrgnlGrpInfAndSts>"
	"<OrgnlPmtInfAndSts><OrgnlPmtInfId>%s-FRST</OrgnlPmtInfId><TxInfAndSts><OrgnlEndToEndId>%s"
	"</OrgnlEndToEndId><TxSts>RJCT</TxSts><StsRsnInf><Rsn><Cd>AM04</Cd></Rsn></StsRsnInf>"
	"<OrgnlTxRef><Amt><InstdAmt Ccy=\"EUR\">%s</InstdAmt></Amt><ReqdColltnDt>%s</ReqdColltnDt>"
	"</OrgnlTxRef></TxInfAndSts></OrgnlPmtInfAndSts></CstmrPmtStsRpt></Document>\n";

/* A camt.053 of one statement: opening 1000.00, the given credit lines, closing as given. */
static void camt053(char *out, size_t cap, const char *msg, const char *closing, int n,
		    const char *const *amounts, const char *const *refs)
{
	int w = snprintf(
		out, cap,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\"><BkToCstmrStmt>"
		"<GrpHdr><MsgId>%s</MsgId><CreDtTm>2027-06-03T07:00:00</CreDtTm></GrpHdr><Stmt><Id>%s-1</Id>"
		"<Acct><Id><IBAN>FR1420041010050500013M02606</IBAN></Id></Acct>"
		"<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">1000.00</Amt>"
		"<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2027-06-02</Dt></Dt></Bal>"
		"<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">%s</Amt>"
		"<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2027-06-02</Dt></Dt></Bal>",
		msg, msg, closing);
	for (int i = 0; i < n; i++)
		w += snprintf(
			out + w, cap - (size_t)w,
			"<Ntry><Amt Ccy=\"EUR\">%s</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>"
			"<BookgDt><Dt>2027-06-02</Dt></BookgDt><BkTxCd/><NtryDtls><TxDtls><Refs>"
			"<EndToEndId>NOTPROVIDED</EndToEndId></Refs><RltdPties><Dbtr><Nm>Atelier SARL</Nm>"
			"</Dbtr></RltdPties><RmtInf><Ustrd>%s</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>",
			amounts[i], refs[i]);
	snprintf(out + w, cap - (size_t)w, "</Stmt></BkToCstmrStmt></Document>\n");
}

static void money_text(long long cents, char out[24])
{
	snprintf(out, 24, "%lld.%02lld", cents / 100, cents % 100);
}

static void collection_dunning_and_statements(void **state)
{
	(void)state;
	test_clock("set", "2027-04-18T10:00:00+02:00");
	struct operator_session op;
	operator_create("pay", &op);
	struct session a, b;
	char email_a[128], name_a[96], email_b[128], name_b[96], bill_a[160], bill_b[160];
	unique_names("sepa", email_a, name_a);
	unique_names("virement", email_b, name_b);
	snprintf(bill_a, sizeof(bill_a), "compta-sepa-%s-%d@paiement.example", harness_store_kind(),
		 (int)getpid());
	snprintf(bill_b, sizeof(bill_b), "compta-vir-%s-%d@paiement.example", harness_store_kind(),
		 (int)getpid());
	harness_signup(&H, name_a, email_a, "optimum", &a);
	harness_signup(&H, name_b, email_b, "optimum", &b);
	put_identity(&a, bill_a);
	put_identity(&b, bill_b);
	char ref[40];
	put_mandate(&a, "FR1420041010050500013M02606", NULL, 200, NULL, ref);
	struct reply r;
	session_expect(&H, &a, "POST", "/api/v1/subscription", "{\"plan\": \"pro\"}", 201, &r);
	reply_free(&r);
	session_expect(&H, &b, "POST", "/api/v1/subscription", "{\"plan\": \"pro\"}", 201, &r);
	reply_free(&r);
	char inv_a[32], num_a[24], inv_b[32], num_b[24];
	long long due_a, due_b;
	newest_invoice(&a, inv_a, num_a, &due_a);
	newest_invoice(&b, inv_b, num_b, &due_b);
	assert_true(due_a > 0);
	expect_payment(&a, num_a, "open");

	/* the pre-notification: debit date, amount, mandate reference, creditor id */
	assert_int_equal(maildir_count(bill_a, ref), 1);
	assert_int_equal(maildir_count(bill_a, "FR72ZZZ123456"), 1);
	assert_int_equal(maildir_count(bill_a, "lundi 3 mai 2027"), 1);
	assert_int_equal(maildir_count(bill_b, "prélèvement"), 0);

	/* the CII of the invoice, read back */
	char path[128], amount[24], amount_ht[24];
	snprintf(path, sizeof(path), "/api/v1/invoices/%s.xml", inv_a);
	session_expect(&H, &a, "GET", path, NULL, 200, &r);
	struct xdoc x;
	xml_open(&x, r.body, r.len, "rsm", "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100");
	expect_xs(&x, "/rsm:CrossIndustryInvoice/rsm:ExchangedDocumentContext//ram:ID",
		  "urn:cen.eu:en16931:2017");
	expect_xs(&x, "//rsm:ExchangedDocument/ram:ID", num_a);
	expect_xs(&x, "//rsm:ExchangedDocument/ram:TypeCode", "380");
	expect_xs(&x, "//rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString", "20270418");
	expect_xs(&x, "//ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString", "20270503");
	expect_xs(&x, "//ram:SpecifiedTradePaymentTerms/ram:DirectDebitMandateID", ref);
	expect_xs(&x, "//ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode", "59");
	expect_xs(&x, "//ram:ApplicableHeaderTradeSettlement/ram:CreditorReferenceID", "FR72ZZZ123456");
	expect_xs(&x, "//ram:SellerTradeParty/ram:SpecifiedLegalOrganization/ram:ID", "912345675");
	expect_xs(&x, "//ram:BuyerTradeParty/ram:SpecifiedLegalOrganization/ram:ID", "732829320");
	expect_xs(&x, "//ram:SellerTradeParty/ram:SpecifiedTaxRegistration/ram:ID", "FR65912345675");
	money_text(due_a, amount);
	expect_xs(&x, "//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:DuePayableAmount", amount);
	double ht = xn(
		&x, "number(//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:TaxBasisTotalAmount)");
	double vat =
		xn(&x, "number(//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:TaxTotalAmount)");
	double ttc =
		xn(&x, "number(//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:GrandTotalAmount)");
	double lines = xn(&x, "sum(//ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount)");
	assert_true(ht > 0 && vat > 0);
	assert_true((long long)(ht * 100 + 0.5) + (long long)(vat * 100 + 0.5) ==
		    (long long)(ttc * 100 + 0.5));
	assert_true((long long)(lines * 100 + 0.5) == (long long)(ht * 100 + 0.5));
	money_text((long long)(ht * 100 + 0.5), amount_ht);
	expect_xs(&x, "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:BasisAmount",
		  amount_ht);
	expect_xs(&x,
		  "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:RateApplicablePercent",
		  "20");
	xml_close(&x);
	reply_free(&r);
	/* the transfer payer's CII names the creditor's account (58) */
	snprintf(path, sizeof(path), "/api/v1/invoices/%s.xml", inv_b);
	session_expect(&H, &b, "GET", path, NULL, 200, &r);
	xml_open(&x, r.body, r.len, "rsm", "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100");
	expect_xs(&x, "//ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode", "58");
	expect_xs(&x, "//ram:PayeePartyCreditorFinancialAccount/ram:IBANID", "FR1420041010050500013M02606");
	xml_close(&x);
	reply_free(&r);
	/* another tenant's document is not found */
	snprintf(path, sizeof(path), "/api/v1/invoices/%s.xml", inv_a);
	session_expect(&H, &b, "GET", path, NULL, 404, &r);
	reply_free(&r);

	/* the collection batch of the due date, read back; a second download is the same */
	ops_expect(&op, "GET", "/api/v1/ops/sepa/batch?date=2027-05-3", NULL, 400, &r);
	reply_free(&r);
	ops_expect(&op, "GET", "/api/v1/ops/sepa/batch?date=2027-05-04", NULL, 404, &r);
	assert_error(&r, 404, "nothing_to_collect");
	reply_free(&r);
	char e2e_first[64] = "";
	for (int round = 0; round < 2; round++) {
		ops_expect(&op, "GET", "/api/v1/ops/sepa/batch?date=2027-05-03", NULL, 200, &r);
		xml_open(&x, r.body, r.len, "p", "urn:iso:std:iso:20022:tech:xsd:pain.008.001.02");
		expect_xs(&x, "/p:Document/p:CstmrDrctDbtInitn/p:GrpHdr/p:MsgId", "CRN-SDD-20270503");
		expect_xs(&x, "//p:GrpHdr/p:NbOfTxs", "1");
		expect_xs(&x, "//p:GrpHdr/p:CtrlSum", amount);
		assert_true(xn(&x, "count(//p:DrctDbtTxInf)") == 1);
		assert_true(xn(&x, "sum(//p:DrctDbtTxInf/p:InstdAmt)") * 100 + 0.5 >= (double)due_a);
		expect_xs(&x, "//p:PmtInf/p:NbOfTxs", "1");
		expect_xs(&x, "//p:PmtInf/p:CtrlSum", amount);
		expect_xs(&x, "//p:PmtInf/p:PmtTpInf/p:SeqTp", "FRST");
		expect_xs(&x, "//p:PmtInf/p:PmtTpInf/p:LclInstrm/p:Cd", "CORE");
		expect_xs(&x, "//p:PmtInf/p:ReqdColltnDt", "2027-05-03");
		expect_xs(&x, "//p:CdtrSchmeId//p:Othr/p:Id", "FR72ZZZ123456");
		expect_xs(&x, "//p:DrctDbtTxInf/p:InstdAmt/@Ccy", "EUR");
		expect_xs(&x, "//p:MndtRltdInf/p:MndtId", ref);
		expect_xs(&x, "//p:MndtRltdInf/p:DtOfSgntr", "2027-04-18");
		expect_xs(&x, "//p:DbtrAcct/p:Id/p:IBAN", "FR1420041010050500013M02606");
		char e2e[64];
		xs(&x, "//p:DrctDbtTxInf/p:PmtId/p:EndToEndId", e2e, sizeof(e2e));
		assert_string_equal(e2e, num_a);
		if (round)
			assert_string_equal(e2e, e2e_first);
		snprintf(e2e_first, sizeof(e2e_first), "%s", e2e);
		xml_close(&x);
		/* our own batch uploaded as a bank file: another format, refused */
		if (!round) {
			char *copy = strndup(r.body, r.len);
			struct reply u;
			upload(&op, copy, 422, "bank_file_rejected", &u);
			assert_non_null(strstr(json_path_str(u.json, "error", "message"), "another format"));
			reply_free(&u);
			free(copy);
		}
		reply_free(&r);
	}
	expect_payment(&a, num_a, "collecting");

	/* bad bank files: refused whole, nothing applied */
	char file[8192];
	upload(&op, "ceci n'est pas un relevé", 422, "bank_file_rejected", &r);
	assert_non_null(strstr(json_path_str(r.json, "error", "message"), "not XML"));
	reply_free(&r);
	snprintf(file, sizeof(file), PAIN002, "RET-0001", "CRN-SDD-20270503", 2, amount, "CRN-SDD-20270503",
		 num_a, amount, "2027-05-03");
	upload(&op, file, 422, "bank_file_rejected", &r);
	assert_non_null(strstr(json_path_str(r.json, "error", "message"), "totals do not add up"));
	reply_free(&r);
	upload(&op, "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>", 422,
	       "bank_file_rejected", &r);
	reply_free(&r);
	expect_payment(&a, num_a, "collecting");

	/* the bank rejects the debit (AM04): once, then the same file again changes nothing */
	snprintf(file, sizeof(file), PAIN002, "RET-0002", "CRN-SDD-20270503", 1, amount, "CRN-SDD-20270503",
		 num_a, amount, "2027-05-03");
	test_clock("advance_to", "2027-05-05T09:00:00+02:00");
	operator_login(&op);
	upload(&op, file, 201, NULL, &r);
	assert_int_equal(
		json_integer_value(json_object_get(json_object_get(r.json, "summary"), "debits_rejected")),
		1);
	reply_free(&r);
	upload(&op, file, 200, NULL, &r);
	assert_true(json_is_true(json_object_get(json_object_get(r.json, "file"), "duplicate")));
	reply_free(&r);
	harness_relogin(&H, email_a, &a);
	expect_payment(&a, num_a, "open");

	/* dunning: + 7, + 21 reminders, read-only `unpaid` at + 30 */
	char subject[96];
	snprintf(subject, sizeof(subject), "relance, facture %s", num_a);
	assert_int_equal(mails_with_subject(bill_a, subject, 0), 0);
	live_until(&a, email_a, "2027-05-10T09:00:00+02:00");
	assert_int_equal(mails_with_subject(bill_a, subject, 4), 1);
	assert_string_equal(account_state(&a), "active");
	live_until(&a, email_a, "2027-05-24T09:00:00+02:00");
	assert_int_equal(mails_with_subject(bill_a, subject, 5), 2);
	assert_string_equal(account_state(&a), "active");
	live_until(&a, email_a, "2027-06-02T09:00:00+02:00");
	assert_string_equal(account_state(&a), "read_only");
	snprintf(subject, sizeof(subject), "lecture seule, facture %s", num_a);
	assert_int_equal(mails_with_subject(bill_a, subject, 6), 1);
	session_expect(&H, &a, "PATCH", "/api/v1/account", "{\"name\": \"Nouveau nom\"}", 403, &r);
	assert_error(&r, 403, "account_read_only");
	reply_free(&r);

	/* paid by hand: active again at once; twice is a conflict */
	operator_login(&op);
	snprintf(path, sizeof(path), "/api/v1/ops/invoices/%s/paid", inv_a);
	ops_expect(&op, "POST", path, "{}", 400, &r);
	reply_free(&r);
	ops_expect(&op, "POST", path, "{\"note\": \"Chèque reçu le 2 juin\"}", 200, &r);
	reply_free(&r);
	ops_expect(&op, "POST", path, "{\"note\": \"encore\"}", 409, &r);
	assert_error(&r, 409, "already_paid");
	reply_free(&r);
	/* the invoice named by its number, as an operator reads it on a statement */
	snprintf(path, sizeof(path), "/api/v1/ops/invoices/%s/paid", num_a);
	ops_expect(&op, "POST", path, "{\"note\": \"encore\"}", 409, &r);
	assert_error(&r, 409, "already_paid");
	reply_free(&r);
	ops_expect(&op, "POST", "/api/v1/ops/invoices/F-1999-000001/paid", "{\"note\": \"x\"}", 404, &r);
	reply_free(&r);
	assert_string_equal(account_state(&a), "active");
	expect_payment(&a, num_a, "paid");

	/* the June invoices of both (same plan, same amount): a statement whose one line cites both
	 * is left for an operator; the lines citing one are matched; the same statement twice
	 * changes nothing; a statement whose balances do not add up is refused */
	char jun_a[32], jnum_a[24], jun_b[32], jnum_b[24];
	long long jdue_a, jdue_b;
	newest_invoice(&a, jun_a, jnum_a, &jdue_a);
	harness_relogin(&H, email_b, &b);
	newest_invoice(&b, jun_b, jnum_b, &jdue_b);
	assert_string_not_equal(jnum_a, num_a);
	assert_int_equal(jdue_a, jdue_b);
	char both[80], amt[24], closing[24], wrong[24];
	snprintf(both, sizeof(both), "Factures %s et %s", jnum_a, jnum_b);
	money_text(jdue_a, amt);
	money_text(100000 + jdue_a, closing);
	const char *amounts1[] = {amt};
	const char *refs1[] = {both};
	camt053(file, sizeof(file), "STMT-0001", closing, 1, amounts1, refs1);
	upload(&op, file, 201, NULL, &r);
	if (json_integer_value(json_object_get(json_object_get(r.json, "summary"), "ambiguous")) != 1)
		fail_msg("the line citing two invoices was not left for an operator: %s", r.body);
	reply_free(&r);
	expect_payment(&a, jnum_a, "open");
	expect_payment(&b, jnum_b, "open");
	ops_expect(&op, "GET", "/api/v1/ops/payments/unmatched", NULL, 200, &r);
	json_t *ln = json_array_get(json_object_get(r.json, "lines"), 0);
	assert_non_null(ln);
	assert_string_equal(json_string_value(json_object_get(ln, "state")), "ambiguous");
	assert_int_equal(json_array_size(json_object_get(ln, "candidates")), 2);
	reply_free(&r);

	char ref_b[80];
	snprintf(ref_b, sizeof(ref_b), "Paiement facture %s merci", jnum_b);
	money_text(100000 + jdue_b, closing);
	money_text(100000 + jdue_b + 1, wrong);
	const char *refs2[] = {ref_b};
	camt053(file, sizeof(file), "STMT-0002", wrong, 1, amounts1, refs2);
	upload(&op, file, 422, "bank_file_rejected", &r);
	assert_non_null(strstr(json_path_str(r.json, "error", "message"), "totals do not add up"));
	reply_free(&r);
	expect_payment(&b, jnum_b, "open");
	camt053(file, sizeof(file), "STMT-0002", closing, 1, amounts1, refs2);
	upload(&op, file, 201, NULL, &r);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r.json, "summary"),
							    "invoices_paid_by_transfer")),
			 1);
	reply_free(&r);
	upload(&op, file, 200, NULL, &r);
	reply_free(&r);
	expect_payment(&b, jnum_b, "paid");
	expect_payment(&a, jnum_a, "open");
	json_t *pb = payment_of(&b, jnum_b);
	assert_string_equal(json_string_value(json_object_get(pb, "paid_by")), "transfer");
	json_decref(pb);
}

int main(void)
{
	if (harness_need_smtp())
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(iban_and_mandates),
		cmocka_unit_test(collection_dunning_and_statements),
	};
	return cmocka_run_group_tests(tests, harness_setup, harness_teardown);
}
