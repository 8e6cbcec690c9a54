/* appt_messages — see appt_messages.h and docs/internals/notify.md ("Appointment messages"). */
#include "notify/appt_messages.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account/account.h"
#include "base/i18n.h"
#include "base/tz.h"
#include "notify/ics.h"
#include "notify/notify.h"
#include "notify/notify_int.h"
#include "notify/nsettings.h"
#include "notify/reminders.h"
#include "schedule/manage.h"
#include "base/banned.h"

#define NOTICE_RECIPIENTS_MAX 10 /* owners of one account told of a change */

/* The appointment as the messages tell it. */
struct appt_info {
	int64_t id, version, start, end, client_id, staff_user, price_cents;
	int demo, client_gone;
	char pid[32], status[16], currency[8];
	char service[256], staff[256];
	char first[128], last[128], client_email[320], client_phone[64];
	char contact_email[320], phone[64], address[512];
	struct account acc;
};

static void copy(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

static int load_info(db_conn *c, int64_t account_id, int64_t appointment_id, struct appt_info *a,
		     struct err *e)
{
	db_rows *r = NULL;
	memset(a, 0, sizeof(*a));
	int rc = db_query(
		c,
		"SELECT a.public_id, a.version, a.starts_at, a.ends_at, a.status, a.is_demo,"
		" COALESCE(a.client_id, 0), sv.name, sv.price_cents, sv.currency, st.name,"
		" COALESCE(st.user_id, 0), COALESCE(cl.first_name, ''), COALESCE(cl.last_name, ''),"
		" COALESCE(cl.email, ''), COALESCE(cl.phone, ''),"
		" CASE WHEN cl.anonymised_at IS NOT NULL OR cl.is_demo = 1 THEN 1 ELSE 0 END,"
		" ac.name, ac.plan, ac.state, COALESCE(ac.trial_ends_at, 0), ac.time_zone, ac.locale,"
		" ac.contact_email, ac.phone, ac.address, ac.public_id, ac.slug"
		" FROM appointments a"
		" JOIN accounts ac ON ac.id = a.account_id"
		" JOIN services sv ON sv.account_id = a.account_id AND sv.id = a.service_id"
		" JOIN staff st ON st.account_id = a.account_id AND st.id = a.staff_id"
		" LEFT JOIN clients cl ON cl.account_id = a.account_id AND cl.id = a.client_id"
		" WHERE a.account_id = $1 AND a.id = $2",
		DB_ARGS(DB_INT(account_id), DB_INT(appointment_id)), &r, e);
	if (rc < 0)
		return rc;
	rc = db_rows_next(r, e);
	if (rc > 0) {
		int i = 0;
		a->id = appointment_id;
		copy(a->pid, sizeof(a->pid), db_rows_text(r, i++));
		a->version = db_rows_int(r, i++);
		a->start = db_rows_int(r, i++);
		a->end = db_rows_int(r, i++);
		copy(a->status, sizeof(a->status), db_rows_text(r, i++));
		a->demo = (int)db_rows_int(r, i++);
		a->client_id = db_rows_int(r, i++);
		copy(a->service, sizeof(a->service), db_rows_text(r, i++));
		a->price_cents = db_rows_int(r, i++);
		copy(a->currency, sizeof(a->currency), db_rows_text(r, i++));
		copy(a->staff, sizeof(a->staff), db_rows_text(r, i++));
		a->staff_user = db_rows_int(r, i++);
		copy(a->first, sizeof(a->first), db_rows_text(r, i++));
		copy(a->last, sizeof(a->last), db_rows_text(r, i++));
		copy(a->client_email, sizeof(a->client_email), db_rows_text(r, i++));
		copy(a->client_phone, sizeof(a->client_phone), db_rows_text(r, i++));
		a->client_gone = (int)db_rows_int(r, i++);
		struct account *acc = &a->acc;
		acc->id = account_id;
		copy(acc->name, sizeof(acc->name), db_rows_text(r, i++));
		const struct plan *pl = plan_by_code(db_rows_text(r, i++));
		acc->plan = pl ? pl->id : PLAN_ESSENTIEL;
		int st = account_state_parse(db_rows_text(r, i++));
		acc->state = st < 0 ? ACCOUNT_DELETED : (enum account_state)st;
		acc->trial_ends_at = db_rows_int(r, i++);
		copy(acc->time_zone, sizeof(acc->time_zone), db_rows_text(r, i++));
		copy(acc->locale, sizeof(acc->locale), db_rows_text(r, i++));
		copy(a->contact_email, sizeof(a->contact_email), db_rows_text(r, i++));
		copy(a->phone, sizeof(a->phone), db_rows_text(r, i++));
		copy(a->address, sizeof(a->address), db_rows_text(r, i++));
		copy(acc->public_id, sizeof(acc->public_id), db_rows_text(r, i++));
		copy(acc->slug, sizeof(acc->slug), db_rows_text(r, i++));
	}
	db_rows_free(r);
	if (rc < 0)
		return rc;
	return rc ? 0 : err_internal(e, "appointment %" PRId64 " to notify not found", appointment_id);
}

/* 1 when the outbox already holds this key (a repeated event), 0 when not. */
static int already_written(db_conn *c, int64_t account_id, const char *ref, const char *to, const char *kind,
			   int64_t version, struct err *e)
{
	int64_t n = 0;
	int rc = db_query_int(
		c,
		/* spelled like the unique index outbox_unique_key, so it is one index probe */
		"SELECT count(*) FROM outbox WHERE COALESCE(account_id, 0) = $1 AND subject_ref = $2"
		" AND recipient = $3 AND kind = $4 AND version = $5 AND channel = 'email'",
		DB_ARGS(DB_INT(account_id), DB_TEXT(ref), DB_TEXT(to), DB_TEXT(kind), DB_INT(version)), &n,
		e);
	return rc < 0 ? rc : n > 0;
}

/* The texts both kinds of message share, in one locale. */
static void common_vars(json_t *v, const struct appt_info *a, int locale, int64_t prev_start)
{
	const struct tz *z = tz_get(a->acc.time_zone, NULL);
	if (!z)
		z = tz_get("UTC", NULL);
	char *when = i18n_format_datetime(locale, z, a->start, I18N_DATETIME);
	char *old = prev_start ? i18n_format_datetime(locale, z, prev_start, I18N_DATETIME) : NULL;
	char *price = a->price_cents > 0 ? i18n_format_money(locale, a->price_cents, a->currency) : NULL;
	char name[260];
	snprintf(name, sizeof(name), "%s%s%s", a->first, a->first[0] && a->last[0] ? " " : "", a->last);
	json_object_set_new(v, "business", json_string(a->acc.name));
	json_object_set_new(v, "business_phone", json_string(a->phone[0] ? a->phone : "—"));
	json_object_set_new(v, "business_address", json_string(a->address[0] ? a->address : "—"));
	json_object_set_new(v, "service", json_string(a->service));
	json_object_set_new(v, "staff", json_string(a->staff));
	json_object_set_new(v, "when", json_string(when));
	json_object_set_new(v, "old_when", json_string(old ? old : when));
	json_object_set_new(v, "duration_min", json_integer((a->end - a->start) / 60));
	/* what a change did, said after the appointment's subject: moved, or (same start, a
	 * resizable service) only its length changed */
	char change[400];
	int fr = locale == I18N_FR, minutes = (int)((a->end - a->start) / 60);
	if (prev_start && prev_start == a->start)
		snprintf(change, sizeof(change),
			 fr ? "du %s dure désormais %d min" : "on %s now lasts %d min", when, minutes);
	else
		snprintf(change, sizeof(change),
			 fr ? "prévu le %s a été déplacé au %s" : "planned for %s has been moved to %s",
			 old ? old : when, when);
	json_object_set_new(v, "change", json_string(change));
	json_object_set_new(v, "price", json_string(price ? price : "—"));
	json_object_set_new(v, "client_name", json_string(name[0] ? name : "—"));
	json_object_set_new(v, "first_name", json_string(a->first[0] ? a->first : name));
	json_object_set_new(v, "appointment_id", json_string(a->pid));
	json_object_set_new(v, "version", json_integer(a->version));
	free(when);
	free(old);
	free(price);
}

static const char *client_kind(enum appt_event ev, const char **purpose)
{
	switch (ev) {
	case APPT_EV_BOOKED:
		*purpose = "confirmation";
		return "booking_confirmed";
	case APPT_EV_MOVED:
		*purpose = "change";
		return "booking_moved";
	case APPT_EV_CANCELLED:
		*purpose = "cancellation";
		return "booking_cancelled";
	default:
		return NULL;
	}
}

static int client_message(db_conn *c, const struct appt_info *a, enum appt_event ev, int64_t prev_start,
			  const char *public_url, int64_t now, struct err *e)
{
	const char *purpose = NULL, *kind = client_kind(ev, &purpose);
	char ref[64];
	snprintf(ref, sizeof(ref), "appointment:%s", a->pid);
	/* a new appointment's public id is new: nothing can hold its key yet */
	int rc = ev == APPT_EV_BOOKED
			 ? 0
			 : already_written(c, a->acc.id, ref, a->client_email, kind, a->version, e);
	if (rc)
		return rc < 0 ? rc : 0;
	char token[TOKEN_LEN + 1], link[600], uid[300], summary[600], description[600];
	if (manage_token_issue(c, a->acc.id, a->id, purpose, now, token, e))
		return -1;
	snprintf(link, sizeof(link), "%s/m/%s", public_url, token);
	int locale = i18n_locale_parse(a->acc.locale);
	if (locale < 0)
		locale = I18N_DEFAULT;
	json_t *v = json_object();
	common_vars(v, a, locale, prev_start);
	json_object_set_new(v, "manage_link", json_string(link));
	ics_uid(a->pid, uid, sizeof(uid));
	snprintf(summary, sizeof(summary), "%s — %s", a->service, a->acc.name);
	snprintf(description, sizeof(description), "%s%s%s", a->staff, a->phone[0] ? " — " : "", a->phone);
	const char *name = json_string_value(json_object_get(v, "client_name"));
	json_t *ics =
		json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "method",
			  ev == APPT_EV_CANCELLED ? "CANCEL" : "REQUEST", "uid", uid, "sequence",
			  (json_int_t)a->version, "start", (json_int_t)a->start, "end", (json_int_t)a->end,
			  "stamp", (json_int_t)now, "summary", summary, "location", a->address, "description",
			  description, "organizer_name", a->acc.name, "organizer_email",
			  notify_address_ok(a->contact_email) ? a->contact_email : "", "attendee_name",
			  strcmp(name, "—") ? name : "", "attendee_email", a->client_email);
	json_object_set_new(v, "ics", ics);
	struct outbox_email m = {
		.account_id = a->acc.id,
		.kind = kind,
		.subject_ref = ref,
		.version = a->version,
		.to = a->client_email,
		.locale = i18n_locale_code(locale),
		.vars = v,
		.reply_to = notify_address_ok(a->contact_email) ? a->contact_email : NULL,
		.client_id = a->client_id,
		.appointment_id = a->id,
		.expires_at = a->start, /* pointless once the appointment has begun */
	};
	rc = outbox_email(c, &m, e);
	json_decref(v);
	return rc < 0 ? rc : 0;
}

