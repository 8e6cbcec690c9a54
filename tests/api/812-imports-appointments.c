/* Appointment imports through the API: a CSV agenda in French formats is checked row by row
 * like a booking of the back office (a past date, an unknown service or staff member, a staff
 * member who does not provide the service, a wall time the clocks skip, an overlap with the
 * agenda and with another row of the file — each reported with its row, field and code; outside
 * the weekly hours is a warning), nothing is written before the commit, the publish gives the
 * right instants in Europe/Paris across the spring change, writes no confirmation and plans the
 * reminders; a slot taken (or a staff member deactivated) between the check and the commit is
 * left out and reported; the demo stays as it was; the account's state and the wall between
 * tenants hold. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/tz.h"
#include "data/import.h"
#include "harness.h"
#include "import_util.h"
#include "sched_fixture.h"

static struct biz B;
static char svc_cut[24], svc_colour[24], lea[24], marc[24];
static int64_t lea_id, marc_id;

/* The report's issue (or warning) of this row with this code, or NULL. */
static json_t *issue_of(const json_t *imp, long row, const char *code)
{
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(json_object_get(imp, "report"), "issues"), i, it)
	{
		if (json_integer_value(json_object_get(it, "row")) == row &&
		    !strcmp(json_string_value(json_object_get(it, "code")), code))
			return it;
	}
	fprintf(stderr, "row %ld has no %s issue\n", row, code);
	return NULL;
}

static void assert_issue(const json_t *imp, long row, const char *field, const char *code)
{
	json_t *it = issue_of(imp, row, code);
	assert_non_null(it);
	assert_string_equal(json_string_value(json_object_get(it, "field")), field);
	assert_non_null(json_string_value(json_object_get(it, "message")));
}

static json_int_t report_n(const json_t *imp, const char *k)
{
	return json_integer_value(json_object_get(json_object_get(imp, "report"), k));
}

static const char *id_of(const struct reply *r)
{
	return json_string_value(json_object_get(r->json, "id"));
}

static int64_t count(const char *where)
{
	char sql[512];
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM appointments WHERE account_id = $1 AND %s", where);
	return fx_int(sql, DB_ARGS(DB_INT(B.id)));
}

/* An RFC 3339 instant as Unix seconds. */
static int64_t imported_at(const char *instant)
{
	struct err e = {0};
	int64_t t;
	assert_int_equal(tz_parse_rfc3339(instant, &t, &e, "start"), 0);
	return t;
}

static int setup(void **state)
{
	if (harness_setup(state))
		return -1;
	fx_clock("2027-03-20T10:00:00+01:00");
	fx_business(&B, "Salon Agenda", "Europe/Paris");
	lea_id = fx_staff(&B, "Léa", lea);
	marc_id = fx_staff(&B, "Marc", marc);
	int64_t cut = fx_service(&B, 45, 0, 0, 1, svc_cut);
	int64_t colour = fx_service(&B, 90, 0, 15, 1, svc_colour);
	fx_exec("UPDATE services SET name = 'Coupe femme' WHERE id = $1", DB_ARGS(DB_INT(cut)));
	fx_exec("UPDATE services SET name = 'Couleur' WHERE id = $1", DB_ARGS(DB_INT(colour)));
	fx_provides(&B, cut, lea_id);
	fx_provides(&B, cut, marc_id);
	fx_provides(&B, colour, lea_id);
	fx_hours_all_week(&B, lea_id, 9 * 60, 19 * 60);
	fx_hours_all_week(&B, marc_id, 9 * 60, 19 * 60);
	return 0;
}

