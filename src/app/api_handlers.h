/* api_handlers — every HTTP handler of the product, declared for the route table
 * (routes.c). One section per file; each handler takes the request, fills the response and
 * returns 0, or returns -1 with *e (see http.h). */
#ifndef CRENEAU_API_HANDLERS_H
#define CRENEAU_API_HANDLERS_H

#include "http/http.h"

#define HANDLER(name) int name(struct http_req *req, struct http_resp *resp, struct err *e)

/* ops.c: health and metrics */
HANDLER(handle_livez);
HANDLER(handle_healthz);
HANDLER(handle_metrics);

/* api_test.c: test mode only (the shared clock, setting an account state) */
HANDLER(handle_test_clock_get);
HANDLER(handle_test_clock_post);
HANDLER(handle_test_account_state);

/* api_session.c: plans, log-in, log-out, me */
HANDLER(handle_plans_list);
HANDLER(handle_session_create);
HANDLER(handle_session_delete);
HANDLER(handle_me);

/* api_signup.c: sign-up */
HANDLER(handle_signup);

/* api_account.c: the business profile, demo data */
HANDLER(handle_account_get);
HANDLER(handle_account_patch);
HANDLER(handle_demo_clear);

/* api_password.c: passwords, reset, e-mail verification, own profile */
/* -- handlers of api_password.c go here -- */
HANDLER(handle_password_reset_request);
HANDLER(handle_password_reset_confirm);
HANDLER(handle_password_change);
HANDLER(handle_email_verify);
HANDLER(handle_me_patch);

/* api_users.c: people, roles, invitations */
/* -- handlers of api_users.c go here -- */
HANDLER(handle_users_list);
HANDLER(handle_users_invite);
HANDLER(handle_users_patch);
HANDLER(handle_users_delete);
HANDLER(handle_invitation_accept);

/* api_ops.c: the operator console */
/* -- handlers of api_ops.c go here -- */
HANDLER(handle_ops_session_create);
HANDLER(handle_ops_session_delete);
HANDLER(handle_ops_me);
HANDLER(handle_ops_accounts);

/* api_setup.c: services, staff, hours, exceptions, closed days */
/* -- handlers of api_setup.c go here -- */
HANDLER(handle_services_list);
HANDLER(handle_services_create);
HANDLER(handle_services_get);
HANDLER(handle_services_patch);
HANDLER(handle_services_delete);
HANDLER(handle_staff_list);
HANDLER(handle_staff_create);
HANDLER(handle_staff_get);
HANDLER(handle_staff_patch);
HANDLER(handle_staff_delete);
HANDLER(handle_staff_hours_get);
HANDLER(handle_staff_hours_put);
HANDLER(handle_staff_exceptions_list);
HANDLER(handle_staff_exceptions_create);
HANDLER(handle_staff_exceptions_delete);
HANDLER(handle_closed_days_list);
HANDLER(handle_closed_days_create);
HANDLER(handle_closed_days_delete);
HANDLER(handle_closed_days_holidays);

/* api_clients.c: clients */
/* -- handlers of api_clients.c go here -- */
HANDLER(handle_clients_list);
HANDLER(handle_clients_create);
HANDLER(handle_clients_get);
HANDLER(handle_clients_patch);
HANDLER(handle_clients_delete);
HANDLER(handle_clients_export);
HANDLER(handle_clients_merge);

/* api_appointments.c: appointments and availability */
/* -- handlers of api_appointments.c go here -- */
HANDLER(handle_availability);
HANDLER(handle_appointments_list);
HANDLER(handle_appointments_create);
HANDLER(handle_appointments_changes);
HANDLER(handle_appointment_get);
HANDLER(handle_appointment_patch);
HANDLER(handle_public_availability);
HANDLER(handle_public_book);

/* api_public.c, api_manage.c, api_theme.c: public page, manage links, branding */
/* -- handlers of api_public.c go here -- */
HANDLER(handle_public_info);
HANDLER(handle_public_logo);
HANDLER(handle_page_booking);
HANDLER(handle_page_widget);
HANDLER(handle_page_manage);
/* -- handlers of api_manage.c go here -- */
HANDLER(handle_manage_get);
HANDLER(handle_manage_patch);
HANDLER(handle_manage_delete);
HANDLER(handle_manage_ics);
/* -- handlers of api_theme.c go here -- */
HANDLER(handle_theme_get);
HANDLER(handle_theme_put);
HANDLER(handle_theme_logo_put);
HANDLER(handle_theme_logo_delete);

/* api_notify.c: notification settings, texts, log */
/* -- handlers of api_notify.c go here -- */
HANDLER(handle_notify_settings_get);
HANDLER(handle_notify_settings_put);
HANDLER(handle_notify_sms_preview);
HANDLER(handle_notify_log_get);

/* api_hooks.c: gateway callbacks */
/* -- handlers of api_hooks.c go here -- */
HANDLER(handle_sms_dlr);

