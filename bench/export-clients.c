/* Exporting clients: for each N given (default 10000 and 100000), a fresh account of the store
 * argv[1] (default a new SQLite file) gets N generated clients (accents, apostrophes, semicolons,
 * quotes, emoji, a formula), then each format is written to a file by export_clients in its own
 * process, so the peak RSS printed (getrusage of the child) is that export's own. Memory must
 * stay flat from 10 000 to 100 000 rows (streamed); docs/internals/data.md keeps the figures. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_util.h"
#include "data/export.h"

static int fail(const char *what, const struct err *e)
{
	fprintf(stderr, "export-clients: %s: %s\n", what, e->message);
	return 1;
}

struct fill {
	int64_t account_id;
	long n;
};

static int fill_tx(db_conn *c, void *ctx, struct err *e)
{
	struct fill *f = ctx;
	for (long i = 0; i < f->n; i++) {
		char pid[48], first[64], last[96], email[64];
		snprintf(pid, sizeof(pid), "cli_%ld_%ld", f->n, i);
		snprintf(first, sizeof(first), "Hélène %ld 🎉", i);
		snprintf(last, sizeof(last),
			 i % 1000 == 7 ? "=HYPERLINK(\"http://x\",\"%ld\")" : "D'Artagnan; \"%ld\"", i);
		snprintf(email, sizeof(email), "client%ld@bench.example", i);
		if (db_exec(c,
			    "INSERT INTO clients (account_id, public_id, first_name, last_name, email, "
			    "phone, notes,"
			    " created_at, updated_at) VALUES ($1, $2, $3, $4, $5, '+33612345678',"
			    " 'aime le thé; \"très\" bien', $6, $6)",
			    DB_ARGS(DB_INT(f->account_id), DB_TEXT(pid), DB_TEXT(first), DB_TEXT(last),
				    DB_TEXT(email), DB_INT(clock_now())),
			    e) < 0)
			return -1;
	}
	return 0;
}

/* In a child: one export; prints its time, size and peak RSS. */
static int export_one(const char *store, const char *slug, enum export_format fmt, long n)
{
	struct err e = {0};
	struct bench_business b;
	struct account a;
	if (bench_store_open(&b, store, &e) || export_account_by_slug(b.d, slug, &a, &e))
		return fail("store", &e);
	char path[128];
	snprintf(path, sizeof(path), "/tmp/creneau-bench-export-%d.%s", (int)getpid(),
		 export_format_code(fmt));
	struct export_clients_opts o = {.format = fmt};
	int64_t rows = 0, t0 = clock_mono_ms();
	if (export_clients(b.d, &a, &o, path, &rows, &e))
		return fail("export", &e);
	int64_t ms = clock_mono_ms() - t0;
	/* the store's file is read through mmap: its pages count in RSS but are the file's, not
	 * the export's; RssAnon (heap and stacks) is what would grow with the rows if they were held */
	long anon = -1, file = -1;
	FILE *ps = fopen("/proc/self/status", "r");
	char line[256];
	while (ps && fgets(line, sizeof(line), ps)) {
		if (!strncmp(line, "RssAnon:", 8))
			anon = strtol(line + 8, NULL, 10);
		else if (!strncmp(line, "RssFile:", 8))
			file = strtol(line + 8, NULL, 10);
	}
	if (ps)
		fclose(ps);
	struct stat st;
	stat(path, &st);
	unlink(path);
	bench_business_close(&b);
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("export-clients %-4s n=%-7ld rows=%-7" PRId64 " %6" PRId64
	       " ms %6.1f MB out  peak RSS %6ld KB (anon %6ld KB, store file mapped %6ld KB)\n",
	       export_format_code(fmt), n, rows, ms, (double)st.st_size / 1e6, ru.ru_maxrss, anon, file);
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	/* a fresh process per export (exec, not only fork: the filler's pages would count) */
	if (argc == 6 && !strcmp(argv[1], "--one"))
		return export_one(argv[2], argv[3], (enum export_format)export_format_parse(argv[4]),
				  strtol(argv[5], NULL, 10));
	char tmpstore[128];
	snprintf(tmpstore, sizeof(tmpstore), "sqlite:/tmp/creneau-bench-export-%d.db", (int)getpid());
	const char *store = argc > 1 ? argv[1] : tmpstore;
	long sizes[8] = {10000, 100000};
	int nsizes = 2;
	if (argc > 2) {
		nsizes = 0;
		for (int i = 2; i < argc && nsizes < 8; i++)
			sizes[nsizes++] = strtol(argv[i], NULL, 10);
	}
	printf("export-clients on %s\n", store);
	fflush(stdout);
	for (int s = 0; s < nsizes; s++) {
		/* the account and its clients, in this process; the exports in children */
		struct err e = {0};
		struct bench_business b;
		const char *what;
		if (bench_business_open(&b, store, "Salon Export", "export.example", sizes[s], &what, &e))
			return fail(what, &e);
		struct fill f = {.account_id = b.account_id, .n = sizes[s]};
		if (db_transact(b.d, fill_tx, &f, &e))
			return fail("fill", &e);
		struct account a;
		if (export_account_load(b.d, b.account_id, &a, &e))
			return fail("account", &e);
		bench_business_close(&b);
		const enum export_format fmts[] = {EXPORT_CSV, EXPORT_XLSX, EXPORT_VCF, EXPORT_JSON};
		for (size_t i = 0; i < 4; i++) {
			pid_t pid = fork();
			if (pid == 0) {
				char n[24];
				snprintf(n, sizeof(n), "%ld", sizes[s]);
				execl("/proc/self/exe", argv[0], "--one", store, a.slug,
				      export_format_code(fmts[i]), n, (char *)NULL);
				_exit(127);
			}
			int status = 0;
			waitpid(pid, &status, 0);
			if (!WIFEXITED(status) || WEXITSTATUS(status))
				return 1;
		}
	}
	if (argc <= 1) {
		unlink(tmpstore + 7);
		char more[160];
		snprintf(more, sizeof(more), "%s-wal", tmpstore + 7);
		unlink(more);
		snprintf(more, sizeof(more), "%s-shm", tmpstore + 7);
		unlink(more);
	}
	return 0;
}
