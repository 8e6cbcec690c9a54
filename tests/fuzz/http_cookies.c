/* Fuzz target: Cookie header parsing and cookie validation. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new();
	struct http_kv *kv;
	int n = http_cookies_parse((const char *)data, size, a, &kv);
	if (n < 0 || n > HTTP_COOKIES_MAX)
		abort();
	for (int i = 0; i < n; i++)
		if (!kv[i].name[0] || !http_cookie_valid(kv[i].name, kv[i].value))
			abort(); /* what the parser keeps is what the writer would accept */
	arena_free(a);
	return 0;
}
