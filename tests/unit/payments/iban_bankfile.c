/* The pure parts of payments: IBAN (the registry's example IBANs of many countries, and
 * corrupted ones), BIC and SEPA creditor identifier formats, amounts, and the bank-file
 * reader: the three formats, totals that do not add up, another format, not XML, a DOCTYPE
 * with an external entity (never fetched, refused). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "payments/iban.h"
#include "payments/payments_int.h"

static void example_ibans_pass(void **state)
{
	(void)state;
	const char *ok[] = {"FR1420041010050500013M02606",
			    "DE89370400440532013000",
			    "BE68539007547034",
			    "ES9121000418450200051332",
			    "IT60X0542811101000000123456",
			    "NL91ABNA0417164300",
			    "GB29NWBK60161331926819",
			    "CH9300762011623852957",
			    "AT611904300234573201",
			    "PT50000201231234567890154",
			    "LU280019400644750000",
			    "IE29AIBK93115212345678",
			    "FI2112345600000785",
			    "NO9386011117947",
			    "MT84MALT011000012345MTLCAST001S"};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		char out[IBAN_MAX + 1];
		struct err e = {0};
		if (iban_check(ok[i], out, "iban", &e))
			fail_msg("%s refused: %s", ok[i], e.message);
		assert_string_equal(out, ok[i]);
	}
}

static void corrupted_ibans_fail(void **state)
{
	(void)state;
	const char *bad[] = {"FR1420041010050500013M02607", /* last digit */
			     "FR1420041010050500013M0260",  /* too short for FR */
			     "DE89370400440532013001",
			     "DE98370400440532013000", /* check digits swapped */
			     "US12345678901234",
			     "GB29NWBK6016133192681!",
			     "",
			     "FR"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char out[IBAN_MAX + 1];
		struct err e = {0};
		assert_int_not_equal(iban_check(bad[i], out, "iban", &e), 0);
		assert_int_equal(e.status, 400);
		assert_string_equal(e.code, "invalid_iban");
	}
	char out[IBAN_MAX + 1];
	struct err e = {0};
	assert_int_equal(iban_check("fr14 2004 1010 0505 0001 3m02 606", out, "iban", &e), 0);
	assert_string_equal(out, "FR1420041010050500013M02606");
	assert_true(iban_bic_required("GB29NWBK60161331926819"));
	assert_false(iban_bic_required("DE89370400440532013000"));
}

static void bic_creditor_amounts(void **state)
{
	(void)state;
	assert_true(bic_valid("NWBKGB2L"));
	assert_true(bic_valid("UBSWCHZH80A"));
	assert_false(bic_valid("UBSW"));
	assert_false(bic_valid("1BSWCHZH"));
	assert_true(creditor_id_valid("FR72ZZZ123456"));
	assert_true(creditor_id_valid("DE98ZZZ09999999999"));
	assert_false(creditor_id_valid("FR73ZZZ123456"));
	int64_t c;
	assert_int_equal(payments_amount_parse("39.00", &c), 0);
	assert_int_equal(c, 3900);
	assert_int_equal(payments_amount_parse("8.6", &c), 0);
	assert_int_equal(c, 860);
	assert_int_not_equal(payments_amount_parse("8.675", &c), 0);
	assert_int_not_equal(payments_amount_parse("-1.00", &c), 0);
	char t[24];
	payments_amount_text(866, t);
	assert_string_equal(t, "8.66");
}

static int parse(const char *xml, struct bank_parsed *p, char reason[300])
{
	return bankfile_parse(xml, strlen(xml), p, reason, 300);
}

static void bank_files(void **state)
{
	(void)state;
	struct bank_parsed p;
	char reason[300];
	assert_int_equal(parse("pas du XML", &p, reason), -1);
	assert_non_null(strstr(reason, "not XML"));
	assert_int_equal(
		parse("<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
		      "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\">&x;</Document>",
		      &p, reason),
		-1);
	assert_non_null(strstr(reason, "DOCTYPE"));
	assert_int_equal(parse("<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.001.001.03\">"
			       "<CstmrCdtTrfInitn/></Document>",
			       &p, reason),
			 -1);
	assert_non_null(strstr(reason, "another format"));
	const char *camt054 =
		"<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.054.001.02\"><BkToCstmrDbtCdtNtfctn>"
		"<GrpHdr><MsgId>N1</MsgId></GrpHdr><Ntfctn><TxsSummry><TtlNtries><NbOfNtries>1</NbOfNtries>"
		"<Sum>%s</Sum></TtlNtries></TxsSummry><Ntry><Amt "
		"Ccy=\"EUR\">46.80</Amt><CdtDbtInd>DBIT</CdtDbtInd>"
		"<BookgDt><Dt>2027-05-06</Dt></BookgDt><NtryDtls><TxDtls><Refs><EndToEndId>F-2027-000001"
		"</EndToEndId></Refs><AmtDtls><TxAmt><Amt "
		"Ccy=\"EUR\">46.80</Amt></TxAmt></AmtDtls><RtrInf><Rsn>"
		"<Cd>MD06</Cd></Rsn></RtrInf></TxDtls></NtryDtls></Ntry></Ntfctn></BkToCstmrDbtCdtNtfctn></"
		"Document>";
	char xml[2048];
	snprintf(xml, sizeof(xml), camt054, "46.80");
	assert_int_equal(parse(xml, &p, reason), 0);
	assert_string_equal(p.kind, "camt.054");
	assert_int_equal(p.nlines, 1);
	assert_int_equal(p.lines[0].kind, BANK_LINE_DEBIT_REJECTED);
	assert_string_equal(p.lines[0].end_to_end_id, "F-2027-000001");
	assert_string_equal(p.lines[0].reason_code, "MD06");
	assert_int_equal(p.lines[0].amount, 4680);
	bankfile_free(&p);
	snprintf(xml, sizeof(xml), camt054, "46.81");
	assert_int_equal(parse(xml, &p, reason), -1);
	assert_non_null(strstr(reason, "totals do not add up"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(example_ibans_pass),
		cmocka_unit_test(corrupted_ibans_fail),
		cmocka_unit_test(bic_creditor_amounts),
		cmocka_unit_test(bank_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
