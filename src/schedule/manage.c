/* manage — see manage.h and docs/internals/manage.md. */
#include "schedule/manage.h"

#include <stdio.h>
#include <string.h>

#include "base/tz.h"
#include "schedule/appointments.h"
#include "base/banned.h"

static const char *const purposes[] = {"booking", "confirmation", "reminder", "change", "cancellation", NULL};

int manage_token_issue(db_conn *c, int64_t account_id, int64_t appointment_id, const char *purpose,
		       int64_t now, char token_out[TOKEN_LEN + 1], struct err *e)
{
	int known = 0;
	for (int i = 0; purposes[i] && !known; i++)
		known = purpose && !strcmp(purpose, purposes[i]);
	token_out[0] = '\0';
	if (!known)
		return err_internal(e, "manage token for an unknown purpose");
	char token[TOKEN_LEN + 1], hash[TOKEN_HASH_LEN + 1];
	token_new(token);
	token_hash(token, hash);
	if (db_exec(c,
		    "INSERT INTO manage_tokens (account_id, appointment_id, token_hash, purpose, created_at)"
		    " VALUES ($1, $2, $3, $4, $5)",
		    DB_ARGS(DB_INT(account_id), DB_INT(appointment_id), DB_TEXT(hash), DB_TEXT(purpose),
			    DB_INT(now)),
		    e) < 0)
		return -1;
	memcpy(token_out, token, sizeof(token));
	return 0;
}

enum {
	M_ID,
	M_PID,
	M_STATUS,
	M_START,
	M_END,
	M_VERSION,
	M_CUTOFF,
	M_SVC_PID,
	M_SVC_NAME,
	M_STAFF_PID,
	M_STAFF_NAME,
	M_ACC_ID,
	M_ACC_PID,
	M_ACC_NAME,
	M_SLUG,
	M_PLAN,
	M_STATE,
	M_TRIAL,
	M_TZ,
	M_PHONE,
	M_ADDRESS,
	M_LOCALE
};

