/* creneau — the command line: serve | worker | migrate [--status] | version. */
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "account/operator.h"
#include "account/password.h"
#include "app/app.h"
#include "app/config.h"
#include "account/signup.h"
#include "base/clock.h"
#include "base/log.h"
#include "data/export.h"
#include "ops/backup.h"
#include "base/banned.h"

#ifndef CRENEAU_VERSION
#define CRENEAU_VERSION "0.1.0"
#endif

struct command {
	const char *name;
	const char *summary;
	unsigned scope;
	int (*run)(const struct config *cfg);
	/* optional: takes the command's own words and flags out of argv (shifting the rest down
	 * and lowering *argc) before the settings are read; non-zero = usage error */
	int (*take_args)(int *argc, char **argv);
};

/* Blocks SIGINT/SIGTERM in every thread started after this, then waits for one of them. */
static void block_stop_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, set, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static int wait_and_stop(struct app *a, const sigset_t *set)
{
	int sig = 0;
	sigwait(set, &sig);
	log_info("msg=\"stopping\" signal=%s", sig == SIGTERM ? "SIGTERM" : "SIGINT");
	app_stop(a);
	log_info("msg=\"stopped cleanly\"");
	return 0;
}

static int report(const struct err *e)
{
	fprintf(stderr, "creneau: %s\n", e->message);
	return 1;
}

/* A long-running process keeps what it freed instead of handing it back to the kernel after
 * each request: glibc trims a thread's heap as soon as 128 KiB at its top are free, and serves
 * anything over 128 KiB (a month of availability is ~190 KiB) from a fresh mmap; the munmap,
 * TLB shootdowns and page faults that followed were 7 % of a month's latency. Memory stays
 * bounded by the peak of the requests in flight (docs/operations.md). */
static void keep_freed_memory(void)
{
	(void)mallopt(M_TRIM_THRESHOLD, 128 << 20);
	(void)mallopt(M_MMAP_THRESHOLD, 4 << 20);
}

static int run_serve(const struct config *cfg)
{
	sigset_t set;
	struct err e = {0};
	struct app *a;
	keep_freed_memory();
	block_stop_signals(&set);
	if (app_start(cfg, &a, &e))
		return report(&e);
	return wait_and_stop(a, &set);
}

static int run_worker(const struct config *cfg)
{
	sigset_t set;
	struct err e = {0};
	struct app *a;
	keep_freed_memory();
	block_stop_signals(&set);
	if (app_start_worker(cfg, &a, &e))
		return report(&e);
	return wait_and_stop(a, &set);
}

static void print_line(void *ctx, const char *text)
{
	(void)ctx;
	printf("%s\n", text);
}

static int run_migrate(const struct config *cfg)
{
	struct err e = {0};
	db *d;
	if (cfg->status) {
		if (db_open(cfg->store, NULL, &d, &e))
			return report(&e);
		int rc = db_migrate_status(d, print_line, NULL, &e);
		db_close(d);
		return rc ? report(&e) : 0;
	}
	if (app_open_store(cfg, &d, &e))
		return report(&e);
	printf("store %s is up to date\n", db_kind_name(d));
	db_close(d);
	return 0;
}

static int run_demo(const struct config *cfg)
{
	struct err e = {0};
	db *d;
	int created = 0;
	app_register_modules(); /* the demo fillers of every module */
	if (app_open_store(cfg, &d, &e) || plans_load(d, &e) ||
	    demo_business_ensure(d, clock_now(), &created, &e))
		return report(&e);
	db_close(d);
	printf("%s: %s\n  log in at /login with %s / %s\n", DEMO_BUSINESS_NAME,
	       created ? "created" : "already there", DEMO_OWNER_EMAIL, DEMO_OWNER_PASSWORD);
	return 0;
}

static int run_version(const struct config *cfg)
{
	(void)cfg;
	printf("creneau %s\n", CRENEAU_VERSION);
	return 0;
}

