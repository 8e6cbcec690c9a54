/* payments — collecting the money (docs/internals/payments.md): SEPA Direct Debit mandates
 * and their pain.008 collection batches, bank transfers, the bank's return and statement
 * files (pain.002, camt.054, camt.053), each invoice's payment state, dunning on the shared
 * clock and the EN 16931 (UN/CEFACT CII) XML of every invoice and credit note. Billing
 * (src/billing/) issues the documents and tells this module (payments_invoice_issued); the
 * account's read-only `unpaid` state is moved only through account_set_unpaid(). */
#ifndef CRENEAU_PAYMENTS_H
#define CRENEAU_PAYMENTS_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "db/db.h"

#define PAYMENTS_ZONE	       "Europe/Paris"
#define PAYMENTS_BANK_FILE_MAX (5 * 1024 * 1024) /* bytes of one uploaded bank file */
#define PAYMENTS_LINES_MAX     5000		 /* transactions read from one bank file */
/* Dunning, in local days after the due date (PRODUCT.md "Payment"). */
#define PAYMENTS_REMINDER_1_DAYS 7
#define PAYMENTS_REMINDER_2_DAYS 21
#define PAYMENTS_READ_ONLY_DAYS	 30

/* The creditor (the platform operator), from the configuration. */
struct payments_config {
	const char *creditor_id;   /* SEPA creditor identifier (ICS), e.g. FR72ZZZ123456 */
	const char *creditor_name; /* as the bank knows the account */
	const char *creditor_iban;
	const char *creditor_bic;
};
/* Copies and checks the creditor (NULL or empty fields keep the demo defaults). -1 with *e
 * (400 naming the option) when the identifier, IBAN or BIC is malformed. Call at start. */
int payments_configure(const struct payments_config *c, struct err *e) WUR;
/* Copies the creditor in force into the caller's buffers (any may be NULL; 64 bytes each). */
void payments_creditor(char *id, char *name, char *iban, char *bic);
/* Registers the dunning job kind ("payments.dunning"). Call at start. */
void payments_register(void);

/* ---- what billing tells this module ---- */

/* A document just finalised (borrowed fields). */
struct payments_invoice {
	int64_t invoice_id; /* invoices.id */
	const char *public_id, *number;
	int is_invoice;	      /* 0 for a credit note: nothing to collect */
	int64_t amount_due;   /* cents TTC still to pay after credit */
	const char *due_date; /* YYYY-MM-DD */
	int64_t issued_at;
	const char *email;  /* the billing e-mail */
	const char *locale; /* "fr" | "en" */
};
/* In the issuing transaction: records the invoice's payment state (paid at once when nothing
 * is due), the method of the provider collecting it, its dunning jobs (due + 7, + 21, + 30
 * local days), and lets the provider tell the customer (the SEPA pre-notification). Credit
 * notes are ignored. */
int payments_invoice_issued(db_conn *c, int64_t account_id, const struct payments_invoice *inv, int64_t now,
			    struct err *e) WUR;

/* ---- payment state ---- */

/* The payment of an invoice of the account by public id as a new JSON object ({state,
 * method, paid_at, paid_by, dunning_level}), or NULL when the invoice has no payment row. */
json_t *payments_invoice_state(db_conn *c, int64_t account_id, const char *invoice_public_id, struct err *e);
/* The account's invoices with their payment state, newest first (at most limit), as a new
 * JSON array of {invoice_id, number, due_date, amount_due_ttc, state, method, paid_by,
 * paid_at, dunning_level}; NULL on error. */
json_t *payments_list(db_conn *c, int64_t account_id, int limit, struct err *e);
/* Marks an invoice (any account: an operator's act; named by its public id or its number)
 * paid by hand with a note: 404 no such invoice, 409 `already_paid`, 409 `not_an_invoice`.
 * Restores an account made read-only for non-payment when nothing else is overdue.
 * bank_line_public_id (may be NULL or "") marks a statement line left for an operator as
 * resolved by this payment. */
int payments_mark_paid_by_hand(db_conn *c, const char *invoice_public_id, const char *note,
			       const char *bank_line_public_id, int64_t now, json_t **out, struct err *e) WUR;

/* ---- SEPA collection ---- */

/* The pain.008.001.02 of the invoices due on `date` (YYYY-MM-DD) still to collect from an
 * account with an active mandate, into out. The first download records each debit (FRST
 * for a mandate's first debit not rejected, else RCUR), so a later download of the same date
 * gives the same transactions. *count receives how many; 0 gives 404 `nothing_to_collect`. */
int payments_sepa_batch(db_conn *c, const char *date, int64_t now, struct buf *out, int *count,
			struct err *e) WUR;

/* ---- e-invoicing ---- */

/* The EN 16931 XML (UN/CEFACT CII D16B) of the account's invoice or credit note `public_id`,
 * generated from the same structured record as its PDF, into out, and its number: 1 found,
 * 0 not found (or not final), negative on error. The transport toward a platform: einvoice.h. */
int payments_invoice_cii(db_conn *c, int64_t account_id, const char *public_id, struct buf *out,
			 char number[24], struct err *e) WUR;

/* ---- bank files ---- */

/* Parses and applies a bank file (pain.002, camt.054, camt.053) in the caller's transaction.
 * The file is kept whatever happens. *out receives the answer's object ({file: {id, kind,
 * state, reason, duplicate}, summary}); *rejected is set to 1 when the file was refused
 * whole (not XML, another format, totals that do not add up): then nothing was applied and
 * (*out).file.reason says why — the caller commits and answers 422. The same bytes or the
 * same message id twice: nothing changes (duplicate = true). */
int payments_import_bank_file(db_conn *c, const char *name, const void *data, size_t len, int64_t operator_id,
			      int64_t now, json_t **out, int *rejected, struct err *e) WUR;
/* Statement and return lines left for an operator (unmatched or ambiguous), oldest first,
 * as a new JSON array. */
json_t *payments_unmatched(db_conn *c, int limit, struct err *e);

#endif
