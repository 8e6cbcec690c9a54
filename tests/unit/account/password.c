/* account/password: the policy, argon2id hash and verify, constant work for a missing hash,
 * and the bounded pool answering 503 busy when full. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "account/password.h"
#include "base/clock.h"

static void assert_weak(const char *pw, const char *email, const char *field)
{
	struct err e = {0};
	assert_int_equal(password_policy_check(pw, email, field, &e), -1);
	assert_int_equal(e.status, 400);
	assert_string_equal(e.code, "weak_password");
	assert_string_equal(e.field, field);
}

static void policy(void **state)
{
	(void)state;
	struct err e = {0};
	/* too short, counted in characters, not bytes */
	assert_weak("", "a@b.fr", "password");
	assert_weak("Xy7#kq2!m", "a@b.fr", "password");				  /* 9 */
	assert_int_equal(password_policy_check("éèàçùâêîôû", NULL, "pw", &e), 0); /* 10 chars, 20 bytes */
	assert_weak("ééééééééé", NULL, "pw");					  /* 9 characters, 18 bytes */
	assert_int_equal(password_policy_check("été à l’étang", NULL, "pw", &e), 0);
	/* common, whatever the case */
	assert_weak("motdepasse123", "a@b.fr", "password");
	assert_weak("AZERTYUIOP", "a@b.fr", "password");
	assert_weak("Marseille13", "a@b.fr", "password");
	assert_weak("123456789a", "a@b.fr", "password");
	assert_weak("Password123", "a@b.fr", "new_password");
	/* the e-mail or its local part */
	assert_weak("camille.durand@exemple.fr", "camille.durand@exemple.fr", "password");
	assert_weak("xxCAMILLE.DURAND2024", "camille.durand@exemple.fr", "password");
	/* too long */
	char big[PASSWORD_MAX + 2];
	memset(big, 'k', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_weak(big, NULL, "password");
	big[PASSWORD_MAX] = '\0';
	assert_int_equal(password_policy_check(big, NULL, "password", &e), 0);
	/* good ones */
	assert_int_equal(password_policy_check("cheval-agrafe-pile", "camille@exemple.fr", "password", &e),
			 0);
	assert_int_equal(password_policy_check("Xy7#kq2!mZ", "a@b.fr", "password", &e), 0);
	/* a 1- or 2-letter local part is not searched for (it would refuse too much) */
	assert_int_equal(password_policy_check("cheval-agrafe-pile", "al@exemple.fr", "password", &e), 0);
}

static double ms_since(int64_t t0)
{
	return (double)(clock_mono_ms() - t0);
}

static void hash_and_verify(void **state)
{
	(void)state;
	struct err e = {0};
	char h[PASSWORD_HASH_SIZE];
	int64_t t0 = clock_mono_ms();
	assert_int_equal(password_hash("cheval-agrafe-pile", h, &e), 0);
	double hash_ms = ms_since(t0);
	assert_true(!strncmp(h, "$argon2id$v=19$m=65536,t=3,p=1$", 31));
	char h2[PASSWORD_HASH_SIZE];
	assert_int_equal(password_hash("cheval-agrafe-pile", h2, &e), 0);
	assert_string_not_equal(h, h2); /* salted */

	t0 = clock_mono_ms();
	assert_int_equal(password_verify(h, "cheval-agrafe-pile", &e), 1);
	double ok_ms = ms_since(t0);
	assert_int_equal(password_verify(h, "cheval-agrafe-pilE", &e), 0);
	assert_int_equal(password_verify(h, "", &e), 0);
	t0 = clock_mono_ms();
	assert_int_equal(password_verify(NULL, "cheval-agrafe-pile", &e), 0);
	double none_ms = ms_since(t0);
	assert_int_equal(password_verify("", "cheval-agrafe-pile", &e), 0);
	assert_int_equal(password_verify("not a hash", "cheval-agrafe-pile", &e), 0);
	fprintf(stderr, "argon2id: hash %.0f ms, verify %.0f ms, verify without a hash %.0f ms\n", hash_ms,
		ok_ms, none_ms);
	/* An unknown e-mail costs the same work as a wrong password (loose bound: shared CPU). */
	assert_true(none_ms > ok_ms / 3);
	assert_true(ok_ms > 10);
}

struct shot {
	pthread_barrier_t *go;
	int rc;
	struct err e;
};

static void *fire(void *arg)
{
	struct shot *s = arg;
	char h[PASSWORD_HASH_SIZE];
	pthread_barrier_wait(s->go);
	s->rc = password_hash("cheval-agrafe-pile", h, &s->e);
	return NULL;
}

static void pool_full_answers_busy(void **state)
{
	(void)state;
	password_pool_stop();
	password_pool_start(1, 1); /* one running, one waiting, the rest refused */
	enum { N = 6 };
	pthread_barrier_t go;
	pthread_barrier_init(&go, NULL, N);
	pthread_t t[N];
	struct shot shots[N];
	memset(shots, 0, sizeof(shots));
	for (int i = 0; i < N; i++) {
		shots[i].go = &go;
		assert_int_equal(pthread_create(&t[i], NULL, fire, &shots[i]), 0);
	}
	int done = 0, busy = 0;
	for (int i = 0; i < N; i++) {
		pthread_join(t[i], NULL);
		if (shots[i].rc == 0) {
			done++;
		} else {
			busy++;
			assert_int_equal(shots[i].e.status, 503);
			assert_string_equal(shots[i].e.code, "busy");
			assert_int_equal(shots[i].e.retry_after, 1);
		}
	}
	pthread_barrier_destroy(&go);
	/* the running one goes through; six arriving together within one hash's time cannot all
	 * fit in one running and one waiting, so some are refused (how many depends on when each
	 * thread arrives, so only the bounds are asserted) */
	assert_true(done >= 1);
	assert_true(busy >= 1);
	assert_int_equal(done + busy, N);
	/* Once the pool is idle again it takes work. */
	struct err e = {0};
	char h[PASSWORD_HASH_SIZE];
	assert_int_equal(password_hash("cheval-agrafe-pile", h, &e), 0);
	password_pool_stop();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(policy),
		cmocka_unit_test(hash_and_verify),
		cmocka_unit_test(pool_full_answers_busy),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	password_pool_stop();
	return rc;
}
