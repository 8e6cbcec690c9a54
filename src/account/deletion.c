/* Closing an account: the request and the purge (docs/internals/lifecycle.md). */
#include "account/deletion.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account/account.h"
#include "account/lifecycle.h"
#include "account/lifecycle_int.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "billing/billing.h"
#include "jobs/jobs.h"
#include "notify/notify.h"
#include "ops/backup.h"
#include "base/banned.h"

void deletion_slug_hash(const char *slug, char out[DELETION_HASH_SIZE])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)slug, strlen(slug));
	sodium_bin2hex(out, DELETION_HASH_SIZE, h, sizeof(h));
}

int deletion_slug_retired(db_conn *c, const char *slug, struct err *e)
{
	char hash[DELETION_HASH_SIZE];
	deletion_slug_hash(slug, hash);
	int64_t n = 0;
	if (db_query_int(c, "SELECT count(*) FROM account_deletions WHERE slug_hash = $1",
			 DB_ARGS(DB_TEXT(hash)), &n, e) < 0)
		return -1;
	return n > 0;
}

int deletion_public_slug(db_conn *c, const char *slug, const struct account *a, struct err *e)
{
	if (a && a->state != ACCOUNT_DELETING && a->state != ACCOUNT_DELETED)
		return 0;
	int retired = a ? 1 : deletion_slug_retired(c, slug, e); /* a purged business's old address */
	if (retired < 0)
		return -1;
	if (retired)
		return err_set(e, 410, "account_deleted", NULL, "this business has closed its account");
	return err_set(e, 404, "not_found", NULL, "no such business");
}

int account_delete(db_conn *c, int64_t account_id, const char *origin, int64_t now, struct err *e)
{
	if (strcmp(origin, "owner") && strcmp(origin, "support") && strcmp(origin, "retention"))
		return err_internal(e, "unknown deletion origin %s", origin);
	struct lifecycle_row r;
	if (lifecycle_load(c, account_id, 1, &r, e))
		return -1;
	if (r.a.state == ACCOUNT_DELETING || r.a.state == ACCOUNT_DELETED)
		return err_set(e, 404, "not_found", NULL, "this account is already deleted");
	int64_t credit = 0;
	if (billing_credit_left(c, account_id, &credit, e))
		return -1;
	char hash[DELETION_HASH_SIZE];
	deletion_slug_hash(r.a.slug, hash);
	/* recorded outside the store first, so a restored backup deletes it again (ops/backup.h) */
	if (backup_ledger_account(account_id, hash, origin, now, e))
		return -1;
	if (db_exec(c,
		    "UPDATE accounts SET state = 'deleting', state_reason = NULL, state_changed_at = $2,"
		    " deletion_requested_at = $2, updated_at = $2, version = version + 1 WHERE id = $1",
		    DB_ARGS(DB_INT(account_id), DB_INT(now)), e) < 0 ||
	    db_exec(c, "DELETE FROM sessions WHERE account_id = $1", DB_ARGS(DB_INT(account_id)), e) < 0 ||
	    db_exec(c, "DELETE FROM user_tokens WHERE account_id = $1", DB_ARGS(DB_INT(account_id)), e) < 0 ||
	    db_exec(c,
		    "INSERT INTO account_deletions (account_id, slug_hash, origin, requested_at, "
		    "credit_left_cents)"
		    " VALUES ($1, $2, $3, $4, $5)",
		    DB_ARGS(DB_INT(account_id), DB_TEXT(hash), DB_TEXT(origin), DB_INT(now),
			    DB_INT(credit > 0 ? credit : 0)),
		    e) < 0)
		return -1;
	/* the owners are told now: their addresses are gone after the purge */
	if (lifecycle_mail_owners(c, account_id, "account_deleted", now,
				  json_pack("{s:s, s:s}", "business", r.a.name, "origin", origin), e))
		return -1;

	/* the purge job is no account's: it outlives every row of the account */
	char key[64];
	snprintf(key, sizeof(key), "lifecycle.purge:%lld", (long long)account_id);
	json_t *payload = json_pack("{s:I}", "account", (json_int_t)account_id);
	struct job_spec s = {.kind = "lifecycle.purge",
			     .unique_key = key,
			     .payload = payload,
			     .run_at = now + lifecycle_options_get()->purge_delay_s};
	int rc = jobs_enqueue(c, &s, e);
	json_decref(payload);
	if (rc < 0)
		return -1;
	char detail[96];
	snprintf(detail, sizeof(detail), "{\"origin\":\"%s\",\"credit_left_cents\":%lld}", origin,
		 (long long)credit);
	return audit_write(c, account_id, 0, 0, "account.delete", "", "", detail, now, e);
}

/* ---- the purge ---- */

/* What PRODUCT.md keeps: invoices and credit notes (billing's tables, 10 years), the deletion
 * record, the accounts row (blanked below) and the audit log (reduced below). */
