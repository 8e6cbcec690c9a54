/* community/ideas: the pure rules — which moves an operator may make, when votes are open,
 * which states need a response, status codes and words, and what the community sees of an
 * author's name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "community/ideas.h"

static void codes_round_trip(void **state)
{
	(void)state;
	for (int s = 0; s < IDEA_STATUS_COUNT; s++)
		assert_int_equal(idea_status_parse(idea_status_code((enum idea_status)s)), s);
	assert_int_equal(idea_status_parse("nope"), -1);
	assert_int_equal(idea_status_parse(NULL), -1);
	assert_string_equal(idea_status_code((enum idea_status)99), "unknown");
	assert_string_equal(idea_status_label(IDEA_PLANNED, "fr"), "planifiée");
	assert_string_equal(idea_status_label(IDEA_PLANNED, "en"), "planned");
	assert_string_equal(idea_status_label(IDEA_COMPLETED, "de"), "réalisée"); /* French first */
}

static void voting_is_open_while_open_planned_or_started(void **state)
{
	(void)state;
	const int open[IDEA_STATUS_COUNT] = {[IDEA_OPEN] = 1, [IDEA_PLANNED] = 1, [IDEA_STARTED] = 1};
	for (int s = 0; s < IDEA_STATUS_COUNT; s++)
		assert_int_equal(idea_voting_open((enum idea_status)s), open[s]);
}

static void four_states_need_a_response(void **state)
{
	(void)state;
	const int need[IDEA_STATUS_COUNT] = {
		[IDEA_PLANNED] = 1, [IDEA_STARTED] = 1, [IDEA_COMPLETED] = 1, [IDEA_DECLINED] = 1};
	for (int s = 0; s < IDEA_STATUS_COUNT; s++)
		assert_int_equal(idea_needs_response((enum idea_status)s), need[s]);
}

static void transitions(void **state)
{
	(void)state;
	/* under review: published or declined, nothing else */
	assert_true(idea_transition_ok(IDEA_UNDER_REVIEW, IDEA_OPEN));
	assert_true(idea_transition_ok(IDEA_UNDER_REVIEW, IDEA_DECLINED));
	assert_false(idea_transition_ok(IDEA_UNDER_REVIEW, IDEA_PLANNED));
	assert_false(idea_transition_ok(IDEA_UNDER_REVIEW, IDEA_COMPLETED));
	/* live requests move freely among the live states and may close */
	assert_true(idea_transition_ok(IDEA_OPEN, IDEA_PLANNED));
	assert_true(idea_transition_ok(IDEA_PLANNED, IDEA_STARTED));
	assert_true(idea_transition_ok(IDEA_STARTED, IDEA_COMPLETED));
	assert_true(idea_transition_ok(IDEA_STARTED, IDEA_PLANNED));
	assert_true(idea_transition_ok(IDEA_OPEN, IDEA_DECLINED));
	/* never to the same state, back to review, or to duplicate (merging is its own move) */
	for (int s = 0; s < IDEA_STATUS_COUNT; s++) {
		assert_false(idea_transition_ok((enum idea_status)s, (enum idea_status)s));
		assert_false(idea_transition_ok((enum idea_status)s, IDEA_UNDER_REVIEW));
		assert_false(idea_transition_ok((enum idea_status)s, IDEA_DUPLICATE));
	}
	/* final states stay final */
	for (int to = 0; to < IDEA_STATUS_COUNT; to++) {
		assert_false(idea_transition_ok(IDEA_COMPLETED, (enum idea_status)to));
		assert_false(idea_transition_ok(IDEA_DECLINED, (enum idea_status)to));
		assert_false(idea_transition_ok(IDEA_DUPLICATE, (enum idea_status)to));
	}
}

static void first_names(void **state)
{
	(void)state;
	char out[IDEA_FIRST_NAME_MAX + 1];
	idea_first_name("Léa Martin", out);
	assert_string_equal(out, "Léa");
	idea_first_name("  Jean-Pierre\tDupont", out);
	assert_string_equal(out, "Jean-Pierre");
	idea_first_name("", out);
	assert_string_equal(out, "");
	idea_first_name(NULL, out);
	assert_string_equal(out, "");
	/* a very long name is cut on a character boundary, never inside a UTF-8 sequence */
	char longname[200];
	size_t n = 0;
	while (n + 2 < 150) {
		longname[n++] = (char)0xc3;
		longname[n++] = (char)0xa9; /* é */
	}
	longname[n] = '\0';
	idea_first_name(longname, out);
	assert_true(strlen(out) <= IDEA_FIRST_NAME_MAX);
	assert_int_equal(strlen(out) % 2, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(codes_round_trip),
		cmocka_unit_test(voting_is_open_while_open_planned_or_started),
		cmocka_unit_test(four_states_need_a_response),
		cmocka_unit_test(transitions),
		cmocka_unit_test(first_names),
	};
	return cmocka_run_group_tests_name("community/ideas", tests, NULL, NULL);
}
