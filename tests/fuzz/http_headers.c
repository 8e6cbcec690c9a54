/* Fuzz target: the request headers the adapter reads itself: X-Forwarded-For,
 * Accept-Encoding and If-None-Match. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new();
	char *s = arena_strndup(a, (const char *)data, size); /* headers never hold a NUL */
	char t1[] = "10.0.0.1", t2[] = "2001:db8::1";
	char *trusted[] = {t1, t2};
	const char *ip = http_client_ip("10.0.0.1", s, trusted, 2, a);
	char norm[64];
	if (!ip || (strcmp(ip, "10.0.0.1") && http_ip_normalise(ip, strlen(ip), norm, sizeof(norm)) < 0))
		abort(); /* the answer is always an address */
	(void)http_accepts_gzip(s);
	(void)http_etag_matches(s, "\"abc\"");
	arena_free(a);
	return 0;
}
