/* Log-in, passwords, reset, e-mail verification and the user's own profile: failures that
 * look the same whatever the cause, rate limits, single-use expiring tokens e-mailed for
 * real, sessions ended by a reset or a change, and the audit purge job. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "account/credentials.h"
#include "base/clock.h"
#include "base/token.h"
#include "harness.h"
#include "jobs/jobs.h"

#define GOOD_PW "Tres-Bon-Mot-2027" /* harness_signup's password */

/* An address no other run of this program (other store, other process) uses. */
static const char *addr(const char *who)
{
	static char out[8][128];
	static int n;
	char *s = out[n++ % 8];
	snprintf(s, 128, "%s-%s-%d@exemple.fr", who, harness_store_kind(), (int)getpid());
	return s;
}

static int64_t query_int(const char *sql, const char *text)
{
	struct err e = {0};
	db_conn *c;
	int64_t n = -1;
	assert_int_equal(db_acquire(H.app->db, &c, &e), 0);
	int rc = text ? db_query_int(c, sql, DB_ARGS(DB_TEXT(text)), &n, &e)
		      : db_query_int(c, sql, DB_NOARGS, &n, &e);
	db_release(c);
	assert_true(rc >= 0);
	return rc == 1 ? n : -1;
}

static void login(const char *email, const char *password, struct reply *r)
{
	json_t *body = json_pack("{s:s, s:s}", "email", email, "password", password);
	char *text = json_dumps(body, 0);
	const char *headers[] = {harness_next_ip_header(), NULL};
	http_call(&H, "POST", "/api/v1/session", text, headers, r);
	free(text);
	json_decref(body);
}

static void login_ok(const char *email, const char *password, struct session *s)
{
	struct reply r;
	login(email, password, &r);
	if (r.status != 200)
		fprintf(stderr, "log-in of %s: %ld %s\n", email, r.status, r.body);
	assert_int_equal(r.status, 200);
	session_from_reply(&r, s);
	reply_free(&r);
}

static void post(const char *path, const char *json, struct reply *r)
{
	const char *headers[] = {harness_next_ip_header(), NULL};
	http_call(&H, "POST", path, json, headers, r);
}

static long me_status(const struct session *s)
{
	struct reply r;
	session_call(&H, s, "GET", "/api/v1/me", NULL, &r);
	long st = r.status;
	reply_free(&r);
	return st;
}

/* ---- reading the e-mails ---- */

/* Decodes quoted-printable in place (soft line breaks and =XX). */
static void qp_decode(char *s)
{
	char *w = s;
	for (char *p = s; *p;) {
		if (p[0] == '=' && p[1] == '\r' && p[2] == '\n') {
			p += 3;
		} else if (p[0] == '=' && p[1] == '\n') {
			p += 2;
		} else if (p[0] == '=' && p[1] && p[2] && strchr("0123456789ABCDEF", p[1]) &&
			   strchr("0123456789ABCDEF", p[2])) {
			char hex[3] = {p[1], p[2], 0};
			*w++ = (char)strtol(hex, NULL, 16);
			p += 3;
		} else {
			*w++ = *p++;
		}
	}
	*w = '\0';
}

/* Finds in the maildir a message to `to` holding "/<page>?token=" and copies the token. */
static int token_from_maildir(const char *to, const char *page, char token[TOKEN_LEN + 1])
{
	char dir[512], needle[64];
	snprintf(dir, sizeof(dir), "%s/new", getenv("CRENEAU_TEST_MAILDIR"));
	snprintf(needle, sizeof(needle), "/%s?token=", page);
	int found = 0;
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	struct dirent *de;
	static char data[1 << 20];
	while (!found && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char file[1024];
		snprintf(file, sizeof(file), "%s/%s", dir, de->d_name);
		FILE *f = fopen(file, "rb");
		if (!f)
			continue;
		size_t len = fread(data, 1, sizeof(data) - 1, f);
		fclose(f);
		data[len] = '\0';
		qp_decode(data);
		const char *link = strstr(data, needle);
		if (strstr(data, to) && link && strstr(data, "http://127.0.0.1:8080/")) {
			snprintf(token, TOKEN_LEN + 1, "%s", link + strlen(needle));
			found = token_well_formed(token);
		}
	}
	closedir(d);
	return found;
}

