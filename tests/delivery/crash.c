/* Crash test on a SQLite store file: 1 000 reminders fall due (one business, 1 000
 * appointments of consenting clients); a real `creneau worker` process (one job thread)
 * sends them to the real SMTP server and is killed with SIGKILL three times while the
 * messages flow (after a quarter, a half and three quarters of them), each time restarted.
 * Then: every reminder arrived (1 000 distinct Message-IDs in the maildir, exactly the
 * outbox's), and copies of one Message-ID only for messages in flight at a kill — at most
 * one per kill: a message goes twice only when the SMTP server accepted it and the worker
 * died before recording it as sent, and a worker with one job thread has at most one
 * message in hand. The job it held stays leased (180 s of the store's clock), so the test
 * moves the shared test clock past the lease after each restart. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "delivery.h"

#define KILLS	   3
#define THREADS	   1 /* job threads of the worker: messages in flight at a kill <= THREADS */
#define DEADLINE_S 45

static void wait_files(long want, pid_t w, const char *log, const char *what)
{
	time_t until = time(NULL) + DEADLINE_S;
	while (maildir_files() < want) {
		worker_alive(w, log);
		if (time(NULL) > until) {
			dl_dump_jobs();
			fail_msg("%s: the maildir holds %ld files after %d s, %ld awaited", what,
				 maildir_files(), DEADLINE_S, want);
		}
		dl_sleep_ms(10);
	}
}

static void kill_nine_in_the_middle_of_1000_reminders(void **state)
{
	(void)state;
	char dir[] = "/tmp/creneau-crash-XXXXXX", log[600];
	assert_non_null(mkdtemp(dir));
	snprintf(log, sizeof(log), "%s/worker.log", dir);
	struct fleet f;
	fleet_open(&f, "Salon Panne");

	long base = maildir_files();
	pid_t w = worker_spawn(THREADS, log);
	dl_wait_idle();
	dl_clock_set(FLEET_DUE_ALL); /* the 1 000 reminders are due */
	long at_kill[KILLS];
	for (int k = 0; k < KILLS; k++) {
		wait_files(base + (long)FLEET_SIZE * (k + 1) / (KILLS + 1), w, log, "before a kill");
		worker_kill9(w);
		at_kill[k] = maildir_files() - base;
		/* killed in the middle of the batch, not after it */
		assert_true(at_kill[k] < FLEET_SIZE);
		w = worker_spawn(THREADS, log);
		/* the job in hand at the kill becomes claimable once its lease is over */
		dl_clock_set(dl_clock_get() + 181);
	}
	time_t until = time(NULL) + DEADLINE_S;
	while (fleet_sent(&f) < FLEET_SIZE) {
		worker_alive(w, log);
		if (time(NULL) > until) {
			dl_dump_jobs();
			fail_msg("%" PRId64 " of %d reminders sent after the last restart and %d s (log: %s)",
				 fleet_sent(&f), FLEET_SIZE, DEADLINE_S, log);
		}
		dl_sleep_ms(50);
	}
	worker_stop(w);

	struct mail_ids m;
	maildir_read(f.tag, &m);
	printf("crash test: kills after %ld, %ld and %ld messages; %zu messages received, %zu distinct, "
	       "%zu duplicates\n",
	       at_kill[0], at_kill[1], at_kill[2], m.n, m.distinct, m.n - m.distinct);
	assert_int_equal(m.distinct, FLEET_SIZE);
	assert_int_equal(m.recipients_distinct, FLEET_SIZE);
	assert_true(m.n - m.distinct <= (size_t)KILLS * THREADS);
	assert_true(m.max_copies <= 2);
	maildir_matches_outbox(&f, &m);
	/* and each message received twice is one of those */
	for (size_t i = 1; i < m.n; i++) {
		if (strcmp(m.ids[i], m.ids[i - 1]))
			continue;
		char id[300];
		snprintf(id, sizeof(id), "%.*s", (int)strlen(m.ids[i]) - 2, m.ids[i] + 1);
		assert_int_equal(
			fx_int("SELECT attempts FROM outbox WHERE message_id = $1", DB_ARGS(DB_TEXT(id))), 2);
	}
	mail_ids_free(&m);
	/* the store agrees: every reminder written once, every message sent, no job given up */
	assert_int_equal(fx_int("SELECT count(*) FROM reminders WHERE account_id = $1 AND state = 'written'",
				DB_ARGS(DB_INT(f.z.id))),
			 FLEET_SIZE);
	assert_int_equal(
		fx_int("SELECT count(*) FROM outbox WHERE account_id = $1 AND kind = 'reminder_1440'",
		       DB_ARGS(DB_INT(f.z.id))),
		FLEET_SIZE);
	/* a message tried twice is one a killed worker had in hand (attempts counts before the
	 * SMTP dialogue): at most one per kill and thread */
	assert_true(fx_int("SELECT count(*) FROM outbox WHERE account_id = $1 AND attempts > 1",
			   DB_ARGS(DB_INT(f.z.id))) <= KILLS * THREADS);
	assert_int_equal(fx_int("SELECT count(*) FROM jobs WHERE state = 'dead'", DB_NOARGS), 0);
	assert_int_equal(
		fx_int("SELECT count(*) FROM jobs WHERE kind = 'email.send' AND state <> 'done'", DB_NOARGS),
		0);
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
	if (strcmp(harness_store_kind(), "sqlite")) {
		fprintf(stderr, "the crash test runs on a SQLite store file (CRENEAU_TEST_STORE=sqlite)\n");
		return 1;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kill_nine_in_the_middle_of_1000_reminders),
	};
	return cmocka_run_group_tests_name("delivery: kill -9 during 1000 reminders", tests, setup,
					   harness_teardown);
}
