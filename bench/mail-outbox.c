/* E-mail throughput through the outbox: N appointment-style messages (an iCalendar invitation
 * each, so the send path renders the template, builds the calendar with libical and the
 * multipart/mixed message) are written to the outbox of the store given as argv[1], then sent
 * by jobs_run_due (one thread, as one worker thread does) to the SMTP server argv[2]
 * (host:port). Prints messages per second for writing and for sending. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/log.h"
#include "db/db.h"
#include "jobs/jobs.h"
#include "notify/notify.h"

static int write_one(db_conn *c, void *ctx, struct err *e)
{
	long i = *(long *)ctx;
	char to[64], ref[64];
	snprintf(to, sizeof(to), "client-%ld@bench.example", i);
	snprintf(ref, sizeof(ref), "appointment:bench-%ld-%" PRId64, i, clock_now());
	json_t *v = json_pack("{s:s, s:s, s:{s:s, s:s, s:I, s:I, s:I, s:I, s:s, s:s, s:s, s:s, s:s}}", "name",
			      "Léa Martin", "requested_at", "jeudi 26 novembre 2026 à 14 h 30", "ics",
			      "method", "REQUEST", "uid", ref + 12, "sequence", (json_int_t)1, "start",
			      (json_int_t)1795703400, "end", (json_int_t)1795707000, "stamp",
			      (json_int_t)clock_now(), "summary", "Coupe & brushing — Salon Élise",
			      "location", "12 rue de la Paix, 75002 Paris", "organizer_name", "Salon Élise",
			      "organizer_email", "salon@bench.example", "attendee_email", to);
	struct outbox_email m = {.kind = "bench",
				 .template_name = "smtp_check",
				 .subject_ref = ref,
				 .version = 1,
				 .to = to,
				 .vars = v,
				 .reply_to = "salon@bench.example"};
	int rc = outbox_email(c, &m, e);
	json_decref(v);
	return rc < 0 ? rc : 0;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: mail-outbox STORE_URL SMTP_HOST:PORT [MESSAGES]\n");
		return 2;
	}
	long n = argc > 3 ? strtol(argv[3], NULL, 10) : 2000;
	char url[128];
	snprintf(url, sizeof(url), "smtp://%s", argv[2]);
	struct err e = {0};
	db *d;
	log_set_level(LOG_WARN);
	if (db_open(argv[1], NULL, &d, &e) || db_migrate(d, &e)) {
		fprintf(stderr, "store: %s\n", e.message);
		return 1;
	}
	notify_configure(&(struct notify_config){.smtp_url = url,
						 .smtp_starttls = "none",
						 .mail_from = "no-reply@bench.example",
						 .mail_from_name = "Créneau"});
	int64_t t0 = clock_mono_ms();
	for (long i = 0; i < n; i++)
		if (db_transact(d, write_one, &i, &e)) {
			fprintf(stderr, "outbox: %s\n", e.message);
			return 1;
		}
	int64_t t1 = clock_mono_ms();
	long sent = 0;
	for (;;) {
		int ran = jobs_run_due(d, clock_now() + 1, 500, &e);
		if (ran < 0) {
			fprintf(stderr, "jobs: %s\n", e.message);
			return 1;
		}
		if (ran == 0)
			break;
		sent += ran;
	}
	int64_t t2 = clock_mono_ms();
	int64_t ok = 0;
	db_conn *c;
	if (!db_acquire(d, &c, &e)) {
		if (db_query_int(c, "SELECT count(*) FROM outbox WHERE state = 'sent'", NULL, 0, &ok, &e) < 0)
			ok = -1;
		db_release(c);
	}
	double w = (double)(t1 - t0) / 1000.0, s = (double)(t2 - t1) / 1000.0;
	printf("outbox on %-10s write %8.0f msg/s   send to local SMTP %8.0f msg/s   (%ld messages, %" PRId64
	       " sent, invitation attached, one thread)\n",
	       db_kind_name(d), w > 0 ? (double)n / w : 0.0, s > 0 ? (double)sent / s : 0.0, n, ok);
	db_close(d);
	return 0;
}
