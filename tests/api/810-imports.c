/* Client imports through the API: a CSV (BOM, ';', ',' or tab, UTF-8 or Windows-1252) and a
 * vCard (3.0 folded and quoted-printable, 4.0 escaped) go through a preview, a per-row report
 * (which row, which field, why), a new mapping and a commit; duplicates within the file and
 * with existing clients are not copied; bad files are refused with a clear answer and nothing
 * imported; the account's state and the wall between tenants hold. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"
#include "import_util.h"
#include "sched_fixture.h"

static long clients_count(const struct session *s, const char *q)
{
	char path[256];
	snprintf(path, sizeof(path), "/api/v1/clients?limit=200%s%s", q ? "&q=" : "", q ? q : "");
	struct reply r;
	session_expect(&H, s, "GET", path, NULL, 200, &r);
	long n = (long)json_array_size(json_object_get(r.json, "clients"));
	reply_free(&r);
	return n;
}

/* The report's issue of this row (and field, when not NULL), or NULL. */
static json_t *issue_of(const json_t *imp, long row, const char *field)
{
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(json_object_get(imp, "report"), "issues"), i, it)
	{
		const char *f = json_string_value(json_object_get(it, "field"));
		if (json_integer_value(json_object_get(it, "row")) == row &&
		    (!field || (f && !strcmp(f, field))))
			return it;
	}
	return NULL;
}

static json_int_t report_n(const json_t *imp, const char *k)
{
	return json_integer_value(json_object_get(json_object_get(imp, "report"), k));
}

static const char *id_of(const struct reply *r)
{
	return json_string_value(json_object_get(r->json, "id"));
}

/* Finds the client with this e-mail and checks its names. */
static void assert_client(const struct session *s, const char *email, const char *first, const char *last,
			  const char *notes)
{
	char path[256];
	snprintf(path, sizeof(path), "/api/v1/clients?q=%s", email);
	struct reply r;
	session_expect(&H, s, "GET", path, NULL, 200, &r);
	json_t *list = json_object_get(r.json, "clients");
	if (json_array_size(list) != 1)
		fprintf(stderr, "%s: %s\n", email, r.body);
	assert_int_equal(json_array_size(list), 1);
	json_t *c = json_array_get(list, 0);
	assert_string_equal(json_string_value(json_object_get(c, "first_name")), first);
	assert_string_equal(json_string_value(json_object_get(c, "last_name")), last);
	if (notes)
		assert_string_equal(json_string_value(json_object_get(c, "notes")), notes);
	reply_free(&r);
}

