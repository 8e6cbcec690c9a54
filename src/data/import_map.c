/* import_map — which client field a column holds, and what a mapped record gives (import.h). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "account/account.h"
#include "base/phone.h"
#include "data/import.h"
#include "data/import_int.h"
#include "schedule/clients.h"
#include "base/banned.h"

/* Folds a column name: ASCII lower case, the accents of French letters dropped, everything but
 * letters and digits removed ("Prénom " → "prenom", "E-mail" → "email"). */
void import_fold(const char *in, char *out, size_t cap)
{
	static const struct {
		const char *utf8;
		char ascii;
	} accents[] = {{"é", 'e'}, {"è", 'e'}, {"ê", 'e'}, {"ë", 'e'}, {"É", 'e'}, {"È", 'e'}, {"à", 'a'},
		       {"â", 'a'}, {"ä", 'a'}, {"À", 'a'}, {"î", 'i'}, {"ï", 'i'}, {"ô", 'o'}, {"ö", 'o'},
		       {"ù", 'u'}, {"û", 'u'}, {"ü", 'u'}, {"ç", 'c'}, {"Ç", 'c'}};
	size_t n = 0;
	for (const char *p = in; *p && n + 1 < cap;) {
		unsigned char c = (unsigned char)*p;
		if (c < 0x80) {
			if (isalnum(c))
				out[n++] = (char)tolower(c);
			p++;
			continue;
		}
		size_t k, skip = 1;
		for (k = 0; k < sizeof(accents) / sizeof(accents[0]); k++) {
			size_t l = strlen(accents[k].utf8);
			if (!strncmp(p, accents[k].utf8, l)) {
				out[n++] = accents[k].ascii;
				skip = l;
				break;
			}
		}
		p += skip;
	}
	out[n] = 0;
}

const char *import_guess_field(const char *column)
{
	static const struct {
		const char *name, *field;
	} exact[] = {
		{"prenom", "first_name"},
		{"firstname", "first_name"},
		{"first", "first_name"},
		{"givenname", "first_name"},
		{"nom", "last_name"},
		{"nomdefamille", "last_name"},
		{"lastname", "last_name"},
		{"last", "last_name"},
		{"surname", "last_name"},
		{"familyname", "last_name"},
		{"name", "full_name"},
		{"nomcomplet", "full_name"},
		{"fullname", "full_name"},
		{"displayname", "full_name"},
		{"client", "full_name"},
		{"contact", "full_name"},
		{"nometprenom", "full_name"},
		{"prenometnom", "full_name"},
		{"email", "email"},
		{"mail", "email"},
		{"courriel", "email"},
		{"adressemail", "email"},
		{"adresseemail", "email"},
		{"emailaddress", "email"},
		{"telephone", "phone"},
		{"tel", "phone"},
		{"portable", "phone"},
		{"mobile", "phone"},
		{"phone", "phone"},
		{"gsm", "phone"},
		{"cell", "phone"},
		{"numero", "phone"},
		{"notes", "notes"},
		{"note", "notes"},
		{"commentaire", "notes"},
		{"commentaires", "notes"},
		{"remarque", "notes"},
		{"remarques", "notes"},
		{"comments", "notes"},
		{"comment", "notes"},
		{"observations", "notes"},
		{"consentementemail", "consent_email"},
		{"optinemail", "consent_email"},
		{"consentemail", "consent_email"},
		{"newsletter", "consent_email"},
		{"consentementsms", "consent_sms"},
		{"optinsms", "consent_sms"},
		{"consentsms", "consent_sms"},
	};
	char f[128];
	import_fold(column, f, sizeof(f));
	for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
		if (!strcmp(f, exact[i].name))
			return exact[i].field;
	if (!f[0] || strstr(f, "autre") || strstr(f, "other"))
		return "";
	if (!strncmp(f, "prenom", 6) || !strncmp(f, "first", 5))
		return "first_name";
	if (strstr(f, "mail") || strstr(f, "courriel"))
		return "email";
	if (strstr(f, "tel") || strstr(f, "phone") || strstr(f, "mobile") || strstr(f, "portable"))
		return "phone";
	if (!strncmp(f, "nom", 3) || !strncmp(f, "last", 4))
		return "last_name";
	return "";
}

static void issue(json_t *issues, const char *field, const char *code, const char *msg)
{
	json_array_append_new(issues,
			      json_pack("{s:s?, s:s, s:s}", "field", field, "code", code, "message", msg));
}

/* Copies cell (spaces and line ends around it trimmed) into out; -1 when it does not fit. */
static int take(const char *cell, size_t len, char *out, size_t cap)
{
	while (len && isspace((unsigned char)cell[0])) {
		cell++;
		len--;
	}
	while (len && isspace((unsigned char)cell[len - 1]))
		len--;
	/* the quote our CSV export (and Excel's habit) puts before = + - @ to keep a formula text */
	if (len >= 2 && cell[0] == '\'' && strchr("=+-@\t\r", cell[1])) {
		cell++;
		len--;
	}
	if (len >= cap)
		return -1;
	memcpy(out, cell, len);
	out[len] = 0;
	return 0;
}

