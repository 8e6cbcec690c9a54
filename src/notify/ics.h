/* ics — one appointment as an RFC 5545 calendar (VCALENDAR with one VEVENT), written by
 * libical so folding and escaping are right. Times are written in UTC ("Z", no VTIMEZONE):
 * libical's zones are not thread-safe, and every calendar reader shows UTC in its own zone.
 * METHOD:REQUEST announces or updates the event (same UID, higher SEQUENCE); METHOD:CANCEL
 * withdraws it. Pure: no store, no clock. */
#ifndef CRENEAU_NOTIFY_ICS_H
#define CRENEAU_NOTIFY_ICS_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define ICS_TEXT_MAX 4000 /* bytes of one text field (summary, location, description) */

enum ics_method { ICS_REQUEST, ICS_CANCEL };

/* One event. Strings are borrowed (UTF-8); NULL or "" leaves the property out. */
struct ics_event {
	const char *uid;    /* stable per appointment: "<appointment public id>@creneau" */
	int64_t sequence;   /* the appointment's version: grows with every change */
	int64_t start, end; /* UTC seconds */
	int64_t stamp;	    /* DTSTAMP: when the calendar was made (UTC seconds) */
	const char *summary, *location, *description;
	const char *organizer_name, *organizer_email; /* ORGANIZER;CN=name:mailto:email when email set */
	const char *attendee_name, *attendee_email;   /* ATTENDEE;CN=name;ROLE=REQ-PARTICIPANT:mailto:
						       * email when email set */
};

/* Writes the calendar of ev for method m into *out (malloc'd, NUL-terminated, CRLF lines;
 * the caller frees it) and its length into *len. 400 `invalid_field` when a field is missing
 * or too long, or end <= start. */
int ics_render(const struct ics_event *ev, enum ics_method m, char **out, size_t *len, struct err *e) WUR;

/* Reads an event and its method from the JSON object the appointment messages keep in their
 * outbox variables ("ics": {method, uid, sequence, start, end, stamp, summary, location,
 * description, organizer_name, organizer_email, attendee_name, attendee_email}) and renders
 * it as ics_render does. The strings of o must outlive the call only. */
int ics_render_json(const json_t *o, enum ics_method *m, char **out, size_t *len, struct err *e) WUR;

/* The UID of an appointment's event: "<public id>@creneau" into out (cap bytes). */
void ics_uid(const char *appointment_public_id, char *out, size_t cap);

#endif
