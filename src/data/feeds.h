/* feeds — a staff member's private calendar feed (docs/internals/data.md, "Feeds"): a random
 * token in the URL /feeds/{token}.ics, given once at creation; the store keeps only its
 * SHA-256, so a leaked table opens no feed. Revoking a feed ends it at once. Every function
 * takes the account id of the caller's principal. */
#ifndef CRENEAU_DATA_FEEDS_H
#define CRENEAU_DATA_FEEDS_H
#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "base/token.h"
#include "db/db.h"

#define FEEDS_PER_STAFF_MAX 10 /* live feeds of one staff member */

/* Creates a feed for the staff member with this public id, in the caller's transaction: its
 * public id to id_out and the token (shown once) to token_out. 404 `not_found` for a staff
 * member of no such id in the account; 409 `too_many_feeds` over FEEDS_PER_STAFF_MAX. */
int feeds_create(db_conn *c, int64_t account_id, const char *staff_public_id, int64_t user_id, int64_t now,
		 char id_out[24], char token_out[TOKEN_LEN + 1], struct err *e) WUR;
/* Revokes the feed with this public id; 404 `not_found` when the account has no live one. */
int feeds_revoke(db_conn *c, int64_t account_id, const char *feed_public_id, int64_t now, struct err *e) WUR;
/* The live feeds of the account, as a JSON array of {id, staff: {id, name}, created_at (UTC
 * seconds)}; the token is never there. */
int feeds_list(db_conn *c, int64_t account_id, json_t **out, struct err *e) WUR;
/* Resolves a token: 1 with the account and staff ids when it opens a live feed, 0 when not,
 * negative on error. */
int feeds_resolve(db_conn *c, const char *token, int64_t *account_id, int64_t *staff_id, struct err *e) WUR;

#endif
