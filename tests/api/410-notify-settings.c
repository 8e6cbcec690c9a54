/* The notification settings as an owner edits them: the defaults (24 h and 2 h, e-mail and
 * SMS) with the variables the texts may use and each SMS text's coding and worst-case
 * segments; validation naming the field (offsets, channels, sender name, unknown variable);
 * an SMS whose worst case passes 3 segments refused with 422 and the measure; optimistic
 * concurrency (409 on a stale version); the editor's live measure; a read-only account may
 * read but not write; the log pages with an opaque cursor. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"
#include "sched_fixture.h"

static const json_t *text_of(const json_t *answer, const char *channel, const char *locale)
{
	const json_t *texts = json_object_get(answer, "texts");
	for (size_t i = 0; i < json_array_size(texts); i++) {
		const json_t *t = json_array_get(texts, i);
		if (!strcmp(json_string_value(json_object_get(t, "channel")), channel) &&
		    !strcmp(json_string_value(json_object_get(t, "locale")), locale))
			return t;
	}
	fail_msg("no %s/%s text", channel, locale);
	return NULL;
}

static void put_fails(const struct session *s, const char *body, long status, const char *code,
		      const char *field)
{
	struct reply r;
	session_call(&H, s, "PUT", "/api/v1/notifications/settings", body, &r);
	if (r.status != status)
		fprintf(stderr, "PUT %s: %ld %s\n", body, r.status, r.body);
	assert_error(&r, status, code);
	if (field)
		assert_string_equal(json_path_str(json_object_get(r.json, "error"), "field", NULL), field);
	reply_free(&r);
}

static void defaults_and_measures(void **state)
{
	(void)state;
	struct biz b;
	struct reply r;
	fx_business(&b, "Salon Défauts", "Europe/Paris");
	session_expect(&H, &b.s, "GET", "/api/v1/notifications/settings", NULL, 200, &r);
	const json_t *set = json_object_get(r.json, "settings");
	const json_t *rem = json_object_get(set, "reminders");
	assert_int_equal(json_array_size(rem), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(rem, 0), "minutes")), 1440);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(rem, 1), "minutes")), 120);
	assert_int_equal(json_array_size(json_object_get(json_array_get(rem, 0), "channels")), 2);
	assert_int_equal(json_integer_value(json_object_get(set, "version")), 1);
	assert_true(json_is_true(json_object_get(set, "owner_new_booking")));
	assert_string_equal(json_string_value(json_object_get(set, "sms_sender")), "");
	/* the shipped French SMS: GSM-7, and within 3 segments at its longest */
	const json_t *sms = text_of(r.json, "sms", "fr");
	assert_string_equal(json_string_value(json_object_get(sms, "encoding")), "gsm7");
	json_int_t segs = json_integer_value(json_object_get(sms, "segments"));
	assert_true(segs >= 1 && segs <= 3);
	assert_true(json_is_false(json_object_get(sms, "edited")));
	assert_non_null(strstr(json_string_value(json_object_get(sms, "body")), "{{manage_url}}"));
	const json_t *mail = text_of(r.json, "email", "en");
	assert_non_null(strstr(json_string_value(json_object_get(mail, "subject")), "Reminder"));
	/* the variables and the lengths the worst case assumes */
	const json_t *vars = json_object_get(r.json, "variables");
	int seen = 0;
	for (size_t i = 0; i < json_array_size(vars); i++) {
		const char *n = json_string_value(json_object_get(json_array_get(vars, i), "name"));
		if (!strcmp(n, "client_first_name") || !strcmp(n, "manage_url") || !strcmp(n, "date"))
			seen++;
		assert_true(json_integer_value(json_object_get(json_array_get(vars, i), "max_length")) > 0);
	}
	assert_int_equal(seen, 3);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r.json, "sms"), "max_segments")),
			 3);
	reply_free(&r);

	/* the editor's live measure: an accent outside GSM-7 switches to UCS-2 ... */
	session_expect(&H, &b.s, "POST", "/api/v1/notifications/sms-preview",
		       "{\"body\": \"Fête chez {{business}}\"}", 200, &r);
	assert_string_equal(json_string_value(json_object_get(r.json, "encoding")), "ucs2");
	/* 10 characters + 40 for {{business}} = 50 UCS-2 units: one segment */
	assert_int_equal(json_integer_value(json_object_get(r.json, "units")), 50);
	assert_int_equal(json_integer_value(json_object_get(r.json, "segments")), 1);
	reply_free(&r);
	/* ... unless the business keeps texts accent-free */
	session_expect(&H, &b.s, "POST", "/api/v1/notifications/sms-preview",
		       "{\"body\": \"Fête chez {{business}}\", \"sms_accent_free\": true}", 200, &r);
	assert_string_equal(json_string_value(json_object_get(r.json, "encoding")), "gsm7");
	reply_free(&r);
	/* typographic apostrophes are normalised, not a reason for UCS-2 */
	session_expect(&H, &b.s, "POST", "/api/v1/notifications/sms-preview",
		       "{\"body\": \"Rendez-vous l’après-midi : {{time}}\"}", 200, &r);
	assert_string_equal(json_string_value(json_object_get(r.json, "encoding")), "gsm7");
	reply_free(&r);
	session_call(&H, &b.s, "POST", "/api/v1/notifications/sms-preview", "{\"body\": \"Hi {{nom}}\"}", &r);
	assert_error(&r, 400, "unknown_variable");
	reply_free(&r);
}

