/* The wall between tenants: every route of the table is walked with a second tenant's
 * session and the first tenant's ids. Tenant routes answer 404 or 403 to foreign ids and never
 * show the first tenant's data; without a session they answer 401; operator routes refuse
 * customers; public routes show no private field. A route added to src/app/routes.c without an
 * entry here fails this test: whoever adds a route decides what a stranger must see. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app/routes.h"
#include "harness.h"

enum expect {
	OWN_DATA,      /* answers about the caller's own account: never the victim's */
	FOREIGN_ID,    /* the path names the victim's record: 403 or 404 */
	NO_SESSION,    /* public: whatever it answers, no private field of the victim */
	ENDS_SESSION,  /* ends the caller's session: walked last */
	PUBLIC_PROFILE /* public: the business's own page, whose name and phone are public; nothing else */
};

static const struct {
	const char *method, *pattern;
	enum expect expect;
} covered[] = {
	{"GET", "/livez", NO_SESSION},
	{"GET", "/healthz", NO_SESSION},
	{"GET", "/metrics", NO_SESSION},
	{"GET", "/api/v1/plans", NO_SESSION},
	{"POST", "/api/v1/signup", NO_SESSION},
	{"POST", "/api/v1/session", NO_SESSION},
	{"DELETE", "/api/v1/session", ENDS_SESSION},
	{"GET", "/api/v1/me", OWN_DATA},
	{"PATCH", "/api/v1/me", OWN_DATA},
	{"GET", "/api/v1/account", OWN_DATA},
	{"PATCH", "/api/v1/account", OWN_DATA},
	{"DELETE", "/api/v1/demo", OWN_DATA},
	{"POST", "/api/v1/password-reset", NO_SESSION},
	{"POST", "/api/v1/password-reset/confirm", NO_SESSION},
	{"POST", "/api/v1/password", OWN_DATA},
	{"POST", "/api/v1/email/verify", NO_SESSION},
	{"GET", "/api/v1/users", OWN_DATA},
	{"POST", "/api/v1/users", OWN_DATA},
	{"PATCH", "/api/v1/users/{id}", FOREIGN_ID},
	{"DELETE", "/api/v1/users/{id}", FOREIGN_ID},
	{"POST", "/api/v1/invitations/accept", NO_SESSION},
	{"POST", "/api/v1/ops/session", NO_SESSION},
	{"DELETE", "/api/v1/ops/session", OWN_DATA},
	{"GET", "/api/v1/ops/me", OWN_DATA},
	{"GET", "/api/v1/ops/accounts", OWN_DATA},
	{"GET", "/api/v1/clients", OWN_DATA},
	{"POST", "/api/v1/clients", OWN_DATA},
	{"GET", "/api/v1/clients/{id}", FOREIGN_ID},
	{"PATCH", "/api/v1/clients/{id}", FOREIGN_ID},
	{"DELETE", "/api/v1/clients/{id}", FOREIGN_ID},
	{"GET", "/api/v1/clients/{id}/export", FOREIGN_ID},
	{"GET", "/api/v1/exports/archive", OWN_DATA},
	{"POST", "/api/v1/exports/archive", OWN_DATA},
	{"GET", "/api/v1/exports/archive/{id}", FOREIGN_ID},
	{"GET", "/api/v1/exports/{file}", OWN_DATA},
	{"GET", "/api/v1/feeds", OWN_DATA},
	{"POST", "/api/v1/feeds", OWN_DATA},
	{"DELETE", "/api/v1/feeds/{id}", FOREIGN_ID},
	{"GET", "/feeds/{token}", NO_SESSION},
	{"POST", "/api/v1/clients/{id}/merge", FOREIGN_ID},
	{"GET", "/api/v1/dashboard", OWN_DATA},
	{"POST", "/api/v1/dashboard/checklist", OWN_DATA},
	{"GET", "/api/v1/services", OWN_DATA},
	{"POST", "/api/v1/services", OWN_DATA},
	{"GET", "/api/v1/services/{id}", FOREIGN_ID},
	{"PATCH", "/api/v1/services/{id}", FOREIGN_ID},
	{"DELETE", "/api/v1/services/{id}", FOREIGN_ID},
	{"GET", "/api/v1/staff", OWN_DATA},
	{"POST", "/api/v1/staff", OWN_DATA},
	{"GET", "/api/v1/staff/{id}", FOREIGN_ID},
	{"PATCH", "/api/v1/staff/{id}", FOREIGN_ID},
	{"DELETE", "/api/v1/staff/{id}", FOREIGN_ID},
	{"GET", "/api/v1/staff/{id}/hours", FOREIGN_ID},
	{"PUT", "/api/v1/staff/{id}/hours", FOREIGN_ID},
	{"GET", "/api/v1/staff/{id}/exceptions", FOREIGN_ID},
	{"POST", "/api/v1/staff/{id}/exceptions", FOREIGN_ID},
	{"DELETE", "/api/v1/staff/{id}/exceptions/{exception_id}", FOREIGN_ID},
	{"GET", "/api/v1/closed-days", OWN_DATA},
	{"POST", "/api/v1/closed-days", OWN_DATA},
	{"GET", "/api/v1/closed-days/holidays", OWN_DATA},
	{"DELETE", "/api/v1/closed-days/{id}", FOREIGN_ID},
	{"GET", "/api/v1/availability", OWN_DATA},
	{"GET", "/api/v1/billing/identity", OWN_DATA},
	{"PUT", "/api/v1/billing/identity", OWN_DATA},
	{"GET", "/api/v1/invoices", OWN_DATA},
	{"GET", "/api/v1/invoices/{id}", FOREIGN_ID},
	{"GET", "/api/v1/appointments", OWN_DATA},
	{"POST", "/api/v1/appointments", OWN_DATA},
	{"GET", "/api/v1/appointments/changes", OWN_DATA},
	{"GET", "/api/v1/appointments/{id}", FOREIGN_ID},
	{"PATCH", "/api/v1/appointments/{id}", FOREIGN_ID},
	{"GET", "/api/v1/public/{slug}/availability", NO_SESSION},
	{"POST", "/api/v1/public/{slug}/appointments", NO_SESSION},
	{"GET", "/api/v1/public/{slug}", PUBLIC_PROFILE},
	{"GET", "/api/v1/public/{slug}/logo", NO_SESSION},
	{"GET", "/b/{slug}", NO_SESSION},
	{"GET", "/widget/b/{slug}", NO_SESSION},
	{"GET", "/m/{token}", NO_SESSION},
	{"GET", "/api/v1/theme", OWN_DATA},
	{"PUT", "/api/v1/theme", OWN_DATA},
	{"PUT", "/api/v1/theme/logo", OWN_DATA},
	{"DELETE", "/api/v1/theme/logo", OWN_DATA},
	{"GET", "/api/v1/notifications/settings", OWN_DATA},
	{"PUT", "/api/v1/notifications/settings", OWN_DATA},
	{"POST", "/api/v1/notifications/sms-preview", OWN_DATA},
	{"GET", "/api/v1/notifications/log", OWN_DATA},
	{"GET", "/api/v1/manage/{token}", NO_SESSION},
	{"PATCH", "/api/v1/manage/{token}", NO_SESSION},
	{"DELETE", "/api/v1/manage/{token}", NO_SESSION},
	{"GET", "/api/v1/manage/{token}/ics", NO_SESSION},
	{"GET", "/hooks/sms/dlr", NO_SESSION},
	{"GET", "/api/v1/subscription", OWN_DATA},
	{"GET", "/api/v1/subscription/quote", OWN_DATA},
	{"POST", "/api/v1/subscription", OWN_DATA},
	{"DELETE", "/api/v1/subscription", OWN_DATA},
	{"POST", "/api/v1/subscription/resume", OWN_DATA},
	{"GET", "/api/v1/account/deletion", OWN_DATA},
	{"POST", "/api/v1/account/deletion", OWN_DATA},
	{"GET", "/api/v1/ops/accounts/{id}", OWN_DATA},
	{"POST", "/api/v1/contact", NO_SESSION},
	{"GET", "/api/v1/roadmap", NO_SESSION},
	{"GET", "/u/{token}", NO_SESSION},
	{"POST", "/u/{token}", NO_SESSION},
	{"GET", "/api/v1/ideas", OWN_DATA},
	{"POST", "/api/v1/ideas", OWN_DATA},
	{"GET", "/api/v1/ideas/{id}", FOREIGN_ID},
	{"POST", "/api/v1/ideas/{id}/votes", FOREIGN_ID},
	{"DELETE", "/api/v1/ideas/{id}/votes", FOREIGN_ID},
	{"GET", "/api/v1/ideas/{id}/comments", FOREIGN_ID},
	{"POST", "/api/v1/ideas/{id}/comments", FOREIGN_ID},
	{"PUT", "/api/v1/ideas/{id}/subscription", FOREIGN_ID},
	{"DELETE", "/api/v1/ideas/{id}/subscription", FOREIGN_ID},
	{"GET", "/api/v1/ops/leads", OWN_DATA},
	{"GET", "/api/v1/ops/leads/{id}", OWN_DATA},
	{"PATCH", "/api/v1/ops/leads/{id}", OWN_DATA},
	{"POST", "/api/v1/ops/leads/{id}/replies", OWN_DATA},
	{"GET", "/api/v1/ops/ideas", OWN_DATA},
	{"GET", "/api/v1/ops/ideas/{id}", OWN_DATA},
	{"POST", "/api/v1/ops/ideas/{id}/publish", OWN_DATA},
	{"POST", "/api/v1/ops/ideas/{id}/decline", OWN_DATA},
	{"POST", "/api/v1/ops/ideas/{id}/merge", OWN_DATA},
	{"POST", "/api/v1/ops/ideas/{id}/status", OWN_DATA},
	/* support tickets (api_support.c): a stranger's session reaches none of the victim's */
	{"GET", "/api/v1/tickets", OWN_DATA},
	{"POST", "/api/v1/tickets", OWN_DATA},
	{"GET", "/api/v1/tickets/{id}", FOREIGN_ID},
	{"PATCH", "/api/v1/tickets/{id}", FOREIGN_ID},
	{"GET", "/api/v1/tickets/{id}/messages", FOREIGN_ID},
	{"POST", "/api/v1/tickets/{id}/messages", FOREIGN_ID},
	{"GET", "/api/v1/tickets/{id}/attachments", FOREIGN_ID},
	{"POST", "/api/v1/tickets/{id}/attachments", FOREIGN_ID},
	{"GET", "/api/v1/tickets/{id}/attachments/{attachment_id}", FOREIGN_ID},
	{"GET", "/api/v1/ops/tickets", OWN_DATA},
	{"POST", "/api/v1/ops/tickets", OWN_DATA},
	{"GET", "/api/v1/ops/tickets/{id}", OWN_DATA},
	{"PATCH", "/api/v1/ops/tickets/{id}", OWN_DATA},
	{"POST", "/api/v1/ops/tickets/{id}/messages", OWN_DATA},
	{"POST", "/api/v1/ops/tickets/{id}/deletion", OWN_DATA},
	{"GET", "/api/v1/ops/tickets/{id}/attachments/{attachment_id}", OWN_DATA},
	{"GET", "/api/v1/ops/sla-report", OWN_DATA},
	/* payments (src/app/api_payments.c): the mandate and payments of the caller's account;
	 * the {id}.xml of a foreign invoice is walked by GET /api/v1/invoices/{id} */
	{"GET", "/api/v1/billing/mandate", OWN_DATA},
	{"PUT", "/api/v1/billing/mandate", OWN_DATA},
	{"DELETE", "/api/v1/billing/mandate", OWN_DATA},
	{"GET", "/api/v1/billing/payments", OWN_DATA},
	{"GET", "/api/v1/ops/sepa/batch", OWN_DATA},
	{"POST", "/api/v1/ops/bank-files", OWN_DATA},
	{"GET", "/api/v1/ops/payments/unmatched", OWN_DATA},
	{"POST", "/api/v1/ops/invoices/{id}/paid", OWN_DATA},
	/* imports (src/app/api_imports.c); 810-imports walks a real foreign import id */
	{"POST", "/api/v1/imports", OWN_DATA},
	{"GET", "/api/v1/imports/{id}", FOREIGN_ID},
	{"PATCH", "/api/v1/imports/{id}", FOREIGN_ID},
	{"POST", "/api/v1/imports/{id}/commit", FOREIGN_ID},
	{"GET", "/api/v1/test/clock", NO_SESSION},
	{"POST", "/api/v1/test/clock", NO_SESSION},
	{"POST", "/api/v1/test/account-state", NO_SESSION},
};

