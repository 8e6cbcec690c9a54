/* life_util — what the account-life tests (510-519) share on top of harness.h (which has the
 * test clock and the maildir): the owner's day, the billing identity, the invoices list, and
 * the purge check that scans every table of the store (and the SQLite
 * files themselves) for what is left of an account. Include after cmocka.h. */
#ifndef CRENEAU_TEST_LIFE_UTIL_H
#define CRENEAU_TEST_LIFE_UTIL_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "db/db.h"

#include "harness.h"

#define LIFE_UNUSED __attribute__((unused))

/* Moves the clock and logs the owner in again. */
LIFE_UNUSED static void live_until(struct session *s, const char *email, const char *when)
{
	test_clock("advance_to", when);
	harness_relogin(&H, email, s);
}

/* A unique address and business name for this run and store (the maildir is shared). */
LIFE_UNUSED static void unique_names(const char *what, char email[128], char name[96])
{
	static int n;
	unsigned tag = (unsigned)getpid() * 131u + (unsigned)n++;
	snprintf(email, 128, "%s-%s-%u@vie.example", what, harness_store_kind(), tag);
	snprintf(name, 96, "Atelier %s %s %u", what, harness_store_kind(), tag);
}

/* GET /api/v1/subscription's object (the caller frees). */
LIFE_UNUSED static json_t *subscription(const struct session *s)
{
	struct reply r;
	session_call(&H, s, "GET", "/api/v1/subscription", NULL, &r);
	if (r.status != 200)
		fail_msg("GET /api/v1/subscription: %ld %s", r.status, r.body);
	json_t *sub = json_incref(json_object_get(r.json, "subscription"));
	reply_free(&r);
	return sub;
}

LIFE_UNUSED static void put_identity(const struct session *s, const char *email)
{
	char body[512];
	snprintf(body, sizeof(body),
		 "{\"legal_name\": \"Atelier SARL\", \"street\": \"3 rue du Port\", \"postcode\": \"44000\","
		 " \"city\": \"Nantes\", \"country\": \"FR\", \"siren\": \"732829320\", \"vat_number\": \"\","
		 " \"email\": \"%s\"}",
		 email);
	struct reply r;
	session_call(&H, s, "PUT", "/api/v1/billing/identity", body, &r);
	if (r.status != 200)
		fail_msg("PUT /api/v1/billing/identity: %ld %s", r.status, r.body);
	reply_free(&r);
}

/* Subscribes to Pro, then moves down to Essentiel the same instant: an invoice, then a credit
 * note. Returns the second answer's "change" object (the caller json_decref's it). */
LIFE_UNUSED static json_t *pro_then_essentiel(const struct session *s)
{
	struct reply r;
	session_call(&H, s, "POST", "/api/v1/subscription", "{\"plan\": \"pro\"}", &r);
	assert_int_equal(r.status, 201);
	reply_free(&r);
	session_call(&H, s, "POST", "/api/v1/subscription", "{\"plan\": \"essentiel\"}", &r);
	assert_int_equal(r.status, 200);
	json_t *change = json_incref(json_object_get(r.json, "change"));
	reply_free(&r);
	assert_string_equal(json_string_value(json_object_get(change, "document")), "credit_note");
	return change;
}

/* The account's documents: how many, and the newest invoice's number and totals. */
LIFE_UNUSED static void expect_invoices(const struct session *s, size_t count, const char *newest_invoice,
					long long ht, long long ttc)
{
	struct reply r;
	session_call(&H, s, "GET", "/api/v1/invoices?limit=100", NULL, &r);
	if (r.status != 200)
		fail_msg("GET /api/v1/invoices: %ld %s", r.status, r.body);
	json_t *list = json_object_get(r.json, "invoices");
	if (json_array_size(list) != count)
		fail_msg("%zu documents, expected %zu: %s", json_array_size(list), count, r.body);
	size_t i;
	json_t *d;
	json_array_foreach(list, i, d)
	{
		if (strcmp(json_string_value(json_object_get(d, "type")), "invoice"))
			continue;
		assert_string_equal(json_string_value(json_object_get(d, "number")), newest_invoice);
		assert_int_equal(json_integer_value(json_object_get(d, "total_ht")), ht);
		assert_int_equal(json_integer_value(json_object_get(d, "total_ttc")), ttc);
		break;
	}
	reply_free(&r);
}

/* ---- the purge check ---- */

static int life_kept_table(const char *t)
{
	return !strcmp(t, "account_deletions") || !strcmp(t, "audit_log") || strstr(t, "invoice") ||
	       strstr(t, "credit_note");
}

/* Every table and column of the store: "table\tcolumn" lines in a malloc'd list. */
static int life_columns(db_conn *c, enum db_kind kind, char (**out)[2][64])
{
	db_rows *r;
	struct err e = {0};
	const char *sql =
		kind == DB_SQLITE
			? "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p"
			  " WHERE m.type = 'table' ORDER BY 1, 2"
			: "SELECT c.table_name, c.column_name FROM information_schema.columns c"
			  " JOIN information_schema.tables t ON t.table_schema = c.table_schema"
			  " AND t.table_name = c.table_name WHERE c.table_schema = current_schema()"
			  " AND t.table_type = 'BASE TABLE' ORDER BY 1, 2";
	assert_int_equal(db_query(c, sql, DB_NOARGS, &r, &e), 0);
	int n = 0, cap = 4096;
	*out = calloc((size_t)cap, sizeof(**out));
	while (db_rows_next(r, &e) == 1 && n < cap) {
		snprintf((*out)[n][0], 64, "%s", db_rows_text(r, 0));
		snprintf((*out)[n][1], 64, "%s", db_rows_text(r, 1));
		n++;
	}
	db_rows_free(r);
	return n;
}

