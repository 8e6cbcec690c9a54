/* Fuzz target: request bodies as the adapter decodes them (http_json_decode: depth cap,
 * duplicate keys refused, objects only), then read by the handlers' input helpers
 * (api_string, api_int, api_bool, api_only_fields). */
#include <jansson.h>
#include <string.h>

#include "app/api.h"
#include "fuzz/fuzz.h"
#include "http/http_int.h"

static void read_field(const json_t *j, const char *field)
{
	struct err e;
	char out[65];
	int64_t n;
	int b;
	memset(out, 'x', sizeof(out));
	if (api_string(j, field, 1, out, 64, &e) == 0) {
		size_t len = strlen(out);
		FUZZ_CHECK(len > 0 && len <= 64);
		FUZZ_CHECK(fuzz_utf8_ok(out, len));
		FUZZ_CHECK(out[0] != ' ' && out[len - 1] != ' ' && out[len - 1] != '\n');
		for (size_t i = 0; i < len; i++)
			FUZZ_CHECK((unsigned char)out[i] >= 0x20 || out[i] == '\n' || out[i] == '\t');
	} else {
		FUZZ_CHECK(e.status == 400 && e.code[0]);
	}
	if (api_int(j, field, 0, 7, -1000, 1000, &n, &e) == 0)
		FUZZ_CHECK(n >= -1000 && n <= 1000);
	else
		FUZZ_CHECK(e.status == 400);
	if (api_bool(j, field, 0, 0, &b, &e) == 0)
		FUZZ_CHECK(b == 0 || b == 1);
	else
		FUZZ_CHECK(e.status == 400);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err e;
	json_t *j = http_json_decode((const char *)data, size, &e);
	if (!j) {
		FUZZ_CHECK(e.status == 400 && !strcmp(e.code, "invalid_json"));
		return 0;
	}
	FUZZ_CHECK(json_is_object(j));
	static const char *const allowed[] = {"name", "email", "phone", "notes", "a", NULL};
	if (api_only_fields(j, allowed, &e) < 0)
		FUZZ_CHECK(e.status == 400 && !strcmp(e.code, "unknown_field"));
	const char *key;
	json_t *v;
	int seen = 0;
	json_object_foreach(j, key, v)
	{
		if (++seen > 16)
			break;
		read_field(j, key);
	}
	read_field(j, "name");
	/* what was accepted prints back to JSON that is accepted again */
	char *text = json_dumps(j, JSON_COMPACT);
	FUZZ_CHECK(text);
	json_t *again = http_json_decode(text, strlen(text), &e);
	FUZZ_CHECK(again && json_equal(j, again));
	json_decref(again);
	free(text);
	json_decref(j);
	return 0;
}
