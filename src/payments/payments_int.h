/* payments_int.h — what the files of src/payments/ share: the lock, the parsed bank files
 * (bankfile.c, pure) and the writers' small helpers. */
#ifndef CRENEAU_PAYMENTS_INT_H
#define CRENEAU_PAYMENTS_INT_H
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "payments/payments.h"

#define PAYMENTS_LOCK_KEY 0x5041594d00000000LL /* "PAYM" << 32 (xor the account id; 0 = files) */

/* Serialises the payments of one account (or, with 0, the import of bank files). */
int payments_lock(db_conn *c, int64_t account_id, struct err *e) WUR;

/* "YYYY-MM-DD" of the local date (Europe/Paris) of t. */
void payments_local_date(int64_t t, char out[11]);
/* 1 when s is a real date written YYYY-MM-DD. */
int payments_date_ok(const char *s);
/* 12345 → "123.45" (cents as a decimal amount, for XML). */
void payments_amount_text(int64_t cents, char out[24]);
/* "123.45", "123.4", "123" → cents; -1 when malformed or negative. */
int payments_amount_parse(const char *s, int64_t *cents);

/* An e-mail about invoice `invoice_public_id` to `to` in the account's language, through the
 * outbox (kind = template; version makes each step send once). vars is borrowed. */
int payments_mail(db_conn *c, int64_t account_id, const char *kind, const char *invoice_public_id,
		  int64_t version, const char *to, const json_t *vars, struct err *e) WUR;
/* The account's locale (I18N_FR / I18N_EN). */
int payments_account_locale(db_conn *c, int64_t account_id);
/* The first instant of the local date `days` after the local date of t (Europe/Paris). */
int payments_day_shift(int64_t t, int days, int64_t *out, struct err *e) WUR;
/* Fills vars' "amount" (money in the locale), "date" fields: `key` = the local date of t in
 * words ("jeudi 26 novembre 2026"). */
void payments_set_date(json_t *vars, const char *key, int locale, int64_t t);
void payments_set_money(json_t *vars, const char *key, int locale, int64_t cents);

/* ---- bank files, parsed (bankfile.c) ---- */

enum bank_line_kind {
	BANK_LINE_TRANSFER,	  /* money in: a transfer to match to an invoice */
	BANK_LINE_DEBIT_SETTLED,  /* a debit of ours was paid */
	BANK_LINE_DEBIT_REJECTED, /* a debit of ours was rejected or returned */
};

struct bank_line {
	enum bank_line_kind kind;
	int64_t amount;
	char booking_date[11];
	char reference[281]; /* remittance information, as sent */
	char counterparty[141];
	char end_to_end_id[36];
	char reason_code[8];
	char orig_msg_id[36]; /* pain.002 group rejection: the batch it names */
};

struct bank_parsed {
	char kind[12]; /* "pain.002" | "camt.054" | "camt.053" */
	char message_id[36];
	int nlines;
	struct bank_line *lines; /* malloc'd, nlines entries */
};

/* Parses a bank file: libxml2 without network, external entities or DTD loading; a file with
 * a DOCTYPE is refused. Checks the totals the format carries (pain.002 NbOfTxsPerSts,
 * camt.054 TxsSummry and entry amounts, camt.053 balances and TxsSummry). 0 and *out, or
 * -1 with reason (cap bytes) saying why the file is refused whole. */
int bankfile_parse(const void *data, size_t len, struct bank_parsed *out, char *reason, size_t cap);
void bankfile_free(struct bank_parsed *p);

#endif
