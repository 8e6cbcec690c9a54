/* THE route table: every endpoint of the product, in one place. A route's flags declare its
 * scope, the feature it exercises, who may call it and its rate class; route_before()
 * enforces them before any handler runs (see routes.h). */
#include "app/routes.h"

#include <sodium.h>
#include <string.h>

#include "app/api.h"
#include "app/api_handlers.h"
#include "base/clock.h"
#include "ratelimit/ratelimit.h"
#include "base/banned.h"

#define PUBLIC	  SCOPE_PUBLIC
#define TENANT	  SCOPE_TENANT
#define COMMUNITY SCOPE_COMMUNITY
#define OPS	  SCOPE_OPS
#define INFRA	  SCOPE_INFRA
#define TEST	  SCOPE_TEST

const struct http_route app_routes[] = {
	/* operations */
	{"GET", "/livez", handle_livez, INFRA, 0, NULL},
	{"GET", "/healthz", handle_healthz, INFRA, 0, NULL},
	{"GET", "/metrics", handle_metrics, INFRA | ROUTE_METRICS, 0, NULL},

	/* plans, sign-up, sessions (src/app/api_session.c, api_signup.c) */
	{"GET", "/api/v1/plans", handle_plans_list, PUBLIC, 0, NULL},
	{"POST", "/api/v1/signup", handle_signup, PUBLIC | ROUTE_RATE(RATE_SIGNUP), 0, NULL},
	{"POST", "/api/v1/session", handle_session_create, PUBLIC | ROUTE_RATE(RATE_LOGIN_IP), 0, NULL},
	{"DELETE", "/api/v1/session", handle_session_delete, TENANT | ROUTE_NEEDS(FEAT_LOGIN), 0, NULL},
	{"GET", "/api/v1/me", handle_me, TENANT | ROUTE_NEEDS(FEAT_LOGIN), 0, NULL},

	/* the business profile (src/app/api_account.c) */
	{"GET", "/api/v1/account", handle_account_get, TENANT, 0, NULL},
	{"PATCH", "/api/v1/account", handle_account_patch, TENANT | ROUTE_OWNER, 0, NULL},
	{"DELETE", "/api/v1/demo", handle_demo_clear, TENANT | ROUTE_OWNER, 0, NULL},

	/* passwords, reset, e-mail verification, own profile (src/app/api_password.c) */
	/* -- routes of api_password.c go here -- */
	{"POST", "/api/v1/password-reset", handle_password_reset_request, PUBLIC | ROUTE_RATE(RATE_RESET), 0,
	 NULL},
	{"POST", "/api/v1/password-reset/confirm", handle_password_reset_confirm,
	 PUBLIC | ROUTE_RATE(RATE_PUBLIC), 0, NULL},
	{"POST", "/api/v1/password", handle_password_change, TENANT | ROUTE_NEEDS(FEAT_LOGIN), 0, NULL},
	{"POST", "/api/v1/email/verify", handle_email_verify, PUBLIC | ROUTE_RATE(RATE_PUBLIC), 0, NULL},
	{"PATCH", "/api/v1/me", handle_me_patch, TENANT | ROUTE_NEEDS(FEAT_LOGIN), 0, NULL},

	/* people, roles, invitations (src/app/api_users.c) */
	/* -- routes of api_users.c go here -- */
	{"GET", "/api/v1/users", handle_users_list, TENANT | ROUTE_OWNER, 0, NULL},
	{"POST", "/api/v1/users", handle_users_invite, TENANT | ROUTE_OWNER, 0, NULL},
	{"PATCH", "/api/v1/users/{id}", handle_users_patch, TENANT | ROUTE_OWNER, 0, NULL},
	{"DELETE", "/api/v1/users/{id}", handle_users_delete, TENANT | ROUTE_OWNER, 0, NULL},
	{"POST", "/api/v1/invitations/accept", handle_invitation_accept, PUBLIC | ROUTE_RATE(RATE_RESET), 0,
	 NULL},

	/* the operator console (src/app/api_ops.c) */
	/* -- routes of api_ops.c go here -- */
	{"POST", "/api/v1/ops/session", handle_ops_session_create, PUBLIC | ROUTE_RATE(RATE_LOGIN_IP), 0,
	 NULL},
	{"DELETE", "/api/v1/ops/session", handle_ops_session_delete, OPS, 0, NULL},
	{"GET", "/api/v1/ops/me", handle_ops_me, OPS, 0, NULL},
	{"GET", "/api/v1/ops/accounts", handle_ops_accounts, OPS, 0, NULL},

	/* scheduling set-up: services, staff, hours, exceptions, closed days (src/app/api_setup.c) */
	/* -- routes of api_setup.c go here -- */
	{"GET", "/api/v1/services", handle_services_list, TENANT, 0, NULL},
	{"POST", "/api/v1/services", handle_services_create, TENANT | ROUTE_OWNER, 0, NULL},
	{"GET", "/api/v1/services/{id}", handle_services_get, TENANT, 0, NULL},
	{"PATCH", "/api/v1/services/{id}", handle_services_patch, TENANT | ROUTE_OWNER, 0, NULL},
	{"DELETE", "/api/v1/services/{id}", handle_services_delete, TENANT | ROUTE_OWNER, 0, NULL},
	{"GET", "/api/v1/staff", handle_staff_list, TENANT, 0, NULL},
	{"POST", "/api/v1/staff", handle_staff_create, TENANT | ROUTE_OWNER, 0, NULL},
	{"GET", "/api/v1/staff/{id}", handle_staff_get, TENANT, 0, NULL},
	{"PATCH", "/api/v1/staff/{id}", handle_staff_patch, TENANT | ROUTE_OWNER, 0, NULL},
	{"DELETE", "/api/v1/staff/{id}", handle_staff_delete, TENANT | ROUTE_OWNER, 0, NULL},
	{"GET", "/api/v1/staff/{id}/hours", handle_staff_hours_get, TENANT, 0, NULL},
	{"PUT", "/api/v1/staff/{id}/hours", handle_staff_hours_put, TENANT | ROUTE_OWNER, 0, NULL},
	{"GET", "/api/v1/staff/{id}/exceptions", handle_staff_exceptions_list, TENANT, 0, NULL},
	{"POST", "/api/v1/staff/{id}/exceptions", handle_staff_exceptions_create, TENANT | ROUTE_OWNER, 0,
	 NULL},
	{"DELETE", "/api/v1/staff/{id}/exceptions/{exception_id}", handle_staff_exceptions_delete,
	 TENANT | ROUTE_OWNER, 0, NULL},
	{"GET", "/api/v1/closed-days", handle_closed_days_list, TENANT, 0, NULL},
	{"POST", "/api/v1/closed-days", handle_closed_days_create, TENANT | ROUTE_OWNER, 0, NULL},
	{"GET", "/api/v1/closed-days/holidays", handle_closed_days_holidays, TENANT, 0, NULL},
	{"DELETE", "/api/v1/closed-days/{id}", handle_closed_days_delete, TENANT | ROUTE_OWNER, 0, NULL},

	/* clients (src/app/api_clients.c) */
	/* -- routes of api_clients.c go here -- */
	{"GET", "/api/v1/clients", handle_clients_list, TENANT, 0, NULL},
	{"POST", "/api/v1/clients", handle_clients_create, TENANT, 0, NULL},
	{"GET", "/api/v1/clients/{id}", handle_clients_get, TENANT, 0, NULL},
	{"PATCH", "/api/v1/clients/{id}", handle_clients_patch, TENANT, 0, NULL},
	{"DELETE", "/api/v1/clients/{id}", handle_clients_delete, TENANT | ROUTE_OWNER, 0, NULL},
	{"GET", "/api/v1/clients/{id}/export", handle_clients_export, TENANT | ROUTE_NEEDS(FEAT_EXPORT), 0,
	 NULL},
	{"POST", "/api/v1/clients/{id}/merge", handle_clients_merge, TENANT | ROUTE_OWNER, 0, NULL},

	/* appointments and availability (src/app/api_appointments.c) */
	/* -- routes of api_appointments.c go here -- */
	{"GET", "/api/v1/availability", handle_availability, TENANT, 0, NULL},
	{"GET", "/api/v1/appointments", handle_appointments_list, TENANT, 0, NULL},
	{"POST", "/api/v1/appointments", handle_appointments_create, TENANT, 0, NULL},
	{"GET", "/api/v1/appointments/changes", handle_appointments_changes, TENANT, 0, NULL},
	{"GET", "/api/v1/appointments/{id}", handle_appointment_get, TENANT, 0, NULL},
	{"PATCH", "/api/v1/appointments/{id}", handle_appointment_patch, TENANT, 0, NULL},
	{"GET", "/api/v1/public/{slug}/availability", handle_public_availability, PUBLIC, 0, NULL},
	{"POST", "/api/v1/public/{slug}/appointments", handle_public_book, PUBLIC | ROUTE_RATE(RATE_PUBLIC),
	 0, NULL},

	/* the public booking page, manage links and branding (src/app/api_public.c, api_manage.c,
	 * api_theme.c) */
	/* -- routes of api_public.c go here -- */
	{"GET", "/api/v1/public/{slug}", handle_public_info, PUBLIC, 0, NULL},
	{"GET", "/api/v1/public/{slug}/logo", handle_public_logo, PUBLIC, 0, NULL},
	{"GET", "/b/{slug}", handle_page_booking, PUBLIC, 0, NULL},
	{"GET", "/widget/b/{slug}", handle_page_widget, PUBLIC | HTTP_ROUTE_FRAMEABLE, 0, NULL},
	{"GET", "/m/{token}", handle_page_manage, PUBLIC, 0, NULL},
	/* -- routes of api_manage.c go here -- */
	{"GET", "/api/v1/manage/{token}", handle_manage_get, PUBLIC, 0, NULL},
	{"PATCH", "/api/v1/manage/{token}", handle_manage_patch, PUBLIC | ROUTE_RATE(RATE_PUBLIC), 0, NULL},
	{"DELETE", "/api/v1/manage/{token}", handle_manage_delete, PUBLIC | ROUTE_RATE(RATE_PUBLIC), 0, NULL},
	{"GET", "/api/v1/manage/{token}/ics", handle_manage_ics, PUBLIC, 0, NULL},
	/* -- routes of api_theme.c go here -- */
	{"GET", "/api/v1/theme", handle_theme_get, TENANT | ROUTE_OWNER | ROUTE_NEEDS(FEAT_BRANDING), 0,
	 NULL},
	{"PUT", "/api/v1/theme", handle_theme_put, TENANT | ROUTE_OWNER | ROUTE_NEEDS(FEAT_BRANDING), 0,
	 NULL},
	/* the body may reach 8 MiB so a logo over 1 MB gets a clear 400, not the adapter's 413 */
	{"PUT", "/api/v1/theme/logo", handle_theme_logo_put,
	 TENANT | ROUTE_OWNER | ROUTE_NEEDS(FEAT_BRANDING), 8 * 1024 * 1024, NULL},
	{"DELETE", "/api/v1/theme/logo", handle_theme_logo_delete,
	 TENANT | ROUTE_OWNER | ROUTE_NEEDS(FEAT_BRANDING), 0, NULL},

	/* notifications: settings, edited texts, log (src/app/api_notify.c) */
	/* -- routes of api_notify.c go here -- */
	{"GET", "/api/v1/notifications/settings", handle_notify_settings_get, TENANT, 0, NULL},
	{"PUT", "/api/v1/notifications/settings", handle_notify_settings_put, TENANT | ROUTE_OWNER, 0, NULL},
	{"POST", "/api/v1/notifications/sms-preview", handle_notify_sms_preview,
	 TENANT | ROUTE_NEEDS(FEAT_READ), 0, NULL},
	{"GET", "/api/v1/notifications/log", handle_notify_log_get, TENANT, 0, NULL},

	/* hooks called by the platform's gateways (src/app/api_hooks.c) */
	/* -- routes of api_hooks.c go here -- */
	/* Kannel's delivery reports: signed; bad signatures are rate-limited in the handler */
	{"GET", "/hooks/sms/dlr", handle_sms_dlr, PUBLIC, 0, NULL},

	/* billing identity, invoices and credit notes (src/app/api_billing.c) */
	/* -- routes of api_billing.c go here -- */
	{"GET", "/api/v1/billing/identity", handle_billing_identity_get, TENANT | ROUTE_OWNER, 0, NULL},
	{"PUT", "/api/v1/billing/identity", handle_billing_identity_put,
	 TENANT | ROUTE_OWNER | ROUTE_NEEDS(FEAT_SUBSCRIBE), 0, NULL},
	{"GET", "/api/v1/invoices", handle_invoices_list, TENANT | ROUTE_OWNER, 0, NULL},
	/* {id} takes the whole segment: "inv_….pdf" is the stored PDF, "inv_…" the record */
	{"GET", "/api/v1/invoices/{id}", handle_invoice_get, TENANT | ROUTE_OWNER, 0, NULL},

	/* subscription, cancellation, account deletion, operator account pages
	 * (src/app/api_subscription.c) */
	/* -- routes of api_subscription.c go here -- */
	{"GET", "/api/v1/subscription", handle_subscription_get,
	 TENANT | ROUTE_OWNER | ROUTE_NEEDS(FEAT_SUBSCRIBE), 0, NULL},
	{"GET", "/api/v1/subscription/quote", handle_subscription_quote,
	 TENANT | ROUTE_OWNER | ROUTE_NEEDS(FEAT_SUBSCRIBE), 0, NULL},
	{"POST", "/api/v1/subscription", handle_subscription_post,
	 TENANT | ROUTE_OWNER | ROUTE_NEEDS(FEAT_SUBSCRIBE), 0, NULL},
	{"DELETE", "/api/v1/subscription", handle_subscription_cancel,
	 TENANT | ROUTE_OWNER | ROUTE_NEEDS(FEAT_SUBSCRIBE), 0, NULL},
	{"POST", "/api/v1/subscription/resume", handle_subscription_resume,
	 TENANT | ROUTE_OWNER | ROUTE_NEEDS(FEAT_SUBSCRIBE), 0, NULL},
	{"GET", "/api/v1/account/deletion", handle_account_deletion_get,
	 TENANT | ROUTE_OWNER | ROUTE_NEEDS(FEAT_DELETE_ACCOUNT), 0, NULL},
	{"POST", "/api/v1/account/deletion", handle_account_deletion_post,
	 TENANT | ROUTE_OWNER | ROUTE_NEEDS(FEAT_DELETE_ACCOUNT) | ROUTE_RATE(RATE_LOGIN_IP), 0, NULL},
	{"GET", "/api/v1/ops/accounts/{id}", handle_ops_account_get, OPS, 0, NULL},

	/* the back office: dashboard figures, first-run checklist (src/app/api_dashboard.c) */
	/* -- routes of api_dashboard.c go here -- */
	{"GET", "/api/v1/dashboard", handle_dashboard_get, TENANT | ROUTE_OWNER, 0, NULL},
	{"POST", "/api/v1/dashboard/checklist", handle_dashboard_checklist, TENANT | ROUTE_OWNER, 4096, NULL},

	/* support tickets, customer and operator sides, SLA report (src/app/api_support.c) */
	/* -- routes of api_support.c go here -- */
	{"GET", "/api/v1/tickets", handle_tickets_list, TENANT | ROUTE_NEEDS(FEAT_TICKETS), 0, NULL},
	{"POST", "/api/v1/tickets", handle_tickets_create, TENANT | ROUTE_NEEDS(FEAT_TICKETS), 0, NULL},
	{"GET", "/api/v1/tickets/{id}", handle_ticket_get, TENANT | ROUTE_NEEDS(FEAT_TICKETS), 0, NULL},
	{"PATCH", "/api/v1/tickets/{id}", handle_ticket_patch, TENANT | ROUTE_NEEDS(FEAT_TICKETS), 0, NULL},
	{"GET", "/api/v1/tickets/{id}/messages", handle_ticket_messages_list,
	 TENANT | ROUTE_NEEDS(FEAT_TICKETS), 0, NULL},
	{"POST", "/api/v1/tickets/{id}/messages", handle_ticket_reply, TENANT | ROUTE_NEEDS(FEAT_TICKETS), 0,
	 NULL},
	{"GET", "/api/v1/tickets/{id}/attachments", handle_ticket_attachments_list,
	 TENANT | ROUTE_NEEDS(FEAT_TICKETS), 0, NULL},
	/* the body may reach 8 MiB so an attachment over 5 MB gets a clear 400, not the adapter's 413 */
	{"POST", "/api/v1/tickets/{id}/attachments", handle_ticket_attach, TENANT | ROUTE_NEEDS(FEAT_TICKETS),
	 8 * 1024 * 1024, NULL},
	{"GET", "/api/v1/tickets/{id}/attachments/{attachment_id}", handle_ticket_attachment_get,
	 TENANT | ROUTE_NEEDS(FEAT_TICKETS), 0, NULL},
	{"GET", "/api/v1/ops/tickets", handle_ops_tickets_list, OPS, 0, NULL},
	{"POST", "/api/v1/ops/tickets", handle_ops_tickets_create, OPS, 0, NULL},
	{"GET", "/api/v1/ops/tickets/{id}", handle_ops_ticket_get, OPS, 0, NULL},
	{"PATCH", "/api/v1/ops/tickets/{id}", handle_ops_ticket_patch, OPS, 0, NULL},
	{"POST", "/api/v1/ops/tickets/{id}/messages", handle_ops_ticket_message, OPS, 0, NULL},
	{"POST", "/api/v1/ops/tickets/{id}/deletion", handle_ops_ticket_deletion, OPS, 0, NULL},
	{"GET", "/api/v1/ops/tickets/{id}/attachments/{attachment_id}", handle_ops_ticket_attachment_get, OPS,
	 0, NULL},
	{"GET", "/api/v1/ops/sla-report", handle_ops_sla_report, OPS, 0, NULL},

	/* contact form and leads, improvement requests, votes, roadmap (src/app/api_community.c) */
	/* -- routes of api_community.c go here -- */
	{"POST", "/api/v1/contact", handle_contact, PUBLIC | ROUTE_RATE(RATE_PUBLIC), 0, NULL},
	{"GET", "/api/v1/roadmap", handle_roadmap, PUBLIC, 0, NULL},
	{"GET", "/u/{token}", handle_unsubscribe_page, PUBLIC, 0, NULL},
	{"POST", "/u/{token}", handle_unsubscribe, PUBLIC | ROUTE_RATE(RATE_PUBLIC), 0, NULL},
	{"GET", "/api/v1/ideas", handle_ideas_list, COMMUNITY, 0, NULL},
	{"POST", "/api/v1/ideas", handle_ideas_create, COMMUNITY | ROUTE_NEEDS(FEAT_TICKETS), 0, NULL},
	{"GET", "/api/v1/ideas/{id}", handle_ideas_get, COMMUNITY, 0, NULL},
	{"POST", "/api/v1/ideas/{id}/votes", handle_ideas_vote, COMMUNITY | ROUTE_NEEDS(FEAT_TICKETS), 0,
	 NULL},
	{"DELETE", "/api/v1/ideas/{id}/votes", handle_ideas_unvote, COMMUNITY | ROUTE_NEEDS(FEAT_TICKETS), 0,
	 NULL},
	{"GET", "/api/v1/ideas/{id}/comments", handle_ideas_comments_list, COMMUNITY, 0, NULL},
	{"POST", "/api/v1/ideas/{id}/comments", handle_ideas_comment, COMMUNITY | ROUTE_NEEDS(FEAT_TICKETS),
	 0, NULL},
	{"PUT", "/api/v1/ideas/{id}/subscription", handle_ideas_subscribe,
	 COMMUNITY | ROUTE_NEEDS(FEAT_TICKETS), 0, NULL},
	{"DELETE", "/api/v1/ideas/{id}/subscription", handle_ideas_unsubscribe,
	 COMMUNITY | ROUTE_NEEDS(FEAT_TICKETS), 0, NULL},
	{"GET", "/api/v1/ops/leads", handle_ops_leads_list, OPS, 0, NULL},
	{"GET", "/api/v1/ops/leads/{id}", handle_ops_leads_get, OPS, 0, NULL},
	{"PATCH", "/api/v1/ops/leads/{id}", handle_ops_leads_patch, OPS, 0, NULL},
	{"POST", "/api/v1/ops/leads/{id}/replies", handle_ops_leads_reply, OPS, 0, NULL},
	{"GET", "/api/v1/ops/ideas", handle_ops_ideas_list, OPS, 0, NULL},
	{"GET", "/api/v1/ops/ideas/{id}", handle_ops_ideas_get, OPS, 0, NULL},
	{"POST", "/api/v1/ops/ideas/{id}/publish", handle_ops_ideas_publish, OPS, 0, NULL},
	{"POST", "/api/v1/ops/ideas/{id}/decline", handle_ops_ideas_decline, OPS, 0, NULL},
	{"POST", "/api/v1/ops/ideas/{id}/merge", handle_ops_ideas_merge, OPS, 0, NULL},
	{"POST", "/api/v1/ops/ideas/{id}/status", handle_ops_ideas_status, OPS, 0, NULL},

	/* exports, imports, calendar feeds, account archive (src/app/api_data.c) */
	/* -- routes of api_data.c go here -- */
	{"GET", "/api/v1/exports/archive", handle_archive_list,
	 TENANT | ROUTE_OWNER | ROUTE_NEEDS(FEAT_EXPORT), 0, NULL},
	{"POST", "/api/v1/exports/archive", handle_archive_create,
	 TENANT | ROUTE_OWNER | ROUTE_NEEDS(FEAT_EXPORT), 0, NULL},
	{"GET", "/api/v1/exports/archive/{id}", handle_archive_get,
	 TENANT | ROUTE_OWNER | ROUTE_NEEDS(FEAT_EXPORT), 0, NULL},
	{"GET", "/api/v1/exports/{file}", handle_exports_get, TENANT | ROUTE_NEEDS(FEAT_EXPORT), 0, NULL},
	{"GET", "/api/v1/feeds", handle_feeds_list, TENANT | ROUTE_OWNER | ROUTE_NEEDS(FEAT_EXPORT), 0, NULL},
	{"POST", "/api/v1/feeds", handle_feeds_create, TENANT | ROUTE_OWNER | ROUTE_NEEDS(FEAT_EXPORT), 0,
	 NULL},
	{"DELETE", "/api/v1/feeds/{id}", handle_feeds_delete, TENANT | ROUTE_OWNER | ROUTE_NEEDS(FEAT_EXPORT),
	 0, NULL},
	{"GET", "/feeds/{token}", handle_feed_ics, PUBLIC, 0, NULL},
	/* imports (src/app/api_imports.c) */
	/* the file is the body: IMPORT_BODY_MAX (64 MiB); a larger Content-Length is refused unread */
	{"POST", "/api/v1/imports", handle_imports_create, TENANT | ROUTE_OWNER, 64 * 1024 * 1024, NULL},
	{"GET", "/api/v1/imports/{id}", handle_imports_get, TENANT | ROUTE_OWNER, 0, NULL},
	{"PATCH", "/api/v1/imports/{id}", handle_imports_patch, TENANT | ROUTE_OWNER, 0, NULL},
	{"POST", "/api/v1/imports/{id}/commit", handle_imports_commit, TENANT | ROUTE_OWNER, 0, NULL},

	/* SEPA mandates, collection and bank files, dunning, e-invoicing XML (src/app/api_payments.c) */
	/* -- routes of api_payments.c go here -- */
	{"GET", "/api/v1/billing/mandate", handle_mandate_get, TENANT | ROUTE_OWNER, 0, NULL},
	{"PUT", "/api/v1/billing/mandate", handle_mandate_put,
	 TENANT | ROUTE_OWNER | ROUTE_NEEDS(FEAT_SUBSCRIBE), 0, NULL},
	{"DELETE", "/api/v1/billing/mandate", handle_mandate_delete,
	 TENANT | ROUTE_OWNER | ROUTE_NEEDS(FEAT_SUBSCRIBE), 0, NULL},
	{"GET", "/api/v1/billing/payments", handle_billing_payments, TENANT | ROUTE_OWNER, 0, NULL},
	{"GET", "/api/v1/ops/sepa/batch", handle_ops_sepa_batch, OPS, 0, NULL},
	/* the bank file is the body: at most 5 MB (PAYMENTS_BANK_FILE_MAX), a clear 400 up to 6 MiB */
	{"POST", "/api/v1/ops/bank-files", handle_ops_bank_files_post, OPS, 6 * 1024 * 1024, NULL},
	{"GET", "/api/v1/ops/payments/unmatched", handle_ops_payments_unmatched, OPS, 0, NULL},
	{"POST", "/api/v1/ops/invoices/{id}/paid", handle_ops_invoice_paid, OPS, 0, NULL},

	/* test mode only */
	{"GET", "/api/v1/test/clock", handle_test_clock_get, TEST, 0, NULL},
	{"POST", "/api/v1/test/clock", handle_test_clock_post, TEST, 4096, NULL},
	{"POST", "/api/v1/test/account-state", handle_test_account_state, TEST, 4096, NULL},
};
const unsigned long app_nroutes = sizeof(app_routes) / sizeof(app_routes[0]);

