/* Support tickets, operator side and service level (issue 10 items 2-3), on the test clock: a
 * ticket opened Friday 23:00 on an Optimum account is due Saturday 23:00; operators are warned
 * by e-mail at 75 % (18 h) once per deadline, the ticket is flagged breached at 24 h and the
 * operators are told once more (every operator while nobody has the ticket, then only the
 * one it is assigned to); the queue
 * is ordered by deadline with each account's plan and state; internal notes never reach the
 * customer nor count; a customer reply makes the next reply due within the same target;
 * solved tickets close 7 days later and are deleted 3 years after closing; the SLA report per
 * plan; a ticket opened on a customer's behalf; a deletion request executed from its ticket. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "support_util.h"

static struct operator_session OP, OP2;

static void unique_email(const char *what, char out[128])
{
	static int n;
	snprintf(out, 128, "%s-%s-%d-%d@sla.example", what, harness_store_kind(), (int)getpid(), n++);
}

/* Moves the clock (running the jobs on the way) and logs both sides in again. */
static void advance_to(const char *when, const char *email, struct session *s)
{
	test_clock("advance_to", when);
	if (s)
		harness_relogin(&H, email, s);
	operator_login(&OP);
}

static int ticket_flag(const json_t *t, const char *key)
{
	return json_is_true(json_object_get(json_object_get(t, "ticket"), key));
}

static const char *tstr(const json_t *t, const char *key)
{
	return json_path_str(t, "ticket", key);
}

