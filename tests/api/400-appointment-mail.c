/* The e-mails about an appointment, as the client and the owner receive them from the real
 * SMTP server (aiosmtpd, scripts/peers/smtp.sh): read back by tests/api/mail_read.py with
 * Python's email package and icalendar, never by our code. A public booking, then a move
 * through the manage link, then a cancellation in the back office: French text with the date
 * written out, Reply-To the business, a working manage link, REQUEST SEQUENCE 1 and 2 then
 * CANCEL for one UID. A back-office booking retried with its Idempotency-Key confirms once; a
 * demo appointment is never mailed; a hard bounce suppresses the address (shown on the
 * client's card) and the next message is not sent; with the relay down a message waits and
 * then goes once, and one whose appointment began meanwhile is dropped. Paris is UTC+02:00 in
 * April 2027. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"
#include "notify/notify.h"
#include "sched_fixture.h"
#include "schedule/manage.h"

#define OWNER_FMT "owner-%s-%d-%s@mail-test.example"

struct shop {
	struct session s;
	int64_t id;
	char owner[128], staff[32], svc[32];
};

/* A business in Paris without its demo data: Anne works 09:00–18:00 every day; "Coupe &
 * brushing" 60 min at 45 €. */
static void shop_open(struct shop *b, const char *tag, int keep_demo)
{
	char body[512];
	struct reply r;
	snprintf(b->owner, sizeof(b->owner), OWNER_FMT, tag, (int)getpid(), harness_store_kind());
	harness_signup(&H, "Salon Élise", b->owner, NULL, &b->s);
	b->id = fx_int("SELECT id FROM accounts WHERE slug = $1", DB_ARGS(DB_TEXT(b->s.slug)));
	if (!keep_demo) {
		session_expect(&H, &b->s, "DELETE", "/api/v1/demo", NULL, 200, &r);
		reply_free(&r);
	}
	session_expect(&H, &b->s, "PATCH", "/api/v1/account",
		       "{\"phone\": \"+33 1 23 45 67 89\", \"address\": \"12 rue de la Paix, 75002 Paris\","
		       " \"min_notice_s\": 0}",
		       200, &r);
	reply_free(&r);
	fx_api_staff_every_day(&b->s, "Anne", "09:00", "18:00", b->staff);
	snprintf(body, sizeof(body),
		 "{\"name\": \"Coupe & brushing\", \"duration_min\": 60, \"price_cents\": 4500, \"staff\": "
		 "[\"%s\"]}",
		 b->staff);
	session_expect(&H, &b->s, "POST", "/api/v1/services", body, 201, &r);
	snprintf(b->svc, sizeof(b->svc), "%s", json_path_str(r.json, "service", "id"));
	reply_free(&r);
}

/* A unique client address for this run and store. */
static void address(char *out, size_t cap, const char *local)
{
	snprintf(out, cap, "%s-%d-%s@client.example", local, (int)getpid(), harness_store_kind());
}

/* Every message to `to`, in arrival order, as mail_read.py reads them; waits up to 5 s for
 * at least `want` messages. The caller json_decref's the list. */
static json_t *mails(const char *to, size_t want)
{
	return maildir_messages("tests/api/mail_read.py", to, want, 50);
}

static const char *field(const json_t *m, const char *k)
{
	const char *s = json_string_value(json_object_get(m, k));
	assert_non_null(s);
	return s;
}

static void contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("\"%s\" not found in:\n%s", needle, hay);
}

/* The calendar of a message: the alternative part and the attachment say the same. */
static const json_t *calendar(const json_t *m, const char *method, int sequence, const char *uid)
{
	const json_t *c = json_object_get(m, "calendar"), *a = json_object_get(m, "attachment");
	assert_true(json_is_object(c));
	assert_true(json_is_object(a));
	assert_string_equal(field(m, "attachment_name"), "invite.ics");
	assert_string_equal(field(c, "method"), method);
	assert_string_equal(field(c, "content_method"), method);
	assert_string_equal(field(a, "method"), method);
	assert_string_equal(field(c, "uid"), uid);
	assert_string_equal(field(a, "uid"), uid);
	assert_int_equal(json_integer_value(json_object_get(c, "sequence")), sequence);
	assert_int_equal(json_integer_value(json_object_get(a, "sequence")), sequence);
	return c;
}

/* The manage token of the link in a text. */
static void link_token(const char *text, char token[TOKEN_LEN + 1])
{
	const char *p = strstr(text, "/m/");
	assert_non_null(p);
	p += 3;
	size_t len = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
	assert_int_equal(len, TOKEN_LEN);
	memcpy(token, p, TOKEN_LEN);
	token[TOKEN_LEN] = '\0';
}