static void copy(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

static void read_view(db_rows *r, struct manage_view *v)
{
	memset(v, 0, sizeof(*v));
	v->appt_id = db_rows_int(r, M_ID);
	copy(v->appt_pid, sizeof(v->appt_pid), db_rows_text(r, M_PID));
	copy(v->status, sizeof(v->status), db_rows_text(r, M_STATUS));
	v->start = db_rows_int(r, M_START);
	v->end = db_rows_int(r, M_END);
	v->version = db_rows_int(r, M_VERSION);
	v->cutoff_s = db_rows_int(r, M_CUTOFF);
	copy(v->service_pid, sizeof(v->service_pid), db_rows_text(r, M_SVC_PID));
	copy(v->service_name, sizeof(v->service_name), db_rows_text(r, M_SVC_NAME));
	copy(v->staff_pid, sizeof(v->staff_pid), db_rows_text(r, M_STAFF_PID));
	copy(v->staff_name, sizeof(v->staff_name), db_rows_text(r, M_STAFF_NAME));
	struct account *a = &v->account;
	a->id = db_rows_int(r, M_ACC_ID);
	copy(a->public_id, sizeof(a->public_id), db_rows_text(r, M_ACC_PID));
	copy(a->name, sizeof(a->name), db_rows_text(r, M_ACC_NAME));
	copy(a->slug, sizeof(a->slug), db_rows_text(r, M_SLUG));
	const struct plan *pl = plan_by_code(db_rows_text(r, M_PLAN));
	a->plan = pl ? pl->id : PLAN_ESSENTIEL;
	int st = account_state_parse(db_rows_text(r, M_STATE));
	a->state = st < 0 ? ACCOUNT_DELETED : (enum account_state)st;
	a->trial_ends_at = db_rows_int(r, M_TRIAL);
	copy(a->time_zone, sizeof(a->time_zone), db_rows_text(r, M_TZ));
	copy(v->phone, sizeof(v->phone), db_rows_text(r, M_PHONE));
	copy(v->address, sizeof(v->address), db_rows_text(r, M_ADDRESS));
	copy(a->locale, sizeof(a->locale), db_rows_text(r, M_LOCALE));
}

int manage_find(db *d, const char *token, int64_t now, struct manage_view *v, struct err *e)
{
	if (!token || !token_well_formed(token))
		return err_set(e, 404, "not_found", NULL, "this link is not valid");
	char hash[TOKEN_HASH_LEN + 1];
	token_hash(token, hash);
	db_conn *c;
	db_rows *r;
	if (db_acquire(d, &c, e))
		return -1;
	if (db_query(c,
		     "SELECT a.id, a.public_id, a.status, a.starts_at, a.ends_at, a.version,"
		     " COALESCE(sv.cancel_cutoff_s, ac.cancel_cutoff_s), sv.public_id, sv.name, "
		     "st.public_id, st.name,"
		     " ac.id, ac.public_id, ac.name, ac.slug, ac.plan, ac.state, COALESCE(ac.trial_ends_at, "
		     "0),"
		     " ac.time_zone, ac.phone, ac.address, ac.locale"
		     " FROM manage_tokens t"
		     " JOIN appointments a ON a.account_id = t.account_id AND a.id = t.appointment_id"
		     " JOIN accounts ac ON ac.id = a.account_id"
		     " JOIN services sv ON sv.account_id = a.account_id AND sv.id = a.service_id"
		     " JOIN staff st ON st.account_id = a.account_id AND st.id = a.staff_id"
		     " WHERE t.token_hash = $1",
		     DB_ARGS(DB_TEXT(hash)), &r, e)) {
		db_release(c);
		return -1;
	}
	int found = db_rows_next(r, e);
	if (found == 1)
		read_view(r, v);
	db_rows_free(r);
	db_release(c);
	if (found < 0)
		return -1;
	if (!found)
		return err_set(e, 404, "not_found", NULL, "this link is not valid");
	if (v->account.state == ACCOUNT_DELETED || v->account.state == ACCOUNT_DELETING)
		return err_set(e, 410, "account_deleted", NULL, "this business has closed its account");
	if (now > v->end + MANAGE_LINK_TTL_S)
		return err_set(e, 410, "link_expired", NULL, "this link has expired");
	return 0;
}

int manage_can_change(const struct manage_view *v, int64_t now, const char **reason)
{
	struct err why = {0};
	if (!strcmp(v->status, "cancelled"))
		*reason = "cancelled";
	else if (strcmp(v->status, "booked") || now >= v->start)
		*reason = "past";
	else if (may(&v->account, FEAT_PUBLIC_BOOKING, &why))
		*reason = "bookings_closed";
	else if (now > v->start - v->cutoff_s)
		*reason = "past_cutoff";
	else
		*reason = NULL;
	return *reason == NULL;
}

json_t *manage_json(const struct manage_view *v, int64_t now)
{
	const struct tz *z = tz_get(v->account.time_zone, NULL);
	char s[TZ_RFC3339_SIZE], en[TZ_RFC3339_SIZE], until[TZ_RFC3339_SIZE];
	const char *reason;
	int can = manage_can_change(v, now, &reason);
	tz_format_rfc3339(z, v->start, s);
	tz_format_rfc3339(z, v->end, en);
	tz_format_rfc3339(z, v->start - v->cutoff_s, until);
	return json_pack("{s:{s:s, s:{s:s, s:s, s:I}, s:{s:s, s:s}, s:s, s:s, s:s, s:I},"
			 " s:{s:s, s:s, s:s, s:s, s:s}, s:b, s:s, s:s?}",
			 "appointment", "id", v->appt_pid, "service", "id", v->service_pid, "name",
			 v->service_name, "duration_min", (json_int_t)((v->end - v->start) / 60), "staff",
			 "id", v->staff_pid, "name", v->staff_name, "start", s, "end", en, "status",
			 v->status, "version", (json_int_t)v->version, "business", "name", v->account.name,
			 "slug", v->account.slug, "phone", v->phone, "address", v->address, "time_zone",
			 v->account.time_zone, "can_change", can, "change_until", until, "reason", reason);
}

/* The refusal of a change, or 0 when the client may change the appointment now. */
static int refuse_change(const struct manage_view *v, int64_t now, struct err *e)
{
	const char *reason;
	if (manage_can_change(v, now, &reason))
		return 0;
	if (!strcmp(reason, "cancelled"))
		return err_set(e, 409, "appointment_cancelled", NULL, "this appointment is cancelled");
	if (!strcmp(reason, "bookings_closed"))
		return err_set(e, 403, "bookings_closed", NULL,
			       "this business takes no changes online now%s%s",
			       v->phone[0] ? "; call it at " : "", v->phone);
	if (v->phone[0])
		return err_set(e, 403, "past_cutoff", NULL,
			       "it is too late to change this appointment online; call the business at %s",
			       v->phone);
	return err_set(e, 403, "past_cutoff", NULL,
		       "it is too late to change this appointment online; please contact the business");
}

static int apply(db *d, struct appt_change *ch, const struct manage_view *v, int64_t now, struct err *e)
{
	ch->account_id = v->account.id;
	snprintf(ch->id, sizeof(ch->id), "%s", v->appt_pid);
	ch->version = v->version; /* a change made meanwhile answers 409 stale_version */
	ch->now = now;
	json_t *out = NULL;
	int rc = appt_update(d, ch, &out, e);
	json_decref(out);
	if (rc && e && !strcmp(e->code, "appointment_cancelled"))
		e->status = 409;
	return rc;
}

int manage_reschedule(db *d, const struct manage_view *v, int64_t start, const char *staff, int64_t now,
		      struct err *e)
{
	if (refuse_change(v, now, e))
		return -1;
	if (strlen(staff) >= LOADER_PID_MAX)
		return err_set(e, 404, "not_found", "staff", "no such staff member");
	if (start == v->start && (!*staff || !strcmp(staff, v->staff_pid)))
		return 0; /* already there */
	struct appt_change ch;
	memset(&ch, 0, sizeof(ch));
	ch.has_start = 1;
	ch.start = start;
	snprintf(ch.staff, sizeof(ch.staff), "%s", staff);
	return apply(d, &ch, v, now, e);
}

int manage_cancel(db *d, const struct manage_view *v, int64_t now, struct err *e)
{
	if (refuse_change(v, now, e))
		return -1;
	struct appt_change ch;
	memset(&ch, 0, sizeof(ch));
	snprintf(ch.status, sizeof(ch.status), "cancelled");
	return apply(d, &ch, v, now, e);
}
