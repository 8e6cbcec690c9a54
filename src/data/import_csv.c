/* import_csv — CSV records through libcsv, any separator, with line numbers for the report
 * (import.h). The text is fed a line at a time so a broken quote can be named by its line. */
#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/import.h"

#include "base/xalloc.h"
#include "base/banned.h"

#define ROW_BYTES_MAX ((size_t)IMPORT_COLS_MAX * (IMPORT_CELL_MAX + 1))

struct csv_state {
	struct import_record rec;
	struct buf cells; /* the cells of the record, NUL-separated */
	size_t offs[IMPORT_COLS_MAX];
	long line, start_line, rows;
	import_record_fn fn;
	void *ctx;
	struct err *e;
	int failed;
};

static void on_field(void *field, size_t len, void *ctx)
{
	struct csv_state *s = ctx;
	struct import_record *r = &s->rec;
	if (s->failed)
		return;
	if (r->ncells == 0)
		r->line = s->start_line;
	int i = r->ncells++;
	if (i >= IMPORT_COLS_MAX) {
		r->too_many_columns = 1;
		return;
	}
	if (len > IMPORT_CELL_MAX) {
		if (r->too_long < 0)
			r->too_long = i;
		len = IMPORT_CELL_MAX;
		/* cut on a character boundary */
		while (len && (((const unsigned char *)field)[len] & 0xC0) == 0x80)
			len--;
	}
	s->offs[i] = s->cells.len;
	r->lens[i] = len;
	if (buf_append(&s->cells, field ? field : "", field ? len : 0) || buf_append(&s->cells, "", 1))
		s->failed = err_internal(s->e, "a CSV row passes its buffer");
}

static void on_row(int c, void *ctx)
{
	(void)c;
	struct csv_state *s = ctx;
	struct import_record *r = &s->rec;
	if (s->failed)
		return;
	if (++s->rows > IMPORT_ROWS_MAX) {
		s->failed = err_set(s->e, 400, "too_many_rows", "file", "the file has more than %d rows",
				    IMPORT_ROWS_MAX);
		return;
	}
	int n = r->ncells < IMPORT_COLS_MAX ? r->ncells : IMPORT_COLS_MAX;
	for (int i = 0; i < n; i++)
		r->cells[i] = s->cells.data + s->offs[i];
	r->row_no = s->rows;
	if (s->fn(s->ctx, r, s->e) < 0)
		s->failed = -1;
	r->ncells = 0;
	r->too_many_columns = 0;
	r->too_long = -1;
	buf_reset(&s->cells);
}

static int only_space(unsigned char c)
{
	return c == ' ';
}

int import_csv_read(const char *text, size_t len, char sep, import_record_fn fn, void *ctx, struct err *e)
{
	struct csv_parser p;
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0)
		return err_internal(e, "csv_init failed");
	csv_set_delim(&p, (unsigned char)sep);
	csv_set_space_func(&p, only_space);
	struct csv_state *s = xcalloc(1, sizeof(*s));
	s->fn = fn;
	s->ctx = ctx;
	s->e = e;
	s->rec.too_long = -1;
	buf_init(&s->cells, ROW_BYTES_MAX + IMPORT_COLS_MAX);
	size_t pos = 0;
	int rc = 0;
	while (pos < len && !s->failed) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) + 1 : len - pos;
		s->line++;
		if (p.pstate == 0 && s->rec.ncells == 0)
			s->start_line = s->line; /* no record begun: the next one starts here */
		if (csv_parse(&p, text + pos, n, on_field, on_row, s) != n && !s->failed) {
			rc = err_set(e, 400, "invalid_csv", "file",
				     "line %ld: a quote is misplaced (a field with quotes must be wholly "
				     "quoted, and a quote inside it doubled)",
				     s->line);
			break;
		}
		pos += n;
	}
	if (!rc && !s->failed && csv_fini(&p, on_field, on_row, s) != 0 && !s->failed)
		rc = err_set(e, 400, "invalid_csv", "file", "line %ld: a quote opened here is never closed",
			     s->start_line);
	if (s->failed)
		rc = -1;
	csv_free(&p);
	buf_release(&s->cells);
	free(s);
	return rc;
}
