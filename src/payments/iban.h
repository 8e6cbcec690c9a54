/* iban — the pure checks of SEPA account identifiers: IBAN (country length and the ISO 13616
 * mod-97 rule), BIC (ISO 9362 format) and the SEPA creditor identifier (ICS). No store. */
#ifndef CRENEAU_IBAN_H
#define CRENEAU_IBAN_H
#include <stddef.h>

#include "base/err.h"

#define IBAN_MAX 34 /* characters of the longest IBAN */

/* Copies `in` without spaces, in capitals, into out (IBAN_MAX + 1 bytes); -1 when it holds
 * anything but letters, digits and spaces, or is too long. */
int iban_normalise(const char *in, char out[IBAN_MAX + 1]);
/* The registry length of the country's IBANs (SEPA countries), 0 when not a SEPA country. */
int iban_country_length(const char *country2);
/* 1 when iban (normalised) has its country's length and passes mod 97 (remainder 1). */
int iban_valid(const char *iban);
/* Normalises and checks `in` into out: 400 `invalid_iban` on `field` with the reason
 * (characters, country, length, check digits). */
int iban_check(const char *in, char out[IBAN_MAX + 1], const char *field, struct err *e) WUR;
/* 1 when a debit from this IBAN's country needs the BIC (SEPA countries outside the EEA). */
int iban_bic_required(const char *iban);
/* 1 when bic is 8 or 11 characters: 4 letters (bank), 2 letters (country), 2 letters or
 * digits (location), optionally 3 letters or digits (branch). */
int bic_valid(const char *bic);
/* 1 when ics is a SEPA creditor identifier: country, 2 check digits (mod 97 over the
 * national identifier, the business code excluded), 3-character business code, national id. */
int creditor_id_valid(const char *ics);
/* "FR76 **** **** **** **** **** 606": the IBAN with only its country, check digits and last
 * 3 characters shown, into out (cap bytes). */
void iban_masked(const char *iban, char *out, size_t cap);

#endif
