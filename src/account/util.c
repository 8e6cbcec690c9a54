/* Small helpers the account module's files share. */
#include <string.h>

#include "account/account.h"
#include "base/token.h"
#include "base/banned.h"

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

void public_id_new(const char *prefix, char out[24])
{
	static const char alphabet[] = "abcdefghijkmnpqrstuvwxyz23456789";
	unsigned char raw[16];
	size_t p = strnlen(prefix, 3);
	memcpy(out, prefix, p);
	out[p++] = '_';
	rand_bytes(raw, sizeof(raw));
	for (size_t i = 0; i < sizeof(raw); i++)
		out[p++] = alphabet[raw[i] & 31];
	out[p] = '\0';
}
