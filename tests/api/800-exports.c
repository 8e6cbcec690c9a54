/* Exports (PRODUCT.md "Data portability"), each read back by a reader nobody here wrote
 * (tests/api/export_read.py: Python's csv module, openpyxl, vobject, icalendar; `unzip -t` for
 * the archive): names with accents, apostrophes, semicolons, quotes, newlines and emoji survive
 * every format; a formula injection comes out neutralised in CSV and XLSX; appointments keep the
 * invitation e-mails' UIDs; a staff calendar feed works without a session and stops once
 * revoked; a frozen account still exports; another tenant's clients never appear; the archive
 * is built in the background, is a sound ZIP, and is logged in the audit log. */
#include <curl/curl.h>
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

#define READER "tests/api/export_read.py"

static struct session S, OTHER;
static char owner_email[128];
static char from_day[16], to_day[16];

/* The names that must survive every format. */
#define FIRST	  "Zoé-Anaïs 🎉"
#define LAST	  "O'Brien; \\\"Le Grand\\\""
#define LAST_C	  "O'Brien; \"Le Grand\""
#define NOTES_C	  "ligne 1\nligne 2, avec ; et \" et 🌸"
#define FORMULA	  "=HYPERLINK(\\\"http://x\\\",\\\"y\\\")"
#define FORMULA_C "=HYPERLINK(\"http://x\",\"y\")"

static void db_do(const char *sql, const char *arg1, const char *arg2)
{
	struct err e = {0};
	db_conn *c;
	assert_int_equal(db_acquire(H.app->db, &c, &e), 0);
	int rc = db_exec(c, sql, DB_ARGS(DB_TEXT(arg1), DB_TEXT(arg2)), &e);
	db_release(c);
	if (rc < 0)
		fail_msg("%s: %s", sql, e.message);
}

static int64_t db_count(const char *sql, const char *arg)
{
	struct err e = {0};
	db_conn *c;
	int64_t n = -1;
	assert_int_equal(db_acquire(H.app->db, &c, &e), 0);
	assert_true(db_query_int(c, sql, DB_ARGS(DB_TEXT(arg)), &n, &e) >= 0);
	db_release(c);
	return n;
}

/* GETs path with the session (or none), checks 200, writes the body to a temporary file and
 * returns what the reader makes of it (the caller json_decref's). */
static json_t *read_export(const struct session *s, const char *path, const char *fmt, const char *sep,
			   const char *want_type)
{
	struct reply r;
	if (s)
		session_expect(&H, s, "GET", path, NULL, 200, &r);
	else
		http_call(&H, "GET", path, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	char type[128];
	assert_non_null(reply_header(&r, "Content-Type", type, sizeof(type)));
	if (!strstr(type, want_type))
		fail_msg("%s answered Content-Type %s", path, type);
	char file[64];
	snprintf(file, sizeof(file), "/tmp/creneau-800-XXXXXX.%s", fmt);
	int fd = mkstemps(file, (int)strlen(fmt) + 1);
	assert_true(fd >= 0);
	assert_true(write(fd, r.body, r.len) == (ssize_t)r.len);
	close(fd);
	reply_free(&r);
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 %s %s %s '%s'", READER, fmt, file, sep ? sep : ";");
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	json_error_t je;
	json_t *j = json_loadf(p, 0, &je);
	int st = pclose(p);
	unlink(file);
	if (!j || st != 0)
		fail_msg("the %s reader failed on %s (status %d): %s", fmt, path, st, je.text);
	return j;
}

static const char *cell(const json_t *row, size_t i)
{
	return json_string_value(json_array_get(row, i));
}

/* The row of the CSV or XLSX whose column col equals value, or NULL. */
static json_t *find_row(json_t *rows, size_t col, const char *value)
{
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row)
	{
		const char *v = cell(row, col);
		if (v && !strcmp(v, value))
			return row;
	}
	return NULL;
}

