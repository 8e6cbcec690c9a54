/* Importing clients from CSV: for each N given (default 10000 and 100000), a fresh account of the
 * store argv[1] gets a generated CSV of N clients (accents, quotes, one bad e-mail in a hundred,
 * one duplicate in a hundred) through import_create (staged a thousand rows per transaction) and
 * import_commit (one publishing transaction). Each N runs in its own process, so its peak RSS is
 * its own. Prints the time of each step, how long the publish held the writer, and the peak
 * memory; docs/internals/data.md keeps the figures. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
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

static int fail(const char *what, const struct err *e)
{
	fprintf(stderr, "import-clients: %s: %s\n", what, e->message);
	return 1;
}

static char *make_csv(long n, size_t *len)
{
	size_t cap = (size_t)n * 160 + 256, off = 0;
	char *s = malloc(cap);
	off += (size_t)snprintf(s, cap, "\xEF\xBB\xBFNom;Prénom;E-mail;Téléphone;Notes\r\n");
	for (long i = 0; i < n; i++) {
		long who = i % 100 == 99 ? i - 1 : i; /* a duplicate in a hundred */
		const char *at = i % 100 == 50 ? "#" : "@";
		off += (size_t)snprintf(
			s + off, cap - off,
			"D'Artagnan-%ld;Hélène;client%ld%sbench.example;06%08ld;\"aime le thé; "
			"\"\"très\"\" bien\"\r\n",
			who, who, at, who % 100000000);
	}
	*len = off;
	return s;
}

static int run_one(const char *store, long n)
{
	struct config cfg;
	config_defaults(&cfg);
	free(cfg.store);
	cfg.store = strdup(store);
	log_set_level(LOG_WARN);
	struct err e = {0};
	db *d;
	if (app_open_store(&cfg, &d, &e) || plans_load(d, &e))
		return fail("store", &e);
	struct signup su = {.business_name = "Salon Import",
			    .password = "Tres-Bon-Mot-2027",
			    .business_type = "hair_salon",
			    .plan = PLAN_OPTIMUM,
			    .time_zone = "Europe/Paris",
			    .locale = "fr",
			    .ip = "127.0.0.1",
			    .user_agent = "bench"};
	snprintf(su.email, sizeof(su.email), "owner-%ld-%d@import.example", n, (int)getpid());
	struct signup_result sr;
	if (signup_create(d, &su, clock_now(), &sr, &e))
		return fail("sign-up", &e);
	password_pool_stop();
	size_t len;
	char *csv = make_csv(n, &len);
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	long rss_before = ru.ru_maxrss;
	struct import_upload up = {.account_id = sr.account_id, .data = csv, .len = len, .now = clock_now()};
	json_t *out = NULL;
	int64_t t0 = clock_mono_ms();
	if (import_create(d, &up, &out, &e))
		return fail("stage", &e);
	int64_t t1 = clock_mono_ms();
	char id[32];
	snprintf(id, sizeof(id), "%s", json_string_value(json_object_get(out, "id")));
	json_int_t ok = json_integer_value(json_object_get(json_object_get(out, "report"), "rows_ok"));
	json_decref(out);
	free(csv);
	if (import_commit(d, sr.account_id, id, clock_now(), &out, &e))
		return fail("commit", &e);
	int64_t t2 = clock_mono_ms();
	json_int_t published =
		json_integer_value(json_object_get(json_object_get(out, "report"), "rows_published"));
	json_int_t publish_ms = json_integer_value(json_object_get(out, "publish_ms"));
	json_decref(out);
	getrusage(RUSAGE_SELF, &ru);
	printf("import-clients %s N=%ld (%.1f MB of CSV): staged and checked in %.2f s (%.0f rows/s), "
	       "commit %.2f s, publish held the writer %lld ms, %lld of %lld good rows published; "
	       "peak RSS %.1f MB (%.1f MB before the import, CSV included)\n",
	       db_kind_name(d), n, (double)len / 1e6, (double)(t1 - t0) / 1000,
	       (double)n * 1000 / (double)(t1 - t0 + 1), (double)(t2 - t1) / 1000, (long long)publish_ms,
	       (long long)published, (long long)ok, (double)ru.ru_maxrss / 1024, (double)rss_before / 1024);
	db_close(d);
	config_release(&cfg);
	return published == ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: import-clients STORE_URL [N...]\n");
		return 2;
	}
	static char *defaults[] = {"10000", "100000"};
	char **ns = argc > 2 ? argv + 2 : defaults;
	int count = argc > 2 ? argc - 2 : 2, rc = 0;
	for (int i = 0; i < count; i++) {
		long n = strtol(ns[i], NULL, 10);
		if (n < 1 || n > IMPORT_ROWS_MAX - 1) {
			fprintf(stderr, "import-clients: N is 1..%d\n", IMPORT_ROWS_MAX - 1);
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