/* creneau operator add EMAIL [--name N]: the password comes from stdin (not echoed on a
 * terminal; one line otherwise, so scripts can pipe it). */
static struct {
	const char *email, *name;
} operator_cli;

static int operator_take_args(int *argc, char **argv)
{
	int out = 0, words = 0;
	for (int i = 0; i < *argc; i++) {
		if (!strcmp(argv[i], "--name") && i + 1 < *argc)
			operator_cli.name = argv[++i];
		else if (!strncmp(argv[i], "--name=", 7))
			operator_cli.name = argv[i] + 7;
		else if (strncmp(argv[i], "--", 2) && words == 0 && !strcmp(argv[i], "add"))
			words++;
		else if (strncmp(argv[i], "--", 2) && words == 1)
			operator_cli.email = argv[i], words++;
		else
			argv[out++] = argv[i];
	}
	*argc = out;
	if (words == 2)
		return 0;
	fprintf(stderr, "usage: creneau operator add EMAIL [--name NAME] [--store URL] < password\n");
	return -1;
}

/* Reads one line (the password) from stdin, without echo when it is a terminal. */
static int read_password(char *out, size_t cap)
{
	struct termios old, quiet;
	int tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
	if (tty) {
		fprintf(stderr, "Password: ");
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	char *got = fgets(out, (int)cap, stdin);
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fprintf(stderr, "\n");
	}
	if (!got)
		return -1;
	size_t n = strcspn(out, "\r\n");
	if (n + 1 >= cap && !out[n])
		return -1; /* longer than the buffer */
	out[n] = '\0';
	return 0;
}

static int run_operator(const struct config *cfg)
{
	struct err e = {0};
	char email[256], password[PASSWORD_MAX + 2], secret[OPERATOR_SECRET_B32_SIZE], uri[OPERATOR_URI_SIZE];
	if (email_normalise(operator_cli.email, email, "EMAIL", &e))
		return report(&e);
	if (read_password(password, sizeof(password))) {
		fprintf(stderr, "creneau: no password on stdin (at most %d bytes, one line)\n", PASSWORD_MAX);
		return 1;
	}
	db *d;
	if (app_open_store(cfg, &d, &e))
		return report(&e);
	int rc = operator_create(d, email, operator_cli.name ? operator_cli.name : "", password, clock_now(),
				 secret, &e);
	explicit_bzero(password, sizeof(password));
	password_pool_stop();
	db_close(d);
	if (rc)
		return report(&e);
	operator_otpauth_uri(email, secret, uri);
	printf("operator %s created.\nAdd this to an authenticator app (shown once):\n%s\nsecret: %s\n",
	       email, uri, secret);
	return 0;
}

/* creneau export --account SLUG --format csv|xlsx|vcf|json|ics|archive --out FILE: an
 * account's clients (csv, xlsx, vcf, json), all its appointments (ics) or its full archive, for
 * operators (src/data/export.h). */
static struct {
	const char *account, *format, *out;
} export_cli;

static int export_take_args(int *argc, char **argv)
{
	int out = 0;
	for (int i = 0; i < *argc; i++) {
		const char **slot = !strcmp(argv[i], "--account")  ? &export_cli.account
				    : !strcmp(argv[i], "--format") ? &export_cli.format
				    : !strcmp(argv[i], "--out")	   ? &export_cli.out
								   : NULL;
		if (slot && i + 1 < *argc)
			*slot = argv[++i];
		else
			argv[out++] = argv[i];
	}
	*argc = out;
	if (export_cli.account && export_cli.format && export_cli.out)
		return 0;
	fprintf(stderr,
		"usage: creneau export --account SLUG --format csv|xlsx|vcf|json|ics|archive --out FILE "
		"[--store URL]\n");
	return -1;
}