/* The token of the last e-mail of `kind` to `to`, from the outbox row (always) and, when the
 * real SMTP server runs, from the delivered message, which must hold the same link. */
static void mailed_token(const char *to, const char *kind, const char *page, char token[TOKEN_LEN + 1])
{
	struct err e = {0};
	db_conn *c;
	db_rows *rows;
	assert_int_equal(db_acquire(H.app->db, &c, &e), 0);
	assert_true(db_query(c, "SELECT vars FROM outbox WHERE recipient = $1 AND kind = $2 ORDER BY id DESC",
			     DB_ARGS(DB_TEXT(to), DB_TEXT(kind)), &rows, &e) >= 0);
	assert_int_equal(db_rows_next(rows, &e), 1);
	json_t *vars = json_loads(db_rows_text(rows, 0), 0, NULL);
	db_rows_free(rows);
	db_release(c);
	const char *link = json_string_value(json_object_get(vars, "link"));
	assert_non_null(link);
	char prefix[128];
	snprintf(prefix, sizeof(prefix), "http://127.0.0.1:8080/%s?token=", page);
	assert_true(!strncmp(link, prefix, strlen(prefix)));
	snprintf(token, TOKEN_LEN + 1, "%s", link + strlen(prefix));
	assert_true(token_well_formed(token));
	json_decref(vars);

	if (!getenv("CRENEAU_TEST_MAILDIR") || !getenv("CRENEAU_TEST_SMTP"))
		return;
	char delivered[TOKEN_LEN + 1] = "";
	for (int i = 0; i < 200 && !token_from_maildir(to, page, delivered); i++) {
		jobs_wake();
		usleep(100 * 1000);
	}
	assert_string_equal(delivered, token);
}

/* ---- log-in ---- */

static void login_failures_look_the_same(void **state)
{
	(void)state;
	struct session s;
	const char *email = addr("lea");
	harness_signup(&H, "Salon Léa", email, NULL, &s);

	struct reply wrong, unknown;
	login(email, "Pas-Le-Bon-Mot-1", &wrong);
	login(addr("personne"), "Pas-Le-Bon-Mot-1", &unknown);
	assert_error(&wrong, 401, "invalid_credentials");
	assert_error(&unknown, 401, "invalid_credentials");
	assert_string_equal(wrong.body, unknown.body);
	assert_null(reply_header(&wrong, "Set-Cookie", (char[64]){0}, 64));
	reply_free(&wrong);
	reply_free(&unknown);

	/* both are audited, the known one with its user, never with the password */
	assert_int_equal(query_int("SELECT COUNT(*) FROM audit_log a JOIN users u ON u.id = a.user_id"
				   " WHERE a.action = 'login_failed' AND u.email = $1",
				   email),
			 1);
	assert_true(
		query_int("SELECT COUNT(*) FROM audit_log WHERE action = 'login_failed' AND user_id IS NULL",
			  NULL) >= 1);
	assert_int_equal(query_int("SELECT COUNT(*) FROM audit_log WHERE detail LIKE '%Pas-Le-Bon%'", NULL),
			 0);

	/* the right password, in another case for the address, logs in and answers like /me */
	char upper[128];
	snprintf(upper, sizeof(upper), "%s", email);
	upper[0] = 'L';
	struct reply r;
	login(upper, GOOD_PW, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_path_str(r.json, "user", "email"), email);
	assert_string_equal(json_path_str(r.json, "account", "slug"), s.slug);
	struct session s2;
	session_from_reply(&r, &s2);
	reply_free(&r);
	assert_int_equal(me_status(&s2), 200);
	assert_int_equal(query_int("SELECT COUNT(*) FROM audit_log a JOIN users u ON u.id = a.user_id"
				   " WHERE a.action = 'login' AND u.email = $1",
				   email),
			 1);

	/* bad input */
	post("/api/v1/session", "{\"email\": \"pas-une-adresse\", \"password\": \"x\"}", &r);
	assert_error(&r, 400, "invalid_email");
	reply_free(&r);
	post("/api/v1/session", "{\"email\": \"a@b.fr\"}", &r);
	assert_error(&r, 400, "missing_field");
	reply_free(&r);
}