static void public_book(const struct shop *b, const char *start, const char *email, char id[32])
{
	char path[160], body[512];
	struct reply r;
	snprintf(path, sizeof(path), "/api/v1/public/%s/appointments", b->s.slug);
	snprintf(body, sizeof(body),
		 "{\"service\": \"%s\", \"staff\": \"any\", \"start\": \"%s\", \"client\": {\"first_name\": "
		 "\"Léa\", \"last_name\": \"Martin\", \"email\": \"%s\"}}",
		 b->svc, start, email);
	const char *headers[] = {harness_next_ip_header(), NULL};
	http_call(&H, "POST", path, body, headers, &r);
	if (r.status != 201)
		fprintf(stderr, "book %s: %ld %s\n", start, r.status, r.body);
	assert_int_equal(r.status, 201);
	snprintf(id, 32, "%s", json_path_str(r.json, "appointment", "id"));
	reply_free(&r);
}

static void office_book(const struct shop *b, const char *start, const char *email, const char *idem,
			char id[32], char client[32])
{
	char body[512];
	struct reply r;
	snprintf(body, sizeof(body),
		 "{\"service\": \"%s\", \"staff\": \"%s\", \"start\": \"%s\", \"client\": {\"first_name\": "
		 "\"Hugo\", \"last_name\": \"Petit\", \"email\": \"%s\"}}",
		 b->svc, b->staff, start, email);
	struct biz z = {.s = b->s, .id = b->id};
	fx_book(&z, body, idem, &r);
	if (r.status != 201)
		fprintf(stderr, "office book %s: %ld %s\n", start, r.status, r.body);
	assert_int_equal(r.status, 201);
	snprintf(id, 32, "%s", json_path_str(r.json, "appointment", "id"));
	if (client)
		snprintf(client, 32, "%s",
			 json_string_value(json_object_get(
				 json_object_get(json_object_get(r.json, "appointment"), "client"), "id")));
	reply_free(&r);
}

static int64_t outbox_count(const char *sql_where, const char *arg)
{
	char sql[512];
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM outbox WHERE %s", sql_where);
	return fx_int(sql, DB_ARGS(DB_TEXT(arg)));
}

static void client_sees_request_then_cancel(void **state)
{
	(void)state;
	struct shop b;
	struct reply r;
	char lea[128], id[32], uid[64], token[TOKEN_LEN + 1], path[600];
	fx_clock("2027-04-12T08:00:00+02:00");
	shop_open(&b, "flow", 0);
	address(lea, sizeof(lea), "lea");
	public_book(&b, "2027-04-15T14:30:00+02:00", lea, id);
	snprintf(uid, sizeof(uid), "%s@creneau", id);
	test_clock_advance_s(60);

	/* the confirmation, as Léa reads it */
	json_t *list = mails(lea, 1);
	assert_int_equal(json_array_size(list), 1);
	const json_t *m = json_array_get(list, 0);
	contains(field(m, "subject"), "Rendez-vous confirmé");
	contains(field(m, "subject"), "jeudi 15 avril 2027 à 14 h 30");
	contains(field(m, "text"), "Votre rendez-vous chez Salon Élise est confirmé.");
	contains(field(m, "text"), "Date : jeudi 15 avril 2027 à 14 h 30");
	contains(field(m, "text"), "Coupe & brushing");
	contains(field(m, "text"), "Avec : Anne");
	contains(field(m, "text"), "12 rue de la Paix, 75002 Paris");
	contains(field(m, "text"), "45,00");
	contains(field(m, "reply_to"), b.owner); /* the business's contact address */
	contains(field(m, "from"), "no-reply@");
	assert_true(json_is_true(json_object_get(m, "html")));
	const json_t *cal = calendar(m, "REQUEST", 1, uid);
	assert_string_equal(field(cal, "dtstart"), "2027-04-15T12:30:00+00:00");
	assert_string_equal(field(cal, "dtend"), "2027-04-15T13:30:00+00:00");
	assert_string_equal(field(cal, "status"), "CONFIRMED");
	contains(field(cal, "summary"), "Coupe & brushing");
	contains(field(cal, "location"), "12 rue de la Paix");
	contains(field(cal, "organizer"), b.owner);
	contains(field(cal, "attendee"), lea);
	link_token(field(m, "text"), token);
	json_decref(list);

	/* the link of the mail works */
	snprintf(path, sizeof(path), "/api/v1/manage/%s", token);
	http_call(&H, "GET", path, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_path_str(r.json, "appointment", "id"), id);
	reply_free(&r);

	/* the owner's notice */
	list = mails(b.owner, 1);
	size_t owner_mails = json_array_size(list);
	assert_true(owner_mails >= 1);
	m = json_array_get(list, owner_mails - 1);
	contains(field(m, "subject"), "Nouveau rendez-vous");
	contains(field(m, "text"), "Léa Martin");
	contains(field(m, "text"), lea);
	contains(field(m, "text"), "jeudi 15 avril 2027 à 14 h 30");
	json_decref(list);

	/* Léa moves it with the link of the mail: REQUEST, SEQUENCE 2, same UID */
	const char *headers[] = {harness_next_ip_header(), NULL};
	http_call(&H, "PATCH", path, "{\"start\": \"2027-04-16T10:00:00+02:00\"}", headers, &r);
	if (r.status != 200)
		fprintf(stderr, "move: %ld %s\n", r.status, r.body);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	test_clock_advance_s(60);
	list = mails(lea, 2);
	assert_int_equal(json_array_size(list), 2);
	m = json_array_get(list, 1);
	contains(field(m, "subject"), "Rendez-vous déplacé");
	contains(field(m, "text"), "vendredi 16 avril 2027 à 10 h 00");
	contains(field(m, "text"), "jeudi 15 avril 2027 à 14 h 30");
	cal = calendar(m, "REQUEST", 2, uid);
	assert_string_equal(field(cal, "dtstart"), "2027-04-16T08:00:00+00:00");
	char token2[TOKEN_LEN + 1];
	link_token(field(m, "text"), token2);
	assert_string_not_equal(token, token2); /* one link per message */
	json_decref(list);
	list = mails(b.owner, owner_mails + 1);
	assert_int_equal(json_array_size(list), owner_mails + 1);
	contains(field(json_array_get(list, owner_mails), "subject"), "Rendez-vous déplacé");
	json_decref(list);

	/* the back office cancels it: CANCEL, same UID */
	snprintf(path, sizeof(path), "/api/v1/appointments/%s", id);
	session_expect(&H, &b.s, "PATCH", path, "{\"status\": \"cancelled\"}", 200, &r);
	reply_free(&r);
	test_clock_advance_s(60);
	list = mails(lea, 3);
	assert_int_equal(json_array_size(list), 3);
	m = json_array_get(list, 2);
	contains(field(m, "subject"), "Rendez-vous annulé");
	contains(field(m, "text"), "vendredi 16 avril 2027 à 10 h 00");
	cal = calendar(m, "CANCEL", 3, uid);
	assert_string_equal(field(cal, "status"), "CANCELLED");
	json_decref(list);

	/* what the outbox keeps: the text as sent, the client and the appointment */
	char ref[64];
	snprintf(ref, sizeof(ref), "appointment:%s", id);
	assert_int_equal(outbox_count("subject_ref = $1 AND recipient LIKE 'lea-%' AND state = 'sent'"
				      " AND body LIKE '%Salon Élise%' AND client_id IS NOT NULL"
				      " AND appointment_id IS NOT NULL AND expires_at IS NOT NULL",
				      ref),
			 3);
}

