/* The monthly SMS quota holds across workers (docs/internals/sms.md): an account a few segments
 * short of its plan's sms_per_month has many SMS due at once; several job threads (and, on
 * PostgreSQL, a second `creneau worker` process) send them through the real Kannel of the
 * harness (CRENEAU_TEST_KANNEL_URL, CRENEAU_TEST_FAKESMSC_LOG). What reaches the operator never
 * passes the quota, and every SMS left over is suppressed for "quota". A reservation left by a
 * crash counts; a permanent refusal by the gateway releases its reservation. */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/clock.h"
#include "harness.h"
#include "jobs/jobs.h"
#include "notify/notify.h"
#include "notify/sms.h"
#include "sched_fixture.h"

#define QUOTA	 100 /* plans.sms_per_month of Pro */
#define LEFT	 24  /* segments left to the race's account this month */
#define MESSAGES 72  /* due at once */
#define THREADS	 4

static const char *kannel_url;
static int phone_seq;

static void tweak(struct config *cfg)
{
	free(cfg->sms_sendsms_url);
	cfg->sms_sendsms_url = strdup(kannel_url);
	free(cfg->sms_user);
	cfg->sms_user = strdup("creneau");
	free(cfg->sms_password);
	cfg->sms_password = strdup("secret");
	free(cfg->sms_dlr_secret);
	cfg->sms_dlr_secret = strdup("421-dlr-secret");
	cfg->no_worker = 1; /* the test runs the jobs itself, from its threads */
}

static void configure(const char *url)
{
	struct sms_config sc = {.sendsms_url = url,
				.user = "creneau",
				.password = "secret",
				.dlr_secret = "421-dlr-secret",
				.public_url = H.base_url,
				.timeout_s = 5};
	sms_configure(&sc);
}

static int64_t business(const char *name)
{
	static int n;
	char email[128];
	struct session s;
	snprintf(email, sizeof(email), "quota-%d-%d-%s@sms.example", (int)getpid(), n++,
		 harness_store_kind());
	harness_signup(&H, name, email, "pro", &s);
	int64_t id = fx_int("SELECT id FROM accounts WHERE slug = $1", DB_ARGS(DB_TEXT(s.slug)));
	assert_true(id > 0);
	fx_exec("UPDATE accounts SET time_zone = 'Europe/Paris' WHERE id = $1", DB_ARGS(DB_INT(id)));
	char body[200];
	snprintf(body, sizeof(body), "{\"slug\": \"%s\", \"state\": \"active\"}", s.slug);
	struct reply r;
	http_call(&H, "POST", "/api/v1/test/account-state", body, NULL, &r);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	return id;
}

/* SMS already sent this month (or, with state queued and reserved_at, reserved by a send that
 * crashed): `segments` of them. */
static void used(int64_t account, const char *ref, const char *state, int64_t segments)
{
	int sent = !strcmp(state, "sent");
	int64_t at = clock_now() - 3600;
	fx_exec("INSERT INTO outbox (account_id, kind, channel, subject_ref, recipient, version, locale,"
		" template, vars, state, message_id, attempts, created_at, sent_at, reserved_at, segments,"
		" encoding)"
		" VALUES ($1, 'reminder', 'sms', $2, '+33612345678', 1, 'fr', 'reminder', '{}', $3, $2, 1,"
		" $4, $5, $6, $7, 'gsm7')",
		DB_ARGS(DB_INT(account), DB_TEXT(ref), DB_TEXT(state), DB_INT(at),
			sent ? DB_INT(at) : DB_NULL, sent ? DB_NULL : DB_INT(at), DB_INT(segments)));
}

static void next_phone(char out[32])
{
	snprintf(out, 32, "+3375%02d%03d%02d", (int)(getpid() % 100), phone_seq++ % 1000,
		 (int)(getpid() / 100 % 100));
}

