/* SMS throughput through the outbox to the real Kannel: N reminders of one business are written
 * to the outbox of the store argv[1] (one transaction each, as the reminder scanner writes
 * them), then sent by jobs_run_due from `threads` threads (argv[5], default 1) through Kannel's
 * sendsms (argv[2]); the send path does everything it does in production (account, plan and
 * quiet-hours checks, the quota reservation under the account's lock, render, GSM-7
 * normalisation, the HTTP call, the outcome). Then it waits until the operator (fakesmsc, whose
 * log is argv[3]) has received every one. Prints messages per second written, accepted by
 * Kannel, and received by the operator. */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "account/account.h"
#include "account/signup.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/tz.h"
#include "db/db.h"
#include "jobs/jobs.h"
#include "notify/notify.h"
#include "notify/quiet.h"
#include "notify/sms.h"

#define THREADS_MAX 16

static db *d;
static int64_t account;
static long run_tag;

static void die(const char *what, const struct err *e)
{
	fprintf(stderr, "sms-outbox: %s: %s\n", what, e ? e->message : "");
	exit(1);
}

static void phone(long i, char out[32])
{
	snprintf(out, 32, "+3376%02ld%05ld", run_tag % 100, i % 100000);
}

static int write_one(db_conn *c, void *ctx, struct err *e)
{
	long i = *(long *)ctx;
	char to[32], ref[64];
	phone(i, to);
	snprintf(ref, sizeof(ref), "appointment:bench-%ld-%ld", run_tag, i);
	json_t *v =
		json_pack("{s:s, s:s, s:s, s:s, s:s}", "service", "Coupe « homme »", "business",
			  "Salon Élise", "date", "jeudi 26 novembre 2026", "time", "14 h 30", "manage_url",
			  "https://creneau.example/m/0123456789abcdefghijklmnopqrstuvwxyzABCDEFG");
	struct outbox_sms m = {.account_id = account,
			       .kind = "reminder",
			       .subject_ref = ref,
			       .version = 1,
			       .to = to,
			       .locale = "fr",
			       .vars = v};
	int rc = outbox_sms(c, &m, e);
	json_decref(v);
	return rc < 0 ? rc : 0;
}

static volatile long sent_total;
static pthread_mutex_t sent_lock = PTHREAD_MUTEX_INITIALIZER;

static void *sender(void *arg)
{
	(void)arg;
	struct err e = {0};
	for (;;) {
		int ran = jobs_run_due(d, clock_now() + 1, 50, &e);
		if (ran < 0)
			die("jobs", &e);
		if (ran == 0)
			break;
		pthread_mutex_lock(&sent_lock);
		sent_total += ran;
		pthread_mutex_unlock(&sent_lock);
	}
	return NULL;
}

/* The size of the operator's log: what was there before this run. */
static long log_size(const char *log)
{
	FILE *f = fopen(log, "r");
	if (!f)
		return 0;
	long n = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : 0;
	fclose(f);
	return n < 0 ? 0 : n;
}

/* Messages of this run the operator received so far (the log after offset `from`). */
static long received(const char *log, long from)
{
	FILE *f = fopen(log, "r");
	if (!f)
		return -1;
	if (fseek(f, from, SEEK_SET)) {
		fclose(f);
		return -1;
	}
	char line[4096];
	long n = 0;
	while (fgets(line, sizeof(line), f))
		n += strstr(line, "Got message ") && strstr(line, " +3376");
	fclose(f);
	return n;
}

/* A zone where it is daytime now, so quiet hours (20:00–08:00) do not move the sends. */
static const char *daytime_zone(int64_t now)
{
	static const char *zones[] = {"Europe/Paris",	  "America/New_York", "America/Los_Angeles",
				      "Pacific/Honolulu", "Pacific/Auckland", "Asia/Tokyo",
				      "Asia/Kolkata",	  "America/Sao_Paulo"};
	for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
		struct err e = {0};
		const struct tz *z = tz_get(zones[i], &e);
		if (z && !quiet_is_quiet(z, now) && !quiet_is_quiet(z, now + 3600))
			return zones[i];
	}
	return "Europe/Paris";
}