static const char *notice_kind(enum appt_event ev)
{
	return ev == APPT_EV_BOOKED  ? "owner_new_booking"
	       : ev == APPT_EV_MOVED ? "owner_booking_moved"
				     : "owner_booking_cancelled";
}

/* One notice to a user of the business (owner or staff member) in their own language. */
static int notice(db_conn *c, const struct appt_info *a, enum appt_event ev, int64_t prev_start,
		  const char *public_url, const char *to, const char *user_locale, struct err *e)
{
	const char *kind = notice_kind(ev);
	char ref[64], office[600];
	snprintf(ref, sizeof(ref), "appointment:%s", a->pid);
	snprintf(office, sizeof(office), "%s/office/", public_url);
	int locale = i18n_locale_parse(user_locale);
	if (locale < 0)
		locale = I18N_DEFAULT;
	json_t *v = json_object();
	common_vars(v, a, locale, prev_start);
	json_object_set_new(v, "client_email", json_string(a->client_email[0] ? a->client_email : "—"));
	json_object_set_new(v, "client_phone", json_string(a->client_phone[0] ? a->client_phone : "—"));
	json_object_set_new(v, "office_link", json_string(office));
	struct outbox_email m = {
		.account_id = a->acc.id,
		.kind = kind,
		.subject_ref = ref,
		.version = a->version,
		.to = to,
		.locale = i18n_locale_code(locale),
		.vars = v,
		.reply_to = notify_address_ok(a->client_email) ? a->client_email : NULL,
		.appointment_id = a->id,
		.expires_at = a->end,
	};
	int rc = outbox_email(c, &m, e);
	json_decref(v);
	return rc < 0 ? rc : 0;
}

