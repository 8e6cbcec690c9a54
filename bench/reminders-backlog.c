/* The delay between a reminder's due time and its sending, with a backlog: N reminders all due
 * now (one business, N appointments of consenting clients tomorrow, their 24 h e-mail
 * reminders written straight into the store in one transaction, with the scanner's job), then
 * the product's own worker (app_start_worker, as `creneau worker` runs it, real clock) scans
 * them into the outbox and sends them to the SMTP server given (the test peer, aiosmtpd).
 * Prints the throughput (messages per second, from the first due instant to the last send)
 * and the delay due → sent (outbox.sent_at − reminders.due_at, whole seconds): p50, p99, max.
 * Usage: reminders-backlog STORE_URL SMTP_HOST:PORT [N [THREADS]]. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "account/account.h"
#include "account/password.h"
#include "account/signup.h"
#include "app/app.h"
#include "app/config.h"
#include "bench_util.h"
#include "base/clock.h"
#include "base/log.h"
#include "db/db.h"
#include "jobs/jobs.h"
#include "notify/reminders.h"

#define PER_STAFF 500 /* consecutive 30-minute appointments per staff member */

struct seed {
	int64_t account, due;
	long n;
};

static int seed_tx(db_conn *c, void *ctx, struct err *e)
{
	struct seed *s = ctx;
	char pid[24];
	int64_t service, staff = 0;
	public_id_new("svc", pid);
	if (db_query_int(c,
			 "INSERT INTO services (account_id, public_id, name, duration_min, buffer_before_min,"
			 " buffer_after_min, capacity, created_at, updated_at)"
			 " VALUES ($1, $2, 'Coupe', 30, 0, 0, 1, $3, $3) RETURNING id",
			 DB_ARGS(DB_INT(s->account), DB_TEXT(pid), DB_INT(s->due)), &service, e) != 1)
		return -1;
	/* tomorrow and after: every appointment starts more than 24 h after its reminder is due */
	int64_t first = s->due + 86400 + 3600;
	for (long i = 0; i < s->n; i++) {
		if (i % PER_STAFF == 0) {
			char name[32];
			public_id_new("stf", pid);
			snprintf(name, sizeof(name), "Employé %ld", i / PER_STAFF + 1);
			if (db_query_int(
				    c,
				    "INSERT INTO staff (account_id, public_id, name, created_at, updated_at)"
				    " VALUES ($1, $2, $3, $4, $4) RETURNING id",
				    DB_ARGS(DB_INT(s->account), DB_TEXT(pid), DB_TEXT(name), DB_INT(s->due)),
				    &staff, e) != 1)
				return -1;
		}
		int64_t start = first + (int64_t)(i % PER_STAFF) * 1800, client, block, appt;
		char email[64], cpid[24], apid[24];
		snprintf(email, sizeof(email), "client-%ld@backlog.example", i);
		public_id_new("cli", cpid);
		public_id_new("apt", apid);
		if (db_query_int(
			    c,
			    "INSERT INTO clients (account_id, public_id, first_name, last_name, search_text,"
			    " email, consent_email, created_at, updated_at)"
			    " VALUES ($1, $2, 'Léa', 'Martin', '', $3, 1, $4, $4) RETURNING id",
			    DB_ARGS(DB_INT(s->account), DB_TEXT(cpid), DB_TEXT(email), DB_INT(s->due)),
			    &client, e) != 1 ||
		    db_query_int(
			    c,
			    "INSERT INTO blocks (account_id, staff_id, service_id, blocked_from, blocked_to,"
			    " status, capacity, seats_taken) VALUES ($1, $2, $3, $4, $5, 'active', 1, 1)"
			    " RETURNING id",
			    DB_ARGS(DB_INT(s->account), DB_INT(staff), DB_INT(service), DB_INT(start),
				    DB_INT(start + 1800)),
			    &block, e) != 1 ||
		    db_query_int(
			    c,
			    "INSERT INTO appointments (account_id, public_id, block_id, service_id, staff_id,"
			    " client_id, starts_at, ends_at, status, source, version, change_seq, created_at,"
			    " updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'booked', 'office', 1, 0,"
			    " $9, $9) RETURNING id",
			    DB_ARGS(DB_INT(s->account), DB_TEXT(apid), DB_INT(block), DB_INT(service),
				    DB_INT(staff), DB_INT(client), DB_INT(start), DB_INT(start + 1800),
				    DB_INT(s->due)),
			    &appt, e) != 1 ||
		    db_exec(c,
			    "INSERT INTO reminders (account_id, appointment_id, version, minutes, channel, "
			    "due_at,"
			    " state, created_at, updated_at) VALUES ($1, $2, 1, 1440, 'email', $3, 'pending',"
			    " $3, $3)",
			    DB_ARGS(DB_INT(s->account), DB_INT(appt), DB_INT(s->due)), e) < 0)
			return err_isset(e) ? -1 : err_internal(e, "no id returned");
	}
	char key[64];
	snprintf(key, sizeof(key), REMINDERS_SCAN_KIND ":%" PRId64, s->due);
	struct job_spec j = {.kind = REMINDERS_SCAN_KIND, .unique_key = key, .run_at = s->due};
	return jobs_enqueue(c, &j, e) < 0 ? -1 : 0;
}

