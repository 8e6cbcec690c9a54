/* SMS through the real Kannel of the harness (bearerbox + smsbox, fakesmsc playing the operator,
 * CRENEAU_TEST_KANNEL_URL / CRENEAU_TEST_FAKESMSC_LOG / CRENEAU_TEST_KANNEL_DIR): an SMS written
 * to the outbox reaches the operator with its text, GSM-7 or UCS-2, concatenated in 3 parts
 * when long, cut at 3 parts when longer; its delivery report comes back on /hooks/sms/dlr and
 * is stored. The sending path refuses trial, Essentiel, no consent and a used quota (no SMS
 * reaches the operator); quiet hours move the send to 08:00; with Kannel down the SMS waits
 * and goes once; a bad signature on the hook is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/clock.h"
#include "harness.h"
#include "notify/notify.h"
#include "notify/sms.h"
#include "sched_fixture.h"

static struct biz P;		     /* Pro, active */
static int64_t consenting, refusing; /* clients of P */
static int phone_seq;

static void tweak(struct config *cfg)
{
	const char *url = getenv("CRENEAU_TEST_KANNEL_URL");
	free(cfg->sms_sendsms_url);
	cfg->sms_sendsms_url = strdup(url ? url : "");
	free(cfg->sms_user);
	cfg->sms_user = strdup("creneau");
	free(cfg->sms_password);
	cfg->sms_password = strdup("secret");
	free(cfg->sms_dlr_secret);
	cfg->sms_dlr_secret = strdup("420-dlr-secret");
}

/* Points the transport at Kannel with the harness's own address for the reports. */
static void configure(const char *url)
{
	struct sms_config sc = {.sendsms_url = url,
				.user = "creneau",
				.password = "secret",
				.dlr_secret = "420-dlr-secret",
				.public_url = H.base_url,
				.timeout_s = 5};
	sms_configure(&sc);
}

static void set_state(struct biz *b, const char *state)
{
	char body[200];
	snprintf(body, sizeof(body), "{\"slug\": \"%s\", \"state\": \"%s\"}", b->s.slug, state);
	struct reply r;
	http_call(&H, "POST", "/api/v1/test/account-state", body, NULL, &r);
	assert_int_equal(r.status, 200);
	reply_free(&r);
}

static void business(struct biz *b, const char *name, const char *plan, const char *state)
{
	static int n;
	char email[128];
	snprintf(email, sizeof(email), "sms-%d-%d-%s@sms.example", (int)getpid(), n++, harness_store_kind());
	harness_signup(&H, name, email, plan, &b->s);
	b->id = fx_int("SELECT id FROM accounts WHERE slug = $1", DB_ARGS(DB_TEXT(b->s.slug)));
	assert_true(b->id > 0);
	fx_exec("UPDATE accounts SET time_zone = 'Europe/Paris' WHERE id = $1", DB_ARGS(DB_INT(b->id)));
	if (state)
		set_state(b, state);
}

static int64_t client(struct biz *b, int consent)
{
	char body[200];
	snprintf(body, sizeof(body),
		 "{\"first_name\": \"Zo\u00e9\", \"phone\": \"+3361234567%d\", \"consent_sms\": %s}", consent,
		 consent ? "true" : "false");
	struct reply r;
	session_call(&H, &b->s, "POST", "/api/v1/clients", body, &r);
	assert_int_equal(r.status, 201);
	const char *pid = json_string_value(json_object_get(json_object_get(r.json, "client"), "id"));
	assert_non_null(pid);
	int64_t id = fx_int("SELECT id FROM clients WHERE public_id = $1", DB_ARGS(DB_TEXT(pid)));
	reply_free(&r);
	return id;
}

/* A fresh mobile number, so each test finds its own messages in the operator's log. Always
 * "+3361…": not every 06 prefix is a valid mobile (0639, 0690 to 0697 but 0695 are not), and a
 * process id ending in those digits once made every test of the file fail. */
static void next_phone(char out[32])
{
	snprintf(out, 32, "+3361%d%02d%04d", (int)(getpid() % 10), phone_seq++ % 100,
		 (int)(getpid() % 10000));
}