static int setup(void **state)
{
	if (harness_setup(state))
		return -1;
	char email[128];
	snprintf(owner_email, sizeof(owner_email), "export-%s-%d@data-test.example", harness_store_kind(),
		 (int)getpid());
	harness_signup(&H, "Salon d'Export", owner_email, NULL, &S);
	snprintf(email, sizeof(email), "other-%s-%d@data-test.example", harness_store_kind(), (int)getpid());
	harness_signup(&H, "Autre Salon", email, NULL, &OTHER);
	struct reply r;
	char body[1024];
	snprintf(body, sizeof(body),
		 "{\"first_name\": \"" FIRST "\", \"last_name\": \"" LAST "\", \"email\": "
		 "\"zoe@export.example\", \"phone\": \"+33 6 12 34 56 78\", \"consent_email\": true}");
	session_expect(&H, &S, "POST", "/api/v1/clients", body, 201, &r);
	char id[32];
	snprintf(id, sizeof(id), "%s", json_path_str(r.json, "client", "id"));
	reply_free(&r);
	db_do("UPDATE clients SET notes = $2 WHERE public_id = $1", id, NOTES_C);
	session_expect(&H, &S, "POST", "/api/v1/clients",
		       "{\"first_name\": \"Mallory\", \"last_name\": \"" FORMULA "\", \"email\": "
		       "\"mallory@export.example\", \"consent_email\": false}",
		       201, &r);
	reply_free(&r);
	session_expect(&H, &OTHER, "POST", "/api/v1/clients",
		       "{\"first_name\": \"Étrangère\", \"last_name\": \"Secrète\", \"email\": "
		       "\"secrete@other.example\"}",
		       201, &r);
	reply_free(&r);
	/* the demo week sits around the test clock's today */
	http_call(&H, "GET", "/api/v1/test/clock", NULL, NULL, &r);
	int64_t now = json_integer_value(json_object_get(r.json, "unix"));
	reply_free(&r);
	struct civil a, b;
	tz_utc_to_civil(now - 20 * 86400, &a);
	tz_utc_to_civil(now + 40 * 86400, &b);
	snprintf(from_day, sizeof(from_day), "%04d-%02d-%02d", a.year, a.month, a.day);
	snprintf(to_day, sizeof(to_day), "%04d-%02d-%02d", b.year, b.month, b.day);
	return 0;
}

static void csv_survives_and_neutralises_formulas(void **state)
{
	(void)state;
	json_t *j = read_export(&S, "/api/v1/exports/clients.csv", "csv", ";", "text/csv");
	assert_true(json_is_true(json_object_get(j, "bom")));
	json_t *rows = json_object_get(j, "rows");
	assert_string_equal(cell(json_array_get(rows, 0), 1), "Prénom");
	json_t *zoe = find_row(rows, 3, "zoe@export.example");
	assert_non_null(zoe);
	assert_string_equal(cell(zoe, 1), FIRST);
	assert_string_equal(cell(zoe, 2), LAST_C);
	assert_string_equal(cell(zoe, 5), NOTES_C);
	assert_string_equal(cell(zoe, 4), "'+33612345678"); /* a leading + is neutralised too */
	json_t *mal = find_row(rows, 3, "mallory@export.example");
	assert_non_null(mal);
	assert_string_equal(cell(mal, 2), "'" FORMULA_C);
	assert_null(find_row(rows, 3, "secrete@other.example"));
	json_decref(j);

	/* a comma on request, a consent filter and a column choice for a mailing */
	j = read_export(
		&S, "/api/v1/exports/clients.csv?separator=comma&filter=consented&columns=first_name,email",
		"csv", ",", "text/csv");
	rows = json_object_get(j, "rows");
	assert_int_equal(json_array_size(json_array_get(rows, 0)), 2);
	zoe = find_row(rows, 1, "zoe@export.example");
	assert_non_null(zoe);
	assert_string_equal(cell(zoe, 0), FIRST);
	assert_null(find_row(rows, 1, "mallory@export.example")); /* no consent */
	json_decref(j);

	struct reply r;
	session_expect(&H, &S, "GET", "/api/v1/exports/clients.csv?filter=nobody", NULL, 400, &r);
	assert_error(&r, 400, "invalid_field");
	reply_free(&r);
	session_expect(&H, &S, "GET", "/api/v1/exports/clients.pdf", NULL, 404, &r);
	reply_free(&r);
	assert_true(db_count("SELECT COUNT(*) FROM audit_log a JOIN accounts c ON c.id = a.account_id"
			     " WHERE c.slug = $1 AND a.action = 'export.clients'",
			     S.slug) >= 2);
}

