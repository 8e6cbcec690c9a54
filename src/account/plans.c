/* Plans are rows of the `plans` table (migration 0005), read once at start. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "account/account.h"
#include "base/banned.h"

static struct plan plans[PLAN_COUNT];
static int plans_loaded;
static pthread_mutex_t plans_mu = PTHREAD_MUTEX_INITIALIZER;

static const char *const plan_codes[PLAN_COUNT] = {"essentiel", "pro", "optimum"};

int plans_load(db *d, struct err *e)
{
	db_conn *c;
	db_rows *r = NULL;
	struct plan loaded[PLAN_COUNT];
	int seen = 0;
	memset(loaded, 0, sizeof(loaded));
	if (db_acquire(d, &c, e))
		return -1;
	int rc = db_query(c,
			  "SELECT code, name, price_cents, currency, staff_limit, sms_per_month, branding,"
			  " support_hours FROM plans ORDER BY position",
			  DB_NOARGS, &r, e);
	while (!rc) {
		if ((rc = db_rows_next(r, e)) != 1) {
			rc = rc < 0 ? -1 : 0;
			break;
		}
		rc = 0;
		const char *code = db_rows_text(r, 0);
		int id = -1;
		for (int i = 0; i < PLAN_COUNT; i++)
			if (!strcmp(code, plan_codes[i]))
				id = i;
		if (id < 0)
			continue; /* a plan this binary does not know is not offered */
		struct plan *p = &loaded[id];
		p->id = (enum plan_id)id;
		snprintf(p->code, sizeof(p->code), "%s", code);
		snprintf(p->name, sizeof(p->name), "%s", db_rows_text(r, 1));
		p->price_cents = db_rows_int(r, 2);
		snprintf(p->currency, sizeof(p->currency), "%s", db_rows_text(r, 3));
		p->staff_limit = (int)db_rows_int(r, 4);
		p->sms_per_month = (int)db_rows_int(r, 5);
		p->branding = (int)db_rows_int(r, 6);
		p->support_hours = (int)db_rows_int(r, 7);
		seen |= 1 << id;
	}
	if (r)
		db_rows_free(r);
	db_release(c);
	if (rc < 0)
		return -1;
	if (seen != (1 << PLAN_COUNT) - 1)
		return err_internal(e, "the plans table lacks one of essentiel, pro, optimum");
	pthread_mutex_lock(&plans_mu);
	memcpy(plans, loaded, sizeof(plans));
	plans_loaded = 1;
	pthread_mutex_unlock(&plans_mu);
	return 0;
}

const struct plan *plan_get(enum plan_id id)
{
	if ((int)id < 0 || id >= PLAN_COUNT || !plans_loaded)
		return NULL;
	return &plans[id];
}

const struct plan *plan_by_code(const char *code)
{
	for (int i = 0; code && i < PLAN_COUNT; i++)
		if (!strcmp(code, plan_codes[i]))
			return plan_get((enum plan_id)i);
	return NULL;
}