/* Writes n one-segment SMS of account in one transaction; their phones go to phones[]. */
static void write_sms(int64_t account, int n, char phones[][32])
{
	static int k;
	struct err e = {0};
	db_conn *c;
	assert_int_equal(db_acquire(H.app->db, &c, &e), 0);
	assert_int_equal(db_begin(c, &e), 0);
	json_t *vars =
		json_pack("{s:s, s:s, s:s, s:s, s:s}", "service", "Coupe", "business", "Salon", "date",
			  "jeudi 26 novembre 2026", "time", "14 h 30", "manage_url", "https://c.example/m/t");
	for (int i = 0; i < n; i++) {
		char ref[64];
		next_phone(phones[i]);
		snprintf(ref, sizeof(ref), "appointment:q%d-%d", (int)getpid(), k++);
		struct outbox_sms m = {.account_id = account,
				       .kind = "reminder",
				       .subject_ref = ref,
				       .version = 1,
				       .to = phones[i],
				       .locale = "fr",
				       .vars = vars};
		int rc = outbox_sms(c, &m, &e);
		if (rc != 1)
			fprintf(stderr, "outbox_sms %s: %s\n", phones[i], e.message);
		assert_int_equal(rc, 1);
	}
	json_decref(vars);
	assert_int_equal(db_commit(c, &e), 0);
	db_release(c);
}

static int64_t count(int64_t account, const char *where)
{
	char sql[512];
	snprintf(sql, sizeof(sql),
		 "SELECT COUNT(*) FROM outbox WHERE account_id = $1 AND channel = 'sms' AND %s", where);
	return fx_int(sql, DB_ARGS(DB_INT(account)));
}

/* How many of phones[0..n) the operator received a message for. */
static int received(char phones[][32], int n)
{
	FILE *f = fopen(getenv("CRENEAU_TEST_FAKESMSC_LOG"), "r");
	assert_non_null(f);
	static char line[16384];
	int got = 0;
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "Got message ");
		char from[32], to[32];
		if (!p || !(p = strchr(p, '<')) || sscanf(p + 1, "%31s %31s", from, to) < 2)
			continue;
		for (int i = 0; i < n; i++)
			if (!strcmp(to, phones[i])) {
				got++;
				break;
			}
	}
	fclose(f);
	return got;
}

static volatile int stop_threads;

static void *run_jobs(void *arg)
{
	(void)arg;
	while (!stop_threads) {
		struct err e = {0};
		int n = jobs_run_due(H.app->db, clock_now(), 1, &e);
		if (n <= 0)
			usleep(2000);
	}
	return NULL;
}

/* A second `creneau worker` process on the same store, logging what it sends to log. */
static pid_t other_worker(const char *log)
{
	const char *bin = getenv("CRENEAU_BIN");
	assert_non_null(bin);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		FILE *f = freopen(log, "w", stderr);
		(void)f;
		execl(bin, bin, "worker", "--test-mode", "--log-level", "info", "--store", H.store_url,
		      "--worker-threads", "3", "--sms-sendsms-url", kannel_url, "--sms-user", "creneau",
		      "--sms-password", "secret", "--sms-dlr-secret", "421-dlr-secret", "--public-url",
		      H.base_url, (char *)NULL);
		_exit(127);
	}
	return pid;
}

static int lines_with(const char *path, const char *what)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	char line[2048];
	int n = 0;
	while (fgets(line, sizeof(line), f))
		n += strstr(line, what) != NULL;
	fclose(f);
	return n;
}

static void test_many_workers_never_pass_the_quota(void **state)
{
	(void)state;
	int64_t acc = business("SalonQuota");
	used(acc, "earlier", "sent", QUOTA - LEFT);
	assert_int_equal(count(acc, "state = 'sent'"), 1);

	static char phones[MESSAGES][32];
	int pg = !strcmp(harness_store_kind(), "pg");
	char log[256];
	snprintf(log, sizeof(log), "/tmp/creneau-421-worker-%d.log", (int)getpid());
	pid_t other = -1;
	write_sms(acc, MESSAGES, phones);
	if (pg) {
		/* the other process starts on them first; the test's threads join as soon as it has
		 * sent one, so both are sending when the quota runs out */
		other = other_worker(log);
		for (int i = 0; i < 2000 && count(acc, "reserved_at IS NOT NULL") == 0; i++)
			usleep(5000);
		assert_true(count(acc, "reserved_at IS NOT NULL") > 0);
	}
	pthread_t th[THREADS];
	stop_threads = 0;
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, run_jobs, NULL), 0);
	for (int i = 0; i < 3000 && count(acc, "state = 'queued'") > 0; i++)
		usleep(10000);
	stop_threads = 1;
	for (int i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	if (other > 0) {
		kill(other, SIGTERM);
		int ws;
		assert_int_equal(waitpid(other, &ws, 0), other);
	}
	assert_int_equal(count(acc, "state = 'queued'"), 0);

	/* the store: exactly the segments left were sent, every other SMS refused for the quota */
	int64_t sent = fx_int("SELECT COALESCE(SUM(segments), 0) FROM outbox WHERE account_id = $1"
			      " AND channel = 'sms' AND state = 'sent' AND subject_ref <> 'earlier'",
			      DB_ARGS(DB_INT(acc)));
	int64_t quota_refused = count(acc, "state = 'suppressed' AND reason = 'quota'");
	if (pg)
		fprintf(stderr,
			"421: pg: %lld segments sent (%d by the other process), %lld refused for the quota\n",
			(long long)sent, lines_with(log, "event=sms_sent"), (long long)quota_refused);
	else
		fprintf(stderr, "421: sqlite: %lld segments sent by %d threads, %lld refused for the quota\n",
			(long long)sent, THREADS, (long long)quota_refused);
	assert_int_equal(sent, LEFT);
	assert_int_equal(count(acc, "state = 'sent'") - 1, LEFT); /* one segment each */
	assert_int_equal(quota_refused, MESSAGES - LEFT);

	/* the operator: what actually went out */
	int got = 0;
	for (int i = 0; i < 150 && (got = received(phones, MESSAGES)) < LEFT; i++)
		usleep(100 * 1000);
	usleep(500 * 1000);
	got = received(phones, MESSAGES);
	assert_int_equal(got, LEFT);
	if (pg)
		assert_true(lines_with(log, "event=sms_sent") > 0);
	unlink(log);
}