static void xlsx_is_typed_frozen_and_never_a_formula(void **state)
{
	(void)state;
	json_t *j = read_export(&S, "/api/v1/exports/clients.xlsx", "xlsx", NULL, "spreadsheetml");
	assert_string_equal(json_string_value(json_object_get(j, "frozen")), "A2");
	assert_true(json_is_true(json_object_get(j, "header_bold")));
	json_t *rows = json_object_get(j, "rows"), *types = json_object_get(j, "types");
	json_t *zoe = find_row(rows, 3, "zoe@export.example");
	assert_non_null(zoe);
	assert_string_equal(cell(zoe, 1), FIRST);
	assert_string_equal(cell(zoe, 2), LAST_C);
	assert_string_equal(cell(zoe, 5), NOTES_C);
	assert_true(json_is_true(json_array_get(zoe, 6))); /* consent as a boolean */
	size_t i;
	json_t *row;
	int seen = 0;
	json_array_foreach(rows, i, row)
	{
		if (!cell(row, 3) || strcmp(cell(row, 3), "mallory@export.example"))
			continue;
		assert_string_equal(cell(row, 2), FORMULA_C);
		assert_string_equal(cell(json_array_get(types, i), 2), "s"); /* a string, not "f" */
		seen = 1;
	}
	assert_true(seen);
	assert_null(find_row(rows, 3, "secrete@other.example"));
	json_decref(j);
}

static void vcard_and_json_keep_every_character(void **state)
{
	(void)state;
	json_t *j = read_export(&S, "/api/v1/exports/clients.vcf", "vcf", NULL, "text/vcard");
	size_t i;
	json_t *card;
	int seen = 0;
	json_array_foreach(json_object_get(j, "cards"), i, card)
	{
		assert_string_equal(json_string_value(json_object_get(card, "version")), "4.0");
		char *text = json_dumps(card, 0);
		assert_null(strstr(text, "secrete@other.example"));
		free(text);
		if (strcmp(json_string_value(json_object_get(card, "email")), "zoe@export.example"))
			continue;
		assert_string_equal(json_string_value(json_object_get(card, "given")), FIRST);
		assert_string_equal(json_string_value(json_object_get(card, "family")), LAST_C);
		assert_string_equal(json_string_value(json_object_get(card, "note")), NOTES_C);
		assert_string_equal(json_string_value(json_object_get(card, "tel")), "tel:+33612345678");
		seen = 1;
	}
	assert_true(seen);
	json_decref(j);

	j = read_export(&S, "/api/v1/exports/clients.json", "json", NULL, "application/json");
	seen = 0;
	json_array_foreach(json_object_get(j, "clients"), i, card)
	{
		if (strcmp(json_string_value(json_object_get(card, "email")), "zoe@export.example"))
			continue;
		assert_string_equal(json_string_value(json_object_get(card, "last_name")), LAST_C);
		assert_string_equal(json_string_value(json_object_get(card, "notes")), NOTES_C);
		seen = 1;
	}
	assert_true(seen);
	json_decref(j);
}