/* Limits per client IP for each rate class: hits per window. */
static const struct {
	int limit, window_s;
} rate_limits[RATE_CLASS_COUNT] = {
	[RATE_SIGNUP] = {10, 3600}, [RATE_LOGIN_IP] = {30, 300},      [RATE_RESET] = {10, 3600},
	[RATE_PUBLIC] = {60, 60},   [RATE_LOGIN_ACCOUNT] = {10, 900},
};

static int is_loopback(const char *ip)
{
	return ip && (!strncmp(ip, "127.", 4) || !strcmp(ip, "::1") || !strncmp(ip, "::ffff:127.", 11));
}

static int check_metrics_access(struct http_req *req, const struct config *cfg, struct err *e)
{
	const char *token = cfg->metrics_token;
	if (!token || !*token) {
		if (is_loopback(http_req_client_ip(req)))
			return 0;
		return err_set(e, 403, "forbidden", NULL, "metrics are served to loopback peers only");
	}
	const char *auth = http_req_header(req, "Authorization");
	size_t tlen = strlen(token);
	if (auth && !strncmp(auth, "Bearer ", 7) && strlen(auth + 7) == tlen &&
	    sodium_memcmp(auth + 7, token, tlen) == 0)
		return 0;
	return err_set(e, 401, "unauthorized", NULL, "metrics need the bearer token");
}