/* "oui", "yes", "1", "x", "true", "vrai" → 1; "non", "no", "0", "false", "faux", "" → 0; else -1. */
static int yes_no(const char *s)
{
	char f[16];
	import_fold(s, f, sizeof(f));
	static const char *const yes[] = {"oui", "yes", "1", "x", "true", "vrai", "o", "y"};
	static const char *const no[] = {"non", "no", "0", "false", "faux", "n", ""};
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (!strcmp(f, yes[i]))
			return 1;
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (!strcmp(f, no[i]))
			return 0;
	return -1;
}

int import_check_client_fields(const struct import_record *r, const char *const *mapping, int nmap,
			       struct import_values *v, json_t *issues, int need_identity)
{
	size_t before = json_array_size(issues);
	memset(v, 0, sizeof(*v));
	v->consent_email = 1;
	char full[2 * CLIENTS_NAME_MAX + 2] = "", email[IMPORT_CELL_MAX + 1] = "",
					 phone[IMPORT_CELL_MAX + 1] = "";
	char msg[300];
	if (r->too_many_columns) {
		snprintf(msg, sizeof(msg), "the row has %d columns; at most %d are read", r->ncells,
			 IMPORT_COLS_MAX);
		issue(issues, NULL, "too_many_columns", msg);
	}
	int n = r->ncells < nmap ? r->ncells : nmap;
	if (n > IMPORT_COLS_MAX)
		n = IMPORT_COLS_MAX;
	for (int i = 0; i < n; i++) {
		const char *f = mapping[i];
		if (!f || !f[0])
			continue;
		if (r->too_long == i) {
			snprintf(msg, sizeof(msg), "column %d is longer than %d bytes", i + 1,
				 IMPORT_CELL_MAX);
			issue(issues, f, "too_long", msg);
			continue;
		}
		const char *cell = r->cells[i];
		size_t len = r->lens[i];
		int over = 0;
		if (!strcmp(f, "first_name"))
			over = take(cell, len, v->first_name, CLIENTS_NAME_MAX + 1);
		else if (!strcmp(f, "last_name"))
			over = take(cell, len, v->last_name, CLIENTS_NAME_MAX + 1);
		else if (!strcmp(f, "full_name"))
			over = take(cell, len, full, sizeof(full));
		else if (!strcmp(f, "email"))
			over = take(cell, len, email, sizeof(email));
		else if (!strcmp(f, "phone"))
			over = take(cell, len, phone, sizeof(phone));
		else if (!strcmp(f, "notes"))
			over = take(cell, len, v->notes, CLIENTS_NOTES_MAX + 1);
		else if (!strcmp(f, "consent_email") || !strcmp(f, "consent_sms")) {
			char yn[16];
			int val = take(cell, len, yn, sizeof(yn)) ? -1 : yes_no(yn);
			if (val < 0) {
				snprintf(msg, sizeof(msg), "column %d: « oui » or « non » expected", i + 1);
				issue(issues, f, "invalid_field", msg);
			} else if (!strcmp(f, "consent_email")) {
				v->consent_email = val;
			} else {
				v->consent_sms = val;
			}
		}
		if (over) {
			snprintf(msg, sizeof(msg), "column %d is too long for %s", i + 1, f);
			issue(issues, f, "too_long", msg);
		}
	}
	/* a full name fills the names left empty: the first word is the first name */
	if (full[0] && !v->first_name[0] && !v->last_name[0]) {
		const char *sp = strchr(full, ' ');
		if (sp && sp - full <= CLIENTS_NAME_MAX && strlen(sp + 1) <= CLIENTS_NAME_MAX) {
			snprintf(v->first_name, sizeof(v->first_name), "%.*s", (int)(sp - full), full);
			size_t l = strlen(sp + 1);
			memcpy(v->last_name, sp + 1, l + 1);
		} else if (strlen(full) <= CLIENTS_NAME_MAX) {
			memcpy(v->last_name, full, strlen(full) + 1);
		} else {
			issue(issues, "full_name", "too_long", "the name is too long");
		}
	}
	struct err e = {0};
	if (email[0] && email_normalise(email, v->email, "email", &e)) {
		issue(issues, "email", e.code[0] ? e.code : "invalid_email", e.message);
		v->email[0] = 0;
	}
	err_clear(&e);
	if (phone[0] && phone_normalise(phone, "FR", v->phone, "phone", &e)) {
		issue(issues, "phone", e.code[0] ? e.code : "invalid_phone", e.message);
		v->phone[0] = 0;
	}
	if (need_identity && json_array_size(issues) == before && !v->first_name[0] && !v->last_name[0] &&
	    !v->email[0] && !v->phone[0])
		issue(issues, "last_name", "missing_field",
		      "a client needs a name, an e-mail address or a phone number");
	return (int)(json_array_size(issues) - before);
}

int import_check_record(const struct import_record *r, const char *const *mapping, int nmap,
			struct import_values *v, json_t *issues)
{
	return import_check_client_fields(r, mapping, nmap, v, issues, 1);
}