int deletion_table_kept(const char *t)
{
	return !strcmp(t, "accounts") || !strcmp(t, "account_deletions") || !strcmp(t, "audit_log") ||
	       strstr(t, "invoice") != NULL || strstr(t, "credit_note") != NULL;
}

#define MAX_TABLES 256
#define NAME_MAX_B 64

struct table_set {
	char names[MAX_TABLES][NAME_MAX_B];
	int n;
	int has_invoices; /* billing's invoices table exists: its PDFs (files) are kept */
	/* refs[i][j]: table i has a foreign key to table j */
	unsigned char refs[MAX_TABLES][MAX_TABLES];
};

static int identifier_ok(const char *s)
{
	size_t n = strlen(s);
	if (!n || n >= NAME_MAX_B)
		return 0;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return 0;
	return 1;
}

static int table_index(const struct table_set *t, const char *name)
{
	for (int i = 0; i < t->n; i++)
		if (!strcmp(t->names[i], name))
			return i;
	return -1;
}

int deletion_account_tables(db_conn *c, enum db_kind kind,
			    int (*each)(void *ctx, const char *table, struct err *e), void *ctx,
			    struct err *e)
{
	db_rows *r;
	const char *tables_sql =
		kind == DB_SQLITE
			? "SELECT m.name FROM sqlite_master m JOIN pragma_table_info(m.name) p"
			  " WHERE m.type = 'table' AND p.name = 'account_id' ORDER BY m.name"
			: "SELECT c.table_name FROM information_schema.columns c JOIN "
			  "information_schema.tables t"
			  " ON t.table_schema = c.table_schema AND t.table_name = c.table_name"
			  " WHERE c.table_schema = current_schema() AND c.column_name = 'account_id'"
			  " AND t.table_type = 'BASE TABLE' ORDER BY c.table_name";
	if (db_query(c, tables_sql, DB_NOARGS, &r, e))
		return -1;
	int rc;
	while ((rc = db_rows_next(r, e)) == 1) {
		const char *name = db_rows_text(r, 0);
		if (!name || !identifier_ok(name)) {
			db_rows_free(r);
			return err_internal(e, "unexpected table name %s", name ? name : "?");
		}
		if (each(ctx, name, e)) {
			db_rows_free(r);
			return -1;
		}
	}
	db_rows_free(r);
	return rc < 0 ? -1 : 0;
}

static int add_table(void *ctx, const char *name, struct err *e)
{
	struct table_set *t = ctx;
	if (!strcmp(name, "invoices"))
		t->has_invoices = 1;
	if (deletion_table_kept(name))
		return 0;
	if (t->n >= MAX_TABLES)
		return err_internal(e, "cannot purge table %s", name);
	snprintf(t->names[t->n++], NAME_MAX_B, "%s", name);
	return 0;
}

/* Every table of the store with an account_id column, but the kept ones, and the foreign keys
 * between them. */
static int list_tables(db_conn *c, enum db_kind kind, struct table_set *t, struct err *e)
{
	t->n = 0;
	t->has_invoices = 0;
	memset(t->refs, 0, sizeof(t->refs));
	if (deletion_account_tables(c, kind, add_table, t, e))
		return -1;
	db_rows *r;
	int rc;
	const char *fk_sql = kind == DB_SQLITE ? "SELECT m.name, f.\"table\" FROM sqlite_master m JOIN "
						 "pragma_foreign_key_list(m.name) f"
						 " WHERE m.type = 'table'"
					       : "SELECT c1.relname, c2.relname FROM pg_constraint k JOIN "
						 "pg_class c1 ON c1.oid = k.conrelid"
						 " JOIN pg_class c2 ON c2.oid = k.confrelid JOIN "
						 "pg_namespace n ON n.oid = c1.relnamespace"
						 " WHERE k.contype = 'f' AND n.nspname = current_schema()";
	if (db_query(c, fk_sql, DB_NOARGS, &r, e))
		return -1;
	while ((rc = db_rows_next(r, e)) == 1) {
		int from = table_index(t, db_rows_text(r, 0)), to = table_index(t, db_rows_text(r, 1));
		if (from >= 0 && to >= 0 && from != to)
			t->refs[from][to] = 1;
	}
	db_rows_free(r);
	return rc < 0 ? -1 : 0;
}

/* Deletes the account's rows table by table, a table only once no remaining table refers to it
 * (children first). */
