/* mandate — SEPA Direct Debit mandates signed online by the customer in the secure area: the
 * debtor's IBAN (mod 97) and BIC when its country needs it, the holder's name, a unique
 * mandate reference (RUM), the signature date and the creditor identifier in force. One
 * active mandate per account; signing again revokes the previous one (replaced), revoking
 * leaves the account paying by transfer. */
#ifndef CRENEAU_MANDATE_H
#define CRENEAU_MANDATE_H
#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"
#include "payments/iban.h"

#define MANDATE_REF_MAX	   35 /* SEPA: 35 characters */
#define MANDATE_HOLDER_MAX 70 /* SEPA: a name of 70 characters */

/* What the customer types. */
struct mandate_input {
	char iban[IBAN_MAX + 1];
	char bic[12];
	char holder_name[MANDATE_HOLDER_MAX * 4 + 1]; /* UTF-8 */
};

struct mandate {
	int64_t id;
	char public_id[24];
	char reference[MANDATE_REF_MAX + 1];
	char iban[IBAN_MAX + 1], bic[12];
	char holder_name[MANDATE_HOLDER_MAX * 4 + 1];
	char creditor_id[64];
	char signature_date[11];
	char state[8]; /* "active" | "revoked" */
	int64_t signed_at, revoked_at;
};

/* Checks what the customer typed into *out: 400 `invalid_iban` (iban), `bic_required` when
 * the IBAN's country needs it, `invalid_bic` (bic), `missing_field` (holder_name). */
int mandate_input_check(const char *iban, const char *bic, const char *holder_name, struct mandate_input *out,
			struct err *e) WUR;
/* Signs a new mandate for the account in the caller's transaction (the active one, if any, is
 * revoked: replaced), with a fresh unique reference, today's date in Europe/Paris and the
 * configured creditor identifier; audit entry by user_id. */
int mandate_sign(db_conn *c, int64_t account_id, int64_t user_id, const struct mandate_input *in, int64_t now,
		 const char *ip, struct mandate *out, struct err *e) WUR;
/* The account's active mandate: 1 and *out, 0 when none, negative on error. */
int mandate_active(db_conn *c, int64_t account_id, struct mandate *out, struct err *e) WUR;
/* Revokes the active mandate: 404 `no_mandate` when none. Later invoices are paid by transfer. */
int mandate_revoke(db_conn *c, int64_t account_id, int64_t user_id, int64_t now, const char *ip,
		   struct err *e) WUR;
/* The mandate as the customer sees it (IBAN masked), a new object. */
json_t *mandate_to_json(const struct mandate *m);

#endif