static void appointments_keep_the_invitation_uids(void **state)
{
	(void)state;
	char path[256];
	snprintf(path, sizeof(path), "/api/v1/appointments?from=%s&to=%s", from_day, to_day);
	struct reply r;
	session_expect(&H, &S, "GET", path, NULL, 200, &r);
	json_t *list = json_object_get(r.json, "appointments");
	assert_true(json_array_size(list) > 0);
	char uid[64];
	snprintf(uid, sizeof(uid), "%s@creneau",
		 json_string_value(json_object_get(json_array_get(list, 0), "id")));
	reply_free(&r);

	snprintf(path, sizeof(path), "/api/v1/exports/appointments.ics?from=%s&to=%s", from_day, to_day);
	json_t *j = read_export(&S, path, "ics", NULL, "text/calendar");
	json_t *events = json_object_get(j, "events");
	assert_true(json_array_size(events) > 0);
	size_t i;
	json_t *ev;
	int seen = 0;
	json_array_foreach(events, i, ev) seen |= !strcmp(json_string_value(json_object_get(ev, "uid")), uid);
	assert_true(seen);
	json_decref(j);

	snprintf(path, sizeof(path), "/api/v1/exports/appointments.csv?from=%s&to=%s", from_day, to_day);
	j = read_export(&S, path, "csv", ";", "text/csv");
	assert_true(json_array_size(json_object_get(j, "rows")) > 1);
	json_decref(j);

	session_expect(&H, &S, "GET", "/api/v1/exports/appointments.ics?from=2027-01-02&to=2027-01-01", NULL,
		       400, &r);
	reply_free(&r);
}

static void a_feed_works_without_session_until_revoked(void **state)
{
	(void)state;
	struct reply r;
	session_expect(&H, &S, "GET", "/api/v1/staff", NULL, 200, &r);
	char staff[32], body[96];
	snprintf(staff, sizeof(staff), "%s",
		 json_string_value(
			 json_object_get(json_array_get(json_object_get(r.json, "staff"), 0), "id")));
	reply_free(&r);
	snprintf(body, sizeof(body), "{\"staff\": \"%s\"}", staff);
	session_expect(&H, &S, "POST", "/api/v1/feeds", body, 201, &r);
	char url[128], id[32];
	snprintf(url, sizeof(url), "%s", json_path_str(r.json, "feed", "url"));
	snprintf(id, sizeof(id), "%s", json_path_str(r.json, "feed", "id"));
	reply_free(&r);
	/* only the hash is kept */
	assert_int_equal(
		db_count("SELECT COUNT(*) FROM staff_feeds WHERE token_hash LIKE '%' || $1 || '%'", url + 7),
		0);

	json_t *j = read_export(NULL, url, "ics", NULL, "text/calendar");
	assert_true(json_array_size(json_object_get(j, "events")) > 0);
	json_decref(j);

	/* another tenant cannot revoke it */
	char path[96];
	snprintf(path, sizeof(path), "/api/v1/feeds/%s", id);
	session_expect(&H, &OTHER, "DELETE", path, NULL, 404, &r);
	reply_free(&r);
	session_expect(&H, &S, "DELETE", path, NULL, 204, &r);
	reply_free(&r);
	http_call(&H, "GET", url, NULL, NULL, &r);
	assert_int_equal(r.status, 404);
	reply_free(&r);
}

static void a_frozen_account_still_exports(void **state)
{
	(void)state;
	struct reply r;
	char body[128];
	snprintf(body, sizeof(body), "{\"slug\": \"%s\", \"state\": \"frozen\", \"reason\": \"unpaid\"}",
		 OTHER.slug);
	http_call(&H, "POST", "/api/v1/test/account-state", body, NULL, &r);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	json_t *j = read_export(&OTHER, "/api/v1/exports/clients.csv", "csv", ";", "text/csv");
	json_t *rows = json_object_get(j, "rows");
	assert_non_null(find_row(rows, 3, "secrete@other.example"));
	assert_null(find_row(rows, 3, "zoe@export.example"));
	json_decref(j);
	/* a write is refused meanwhile */
	session_call(&H, &OTHER, "POST", "/api/v1/clients", "{\"first_name\": \"Non\"}", &r);
	assert_int_equal(r.status, 403);
	reply_free(&r);
}

