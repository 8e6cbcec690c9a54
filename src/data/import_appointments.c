/* import_appointments — future appointments from a CSV agenda: which field a column holds,
 * dates and times as French agendas write them, each row checked like a booking of the back
 * office, the overlaps found at staging and the publish in the caller's transaction
 * (import_int.h; docs/internals/data.md, "Imports"). */
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account/account.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "data/import.h"
#include "data/import_int.h"
#include "jobs/jobs.h"
#include "notify/reminders.h"
#include "schedule/appointments.h"
#include "schedule/clients.h"
#include "schedule/setup.h"
#include "base/banned.h"

#define BLOCK_MAX_S	 259200 /* the store's longest block (migration 0016): 3 days */
#define APPT_MINUTES_MAX 1440	/* an imported appointment lasts at most a day */

/* ---- which field a column holds ---- */

const char *import_guess_appt_field(const char *column)
{
	static const struct {
		const char *name, *field;
	} exact[] = {
		{"date", "date"},
		{"jour", "date"},
		{"day", "date"},
		{"datedurendezvous", "date"},
		{"daterdv", "date"},
		{"heure", "start_time"},
		{"heurededebut", "start_time"},
		{"debut", "start_time"},
		{"heuredebut", "start_time"},
		{"time", "start_time"},
		{"starttime", "start_time"},
		{"start", "start"},
		{"startdate", "start"},
		{"datetime", "start"},
		{"dateetheure", "start"},
		{"datedebut", "start"},
		{"rendezvous", "start"},
		{"rdv", "start"},
		{"fin", "end_time"},
		{"heuredefin", "end_time"},
		{"heurefin", "end_time"},
		{"end", "end_time"},
		{"endtime", "end_time"},
		{"duree", "duration"},
		{"dureemin", "duration"},
		{"duration", "duration"},
		{"minutes", "duration"},
		{"prestation", "service"},
		{"service", "service"},
		{"soin", "service"},
		{"acte", "service"},
		{"motif", "service"},
		{"type", "service"},
		{"collaborateur", "staff"},
		{"collaboratrice", "staff"},
		{"employe", "staff"},
		{"praticien", "staff"},
		{"praticienne", "staff"},
		{"intervenant", "staff"},
		{"coiffeur", "staff"},
		{"coiffeuse", "staff"},
		{"staff", "staff"},
		{"employee", "staff"},
		{"with", "staff"},
		{"avec", "staff"},
		{"agenda", "staff"},
		{"ressource", "staff"},
		{"resource", "staff"},
		{"remarques", "notes"},
		{"notes", "notes"},
		{"note", "notes"},
		{"commentaire", "notes"},
		{"commentaires", "notes"},
		{"comments", "notes"},
	};
	char f[128];
	import_fold(column, f, sizeof(f));
	for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
		if (!strcmp(f, exact[i].name))
			return exact[i].field;
	/* the client's columns: the names, e-mail and phone of a client import */
	const char *c = import_guess_field(column);
	if (!strcmp(c, "first_name") || !strcmp(c, "last_name") || !strcmp(c, "full_name") ||
	    !strcmp(c, "email") || !strcmp(c, "phone") || !strcmp(c, "notes"))
		return c;
	if (strstr(f, "duree") || strstr(f, "duration"))
		return "duration";
	if (strstr(f, "prestation") || strstr(f, "service"))
		return "service";
	if (!strncmp(f, "heuredefin", 10) || !strncmp(f, "fin", 3) || !strncmp(f, "end", 3))
		return "end_time";
	if (!strncmp(f, "heure", 5) || strstr(f, "time"))
		return "start_time";
	if (!strncmp(f, "date", 4))
		return "date";
	return "";
}

/* ---- dates and times ---- */

