/* identity — who is invoiced: the customer's legal name, French postal address, SIREN
 * (Luhn), VAT number (FR + key + SIREN) and billing e-mail, one row per account. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "billing/billing_int.h"
#include "base/banned.h"

static int text_field(const json_t *body, const char *field, int required, char *out, size_t cap,
		      struct err *e)
{
	const json_t *v = json_object_get(body, field);
	out[0] = '\0';
	if (!v || json_is_null(v)) {
		if (required)
			return err_set(e, 400, "missing_field", field, "%s is required", field);
		return 0;
	}
	if (!json_is_string(v))
		return err_set(e, 400, "invalid_field", field, "%s must be a string", field);
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);
	while (n && isspace((unsigned char)*s))
		s++, n--;
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	if (n >= cap)
		return err_set(e, 400, "invalid_field", field, "%s is at most %zu bytes", field, cap - 1);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return err_set(e, 400, "invalid_field", field, "%s holds a control character", field);
	memcpy(out, s, n);
	out[n] = '\0';
	if (required && !n)
		return err_set(e, 400, "missing_field", field, "%s is required", field);
	return 0;
}

/* Removes spaces (and dots for numbers written "732 829 320"). */
static void squeeze(char *s)
{
	char *w = s;
	for (const char *r = s; *r; r++)
		if (*r != ' ' && *r != '.' && *r != '-')
			*w++ = (char)toupper((unsigned char)*r);
	*w = '\0';
}

int billing_identity_from_json(const json_t *body, struct billing_identity *out, struct err *e)
{
	static const char *const allowed[] = {"legal_name", "street", "postcode",   "city",
					      "country",    "siren",  "vat_number", "email"};
	memset(out, 0, sizeof(*out));
	if (!json_is_object(body))
		return err_set(e, 400, "invalid_body", NULL, "the body must be a JSON object");
	const char *key;
	const json_t *val;
	json_object_foreach((json_t *)body, key, val)
	{
		int known = 0;
		for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
			known |= !strcmp(key, allowed[i]);
		if (!known)
			return err_set(e, 400, "unknown_field", key, "unknown field %s", key);
	}
	char country[64], email[300], postcode[32], siren[32], vat[32];
	if (text_field(body, "legal_name", 1, out->legal_name, sizeof(out->legal_name), e) ||
	    text_field(body, "street", 1, out->street, sizeof(out->street), e) ||
	    text_field(body, "postcode", 1, postcode, sizeof(postcode), e) ||
	    text_field(body, "city", 1, out->city, sizeof(out->city), e) ||
	    text_field(body, "country", 1, country, sizeof(country), e) ||
	    text_field(body, "siren", 1, siren, sizeof(siren), e) ||
	    text_field(body, "vat_number", 0, vat, sizeof(vat), e) ||
	    text_field(body, "email", 1, email, sizeof(email), e))
		return -1;
	squeeze(country);
	if (strcmp(country, "FR") && strcmp(country, "FRANCE"))
		return err_set(e, 400, "country_not_supported", "country",
			       "billing is open to businesses established in France only for now (country "
			       "must be FR); EU and non-EU customers will come later");
	memcpy(out->country, "FR", 3);
	size_t pl = strlen(postcode);
	int digits = pl == 5;
	for (size_t i = 0; i < pl; i++)
		digits &= isdigit((unsigned char)postcode[i]) != 0;
	if (!digits)
		return err_set(e, 400, "invalid_postcode", "postcode",
			       "a French postcode is 5 digits (billing is for French addresses only)");
	memcpy(out->postcode, postcode, 6);
	squeeze(siren);
	if (!billing_siren_ok(siren))
		return err_set(
			e, 400, "invalid_siren", "siren",
			"a SIREN is 9 digits that pass the Luhn check (see your Kbis or INSEE notice)");
	memcpy(out->siren, siren, 10);
	squeeze(vat);
	if (vat[0] && !billing_vat_number_ok(vat, siren))
		return err_set(e, 400, "invalid_vat_number", "vat_number",
			       "a French VAT number is FR, a 2-digit key and the SIREN (e.g. FR%02d%s)",
			       (int)((12 + 3 * (strtoll(siren, NULL, 10) % 97)) % 97), siren);
	memcpy(out->vat_number, vat, vat[0] ? 14 : 1); /* 13 characters once checked */
	return email_normalise(email, out->email, "email", e);
}

json_t *billing_identity_to_json(const struct billing_identity *id)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "legal_name", id->legal_name, "street",
			 id->street, "postcode", id->postcode, "city", id->city, "country", id->country,
			 "siren", id->siren, "vat_number", id->vat_number, "email", id->email);
}

static void copy(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

int billing_identity_get(db_conn *c, int64_t account_id, struct billing_identity *out, struct err *e)
{
	db_rows *r;
	if (db_query(
		    c,
		    "SELECT legal_name, street, postcode, city, country, siren, vat_number, email, updated_at"
		    " FROM billing_identities WHERE account_id = $1",
		    DB_ARGS(DB_INT(account_id)), &r, e))
		return -1;
	int has = db_rows_next(r, e);
	if (has == 1) {
		copy(out->legal_name, sizeof(out->legal_name), db_rows_text(r, 0));
		copy(out->street, sizeof(out->street), db_rows_text(r, 1));
		copy(out->postcode, sizeof(out->postcode), db_rows_text(r, 2));
		copy(out->city, sizeof(out->city), db_rows_text(r, 3));
		copy(out->country, sizeof(out->country), db_rows_text(r, 4));
		copy(out->siren, sizeof(out->siren), db_rows_text(r, 5));
		copy(out->vat_number, sizeof(out->vat_number), db_rows_text(r, 6));
		copy(out->email, sizeof(out->email), db_rows_text(r, 7));
		out->updated_at = db_rows_int(r, 8);
	}
	db_rows_free(r);
	return has;
}

int billing_identity_put(db_conn *c, int64_t account_id, const struct billing_identity *id, int64_t now,
			 struct err *e)
{
	int n = db_exec(
		c,
		"INSERT INTO billing_identities (account_id, legal_name, street, postcode, city, country,"
		" siren, vat_number, email, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
		" ON CONFLICT (account_id) DO UPDATE SET legal_name = excluded.legal_name,"
		" street = excluded.street, postcode = excluded.postcode, city = excluded.city,"
		" country = excluded.country, siren = excluded.siren, vat_number = excluded.vat_number,"
		" email = excluded.email, updated_at = excluded.updated_at",
		DB_ARGS(DB_INT(account_id), DB_TEXT(id->legal_name), DB_TEXT(id->street),
			DB_TEXT(id->postcode), DB_TEXT(id->city), DB_TEXT(id->country), DB_TEXT(id->siren),
			DB_TEXT(id->vat_number), DB_TEXT(id->email), DB_INT(now)),
		e);
	return n < 0 ? -1 : 0;
}

int billing_identity_ready(db_conn *c, int64_t account_id, struct err *e)
{
	struct billing_identity id;
	int has = billing_identity_get(c, account_id, &id, e);
	if (has < 0)
		return -1;
	if (!has || !billing_siren_ok(id.siren) || !id.legal_name[0] || !id.email[0])
		return err_set(
			e, 409, "billing_identity_required", NULL,
			"give the billing identity first (legal name, address, SIREN, billing e-mail): "
			"PUT /api/v1/billing/identity");
	return 0;
}