static int64_t life_count(db_conn *c, const char *sql, const db_param *p, int np)
{
	struct err e = {0};
	int64_t n = -1;
	if (db_query_int(c, sql, p, np, &n, &e) < 0)
		fail_msg("%s: %s", sql, e.message);
	return n;
}

/* 1 when the file at path holds needle. Read in a child process: closing a descriptor of the
 * store file in this process would drop every POSIX lock SQLite holds on it here (the server
 * runs in this process), and another process closing the store would then take itself for the
 * last one and delete the WAL index under the server's feet. */
static int life_file_holds(const char *path, const char *needle)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		FILE *f = fopen(path, "rb");
		if (!f)
			_exit(0);
		size_t nl = strlen(needle), cap = 1 << 20, keep = nl - 1;
		char *buf = malloc(cap + nl);
		size_t have = 0, got;
		while (buf && (got = fread(buf + have, 1, cap, f)) > 0) {
			size_t len = have + got;
			if (memmem(buf, len, needle, nl))
				_exit(1);
			have = len < keep ? len : keep;
			memmove(buf, buf + len - have, have);
		}
		_exit(buf ? 0 : 2);
	}
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) < 2);
	return WEXITSTATUS(status);
}

static void life_file_has(const char *path, const char *needle)
{
	if (life_file_holds(path, needle))
		fail_msg("%s still holds \"%s\"", path, needle);
}

/* Asserts that nothing of the account is left but what PRODUCT.md keeps: every table with an
 * account_id column has no row of it (but the deletion record, the audit log reduced to ids,
 * invoices and credit notes and their PDF files), the accounts row is blanked, no text column
 * of any table (invoices aside) holds its name, e-mail or slug, and on SQLite neither the store
 * file nor its WAL holds the name any more. */
LIFE_UNUSED static void assert_purged(const char *account_public_id, const char *name, const char *email,
				      const char *slug)
{
	db *d;
	struct err e = {0};
	if (db_open(H.store_url, NULL, &d, &e))
		fail_msg("open %s: %s", H.store_url, e.message);
	db_conn *c;
	assert_int_equal(db_acquire(d, &c, &e), 0);
	enum db_kind kind = db_kind(d);
	int64_t id = 0;
	assert_int_equal(db_query_int(c, "SELECT id FROM accounts WHERE public_id = $1",
				      DB_ARGS(DB_TEXT(account_public_id)), &id, &e),
			 1);
	assert_int_equal(
		life_count(c,
			   "SELECT count(*) FROM accounts WHERE id = $1 AND state = 'deleted' AND name = ''"
			   " AND contact_email = '' AND slug <> $2",
			   DB_ARGS(DB_INT(id), DB_TEXT(slug))),
		1);
	assert_int_equal(life_count(c,
				    "SELECT count(*) FROM account_deletions WHERE account_id = $1 AND "
				    "purged_at IS NOT NULL",
				    DB_ARGS(DB_INT(id))),
			 1);
	assert_int_equal(
		life_count(
			c,
			"SELECT count(*) FROM audit_log WHERE account_id = $1 AND (ip <> '' OR target <> '')",
			DB_ARGS(DB_INT(id))),
		0);
	char(*cols)[2][64];
	int n = life_columns(c, kind, &cols);
	assert_true(n > 20);
	int tables_with_account = 0;
	for (int i = 0; i < n; i++) {
		const char *t = cols[i][0], *col = cols[i][1];
		char sql[512];
		if (!strcmp(col, "account_id") && !life_kept_table(t)) {
			tables_with_account++;
			const char *pdf = !strcmp(t, "files")
						  ? " AND id NOT IN (SELECT pdf_file_id FROM invoices"
						    " WHERE pdf_file_id IS NOT NULL)"
					  : !strcmp(t, "file_chunks")
						  ? " AND file_id NOT IN (SELECT pdf_file_id FROM invoices"
						    " WHERE pdf_file_id IS NOT NULL)"
						  : "";
			snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s WHERE account_id = $1%s", t, pdf);
			int64_t left = life_count(c, sql, DB_ARGS(DB_INT(id)));
			if (left)
				fail_msg("%s still has %lld row(s) of the deleted account", t,
					 (long long)left);
		}
		if (strstr(t, "invoice") || strstr(t, "credit_note") || !strcmp(t, "file_chunks"))
			continue; /* the law keeps the customer's identity on its documents */
		const char *needles[] = {name, email, slug};
		for (int k = 0; k < 3; k++) {
			snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s WHERE CAST(%s AS TEXT) LIKE $1",
				 t, col);
			char like[200];
			snprintf(like, sizeof(like), "%%%s%%", needles[k]);
			int64_t left = life_count(c, sql, DB_ARGS(DB_TEXT(like)));
			if (left)
				fail_msg("%s.%s still holds \"%s\"", t, col, needles[k]);
		}
	}
	assert_true(tables_with_account > 10); /* the scan did see the tenant tables */
	free(cols);
	db_release(c);
	db_close(d);
	if (kind == DB_SQLITE) {
		const char *path = H.store_url + strlen("sqlite:");
		char wal[600];
		snprintf(wal, sizeof(wal), "%s-wal", path);
		life_file_has(path, name);
		life_file_has(wal, name);
		life_file_has(path, email);
		life_file_has(wal, email);
	}
}

#endif
