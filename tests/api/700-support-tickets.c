/* Support tickets, customer side (issue 10 item 1): opening with a category, subject and
 * message in any account state (frozen and read-only included); the acknowledgement with the
 * committed deadline in the customer's zone, in the API answer and by e-mail; bad input (empty
 * or oversized message, unknown category, billing or deletion request from staff); attachments
 * checked by their bytes (a PNG and a PDF kept, an .exe named .png and 5 MB + 1 refused);
 * following the thread, replying, closing; another account never sees the ticket; operator
 * routes refuse customers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "support_util.h"

static void unique_email(const char *what, char out[128])
{
	static int n;
	snprintf(out, 128, "%s-%s-%d-%d@support.example", what, harness_store_kind(), (int)getpid(), n++);
}

/* A raw upload (API.md: the body is the file, with its Content-Type and Content-Disposition). */
static void upload(const struct session *s, const char *id, const char *type, const char *name,
		   const char *data, size_t len, struct reply *r)
{
	char path[128], ct[128], cd[200];
	snprintf(path, sizeof(path), "/api/v1/tickets/%s/attachments", id);
	snprintf(ct, sizeof(ct), "Content-Type: %s", type);
	snprintf(cd, sizeof(cd), "Content-Disposition: attachment; filename=\"%s\"", name);
	const char *headers[] = {s->cookie, s->csrf, ct, cd, NULL};
	http_call_raw(&H, "POST", path, data, len, headers, r);
}

static void ack_shows_the_deadline_in_the_customers_zone(void **state)
{
	(void)state;
	/* Friday 26 March 2027 23:00 in Paris, an account subscribed to Optimum */
	test_clock("set", "2027-03-26T23:00:00+01:00");
	char email[128];
	unique_email("optimum", email);
	struct session s;
	harness_signup(&H, "Salon Optimum", email, "optimum", &s);
	test_account_state(s.slug, "active", NULL);
	char id[32];
	struct reply r;
	open_ticket(&s, "question", "Rappels SMS", id, &r);
	assert_string_equal(json_path_str(r.json, "acknowledgement", "deadline"),
			    "2027-03-27T23:00:00+01:00");
	assert_int_equal(json_integer_value(
				 json_object_get(json_object_get(r.json, "acknowledgement"), "target_hours")),
			 24);
	assert_string_equal(json_path_str(r.json, "acknowledgement", "deadline_text"),
			    "samedi 27 mars 2027 à 23 h 00");
	assert_string_equal(json_path_str(r.json, "ticket", "state"), "new");
	reply_free(&r);
	/* the same deadline, in words, in the acknowledgement e-mail */
	assert_int_equal(maildir_count(email, "samedi 27 mars 2027 à 23 h 00"), 1);

	/* a trial of Optimum gets 48 h, elapsed on a 24/7 clock: the clocks go forward on Sunday
	 * 28 March, so 48 hours after Friday 23:00 is Monday 00:00 local */
	unique_email("trial", email);
	harness_signup(&H, "Salon Essai", email, "optimum", &s);
	open_ticket(&s, "bug", "Agenda", id, &r);
	assert_string_equal(json_path_str(r.json, "acknowledgement", "deadline"),
			    "2027-03-29T00:00:00+02:00");
	reply_free(&r);
	/* Pro, active: 48 h */
	unique_email("pro", email);
	harness_signup(&H, "Garage Pro", email, "pro", &s);
	test_account_state(s.slug, "active", NULL);
	open_ticket(&s, "question", "Factures", id, &r);
	assert_int_equal(json_integer_value(
				 json_object_get(json_object_get(r.json, "acknowledgement"), "target_hours")),
			 48);
	reply_free(&r);
}

