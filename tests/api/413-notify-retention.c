/* Retention of messages (PRODUCT.md "Retention"), with the test clock and the daily purge job
 * the product schedules itself: a message's text and variables are kept 3 months, its
 * delivery record 12 months; a message still waiting to go keeps everything; finished jobs
 * go after 30 days. Checked in the store, as an auditor would. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"
#include "notify/notify.h"

#define DAY 86400

static int64_t one_int(const char *sql, int64_t arg)
{
	db_conn *c;
	struct err e = {0};
	int64_t v = -1;
	assert_int_equal(db_acquire(H.app->db, &c, &e), 0);
	if (db_query_int(c, sql, DB_ARGS(DB_INT(arg)), &v, &e) < 0)
		fail_msg("%s: %s", sql, e.message);
	db_release(c);
	return v;
}

/* Writes one platform-check e-mail of the account to the outbox, as a caller would in its
 * own transaction; the outbox row's id. */
static int64_t write_mail(int64_t account, const char *to, const char *subject_ref)
{
	db_conn *c;
	struct err e = {0};
	assert_int_equal(db_acquire(H.app->db, &c, &e), 0);
	assert_int_equal(db_begin(c, &e), 0);
	json_t *vars = json_pack("{s:s, s:s}", "name", "Gérante", "requested_at", "lundi");
	struct outbox_email m = {.account_id = account,
				 .kind = "smtp_check",
				 .subject_ref = subject_ref,
				 .to = to,
				 .vars = vars};
	assert_int_equal(outbox_email(c, &m, &e), 1);
	json_decref(vars);
	assert_int_equal(db_commit(c, &e), 0);
	int64_t id = 0;
	assert_int_equal(db_query_int(c, "SELECT id FROM outbox WHERE subject_ref = $1",
				      DB_ARGS(DB_TEXT(subject_ref)), &id, &e),
			 1);
	db_release(c);
	return id;
}

static void bodies_after_three_months_records_after_twelve(void **state)
{
	(void)state;
	test_clock("set", "2027-01-11T10:00:00+01:00");
	struct session s;
	harness_signup(&H, "Atelier Mémoire", "gerante-retention@exemple.fr", "pro", &s);
	/* a paying business: a trial left alone would be deleted long before a year */
	char body[160];
	struct reply r;
	snprintf(body, sizeof(body), "{\"slug\": \"%s\", \"state\": \"active\"}", s.slug);
	http_call(&H, "POST", "/api/v1/test/account-state", body, NULL, &r);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	int64_t account = 0;
	{
		db_conn *c;
		struct err e = {0};
		assert_int_equal(db_acquire(H.app->db, &c, &e), 0);
		assert_int_equal(db_query_int(c, "SELECT id FROM accounts WHERE slug = $1",
					      DB_ARGS(DB_TEXT(s.slug)), &account, &e),
				 1);
		db_release(c);
	}

	int64_t sent = write_mail(account, "cliente-retention@exemple.fr", "retention:sent");
	test_clock("advance_to", "2027-01-11T10:05:00+01:00");
	assert_int_equal(
		one_int("SELECT count(*) FROM outbox WHERE id = $1 AND state = 'sent' AND body IS NOT NULL",
			sent),
		1);
	/* a message that cannot go (no job: as if its sender were stuck) keeps everything */
	int64_t waiting = write_mail(account, "attente-retention@exemple.fr", "retention:waiting");
	{
		db_conn *c;
		struct err e = {0};
		assert_int_equal(db_acquire(H.app->db, &c, &e), 0);
		assert_true(db_exec(c, "DELETE FROM jobs WHERE unique_key = 'outbox:' || CAST($1 AS TEXT)",
				    DB_ARGS(DB_INT(waiting)), &e) == 1);
		db_release(c);
	}

	/* 89 days on: the text is still there */
	test_clock("advance_to", "2027-04-10T10:00:00+02:00");
	assert_int_equal(
		one_int("SELECT count(*) FROM outbox WHERE id = $1 AND body IS NOT NULL AND vars <> '{}'",
			sent),
		1);
	/* finished jobs older than 30 days are gone, the outbox keeps the record */
	assert_int_equal(
		one_int("SELECT count(*) FROM jobs WHERE unique_key = 'outbox:' || CAST($1 AS TEXT)", sent),
		0);
	/* past 3 months: the text and variables are emptied, the delivery record stays */
	test_clock("advance_to", "2027-04-12T10:00:00+02:00");
	assert_int_equal(one_int("SELECT count(*) FROM outbox WHERE id = $1 AND body IS NULL AND vars = '{}'"
				 " AND state = 'sent' AND sent_at IS NOT NULL",
				 sent),
			 1);
	assert_int_equal(one_int("SELECT count(*) FROM outbox WHERE id = $1 AND vars <> '{}'", waiting), 1);
	/* just before 12 months the record is there; past them it is gone */
	test_clock("advance_to", "2028-01-09T10:00:00+01:00");
	assert_int_equal(one_int("SELECT count(*) FROM outbox WHERE id = $1", sent), 1);
	test_clock("advance_to", "2028-01-13T10:00:00+01:00");
	assert_int_equal(one_int("SELECT count(*) FROM outbox WHERE id = $1", sent), 0);
	/* a message that never went is never purged under its sender */
	assert_int_equal(
		one_int("SELECT count(*) FROM outbox WHERE id = $1 AND state = 'queued' AND vars <> '{}'",
			waiting),
		1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bodies_after_three_months_records_after_twelve),
	};
	return cmocka_run_group_tests_name("api/notify-retention", tests, harness_setup, harness_teardown);
}
