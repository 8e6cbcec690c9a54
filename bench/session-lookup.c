/* The server-side cost of checking a session: session_lookup (one indexed read of sessions
 * joined to users and accounts) timed in a loop on the store given as argv[1], after a
 * sign-up creates the session. Prints microseconds per lookup. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account/account.h"
#include "account/signup.h"
#include "base/clock.h"

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: session-lookup STORE_URL [ROUNDS]\n");
		return 2;
	}
	long rounds = argc > 2 ? strtol(argv[2], NULL, 10) : 20000;
	struct err e = {0};
	db *d;
	if (db_open(argv[1], NULL, &d, &e) || db_migrate(d, &e) || plans_load(d, &e)) {
		fprintf(stderr, "store: %s\n", e.message);
		return 1;
	}
	struct signup s = {.plan = PLAN_OPTIMUM};
	snprintf(s.business_name, sizeof(s.business_name), "Banc d'essai");
	snprintf(s.email, sizeof(s.email), "bench-%ld@exemple.fr", (long)clock_now());
	snprintf(s.password, sizeof(s.password), "Banc-Essai-2027");
	snprintf(s.business_type, sizeof(s.business_type), "other");
	snprintf(s.time_zone, sizeof(s.time_zone), "Europe/Paris");
	snprintf(s.locale, sizeof(s.locale), "fr");
	struct signup_result out;
	if (signup_create(d, &s, clock_now(), &out, &e)) {
		fprintf(stderr, "sign-up: %s\n", e.message);
		return 1;
	}
	struct principal p;
	for (int i = 0; i < 100; i++) /* warm up */
		if (session_lookup(d, out.session_token, clock_now(), &p, &e) != 1)
			return 1;
	int64_t t0 = clock_mono_ms();
	for (long i = 0; i < rounds; i++)
		if (session_lookup(d, out.session_token, clock_now(), &p, &e) != 1) {
			fprintf(stderr, "lookup: %s\n", e.message);
			return 1;
		}
	double us = (double)(clock_mono_ms() - t0) * 1000.0 / (double)rounds;
	printf("session_lookup on %-10s %8.1f us per check (%ld rounds, one thread)\n", db_kind_name(d), us,
	       rounds);
	db_close(d);
	return 0;
}