/* Writes one SMS in a transaction, as an event would; returns its outbox id. */
static int64_t write_sms(struct biz *b, int64_t client_id, const char *to, const char *service,
			 int64_t expires)
{
	static int n;
	char ref[64];
	snprintf(ref, sizeof(ref), "appointment:%d-%d", (int)getpid(), n++);
	json_t *vars = json_pack("{s:s, s:s, s:s, s:s, s:s}", "service", service, "business", "SalonZo\u00e9",
				 "date", "jeudi 26 novembre 2026", "time", "14 h 30", "manage_url",
				 "https://c.example/m/t");
	struct outbox_sms m = {.account_id = b->id,
			       .kind = "reminder",
			       .subject_ref = ref,
			       .version = 1,
			       .to = to,
			       .locale = "fr",
			       .vars = vars,
			       .client_id = client_id,
			       .expires_at = expires};
	struct err e = {0};
	db_conn *c;
	assert_int_equal(db_acquire(H.app->db, &c, &e), 0);
	assert_int_equal(db_begin(c, &e), 0);
	assert_int_equal(outbox_sms(c, &m, &e), 1);
	assert_int_equal(outbox_sms(c, &m, &e), 0); /* the same key twice: once */
	assert_int_equal(db_commit(c, &e), 0);
	db_release(c);
	json_decref(vars);
	return fx_int("SELECT id FROM outbox WHERE subject_ref = $1 AND channel = 'sms'",
		      DB_ARGS(DB_TEXT(ref)));
}

static char *text_of(const char *sql, int64_t id)
{
	static char out[4096];
	struct err e = {0};
	db_conn *c;
	db_rows *rows = NULL;
	out[0] = '\0';
	assert_int_equal(db_acquire(H.app->db, &c, &e), 0);
	assert_true(db_query(c, sql, DB_ARGS(DB_INT(id)), &rows, &e) >= 0);
	if (db_rows_next(rows, &e) > 0 && db_rows_text(rows, 0))
		snprintf(out, sizeof(out), "%s", db_rows_text(rows, 0));
	db_rows_free(rows);
	db_release(c);
	return out;
}

/* Waits (10 s at most) until the outbox row leaves 'queued'; returns its state. */
static const char *wait_state(int64_t id)
{
	for (int i = 0; i < 100; i++) {
		const char *s = text_of("SELECT state FROM outbox WHERE id = $1", id);
		if (strcmp(s, "queued"))
			return s;
		usleep(100 * 1000);
	}
	return "queued";
}

/* One message the operator received. */
struct part {
	char from[32], to[32], kind[8]; /* kind: "text", "ucs-2" or "udh" */
	int seq, total;			/* of a concatenated message; 0 when alone */
	char text[2048];		/* decoded to UTF-8 */
};

static int unhex(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : c - 'a' + 10;
}

/* Percent-decodes s (up to the end or '>') into bytes. */
static size_t pct(const char *s, unsigned char *out, size_t cap)
{
	size_t n = 0;
	while (*s && *s != '>' && n < cap) {
		if (*s == '%' && s[1] && s[2]) {
			out[n++] = (unsigned char)(unhex(s[1]) * 16 + unhex(s[2]));
			s += 3;
		} else {
			out[n++] = (unsigned char)*s++;
		}
	}
	return n;
}

/* UTF-16BE to UTF-8. */
static void utf16be(const unsigned char *b, size_t n, char *out, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; i + 1 < n && o + 5 < cap; i += 2) {
		unsigned c = (unsigned)b[i] << 8 | b[i + 1];
		if (c >= 0xD800 && c < 0xDC00 && i + 3 < n) {
			unsigned lo = (unsigned)b[i + 2] << 8 | b[i + 3];
			c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
			i += 2;
		}
		if (c < 0x80) {
			out[o++] = (char)c;
		} else if (c < 0x800) {
			out[o++] = (char)(0xC0 | c >> 6);
			out[o++] = (char)(0x80 | (c & 0x3F));
		} else if (c < 0x10000) {
			out[o++] = (char)(0xE0 | c >> 12);
			out[o++] = (char)(0x80 | ((c >> 6) & 0x3F));
			out[o++] = (char)(0x80 | (c & 0x3F));
		} else {
			out[o++] = (char)(0xF0 | c >> 18);
			out[o++] = (char)(0x80 | ((c >> 12) & 0x3F));
			out[o++] = (char)(0x80 | ((c >> 6) & 0x3F));
			out[o++] = (char)(0x80 | (c & 0x3F));
		}
	}
	out[o] = '\0';
}

