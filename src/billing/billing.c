/* billing — placeholder until the billing module lands: every store function fails, so no
 * caller can believe a customer was billed. */
#include "billing/billing.h"

#include "base/banned.h"

void billing_month_of(int64_t t, struct billing_month *m)
{
	(void)t;
	*m = (struct billing_month){0};
}

int64_t billing_round_div(int64_t num, int64_t den)
{
	return (num * 2 + den) / (den * 2);
}

int64_t billing_vat(int64_t ht_cents)
{
	return billing_round_div(ht_cents * BILLING_VAT_RATE_BP, 10000);
}

int billing_siren_ok(const char *s)
{
	(void)s;
	return 0;
}

int billing_identity_ready(db_conn *c, int64_t account_id, struct err *e)
{
	(void)c;
	(void)account_id;
	return err_internal(e, "billing is not built yet");
}

int billing_quote(db_conn *c, int64_t account_id, int paying_before, enum plan_id from, enum plan_id to,
		  int64_t now, struct billing_quote *q, struct err *e)
{
	(void)c, (void)account_id, (void)paying_before, (void)from, (void)to, (void)now;
	*q = (struct billing_quote){.document = "none"};
	return err_internal(e, "billing is not built yet");
}

int billing_change_plan(db_conn *c, int64_t account_id, int paying_before, enum plan_id from, enum plan_id to,
			int64_t now, char out_public_id[24], struct err *e)
{
	(void)c, (void)account_id, (void)paying_before, (void)from, (void)to, (void)now;
	out_public_id[0] = 0;
	return err_internal(e, "billing is not built yet");
}

int billing_credit_left(db_conn *c, int64_t account_id, int64_t *cents, struct err *e)
{
	(void)c, (void)account_id;
	*cents = 0;
	return err_internal(e, "billing is not built yet");
}

void billing_register(void)
{
}