static struct session victim, stranger;
static const char *secrets[6];
static char victim_client[32]; /* the public id of a client of the victim */
/* the victim's set-up: a staff member, one of its exceptions, a service, a closed day */
static char victim_staff[32], victim_exception[32], victim_service[32], victim_closed_day[32];
static char victim_appointment[32]; /* one of the victim's (demo) appointments */

/* The victim's record the nth {param} of this pattern names. */
static const char *victim_id_for(const char *pattern, int nth)
{
	if (!strncmp(pattern, "/api/v1/clients/", 16))
		return victim_client;
	if (!strncmp(pattern, "/api/v1/staff/", 14))
		return nth ? victim_exception : victim_staff;
	if (!strncmp(pattern, "/api/v1/services/", 17))
		return victim_service;
	if (!strncmp(pattern, "/api/v1/closed-days/", 20))
		return victim_closed_day;
	if (!strncmp(pattern, "/api/v1/appointments/", 21))
		return victim_appointment;
	if (!strncmp(pattern, "/api/v1/manage/", 15))
		return "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"; /* a well-formed token nobody holds: 404
								       */
	if (!strncmp(pattern, "/m/", 3))
		return "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"; /* the page is the same for any token */
	if (!strncmp(pattern, "/api/v1/public/", 15) || !strncmp(pattern, "/b/", 3) ||
	    !strncmp(pattern, "/widget/", 8))
		return victim.slug; /* public pages of the victim: shown, but nothing private */
	return victim.user_id;
}