static void validation_names_the_field(void **state)
{
	(void)state;
	struct biz b;
	fx_business(&b, "Salon Règles", "Europe/Paris");
	put_fails(&b.s, "{\"reminders\": []}", 400, "missing_field", "version");
	put_fails(&b.s, "{\"version\": 1, \"reminders\": [{\"minutes\": 10, \"channels\": [\"email\"]}]}",
		  400, "invalid_field", "reminders[0].minutes");
	put_fails(&b.s, "{\"version\": 1, \"reminders\": [{\"minutes\": 20161, \"channels\": [\"email\"]}]}",
		  400, "invalid_field", "reminders[0].minutes");
	put_fails(&b.s,
		  "{\"version\": 1, \"reminders\": [{\"minutes\": 60, \"channels\": [\"email\"]}, "
		  "{\"minutes\": 120, "
		  "\"channels\": [\"fax\"]}]}",
		  400, "invalid_field", "reminders[1].channels");
	put_fails(&b.s,
		  "{\"version\": 1, \"reminders\": [{\"minutes\": 60, \"channels\": [\"email\"]}, "
		  "{\"minutes\": 120, "
		  "\"channels\": [\"email\"]}, {\"minutes\": 180, \"channels\": [\"email\"]}, {\"minutes\": "
		  "240, "
		  "\"channels\": [\"email\"]}, {\"minutes\": 300, \"channels\": [\"email\"]}]}",
		  400, "invalid_field", "reminders");
	put_fails(&b.s, "{\"version\": 1, \"reminders\": []}", 400, "invalid_field", "reminders");
	put_fails(&b.s, "{\"version\": 1, \"sms_sender\": \"SalonLumiere\"}", 400, "invalid_field",
		  "sms_sender");
	put_fails(&b.s, "{\"version\": 1, \"sms_sender\": \"Élise\"}", 400, "invalid_field", "sms_sender");
	put_fails(&b.s, "{\"version\": 1, \"colour\": \"red\"}", 400, "unknown_field", "colour");
	put_fails(&b.s,
		  "{\"version\": 1, \"texts\": [{\"channel\": \"email\", \"locale\": \"fr\", \"subject\": "
		  "\"Rappel\", "
		  "\"body\": \"Bonjour {{prenom}}\"}]}",
		  400, "unknown_variable", "texts[0].body");
	put_fails(&b.s,
		  "{\"version\": 1, \"texts\": [{\"channel\": \"email\", \"locale\": \"fr\", \"subject\": "
		  "\"Rappel {{x\", "
		  "\"body\": \"Bonjour\"}]}",
		  400, "invalid_template", "texts[0].subject");
	put_fails(&b.s,
		  "{\"version\": 1, \"texts\": [{\"channel\": \"sms\", \"locale\": \"de\", \"body\": "
		  "\"Hallo\"}]}",
		  400, "invalid_field", "texts[0].locale");
	/* 4 × manage_url alone passes 3 GSM-7 segments (459 septets) at its longest */
	struct reply r;
	session_call(&H, &b.s, "PUT", "/api/v1/notifications/settings",
		     "{\"version\": 1, \"texts\": [{\"channel\": \"sms\", \"locale\": \"fr\", \"body\": "
		     "\"{{manage_url}} "
		     "{{manage_url}} {{manage_url}} {{manage_url}} {{datetime}} {{datetime}} {{service}} "
		     "{{business}} "
		     "{{client_first_name}} {{client_last_name}}\"}]}",
		     &r);
	assert_error(&r, 422, "sms_too_long");
	assert_string_equal(json_path_str(json_object_get(r.json, "error"), "field", NULL), "texts[0].body");
	assert_non_null(strstr(json_path_str(json_object_get(r.json, "error"), "message", NULL), "segments"));
	reply_free(&r);
	/* nothing of the refused requests was kept */
	session_expect(&H, &b.s, "GET", "/api/v1/notifications/settings", NULL, 200, &r);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r.json, "settings"), "version")),
			 1);
	reply_free(&r);
}

