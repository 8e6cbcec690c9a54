/* export_ics — appointments as one iCalendar stream: the VCALENDAR header, then one VEVENT per
 * appointment serialised by libical as it is read (folding and escaping are libical's), then
 * the end. The UID is the invitation e-mails' one (ics_uid), the SEQUENCE the appointment's
 * version, so a calendar that already holds the invitation updates the same event. Times in
 * UTC, as in notify/ics.c. */
#include <libical/ical.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/tz.h"
#include "data/export_int.h"
#include "notify/ics.h"
#include "base/banned.h"

static icaltimezone *utc;
static pthread_once_t utc_once = PTHREAD_ONCE_INIT;

/* As notify/ics.c: libical's built-in zones are initialised under base/tz's lock first. */
static void take_utc(void)
{
	const struct tz *z = tz_get("UTC", NULL);
	(void)z;
	utc = icaltimezone_get_utc_timezone();
}

static struct icaltimetype utc_time(int64_t t)
{
	struct civil cv;
	tz_utc_to_civil(t, &cv);
	struct icaltimetype tt = icaltime_null_time();
	tt.year = cv.year;
	tt.month = cv.month;
	tt.day = cv.day;
	tt.hour = cv.hour;
	tt.minute = cv.minute;
	tt.second = cv.second;
	tt.is_date = 0;
	tt.zone = utc;
	return tt;
}

static int put(FILE *f, char *text)
{
	if (!text)
		return -1;
	int rc = fputs(text, f) < 0 ? -1 : 0;
	free(text);
	return rc;
}

int ics_stream_begin(FILE *f, const char *calendar_name)
{
	pthread_once(&utc_once, take_utc);
	icalcomponent *cal = icalcomponent_new(ICAL_VCALENDAR_COMPONENT);
	icalcomponent_add_property(cal, icalproperty_new_prodid("-//Creneau//Creneau//FR"));
	icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
	icalcomponent_add_property(cal, icalproperty_new_calscale("GREGORIAN"));
	icalcomponent_add_property(cal, icalproperty_new_method(ICAL_METHOD_PUBLISH));
	if (calendar_name && *calendar_name) {
		icalproperty *p = icalproperty_new_x(calendar_name);
		icalproperty_set_x_name(p, "X-WR-CALNAME");
		icalcomponent_add_property(cal, p);
	}
	char *text = icalcomponent_as_ical_string_r(cal);
	icalcomponent_free(cal);
	if (!text)
		return -1;
	/* everything but the closing line, which ics_stream_end writes */
	char *end = strstr(text, "END:VCALENDAR");
	if (end)
		*end = '\0';
	return put(f, text);
}

int ics_stream_event(FILE *f, const struct export_appt *ap, int64_t stamp, struct err *e)
{
	char uid[300], summary[ICS_TEXT_MAX], description[ICS_TEXT_MAX];
	ics_uid(ap->id, uid, sizeof(uid));
	const char *who = *ap->first_name || *ap->last_name ? "" : NULL;
	if (who)
		snprintf(summary, sizeof(summary), "%s — %s%s%s", ap->service, ap->first_name,
			 *ap->first_name && *ap->last_name ? " " : "", ap->last_name);
	else
		snprintf(summary, sizeof(summary), "%s", ap->service);
	snprintf(description, sizeof(description), "%s%s%s%s%s%s%s", ap->staff, *ap->phone ? "\n" : "",
		 ap->phone, *ap->email ? "\n" : "", ap->email, *ap->notes ? "\n\n" : "", ap->notes);
	if (ap->end <= ap->start)
		return err_internal(e, "appointment %s ends before it starts", ap->id);
	icalcomponent *vev = icalcomponent_new(ICAL_VEVENT_COMPONENT);
	icalcomponent_add_property(vev, icalproperty_new_uid(uid));
	icalcomponent_add_property(vev, icalproperty_new_dtstamp(utc_time(stamp)));
	icalcomponent_add_property(vev, icalproperty_new_dtstart(utc_time(ap->start)));
	icalcomponent_add_property(vev, icalproperty_new_dtend(utc_time(ap->end)));
	icalcomponent_add_property(vev, icalproperty_new_lastmodified(utc_time(ap->updated)));
	icalcomponent_add_property(
		vev, icalproperty_new_sequence(ap->version > 0x7fffffff ? 0x7fffffff : (int)ap->version));
	icalcomponent_add_property(vev, icalproperty_new_status(!strcmp(ap->status, "cancelled")
									? ICAL_STATUS_CANCELLED
									: ICAL_STATUS_CONFIRMED));
	icalcomponent_add_property(vev, icalproperty_new_summary(summary));
	if (*description)
		icalcomponent_add_property(vev, icalproperty_new_description(description));
	int rc = put(f, icalcomponent_as_ical_string_r(vev));
	icalcomponent_free(vev);
	return rc ? err_internal(e, "cannot write the calendar") : 0;
}

int ics_stream_end(FILE *f)
{
	return fputs("END:VCALENDAR\r\n", f) < 0 ? -1 : 0;
}
