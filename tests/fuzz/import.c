/* Fuzz target: client imports as an uploaded file is read — import_decode (BOM, UTF-8 or
 * Windows-1252, binary refused), import_detect, the CSV reader with its guessed separator or
 * the vCard reader, then import_check_record on every record with the mapping guessed from the
 * first record's names. Every cell given is valid UTF-8 of its stated length within the caps;
 * every refusal is a 400. */
#include <string.h>

#include "data/import.h"
#include "fuzz/fuzz.h"

struct ctx {
	enum import_format format;
	const char *mapping[IMPORT_COLS_MAX];
	int nmap;
	long records;
};

static int on_record(void *vctx, const struct import_record *r, struct err *e)
{
	(void)e;
	struct ctx *c = vctx;
	FUZZ_CHECK(r->row_no == ++c->records && r->line >= 1 && r->ncells >= 0);
	FUZZ_CHECK(r->too_many_columns ? r->ncells > IMPORT_COLS_MAX : r->ncells <= IMPORT_COLS_MAX);
	FUZZ_CHECK(r->too_long >= -1 && r->too_long < IMPORT_COLS_MAX && r->too_long < r->ncells);
	if (c->format == IMPORT_VCARD)
		FUZZ_CHECK(r->ncells == IMPORT_VCARD_NCOLS);
	int n = r->ncells < IMPORT_COLS_MAX ? r->ncells : IMPORT_COLS_MAX;
	for (int i = 0; i < n; i++) {
		FUZZ_CHECK(r->cells[i] && strlen(r->cells[i]) == r->lens[i]);
		FUZZ_CHECK(r->lens[i] <= IMPORT_CELL_MAX || c->format == IMPORT_VCARD);
		FUZZ_CHECK(fuzz_utf8_ok(r->cells[i], r->lens[i]));
	}
	if (c->records == 1 && c->format == IMPORT_CSV) {
		c->nmap = n;
		for (int i = 0; i < n; i++) {
			c->mapping[i] = import_guess_field(r->cells[i]);
			FUZZ_CHECK(c->mapping[i]);
		}
		return 0;
	}
	if (c->format == IMPORT_VCARD && c->records == 1) {
		static const char *const vmap[] = {"last_name", "first_name", "full_name", "email",
						   "phone",	"notes",      ""};
		c->nmap = IMPORT_VCARD_NCOLS;
		memcpy(c->mapping, vmap, sizeof(vmap));
	}
	struct import_values v;
	json_t *issues = json_array();
	int ni = import_check_record(r, c->mapping, c->nmap, &v, issues);
	FUZZ_CHECK(ni >= 0 && (size_t)ni == json_array_size(issues));
	FUZZ_CHECK(memchr(v.first_name, 0, sizeof(v.first_name)) &&
		   memchr(v.last_name, 0, sizeof(v.last_name)) && memchr(v.email, 0, sizeof(v.email)) &&
		   memchr(v.phone, 0, sizeof(v.phone)) && memchr(v.notes, 0, sizeof(v.notes)));
	FUZZ_CHECK(fuzz_utf8_ok(v.first_name, strlen(v.first_name)) &&
		   fuzz_utf8_ok(v.last_name, strlen(v.last_name)) && fuzz_utf8_ok(v.notes, strlen(v.notes)));
	json_decref(issues);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err e;
	struct buf text = BUF_INIT(IMPORT_BODY_MAX);
	const char *encoding = NULL;
	if (import_decode((const char *)data, size, &text, &encoding, &e) < 0) {
		FUZZ_CHECK(e.status == 400);
		buf_release(&text);
		return 0;
	}
	FUZZ_CHECK(encoding && (!strcmp(encoding, "utf-8") || !strcmp(encoding, "windows-1252")));
	const char *t = buf_str(&text);
	FUZZ_CHECK(strlen(t) == text.len && fuzz_utf8_ok(t, text.len));
	struct ctx c = {.format = import_detect(t, text.len)};
	int rc;
	if (c.format == IMPORT_VCARD) {
		rc = import_vcard_read(t, text.len, on_record, &c, &e);
	} else {
		char sep = import_csv_separator(t, text.len);
		FUZZ_CHECK(sep == ',' || sep == ';' || sep == '\t' || sep == '|');
		rc = import_csv_read(t, text.len, sep, on_record, &c, &e);
	}
	FUZZ_CHECK(rc == 0 || (rc < 0 && e.status == 400));
	buf_release(&text);
	return 0;
}
