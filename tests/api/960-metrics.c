/* /metrics after real traffic: every family an operator's alerts stand on is there
 * (docs/operations.md "Metrics" and "Alerts") — requests by route and status, latency
 * histograms per route, store pool waits, jobs by kind with the age of the oldest due one,
 * messages sent by channel — and a failed request is counted without leaking its cause. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"

static char *metrics_body(void)
{
	struct reply r;
	http_call(&H, "GET", "/metrics", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	char *body = strdup(r.body);
	reply_free(&r);
	return body;
}

/* The value of the first sample line starting with `prefix` (name and labels), or -1. */
static double sample(const char *body, const char *prefix)
{
	size_t n = strlen(prefix);
	for (const char *p = body; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, prefix, n) && p[n] == ' ')
			return strtod(p + n + 1, NULL);
	return -1;
}

static void every_family_is_exposed_after_traffic(void **state)
{
	(void)state;
	struct session owner;
	char email[128];
	snprintf(email, sizeof(email), "metrics-%d-%s@example.fr", (int)getpid(), harness_store_kind());
	harness_signup(&H, "Salon Métrique", email, NULL, &owner);
	struct reply r;
	session_expect(&H, &owner, "GET", "/api/v1/clients?limit=5", NULL, 200, &r);
	reply_free(&r);
	session_call(&H, &owner, "GET", "/api/v1/clients/cli_nothere", NULL, &r);
	assert_int_equal(r.status, 404);
	reply_free(&r);
	/* an invitation is e-mailed by the in-process worker */
	char invited[128], body[300];
	snprintf(invited, sizeof(invited), "invited-%d-%s@example.fr", (int)getpid(), harness_store_kind());
	snprintf(body, sizeof(body), "{\"email\": \"%s\", \"name\": \"Léa Martin\", \"role\": \"staff\"}",
		 invited);
	session_expect(&H, &owner, "POST", "/api/v1/users", body, 201, &r);
	reply_free(&r);
	char token[64];
	mail_link_token(invited, "invitation", token);

	char *m = NULL;
	for (int i = 0; i < 50; i++) { /* the counter follows the send's bookkeeping by a moment */
		free(m);
		m = metrics_body();
		if (sample(m, "creneau_messages_total{channel=\"email\",result=\"sent\"}") >= 1)
			break;
		usleep(100 * 1000);
	}
	/* requests by route pattern and status, latency buckets per route */
	assert_true(
		sample(m, "http_requests_total{route=\"/api/v1/clients\",method=\"GET\",status=\"200\"}") >=
		1);
	assert_true(
		sample(m,
		       "http_requests_total{route=\"/api/v1/clients/{id}\",method=\"GET\",status=\"404\"}") >=
		1);
	assert_true(
		sample(m, "http_request_duration_seconds_bucket{route=\"/api/v1/clients\",le=\"+Inf\"}") >=
		1);
	assert_true(sample(m, "http_request_duration_seconds_count{route=\"/api/v1/clients\"}") >= 1);
	/* the store pool */
	assert_true(sample(m, "creneau_store_pool_connections{state=\"in_use\"}") >= 0);
	assert_true(sample(m, "creneau_store_pool_waits_total") >= 0);
	assert_true(sample(m, "creneau_store_pool_wait_seconds_total") >= 0);
	assert_true(sample(m, "creneau_store_pool_timeouts_total") >= 0);
	/* the job queue, by kind: the invitation's e-mail job ran */
	assert_non_null(strstr(m, "creneau_jobs_by_kind{kind=\""));
	assert_non_null(strstr(m, "creneau_jobs_oldest_due_seconds{kind=\""));
	assert_true(sample(m, "creneau_jobs{state=\"done\"}") >= 1);
	/* messages by channel */
	assert_true(sample(m, "creneau_messages_total{channel=\"email\",result=\"sent\"}") >= 1);
	assert_true(sample(m, "creneau_messages_total{channel=\"email\",result=\"failed\"}") >= 0);
	assert_true(sample(m, "creneau_messages_total{channel=\"sms\",result=\"sent\"}") >= 0);
	assert_true(sample(m, "creneau_messages_total{channel=\"sms\",result=\"failed\"}") >= 0);
	free(m);
}

static void a_store_failure_is_a_counted_500_that_hides_its_cause(void **state)
{
	(void)state;
	struct session owner;
	char email[128];
	snprintf(email, sizeof(email), "metrics-500-%d-%s@example.fr", (int)getpid(), harness_store_kind());
	harness_signup(&H, "Salon Panne", email, NULL, &owner);
	char *before = metrics_body();
	double n0 = sample(before,
			   "http_requests_total{route=\"/api/v1/clients\",method=\"GET\",status=\"500\"}");
	free(before);
	struct reply r;
	for (long k = 1; k <= 8; k++) { /* whichever statement fails, the answer is a clean 5xx or a 200 */
		db_fault_fail_nth(H.app->db, k);
		session_call(&H, &owner, "GET", "/api/v1/clients?limit=5", NULL, &r);
		db_fault_fail_nth(H.app->db, 0);
		if (r.status == 500) {
			const char *msg = json_string_value(
				json_object_get(json_object_get(r.json, "error"), "message"));
			assert_string_equal(msg, "internal error");
			reply_free(&r);
			char *after = metrics_body();
			double n1 = sample(after, "http_requests_total{route=\"/api/v1/"
						  "clients\",method=\"GET\",status=\"500\"}");
			free(after);
			assert_true(n1 >= (n0 < 0 ? 0 : n0) + 1);
			return;
		}
		reply_free(&r);
	}
	fail_msg("no injected store failure gave a 500");
}

int main(void)
{
	if (harness_need_smtp())
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_family_is_exposed_after_traffic),
		cmocka_unit_test(a_store_failure_is_a_counted_500_that_hides_its_cause),
	};
	return cmocka_run_group_tests_name("api/metrics", tests, harness_setup, harness_teardown);
}
