/* signup — a business account created in one transaction: the account in state `trial`
 * (trial_ends_at = first instant of the local date sign-up + 15 days), a unique public slug
 * from the name, the owner user, a session, the e-mail verification message, the demo data
 * and the audit entry. No payment information is asked. */
#ifndef CRENEAU_SIGNUP_H
#define CRENEAU_SIGNUP_H
#include <stdint.h>

#include "account/account.h"
#include "account/password.h"

#define SIGNUP_TRIAL_DAYS 15
#define TERMS_VERSION	  "2026-11"
#define DPA_VERSION	  "2026-11"

/* A validated sign-up request (see signup_validate's checks in api_signup.c). */
struct signup {
	char business_name[121];
	char email[256]; /* normalised */
	char password[PASSWORD_MAX + 1];
	char business_type[32];
	enum plan_id plan;
	char time_zone[64];
	char locale[3];
	char ip[64];
	char user_agent[256];
};

struct signup_result {
	int64_t account_id, user_id;
	char session_token[SESSION_TOKEN_SIZE];
};

/* Creates everything; 409 `email_taken` when the e-mail is anyone's already (nothing else
 * said), 400 `weak_password`, 503 `busy` when the password pool is full. */
int signup_create(db *d, const struct signup *s, int64_t now, struct signup_result *out, struct err *e) WUR;

/* The slug for a business name: lower-case ASCII letters, digits and single '-', accents
 * folded (é → e, œ → oe), at most 48 bytes, never empty ("entreprise" then). */
void slug_from_name(const char *name, char out[49]);
/* First instant of the local date `days` after the local date of `now` in zone_name. */
int local_day_start_after(const char *zone_name, int64_t now, int days, int64_t *out, struct err *e) WUR;

/* The demo business of `creneau demo` / `make run`: a hair salon whose owner logs in with
 * these known credentials (a local try-out, never a production store). */
#define DEMO_BUSINESS_NAME  "Salon Léa (démo)"
#define DEMO_OWNER_EMAIL    "gerante@salon-lea.example"
#define DEMO_OWNER_PASSWORD "Salon-Lea-2026"

/* Creates the demo business unless it exists (its e-mail is taken); *created says which.
 * Its owner's e-mail counts as verified. */
int demo_business_ensure(db *d, int64_t now, int *created, struct err *e) WUR;

#endif
