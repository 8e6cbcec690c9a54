#include "app/config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "base/banned.h"

enum opt_type { OPT_STRING, OPT_LONG, OPT_BOOL };

struct opt {
	const char *flag; /* without the leading "--" */
	const char *env;
	enum opt_type type;
	size_t offset;
	const char *def;
	unsigned scope;
	const char *help;
};

#define S(field) OPT_STRING, offsetof(struct config, field)
#define L(field) OPT_LONG, offsetof(struct config, field)
#define B(field) OPT_BOOL, offsetof(struct config, field)

static const struct opt opts[] = {
	{"store", "CRENEAU_STORE", S(store), "sqlite:./creneau.db", CFG_STORE,
	 "store URL: sqlite:PATH or postgresql://..."},
	{"pool-size", "CRENEAU_POOL_SIZE", L(pool_size), "0", CFG_STORE,
	 "store connections (0: one per HTTP and worker thread, and 4 more)"},
	{"pg-unnamed", "CRENEAU_PG_UNNAMED", B(pg_unnamed), "0", CFG_STORE,
	 "PostgreSQL: never prepare statements (behind PgBouncer before 1.21 in transaction mode)"},
	{"test-mode", "CRENEAU_TEST_MODE", B(test_mode), "0", CFG_STORE,
	 "shared store-kept clock and /api/v1/test routes (never in production)"},
	{"deletion-ledger", "CRENEAU_DELETION_LEDGER", S(deletion_ledger), "", CFG_STORE,
	 "append-only file of account deletions and client erasures, re-applied by `creneau restore`"
	 " (empty: STORE.deletions beside a SQLite store, none on PostgreSQL)"},
	{"log-level", "CRENEAU_LOG_LEVEL", S(log_level), "info", CFG_STORE, "debug|info|warn|error"},
	{"listen", "CRENEAU_LISTEN", S(listen), "127.0.0.1:8080", CFG_HTTP, "HTTP address host:port"},
	{"web-root", "CRENEAU_WEB_ROOT", S(web_root), "web", CFG_HTTP, "static files directory"},
	{"threads", "CRENEAU_THREADS", L(threads), "0", CFG_HTTP, "HTTP threads (0: 8 x cores, 16 to 32)"},
	{"header-deadline", "CRENEAU_HEADER_DEADLINE", L(header_deadline), "10", CFG_HTTP,
	 "seconds a client has to send its request headers"},
	{"max-connections", "CRENEAU_MAX_CONNECTIONS", L(max_connections), "1024", CFG_HTTP,
	 "open connections in total"},
	{"max-per-ip", "CRENEAU_MAX_PER_IP", L(max_per_ip), "64", CFG_HTTP,
	 "open connections from one address (raise it behind a load balancer)"},
	{"behind-tls", "CRENEAU_BEHIND_TLS", B(behind_tls), "0", CFG_HTTP,
	 "a TLS-terminating proxy is in front: cookies are marked Secure"},
	{"metrics-token", "CRENEAU_METRICS_TOKEN", S(metrics_token), "", CFG_HTTP,
	 "bearer token for /metrics (empty: loopback only)"},
	{"trusted-proxies", "CRENEAU_TRUSTED_PROXIES", S(trusted_proxies), "", CFG_HTTP,
	 "comma-separated proxy IPs whose X-Forwarded-For is trusted"},
	{"no-worker", "CRENEAU_NO_WORKER", B(no_worker), "0", CFG_HTTP,
	 "do not run background jobs in the server process"},
	{"frozen-retention-days", "CRENEAU_FROZEN_RETENTION_DAYS", L(frozen_retention_days), "30", CFG_WORKER,
	 "days after the end of a trial never converted before its data is deleted"},
	{"cancelled-retention-months", "CRENEAU_CANCELLED_RETENTION_MONTHS", L(cancelled_retention_months),
	 "12", CFG_WORKER, "months after a cancellation takes effect before the account's data is deleted"},
	{"purge-delay", "CRENEAU_PURGE_DELAY", L(purge_delay), "3600", CFG_WORKER,
	 "seconds from an account deletion to the purge of its data (at most 604800)"},
	{"worker-threads", "CRENEAU_WORKER_THREADS", L(worker_threads), "1", CFG_WORKER,
	 "job worker threads"},
	{"smtp-url", "CRENEAU_SMTP_URL", S(smtp_url), "smtp://127.0.0.1:25", CFG_MAIL,
	 "outgoing mail relay (smtp:// or smtps://)"},
	{"smtp-starttls", "CRENEAU_SMTP_STARTTLS", S(smtp_starttls), "try", CFG_MAIL, "none|try|required"},
	{"smtp-user", "CRENEAU_SMTP_USER", S(smtp_user), "", CFG_MAIL, "SMTP user name"},
	{"smtp-password", "CRENEAU_SMTP_PASSWORD", S(smtp_password), "", CFG_MAIL, "SMTP password"},
	{"mail-from", "CRENEAU_MAIL_FROM", S(mail_from), "no-reply@creneau.localhost", CFG_MAIL,
	 "sender address of every e-mail"},
	{"mail-from-name", "CRENEAU_MAIL_FROM_NAME", S(mail_from_name), "Créneau", CFG_MAIL,
	 "sender display name"},
	{"public-url", "CRENEAU_PUBLIC_URL", S(public_url), "http://127.0.0.1:8080", CFG_MAIL,
	 "public base URL of the web pages (links in e-mails)"},
	{"sms-sendsms-url", "CRENEAU_SMS_SENDSMS_URL", S(sms_sendsms_url), "", CFG_MAIL,
	 "Kannel's sendsms URL, e.g. http://127.0.0.1:13013/cgi-bin/sendsms (empty: SMS wait)"},
	{"sms-user", "CRENEAU_SMS_USER", S(sms_user), "", CFG_MAIL, "Kannel sendsms-user name"},
	{"sms-password", "CRENEAU_SMS_PASSWORD", S(sms_password), "", CFG_MAIL,
	 "Kannel sendsms-user password"},
	{"sms-dlr-secret", "CRENEAU_SMS_DLR_SECRET", S(sms_dlr_secret), "", CFG_MAIL,
	 "secret signing the delivery-report URLs given to Kannel; the same on every process"},
	{"status", NULL, B(status), "0", CFG_MIGRATE, "list migrations instead of applying them"},
	/* the seller printed on every invoice and credit note (src/billing/) */
	{"seller-name", "CRENEAU_SELLER_NAME", S(seller_name), "Créneau SAS", CFG_MAIL,
	 "seller: company name"},
	{"seller-legal-form", "CRENEAU_SELLER_LEGAL_FORM", S(seller_legal_form),
	 "SAS (société par actions simplifiée)", CFG_MAIL, "seller: legal form"},
	{"seller-capital", "CRENEAU_SELLER_CAPITAL", S(seller_capital), "10 000 €", CFG_MAIL,
	 "seller: share capital as printed"},
	{"seller-street", "CRENEAU_SELLER_STREET", S(seller_street), "12 rue des Horloges", CFG_MAIL,
	 "seller: street address"},
	{"seller-postcode", "CRENEAU_SELLER_POSTCODE", S(seller_postcode), "75011", CFG_MAIL,
	 "seller: postcode"},
	{"seller-city", "CRENEAU_SELLER_CITY", S(seller_city), "Paris", CFG_MAIL, "seller: city"},
	{"seller-siren", "CRENEAU_SELLER_SIREN", S(seller_siren), "912345675", CFG_MAIL, "seller: SIREN"},
	{"seller-vat-number", "CRENEAU_SELLER_VAT_NUMBER", S(seller_vat_number), "FR65912345675", CFG_MAIL,
	 "seller: intra-EU VAT number"},
	{"seller-rcs", "CRENEAU_SELLER_RCS", S(seller_rcs), "RCS Paris 912 345 675", CFG_MAIL,
	 "seller: trade register (RCS) mention"},
	{"seller-late-penalty", "CRENEAU_SELLER_LATE_PENALTY", S(seller_late_penalty),
	 "trois fois le taux d'intérêt légal en vigueur", CFG_MAIL,
	 "seller: late-payment penalty rate, as printed"},
	{"seller-vat-on-debits", "CRENEAU_SELLER_VAT_ON_DEBITS", B(seller_vat_on_debits), "1", CFG_MAIL,
	 "seller: opted to pay VAT on debits (printed on invoices)"},
	/* the SEPA creditor in the pain.008 batches and the mandates (src/payments/) */
	{"sepa-creditor-id", "CRENEAU_SEPA_CREDITOR_ID", S(sepa_creditor_id), "FR72ZZZ123456", CFG_MAIL,
	 "SEPA creditor identifier (ICS) printed on mandates and debits"},
	{"sepa-creditor-name", "CRENEAU_SEPA_CREDITOR_NAME", S(sepa_creditor_name), "Créneau SAS", CFG_MAIL,
	 "SEPA creditor name as the bank knows it"},
	{"sepa-creditor-iban", "CRENEAU_SEPA_CREDITOR_IBAN", S(sepa_creditor_iban),
	 "FR1420041010050500013M02606", CFG_MAIL, "IBAN the direct debits and transfers are paid to"},
	{"sepa-creditor-bic", "CRENEAU_SEPA_CREDITOR_BIC", S(sepa_creditor_bic), "PSSTFRPPPAR", CFG_MAIL,
	 "BIC of the creditor's bank"},
};

