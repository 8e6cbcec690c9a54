/* fuzz.h — what the fuzz targets share: the libFuzzer entry point's prototype, a check that
 * fails loudly (abort, so libFuzzer and the replay driver report it), a UTF-8 validator and
 * a small reader that takes bounded integers from the front of the input. */
#ifndef CRENEAU_FUZZ_H
#define CRENEAU_FUZZ_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts with the failed condition: a finding. */
#define FUZZ_CHECK(cond)                                                                                     \
	do {                                                                                                 \
		if (!(cond)) {                                                                               \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);         \
			abort();                                                                             \
		}                                                                                            \
	} while (0)

/* True when s[0..len) is well-formed UTF-8 (no overlongs, no surrogates, at most U+10FFFF). */
static inline int fuzz_utf8_ok(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < len;) {
		unsigned c = p[i];
		size_t n;
		uint32_t cp, min;
		if (c < 0x80) {
			i++;
			continue;
		} else if ((c >> 5) == 6) {
			n = 2, cp = c & 0x1f, min = 0x80;
		} else if ((c >> 4) == 14) {
			n = 3, cp = c & 0x0f, min = 0x800;
		} else if ((c >> 3) == 30) {
			n = 4, cp = c & 0x07, min = 0x10000;
		} else {
			return 0;
		}
		if (i + n > len)
			return 0;
		for (size_t k = 1; k < n; k++) {
			if ((p[i + k] >> 6) != 2)
				return 0;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += n;
	}
	return 1;
}

/* Bytes taken from the front of the input; past the end every read gives 0. */
struct fuzz_in {
	const uint8_t *p;
	size_t n;
};
static inline unsigned fuzz_byte(struct fuzz_in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}
/* A number in [lo, hi] from one or two bytes. */
static inline int fuzz_range(struct fuzz_in *in, int lo, int hi)
{
	unsigned span = (unsigned)(hi - lo) + 1, v = fuzz_byte(in);
	if (span > 256)
		v = v << 8 | fuzz_byte(in);
	return lo + (int)(v % span);
}

#endif
