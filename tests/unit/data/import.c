/* The readers of client imports: text decoding (BOM, Windows-1252, binary), CSV (separators,
 * quotes, line numbers, caps) and vCard (folding, quoted-printable, escapes, several TEL and
 * EMAIL), the column names' proposed fields, and a record's check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "data/import.h"

struct rows {
	int n;
	char cells[8][8][256];
	int ncells[8], too_many[8], too_long[8];
	long line[8];
};

static int keep(void *ctx, const struct import_record *r, struct err *e)
{
	(void)e;
	struct rows *rs = ctx;
	if (rs->n < 8) {
		for (int i = 0; i < r->ncells && i < 8 && i < IMPORT_COLS_MAX; i++)
			snprintf(rs->cells[rs->n][i], 256, "%s", r->cells[i]);
		rs->ncells[rs->n] = r->ncells;
		rs->too_many[rs->n] = r->too_many_columns;
		rs->too_long[rs->n] = r->too_long;
		rs->line[rs->n] = r->line;
	}
	rs->n++;
	return 0;
}

static void decode_bom_windows_1252_and_binary(void **state)
{
	(void)state;
	struct buf b;
	const char *enc;
	struct err e = {0};
	assert_int_equal(import_decode("\xEF\xBB\xBFNom\n", 7, &b, &enc, &e), 0);
	assert_string_equal(b.data, "Nom\n");
	assert_string_equal(enc, "utf-8");
	buf_release(&b);
	assert_int_equal(import_decode("Pr\xe9nom \x80\n", 9, &b, &enc, &e), 0);
	assert_string_equal(b.data, "Prénom €\n");
	assert_string_equal(enc, "windows-1252");
	buf_release(&b);
	assert_int_equal(import_decode("PK\3\4\0\0", 6, &b, &enc, &e), -1);
	assert_string_equal(e.code, "not_text");
	buf_release(&b);
	assert_int_equal(import_decode(" \r\n", 3, &b, &enc, &e), -1);
	assert_string_equal(e.code, "empty_file");
	buf_release(&b);
}

static void csv_separators_quotes_and_lines(void **state)
{
	(void)state;
	assert_int_equal(import_csv_separator("a;b;c\n1,2;3", 11), ';');
	assert_int_equal(import_csv_separator("a,b,\"x;y;z\"\n", 12), ',');
	assert_int_equal(import_csv_separator("a\tb\n", 4), '\t');
	assert_int_equal(import_csv_separator("nom\n", 4), ',');
	static const char csv[] = "Nom;Notes\r\nA;\"deux\nlignes; et \"\"guillemets\"\"\"\r\n\r\nB;\r\n";
	struct rows rs = {0};
	struct err e = {0};
	assert_int_equal(import_csv_read(csv, sizeof(csv) - 1, ';', keep, &rs, &e), 0);
	assert_int_equal(rs.n, 3);
	assert_string_equal(rs.cells[1][1], "deux\nlignes; et \"guillemets\"");
	assert_int_equal(rs.line[1], 2);
	assert_int_equal(rs.line[2], 5); /* the empty line is skipped, its number counted */
	static const char broken[] = "Nom\nA\nB\"C\nD\n";
	memset(&rs, 0, sizeof(rs));
	assert_int_equal(import_csv_read(broken, sizeof(broken) - 1, ';', keep, &rs, &e), -1);
	assert_string_equal(e.code, "invalid_csv");
	assert_non_null(strstr(e.message, "line 3"));
	static const char open[] = "Nom\nA\n\"B\nC\n";
	assert_int_equal(import_csv_read(open, sizeof(open) - 1, ';', keep, &rs, &e), -1);
	assert_non_null(strstr(e.message, "line 3"));
}

static void csv_caps(void **state)
{
	(void)state;
	size_t n = 0, cap = 200000;
	char *text = malloc(cap);
	for (int i = 0; i < 100; i++)
		text[n++] = 'x', text[n++] = ';';
	text[n++] = '\n';
	memset(text + n, 'y', IMPORT_CELL_MAX + 10);
	n += IMPORT_CELL_MAX + 10;
	text[n++] = '\n';
	struct rows rs = {0};
	struct err e = {0};
	assert_int_equal(import_csv_read(text, n, ';', keep, &rs, &e), 0);
	assert_int_equal(rs.n, 2);
	assert_int_equal(rs.ncells[0], 101);
	assert_true(rs.too_many[0]);
	assert_int_equal(rs.too_long[1], 0);
	free(text);
}