static void frozen_and_read_only_accounts_open_tickets(void **state)
{
	(void)state;
	const char *states[][2] = {{"frozen", NULL}, {"read_only", "unpaid"}, {"read_only", "cancelled"}};
	for (int i = 0; i < 3; i++) {
		char email[128], id[32];
		unique_email("blocked", email);
		struct session s;
		harness_signup(&H, "Cabinet Bloqué", email, "optimum", &s);
		test_account_state(s.slug, states[i][0], states[i][1]);
		/* the account can change nothing else... */
		struct reply r;
		session_call(&H, &s, "POST", "/api/v1/clients", "{\"first_name\": \"Léa\"}", &r);
		assert_int_equal(r.status, 403);
		reply_free(&r);
		/* ...but opens, follows and answers its tickets; a frozen Optimum gets 48 h */
		open_ticket(&s, "billing", "Réactiver le compte", id, &r);
		assert_int_equal(json_integer_value(json_object_get(
					 json_object_get(r.json, "acknowledgement"), "target_hours")),
				 48);
		reply_free(&r);
		char path[128];
		snprintf(path, sizeof(path), "/api/v1/tickets/%s/messages", id);
		session_expect(&H, &s, "POST", path, "{\"message\": \"Précision\"}", 201, &r);
		reply_free(&r);
	}
}

static void bad_input_is_refused(void **state)
{
	(void)state;
	char email[128];
	unique_email("bad", email);
	struct session s;
	harness_signup(&H, "Salon Erreurs", email, NULL, &s);
	struct reply r;
	session_call(&H, &s, "POST", "/api/v1/tickets",
		     "{\"category\": \"question\", \"subject\": \"Vide\", \"message\": \"   \"}", &r);
	assert_error(&r, 400, "missing_field");
	assert_string_equal(json_path_str(r.json, "error", "field"), "message");
	reply_free(&r);
	size_t big = 10000 + 1 /* TICKET_MESSAGE_MAX + 1 */;
	char *body = malloc(big + 200);
	int n = snprintf(body, 200, "{\"category\": \"question\", \"subject\": \"Long\", \"message\": \"");
	memset(body + n, 'a', big);
	snprintf(body + n + big, 10, "\"}");
	session_call(&H, &s, "POST", "/api/v1/tickets", body, &r);
	assert_error(&r, 400, "invalid_field");
	reply_free(&r);
	free(body);
	session_call(&H, &s, "POST", "/api/v1/tickets",
		     "{\"category\": \"complaint\", \"subject\": \"X\", \"message\": \"Y\"}", &r);
	assert_error(&r, 400, "invalid_field");
	reply_free(&r);
	session_call(&H, &s, "POST", "/api/v1/tickets", "{\"category\": \"question\", \"message\": \"Y\"}",
		     &r);
	assert_error(&r, 400, "missing_field");
	reply_free(&r);
	/* nothing was stored */
	session_expect(&H, &s, "GET", "/api/v1/tickets", NULL, 200, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "tickets")), 0);
	reply_free(&r);
}