static int expectation(const struct http_route *r)
{
	for (size_t i = 0; i < sizeof(covered) / sizeof(covered[0]); i++)
		if (!strcmp(covered[i].method, r->method) && !strcmp(covered[i].pattern, r->pattern))
			return (int)covered[i].expect;
	return -1;
}

/* The pattern with every {param} replaced by the victim's id. */
static void victim_path(const char *pattern, char *out, size_t cap)
{
	size_t n = 0;
	int nth = 0;
	for (const char *p = pattern; *p && n + 1 < cap;) {
		if (*p == '{') {
			const char *id = victim_id_for(pattern, nth++);
			n += (size_t)snprintf(out + n, cap - n, "%s", id);
			p = strchr(p, '}') + 1;
		} else {
			out[n++] = *p++;
		}
	}
	out[n] = '\0';
}

static void assert_no_secret(const struct http_route *route, const struct reply *r, int profile)
{
	for (int i = 0; secrets[i]; i++)
		if ((!profile || (i != 1 && i != 2)) && strstr(r->body, secrets[i])) {
			fprintf(stderr, "%s %s showed the victim's \"%s\": %s\n", route->method,
				route->pattern, secrets[i], r->body);
			fail();
		}
	if (r->status >= 500) {
		fprintf(stderr, "%s %s answered %ld: %s\n", route->method, route->pattern, r->status,
			r->body);
		fail();
	}
}

