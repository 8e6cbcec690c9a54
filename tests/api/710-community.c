/* The contact form, leads and improvement requests over HTTP, on the real product: the form
 * stores a lead and sends nothing to the typed address (honeypot: same answer, nothing kept;
 * rate limit: 429); operators answer leads through the outbox. Requests go under review (seen
 * by their author only), are published, voted once per user (not per account), commented,
 * merged without double votes, declined with a reason, planned / started / completed with a
 * response; subscribers get at most one digest an hour (test clock) with one-click
 * unsubscribe links; the public roadmap shows vote counts and nobody's business. */
#include <liboath/oath.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "account/operator.h"
#include "base/clock.h"
#include "harness.h"

#define OP_PASSWORD   "Console des opérateurs 2026"
#define GOOD_PASSWORD "Un mot de passe solide 42"

static char op_cookie[200], op_csrf[200];
static struct session alice, bob, lea, carol; /* lea works with bob: same account, another user */
static char alice_email[128], bob_email[128], lea_email[128], carol_email[128];

static const char *addr(const char *who, char *out)
{
	snprintf(out, 128, "%s-%d-%s@community.example", who, (int)getpid(), harness_store_kind());
	return out;
}

static void ops_call(const char *method, const char *path, const char *body, struct reply *r)
{
	const char *h[] = {op_cookie, op_csrf, NULL};
	http_call(&H, method, path, body, h, r);
}

static void ops_expect(const char *method, const char *path, const char *body, long status, struct reply *r)
{
	ops_call(method, path, body, r);
	if (r->status != status)
		fprintf(stderr, "%s %s → %ld: %s\n", method, path, r->status, r->body);
	assert_int_equal(r->status, status);
}