static void staff_cannot_open_billing_or_deletion_tickets(void **state)
{
	(void)state;
	if (harness_need_smtp())
		fail();
	char email[128], staff_email[128], body[300], token[64];
	unique_email("owner", email);
	unique_email("staff", staff_email);
	struct session owner, staff;
	harness_signup(&H, "Salon Équipe", email, NULL, &owner);
	struct reply r;
	snprintf(body, sizeof(body), "{\"email\": \"%s\", \"name\": \"Léo Martin\", \"role\": \"staff\"}",
		 staff_email);
	session_expect(&H, &owner, "POST", "/api/v1/users", body, 201, &r);
	reply_free(&r);
	mail_link_token(staff_email, "invitation", token);
	snprintf(body, sizeof(body), "{\"token\": \"%s\", \"password\": \"Tres-Bon-Mot-2027\"}", token);
	const char *h[] = {harness_next_ip_header(), NULL};
	http_call(&H, "POST", "/api/v1/invitations/accept", body, h, &r);
	assert_int_equal(r.status, 200);
	session_from_reply(&r, &staff);
	reply_free(&r);

	session_call(&H, &staff, "POST", "/api/v1/tickets",
		     "{\"category\": \"billing\", \"subject\": \"Facture\", \"message\": \"Erreur ?\"}", &r);
	assert_error(&r, 403, "forbidden");
	reply_free(&r);
	session_call(
		&H, &staff, "POST", "/api/v1/tickets",
		"{\"category\": \"deletion_request\", \"subject\": \"Supprimer\", \"message\": \"Tout\"}",
		&r);
	assert_error(&r, 403, "forbidden");
	reply_free(&r);
	/* a question is fine; the staff member sees only their own tickets, the owner all */
	char staff_ticket[32], owner_ticket[32];
	open_ticket(&staff, "question", "Mon agenda", staff_ticket, NULL);
	open_ticket(&owner, "billing", "Facture de mars", owner_ticket, NULL);
	session_expect(&H, &staff, "GET", "/api/v1/tickets", NULL, 200, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "tickets")), 1);
	reply_free(&r);
	char path[128];
	snprintf(path, sizeof(path), "/api/v1/tickets/%s", owner_ticket);
	session_call(&H, &staff, "GET", path, NULL, &r);
	assert_error(&r, 404, "not_found");
	reply_free(&r);
	session_expect(&H, &owner, "GET", "/api/v1/tickets", NULL, 200, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "tickets")), 2);
	reply_free(&r);
}

/* The smallest PNG and PDF a checker would accept by their first bytes. */
static const char PNG[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\1\0\0\0\1\x08\x06\0\0\0\x1f\x15\xc4\x89";
static const char PDF[] = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
static const char EXE[] = "MZ\x90\0\3\0\0\0\4\0\0\0\xff\xff\0\0This program cannot be run in DOS mode.";

static void attachments_are_checked_by_their_bytes(void **state)
{
	(void)state;
	char email[128], id[32];
	unique_email("files", email);
	struct session s;
	harness_signup(&H, "Salon Fichiers", email, NULL, &s);
	open_ticket(&s, "bug", "Capture d'écran", id, NULL);
	struct reply r;
	upload(&s, id, "image/png", "capture.png", PNG, sizeof(PNG) - 1, &r);
	if (r.status != 201)
		fail_msg("PNG: %ld %s", r.status, r.body);
	assert_string_equal(json_path_str(r.json, "attachment", "content_type"), "image/png");
	char url[200];
	snprintf(url, sizeof(url), "%s", json_path_str(r.json, "attachment", "url"));
	reply_free(&r);
	upload(&s, id, "application/pdf", "devis.pdf", PDF, sizeof(PDF) - 1, &r);
	assert_int_equal(r.status, 201);
	assert_string_equal(json_path_str(r.json, "attachment", "content_type"), "application/pdf");
	reply_free(&r);
	/* a program renamed .png */
	upload(&s, id, "image/png", "photo.png", EXE, sizeof(EXE) - 1, &r);
	assert_error(&r, 400, "invalid_file_type");
	reply_free(&r);
	/* 5 MB + 1 byte of a real PNG header */
	size_t big = 5 * 1024 * 1024 + 1;
	char *data = calloc(1, big);
	memcpy(data, PNG, sizeof(PNG) - 1);
	upload(&s, id, "image/png", "grande.png", data, big, &r);
	assert_error(&r, 400, "file_too_large");
	reply_free(&r);
	/* exactly 5 MB is accepted */
	upload(&s, id, "image/png", "juste.png", data, big - 1, &r);
	assert_int_equal(r.status, 201);
	reply_free(&r);
	free(data);
	/* the thread lists the three kept files; the PNG comes back byte for byte */
	char path[128];
	snprintf(path, sizeof(path), "/api/v1/tickets/%s/attachments", id);
	session_expect(&H, &s, "GET", path, NULL, 200, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "attachments")), 3);
	reply_free(&r);
	session_expect(&H, &s, "GET", url, NULL, 200, &r);
	assert_int_equal(r.len, sizeof(PNG) - 1);
	assert_memory_equal(r.body, PNG, sizeof(PNG) - 1);
	char v[200];
	assert_non_null(reply_header(&r, "Content-Type", v, sizeof(v)));
	assert_string_equal(v, "image/png");
	reply_free(&r);
}

