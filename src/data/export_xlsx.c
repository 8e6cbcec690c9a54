/* export_xlsx — one sheet written by libxlsxwriter in constant-memory mode (each row goes to
 * a temporary file as soon as the next one starts, so memory does not grow with the rows): a
 * bold header row, the panes frozen under it, typed cells (text always as a string, never a
 * formula; numbers; booleans; dates in the account's zone with a date format). */
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include "data/export_int.h"
#include "base/banned.h"

struct xlsx_out {
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *bold, *date, *datetime;
	char types[EXPORT_NCOLS + 16];
	int ncols;
	lxw_row_t row;
};

struct xlsx_out *xlsx_open(const char *path, const char *sheet, struct err *e)
{
	struct xlsx_out *x = calloc(1, sizeof(*x));
	if (!x) {
		err_internal(e, "out of memory");
		return NULL;
	}
	const char *tmp = getenv("TMPDIR");
	lxw_workbook_options opt = {.constant_memory = LXW_TRUE,
				    .tmpdir = (char *)(tmp && *tmp ? tmp : NULL)};
	x->wb = workbook_new_opt(path, &opt);
	if (!x->wb || !(x->ws = workbook_add_worksheet(x->wb, sheet))) {
		if (x->wb)
			workbook_close(x->wb);
		free(x);
		err_internal(e, "cannot start the workbook %s", path);
		return NULL;
	}
	x->bold = workbook_add_format(x->wb);
	format_set_bold(x->bold);
	x->date = workbook_add_format(x->wb);
	format_set_num_format(x->date, "dd/mm/yyyy");
	x->datetime = workbook_add_format(x->wb);
	format_set_num_format(x->datetime, "dd/mm/yyyy hh:mm");
	return x;
}

int xlsx_header(struct xlsx_out *x, const char *const *labels, const char *types, int ncols, struct err *e)
{
	if (ncols <= 0 || ncols > (int)sizeof(x->types))
		return err_internal(e, "bad column count");
	memcpy(x->types, types, (size_t)ncols);
	x->ncols = ncols;
	/* frozen panes and widths are set before any row in constant-memory mode */
	worksheet_freeze_panes(x->ws, 1, 0);
	for (int i = 0; i < ncols; i++) {
		double width = types[i] == 's' ? 24 : types[i] == 'd' || types[i] == 't' ? 16 : 10;
		worksheet_set_column(x->ws, (lxw_col_t)i, (lxw_col_t)i, width, NULL);
	}
	for (int i = 0; i < ncols; i++)
		if (worksheet_write_string(x->ws, 0, (lxw_col_t)i, labels[i], x->bold) != LXW_NO_ERROR)
			return err_internal(e, "cannot write the header row");
	x->row = 1;
	return 0;
}

int xlsx_row(struct xlsx_out *x, const struct xlsx_cell *cells, const struct tz *z, struct err *e)
{
	for (int i = 0; i < x->ncols; i++) {
		lxw_error rc = LXW_NO_ERROR;
		lxw_col_t col = (lxw_col_t)i;
		switch (x->types[i]) {
		case 's':
			if (cells[i].s && *cells[i].s)
				rc = worksheet_write_string(x->ws, x->row, col, cells[i].s, NULL);
			break;
		case 'n':
			rc = worksheet_write_number(x->ws, x->row, col, (double)cells[i].n, NULL);
			break;
		case 'b':
			rc = worksheet_write_boolean(x->ws, x->row, col, cells[i].n ? 1 : 0, NULL);
			break;
		default:
			if (cells[i].n) {
				struct civil cv;
				tz_to_civil(z, cells[i].n, &cv);
				lxw_datetime dt = {cv.year, cv.month, cv.day, 0, 0, 0};
				if (x->types[i] == 't')
					dt.hour = cv.hour, dt.min = cv.minute;
				rc = worksheet_write_datetime(x->ws, x->row, col, &dt,
							      x->types[i] == 't' ? x->datetime : x->date);
			}
			break;
		}
		if (rc != LXW_NO_ERROR)
			return err_internal(e, "cannot write row %u: %s", (unsigned)x->row, lxw_strerror(rc));
	}
	x->row++;
	return 0;
}

int xlsx_close(struct xlsx_out *x, struct err *e)
{
	lxw_error rc = workbook_close(x->wb);
	free(x);
	return rc == LXW_NO_ERROR ? 0 : err_internal(e, "cannot finish the workbook: %s", lxw_strerror(rc));
}
