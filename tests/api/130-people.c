/* People and roles: the owner invites staff by e-mail (the mail reaches the real SMTP server),
 * the invitee accepts with a password and is logged in as staff; owners change roles and
 * remove people, never the last owner; staff cannot manage people; ids of another account
 * answer 404; one e-mail address is one user. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"

#define GOOD_PASSWORD "Un mot de passe solide 42"

/* A unique address for this run and store (the maildir is shared by runs). */
static const char *addr(const char *who)
{
	static char out[8][128];
	static int n;
	char *a = out[n++ % 8];
	snprintf(a, 128, "%s-%d-%s@example.fr", who, (int)getpid(), harness_store_kind());
	return a;
}

/* The owner invites email as role; returns the new user's public id in id. */
static void invite(const struct session *owner, const char *email, const char *role, char id[32])
{
	char body[300];
	struct reply r;
	snprintf(body, sizeof(body), "{\"email\": \"%s\", \"name\": \"Léa Martin\", \"role\": \"%s\"}", email,
		 role);
	session_call(&H, owner, "POST", "/api/v1/users", body, &r);
	if (r.status != 201)
		fprintf(stderr, "invite: %s\n", r.body);
	assert_int_equal(r.status, 201);
	assert_string_equal(json_path_str(r.json, "user", "status"), "invited");
	assert_string_equal(json_path_str(r.json, "user", "email"), email);
	assert_string_equal(json_path_str(r.json, "user", "role"), role);
	snprintf(id, 32, "%s", json_path_str(r.json, "user", "id"));
	reply_free(&r);
}

static void accept(const char *token, struct session *s)
{
	char body[300];
	struct reply r;
	snprintf(body, sizeof(body), "{\"token\": \"%s\", \"password\": \"%s\"}", token, GOOD_PASSWORD);
	const char *h[] = {harness_next_ip_header(), NULL};
	http_call(&H, "POST", "/api/v1/invitations/accept", body, h, &r);
	if (r.status != 200)
		fprintf(stderr, "accept: %s\n", r.body);
	assert_int_equal(r.status, 200);
	session_from_reply(&r, s);
	reply_free(&r);
}

/* Invites and accepts: a logged-in staff (or owner) session and its user id. */
static void add_person(const struct session *owner, const char *email, const char *role, struct session *s)
{
	char id[32], token[64];
	invite(owner, email, role, id);
	mail_link_token(email, "invitation", token);
	accept(token, s);
	assert_string_equal(s->user_id, id);
}

static long status_of(const struct session *s, const char *method, const char *path, const char *body)
{
	struct reply r;
	session_call(&H, s, method, path, body, &r);
	long st = r.status;
	reply_free(&r);
	return st;
}

static void invite_accept_and_reused_token(void **state)
{
	(void)state;
	struct session owner, staff;
	harness_signup(&H, "Salon Élodie", addr("owner1"), NULL, &owner);
	const char *email = addr("lea");
	char id[32], token[64];
	invite(&owner, email, "staff", id);
	mail_link_token(email, "invitation", token);

	/* a weak password is refused and spends nothing */
	struct reply r;
	char body[300];
	snprintf(body, sizeof(body), "{\"token\": \"%s\", \"password\": \"short\"}", token);
	http_call(&H, "POST", "/api/v1/invitations/accept", body, NULL, &r);
	assert_error(&r, 400, "weak_password");
	reply_free(&r);

	accept(token, &staff);
	session_call(&H, &staff, "GET", "/api/v1/me", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_path_str(r.json, "user", "role"), "staff");
	assert_string_equal(json_path_str(r.json, "user", "email"), email);
	assert_string_equal(json_path_str(r.json, "account", "id"), owner.account_id);
	reply_free(&r);

	/* the token works once */
	snprintf(body, sizeof(body), "{\"token\": \"%s\", \"password\": \"%s\"}", token, GOOD_PASSWORD);
	http_call(&H, "POST", "/api/v1/invitations/accept", body, NULL, &r);
	assert_error(&r, 400, "invalid_token");
	reply_free(&r);
	http_call(
		&H, "POST", "/api/v1/invitations/accept",
		"{\"token\": \"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\", \"password\": \"" GOOD_PASSWORD
		"\"}",
		NULL, &r);
	assert_error(&r, 400, "invalid_token");
	reply_free(&r);

	/* the owner sees the new member active */
	session_call(&H, &owner, "GET", "/api/v1/users", NULL, &r);
	assert_int_equal(r.status, 200);
	json_t *users = json_object_get(r.json, "users");
	assert_int_equal(json_array_size(users), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(users, 0), "role")), "owner");
	json_t *lea = json_array_get(users, 1);
	assert_string_equal(json_string_value(json_object_get(lea, "id")), id);
	assert_string_equal(json_string_value(json_object_get(lea, "status")), "active");
	assert_string_equal(json_string_value(json_object_get(lea, "name")), "Léa Martin");
	reply_free(&r);
}