static void account_being_deleted_cannot_log_in(void **state)
{
	(void)state;
	struct session s;
	const char *email = addr("partant");
	harness_signup(&H, "Garage du Départ", email, NULL, &s);
	struct reply r;
	char body[256];
	snprintf(body, sizeof(body), "{\"slug\": \"%s\", \"state\": \"deleting\"}", s.slug);
	http_call(&H, "POST", "/api/v1/test/account-state", body, NULL, &r);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	struct reply unknown;
	login(email, GOOD_PW, &r);
	login(addr("inconnu"), GOOD_PW, &unknown);
	assert_error(&r, 401, "invalid_credentials");
	assert_string_equal(r.body, unknown.body);
	reply_free(&r);
	reply_free(&unknown);
}

static void login_is_rate_limited_per_account(void **state)
{
	(void)state;
	struct session s;
	const char *email = addr("cible");
	harness_signup(&H, "Institut Cible", email, NULL, &s);
	struct reply r;
	for (int i = 0; i < 10; i++) { /* each from another address: the per-IP limit is not hit */
		login(email, "Devine-Encore-1", &r);
		assert_error(&r, 401, "invalid_credentials");
		reply_free(&r);
	}
	login(email, GOOD_PW, &r); /* even the right password waits now */
	assert_error(&r, 429, "rate_limited");
	char retry[16];
	assert_non_null(reply_header(&r, "Retry-After", retry, sizeof(retry)));
	assert_true(strtol(retry, NULL, 10) > 0 && strtol(retry, NULL, 10) <= 900);
	reply_free(&r);
	/* another account is not affected */
	struct session other;
	harness_signup(&H, "Institut Voisin", addr("voisin"), NULL, &other);
	login_ok(addr("voisin"), GOOD_PW, &other);
}

static void login_is_rate_limited_per_ip(void **state)
{
	(void)state;
	const char *headers[] = {"X-Forwarded-For: 192.0.2.77", NULL};
	struct reply r;
	int limited = 0;
	for (int i = 0; i < 40 && !limited; i++) {
		char body[256];
		snprintf(body, sizeof(body), "{\"email\": \"ip%d-%s\", \"password\": \"Devine-Encore-1\"}", i,
			 addr("x"));
		http_call(&H, "POST", "/api/v1/session", body, headers, &r);
		if (r.status == 429) {
			limited = 1;
			assert_int_equal(i, 30); /* 30 attempts per 5 minutes */
			char retry[16];
			assert_non_null(reply_header(&r, "Retry-After", retry, sizeof(retry)));
			assert_true(strtol(retry, NULL, 10) > 0);
		} else {
			assert_error(&r, 401, "invalid_credentials");
		}
		reply_free(&r);
	}
	assert_true(limited);
}

/* ---- weak passwords ---- */

