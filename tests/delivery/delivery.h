/* delivery — what the delivery tests stand on (docs/internals/reminders.md, "How delivery is
 * proven"): the product in-process WITHOUT its job worker (it serves the API and owns the
 * test clock), a business whose 1 000 appointments of consenting clients each have one 24 h
 * e-mail reminder planned, real `creneau worker` processes started and killed by the test,
 * and the real SMTP server's maildir read back file by file. Header-only; include after
 * cmocka.h. */
#ifndef CRENEAU_TEST_DELIVERY_H
#define CRENEAU_TEST_DELIVERY_H
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "api/harness.h"
#include "api/sched_fixture.h"
#include "account/account.h"
#include "base/tz.h"
#include "jobs/testclock.h"
#include "notify/reminders.h"

#define FLEET_STAFF	100
#define FLEET_PER_STAFF 10
#define FLEET_SIZE	(FLEET_STAFF * FLEET_PER_STAFF) /* appointments = reminders = messages */

/* The instants of the fleet: appointments on Wednesday 5 May 2027 from 09:00 Paris (UTC+2),
 * every 30 min per staff member until 13:30; their 24 h reminders fall due from 07:00 to
 * 11:30 UTC on the 4th. The clock starts on the 3rd and moves to DUE_ALL, when every
 * reminder is due and every appointment still 19 h ahead (a reminder expires at the start). */
#define FLEET_CLOCK_START INT64_C(1809324000) /* 2027-05-03T06:00:00Z */
#define FLEET_FIRST_START INT64_C(1809500400) /* 2027-05-05T07:00:00Z = 09:00 Paris */
#define FLEET_DUE_ALL	  INT64_C(1809432000) /* 2027-05-04T12:00:00Z */

static inline void dl_die_unless_peers(void)
{
	if (!getenv("CRENEAU_TEST_SMTP") || !getenv("CRENEAU_TEST_MAILDIR")) {
		fprintf(stderr, "CRENEAU_TEST_SMTP and CRENEAU_TEST_MAILDIR must be set: tests/run.sh "
				"starts the SMTP server (scripts/peers/smtp.sh)\n");
		exit(1);
	}
}

/* The product in this process serves the API and keeps the store's clock; jobs run only in
 * the worker processes the test starts. */
static inline void dl_no_worker(struct config *cfg)
{
	cfg->no_worker = 1;
}

static inline void dl_clock_set(int64_t t)
{
	struct err e = {0};
	if (testclock_set(H.app->db, t, &e))
		fail_msg("setting the test clock to %" PRId64 ": %s", t, e.message);
}

static inline int64_t dl_clock_get(void)
{
	struct err e = {0};
	int64_t t = 0;
	assert_true(testclock_get(H.app->db, &t, &e) >= 0);
	return t;
}

struct fleet {
	struct biz z;
	char tag[64]; /* every client address ends with it: "@d<pid>-<store>.example" */
};

struct seed_ctx {
	const struct fleet *f;
	int64_t service, now;
};