static void office_booking_retried_confirms_once(void **state)
{
	(void)state;
	struct shop b;
	char hugo[128], id[32], id2[32];
	shop_open(&b, "idem", 0);
	address(hugo, sizeof(hugo), "hugo");
	char key[64];
	snprintf(key, sizeof(key), "idem-%d-%s", (int)getpid(), harness_store_kind());
	office_book(&b, "2027-04-20T11:00:00+02:00", hugo, key, id, NULL);
	office_book(&b, "2027-04-20T11:00:00+02:00", hugo, key, id2, NULL);
	assert_string_equal(id, id2);
	test_clock_advance_s(60);
	json_t *list = mails(hugo, 1);
	sleep(1); /* a second one would have arrived by now */
	json_decref(list);
	list = mails(hugo, 1);
	assert_int_equal(json_array_size(list), 1);
	contains(field(json_array_get(list, 0), "subject"), "mardi 20 avril 2027 à 11 h 00");
	char uid[64];
	snprintf(uid, sizeof(uid), "%s@creneau", id);
	calendar(json_array_get(list, 0), "REQUEST", 1, uid);
	json_decref(list);
}

static void demo_appointments_are_never_notified(void **state)
{
	(void)state;
	struct shop b;
	struct reply r;
	char path[128];
	shop_open(&b, "demo", 1);
	char *pid = NULL;
	{
		struct err e = {0};
		db_conn *c;
		db_rows *rows;
		assert_int_equal(db_acquire(H.app->db, &c, &e), 0);
		assert_int_equal(
			db_query(c,
				 "SELECT public_id FROM appointments WHERE account_id = $1 AND is_demo = 1"
				 " AND status = 'booked' ORDER BY starts_at DESC",
				 DB_ARGS(DB_INT(b.id)), &rows, &e),
			0);
		if (db_rows_next(rows, &e) == 1)
			pid = strdup(db_rows_text(rows, 0));
		db_rows_free(rows);
		db_release(c);
	}
	if (!pid)
		fail_msg("the sign-up made no demo appointment");
	snprintf(path, sizeof(path), "/api/v1/appointments/%s", pid);
	session_expect(&H, &b.s, "PATCH", path, "{\"status\": \"cancelled\"}", 200, &r);
	reply_free(&r);
	test_clock_advance_s(60);
	char ref[64];
	snprintf(ref, sizeof(ref), "appointment:%s", pid);
	assert_int_equal(outbox_count("subject_ref = $1", ref), 0);
	free(pid);
}

