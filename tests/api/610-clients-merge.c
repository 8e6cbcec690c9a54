/* Merging duplicate clients through the API: the other client's appointments and messages move
 * to the kept one, its missing contact details fill the kept one's, notes are joined, a consent
 * survives only when both gave it, the other is erased — and the refusals: itself (409), an
 * unknown or another business's client (404), an erased one (409), a missing "from" (400). The
 * notifications log filtered by client follows the messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"
#include "sched_fixture.h"

static struct biz B, other;
static char staff_id[24], service_id[24];

static void create(struct biz *b, const char *body, char id[32])
{
	struct reply r;
	session_expect(&H, &b->s, "POST", "/api/v1/clients", body, 201, &r);
	snprintf(id, 32, "%s", json_path_str(r.json, "client", "id"));
	reply_free(&r);
}

static void book(const char *start, const char *client)
{
	char body[512];
	struct reply r;
	snprintf(body, sizeof(body),
		 "{\"service\": \"%s\", \"staff\": \"%s\", \"start\": \"%s\", \"client\": \"%s\"}",
		 service_id, staff_id, start, client);
	fx_book(&B, body, NULL, &r);
	if (r.status != 201)
		fprintf(stderr, "book %s: %ld %s\n", body, r.status, r.body);
	assert_int_equal(r.status, 201);
	reply_free(&r);
}

/* How many messages GET /api/v1/notifications/log?client=id lists. */
static size_t messages_of(const char *client)
{
	char path[128];
	struct reply r;
	snprintf(path, sizeof(path), "/api/v1/notifications/log?client=%s", client);
	session_expect(&H, &B.s, "GET", path, NULL, 200, &r);
	const json_t *list = json_object_get(r.json, "messages");
	size_t n = json_array_size(list);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(json_string_value(json_object_get(json_array_get(list, i), "client")),
				    client);
	reply_free(&r);
	return n;
}

static int setup(void **state)
{
	if (harness_setup(state))
		return -1;
	fx_clock("2027-03-01T07:00:00Z"); /* Monday 08:00 in Paris */
	fx_business(&B, "Salon Élodie", "Europe/Paris");
	fx_business(&other, "Salon Voisin", "Europe/Paris");
	int64_t st = fx_staff(&B, "Léa", staff_id);
	int64_t sv = fx_service(&B, 30, 0, 0, 1, service_id);
	fx_provides(&B, sv, st);
	fx_hours_all_week(&B, st, 8 * 60, 20 * 60);
	return 0;
}

