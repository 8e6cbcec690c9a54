/* Two `creneau worker` processes (two job threads each) on one PostgreSQL store share 1 000
 * reminders: the scanner's batches (FOR UPDATE SKIP LOCKED) and the send jobs (claimed with
 * SKIP LOCKED) split between them. Every message reaches the real SMTP server exactly once —
 * 1 000 files in the maildir, 1 000 distinct Message-IDs, exactly the outbox's — and both
 * workers took a share: each worker's log names the messages it sent ("event=mail_sent ...
 * message_id=..."), both lists are non-empty, disjoint, and together make the 1 000. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "delivery.h"

#define THREADS	   2
#define DEADLINE_S 45

/* The Message-IDs a worker's log says it sent, and the reminders its scanner wrote. */
static size_t sent_by(const char *log, char ***ids, long *written)
{
	FILE *fp = fopen(log, "r");
	assert_non_null(fp);
	char line[2048];
	size_t n = 0, cap = 0;
	*ids = NULL;
	*written = 0;
	while (fgets(line, sizeof(line), fp)) {
		const char *p;
		if (strstr(line, "event=mail_sent") && (p = strstr(line, " message_id="))) {
			p += 12;
			size_t len = strcspn(p, " \n");
			if (n == cap) {
				cap = cap ? 2 * cap : 512;
				*ids = realloc(*ids, cap * sizeof(char *));
				assert_non_null(*ids);
			}
			(*ids)[n++] = strndup(p, len);
		} else if (strstr(line, "msg=\"reminders written\"") && (p = strstr(line, " count="))) {
			*written += strtol(p + 7, NULL, 10);
		}
	}
	fclose(fp);
	return n;
}

static void two_workers_send_each_message_once(void **state)
{
	(void)state;
	char dir[] = "/tmp/creneau-2workers-XXXXXX", log[2][600];
	assert_non_null(mkdtemp(dir));
	struct fleet f;
	fleet_open(&f, "Salon Partage");

	long base = maildir_files();
	pid_t w[2];
	for (int i = 0; i < 2; i++) {
		snprintf(log[i], sizeof(log[i]), "%s/worker-%d.log", dir, i + 1);
		w[i] = worker_spawn(THREADS, log[i]);
	}
	dl_wait_idle();
	dl_clock_set(FLEET_DUE_ALL); /* the 1 000 reminders are due */
	time_t until = time(NULL) + DEADLINE_S;
	while (fleet_sent(&f) < FLEET_SIZE) {
		for (int i = 0; i < 2; i++)
			worker_alive(w[i], log[i]);
		if (time(NULL) > until) {
			dl_dump_jobs();
			fail_msg("%" PRId64 " of %d reminders sent after %d s (logs in %s)", fleet_sent(&f),
				 FLEET_SIZE, DEADLINE_S, dir);
		}
		dl_sleep_ms(50);
	}
	for (int i = 0; i < 2; i++)
		worker_stop(w[i]);

	struct mail_ids m;
	maildir_read(f.tag, &m);
	printf("two workers: %ld new files in the maildir, %zu to the fleet, %zu distinct\n",
	       maildir_files() - base, m.n, m.distinct);
	assert_int_equal(m.n, FLEET_SIZE);
	assert_int_equal(m.distinct, FLEET_SIZE);
	assert_int_equal(m.recipients_distinct, FLEET_SIZE);
	maildir_matches_outbox(&f, &m);
	mail_ids_free(&m);
	assert_int_equal(fx_int("SELECT count(*) FROM outbox WHERE account_id = $1 AND kind = 'reminder_1440'"
				" AND attempts = 1",
				DB_ARGS(DB_INT(f.z.id))),
			 FLEET_SIZE);
	assert_int_equal(fx_int("SELECT count(*) FROM reminders WHERE account_id = $1 AND state = 'written'",
				DB_ARGS(DB_INT(f.z.id))),
			 FLEET_SIZE);

	/* who sent what, from the workers' own logs */
	char **ids[2];
	long written[2];
	size_t n[2];
	for (int i = 0; i < 2; i++)
		n[i] = sent_by(log[i], &ids[i], &written[i]);
	printf("two workers: worker 1 sent %zu and wrote %ld reminders, worker 2 sent %zu and wrote %ld\n",
	       n[0], written[0], n[1], written[1]);
	/* the fleet's 1 000 plus the few platform mails (the owner's) the workers sent too */
	assert_true(n[0] > 0 && n[1] > 0);
	assert_int_equal(written[0] + written[1], FLEET_SIZE);
	size_t total = n[0] + n[1];
	char **all = malloc(total * sizeof(char *));
	assert_non_null(all);
	memcpy(all, ids[0], n[0] * sizeof(char *));
	memcpy(all + n[0], ids[1], n[1] * sizeof(char *));
	qsort(all, total, sizeof(char *), dl_cmp);
	size_t most;
	assert_int_equal(dl_distinct(all, total, &most), total); /* no message sent by both */
	assert_true(total >= FLEET_SIZE);
	/* a share of the fleet's messages in each worker's list, and all of them in the two */
	int64_t shares = 0;
	for (int i = 0; i < 2; i++) {
		int64_t mine = 0;
		for (size_t k = 0; k < n[i]; k++)
			mine += fx_int("SELECT count(*) FROM outbox WHERE account_id = $1 AND kind = "
				       "'reminder_1440' AND message_id = $2",
				       DB_ARGS(DB_INT(f.z.id), DB_TEXT(ids[i][k])));
		printf("two workers: worker %d sent %" PRId64 " of the 1000 reminders\n", i + 1, mine);
		assert_true(mine > 0);
		shares += mine;
		for (size_t k = 0; k < n[i]; k++)
			free(ids[i][k]);
		free(ids[i]);
	}
	assert_int_equal(shares, FLEET_SIZE);
	free(all);
	char cmd[700];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static int setup(void **state)
{
	(void)state;
	harness_start(&H, dl_no_worker);
	return 0;
}

int main(void)
{
	dl_die_unless_peers();
	if (strcmp(harness_store_kind(), "pg") || !getenv("CRENEAU_TEST_PG_URL")) {
		fprintf(stderr, "the two-worker test runs on PostgreSQL: set CRENEAU_TEST_STORE=pg and "
				"CRENEAU_TEST_PG_URL (tests/run.sh starts scripts/peers/pg.sh)\n");
		return 1;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(two_workers_send_each_message_once),
	};
	return cmocka_run_group_tests_name("delivery: two workers on PostgreSQL", tests, setup,
					   harness_teardown);
}