/* Runs due jobs here until none is left. */
static void drain(void)
{
	struct err e = {0};
	for (int i = 0; i < 1000 && jobs_run_due(H.app->db, clock_now(), 50, &e) > 0; i++)
		;
}

static void test_a_crashed_send_keeps_its_reservation(void **state)
{
	(void)state;
	int64_t acc = business("SalonPanne");
	used(acc, "earlier", "sent", QUOTA - 3);
	/* a send that died after reserving 2 segments: the SMS may have gone */
	used(acc, "crashed", "queued", 2);
	struct err e = {0};
	db_conn *c;
	int64_t n = 0;
	assert_int_equal(db_acquire(H.app->db, &c, &e), 0);
	assert_int_equal(sms_segments_used(c, acc, "Europe/Paris", clock_now(), &n, &e), 0);
	db_release(c);
	assert_int_equal(n, QUOTA - 1);
	char phones[2][32];
	write_sms(acc, 2, phones);
	drain();
	assert_int_equal(count(acc, "state = 'sent'"), 2);
	assert_int_equal(count(acc, "state = 'suppressed' AND reason = 'quota'"), 1);
}

static void test_a_refusal_by_the_gateway_releases_the_reservation(void **state)
{
	(void)state;
	int64_t acc = business("SalonRefus");
	used(acc, "earlier", "sent", QUOTA - 1);
	/* Kannel answers 404 on an unknown path: a permanent refusal of the message */
	char bad[512];
	snprintf(bad, sizeof(bad), "%.*s/nosuch", (int)(strrchr(kannel_url, '/') - kannel_url), kannel_url);
	configure(bad);
	char phones[1][32], ok[1][32];
	write_sms(acc, 1, phones);
	drain();
	configure(kannel_url);
	assert_int_equal(count(acc, "state = 'failed' AND reserved_at IS NULL"), 1);
	/* the segment it had reserved is free again: the next SMS goes */
	write_sms(acc, 1, ok);
	drain();
	assert_int_equal(count(acc, "state = 'sent'"), 2);
	int got = 0;
	for (int i = 0; i < 150 && (got = received(ok, 1)) < 1; i++)
		usleep(100 * 1000);
	assert_int_equal(got, 1);
	assert_int_equal(received(phones, 1), 0);
}

static int setup(void **state)
{
	(void)state;
	kannel_url = getenv("CRENEAU_TEST_KANNEL_URL");
	if (!kannel_url || !*kannel_url || !getenv("CRENEAU_TEST_FAKESMSC_LOG")) {
		fprintf(stderr,
			"421-sms-quota needs Kannel: CRENEAU_TEST_KANNEL_URL and CRENEAU_TEST_FAKESMSC_LOG"
			" (tests/run.sh starts it with scripts/peers/kannel.sh)\n");
		return -1;
	}
	harness_start(&H, tweak);
	configure(kannel_url);
	fx_clock("2031-03-12T10:00:00+01:00"); /* a Wednesday morning in Paris, not quiet hours */
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	harness_stop(&H);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_many_workers_never_pass_the_quota),
		cmocka_unit_test(test_a_crashed_send_keeps_its_reservation),
		cmocka_unit_test(test_a_refusal_by_the_gateway_releases_the_reservation),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