static int64_t server_now(void)
{
	struct reply r;
	http_call(&H, "GET", "/api/v1/test/clock", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	int64_t now = json_integer_value(json_object_get(r.json, "unix"));
	reply_free(&r);
	return now;
}

static void ops_login(void)
{
	char email[128], secret[OPERATOR_SECRET_B32_SIZE];
	struct err e = {0};
	snprintf(email, sizeof(email), "ops-%d@creneau.example", (int)getpid());
	assert_int_equal(operator_create(H.app->db, email, "Olga Ops", OP_PASSWORD, server_now(), secret, &e),
			 0);
	assert_int_equal(oath_init(), OATH_OK);
	char *raw, code[8];
	size_t len;
	assert_int_equal(oath_base32_decode(secret, strlen(secret), &raw, &len), OATH_OK);
	assert_int_equal(oath_totp_generate(raw, len, (time_t)server_now(), 30, 0, 6, code), OATH_OK);
	free(raw);
	char body[512];
	snprintf(body, sizeof(body), "{\"email\": \"%s\", \"password\": \"%s\", \"totp\": \"%s\"}", email,
		 OP_PASSWORD, code);
	const char *h[] = {harness_next_ip_header(), NULL};
	struct reply r;
	http_call(&H, "POST", "/api/v1/ops/session", body, h, &r);
	assert_int_equal(r.status, 200);
	char v[512];
	assert_non_null(reply_header(&r, "Set-Cookie", v, sizeof(v)));
	const char *start = strstr(v, "creneau_ops=");
	assert_non_null(start);
	snprintf(op_cookie, sizeof(op_cookie), "Cookie: %.*s", (int)strcspn(start, ";"), start);
	snprintf(op_csrf, sizeof(op_csrf), "X-CSRF-Token: %s", json_path_str(r.json, "csrf_token", NULL));
	reply_free(&r);
}

/* An invitation from bob's account accepted by Léa Martin (token read from the outbox). */
static void add_lea(void)
{
	char body[300];
	struct reply r;
	snprintf(body, sizeof(body), "{\"email\": \"%s\", \"name\": \"Léa Martin\", \"role\": \"staff\"}",
		 lea_email);
	session_expect(&H, &bob, "POST", "/api/v1/users", body, 201, &r);
	reply_free(&r);
	struct err e = {0};
	db_conn *c;
	db_rows *rows;
	assert_int_equal(db_acquire(H.app->db, &c, &e), 0);
	assert_int_equal(db_query(c, "SELECT vars FROM outbox WHERE recipient = $1 AND kind = 'invitation'",
				  DB_ARGS(DB_TEXT(lea_email)), &rows, &e),
			 0);
	assert_int_equal(db_rows_next(rows, &e), 1);
	json_t *vars = json_loads(db_rows_text(rows, 0), 0, NULL);
	db_rows_free(rows);
	db_release(c);
	const char *link = json_string_value(json_object_get(vars, "link"));
	const char *tok = strstr(link, "token=");
	assert_non_null(tok);
	snprintf(body, sizeof(body), "{\"token\": \"%s\", \"password\": \"%s\"}", tok + 6, GOOD_PASSWORD);
	json_decref(vars);
	const char *h[] = {harness_next_ip_header(), NULL};
	http_call(&H, "POST", "/api/v1/invitations/accept", body, h, &r);
	assert_int_equal(r.status, 200);
	session_from_reply(&r, &lea);
	reply_free(&r);
}

static int setup(void **state)
{
	harness_setup(state);
	test_clock("set", "2027-03-01T10:15:00Z");
	harness_signup(&H, "Salon Alice Secret", addr("alice", alice_email), NULL, &alice);
	harness_signup(&H, "Garage Bob Secret", addr("bob", bob_email), "pro", &bob);
	harness_signup(&H, "Cabinet Carol Secret", addr("carol", carol_email), NULL, &carol);
	addr("lea", lea_email);
	add_lea();
	ops_login();
	return 0;
}

static int64_t count(const char *sql, const char *arg)
{
	struct err e = {0};
	db_conn *c;
	int64_t n = -1;
	assert_int_equal(db_acquire(H.app->db, &c, &e), 0);
	assert_int_equal(db_query_int(c, sql, DB_ARGS(DB_TEXT(arg)), &n, &e), 1);
	db_release(c);
	return n;
}

static void contact(const char *ip, const char *body, struct reply *r)
{
	const char *h[] = {ip, NULL};
	http_call(&H, "POST", "/api/v1/contact", body, h, r);
}

static void contact_form_stores_a_lead_and_mails_nobody(void **state)
{
	(void)state;
	const char *ip = harness_next_ip_header();
	struct reply r;
	contact(ip,
		"{\"name\": \"Paul Prospect\", \"email\": \"Paul@Prospect.example\", \"company\": \"Barbier "
		"Paul\","
		" \"phone\": \"06 11 22 33 44\", \"message\": \"Combien pour 3 coiffeurs ?\", \"website\": "
		"\"\"}",
		&r);
	assert_int_equal(r.status, 202);
	reply_free(&r);
	assert_int_equal(count("SELECT count(*) FROM leads WHERE email = $1", "paul@prospect.example"), 1);
	/* nothing goes to an address anyone can type */
	assert_int_equal(count("SELECT count(*) FROM outbox WHERE recipient = $1", "paul@prospect.example"),
			 0);

	/* the honeypot: the same answer, nothing kept */
	contact(ip,
		"{\"name\": \"Bot\", \"email\": \"bot@spam.example\", \"message\": \"buy\", \"website\": "
		"\"http://x\"}",
		&r);
	assert_int_equal(r.status, 202);
	assert_true(json_is_true(json_object_get(r.json, "received")));
	reply_free(&r);
	assert_int_equal(count("SELECT count(*) FROM leads WHERE email = $1", "bot@spam.example"), 0);

	/* bad input */
	contact(ip, "{\"name\": \"Paul\", \"email\": \"paul@prospect.example\", \"message\": \"  \"}", &r);
	assert_error(&r, 400, "missing_field");
	reply_free(&r);
	char *big = malloc(6000);
	memset(big, 'a', 5999);
	big[5999] = '\0';
	char *body = malloc(6200);
	snprintf(body, 6200,
		 "{\"name\": \"Paul\", \"email\": \"paul@prospect.example\", \"message\": \"%s\"}", big);
	contact(ip, body, &r);
	assert_error(&r, 400, "invalid_field");
	reply_free(&r);
	free(big);
	free(body);
	contact(ip, "{\"name\": \"Paul\", \"email\": \"pas-une-adresse\", \"message\": \"x\"}", &r);
	assert_int_equal(r.status, 400);
	reply_free(&r);

	/* the rate limit per IP: 60 a minute */
	const char *ip2 = harness_next_ip_header();
	long last = 0;
	for (int i = 0; i < 61; i++) {
		contact(ip2,
			"{\"name\": \"Bot\", \"email\": \"b@b.example\", \"message\": \"x\", \"website\": "
			"\"y\"}",
			&r);
		last = r.status;
		if (i < 60)
			assert_int_equal(r.status, 202);
		reply_free(&r);
	}
	assert_int_equal(last, 429);
}

static void operators_answer_leads_by_email(void **state)
{
	(void)state;
	struct reply r;
	/* a customer is not an operator */
	session_call(&H, &alice, "GET", "/api/v1/ops/leads", NULL, &r);
	assert_error(&r, 401, "unauthorized");
	reply_free(&r);
	http_call(&H, "GET", "/api/v1/ops/leads", NULL, NULL, &r);
	assert_error(&r, 401, "unauthorized");
	reply_free(&r);

	ops_expect("GET", "/api/v1/ops/leads?status=new", NULL, 200, &r);
	json_t *leads = json_object_get(r.json, "leads");
	assert_int_equal(json_array_size(leads), 1);
	json_t *lead = json_array_get(leads, 0);
	assert_string_equal(json_string_value(json_object_get(lead, "company")), "Barbier Paul");
	char id[32], path[96];
	snprintf(id, sizeof(id), "%s", json_string_value(json_object_get(lead, "id")));
	reply_free(&r);

	snprintf(path, sizeof(path), "/api/v1/ops/leads/%s/replies", id);
	ops_expect("POST", path, "{\"message\": \"\"}", 400, &r);
	reply_free(&r);
	ops_expect("POST", path, "{\"message\": \"Bonjour Paul, 49 € par mois.\"}", 200, &r);
	assert_string_equal(json_path_str(r.json, "lead", "status"), "answered");
	assert_int_equal(json_array_size(json_object_get(r.json, "replies")), 1);
	reply_free(&r);
	assert_int_equal(count("SELECT count(*) FROM outbox WHERE recipient = $1 AND kind = 'lead_reply'",
			       "paul@prospect.example"),
			 1);
	snprintf(path, sizeof(path), "/api/v1/ops/leads/%s", id);
	ops_expect("PATCH", path, "{\"status\": \"closed\"}", 200, &r);
	assert_string_equal(json_path_str(r.json, "lead", "status"), "closed");
	reply_free(&r);
	ops_expect("GET", "/api/v1/ops/leads/led_nope", NULL, 404, &r);
	reply_free(&r);
}

/* Submits an idea as s; its id into id. */
static void submit(const struct session *s, const char *title, char id[32])
{
	char body[512];
	struct reply r;
	snprintf(body, sizeof(body), "{\"title\": \"%s\", \"body\": \"Ce serait utile pour nous.\"}", title);
	session_expect(&H, s, "POST", "/api/v1/ideas", body, 201, &r);
	assert_string_equal(json_path_str(r.json, "idea", "status"), "under_review");
	assert_true(json_is_true(json_object_get(json_object_get(r.json, "idea"), "subscribed")));
	snprintf(id, 32, "%s", json_path_str(r.json, "idea", "id"));
	reply_free(&r);
}

static void ops_move(const char *id, const char *action, const char *body, long status)
{
	char path[128];
	struct reply r;
	snprintf(path, sizeof(path), "/api/v1/ops/ideas/%s/%s", id, action);
	ops_expect("POST", path, body, status, &r);
	reply_free(&r);
}

static long vote(const struct session *s, const char *method, const char *id, int64_t *votes)
{
	char path[128];
	struct reply r;
	snprintf(path, sizeof(path), "/api/v1/ideas/%s/votes", id);
	session_call(&H, s, method, path, NULL, &r);
	long st = r.status;
	if (votes && r.json && json_object_get(r.json, "idea"))
		*votes = json_integer_value(json_object_get(json_object_get(r.json, "idea"), "votes"));
	reply_free(&r);
	return st;
}

static json_t *digests(const char *to)
{
	struct err e = {0};
	db_conn *c;
	db_rows *rows;
	json_t *out = json_array();
	assert_int_equal(db_acquire(H.app->db, &c, &e), 0);
	assert_int_equal(
		db_query(c,
			 "SELECT vars FROM outbox WHERE recipient = $1 AND kind = 'ideas_digest' ORDER BY id",
			 DB_ARGS(DB_TEXT(to)), &rows, &e),
		0);
	while (db_rows_next(rows, &e) == 1)
		json_array_append_new(out, json_loads(db_rows_text(rows, 0), 0, NULL));
	db_rows_free(rows);
	db_release(c);
	return out;
}

static void an_idea_from_review_to_completed(void **state)
{
	(void)state;
	char id[32], path[128];
	struct reply r;
	int64_t votes = -1;

	/* bad input */
	session_expect(&H, &alice, "POST", "/api/v1/ideas", "{\"title\": \"\", \"body\": \"x\"}", 400, &r);
	reply_free(&r);
	char big[6000];
	memset(big, 'b', 5200);
	big[5200] = '\0';
	char body[6100];
	snprintf(body, sizeof(body), "{\"title\": \"Trop long\", \"body\": \"%s\"}", big);
	session_expect(&H, &alice, "POST", "/api/v1/ideas", body, 400, &r);
	assert_error(&r, 400, "invalid_field");
	reply_free(&r);

	submit(&alice, "Export des rendez-vous vers Google Agenda", id);
	/* under review: its author only */
	snprintf(path, sizeof(path), "/api/v1/ideas/%s", id);
	session_expect(&H, &alice, "GET", path, NULL, 200, &r);
	reply_free(&r);
	session_expect(&H, &bob, "GET", path, NULL, 404, &r);
	reply_free(&r);
	session_expect(&H, &bob, "GET", "/api/v1/ideas?sort=new", NULL, 200, &r);
	assert_null(strstr(r.body, id));
	reply_free(&r);
	session_expect(&H, &alice, "GET", "/api/v1/ideas?mine=1", NULL, 200, &r);
	assert_non_null(strstr(r.body, id));
	reply_free(&r);
	assert_int_equal(vote(&bob, "POST", id, NULL), 404);
	assert_int_equal(vote(&alice, "POST", id, NULL), 409);

	/* a customer cannot publish */
	snprintf(path, sizeof(path), "/api/v1/ops/ideas/%s/publish", id);
	session_call(&H, &alice, "POST", path, "{}", &r);
	assert_error(&r, 401, "unauthorized");
	reply_free(&r);
	ops_move(id, "publish", "{}", 200);

	/* every customer sees it; the author by first name and business type only */
	snprintf(path, sizeof(path), "/api/v1/ideas/%s", id);
	session_expect(&H, &bob, "GET", "/api/v1/ideas?q=google&sort=votes", NULL, 200, &r);
	assert_non_null(strstr(r.body, id));
	assert_null(strstr(r.body, "Salon Alice Secret"));
	assert_null(strstr(r.body, alice_email));
	assert_string_equal(
		json_string_value(json_object_get(
			json_object_get(json_array_get(json_object_get(r.json, "ideas"), 0), "author"),
			"business_type")),
		"hair_salon");
	reply_free(&r);
	session_expect(&H, &bob, "GET", "/api/v1/ideas?q=introuvable", NULL, 200, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "ideas")), 0);
	reply_free(&r);

	/* one vote per user, withdrawable; Léa of the same account votes too */
	assert_int_equal(vote(&bob, "POST", id, &votes), 201);
	assert_int_equal(votes, 1);
	assert_int_equal(vote(&bob, "POST", id, NULL), 409);
	assert_int_equal(vote(&lea, "POST", id, &votes), 201);
	assert_int_equal(votes, 2);
	assert_int_equal(vote(&lea, "DELETE", id, &votes), 200);
	assert_int_equal(votes, 1);
	assert_int_equal(vote(&lea, "DELETE", id, NULL), 404);
	assert_int_equal(vote(&lea, "POST", id, &votes), 201);
	assert_int_equal(vote(&carol, "POST", id, &votes), 201);
	assert_int_equal(votes, 3);

	/* comments: Léa shows as "Léa", never as bob's business */
	snprintf(path, sizeof(path), "/api/v1/ideas/%s/comments", id);
	session_expect(&H, &lea, "POST", path, "{\"body\": \"\"}", 400, &r);
	reply_free(&r);
	session_expect(&H, &lea, "POST", path, "{\"body\": \"Oui, indispensable !\"}", 201, &r);
	reply_free(&r);
	session_expect(&H, &alice, "GET", path, NULL, 200, &r);
	json_t *cm = json_array_get(json_object_get(r.json, "comments"), 0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(cm, "author"), "first_name")),
			    "Léa");
	assert_null(strstr(r.body, "Garage Bob Secret"));
	assert_null(strstr(r.body, lea_email));
	reply_free(&r);

	/* carol does not want the e-mails */
	snprintf(path, sizeof(path), "/api/v1/ideas/%s/subscription", id);
	session_expect(&H, &carol, "DELETE", path, NULL, 200, &r);
	assert_false(json_is_true(json_object_get(json_object_get(r.json, "idea"), "subscribed")));
	reply_free(&r);

	/* planned needs a response; the change waits for the hourly digest */
	ops_move(id, "status", "{\"status\": \"planned\"}", 400);
	ops_move(id, "status", "{\"status\": \"planned\", \"response\": \"Prévu pour avril.\"}", 200);
	json_t *d = digests(bob_email);
	assert_int_equal(json_array_size(d), 0);
	json_decref(d);
	test_clock("advance_to", "2027-03-01T11:00:30Z");
	const char *who[] = {alice_email, bob_email, lea_email};
	for (int i = 0; i < 3; i++) {
		d = digests(who[i]);
		assert_int_equal(json_array_size(d), 1);
		json_decref(d);
	}
	d = digests(carol_email);
	assert_int_equal(json_array_size(d), 0);
	json_decref(d);

	/* two changes within the next hour: one e-mail with both, an hour after the last */
	test_clock("advance_to", "2027-03-01T11:10:00Z");
	ops_move(id, "status", "{\"status\": \"started\", \"response\": \"C’est parti.\"}", 200);
	test_clock("advance_to", "2027-03-01T11:20:00Z");
	ops_move(id, "status", "{\"status\": \"completed\", \"response\": \"Disponible !\"}", 200);
	test_clock("advance_to", "2027-03-01T11:59:00Z");
	d = digests(bob_email);
	assert_int_equal(json_array_size(d), 1);
	json_decref(d);
	test_clock("advance_to", "2027-03-01T12:00:30Z");
	d = digests(bob_email);
	assert_int_equal(json_array_size(d), 2);
	const char *changes = json_string_value(json_object_get(json_array_get(d, 1), "changes"));
	assert_non_null(strstr(changes, "en cours de réalisation"));
	assert_non_null(strstr(changes, "réalisée"));
	assert_non_null(strstr(changes, "Disponible !"));
	const char *u = strstr(changes, "/u/");
	assert_non_null(u);
	char token[64];
	snprintf(token, sizeof(token), "%.43s", u + 3);
	json_decref(d);

	/* completed: votes frozen */
	assert_int_equal(vote(&bob, "DELETE", id, NULL), 409);
	assert_int_equal(vote(&alice, "POST", id, NULL), 409);
	ops_move(id, "status", "{\"status\": \"open\"}", 409);

	/* the public roadmap */
	http_call(&H, "GET", "/api/v1/roadmap", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	json_t *done = json_array_get(json_object_get(r.json, "completed"), 0);
	assert_string_equal(json_string_value(json_object_get(done, "id")), id);
	assert_int_equal(json_integer_value(json_object_get(done, "votes")), 3);
	assert_null(strstr(r.body, "Secret"));
	assert_null(strstr(r.body, "community.example"));
	reply_free(&r);

	/* one-click unsubscribe */
	snprintf(path, sizeof(path), "/u/%s", token);
	http_call(&H, "GET", path, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	http_call(&H, "POST", path, "List-Unsubscribe=One-Click", NULL, &r);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	http_call(&H, "POST", "/u/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL, NULL, &r);
	assert_error(&r, 404, "not_found");
	reply_free(&r);
	snprintf(path, sizeof(path), "/api/v1/ideas/%s", id);
	session_expect(&H, &bob, "GET", path, NULL, 200, &r);
	assert_false(json_is_true(json_object_get(json_object_get(r.json, "idea"), "subscribed")));
	reply_free(&r);
}

static void merge_keeps_one_vote_per_user(void **state)
{
	(void)state;
	char a[32], b[32], c[32], path[128];
	struct reply r;
	int64_t votes;
	submit(&alice, "Rappels par WhatsApp", a);
	submit(&carol, "Rappels WhatsApp aux clients", b);
	submit(&bob, "Mode sombre", c);
	ops_move(a, "publish", "{}", 200);
	ops_move(b, "publish", "{}", 200);
	/* decline needs a reason */
	ops_move(c, "decline", "{}", 400);
	ops_move(c, "decline", "{\"response\": \"Pas prévu.\"}", 200);
	assert_int_equal(vote(&bob, "POST", c, NULL), 409); /* its author sees it: votes closed */
	assert_int_equal(vote(&lea, "POST", c, NULL), 404); /* others do not */
	snprintf(path, sizeof(path), "/api/v1/ideas/%s", c);
	session_expect(&H, &alice, "GET", path, NULL, 404, &r); /* never published: its author's only */
	reply_free(&r);

	assert_int_equal(vote(&bob, "POST", a, NULL), 201);
	assert_int_equal(vote(&bob, "POST", b, NULL), 201);
	assert_int_equal(vote(&lea, "POST", a, NULL), 201);
	/* merging into a declined request, or into itself, is refused */
	char body[128];
	snprintf(body, sizeof(body), "{\"into\": \"%s\"}", c);
	ops_move(a, "merge", body, 409);
	snprintf(body, sizeof(body), "{\"into\": \"%s\"}", a);
	ops_move(a, "merge", body, 409);
	snprintf(body, sizeof(body), "{\"into\": \"%s\"}", b);
	ops_move(a, "merge", body, 200);

	snprintf(path, sizeof(path), "/api/v1/ideas/%s", b);
	session_expect(&H, &bob, "GET", path, NULL, 200, &r);
	votes = json_integer_value(json_object_get(json_object_get(r.json, "idea"), "votes"));
	assert_int_equal(votes, 2); /* bob once, Léa */
	assert_true(json_is_true(json_object_get(json_object_get(r.json, "idea"), "voted")));
	reply_free(&r);
	snprintf(path, sizeof(path), "/api/v1/ideas/%s", a);
	session_expect(&H, &bob, "GET", path, NULL, 200, &r);
	assert_string_equal(json_path_str(r.json, "idea", "status"), "duplicate");
	assert_string_equal(json_path_str(r.json, "idea", "merged_into"), b);
	reply_free(&r);
	assert_int_equal(vote(&carol, "POST", a, NULL), 409);
	/* alice, author of the duplicate, now follows the surviving request */
	snprintf(path, sizeof(path), "/api/v1/ideas/%s", b);
	session_expect(&H, &alice, "GET", path, NULL, 200, &r);
	assert_true(json_is_true(json_object_get(json_object_get(r.json, "idea"), "subscribed")));
	reply_free(&r);
	/* duplicates leave the community list */
	session_expect(&H, &carol, "GET", "/api/v1/ideas?q=whatsapp", NULL, 200, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "ideas")), 1);
	reply_free(&r);
	/* operators see everything, with the author's business */
	ops_expect("GET", "/api/v1/ops/ideas?status=declined", NULL, 200, &r);
	assert_non_null(strstr(r.body, "Garage Bob Secret"));
	reply_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(contact_form_stores_a_lead_and_mails_nobody),
		cmocka_unit_test(operators_answer_leads_by_email),
		cmocka_unit_test(an_idea_from_review_to_completed),
		cmocka_unit_test(merge_keeps_one_vote_per_user),
	};
	return cmocka_run_group_tests_name("api/community", tests, setup, harness_teardown);
}
