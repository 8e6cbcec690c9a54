/* token — random values from libsodium: secret tokens for sessions, links and idempotency
 * keys, the hash the store keeps of them, request ids and uniform random numbers. Every
 * function is thread-safe and initialises libsodium on first use (aborting if it cannot:
 * the program must not run without a random source). */
#ifndef CRENEAU_TOKEN_H
#define CRENEAU_TOKEN_H
#include <stddef.h>
#include <stdint.h>

#define TOKEN_BYTES	32  /* random bytes in a token */
#define TOKEN_LEN	43  /* their base64url text, no padding */
#define TOKEN_HASH_LEN	64  /* SHA-256 in lower-case hex */
#define TOKEN_INPUT_MAX 256 /* longer inputs are never a token of ours */

/* Writes a fresh token (TOKEN_LEN base64url characters and a NUL) into out. */
void token_new(char out[TOKEN_LEN + 1]);
/* True when s looks like a token of ours: exactly TOKEN_LEN base64url characters. Check
 * this before hashing input that claims to be a token. */
int token_well_formed(const char *s);
/* Writes the SHA-256 of the token's text, in lower-case hex, into out: what the store keeps,
 * so a leaked table does not hand out live tokens. Input past TOKEN_INPUT_MAX is ignored. */
void token_hash(const char *token, char out[TOKEN_HASH_LEN + 1]);
/* Compares two strings in time that depends only on their lengths; true when equal. NULL
 * equals nothing. */
int token_equal(const char *a, const char *b);

/* Fills p with n random bytes. */
void rand_bytes(void *p, size_t n);
/* Writes 2*nbytes lower-case hex digits and a NUL into out (which holds 2*nbytes+1). */
void rand_hex(char *out, size_t nbytes);
/* A uniform random number in [0, n); 0 when n is 0. */
uint32_t rand_uniform(uint32_t n);

#endif
