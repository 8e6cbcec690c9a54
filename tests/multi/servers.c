/* Several servers (docs/operations.md "Several servers"): on loopback, the test PostgreSQL,
 * PgBouncer in transaction mode in front of it (scripts/peers/pgbouncer.sh), two
 * `creneau serve --no-worker` and two `creneau worker` on PgBouncer, haproxy in front of the
 * two servers (round robin, health checks on /healthz; scripts/peers/haproxy.sh). Every call
 * of the test goes through haproxy; the store is read directly (not through PgBouncer) to
 * check the guarantees:
 *   - booking races: 40 clients on the same slot, exactly one 201, the others 409 slot_taken,
 *     no two live blocks of one staff member overlap;
 *   - reminders: the clock (POST /api/v1/test/clock through haproxy) moves until every 24 h
 *     reminder of the winners is due; the two workers send them; every message of the
 *     business reaches the SMTP server exactly once (Message-IDs in the maildir = the outbox);
 *   - the monthly invoicing: three subscribed accounts, the clock moved past 1 May: each
 *     account's May invoice issued once, invoice numbers gapless and distinct, each invoice
 *     mail sent once.
 * The in-process product of the harness only creates and migrates the store (--no-worker);
 * it serves nothing the test calls. */
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "delivery/delivery.h"

#define CLIENTS	  40
#define ROUNDS	  10
#define SERVERS	  2
#define WORKERS	  2
#define ACCOUNTS  3 /* subscribed accounts for the invoicing */
#define IDLE_WAIT 30

static char tmp[64] = "/tmp/creneau-multi-XXXXXX";
static char bouncer_url[700], haproxy_url[64];
static pid_t servers[SERVERS], workers[WORKERS];
static char server_log[SERVERS][128], worker_log[WORKERS][128];
static char tag[64]; /* every address of this run ends with it */

static struct biz B;
static char svc[24], ana[24];

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

/* Runs a shell command and keeps the first line of its output in out; fails the test unless
 * it exits 0. */
static void sh_line(const char *cmd, char *out, size_t cap)
{
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	out[0] = '\0';
	if (!fgets(out, (int)cap, p))
		out[0] = '\0';
	out[strcspn(out, "\n")] = '\0';
	int st = pclose(p);
	if (st != 0 || !out[0])
		fail_msg("%s: exit %d, output \"%s\"", cmd, st, out);
}

