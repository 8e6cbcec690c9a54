/* reconcile — applies a parsed bank file: rejected and settled debits by end-to-end id,
 * transfers matched to one open invoice by number and amount (two candidates: left for an
 * operator, never guessed), every file kept, the same file never applied twice. payments.h. */
#include <ctype.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account/account.h"
#include "payments/dunning.h"
#include "payments/payments_int.h"
#include "base/banned.h"

struct tally {
	int lines, matched, unmatched, ambiguous, rejected, settled, paid;
};

static int insert_line(db_conn *c, int64_t file_id, const struct bank_line *l, const char *kind,
		       const char *state, int64_t invoice_id, const char *candidates, int64_t now,
		       struct err *e)
{
	char pid[24];
	public_id_new("bkl", pid);
	return db_exec(c,
		       "INSERT INTO bank_lines (public_id, bank_file_id, kind, amount, booking_date, "
		       "reference,"
		       " counterparty, end_to_end_id, reason_code, state, invoice_id, candidates, created_at)"
		       " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
		       DB_ARGS(DB_TEXT(pid), DB_INT(file_id), DB_TEXT(kind), DB_INT(l->amount),
			       DB_TEXT(l->booking_date), DB_TEXT(l->reference), DB_TEXT(l->counterparty),
			       DB_TEXT(l->end_to_end_id), DB_TEXT(l->reason_code), DB_TEXT(state),
			       invoice_id ? DB_INT(invoice_id) : DB_NULL, DB_TEXT(candidates), DB_INT(now)),
		       e) < 0
		       ? -1
		       : 0;
}

/* A debit of ours rejected: the invoice is open again and dunning goes on from its due date. */
static int reject_debit(db_conn *c, int64_t debit_id, const char *reason, int64_t now, struct err *e)
{
	db_rows *r;
	if (db_query(c,
		     "SELECT d.account_id, d.invoice_id, d.state, i.issued_at FROM sepa_debits d JOIN "
		     "invoices i"
		     " ON i.id = d.invoice_id WHERE d.id = $1",
		     DB_ARGS(DB_INT(debit_id)), &r, e))
		return -1;
	if (db_rows_next(r, e) != 1) {
		db_rows_free(r);
		return -1;
	}
	int64_t account_id = db_rows_int(r, 0), invoice_id = db_rows_int(r, 1), issued_at = db_rows_int(r, 3);
	int already = !strcmp(db_rows_text(r, 2), "rejected");
	db_rows_free(r);
	if (already)
		return 0;
	if (payments_lock(c, account_id, e) ||
	    db_exec(c,
		    "UPDATE sepa_debits SET state = 'rejected', reason_code = $2, updated_at = $3 WHERE id = "
		    "$1",
		    DB_ARGS(DB_INT(debit_id), DB_TEXT(reason), DB_INT(now)), e) < 0)
		return -1;
	int n = db_exec(
		c,
		"UPDATE invoice_payments SET state = 'open', paid_at = NULL, paid_by = '', updated_at = $2"
		" WHERE invoice_id = $1 AND (state = 'collecting' OR (state = 'paid' AND paid_by ="
		" 'sepa_dd'))",
		DB_ARGS(DB_INT(invoice_id), DB_INT(now)), e);
	if (n < 0)
		return -1;
	char detail[96];
	snprintf(detail, sizeof(detail), "{\"invoice_id\": %" PRId64 ", \"reason\": \"%s\"}", invoice_id,
		 reason);
	if (audit_write(c, account_id, 0, 0, "debit.rejected", "", "", detail, now, e))
		return -1;
	return n ? dunning_schedule(c, account_id, invoice_id, issued_at, now, e) : 0;
}

static int settle_debit(db_conn *c, int64_t debit_id, int64_t now, struct err *e)
{
	int64_t invoice_id;
	int has = db_query_int(
		c,
		"UPDATE sepa_debits SET state = 'settled', updated_at = $2 WHERE id = $1 AND state ="
		" 'sent' RETURNING invoice_id",
		DB_ARGS(DB_INT(debit_id), DB_INT(now)), &invoice_id, e);
	if (has <= 0)
		return has;
	int rc = dunning_paid(c, invoice_id, "sepa_dd", "", now, e);
	return rc < 0 ? -1 : 0;
}