int route_rate_check(struct http_req *req, int cls, const char *key, struct err *e)
{
	struct app *app = api_app(req);
	if (cls <= RATE_NONE || cls >= RATE_CLASS_COUNT)
		return 0;
	char full[RATELIMIT_KEY_MAX + 1];
	snprintf(full, sizeof(full), "%d:%s", cls, key);
	int retry = 0;
	struct err ignored = {0};
	int rc = ratelimit_hit(app->rl, full, rate_limits[cls].limit, rate_limits[cls].window_s, clock_now(),
			       &retry, &ignored);
	if (rc != 1)
		return 0; /* within the limit, or the counter store failed: let it through */
	err_set(e, 429, "rate_limited", NULL, "too many requests: try again in %d s", retry);
	e->retry_after = retry > 0 ? retry : 1;
	return -1;
}

static int is_safe_method(const char *m)
{
	return !strcmp(m, "GET") || !strcmp(m, "HEAD");
}

static int check_csrf(struct http_req *req, const struct principal *p, struct err *e)
{
	if (is_safe_method(http_req_method(req)))
		return 0;
	const char *sent = http_req_header(req, "X-CSRF-Token");
	size_t n = strlen(p->csrf_token);
	if (sent && strlen(sent) == n && n && sodium_memcmp(sent, p->csrf_token, n) == 0)
		return 0;
	return err_set(e, 403, "csrf_failed", NULL, "missing or wrong X-CSRF-Token (see GET /api/v1/me)");
}