static pid_t spawn(const char *const *argv, const char *log_path)
{
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		execv(argv[0], (char *const *)argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	return pid;
}

static const char *bin(void)
{
	const char *b = getenv("CRENEAU_BIN");
	return b && *b ? b : "build/debug/creneau";
}

/* GET url+path until it answers 200 (up to 10 s). */
static void wait_ok(const char *url, const char *path)
{
	struct harness probe = H;
	snprintf(probe.base_url, sizeof(probe.base_url), "%s", url);
	long status = 0;
	for (int i = 0; i < 100 && status != 200; i++) {
		struct reply r;
		if (i)
			usleep(100 * 1000);
		http_call(&probe, "GET", path, NULL, NULL, &r);
		status = r.status;
		reply_free(&r);
	}
	if (status != 200)
		fail_msg("%s%s did not answer 200 within 10 s", url, path);
}

static void no_worker(struct config *cfg)
{
	cfg->no_worker = 1;
}

static int setup(void **state)
{
	(void)state;
	if (setenv("CRENEAU_TEST_STORE", "pg", 1))
		return -1;
	harness_start(&H, no_worker);
	assert_non_null(mkdtemp(tmp));
	assert_int_equal(chmod(tmp, 0755), 0);
	snprintf(tag, sizeof(tag), "@m%d.example", (int)getpid());

	char cmd[1400];
	snprintf(cmd, sizeof(cmd), "scripts/peers/pgbouncer.sh start '%s/bouncer' '%s'", tmp, H.store_url);
	sh_line(cmd, bouncer_url, sizeof(bouncer_url));

	char smtp[128];
	snprintf(smtp, sizeof(smtp), "smtp://%s", getenv("CRENEAU_TEST_SMTP"));
	char listen[SERVERS][32], backends[200] = "";
	for (int i = 0; i < SERVERS; i++) {
		snprintf(listen[i], sizeof(listen[i]), "127.0.0.1:%d", free_port());
		snprintf(server_log[i], sizeof(server_log[i]), "%s/serve%d.log", tmp, i + 1);
		const char *argv[] = {bin(), "serve", "--store", bouncer_url, "--listen", listen[i],
				      "--no-worker", "--test-mode", "--log-level", "info", "--web-root",
				      "web", "--smtp-url", smtp, "--smtp-starttls", "none",
				      "--trusted-proxies", "127.0.0.1", "--max-per-ip", "1000",
				      /* 2 x 12 connections, fewer than PgBouncer's 25 backends: in test
				       * mode clock_now() reads the store on a second connection, inside
				       * transactions, which a full PgBouncer would leave waiting */
				      "--threads", "8", "--pool-size", "12",
				      /* PgBouncer 1.18 does not keep prepared statements: the first
				       * server is told so, the second finds out (pg.c) */
				      i == 0 ? "--pg-unnamed" : NULL, NULL};
		servers[i] = spawn(argv, server_log[i]);
		size_t l = strlen(backends);
		snprintf(backends + l, sizeof(backends) - l, " %s", listen[i]);
	}
	for (int i = 0; i < WORKERS; i++) {
		snprintf(worker_log[i], sizeof(worker_log[i]), "%s/worker%d.log", tmp, i + 1);
		const char *argv[] = {bin(),	     "worker",		 "--store", bouncer_url,
				      "--test-mode", "--smtp-url",	 smtp,	    "--smtp-starttls",
				      "none",	     "--worker-threads", "2",	    "--pool-size",
				      "6",	     "--log-level",	 "info",    NULL};
		workers[i] = spawn(argv, worker_log[i]);
	}
	for (int i = 0; i < SERVERS; i++) {
		char url[64];
		snprintf(url, sizeof(url), "http://%s", listen[i]);
		wait_ok(url, "/healthz");
	}
	snprintf(cmd, sizeof(cmd), "scripts/peers/haproxy.sh start '%s/haproxy'%s", tmp, backends);
	sh_line(cmd, haproxy_url, sizeof(haproxy_url));
	wait_ok(haproxy_url, "/healthz");
	/* from now on every call of the harness goes through haproxy */
	snprintf(H.base_url, sizeof(H.base_url), "%s", haproxy_url);
	return 0;
}

static void stop_pid(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	for (int i = 0; i < 100; i++) {
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return;
		usleep(100 * 1000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static int teardown(void **state)
{
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "scripts/peers/haproxy.sh stop '%s/haproxy'", tmp);
	if (system(cmd))
		fprintf(stderr, "haproxy did not stop cleanly\n");
	for (int i = 0; i < SERVERS; i++)
		stop_pid(servers[i]);
	for (int i = 0; i < WORKERS; i++)
		stop_pid(workers[i]);
	snprintf(cmd, sizeof(cmd), "scripts/peers/pgbouncer.sh stop '%s/bouncer'", tmp);
	if (system(cmd))
		fprintf(stderr, "pgbouncer did not stop cleanly\n");
	harness_teardown(state);
	if (!getenv("KEEP_TMP")) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
		if (system(cmd))
			fprintf(stderr, "could not remove %s\n", tmp);
	}
	return 0;
}

/* Every process is still running (none died on the way): prints the tail of its log if not. */
static void all_alive(void)
{
	for (int i = 0; i < SERVERS; i++)
		worker_alive(servers[i], server_log[i]);
	for (int i = 0; i < WORKERS; i++)
		worker_alive(workers[i], worker_log[i]);
}

/* Lines of a log holding `needle`. */
static long log_count(const char *path, const char *needle)
{
	FILE *fp = fopen(path, "r");
	if (!fp)
		return 0;
	char line[4096];
	long n = 0;
	while (fgets(line, sizeof(line), fp))
		n += strstr(line, needle) != NULL;
	fclose(fp);
	return n;
}

/* ---- booking races ---- */

struct shot {
	pthread_barrier_t *go;
	char body[512];
	long status;
	char code[48];
};

static void *fire(void *arg)
{
	struct shot *s = arg;
	const char *headers[] = {B.s.cookie, B.s.csrf, NULL};
	struct reply r;
	pthread_barrier_wait(s->go);
	http_call(&H, "POST", "/api/v1/appointments", s->body, headers, &r);
	s->status = r.status;
	const char *code = json_path_str(r.json, "error", "code");
	snprintf(s->code, sizeof(s->code), "%s", code ? code : "");
	reply_free(&r);
	return NULL;
}

static void races_through_haproxy(void **state)
{
	(void)state;
	struct reply r;
	fx_clock("2027-04-05T08:00:00+02:00");
	fx_business(&B, "Salon Plusieurs", "Europe/Paris");
	session_expect(&H, &B.s, "DELETE", "/api/v1/demo", NULL, 200, &r);
	reply_free(&r);
	session_expect(&H, &B.s, "PUT", "/api/v1/notifications/settings",
		       "{\"version\": 1, \"reminders\": [{\"minutes\": 1440, \"channels\": [\"email\"]}]}",
		       200, &r);
	reply_free(&r);
	int64_t a = fx_staff(&B, "Ana", ana);
	int64_t s = fx_service(&B, 60, 0, 0, 1, svc);
	fx_provides(&B, s, a);
	fx_hours_all_week(&B, a, 0, 1440);

	static struct shot shots[CLIENTS];
	for (int round = 0; round < ROUNDS; round++) {
		/* 7 April 2027 from 00:00 UTC, one hour apart: every 24 h reminder is due on the 6th */
		char start[32];
		tz_format_rfc3339(NULL, INT64_C(1807056000) + (int64_t)round * 3600, start);
		pthread_barrier_t go;
		pthread_barrier_init(&go, NULL, CLIENTS);
		pthread_t t[CLIENTS];
		for (int i = 0; i < CLIENTS; i++) {
			shots[i] = (struct shot){.go = &go};
			snprintf(shots[i].body, sizeof(shots[i].body),
				 "{\"service\": \"%s\", \"staff\": \"%s\", \"start\": \"%s\", \"client\": "
				 "{\"first_name\": \"Léa\", \"last_name\": \"Client%d\", \"email\": "
				 "\"r%d-c%d%s\"}}",
				 svc, ana, start, i, round, i, tag);
			assert_int_equal(pthread_create(&t[i], NULL, fire, &shots[i]), 0);
		}
		int won = 0;
		for (int i = 0; i < CLIENTS; i++) {
			pthread_join(t[i], NULL);
			if (shots[i].status == 201) {
				won++;
				continue;
			}
			if (shots[i].status != 409 || strcmp(shots[i].code, "slot_taken"))
				fprintf(stderr, "round %d client %d: %ld %s\n", round, i, shots[i].status,
					shots[i].code);
			assert_int_equal(shots[i].status, 409);
			assert_string_equal(shots[i].code, "slot_taken");
		}
		pthread_barrier_destroy(&go);
		assert_int_equal(won, 1);
		assert_int_equal(fx_overlaps(&B), 0);
	}
	/* haproxy shared the bookings between the two servers */
	for (int i = 0; i < SERVERS; i++) {
		long n = log_count(server_log[i], "route=/api/v1/appointments status=");
		fprintf(stderr, "server %d answered %ld bookings\n", i + 1, n);
		assert_true(n >= ROUNDS * CLIENTS / (2 * SERVERS));
	}
	assert_int_equal(
		fx_int("SELECT count(*) FROM appointments WHERE account_id = $1 AND status = 'booked'",
		       DB_ARGS(DB_INT(B.id))),
		ROUNDS);
	assert_int_equal(fx_int("SELECT count(*) FROM reminders WHERE account_id = $1 AND state = 'pending'"
				" AND minutes = 1440 AND channel = 'email'",
				DB_ARGS(DB_INT(B.id))),
			 ROUNDS);
	all_alive();
}

/* Waits until no job is due at the store's clock, queued or running (the workers ran them). */
static void wait_idle(void)
{
	time_t until = time(NULL) + IDLE_WAIT;
	while (fx_int("SELECT count(*) FROM jobs WHERE state IN ('queued', 'running') AND run_at <= $1",
		      DB_ARGS(DB_INT(dl_clock_get()))) > 0) {
		if (time(NULL) > until) {
			dl_dump_jobs();
			fail_msg("the workers did not run the jobs due at the test clock within %d s",
				 IDLE_WAIT);
		}
		usleep(100 * 1000);
	}
}

/* Waits (up to IDLE_WAIT s) until the query's count reaches want. */
static void wait_count(const char *what, const char *sql, const db_param *p, int np, int64_t want)
{
	time_t until = time(NULL) + IDLE_WAIT;
	int64_t got;
	while ((got = fx_int(sql, p, np)) < want) {
		all_alive();
		if (time(NULL) > until) {
			dl_dump_jobs();
			fail_msg("%s: %lld of %lld after %d s", what, (long long)got, (long long)want,
				 IDLE_WAIT);
		}
		usleep(100 * 1000);
	}
}

/* The maildir's messages to this run's addresses: each Message-ID once, and exactly the
 * outbox's sent messages to these addresses. */
static void each_message_once(int64_t want_reminders)
{
	int64_t sent = 0;
	struct mail_ids m;
	char like[80];
	snprintf(like, sizeof(like), "%%%s%%", tag);
	for (int i = 0; i < 100; i++) {
		sent = fx_int("SELECT count(*) FROM outbox WHERE state = 'sent' AND recipient LIKE $1",
			      DB_ARGS(DB_TEXT(like)));
		maildir_read(tag, &m);
		if ((int64_t)m.distinct >= sent && sent > 0)
			break;
		mail_ids_free(&m);
		usleep(100 * 1000);
	}
	fprintf(stderr, "maildir: %zu messages to %s, %zu distinct Message-IDs; outbox: %lld sent\n", m.n,
		tag, m.distinct, (long long)sent);
	assert_int_equal(m.max_copies, 1);
	assert_int_equal(m.n, m.distinct);
	assert_int_equal((int64_t)m.distinct, sent);
	assert_int_equal(fx_int("SELECT count(*) FROM outbox WHERE recipient LIKE $1 AND state <> 'sent'",
				DB_ARGS(DB_TEXT(like))),
			 0);
	assert_int_equal(fx_int("SELECT count(*) FROM outbox WHERE account_id = $1 AND kind = 'reminder_1440'"
				" AND state = 'sent'",
				DB_ARGS(DB_INT(B.id))),
			 want_reminders);
	mail_ids_free(&m);
}

static void reminders_sent_once(void **state)
{
	(void)state;
	assert_true(B.id > 0);
	/* the re-plan of the settings change has run (a re-plan after they fell due drops them) */
	wait_idle();
	/* 6 April 22:00 Paris: every reminder due, every appointment still ahead */
	test_clock("set", "2027-04-06T22:00:00+02:00");
	wait_count("reminders sent",
		   "SELECT count(*) FROM outbox WHERE account_id = $1 AND kind = 'reminder_1440' AND state = "
		   "'sent'",
		   DB_ARGS(DB_INT(B.id)), ROUNDS);
	wait_idle();
	assert_int_equal(fx_int("SELECT count(*) FROM reminders WHERE account_id = $1 AND state = 'pending'",
				DB_ARGS(DB_INT(B.id))),
			 0);
	each_message_once(ROUNDS);
	all_alive();
}

/* ---- monthly invoicing ---- */

static void invoices_issued_once(void **state)
{
	(void)state;
	struct biz acc[ACCOUNTS];
	struct reply r;
	int64_t before = fx_int("SELECT count(*) FROM invoices", DB_NOARGS);
	for (int i = 0; i < ACCOUNTS; i++) {
		char name[64], body[512];
		snprintf(name, sizeof(name), "Cabinet %d", i + 1);
		fx_business(&acc[i], name, "Europe/Paris");
		snprintf(body, sizeof(body),
			 "{\"legal_name\": \"Cabinet %d SARL\", \"street\": \"3 rue du Port\", \"postcode\":"
			 " \"44000\", \"city\": \"Nantes\", \"country\": \"FR\", \"siren\": \"732829320\","
			 " \"vat_number\": \"\", \"email\": \"compta%d%s\"}",
			 i + 1, i + 1, tag);
		session_expect(&H, &acc[i].s, "PUT", "/api/v1/billing/identity", body, 200, &r);
		reply_free(&r);
		session_expect(&H, &acc[i].s, "POST", "/api/v1/subscription", "{\"plan\": \"pro\"}", 201, &r);
		reply_free(&r);
	}
	int64_t subscribed = fx_int("SELECT count(*) FROM invoices", DB_NOARGS);
	assert_int_equal(subscribed, before + ACCOUNTS); /* the first month's invoice each */

	/* 1 May 00:30 Paris: the May invoices fall due; the two workers race for them */
	test_clock("set", "2027-05-01T00:30:00+02:00");
	wait_count("May invoices", "SELECT count(*) FROM billing_months WHERE month = 202705", DB_NOARGS,
		   ACCOUNTS);
	wait_idle();
	for (int i = 0; i < ACCOUNTS; i++) {
		assert_int_equal(
			fx_int("SELECT count(*) FROM billing_months WHERE account_id = $1 AND month = 202705",
			       DB_ARGS(DB_INT(acc[i].id))),
			1);
		assert_int_equal(fx_int("SELECT count(*) FROM invoices WHERE account_id = $1",
					DB_ARGS(DB_INT(acc[i].id))),
				 2);
	}
	/* numbers: distinct, and 1..N without a gap */
	int64_t n = fx_int("SELECT count(*) FROM invoices", DB_NOARGS);
	assert_int_equal(n, subscribed + ACCOUNTS);
	assert_int_equal(fx_int("SELECT count(DISTINCT number) FROM invoices", DB_NOARGS), n);
	assert_int_equal(fx_int("SELECT min(seq) FROM invoices", DB_NOARGS), 1);
	assert_int_equal(fx_int("SELECT max(seq) FROM invoices", DB_NOARGS), n);
	/* and the invoice mails, like every other, once each */
	each_message_once(ROUNDS);
	for (int i = 0; i < WORKERS; i++)
		fprintf(stderr, "worker %d sent %ld messages\n", i + 1,
			log_count(worker_log[i], "event=mail_sent"));
	all_alive();
}

int main(void)
{
	if (!getenv("CRENEAU_TEST_PG_URL")) {
		fprintf(stderr, "CRENEAU_TEST_PG_URL must be set: tests/run.sh starts PostgreSQL "
				"(scripts/peers/pg.sh)\n");
		return 1;
	}
	dl_die_unless_peers();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(races_through_haproxy),
		cmocka_unit_test(reminders_sent_once),
		cmocka_unit_test(invoices_issued_once),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
