/* billing_int.h — what the files of src/billing/ share: the month's plan segments (pure,
 * proration.c), the document record (invoices.c), its PDF (pdf.c) and the seller. */
#ifndef CRENEAU_BILLING_INT_H
#define CRENEAU_BILLING_INT_H
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "billing/billing.h"

#define BILLING_ZONE	     "Europe/Paris"
#define BILLING_SEGMENTS_MAX 48 /* plan changes recorded in one month; more is refused (409) */
#define BILLING_LINES_MAX    4
#define BILLING_MONTH_KIND   "billing.month"
#define BILLING_LOCK_KEY     0x42494c4c00000000LL /* "BILL" << 32, xor'ed with the account id */

/* ---- the month's segments (pure) ---- */

/* From day `from_day` (1-based) to the next segment, the account held a plan priced
 * `price` cents HT a month (0 for trial, frozen or read-only days). */
struct billing_segment {
	int from_day;
	int64_t price;
};
struct billing_segments {
	int n;
	struct billing_segment s[BILLING_SEGMENTS_MAX];
};

/* Sets the price from `day` on: replaces a segment starting that same day (the day is billed
 * at the latest plan), else appends. -1 when day goes backwards or the month is full. */
int billing_segments_set(struct billing_segments *g, int day, int64_t price);
/* The exact month total: round-half-up(sum of price_i x days_i / days_in_month). */
int64_t billing_segments_total(const struct billing_segments *g, int days_in_month);
/* "1:1900,18:3900" and back; parse returns -1 on malformed text. */
void billing_segments_format(const struct billing_segments *g, char *out, size_t cap);
int billing_segments_parse(const char *text, struct billing_segments *g);

/* yyyymm of a billing_month. */
int billing_month_key(const struct billing_month *m);
/* The billing_month of yyyymm (day = 1). */
void billing_month_from_key(int key, struct billing_month *m);
/* "YYYY-MM-DD" of y-m-d. */
void billing_date_text(int y, int m, int d, char out[11]);

/* ---- documents ---- */

enum billing_doc_type { BILLING_INVOICE, BILLING_CREDIT_NOTE };

struct billing_line {
	char description[400];
	char period_start[11], period_end[11]; /* YYYY-MM-DD */
	int64_t quantity;
	int64_t unit_ht, amount_ht;
};

/* The seller as copied into a document. */
struct billing_seller_copy {
	char name[128], legal_form[64], capital[64], street[201], postcode[16], city[101];
	char siren[16], vat_number[20], rcs[128], penalty_rate[256];
	int vat_on_debits;
};

/* One invoice or credit note: the structured record, source of truth for the PDF, the JSON
 * answer and the e-mail. */
struct billing_doc {
	enum billing_doc_type type;
	char public_id[24];
	char number[24]; /* F-2027-000001 | AV-2027-000001; "" until finalised */
	int64_t issued_at;
	char issue_date[11], due_date[11];
	char period_start[11], period_end[11];
	int month;	 /* yyyymm the document bills or corrects */
	char reason[16]; /* "subscription" | "change" | "monthly" */
	struct billing_identity customer;
	struct billing_seller_copy seller;
	int nlines;
	struct billing_line lines[BILLING_LINES_MAX];
	int64_t total_ht, total_vat, total_ttc;
	int64_t credit_applied_ttc, amount_due_ttc; /* invoices: earlier credit deducted */
	char credit_notes[256];			    /* numbers of the credit notes deducted */
	char corrects_number[24];		    /* credit note: the invoice it corrects */
	char note[400];				    /* e.g. the month recomputed */
};

/* The current seller copy. */
void billing_seller_get(struct billing_seller_copy *out);
const char *billing_public_url(void);

/* Sets totals from the lines: HT = sum, VAT = 20 % of HT half up, TTC. */
void billing_doc_totals(struct billing_doc *d);
/* Finalises d for account_id in the caller's transaction: copies the identity and the seller,
 * takes the next number of its series and year from the locked counter, renders the PDF once,
 * stores it, writes the record final, and mails it. Fills public_id and number. */
int billing_doc_issue(db_conn *c, int64_t account_id, struct billing_doc *d, int64_t now, struct err *e) WUR;
/* Loads a document of the account by public id: 1 found, 0 not found. pdf_file_id may be NULL. */
int billing_doc_load(db_conn *c, int64_t account_id, const char *public_id, struct billing_doc *d,
		     char pdf_file_id[40], struct err *e) WUR;
json_t *billing_doc_to_json(const struct billing_doc *d);

/* Renders the document as a PDF (French, DejaVu Sans embedded) into out. */
int billing_pdf_render(const struct billing_doc *d, struct buf *out, struct err *e) WUR;

/* Money "1 234,56 €" (plain spaces, for the PDF and e-mails). */
void billing_money_text(int64_t cents, char out[32]);
/* "18/04/2027" from "2027-04-18". */
void billing_date_fr(const char *iso, char out[11]);

/* The credit left (TTC) and, when names is not NULL, the numbers of the credit notes it
 * comes from, oldest first (credit is used in the order it was given). */
int billing_credit_sources(db_conn *c, int64_t account_id, int64_t *left, char *names, size_t cap,
			   struct err *e) WUR;

/* Serialises the account's billing (pg_advisory_xact_lock; SQLite's writer lock already does). */
int billing_lock(db_conn *c, int64_t account_id, struct err *e) WUR;
/* Enqueues the run of month `key` (yyyymm) for the account at that month's 1st 00:00. */
int billing_enqueue_month(db_conn *c, int64_t account_id, int key, struct err *e) WUR;

#endif