static void walk(const struct http_route *route, enum expect expect)
{
	char path[256];
	victim_path(route->pattern, path, sizeof(path));
	/* a body that would pass validation where validation comes before the lookup */
	const char *body = strcmp(route->method, "GET") && strcmp(route->method, "DELETE") ? "{}" : NULL;
	if (!strcmp(route->method, "PATCH") && !strcmp(route->pattern, "/api/v1/appointments/{id}"))
		body = "{\"status\": \"cancelled\"}";
	enum route_scope scope = ROUTE_SCOPE_OF(route->flags);
	struct reply r;

	if (scope == SCOPE_TENANT || scope == SCOPE_COMMUNITY || scope == SCOPE_OPS) {
		/* no session at all */
		http_call(&H, route->method, path, body, NULL, &r);
		assert_error(&r, 401, "unauthorized");
		reply_free(&r);
	}
	const char *xff[] = {harness_next_ip_header(), NULL};
	if (expect == NO_SESSION || expect == PUBLIC_PROFILE)
		http_call(&H, route->method, path, body, xff, &r);
	else
		session_call(&H, &stranger, route->method, path, body, &r);
	assert_no_secret(route, &r, expect == PUBLIC_PROFILE);
	if (scope == SCOPE_OPS)
		assert_error(&r, 401, "unauthorized"); /* a customer's cookie is not an operator's */
	if (!strncmp(route->pattern, "/api/v1/manage/", 15))
		assert_error(&r, 404, "not_found"); /* a token nobody holds reaches nothing */
	if (expect == FOREIGN_ID && r.status != 404 && r.status != 403) {
		fprintf(stderr, "%s %s with a foreign id answered %ld: %s\n", route->method, route->pattern,
			r.status, r.body);
		fail();
	}
	reply_free(&r);
}

