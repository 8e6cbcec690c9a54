#include "account/signup.h"

#include <stdio.h>
#include <string.h>

#include "account/credentials.h"
#include "account/deletion.h"
#include "account/demo.h"
#include "account/lifecycle.h"
#include "base/tz.h"
#include "base/banned.h"

/* Latin letters with diacritics as UTF-8, folded to ASCII for slugs. */
static const struct {
	const char *utf8, *ascii;
} folds[] = {
	{"à", "a"}, {"â", "a"},	 {"ä", "a"},  {"á", "a"}, {"ã", "a"}, {"å", "a"}, {"æ", "ae"},
	{"ç", "c"}, {"é", "e"},	 {"è", "e"},  {"ê", "e"}, {"ë", "e"}, {"î", "i"}, {"ï", "i"},
	{"í", "i"}, {"ì", "i"},	 {"ô", "o"},  {"ö", "o"}, {"ó", "o"}, {"ò", "o"}, {"õ", "o"},
	{"ø", "o"}, {"œ", "oe"}, {"ù", "u"},  {"û", "u"}, {"ü", "u"}, {"ú", "u"}, {"ÿ", "y"},
	{"ñ", "n"}, {"ß", "ss"}, {"À", "a"},  {"Â", "a"}, {"Ä", "a"}, {"Á", "a"}, {"Æ", "ae"},
	{"Ç", "c"}, {"É", "e"},	 {"È", "e"},  {"Ê", "e"}, {"Ë", "e"}, {"Î", "i"}, {"Ï", "i"},
	{"Ô", "o"}, {"Ö", "o"},	 {"Œ", "oe"}, {"Ù", "u"}, {"Û", "u"}, {"Ü", "u"}, {"Ñ", "n"},
};

void slug_from_name(const char *name, char out[49])
{
	size_t n = 0;
	int dash = 0;
	for (const char *p = name; *p && n < 48;) {
		unsigned char ch = (unsigned char)*p;
		const char *add = NULL;
		char one[2] = {0, 0};
		if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) {
			one[0] = (char)ch;
			add = one;
			p++;
		} else if (ch >= 'A' && ch <= 'Z') {
			one[0] = (char)(ch + 32);
			add = one;
			p++;
		} else if (ch >= 0x80) {
			for (size_t i = 0; i < sizeof(folds) / sizeof(folds[0]) && !add; i++) {
				size_t l = strlen(folds[i].utf8);
				if (!strncmp(p, folds[i].utf8, l)) {
					add = folds[i].ascii;
					p += l;
				}
			}
			if (!add) { /* another character: skip its UTF-8 sequence, count it as a separator */
				p++;
				while (((unsigned char)*p >> 6) == 2)
					p++;
			}
		} else {
			p++;
		}
		if (!add) {
			dash = n > 0;
			continue;
		}
		if (dash && n < 47)
			out[n++] = '-';
		dash = 0;
		for (; *add && n < 48; add++)
			out[n++] = *add;
	}
	while (n && out[n - 1] == '-')
		n--;
	out[n] = '\0';
	if (!n)
		snprintf(out, 49, "entreprise");
}

int local_day_start_after(const char *zone_name, int64_t now, int days, int64_t *out, struct err *e)
{
	const struct tz *z = tz_get(zone_name, e);
	if (!z)
		return -1;
	struct civil c;
	int y, m, d;
	tz_to_civil(z, now, &c);
	tz_civil_from_days(tz_days_from_civil(c.year, c.month, c.day) + days, &y, &m, &d);
	return tz_day_start(z, y, m, d, out) ? err_internal(e, "no start of day %04d-%02d-%02d", y, m, d) : 0;
}

/* A slug no account has: the base, else base-2, base-3 ... (the unique index settles races). */
static int pick_slug(db_conn *c, const char *base, char out[64], struct err *e)
{
	static const char *const reserved[] = {"api", "office", "ops",	  "admin", "login", "signup",
					       "www", "widget", "static", "demo",  NULL};
	for (int i = 1; i < 1000; i++) {
		if (i == 1)
			snprintf(out, 64, "%s", base);
		else
			snprintf(out, 64, "%s-%d", base, i);
		int taken = 0;
		for (const char *const *r = reserved; *r; r++)
			taken |= !strcmp(*r, out);
		int64_t n = 0;
		if (!taken && db_query_int(c, "SELECT count(*) FROM accounts WHERE slug = $1",
					   DB_ARGS(DB_TEXT(out)), &n, e) < 0)
			return -1;
		/* the address of a deleted business is never given again (it answers 410) */
		int retired = taken || n ? 0 : deletion_slug_retired(c, out, e);
		if (retired < 0)
			return -1;
		n += retired;
		if (!taken && !n)
			return 0;
	}
	return err_set(e, 409, "slug_taken", "business_name", "no free address for this business name");
}

struct create_ctx {
	int slug_race; /* another sign-up took the slug between our check and insert */
	const struct signup *s;
	const char *password_hash;
	int64_t now, trial_ends_at;
	struct signup_result *out;
};

/* Turns the conflicts sign-up expects into the API's answers. */
static int insert_failed(db_conn *c, struct create_ctx *x, struct err *e)
{
	const char *name = db_conflict_name(c);
	if (!strcmp(name, "accounts_slug"))
		x->slug_race = 1;
	else if (!strcmp(name, "users_email"))
		return err_set(e, 409, "email_taken", "email",
			       "this e-mail address already has an account: log in or reset the password");
	return -1;
}