/* The messages to `to` in the operator's log, in order; returns how many (at most max). */
static int received(const char *to, struct part *parts, int max)
{
	const char *path = getenv("CRENEAU_TEST_FAKESMSC_LOG");
	assert_non_null(path);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	static char line[16384];
	int n = 0;
	while (fgets(line, sizeof(line), f) && n < max) {
		char *p = strstr(line, "Got message ");
		if (!p || !(p = strchr(p, '<')))
			continue;
		struct part *pt = &parts[n];
		memset(pt, 0, sizeof(*pt));
		int used = 0;
		if (sscanf(p + 1, "%31s %31s %7s %n", pt->from, pt->to, pt->kind, &used) < 3 ||
		    strcmp(pt->to, to))
			continue;
		const char *rest = p + 1 + used;
		unsigned char bytes[4096];
		if (!strcmp(pt->kind, "text")) {
			snprintf(pt->text, sizeof(pt->text), "%.*s", (int)strcspn(rest, ">"), rest);
		} else if (!strcmp(pt->kind, "ucs-2")) {
			size_t len = pct(rest, bytes, sizeof(bytes));
			utf16be(bytes, len, pt->text, sizeof(pt->text));
		} else if (!strcmp(pt->kind, "udh")) {
			unsigned char udh[16];
			size_t ul = pct(rest, udh, sizeof(udh));
			assert_true(ul >= 6);
			pt->total = udh[4];
			pt->seq = udh[5];
			const char *data = strstr(rest, " data ");
			assert_non_null(data);
			size_t len = pct(data + 6, bytes, sizeof(bytes));
			/* UCS-2 parts hold 16-bit units: every ASCII letter is preceded by a 0 byte */
			if (len >= 2 && bytes[0] == 0) {
				utf16be(bytes, len, pt->text, sizeof(pt->text));
				snprintf(pt->kind, sizeof(pt->kind), "udh16");
			} else {
				snprintf(pt->text, sizeof(pt->text), "%.*s", (int)len, (const char *)bytes);
			}
		} else {
			continue;
		}
		n++;
	}
	fclose(f);
	return n;
}

/* Waits (15 s at most) until `want` messages to `to` have arrived. */
static int wait_received(const char *to, struct part *parts, int max, int want)
{
	int n = 0;
	for (int i = 0; i < 150 && (n = received(to, parts, max)) < want; i++)
		usleep(100 * 1000);
	return n;
}

static int64_t wait_dlr(int64_t id)
{
	for (int i = 0; i < 150; i++) {
		int64_t s = fx_int("SELECT COALESCE(dlr_status, 0) FROM outbox WHERE id = $1",
				   DB_ARGS(DB_INT(id)));
		if (s)
			return s;
		usleep(100 * 1000);
	}
	return 0;
}