static void agenda_rows_checked_published_without_mail(void **state)
{
	(void)state;
	char body[512], alice[96], bruno[96];
	snprintf(alice, sizeof(alice), "alice-%d-%s@example.fr", (int)getpid(), harness_store_kind());
	snprintf(bruno, sizeof(bruno), "bruno-%d-%s@example.fr", (int)getpid(), harness_store_kind());
	/* one appointment already in Marc's agenda, 31 March 14:15–15:00 */
	snprintf(body, sizeof(body),
		 "{\"service\": \"%s\", \"staff\": \"%s\", \"start\": \"2027-03-31T14:15:00+02:00\"}",
		 svc_cut, marc);
	struct reply r;
	fx_book(&B, body, NULL, &r);
	assert_int_equal(r.status, 201);
	reply_free(&r);
	int64_t demo_before =
		fx_int("SELECT count(*) FROM appointments WHERE account_id = $1 AND is_demo = 1",
		       DB_ARGS(DB_INT(B.id)));
	int64_t outbox_before =
		fx_int("SELECT count(*) FROM outbox WHERE account_id = $1", DB_ARGS(DB_INT(B.id)));

	char csv[4096];
	snprintf(csv, sizeof(csv),
		 "\xEF\xBB\xBF"
		 "Date;Heure;Durée;Prestation;Collaborateur;Client;E-mail;Téléphone;Remarques\r\n"
		 "27/03/2027;10:00;;Coupe femme;Léa;Alice Martin;%s;;première visite\r\n" /* 2 ok */
		 "28/03/2027;10h00;;coupe FEMME;lea;Bruno Petit;%s;06 12 34 56 78;\r\n"	  /* 3 ok, DST day */
		 "2027-03-29;09:30;1h;Couleur;Léa;Alice Martin;%s;;\r\n" /* 4 ok, same client */
		 "10/03/2027;10:00;;Coupe femme;Léa;Passé;;;\r\n"	 /* 5 not future */
		 "30/03/2027;10:00;;Massage;Léa;Inconnu;;;\r\n"		 /* 6 unknown service */
		 "30/03/2027;11:00;;Coupe femme;Zoé;Inconnue;;;\r\n"	 /* 7 unknown staff */
		 "28/03/2027;02:30;;Coupe femme;Marc;Nuit;;;\r\n"	 /* 8 DST gap */
		 "31/03/2027;14:00;;Coupe femme;Marc;Chevauche;;;\r\n"	 /* 9 agenda */
		 "27/03/2027;10:30;;Coupe femme;Léa;Double;;;\r\n"	 /* 10 row 2 */
		 "01/04/2027;21:00;;Coupe femme;Marc;Tard;;;\r\n"	 /* 11 warning */
		 "02/04/2027;10:00;;Couleur;Marc;Pas lui;;;\r\n",	 /* 12 not provided */
		 alice, bruno, alice);
	import_upload_expect(&B.s, "appointments", "text/csv", csv, strlen(csv), 201, &r);
	json_t *imp = r.json;
	assert_string_equal(json_string_value(json_object_get(imp, "kind")), "appointments");
	assert_string_equal(json_string_value(json_object_get(imp, "state")), "ready");
	/* the proposed mapping, from French column names */
	static const char *const want[] = {"date",	"start_time", "duration", "service", "staff",
					   "full_name", "email",      "phone",	  "notes"};
	for (size_t i = 0; i < 9; i++)
		assert_string_equal(json_string_value(json_array_get(json_object_get(imp, "mapping"), i)),
				    want[i]);
	assert_int_equal(json_array_size(json_object_get(imp, "preview")), 10);
	assert_int_equal(report_n(imp, "rows_total"), 11);
	assert_int_equal(report_n(imp, "rows_ok"), 4);
	assert_int_equal(report_n(imp, "rows_invalid"), 7);
	assert_int_equal(report_n(imp, "rows_warning"), 1);
	assert_issue(imp, 5, "date", "not_future");
	assert_issue(imp, 6, "service", "unknown_service");
	assert_issue(imp, 7, "staff", "unknown_staff");
	assert_issue(imp, 8, "start_time", "nonexistent_time");
	assert_issue(imp, 9, "start", "slot_taken");
	assert_issue(imp, 10, "start", "conflict_row");
	assert_int_equal(json_integer_value(json_object_get(issue_of(imp, 10, "conflict_row"), "other_row")),
			 2);
	assert_issue(imp, 11, "date", "outside_hours");
	assert_string_equal(
		json_string_value(json_object_get(issue_of(imp, 11, "outside_hours"), "severity")),
		"warning");
	assert_issue(imp, 12, "staff", "staff_not_providing");

	/* nothing is written before the commit */
	assert_int_equal(count("source = 'import'"), 0);
	assert_int_equal(fx_int("SELECT count(*) FROM clients WHERE account_id = $1 AND email = $2",
				DB_ARGS(DB_INT(B.id), DB_TEXT(alice))),
			 0);

	/* another business can neither read nor commit it */
	struct biz other;
	fx_business(&other, "Salon Voisin", "Europe/Paris");
	char path[128], commit[160];
	snprintf(path, sizeof(path), "/api/v1/imports/%s", id_of(&r));
	snprintf(commit, sizeof(commit), "%s/commit", path);
	struct reply m;
	session_expect(&H, &other.s, "GET", path, NULL, 404, &m);
	reply_free(&m);
	session_expect(&H, &other.s, "POST", commit, NULL, 404, &m);
	reply_free(&m);

	session_expect(&H, &B.s, "POST", commit, NULL, 200, &m);
	assert_string_equal(json_string_value(json_object_get(m.json, "state")), "done");
	assert_int_equal(report_n(m.json, "rows_published"), 4);
	assert_int_equal(report_n(m.json, "rows_skipped"), 0);
	reply_free(&m);
	reply_free(&r);

	/* the right instants: 27 March is +01:00, 28 March (after 02:00) is +02:00 */
	struct {
		const char *utc;
		int64_t staff;
		int minutes;
	} rows[] = {
		{"2027-03-27T09:00:00Z", lea_id, 45},
		{"2027-03-28T08:00:00Z", lea_id, 45},
		{"2027-03-29T07:30:00Z", lea_id, 60},
		{"2027-04-01T19:00:00Z", marc_id, 45},
	};
	for (size_t i = 0; i < 4; i++) {
		int64_t t = imported_at(rows[i].utc);
		int64_t n = fx_int(
			"SELECT count(*) FROM appointments WHERE account_id = $1 AND source = 'import' "
			"AND status = 'booked' AND starts_at = $2 AND ends_at = $3 AND staff_id = $4",
			DB_ARGS(DB_INT(B.id), DB_INT(t), DB_INT(t + rows[i].minutes * 60),
				DB_INT(rows[i].staff)));
		if (n != 1)
			fprintf(stderr, "no imported appointment at %s\n", rows[i].utc);
		assert_int_equal(n, 1);
	}
	assert_int_equal(count("source = 'import'"), 4);
	/* the colour's buffer after is in its block */
	assert_int_equal(fx_int("SELECT b.blocked_to - a.ends_at FROM appointments a JOIN blocks b ON b.id = "
				"a.block_id WHERE a.account_id = $1 AND a.starts_at = $2",
				DB_ARGS(DB_INT(B.id), DB_INT(imported_at("2027-03-29T07:30:00Z")))),
			 15 * 60);
	/* Alice once, with both her appointments; Bruno's phone normalised */
	assert_int_equal(fx_int("SELECT count(*) FROM appointments a JOIN clients c ON c.id = a.client_id "
				"WHERE a.account_id = $1 AND c.email = $2",
				DB_ARGS(DB_INT(B.id), DB_TEXT(alice))),
			 2);
	assert_int_equal(
		fx_int("SELECT count(*) FROM clients WHERE account_id = $1 AND email = $2 AND phone = "
		       "'+33612345678'",
		       DB_ARGS(DB_INT(B.id), DB_TEXT(bruno))),
		1);
	/* no confirmation and no notice written; the reminders are planned by the re-plan job the
	 * publish enqueued, as after a change of the settings */
	assert_int_equal(fx_int("SELECT count(*) FROM outbox WHERE account_id = $1", DB_ARGS(DB_INT(B.id))),
			 outbox_before);
	assert_int_equal(
		fx_int("SELECT count(*) FROM jobs WHERE account_id = $1 AND kind = 'reminders.replan'",
		       DB_ARGS(DB_INT(B.id))),
		1);
	test_clock_advance_s(1);
	assert_true(fx_int("SELECT count(DISTINCT r.appointment_id) FROM reminders r JOIN appointments a ON "
			   "a.id = r.appointment_id WHERE a.account_id = $1 AND a.source = 'import' AND "
			   "r.state = "
			   "'pending'",
			   DB_ARGS(DB_INT(B.id))) == 4);
	assert_int_equal(maildir_count(alice, "Alice"), 0);
	assert_int_equal(maildir_count(bruno, "Bruno"), 0);
	/* the demo is as it was */
	assert_int_equal(fx_int("SELECT count(*) FROM appointments WHERE account_id = $1 AND is_demo = 1",
				DB_ARGS(DB_INT(B.id))),
			 demo_before);
	assert_int_equal(fx_overlaps(&B), 0);
}