static int create_in_tx(db_conn *c, void *vctx, struct err *e)
{
	struct create_ctx *x = vctx;
	const struct signup *s = x->s;
	char base[49], slug[64], account_pid[24], user_pid[24], csrf[48];
	slug_from_name(s->business_name, base);
	if (pick_slug(c, base, slug, e))
		return -1;
	public_id_new("acc", account_pid);
	public_id_new("usr", user_pid);
	const struct plan *plan = plan_get(s->plan);
	db_rows *r;
	if (db_query(c,
		     "INSERT INTO accounts (public_id, name, slug, business_type, plan, state, "
		     "state_changed_at,"
		     " trial_ends_at, time_zone, locale, contact_email, terms_version, terms_accepted_at,"
		     " dpa_version, dpa_accepted_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, "
		     "'trial',"
		     " $6, $7, $8, $9, $10, $11, $6, $12, $6, $6, $6) RETURNING id",
		     DB_ARGS(DB_TEXT(account_pid), DB_TEXT(s->business_name), DB_TEXT(slug),
			     DB_TEXT(s->business_type), DB_TEXT(plan->code), DB_INT(x->now),
			     DB_INT(x->trial_ends_at), DB_TEXT(s->time_zone), DB_TEXT(s->locale),
			     DB_TEXT(s->email), DB_TEXT(TERMS_VERSION), DB_TEXT(DPA_VERSION)),
		     &r, e))
		return insert_failed(c, x, e);
	int rc = db_rows_next(r, e);
	x->out->account_id = rc == 1 ? db_rows_int(r, 0) : 0;
	db_rows_free(r);
	if (rc != 1)
		return rc < 0 ? -1 : err_internal(e, "account insert returned nothing");
	if (db_query(c,
		     "INSERT INTO users (account_id, public_id, email, name, role, password_hash, locale, "
		     "status,"
		     " created_at, updated_at) VALUES ($1, $2, $3, '', 'owner', $4, $5, 'active', $6, $6) "
		     "RETURNING id",
		     DB_ARGS(DB_INT(x->out->account_id), DB_TEXT(user_pid), DB_TEXT(s->email),
			     DB_TEXT(x->password_hash), DB_TEXT(s->locale), DB_INT(x->now)),
		     &r, e))
		return insert_failed(c, x, e);
	rc = db_rows_next(r, e);
	x->out->user_id = rc == 1 ? db_rows_int(r, 0) : 0;
	db_rows_free(r);
	if (rc != 1)
		return rc < 0 ? -1 : err_internal(e, "user insert returned nothing");
	if (session_create(c, x->out->account_id, x->out->user_id, x->now, s->ip, s->user_agent,
			   x->out->session_token, csrf, e) ||
	    credentials_send_verification(c, x->out->account_id, x->out->user_id, s->email, s->locale, x->now,
					  e) ||
	    demo_fill(c, x->out->account_id, s->business_type, x->now, e) ||
	    lifecycle_schedule_trial(c, x->out->account_id, s->time_zone, x->trial_ends_at, e))
		return -1;
	char detail[160];
	snprintf(detail, sizeof(detail), "{\"plan\":\"%s\",\"terms\":\"%s\",\"dpa\":\"%s\"}", plan->code,
		 TERMS_VERSION, DPA_VERSION);
	return audit_write(c, x->out->account_id, x->out->user_id, 0, "signup", slug, s->ip, detail, x->now,
			   e);
}

int signup_create(db *d, const struct signup *s, int64_t now, struct signup_result *out, struct err *e)
{
	char hash[PASSWORD_HASH_SIZE];
	struct create_ctx x = {.s = s, .password_hash = hash, .now = now, .out = out};
	memset(out, 0, sizeof(*out));
	if (password_policy_check(s->password, s->email, "password", e) ||
	    local_day_start_after(s->time_zone, now, SIGNUP_TRIAL_DAYS, &x.trial_ends_at, e) ||
	    password_hash(s->password, hash, e))
		return -1;
	for (int attempt = 0; attempt < 3; attempt++) {
		x.slug_race = 0;
		if (!db_transact(d, create_in_tx, &x, e))
			return 0;
		if (!x.slug_race)
			return -1;
	}
	return err_set(e, 409, "slug_taken", "business_name",
		       "no free address for this business name, try again");
}

int demo_business_ensure(db *d, int64_t now, int *created, struct err *e)
{
	struct signup s = {.plan = PLAN_OPTIMUM};
	struct signup_result out;
	snprintf(s.business_name, sizeof(s.business_name), "%s", DEMO_BUSINESS_NAME);
	snprintf(s.email, sizeof(s.email), "%s", DEMO_OWNER_EMAIL);
	snprintf(s.password, sizeof(s.password), "%s", DEMO_OWNER_PASSWORD);
	snprintf(s.business_type, sizeof(s.business_type), "hair_salon");
	snprintf(s.time_zone, sizeof(s.time_zone), "Europe/Paris");
	snprintf(s.locale, sizeof(s.locale), "fr");
	snprintf(s.ip, sizeof(s.ip), "127.0.0.1");
	*created = 0;
	struct err te = {0};
	if (signup_create(d, &s, now, &out, &te)) {
		if (!strcmp(te.code, "email_taken"))
			return 0;
		*e = te;
		return -1;
	}
	*created = 1;
	db_conn *c;
	if (db_acquire(d, &c, e))
		return -1;
	int rc = db_exec(c, "UPDATE users SET email_verified_at = $2 WHERE id = $1",
			 DB_ARGS(DB_INT(out.user_id), DB_INT(now)), e);
	db_release(c);
	return rc < 0 ? -1 : 0;
}