static int setup(void **state)
{
	(void)state;
	const char *url = getenv("CRENEAU_TEST_KANNEL_URL");
	if (!url || !*url || !getenv("CRENEAU_TEST_FAKESMSC_LOG") || !getenv("CRENEAU_TEST_KANNEL_DIR")) {
		fprintf(stderr,
			"420-sms-kannel needs Kannel: CRENEAU_TEST_KANNEL_URL, CRENEAU_TEST_FAKESMSC_LOG and "
			"CRENEAU_TEST_KANNEL_DIR (tests/run.sh starts it with scripts/peers/kannel.sh)\n");
		return -1;
	}
	harness_start(&H, tweak);
	configure(url);
	fx_clock("2031-03-12T10:00:00+01:00"); /* a Wednesday morning in Paris */
	business(&P, "SalonZo\u00e9", "pro", "active");
	consenting = client(&P, 1);
	refusing = client(&P, 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	harness_stop(&H);
	return 0;
}

static void test_gsm7_text_reaches_the_operator_and_reports_come_back(void **state)
{
	(void)state;
	char to[32];
	next_phone(to);
	int64_t id = write_sms(&P, consenting, to, "Coupe \u00ab homme \u00bb", 0);
	test_clock_advance_s(1);
	assert_string_equal(wait_state(id), "sent");
	struct part parts[4];
	assert_int_equal(wait_received(to, parts, 4, 1), 1);
	assert_string_equal(parts[0].kind, "text");	/* GSM-7, one part */
	assert_string_equal(parts[0].from, "SalonZoe"); /* derived from the business name */
	const char *want =
		"Rappel : RDV Coupe \" homme \" chez SalonZo\u00e9 le jeudi 26 novembre 2026 \u00e0 14 h "
		"30. Modifier ou annuler : https://c.example/m/t";
	assert_string_equal(parts[0].text, want);
	assert_string_equal(text_of("SELECT body FROM outbox WHERE id = $1", id), want);
	assert_string_equal(text_of("SELECT encoding FROM outbox WHERE id = $1", id), "gsm7");
	assert_int_equal(fx_int("SELECT segments FROM outbox WHERE id = $1", DB_ARGS(DB_INT(id))), 1);
	assert_int_equal(fx_int("SELECT attempts FROM outbox WHERE id = $1", DB_ARGS(DB_INT(id))), 1);
	int64_t dlr = wait_dlr(id);
	assert_true(dlr == 1 || dlr == 8);
	assert_true(fx_int("SELECT COALESCE(dlr_at, 0) FROM outbox WHERE id = $1", DB_ARGS(DB_INT(id))) > 0);
}

/* The account's edited text wins over the file: {{service}} alone, to send any text. */
static void edited_text(struct biz *b)
{
	fx_exec("DELETE FROM notification_texts WHERE account_id = $1", DB_ARGS(DB_INT(b->id)));
	fx_exec("INSERT INTO notification_texts (account_id, kind, channel, locale, subject, body, "
		"updated_at)"
		" VALUES ($1, 'reminder', 'sms', 'fr', '', '{{service}}', 0)",
		DB_ARGS(DB_INT(b->id)));
}

static void test_long_texts_are_concatenated_or_cut(void **state)
{
	(void)state;
	edited_text(&P);
	struct part parts[8];
	char to[32], text[2048];

	/* UCS-2 (ê): 150 units, 3 parts of at most 67 */
	next_phone(to);
	size_t o = 0;
	o += (size_t)snprintf(text + o, sizeof(text) - o, "F\u00eate");
	for (int i = 0; i < 146; i++)
		text[o++] = (char)('a' + i % 26);
	text[o] = '\0';
	int64_t id = write_sms(&P, consenting, to, text, 0);
	test_clock_advance_s(1);
	assert_string_equal(wait_state(id), "sent");
	assert_int_equal(wait_received(to, parts, 8, 3), 3);
	char joined[4096] = "";
	for (int i = 0; i < 3; i++) {
		assert_string_equal(parts[i].kind, "udh16");
		assert_int_equal(parts[i].total, 3);
		assert_int_equal(parts[i].seq, i + 1);
		strcat(joined, parts[i].text);
	}
	assert_string_equal(joined, text);
	assert_string_equal(text_of("SELECT encoding FROM outbox WHERE id = $1", id), "ucs2");
	assert_int_equal(fx_int("SELECT segments FROM outbox WHERE id = $1", DB_ARGS(DB_INT(id))), 3);

	/* GSM-7: 400 characters, 3 parts of at most 153 */
	next_phone(to);
	for (int i = 0; i < 400; i++)
		text[i] = (char)('A' + i % 26);
	text[400] = '\0';
	id = write_sms(&P, consenting, to, text, 0);
	test_clock_advance_s(1);
	assert_string_equal(wait_state(id), "sent");
	assert_int_equal(wait_received(to, parts, 8, 3), 3);
	joined[0] = '\0';
	for (int i = 0; i < 3; i++) {
		assert_string_equal(parts[i].kind, "udh");
		assert_int_equal(parts[i].total, 3);
		strcat(joined, parts[i].text);
	}
	assert_string_equal(joined, text);
	assert_string_equal(text_of("SELECT encoding FROM outbox WHERE id = $1", id), "gsm7");

	/* 600 characters: cut to 3 parts with "..." */
	next_phone(to);
	for (int i = 0; i < 600; i++)
		text[i] = (char)('a' + i % 26);
	text[600] = '\0';
	id = write_sms(&P, consenting, to, text, 0);
	test_clock_advance_s(1);
	assert_string_equal(wait_state(id), "sent");
	assert_int_equal(wait_received(to, parts, 8, 3), 3);
	const char *body = text_of("SELECT body FROM outbox WHERE id = $1", id);
	assert_int_equal(strlen(body), 459);
	assert_memory_equal(body, text, 456);
	assert_string_equal(body + 456, "...");
	fx_exec("DELETE FROM notification_texts WHERE account_id = $1", DB_ARGS(DB_INT(P.id)));
}

static void expect_refused(struct biz *b, int64_t client_id, const char *reason)
{
	char to[32];
	next_phone(to);
	int64_t id = write_sms(b, client_id, to, "Coupe", 0);
	test_clock_advance_s(1);
	assert_string_equal(wait_state(id), "suppressed");
	assert_string_equal(text_of("SELECT reason FROM outbox WHERE id = $1", id), reason);
	/* a control message sent after it arrives; the refused one never does */
	char ctl[32];
	next_phone(ctl);
	int64_t cid = write_sms(&P, consenting, ctl, "Controle", 0);
	test_clock_advance_s(1);
	assert_string_equal(wait_state(cid), "sent");
	struct part parts[2];
	assert_int_equal(wait_received(ctl, parts, 2, 1), 1);
	usleep(300 * 1000);
	assert_int_equal(received(to, parts, 2), 0);
}

static void test_the_sending_path_refuses(void **state)
{
	(void)state;
	struct biz trial, essentiel, frozen;
	business(&trial, "Essai", "pro", NULL); /* sign-up starts a trial */
	expect_refused(&trial, 0, "trial");
	business(&essentiel, "Petit Salon", "essentiel", "active");
	expect_refused(&essentiel, 0, "plan");
	business(&frozen, "Salon Gel", "pro", "frozen");
	expect_refused(&frozen, 0, "account_state");
	expect_refused(&P, refusing, "consent");

	/* the month's quota used by SMS sent earlier this month */
	struct biz full;
	business(&full, "Salon Plein", "pro", "active");
	fx_exec("INSERT INTO outbox (account_id, kind, channel, subject_ref, recipient, version, locale, "
		"template,"
		" vars, state, message_id, attempts, created_at, sent_at, segments, encoding)"
		" VALUES ($1, 'reminder', 'sms', 'old', '+33612345678', 1, 'fr', 'reminder', '{}', 'sent',"
		" 'old@creneau', 1, $2, $2, (SELECT sms_per_month FROM plans WHERE code = 'pro'), 'gsm7')",
		DB_ARGS(DB_INT(full.id), DB_INT(clock_now() - 3600)));
	expect_refused(&full, 0, "quota");
	/* the same segments sent last month do not count */
	fx_exec("UPDATE outbox SET sent_at = sent_at - 40 * 86400 WHERE account_id = $1",
		DB_ARGS(DB_INT(full.id)));
	char to[32];
	next_phone(to);
	int64_t id = write_sms(&full, 0, to, "Coupe", 0);
	test_clock_advance_s(1);
	assert_string_equal(wait_state(id), "sent");

	/* expired before it could go */
	next_phone(to);
	id = write_sms(&P, consenting, to, "Coupe", 1);
	test_clock_advance_s(1);
	assert_string_equal(wait_state(id), "suppressed");
	assert_string_equal(text_of("SELECT reason FROM outbox WHERE id = $1", id), "expired");
}

static void test_quiet_hours_move_the_send_to_the_morning(void **state)
{
	(void)state;
	fx_clock("2031-03-12T21:00:00+01:00");
	char to[32], late[32];
	next_phone(to);
	next_phone(late);
	int64_t id = write_sms(&P, consenting, to, "Coupe", 0);
	/* one that expires before 08:00 can only be dropped */
	int64_t gone = write_sms(&P, consenting, late, "Coupe", clock_now() + 3 * 3600);
	test_clock_advance_s(1);
	usleep(500 * 1000);
	assert_string_equal(text_of("SELECT state FROM outbox WHERE id = $1", id), "queued");
	struct part parts[2];
	assert_int_equal(received(to, parts, 2), 0);
	assert_string_equal(wait_state(gone), "suppressed");
	assert_string_equal(text_of("SELECT reason FROM outbox WHERE id = $1", gone), "quiet_hours");
	/* 2031-03-13T08:00:30+01:00 */
	struct reply r;
	http_call(&H, "POST", "/api/v1/test/clock", "{\"advance_to\": \"2031-03-13T08:00:30+01:00\"}", NULL,
		  &r);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	assert_string_equal(wait_state(id), "sent");
	assert_int_equal(wait_received(to, parts, 2, 1), 1);
}

static void test_kannel_down_the_sms_waits_then_goes_once(void **state)
{
	(void)state;
	const char *dir = getenv("CRENEAU_TEST_KANNEL_DIR");
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "scripts/peers/kannel.sh pause '%s'", dir);
	assert_int_equal(system(cmd), 0);
	char to[32];
	next_phone(to);
	int64_t id = write_sms(&P, consenting, to, "Coupe", 0);
	test_clock_advance_s(1);
	for (int i = 0;
	     i < 50 && fx_int("SELECT attempts FROM outbox WHERE id = $1", DB_ARGS(DB_INT(id))) < 1; i++)
		usleep(100 * 1000);
	assert_int_equal(fx_int("SELECT attempts FROM outbox WHERE id = $1", DB_ARGS(DB_INT(id))), 1);
	assert_string_equal(text_of("SELECT state FROM outbox WHERE id = $1", id), "queued");
	assert_true(strlen(text_of("SELECT last_error FROM outbox WHERE id = $1", id)) > 0);
	snprintf(cmd, sizeof(cmd), "scripts/peers/kannel.sh resume '%s' >/dev/null", dir);
	assert_int_equal(system(cmd), 0);
	test_clock_advance_s(600); /* past the first backoff */
	assert_string_equal(wait_state(id), "sent");
	struct part parts[4];
	assert_int_equal(wait_received(to, parts, 4, 1), 1);
	sleep(1);
	assert_int_equal(received(to, parts, 4), 1);
	assert_int_equal(fx_int("SELECT attempts FROM outbox WHERE id = $1", DB_ARGS(DB_INT(id))), 2);
}