static void a_slot_taken_before_the_commit_is_left_out(void **state)
{
	(void)state;
	/* one date-time column, English names */
	static const char csv[] = "Start,Service,Staff,Name\n"
				  "2027-04-06 10:00,Coupe femme,Marc,One\n"
				  "06/04/2027 à 11h00,Coupe femme,Marc,Two\n"
				  "2027-04-06T12:00:00+02:00,Coupe femme,Marc,Three\n"
				  "2027-04-06 12:00,Coupe femme,Léa,Four\n";
	struct reply r, m;
	import_upload_expect(&B.s, "appointments", "text/csv", csv, strlen(csv), 201, &r);
	assert_string_equal(json_string_value(json_array_get(json_object_get(r.json, "mapping"), 0)),
			    "start");
	assert_int_equal(report_n(r.json, "rows_ok"), 4);
	/* meanwhile a client books 11:15 with Marc, and Léa leaves the agenda */
	fx_exec("UPDATE staff SET active = 0 WHERE id = $1", DB_ARGS(DB_INT(lea_id)));
	char body[256];
	snprintf(body, sizeof(body),
		 "{\"service\": \"%s\", \"staff\": \"%s\", \"start\": \"2027-04-06T11:15:00+02:00\"}",
		 svc_cut, marc);
	fx_book(&B, body, NULL, &m);
	assert_int_equal(m.status, 201);
	reply_free(&m);
	char commit[160];
	snprintf(commit, sizeof(commit), "/api/v1/imports/%s/commit", id_of(&r));
	session_expect(&H, &B.s, "POST", commit, NULL, 200, &m);
	fx_exec("UPDATE staff SET active = 1 WHERE id = $1", DB_ARGS(DB_INT(lea_id)));
	assert_int_equal(report_n(m.json, "rows_published"), 2);
	assert_int_equal(report_n(m.json, "rows_skipped"), 2);
	json_t *it = issue_of(m.json, 3, "slot_taken");
	assert_non_null(it);
	assert_string_equal(json_string_value(json_object_get(it, "status")), "skipped");
	it = issue_of(m.json, 5, "not_bookable");
	assert_non_null(it);
	assert_string_equal(json_string_value(json_object_get(it, "field")), "staff");
	reply_free(&m);
	reply_free(&r);
	assert_int_equal(
		fx_int("SELECT count(*) FROM appointments WHERE account_id = $1 AND source = 'import' "
		       "AND starts_at = $2",
		       DB_ARGS(DB_INT(B.id), DB_INT(imported_at("2027-04-06T10:00:00Z")))),
		1);
	assert_int_equal(fx_overlaps(&B), 0);
}

