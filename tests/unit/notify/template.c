/* tests/unit/notify/template.c — template rendering (variables, escaping, missing variables,
 * locale fallback) and the MIME message (encoded subject, quoted-printable parts). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "notify/notify.h"
#include "notify/notify_int.h"

static char *render(const char *tpl, const json_t *vars, int html, struct err *e)
{
	struct buf b = BUF_INIT(NOTIFY_OUTPUT_MAX);
	if (template_render_string(tpl, strlen(tpl), vars, html, &b, e)) {
		buf_release(&b);
		return NULL;
	}
	if (!b.data)
		return strdup("");
	return buf_detach(&b, NULL);
}

static void test_variables_are_replaced(void **state)
{
	(void)state;
	struct err e = {0};
	json_t *v = json_pack("{s:s, s:i, s:{s:s}}", "name", "Zoé", "n", 42, "salon", "city", "Lyon");
	char *out = render("Bonjour {{name}}, {{ n }} rdv à {{salon.city}}. {single} }}", v, 0, &e);
	assert_non_null(out);
	assert_string_equal(out, "Bonjour Zoé, 42 rdv à Lyon. {single} }}");
	free(out);
	json_decref(v);
}

static void test_html_part_escapes_variables(void **state)
{
	(void)state;
	struct err e = {0};
	json_t *v = json_pack("{s:s}", "name", "<script>alert('x')</script> & \"co\"");
	char *html = render("<p>{{name}}</p>", v, 1, &e);
	assert_string_equal(html,
			    "<p>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;co&quot;</p>");
	char *text = render("{{name}}", v, 0, &e);
	assert_string_equal(text, "<script>alert('x')</script> & \"co\"");
	free(html);
	free(text);
	json_decref(v);
}

static void test_missing_or_bad_variable_is_an_error(void **state)
{
	(void)state;
	struct err e = {0};
	json_t *v = json_pack("{s:s, s:b, s:n}", "name", "x", "flag", 1, "nothing");
	assert_null(render("Hello {{nmae}}", v, 0, &e));
	assert_string_equal(e.code, "template_error");
	assert_non_null(strstr(e.message, "nmae"));
	assert_non_null(strstr(e.message, "missing"));
	assert_null(render("{{flag}}", v, 0, &e));
	assert_null(render("{{nothing}}", v, 0, &e));
	assert_null(render("Hello {{name", v, 0, &e));
	assert_non_null(strstr(e.message, "malformed"));
	assert_null(render("Hello {{}}", v, 0, &e));
	assert_null(render("Hello {{na me}}", v, 0, &e));
	json_decref(v);
}

static void test_output_is_capped(void **state)
{
	(void)state;
	struct err e = {0};
	char *big = malloc(70000);
	memset(big, 'x', 69999);
	big[69999] = '\0';
	json_t *v = json_pack("{s:s}", "b", big);
	assert_null(render("{{b}}{{b}}{{b}}{{b}}", v, 0, &e)); /* 280 000 bytes > 256 KiB */
	assert_string_equal(e.code, "template_error");
	char *ok = render("{{b}}{{b}}{{b}}", v, 0, &e);
	assert_non_null(ok);
	free(ok);
	free(big);
	json_decref(v);
}

static void test_smtp_check_in_both_languages_with_fallback(void **state)
{
	(void)state;
	struct err e = {0};
	json_t *v = json_pack("{s:s, s:s}", "name", "Zoé & <Cie>", "requested_at", "jeudi 26 novembre 2026");
	struct notify_rendered r;
	assert_int_equal(notify_render("fr", "smtp_check", v, &r, &e), 0);
	assert_string_equal(r.subject, "Créneau : test de votre configuration e-mail");
	assert_non_null(strstr(r.text, "Bonjour Zoé & <Cie>,"));
	assert_non_null(strstr(r.html, "Bonjour Zoé &amp; &lt;Cie&gt;,"));
	notify_rendered_release(&r);

	assert_int_equal(notify_render("en-GB", "smtp_check", v, &r, &e), 0);
	assert_string_equal(r.subject, "Créneau: testing your e-mail set-up");
	assert_non_null(strstr(r.text, "Hello Zoé & <Cie>,"));
	notify_rendered_release(&r);

	assert_int_equal(notify_render("de", "smtp_check", v, &r, &e), 0); /* no German: French */
	assert_non_null(strstr(r.text, "Bonjour"));
	notify_rendered_release(&r);
	assert_int_equal(notify_render("../../etc", "smtp_check", v, &r, &e), 0); /* junk locale: fr */
	assert_non_null(strstr(r.text, "Bonjour"));
	notify_rendered_release(&r);

	assert_int_equal(notify_render("fr", "no_such_template", v, &r, &e), -1);
	assert_int_equal(notify_render("fr", "../fr/smtp_check", v, &r, &e), -1);
	json_t *partial = json_pack("{s:s}", "name", "x"); /* requested_at missing */
	assert_int_equal(notify_render("fr", "smtp_check", partial, &r, &e), -1);
	assert_non_null(strstr(e.message, "requested_at"));
	assert_null(r.subject);
	json_decref(partial);
	json_decref(v);
}