static void every_route_keeps_tenants_apart(void **state)
{
	(void)state;
	harness_signup(&H, "Cabinet Victime", "victime@isolation.example", NULL, &victim);
	harness_signup(&H, "Salon Etranger", "etranger@isolation.example", NULL, &stranger);
	struct reply r;
	session_call(&H, &victim, "PATCH", "/api/v1/account", "{\"phone\": \"+33 6 99 88 77 66\"}", &r);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	secrets[0] = "victime@isolation.example";
	secrets[1] = "Cabinet Victime";
	secrets[2] = "+33 6 99 88 77 66";
	session_call(&H, &victim, "POST", "/api/v1/clients",
		     "{\"first_name\": \"Zéphyrine\", \"email\": \"zephyrine@client.example\"}", &r);
	assert_int_equal(r.status, 201);
	snprintf(victim_client, sizeof(victim_client), "%s", json_path_str(r.json, "client", "id"));
	reply_free(&r);
	secrets[3] = "zephyrine@client.example";
	secrets[4] = "Zéphyrine";
	secrets[5] = NULL;
	/* the victim's set-up (src/app/api_setup.c) */
	const struct {
		const char *path, *body, *key;
		char *out;
	} setup[] = {
		{"/api/v1/staff", "{\"name\": \"Ombeline\"}", "staff", victim_staff},
		{"/api/v1/services", "{\"name\": \"Soin\", \"duration_min\": 30}", "service", victim_service},
		{"/api/v1/closed-days", "{\"day\": \"2027-08-16\"}", "closed_day", victim_closed_day},
		{NULL, "{\"kind\": \"off\", \"from\": \"2027-08-17\"}", "exception", victim_exception},
	};
	for (size_t i = 0; i < sizeof(setup) / sizeof(setup[0]); i++) {
		char path[128];
		snprintf(path, sizeof(path), "/api/v1/staff/%s/exceptions", victim_staff);
		session_call(&H, &victim, "POST", setup[i].path ? setup[i].path : path, setup[i].body, &r);
		assert_int_equal(r.status, 201);
		snprintf(setup[i].out, 32, "%s", json_path_str(r.json, setup[i].key, "id"));
		reply_free(&r);
	}

	struct err e = {0};
	db_conn *c;
	db_rows *rows;
	assert_int_equal(db_acquire(H.app->db, &c, &e), 0);
	assert_int_equal(
		db_query(c,
			 "SELECT p.public_id FROM appointments p JOIN accounts a ON a.id = p.account_id"
			 " WHERE a.public_id = $1 AND p.status = 'booked' ORDER BY p.id LIMIT 1",
			 DB_ARGS(DB_TEXT(victim.account_id)), &rows, &e),
		0);
	assert_int_equal(db_rows_next(rows, &e), 1); /* the hair salon's demo week */
	snprintf(victim_appointment, sizeof(victim_appointment), "%s", db_rows_text(rows, 0));
	db_rows_free(rows);
	db_release(c);

	int uncovered = 0;
	for (unsigned long i = 0; i < app_nroutes; i++)
		if (expectation(&app_routes[i]) < 0) {
			fprintf(stderr,
				"route %s %s is not in the isolation walk "
				"(tests/api/150-tenant-isolation.c)\n",
				app_routes[i].method, app_routes[i].pattern);
			uncovered++;
		}
	assert_int_equal(uncovered, 0);

	for (int last = 0; last < 2; last++)
		for (unsigned long i = 0; i < app_nroutes; i++) {
			int ex = expectation(&app_routes[i]);
			if ((ex == ENDS_SESSION) == last)
				walk(&app_routes[i], (enum expect)ex);
		}

	/* the victim's account is as it was */
	session_call(&H, &victim, "GET", "/api/v1/account", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_path_str(r.json, "account", "name"), "Cabinet Victime");
	assert_string_equal(json_path_str(r.json, "account", "phone"), "+33 6 99 88 77 66");
	reply_free(&r);
	char path[96];
	snprintf(path, sizeof(path), "/api/v1/appointments/%s", victim_appointment);
	session_call(&H, &victim, "GET", path, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "\"booked\""));
	reply_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_route_keeps_tenants_apart),
	};
	return cmocka_run_group_tests_name("api/tenant-isolation", tests, harness_setup, harness_teardown);
}
