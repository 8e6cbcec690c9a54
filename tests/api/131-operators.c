/* Platform operators: `creneau operator add` (the real binary) on the test store, log-in with
 * a password and a TOTP code computed here with liboath, each code once; operators reach
 * only /api/v1/ops/... and customers never do. */
#include <liboath/oath.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"

#define OP_PASSWORD "Console des opérateurs 2026"

static char op_email[128];
static char op_secret[64];

/* Runs the binary with a shell; returns its exit status and leaves stdout in out. */
static int run_operator_add(const char *email, const char *password, char *out, size_t cap)
{
	const char *bin = getenv("CRENEAU_BIN");
	assert_non_null(bin);
	char pw_file[] = "/tmp/creneau-op-pw-XXXXXX", out_file[] = "/tmp/creneau-op-out-XXXXXX";
	int fd = mkstemp(pw_file), fo = mkstemp(out_file);
	assert_true(fd >= 0 && fo >= 0);
	assert_true(write(fd, password, strlen(password)) == (ssize_t)strlen(password));
	assert_true(write(fd, "\n", 1) == 1);
	close(fd);
	close(fo);
	char cmd[2048];
	snprintf(cmd, sizeof(cmd), "'%s' operator add '%s' --name 'Ada Ops' --store '%s' <%s >%s 2>/dev/null",
		 bin, email, H.store_url, pw_file, out_file);
	int rc = system(cmd);
	FILE *f = fopen(out_file, "r");
	size_t n = f ? fread(out, 1, cap - 1, f) : 0;
	out[n] = '\0';
	if (f)
		fclose(f);
	unlink(pw_file);
	unlink(out_file);
	return rc;
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

static void totp_at(int64_t t, char code[8])
{
	char *secret;
	size_t len;
	assert_int_equal(oath_base32_decode(op_secret, strlen(op_secret), &secret, &len), OATH_OK);
	assert_int_equal(oath_totp_generate(secret, len, (time_t)t, 30, 0, 6, code), OATH_OK);
	free(secret);
}

static void login(const char *email, const char *password, const char *code, struct reply *r)
{
	char body[512];
	snprintf(body, sizeof(body), "{\"email\": \"%s\", \"password\": \"%s\", \"totp\": \"%s\"}", email,
		 password, code);
	const char *h[] = {harness_next_ip_header(), NULL};
	http_call(&H, "POST", "/api/v1/ops/session", body, h, r);
}

/* The "Cookie: creneau_ops=..." line of a log-in reply. */
static void ops_cookie(const struct reply *r, char out[200])
{
	char v[512];
	assert_non_null(reply_header(r, "Set-Cookie", v, sizeof(v)));
	const char *start = strstr(v, "creneau_ops=");
	assert_non_null(start);
	snprintf(out, 200, "Cookie: %.*s", (int)strcspn(start, ";"), start);
}

static int setup(void **state)
{
	harness_setup(state);
	assert_int_equal(oath_init(), OATH_OK);
	snprintf(op_email, sizeof(op_email), "ops-%d@creneau.example", (int)getpid());
	char out[2048];
	assert_int_equal(run_operator_add(op_email, OP_PASSWORD, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "otpauth://totp/"));
	assert_non_null(strstr(out, "issuer=Cr%C3%A9neau"));
	const char *s = strstr(out, "secret: ");
	assert_non_null(s);
	snprintf(op_secret, sizeof(op_secret), "%.*s", (int)strcspn(s + 8, "\n"), s + 8);
	assert_int_equal(strlen(op_secret), 32);
	return 0;
}

static void adding_the_same_operator_twice_fails(void **state)
{
	(void)state;
	char out[2048];
	assert_int_not_equal(run_operator_add(op_email, OP_PASSWORD, out, sizeof(out)), 0);
	char other[128];
	snprintf(other, sizeof(other), "weak-%d@creneau.example", (int)getpid());
	assert_int_not_equal(run_operator_add(other, "short", out, sizeof(out)), 0);
}

static void wrong_anything_is_the_same_401(void **state)
{
	(void)state;
	char code[8], wrong_code[8];
	totp_at(server_now(), code);
	snprintf(wrong_code, sizeof(wrong_code), "%06d", (int)((strtol(code, NULL, 10) + 1) % 1000000));
	struct reply r;
	const char *messages[3];
	char msg[3][200];
	login(op_email, "Pas le bon mot de passe", code, &r);
	assert_error(&r, 401, "invalid_credentials");
	snprintf(msg[0], 200, "%s",
		 json_string_value(json_object_get(json_object_get(r.json, "error"), "message")));
	reply_free(&r);
	login(op_email, OP_PASSWORD, wrong_code, &r);
	assert_error(&r, 401, "invalid_credentials");
	snprintf(msg[1], 200, "%s",
		 json_string_value(json_object_get(json_object_get(r.json, "error"), "message")));
	reply_free(&r);
	login("nobody@creneau.example", OP_PASSWORD, code, &r);
	assert_error(&r, 401, "invalid_credentials");
	snprintf(msg[2], 200, "%s",
		 json_string_value(json_object_get(json_object_get(r.json, "error"), "message")));
	reply_free(&r);
	messages[0] = msg[0], messages[1] = msg[1], messages[2] = msg[2];
	assert_string_equal(messages[0], messages[1]);
	assert_string_equal(messages[0], messages[2]);
}

static void log_in_once_per_code_and_reach_only_ops(void **state)
{
	(void)state;
	int64_t now = server_now();
	char code[8], cookie[200], csrf[200];
	totp_at(now, code);
	struct reply r;
	login(op_email, OP_PASSWORD, code, &r);
	if (r.status != 200)
		fprintf(stderr, "ops log-in: %s\n", r.body);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_path_str(r.json, "operator", "email"), op_email);
	assert_string_equal(json_path_str(r.json, "operator", "name"), "Ada Ops");
	ops_cookie(&r, cookie);
	snprintf(csrf, sizeof(csrf), "X-CSRF-Token: %s", json_path_str(r.json, "csrf_token", NULL));
	reply_free(&r);

	/* the same code never logs in twice */
	login(op_email, OP_PASSWORD, code, &r);
	assert_error(&r, 401, "invalid_credentials");
	reply_free(&r);

	const char *op[] = {cookie, csrf, NULL};
	http_call(&H, "GET", "/api/v1/ops/me", NULL, op, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_path_str(r.json, "operator", "email"), op_email);
	reply_free(&r);
	/* an operator's cookie opens no tenant route */
	http_call(&H, "GET", "/api/v1/me", NULL, op, &r);
	assert_error(&r, 401, "unauthorized");
	reply_free(&r);
	http_call(&H, "GET", "/api/v1/users", NULL, op, &r);
	assert_error(&r, 401, "unauthorized");
	reply_free(&r);

	/* a customer's session opens no ops route */
	struct session customer;
	char email[128];
	snprintf(email, sizeof(email), "client-%d-%s@example.fr", (int)getpid(), harness_store_kind());
	harness_signup(&H, "Salon Client", email, NULL, &customer);
	session_call(&H, &customer, "GET", "/api/v1/ops/me", NULL, &r);
	assert_error(&r, 401, "unauthorized");
	reply_free(&r);
	session_call(&H, &customer, "GET", "/api/v1/ops/accounts", NULL, &r);
	assert_error(&r, 401, "unauthorized");
	reply_free(&r);

	/* the log-in is audited outside every tenant */
	db_conn *c;
	struct err e = {0};
	int64_t n = 0;
	assert_int_equal(db_acquire(H.app->db, &c, &e), 0);
	assert_int_equal(db_query_int(c,
				      "SELECT count(*) FROM audit_log WHERE action = 'operator_login'"
				      " AND account_id IS NULL AND operator_id IS NOT NULL",
				      DB_NOARGS, &n, &e),
			 1);
	db_release(c);
	assert_int_equal(n, 1);

	/* log-out: the cookie is dead */
	http_call(&H, "DELETE", "/api/v1/ops/session", NULL, op, &r);
	assert_int_equal(r.status, 204);
	reply_free(&r);
	http_call(&H, "GET", "/api/v1/ops/me", NULL, op, &r);
	assert_error(&r, 401, "unauthorized");
	reply_free(&r);
}