static int64_t count_sent(db *d, int64_t account)
{
	struct err e = {0};
	db_conn *c;
	int64_t n = -1;
	if (db_acquire(d, &c, &e) < 0)
		return -1;
	if (db_query_int(c,
			 "SELECT count(*) FROM outbox WHERE account_id = $1 AND kind = 'reminder_1440' AND"
			 " state <> 'queued'",
			 DB_ARGS(DB_INT(account)), &n, &e) < 0)
		n = -1;
	db_release(c);
	return n;
}

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static int fail(const char *what, const struct err *e)
{
	fprintf(stderr, "reminders-backlog: %s: %s\n", what, e->message);
	return 1;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: reminders-backlog STORE_URL SMTP_HOST:PORT [N [THREADS]]\n");
		return 2;
	}
	long n = argc > 3 ? strtol(argv[3], NULL, 10) : 10000;
	long threads = argc > 4 ? strtol(argv[4], NULL, 10) : 2;
	if (n < 1 || n > 1000000 || threads < 1 || threads > 64) {
		fprintf(stderr, "reminders-backlog: N is 1..1000000, THREADS 1..64\n");
		return 2;
	}
	struct config cfg;
	config_defaults(&cfg);
	free(cfg.store);
	cfg.store = strdup(argv[1]);
	free(cfg.smtp_url);
	size_t len = strlen(argv[2]) + 8;
	cfg.smtp_url = malloc(len);
	snprintf(cfg.smtp_url, len, "smtp://%s", argv[2]);
	free(cfg.smtp_starttls);
	cfg.smtp_starttls = strdup("none");
	free(cfg.log_level);
	cfg.log_level = strdup("warn");
	cfg.worker_threads = threads;
	log_set_level(LOG_WARN);

	/* the backlog, before any worker runs */
	struct err e = {0};
	struct bench_business b;
	const char *what;
	if (bench_business_open(&b, argv[1], "Salon Charge", "backlog.example", n, &what, &e))
		return fail(what, &e);
	struct seed s = {.account = b.account_id, .due = clock_now(), .n = n};
	int64_t t0 = clock_mono_ms();
	if (db_transact(b.d, seed_tx, &s, &e))
		return fail("backlog", &e);
	int64_t t1 = clock_mono_ms();
	bench_business_close(&b);
	printf("backlog: %ld reminders due at once, written in one transaction in %.1f s\n", n,
	       (double)(t1 - t0) / 1000);

	/* the product's worker drains it */
	struct app *a;
	int64_t due_mono = clock_mono_ms() - (clock_now() - s.due) * 1000;
	if (app_start_worker(&cfg, &a, &e))
		return fail("worker", &e);
	int64_t done = 0, last_print = clock_mono_ms();
	while ((done = count_sent(a->db, s.account)) < n) {
		if (done < 0) {
			fprintf(stderr, "reminders-backlog: cannot count the sent messages\n");
			app_stop(a);
			return 1;
		}
		if (clock_mono_ms() - last_print >= 10000) {
			fprintf(stderr, "  … %" PRId64 " of %ld sent\n", done, n);
			last_print = clock_mono_ms();
		}
		struct timespec ts = {0, 200 * 1000000L};
		nanosleep(&ts, NULL);
	}
	int64_t t2 = clock_mono_ms();

	db_conn *c;
	db_rows *r;
	int64_t *delay = calloc((size_t)n, sizeof(int64_t));
	long k = 0, failed = 0;
	if (!delay || db_acquire(a->db, &c, &e) < 0)
		return fail("results", &e);
	if (db_query(c,
		     "SELECT o.state, COALESCE(o.sent_at, 0) - r.due_at FROM outbox o JOIN reminders r ON"
		     " r.account_id = o.account_id AND r.appointment_id = o.appointment_id AND r.minutes = "
		     "1440"
		     " WHERE o.account_id = $1 AND o.kind = 'reminder_1440'",
		     DB_ARGS(DB_INT(s.account)), &r, &e))
		return fail("results", &e);
	while (k < n && db_rows_next(r, &e) > 0) {
		if (strcmp(db_rows_text(r, 0), "sent"))
			failed++;
		else
			delay[k++] = db_rows_int(r, 1);
	}
	db_rows_free(r);
	db_release(c);
	app_stop(a);
	qsort(delay, (size_t)k, sizeof(int64_t), cmp64);
	double secs = (double)(t2 - due_mono) / 1000;
	printf("drained: %ld messages sent by %ld worker threads to %s in %.1f s: %.0f messages/s\n", k,
	       threads, argv[2], secs, (double)k / secs);
	if (k)
		printf("delay due → sent: p50 %" PRId64 " s, p99 %" PRId64 " s, max %" PRId64 " s\n",
		       delay[k / 2], delay[(k * 99) / 100 < k ? (k * 99) / 100 : k - 1], delay[k - 1]);
	if (failed)
		printf("not sent (failed or suppressed): %ld\n", failed);
	free(delay);
	config_release(&cfg);
	return failed ? 1 : 0;
}