/* Reads 1..max digits at *p into *v; the number of digits read. */
static int digits(const char **p, int max, int *v)
{
	int n = 0;
	*v = 0;
	while (n < max && isdigit((unsigned char)**p)) {
		*v = *v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	return n;
}

static const char *skip_spaces(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* Parses a date at *p, leaving *p after it. */
static int date_at(const char **pp, struct civil *out)
{
	const char *p = *pp;
	int a, b, c;
	int na = digits(&p, 4, &a);
	if (na == 0 || !strchr("/-.", *p) || !*p)
		return -1;
	char sep = *p++;
	if (digits(&p, 2, &b) == 0 || *p != sep)
		return -1;
	p++;
	int nc = digits(&p, 4, &c);
	if (nc == 0)
		return -1;
	int y, m, d;
	if (na == 4 && sep == '-') { /* 2027-03-28 */
		y = a, m = b, d = c;
		if (nc > 2)
			return -1;
	} else if (na <= 2 && (nc == 4 || nc == 2)) { /* 28/03/2027, 28/03/27 */
		d = a, m = b, y = nc == 2 ? 2000 + c : c;
	} else {
		return -1;
	}
	if (m < 1 || m > 12 || d < 1 || d > tz_days_in_month(y, m) || y < 1900 || y > 2100)
		return -1;
	out->year = y, out->month = m, out->day = d;
	*pp = p;
	return 0;
}

/* Parses a time at *p ("9:30", "09:30:00", "9h30", "9h"), leaving *p after it. */
static int time_at(const char **pp, struct civil *out)
{
	const char *p = *pp;
	int h, mi = 0, s = 0;
	if (digits(&p, 2, &h) == 0)
		return -1;
	if (*p == 'h' || *p == 'H') {
		p++;
		p = skip_spaces(p);
		if (isdigit((unsigned char)*p) && digits(&p, 2, &mi) != 2)
			return -1;
	} else if (*p == ':') {
		p++;
		if (digits(&p, 2, &mi) != 2)
			return -1;
		if (*p == ':') {
			p++;
			if (digits(&p, 2, &s) != 2)
				return -1;
		}
	} else {
		return -1;
	}
	if (h > 23 || mi > 59 || s > 59)
		return -1;
	out->hour = h, out->minute = mi, out->second = s;
	*pp = p;
	return 0;
}

int import_parse_date(const char *s, struct civil *out)
{
	const char *p = skip_spaces(s);
	if (date_at(&p, out))
		return -1;
	return *skip_spaces(p) ? -1 : 0;
}

int import_parse_time(const char *s, struct civil *out)
{
	const char *p = skip_spaces(s);
	if (time_at(&p, out))
		return -1;
	return *skip_spaces(p) ? -1 : 0;
}

int import_parse_datetime(const char *s, struct civil *out)
{
	const char *p = skip_spaces(s);
	if (date_at(&p, out))
		return -1;
	if (*p != ' ' && *p != 'T')
		return -1;
	p = skip_spaces(p + 1);
	if (!strncmp(p, "à ", 3)) /* « 28/03/2027 à 9h30 » */
		p = skip_spaces(p + 3);
	if (time_at(&p, out))
		return -1;
	return *skip_spaces(p) ? -1 : 0;
}

int import_parse_duration(const char *s)
{
	const char *p = skip_spaces(s);
	int a, b = 0;
	if (digits(&p, 4, &a) == 0)
		return -1;
	int minutes;
	if (*p == 'h' || *p == 'H' || *p == ':') {
		p++;
		p = skip_spaces(p);
		if (isdigit((unsigned char)*p) && digits(&p, 2, &b) != 2)
			return -1;
		if (b > 59)
			return -1;
		minutes = a * 60 + b;
	} else {
		minutes = a;
		p = skip_spaces(p);
		if (!strncmp(p, "minutes", 7))
			p += 7;
		else if (!strncmp(p, "min", 3))
			p += 3;
		else if (*p == 'm')
			p++;
	}
	return *skip_spaces(p) ? -1 : minutes;
}

/* ---- the account's catalogue ---- */

struct cat_service {
	int64_t id;
	char name[128]; /* folded */
	int duration, before, after, capacity;
};
struct cat_staff {
	int64_t id;
	char name[128]; /* folded */
	char display[128];
	struct slots_staff open; /* weekly hours and exceptions (open.exceptions is owned) */
};
struct cat_pair {
	int64_t service_id, staff_id;
};
struct import_catalogue {
	const struct tz *zone;
	char zone_name[TZ_NAME_MAX + 1];
	struct cat_service *services;
	struct cat_staff *staff;
	struct cat_pair *pairs;
	struct slots_date *closed; /* the business's closed days from yesterday on */
	int nservices, nstaff, npairs, nclosed;
};

void import_catalogue_free(struct import_catalogue *cat)
{
	if (!cat)
		return;
	free(cat->services);
	for (int i = 0; i < cat->nstaff; i++)
		free((void *)cat->staff[i].open.exceptions);
	free(cat->staff);
	free(cat->pairs);
	free(cat->closed);
	free(cat);
}

/* Hands each row of *rows (read once the query rc has run) to fn, then frees them; after a
 * failed query (rc < 0) only returns it. */
static int each_row(int rc, db_rows **rows, void (*fn)(struct import_catalogue *, db_rows *),
		    struct import_catalogue *cat, struct err *e)
{
	if (rc)
		return -1;
	db_rows *r = *rows;
	while ((rc = db_rows_next(r, e)) == 1)
		fn(cat, r);
	db_rows_free(r);
	return rc < 0 ? -1 : 0;
}

static void add_service(struct import_catalogue *cat, db_rows *r)
{
	cat->services = xrealloc(cat->services, (size_t)(cat->nservices + 1) * sizeof(*cat->services));
	struct cat_service *s = &cat->services[cat->nservices++];
	s->id = db_rows_int(r, 0);
	import_fold(db_rows_text(r, 1), s->name, sizeof(s->name));
	s->duration = (int)db_rows_int(r, 2);
	s->before = (int)db_rows_int(r, 3);
	s->after = (int)db_rows_int(r, 4);
	s->capacity = (int)db_rows_int(r, 5);
}

static void add_staff(struct import_catalogue *cat, db_rows *r)
{
	cat->staff = xrealloc(cat->staff, (size_t)(cat->nstaff + 1) * sizeof(*cat->staff));
	struct cat_staff *s = &cat->staff[cat->nstaff++];
	memset(s, 0, sizeof(*s));
	s->id = db_rows_int(r, 0);
	import_fold(db_rows_text(r, 1), s->name, sizeof(s->name));
	snprintf(s->display, sizeof(s->display), "%s", db_rows_text(r, 1));
}

static void add_pair(struct import_catalogue *cat, db_rows *r)
{
	cat->pairs = xrealloc(cat->pairs, (size_t)(cat->npairs + 1) * sizeof(*cat->pairs));
	cat->pairs[cat->npairs].service_id = db_rows_int(r, 0);
	cat->pairs[cat->npairs++].staff_id = db_rows_int(r, 1);
}

/* What the catalogue holds besides the zone, one query and one reader each ($1: the account).
 * Demo rows are never matched: an import leaves the demo as it is, and clearing it never meets
 * an imported appointment. */
static const struct {
	const char *sql;
	void (*add)(struct import_catalogue *, db_rows *);
} CATALOGUE_QUERIES[] = {
	{"SELECT id, name, duration_min, buffer_before_min, buffer_after_min, capacity FROM services "
	 "WHERE account_id = $1 AND active = 1 AND is_demo = 0 ORDER BY id",
	 add_service},
	{"SELECT id, name FROM staff WHERE account_id = $1 AND active = 1 AND bookable = 1 AND is_demo = 0 "
	 "ORDER BY id",
	 add_staff},
	{"SELECT service_id, staff_id FROM service_staff WHERE account_id = $1 AND is_demo = 0", add_pair},
};

/* The openings the outside-hours warning checks: each staff member's weekly hours and
 * exceptions, and the closed days, from yesterday's local date on (an appointment before now
 * is refused anyway). */
static int load_openings(db_conn *c, int64_t account_id, struct import_catalogue *cat, struct err *e)
{
	struct civil y;
	tz_to_civil(cat->zone, clock_now() - 86400, &y);
	char from[16];
	snprintf(from, sizeof(from), "%04d-%02d-%02d", y.year, y.month, y.day);
	cat->closed = xcalloc(SLOTS_MAX_CLOSED, sizeof(*cat->closed));
	if ((cat->nclosed = setup_load_closed(c, account_id, from, cat->closed, e)) < 0)
		return -1;
	for (int i = 0; i < cat->nstaff; i++) {
		struct slots_staff *o = &cat->staff[i].open;
		struct slots_exception *x = xcalloc(SLOTS_MAX_EXCEPTIONS, sizeof(*x));
		o->exceptions = x;
		if (setup_load_week(c, account_id, cat->staff[i].id, &o->week, e) ||
		    (o->nexceptions = setup_load_exceptions(c, account_id, cat->staff[i].id, from, x, e)) < 0)
			return -1;
	}
	return 0;
}

int import_catalogue_load(db *d, int64_t account_id, struct import_catalogue **out, struct err *e)
{
	struct import_catalogue *cat = xcalloc(1, sizeof(*cat));
	db_conn *c;
	if (db_acquire(d, &c, e)) {
		free(cat);
		return -1;
	}
	db_rows *r;
	int rc = db_query(c, "SELECT time_zone FROM accounts WHERE id = $1", DB_ARGS(DB_INT(account_id)), &r,
			  e);
	if (rc == 0) {
		int got = db_rows_next(r, e);
		if (got == 1)
			snprintf(cat->zone_name, sizeof(cat->zone_name), "%s", db_rows_text(r, 0));
		db_rows_free(r);
		rc = got == 1 ? 0 : got < 0 ? -1 : err_internal(e, "the account has no row");
	}
	for (size_t q = 0; rc == 0 && q < sizeof(CATALOGUE_QUERIES) / sizeof(CATALOGUE_QUERIES[0]); q++)
		rc = each_row(db_query(c, CATALOGUE_QUERIES[q].sql, DB_ARGS(DB_INT(account_id)), &r, e), &r,
			      CATALOGUE_QUERIES[q].add, cat, e);
	if (rc == 0 && !(cat->zone = tz_get(cat->zone_name, e)))
		rc = -1;
	if (rc == 0)
		rc = load_openings(c, account_id, cat, e);
	db_release(c);
	if (rc) {
		import_catalogue_free(cat);
		return -1;
	}
	*out = cat;
	return 0;
}

static const struct cat_service *find_service(const struct import_catalogue *cat, const char *name)
{
	char f[128];
	import_fold(name, f, sizeof(f));
	for (int i = 0; f[0] && i < cat->nservices; i++)
		if (!strcmp(cat->services[i].name, f))
			return &cat->services[i];
	return NULL;
}

static const struct cat_staff *find_staff(const struct import_catalogue *cat, const char *name)
{
	char f[128];
	import_fold(name, f, sizeof(f));
	for (int i = 0; f[0] && i < cat->nstaff; i++)
		if (!strcmp(cat->staff[i].name, f))
			return &cat->staff[i];
	return NULL;
}

static int provides(const struct import_catalogue *cat, int64_t service_id, int64_t staff_id)
{
	for (int i = 0; i < cat->npairs; i++)
		if (cat->pairs[i].service_id == service_id && cat->pairs[i].staff_id == staff_id)
			return 1;
	return 0;
}

/* ---- one row ---- */

static void issue(json_t *list, const char *field, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void issue(json_t *list, const char *field, const char *code, const char *fmt, ...)
{
	char msg[300];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_array_append_new(list,
			      json_pack("{s:s?, s:s, s:s}", "field", field, "code", code, "message", msg));
}

/* The trimmed cell of the column mapped to `field`, or "" (cut at cap). */
static const char *cell_of(const struct import_record *r, const char *const *mapping, int nmap,
			   const char *field, char *buf, size_t cap)
{
	buf[0] = 0;
	int n = r->ncells < nmap ? r->ncells : nmap;
	if (n > IMPORT_COLS_MAX)
		n = IMPORT_COLS_MAX;
	for (int i = 0; i < n; i++) {
		if (!mapping[i] || strcmp(mapping[i], field))
			continue;
		const char *s = r->cells[i];
		size_t len = r->lens[i];
		while (len && isspace((unsigned char)*s))
			s++, len--;
		while (len && isspace((unsigned char)s[len - 1]))
			len--;
		if (len >= cap)
			len = cap - 1;
		memcpy(buf, s, len);
		buf[len] = 0;
		break;
	}
	return buf;
}

/* Resolves a wall time of the business's zone; a time the clocks skip is an issue. */
static int resolve(const struct import_catalogue *cat, const struct civil *w, const char *field, int64_t *out,
		   json_t *issues, json_t *warnings)
{
	int rc = tz_resolve(cat->zone, w, TZ_EARLIER, out);
	if (rc == TZ_SKIPPED) {
		issue(issues, field, "nonexistent_time",
		      "%02d/%02d/%04d %02d:%02d does not exist in %s (the clocks go forward)", w->day,
		      w->month, w->year, w->hour, w->minute, cat->zone_name);
		return -1;
	}
	if (rc == TZ_REPEATED)
		issue(warnings, field, "repeated_time",
		      "%02d/%02d/%04d %02d:%02d happens twice in %s (the clocks go back): the first one is "
		      "taken",
		      w->day, w->month, w->year, w->hour, w->minute, cat->zone_name);
	if (rc < 0) {
		issue(issues, field, "invalid_datetime", "not a date and time");
		return -1;
	}
	return 0;
}

/* The start of the row into *start, its local wall time into *wall and the field it came
 * from into *field; -1 after an issue. */
static int row_start(const struct import_catalogue *cat, const struct import_record *r,
		     const char *const *mapping, int nmap, int64_t *start, struct civil *wall,
		     const char **field, json_t *issues, json_t *warnings)
{
	char dt[128], date[64], time[64];
	cell_of(r, mapping, nmap, "start", dt, sizeof(dt));
	memset(wall, 0, sizeof(*wall));
	*field = dt[0] ? "start" : "date";
	if (dt[0]) {
		struct err ignored = {0};
		if (strlen(dt) > 10 && strchr(dt, 'T') &&
		    (strchr(dt, 'Z') || strchr(dt + 10, '+') || strchr(dt + 10, '-')) &&
		    tz_parse_rfc3339(dt, start, &ignored, "start") == 0) {
			tz_to_civil(cat->zone, *start, wall);
			return 0;
		}
		if (import_parse_datetime(dt, wall)) {
			issue(issues, "start", "invalid_datetime",
			      "« %.60s » is not a date and time (28/03/2027 09:30)", dt);
			return -1;
		}
		return resolve(cat, wall, "start", start, issues, warnings);
	}
	cell_of(r, mapping, nmap, "date", date, sizeof(date));
	cell_of(r, mapping, nmap, "start_time", time, sizeof(time));
	int bad = 0;
	if (!date[0]) {
		issue(issues, "date", "missing_field", "the date is empty");
		bad = 1;
	} else if (import_parse_date(date, wall)) {
		issue(issues, "date", "invalid_date", "« %.60s » is not a date (28/03/2027)", date);
		bad = 1;
	}
	if (!time[0]) {
		issue(issues, "start_time", "missing_field", "the start time is empty");
		bad = 1;
	} else if (import_parse_time(time, wall)) {
		issue(issues, "start_time", "invalid_time", "« %.60s » is not a time (09:30 or 9h30)", time);
		bad = 1;
	}
	if (bad)
		return -1;
	return resolve(cat, wall, "start_time", start, issues, warnings);
}

/* The end of the row: its end time, else its duration, else the service's. */
static int row_end(const struct import_catalogue *cat, const struct import_record *r,
		   const char *const *mapping, int nmap, const struct cat_service *svc, int64_t start,
		   const struct civil *wall, int64_t *end, json_t *issues, json_t *warnings)
{
	char text[64];
	cell_of(r, mapping, nmap, "end_time", text, sizeof(text));
	if (text[0]) {
		struct civil w = *wall;
		if (import_parse_time(text, &w)) {
			issue(issues, "end_time", "invalid_time", "« %.60s » is not a time (10:30 or 10h30)",
			      text);
			return -1;
		}
		if (resolve(cat, &w, "end_time", end, issues, warnings))
			return -1;
		if (*end <= start) {
			issue(issues, "end_time", "invalid_end", "the end is not after the start");
			return -1;
		}
		return 0;
	}
	cell_of(r, mapping, nmap, "duration", text, sizeof(text));
	int minutes = svc ? svc->duration : 0;
	if (text[0]) {
		minutes = import_parse_duration(text);
		if (minutes <= 0) {
			issue(issues, "duration", "invalid_duration",
			      "« %.60s » is not a duration in minutes (45, 1h30)", text);
			return -1;
		}
	}
	if (minutes <= 0)
		return -1; /* no service: reported already */
	if (minutes > APPT_MINUTES_MAX) {
		issue(issues, "duration", "too_long", "an appointment lasts at most 24 hours");
		return -1;
	}
	*end = start + (int64_t)minutes * 60;
	return 0;
}

/* The staff member of the row: the one named, else the only one of the account, else the
 * only one providing the service. */
static const struct cat_staff *row_staff(const struct import_catalogue *cat, const char *name,
					 const struct cat_service *svc, json_t *issues)
{
	if (name[0]) {
		const struct cat_staff *st = find_staff(cat, name);
		if (!st)
			issue(issues, "staff", "unknown_staff", "no staff member called « %.80s »", name);
		return st;
	}
	if (cat->nstaff == 1)
		return &cat->staff[0];
	const struct cat_staff *only = NULL;
	int n = 0;
	for (int i = 0; svc && i < cat->nstaff; i++)
		if (provides(cat, svc->id, cat->staff[i].id)) {
			only = &cat->staff[i];
			n++;
		}
	if (n == 1)
		return only;
	issue(issues, "staff", "missing_field",
	      cat->nstaff ? "the business has several staff members: say which one"
			  : "the business has no staff member to book");
	return NULL;
}

void import_appt_check(const struct import_catalogue *cat, const struct import_record *r,
		       const char *const *mapping, int nmap, int64_t now, struct import_pending *p)
{
	json_t *issues = json_array(), *warnings = json_array();
	struct import_appt *a = &p->a;
	memset(a, 0, sizeof(*a));
	import_check_client_fields(r, mapping, nmap, &p->v, issues, 0);
	if (strlen(p->v.notes) > APPT_NOTES_MAX)
		issue(issues, "notes", "too_long", "the notes of an appointment hold at most %d bytes",
		      APPT_NOTES_MAX);

	char name[256];
	const struct cat_service *svc = NULL;
	cell_of(r, mapping, nmap, "service", name, sizeof(name));
	if (!name[0]) {
		issue(issues, "service", "missing_field", "the service is empty");
	} else if (!(svc = find_service(cat, name))) {
		issue(issues, "service", "unknown_service", "no service called « %.80s »", name);
	} else if (svc->capacity > 1) {
		issue(issues, "service", "group_service",
		      "« %.80s » is a group session: its attendees are not imported", name);
		svc = NULL;
	}
	cell_of(r, mapping, nmap, "staff", name, sizeof(name));
	const struct cat_staff *st = row_staff(cat, name, svc, issues);
	if (st && svc && !provides(cat, svc->id, st->id))
		issue(issues, "staff", "staff_not_providing", "%.80s does not provide this service",
		      st->display);

	int64_t start = 0, end = 0;
	struct civil wall;
	const char *start_field;
	if (row_start(cat, r, mapping, nmap, &start, &wall, &start_field, issues, warnings) == 0) {
		if (start <= now)
			issue(issues, start_field, "not_future",
			      "%02d/%02d/%04d %02d:%02d is not in the future: only upcoming appointments are "
			      "imported",
			      wall.day, wall.month, wall.year, wall.hour, wall.minute);
		else if (row_end(cat, r, mapping, nmap, svc, start, &wall, &end, issues, warnings) == 0 &&
			 svc && st) {
			a->service_id = svc->id;
			a->staff_id = st->id;
			a->starts_at = start;
			a->ends_at = end;
			a->blocked_from = start - (int64_t)svc->before * 60;
			a->blocked_to = end + (int64_t)svc->after * 60;
			if (!setup_inside_openings(cat->zone, &st->open, cat->closed, cat->nclosed, start,
						   end, start, end))
				issue(warnings, start_field, "outside_hours",
				      "outside %.80s's opening hours (weekly hours, days off, closed days):"
				      " imported all the same",
				      st->display);
		}
	}
	if (json_array_size(issues) == 0 && !a->staff_id)
		issue(issues, "start", "invalid_datetime", "the appointment could not be placed");
	p->status = json_array_size(issues) ? "invalid" : "ok";
	p->issues = json_dumps(issues, JSON_COMPACT);
	a->warnings = json_dumps(warnings, JSON_COMPACT);
	json_decref(issues);
	json_decref(warnings);
	p->search[0] = 0;
	struct err ignored = {0};
	if (clients_search_text(p->v.first_name, p->v.last_name, p->v.email, p->v.phone, p->search,
				sizeof(p->search), &ignored))
		p->search[0] = 0;
}

/* ---- staging: overlaps ---- */

/* The intervals of the file's good rows so far, hashed by (staff member, day of their start):
 * an overlapping interval starts at most BLOCK_MAX_S before, so a lookup reads four days'
 * buckets. Kept in memory rather than queried from import_rows: the staging table has no
 * statistics while it fills, and PostgreSQL then scans it for every row (quadratic). */
struct iv_entry {
	int64_t staff, from, to;
	long row;
	int next; /* index of the next entry of the bucket, -1 at the end */
};

struct import_intervals {
	struct iv_entry *entries;
	int n, cap;
	int *heads; /* nheads buckets, a power of two */
	int nheads;
};

static unsigned bucket(const struct import_intervals *iv, int64_t staff, int64_t day)
{
	uint64_t h = (uint64_t)staff * 0x9E3779B97F4A7C15ULL ^ (uint64_t)day * 0xC2B2AE3D27D4EB4FULL;
	return (unsigned)(h >> 32) & (unsigned)(iv->nheads - 1);
}

static int64_t day_of(int64_t t)
{
	return t >= 0 ? t / 86400 : (t - 86399) / 86400;
}

struct import_intervals *import_intervals_new(void)
{
	struct import_intervals *iv = xcalloc(1, sizeof(*iv));
	iv->nheads = 1024;
	iv->heads = xmalloc((size_t)iv->nheads * sizeof(*iv->heads));
	for (int i = 0; i < iv->nheads; i++)
		iv->heads[i] = -1;
	return iv;
}

void import_intervals_free(struct import_intervals *iv)
{
	if (!iv)
		return;
	free(iv->entries);
	free(iv->heads);
	free(iv);
}

static void rehash(struct import_intervals *iv)
{
	free(iv->heads);
	iv->nheads *= 2;
	iv->heads = xmalloc((size_t)iv->nheads * sizeof(*iv->heads));
	for (int i = 0; i < iv->nheads; i++)
		iv->heads[i] = -1;
	for (int i = 0; i < iv->n; i++) {
		unsigned b = bucket(iv, iv->entries[i].staff, day_of(iv->entries[i].from));
		iv->entries[i].next = iv->heads[b];
		iv->heads[b] = i;
	}
}

void import_intervals_add(struct import_intervals *iv, int64_t staff, int64_t from, int64_t to, long row)
{
	if (iv->n == iv->cap) {
		iv->cap = iv->cap ? 2 * iv->cap : 1024;
		iv->entries = xrealloc(iv->entries, (size_t)iv->cap * sizeof(*iv->entries));
	}
	if (iv->n >= iv->nheads)
		rehash(iv);
	unsigned b = bucket(iv, staff, day_of(from));
	iv->entries[iv->n] = (struct iv_entry){staff, from, to, row, iv->heads[b]};
	iv->heads[b] = iv->n++;
}

long import_intervals_overlap(const struct import_intervals *iv, int64_t staff, int64_t from, int64_t to,
			      long before_row)
{
	long found = 0;
	for (int64_t day = day_of(from - BLOCK_MAX_S); day <= day_of(to - 1); day++)
		for (int i = iv->heads[bucket(iv, staff, day)]; i >= 0; i = iv->entries[i].next) {
			const struct iv_entry *x = &iv->entries[i];
			/* rows from `before_row` on are ignored: a chunk staged again after a retry
			 * never meets itself */
			if (x->staff == staff && x->row < before_row && x->from < to && from < x->to &&
			    (!found || x->row < found))
				found = x->row;
		}
	return found;
}

static void add_issue_text(struct import_pending *p, const char *field, const char *code, const char *msg,
			   long other_row, const char *other_appt)
{
	json_t *list = json_loads(p->issues, 0, NULL);
	if (!list)
		list = json_array();
	json_t *it = json_pack("{s:s, s:s, s:s}", "field", field, "code", code, "message", msg);
	if (other_row)
		json_object_set_new(it, "other_row", json_integer(other_row));
	if (other_appt)
		json_object_set_new(it, "appointment", json_string(other_appt));
	json_array_append_new(list, it);
	free(p->issues);
	p->issues = json_dumps(list, JSON_COMPACT);
	json_decref(list);
	p->status = "invalid";
}

static int overlaps(db_conn *c, int64_t account_id, struct import_intervals *iv, struct import_pending *p,
		    struct err *e)
{
	const struct import_appt *a = &p->a;
	db_rows *r;
	/* the agenda: a live block of the staff member (the same bounded range as the guard) */
	if (db_query(c,
		     "SELECT b.blocked_from, COALESCE((SELECT a.public_id FROM appointments a WHERE "
		     "a.account_id = b.account_id AND a.block_id = b.id ORDER BY a.id LIMIT 1), '') FROM "
		     "blocks b "
		     "WHERE b.account_id = $1 AND b.staff_id = $2 AND b.status <> 'cancelled' AND "
		     "b.blocked_from > $3 - 259200 AND b.blocked_from < $4 AND $3 < b.blocked_to ORDER BY "
		     "b.blocked_from LIMIT 1",
		     DB_ARGS(DB_INT(account_id), DB_INT(a->staff_id), DB_INT(a->blocked_from),
			     DB_INT(a->blocked_to)),
		     &r, e))
		return -1;
	int rc = db_rows_next(r, e);
	if (rc == 1) {
		char msg[200], pid[32];
		snprintf(pid, sizeof(pid), "%s", db_rows_text(r, 1));
		if (pid[0])
			snprintf(msg, sizeof(msg), "overlaps an appointment already in the agenda (%s)", pid);
		else
			snprintf(msg, sizeof(msg), "overlaps a time already taken in the agenda");
		add_issue_text(p, "start", "slot_taken", msg, 0, pid[0] ? pid : NULL);
	}
	db_rows_free(r);
	if (rc < 0)
		return -1;
	if (rc == 1)
		return 0;
	/* an earlier good row of the file for the same staff member */
	long other = import_intervals_overlap(iv, a->staff_id, a->blocked_from, a->blocked_to, p->row_no);
	if (other) {
		char msg[120];
		snprintf(msg, sizeof(msg), "overlaps row %ld of the file (same staff member)", other);
		add_issue_text(p, "start", "conflict_row", msg, other, NULL);
	} else {
		import_intervals_add(iv, a->staff_id, a->blocked_from, a->blocked_to, p->row_no);
	}
	return 0;
}

int import_appt_stage(db_conn *c, int64_t account_id, int64_t import_id, struct import_intervals *iv,
		      struct import_pending *p, int update, struct err *e)
{
	if (!strcmp(p->status, "ok") && overlaps(c, account_id, iv, p, e))
		return -1;
	const struct import_values *v = &p->v;
	const struct import_appt *a = &p->a;
	int rc;
	if (update)
		rc = db_exec(
			c,
			"UPDATE import_rows SET status = $3, issues = $4, first_name = $5, last_name = $6, "
			"email = $7, phone = $8, notes = $9, search_text = $10, service_id = $11, staff_id "
			"= $12, starts_at = $13, ends_at = $14, blocked_from = $15, blocked_to = $16, "
			"warnings = $17, match_public_id = '' WHERE import_id = $1 AND row_no = $2",
			DB_ARGS(DB_INT(import_id), DB_INT(p->row_no), DB_TEXT(p->status), DB_TEXT(p->issues),
				DB_TEXT(v->first_name), DB_TEXT(v->last_name), DB_TEXT(v->email),
				DB_TEXT(v->phone), DB_TEXT(v->notes), DB_TEXT(p->search),
				DB_INT(a->service_id), DB_INT(a->staff_id), DB_INT(a->starts_at),
				DB_INT(a->ends_at), DB_INT(a->blocked_from), DB_INT(a->blocked_to),
				DB_TEXT(a->warnings)),
			e);
	else
		rc = db_exec(
			c,
			"INSERT INTO import_rows (import_id, row_no, cells, status, issues, public_id, "
			"first_name, last_name, email, phone, notes, search_text, service_id, staff_id, "
			"starts_at, ends_at, blocked_from, blocked_to, warnings) VALUES ($1, $2, $3, $4, $5, "
			"$6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)",
			DB_ARGS(DB_INT(import_id), DB_INT(p->row_no), DB_TEXT(p->cells), DB_TEXT(p->status),
				DB_TEXT(p->issues), DB_TEXT(p->public_id), DB_TEXT(v->first_name),
				DB_TEXT(v->last_name), DB_TEXT(v->email), DB_TEXT(v->phone),
				DB_TEXT(v->notes), DB_TEXT(p->search), DB_INT(a->service_id),
				DB_INT(a->staff_id), DB_INT(a->starts_at), DB_INT(a->ends_at),
				DB_INT(a->blocked_from), DB_INT(a->blocked_to), DB_TEXT(a->warnings)),
			e);
	return rc < 0 ? -1 : 0;
}

/* ---- publishing ---- */

struct pub_row {
	long row_no;
	int64_t service_id, staff_id, starts_at, ends_at, blocked_from, blocked_to;
	char first_name[101], last_name[101], email[256], phone[32];
	char *notes;
	int bookable; /* its staff member and service are still active */
};

/* Queues the publish behind bookings of the same agenda: the key of appointments.c's
 * lock_agenda, so PostgreSQL's exclusion check never has two writers of one staff member's
 * agenda deadlocking (a no-op on SQLite, whose writer is alone). */
static int lock_agenda(db_conn *c, int64_t account_id, int64_t staff_id, struct err *e)
{
	uint64_t key = (uint64_t)account_id * 0x9E3779B97F4A7C15ULL ^ (uint64_t)staff_id;
	return db_xact_lock(c, (int64_t)(key >> 1), e);
}

/* Takes the agenda locks of every staff member the import places appointments for, once each
 * and in id order (two publishes never wait on each other crosswise). */
static int lock_agendas(db_conn *c, int64_t account_id, int64_t import_id, struct err *e)
{
	db_rows *r;
	if (db_query(c,
		     "SELECT DISTINCT staff_id FROM import_rows WHERE import_id = $1 AND status = 'ok' ORDER "
		     "BY "
		     "staff_id",
		     DB_ARGS(DB_INT(import_id)), &r, e))
		return -1;
	int64_t *ids = NULL;
	size_t n = 0;
	int rc;
	while ((rc = db_rows_next(r, e)) == 1) {
		ids = xrealloc(ids, (n + 1) * sizeof(*ids));
		ids[n++] = db_rows_int(r, 0);
	}
	db_rows_free(r);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = lock_agenda(c, account_id, ids[i], e);
	free(ids);
	return rc < 0 ? -1 : 0;
}

/* The block of one row, inside a savepoint: a refusal of the store's guard rolls back that
 * statement only (PostgreSQL would otherwise abort the whole transaction). 1 = placed,
 * 0 = the interval is taken. */
static int place_block(db_conn *c, int64_t account_id, const struct pub_row *p, int64_t *block_id,
		       struct err *e)
{
	if (db_exec(c, "SAVEPOINT import_row", NULL, 0, e) < 0)
		return -1;
	int rc = db_query_int(
		c,
		"INSERT INTO blocks (account_id, staff_id, service_id, blocked_from, blocked_to, "
		"status, capacity, seats_taken) VALUES ($1, $2, $3, $4, $5, 'active', 1, 1) "
		"RETURNING id",
		DB_ARGS(DB_INT(account_id), DB_INT(p->staff_id), DB_INT(p->service_id),
			DB_INT(p->blocked_from), DB_INT(p->blocked_to)),
		block_id, e);
	if (rc == DB_CONFLICT && !strcmp(db_conflict_name(c), "blocks_no_overlap")) {
		err_clear(e);
		if (db_exec(c, "ROLLBACK TO SAVEPOINT import_row", NULL, 0, e) < 0 ||
		    db_exec(c, "RELEASE SAVEPOINT import_row", NULL, 0, e) < 0)
			return -1;
		return 0;
	}
	if (rc != 1)
		return rc < 0 ? -1 : err_internal(e, "no block id");
	return db_exec(c, "RELEASE SAVEPOINT import_row", NULL, 0, e) < 0 ? -1 : 1;
}

/* One row: block, client, appointment (change sequence `seq`). 1 = published, 0 = its slot
 * was taken. */
static int publish_row(db_conn *c, int64_t account_id, const struct pub_row *p, int64_t seq, int64_t now,
		       struct err *e)
{
	int64_t block_id, client_id = 0, appt_id;
	int rc = place_block(c, account_id, p, &block_id, e);
	if (rc <= 0)
		return rc;
	if ((p->first_name[0] || p->last_name[0] || p->email[0] || p->phone[0]) &&
	    clients_find_or_create(c, account_id, p->first_name, p->last_name, p->email, p->phone, now,
				   &client_id, e))
		return -1;
	char pid[24];
	public_id_new("apt", pid);
	rc = db_query_int(
		c,
		"INSERT INTO appointments (account_id, public_id, block_id, service_id, staff_id, "
		"client_id, starts_at, ends_at, status, source, notes, rules_overridden, version, "
		"change_seq, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'booked', "
		"'import', $9, 1, 1, $10, $11, $11) RETURNING id",
		DB_ARGS(DB_INT(account_id), DB_TEXT(pid), DB_INT(block_id), DB_INT(p->service_id),
			DB_INT(p->staff_id), client_id ? DB_INT(client_id) : DB_NULL, DB_INT(p->starts_at),
			DB_INT(p->ends_at), DB_TEXT(p->notes), DB_INT(seq), DB_INT(now)),
		&appt_id, e);
	if (rc != 1)
		return rc < 0 ? -1 : err_internal(e, "no appointment id");
	if (client_id && clients_note_appointment(c, account_id, client_id, p->starts_at, e))
		return -1;
	/* no confirmation, no notice to the owner: a change of tools must not write to every
	 * client (appt_messages_event is not called); reminders: see plan_reminders */
	return 1;
}

/* The reminders of the published appointments follow the account's settings like any
 * booking's. Planning them row by row would hold the publish for a dozen statements a row
 * (seconds on PostgreSQL for a few thousand rows), so the publish enqueues, in its
 * transaction, the job that re-plans every upcoming appointment of the account after a
 * settings change (reminders.replan, idempotent, 200 appointments a transaction): committed
 * together, planned a moment later by the worker. */
static int plan_reminders(db_conn *c, int64_t account_id, int64_t import_id, int64_t now, struct err *e)
{
	char key[96];
	snprintf(key, sizeof(key), REMINDERS_REPLAN_KIND ":import:%" PRId64, import_id);
	struct job_spec s = {
		.kind = REMINDERS_REPLAN_KIND, .unique_key = key, .account_id = account_id, .run_at = now};
	return jobs_enqueue(c, &s, e) < 0 ? -1 : 0;
}

static void copy_text(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

/* The clients module's look-ups (clients_find_or_create, clients_note_appointment) are planned
 * with the statistics of before the publish, in which a new account has no clients: PostgreSQL
 * then takes any index starting with account_id and reads every client of the account written
 * so far, for each row (10 000 rows: 38 s instead of 12). ANALYZE counts the rows this
 * transaction wrote, so once, after the first chunk, gives the planner the account as it is.
 * It holds clients' SHARE UPDATE EXCLUSIVE lock to the commit: another ANALYZE or VACUUM of
 * clients (another large publish) waits; bookings and client writes do not. */
static int refresh_client_stats(db_conn *c, struct err *e)
{
	return db_exec(c, "ANALYZE clients", NULL, 0, e) < 0 ? -1 : 0;
}

/* Takes n numbers of the agenda's change cursor at once (a booking takes one: appointments.c
 * next_change_seq); *first receives the first. Updating the counter row once a row would
 * make PostgreSQL walk an ever longer chain of its versions inside the one transaction. The
 * numbers of rows left out are gaps, which the cursor (changes after a number) does not mind. */
static int take_change_seqs(db_conn *c, int64_t account_id, int n, int64_t *first, struct err *e)
{
	int64_t last;
	int rc = db_query_int(c,
			      "INSERT INTO change_counters (account_id, seq) VALUES ($1, $2) ON CONFLICT "
			      "(account_id) DO UPDATE SET seq = change_counters.seq + $2 RETURNING seq",
			      DB_ARGS(DB_INT(account_id), DB_INT(n)), &last, e);
	if (rc != 1)
		return rc < 0 ? -1 : err_internal(e, "no change_seq");
	*first = last - n + 1;
	return 0;
}

/* Reads the next good rows after row `after` into rows (at most IMPORT_CHUNK). */
static int read_rows(db_conn *c, int64_t account_id, int64_t import_id, long after, struct pub_row *rows,
		     int *n, struct err *e)
{
	db_rows *r;
	*n = 0;
	if (db_query(
		    c,
		    "SELECT row_no, service_id, staff_id, starts_at, ends_at, blocked_from, blocked_to, "
		    "first_name, last_name, email, phone, notes, CASE WHEN EXISTS (SELECT 1 FROM staff s "
		    "WHERE s.account_id = $4 AND s.id = import_rows.staff_id AND s.active = 1) AND EXISTS "
		    "(SELECT 1 FROM services v WHERE v.account_id = $4 AND v.id = import_rows.service_id AND "
		    "v.active = 1) THEN 1 ELSE 0 END FROM import_rows WHERE import_id = $1 AND status = 'ok' "
		    "AND row_no > $2 ORDER BY row_no LIMIT $3",
		    DB_ARGS(DB_INT(import_id), DB_INT(after), DB_INT(IMPORT_CHUNK), DB_INT(account_id)), &r,
		    e))
		return -1;
	int rc;
	while ((rc = db_rows_next(r, e)) == 1) {
		struct pub_row *p = &rows[(*n)++];
		p->row_no = (long)db_rows_int(r, 0);
		p->service_id = db_rows_int(r, 1);
		p->staff_id = db_rows_int(r, 2);
		p->starts_at = db_rows_int(r, 3);
		p->ends_at = db_rows_int(r, 4);
		p->blocked_from = db_rows_int(r, 5);
		p->blocked_to = db_rows_int(r, 6);
		copy_text(p->first_name, sizeof(p->first_name), db_rows_text(r, 7));
		copy_text(p->last_name, sizeof(p->last_name), db_rows_text(r, 8));
		copy_text(p->email, sizeof(p->email), db_rows_text(r, 9));
		copy_text(p->phone, sizeof(p->phone), db_rows_text(r, 10));
		p->notes = xstrdup(db_rows_text(r, 11) ? db_rows_text(r, 11) : "");
		p->bookable = db_rows_int(r, 12) == 1;
	}
	db_rows_free(r);
	return rc < 0 ? -1 : 0;
}

int import_appt_publish(db_conn *c, int pg, int64_t account_id, int64_t import_id, int64_t now,
			int64_t *published, int64_t *nskipped, json_t *skipped, struct err *e)
{
	struct pub_row *rows = xcalloc(IMPORT_CHUNK, sizeof(*rows));
	long after = -1;
	int n = 0, rc = lock_agendas(c, account_id, import_id, e), analysed = 0;
	*published = *nskipped = 0;
	while (rc == 0) {
		if ((rc = read_rows(c, account_id, import_id, after, rows, &n, e)) || n == 0)
			break;
		int64_t seq = 0;
		/* after the first chunk, on PostgreSQL: see refresh_client_stats */
		if (pg && after >= 0 && !analysed++)
			rc = refresh_client_stats(c, e);
		if (rc == 0)
			rc = take_change_seqs(c, account_id, n, &seq, e);
		for (int i = 0; i < n && rc == 0; i++) {
			const struct pub_row *p = &rows[i];
			int placed = p->bookable ? publish_row(c, account_id, p, seq + i, now, e) : 0;
			if (placed < 0) {
				rc = -1;
			} else if (placed) {
				(*published)++;
			} else {
				(*nskipped)++;
				if (json_array_size(skipped) >= IMPORT_ISSUES_MAX)
					continue;
				json_array_append_new(
					skipped, p->bookable ? json_pack("{s:I, s:s, s:s, s:s, s:s}", "row",
									 (json_int_t)p->row_no, "status",
									 "skipped", "field", "start", "code",
									 "slot_taken", "message",
									 "this time was taken in the agenda "
									 "after the check: "
									 "not imported")
							     : json_pack("{s:I, s:s, s:s, s:s, s:s}", "row",
									 (json_int_t)p->row_no, "status",
									 "skipped", "field", "staff", "code",
									 "not_bookable", "message",
									 "the staff member or the service "
									 "was deactivated after "
									 "the check: not imported"));
			}
		}
		for (int i = 0; i < n; i++)
			free(rows[i].notes);
		after = rows[n - 1].row_no;
		if (n < IMPORT_CHUNK)
			break;
	}
	free(rows);
	if (rc == 0 && *published)
		rc = plan_reminders(c, account_id, import_id, now, e);
	return rc;
}