static void remap_vcard_and_states(void **state)
{
	(void)state;
	struct reply r, m;
	/* a vCard is no agenda */
	const char *vcf = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:A\r\nEND:VCARD\r\n";
	import_upload_expect(&B.s, "appointments", "text/csv", vcf, strlen(vcf), 400, &r);
	assert_error(&r, 400, "unsupported_format");
	reply_free(&r);
	/* the mapping names the service column; a new mapping redoes the report */
	static const char csv[] = "Jour;Heure;Quoi;Qui\n08/04/2027;10:00;Coupe femme;Marc\n";
	import_upload_expect(&B.s, "appointments", "text/csv", csv, strlen(csv), 201, &r);
	char path[128];
	snprintf(path, sizeof(path), "/api/v1/imports/%s", id_of(&r));
	session_expect(&H, &B.s, "PATCH", path, "{\"mapping\": {\"Quoi\": \"\"}}", 400, &m);
	reply_free(&m);
	session_expect(&H, &B.s, "PATCH", path, "{\"mapping\": {\"Quoi\": \"service\", \"Qui\": \"staff\"}}",
		       200, &m);
	assert_int_equal(report_n(m.json, "rows_ok"), 1);
	reply_free(&m);
	/* an import is a write: refused when frozen, as the client import */
	test_account_state(B.s.slug, "frozen", NULL);
	import_upload_expect(&B.s, "appointments", "text/csv", csv, strlen(csv), 403, &m);
	assert_error(&m, 403, "account_frozen");
	reply_free(&m);
	char commit[160];
	snprintf(commit, sizeof(commit), "%s/commit", path);
	session_expect(&H, &B.s, "POST", commit, NULL, 403, &m);
	assert_error(&m, 403, "account_frozen");
	reply_free(&m);
	reply_free(&r);
	test_account_state(B.s.slug, "active", NULL);
}

/* The outside-hours warning reads the openings as the booking check does: a closed day of the
 * business, a staff member's day off and a date with other hours all count, not only the
 * weekly hours (which every row here is inside). */
