/* mandate — SEPA mandates signed online: checks, unique references, one active per account.
 * mandate.h. */
#include "payments/mandate.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "account/account.h"
#include "payments/payments.h"
#include "payments/payments_int.h"
#include "base/banned.h"

int mandate_input_check(const char *iban, const char *bic, const char *holder_name, struct mandate_input *out,
			struct err *e)
{
	memset(out, 0, sizeof(*out));
	if (!holder_name || !*holder_name)
		return err_set(e, 400, "missing_field", "holder_name",
			       "the account holder's name is required");
	if (strlen(holder_name) >= sizeof(out->holder_name))
		return err_set(e, 400, "invalid_field", "holder_name", "the name is too long");
	snprintf(out->holder_name, sizeof(out->holder_name), "%s", holder_name);
	if (!iban || !*iban)
		return err_set(e, 400, "missing_field", "iban", "the IBAN is required");
	if (iban_check(iban, out->iban, "iban", e))
		return -1;
	size_t n = 0;
	for (const char *p = bic ? bic : ""; *p; p++) {
		if (*p == ' ')
			continue;
		if (n + 1 >= sizeof(out->bic))
			return err_set(e, 400, "invalid_bic", "bic", "a BIC has 8 or 11 characters");
		out->bic[n++] = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
	}
	out->bic[n] = '\0';
	if (!n && iban_bic_required(out->iban))
		return err_set(e, 400, "bic_required", "bic",
			       "an account in %.2s (outside the EEA) needs the bank's BIC", out->iban);
	if (n && !bic_valid(out->bic))
		return err_set(e, 400, "invalid_bic", "bic",
			       "a BIC has 8 or 11 characters: bank (4 letters), country, place, branch");
	return 0;
}

static void new_reference(char out[MANDATE_REF_MAX + 1])
{
	static const char alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	char tail[17];
	for (int i = 0; i < 16; i++)
		tail[i] = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
	tail[16] = '\0';
	snprintf(out, MANDATE_REF_MAX + 1, "CRN-%s", tail);
}

#define COLS                                                                                                 \
	"id, public_id, reference, iban, bic, holder_name, creditor_id, signature_date, state, signed_at,"   \
	" revoked_at"

static void row_to(db_rows *r, struct mandate *m)
{
	memset(m, 0, sizeof(*m));
	m->id = db_rows_int(r, 0);
	snprintf(m->public_id, sizeof(m->public_id), "%s", db_rows_text(r, 1));
	snprintf(m->reference, sizeof(m->reference), "%s", db_rows_text(r, 2));
	snprintf(m->iban, sizeof(m->iban), "%s", db_rows_text(r, 3));
	snprintf(m->bic, sizeof(m->bic), "%s", db_rows_text(r, 4));
	snprintf(m->holder_name, sizeof(m->holder_name), "%s", db_rows_text(r, 5));
	snprintf(m->creditor_id, sizeof(m->creditor_id), "%s", db_rows_text(r, 6));
	snprintf(m->signature_date, sizeof(m->signature_date), "%s", db_rows_text(r, 7));
	snprintf(m->state, sizeof(m->state), "%s", db_rows_text(r, 8));
	m->signed_at = db_rows_int(r, 9);
	m->revoked_at = db_rows_is_null(r, 10) ? 0 : db_rows_int(r, 10);
}

int mandate_active(db_conn *c, int64_t account_id, struct mandate *out, struct err *e)
{
	db_rows *r;
	if (db_query(c, "SELECT " COLS " FROM sepa_mandates WHERE account_id = $1 AND state = 'active'",
		     DB_ARGS(DB_INT(account_id)), &r, e))
		return -1;
	int has = db_rows_next(r, e);
	if (has == 1)
		row_to(r, out);
	db_rows_free(r);
	return has;
}

static int revoke_active(db_conn *c, int64_t account_id, int64_t now, struct err *e)
{
	return db_exec(c,
		       "UPDATE sepa_mandates SET state = 'revoked', revoked_at = $2 WHERE account_id = $1 AND"
		       " state = 'active'",
		       DB_ARGS(DB_INT(account_id), DB_INT(now)), e);
}

int mandate_sign(db_conn *c, int64_t account_id, int64_t user_id, const struct mandate_input *in, int64_t now,
		 const char *ip, struct mandate *out, struct err *e)
{
	if (payments_lock(c, account_id, e) || revoke_active(c, account_id, now, e) < 0)
		return -1;
	memset(out, 0, sizeof(*out));
	public_id_new("mdt", out->public_id);
	new_reference(out->reference);
	snprintf(out->iban, sizeof(out->iban), "%s", in->iban);
	snprintf(out->bic, sizeof(out->bic), "%s", in->bic);
	snprintf(out->holder_name, sizeof(out->holder_name), "%s", in->holder_name);
	char cid[64];
	payments_creditor(cid, NULL, NULL, NULL);
	snprintf(out->creditor_id, sizeof(out->creditor_id), "%s", cid);
	payments_local_date(now, out->signature_date);
	snprintf(out->state, sizeof(out->state), "active");
	out->signed_at = now;
	if (db_query_int(
		    c,
		    "INSERT INTO sepa_mandates (public_id, account_id, reference, iban, bic, holder_name,"
		    " creditor_id, signature_date, signed_at, signed_ip, state, created_at) VALUES ($1, $2,"
		    " $3, $4, $5, $6, $7, $8, $9, $10, 'active', $9) RETURNING id",
		    DB_ARGS(DB_TEXT(out->public_id), DB_INT(account_id), DB_TEXT(out->reference),
			    DB_TEXT(out->iban), DB_TEXT(out->bic), DB_TEXT(out->holder_name),
			    DB_TEXT(out->creditor_id), DB_TEXT(out->signature_date), DB_INT(now),
			    DB_TEXT(ip ? ip : "")),
		    &out->id, e) != 1)
		return -1;
	char detail[96];
	snprintf(detail, sizeof(detail), "{\"reference\": \"%s\"}", out->reference);
	return audit_write(c, account_id, user_id, 0, "mandate.signed", out->public_id, ip ? ip : "", detail,
			   now, e);
}

int mandate_revoke(db_conn *c, int64_t account_id, int64_t user_id, int64_t now, const char *ip,
		   struct err *e)
{
	if (payments_lock(c, account_id, e))
		return -1;
	int n = revoke_active(c, account_id, now, e);
	if (n < 0)
		return -1;
	if (!n)
		return err_set(e, 404, "no_mandate", NULL, "there is no mandate to revoke");
	return audit_write(c, account_id, user_id, 0, "mandate.revoked", "", ip ? ip : "", NULL, now, e);
}

json_t *mandate_to_json(const struct mandate *m)
{
	char masked[48];
	iban_masked(m->iban, masked, sizeof(masked));
	char cname[64];
	payments_creditor(NULL, cname, NULL, NULL);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id", m->public_id,
			 "reference", m->reference, "iban", masked, "bic", m->bic, "holder_name",
			 m->holder_name, "creditor_id", m->creditor_id, "creditor_name", cname,
			 "signature_date", m->signature_date, "scheme", "CORE", "state", m->state);
}
