/* password — argon2id hashes (libsodium) computed on their own bounded pool of at most the
 * core count, so log-ins never starve other requests of CPU: when the pool's queue is full
 * the caller gets 503 `busy` with Retry-After instead of waiting. Also the password policy
 * (at least 10 characters, not a common password, not the e-mail). */
#ifndef CRENEAU_PASSWORD_H
#define CRENEAU_PASSWORD_H
#include <stddef.h>

#include "base/err.h"

#define PASSWORD_MIN	   10
#define PASSWORD_MAX	   256 /* bytes; longer input is refused before hashing */
#define PASSWORD_HASH_SIZE 128 /* crypto_pwhash_STRBYTES */

/* Starts the hashing pool (threads <= 0: the core count; queue: waiting jobs before 503).
 * Idempotent; password_hash/verify start it with defaults when nobody did. */
void password_pool_start(int threads, int queue);
void password_pool_stop(void);

/* 0 when pw may be used by this e-mail; else 400 `weak_password` on `field` saying why. */
int password_policy_check(const char *pw, const char *email, const char *field, struct err *e) WUR;
/* Hashes pw with argon2id into out (NUL-terminated). 503 `busy` when the pool is full. */
int password_hash(const char *pw, char out[PASSWORD_HASH_SIZE], struct err *e) WUR;
/* 1 when pw matches hash, 0 when not, negative on error (503 `busy`). Constant work for
 * a NULL or empty hash too (so an unknown e-mail costs the same as a wrong password). */
int password_verify(const char *hash, const char *pw, struct err *e) WUR;

#endif