static void hook(const char *query, struct reply *r)
{
	char path[512];
	snprintf(path, sizeof(path), "/hooks/sms/dlr?%s", query);
	http_call(&H, "GET", path, NULL, NULL, r);
}

static void test_the_report_hook_checks_its_signature(void **state)
{
	(void)state;
	char to[32];
	next_phone(to);
	int64_t id = write_sms(&P, consenting, to, "Coupe", 0);
	test_clock_advance_s(1);
	assert_string_equal(wait_state(id), "sent");
	wait_dlr(id);
	char sig[SMS_SIG_HEX_SIZE], q[300];
	sms_dlr_sign(id, sig);
	struct reply r;
	/* missing fields */
	hook("status=1", &r);
	assert_error(&r, 400, "invalid_field");
	reply_free(&r);
	snprintf(q, sizeof(q), "id=%lld&status=1", (long long)id);
	hook(q, &r);
	assert_int_equal(r.status, 400);
	reply_free(&r);
	/* a signature of another id, a made-up one */
	char other[SMS_SIG_HEX_SIZE];
	sms_dlr_sign(id + 1, other);
	snprintf(q, sizeof(q), "id=%lld&status=2&sig=%s", (long long)id, other);
	hook(q, &r);
	assert_int_equal(r.status, 403);
	reply_free(&r);
	snprintf(q, sizeof(q), "id=%lld&status=2&sig=%.64s", (long long)id,
		 "0000000000000000000000000000000000000000000000000000000000000000");
	hook(q, &r);
	assert_int_equal(r.status, 403);
	reply_free(&r);
	/* a final status stays: delivered, then a late "reached SMSC" */
	snprintf(q, sizeof(q), "id=%lld&status=1&sig=%s", (long long)id, sig);
	hook(q, &r);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	snprintf(q, sizeof(q), "id=%lld&status=8&sig=%s", (long long)id, sig);
	hook(q, &r);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	hook(q, &r); /* twice: the same answer */
	assert_int_equal(r.status, 200);
	reply_free(&r);
	assert_int_equal(fx_int("SELECT dlr_status FROM outbox WHERE id = $1", DB_ARGS(DB_INT(id))), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gsm7_text_reaches_the_operator_and_reports_come_back),
		cmocka_unit_test(test_long_texts_are_concatenated_or_cut),
		cmocka_unit_test(test_the_sending_path_refuses),
		cmocka_unit_test(test_the_report_hook_checks_its_signature),
		cmocka_unit_test(test_kannel_down_the_sms_waits_then_goes_once),
		cmocka_unit_test(test_quiet_hours_move_the_send_to_the_morning),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