static void save_edit_and_concurrency(void **state)
{
	(void)state;
	struct biz b;
	struct reply r;
	fx_business(&b, "Salon Versions", "Europe/Paris");
	const char *body =
		"{\"version\": 1, \"reminders\": [{\"minutes\": 2880, \"channels\": [\"email\"]}, "
		"{\"minutes\": 60, \"channels\": [\"sms\", \"email\"]}], \"sms_sender\": \"Salon 12\", "
		"\"staff_notices\": true, \"texts\": [{\"kind\": \"reminder\", \"channel\": \"sms\", "
		"\"locale\": \"fr\", \"body\": \"{{business}} : à {{time}} le {{date}}. {{manage_url}}\"}, "
		"{\"channel\": \"email\", \"locale\": \"fr\", \"subject\": \"À demain "
		"{{client_first_name}}\", "
		"\"body\": \"Rendez-vous {{datetime}}.\"}]}";
	session_expect(&H, &b.s, "PUT", "/api/v1/notifications/settings", body, 200, &r);
	const json_t *set = json_object_get(r.json, "settings");
	assert_int_equal(json_integer_value(json_object_get(set, "version")), 2);
	assert_string_equal(json_string_value(json_object_get(set, "sms_sender")), "Salon 12");
	assert_true(json_is_true(json_object_get(set, "staff_notices")));
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(json_object_get(set, "reminders"), 0), "minutes")),
			 2880);
	const json_t *sms = text_of(r.json, "sms", "fr");
	assert_true(json_is_true(json_object_get(sms, "edited")));
	assert_string_equal(json_string_value(json_object_get(sms, "encoding")), "gsm7");
	assert_true(json_is_false(json_object_get(text_of(r.json, "sms", "en"), "edited")));
	assert_string_equal(json_string_value(json_object_get(text_of(r.json, "email", "fr"), "subject")),
			    "À demain {{client_first_name}}");
	reply_free(&r);

	/* someone saved meanwhile: the stale version is refused and changes nothing */
	session_call(&H, &b.s, "PUT", "/api/v1/notifications/settings",
		     "{\"version\": 1, \"staff_notices\": false}", &r);
	assert_error(&r, 409, "stale_version");
	reply_free(&r);
	session_expect(
		&H, &b.s, "PUT", "/api/v1/notifications/settings",
		"{\"version\": 2, \"texts\": [{\"channel\": \"sms\", \"locale\": \"fr\", \"body\": null}]}",
		200, &r);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r.json, "settings"), "version")),
			 3);
	assert_true(json_is_true(json_object_get(json_object_get(r.json, "settings"), "staff_notices")));
	assert_true(json_is_false(json_object_get(text_of(r.json, "sms", "fr"), "edited")));
	reply_free(&r);
	/* a settings change re-plans the reminders of future appointments */
	assert_int_equal(
		fx_int("SELECT count(*) FROM jobs WHERE kind = 'reminders.replan' AND account_id = $1",
		       DB_ARGS(DB_INT(b.id))),
		2);
}

