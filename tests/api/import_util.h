/* import_util — what the import tests (810-812) share on top of harness.h: a file sent to
 * POST /api/v1/imports as the raw body, with its Content-Type and Content-Disposition, the way
 * the back office's file picker sends it. Include after cmocka.h. */
#ifndef CRENEAU_TEST_IMPORT_UTIL_H
#define CRENEAU_TEST_IMPORT_UTIL_H
#include <stdio.h>
#include <string.h>

#include "harness.h"

#define IU_UNUSED __attribute__((unused))

/* POST /api/v1/imports?kind=<kind> ("clients" or "appointments") with the file as the raw body
 * (len bytes, NUL bytes allowed), named "<kind>.csv". *out is the caller's to reply_free. */
IU_UNUSED static void import_upload(const struct session *s, const char *kind, const char *type,
				    const char *data, size_t len, struct reply *out)
{
	char path[64], ct[128], cd[128];
	snprintf(path, sizeof(path), "/api/v1/imports?kind=%s", kind);
	snprintf(ct, sizeof(ct), "Content-Type: %s", type);
	snprintf(cd, sizeof(cd), "Content-Disposition: attachment; filename=\"%s.csv\"", kind);
	const char *headers[] = {ct, s->cookie, s->csrf, cd, NULL};
	http_call_raw(&H, "POST", path, data, len, headers, out);
}

/* import_upload that fails the test unless the answer has `status`, printing the answer first. */
IU_UNUSED static void import_upload_expect(const struct session *s, const char *kind, const char *type,
					   const char *data, size_t len, long status, struct reply *out)
{
	import_upload(s, kind, type, data, len, out);
	if (out->status != status)
		fprintf(stderr, "upload answered %ld, not %ld: %s\n", out->status, status, out->body);
	assert_int_equal(out->status, status);
}

#endif
