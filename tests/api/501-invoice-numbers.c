/* Invoice numbers under load and under failure: 20 finalisations at once, each on its own
 * connection, give F-2027-000001 … 000020 with no gap and no duplicate; then a finalisation
 * made to fail at every statement in turn (the store's fault injection), after the counter
 * was taken included, leaves nothing behind, and the next one takes the next number. */
#include <pthread.h>
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
#include "base/tz.h"
#include "billing/billing.h"

#define N 20

static void tweak(struct config *cfg)
{
	cfg->pool_size = 40;
	/* only this test's statements count for the fault injection: no worker, no store clock */
	cfg->no_worker = 1;
	cfg->test_mode = 0;
}

static int setup(void **state)
{
	(void)state;
	harness_start(&H, tweak);
	return 0;
}

struct sub {
	int64_t account_id, now;
	char id[24];
	int rc;
	struct err e;
};

static int sub_tx(db_conn *c, void *ctx, struct err *e)
{
	struct sub *x = ctx;
	return billing_change_plan(c, x->account_id, 0, PLAN_OPTIMUM, PLAN_PRO, x->now, x->id, e);
}

static void *sub_thread(void *arg)
{
	struct sub *x = arg;
	x->rc = db_transact(H.app->db, sub_tx, x, &x->e);
	return NULL;
}

static int identity_tx(db_conn *c, void *ctx, struct err *e)
{
	struct billing_identity id = {.legal_name = "Garage du Pont",
				      .street = "8 quai Est",
				      .postcode = "33000",
				      .city = "Bordeaux",
				      .country = "FR",
				      .siren = "732829320",
				      .email = "factures@garage.example"};
	return billing_identity_put(c, *(int64_t *)ctx, &id, 1, e);
}

static int64_t business(void)
{
	struct biz b;
	fx_business(&b, "Garage du Pont", "Europe/Paris");
	struct err e = {0};
	assert_int_equal(db_transact(H.app->db, identity_tx, &b.id, &e), 0);
	return b.id;
}

static int64_t count(const char *sql)
{
	return fx_int(sql, DB_NOARGS);
}

static void twenty_at_once_then_a_crash(void **state)
{
	(void)state;
	int64_t now = tz_days_from_civil(2027, 4, 10) * 86400 + 10 * 3600;
	static struct sub subs[N];
	for (int i = 0; i < N; i++)
		subs[i] = (struct sub){.account_id = business(), .now = now};
	pthread_t t[N];
	for (int i = 0; i < N; i++)
		assert_int_equal(pthread_create(&t[i], NULL, sub_thread, &subs[i]), 0);
	for (int i = 0; i < N; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < N; i++) {
		if (subs[i].rc)
			fprintf(stderr, "finalisation %d: %s\n", i, subs[i].e.message);
		assert_int_equal(subs[i].rc, 0);
	}
	/* numbers 1..20, each once: count, distinct, min and max of the sequence */
	assert_int_equal(count("SELECT COUNT(*) FROM invoices WHERE state = 'final'"), N);
	assert_int_equal(count("SELECT COUNT(DISTINCT number) FROM invoices"), N);
	assert_int_equal(count("SELECT MIN(seq) FROM invoices"), 1);
	assert_int_equal(count("SELECT MAX(seq) FROM invoices"), N);
	assert_int_equal(count("SELECT COUNT(*) FROM invoices WHERE number = 'F-2027-000001'"), 1);
	assert_int_equal(count("SELECT COUNT(*) FROM invoices WHERE number = 'F-2027-000020'"), 1);
	assert_int_equal(count("SELECT next FROM invoice_counters WHERE series = 'F' AND year = 2027"),
			 N + 1);

	/* a crash at every statement in turn */
	int64_t victim = business();
	int failed = 0;
	for (long k = 1; k < 500; k++) {
		struct sub x = {.account_id = victim, .now = now};
		db_fault_fail_nth(H.app->db, k);
		int rc = db_transact(H.app->db, sub_tx, &x, &x.e);
		db_fault_fail_nth(H.app->db, 0);
		if (rc == 0) {
			/* the first that went through takes the next number: no gap */
			assert_int_equal(
				count("SELECT COUNT(*) FROM invoices WHERE number = 'F-2027-000021'"), 1);
			break;
		}
		failed++;
		/* nothing of it was kept: no document (not even a draft), no PDF, no mail, no month, the
		 * counter as it was */
		assert_int_equal(count("SELECT COUNT(*) FROM invoices"), N);
		assert_int_equal(
			count("SELECT next FROM invoice_counters WHERE series = 'F' AND year = 2027"), N + 1);
		assert_int_equal(count("SELECT COUNT(*) FROM files WHERE content_type = 'application/pdf'"),
				 N);
		assert_int_equal(fx_int("SELECT COUNT(*) FROM billing_months WHERE account_id = $1",
					DB_ARGS(DB_INT(victim))),
				 0);
	}
	/* the statements after the counter (the PDF's file, the final record, the mail) failed too */
	fprintf(stderr, "finalisation refused at %d statements in turn, then went through\n", failed);
	assert_true(failed >= 10);
	assert_int_equal(count("SELECT COUNT(*) FROM invoices WHERE state = 'final'"), N + 1);
	assert_int_equal(count("SELECT MAX(seq) FROM invoices"), N + 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(twenty_at_once_then_a_crash),
	};
	return cmocka_run_group_tests(tests, setup, harness_teardown);
}
