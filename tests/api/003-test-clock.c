/* The test clock: kept in the store so every process of a test shares it, moved with
 * POST /api/v1/test/clock; advancing runs each due job in order, at its own instant. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/clock.h"
#include "base/tz.h"
#include "harness.h"
#include "jobs/jobs.h"

#define MAX_RUNS 16
static struct {
	char name[16];
	int64_t at;
} runs[MAX_RUNS];
static int nruns;

static int enqueue(db_conn *c, const char *name, int64_t run_at)
{
	struct err e = {0};
	json_t *payload = json_pack("{s:s}", "name", name);
	char key[64];
	snprintf(key, sizeof(key), "test-note:%s", name);
	struct job_spec s = {.kind = "test.note", .unique_key = key, .payload = payload, .run_at = run_at};
	int rc = jobs_enqueue(c, &s, &e);
	json_decref(payload);
	return rc;
}

/* Records its name and the clock; the job named "b" enqueues "b-follow-up" 30 s later. */
static enum job_result note(db *d, const struct job *j, struct err *e)
{
	const char *name = json_string_value(json_object_get(j->payload, "name"));
	if (nruns < MAX_RUNS) {
		snprintf(runs[nruns].name, sizeof(runs[nruns].name), "%s", name);
		runs[nruns++].at = clock_now();
	}
	if (!strcmp(name, "b")) {
		db_conn *c;
		if (db_acquire(d, &c, e))
			return JOB_RETRY;
		int rc = db_begin(c, e) || enqueue(c, "b-follow-up", clock_now() + 30) < 0 || db_commit(c, e);
		db_release(c);
		return rc ? JOB_RETRY : JOB_DONE;
	}
	return JOB_DONE;
}

static void no_worker(struct config *cfg)
{
	cfg->no_worker = 1; /* the test drives the jobs itself */
}

static int setup(void **state)
{
	(void)state;
	jobs_register("test.note", note, 0);
	harness_start(&H, no_worker);
	return 0;
}

static int64_t parse(const char *s)
{
	int64_t t;
	assert_int_equal(tz_parse_rfc3339(s, &t, NULL, "t"), 0);
	return t;
}

static int64_t clock_via_api(struct harness *h)
{
	struct reply r;
	http_call(h, "GET", "/api/v1/test/clock", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	int64_t t = parse(json_string_value(json_object_get(r.json, "now")));
	assert_int_equal(t, json_integer_value(json_object_get(r.json, "unix")));
	reply_free(&r);
	return t;
}

static void set_moves_the_clock(void **state)
{
	(void)state;
	struct reply r;
	http_call(&H, "POST", "/api/v1/test/clock", "{\"set\": \"2027-04-18T08:00:00+02:00\"}", NULL, &r);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	assert_int_equal(clock_via_api(&H), parse("2027-04-18T06:00:00Z"));
	assert_int_equal(clock_now(), parse("2027-04-18T06:00:00Z"));

	http_call(&H, "POST", "/api/v1/test/clock", "{\"set\": \"18/04/2027\"}", NULL, &r);
	assert_int_equal(r.status, 400);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")),
			    "set");
	reply_free(&r);

	http_call(&H, "POST", "/api/v1/test/clock",
		  "{\"set\": \"2027-04-18T08:00:00Z\", \"advance_seconds\": 5}", NULL, &r);
	assert_int_equal(r.status, 400);
	reply_free(&r);
}