static void csv_preview_report_remap_commit(void **state)
{
	(void)state;
	struct session s;
	harness_business(&H, "Salon Import", &s);
	struct reply r;
	session_expect(&H, &s, "POST", "/api/v1/clients",
		       "{\"first_name\": \"Déjà\", \"last_name\": \"Là\", \"email\": \"deja@example.fr\"}",
		       201, &r);
	reply_free(&r);
	static const char csv[] =
		"\xEF\xBB\xBFNom;Prénom;E-mail;Téléphone;Remarques\r\n"
		"D'Artagnan;Hélène;helene@example.fr;06 12 34 56 78;\"aime le thé; pas le café\"\r\n"
		"\"O\"\"Brien\";Zoé 🌸;zoe@example.fr;;\"ligne 1\nligne 2\"\r\n"
		"\"=HYPERLINK(\"\"http://x\"\")\";Eve;eve@example.fr;;\r\n"
		"Sans;Mail;pas-une-adresse;;\r\n"
		"Doublon;Hélène;HELENE@example.fr;;\r\n"
		"Ancien;Client;deja@example.fr;;\r\n"
		";;;;\r\n";
	import_upload_expect(&s, "clients", "text/csv", csv, sizeof(csv) - 1, 201, &r);
	json_t *j = r.json;
	assert_string_equal(json_string_value(json_object_get(j, "format")), "csv");
	assert_string_equal(json_string_value(json_object_get(j, "separator")), ";");
	assert_string_equal(json_string_value(json_object_get(j, "encoding")), "utf-8");
	assert_string_equal(json_string_value(json_object_get(j, "state")), "ready");
	/* the BOM is not part of the first column's name; the mapping is proposed from the names */
	assert_string_equal(json_string_value(json_array_get(json_object_get(j, "columns"), 0)), "Nom");
	const char *want[] = {"last_name", "first_name", "email", "phone", "notes"};
	for (size_t i = 0; i < 5; i++)
		assert_string_equal(json_string_value(json_array_get(json_object_get(j, "mapping"), i)),
				    want[i]);
	/* the preview shows the cells as read */
	json_t *p1 = json_array_get(json_object_get(j, "preview"), 1);
	assert_int_equal(json_integer_value(json_object_get(p1, "row")), 3);
	assert_string_equal(json_string_value(json_array_get(json_object_get(p1, "cells"), 0)), "O\"Brien");
	assert_string_equal(json_string_value(json_array_get(json_object_get(p1, "cells"), 4)),
			    "ligne 1\nligne 2");
	/* the report: which row, which field, why */
	assert_int_equal(report_n(j, "rows_total"), 7);
	assert_int_equal(report_n(j, "rows_ok"), 3);
	json_t *bad = issue_of(j, 5, "email");
	assert_non_null(bad);
	assert_string_equal(json_string_value(json_object_get(bad, "code")), "invalid_email");
	assert_string_equal(json_string_value(json_object_get(issue_of(j, 6, NULL), "code")),
			    "duplicate_row");
	assert_string_equal(json_string_value(json_object_get(issue_of(j, 7, NULL), "code")),
			    "existing_client");
	assert_string_equal(json_string_value(json_object_get(issue_of(j, 8, NULL), "code")),
			    "missing_field");
	char path[128];
	snprintf(path, sizeof(path), "/api/v1/imports/%s", id_of(&r));
	/* nothing is imported before the commit */
	assert_int_equal(clients_count(&s, NULL), 1);

	/* a new mapping: the remarks are left out; a wrong one is refused on "mapping" */
	struct reply m;
	session_expect(&H, &s, "PATCH", path, "{\"mapping\": {\"Remarques\": \"\"}}", 200, &m);
	assert_string_equal(json_string_value(json_array_get(json_object_get(m.json, "mapping"), 4)), "");
	assert_int_equal(report_n(m.json, "rows_ok"), 3);
	reply_free(&m);
	session_expect(&H, &s, "PATCH", path, "{\"mapping\": {\"Nom\": \"email\"}}", 400, &m);
	assert_error(&m, 400, "invalid_field");
	reply_free(&m);
	session_expect(&H, &s, "PATCH", path, "{\"mapping\": {\"Remarques\": \"notes\"}}", 200, &m);
	reply_free(&m);

	char commit[160];
	snprintf(commit, sizeof(commit), "%s/commit", path);
	session_expect(&H, &s, "POST", commit, NULL, 200, &m);
	assert_string_equal(json_string_value(json_object_get(m.json, "state")), "done");
	assert_int_equal(report_n(m.json, "rows_published"), 3);
	reply_free(&m);
	assert_int_equal(clients_count(&s, NULL), 4);
	assert_client(&s, "helene@example.fr", "Hélène", "D'Artagnan", "aime le thé; pas le café");
	assert_client(&s, "zoe@example.fr", "Zoé 🌸", "O\"Brien", "ligne 1\nligne 2");
	/* a formula is only text: stored as typed */
	assert_client(&s, "eve@example.fr", "Eve", "=HYPERLINK(\"http://x\")", NULL);
	/* the progress says it is all done; a second commit is refused */
	session_expect(&H, &s, "GET", path, NULL, 200, &m);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(m.json, "progress"), "done")), 3);
	reply_free(&m);
	session_expect(&H, &s, "POST", commit, NULL, 409, &m);
	assert_error(&m, 409, "import_not_ready");
	reply_free(&m);
	reply_free(&r);
}