/* Resolves the session cookie of the scope into a principal attached to the request. */
static int attach_principal(struct http_req *req, int ops, struct err *e)
{
	struct app *app = api_app(req);
	struct principal *p = arena_alloc(http_req_arena(req), sizeof(*p));
	const char *token = http_req_cookie(req, ops ? OPS_SESSION_COOKIE : SESSION_COOKIE);
	int rc = 0;
	if (token)
		rc = ops ? ops_session_lookup(app->db, token, clock_now(), p, e)
			 : session_lookup(app->db, token, clock_now(), p, e);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return err_set(e, 401, "unauthorized", NULL, "log in first");
	http_req_set_user_data(req, p);
	if (!ops)
		http_req_set_account(req, p->account.public_id);
	return 0;
}

static int check_tenant(const struct http_route *route, struct http_req *req, struct err *e)
{
	if (attach_principal(req, 0, e))
		return -1;
	const struct principal *p = api_principal(req);
	int feat = ROUTE_FEATURE_OF(route->flags);
	if (feat < 0)
		feat = is_safe_method(http_req_method(req)) ? FEAT_READ : FEAT_WRITE;
	if ((route->flags & ROUTE_OWNER) && p->role != ROLE_OWNER)
		return err_set(e, 403, "forbidden", NULL, "only the account's owner may do this");
	if (may(&p->account, (enum feature)feat, e))
		return -1;
	return check_csrf(req, p, e);
}

int route_before(const struct http_route *route, struct http_req *req, struct http_resp *resp, struct err *e)
{
	(void)resp;
	const struct app *app = http_req_app(req);
	if (route_rate_check(req, ROUTE_RATE_OF(route->flags), http_req_client_ip(req), e))
		return -1;
	switch (ROUTE_SCOPE_OF(route->flags)) {
	case SCOPE_TEST:
		if (!app->cfg->test_mode)
			return err_set(e, 404, "not_found", NULL, "no such resource");
		return 0;
	case SCOPE_INFRA:
		return (route->flags & ROUTE_METRICS) ? check_metrics_access(req, app->cfg, e) : 0;
	case SCOPE_PUBLIC:
		return 0;
	case SCOPE_TENANT:
	case SCOPE_COMMUNITY:
		return check_tenant(route, req, e);
	case SCOPE_OPS:
		if (attach_principal(req, 1, e))
			return -1;
		return check_csrf(req, api_principal(req), e);
	}
	return err_internal(e, "route %s %s declares no scope", route->method, route->pattern);
}