static inline int seed_tx(db_conn *c, void *vctx, struct err *e)
{
	struct seed_ctx *x = vctx;
	int64_t acc = x->f->z.id;
	for (int s = 0; s < FLEET_STAFF; s++) {
		char spid[24], name[32];
		int64_t staff;
		public_id_new("stf", spid);
		snprintf(name, sizeof(name), "Employé %d", s + 1);
		if (db_query_int(c,
				 "INSERT INTO staff (account_id, public_id, name, created_at, updated_at)"
				 " VALUES ($1, $2, $3, $4, $4) RETURNING id",
				 DB_ARGS(DB_INT(acc), DB_TEXT(spid), DB_TEXT(name), DB_INT(x->now)), &staff,
				 e) != 1 ||
		    db_exec(c,
			    "INSERT INTO service_staff (account_id, service_id, staff_id) VALUES ($1, $2, "
			    "$3)",
			    DB_ARGS(DB_INT(acc), DB_INT(x->service), DB_INT(staff)), e) < 0)
			return -1;
		for (int k = 0; k < FLEET_PER_STAFF; k++) {
			int i = s * FLEET_PER_STAFF + k;
			char cpid[24], apid[24], email[128], first[32];
			int64_t client, block, appt, start = FLEET_FIRST_START + (int64_t)k * 1800;
			public_id_new("cli", cpid);
			public_id_new("apt", apid);
			snprintf(email, sizeof(email), "c%d%s", i, x->f->tag);
			snprintf(first, sizeof(first), "Client%d", i);
			if (db_query_int(c,
					 "INSERT INTO clients (account_id, public_id, first_name, last_name, "
					 "search_text, email, consent_email, created_at, updated_at)"
					 " VALUES ($1, $2, $3, 'Martin', '', $4, 1, $5, $5) RETURNING id",
					 DB_ARGS(DB_INT(acc), DB_TEXT(cpid), DB_TEXT(first), DB_TEXT(email),
						 DB_INT(x->now)),
					 &client, e) != 1 ||
			    db_query_int(
				    c,
				    "INSERT INTO blocks (account_id, staff_id, service_id, blocked_from, "
				    "blocked_to, status, capacity, seats_taken)"
				    " VALUES ($1, $2, $3, $4, $5, 'active', 1, 1) RETURNING id",
				    DB_ARGS(DB_INT(acc), DB_INT(staff), DB_INT(x->service), DB_INT(start),
					    DB_INT(start + 1800)),
				    &block, e) != 1 ||
			    db_query_int(
				    c,
				    "INSERT INTO appointments (account_id, public_id, block_id, service_id, "
				    "staff_id, client_id, starts_at, ends_at, status, source, version, "
				    "change_seq, created_at, updated_at)"
				    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'booked', 'office', 1, 0, $9, "
				    "$9) RETURNING id",
				    DB_ARGS(DB_INT(acc), DB_TEXT(apid), DB_INT(block), DB_INT(x->service),
					    DB_INT(staff), DB_INT(client), DB_INT(start),
					    DB_INT(start + 1800), DB_INT(x->now)),
				    &appt, e) != 1)
				return err_isset(e) ? -1 : err_internal(e, "no id returned");
			/* what every booking does in its transaction */
			if (reminders_schedule(c, acc, appt, x->now, e))
				return -1;
		}
	}
	return 0;
}

/* A business in Paris (sign-up through the API, demo data removed, reminders set to one
 * e-mail 24 h before through the API) and FLEET_SIZE appointments written straight into the
 * store, each with its reminder planned by reminders_schedule as a booking does. */
static inline void fleet_open(struct fleet *f, const char *name)
{
	struct reply r;
	snprintf(f->tag, sizeof(f->tag), "@d%d-%s.example", (int)getpid(), harness_store_kind());
	dl_clock_set(FLEET_CLOCK_START);
	fx_business(&f->z, name, "Europe/Paris");
	session_call(&H, &f->z.s, "DELETE", "/api/v1/demo", NULL, &r);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	session_call(&H, &f->z.s, "PUT", "/api/v1/notifications/settings",
		     "{\"version\": 1, \"reminders\": [{\"minutes\": 1440, \"channels\": [\"email\"]}]}", &r);
	if (r.status != 200)
		fprintf(stderr, "settings: %ld %s\n", r.status, r.body);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	char svc[24];
	int64_t service = fx_service(&f->z, 30, 0, 0, 1, svc);
	struct seed_ctx x = {.f = f, .service = service, .now = FLEET_CLOCK_START};
	struct err e = {0};
	if (db_transact(H.app->db, seed_tx, &x, &e))
		fail_msg("seeding %d appointments: %s", FLEET_SIZE, e.message);
	assert_int_equal(fx_int("SELECT count(*) FROM reminders WHERE account_id = $1 AND state = 'pending'"
				" AND minutes = 1440 AND channel = 'email' AND due_at <= $2",
				DB_ARGS(DB_INT(f->z.id), DB_INT(FLEET_DUE_ALL))),
			 FLEET_SIZE);
}

/* Reminder e-mails of the fleet recorded as sent by the product. */
static inline int64_t fleet_sent(const struct fleet *f)
{
	return fx_int("SELECT count(*) FROM outbox WHERE account_id = $1 AND kind = 'reminder_1440'"
		      " AND state = 'sent'",
		      DB_ARGS(DB_INT(f->z.id)));
}