static void merge_moves_everything_and_erases_the_other(void **state)
{
	(void)state;
	char kept[32], dup[32], foreign[32], path[128];
	create(&B,
	       "{\"first_name\": \"Élodie\", \"last_name\": \"Martin\", \"phone\": \"06 12 34 56 78\", "
	       "\"notes\": \"Aime le thé\", \"consent_sms\": true}",
	       kept);
	create(&B,
	       "{\"first_name\": \"Elodie\", \"last_name\": \"Martin\", \"email\": "
	       "\"elodie.martin@example.fr\", "
	       "\"notes\": \"Allergique au latex\", \"consent_sms\": false}",
	       dup);
	create(&other, "{\"last_name\": \"Étrangère\", \"email\": \"autre@example.fr\"}", foreign);
	book("2027-03-02T10:00:00+01:00", dup);
	book("2027-03-03T11:00:00+01:00", dup);
	size_t sent_to_dup = messages_of(dup);
	assert_true(sent_to_dup >= 2); /* the confirmations */
	assert_int_equal(messages_of(kept), 0);

	struct reply r;
	snprintf(path, sizeof(path), "/api/v1/clients/%s/merge", kept);
	char body[128];
	/* refusals first: nothing changes */
	snprintf(body, sizeof(body), "{\"from\": \"%s\"}", kept);
	session_expect(&H, &B.s, "POST", path, body, 409, &r);
	assert_error(&r, 409, "same_client");
	reply_free(&r);
	session_expect(&H, &B.s, "POST", path, "{}", 400, &r);
	assert_error(&r, 400, "missing_field");
	reply_free(&r);
	session_expect(&H, &B.s, "POST", path, "{\"from\": \"cli_nobodyhasthis00\"}", 404, &r);
	assert_error(&r, 404, "not_found");
	reply_free(&r);
	snprintf(body, sizeof(body), "{\"from\": \"%s\"}", foreign); /* another business's client */
	session_expect(&H, &B.s, "POST", path, body, 404, &r);
	assert_error(&r, 404, "not_found");
	reply_free(&r);
	{ /* the other business cannot merge into or out of ours */
		char theirs[128];
		snprintf(theirs, sizeof(theirs), "/api/v1/clients/%s/merge", foreign);
		snprintf(body, sizeof(body), "{\"from\": \"%s\"}", dup);
		session_expect(&H, &other.s, "POST", theirs, body, 404, &r);
		reply_free(&r);
	}
	assert_int_equal(messages_of(dup), sent_to_dup);

	snprintf(body, sizeof(body), "{\"from\": \"%s\"}", dup);
	session_expect(&H, &B.s, "POST", path, body, 200, &r);
	const json_t *cl = json_object_get(r.json, "client");
	assert_int_equal(json_integer_value(json_object_get(r.json, "appointments_moved")), 2);
	assert_string_equal(json_string_value(json_object_get(cl, "id")), kept);
	assert_string_equal(json_string_value(json_object_get(cl, "first_name")), "Élodie"); /* kept's */
	assert_string_equal(json_string_value(json_object_get(cl, "email")), "elodie.martin@example.fr");
	assert_string_equal(json_string_value(json_object_get(cl, "phone")), "+33612345678");
	assert_string_equal(json_string_value(json_object_get(cl, "notes")),
			    "Aime le thé\n\nAllergique au latex");
	assert_true(json_is_true(json_object_get(cl, "consent_email")));
	assert_true(json_is_false(json_object_get(cl, "consent_sms"))); /* the duplicate had refused */
	reply_free(&r);

	/* the kept client's card holds the two appointments; the other is erased */
	snprintf(path, sizeof(path), "/api/v1/clients/%s", kept);
	session_expect(&H, &B.s, "GET", path, NULL, 200, &r);
	assert_int_equal(json_array_size(json_object_get(json_object_get(r.json, "client"), "upcoming")), 2);
	reply_free(&r);
	snprintf(path, sizeof(path), "/api/v1/clients/%s", dup);
	session_expect(&H, &B.s, "GET", path, NULL, 200, &r);
	cl = json_object_get(r.json, "client");
	assert_false(json_is_null(json_object_get(cl, "anonymised_at")));
	assert_string_equal(json_string_value(json_object_get(cl, "email")), "");
	assert_int_equal(json_array_size(json_object_get(cl, "upcoming")), 0);
	reply_free(&r);

	/* the messages follow the kept client */
	assert_int_equal(messages_of(kept), sent_to_dup);
	assert_int_equal(messages_of(dup), 0);

	/* one client left when searching, accents ignored */
	session_expect(&H, &B.s, "GET", "/api/v1/clients?q=elodie", NULL, 200, &r);
	const json_t *list = json_object_get(r.json, "clients");
	assert_int_equal(json_array_size(list), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "id")), kept);
	reply_free(&r);

	/* the erased one cannot be merged again */
	snprintf(path, sizeof(path), "/api/v1/clients/%s/merge", kept);
	session_expect(&H, &B.s, "POST", path, body, 409, &r);
	assert_error(&r, 409, "client_erased");
	reply_free(&r);
}

static void log_filter_refuses_a_malformed_client(void **state)
{
	(void)state;
	struct reply r;
	session_expect(&H, &B.s, "GET",
		       "/api/v1/notifications/log?client=cli_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", NULL, 400, &r);
	assert_error(&r, 400, "invalid_field");
	reply_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(merge_moves_everything_and_erases_the_other),
		cmocka_unit_test(log_filter_refuses_a_malformed_client),
	};
	return cmocka_run_group_tests_name("api/clients-merge", tests, setup, harness_teardown);
}
