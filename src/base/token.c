/* token — see token.h. */
#include "base/token.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/banned.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init_sodium(void)
{
	if (sodium_init() < 0) {
		fprintf(stderr, "creneau: libsodium cannot initialise (no random source)\n");
		abort();
	}
}

static void ready(void)
{
	pthread_once(&once, init_sodium);
}

void token_new(char out[TOKEN_LEN + 1])
{
	unsigned char raw[TOKEN_BYTES];
	ready();
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(out, TOKEN_LEN + 1, raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
}

int token_well_formed(const char *s)
{
	if (!s || strnlen(s, TOKEN_LEN + 1) != TOKEN_LEN)
		return 0;
	for (int i = 0; i < TOKEN_LEN; i++) {
		char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

void token_hash(const char *token, char out[TOKEN_HASH_LEN + 1])
{
	unsigned char digest[crypto_hash_sha256_BYTES];
	size_t n = token ? strnlen(token, TOKEN_INPUT_MAX) : 0;
	ready();
	crypto_hash_sha256(digest, (const unsigned char *)(token ? token : ""), n);
	sodium_bin2hex(out, TOKEN_HASH_LEN + 1, digest, sizeof(digest));
}

int token_equal(const char *a, const char *b)
{
	if (!a || !b)
		return 0;
	size_t na = strnlen(a, TOKEN_INPUT_MAX + 1), nb = strnlen(b, TOKEN_INPUT_MAX + 1);
	if (na != nb || na > TOKEN_INPUT_MAX)
		return 0;
	ready();
	return sodium_memcmp(a, b, na) == 0;
}

void rand_bytes(void *p, size_t n)
{
	ready();
	randombytes_buf(p, n);
}

void rand_hex(char *out, size_t nbytes)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[64];
	ready();
	size_t done = 0;
	while (done < nbytes) {
		size_t chunk = nbytes - done < sizeof(raw) ? nbytes - done : sizeof(raw);
		randombytes_buf(raw, chunk);
		for (size_t i = 0; i < chunk; i++) {
			out[2 * (done + i)] = hex[raw[i] >> 4];
			out[2 * (done + i) + 1] = hex[raw[i] & 15];
		}
		done += chunk;
	}
	out[2 * nbytes] = '\0';
}

uint32_t rand_uniform(uint32_t n)
{
	if (n == 0)
		return 0;
	ready();
	return randombytes_uniform(n);
}
