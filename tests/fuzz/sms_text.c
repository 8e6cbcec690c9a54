/* Fuzz target: the SMS text rules. The first byte sets accent_free; the rest is a message as a
 * template would render it. sms_normalise gives valid UTF-8 or refuses with 400; sms_prepare
 * never needs more than SMS_MAX_SEGMENTS, its measure matches a fresh sms_measure_text, and
 * a text appended whole is the normalised text itself. */
#include <string.h>

#include "base/buf.h"
#include "fuzz/fuzz.h"
#include "notify/sms.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 4096)
		return 0;
	int accent_free = data[0] & 1;
	char *s = malloc(size);
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	struct err e;
	struct buf norm = BUF_INIT(16384), out = BUF_INIT(16384);
	if (sms_normalise(s, accent_free, &norm, &e) < 0) {
		FUZZ_CHECK(e.status == 400 && !strcmp(e.code, "invalid_text"));
	} else {
		FUZZ_CHECK(fuzz_utf8_ok(norm.data ? norm.data : "", norm.len));
		struct sms_measure m0, m1, m2;
		sms_measure_text(buf_str(&norm), &m0);
		FUZZ_CHECK(m0.segments >= 1 && m0.units >= 0);
		int rc = sms_prepare(s, accent_free, &out, &m1, &e);
		FUZZ_CHECK(rc == 0 || rc == 1);
		FUZZ_CHECK(m1.segments >= 1 && m1.segments <= SMS_MAX_SEGMENTS);
		FUZZ_CHECK(fuzz_utf8_ok(out.data ? out.data : "", out.len));
		sms_measure_text(buf_str(&out), &m2);
		FUZZ_CHECK(m2.segments == m1.segments && m2.units == m1.units && m2.coding == m1.coding);
		if (rc == 0)
			FUZZ_CHECK(!strcmp(buf_str(&out), buf_str(&norm)) && m0.segments <= SMS_MAX_SEGMENTS);
		else
			FUZZ_CHECK(m0.segments > SMS_MAX_SEGMENTS && out.len < norm.len + 4);
	}
	char sender[SMS_SENDER_MAX + 1];
	sms_sender_default(s, sender);
	FUZZ_CHECK(sms_sender_ok(sender));
	buf_release(&norm);
	buf_release(&out);
	free(s);
	return 0;
}