static void weak_passwords_are_refused(void **state)
{
	(void)state;
	const char *email = addr("faible");
	const char *cases[] = {"Court-1", "motdepasse123", "AZERTYUIOP", email};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *body = json_pack("{s:s, s:s, s:s, s:s, s:b, s:b}", "business_name", "Faible", "email",
					 email, "password", cases[i], "business_type", "coach",
					 "accept_terms", 1, "accept_dpa", 1);
		char *text = json_dumps(body, 0);
		struct reply r;
		post("/api/v1/signup", text, &r);
		assert_error(&r, 400, "weak_password");
		assert_string_equal(json_path_str(r.json, "error", "field"), "password");
		reply_free(&r);
		free(text);
		json_decref(body);
	}
	assert_int_equal(query_int("SELECT COUNT(*) FROM users WHERE email = $1", email), 0);

	/* and on a change, naming new_password */
	struct session s;
	harness_signup(&H, "Solide", addr("solide"), NULL, &s);
	struct reply r;
	session_call(&H, &s, "POST", "/api/v1/password",
		     "{\"current_password\": \"" GOOD_PW "\", \"new_password\": \"soleil2024\"}", &r);
	assert_error(&r, 400, "weak_password");
	assert_string_equal(json_path_str(r.json, "error", "field"), "new_password");
	reply_free(&r);
	login_ok(addr("solide"), GOOD_PW, &s); /* unchanged */
}

/* ---- reset ---- */

static void reset_answers_the_same_and_works_once(void **state)
{
	(void)state;
	struct session first, second;
	const char *email = addr("oubli");
	harness_signup(&H, "Kiné Oubli", email, NULL, &first);
	login_ok(email, GOOD_PW, &second);

	char body[256];
	struct reply known, unknown;
	snprintf(body, sizeof(body), "{\"email\": \"%s\"}", email);
	post("/api/v1/password-reset", body, &known);
	snprintf(body, sizeof(body), "{\"email\": \"%s\"}", addr("fantome"));
	post("/api/v1/password-reset", body, &unknown);
	assert_int_equal(known.status, 202);
	assert_int_equal(unknown.status, 202);
	assert_string_equal(known.body, unknown.body);
	reply_free(&known);
	reply_free(&unknown);
	assert_int_equal(query_int("SELECT COUNT(*) FROM outbox WHERE recipient = $1", addr("fantome")), 0);

	char token[TOKEN_LEN + 1];
	mailed_token(email, "password_reset", "reset", token);

	/* a weak password is refused and does not use the token */
	struct reply r;
	snprintf(body, sizeof(body), "{\"token\": \"%s\", \"password\": \"marseille13\"}", token);
	post("/api/v1/password-reset/confirm", body, &r);
	assert_error(&r, 400, "weak_password");
	reply_free(&r);

	snprintf(body, sizeof(body), "{\"token\": \"%s\", \"password\": \"Nouveau-Depart-42\"}", token);
	post("/api/v1/password-reset/confirm", body, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_path_str(r.json, "email", NULL), email);
	reply_free(&r);

	/* every session ended; the old password is gone, the new one works */
	assert_int_equal(me_status(&first), 401);
	assert_int_equal(me_status(&second), 401);
	login(email, GOOD_PW, &r);
	assert_error(&r, 401, "invalid_credentials");
	reply_free(&r);
	struct session after;
	login_ok(email, "Nouveau-Depart-42", &after);

	/* used once: a second use, or any made-up token, is refused */
	snprintf(body, sizeof(body), "{\"token\": \"%s\", \"password\": \"Encore-Autre-43\"}", token);
	post("/api/v1/password-reset/confirm", body, &r);
	assert_error(&r, 400, "invalid_token");
	reply_free(&r);
	char fake[TOKEN_LEN + 1];
	token_new(fake);
	snprintf(body, sizeof(body), "{\"token\": \"%s\", \"password\": \"Encore-Autre-43\"}", fake);
	post("/api/v1/password-reset/confirm", body, &r);
	assert_error(&r, 400, "invalid_token");
	reply_free(&r);
	post("/api/v1/password-reset/confirm", "{\"token\": \"abc\", \"password\": \"Encore-Autre-43\"}", &r);
	assert_error(&r, 400, "invalid_token");
	reply_free(&r);
	login_ok(email, "Nouveau-Depart-42", &after);
	assert_int_equal(query_int("SELECT COUNT(*) FROM audit_log a JOIN users u ON u.id = a.user_id"
				   " WHERE a.action = 'password_reset' AND u.email = $1",
				   email),
			 1);
}