/* The owners (and the staff member's user when staff_notices) told of the event. */
static int notices(db_conn *c, const struct appt_info *a, enum appt_event ev, int64_t prev_start,
		   const struct nsettings *s, const char *public_url, struct err *e)
{
	int wanted = ev == APPT_EV_BOOKED ? s->owner_new_booking : s->owner_changes;
	int staff = s->staff_notices && a->staff_user;
	if (!wanted && !staff)
		return 0;
	db_rows *r = NULL;
	int rc = db_query(c,
			  "SELECT email, locale FROM users WHERE account_id = $1 AND status = 'active'"
			  " AND ((role = 'owner' AND $2 = 1) OR (id = $3 AND $4 = 1)) ORDER BY id LIMIT $5",
			  DB_ARGS(DB_INT(a->acc.id), DB_INT(wanted), DB_INT(a->staff_user), DB_INT(staff),
				  DB_INT(NOTICE_RECIPIENTS_MAX)),
			  &r, e);
	if (rc < 0)
		return rc;
	char to[NOTICE_RECIPIENTS_MAX][NOTIFY_ADDR_MAX + 1], loc[NOTICE_RECIPIENTS_MAX][8];
	int n = 0;
	while (n < NOTICE_RECIPIENTS_MAX && (rc = db_rows_next(r, e)) > 0) {
		const char *addr = db_rows_text(r, 0);
		if (!addr || !notify_address_ok(addr))
			continue;
		copy(to[n], sizeof(to[n]), addr);
		copy(loc[n], sizeof(loc[n]), db_rows_text(r, 1));
		n++;
	}
	db_rows_free(r);
	if (rc < 0)
		return rc;
	for (int i = 0; i < n; i++)
		if (notice(c, a, ev, prev_start, public_url, to[i], loc[i], e))
			return -1;
	return 0;
}