static void the_service_level_on_the_test_clock(void **state)
{
	(void)state;
	test_clock("set", "2027-03-26T23:00:00+01:00");
	operator_create("sla2", &OP2);
	operator_create("sla", &OP);
	char email[128], pro_email[128], id[32], pro_id[32], path[160];
	unique_email("optimum", email);
	unique_email("pro", pro_email);
	struct session s, pro;
	harness_signup(&H, "Institut Optimum", email, "optimum", &s);
	test_account_state(s.slug, "active", NULL);
	harness_signup(&H, "Garage Pro", pro_email, "pro", &pro);
	test_account_state(pro.slug, "active", NULL);
	test_clock("set", "2027-03-26T23:00:00+01:00");
	harness_relogin(&H, email, &s);
	harness_relogin(&H, pro_email, &pro);
	open_ticket(&pro, "question", "Question Pro", pro_id, NULL); /* due in 48 h */
	open_ticket(&s, "bug", "Agenda vide", id, NULL);	     /* due in 24 h: first in the queue */
	operator_login(&OP);

	/* the queue: by deadline, with each account's plan and state */
	struct reply r;
	ops_expect(&OP, "GET", "/api/v1/ops/tickets", NULL, 200, &r);
	json_t *list = json_object_get(r.json, "tickets");
	assert_true(json_array_size(list) >= 2);
	json_t *first = json_array_get(list, 0), *second = json_array_get(list, 1);
	assert_string_equal(json_string_value(json_object_get(first, "id")), id);
	assert_string_equal(json_string_value(json_object_get(second, "id")), pro_id);
	assert_string_equal(json_path_str(first, "account", "plan"), "optimum");
	assert_string_equal(json_path_str(first, "account", "state"), "active");
	assert_string_equal(json_path_str(second, "account", "plan"), "pro");
	assert_string_equal(json_string_value(json_object_get(first, "reply_due_at")),
			    "2027-03-27T22:00:00Z");
	reply_free(&r);

	/* an internal note: the customer never sees it, and it answers nothing */
	snprintf(path, sizeof(path), "/api/v1/ops/tickets/%s/messages", id);
	ops_expect(&OP, "POST", path,
		   "{\"message\": \"Note interne : voir logs serveur\", \"internal\": true}", 201, &r);
	reply_free(&r);
	snprintf(path, sizeof(path), "/api/v1/tickets/%s", id);
	session_expect(&H, &s, "GET", path, NULL, 200, &r);
	assert_null(strstr(r.body, "Note interne"));
	assert_int_equal(json_array_size(json_object_get(r.json, "messages")), 1);
	reply_free(&r);

	/* 17 h 59: no warning yet */
	advance_to("2027-03-27T16:59:00+01:00", email, &s);
	assert_int_equal(maildir_count(OP.email, id), 0);
	json_t *t = ops_ticket(&OP, id);
	assert_false(ticket_flag(t, "warned"));
	json_decref(t);
	/* 18 h = 75 % of 24 h: one warning to every operator (nobody has the ticket yet), once */
	advance_to("2027-03-27T17:00:00+01:00", email, &s);
	assert_int_equal(maildir_count(OP.email, id), 1);
	assert_int_equal(maildir_count(OP2.email, id), 1);
	assert_int_equal(maildir_count(OP.email, "75 % du délai"), 1);
	t = ops_ticket(&OP, id);
	assert_true(ticket_flag(t, "warned"));
	assert_false(ticket_flag(t, "breached"));
	json_decref(t);
	advance_to("2027-03-27T22:59:00+01:00", email, &s);
	assert_int_equal(maildir_count(OP.email, id), 1);
	/* 24 h: breached, and one more e-mail to every operator, once */
	advance_to("2027-03-27T23:00:00+01:00", email, &s);
	assert_int_equal(maildir_count(OP.email, id), 2);
	assert_int_equal(maildir_count(OP2.email, id), 2);
	t = ops_ticket(&OP, id);
	assert_true(ticket_flag(t, "breached"));
	json_decref(t);
	/* the Pro ticket, at 24 h of its 48, is neither warned nor breached */
	t = ops_ticket(&OP, pro_id);
	assert_false(ticket_flag(t, "warned"));
	assert_false(ticket_flag(t, "breached"));
	json_decref(t);

	/* assign, reply: the customer sees the reply and gets it by e-mail */
	snprintf(path, sizeof(path), "/api/v1/ops/tickets/%s", id);
	ops_expect(&OP, "PATCH", path, "{\"assignee\": \"me\"}", 200, &r);
	assert_string_equal(tstr(r.json, "state"), "open");
	assert_string_equal(json_path_str(json_object_get(r.json, "ticket"), "assignee", "id"), OP.id);
	reply_free(&r);
	advance_to("2027-03-28T01:00:00+01:00", email, &s); /* 26 h: late */
	/* the jobs ran again on the way: neither notice went twice */
	assert_int_equal(maildir_count(OP.email, id), 2);
	assert_int_equal(maildir_count(OP2.email, id), 2);
	snprintf(path, sizeof(path), "/api/v1/ops/tickets/%s/messages", id);
	ops_expect(&OP, "POST", path, "{\"message\": \"Réglé : videz le cache du navigateur.\"}", 201, &r);
	assert_string_equal(tstr(r.json, "state"), "pending_customer");
	reply_free(&r);
	assert_int_equal(maildir_count(email, "videz le cache"), 1);
	snprintf(path, sizeof(path), "/api/v1/tickets/%s", id);
	session_expect(&H, &s, "GET", path, NULL, 200, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "messages")), 2);
	assert_non_null(strstr(r.body, "videz le cache"));
	assert_true(json_is_null(json_object_get(json_object_get(r.json, "ticket"), "reply_due_at")));
	reply_free(&r);

	/* the customer answers at 10:00 (+02:00 after the change of time): due 24 h later */
	advance_to("2027-03-28T10:00:00+02:00", email, &s);
	snprintf(path, sizeof(path), "/api/v1/tickets/%s/messages", id);
	session_expect(&H, &s, "POST", path, "{\"message\": \"Toujours vide.\"}", 201, &r);
	assert_string_equal(tstr(r.json, "state"), "open");
	assert_string_equal(tstr(r.json, "reply_due_at"), "2027-03-29T10:00:00+02:00");
	reply_free(&r);
	/* its own warning, at 18 h of the new deadline, to the operator who has the ticket only */
	advance_to("2027-03-29T03:59:00+02:00", email, &s);
	assert_int_equal(maildir_count(OP.email, id), 2);
	advance_to("2027-03-29T04:00:00+02:00", email, &s);
	assert_int_equal(maildir_count(OP.email, id), 3);
	assert_int_equal(maildir_count(OP2.email, id), 2);
	ops_expect(&OP, "GET", "/api/v1/ops/tickets", NULL, 200, &r);
	for (size_t i = 0; i < json_array_size(json_object_get(r.json, "tickets")); i++) {
		json_t *q = json_array_get(json_object_get(r.json, "tickets"), i);
		if (strcmp(json_string_value(json_object_get(q, "id")), id))
			continue;
		/* breached once stays flagged; this deadline is warned */
		assert_true(json_is_true(json_object_get(q, "warned")));
		assert_true(json_is_true(json_object_get(q, "breached")));
	}
	reply_free(&r);
	/* answered in time this time; then solved */
	snprintf(path, sizeof(path), "/api/v1/ops/tickets/%s/messages", id);
	ops_expect(&OP, "POST", path, "{\"message\": \"Corrigé de notre côté.\"}", 201, &r);
	reply_free(&r);
	snprintf(path, sizeof(path), "/api/v1/ops/tickets/%s", id);
	ops_expect(&OP, "PATCH", path, "{\"state\": \"new\"}", 409, &r);
	reply_free(&r);
	ops_expect(&OP, "PATCH", path, "{\"state\": \"closed\"}", 409, &r);
	reply_free(&r);
	ops_expect(&OP, "PATCH", path, "{\"state\": \"solved\"}", 200, &r);
	reply_free(&r);
	/* closed 7 days after solved, by the job */
	advance_to("2027-04-05T03:59:00+02:00", email, &s);
	t = ops_ticket(&OP, id);
	assert_string_equal(tstr(t, "state"), "solved");
	json_decref(t);
	advance_to("2027-04-05T04:00:00+02:00", email, &s);
	/* answered in time: no breach notice for the second deadline */
	assert_int_equal(maildir_count(OP.email, id), 3);
	t = ops_ticket(&OP, id);
	assert_string_equal(tstr(t, "state"), "closed");
	assert_string_equal(tstr(t, "closed_at"), "2027-04-05T02:00:00Z");
	json_decref(t);
	snprintf(path, sizeof(path), "/api/v1/tickets/%s/messages", id);
	session_call(&H, &s, "POST", path, "{\"message\": \"Encore une chose\"}", &r);
	assert_error(&r, 409, "ticket_closed");
	reply_free(&r);

	/* the SLA report of March 2027: Optimum answered late (26 h), Pro not answered and late */
	ops_expect(&OP, "GET", "/api/v1/ops/sla-report?from=2027-03-01&to=2027-03-31", NULL, 200, &r);
	json_t *plans = json_object_get(r.json, "plans");
	assert_int_equal(json_array_size(plans), 3);
	for (size_t i = 0; i < 3; i++) {
		json_t *p = json_array_get(plans, i);
		const char *plan = json_string_value(json_object_get(p, "plan"));
		if (!strcmp(plan, "optimum")) {
			assert_int_equal(json_integer_value(json_object_get(p, "tickets")), 1);
			assert_int_equal(json_integer_value(json_object_get(p, "answered_in_time")), 0);
			assert_int_equal(json_integer_value(json_object_get(p, "median_first_response_s")),
					 26 * 3600);
			assert_int_equal(json_integer_value(json_object_get(p, "p90_first_response_s")),
					 26 * 3600);
			assert_true(json_real_value(json_object_get(p, "in_time_share")) == 0.0);
		} else if (!strcmp(plan, "pro")) {
			assert_int_equal(json_integer_value(json_object_get(p, "tickets")), 1);
			assert_int_equal(json_integer_value(json_object_get(p, "late_unanswered")), 1);
			assert_true(json_is_null(json_object_get(p, "median_first_response_s")));
		} else {
			assert_int_equal(json_integer_value(json_object_get(p, "tickets")), 0);
		}
	}
	reply_free(&r);
	ops_expect(&OP, "GET", "/api/v1/ops/sla-report?from=2027-04-01&to=2027-03-01", NULL, 400, &r);
	reply_free(&r);

	/* deleted 3 years after closing (the clock runs every daily job on the way: half a year
	 * per call keeps each call short, also under ASan) */
	static const char *const halves[] = {"2027-10-05T04:00:00+02:00", "2028-04-05T04:00:00+02:00",
					     "2028-10-05T04:00:00+02:00", "2029-04-05T04:00:00+02:00",
					     "2029-10-05T04:00:00+02:00"};
	for (size_t i = 0; i < sizeof(halves) / sizeof(halves[0]); i++)
		test_clock("advance_to", halves[i]);
	advance_to("2030-04-05T03:59:00+02:00", NULL, NULL);
	t = ops_ticket(&OP, id);
	json_decref(t);
	advance_to("2030-04-05T04:01:00+02:00", NULL, NULL);
	snprintf(path, sizeof(path), "/api/v1/ops/tickets/%s", id);
	ops_expect(&OP, "GET", path, NULL, 404, &r);
	reply_free(&r);
}