/* Prints the job queue by kind and state, and the store's clock (for a failure's message). */
static inline void dl_dump_jobs(void)
{
	struct err e = {0};
	db_conn *c;
	db_rows *r;
	if (db_acquire(H.app->db, &c, &e) < 0)
		return;
	if (!db_query(c,
		      "SELECT kind, state, count(*), min(run_at), max(COALESCE(lease_until, 0)),"
		      " max(COALESCE(last_error, '')) FROM jobs GROUP BY kind, state ORDER BY kind, state",
		      DB_NOARGS, &r, &e)) {
		fprintf(stderr, "jobs (clock %" PRId64 "):\n", dl_clock_get());
		while (db_rows_next(r, &e) > 0)
			fprintf(stderr,
				"  %-22s %-8s %5" PRId64 " run_at>=%" PRId64 " lease<=%" PRId64 " %s\n",
				db_rows_text(r, 0), db_rows_text(r, 1), db_rows_int(r, 2), db_rows_int(r, 3),
				db_rows_int(r, 4), db_rows_text(r, 5));
		db_rows_free(r);
	}
	if (!db_query(c,
		      "SELECT state, COALESCE(reason, ''), count(*) FROM reminders GROUP BY state, reason"
		      " ORDER BY state, reason",
		      DB_NOARGS, &r, &e)) {
		fprintf(stderr, "reminders:\n");
		while (db_rows_next(r, &e) > 0)
			fprintf(stderr, "  %-8s %-12s %5" PRId64 "\n", db_rows_text(r, 0), db_rows_text(r, 1),
				db_rows_int(r, 2));
		db_rows_free(r);
	}
	db_release(c);
}

/* ---- worker processes ---- */

/* Starts `creneau worker` (CRENEAU_BIN) on the harness's store in test mode, sending to the
 * test SMTP server; its output is appended to log_path. Returns its pid. */
static inline pid_t worker_spawn(int threads, const char *log_path)
{
	const char *bin = getenv("CRENEAU_BIN") ? getenv("CRENEAU_BIN") : "build/debug/creneau";
	char smtp[128], nthreads[16];
	snprintf(smtp, sizeof(smtp), "smtp://%s", getenv("CRENEAU_TEST_SMTP"));
	snprintf(nthreads, sizeof(nthreads), "%d", threads);
	const char *argv[] = {bin,	     "worker",		 "--store", H.store_url,
			      "--test-mode", "--smtp-url",	 smtp,	    "--smtp-starttls",
			      "none",	     "--worker-threads", nthreads,  "--pool-size",
			      "6",	     "--log-level",	 "info",    NULL};
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
		execv(bin, (char *const *)argv);
		fprintf(stderr, "exec %s: %s\n", bin, strerror(errno));
		_exit(127);
	}
	return pid;
}

/* 1 while the process runs; fails the test if it exited on its own (it should not). */
static inline void worker_alive(pid_t pid, const char *log_path)
{
	int st;
	pid_t r = waitpid(pid, &st, WNOHANG);
	if (r == pid) {
		char cmd[1400];
		snprintf(cmd, sizeof(cmd), "tail -20 '%.1300s' >&2", log_path);
		if (system(cmd) < 0)
			perror("tail");
		fail_msg("the worker %d exited by itself (status %d)", (int)pid, st);
	}
}

static inline void worker_kill9(pid_t pid)
{
	assert_int_equal(kill(pid, SIGKILL), 0);
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
}