/* Invoice numbers (F-YYYY-NNNNNN) cited in text, into nums (at most max). */
static int cited_numbers(const char *text, char nums[][24], int max)
{
	int n = 0;
	for (const char *p = text; *p && n < max; p++) {
		if (p[0] != 'F' || p[1] != '-' || (p > text && isalnum((unsigned char)p[-1])))
			continue;
		int ok = 1;
		for (int i = 2; i < 13 && ok; i++)
			ok = i == 6 ? p[i] == '-' : isdigit((unsigned char)p[i]);
		if (!ok || isdigit((unsigned char)p[13]))
			continue;
		int dup = 0;
		for (int k = 0; k < n; k++)
			dup |= !strncmp(nums[k], p, 13);
		if (!dup)
			snprintf(nums[n++], 24, "%.13s", p);
	}
	return n;
}

static int apply_line(db_conn *c, int64_t file_id, const struct bank_line *l, int64_t now, struct tally *t,
		      struct err *e)
{
	t->lines++;
	int64_t debit_id = 0;
	if (l->end_to_end_id[0] && db_query_int(c, "SELECT id FROM sepa_debits WHERE end_to_end_id = $1",
						DB_ARGS(DB_TEXT(l->end_to_end_id)), &debit_id, e) < 0)
		return -1;
	if (l->kind == BANK_LINE_DEBIT_REJECTED && !l->end_to_end_id[0] && l->orig_msg_id[0]) {
		/* a whole batch of ours rejected: CRN-SDD-YYYYMMDD */
		char date[11] = "";
		if (strlen(l->orig_msg_id) == 16 && !strncmp(l->orig_msg_id, "CRN-SDD-", 8))
			snprintf(date, sizeof(date), "%.4s-%.2s-%.2s", l->orig_msg_id + 8,
				 l->orig_msg_id + 12, l->orig_msg_id + 14);
		db_rows *r;
		if (db_query(c, "SELECT id FROM sepa_debits WHERE collection_date = $1 AND state = 'sent'",
			     DB_ARGS(DB_TEXT(date)), &r, e))
			return -1;
		int64_t ids[512];
		int n = 0, rc;
		while ((rc = db_rows_next(r, e)) == 1 && n < 512)
			ids[n++] = db_rows_int(r, 0);
		db_rows_free(r);
		if (rc < 0)
			return -1;
		for (int i = 0; i < n; i++)
			if (reject_debit(c, ids[i], l->reason_code, now, e))
				return -1;
		t->rejected += n;
		t->matched += n > 0;
		t->unmatched += n == 0;
		return insert_line(c, file_id, l, "debit_rejected", n ? "matched" : "unmatched", 0, "", now,
				   e);
	}
	if (l->kind == BANK_LINE_DEBIT_REJECTED) {
		if (!debit_id) {
			t->unmatched++;
			return insert_line(c, file_id, l, "debit_rejected", "unmatched", 0, "", now, e);
		}
		int64_t inv;
		if (db_query_int(c, "SELECT invoice_id FROM sepa_debits WHERE id = $1",
				 DB_ARGS(DB_INT(debit_id)), &inv, e) < 0 ||
		    reject_debit(c, debit_id, l->reason_code, now, e))
			return -1;
		t->rejected++;
		t->matched++;
		return insert_line(c, file_id, l, "debit_rejected", "matched", inv, "", now, e);
	}
	if (debit_id) {
		/* our own collection coming in (pain.002 ACSC, camt.054/053 credit) */
		int64_t inv;
		if (db_query_int(c, "SELECT invoice_id FROM sepa_debits WHERE id = $1",
				 DB_ARGS(DB_INT(debit_id)), &inv, e) < 0 ||
		    settle_debit(c, debit_id, now, e))
			return -1;
		t->settled++;
		t->matched++;
		return insert_line(c, file_id, l, "debit_settled", "matched", inv, "", now, e);
	}
	if (l->kind == BANK_LINE_DEBIT_SETTLED) {
		t->unmatched++;
		return insert_line(c, file_id, l, "debit_settled", "unmatched", 0, "", now, e);
	}
	/* a transfer: the open invoices it cites whose amount due is the amount received */
	char nums[8][24], text[400];
	snprintf(text, sizeof(text), "%s %s", l->reference, l->end_to_end_id);
	int nn = cited_numbers(text, nums, 8);
	int64_t found[8];
	int nf = 0;
	char cands[200] = "";
	for (int i = 0; i < nn; i++) {
		int64_t id;
		int has = db_query_int(
			c,
			"SELECT i.id FROM invoices i JOIN invoice_payments p ON p.invoice_id = i.id"
			" WHERE i.number = $1 AND p.state <> 'paid' AND p.amount_due = $2",
			DB_ARGS(DB_TEXT(nums[i]), DB_INT(l->amount)), &id, e);
		if (has < 0)
			return -1;
		if (has) {
			found[nf++] = id;
			size_t len = strlen(cands);
			snprintf(cands + len, sizeof(cands) - len, "%s%s", len ? " " : "", nums[i]);
		}
	}
	if (nf == 1) {
		int rc = dunning_paid(c, found[0], "transfer", "", now, e);
		if (rc < 0)
			return -1;
		t->matched++;
		t->paid++;
		return insert_line(c, file_id, l, "transfer", "matched", found[0], cands, now, e);
	}
	if (nf > 1) {
		t->ambiguous++;
		return insert_line(c, file_id, l, "transfer", "ambiguous", 0, cands, now, e);
	}
	t->unmatched++;
	return insert_line(c, file_id, l, "transfer", "unmatched", 0, "", now, e);
}

