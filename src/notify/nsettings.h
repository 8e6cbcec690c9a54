/* nsettings — a business's notification settings and its edited reminder texts
 * (docs/internals/reminders.md): load with defaults, validate, save with optimistic
 * concurrency, and the worst-case SMS measure the editor shows. Tables notification_settings
 * and notification_texts (migration 0018). */
#ifndef CRENEAU_NSETTINGS_H
#define CRENEAU_NSETTINGS_H
#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"

#define NSET_REMINDERS_MAX  4
#define NSET_MINUTES_MIN    15		/* a reminder is at least 15 min before */
#define NSET_MINUTES_MAX    (14 * 1440) /* and at most 14 days before */
#define NSET_SENDER_MAX	    11		/* characters of the SMS sender name */
#define NSET_SUBJECT_MAX    200		/* bytes of an edited e-mail subject */
#define NSET_EMAIL_BODY_MAX 5000	/* bytes of an edited e-mail body */
#define NSET_SMS_BODY_MAX   1024	/* bytes of an edited SMS text */
#define NSET_TEXT_KIND	    "reminder"	/* the only editable kind for now */

struct nset_reminder {
	int minutes;
	int email, sms; /* channels */
};

struct nsettings {
	int nreminders;
	struct nset_reminder r[NSET_REMINDERS_MAX]; /* sorted, largest offset first */
	int owner_new_booking, owner_changes, staff_notices;
	char sms_sender[NSET_SENDER_MAX + 1];
	int sms_accent_free;
	int64_t version;    /* 1 while the defaults apply */
	int64_t updated_at; /* 0 while the defaults apply */
	int stored;
};

/* One editable text: channel "email" | "sms", locale "fr" | "en". */
struct nset_text {
	const char *channel, *locale;
	char *subject, *body; /* malloc'd; subject "" for SMS */
	int edited;	      /* 0: the shipped template */
};
#define NSET_TEXTS 4 /* email fr, email en, sms fr, sms en */

/* The defaults: reminders 24 h and 2 h before by e-mail and SMS, owner notices on, staff
 * notices off, no sender name, accents kept. */
void nsettings_defaults(struct nsettings *s);

/* Loads the account's settings (defaults when it never saved any) on c. */
int nsettings_load(db_conn *c, int64_t account_id, struct nsettings *s, struct err *e) WUR;

/* Loads the four reminder texts (edited or shipped) into t[NSET_TEXTS]; release with
 * nsettings_texts_release. */
int nsettings_texts_load(db_conn *c, int64_t account_id, struct nset_text t[NSET_TEXTS], struct err *e) WUR;
void nsettings_texts_release(struct nset_text t[NSET_TEXTS]);

/* The edited text of (channel, locale) for the account, malloc'd into *subject and *body;
 * returns 1 when there is one, 0 when the shipped template applies. */
int nsettings_text_get(db_conn *c, int64_t account_id, const char *channel, const char *locale,
		       char **subject, char **body, struct err *e) WUR;

/* Applies a PUT body to s (fields missing keep their value) and validates it: 400 naming the
 * field for a malformed value or an unknown variable, 422 `sms_too_long` (with the measured
 * segments in the message) for an SMS text whose worst case exceeds 3 segments. Texts are
 * validated but saved by nsettings_save. */
int nsettings_apply_json(const json_t *body, struct nsettings *s, struct err *e) WUR;

/* Saves s and the body's "texts" when the stored version is still `expected` (409
 * `stale_version` otherwise), bumping the version. Caller's open transaction. */
int nsettings_save(db_conn *c, int64_t account_id, struct nsettings *s, int64_t expected, const json_t *texts,
		   int64_t now, struct err *e) WUR;

/* The settings as JSON (new reference). */
json_t *nsettings_to_json(const struct nsettings *s);
/* The texts as JSON, each SMS with its encoding and worst-case segments (new reference). */
json_t *nsettings_texts_json(const struct nset_text t[NSET_TEXTS], int accent_free);
/* The variables the texts may use, with the lengths the worst case assumes (new reference). */
json_t *nsettings_variables_json(void);

/* Measures an SMS text at its worst case (every variable at its cap, in the text's coding):
 * 0 with *encoding ("gsm7" | "ucs2") and *segments set; 400 for a malformed text or an
 * unknown variable (field named `field`). */
int nsettings_sms_worst(const char *text, int accent_free, const char *field, const char **encoding,
			int *segments, int *units, struct err *e) WUR;

/* True when `name` is a variable the reminder texts may use. */
int nsettings_variable_known(const char *name);

#endif