static void exec(const char *sql, const db_param *p, int n)
{
	struct err e = {0};
	db_conn *c;
	if (db_acquire(d, &c, &e) || db_exec(c, sql, p, n, &e) < 0)
		die(sql, &e);
	db_release(c);
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr,
			"usage: sms-outbox STORE_URL SENDSMS_URL FAKESMSC_LOG [MESSAGES] [THREADS]\n");
		return 2;
	}
	long n = argc > 4 ? strtol(argv[4], NULL, 10) : 2000;
	int threads = argc > 5 ? (int)strtol(argv[5], NULL, 10) : 1;
	if (n < 1 || n > 100000)
		n = 2000;
	if (threads < 1 || threads > THREADS_MAX)
		threads = 1;
	struct err e = {0};
	log_set_level(LOG_WARN);
	run_tag = (long)(clock_now() % 100000) * 10 + threads;
	if (db_open(argv[1], NULL, &d, &e) || db_migrate(d, &e))
		die("store", &e);
	/* the bench's own store: a Pro plan with room for every message of the run */
	exec("UPDATE plans SET sms_per_month = 100000000 WHERE code = 'pro'", NULL, 0);
	if (plans_load(d, &e))
		die("plans", &e);
	int64_t now = clock_now();
	struct signup s = {.plan = PLAN_PRO};
	snprintf(s.business_name, sizeof(s.business_name), "Salon Élise");
	snprintf(s.email, sizeof(s.email), "banc-sms-%ld@exemple.fr", run_tag);
	snprintf(s.password, sizeof(s.password), "Banc-Essai-2027");
	snprintf(s.business_type, sizeof(s.business_type), "other");
	snprintf(s.time_zone, sizeof(s.time_zone), "%s", daytime_zone(now));
	snprintf(s.locale, sizeof(s.locale), "fr");
	struct signup_result out;
	if (signup_create(d, &s, now, &out, &e))
		die("sign-up", &e);
	account = out.account_id;
	exec("UPDATE accounts SET state = 'active' WHERE id = $1", DB_ARGS(DB_INT(account)));
	/* nobody answers the delivery reports: Kannel logs them as failed fetches */
	sms_configure(&(struct sms_config){.sendsms_url = argv[2],
					   .user = "creneau",
					   .password = "secret",
					   .dlr_secret = "bench",
					   .public_url = "http://127.0.0.1:9",
					   .timeout_s = 10});
	/* the sign-up's own jobs (welcome mail ...) are not part of the measure */
	exec("UPDATE jobs SET state = 'done' WHERE state = 'queued'", NULL, 0);

	long from = log_size(argv[3]);
	int64_t t0 = clock_mono_ms();
	for (long i = 0; i < n; i++)
		if (db_transact(d, write_one, &i, &e))
			die("outbox", &e);
	int64_t t1 = clock_mono_ms();
	pthread_t th[THREADS_MAX];
	for (int i = 0; i < threads; i++)
		if (pthread_create(&th[i], NULL, sender, NULL))
			die("thread", NULL);
	for (int i = 0; i < threads; i++)
		pthread_join(th[i], NULL);
	int64_t t2 = clock_mono_ms();
	int64_t ok = 0, parts = 0;
	db_conn *c;
	if (db_acquire(d, &c, &e) ||
	    db_query_int(c, "SELECT count(*) FROM outbox WHERE state = 'sent' AND account_id = $1",
			 DB_ARGS(DB_INT(account)), &ok, &e) < 0 ||
	    db_query_int(
		    c,
		    "SELECT COALESCE(SUM(segments), 0) FROM outbox WHERE state = 'sent' AND account_id = $1",
		    DB_ARGS(DB_INT(account)), &parts, &e) < 0)
		die("count", &e);
	db_release(c);
	/* the operator logs each part of a concatenated SMS */
	long got = 0;
	for (int i = 0; i < 600 && (got = received(argv[3], from)) < parts; i++) {
		struct timespec ts = {0, 50 * 1000000L};
		nanosleep(&ts, NULL);
	}
	int64_t t3 = clock_mono_ms();
	double w = (double)(t1 - t0) / 1000.0, sd = (double)(t2 - t1) / 1000.0,
	       r = (double)(t3 - t1) / 1000.0;
	printf("sms on %-10s write %7.0f msg/s   sent to Kannel %6.0f msg/s   all parts at the operator "
	       "%6.0f msg/s"
	       "   (%ld messages, %" PRId64 " sent, %ld of %" PRId64 " parts received, %d thread%s)\n",
	       db_kind_name(d), w > 0 ? (double)n / w : 0.0, sd > 0 ? (double)sent_total / sd : 0.0,
	       r > 0 ? (double)ok / r : 0.0, n, ok, got, parts, threads, threads > 1 ? "s" : "");
	db_close(d);
	return ok == n && got == parts ? 0 : 1;
}
