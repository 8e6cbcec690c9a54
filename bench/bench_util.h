/* bench_util — what the benchmarks of imports and exports (import-clients.c,
 * import-appointments.c, export-clients.c) share: the store opened, a fresh business signed up
 * on it, each N of the command line run in its own process (so its peak RSS is its own), and a
 * staged import committed with each step timed. Static functions: include it in the
 * benchmark's one .c file. */
#ifndef CRENEAU_BENCH_UTIL_H
#define CRENEAU_BENCH_UTIL_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "account/account.h"
#include "account/password.h"
#include "account/signup.h"
#include "app/app.h"
#include "app/config.h"
#include "base/clock.h"
#include "base/log.h"
#include "data/import.h"
#include "db/db.h"

#define BU_UNUSED __attribute__((unused))

/* An open store and, once signed up, a business of its own on it. */
struct bench_business {
	struct config cfg;
	db *d;
	int64_t account_id;
};

/* Opens the store at store_url, its plans loaded, with warnings only in the log. */
BU_UNUSED static int bench_store_open(struct bench_business *b, const char *store_url, struct err *e)
{
	config_defaults(&b->cfg);
	free(b->cfg.store);
	b->cfg.store = strdup(store_url);
	log_set_level(LOG_WARN);
	return app_open_store(&b->cfg, &b->d, e) || plans_load(b->d, e) ? -1 : 0;
}

/* bench_store_open, then the sign-up of the business `name` ("owner-<n>-<pid>@<domain>"); on
 * failure *what names the step that failed and e says why. */
BU_UNUSED static int bench_business_open(struct bench_business *b, const char *store_url, const char *name,
					 const char *domain, long n, const char **what, struct err *e)
{
	*what = "store";
	if (bench_store_open(b, store_url, e))
		return -1;
	struct signup su = {.password = "Tres-Bon-Mot-2027",
			    .business_type = "hair_salon",
			    .plan = PLAN_OPTIMUM,
			    .time_zone = "Europe/Paris",
			    .locale = "fr",
			    .ip = "127.0.0.1",
			    .user_agent = "bench"};
	snprintf(su.business_name, sizeof(su.business_name), "%s", name);
	snprintf(su.email, sizeof(su.email), "owner-%ld-%d@%s", n, (int)getpid(), domain);
	struct signup_result sr;
	*what = "sign-up";
	if (signup_create(b->d, &su, clock_now(), &sr, e))
		return -1;
	password_pool_stop();
	b->account_id = sr.account_id;
	return 0;
}

BU_UNUSED static void bench_business_close(struct bench_business *b)
{
	db_close(b->d);
	config_release(&b->cfg);
}

/* What one import did, and how long each step took. */
struct bench_import {
	int64_t stage_ms, commit_ms;
	json_int_t rows_ok, rows_invalid, rows_published, publish_ms;
};

/* import_create of `up`, then import_commit, timed; up->data (malloc'd) is freed once staged, so
 * the commit's peak memory does not count the file. On failure *what names the step. */
BU_UNUSED static int bench_import(db *d, struct import_upload *up, struct bench_import *out,
				  const char **what, struct err *e)
{
	json_t *res = NULL;
	int64_t t0 = clock_mono_ms();
	*what = "stage";
	if (import_create(d, up, &res, e))
		return -1;
	int64_t t1 = clock_mono_ms();
	char id[32];
	snprintf(id, sizeof(id), "%s", json_string_value(json_object_get(res, "id")));
	json_t *report = json_object_get(res, "report");
	out->rows_ok = json_integer_value(json_object_get(report, "rows_ok"));
	out->rows_invalid = json_integer_value(json_object_get(report, "rows_invalid"));
	json_decref(res);
	free((char *)up->data);
	up->data = NULL;
	*what = "commit";
	if (import_commit(d, up->account_id, id, clock_now(), &res, e))
		return -1;
	int64_t t2 = clock_mono_ms();
	out->rows_published =
		json_integer_value(json_object_get(json_object_get(res, "report"), "rows_published"));
	out->publish_ms = json_integer_value(json_object_get(res, "publish_ms"));
	json_decref(res);
	out->stage_ms = t1 - t0;
	out->commit_ms = t2 - t1;
	return 0;
}

/* main() of a benchmark named `name`: argv[1] is the store, argv[2...] the sizes N (default
 * `defaults`, two of them), each given to run_one in a process of its own. 2 on bad usage, else
 * 1 when a run failed. */
BU_UNUSED static int bench_each_n(int argc, char **argv, const char *name, char *defaults[2],
				  int (*run_one)(const char *store, long n))
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s STORE_URL [N...]\n", name);
		return 2;
	}
	char **ns = argc > 2 ? argv + 2 : defaults;
	int count = argc > 2 ? argc - 2 : 2, rc = 0;
	for (int i = 0; i < count; i++) {
		long n = strtol(ns[i], NULL, 10);
		if (n < 1 || n > IMPORT_ROWS_MAX - 1) {
			fprintf(stderr, "%s: N is 1..%d\n", name, IMPORT_ROWS_MAX - 1);
			return 2;
		}
		fflush(stdout);
		pid_t pid = fork();
		if (pid == 0) {
			int r = run_one(argv[1], n);
			fflush(stdout);
			_exit(r);
		}
		int status = 0;
		waitpid(pid, &status, 0);
		rc |= !WIFEXITED(status) || WEXITSTATUS(status);
	}
	return rc;
}

#endif