static void reset_token_expires_after_an_hour(void **state)
{
	(void)state;
	struct session s;
	const char *email = addr("tardif");
	harness_signup(&H, "Coach Tardif", email, NULL, &s);
	char body[256];
	struct reply r;
	snprintf(body, sizeof(body), "{\"email\": \"%s\"}", email);
	post("/api/v1/password-reset", body, &r);
	assert_int_equal(r.status, 202);
	reply_free(&r);
	char token[TOKEN_LEN + 1];
	mailed_token(email, "password_reset", "reset", token);

	http_call(&H, "POST", "/api/v1/test/clock", "{\"advance_seconds\": 3601}", NULL, &r);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	snprintf(body, sizeof(body), "{\"token\": \"%s\", \"password\": \"Nouveau-Depart-42\"}", token);
	post("/api/v1/password-reset/confirm", body, &r);
	assert_error(&r, 400, "invalid_token");
	reply_free(&r);
	login_ok(email, GOOD_PW, &s); /* nothing changed */
}

static void reset_requests_are_rate_limited(void **state)
{
	(void)state;
	char body[256];
	struct reply r;
	snprintf(body, sizeof(body), "{\"email\": \"%s\"}", addr("insistant"));
	int limited = 0;
	for (int i = 0; i < 12 && !limited; i++) {
		post("/api/v1/password-reset", body, &r); /* another IP each time: per-address limit */
		if (r.status == 429) {
			limited = 1;
			assert_int_equal(i, 10);
			assert_non_null(reply_header(&r, "Retry-After", (char[16]){0}, 16));
		} else {
			assert_int_equal(r.status, 202);
		}
		reply_free(&r);
	}
	assert_true(limited);
}

/* ---- change of password ---- */

static void password_change_ends_other_sessions(void **state)
{
	(void)state;
	struct session here, elsewhere;
	const char *email = addr("change");
	harness_signup(&H, "Médecin Change", email, NULL, &here);
	login_ok(email, GOOD_PW, &elsewhere);

	struct reply r;
	session_call(&H, &here, "POST", "/api/v1/password",
		     "{\"current_password\": \"Pas-Le-Bon-1\", \"new_password\": \"Nouveau-Depart-42\"}", &r);
	assert_error(&r, 400, "wrong_password");
	assert_string_equal(json_path_str(r.json, "error", "field"), "current_password");
	reply_free(&r);
	/* without the CSRF token: refused */
	const char *no_csrf[] = {here.cookie, NULL};
	http_call(&H, "POST", "/api/v1/password",
		  "{\"current_password\": \"" GOOD_PW "\", \"new_password\": \"Nouveau-Depart-42\"}", no_csrf,
		  &r);
	assert_error(&r, 403, "csrf_failed");
	reply_free(&r);

	session_call(&H, &here, "POST", "/api/v1/password",
		     "{\"current_password\": \"" GOOD_PW "\", \"new_password\": \"Nouveau-Depart-42\"}", &r);
	assert_int_equal(r.status, 204);
	reply_free(&r);
	assert_int_equal(me_status(&here), 200);
	assert_int_equal(me_status(&elsewhere), 401);
	login(email, GOOD_PW, &r);
	assert_error(&r, 401, "invalid_credentials");
	reply_free(&r);
	login_ok(email, "Nouveau-Depart-42", &elsewhere);
	assert_int_equal(
		query_int("SELECT COUNT(*) FROM outbox WHERE recipient = $1 AND kind = 'password_changed'",
			  email),
		1);
}

/* ---- own profile, e-mail change and verification ---- */