#define NOPTS (sizeof(opts) / sizeof(opts[0]))

static int set_value(struct config *c, const struct opt *o, const char *value, struct err *e)
{
	char *base = (char *)c;
	if (o->type == OPT_STRING) {
		char **slot = (char **)(base + o->offset);
		free(*slot);
		*slot = xstrdup(value);
		return 0;
	}
	long *slot = (long *)(base + o->offset);
	if (o->type == OPT_BOOL) {
		if (!strcmp(value, "1") || !strcmp(value, "true") || !strcmp(value, "yes"))
			*slot = 1;
		else if (!strcmp(value, "0") || !strcmp(value, "false") || !strcmp(value, "no") || !*value)
			*slot = 0;
		else
			return err_invalid(e, o->flag, "--%s expects true or false, not \"%s\"", o->flag,
					   value);
		return 0;
	}
	char *end;
	errno = 0;
	long v = strtol(value, &end, 10);
	if (errno || end == value || *end || v < 0 || v > 1000000)
		return err_invalid(e, o->flag, "--%s expects a number from 0 to 1000000, not \"%s\"", o->flag,
				   value);
	*slot = v;
	return 0;
}

void config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < NOPTS; i++) {
		const char *v = opts[i].env ? getenv(opts[i].env) : NULL;
		if (!v || set_value(c, &opts[i], v, NULL))
			(void)set_value(c, &opts[i], opts[i].def, NULL);
	}
}