static void answered_in_time_and_spam(void **state)
{
	(void)state;
	char email[128], id[32], spam_id[32], path[160];
	unique_email("fast", email);
	struct session s;
	harness_signup(&H, "Studio Rapide", email, "optimum", &s);
	test_account_state(s.slug, "active", NULL);
	test_clock("set", "2031-01-10T09:00:00+01:00");
	harness_relogin(&H, email, &s);
	operator_login(&OP);
	open_ticket(&s, "question", "Rapide", id, NULL);
	open_ticket(&s, "question", "Achetez des montres", spam_id, NULL);
	advance_to("2031-01-10T11:00:00+01:00", email, &s);
	struct reply r;
	snprintf(path, sizeof(path), "/api/v1/ops/tickets/%s/messages", id);
	ops_expect(&OP, "POST", path, "{\"message\": \"Voici la réponse.\"}", 201, &r);
	reply_free(&r);
	snprintf(path, sizeof(path), "/api/v1/ops/tickets/%s", spam_id);
	ops_expect(&OP, "PATCH", path, "{\"state\": \"spam\"}", 200, &r);
	reply_free(&r);
	/* spam leaves the queue and the customer's list, and never breaches */
	advance_to("2031-01-12T11:00:00+01:00", email, &s);
	json_t *t = ops_ticket(&OP, spam_id);
	assert_false(ticket_flag(t, "breached"));
	json_decref(t);
	ops_expect(&OP, "GET", "/api/v1/ops/tickets", NULL, 200, &r);
	assert_null(strstr(r.body, spam_id));
	reply_free(&r);
	session_expect(&H, &s, "GET", "/api/v1/tickets", NULL, 200, &r);
	assert_null(strstr(r.body, spam_id));
	assert_non_null(strstr(r.body, id));
	reply_free(&r);
	ops_expect(&OP, "GET", "/api/v1/ops/sla-report?from=2031-01-01&to=2031-01-31", NULL, 200, &r);
	json_t *plans = json_object_get(r.json, "plans");
	json_t *opt = json_array_get(plans, 2);
	assert_string_equal(json_string_value(json_object_get(opt, "plan")), "optimum");
	assert_int_equal(json_integer_value(json_object_get(opt, "tickets")), 1);
	assert_int_equal(json_integer_value(json_object_get(opt, "answered_in_time")), 1);
	assert_int_equal(json_integer_value(json_object_get(opt, "median_first_response_s")), 2 * 3600);
	assert_true(json_real_value(json_object_get(opt, "in_time_share")) == 1.0);
	reply_free(&r);
}