static void staff_cannot_manage_people(void **state)
{
	(void)state;
	struct session owner, staff;
	harness_signup(&H, "Cabinet Dupuis", addr("owner2"), NULL, &owner);
	add_person(&owner, addr("staff2"), "staff", &staff);
	struct reply r;
	char body[200], path[96];
	snprintf(body, sizeof(body), "{\"email\": \"%s\"}", addr("intrus"));
	session_call(&H, &staff, "POST", "/api/v1/users", body, &r);
	assert_error(&r, 403, "forbidden");
	reply_free(&r);
	session_call(&H, &staff, "GET", "/api/v1/users", NULL, &r);
	assert_error(&r, 403, "forbidden");
	reply_free(&r);
	/* not even to promote themselves */
	snprintf(path, sizeof(path), "/api/v1/users/%s", staff.user_id);
	session_call(&H, &staff, "PATCH", path, "{\"role\": \"owner\"}", &r);
	assert_error(&r, 403, "forbidden");
	reply_free(&r);
	snprintf(path, sizeof(path), "/api/v1/users/%s", owner.user_id);
	session_call(&H, &staff, "DELETE", path, NULL, &r);
	assert_error(&r, 403, "forbidden");
	reply_free(&r);
	/* nothing changed: the staff member is still staff and the owner still there */
	session_call(&H, &owner, "GET", "/api/v1/users", NULL, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "users")), 2);
	reply_free(&r);
	session_call(&H, &staff, "GET", "/api/v1/me", NULL, &r);
	assert_string_equal(json_path_str(r.json, "user", "role"), "staff");
	reply_free(&r);
}

static void roles_change_but_never_the_last_owner(void **state)
{
	(void)state;
	struct session owner, staff;
	harness_signup(&H, "Atelier Roux", addr("owner3"), NULL, &owner);
	add_person(&owner, addr("staff3"), "staff", &staff);
	char own_path[96], staff_path[96];
	snprintf(own_path, sizeof(own_path), "/api/v1/users/%s", owner.user_id);
	snprintf(staff_path, sizeof(staff_path), "/api/v1/users/%s", staff.user_id);
	struct reply r;

	session_call(&H, &owner, "PATCH", own_path, "{\"role\": \"staff\"}", &r);
	assert_error(&r, 422, "last_owner");
	reply_free(&r);
	session_call(&H, &owner, "DELETE", own_path, NULL, &r);
	assert_error(&r, 422, "last_owner");
	reply_free(&r);
	session_call(&H, &owner, "PATCH", own_path, "{\"role\": \"boss\"}", &r);
	assert_error(&r, 400, "invalid_field");
	reply_free(&r);

	/* promote the staff member: from now on they may manage people */
	session_call(&H, &owner, "PATCH", staff_path, "{\"role\": \"owner\", \"name\": \"Léa Roux\"}", &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_path_str(r.json, "user", "role"), "owner");
	assert_string_equal(json_path_str(r.json, "user", "name"), "Léa Roux");
	reply_free(&r);
	assert_int_equal(status_of(&staff, "GET", "/api/v1/users", NULL), 200);

	/* with two owners, the first may step down; then the second is the last one */
	session_call(&H, &owner, "PATCH", own_path, "{\"role\": \"staff\"}", &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_path_str(r.json, "user", "role"), "staff");
	reply_free(&r);
	assert_int_equal(status_of(&owner, "GET", "/api/v1/users", NULL), 403);
	session_call(&H, &staff, "PATCH", staff_path, "{\"role\": \"staff\"}", &r);
	assert_error(&r, 422, "last_owner");
	reply_free(&r);
}

