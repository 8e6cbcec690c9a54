/* Small helpers the account module's files share. */
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "account/account.h"
#include "base/token.h"
#include "base/banned.h"

enum { PUBLIC_ID_TIME = 9, PUBLIC_ID_RANDOM = 10 }; /* characters: 4 + 9 + 10 = 23 */

int email_normalise(const char *in, char out[256], const char *field, struct err *e)
{
	size_t len = strlen(in);
	if (!len || len > 254)
		return err_set(e, 400, "invalid_email", field, "%s is not an e-mail address", field);
	const char *at = strchr(in, '@');
	if (!at || at == in || strchr(at + 1, '@') || !strchr(at + 1, '.') || at[1] == '.' ||
	    in[len - 1] == '.')
		return err_set(e, 400, "invalid_email", field, "%s is not an e-mail address", field);
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)in[i];
		if (ch <= ' ' || ch >= 0x7f || strchr("<>()[]\\,;:\"", ch))
			return err_set(e, 400, "invalid_email", field, "%s is not an e-mail address", field);
		out[i] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
	}
	out[len] = '\0';
	return 0;
}

/* prefix, '_', 9 characters of the creation time in milliseconds (45 bits, until the year
 * 3084), then 10 random ones (50 bits), from an alphabet in ASCII order: ids made later sort
 * later, so an index of them takes new ids at its right edge, one page for every row of a
 * commit, instead of a random page for each row (a booking indexes three such ids). They
 * order rows, nothing else; uniqueness rests on the random part and the unique indexes. */
void public_id_new(const char *prefix, char out[24])
{
	static const char alphabet[] = "23456789abcdefghijkmnpqrstuvwxyz";
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	uint64_t ms = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
	size_t p = strnlen(prefix, 3);
	memcpy(out, prefix, p);
	out[p++] = '_';
	for (int i = PUBLIC_ID_TIME - 1; i >= 0; i--, ms >>= 5)
		out[p + (size_t)i] = alphabet[ms & 31];
	p += PUBLIC_ID_TIME;
	unsigned char raw[PUBLIC_ID_RANDOM];
	rand_bytes(raw, sizeof(raw));
	for (size_t i = 0; i < sizeof(raw); i++)
		out[p++] = alphabet[raw[i] & 31];
	out[p] = '\0';
}
