/* Self-service account deletion (PRODUCT.md "Account deletion"): what to type, the password
 * asked again, owners only; then at once the sessions end, log-ins are refused and every public
 * route of the slug (the page, /b/, availability, booking) answers 410; the purge leaves nothing
 * but what the law keeps, the old address still answers 410, and the credit left is on the
 * operator's account page for a refund. */
#include <liboath/oath.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "life_util.h"

#define OP_PASSWORD "Console des opérateurs 2027"

/* An operator created with `creneau operator add` and logged in with a TOTP code: out gets
 * the "Cookie: creneau_ops=..." header line. */
static void operator_login_cookie(char out[200])
{
	const char *bin = getenv("CRENEAU_BIN");
	if (!bin)
		fail_msg("CRENEAU_BIN is not set: run through tests/run.sh");
	char email[128], pw_file[] = "/tmp/creneau-op-pw-XXXXXX", out_file[] = "/tmp/creneau-op-out-XXXXXX";
	snprintf(email, sizeof(email), "ops-511-%s-%d@creneau.example", harness_store_kind(), (int)getpid());
	int fd = mkstemp(pw_file), fo = mkstemp(out_file);
	assert_true(fd >= 0 && fo >= 0);
	assert_true(write(fd, OP_PASSWORD "\n", strlen(OP_PASSWORD) + 1) == (ssize_t)strlen(OP_PASSWORD) + 1);
	close(fd);
	close(fo);
	char cmd[2048];
	snprintf(cmd, sizeof(cmd), "'%s' operator add '%s' --name 'Ops' --store '%s' <%s >%s 2>/dev/null",
		 bin, email, H.store_url, pw_file, out_file);
	assert_int_equal(system(cmd), 0);
	char text[2048];
	FILE *f = fopen(out_file, "r");
	assert_non_null(f);
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	unlink(pw_file);
	unlink(out_file);
	const char *s = strstr(text, "secret: ");
	assert_non_null(s);
	char secret_b32[64];
	snprintf(secret_b32, sizeof(secret_b32), "%.*s", (int)strcspn(s + 8, "\n"), s + 8);

	struct reply r;
	http_call(&H, "GET", "/api/v1/test/clock", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	time_t now = (time_t)json_integer_value(json_object_get(r.json, "unix"));
	reply_free(&r);
	assert_int_equal(oath_init(), OATH_OK);
	char *secret, code[8];
	size_t len;
	assert_int_equal(oath_base32_decode(secret_b32, strlen(secret_b32), &secret, &len), OATH_OK);
	assert_int_equal(oath_totp_generate(secret, len, now, 30, 0, 6, code), OATH_OK);
	free(secret);
	oath_done();

	char body[400];
	snprintf(body, sizeof(body), "{\"email\": \"%s\", \"password\": \"%s\", \"totp\": \"%s\"}", email,
		 OP_PASSWORD, code);
	const char *h[] = {harness_next_ip_header(), NULL};
	http_call(&H, "POST", "/api/v1/ops/session", body, h, &r);
	if (r.status != 200)
		fail_msg("operator log-in: %ld %s", r.status, r.body);
	char v[512];
	assert_non_null(reply_header(&r, "Set-Cookie", v, sizeof(v)));
	const char *start = strstr(v, "creneau_ops=");
	assert_non_null(start);
	snprintf(out, 200, "Cookie: %.*s", (int)strcspn(start, ";"), start);
	reply_free(&r);
}

/* A staff member invited by the owner, logged in. */
static void add_staff_user(const struct session *owner, const char *email, struct session *s)
{
	char body[300], token[64];
	struct reply r;
	snprintf(body, sizeof(body), "{\"email\": \"%s\", \"name\": \"Léo Martin\", \"role\": \"staff\"}",
		 email);
	session_call(&H, owner, "POST", "/api/v1/users", body, &r);
	if (r.status != 201)
		fail_msg("invite: %ld %s", r.status, r.body);
	reply_free(&r);
	mail_link_token(email, "invitation", token);
	snprintf(body, sizeof(body), "{\"token\": \"%s\", \"password\": \"Tres-Bon-Mot-2027\"}", token);
	const char *h[] = {harness_next_ip_header(), NULL};
	http_call(&H, "POST", "/api/v1/invitations/accept", body, h, &r);
	if (r.status != 200)
		fail_msg("accept: %ld %s", r.status, r.body);
	session_from_reply(&r, s);
	reply_free(&r);
}

/* Every public route of the slug answers `status` (410 with account_deleted when 410). */
static void public_routes_answer(const char *slug, const char *service_id, long status)
{
	char path[300];
	struct reply r;
	snprintf(path, sizeof(path), "/api/v1/public/%s", slug);
	http_call(&H, "GET", path, NULL, NULL, &r);
	if (status == 410)
		assert_error(&r, 410, "account_deleted");
	else
		assert_int_equal(r.status, status);
	reply_free(&r);

	snprintf(path, sizeof(path),
		 "/api/v1/public/%s/availability?service=%s&staff=any&from=2027-06-21&to=2027-06-22", slug,
		 service_id);
	http_call(&H, "GET", path, NULL, NULL, &r);
	if (status == 410)
		assert_error(&r, 410, "account_deleted");
	else if (r.status != status)
		fail_msg("%s: %ld %s", path, r.status, r.body);
	reply_free(&r);

	/* a booking attempt: refused for the business before its body is read */
	snprintf(path, sizeof(path), "/api/v1/public/%s/appointments", slug);
	const char *h[] = {harness_next_ip_header(), NULL};
	http_call(&H, "POST", path, "{}", h, &r);
	if (status == 410)
		assert_error(&r, 410, "account_deleted");
	else if (status == 404)
		assert_error(&r, 404, "not_found");
	else
		assert_int_equal(r.status, 400); /* a live business: the empty body is what is wrong */
	reply_free(&r);

	snprintf(path, sizeof(path), "/b/%s", slug);
	http_call(&H, "GET", path, NULL, NULL, &r);
	assert_int_equal(r.status, status);
	char v[200];
	assert_non_null(strstr(reply_header(&r, "Content-Type", v, sizeof(v)), "text/html"));
	reply_free(&r);
}

static void the_owner_deletes_the_account_and_it_is_purged(void **state)
{
	(void)state;
	test_clock("set", "2027-06-10T10:00:00+02:00");
	struct session s, staff;
	char email[128], name[96], staff_email[160];
	unique_names("supprime", email, name);
	harness_signup(&H, name, email, "optimum", &s);
	snprintf(staff_email, sizeof(staff_email), "equipe-%s", email);
	add_staff_user(&s, staff_email, &staff);

	/* a paying account with credit left: Pro from the 10th, then Essentiel the same day */
	put_identity(&s, "compta-suppr@facturation.example");
	/* Pro 3 900 x 21/30 = 2 730 billed; Essentiel 1 900 x 21/30 = 1 330: 14,00 € HT back */
	json_t *change = pro_then_essentiel(&s);
	assert_int_equal(json_integer_value(json_object_get(change, "amount_ht")), 1400);
	json_decref(change);
	struct reply r;

	/* the public page works, with a service to ask availability for */
	char page[160], service_id[48];
	snprintf(page, sizeof(page), "/api/v1/public/%s", s.slug);
	http_call(&H, "GET", page, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	json_t *services = json_object_get(r.json, "services");
	assert_true(json_array_size(services) > 0);
	snprintf(service_id, sizeof(service_id), "%s",
		 json_string_value(json_object_get(json_array_get(services, 0), "id")));
	reply_free(&r);
	public_routes_answer(s.slug, service_id, 200);

	/* what to type */
	session_call(&H, &s, "GET", "/api/v1/account/deletion", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_path_str(r.json, "deletion", "confirmation"), "SUPPRIMER");
	assert_string_equal(json_path_str(r.json, "deletion", "business_name"), name);
	json_int_t days =
		json_integer_value(json_object_get(json_object_get(r.json, "deletion"), "purge_within_days"));
	assert_true(days >= 1 && days <= 7);
	reply_free(&r);

	/* refusals: nothing happens */
	session_call(&H, &s, "POST", "/api/v1/account/deletion",
		     "{\"password\": \"Tres-Bon-Mot-2027\", \"confirmation\": \"supprimer\"}", &r);
	assert_error(&r, 400, "wrong_confirmation");
	assert_string_equal(json_path_str(r.json, "error", "field"), "confirmation");
	reply_free(&r);
	session_call(&H, &s, "POST", "/api/v1/account/deletion", "{\"password\": \"Tres-Bon-Mot-2027\"}", &r);
	assert_error(&r, 400, "missing_field");
	assert_string_equal(json_path_str(r.json, "error", "field"), "confirmation");
	reply_free(&r);
	session_call(&H, &s, "POST", "/api/v1/account/deletion",
		     "{\"password\": \"Pas-Le-Bon-2027\", \"confirmation\": \"SUPPRIMER\"}", &r);
	assert_error(&r, 400, "wrong_password");
	assert_string_equal(json_path_str(r.json, "error", "field"), "password");
	reply_free(&r);
	session_call(&H, &staff, "GET", "/api/v1/account/deletion", NULL, &r);
	assert_error(&r, 403, "forbidden");
	reply_free(&r);
	session_call(&H, &staff, "POST", "/api/v1/account/deletion",
		     "{\"password\": \"Tres-Bon-Mot-2027\", \"confirmation\": \"SUPPRIMER\"}", &r);
	assert_error(&r, 403, "forbidden");
	reply_free(&r);
	json_t *sub = subscription(&s);
	assert_string_equal(json_string_value(json_object_get(sub, "state")), "active");
	json_decref(sub);

	/* the right request */
	session_call(&H, &s, "POST", "/api/v1/account/deletion",
		     "{\"password\": \"Tres-Bon-Mot-2027\", \"confirmation\": \"SUPPRIMER\"}", &r);
	if (r.status != 202)
		fail_msg("deletion: %ld %s", r.status, r.body);
	assert_string_equal(json_path_str(r.json, "deletion", "state"), "deleting");
	assert_string_equal(json_path_str(r.json, "deletion", "requested_at"), "2027-06-10T10:00:00+02:00");
	assert_string_equal(json_path_str(r.json, "deletion", "purge_by"), "2027-06-10T11:00:00+02:00");
	reply_free(&r);

	/* at once: both sessions end, log-ins are refused, every public route answers 410 */
	session_call(&H, &s, "GET", "/api/v1/me", NULL, &r);
	assert_error(&r, 401, "unauthorized");
	reply_free(&r);
	session_call(&H, &staff, "GET", "/api/v1/me", NULL, &r);
	assert_error(&r, 401, "unauthorized");
	reply_free(&r);
	char body[300];
	snprintf(body, sizeof(body), "{\"email\": \"%s\", \"password\": \"Tres-Bon-Mot-2027\"}", email);
	const char *h[] = {harness_next_ip_header(), NULL};
	http_call(&H, "POST", "/api/v1/session", body, h, &r);
	assert_int_equal(r.status, 401);
	reply_free(&r);
	public_routes_answer(s.slug, service_id, 410);
	assert_int_equal(maildir_count(email, "plus personne ne peut"), 1);

	/* the operator sees it deleting, with the credit to refund */
	char op_cookie[200];
	operator_login_cookie(op_cookie);
	char ops_path[160];
	snprintf(ops_path, sizeof(ops_path), "/api/v1/ops/accounts/%s", s.account_id);
	const char *oh[] = {op_cookie, NULL};
	http_call(&H, "GET", ops_path, NULL, oh, &r);
	assert_int_equal(r.status, 200);
	json_t *acc = json_object_get(r.json, "account");
	assert_string_equal(json_string_value(json_object_get(acc, "state")), "deleting");
	assert_string_equal(json_path_str(acc, "next_transition", "kind"), "purge");
	assert_string_equal(json_path_str(acc, "deletion", "origin"), "owner");
	/* the credit note's 16,80 € TTC, never used */
	assert_int_equal(
		json_integer_value(json_object_get(json_object_get(acc, "deletion"), "credit_left_cents")),
		1680);
	assert_int_equal(json_integer_value(json_object_get(acc, "credit_left_cents")), 1680);
	reply_free(&r);

	/* the purge, once its delay is over: nothing left but what the law keeps */
	test_clock("advance_to", "2027-06-10T11:00:01+02:00");
	assert_purged(s.account_id, name, email, s.slug);
	public_routes_answer(s.slug, service_id, 410);

	/* the operator's page still lists the refund and the two documents */
	http_call(&H, "GET", ops_path, NULL, oh, &r);
	assert_int_equal(r.status, 200);
	acc = json_object_get(r.json, "account");
	assert_string_equal(json_string_value(json_object_get(acc, "state")), "deleted");
	assert_non_null(json_path_str(acc, "deletion", "purged_at"));
	assert_int_equal(
		json_integer_value(json_object_get(json_object_get(acc, "deletion"), "credit_left_cents")),
		1680);
	assert_int_equal(json_array_size(json_object_get(acc, "invoices")), 2);
	reply_free(&r);

	/* the slug is never given again */
	struct session again;
	char email2[128], name2[96];
	unique_names("reprise", email2, name2);
	harness_signup(&H, name, email2, "pro", &again);
	assert_string_not_equal(again.slug, s.slug);
}

static void a_slug_nobody_ever_had_is_404_everywhere(void **state)
{
	(void)state;
	public_routes_answer("personne-ne-l-a-jamais-eu", "svc_x", 404);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_slug_nobody_ever_had_is_404_everywhere),
		cmocka_unit_test(the_owner_deletes_the_account_and_it_is_purged),
	};
	return cmocka_run_group_tests_name("api/account-deletion", tests, harness_setup, harness_teardown);
}
