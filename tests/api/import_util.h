/* import_util — what the import tests (810-812) share on top of harness.h: a file sent to
 * POST /api/v1/imports as the raw body, with its Content-Type and Content-Disposition, the way
 * the back office's file picker sends it (http_call takes a NUL-terminated body only). Include
 * after cmocka.h. */
#ifndef CRENEAU_TEST_IMPORT_UTIL_H
#define CRENEAU_TEST_IMPORT_UTIL_H
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define IU_UNUSED __attribute__((unused))

static size_t iu_collect(char *data, size_t size, size_t n, void *ud)
{
	struct reply *r = ud;
	size_t add = size * n;
	char *p = realloc(r->body, r->len + add + 1);
	assert_non_null(p);
	r->body = p;
	memcpy(r->body + r->len, data, add);
	r->len += add;
	r->body[r->len] = 0;
	return add;
}

/* POST /api/v1/imports?kind=<kind> ("clients" or "appointments") with the file as the raw body
 * (len bytes, NUL bytes allowed), named "<kind>.csv". *out is the caller's to reply_free. */
IU_UNUSED static void import_upload(const struct session *s, const char *kind, const char *type,
				    const char *data, size_t len, struct reply *out)
{
	memset(out, 0, sizeof(*out));
	char url[256], ct[128], cd[128];
	snprintf(url, sizeof(url), "%s/api/v1/imports?kind=%s", H.base_url, kind);
	snprintf(ct, sizeof(ct), "Content-Type: %s", type);
	snprintf(cd, sizeof(cd), "Content-Disposition: attachment; filename=\"%s.csv\"", kind);
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	h = curl_slist_append(h, ct);
	h = curl_slist_append(h, s->cookie);
	h = curl_slist_append(h, s->csrf);
	h = curl_slist_append(h, cd);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, data);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, iu_collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	if (!out->body)
		out->body = calloc(1, 1);
	out->json = json_loads(out->body, 0, NULL);
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
