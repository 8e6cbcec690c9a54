/* Fuzz target: phone numbers (phone_normalise over libphonenumber, phone_is_mobile,
 * phone_national_digits) and e-mail addresses (email_normalise). The first byte picks the
 * default region; the rest is the text as a form would send it. What is accepted is in
 * canonical form and normalising it again gives it back. */
#include <string.h>

#include "account/account.h"
#include "base/phone.h"
#include "fuzz/fuzz.h"

static void check_phone(const char *in, const char *region)
{
	struct err e;
	char out[PHONE_E164_SIZE];
	memset(out, 'x', sizeof(out));
	if (phone_normalise(in, region, out, "phone", &e) < 0) {
		FUZZ_CHECK(e.status == 400 && !strcmp(e.code, "invalid_phone") && out[0] == '\0');
		return;
	}
	size_t len = strnlen(out, sizeof(out));
	FUZZ_CHECK(len < sizeof(out) && len >= 3 && len <= 16 && out[0] == '+');
	for (size_t i = 1; i < len; i++)
		FUZZ_CHECK(out[i] >= '0' && out[i] <= '9');
	char again[PHONE_E164_SIZE];
	FUZZ_CHECK(phone_normalise(out, "US", again, "phone", &e) == 0 && !strcmp(again, out));
	(void)phone_is_mobile(out);
	char nat[PHONE_E164_SIZE];
	phone_national_digits(out, nat);
	FUZZ_CHECK(strnlen(nat, sizeof(nat)) < sizeof(nat));
}

static void check_email(const char *in)
{
	struct err e;
	char out[256];
	if (email_normalise(in, out, "email", &e) < 0) {
		FUZZ_CHECK(e.status == 400 && !strcmp(e.code, "invalid_email"));
		return;
	}
	size_t len = strlen(out);
	FUZZ_CHECK(len == strlen(in) && len <= 254);
	const char *at = strchr(out, '@');
	FUZZ_CHECK(at && at != out && !strchr(at + 1, '@') && strchr(at + 1, '.'));
	for (size_t i = 0; i < len; i++)
		FUZZ_CHECK(out[i] > ' ' && out[i] < 0x7f && !(out[i] >= 'A' && out[i] <= 'Z'));
	char again[256];
	FUZZ_CHECK(email_normalise(out, again, "email", &e) == 0 && !strcmp(again, out));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const regions[] = {NULL, "FR", "BE", "CH", "US", "GB", "DE", "ZZ", "", "fr"};
	if (size < 1 || size > 1024)
		return 0;
	const char *region = regions[data[0] % 10];
	char *s = malloc(size);
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0'; /* C strings: text past a NUL is not seen */
	check_phone(s, region);
	check_email(s);
	free(s);
	return 0;
}