static int run_export(const struct config *cfg)
{
	struct err e = {0};
	db *d;
	struct account a;
	if (app_open_store(cfg, &d, &e))
		return report(&e);
	int64_t n = -1;
	int rc = plans_load(d, &e) || export_account_by_slug(d, export_cli.account, &a, &e);
	if (!rc) {
		int f = export_format_parse(export_cli.format);
		if (!strcmp(export_cli.format, "archive")) {
			rc = export_archive(d, &a, export_cli.out, &e);
		} else if (f == EXPORT_ICS) {
			struct export_appts_opts o = {
				.format = EXPORT_ICS, .all_time = 1, .with_cancelled = 1};
			rc = export_appointments(d, &a, &o, export_cli.out, &n, &e);
		} else if (f >= 0) {
			struct export_clients_opts o = {.format = (enum export_format)f};
			rc = export_clients(d, &a, &o, export_cli.out, &n, &e);
		} else {
			rc = err_invalid(&e, "format", "the format is csv, xlsx, vcf, json, ics or archive");
		}
	}
	db_close(d);
	if (rc)
		return report(&e);
	if (n >= 0)
		printf("%s: %lld records written to %s\n", a.slug, (long long)n, export_cli.out);
	else
		printf("%s: archive written to %s\n", a.slug, export_cli.out);
	return 0;
}

/* creneau backup DEST | backup --prune [--keep-days N] DIR | restore FILE | restore
 * --replay-deletions (src/ops/backup.h, docs/operations.md "Backups"). */
static struct {
	const char *path;
	int prune, replay;
	long keep_days;
} backup_cli = {.keep_days = BACKUP_KEEP_DAYS_DEFAULT};

static int backup_take_args(int *argc, char **argv, int restore)
{
	int out = 0, bad = 0;
	char *end;
	for (int i = 0; i < *argc; i++) {
		if (!restore && !strcmp(argv[i], "--prune"))
			backup_cli.prune = 1;
		else if (restore && !strcmp(argv[i], "--replay-deletions"))
			backup_cli.replay = 1;
		else if (!restore && !strcmp(argv[i], "--keep-days") && i + 1 < *argc) {
			backup_cli.keep_days = strtol(argv[++i], &end, 10);
			bad |= *end || backup_cli.keep_days < 1 || backup_cli.keep_days > 36500;
		} else if (strncmp(argv[i], "--", 2) && !backup_cli.path) {
			backup_cli.path = argv[i];
		} else {
			/* another option and its value (--store URL) go to the settings */
			int has_value = !strncmp(argv[i], "--", 2) && !strchr(argv[i], '=') &&
					strcmp(argv[i], "--test-mode") && i + 1 < *argc &&
					strncmp(argv[i + 1], "--", 2);
			argv[out++] = argv[i];
			if (has_value)
				argv[out++] = argv[++i];
		}
	}
	*argc = out;
	if (!bad && (restore ? !backup_cli.path != !backup_cli.replay : backup_cli.path != NULL))
		return 0;
	fprintf(stderr,
		restore ? "usage: creneau restore FILE [--store URL] [--deletion-ledger PATH]\n"
			  "       creneau restore --replay-deletions [--store URL] [--deletion-ledger PATH]\n"
			: "usage: creneau backup DEST [--store URL]\n"
			  "       creneau backup --prune [--keep-days 35] DIR\n");
	return -1;
}

static int backup_args(int *argc, char **argv)
{
	return backup_take_args(argc, argv, 0);
}

static int restore_args(int *argc, char **argv)
{
	return backup_take_args(argc, argv, 1);
}

static int run_backup(const struct config *cfg)
{
	struct err e = {0};
	if (backup_cli.prune) {
		int removed = 0, kept = 0;
		if (backup_prune(backup_cli.path, (int)backup_cli.keep_days, clock_now(), &removed, &kept,
				 &e))
			return report(&e);
		printf("%d backups older than %ld days removed, %d kept\n", removed, backup_cli.keep_days,
		       kept);
		return 0;
	}
	char written[4096];
	struct db_snapshot_stats st;
	if (backup_make(cfg->store, backup_cli.path, clock_now(), written, sizeof(written), &st, &e))
		return report(&e);
	printf("backup written to %s: %lld pages, %lld bytes in %lld ms (%lld steps, longest %lld ms)\n",
	       written, (long long)st.pages, (long long)st.bytes, (long long)st.millis, (long long)st.steps,
	       (long long)st.max_stall);
	return 0;
}

