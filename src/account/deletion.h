/* deletion — closing an account for good (docs/internals/lifecycle.md): the request, which
 * stops everything at once, and the purge job, which removes every row of the account from
 * every table of the store except what PRODUCT.md keeps: invoices and credit notes, the
 * content-free deletion record (account_deletions, with the slug's hash), the accounts row
 * blanked to ids, and audit-log entries reduced to ids (IPs dropped). */
#ifndef CRENEAU_DELETION_H
#define CRENEAU_DELETION_H
#include <stdint.h>

#include "account/account.h"
#include "base/err.h"
#include "db/db.h"

#define DELETION_CONFIRMATION "SUPPRIMER" /* the word the owner types */
#define DELETION_HASH_SIZE    65	  /* hex SHA-256 and its NUL */

/* Deletes the account, in the caller's transaction: state `deleting`, every session and
 * e-mailed link of its users ended, the deletion record with the slug's hash and the credit left
 * (billing_credit_left) for refund, the owners told by e-mail, an audit entry, and the purge job
 * enqueued (lifecycle_options.purge_delay_s later). origin: "owner" (self-service), "support"
 * (a deletion-request ticket), "retention" (a frozen or cancelled account's time ran out).
 * 404 when the account is already deleting or deleted, or unknown. */
int account_delete(db_conn *c, int64_t account_id, const char *origin, int64_t now, struct err *e) WUR;

/* The hex SHA-256 of a slug, as kept after the purge. */
void deletion_slug_hash(const char *slug, char out[DELETION_HASH_SIZE]);
/* 1 when a deleted account had this slug (its address answers 410 and is never given again),
 * 0 when not, negative on error. */
int deletion_slug_retired(db_conn *c, const char *slug, struct err *e) WUR;
/* The one answer of every public route (page, availability, booking, logo) about a slug:
 * a is the account that has it, or NULL when none has. 0 when a is there and neither deleting
 * nor deleted; else -1 with 410 `account_deleted` (a deleting or deleted, or no account and a
 * purged one had the slug) or 404 `not_found`. */
int deletion_public_slug(db_conn *c, const char *slug, const struct account *a, struct err *e) WUR;

/* The purge of a `deleting` account (the job calls it; idempotent: an account in another state
 * is left alone): every row of every table with an account_id column outside the kept ones,
 * children before parents, with SQLite's secure_delete on; then the accounts row blanked, the
 * state `deleted`, the record's purged_at; then, on SQLite, the freed pages given back
 * (incremental_vacuum) and the WAL truncated. */
int deletion_purge(db *d, int64_t account_id, int64_t now, struct err *e) WUR;

/* Calls each(ctx, table) for every table of the store with an account_id column, in name order
 * (the purge's list, and the export archive's); stops at the first non-zero return. */
int deletion_account_tables(db_conn *c, enum db_kind kind,
			    int (*each)(void *ctx, const char *table, struct err *e), void *ctx,
			    struct err *e) WUR;

/* 1 when the purge keeps the rows of this table (see above), else 0. */
int deletion_table_kept(const char *table);

#endif