static void advancing_runs_due_jobs_in_order_at_their_instant(void **state)
{
	(void)state;
	int64_t t0 = parse("2027-04-18T06:00:00Z");
	struct reply r;
	http_call(&H, "POST", "/api/v1/test/clock", "{\"set\": \"2027-04-18T06:00:00Z\"}", NULL, &r);
	reply_free(&r);

	struct err e = {0};
	db_conn *c;
	assert_int_equal(db_acquire(H.app->db, &c, &e), 0);
	assert_int_equal(db_begin(c, &e), 0);
	assert_int_equal(enqueue(c, "c", t0 + 7200), 1);
	assert_int_equal(enqueue(c, "a", t0 + 60), 1);
	assert_int_equal(enqueue(c, "b", t0 + 3600), 1);
	assert_int_equal(enqueue(c, "later", t0 + 10 * 86400), 1);
	assert_int_equal(enqueue(c, "a", t0 + 5), 0); /* same unique key: nothing new */
	assert_int_equal(db_commit(c, &e), 0);
	db_release(c);

	nruns = 0;
	http_call(&H, "POST", "/api/v1/test/clock", "{\"advance_to\": \"2027-04-19T06:00:00Z\"}", NULL, &r);
	assert_int_equal(r.status, 200);
	/* the product's own daily jobs (purges) fall due too; ours are four of those run */
	assert_true(json_integer_value(json_object_get(r.json, "jobs_run")) >= 4);
	reply_free(&r);

	const char *order[] = {"a", "b", "b-follow-up", "c"};
	const int64_t at[] = {t0 + 60, t0 + 3600, t0 + 3630, t0 + 7200};
	assert_int_equal(nruns, 4);
	for (int i = 0; i < 4; i++) {
		assert_string_equal(runs[i].name, order[i]);
		assert_int_equal(runs[i].at, at[i]);
	}
	assert_int_equal(clock_via_api(&H), t0 + 86400);

	/* relative advance reaches the job ten days out */
	http_call(&H, "POST", "/api/v1/test/clock", "{\"advance_seconds\": 864000}", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_true(json_integer_value(json_object_get(r.json, "jobs_run")) >= 1);
	reply_free(&r);
	assert_int_equal(nruns, 5);
	assert_string_equal(runs[4].name, "later");
}

static void advancing_backwards_is_refused(void **state)
{
	(void)state;
	int64_t before = clock_via_api(&H);
	struct reply r;
	http_call(&H, "POST", "/api/v1/test/clock", "{\"advance_to\": \"2020-01-01T00:00:00Z\"}", NULL, &r);
	assert_true(r.status == 400 || r.status == 409);
	reply_free(&r);
	assert_int_equal(clock_via_api(&H), before);
}

/* A port the kernel just gave out and took back: free for the child to bind. */
static int free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	close(fd);
	return ntohs(a.sin_port);
}

static void another_process_sees_the_same_clock_and_stops_cleanly(void **state)
{
	(void)state;
	const char *bin = getenv("CRENEAU_BIN");
	assert_non_null(bin);
	struct reply r;
	http_call(&H, "POST", "/api/v1/test/clock", "{\"set\": \"2031-12-24T18:30:00+01:00\"}", NULL, &r);
	reply_free(&r);

	int port = free_port();
	char listen[32];
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", port);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		execl(bin, bin, "serve", "--test-mode", "--no-worker", "--log-level", "warn", "--store",
		      H.store_url, "--listen", listen, (char *)NULL);
		_exit(127);
	}
	struct harness other = H;
	snprintf(other.base_url, sizeof(other.base_url), "http://%s", listen);
	long status = 0;
	for (int i = 0; i < 100 && status != 200; i++) {
		usleep(100 * 1000);
		http_call(&other, "GET", "/livez", NULL, NULL, &r);
		status = r.status;
		reply_free(&r);
	}
	assert_int_equal(status, 200);
	assert_int_equal(clock_via_api(&other), parse("2031-12-24T17:30:00Z"));

	kill(pid, SIGTERM);
	int ws;
	assert_int_equal(waitpid(pid, &ws, 0), pid);
	assert_true(WIFEXITED(ws));
	assert_int_equal(WEXITSTATUS(ws), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(set_moves_the_clock),
		cmocka_unit_test(advancing_runs_due_jobs_in_order_at_their_instant),
		cmocka_unit_test(advancing_backwards_is_refused),
		cmocka_unit_test(another_process_sees_the_same_clock_and_stops_cleanly),
	};
	return cmocka_run_group_tests_name("api/test-clock", tests, setup, harness_teardown);
}
