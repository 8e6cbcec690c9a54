// phone — the C shim over libphonenumber (see phone.h). C++ only inside this file.
#include "base/phone.h"

#include <cstring>
#include <string>

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

static int invalid(char out[PHONE_E164_SIZE], const char *field, struct err *e, const char *why)
{
	out[0] = '\0';
	return err_set(e, 400, "invalid_phone", field, "%s", why);
}

extern "C" int phone_normalise(const char *input, const char *default_region, char out[PHONE_E164_SIZE],
			       const char *field, struct err *e)
{
	out[0] = '\0';
	if (!input || !*input)
		return invalid(out, field, e, "the phone number is empty");
	size_t len = strnlen(input, PHONE_INPUT_MAX + 1);
	if (len > PHONE_INPUT_MAX)
		return invalid(out, field, e, "the phone number is too long");
	const PhoneNumberUtil *util = PhoneNumberUtil::GetInstance();
	PhoneNumber number;
	std::string text(input, len);
	std::string region(default_region && *default_region ? default_region : "FR");
	try {
		if (util->Parse(text, region, &number) != PhoneNumberUtil::NO_PARSING_ERROR)
			return invalid(out, field, e, "this is not a phone number");
		if (!util->IsValidNumber(number))
			return invalid(out, field, e,
				       "this phone number does not exist in its country's plan");
		std::string formatted;
		util->Format(number, PhoneNumberUtil::E164, &formatted);
		/* E.164: "+" and at most 15 digits; some plans' metadata (Germany's) accept longer */
		if (formatted.size() > 16)
			return invalid(out, field, e, "the phone number is too long");
		memcpy(out, formatted.data(), formatted.size());
		out[formatted.size()] = '\0';
		return 0;
	} catch (const std::exception &) {
		return err_internal(e, "the phone number library failed");
	}
}

extern "C" int phone_is_mobile(const char *e164)
{
	if (!e164 || e164[0] != '+' || strnlen(e164, PHONE_E164_SIZE) >= PHONE_E164_SIZE)
		return 0;
	const PhoneNumberUtil *util = PhoneNumberUtil::GetInstance();
	PhoneNumber number;
	try {
		if (util->Parse(std::string(e164), "ZZ", &number) != PhoneNumberUtil::NO_PARSING_ERROR ||
		    !util->IsValidNumber(number))
			return 0;
		PhoneNumberUtil::PhoneNumberType t = util->GetNumberType(number);
		return t == PhoneNumberUtil::MOBILE || t == PhoneNumberUtil::FIXED_LINE_OR_MOBILE;
	} catch (const std::exception &) {
		return 0;
	}
}

extern "C" void phone_national_digits(const char *e164, char out[PHONE_E164_SIZE])
{
	out[0] = '\0';
	if (!e164 || e164[0] != '+' || strnlen(e164, PHONE_E164_SIZE) >= PHONE_E164_SIZE)
		return;
	const PhoneNumberUtil *util = PhoneNumberUtil::GetInstance();
	PhoneNumber number;
	try {
		if (util->Parse(std::string(e164), "ZZ", &number) != PhoneNumberUtil::NO_PARSING_ERROR ||
		    !util->IsValidNumber(number))
			return;
		std::string national;
		util->Format(number, PhoneNumberUtil::NATIONAL, &national);
		size_t n = 0;
		for (char ch : national)
			if (ch >= '0' && ch <= '9' && n + 1 < PHONE_E164_SIZE)
				out[n++] = ch;
		out[n] = '\0';
	} catch (const std::exception &) {
		out[0] = '\0';
	}
}