static void separators_and_windows_1252(void **state)
{
	(void)state;
	struct session s;
	harness_business(&H, "Salon Séparateurs", &s);
	struct reply r;
	static const char comma[] = "first name,last name,email\nAnne,\"Martin, fille\",anne@example.fr\n";
	import_upload_expect(&s, "clients", "text/csv", comma, sizeof(comma) - 1, 201, &r);
	assert_string_equal(json_string_value(json_object_get(r.json, "separator")), ",");
	assert_string_equal(json_string_value(json_array_get(json_object_get(r.json, "mapping"), 1)),
			    "last_name");
	reply_free(&r);
	static const char tab[] = "Prénom\tNom\tPortable\nLuc\tPetit\t0612345679\n";
	import_upload_expect(&s, "clients", "text/tab-separated-values", tab, sizeof(tab) - 1, 201, &r);
	assert_string_equal(json_string_value(json_object_get(r.json, "separator")), "\t");
	assert_string_equal(json_string_value(json_array_get(json_object_get(r.json, "mapping"), 2)),
			    "phone");
	assert_int_equal(report_n(r.json, "rows_ok"), 1);
	reply_free(&r);
	/* "Prénom;Nom;Courriel\nHéloïse;Müller;heloise@example.fr" in Windows-1252 */
	static const char cp[] = "Pr\xe9nom;Nom;Courriel\nH\xe9lo\xefse;M\xfcller \x80;heloise@example.fr\n";
	import_upload_expect(&s, "clients", "text/csv", cp, sizeof(cp) - 1, 201, &r);
	assert_string_equal(json_string_value(json_object_get(r.json, "encoding")), "windows-1252");
	assert_string_equal(json_string_value(json_array_get(json_object_get(r.json, "columns"), 0)),
			    "Prénom");
	char commit[160];
	snprintf(commit, sizeof(commit), "/api/v1/imports/%s/commit", id_of(&r));
	struct reply m;
	session_expect(&H, &s, "POST", commit, NULL, 200, &m);
	reply_free(&m);
	reply_free(&r);
	assert_client(&s, "heloise@example.fr", "Héloïse", "Müller €", NULL);
}

static void vcards_3_and_4(void **state)
{
	(void)state;
	struct session s;
	harness_business(&H, "Salon vCard", &s);
	static const char vcf[] =
		"BEGIN:VCARD\r\nVERSION:3.0\r\n"
		"N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Lef=C3=A8vre;Fran=C3=A7ois;;;\r\n"
		"FN:Fran\xc3\xa7ois Lef\xc3\xa8vre\r\n"
		"TEL;TYPE=HOME:01 23 45 67 89\r\nTEL;TYPE=CELL:06 11 22 33 44\r\n"
		"EMAIL;TYPE=INTERNET:francois@example.fr\r\nEMAIL:autre@example.fr\r\n"
		"NOTE;ENCODING=QUOTED-PRINTABLE:premi=C3=A8re ligne=0D=0A=\r\nseconde ligne\r\n"
		"END:VCARD\r\n"
		"BEGIN:VCARD\r\nVERSION:4.0\r\n"
		"N:Dupont\\, fils;Jean\\;Marc;;;\r\nFN:Jean Dupont\r\n"
		"EMAIL;PREF=1:jean@example.fr\r\n"
		"NOTE:une note pli\r\n \xc3\xa9"
		"e sur deux lignes\\net \\\\ barre\r\n"
		"PHOTO;ENCODING=b;TYPE=JPEG:AAAAAAAA\r\n"
		"END:VCARD\r\n";
	struct reply r;
	import_upload_expect(&s, "clients", "text/vcard", vcf, sizeof(vcf) - 1, 201, &r);
	assert_string_equal(json_string_value(json_object_get(r.json, "format")), "vcard");
	assert_int_equal(report_n(r.json, "rows_ok"), 2);
	json_t *c0 = json_object_get(json_array_get(json_object_get(r.json, "preview"), 0), "cells");
	assert_string_equal(json_string_value(json_array_get(c0, 4)), "06 11 22 33 44"); /* the mobile */
	assert_non_null(strstr(json_string_value(json_array_get(c0, 6)), "autre@example.fr"));
	char commit[160];
	snprintf(commit, sizeof(commit), "/api/v1/imports/%s/commit", id_of(&r));
	struct reply m;
	session_expect(&H, &s, "POST", commit, NULL, 200, &m);
	reply_free(&m);
	reply_free(&r);
	assert_client(&s, "francois@example.fr", "François", "Lefèvre", "première ligne\r\nseconde ligne");
	assert_client(&s, "jean@example.fr", "Jean;Marc", "Dupont, fils",
		      "une note pliée sur deux lignes\net \\ barre");
}

/* A request announcing 2 GB is answered at once, without the body being read. */
static long announce_huge(const struct session *s)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET};
	int port = 0;
	sscanf(H.base_url, "http://127.0.0.1:%d", &port);
	sa.sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	char req[1024];
	int n = snprintf(req, sizeof(req),
			 "POST /api/v1/imports HTTP/1.1\r\nHost: x\r\n%s\r\n%s\r\nContent-Type: text/csv\r\n"
			 "Content-Length: 2147483648\r\n\r\nNom;Prénom\n",
			 s->cookie, s->csrf);
	assert_true(write(fd, req, (size_t)n) == n);
	char ans[512] = "";
	ssize_t got = read(fd, ans, sizeof(ans) - 1);
	close(fd);
	long status = 0;
	if (got > 0)
		sscanf(ans, "HTTP/1.%*d %ld", &status);
	return status;
}