static void read_only_account_reads_only(void **state)
{
	(void)state;
	struct biz b;
	struct reply r;
	fx_business(&b, "Salon Lecture", "Europe/Paris");
	char body[160];
	snprintf(body, sizeof(body), "{\"slug\": \"%s\", \"state\": \"read_only\"}", b.s.slug);
	http_call(&H, "POST", "/api/v1/test/account-state", body, NULL, &r);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	session_expect(&H, &b.s, "GET", "/api/v1/notifications/settings", NULL, 200, &r);
	reply_free(&r);
	session_expect(&H, &b.s, "GET", "/api/v1/notifications/log", NULL, 200, &r);
	reply_free(&r);
	session_call(&H, &b.s, "PUT", "/api/v1/notifications/settings",
		     "{\"version\": 1, \"staff_notices\": true}", &r);
	assert_error(&r, 403, "account_read_only");
	reply_free(&r);
}

static void log_pages_with_a_cursor(void **state)
{
	(void)state;
	struct biz b;
	struct reply r;
	fx_business(&b, "Salon Journal", "Europe/Paris");
	/* five messages as the outbox holds them, one of them suppressed */
	for (int i = 0; i < 5; i++) {
		char to[64], ref[32];
		snprintf(to, sizeof(to), "c%d@client.example", i);
		snprintf(ref, sizeof(ref), "appointment:%d", 9000 + i);
		fx_exec("INSERT INTO outbox (account_id, kind, channel, subject_ref, recipient, version, "
			"locale, "
			"template, state, reason, message_id, created_at) VALUES ($1, 'reminder_1440', "
			"'email', $2, $3, "
			"1, 'fr', 'reminder', $4, $5, $6, $7)",
			DB_ARGS(DB_INT(b.id), DB_TEXT(ref), DB_TEXT(to),
				DB_TEXT(i == 2 ? "suppressed" : "sent"), DB_TEXT(i == 2 ? "moved" : NULL),
				DB_TEXT(to), DB_INT(1800000000 + i)));
	}
	session_expect(&H, &b.s, "GET", "/api/v1/notifications/log?limit=2", NULL, 200, &r);
	const json_t *m = json_object_get(r.json, "messages");
	assert_int_equal(json_array_size(m), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(m, 0), "recipient")),
			    "c4@client.example");
	char path[160];
	snprintf(path, sizeof(path), "/api/v1/notifications/log?limit=2&cursor=%s",
		 json_string_value(json_object_get(r.json, "next_cursor")));
	reply_free(&r);
	session_expect(&H, &b.s, "GET", path, NULL, 200, &r);
	m = json_object_get(r.json, "messages");
	assert_int_equal(json_array_size(m), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(m, 0), "status")), "suppressed");
	assert_string_equal(json_string_value(json_object_get(json_array_get(m, 0), "reason")), "moved");
	reply_free(&r);
	session_expect(&H, &b.s, "GET", "/api/v1/notifications/log?status=suppressed&channel=email", NULL,
		       200, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "messages")), 1);
	assert_true(json_is_null(json_object_get(r.json, "next_cursor")));
	reply_free(&r);
	session_expect(&H, &b.s, "GET", "/api/v1/notifications/log?channel=sms", NULL, 200, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "messages")), 0);
	reply_free(&r);
	session_call(&H, &b.s, "GET", "/api/v1/notifications/log?status=lost", NULL, &r);
	assert_error(&r, 400, "invalid_field");
	reply_free(&r);
	session_call(&H, &b.s, "GET", "/api/v1/notifications/log?cursor=zz'--", NULL, &r);
	assert_error(&r, 400, "invalid_field");
	reply_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_and_measures),     cmocka_unit_test(validation_names_the_field),
		cmocka_unit_test(save_edit_and_concurrency), cmocka_unit_test(read_only_account_reads_only),
		cmocka_unit_test(log_pages_with_a_cursor),
	};
	return cmocka_run_group_tests_name("notification settings", tests, harness_setup, harness_teardown);
}