static void removal_ends_the_sessions(void **state)
{
	(void)state;
	struct session owner, staff;
	harness_signup(&H, "Studio Yoga Lune", addr("owner4"), NULL, &owner);
	const char *email = addr("staff4");
	add_person(&owner, email, "staff", &staff);
	assert_int_equal(status_of(&staff, "GET", "/api/v1/me", NULL), 200);
	char path[96];
	snprintf(path, sizeof(path), "/api/v1/users/%s", staff.user_id);
	assert_int_equal(status_of(&owner, "DELETE", path, NULL), 204);

	struct reply r;
	session_call(&H, &staff, "GET", "/api/v1/me", NULL, &r);
	assert_error(&r, 401, "unauthorized");
	reply_free(&r);
	session_call(&H, &owner, "DELETE", path, NULL, &r);
	assert_error(&r, 404, "not_found");
	reply_free(&r);
	session_call(&H, &owner, "GET", "/api/v1/users", NULL, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "users")), 1);
	reply_free(&r);

	/* the address is free again: the person may be invited anew */
	char id[32];
	invite(&owner, email, "staff", id);
	assert_string_not_equal(id, staff.user_id);
}

static void ids_of_another_account_are_not_found(void **state)
{
	(void)state;
	struct session a, b;
	harness_signup(&H, "Boulangerie A", addr("ownera"), NULL, &a);
	harness_signup(&H, "Boulangerie B", addr("ownerb"), NULL, &b);
	char staff_id[32];
	invite(&a, addr("staffa"), "staff", staff_id);
	char path[96];
	struct reply r;
	snprintf(path, sizeof(path), "/api/v1/users/%s", staff_id);
	session_call(&H, &b, "PATCH", path, "{\"role\": \"owner\"}", &r);
	assert_error(&r, 404, "not_found");
	reply_free(&r);
	session_call(&H, &b, "DELETE", path, NULL, &r);
	assert_error(&r, 404, "not_found");
	reply_free(&r);
	snprintf(path, sizeof(path), "/api/v1/users/%s", a.user_id);
	session_call(&H, &b, "DELETE", path, NULL, &r);
	assert_error(&r, 404, "not_found");
	reply_free(&r);
	/* B's list holds only B */
	session_call(&H, &b, "GET", "/api/v1/users", NULL, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "users")), 1);
	assert_null(strstr(r.body, staff_id));
	reply_free(&r);
	/* and A's invitation is untouched */
	session_call(&H, &a, "GET", "/api/v1/users", NULL, &r);
	assert_non_null(strstr(r.body, staff_id));
	reply_free(&r);
}

static void one_address_is_one_user(void **state)
{
	(void)state;
	struct session a, b;
	const char *owner_a = addr("ownerc");
	harness_signup(&H, "Garage Confidentiel", owner_a, NULL, &a);
	harness_signup(&H, "Garage Voisin", addr("ownerd"), NULL, &b);
	char body[300];
	struct reply r;
	snprintf(body, sizeof(body), "{\"email\": \"%s\", \"role\": \"staff\"}", owner_a);
	session_call(&H, &b, "POST", "/api/v1/users", body, &r);
	assert_error(&r, 409, "email_taken");
	assert_null(strstr(r.body, "Confidentiel")); /* says nothing about the other account */
	assert_null(strstr(r.body, a.account_id));
	reply_free(&r);
	/* the same address in upper case is the same address */
	char upper[128];
	snprintf(upper, sizeof(upper), "%s", owner_a);
	for (char *p = upper; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 32);
	snprintf(body, sizeof(body), "{\"email\": \"%s\"}", upper);
	session_call(&H, &b, "POST", "/api/v1/users", body, &r);
	assert_error(&r, 409, "email_taken");
	reply_free(&r);
	session_call(&H, &b, "POST", "/api/v1/users", "{\"email\": \"not-an-address\"}", &r);
	assert_error(&r, 400, "invalid_email");
	reply_free(&r);
	session_call(&H, &b, "POST", "/api/v1/users", "{\"email\": \"x@example.fr\", \"admin\": true}", &r);
	assert_error(&r, 400, "unknown_field");
	reply_free(&r);
	session_call(&H, &b, "GET", "/api/v1/users", NULL, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "users")), 1);
	reply_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(invite_accept_and_reused_token),
		cmocka_unit_test(staff_cannot_manage_people),
		cmocka_unit_test(roles_change_but_never_the_last_owner),
		cmocka_unit_test(removal_ends_the_sessions),
		cmocka_unit_test(ids_of_another_account_are_not_found),
		cmocka_unit_test(one_address_is_one_user),
	};
	return cmocka_run_group_tests_name("api/people", tests, harness_setup, harness_teardown);
}