static json_t *file_json(const char *pid, const char *kind, const char *state, const char *reason, int dup)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:b}", "id", pid, "kind", kind, "state", state, "reason",
			 reason, "duplicate", dup);
}

int payments_import_bank_file(db_conn *c, const char *name, const void *data, size_t len, int64_t operator_id,
			      int64_t now, json_t **out, int *rejected, struct err *e)
{
	*out = NULL;
	*rejected = 0;
	unsigned char h[crypto_hash_sha256_BYTES];
	char hex[2 * crypto_hash_sha256_BYTES + 1];
	crypto_hash_sha256(h, data, len);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	if (payments_lock(c, 0, e))
		return -1;
	/* the same bytes again: the answer of the first time, nothing applied */
	db_rows *r;
	if (db_query(c, "SELECT public_id, kind, state, reason, summary FROM bank_files WHERE sha256 = $1",
		     DB_ARGS(DB_TEXT(hex)), &r, e))
		return -1;
	int has = db_rows_next(r, e);
	if (has == 1) {
		*rejected = !strcmp(db_rows_text(r, 2), "rejected");
		json_t *sum = json_loads(db_rows_text(r, 4), 0, NULL);
		*out = json_pack("{s:o, s:o}", "file",
				 file_json(db_rows_text(r, 0), db_rows_text(r, 1), db_rows_text(r, 2),
					   db_rows_text(r, 3), 1),
				 "summary", sum ? sum : json_object());
	}
	db_rows_free(r);
	if (has)
		return has < 0 ? -1 : 0;

	char reason[300], pid[24];
	struct bank_parsed p;
	int bad = bankfile_parse(data, len, &p, reason, sizeof(reason));
	if (!bad) {
		/* the same message under other bytes (re-exported): already applied */
		int64_t other = 0;
		char opid[24] = "";
		if (db_query(c,
			     "SELECT id, public_id FROM bank_files WHERE kind = $1 AND message_id = $2 AND "
			     "state ="
			     " 'applied'",
			     DB_ARGS(DB_TEXT(p.kind), DB_TEXT(p.message_id)), &r, e)) {
			bankfile_free(&p);
			return -1;
		}
		if ((has = db_rows_next(r, e)) == 1) {
			other = db_rows_int(r, 0);
			snprintf(opid, sizeof(opid), "%s", db_rows_text(r, 1));
		}
		db_rows_free(r);
		if (has < 0) {
			bankfile_free(&p);
			return -1;
		}
		if (other) {
			bankfile_free(&p);
			*out = json_pack(
				"{s:o, s:{}}", "file",
				file_json(opid, p.kind, "applied", "this message was imported already", 1),
				"summary");
			return 0;
		}
	}
	public_id_new("bkf", pid);
	int64_t file_id;
	if (db_query_int(
		    c,
		    "INSERT INTO bank_files (public_id, sha256, kind, name, message_id, size, content, state,"
		    " reason, operator_id, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
		    " RETURNING id",
		    DB_ARGS(DB_TEXT(pid), DB_TEXT(hex), DB_TEXT(bad ? "unknown" : p.kind),
			    DB_TEXT(name ? name : ""), DB_TEXT(bad ? "" : p.message_id), DB_INT((int64_t)len),
			    DB_BLOB(data, len), DB_TEXT(bad ? "rejected" : "applied"),
			    DB_TEXT(bad ? reason : ""), operator_id ? DB_INT(operator_id) : DB_NULL,
			    DB_INT(now)),
		    &file_id, e) != 1) {
		if (!bad)
			bankfile_free(&p);
		return -1;
	}
	if (bad) {
		*rejected = 1;
		*out = json_pack("{s:o, s:{}}", "file", file_json(pid, "unknown", "rejected", reason, 0),
				 "summary");
		return 0;
	}
	struct tally t = {0};
	int rc = 0;
	for (int i = 0; !rc && i < p.nlines; i++)
		rc = apply_line(c, file_id, &p.lines[i], now, &t, e);
	json_t *sum = NULL;
	if (!rc) {
		sum = json_pack("{s:i, s:i, s:i, s:i, s:i, s:i, s:i}", "lines", t.lines, "matched", t.matched,
				"unmatched", t.unmatched, "ambiguous", t.ambiguous, "debits_rejected",
				t.rejected, "debits_settled", t.settled, "invoices_paid_by_transfer", t.paid);
		char *s = json_dumps(sum, JSON_COMPACT);
		rc = db_exec(c, "UPDATE bank_files SET summary = $2 WHERE id = $1",
			     DB_ARGS(DB_INT(file_id), DB_TEXT(s ? s : "{}")), e) < 0;
		free(s);
	}
	if (!rc)
		*out = json_pack("{s:o, s:o}", "file", file_json(pid, p.kind, "applied", "", 0), "summary",
				 sum);
	else
		json_decref(sum);
	bankfile_free(&p);
	return rc ? -1 : 0;
}