static void the_archive_is_built_in_the_background(void **state)
{
	(void)state;
	struct reply r;
	session_expect(&H, &S, "POST", "/api/v1/exports/archive", "{}", 202, &r);
	char status[128], id[32];
	snprintf(id, sizeof(id), "%s", json_path_str(r.json, "archive", "id"));
	snprintf(status, sizeof(status), "%s", json_path_str(r.json, "archive", "status_url"));
	reply_free(&r);
	/* another tenant sees nothing of it */
	session_expect(&H, &OTHER, "GET", status, NULL, 404, &r);
	reply_free(&r);
	const char *state_now = NULL;
	for (int i = 0; i < 300; i++) {
		session_expect(&H, &S, "GET", status, NULL, 200, &r);
		state_now = json_path_str(r.json, "archive", "state");
		if (strcmp(state_now, "pending"))
			break;
		reply_free(&r);
		usleep(100 * 1000);
	}
	assert_string_equal(state_now, "ready");
	char url[128];
	snprintf(url, sizeof(url), "%s", json_path_str(r.json, "archive", "download_url"));
	reply_free(&r);
	session_expect(&H, &S, "GET", url, NULL, 200, &r);
	char file[] = "/tmp/creneau-800-zip-XXXXXX";
	int fd = mkstemp(file);
	assert_true(fd >= 0 && write(fd, r.body, r.len) == (ssize_t)r.len);
	close(fd);
	reply_free(&r);
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "unzip -tq %s >/dev/null", file);
	assert_int_equal(system(cmd), 0);
	const char *members[] = {"data/clients.json", "data/appointments.json", "clients.csv",
				 "clients.vcf",	      "appointments.ics",	"appointments.csv"};
	for (size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++) {
		snprintf(cmd, sizeof(cmd), "unzip -l %s '%s' | grep -q '%s'", file, members[i], members[i]);
		if (system(cmd))
			fail_msg("%s is not in the archive", members[i]);
	}
	/* the clients' names survive in the archive's JSON too; no secret is there */
	snprintf(cmd, sizeof(cmd), "unzip -p %s data/clients.json | grep -q 'zoe@export.example'", file);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "unzip -p %s data/users.json | grep -q password_hash", file);
	assert_int_not_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "unzip -p %s 'data/*.json' | grep -q 'secrete@other.example'", file);
	assert_int_not_equal(system(cmd), 0);
	unlink(file);
	assert_int_equal(db_count("SELECT COUNT(*) FROM audit_log WHERE target = $1", id), 2);

	/* 7 days later it is gone */
	test_clock_advance_s(7 * 86400 + 3600);
	harness_relogin(&H, owner_email, &S);
	session_expect(&H, &S, "GET", url, NULL, 410, &r);
	assert_error(&r, 410, "archive_expired");
	reply_free(&r);
	assert_int_equal(
		db_count("SELECT COUNT(*) FROM export_archives WHERE public_id = $1 AND state = 'expired'"
			 " AND file_id IS NULL",
			 id),
		1);
}

int main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(csv_survives_and_neutralises_formulas),
		cmocka_unit_test(xlsx_is_typed_frozen_and_never_a_formula),
		cmocka_unit_test(vcard_and_json_keep_every_character),
		cmocka_unit_test(appointments_keep_the_invitation_uids),
		cmocka_unit_test(a_feed_works_without_session_until_revoked),
		cmocka_unit_test(a_frozen_account_still_exports),
		cmocka_unit_test(the_archive_is_built_in_the_background),
	};
	return cmocka_run_group_tests(tests, setup, harness_teardown);
}
