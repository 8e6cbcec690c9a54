/* support_util — what the support tests (700-709) share on top of harness.h: an operator
 * created with `creneau operator add` and logged in with TOTP codes computed here (again
 * after each move of the test clock: operator sessions are short), calls with its cookie,
 * and a customer's ticket. Include after cmocka.h. */
#ifndef CRENEAU_TEST_SUPPORT_UTIL_H
#define CRENEAU_TEST_SUPPORT_UTIL_H
#include <liboath/oath.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define SU_UNUSED      __attribute__((unused))
#define SU_OP_PASSWORD "Console du support 2027"

struct operator_session {
	char email[128];
	char secret[64];
	char cookie[200]; /* "Cookie: creneau_ops=..." */
	char csrf[200];	  /* "X-CSRF-Token: ..." */
	char id[32];
	long long last_step;
};

SU_UNUSED static long long su_server_now(void)
{
	struct reply r;
	http_call(&H, "GET", "/api/v1/test/clock", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	long long now = (long long)json_integer_value(json_object_get(r.json, "unix"));
	reply_free(&r);
	return now;
}

/* Logs the operator in (again) with a TOTP code of the server's current time. */
SU_UNUSED static void operator_login(struct operator_session *op)
{
	long long now = su_server_now();
	if (now / 30 <= op->last_step) /* a code is accepted once: move to the next step */
		test_clock_advance_s(30), now = su_server_now();
	op->last_step = now / 30;
	char *secret, code[8];
	size_t len;
	assert_int_equal(oath_init(), OATH_OK);
	assert_int_equal(oath_base32_decode(op->secret, strlen(op->secret), &secret, &len), OATH_OK);
	assert_int_equal(oath_totp_generate(secret, len, (time_t)now, 30, 0, 6, code), OATH_OK);
	free(secret);
	oath_done();
	char body[400];
	snprintf(body, sizeof(body), "{\"email\": \"%s\", \"password\": \"%s\", \"totp\": \"%s\"}", op->email,
		 SU_OP_PASSWORD, code);
	const char *h[] = {harness_next_ip_header(), NULL};
	struct reply r;
	http_call(&H, "POST", "/api/v1/ops/session", body, h, &r);
	if (r.status != 200)
		fail_msg("operator log-in: %ld %s", r.status, r.body);
	char v[512];
	assert_non_null(reply_header(&r, "Set-Cookie", v, sizeof(v)));
	const char *start = strstr(v, "creneau_ops=");
	assert_non_null(start);
	snprintf(op->cookie, sizeof(op->cookie), "Cookie: %.*s", (int)strcspn(start, ";"), start);
	snprintf(op->csrf, sizeof(op->csrf), "X-CSRF-Token: %s",
		 json_string_value(json_object_get(r.json, "csrf_token")));
	snprintf(op->id, sizeof(op->id), "%s", json_path_str(r.json, "operator", "id"));
	reply_free(&r);
}

/* Creates an operator with the real binary and logs it in. */
SU_UNUSED static void operator_create(const char *tag, struct operator_session *op)
{
	memset(op, 0, sizeof(*op));
	const char *bin = getenv("CRENEAU_BIN");
	if (!bin)
		fail_msg("CRENEAU_BIN is not set: run through tests/run.sh");
	snprintf(op->email, sizeof(op->email), "ops-%s-%s-%d@creneau.example", tag, harness_store_kind(),
		 (int)getpid());
	char pw_file[] = "/tmp/creneau-op-pw-XXXXXX", out_file[] = "/tmp/creneau-op-out-XXXXXX";
	int fd = mkstemp(pw_file), fo = mkstemp(out_file);
	assert_true(fd >= 0 && fo >= 0);
	assert_true(write(fd, SU_OP_PASSWORD "\n", strlen(SU_OP_PASSWORD) + 1) ==
		    (ssize_t)strlen(SU_OP_PASSWORD) + 1);
	close(fd);
	close(fo);
	char cmd[2048];
	snprintf(cmd, sizeof(cmd), "'%s' operator add '%s' --name 'Ada Support' --store '%s' <%s >%s 2>&1",
		 bin, op->email, H.store_url, pw_file, out_file);
	int rc = system(cmd);
	char text[4096];
	FILE *f = fopen(out_file, "r");
	assert_non_null(f);
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	if (rc)
		fail_msg("creneau operator add: %s", text);
	unlink(pw_file);
	unlink(out_file);
	const char *s = strstr(text, "secret: ");
	assert_non_null(s);
	snprintf(op->secret, sizeof(op->secret), "%.*s", (int)strcspn(s + 8, "\n"), s + 8);
	operator_login(op);
}

/* A call with the operator's cookie and CSRF token; fails the test unless `status`. */
SU_UNUSED static void ops_expect(const struct operator_session *op, const char *method, const char *path,
				 const char *body, long status, struct reply *out)
{
	const char *h[] = {op->cookie, op->csrf, NULL};
	http_call(&H, method, path, body, h, out);
	if (out->status != status)
		fail_msg("%s %s: expected %ld, got %ld %s", method, path, status, out->status, out->body);
}

/* Opens a ticket as s; writes its id; the reply is left in *out when not NULL. */
SU_UNUSED static void open_ticket(const struct session *s, const char *category, const char *subject,
				  char id[32], struct reply *out)
{
	char body[512];
	snprintf(body, sizeof(body),
		 "{\"category\": \"%s\", \"subject\": \"%s\", \"message\": \"Bonjour, j'ai une question.\"}",
		 category, subject);
	struct reply r;
	session_expect(&H, s, "POST", "/api/v1/tickets", body, 201, &r);
	snprintf(id, 32, "%s", json_path_str(r.json, "ticket", "id"));
	if (out)
		*out = r;
	else
		reply_free(&r);
}

/* The ticket object of GET path with the operator (the caller json_decref's it). */
SU_UNUSED static json_t *ops_ticket(const struct operator_session *op, const char *id)
{
	char path[128];
	snprintf(path, sizeof(path), "/api/v1/ops/tickets/%s", id);
	struct reply r;
	ops_expect(op, "GET", path, NULL, 200, &r);
	json_t *t = json_incref(r.json);
	reply_free(&r);
	return t;
}

#endif