/* SIGTERM, then waits up to 15 s for a clean exit (SIGKILL after that, and the test fails). */
static inline void worker_stop(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	for (int i = 0; i < 150; i++) {
		int st;
		if (waitpid(pid, &st, WNOHANG) == pid) {
			assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
			return;
		}
		usleep(100 * 1000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	fail_msg("the worker %d did not stop within 15 s of SIGTERM", (int)pid);
}

/* Waits (up to 15 s) until the workers have run every job due at the store's clock — among
 * them the re-plan the settings change enqueued, which must run before the reminders fall
 * due (see the report of issue 6: a re-plan run after they fell due drops them). */
static inline void dl_wait_idle(void)
{
	time_t until = time(NULL) + 15;
	while (fx_int("SELECT count(*) FROM jobs WHERE state IN ('queued', 'running') AND run_at <= $1",
		      DB_ARGS(DB_INT(dl_clock_get()))) > 0) {
		if (time(NULL) > until) {
			dl_dump_jobs();
			fail_msg("the workers did not run the jobs due at the test clock within 15 s");
		}
		usleep(50 * 1000);
	}
}

/* ---- the maildir ---- */

/* Files in the maildir's new/ (every message the SMTP server accepted). */
static inline long maildir_files(void)
{
	char path[600];
	snprintf(path, sizeof(path), "%s/new", getenv("CRENEAU_TEST_MAILDIR"));
	DIR *d = opendir(path);
	if (!d)
		fail_msg("cannot open the maildir %s", path);
	long n = 0;
	struct dirent *de;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

struct mail_ids {
	char **ids; /* Message-IDs of the messages whose To: holds the tag, sorted */
	size_t n, cap;
	size_t distinct, recipients_distinct;
	size_t max_copies;
};

static inline int dl_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static inline size_t dl_distinct(char **v, size_t n, size_t *max_copies)
{
	size_t d = 0, run = 0;
	if (max_copies)
		*max_copies = 0;
	for (size_t i = 0; i < n; i++) {
		run = i && !strcmp(v[i], v[i - 1]) ? run + 1 : 1;
		d += run == 1;
		if (max_copies && run > *max_copies)
			*max_copies = run;
	}
	return d;
}

/* Reads the headers of every message in the maildir, as stored by the SMTP server, and keeps
 * the Message-ID of those addressed to the tag. */
static inline void maildir_read(const char *tag, struct mail_ids *out)
{
	memset(out, 0, sizeof(*out));
	char dir[600];
	snprintf(dir, sizeof(dir), "%s/new", getenv("CRENEAU_TEST_MAILDIR"));
	DIR *d = opendir(dir);
	assert_non_null(d);
	char **rcpts = NULL;
	size_t nr = 0, rcap = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char path[1200], line[1024], to[1024] = "", id[1024] = "";
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		FILE *fp = fopen(path, "r");
		if (!fp)
			continue;
		while (fgets(line, sizeof(line), fp)) {
			if (line[0] == '\r' || line[0] == '\n')
				break; /* end of the headers */
			line[strcspn(line, "\r\n")] = '\0';
			if (!strncasecmp(line, "To:", 3))
				snprintf(to, sizeof(to), "%s", line + 3);
			else if (!strncasecmp(line, "Message-ID:", 11))
				snprintf(id, sizeof(id), "%s", line + 11 + strspn(line + 11, " \t"));
		}
		fclose(fp);
		if (!strstr(to, tag))
			continue;
		if (!id[0])
			fail_msg("a message to %s without Message-ID (%s)", to, path);
		if (out->n == out->cap) {
			out->cap = out->cap ? 2 * out->cap : 1024;
			out->ids = realloc(out->ids, out->cap * sizeof(char *));
			assert_non_null(out->ids);
		}
		out->ids[out->n++] = strdup(id);
		if (nr == rcap) {
			rcap = rcap ? 2 * rcap : 1024;
			rcpts = realloc(rcpts, rcap * sizeof(char *));
			assert_non_null(rcpts);
		}
		rcpts[nr++] = strdup(to);
	}
	closedir(d);
	qsort(out->ids, out->n, sizeof(char *), dl_cmp);
	out->distinct = dl_distinct(out->ids, out->n, &out->max_copies);
	qsort(rcpts, nr, sizeof(char *), dl_cmp);
	out->recipients_distinct = dl_distinct(rcpts, nr, NULL);
	for (size_t i = 0; i < nr; i++)
		free(rcpts[i]);
	free(rcpts);
}

static inline void mail_ids_free(struct mail_ids *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->ids[i]);
	free(m->ids);
	memset(m, 0, sizeof(*m));
}

/* The maildir's distinct Message-IDs are exactly the outbox's Message-IDs of the fleet's
 * reminders: nothing missing, nothing foreign. */
static inline void maildir_matches_outbox(const struct fleet *f, const struct mail_ids *m)
{
	struct err e = {0};
	db_conn *c;
	db_rows *r;
	assert_int_equal(db_acquire(H.app->db, &c, &e), 0);
	assert_int_equal(db_query(c,
				  "SELECT message_id FROM outbox WHERE account_id = $1 AND kind = "
				  "'reminder_1440' ORDER BY message_id",
				  DB_ARGS(DB_INT(f->z.id)), &r, &e),
			 0);
	char **want = calloc(FLEET_SIZE + 1, sizeof(char *));
	size_t nw = 0;
	int rc;
	while ((rc = db_rows_next(r, &e)) > 0 && nw <= FLEET_SIZE) {
		char id[300];
		snprintf(id, sizeof(id), "<%s>", db_rows_text(r, 0));
		want[nw++] = strdup(id);
	}
	db_rows_free(r);
	db_release(c);
	assert_int_equal(nw, FLEET_SIZE);
	qsort(want, nw, sizeof(char *), dl_cmp);
	size_t j = 0;
	for (size_t i = 0; i < m->n; i++) {
		if (i && !strcmp(m->ids[i], m->ids[i - 1]))
			continue;
		if (j >= nw || strcmp(m->ids[i], want[j]))
			fail_msg("the maildir holds %s, which is not the next outbox Message-ID %s",
				 m->ids[i], j < nw ? want[j] : "(none)");
		j++;
	}
	assert_int_equal(j, nw);
	for (size_t i = 0; i < nw; i++)
		free(want[i]);
	free(want);
}

/* Sleeps ms milliseconds. */
static inline void dl_sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

#endif
