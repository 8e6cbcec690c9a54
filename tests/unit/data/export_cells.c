/* The cell writers of the exports, alone: CSV quoting and formula neutralisation, vCard
 * escaping and folding (never inside a UTF-8 character). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "data/export_int.h"

static char *written(void (*fn)(FILE *f, void *ctx), void *ctx)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	assert_non_null(f);
	fn(f, ctx);
	fclose(f);
	return out;
}

static void cells(FILE *f, void *ctx)
{
	const char *const *v = ctx;
	for (int i = 0; v[i]; i++)
		assert_int_equal(csv_cell(f, v[i], ';', i == 0), 0);
	assert_int_equal(csv_end_row(f), 0);
}

static void csv_quotes_and_neutralises(void **state)
{
	(void)state;
	const char *row[] = {"Zoé",   "O'Brien; \"Le Grand\"",
			     "a\nb",  "=HYPERLINK(\"http://x\",\"y\")",
			     "-2",    "@x",
			     "\tx",   "+33612345678",
			     "plain", NULL};
	char *s = written(cells, row);
	assert_string_equal(
		s, "Zoé;\"O'Brien; \"\"Le Grand\"\"\";\"a\nb\";\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\";"
		   "'-2;'@x;'\tx;'+33612345678;plain\r\n");
	free(s);
}

static void card(FILE *f, void *ctx)
{
	assert_int_equal(vcard_client(f, ctx), 0);
}

static void vcard_escapes_and_folds_on_characters(void **state)
{
	(void)state;
	char notes[400] = "";
	for (int i = 0; i < 60; i++)
		strcat(notes, "é🎉");
	struct export_client cl = {.id = "cli_x",
				   .first_name = "Anne, Marie",
				   .last_name = "D'Arc; \\ la",
				   .email = "a@b.example",
				   .phone = "+33 6 12 34 56 78",
				   .notes = notes};
	char *s = written(card, &cl);
	assert_non_null(strstr(s, "VERSION:4.0\r\n"));
	assert_non_null(strstr(s, "N:D'Arc\\; \\\\ la;Anne\\, Marie;;;\r\n"));
	assert_non_null(strstr(s, "TEL;VALUE=uri:tel:+33612345678\r\n"));
	/* every physical line is at most 75 octets and unfolding gives the notes back whole */
	char unfolded[4096] = "";
	size_t u = 0;
	for (char *line = s; *line;) {
		char *end = strstr(line, "\r\n");
		assert_non_null(end);
		assert_true(end - line <= 75);
		const char *from = line[0] == ' ' ? line + 1 : line;
		if (line[0] != ' ' && u)
			unfolded[u++] = '\n';
		memcpy(unfolded + u, from, (size_t)(end - from));
		u += (size_t)(end - from);
		line = end + 2;
	}
	unfolded[u] = '\0';
	char want[500];
	snprintf(want, sizeof(want), "NOTE:%s", notes);
	assert_non_null(strstr(unfolded, want));
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(csv_quotes_and_neutralises),
		cmocka_unit_test(vcard_escapes_and_folds_on_characters),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
