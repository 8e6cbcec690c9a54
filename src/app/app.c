#include "app/app.h"

#include <stdlib.h>
#include <string.h>

#include "app/routes.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "data/export.h"
#include "data/import.h"
#include "http/http.h"
#include "jobs/jobs.h"
#include "jobs/testclock.h"
#include "notify/notify.h"
#include "notify/sms.h"
#include "notify/reminders.h"
#include "ratelimit/ratelimit.h"
#include "account/account.h"
#include "account/credentials.h"
#include "billing/billing.h"
#include "payments/payments.h"
#include "account/lifecycle.h"
#include "schedule/clients.h"
#include "schedule/setup.h"
#include "community/ideas.h"
#include "support/tickets.h"
#include "base/clock.h"
#include "ops/backup.h"
#include "base/banned.h"

int app_open_store(const struct config *cfg, db **out, struct err *e)
{
	/* every HTTP handler may hold a connection while it waits on the store (a PostgreSQL
	 * booking waiting on the exclusion constraint of another), and so may each worker */
	long pool = cfg->pool_size > 0 ? cfg->pool_size
				       : http_threads_for(cfg->threads) +
						 (cfg->worker_threads > 0 ? cfg->worker_threads : 1) + 4;
	struct db_options opts = {.pool_size = (int)pool, .pg_unnamed = cfg->pg_unnamed != 0};
	backup_ledger_configure(cfg->deletion_ledger, cfg->store);
	if (db_open(cfg->store, &opts, out, e))
		return -1;
	if (db_migrate(*out, e)) {
		db_close(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

static void configure_billing(const struct config *cfg)
{
	struct billing_seller s = {
		.name = cfg->seller_name,
		.legal_form = cfg->seller_legal_form,
		.capital = cfg->seller_capital,
		.street = cfg->seller_street,
		.postcode = cfg->seller_postcode,
		.city = cfg->seller_city,
		.siren = cfg->seller_siren,
		.vat_number = cfg->seller_vat_number,
		.rcs = cfg->seller_rcs,
		.penalty_rate = cfg->seller_late_penalty,
		.vat_on_debits = cfg->seller_vat_on_debits != 0,
		.public_url = cfg->public_url,
	};
	billing_configure(&s);
}

static void configure_mail(const struct config *cfg)
{
	struct notify_config nc = {
		.smtp_url = cfg->smtp_url,
		.smtp_starttls = cfg->smtp_starttls,
		.smtp_user = cfg->smtp_user,
		.smtp_password = cfg->smtp_password,
		.mail_from = cfg->mail_from,
		.mail_from_name = cfg->mail_from_name,
		.public_url = cfg->public_url,
	};
	notify_configure(&nc);
	struct sms_config sc = {.sendsms_url = cfg->sms_sendsms_url,
				.user = cfg->sms_user,
				.password = cfg->sms_password,
				.dlr_secret = cfg->sms_dlr_secret,
				.public_url = cfg->public_url};
	sms_configure(&sc);
}

void app_register_modules(void)
{
	credentials_register_jobs();
	billing_register();
	lifecycle_register();
	payments_register();
	setup_register();
	clients_register();
	reminders_register();
	export_register();
	import_register();
	community_register();
	support_register();
}

/* Store, clock, mail and job kinds: what both the server and a lone worker need. */
static int app_prepare(const struct config *cfg, struct app **out, struct err *e)
{
	enum log_level level;
	if (log_parse_level(cfg->log_level, &level))
		return err_invalid(e, "log-level", "log level must be debug, info, warn or error");
	log_set_level(level);

	struct app *a = xcalloc(1, sizeof(*a));
	a->cfg = cfg;
	if (app_open_store(cfg, &a->db, e)) {
		free(a);
		return -1;
	}
	if (plans_load(a->db, e)) {
		db_close(a->db);
		free(a);
		return -1;
	}
	a->rl = ratelimit_new(a->db);
	if (cfg->test_mode) {
		log_warn("msg=\"test mode: the clock is kept in the store and /api/v1/test is open\"");
		testclock_enable(a->db);
	}
	configure_mail(cfg);
	configure_billing(cfg);
	struct payments_config pc = {.creditor_id = cfg->sepa_creditor_id,
				     .creditor_name = cfg->sepa_creditor_name,
				     .creditor_iban = cfg->sepa_creditor_iban,
				     .creditor_bic = cfg->sepa_creditor_bic};
	if (payments_configure(&pc, e)) {
		app_stop(a);
		return -1;
	}
	credentials_set_public_url(cfg->public_url);
	struct lifecycle_options lo = {.frozen_retention_days = (int)cfg->frozen_retention_days,
				       .cancelled_retention_months = (int)cfg->cancelled_retention_months,
				       .purge_delay_s = (int)cfg->purge_delay,
				       .public_url = cfg->public_url};
	lifecycle_configure(&lo);
	reminders_configure(cfg->public_url);
	support_configure(cfg->public_url);
	app_register_modules();
	if (credentials_schedule_purge(a->db, clock_now(), e) ||
	    clients_schedule_jobs(a->db, clock_now(), e) || retention_schedule(a->db, clock_now(), e)) {
		app_stop(a);
		return -1;
	}
	*out = a;
	return 0;
}

static int start_worker(struct app *a, struct err *e)
{
	int threads = a->cfg->worker_threads > 0 ? (int)a->cfg->worker_threads : 1;
	return jobs_worker_start(a->db, threads, &a->worker, e);
}

int app_start(const struct config *cfg, struct app **out, struct err *e)
{
	struct app *a;
	if (app_prepare(cfg, &a, e))
		return -1;
	struct http_config hc = {
		.listen = cfg->listen,
		.routes = app_routes,
		.nroutes = app_nroutes,
		.web_root = cfg->web_root,
		.threads = (int)cfg->threads,
		.header_deadline_s = (int)cfg->header_deadline,
		.max_connections = (int)cfg->max_connections,
		.max_per_ip = (int)cfg->max_per_ip,
		.behind_tls = (int)cfg->behind_tls,
		.trusted_proxies = cfg->trusted_proxies,
		.before = route_before,
		.app = a,
	};
	if ((!cfg->no_worker && start_worker(a, e)) || http_server_start(&hc, &a->http, e)) {
		app_stop(a);
		return -1;
	}
	log_info("msg=\"creneau serving\" listen=%s port=%d store=%s worker=%s", cfg->listen,
		 http_server_port(a->http), db_kind_name(a->db), cfg->no_worker ? "no" : "yes");
	*out = a;
	return 0;
}

int app_start_worker(const struct config *cfg, struct app **out, struct err *e)
{
	struct app *a;
	if (app_prepare(cfg, &a, e))
		return -1;
	if (start_worker(a, e)) {
		app_stop(a);
		return -1;
	}
	log_info("msg=\"creneau worker running\" store=%s threads=%ld", db_kind_name(a->db),
		 cfg->worker_threads);
	*out = a;
	return 0;
}

int app_port(const struct app *a)
{
	return a->http ? http_server_port(a->http) : 0;
}

void app_stop(struct app *a)
{
	if (!a)
		return;
	if (a->http)
		http_server_stop(a->http);
	if (a->worker)
		jobs_worker_stop(a->worker);
	if (a->cfg->test_mode)
		testclock_disable();
	ratelimit_free(a->rl);
	db_close(a->db);
	free(a);
}