static void the_console_lists_accounts_page_by_page(void **state)
{
	(void)state;
	struct session s;
	char email[128];
	for (int i = 0; i < 2; i++) {
		snprintf(email, sizeof(email), "page%d-%d-%s@example.fr", i, (int)getpid(),
			 harness_store_kind());
		harness_signup(&H, "Salon Page", email, NULL, &s);
	}
	/* a fresh code: the next time step */
	struct reply r;
	http_call(&H, "POST", "/api/v1/test/clock", "{\"advance_seconds\": 30}", NULL, &r);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	char code[8], cookie[200];
	totp_at(server_now(), code);
	login(op_email, OP_PASSWORD, code, &r);
	assert_int_equal(r.status, 200);
	ops_cookie(&r, cookie);
	reply_free(&r);
	const char *op[] = {cookie, NULL};

	http_call(&H, "GET", "/api/v1/ops/accounts?limit=1", NULL, op, &r);
	assert_int_equal(r.status, 200);
	json_t *list = json_object_get(r.json, "accounts");
	assert_int_equal(json_array_size(list), 1);
	json_t *first = json_array_get(list, 0);
	assert_non_null(json_string_value(json_object_get(first, "slug")));
	assert_non_null(json_string_value(json_object_get(first, "state")));
	assert_non_null(json_string_value(json_object_get(first, "plan")));
	char first_id[32], path[128];
	snprintf(first_id, sizeof(first_id), "%s", json_string_value(json_object_get(first, "id")));
	const char *cursor = json_path_str(r.json, "next_cursor", NULL);
	assert_non_null(cursor);
	snprintf(path, sizeof(path), "/api/v1/ops/accounts?limit=1&cursor=%s", cursor);
	reply_free(&r);
	http_call(&H, "GET", path, NULL, op, &r);
	assert_int_equal(r.status, 200);
	list = json_object_get(r.json, "accounts");
	assert_int_equal(json_array_size(list), 1);
	assert_string_not_equal(json_string_value(json_object_get(json_array_get(list, 0), "id")), first_id);
	reply_free(&r);

	/* search: name, slug or contact e-mail containing the text (ASCII case ignored), or the
	 * public id; LIKE's wildcards are plain characters */
	struct session quokka1, quokka2;
	harness_business(&H, "Barbier Quokka", &quokka1);
	harness_business(&H, "Fleuriste Quokka", &quokka2);
	http_call(&H, "GET", "/api/v1/ops/accounts?q=QUOKKA", NULL, op, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "accounts")), 2);
	reply_free(&r);
	http_call(&H, "GET", "/api/v1/ops/accounts?q=fleuriste-quo", NULL, op, &r); /* the slug */
	assert_int_equal(r.status, 200);
	list = json_object_get(r.json, "accounts");
	assert_int_equal(json_array_size(list), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "name")),
			    "Fleuriste Quokka");
	snprintf(path, sizeof(path), "/api/v1/ops/accounts?q=%s",
		 json_string_value(json_object_get(json_array_get(list, 0), "id")));
	reply_free(&r);
	http_call(&H, "GET", path, NULL, op, &r); /* the public id */
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "accounts")), 1);
	reply_free(&r);
	http_call(&H, "GET", "/api/v1/ops/accounts?q=%25", NULL, op, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "accounts")), 0);
	reply_free(&r);
	char long_q[160] = "/api/v1/ops/accounts?q=";
	memset(long_q + strlen(long_q), 'a', 101);
	http_call(&H, "GET", long_q, NULL, op, &r);
	assert_error(&r, 400, "invalid_field");
	assert_string_equal(json_path_str(r.json, "error", "field"), "q");
	reply_free(&r);

	http_call(&H, "GET", "/api/v1/ops/accounts?limit=0", NULL, op, &r);
	assert_error(&r, 400, "invalid_field");
	reply_free(&r);
	http_call(&H, "GET", "/api/v1/ops/accounts?limit=1000", NULL, op, &r);
	assert_error(&r, 400, "invalid_field");
	reply_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(adding_the_same_operator_twice_fails),
		cmocka_unit_test(wrong_anything_is_the_same_401),
		cmocka_unit_test(log_in_once_per_code_and_reach_only_ops),
		cmocka_unit_test(the_console_lists_accounts_page_by_page),
	};
	return cmocka_run_group_tests_name("api/operators", tests, setup, harness_teardown);
}