int appt_messages_event(db_conn *c, int64_t account_id, int64_t appointment_id, enum appt_event ev,
			int64_t prev_start, int64_t now, struct err *e)
{
	if (ev == APPT_EV_CHANGED)
		return reminders_schedule(c, account_id, appointment_id, now, e);
	struct appt_info a;
	if (load_info(c, account_id, appointment_id, &a, e))
		return -1;
	if (a.demo) /* never notified; a new one has no reminder to drop */
		return ev == APPT_EV_BOOKED ? 0 : reminders_schedule(c, account_id, appointment_id, now, e);
	struct notify_settings *ns = notify_settings_get();
	struct nsettings s;
	struct err why;
	err_clear(&why);
	int rc = 0;
	if (a.client_email[0] && !a.client_gone && notify_address_ok(a.client_email) &&
	    !may(&a.acc, FEAT_EMAIL_REMINDERS, &why))
		rc = client_message(c, &a, ev, prev_start, ns->public_url, now, e);
	if (!rc)
		rc = nsettings_load(c, account_id, &s, e);
	if (!rc)
		rc = notices(c, &a, ev, prev_start, &s, ns->public_url, e);
	notify_settings_free(ns);
	if (rc)
		return -1;
	/* a new appointment: what load_info read is all its reminders need */
	if (ev == APPT_EV_BOOKED)
		return reminders_plan_new(c,
					  &(struct reminders_appt){account_id, appointment_id, a.version,
								   a.start, a.acc.time_zone},
					  &s, now, e);
	return reminders_schedule(c, account_id, appointment_id, now, e);
}