static int run_restore(const struct config *cfg)
{
	struct err e = {0};
	struct backup_restore_report r = {0};
	backup_ledger_configure(cfg->deletion_ledger, cfg->store);
	if (backup_cli.replay) {
		db *d;
		if (app_open_store(cfg, &d, &e))
			return report(&e);
		int rc = plans_load(d, &e) || backup_replay_deletions(d, clock_now(), &r, &e);
		db_close(d);
		if (rc)
			return report(&e);
	} else if (backup_restore(backup_cli.path, cfg->store, clock_now(), &r, &e)) {
		return report(&e);
	} else {
		printf("restored %s (schema %04d)%s%s\n", backup_cli.path, r.from_version,
		       r.previous[0] ? "; the previous store was moved to " : "", r.previous);
	}
	printf("deletion ledger %s: %d accounts deleted again, %d clients erased again, %d lines with "
	       "nothing to do\n",
	       backup_ledger_path()[0] ? backup_ledger_path() : "(none)", r.accounts_deleted,
	       r.clients_erased, r.lines_skipped);
	return 0;
}

static const struct command commands[] = {
	{"serve", "run the HTTP server (and, unless --no-worker, the job workers)",
	 CFG_STORE | CFG_HTTP | CFG_MAIL | CFG_WORKER, run_serve},
	{"worker", "run the job workers only", CFG_STORE | CFG_MAIL | CFG_WORKER, run_worker},
	{"migrate", "apply pending store migrations (--status lists them)", CFG_STORE | CFG_MIGRATE,
	 run_migrate},
	{"demo", "create the demo business (once) and print its owner's log-in", CFG_STORE, run_demo},
	{"operator", "add a platform operator: operator add EMAIL [--name N] < password", CFG_STORE,
	 run_operator, operator_take_args},
	{"export",
	 "write an account's data to a file: export --account SLUG --format csv|xlsx|vcf|json|ics|archive "
	 "--out FILE",
	 CFG_STORE, run_export, export_take_args},
	{"backup", "copy the running SQLite store: backup DEST | backup --prune [--keep-days 35] DIR",
	 CFG_STORE, run_backup, backup_args},
	{"restore", "put a backup back (server stopped): restore FILE | restore --replay-deletions",
	 CFG_STORE, run_restore, restore_args},
	{"version", "print the version", 0, run_version},
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	fprintf(out, "usage: creneau COMMAND [OPTIONS]\n\ncommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n`creneau COMMAND --help` lists a command's options.\n");
}

static int wants_help(int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return argc < 2 ? 2 : 0;
	}
	for (size_t i = 0; i < NCOMMANDS; i++) {
		const struct command *c = &commands[i];
		if (strcmp(argv[1], c->name))
			continue;
		if (wants_help(argc - 2, argv + 2)) {
			printf("usage: creneau %s [OPTIONS]\n%s\n\noptions (flag, then environment, then "
			       "default):\n",
			       c->name, c->summary);
			config_print_help(c->scope);
			return 0;
		}
		struct config cfg;
		struct err e = {0};
		int nargs = argc - 2;
		if (c->take_args && c->take_args(&nargs, argv + 2))
			return 2;
		if (config_load(&cfg, c->scope, nargs, argv + 2, &e))
			return report(&e) + 1;
		int rc = c->run(&cfg);
		config_release(&cfg);
		return rc;
	}
	fprintf(stderr, "creneau: unknown command \"%s\"\n", argv[1]);
	usage(stderr);
	return 2;
}