static void email_change_and_verification(void **state)
{
	(void)state;
	struct session a, b;
	const char *ea = addr("alice"), *eb = addr("bob"), *ea2 = addr("alice.nouvelle");
	harness_signup(&H, "Alice Beauté", ea, NULL, &a);
	harness_signup(&H, "Bob Garage", eb, NULL, &b);

	/* the sign-up's verification e-mail works once */
	char token[TOKEN_LEN + 1], body[256];
	struct reply r;
	mailed_token(ea, "email_verify", "verify", token);
	snprintf(body, sizeof(body), "{\"token\": \"%s\"}", token);
	post("/api/v1/email/verify", body, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_path_str(r.json, "email", NULL), ea);
	reply_free(&r);
	post("/api/v1/email/verify", body, &r);
	assert_error(&r, 400, "invalid_token");
	reply_free(&r);
	assert_int_equal(
		query_int("SELECT COUNT(*) FROM users WHERE email = $1 AND email_verified_at IS NOT NULL",
			  ea),
		1);

	/* name and locale need no password */
	session_call(&H, &a, "PATCH", "/api/v1/me", "{\"name\": \"Alice Martin\", \"locale\": \"en\"}", &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_path_str(r.json, "user", "name"), "Alice Martin");
	assert_string_equal(json_path_str(r.json, "user", "locale"), "en");
	reply_free(&r);
	session_call(&H, &a, "PATCH", "/api/v1/me", "{\"locale\": \"de\"}", &r);
	assert_error(&r, 400, "invalid_locale");
	reply_free(&r);

	/* the e-mail needs the current password, and a taken one says nothing more */
	snprintf(body, sizeof(body), "{\"email\": \"%s\"}", ea2);
	session_call(&H, &a, "PATCH", "/api/v1/me", body, &r);
	assert_error(&r, 400, "missing_field");
	reply_free(&r);
	snprintf(body, sizeof(body), "{\"email\": \"%s\", \"current_password\": \"Pas-Le-Bon-1\"}", ea2);
	session_call(&H, &a, "PATCH", "/api/v1/me", body, &r);
	assert_error(&r, 400, "wrong_password");
	reply_free(&r);
	snprintf(body, sizeof(body), "{\"email\": \"%s\", \"current_password\": \"" GOOD_PW "\"}", eb);
	session_call(&H, &a, "PATCH", "/api/v1/me", body, &r);
	assert_error(&r, 409, "email_taken");
	assert_null(strstr(r.body, "Bob"));
	reply_free(&r);
	assert_int_equal(query_int("SELECT COUNT(*) FROM users WHERE email = $1", ea), 1);

	snprintf(body, sizeof(body), "{\"email\": \"%s\", \"current_password\": \"" GOOD_PW "\"}", ea2);
	session_call(&H, &a, "PATCH", "/api/v1/me", body, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_path_str(r.json, "user", "email"), ea2);
	reply_free(&r);
	assert_int_equal(
		query_int("SELECT COUNT(*) FROM users WHERE email = $1 AND email_verified_at IS NULL", ea2),
		1);
	assert_int_equal(
		query_int("SELECT COUNT(*) FROM outbox WHERE recipient = $1 AND kind = 'email_changed'", ea),
		1);
	assert_int_equal(query_int("SELECT COUNT(*) FROM audit_log a JOIN users u ON u.id = a.user_id"
				   " WHERE a.action = 'email_changed' AND u.email = $1",
				   ea2),
			 1);
	login_ok(ea2, GOOD_PW, &a);

	/* the new address is verified with the new link, in English now */
	mailed_token(ea2, "email_verify", "verify", token);
	assert_int_equal(query_int("SELECT COUNT(*) FROM outbox WHERE recipient = $1 AND locale = 'en'", ea2),
			 1);
	snprintf(body, sizeof(body), "{\"token\": \"%s\"}", token);
	post("/api/v1/email/verify", body, &r);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	assert_int_equal(
		query_int("SELECT COUNT(*) FROM users WHERE email = $1 AND email_verified_at IS NOT NULL",
			  ea2),
		1);
}

