/* tests/unit/notify/mime_mixed.c — the message with a calendar invitation and attachments, as
 * an independent reader sees it: multipart/mixed around multipart/alternative (text, HTML,
 * text/calendar; method=...), invite.ics attached, a PDF with a non-ASCII name attached,
 * every payload decoded back intact by Python's email package, no line over 76 characters.
 * Also the calendar made from outbox variables (ics_render_json) as Python's icalendar reads
 * it, with the client as ATTENDEE. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "notify/ics.h"
#include "notify/notify.h"
#include "notify/notify_int.h"

static const char *const PY =
	"import sys, email, email.policy, icalendar\n"
	"m = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=email.policy.default)\n"
	"out = [m.get_content_type()]\n"
	"for p in m.walk():\n"
	"    if p.is_multipart():\n"
	"        out.append(p.get_content_type()); continue\n"
	"    d = p.get_payload(decode=True)\n"
	"    if p.get_content_type() == 'text/calendar':\n"
	"        c = icalendar.Calendar.from_ical(d); ev = next(iter(c.walk('VEVENT')))\n"
	"        out.append('cal %s %s %s %s %s' % (p.get_param('method'), c['METHOD'], ev['UID'], "
	"ev['SEQUENCE'],"
	" ev['ATTENDEE']))\n"
	"    elif p.get_content_disposition() == 'attachment':\n"
	"        out.append('att %s %s %d %s' % (p.get_content_type(), p.get_filename(), len(d), d[:4]))\n"
	"    else:\n"
	"        out.append('%s %s' % (p.get_content_type(), p.get_content().strip()))\n"
	"print('|'.join(out))\n";

static void mixed_message_reads_back(void **state)
{
	(void)state;
	struct err e = {0};
	json_t *ev =
		json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:s, s:s, s:s, s:s}", "method", "REQUEST", "uid",
			  "apt_x1@creneau", "sequence", (json_int_t)2, "start", (json_int_t)1795703400, "end",
			  (json_int_t)1795707000, "stamp", (json_int_t)1795000000, "summary",
			  "Coupe & brushing — Salon Élise", "organizer_email", "salon@example.com",
			  "attendee_name", "Léa Martin", "attendee_email", "lea@example.com");
	enum ics_method method;
	char *cal = NULL;
	size_t len = 0;
	assert_int_equal(ics_render_json(ev, &method, &cal, &len, &e), 0);
	assert_int_equal(method, ICS_REQUEST);
	unsigned char pdf[3000];
	for (size_t i = 0; i < sizeof(pdf); i++)
		pdf[i] = (unsigned char)(i * 7);
	memcpy(pdf, "%PDF", 4);
	struct mime_attachment att = {.filename = "Facture n° 12.pdf",
				      .content_type = "application/pdf",
				      .data = pdf,
				      .len = sizeof(pdf)};
	struct mime_mail m = {
		.from = "no-reply@creneau.test",
		.to = "lea@example.com",
		.subject = "Rendez-vous confirmé",
		.text = "Bonjour Léa",
		.html = "<p>Bonjour Léa</p>",
		.message_id = "abc@creneau",
		.date = 1795703400,
		.calendar = cal,
		.calendar_method = "REQUEST",
		.attachments = &att,
		.nattachments = 1,
	};
	struct buf b = BUF_INIT(1 << 20);
	assert_int_equal(mime_build(&m, &b, &e), 0);
	const char *s = buf_str(&b);
	for (const char *line = s; *line;) {
		const char *end = strstr(line, "\r\n");
		assert_non_null(end);
		assert_true(end - line <= 76);
		line = end + 2;
	}
	char path[] = "/tmp/creneau-mime-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, s, b.len), (ssize_t)b.len);
	close(fd);
	setenv("PY", PY, 1);
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 -c \"$PY\" '%s'", path);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	char out[4096] = "";
	size_t n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	assert_int_equal(pclose(p), 0);
	unlink(path);
	char want[1024];
	snprintf(want, sizeof(want),
		 "multipart/mixed|multipart/mixed|multipart/alternative|text/plain Bonjour Léa|"
		 "text/html <p>Bonjour Léa</p>|cal REQUEST REQUEST apt_x1@creneau 2 mailto:lea@example.com|"
		 "att application/ics invite.ics %zu b'BEGI'|att application/pdf Facture n° 12.pdf 3000 "
		 "b'%%PDF'\n",
		 len);
	assert_string_equal(out, want);
	buf_release(&b);
	free(cal);
	json_decref(ev);
}

static void bad_calendar_or_attachment_is_refused(void **state)
{
	(void)state;
	struct err e = {0};
	struct buf b = BUF_INIT(1 << 16);
	struct mime_attachment att = {
		.filename = "x.pdf", .content_type = "application/pdf\r\nX: y", .data = "x", .len = 1};
	struct mime_mail m = {.from = "a@b.test",
			      .to = "c@d.test",
			      .subject = "s",
			      .text = "t",
			      .html = "h",
			      .message_id = "m@creneau",
			      .attachments = &att,
			      .nattachments = 1};
	assert_int_equal(mime_build(&m, &b, &e), -1);
	assert_int_equal(e.status, 400);
	m.nattachments = 0;
	m.calendar = "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n";
	m.calendar_method = "PUBLISH";
	assert_int_equal(mime_build(&m, &b, &e), -1);
	json_t *ev = json_pack("{s:s}", "method", "REFRESH");
	enum ics_method method;
	char *cal = NULL;
	size_t len;
	assert_int_equal(ics_render_json(ev, &method, &cal, &len, &e), -1);
	assert_null(cal);
	json_decref(ev);
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mixed_message_reads_back),
		cmocka_unit_test(bad_calendar_or_attachment_is_refused),
	};
	return cmocka_run_group_tests_name("notify mime mixed", tests, NULL, NULL);
}
