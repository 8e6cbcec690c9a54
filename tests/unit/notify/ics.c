/* notify/ics: the calendar of one appointment as a calendar program reads it — method, UID,
 * UTC times, SEQUENCE, status, RFC 5545 escaping and line folding, and refused input.
 * Expected instants checked with Python: 2027-04-13 09:00 in Paris (CEST, +02:00) is
 * 1807599600 = 20270413T070000Z. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "notify/ics.h"

static const struct ics_event base = {
	.uid = "apt_abc123@creneau",
	.sequence = 3,
	.start = 1807599600,
	.end = 1807599600 + 3600,
	.stamp = 1806999000,
	.summary = "Coupe — Salon Élodie",
	.location = "12 rue de la Paix, 75002 Paris",
	.description = "Anne",
};

static char *render(const struct ics_event *ev, enum ics_method m)
{
	char *out = NULL;
	size_t len = 0;
	struct err e = {0};
	assert_int_equal(ics_render(ev, m, &out, &len, &e), 0);
	assert_non_null(out);
	assert_int_equal(strlen(out), len);
	return out;
}

/* The calendar with every fold undone (CRLF followed by one space or tab). */
static char *unfold(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;
	for (const char *p = s; *p;) {
		if (p[0] == '\r' && p[1] == '\n' && (p[2] == ' ' || p[2] == '\t')) {
			p += 3;
			continue;
		}
		*o++ = *p++;
	}
	*o = '\0';
	return out;
}

static int has_line(const char *cal, const char *line)
{
	char want[1024];
	snprintf(want, sizeof(want), "\r\n%s\r\n", line);
	return strstr(cal, want) != NULL;
}

static void a_request_names_the_event(void **state)
{
	(void)state;
	char *raw = render(&base, ICS_REQUEST);
	char *cal = unfold(raw);
	assert_true(!strncmp(cal, "BEGIN:VCALENDAR\r\n", 17));
	assert_true(has_line(cal, "VERSION:2.0"));
	assert_true(has_line(cal, "METHOD:REQUEST"));
	assert_true(has_line(cal, "BEGIN:VEVENT"));
	assert_true(has_line(cal, "UID:apt_abc123@creneau"));
	assert_true(has_line(cal, "DTSTART:20270413T070000Z"));
	assert_true(has_line(cal, "DTEND:20270413T080000Z"));
	assert_true(has_line(cal, "DTSTAMP:20270406T081000Z"));
	assert_true(has_line(cal, "SEQUENCE:3"));
	assert_true(has_line(cal, "STATUS:CONFIRMED"));
	assert_true(has_line(cal, "SUMMARY:Coupe — Salon Élodie"));
	/* a comma in a TEXT value is escaped */
	assert_true(has_line(cal, "LOCATION:12 rue de la Paix\\, 75002 Paris"));
	assert_null(strstr(cal, "ORGANIZER"));
	assert_null(strstr(cal, "VTIMEZONE"));
	free(cal);
	free(raw);
}

static void a_cancel_says_so_with_the_same_uid(void **state)
{
	(void)state;
	struct ics_event ev = base;
	ev.sequence = 4;
	ev.organizer_name = "Salon Élodie";
	ev.organizer_email = "rdv@salon.example";
	char *raw = render(&ev, ICS_CANCEL);
	char *cal = unfold(raw);
	assert_true(has_line(cal, "METHOD:CANCEL"));
	assert_true(has_line(cal, "STATUS:CANCELLED"));
	assert_true(has_line(cal, "UID:apt_abc123@creneau"));
	assert_true(has_line(cal, "SEQUENCE:4"));
	assert_non_null(strstr(cal, "ORGANIZER;CN=Salon Élodie:mailto:rdv@salon.example"));
	free(cal);
	free(raw);
}

