/* transfer — the bank-transfer provider: every account without an active mandate pays by
 * transfer, citing the invoice number; camt.053 statements are matched on it (bankfile.c,
 * api_payments.c). The invoice e-mail is all the customer needs: no notice of its own.
 * provider.h. */
#include "payments/provider.h"
#include "base/banned.h"

static int transfer_collects(db_conn *c, int64_t account_id, struct err *e)
{
	(void)c;
	(void)account_id;
	(void)e;
	return 1;
}

const struct payment_provider payment_provider_transfer = {
	.code = "transfer",
	.collects = transfer_collects,
	.invoice_issued = NULL,
};