static int delete_rows(db_conn *c, struct table_set *t, int64_t account_id, struct err *e)
{
	unsigned char done[MAX_TABLES] = {0};
	for (int left = t->n; left > 0;) {
		int pick = -1;
		for (int i = 0; i < t->n && pick < 0; i++) {
			if (done[i])
				continue;
			int referenced = 0;
			for (int j = 0; j < t->n && !referenced; j++)
				referenced = !done[j] && t->refs[j][i];
			if (!referenced)
				pick = i;
		}
		if (pick < 0) /* a cycle: take the first left, the store says if it is wrong */
			for (int i = 0; i < t->n && pick < 0; i++)
				if (!done[i])
					pick = i;
		/* the PDFs of invoices and credit notes are files: kept with them */
		const char *keep =
			!t->has_invoices ? ""
			: !strcmp(t->names[pick], "files")
				? " AND id NOT IN (SELECT pdf_file_id FROM invoices WHERE account_id = $1"
				  " AND pdf_file_id IS NOT NULL)"
			: !strcmp(t->names[pick], "file_chunks") ? " AND file_id NOT IN (SELECT pdf_file_id "
								   "FROM invoices WHERE account_id = $1"
								   " AND pdf_file_id IS NOT NULL)"
								 : "";
		char sql[320];
		snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE account_id = $1%s", t->names[pick], keep);
		if (db_exec(c, sql, DB_ARGS(DB_INT(account_id)), e) < 0)
			return -1;
		done[pick] = 1;
		left--;
	}
	return 0;
}

static int purge_tx(db_conn *c, enum db_kind kind, int64_t account_id, int64_t now, int *purged,
		    struct err *e)
{
	*purged = 0;
	struct lifecycle_row r;
	if (lifecycle_load(c, account_id, 1, &r, e))
		return e->status == 404 ? 0 : -1;
	if (r.a.state != ACCOUNT_DELETING)
		return 0;
	struct table_set *t = xcalloc(1, sizeof(*t));
	/* PostgreSQL keeps rate-limit counters in a table, keyed by the users' addresses */
	int rc = kind == DB_PG && db_exec(c,
					  "DELETE FROM rate_limits WHERE EXISTS (SELECT 1 FROM users u WHERE"
					  " u.account_id = $1 AND rate_limits.key LIKE '%:' || u.email)",
					  DB_ARGS(DB_INT(account_id)), e) < 0
			 ? -1
			 : 0;
	if (!rc)
		rc = list_tables(c, kind, t, e) || delete_rows(c, t, account_id, e) ? -1 : 0;
	free(t);
	if (rc)
		return -1;
	char hash[DELETION_HASH_SIZE];
	deletion_slug_hash(r.a.slug, hash);
	if (db_exec(c, "UPDATE audit_log SET ip = '', target = '', detail = '{}' WHERE account_id = $1",
		    DB_ARGS(DB_INT(account_id)), e) < 0 ||
	    db_exec(c,
		    "UPDATE accounts SET name = '', slug = $2, business_type = '', contact_email = '', phone "
		    "= '',"
		    " address = '', website = '', has_demo = 0, state = 'deleted', state_reason = NULL,"
		    " state_changed_at = $3, trial_ends_at = NULL, cancel_at = NULL, frozen_at = NULL,"
		    " delete_at = NULL, updated_at = $3, version = version + 1 WHERE id = $1",
		    DB_ARGS(DB_INT(account_id), DB_TEXT(hash), DB_INT(now)), e) < 0 ||
	    db_exec(c, "UPDATE account_deletions SET purged_at = $2 WHERE account_id = $1",
		    DB_ARGS(DB_INT(account_id), DB_INT(now)), e) < 0)
		return -1;
	*purged = 1;
	return 0;
}

int deletion_purge(db *d, int64_t account_id, int64_t now, struct err *e)
{
	enum db_kind kind = db_kind(d);
	db_conn *c;
	if (db_acquire(d, &c, e))
		return -1;
	/* deleted cells and freed pages are overwritten with zeros (FAST, every connection's
	 * setting, leaves freelist pages as they were) */
	if (kind == DB_SQLITE && db_exec(c, "PRAGMA secure_delete = ON", DB_NOARGS, e) < 0) {
		db_release(c);
		return -1;
	}
	int purged = 0;
	int rc = db_begin(c, e);
	if (!rc) {
		rc = purge_tx(c, kind, account_id, now, &purged, e);
		if (rc)
			db_rollback(c);
		else
			rc = db_commit(c, e);
	}
	if (kind == DB_SQLITE) {
		struct err ignored = {0};
		if (!rc && purged) {
			/* give the freed pages back, then empty the WAL that still holds the old pages */
			if (db_exec(c, "PRAGMA incremental_vacuum", DB_NOARGS, &ignored) < 0)
				log_warn("msg=\"purge: incremental_vacuum failed\" error=\"%s\"",
					 ignored.message);
			db_rows *r;
			if (!db_query(c, "PRAGMA wal_checkpoint(TRUNCATE)", DB_NOARGS, &r, &ignored)) {
				if (db_rows_next(r, &ignored) == 1 && db_rows_int(r, 0) != 0)
					log_warn("msg=\"purge: the WAL checkpoint was blocked by readers\"");
				db_rows_free(r);
			}
		}
		if (db_exec(c, "PRAGMA secure_delete = FAST", DB_NOARGS, &ignored) < 0)
			log_warn("msg=\"purge: cannot reset secure_delete\"");
	}
	db_release(c);
	if (!rc && purged)
		log_info("msg=\"account purged\" account=%lld", (long long)account_id);
	return rc;
}
