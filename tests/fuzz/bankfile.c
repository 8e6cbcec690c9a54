/* Fuzz target: the bank files read for payments (bankfile_parse: pain.002, camt.054, camt.053
 * through libxml2 without network, entities or DTD). Either the file is refused whole with a
 * reason, or every line read has NUL-terminated fields within their arrays. */
#include <string.h>

#include "fuzz/fuzz.h"
#include "payments/payments_int.h"

#define TERMINATED(a) (memchr((a), 0, sizeof(a)) != NULL)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bank_parsed p;
	char reason[200];
	memset(&p, 0, sizeof(p));
	reason[0] = '\0';
	if (bankfile_parse(data, size, &p, reason, sizeof(reason)) < 0) {
		FUZZ_CHECK(reason[0] && TERMINATED(reason));
		return 0;
	}
	FUZZ_CHECK(!strcmp(p.kind, "pain.002") || !strcmp(p.kind, "camt.054") || !strcmp(p.kind, "camt.053"));
	FUZZ_CHECK(TERMINATED(p.message_id) && p.nlines >= 0 && (p.lines || !p.nlines));
	for (int i = 0; i < p.nlines; i++) {
		const struct bank_line *l = &p.lines[i];
		FUZZ_CHECK(l->kind == BANK_LINE_TRANSFER || l->kind == BANK_LINE_DEBIT_SETTLED ||
			   l->kind == BANK_LINE_DEBIT_REJECTED);
		FUZZ_CHECK(TERMINATED(l->booking_date) && TERMINATED(l->reference) &&
			   TERMINATED(l->counterparty) && TERMINATED(l->end_to_end_id) &&
			   TERMINATED(l->reason_code) && TERMINATED(l->orig_msg_id));
	}
	bankfile_free(&p);
	return 0;
}