/* api_billing.c: billing identity, invoices, credit notes */
/* -- handlers of api_billing.c go here -- */
int handle_billing_identity_get(struct http_req *req, struct http_resp *resp, struct err *e);
int handle_billing_identity_put(struct http_req *req, struct http_resp *resp, struct err *e);
int handle_invoices_list(struct http_req *req, struct http_resp *resp, struct err *e);
int handle_invoice_get(struct http_req *req, struct http_resp *resp, struct err *e);

/* api_subscription.c: subscription, cancellation, deletion, operator account pages */
/* -- handlers of api_subscription.c go here -- */
HANDLER(handle_subscription_get);
HANDLER(handle_subscription_quote);
HANDLER(handle_subscription_post);
HANDLER(handle_subscription_cancel);
HANDLER(handle_subscription_resume);
HANDLER(handle_account_deletion_get);
HANDLER(handle_account_deletion_post);
HANDLER(handle_ops_account_get);

/* api_dashboard.c: the back office: dashboard figures, first-run checklist */
/* -- handlers of api_dashboard.c go here -- */
HANDLER(handle_dashboard_get);
HANDLER(handle_dashboard_checklist);

/* api_support.c: support tickets, customer and operator sides, SLA report */
/* -- handlers of api_support.c go here -- */
HANDLER(handle_tickets_list);
HANDLER(handle_tickets_create);
HANDLER(handle_ticket_get);
HANDLER(handle_ticket_patch);
HANDLER(handle_ticket_messages_list);
HANDLER(handle_ticket_reply);
HANDLER(handle_ticket_attachments_list);
HANDLER(handle_ticket_attach);
HANDLER(handle_ticket_attachment_get);
HANDLER(handle_ops_tickets_list);
HANDLER(handle_ops_tickets_create);
HANDLER(handle_ops_ticket_get);
HANDLER(handle_ops_ticket_patch);
HANDLER(handle_ops_ticket_message);
HANDLER(handle_ops_ticket_deletion);
HANDLER(handle_ops_ticket_attachment_get);
HANDLER(handle_ops_sla_report);

/* api_community.c: contact form and leads, improvement requests, votes, roadmap */
/* -- handlers of api_community.c go here -- */
HANDLER(handle_contact);
HANDLER(handle_roadmap);
HANDLER(handle_unsubscribe_page);
HANDLER(handle_unsubscribe);
HANDLER(handle_ideas_list);
HANDLER(handle_ideas_create);
HANDLER(handle_ideas_get);
HANDLER(handle_ideas_vote);
HANDLER(handle_ideas_unvote);
HANDLER(handle_ideas_comments_list);
HANDLER(handle_ideas_comment);
HANDLER(handle_ideas_subscribe);
HANDLER(handle_ideas_unsubscribe);
HANDLER(handle_ops_leads_list);
HANDLER(handle_ops_leads_get);
HANDLER(handle_ops_leads_patch);
HANDLER(handle_ops_leads_reply);
HANDLER(handle_ops_ideas_list);
HANDLER(handle_ops_ideas_get);
HANDLER(handle_ops_ideas_publish);
HANDLER(handle_ops_ideas_decline);
HANDLER(handle_ops_ideas_merge);
HANDLER(handle_ops_ideas_status);

/* api_data.c: exports, imports, calendar feeds, account archive */
/* -- handlers of api_data.c go here -- */
HANDLER(handle_exports_get);
HANDLER(handle_archive_list);
HANDLER(handle_archive_create);
HANDLER(handle_archive_get);
HANDLER(handle_feeds_list);
HANDLER(handle_feeds_create);
HANDLER(handle_feeds_delete);
HANDLER(handle_feed_ics);
/* imports (src/app/api_imports.c) */
HANDLER(handle_imports_create);
HANDLER(handle_imports_get);
HANDLER(handle_imports_patch);
HANDLER(handle_imports_commit);

/* api_payments.c: SEPA mandates, collection and bank files, dunning, e-invoicing XML */
/* -- handlers of api_payments.c go here -- */
int handle_mandate_get(struct http_req *req, struct http_resp *resp, struct err *e);
int handle_mandate_put(struct http_req *req, struct http_resp *resp, struct err *e);
int handle_mandate_delete(struct http_req *req, struct http_resp *resp, struct err *e);
int handle_billing_payments(struct http_req *req, struct http_resp *resp, struct err *e);
/* GET /api/v1/invoices/{id}.xml, called by handle_invoice_get for the ".xml" suffix: the
 * EN 16931 CII of the account's document `id`. */
int api_invoice_cii(struct http_req *req, struct http_resp *resp, const char *id, struct err *e);
int handle_ops_sepa_batch(struct http_req *req, struct http_resp *resp, struct err *e);
int handle_ops_bank_files_post(struct http_req *req, struct http_resp *resp, struct err *e);
int handle_ops_payments_unmatched(struct http_req *req, struct http_resp *resp, struct err *e);
int handle_ops_invoice_paid(struct http_req *req, struct http_resp *resp, struct err *e);

#endif