static void on_behalf_and_deletion_requests(void **state)
{
	(void)state;
	char email[128], id[32], question_id[32], path[160], body[600];
	unique_email("leaving", email);
	struct session s;
	harness_signup(&H, "Boutique Départ", email, "essentiel", &s);
	test_account_state(s.slug, "active", NULL);
	operator_login(&OP);
	/* an operator opens a ticket on the customer's behalf: the customer gets the
	 * acknowledgement and sees it in the list */
	json_t *me;
	struct reply r;
	session_expect(&H, &s, "GET", "/api/v1/me", NULL, 200, &r);
	me = json_incref(json_object_get(json_object_get(r.json, "account"), "id"));
	reply_free(&r);
	snprintf(body, sizeof(body),
		 "{\"account\": \"%s\", \"category\": \"deletion_request\", \"subject\": \"Suppression "
		 "demandée"
		 " par téléphone\", \"message\": \"Le gérant demande la suppression du compte.\"}",
		 json_string_value(me));
	ops_expect(&OP, "POST", "/api/v1/ops/tickets", body, 201, &r);
	snprintf(id, sizeof(id), "%s", json_path_str(r.json, "ticket", "id"));
	assert_true(ticket_flag(r.json, "opened_by_operator"));
	reply_free(&r);
	assert_int_equal(maildir_count(email, id), 1);
	session_expect(&H, &s, "GET", "/api/v1/tickets", NULL, 200, &r);
	assert_non_null(strstr(r.body, id));
	reply_free(&r);
	snprintf(body, sizeof(body),
		 "{\"account\": \"%s\", \"category\": \"question\", \"subject\": \"Appel\", \"message\": "
		 "\"Question\"}",
		 json_string_value(me));
	ops_expect(&OP, "POST", "/api/v1/ops/tickets", body, 201, &r);
	snprintf(question_id, sizeof(question_id), "%s", json_path_str(r.json, "ticket", "id"));
	reply_free(&r);
	ops_expect(&OP, "POST", "/api/v1/ops/tickets",
		   "{\"account\": \"acc_nobody\", \"category\": \"question\","
		   " \"subject\": \"X\", \"message\": \"Y\"}",
		   404, &r);
	reply_free(&r);
	json_decref(me);

	/* only a deletion request is executed */
	snprintf(path, sizeof(path), "/api/v1/ops/tickets/%s/deletion", question_id);
	ops_expect(&OP, "POST", path, "{}", 409, &r);
	assert_error(&r, 409, "not_a_deletion_request");
	reply_free(&r);
	snprintf(path, sizeof(path), "/api/v1/ops/tickets/%s/deletion", id);
	ops_expect(&OP, "POST", path, "{}", 200, &r);
	assert_string_equal(tstr(r.json, "state"), "solved");
	reply_free(&r);
	/* the account is deleting: its session is over, its page gone */
	session_call(&H, &s, "GET", "/api/v1/tickets", NULL, &r);
	assert_int_equal(r.status, 401);
	reply_free(&r);
	snprintf(path, sizeof(path), "/api/v1/public/%s", s.slug);
	http_call(&H, "GET", path, NULL, NULL, &r);
	assert_error(&r, 410, "account_deleted");
	reply_free(&r);
	json_t *t = ops_ticket(&OP, id);
	assert_string_equal(json_path_str(json_object_get(t, "ticket"), "account", "state"), "deleting");
	json_decref(t);
	/* a second execution finds the ticket solved, the account already deleting */
	snprintf(path, sizeof(path), "/api/v1/ops/tickets/%s/deletion", id);
	ops_expect(&OP, "POST", path, "{}", 404, &r);
	reply_free(&r);
	/* the purge takes the tickets with everything else of the account */
	long long now = su_server_now();
	char when[40];
	time_t later = (time_t)(now + 8 * 86400);
	struct tm tm;
	gmtime_r(&later, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	advance_to(when, NULL, NULL);
	snprintf(path, sizeof(path), "/api/v1/ops/tickets/%s", id);
	ops_expect(&OP, "GET", path, NULL, 404, &r);
	reply_free(&r);
	snprintf(path, sizeof(path), "/api/v1/ops/tickets/%s", question_id);
	ops_expect(&OP, "GET", path, NULL, 404, &r);
	reply_free(&r);
}

int main(void)
{
	if (harness_need_smtp())
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_service_level_on_the_test_clock),
		cmocka_unit_test(answered_in_time_and_spam),
		cmocka_unit_test(on_behalf_and_deletion_requests),
	};
	return cmocka_run_group_tests(tests, harness_setup, harness_teardown);
}