static void bad_files_are_refused_and_nothing_is_imported(void **state)
{
	(void)state;
	struct session s;
	harness_business(&H, "Salon Fichiers", &s);
	struct reply r;
	static const char png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10";
	import_upload_expect(&s, "clients", "image/png", png, sizeof(png) - 1, 400, &r);
	assert_error(&r, 400, "not_text");
	reply_free(&r);
	static const char prose[] = "Bonjour, voici mes clients\nmerci\n";
	import_upload_expect(&s, "clients", "text/plain", prose, sizeof(prose) - 1, 400, &r);
	assert_error(&r, 400, "unsupported_format");
	reply_free(&r);
	static const char broken[] = "Nom;E-mail\nA;a@example.fr\nB\"roken;b@example.fr\nC;c@example.fr\n";
	import_upload_expect(&s, "clients", "text/csv", broken, sizeof(broken) - 1, 400, &r);
	assert_error(&r, 400, "invalid_csv");
	assert_non_null(strstr(r.body, "line 3"));
	reply_free(&r);
	static const char open_quote[] = "Nom;E-mail\nA;a@example.fr\n\"B;b@example.fr\nC;c@example.fr\n";
	import_upload_expect(&s, "clients", "text/csv", open_quote, sizeof(open_quote) - 1, 400, &r);
	assert_error(&r, 400, "invalid_csv");
	assert_non_null(strstr(r.body, "line 3"));
	reply_free(&r);
	import_upload_expect(&s, "clients", "text/csv", "", 0, 400, &r);
	assert_error(&r, 400, "empty_file");
	reply_free(&r);
	/* a row of 10 000 columns is reported; the others go through */
	size_t cap = 64 + 10000 * 2 + 64;
	char *wide = malloc(cap);
	size_t n = (size_t)snprintf(wide, cap, "Nom;E-mail\nA;a@example.fr\n");
	for (int i = 0; i < 10000; i++)
		wide[n++] = 'x', wide[n++] = ';';
	wide[n++] = '\n';
	import_upload_expect(&s, "clients", "text/csv", wide, n, 201, &r);
	assert_int_equal(report_n(r.json, "rows_ok"), 1);
	assert_string_equal(json_string_value(json_object_get(issue_of(r.json, 3, NULL), "code")),
			    "too_many_columns");
	reply_free(&r);
	/* a header of 10 000 columns: the file is refused */
	import_upload_expect(&s, "clients", "text/csv", wide + 26, n - 26, 400, &r);
	assert_error(&r, 400, "too_many_columns");
	reply_free(&r);
	free(wide);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(announce_huge(&s), 413);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(t1.tv_sec - t0.tv_sec < 5);
	assert_int_equal(clients_count(&s, NULL), 0);
}

static void states_and_tenants(void **state)
{
	(void)state;
	struct session s, other;
	harness_business(&H, "Salon États", &s);
	harness_business(&H, "Salon Voisin", &other);
	static const char csv[] = "Nom;E-mail\nSecret;secret@example.fr\n";
	struct reply r, m;
	import_upload_expect(&s, "clients", "text/csv", csv, sizeof(csv) - 1, 201, &r);
	char path[128], commit[160];
	snprintf(path, sizeof(path), "/api/v1/imports/%s", id_of(&r));
	snprintf(commit, sizeof(commit), "%s/commit", path);
	/* another business sees nothing of it and cannot commit it */
	session_expect(&H, &other, "GET", path, NULL, 404, &m);
	assert_null(strstr(m.body, "secret@example.fr"));
	reply_free(&m);
	session_expect(&H, &other, "PATCH", path, "{\"mapping\": [\"last_name\", \"email\"]}", 404, &m);
	reply_free(&m);
	session_expect(&H, &other, "POST", commit, NULL, 404, &m);
	reply_free(&m);
	/* an import is a write: refused when read-only or frozen */
	test_account_state(s.slug, "read_only", "unpaid");
	import_upload_expect(&s, "clients", "text/csv", csv, sizeof(csv) - 1, 403, &m);
	assert_error(&m, 403, "account_read_only");
	reply_free(&m);
	session_expect(&H, &s, "POST", commit, NULL, 403, &m);
	assert_error(&m, 403, "account_read_only");
	reply_free(&m);
	test_account_state(s.slug, "frozen", NULL);
	session_expect(&H, &s, "POST", commit, NULL, 403, &m);
	assert_error(&m, 403, "account_frozen");
	reply_free(&m);
	session_expect(&H, &s, "GET", path, NULL, 200, &m); /* reading is allowed */
	reply_free(&m);
	test_account_state(s.slug, "active", NULL);
	session_expect(&H, &s, "POST", commit, NULL, 200, &m);
	reply_free(&m);
	reply_free(&r);
	assert_int_equal(clients_count(&s, NULL), 1);
	assert_int_equal(clients_count(&other, NULL), 0);
}

