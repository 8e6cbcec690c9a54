/* Account states and what each allows: PRODUCT.md's states table, as one function. */
#include <string.h>

#include "account/account.h"
#include "base/banned.h"

static const char *const state_codes[ACCOUNT_STATE_COUNT] = {
	"trial", "active", "cancel_pending", "frozen", "read_only", "deleting", "deleted",
};

const char *account_state_code(enum account_state s)
{
	return (int)s >= 0 && s < ACCOUNT_STATE_COUNT ? state_codes[s] : "unknown";
}

int account_state_parse(const char *code)
{
	for (int i = 0; code && i < ACCOUNT_STATE_COUNT; i++)
		if (!strcmp(code, state_codes[i]))
			return i;
	return -1;
}

const char *role_code(enum role r)
{
	return r == ROLE_OWNER ? "owner" : "staff";
}

int role_parse(const char *code)
{
	if (code && !strcmp(code, "owner"))
		return ROLE_OWNER;
	if (code && !strcmp(code, "staff"))
		return ROLE_STAFF;
	return -1;
}

/* Features that every state short of deletion keeps (PRODUCT.md: log-out, reading,
 * exports, tickets, subscribing, paying and deleting are never blocked by read-only or
 * frozen). */
static int never_blocked(enum feature f)
{
	return f == FEAT_LOGIN || f == FEAT_READ || f == FEAT_EXPORT || f == FEAT_TICKETS ||
	       f == FEAT_SUBSCRIBE || f == FEAT_DELETE_ACCOUNT;
}

static int state_refuses(const struct account *a, struct err *e)
{
	if (a->state == ACCOUNT_FROZEN)
		return err_set(e, 403, "account_frozen", NULL,
			       "the trial has ended: subscribe to go on changing things");
	return err_set(e, 403, "account_read_only", NULL,
		       !strcmp(a->state_reason, "unpaid")
			       ? "the account is read-only until the overdue invoice is paid"
			       : "the account is read-only since its subscription ended");
}

static int plan_allows(const struct account *a, enum feature f)
{
	const struct plan *p = plan_get(a->plan);
	if (!p)
		return 0;
	switch (f) {
	case FEAT_SMS:
		return a->state != ACCOUNT_TRIAL && p->sms_per_month > 0;
	case FEAT_BRANDING:
		return p->branding;
	case FEAT_SUPPORT_24H:
		return a->state != ACCOUNT_TRIAL && p->support_hours <= 24;
	default:
		return 1;
	}
}

int may(const struct account *a, enum feature f, struct err *e)
{
	if ((int)f < 0 || f >= FEAT_COUNT)
		return err_internal(e, "unknown feature %d", (int)f);
	switch (a->state) {
	case ACCOUNT_DELETING:
	case ACCOUNT_DELETED:
		return err_set(e, 410, "account_deleted", NULL, "this account has been deleted");
	case ACCOUNT_FROZEN:
	case ACCOUNT_READ_ONLY:
		if (!never_blocked(f))
			return state_refuses(a, e);
		break;
	case ACCOUNT_TRIAL:
	case ACCOUNT_ACTIVE:
	case ACCOUNT_CANCEL_PENDING:
		break;
	default:
		return err_internal(e, "account in an unknown state");
	}
	if (!plan_allows(a, f))
		return err_set(e, 403, "plan_required", NULL,
			       f == FEAT_SMS && a->state == ACCOUNT_TRIAL
				       ? "SMS are not sent during the trial"
				       : "the account's plan does not include this");
	return 0;
}
