/* tests/unit/notify/outbox.c — the outbox on both stores with the real SMTP server of the
 * harness (aiosmtpd, CRENEAU_TEST_SMTP / CRENEAU_TEST_MAILDIR): a message written in a
 * transaction reaches the server with the right headers and parts; a rolled-back one never
 * exists; a duplicate key sends once; with the server down the message waits and then goes
 * out exactly once. */
#include "unit/jobs/jobstore.h"

#include <dirent.h>
#include <sodium.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "jobs/testclock.h"
#include "notify/notify.h"

static char nonce[32];

static const char *smtp_addr(void)
{
	const char *a = getenv("CRENEAU_TEST_SMTP");
	return a && *a && getenv("CRENEAU_TEST_MAILDIR") ? a : NULL;
}

static void configure(const char *hostport)
{
	char url[128];
	snprintf(url, sizeof(url), "smtp://%s", hostport);
	struct notify_config nc = {.smtp_url = url,
				   .smtp_starttls = "none",
				   .mail_from = "no-reply@creneau.test",
				   .mail_from_name = "Créneau",
				   .timeout_s = 10};
	notify_configure(&nc);
}

/* A loopback port where nothing listens. */
static int dead_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sa);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	close(fd);
	return ntohs(sa.sin_port);
}

/* How many messages in the maildir carry that Message-ID; *path gets the last one's file. */
static int count_mail(const char *msgid, char *path, size_t cap)
{
	char dir[512], needle[128];
	snprintf(dir, sizeof(dir), "%s/new", getenv("CRENEAU_TEST_MAILDIR"));
	snprintf(needle, sizeof(needle), "Message-ID: <%s>", msgid);
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char file[1024];
		snprintf(file, sizeof(file), "%s/%s", dir, de->d_name);
		FILE *f = fopen(file, "rb");
		if (!f)
			continue;
		static char data[1 << 20];
		size_t len = fread(data, 1, sizeof(data) - 1, f);
		fclose(f);
		data[len] = '\0';
		if (strstr(data, needle)) {
			n++;
			if (path)
				snprintf(path, cap, "%s", file);
		}
	}
	closedir(d);
	return n;
}

/* Parses a stored message with Python's email package; returns its summary as JSON. */
static json_t *parse_mail(const char *path)
{
	static const char py[] =
		"import email, email.policy, json, sys\n"
		"raw = open(sys.argv[1], 'rb').read()\n"
		"m = email.message_from_bytes(raw, policy=email.policy.default)\n"
		"parts = [p for p in m.walk() if not p.is_multipart()]\n"
		"print(json.dumps({'subject': str(m['subject']), 'from': str(m['from']),\n"
		" 'to': str(m['to']), 'reply_to': str(m['reply-to']), 'message_id': str(m['message-id']),\n"
		" 'content_type': m.get_content_type(), 'raw_subject': m.get('subject').__class__.__name__,\n"
		" 'types': [p.get_content_type() for p in parts],\n"
		" 'bodies': [p.get_content() for p in parts], 'defects': len(m.defects),\n"
		" 'raw': raw.decode('ascii')}))\n";
	char cmd[2048];
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 -c \"$PY\" '%s'", path);
	setenv("PY", py, 1);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	static char out[1 << 20];
	size_t len = fread(out, 1, sizeof(out) - 1, p);
	out[len] = '\0';
	assert_int_equal(pclose(p), 0);
	json_error_t je;
	json_t *j = json_loads(out, 0, &je);
	if (!j)
		fail_msg("python said: %s", out);
	return j;
}

static int write_mail(db *d, const char *ref, const char *to, const json_t *vars, int commit, struct err *e)
{
	db_conn *c = begin_tx(d);
	struct outbox_email m = {.account_id = 7,
				 .kind = "smtp_check",
				 .subject_ref = ref,
				 .to = to,
				 .locale = "fr",
				 .vars = vars,
				 .reply_to = "salon@example.com"};
	int rc = outbox_email(c, &m, e);
	if (rc >= 0 && commit)
		commit_tx(c);
	else {
		db_rollback(c);
		db_release(c);
	}
	return rc;
}

static json_t *vars_ok(void)
{
	return json_pack("{s:s, s:s}", "name", "Zoé <b>&", "requested_at", "jeudi 26 novembre 2026");
}