static void outside_openings_are_warned(void **state)
{
	(void)state;
	struct reply r;
	session_expect(&H, &B.s, "POST", "/api/v1/closed-days", "{\"day\": \"2027-04-20\"}", 201, &r);
	reply_free(&r);
	char path[96];
	snprintf(path, sizeof(path), "/api/v1/staff/%s/exceptions", lea);
	session_expect(&H, &B.s, "POST", path, "{\"kind\": \"off\", \"from\": \"2027-04-21\"}", 201, &r);
	reply_free(&r);
	session_expect(&H, &B.s, "POST", path,
		       "{\"kind\": \"hours\", \"from\": \"2027-04-22\", \"ranges\": [[\"14:00\", "
		       "\"18:00\"]]}",
		       201, &r);
	reply_free(&r);
	static const char csv[] = "Date;Heure;Prestation;Collaborateur\n"
				  "19/04/2027;10:00;Coupe femme;Marc\n" /* 2: open */
				  "20/04/2027;10:00;Coupe femme;Marc\n" /* 3: closed day */
				  "21/04/2027;10:00;Coupe femme;Léa\n"	/* 4: Léa's day off */
				  "22/04/2027;10:00;Coupe femme;Léa\n"	/* 5: Léa from 14:00 */
				  "22/04/2027;15:00;Coupe femme;Léa\n"; /* 6: inside those hours */
	import_upload_expect(&B.s, "appointments", "text/csv", csv, strlen(csv), 201, &r);
	assert_int_equal(report_n(r.json, "rows_ok"), 5);
	assert_int_equal(report_n(r.json, "rows_warning"), 3);
	for (long row = 3; row <= 5; row++)
		assert_issue(r.json, row, "date", "outside_hours");
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(json_object_get(r.json, "report"), "issues"), i, it)
	{
		long row = (long)json_integer_value(json_object_get(it, "row"));
		assert_true(row >= 3 && row <= 5);
	}
	reply_free(&r);
}

/* More rows than a chunk: staged and published a thousand at a time, each appointment with its
 * own change number, the client look-ups planned right on PostgreSQL after the first chunk. */
static void a_file_of_several_chunks(void **state)
{
	(void)state;
	int n = IMPORT_CHUNK + 150;
	char *csv = malloc((size_t)n * 96 + 64);
	size_t len = (size_t)snprintf(csv, 64, "Date;Heure;Prestation;Collaborateur;E-mail\n");
	int64_t first_day = tz_days_from_civil(2027, 6, 1);
	for (int i = 0; i < n; i++) {
		int y, m, d;
		tz_civil_from_days(first_day + i / 10, &y, &m, &d);
		len += (size_t)snprintf(csv + len, 96,
					"%02d/%02d/%04d;%02d:00;Coupe femme;Marc;c%d-%d@chunks.example\n", d,
					m, y, 9 + i % 10, i % 500, (int)getpid());
	}
	struct reply r, m;
	import_upload_expect(&B.s, "appointments", "text/csv", csv, strlen(csv), 201, &r);
	free(csv);
	assert_int_equal(report_n(r.json, "rows_ok"), n);
	char commit[160];
	snprintf(commit, sizeof(commit), "/api/v1/imports/%s/commit", id_of(&r));
	session_expect(&H, &B.s, "POST", commit, NULL, 200, &m);
	assert_int_equal(report_n(m.json, "rows_published"), n);
	reply_free(&m);
	reply_free(&r);
	int64_t since = imported_at("2027-05-31T00:00:00Z");
	assert_int_equal(
		fx_int("SELECT count(*) FROM appointments WHERE account_id = $1 AND source = 'import' "
		       "AND starts_at > $2",
		       DB_ARGS(DB_INT(B.id), DB_INT(since))),
		n);
	assert_int_equal(
		fx_int("SELECT count(DISTINCT change_seq) FROM appointments WHERE account_id = $1 AND "
		       "source = 'import' AND starts_at > $2",
		       DB_ARGS(DB_INT(B.id), DB_INT(since))),
		n);
	/* 500 clients, each found again by e-mail for its later rows */
	assert_int_equal(fx_int("SELECT count(*) FROM clients WHERE account_id = $1 AND email LIKE "
				"'%@chunks.example'",
				DB_ARGS(DB_INT(B.id))),
			 500);
	assert_int_equal(fx_overlaps(&B), 0);
}

int main(void)
{
	if (harness_need_smtp())
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(agenda_rows_checked_published_without_mail),
		cmocka_unit_test(a_slot_taken_before_the_commit_is_left_out),
		cmocka_unit_test(remap_vcard_and_states),
		cmocka_unit_test(outside_openings_are_warned),
		cmocka_unit_test(a_file_of_several_chunks),
	};
	return cmocka_run_group_tests_name("api/imports-appointments", tests, setup, harness_teardown);
}
