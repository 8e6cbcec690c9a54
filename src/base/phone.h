/* phone — telephone numbers to E.164 through libphonenumber (a C shim over its C++ API in
 * phone.cc). The library's metadata decides what is valid, for every country, not only
 * France. Safe to call from any thread: PhoneNumberUtil is a singleton created once
 * (pthread_once / a mutex inside the library) whose parsing and validation calls are const,
 * its regular-expression cache being guarded by its own lock. */
#ifndef CRENEAU_PHONE_H
#define CRENEAU_PHONE_H

#ifdef __cplusplus
extern "C" {
#endif

#include "base/err.h" /* a C header without guards of its own */

#define PHONE_E164_SIZE 32 /* bytes of out[], NUL included: E.164 has at most 15 digits */
#define PHONE_INPUT_MAX 64 /* longest input accepted, in bytes */

/* Parses input as a number of default_region (ISO 3166 "FR", "US"...; NULL means "FR")
 * unless it starts with "+" or an international prefix, checks it is a valid number for its
 * country, and writes its E.164 form ("+33612345678") to out. Invalid, too long or empty:
 * 400 `invalid_phone` naming `field`, and out is "". */
int phone_normalise(const char *input, const char *default_region, char out[PHONE_E164_SIZE],
		    const char *field, struct err *e) WUR;

/* True when e164 is a valid number the metadata says is a mobile (or may be one, where a
 * country does not tell fixed from mobile): what an SMS can reach. 0 for anything else. */
int phone_is_mobile(const char *e164);

/* The digits of e164 as dialled inside its country ("+33612345678" → "0612345678"), for
 * search; out is "" when e164 is not a valid number. */
void phone_national_digits(const char *e164, char out[PHONE_E164_SIZE]);

#ifdef __cplusplus
}
#endif

#endif
