/* sepa_dd — the SEPA Direct Debit provider: collects the invoices of an account with an
 * active mandate, and tells the customer before each debit (pre-notification: the debit
 * date, the amount, the mandate reference and the creditor identifier). provider.h. */
#include <stdio.h>

#include "payments/mandate.h"
#include "payments/payments_int.h"
#include "payments/provider.h"
#include "base/banned.h"

static int sepa_collects(db_conn *c, int64_t account_id, struct err *e)
{
	struct mandate m;
	return mandate_active(c, account_id, &m, e);
}

static int sepa_invoice_issued(db_conn *c, int64_t account_id, const struct payments_invoice *inv,
			       int64_t now, struct err *e)
{
	(void)now;
	struct mandate m;
	int has = mandate_active(c, account_id, &m, e);
	if (has <= 0)
		return has;
	int64_t debit_at;
	if (payments_day_shift(inv->issued_at, 15, &debit_at, e))
		return -1;
	int loc = payments_account_locale(c, account_id);
	char masked[48], cname[64];
	iban_masked(m.iban, masked, sizeof(masked));
	payments_creditor(NULL, cname, NULL, NULL);
	json_t *vars = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "number", inv->number, "mandate_reference",
				 m.reference, "creditor_id", m.creditor_id, "creditor_name", cname, "iban",
				 masked, "debit_date_iso", inv->due_date);
	payments_set_date(vars, "debit_date", loc, debit_at);
	payments_set_money(vars, "amount", loc, inv->amount_due);
	int rc = payments_mail(c, account_id, "sepa_prenotification", inv->public_id, 1, inv->email, vars, e);
	json_decref(vars);
	return rc;
}

const struct payment_provider payment_provider_sepa_dd = {
	.code = "sepa_dd",
	.collects = sepa_collects,
	.invoice_issued = sepa_invoice_issued,
};
