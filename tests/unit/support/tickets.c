/* support/tickets: what needs no store — attachment types decided by their first bytes (a
 * program renamed .png is not an image), the operators' state transitions, and the codes of
 * categories and states with the owner-only categories. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "support/tickets.h"

static void types_come_from_the_bytes(void **state)
{
	(void)state;
	static const struct {
		const char *bytes;
		size_t len;
		const char *type;
	} cases[] = {
		{"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16, "image/png"},
		{"\xff\xd8\xff\xe0\0\x10JFIF", 10, "image/jpeg"},
		{"GIF89a\1\0\1\0", 10, "image/gif"},
		{"GIF87a\1\0\1\0", 10, "image/gif"},
		{"RIFF\x24\0\0\0WEBPVP8 ", 16, "image/webp"},
		{"%PDF-1.7\n", 9, "application/pdf"},
		{"MZ\x90\0\3\0\0\0", 8, NULL}, /* a Windows program */
		{"\x7f"
		 "ELF\2\1\1",
		 7, NULL},			      /* a Linux one */
		{"<svg xmlns=", 11, NULL},	      /* SVG can carry script */
		{"RIFF\x24\0\0\0WAVEfmt ", 16, NULL}, /* RIFF but not WebP */
		{"\x89PNG\r\n", 6, NULL},	      /* cut short */
		{"%PDF", 4, NULL},
		{"", 0, NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = ticket_file_type(cases[i].bytes, cases[i].len);
		if (cases[i].type)
			assert_string_equal(got, cases[i].type);
		else
			assert_null(got);
	}
	assert_null(ticket_file_type(NULL, 10));
}

static void operator_transitions(void **state)
{
	(void)state;
	assert_true(ticket_transition_allowed(TICKET_NEW, TICKET_OPEN));
	assert_true(ticket_transition_allowed(TICKET_OPEN, TICKET_PENDING_CUSTOMER));
	assert_true(ticket_transition_allowed(TICKET_PENDING_CUSTOMER, TICKET_OPEN));
	assert_true(ticket_transition_allowed(TICKET_PENDING_CUSTOMER, TICKET_SOLVED));
	assert_true(ticket_transition_allowed(TICKET_SOLVED, TICKET_OPEN));
	assert_true(ticket_transition_allowed(TICKET_NEW, TICKET_SPAM));
	assert_true(ticket_transition_allowed(TICKET_SPAM, TICKET_OPEN));
	/* closed only by the customer or the 7-day job; nothing leaves it; nothing goes back to new */
	for (int s = 0; s < TICKET_STATE_COUNT; s++) {
		assert_false(ticket_transition_allowed((enum ticket_state)s, TICKET_CLOSED));
		assert_false(ticket_transition_allowed(TICKET_CLOSED, (enum ticket_state)s));
		assert_false(ticket_transition_allowed((enum ticket_state)s, TICKET_NEW));
		assert_false(ticket_transition_allowed((enum ticket_state)s, (enum ticket_state)s));
	}
	assert_false(ticket_transition_allowed(TICKET_SPAM, TICKET_SOLVED));
}

static void codes_round_trip(void **state)
{
	(void)state;
	for (int c = 0; c < TICKET_CATEGORY_COUNT; c++)
		assert_int_equal(ticket_category_parse(ticket_category_code((enum ticket_category)c)), c);
	for (int s = 0; s < TICKET_STATE_COUNT; s++)
		assert_int_equal(ticket_state_parse(ticket_state_code((enum ticket_state)s)), s);
	assert_int_equal(ticket_category_parse("complaint"), -1);
	assert_int_equal(ticket_category_parse(NULL), -1);
	assert_int_equal(ticket_state_parse("pending"), -1);
	assert_true(ticket_category_owner_only(TICKET_BILLING));
	assert_true(ticket_category_owner_only(TICKET_DELETION_REQUEST));
	assert_false(ticket_category_owner_only(TICKET_QUESTION));
	assert_false(ticket_category_owner_only(TICKET_BUG));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(types_come_from_the_bytes),
		cmocka_unit_test(operator_transitions),
		cmocka_unit_test(codes_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