static const struct opt *find_opt(const char *name, size_t len, unsigned scope)
{
	for (size_t i = 0; i < NOPTS; i++)
		if ((opts[i].scope & scope) && strlen(opts[i].flag) == len &&
		    !memcmp(opts[i].flag, name, len))
			return &opts[i];
	return NULL;
}

int config_load(struct config *c, unsigned scope, int argc, char **argv, struct err *e)
{
	config_defaults(c);
	for (size_t i = 0; i < NOPTS; i++) {
		const char *v = opts[i].env ? getenv(opts[i].env) : NULL;
		if (v && set_value(c, &opts[i], v, e)) {
			config_release(c);
			return err_invalid(e, opts[i].flag, "%s: %s", opts[i].env, e->message);
		}
	}
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i];
		if (strncmp(arg, "--", 2)) {
			config_release(c);
			return err_invalid(e, arg, "unexpected argument \"%s\"", arg);
		}
		const char *name = arg + 2, *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);
		const struct opt *o = find_opt(name, len, scope);
		if (!o) {
			config_release(c);
			return err_invalid(e, arg, "unknown option %.*s (see --help)", (int)len + 2, arg);
		}
		const char *value = eq ? eq + 1 : NULL;
		if (!value && o->type == OPT_BOOL)
			value = "1";
		else if (!value && i + 1 < argc)
			value = argv[++i];
		else if (!value) {
			config_release(c);
			return err_invalid(e, o->flag, "--%s needs a value", o->flag);
		}
		if (set_value(c, o, value, e)) {
			config_release(c);
			return -1;
		}
	}
	return 0;
}

void config_release(struct config *c)
{
	char *base = (char *)c;
	for (size_t i = 0; i < NOPTS; i++)
		if (opts[i].type == OPT_STRING) {
			char **slot = (char **)(base + opts[i].offset);
			free(*slot);
			*slot = NULL;
		}
}

void config_print_help(unsigned scope)
{
	for (size_t i = 0; i < NOPTS; i++) {
		const struct opt *o = &opts[i];
		if (!(o->scope & scope))
			continue;
		char left[64];
		snprintf(left, sizeof(left), "--%s%s", o->flag, o->type == OPT_BOOL ? "" : " VALUE");
		printf("  %-28s %s\n", left, o->help);
		if (o->env)
			printf("  %-28s env %s, default \"%s\"\n", "", o->env, o->def);
	}
}