static void test_mail_reaches_the_server_with_its_headers(void **state)
{
	struct store *s = *state;
	if (!smtp_addr())
		fail_msg("CRENEAU_TEST_SMTP and CRENEAU_TEST_MAILDIR are not set: run it through "
			 "tests/run.sh");
	configure(smtp_addr());
	struct err e = {0};
	char ref[64], to[96], msgid[NOTIFY_MSGID_SIZE], path[1024];
	snprintf(ref, sizeof(ref), "check:%s:%d", nonce, s->pg);
	snprintf(to, sizeof(to), "owner+%s@example.com", nonce);
	json_t *v = vars_ok();
	assert_int_equal(write_mail(s->d, ref, to, v, 1, &e), 1);
	json_decref(v);
	assert_int_equal(q_int(s->d, "SELECT COUNT(*) FROM jobs WHERE kind = 'email.send'", INT64_MIN), 1);

	int ran = jobs_run_due(s->d, clock_now(), 10, &e);
	must(ran, &e);
	assert_int_equal(ran, 1);
	notify_message_id(7, ref, to, "smtp_check", 0, "email", msgid);
	assert_int_equal(count_mail(msgid, path, sizeof(path)), 1);
	assert_int_equal(
		q_int(s->d, "SELECT COUNT(*) FROM outbox WHERE state = 'sent' AND sent_at > 0", INT64_MIN),
		1);

	json_t *m = parse_mail(path);
	assert_string_equal(json_string_value(json_object_get(m, "subject")),
			    "Créneau : test de votre configuration e-mail");
	assert_non_null(strstr(json_string_value(json_object_get(m, "raw")), "Subject: =?UTF-8?B?"));
	char want[128];
	snprintf(want, sizeof(want), "<%s>", msgid);
	assert_string_equal(json_string_value(json_object_get(m, "message_id")), want);
	assert_string_equal(json_string_value(json_object_get(m, "reply_to")), "salon@example.com");
	assert_string_equal(json_string_value(json_object_get(m, "to")), to);
	assert_string_equal(json_string_value(json_object_get(m, "from")), "Créneau <no-reply@creneau.test>");
	assert_string_equal(json_string_value(json_object_get(m, "content_type")), "multipart/alternative");
	json_t *types = json_object_get(m, "types"), *bodies = json_object_get(m, "bodies");
	assert_int_equal(json_array_size(types), 2);
	assert_string_equal(json_string_value(json_array_get(types, 0)), "text/plain");
	assert_string_equal(json_string_value(json_array_get(types, 1)), "text/html");
	assert_non_null(strstr(json_string_value(json_array_get(bodies, 0)), "Bonjour Zoé <b>&,"));
	assert_non_null(strstr(json_string_value(json_array_get(bodies, 1)), "Bonjour Zoé &lt;b&gt;&amp;,"));
	assert_int_equal(json_integer_value(json_object_get(m, "defects")), 0);
	json_decref(m);

	/* running again sends nothing more */
	assert_int_equal(jobs_run_due(s->d, clock_now() + 100000, 10, &e), 0);
	assert_int_equal(count_mail(msgid, NULL, 0), 1);
}

static void test_rollback_duplicates_and_missing_variables(void **state)
{
	struct store *s = *state;
	struct err e = {0};
	json_t *v = vars_ok();
	assert_int_equal(write_mail(s->d, "r:1", "a@example.com", v, 0, &e), 1); /* rolled back */
	assert_int_equal(q_int(s->d, "SELECT COUNT(*) FROM outbox", INT64_MIN), 0);
	assert_int_equal(q_int(s->d, "SELECT COUNT(*) FROM jobs", INT64_MIN), 0);

	assert_int_equal(write_mail(s->d, "r:1", "a@example.com", v, 1, &e), 1);
	assert_int_equal(write_mail(s->d, "r:1", "a@example.com", v, 1, &e), 0); /* same key */
	assert_int_equal(write_mail(s->d, "r:1", "b@example.com", v, 1, &e), 1); /* other recipient */
	assert_int_equal(q_int(s->d, "SELECT COUNT(*) FROM outbox", INT64_MIN), 2);
	assert_int_equal(q_int(s->d, "SELECT COUNT(*) FROM jobs", INT64_MIN), 2);

	/* platform mail (no account) still collides on its key */
	db_conn *c = begin_tx(s->d);
	struct outbox_email pm = {.kind = "smtp_check",
				  .subject_ref = "p:1",
				  .to = "op@example.com",
				  .locale = "en",
				  .vars = v};
	assert_int_equal(outbox_email(c, &pm, &e), 1);
	assert_int_equal(outbox_email(c, &pm, &e), 0);
	commit_tx(c);

	json_t *partial = json_pack("{s:s}", "name", "x");
	assert_true(write_mail(s->d, "r:2", "a@example.com", partial, 1, &e) < 0);
	assert_string_equal(e.code, "template_error");
	assert_true(write_mail(s->d, "r:3", "not an address", v, 1, &e) < 0);
	assert_int_equal(e.status, 400);
	assert_int_equal(q_int(s->d, "SELECT COUNT(*) FROM outbox", INT64_MIN), 3);
	json_decref(partial);
	json_decref(v);
}

