/* Importing clients from CSV: for each N given (default 10000 and 100000), a fresh account of the
 * store argv[1] gets a generated CSV of N clients (accents, quotes, one bad e-mail in a hundred,
 * one duplicate in a hundred) through import_create (staged a thousand rows per transaction) and
 * import_commit (one publishing transaction). Each N runs in its own process, so its peak RSS is
 * its own. Prints the time of each step, how long the publish held the writer, and the peak
 * memory; docs/internals/data.md keeps the figures. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "bench_util.h"

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
	struct err e = {0};
	struct bench_business b;
	const char *what;
	if (bench_business_open(&b, store, "Salon Import", "import.example", n, &what, &e))
		return fail(what, &e);
	size_t len;
	char *csv = make_csv(n, &len);
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	long rss_before = ru.ru_maxrss;
	struct import_upload up = {.account_id = b.account_id, .data = csv, .len = len, .now = clock_now()};
	struct bench_import r;
	if (bench_import(b.d, &up, &r, &what, &e))
		return fail(what, &e);
	getrusage(RUSAGE_SELF, &ru);
	printf("import-clients %s N=%ld (%.1f MB of CSV): staged and checked in %.2f s (%.0f rows/s), "
	       "commit %.2f s, publish held the writer %lld ms, %lld of %lld good rows published; "
	       "peak RSS %.1f MB (%.1f MB before the import, CSV included)\n",
	       db_kind_name(b.d), n, (double)len / 1e6, (double)r.stage_ms / 1000,
	       (double)n * 1000 / (double)(r.stage_ms + 1), (double)r.commit_ms / 1000,
	       (long long)r.publish_ms, (long long)r.rows_published, (long long)r.rows_ok,
	       (double)ru.ru_maxrss / 1024, (double)rss_before / 1024);
	bench_business_close(&b);
	return r.rows_published == r.rows_ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	static char *defaults[] = {"10000", "100000"};
	return bench_each_n(argc, argv, "import-clients", defaults, run_one);
}