/* An import staged and never committed: its rows (the file's names and addresses) are
 * discarded 7 days later and it can no longer be committed; a committed one is left as it is.
 * Last of the suite: the clock moves a week on. */
static void an_import_left_staged_is_discarded_after_a_week(void **state)
{
	(void)state;
	struct session s;
	struct reply r, done, m;
	char email[128];
	snprintf(email, sizeof(email), "%s", harness_addr("oubli"));
	harness_signup(&H, "Salon Oubli", email, NULL, &s);
	static const char csv[] = "Nom;E-mail\nOubli;oubli@example.fr\nRappel;rappel@example.fr\n";
	import_upload_expect(&s, "clients", "text/csv", csv, sizeof(csv) - 1, 201, &r);
	import_upload_expect(&s, "clients", "text/csv", csv, sizeof(csv) - 1, 201, &done);
	char path[128], committed[128], commit[160];
	snprintf(path, sizeof(path), "/api/v1/imports/%s", id_of(&r));
	snprintf(committed, sizeof(committed), "/api/v1/imports/%s", id_of(&done));
	snprintf(commit, sizeof(commit), "%s/commit", committed);
	session_expect(&H, &s, "POST", commit, NULL, 200, &m);
	reply_free(&m);
	const char *rows = "SELECT count(*) FROM import_rows WHERE import_id = (SELECT id FROM imports WHERE "
			   "public_id = $1)";
	assert_int_equal(fx_int(rows, DB_ARGS(DB_TEXT(id_of(&r)))), 2);

	test_clock_advance_s(7 * 86400 - 600); /* not yet */
	assert_int_equal(fx_int(rows, DB_ARGS(DB_TEXT(id_of(&r)))), 2);
	test_clock_advance_s(1200);
	assert_int_equal(fx_int(rows, DB_ARGS(DB_TEXT(id_of(&r)))), 0);
	harness_relogin(&H, email, &s); /* a week unused ended the session */
	session_expect(&H, &s, "GET", path, NULL, 200, &m);
	assert_string_equal(json_string_value(json_object_get(m.json, "state")), "failed");
	assert_null(strstr(m.body, "oubli@example.fr"));
	reply_free(&m);
	snprintf(commit, sizeof(commit), "%s/commit", path);
	session_expect(&H, &s, "POST", commit, NULL, 409, &m);
	assert_error(&m, 409, "import_not_ready");
	reply_free(&m);
	assert_int_equal(fx_int("SELECT count(*) FROM imports WHERE public_id = $1 AND state = 'failed'"
				" AND error = 'expired'",
				DB_ARGS(DB_TEXT(id_of(&r)))),
			 1);
	assert_int_equal(fx_int("SELECT count(*) FROM imports WHERE public_id = $1 AND state = 'done'",
				DB_ARGS(DB_TEXT(id_of(&done)))),
			 1);
	assert_int_equal(clients_count(&s, "oubli@example.fr"), 1); /* from the committed file, once */
	reply_free(&r);
	reply_free(&done);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(csv_preview_report_remap_commit),
		cmocka_unit_test(separators_and_windows_1252),
		cmocka_unit_test(vcards_3_and_4),
		cmocka_unit_test(bad_files_are_refused_and_nothing_is_imported),
		cmocka_unit_test(states_and_tenants),
		cmocka_unit_test(an_import_left_staged_is_discarded_after_a_week),
	};
	return cmocka_run_group_tests_name("api/imports", tests, harness_setup, harness_teardown);
}