static void test_addresses(void **state)
{
	(void)state;
	assert_true(notify_address_ok("a@b.fr"));
	assert_true(notify_address_ok("first.last+tag@sub.example.com"));
	assert_false(notify_address_ok("no-at.example.com"));
	assert_false(notify_address_ok("a@b@c"));
	assert_false(notify_address_ok("a b@c.fr"));
	assert_false(notify_address_ok("a@c.fr\r\nBcc: x@y.z"));
	assert_false(notify_address_ok("<a@c.fr>"));
	assert_false(notify_address_ok("a@.fr"));
	assert_false(notify_address_ok("@c.fr"));
}

static void test_mime_message(void **state)
{
	(void)state;
	struct err e = {0};
	char longline[200];
	memset(longline, 'a', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	char text[400];
	snprintf(text, sizeof(text), "é = 1 \nline two\t\n%s\n.dot\n", longline);
	struct mime_mail m = {
		.from = "no-reply@creneau.test",
		.from_name = "Créneau",
		.to = "zoe@example.com",
		.reply_to = "salon@example.com",
		.subject = "Créneau : test de votre configuration e-mail",
		.text = text,
		.html = "<p>é</p>",
		.message_id = "abc@creneau",
		.date = 1795703400,
	};
	struct buf b = BUF_INIT(1 << 20);
	assert_int_equal(mime_build(&m, &b, &e), 0);
	const char *s = buf_str(&b);
	assert_non_null(strstr(s, "Date: Thu, 26 Nov 2026 14:30:00 +0000\r\n"));
	assert_non_null(strstr(s, "From: =?UTF-8?B?Q3LDqW5lYXU=?= <no-reply@creneau.test>\r\n"));
	assert_non_null(strstr(s, "Reply-To: <salon@example.com>\r\n"));
	assert_non_null(strstr(s, "Message-ID: <abc@creneau>\r\n"));
	assert_non_null(strstr(s, "Subject: =?UTF-8?B?"));
	assert_null(strstr(s, "Subject: Cr")); /* encoded, not raw UTF-8 */
	assert_non_null(strstr(s, "=C3=A9 =3D 1=20\r\nline two=09\r\n"));
	assert_non_null(strstr(s, "Content-Type: text/plain; charset=UTF-8"));
	assert_non_null(strstr(s, "Content-Type: text/html; charset=UTF-8"));
	/* no line over 76 characters, CRLF everywhere */
	size_t col = 0;
	for (const char *p = s; *p; p++) {
		if (*p == '\n') {
			assert_true(p > s && p[-1] == '\r');
			col = 0;
		} else if (*p != '\r' && ++col > 76) {
			fail_msg("line over 76 characters at offset %zu", (size_t)(p - s));
		}
	}
	buf_release(&b);

	m.to = "zoe@example.com\r\nBcc: evil@example.com";
	assert_int_equal(mime_build(&m, &b, &e), -1);
	assert_string_equal(e.field, "to");
	buf_release(&b);
}

static void test_message_id_follows_the_key(void **state)
{
	(void)state;
	char a[NOTIFY_MSGID_SIZE], b[NOTIFY_MSGID_SIZE], c[NOTIFY_MSGID_SIZE];
	notify_message_id(7, "appointment:1", "z@e.fr", "booking_confirmed", 0, "email", a);
	notify_message_id(7, "appointment:1", "z@e.fr", "booking_confirmed", 0, "email", b);
	notify_message_id(7, "appointment:1", "z@e.fr", "booking_confirmed", 1, "email", c);
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	assert_int_equal(strlen(a), 64 + strlen("@creneau"));
	/* SHA-256 of "\ncheck\nz@e.fr\nsmtp_check\n0\nemail" (platform mail: account "") */
	notify_message_id(0, "check", "z@e.fr", "smtp_check", 0, "email", a);
	assert_string_equal(a, "82baceb3a3de9103234ec2e588555b0aecdf78a2769eafce7be0546c413d4c2f@creneau");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_variables_are_replaced),
		cmocka_unit_test(test_html_part_escapes_variables),
		cmocka_unit_test(test_missing_or_bad_variable_is_an_error),
		cmocka_unit_test(test_output_is_capped),
		cmocka_unit_test(test_smtp_check_in_both_languages_with_fallback),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_mime_message),
		cmocka_unit_test(test_message_id_follows_the_key),
	};
	return cmocka_run_group_tests_name("notify templates and MIME", tests, NULL, NULL);
}