static void test_server_down_then_up_sends_exactly_once(void **state)
{
	struct store *s = *state;
	if (!smtp_addr())
		fail_msg("CRENEAU_TEST_SMTP and CRENEAU_TEST_MAILDIR are not set: run it through "
			 "tests/run.sh");
	struct err e = {0};
	char down[64], ref[64], to[96], msgid[NOTIFY_MSGID_SIZE];
	snprintf(down, sizeof(down), "127.0.0.1:%d", dead_port());
	configure(down);
	snprintf(ref, sizeof(ref), "down:%s:%d", nonce, s->pg);
	snprintf(to, sizeof(to), "waiting+%s@example.com", nonce);
	notify_message_id(7, ref, to, "smtp_check", 0, "email", msgid);

	must(testclock_set(s->d, 1900000000, &e), &e);
	testclock_enable(s->d);
	json_t *v = vars_ok();
	assert_int_equal(write_mail(s->d, ref, to, v, 1, &e), 1);
	json_decref(v);

	must(testclock_advance_to(s->d, 1900000000 + 200, &e), &e); /* a few attempts, all refused */
	int64_t attempts = q_int(s->d, "SELECT attempts FROM outbox", INT64_MIN);
	assert_true(attempts >= 2);
	assert_int_equal(q_int(s->d, "SELECT COUNT(*) FROM outbox WHERE state = 'queued'", INT64_MIN), 1);
	assert_int_equal(q_int(s->d, "SELECT COUNT(*) FROM jobs WHERE state = 'queued'", INT64_MIN), 1);
	assert_int_equal(count_mail(msgid, NULL, 0), 0);

	configure(smtp_addr()); /* the server is back */
	int ran = testclock_advance_to(s->d, 1900000000 + 4 * 3600, &e);
	must(ran, &e);
	assert_int_equal(ran, 1);
	assert_int_equal(count_mail(msgid, NULL, 0), 1);
	assert_int_equal(q_int(s->d, "SELECT COUNT(*) FROM outbox WHERE state = 'sent'", INT64_MIN), 1);
	assert_int_equal(q_int(s->d, "SELECT attempts FROM outbox", INT64_MIN), attempts + 1);
	assert_int_equal(testclock_advance_to(s->d, 1900000000 + 48 * 3600, &e), 0);
	assert_int_equal(count_mail(msgid, NULL, 0), 1);
	testclock_disable();
}

int main(void)
{
	unsigned char r[8];
	if (sodium_init() < 0)
		return 1;
	randombytes_buf(r, sizeof(r));
	sodium_bin2hex(nonce, sizeof(nonce), r, sizeof(r));
	if (!smtp_addr())
		printf("[ SMTP     ] CRENEAU_TEST_SMTP / CRENEAU_TEST_MAILDIR not set: the delivery tests "
		       "will "
		       "fail (tests/run.sh sets them)\n");
	notify_configure(&(struct notify_config){.smtp_url = ""});
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mail_reaches_the_server_with_its_headers, setup_migrated,
						teardown_clock_store),
		cmocka_unit_test_setup_teardown(test_rollback_duplicates_and_missing_variables,
						setup_migrated, teardown_clock_store),
		cmocka_unit_test_setup_teardown(test_server_down_then_up_sends_exactly_once, setup_migrated,
						teardown_clock_store),
	};
	return RUN_ON_STORES("notify outbox", tests);
}