static void hard_bounce_suppresses_the_address(void **state)
{
	(void)state;
	struct shop b;
	struct reply r;
	char bad[128], id[32], client[32], path[128];
	shop_open(&b, "bounce", 0);
	address(bad, sizeof(bad), "bounce");
	office_book(&b, "2027-04-21T15:00:00+02:00", bad, NULL, id, client);
	test_clock_advance_s(60);
	assert_int_equal(outbox_count("recipient = $1 AND state = 'failed' AND reason = 'hard_bounce'", bad),
			 1);

	/* the client's card says so */
	snprintf(path, sizeof(path), "/api/v1/clients/%s", client);
	session_expect(&H, &b.s, "GET", path, NULL, 200, &r);
	const json_t *sup = json_object_get(json_object_get(r.json, "client"), "email_suppressed");
	assert_true(json_is_object(sup));
	contains(field(sup, "reason"), "550");
	contains(field(sup, "since"), "2027-");
	reply_free(&r);

	/* the next message to it is not attempted */
	snprintf(path, sizeof(path), "/api/v1/appointments/%s", id);
	session_expect(&H, &b.s, "PATCH", path, "{\"start\": \"2027-04-21T16:00:00+02:00\"}", 200, &r);
	reply_free(&r);
	test_clock_advance_s(60);
	assert_int_equal(outbox_count("recipient = $1 AND kind = 'booking_moved' AND state = 'suppressed'"
				      " AND reason = 'suppressed_address' AND attempts = 0",
				      bad),
			 1);
	/* another business still mails it */
	struct shop other;
	shop_open(&other, "bounce2", 0);
	office_book(&other, "2027-04-22T15:00:00+02:00", bad, NULL, id, NULL);
	test_clock_advance_s(60);
	assert_int_equal(outbox_count("recipient = $1 AND state = 'failed' AND reason = 'hard_bounce'", bad),
			 2);
}

static void relay_down_the_message_waits_then_goes_once(void **state)
{
	(void)state;
	struct shop b;
	char late[128], soon[128], id[32], id_soon[32];
	fx_clock("2027-04-23T09:00:00+02:00"); /* the clock only moves forward */
	shop_open(&b, "down", 0);
	address(late, sizeof(late), "patient");
	address(soon, sizeof(soon), "soon");
	struct notify_config down = {.smtp_url = "smtp://127.0.0.1:1",
				     .smtp_starttls = "none",
				     .mail_from = H.cfg.mail_from,
				     .mail_from_name = H.cfg.mail_from_name,
				     .public_url = H.cfg.public_url};
	notify_configure(&down);
	office_book(&b, "2027-04-30T11:00:00+02:00", late, NULL, id, NULL);
	office_book(&b, "2027-04-23T10:00:00+02:00", soon, NULL, id_soon, NULL);
	test_clock_advance_s(2 * 3600); /* several attempts, all refused; the second appointment began */
	assert_int_equal(outbox_count("recipient = $1 AND state = 'queued' AND attempts >= 2", late), 1);
	json_t *list = mails(late, 0);
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);

	struct notify_config up = down;
	char url[128];
	snprintf(url, sizeof(url), "smtp://%s", getenv("CRENEAU_TEST_SMTP"));
	up.smtp_url = url;
	notify_configure(&up);
	test_clock_advance_s(6 * 3600);
	list = mails(late, 1);
	sleep(1);
	json_decref(list);
	list = mails(late, 1);
	assert_int_equal(json_array_size(list), 1);
	contains(field(json_array_get(list, 0), "subject"), "vendredi 30 avril 2027 à 11 h 00");
	json_decref(list);
	assert_int_equal(outbox_count("recipient = $1 AND state = 'sent'", late), 1);
	/* the message of an appointment that began meanwhile is dropped, not sent late */
	assert_int_equal(outbox_count("recipient = $1 AND state = 'suppressed' AND reason = 'expired'", soon),
			 1);
	list = mails(soon, 0);
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);
}

int main(void)
{
	if (harness_need_smtp())
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(client_sees_request_then_cancel),
		cmocka_unit_test(office_booking_retried_confirms_once),
		cmocka_unit_test(demo_appointments_are_never_notified),
		cmocka_unit_test(hard_bounce_suppresses_the_address),
		cmocka_unit_test(relay_down_the_message_waits_then_goes_once),
	};
	return cmocka_run_group_tests_name("appointment mail", tests, harness_setup, harness_teardown);
}
