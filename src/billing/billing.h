/* Changes to this contract since it was first committed (read these first):
 * - struct billing_quote gained credit_used_ttc and to_pay_ttc. Credit (from credit notes)
 *   is carried in TTC, the amount the customer is owed, and deducted from the TTC of later
 *   invoices as a separate mention ("Avoir ... déduit", "Net à payer"), never as an invoice
 *   line: the invoice's own HT/TVA/TTC are untouched. credit_used_ht is the HT share of
 *   that deduction, round-half-up(credit_used_ttc x 100 / 120), for display only.
 * - billing_credit_left() is in cents TTC (as its comment always said).
 * - Added: billing_configure() (seller identity, from src/app/config.c), the identity
 *   functions (struct billing_identity), billing_vat_number_ok(), billing_run_month(). */
/* billing — what customers owe (docs/internals/billing.md): the pure proration and VAT rules
 * of PRODUCT.md, the billing identity, invoices and credit notes as structured records with
 * gapless numbers, their PDF, and the 1st-of-month invoicing job. Collecting the money is
 * the payments module's; the account's state is the account module's (src/account/). */
#ifndef CRENEAU_BILLING_H
#define CRENEAU_BILLING_H
#include <jansson.h>
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

/* ---- the seller (the platform operator), from the configuration ---- */
struct billing_seller {
	const char *name, *legal_form, *capital, *street, *postcode, *city, *siren, *vat_number, *rcs;
	const char *penalty_rate; /* late-payment penalty text, e.g. "trois fois le taux d'intérêt légal" */
	int vat_on_debits;	  /* "Option pour le paiement de la TVA d'après les débits" */
	const char *public_url;	  /* base of the links in the e-mails */
};
/* Copies the seller identity (call once at start; NULL fields keep the demo defaults of
 * "Créneau SAS"). Thread-safe after. */
void billing_configure(const struct billing_seller *s);

/* ---- billing identity (who is invoiced) ---- */

/* True when s is 9 digits passing the Luhn check. */
int billing_siren_ok(const char *s);
/* True when vat is "FR" + the 2-digit key of `siren` + `siren` ((12 + 3 x (siren mod 97))
 * mod 97). */
int billing_vat_number_ok(const char *vat, const char *siren);

struct billing_identity {
	char legal_name[201];
	char street[201];
	char postcode[6];
	char city[101];
	char country[3]; /* "FR" only for now */
	char siren[10];
	char vat_number[14]; /* "" when none */
	char email[256];
	int64_t updated_at;
};
/* Reads and checks an identity from a JSON object (legal_name, street, postcode, city,
 * country, siren, vat_number, email): 400 naming the field (`missing_field`,
 * `invalid_siren`, `invalid_vat_number`, `invalid_postcode`, `country_not_supported`...). */
int billing_identity_from_json(const json_t *body, struct billing_identity *out, struct err *e) WUR;
/* The identity as a new JSON object (the caller owns it). */
json_t *billing_identity_to_json(const struct billing_identity *id);
/* 1 and *out when the account has one, 0 when none, negative on error. */
int billing_identity_get(db_conn *c, int64_t account_id, struct billing_identity *out, struct err *e) WUR;
/* Creates or replaces the account's identity in the caller's transaction. Later documents
 * use it; finalised ones keep their own copy. */
int billing_identity_put(db_conn *c, int64_t account_id, const struct billing_identity *id, int64_t now,
			 struct err *e) WUR;
/* 0 when the account has a complete billing identity; else 409 `billing_identity_required`. */
int billing_identity_ready(db_conn *c, int64_t account_id, struct err *e) WUR;

/* ---- plan changes ---- */

/* What a change to `to` at `now` would bill: the exact month total at the plans held this
 * month (trial, frozen and read-only days at 0), what was already billed for the month, the
 * difference as an invoice (> 0) or a credit note (< 0), the credit carried over that an
 * invoice would use, and what the next 1st will bill. Amounts in cents. */
struct billing_quote {
	int64_t month_total_ht, already_billed_ht, delta_ht;
	int64_t credit_used_ht;		  /* HT share of credit_used_ttc (display only, see top) */
	int64_t credit_used_ttc;	  /* earlier credit deducted from this invoice's TTC */
	int64_t to_pay_ttc;		  /* due_ttc - credit_used_ttc (0 for a credit note) */
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

/* Bills month `month` (yyyymm) to a paying account in the caller's transaction: the invoice
 * of the 1st (the plan's price, credit deducted), once per account and month (1 when issued,
 * 0 when the month was already billed or the account does not pay), and enqueues the next
 * month's run. This is what the job "billing.month" runs; tests may call it directly. */
int billing_run_month(db_conn *c, int64_t account_id, int month, int64_t now, char out_public_id[24],
		      struct err *e) WUR;

/* Registers the billing jobs (the invoice run of each 1st, rendering). Call at start. */
void billing_register(void);

#endif