static void text_is_escaped_and_lines_folded(void **state)
{
	(void)state;
	struct ics_event ev = base;
	char longtext[400];
	memset(longtext, 'a', sizeof(longtext) - 1);
	longtext[sizeof(longtext) - 1] = '\0';
	ev.summary = "Soin; visage, mains\nsuite";
	ev.description = longtext;
	/* a fold never cuts a UTF-8 character in two */
	char accents[2 * 60 + 1] = "";
	for (int i = 0; i < 60; i++)
		memcpy(accents + 2 * i, "é", 3);
	ev.location = accents;
	char *raw = render(&ev, ICS_REQUEST);
	/* every physical line fits in 75 octets */
	for (const char *p = raw; *p;) {
		const char *eol = strstr(p, "\r\n");
		assert_non_null(eol);
		assert_true(eol - p <= 75);
		p = eol + 2;
	}
	char *cal = unfold(raw);
	assert_true(has_line(cal, "SUMMARY:Soin\\; visage\\, mains\\nsuite"));
	char want[420];
	snprintf(want, sizeof(want), "DESCRIPTION:%s", longtext);
	assert_true(has_line(cal, want));
	snprintf(want, sizeof(want), "LOCATION:%s", accents);
	assert_true(has_line(cal, want));
	for (const char *p = raw; (p = strstr(p, "\r\n ")); p += 3)
		assert_true(((unsigned char)p[3] & 0xc0) != 0x80); /* no continuation byte after a fold */
	free(cal);
	free(raw);
}

static void bad_events_are_refused(void **state)
{
	(void)state;
	struct err e = {0};
	char *out = (char *)1;
	size_t len = 1;
	struct ics_event ev = base;
	ev.end = ev.start;
	assert_int_equal(ics_render(&ev, ICS_REQUEST, &out, &len, &e), -1);
	assert_int_equal(e.status, 400);
	assert_null(out);
	ev = base;
	ev.uid = "";
	assert_int_equal(ics_render(&ev, ICS_REQUEST, &out, &len, &e), -1);
	assert_string_equal(e.field, "uid");
	char *huge = malloc(ICS_TEXT_MAX + 2);
	memset(huge, 'x', ICS_TEXT_MAX + 1);
	huge[ICS_TEXT_MAX + 1] = '\0';
	ev = base;
	ev.location = huge;
	assert_int_equal(ics_render(&ev, ICS_REQUEST, &out, &len, &e), -1);
	free(huge);
	char uid[64];
	ics_uid("apt_xyz", uid, sizeof(uid));
	assert_string_equal(uid, "apt_xyz@creneau");
}

/* Servers render calendars from many threads at once, the first ones included (libical's
 * UTC zone is taken on first use). */
struct worker {
	char *first;
	int same;
};

static void *render_many(void *arg)
{
	struct worker *w = arg;
	w->same = 1;
	for (int i = 0; i < 200; i++) {
		char *out = NULL;
		size_t len;
		struct err e = {0};
		if (ics_render(&base, ICS_REQUEST, &out, &len, &e)) {
			w->same = 0;
			continue;
		}
		if (!w->first)
			w->first = out;
		else {
			w->same &= !strcmp(out, w->first);
			free(out);
		}
	}
	return NULL;
}

static void calendars_are_made_in_parallel(void **state)
{
	(void)state;
	pthread_t t[8];
	struct worker w[8] = {0};
	for (int i = 0; i < 8; i++)
		assert_int_equal(pthread_create(&t[i], NULL, render_many, &w[i]), 0);
	for (int i = 0; i < 8; i++)
		pthread_join(t[i], NULL);
	char *expected = render(&base, ICS_REQUEST);
	for (int i = 0; i < 8; i++) {
		assert_true(w[i].same);
		assert_non_null(w[i].first);
		assert_string_equal(w[i].first, expected);
		free(w[i].first);
	}
	free(expected);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(calendars_are_made_in_parallel),
		cmocka_unit_test(a_request_names_the_event),
		cmocka_unit_test(a_cancel_says_so_with_the_same_uid),
		cmocka_unit_test(text_is_escaped_and_lines_folded),
		cmocka_unit_test(bad_events_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
