/* ics — see ics.h. libical builds and serialises the components; this file never touches
 * libical's time zones except the UTC one, taken once (see utc_zone). */
#include "notify/ics.h"

#include <libical/ical.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/tz.h"
#include "base/banned.h"

static icaltimezone *utc;
static pthread_once_t utc_once = PTHREAD_ONCE_INIT;

/* libical initialises its built-in zones lazily on the first call; base/tz makes that call
 * under its own lock while loading a zone, so load one first and only then ask for UTC. */
static void take_utc(void)
{
	const struct tz *z = tz_get("UTC", NULL);
	(void)z;
	utc = icaltimezone_get_utc_timezone();
}

static struct icaltimetype utc_time(int64_t t)
{
	int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
	int64_t secs = t - days * 86400;
	struct icaltimetype tt = icaltime_null_time();
	tz_civil_from_days(days, &tt.year, &tt.month, &tt.day);
	tt.hour = (int)(secs / 3600);
	tt.minute = (int)(secs / 60 % 60);
	tt.second = (int)(secs % 60);
	tt.is_date = 0;
	tt.zone = utc;
	return tt;
}

static int text_ok(const char *s)
{
	return !s || strlen(s) <= ICS_TEXT_MAX;
}

void ics_uid(const char *appointment_public_id, char *out, size_t cap)
{
	snprintf(out, cap, "%s@creneau", appointment_public_id);
}

int ics_render(const struct ics_event *ev, enum ics_method m, char **out, size_t *len, struct err *e)
{
	*out = NULL;
	*len = 0;
	if (!ev->uid || !*ev->uid || strlen(ev->uid) > 255)
		return err_set(e, 400, "invalid_field", "uid", "an event needs a UID of at most 255 bytes");
	if (ev->end <= ev->start)
		return err_set(e, 400, "invalid_field", "end", "an event ends after it starts");
	if (!text_ok(ev->summary) || !text_ok(ev->location) || !text_ok(ev->description) ||
	    !text_ok(ev->organizer_name) || !text_ok(ev->organizer_email) || !text_ok(ev->attendee_name) ||
	    !text_ok(ev->attendee_email))
		return err_set(e, 400, "invalid_field", "summary", "a text of an event has at most %d bytes",
			       ICS_TEXT_MAX);
	pthread_once(&utc_once, take_utc);

	icalcomponent *cal = icalcomponent_new(ICAL_VCALENDAR_COMPONENT);
	icalcomponent_add_property(cal, icalproperty_new_prodid("-//Creneau//Creneau//FR"));
	icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
	icalcomponent_add_property(cal, icalproperty_new_calscale("GREGORIAN"));
	icalcomponent_add_property(
		cal, icalproperty_new_method(m == ICS_CANCEL ? ICAL_METHOD_CANCEL : ICAL_METHOD_REQUEST));
	icalcomponent *vev = icalcomponent_new(ICAL_VEVENT_COMPONENT);
	icalcomponent_add_property(vev, icalproperty_new_uid(ev->uid));
	icalcomponent_add_property(vev, icalproperty_new_dtstamp(utc_time(ev->stamp)));
	icalcomponent_add_property(vev, icalproperty_new_dtstart(utc_time(ev->start)));
	icalcomponent_add_property(vev, icalproperty_new_dtend(utc_time(ev->end)));
	icalcomponent_add_property(
		vev, icalproperty_new_sequence(ev->sequence > 0x7fffffff ? 0x7fffffff : (int)ev->sequence));
	icalcomponent_add_property(vev, icalproperty_new_status(m == ICS_CANCEL ? ICAL_STATUS_CANCELLED
										: ICAL_STATUS_CONFIRMED));
	if (ev->summary && *ev->summary)
		icalcomponent_add_property(vev, icalproperty_new_summary(ev->summary));
	if (ev->location && *ev->location)
		icalcomponent_add_property(vev, icalproperty_new_location(ev->location));
	if (ev->description && *ev->description)
		icalcomponent_add_property(vev, icalproperty_new_description(ev->description));
	if (ev->organizer_email && *ev->organizer_email) {
		char mailto[ICS_TEXT_MAX + 8];
		snprintf(mailto, sizeof(mailto), "mailto:%s", ev->organizer_email);
		icalproperty *org = icalproperty_new_organizer(mailto);
		if (ev->organizer_name && *ev->organizer_name)
			icalproperty_add_parameter(org, icalparameter_new_cn(ev->organizer_name));
		icalcomponent_add_property(vev, org);
	}
	if (ev->attendee_email && *ev->attendee_email) {
		char mailto[ICS_TEXT_MAX + 8];
		snprintf(mailto, sizeof(mailto), "mailto:%s", ev->attendee_email);
		icalproperty *att = icalproperty_new_attendee(mailto);
		if (ev->attendee_name && *ev->attendee_name)
			icalproperty_add_parameter(att, icalparameter_new_cn(ev->attendee_name));
		icalproperty_add_parameter(att, icalparameter_new_role(ICAL_ROLE_REQPARTICIPANT));
		icalcomponent_add_property(vev, att);
	}
	icalcomponent_add_component(cal, vev);
	char *text = icalcomponent_as_ical_string_r(cal);
	icalcomponent_free(cal);
	if (!text)
		return err_internal(e, "libical wrote no calendar");
	*out = text;
	*len = strlen(text);
	return 0;
}

static const char *jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int64_t jint(const json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

int ics_render_json(const json_t *o, enum ics_method *m, char **out, size_t *len, struct err *e)
{
	*out = NULL;
	*len = 0;
	const char *method = jstr(o, "method");
	if (!json_is_object(o) || !method || (strcmp(method, "REQUEST") && strcmp(method, "CANCEL")))
		return err_set(e, 400, "invalid_field", "method",
			       "a calendar needs METHOD REQUEST or CANCEL");
	*m = strcmp(method, "CANCEL") ? ICS_REQUEST : ICS_CANCEL;
	struct ics_event ev = {
		.uid = jstr(o, "uid"),
		.sequence = jint(o, "sequence"),
		.start = jint(o, "start"),
		.end = jint(o, "end"),
		.stamp = jint(o, "stamp"),
		.summary = jstr(o, "summary"),
		.location = jstr(o, "location"),
		.description = jstr(o, "description"),
		.organizer_name = jstr(o, "organizer_name"),
		.organizer_email = jstr(o, "organizer_email"),
		.attendee_name = jstr(o, "attendee_name"),
		.attendee_email = jstr(o, "attendee_email"),
	};
	return ics_render(&ev, *m, out, len, e);
}
