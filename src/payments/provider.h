/* provider — the payment-provider interface: ONE table of functions per way of being paid,
 * one file per provider (sepa_dd.c, transfer.c). A card processor can be added later as
 * another table, without touching the invoices or the dunning. The payments module asks each
 * provider in order whether it collects an account's invoices; the first that does is
 * recorded as the invoice's method. */
#ifndef CRENEAU_PAYMENT_PROVIDER_H
#define CRENEAU_PAYMENT_PROVIDER_H
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"
#include "payments/payments.h"

struct payment_provider {
	const char *code; /* "sepa_dd", "transfer": invoice_payments.method */
	/* 1 when this provider collects the account's next invoices (SEPA: an active mandate),
	 * 0 when not, negative on error. */
	int (*collects)(db_conn *c, int64_t account_id, struct err *e);
	/* Called in the issuing transaction of an invoice this provider collects: what the
	 * customer must be told before being charged (SEPA: the pre-notification e-mail). */
	int (*invoice_issued)(db_conn *c, int64_t account_id, const struct payments_invoice *inv, int64_t now,
			      struct err *e);
};

extern const struct payment_provider payment_provider_sepa_dd;
extern const struct payment_provider payment_provider_transfer;

/* The provider collecting the account's invoices now: SEPA DD with an active mandate, else
 * bank transfer (never NULL unless *e is set). */
const struct payment_provider *payment_provider_for(db_conn *c, int64_t account_id, struct err *e);

#endif
