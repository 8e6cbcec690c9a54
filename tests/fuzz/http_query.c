/* Fuzz target: query strings and percent-decoding. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new();
	struct http_kv *kv;
	struct err e;
	int n = http_query_parse((const char *)data, size, a, &kv, &e);
	if (n > HTTP_QUERY_MAX)
		abort();
	if (n < 0 && e.status != 400)
		abort();
	for (int i = 0; i < n; i++)
		if (!kv[i].name || !kv[i].value)
			abort();
	char *out = arena_alloc(a, size + 1);
	long len = http_pct_decode((const char *)data, size, out, 0);
	if (len > (long)size || (len >= 0 && (out[len] != '\0' || strlen(out) != (size_t)len)))
		abort();
	arena_free(a);
	return 0;
}