static void vcard_folding_qp_escapes_and_several_values(void **state)
{
	(void)state;
	static const char vcf[] =
		"BEGIN:VCARD\nVERSION:3.0\n"
		"N;ENCODING=QUOTED-PRINTABLE;CHARSET=ISO-8859-1:L=E9a;Jos=E9;;;\n"
		"item1.EMAIL;TYPE=INTERNET:a@example.fr\nEMAIL;TYPE=INTERNET,PREF:b@example.fr\n"
		"TEL;VOICE:01 02 03 04 05\nTEL;CELL:06 07 08 09 10\n"
		"NOTE;ENCODING=QUOTED-PRINTABLE:un=\n deux\n"
		"END:VCARD\n"
		"BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Anne\\, la \\;grande\\\\\r\nNOTE:plié\r\n\tsur "
		"deux\\nlignes\r\n"
		"TEL;VALUE=uri;TYPE=\"cell,voice\":tel:+33-6-11-22-33-44\r\nEND:VCARD\r\n";
	struct rows rs = {0};
	struct err e = {0};
	assert_int_equal(import_vcard_read(vcf, sizeof(vcf) - 1, keep, &rs, &e), 0);
	assert_int_equal(rs.n, 2);
	assert_string_equal(rs.cells[0][0], "Léa");
	assert_string_equal(rs.cells[0][1], "José");
	assert_string_equal(rs.cells[0][3], "b@example.fr");
	assert_string_equal(rs.cells[0][4], "06 07 08 09 10");
	assert_non_null(strstr(rs.cells[0][6], "a@example.fr"));
	assert_non_null(strstr(rs.cells[0][6], "01 02 03 04 05"));
	assert_string_equal(rs.cells[0][5], "un deux");
	assert_string_equal(rs.cells[1][2], "Anne, la ;grande\\");
	assert_string_equal(rs.cells[1][5], "pliésur deux\nlignes");
	assert_string_equal(rs.cells[1][4], "+33-6-11-22-33-44");
	static const char unended[] = "BEGIN:VCARD\nFN:A\n";
	assert_int_equal(import_vcard_read(unended, sizeof(unended) - 1, keep, &rs, &e), -1);
	assert_string_equal(e.code, "invalid_vcard");
	assert_non_null(strstr(e.message, "line 1"));
}

static void column_names_propose_fields(void **state)
{
	(void)state;
	assert_string_equal(import_guess_field("Prénom"), "first_name");
	assert_string_equal(import_guess_field("NOM"), "last_name");
	assert_string_equal(import_guess_field("Nom de famille"), "last_name");
	assert_string_equal(import_guess_field("E-mail"), "email");
	assert_string_equal(import_guess_field("Courriel"), "email");
	assert_string_equal(import_guess_field("Adresse e-mail"), "email");
	assert_string_equal(import_guess_field("Téléphone portable"), "phone");
	assert_string_equal(import_guess_field("Mobile"), "phone");
	assert_string_equal(import_guess_field("Full name"), "full_name");
	assert_string_equal(import_guess_field("Commentaires"), "notes");
	assert_string_equal(import_guess_field("Autres contacts"), "");
	assert_string_equal(import_guess_field("Couleur préférée"), "");
}

static void a_record_is_checked_like_a_typed_client(void **state)
{
	(void)state;
	const char *map[] = {"full_name", "email", "phone", "consent_sms"};
	struct import_record r = {.row_no = 2, .ncells = 4, .too_long = -1};
	const char *cells[] = {"Marie de la Tour", " Marie@Example.FR ", "06 12 34 56 78", "oui"};
	for (int i = 0; i < 4; i++)
		r.cells[i] = cells[i], r.lens[i] = strlen(cells[i]);
	struct import_values v;
	json_t *issues = json_array();
	assert_int_equal(import_check_record(&r, map, 4, &v, issues), 0);
	assert_string_equal(v.first_name, "Marie");
	assert_string_equal(v.last_name, "de la Tour");
	assert_string_equal(v.email, "marie@example.fr");
	assert_string_equal(v.phone, "+33612345678");
	assert_int_equal(v.consent_sms, 1);
	const char *bad[] = {"", "pas-un-mail", "12", "peut-être"};
	for (int i = 0; i < 4; i++)
		r.cells[i] = bad[i], r.lens[i] = strlen(bad[i]);
	assert_int_equal(import_check_record(&r, map, 4, &v, issues), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(issues, 0), "field")),
			    "consent_sms");
	assert_string_equal(json_string_value(json_object_get(json_array_get(issues, 1), "field")), "email");
	assert_string_equal(json_string_value(json_object_get(json_array_get(issues, 2), "field")), "phone");
	json_decref(issues);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(decode_bom_windows_1252_and_binary),
		cmocka_unit_test(csv_separators_quotes_and_lines),
		cmocka_unit_test(csv_caps),
		cmocka_unit_test(vcard_folding_qp_escapes_and_several_values),
		cmocka_unit_test(column_names_propose_fields),
		cmocka_unit_test(a_record_is_checked_like_a_typed_client),
	};
	return cmocka_run_group_tests_name("data/import", tests, NULL, NULL);
}
