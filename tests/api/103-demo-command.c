/* `creneau demo` (what `make run` calls) creates a business a newcomer can browse: its owner
 * logs in with the printed credentials, its public page lists services and staff, and running
 * it again changes nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "account/signup.h"
#include "harness.h"

static void run_demo(char *out, size_t cap)
{
	const char *bin = getenv("CRENEAU_BIN");
	assert_non_null(bin);
	char cmd[1200];
	snprintf(cmd, sizeof(cmd), "'%s' demo --log-level warn --store '%s' 2>&1", bin, H.store_url);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	size_t n = fread(out, 1, cap - 1, p);
	out[n] = '\0';
	assert_int_equal(pclose(p), 0);
}

static void the_demo_business_is_ready_to_browse(void **state)
{
	(void)state;
	char out[4096];
	run_demo(out, sizeof(out));
	assert_non_null(strstr(out, "created"));
	assert_non_null(strstr(out, DEMO_OWNER_EMAIL));

	struct reply r;
	char body[256];
	snprintf(body, sizeof(body), "{\"email\": \"%s\", \"password\": \"%s\"}", DEMO_OWNER_EMAIL,
		 DEMO_OWNER_PASSWORD);
	const char *headers[] = {harness_next_ip_header(), NULL};
	http_call(&H, "POST", "/api/v1/session", body, headers, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_path_str(r.json, "account", "state"), "trial");
	assert_true(json_is_true(json_object_get(json_object_get(r.json, "account"), "has_demo")));
	char slug[64];
	snprintf(slug, sizeof(slug), "%s", json_path_str(r.json, "account", "slug"));
	reply_free(&r);

	char path[128];
	snprintf(path, sizeof(path), "/api/v1/public/%s", slug);
	http_call(&H, "GET", path, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_true(json_is_true(json_object_get(r.json, "bookings_open")));
	assert_true(json_array_size(json_object_get(r.json, "services")) >= 1);
	assert_true(json_array_size(json_object_get(r.json, "staff")) >= 1);
	reply_free(&r);

	run_demo(out, sizeof(out));
	assert_non_null(strstr(out, "already there"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_demo_business_is_ready_to_browse),
	};
	return cmocka_run_group_tests_name("api/demo-command", tests, harness_setup, harness_teardown);
}
