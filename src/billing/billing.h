/* billing — what customers owe (docs/internals/billing.md): the pure proration and VAT rules
 * of PRODUCT.md, the billing identity, invoices and credit notes as structured records with
 * gapless numbers, their PDF, and the 1st-of-month invoicing job. Collecting the money is
 * the payments module's; the account's state is the account module's (src/account/). */
#ifndef CRENEAU_BILLING_H
#define CRENEAU_BILLING_H
#include <stdint.h>

#include "account/account.h"
#include "base/err.h"
#include "db/db.h"

#define BILLING_VAT_RATE_BP 2000 /* 20 % in basis points */
#define BILLING_DUE_DAYS    15

/* ---- pure rules (no store) ---- */

/* The calendar month of instant t in Europe/Paris: year, month (1-12), day of month of t,
 * days in the month, and the instants of its first and of the next month's first 00:00. */
struct billing_month {
	int year, month, day, days;
	int64_t start, next_start;
};
void billing_month_of(int64_t t, struct billing_month *m);

/* round-half-up(num / den) for num >= 0, den > 0. */
int64_t billing_round_div(int64_t num, int64_t den);
/* VAT of a document's HT total at 20 %, rounded half up to the cent. */
int64_t billing_vat(int64_t ht_cents);

/* ---- billing identity (who is invoiced) ---- */

/* True when s is 9 digits passing the Luhn check. */
int billing_siren_ok(const char *s);
/* 0 when the account has a complete billing identity; else 409 `billing_identity_required`. */
int billing_identity_ready(db_conn *c, int64_t account_id, struct err *e) WUR;

/* ---- plan changes ---- */

/* What a change to `to` at `now` would bill: the exact month total at the plans held this
 * month (trial, frozen and read-only days at 0), what was already billed for the month, the
 * difference as an invoice (> 0) or a credit note (< 0), the credit carried over that an
 * invoice would use, and what the next 1st will bill. Amounts in cents. */
struct billing_quote {
	int64_t month_total_ht, already_billed_ht, delta_ht;
	int64_t credit_used_ht;		  /* of an invoice's HT, paid by earlier credit notes */
	int64_t due_ht, due_vat, due_ttc; /* the document issued now (0 when none) */
	const char *document;		  /* "invoice" | "credit_note" | "none" */
	int64_t next_month_ht;		  /* the price of `to` on the next 1st */
	int day, days_in_month, days_remaining;
};
/* paying_before: the account was subscribed (active or cancel_pending) before the change;
 * from: the plan it held (ignored when not paying). */
int billing_quote(db_conn *c, int64_t account_id, int paying_before, enum plan_id from, enum plan_id to,
		  int64_t now, struct billing_quote *q, struct err *e) WUR;

/* Records the change in the caller's transaction and issues the quote's document, finalised
 * (number from the locked counter, PDF rendered once and stored, e-mailed to the billing
 * address through the outbox). out_public_id receives the document's public id, "" when
 * none was needed. */
int billing_change_plan(db_conn *c, int64_t account_id, int paying_before, enum plan_id from, enum plan_id to,
			int64_t now, char out_public_id[24], struct err *e) WUR;

/* Credit left to the account (cents TTC), e.g. to list for refund when it closes. */
int billing_credit_left(db_conn *c, int64_t account_id, int64_t *cents, struct err *e) WUR;

/* Registers the billing jobs (the invoice run of each 1st, rendering). Call at start. */
void billing_register(void);

#endif
