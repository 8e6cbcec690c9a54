/* export_csv — CSV cells as Excel and Python's csv module read them (RFC 4180 quoting, CRLF
 * line ends, a UTF-8 BOM so Excel takes the file as UTF-8), with formula injection
 * neutralised: a cell starting with = + - @, a tab or a CR gets an apostrophe first. */
#include <stdio.h>
#include <string.h>

#include "data/export_int.h"
#include "base/banned.h"

int csv_bom(FILE *f)
{
	return fputs("\xEF\xBB\xBF", f) < 0 ? -1 : 0;
}

int csv_cell(FILE *f, const char *s, char sep, int first)
{
	if (!s)
		s = "";
	if (!first && fputc(sep, f) == EOF)
		return -1;
	int risky = s[0] && strchr("=+-@\t\r", s[0]) != NULL;
	int quote = strchr(s, sep) || strchr(s, '"') || strchr(s, '\r') || strchr(s, '\n');
	if (quote && fputc('"', f) == EOF)
		return -1;
	if (risky && fputc('\'', f) == EOF)
		return -1;
	for (const char *p = s; *p; p++) {
		if (*p == '"' && fputc('"', f) == EOF)
			return -1;
		if (fputc(*p, f) == EOF)
			return -1;
	}
	if (quote && fputc('"', f) == EOF)
		return -1;
	return 0;
}

int csv_end_row(FILE *f)
{
	return fputs("\r\n", f) < 0 ? -1 : 0;
}
