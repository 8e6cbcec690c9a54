/* config — the program's settings, from command-line flags, then CRENEAU_* environment
 * variables, then defaults (in that order of precedence). One table in config.c lists every
 * setting with its flag, variable, default and help, so the three never drift apart.
 * A struct config owns its strings; config_release frees them. */
#ifndef CRENEAU_CONFIG_H
#define CRENEAU_CONFIG_H

#include "base/err.h"

struct config {
	char *listen;	       /* host:port of the HTTP server */
	char *store;	       /* sqlite:PATH or postgresql://... */
	char *web_root;	       /* static files */
	char *metrics_token;   /* bearer token for /metrics; empty: loopback peers only */
	char *trusted_proxies; /* comma-separated IPs allowed to set X-Forwarded-For */
	char *log_level;       /* debug | info | warn | error */
	char *deletion_ledger; /* ledger of deletions kept outside the store (src/ops/backup.h) */
	char *smtp_url;	       /* smtp://host:port */
	char *smtp_starttls;   /* none | try | required */
	char *smtp_user;
	char *smtp_password;
	char *mail_from;
	char *mail_from_name;
	char *public_url;      /* base of the links in e-mails, e.g. https://creneau.example */
	char *sms_sendsms_url; /* Kannel's sendsms, http://host:port/cgi-bin/sendsms; empty = SMS wait */
	char *sms_user;	       /* Kannel sendsms-user */
	char *sms_password;
	char *sms_dlr_secret;		 /* key of the signed delivery-report URLs (same on every process) */
	long threads;			 /* HTTP thread pool; 0 = automatic */
	long pool_size;			 /* store connections */
	long pg_unnamed;		 /* PostgreSQL: never prepare statements */
	long worker_threads;		 /* job workers in this process */
	long header_deadline;		 /* seconds for request headers to arrive */
	long max_connections;		 /* open connections in total */
	long max_per_ip;		 /* open connections from one client address */
	long behind_tls;		 /* a TLS proxy is in front: cookies get Secure */
	long no_worker;			 /* serve: do not run jobs in this process */
	long test_mode;			 /* enables the store-kept clock and the /api/v1/test routes */
	long frozen_retention_days;	 /* a trial never converted is deleted this long after its end */
	long cancelled_retention_months; /* a cancelled account is deleted this long after it ends */
	long purge_delay;		 /* seconds from a deletion request to its purge (at most 7 days) */
	long status;			 /* migrate --status */
	/* the seller printed on invoices (src/billing/, docs/internals/billing.md) */
	char *seller_name, *seller_legal_form, *seller_capital, *seller_street, *seller_postcode;
	char *seller_city, *seller_siren, *seller_vat_number, *seller_rcs, *seller_late_penalty;
	long seller_vat_on_debits; /* prints the VAT-on-debits option */
	/* the SEPA creditor collecting by direct debit (src/payments/, docs/internals/payments.md) */
	char *sepa_creditor_id, *sepa_creditor_name, *sepa_creditor_iban, *sepa_creditor_bic;
};

/* Which settings a subcommand accepts (bit per group). */
enum config_scope { CFG_STORE = 1, CFG_HTTP = 2, CFG_MAIL = 4, CFG_WORKER = 8, CFG_MIGRATE = 16 };

/* Fills *c from defaults, environment and argv[first..argc). Unknown flags or bad values
 * are errors (400-style, field = the flag). On error *c is released. */
int config_load(struct config *c, unsigned scope, int argc, char **argv, struct err *e) WUR;
/* Defaults and environment only (for tests that build a config by hand). */
void config_defaults(struct config *c);
void config_release(struct config *c);
/* Writes the flags of `scope` with their variables, defaults and help to stdout. */
void config_print_help(unsigned scope);

#endif