json_t *payments_unmatched(db_conn *c, int limit, struct err *e)
{
	db_rows *r;
	if (db_query(
		    c,
		    "SELECT l.public_id, l.kind, l.amount, l.booking_date, l.reference, l.counterparty,"
		    " l.end_to_end_id, l.reason_code, l.state, l.candidates, f.public_id, f.kind, f.name FROM"
		    " bank_lines l JOIN bank_files f ON f.id = l.bank_file_id WHERE l.state IN ('unmatched',"
		    " 'ambiguous') ORDER BY l.id LIMIT $1",
		    DB_ARGS(DB_INT(limit)), &r, e))
		return NULL;
	json_t *a = json_array();
	int rc;
	while ((rc = db_rows_next(r, e)) == 1) {
		json_t *cands = json_array();
		char buf[200];
		snprintf(buf, sizeof(buf), "%s", db_rows_text(r, 9));
		for (char *s = buf; *s;) {
			size_t n = strcspn(s, " ");
			json_array_append_new(cands, json_stringn(s, n));
			s += n + (s[n] == ' ');
		}
		json_array_append_new(
			a, json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:{s:s, s:s, s:s}}",
				     "id", db_rows_text(r, 0), "kind", db_rows_text(r, 1), "amount",
				     (json_int_t)db_rows_int(r, 2), "booking_date", db_rows_text(r, 3),
				     "reference", db_rows_text(r, 4), "counterparty", db_rows_text(r, 5),
				     "end_to_end_id", db_rows_text(r, 6), "reason_code", db_rows_text(r, 7),
				     "state", db_rows_text(r, 8), "candidates", cands, "file", "id",
				     db_rows_text(r, 10), "kind", db_rows_text(r, 11), "name",
				     db_rows_text(r, 12)));
	}
	db_rows_free(r);
	if (rc < 0) {
		json_decref(a);
		return NULL;
	}
	return a;
}