static void verification_link_expires(void **state)
{
	(void)state;
	struct session s;
	const char *email = addr("lent");
	harness_signup(&H, "Lent", email, NULL, &s);
	char token[TOKEN_LEN + 1], body[128];
	mailed_token(email, "email_verify", "verify", token);
	struct reply r;
	http_call(&H, "POST", "/api/v1/test/clock", "{\"advance_seconds\": 604801}", NULL, &r);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	snprintf(body, sizeof(body), "{\"token\": \"%s\"}", token);
	post("/api/v1/email/verify", body, &r);
	assert_error(&r, 400, "invalid_token");
	reply_free(&r);
}

/* ---- audit purge ---- */

static void audit_entries_older_than_a_year_are_purged(void **state)
{
	(void)state;
	struct err e = {0};
	db_conn *c;
	int64_t now = clock_now();
	assert_int_equal(db_acquire(H.app->db, &c, &e), 0);
	assert_true(
		db_exec(c,
			"INSERT INTO audit_log (action, at) VALUES ('old-entry', $1), ('recent-entry', $2)",
			DB_ARGS(DB_INT(now - 366 * 86400), DB_INT(now - 300 * 86400)), &e) >= 0);
	db_release(c);
	/* the server schedules the purge at start and each run schedules the next day's: scheduling
	 * twice for one day adds at most one job */
	int64_t before = query_int("SELECT COUNT(*) FROM jobs WHERE kind = 'audit.purge'", NULL);
	assert_int_equal(credentials_schedule_purge(H.app->db, now, &e), 0);
	assert_int_equal(credentials_schedule_purge(H.app->db, now, &e), 0); /* idempotent */
	assert_true(query_int("SELECT COUNT(*) FROM jobs WHERE kind = 'audit.purge'", NULL) <= before + 1);
	/* a day later the daily purge has run, at its own instant, through the shared clock */
	struct reply r;
	http_call(&H, "POST", "/api/v1/test/clock", "{\"advance_seconds\": 86400}", NULL, &r);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	now += 86400;
	assert_int_equal(query_int("SELECT COUNT(*) FROM audit_log WHERE action = 'old-entry'", NULL), 0);
	assert_int_equal(query_int("SELECT COUNT(*) FROM audit_log WHERE action = 'recent-entry'", NULL), 1);
	/* it rescheduled itself: one purge waits, for a day to come (which day depends on the hour
	 * the test runs at, before or after the 03:00 UTC run) */
	char later[32];
	snprintf(later, sizeof(later), "%lld", (long long)now);
	assert_int_equal(query_int("SELECT COUNT(*) FROM jobs WHERE kind = 'audit.purge' AND state = 'queued'"
				   " AND run_at > CAST($1 AS BIGINT)",
				   later),
			 1);
}

static int setup(void **state)
{
	credentials_register_jobs();
	return harness_setup(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(login_failures_look_the_same),
		cmocka_unit_test(account_being_deleted_cannot_log_in),
		cmocka_unit_test(login_is_rate_limited_per_account),
		cmocka_unit_test(login_is_rate_limited_per_ip),
		cmocka_unit_test(weak_passwords_are_refused),
		cmocka_unit_test(reset_answers_the_same_and_works_once),
		cmocka_unit_test(reset_token_expires_after_an_hour),
		cmocka_unit_test(reset_requests_are_rate_limited),
		cmocka_unit_test(password_change_ends_other_sessions),
		cmocka_unit_test(email_change_and_verification),
		cmocka_unit_test(verification_link_expires),
		cmocka_unit_test(audit_entries_older_than_a_year_are_purged),
	};
	return cmocka_run_group_tests(tests, setup, harness_teardown);
}
