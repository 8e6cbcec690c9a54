/* Races through HTTP: 50 clients post the same slot at once, released together by a barrier.
 * Each round: exactly one 201 and 49 × 409 `slot_taken`; the last seats of a group session
 * (capacity 3: exactly three winners); "no preference" with two free staff (exactly two
 * winners, one each). After every round no two live blocks of one staff member overlap.
 * CRENEAU_RACE_ROUNDS sets the rounds (default 20); CRENEAU_RACE_URL sends every other client
 * to a second server sharing the store; pg-races.c starts one itself. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/tz.h"
#include "harness.h"
#include "sched_fixture.h"

#define CLIENTS 50

static struct biz B;
static char svc_one[24], svc_group[24], svc_any[24], ana[24], ben[24];
static int rounds = 20;
static struct harness second; /* base_url only: another server on the same store */
static int use_second;

struct shot {
	pthread_barrier_t *go;
	const char *body;
	struct harness *target;
	long status;
	char code[48], staff[24];
};

static void *fire(void *arg)
{
	struct shot *s = arg;
	const char *headers[] = {B.s.cookie, B.s.csrf, NULL};
	struct reply r;
	pthread_barrier_wait(s->go);
	http_call(s->target, "POST", "/api/v1/appointments", s->body, headers, &r);
	s->status = r.status;
	const char *code = json_path_str(r.json, "error", "code");
	const char *staff = json_path_str(r.json, "appointment", "staff");
	snprintf(s->code, sizeof(s->code), "%s", code ? code : "");
	snprintf(s->staff, sizeof(s->staff), "%s", staff ? staff : "");
	reply_free(&r);
	return NULL;
}

/* Fires CLIENTS identical bookings at once; returns the number of 201s and checks every
 * other answer is a 409 with one of the codes given. */
static int volley(const char *body, const char *code1, const char *code2, char winners[][24])
{
	pthread_t t[CLIENTS];
	struct shot s[CLIENTS];
	pthread_barrier_t go;
	pthread_barrier_init(&go, NULL, CLIENTS);
	for (int i = 0; i < CLIENTS; i++) {
		s[i] = (struct shot){.go = &go, .body = body, .target = use_second && i % 2 ? &second : &H};
		assert_int_equal(pthread_create(&t[i], NULL, fire, &s[i]), 0);
	}
	int won = 0;
	for (int i = 0; i < CLIENTS; i++) {
		pthread_join(t[i], NULL);
		if (s[i].status == 201) {
			if (winners)
				snprintf(winners[won], 24, "%s", s[i].staff);
			won++;
			continue;
		}
		if (s[i].status != 409 || (strcmp(s[i].code, code1) && (!code2 || strcmp(s[i].code, code2))))
			fprintf(stderr, "client %d: %ld %s\n", i, s[i].status, s[i].code);
		assert_int_equal(s[i].status, 409);
		assert_true(!strcmp(s[i].code, code1) || (code2 && !strcmp(s[i].code, code2)));
	}
	pthread_barrier_destroy(&go);
	return won;
}

static int setup(void **state)
{
	harness_setup(state);
	const char *n = getenv("CRENEAU_RACE_ROUNDS");
	if (n && *n)
		rounds = (int)strtol(n, NULL, 10);
	if (rounds < 1)
		rounds = 1;
#ifdef RACE_SECOND_SERVER
	const char *url = RACE_SECOND_SERVER(); /* pg-races.c: a second `creneau serve` */
#else
	const char *url = getenv("CRENEAU_RACE_URL");
#endif
	if (url && *url) {
		snprintf(second.base_url, sizeof(second.base_url), "%s", url);
		use_second = 1;
	}
	fx_clock("2027-04-05T08:00:00+02:00");
	fx_business(&B, "Salon Course", "Europe/Paris");
	int64_t a = fx_staff(&B, "Ana", ana), b = fx_staff(&B, "Ben", ben);
	char c1[24], c2[24];
	int64_t c = fx_staff(&B, "Cléo", c1), d = fx_staff(&B, "Dora", c2);
	int64_t s1 = fx_service(&B, 60, 0, 0, 1, svc_one), s2 = fx_service(&B, 60, 0, 0, 3, svc_group);
	int64_t s3 = fx_service(&B, 60, 0, 0, 1, svc_any);
	fx_provides(&B, s1, a);
	fx_provides(&B, s2, b);
	fx_provides(&B, s3, c);
	fx_provides(&B, s3, d);
	fx_hours_all_week(&B, a, 0, 1440);
	fx_hours_all_week(&B, b, 0, 1440);
	fx_hours_all_week(&B, c, 0, 1440);
	fx_hours_all_week(&B, d, 0, 1440);
	return 0;
}

/* The start of round r: one hour apart from 2027-04-06 00:00 UTC. */
static void round_start(int r, char out[32])
{
	int64_t t = 1806969600 + (int64_t)r * 3600; /* 2027-04-06T00:00:00Z */
	tz_format_rfc3339(NULL, t, out);
}

static void fifty_clients_one_slot_one_winner(void **state)
{
	(void)state;
	for (int r = 0; r < rounds; r++) {
		char start[32], body[256];
		round_start(r, start);
		snprintf(body, sizeof(body), "{\"service\": \"%s\", \"staff\": \"%s\", \"start\": \"%s\"}",
			 svc_one, ana, start);
		assert_int_equal(volley(body, "slot_taken", NULL, NULL), 1);
		assert_int_equal(fx_overlaps(&B), 0);
	}
	assert_int_equal(fx_int("SELECT count(*) FROM appointments WHERE account_id = $1 AND service_id ="
				" (SELECT id FROM services WHERE public_id = $2)",
				DB_ARGS(DB_INT(B.id), DB_TEXT(svc_one))),
			 rounds);
}

static void the_last_seats_of_a_session(void **state)
{
	(void)state;
	for (int r = 0; r < rounds; r++) {
		char start[32], body[256];
		round_start(r, start);
		snprintf(body, sizeof(body), "{\"service\": \"%s\", \"staff\": \"%s\", \"start\": \"%s\"}",
			 svc_group, ben, start);
		assert_int_equal(volley(body, "session_full", "slot_taken", NULL), 3);
		assert_int_equal(fx_overlaps(&B), 0);
	}
	assert_int_equal(fx_int("SELECT count(*) FROM blocks b WHERE b.account_id = $1 AND b.capacity = 3"
				" AND b.seats_taken = 3 AND b.status = 'active'",
				DB_ARGS(DB_INT(B.id))),
			 rounds);
}

static void no_preference_two_free_two_winners(void **state)
{
	(void)state;
	for (int r = 0; r < rounds; r++) {
		char start[32], body[256], won[CLIENTS][24];
		round_start(r, start);
		snprintf(body, sizeof(body), "{\"service\": \"%s\", \"staff\": \"any\", \"start\": \"%s\"}",
			 svc_any, start);
		assert_int_equal(volley(body, "slot_taken", NULL, won), 2);
		assert_string_not_equal(won[0], won[1]);
		assert_int_equal(fx_overlaps(&B), 0);
	}
}

#ifndef RACE_TEARDOWN
#define RACE_TEARDOWN harness_teardown
#endif

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fifty_clients_one_slot_one_winner),
		cmocka_unit_test(the_last_seats_of_a_session),
		cmocka_unit_test(no_preference_two_free_two_winners),
	};
	return cmocka_run_group_tests(tests, setup, RACE_TEARDOWN);
}