static void thread_reply_close_and_isolation(void **state)
{
	(void)state;
	char email[128], other_email[128], id[32], path[160];
	unique_email("thread", email);
	unique_email("other", other_email);
	struct session s, other;
	harness_signup(&H, "Salon Fil", email, NULL, &s);
	harness_signup(&H, "Salon Voisin", other_email, NULL, &other);
	open_ticket(&s, "question", "Horaires d'été", id, NULL);
	struct reply r;
	snprintf(path, sizeof(path), "/api/v1/tickets/%s/messages", id);
	session_expect(&H, &s, "POST", path, "{\"message\": \"Et le samedi ?\"}", 201, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "messages")), 2);
	reply_free(&r);

	/* another account: not in its list, 404 on every path of the ticket */
	session_expect(&H, &other, "GET", "/api/v1/tickets", NULL, 200, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "tickets")), 0);
	reply_free(&r);
	const char *const suffix[] = {"", "/messages", "/attachments"};
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "/api/v1/tickets/%s%s", id, suffix[i]);
		session_call(&H, &other, "GET", path, NULL, &r);
		assert_error(&r, 404, "not_found");
		assert_null(strstr(r.body, "Horaires"));
		reply_free(&r);
	}
	snprintf(path, sizeof(path), "/api/v1/tickets/%s/messages", id);
	session_call(&H, &other, "POST", path, "{\"message\": \"intrus\"}", &r);
	assert_error(&r, 404, "not_found");
	reply_free(&r);
	snprintf(path, sizeof(path), "/api/v1/tickets/%s", id);
	session_call(&H, &other, "PATCH", path, "{\"state\": \"closed\"}", &r);
	assert_error(&r, 404, "not_found");
	reply_free(&r);

	/* a customer's session is not an operator's */
	session_call(&H, &s, "GET", "/api/v1/ops/tickets", NULL, &r);
	assert_error(&r, 401, "unauthorized");
	reply_free(&r);
	session_call(&H, &s, "GET", "/api/v1/ops/sla-report", NULL, &r);
	assert_error(&r, 401, "unauthorized");
	reply_free(&r);

	/* the customer closes it: no more replies */
	session_expect(&H, &s, "PATCH", path, "{\"state\": \"closed\"}", 200, &r);
	assert_string_equal(json_path_str(r.json, "ticket", "state"), "closed");
	reply_free(&r);
	snprintf(path, sizeof(path), "/api/v1/tickets/%s/messages", id);
	session_call(&H, &s, "POST", path, "{\"message\": \"Encore\"}", &r);
	assert_error(&r, 409, "ticket_closed");
	reply_free(&r);
	snprintf(path, sizeof(path), "/api/v1/tickets/%s", id);
	session_call(&H, &s, "PATCH", path, "{\"state\": \"solved\"}", &r);
	assert_error(&r, 400, "invalid_field");
	reply_free(&r);
}

int main(void)
{
	if (harness_need_smtp())
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ack_shows_the_deadline_in_the_customers_zone),
		cmocka_unit_test(frozen_and_read_only_accounts_open_tickets),
		cmocka_unit_test(bad_input_is_refused),
		cmocka_unit_test(staff_cannot_open_billing_or_deletion_tickets),
		cmocka_unit_test(attachments_are_checked_by_their_bytes),
		cmocka_unit_test(thread_reply_close_and_isolation),
	};
	return cmocka_run_group_tests(tests, harness_setup, harness_teardown);
}
