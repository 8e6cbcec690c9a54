/* The set-up as the store holds it: loading hours, exceptions and closed days for slots.c,
 * the appointments a change leaves outside the openings, and the demo set-up. */
#include "schedule/setup.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account/account.h"
#include "account/demo.h"
#include "schedule/clients.h"
#include "base/banned.h"

void setup_format_minutes(int minutes, char out[6])
{
	if (minutes < 0)
		minutes = 0;
	if (minutes > 1440)
		minutes = 1440;
	snprintf(out, 6, "%02d:%02d", minutes / 60, minutes % 60);
}

int setup_load_week(db_conn *c, int64_t account_id, int64_t staff_id, struct slots_week *w, struct err *e)
{
	memset(w, 0, sizeof(*w));
	db_rows *r;
	if (db_query(c,
		     "SELECT weekday, start_min, end_min FROM staff_hours WHERE account_id = $1 AND staff_id "
		     "= $2"
		     " ORDER BY weekday, start_min",
		     DB_ARGS(DB_INT(account_id), DB_INT(staff_id)), &r, e))
		return -1;
	int rc;
	while ((rc = db_rows_next(r, e)) == 1) {
		int64_t d = db_rows_int(r, 0) - 1;
		if (d < 0 || d > 6 || w->count[d] >= SLOTS_MAX_RANGES)
			continue;
		w->ranges[d][w->count[d]++] =
			(struct slots_range){(int)db_rows_int(r, 1), (int)db_rows_int(r, 2)};
	}
	db_rows_free(r);
	return rc < 0 ? -1 : 0;
}

int setup_ranges_parse(const char *text, struct slots_range *out, int max, struct err *e)
{
	json_error_t je;
	json_t *j = json_loads(text ? text : "", 0, &je);
	if (!json_is_array(j) || (int)json_array_size(j) > max) {
		json_decref(j);
		return err_internal(e, "stored ranges are not a list of at most %d ranges", max);
	}
	int n = 0;
	size_t i;
	json_t *v;
	json_array_foreach(j, i, v)
	{
		json_t *a = json_array_get(v, 0), *b = json_array_get(v, 1);
		if (!json_is_integer(a) || !json_is_integer(b)) {
			json_decref(j);
			return err_internal(e, "stored range %d is not [start, end]", (int)i);
		}
		out[n++] = (struct slots_range){(int)json_integer_value(a), (int)json_integer_value(b)};
	}
	json_decref(j);
	return n;
}

/* "YYYY-MM-DD" into a slots_date; 0 or -1. */
static int date_of(const char *s, struct slots_date *d)
{
	struct civil c;
	if (!s || tz_parse_date(s, &c, NULL, "date"))
		return -1;
	*d = (struct slots_date){c.year, c.month, c.day};
	return 0;
}

static int kind_of(const char *s)
{
	if (!strcmp(s, "off"))
		return SLOTS_DAY_OFF;
	if (!strcmp(s, "hours"))
		return SLOTS_HOURS;
	if (!strcmp(s, "extra"))
		return SLOTS_EXTRA;
	return -1;
}

int setup_load_exceptions(db_conn *c, int64_t account_id, int64_t staff_id, const char *from,
			  struct slots_exception *out, struct err *e)
{
	db_rows *r;
	if (db_query(c,
		     "SELECT kind, from_date, to_date, ranges FROM staff_exceptions WHERE account_id = $1 AND"
		     " staff_id = $2 AND to_date >= $3 ORDER BY from_date, id LIMIT $4",
		     DB_ARGS(DB_INT(account_id), DB_INT(staff_id), DB_TEXT(from),
			     DB_INT(SLOTS_MAX_EXCEPTIONS)),
		     &r, e))
		return -1;
	int n = 0, rc;
	while ((rc = db_rows_next(r, e)) == 1 && n < SLOTS_MAX_EXCEPTIONS) {
		struct slots_exception *x = &out[n];
		memset(x, 0, sizeof(*x));
		int k = kind_of(db_rows_text(r, 0));
		if (k < 0 || date_of(db_rows_text(r, 1), &x->from) || date_of(db_rows_text(r, 2), &x->to)) {
			rc = err_internal(e, "a stored exception is malformed");
			break;
		}
		x->kind = (enum slots_exception_kind)k;
		x->count = setup_ranges_parse(db_rows_text(r, 3), x->ranges, SLOTS_MAX_RANGES, e);
		if (x->count < 0) {
			rc = -1;
			break;
		}
		n++;
	}
	db_rows_free(r);
	return rc < 0 ? -1 : n;
}

int setup_load_closed(db_conn *c, int64_t account_id, const char *from, struct slots_date *out, struct err *e)
{
	db_rows *r;
	if (db_query(c,
		     "SELECT day FROM closed_days WHERE account_id = $1 AND day >= $2 ORDER BY day LIMIT $3",
		     DB_ARGS(DB_INT(account_id), DB_TEXT(from), DB_INT(SLOTS_MAX_CLOSED)), &r, e))
		return -1;
	int n = 0, rc;
	while ((rc = db_rows_next(r, e)) == 1 && n < SLOTS_MAX_CLOSED)
		if (!date_of(db_rows_text(r, 0), &out[n]))
			n++;
	db_rows_free(r);
	return rc < 0 ? -1 : n;
}

int setup_inside_openings(const struct tz *z, const struct slots_staff *st, const struct slots_date *closed,
			  int nclosed, int64_t start, int64_t end, int64_t bfrom, int64_t bto)
{
	if (bfrom > start)
		bfrom = start;
	if (bto < end)
		bto = end;
	struct slots_input in = {
		.zone = z,
		.staff = st,
		.nstaff = 1,
		.closed = closed,
		.nclosed = nclosed,
		.service = {(int)((end - start + 59) / 60), (int)((start - bfrom + 59) / 60),
			    (int)((bto - end + 59) / 60)},
		.rules = {0, 0, 5},
		.now = start,
	};
	struct err ce = {0};
	return slots_check_start(&in, 0, start, "start", &ce) == 0 || !strcmp(ce.code, "off_grid") ||
	       !strcmp(ce.code, "slot_taken");
}

int setup_conflicts(db_conn *c, int64_t account_id, int64_t staff_id, const struct tz *z, int64_t now,
		    struct setup_conflicts *out, struct err *e)
{
	out->n = out->total = 0;
	/* a day earlier than today's local date: an exception of today still counts */
	struct civil today;
	tz_to_civil(z, now - 86400, &today);
	char from[16];
	snprintf(from, sizeof(from), "%04d-%02d-%02d", today.year, today.month, today.day);

	struct slots_staff st;
	memset(&st, 0, sizeof(st));
	struct slots_exception *exc = calloc(SLOTS_MAX_EXCEPTIONS, sizeof(*exc));
	struct slots_date *closed = calloc(SLOTS_MAX_CLOSED, sizeof(*closed));
	db_rows *r = NULL;
	int rc = -1;
	if (!exc || !closed) {
		err_internal(e, "out of memory");
		goto done;
	}
	int nexc = setup_load_exceptions(c, account_id, staff_id, from, exc, e);
	int nclosed = nexc < 0 ? -1 : setup_load_closed(c, account_id, from, closed, e);
	if (nexc < 0 || nclosed < 0 || setup_load_week(c, account_id, staff_id, &st.week, e))
		goto done;
	st.exceptions = exc;
	st.nexceptions = nexc;
	if (db_query(c,
		     "SELECT a.public_id, a.starts_at, a.ends_at, b.blocked_from, b.blocked_to FROM "
		     "appointments a"
		     " JOIN blocks b ON b.account_id = a.account_id AND b.id = a.block_id"
		     " WHERE a.account_id = $1 AND a.staff_id = $2 AND a.status = 'booked' AND a.starts_at "
		     ">= $3"
		     " ORDER BY a.starts_at, a.id LIMIT $4",
		     DB_ARGS(DB_INT(account_id), DB_INT(staff_id), DB_INT(now), DB_INT(SETUP_MAX_SCANNED)),
		     &r, e))
		goto done;
	int more;
	while ((more = db_rows_next(r, e)) == 1) {
		int64_t start = db_rows_int(r, 1), end = db_rows_int(r, 2);
		if (setup_inside_openings(z, &st, closed, nclosed, start, end, db_rows_int(r, 3),
					  db_rows_int(r, 4)))
			continue;
		out->total++;
		if (out->n < SETUP_MAX_CONFLICTS) {
			struct setup_conflict *k = &out->items[out->n++];
			snprintf(k->public_id, sizeof(k->public_id), "%s", db_rows_text(r, 0));
			k->starts_at = start;
			k->ends_at = end;
		}
	}
	rc = more < 0 ? -1 : 0;
done:
	db_rows_free(r);
	free(exc);
	free(closed);
	return rc;
}

/* ---- the demo set-up ---- */

struct demo_svc {
	const char *name, *category, *color;
	int duration, price_cents, before, after, capacity;
};

struct demo_question {
	int service; /* index in svc */
	const char *label, *kind, *choices;
	int required;
};

struct demo_kind {
	const char *type;
	struct demo_svc svc[5];
	const char *staff[3];
	unsigned days;		      /* bit 0 = Monday */
	struct slots_range ranges[2]; /* the same each open day */
	struct demo_question q;
};

static const struct demo_kind demo_kinds[] = {
	{"hair_salon",
	 {{"Coupe femme", "Coupes", "#c2185b", 45, 3800, 0, 0, 1},
	  {"Coupe homme", "Coupes", "#1976d2", 30, 2200, 0, 0, 1},
	  {"Brushing", "Coiffage", "#7b1fa2", 30, 2500, 0, 0, 1},
	  {"Coloration", "Couleur", "#f57c00", 90, 6500, 0, 10, 1}},
	 {"Élodie Martin", "Karim Benali", NULL},
	 0x3e,
	 {{540, 720}, {840, 1140}},
	 {3, "Première coloration chez nous ?", "yesno", "[]", 0}},
	{"beauty",
	 {{"Soin du visage", "Soins", "#ad1457", 60, 5500, 0, 10, 1},
	  {"Manucure", "Mains", "#6a1b9a", 45, 3000, 0, 0, 1},
	  {"Épilation jambes", "Épilation", "#00838f", 30, 2500, 0, 5, 1},
	  {"Massage relaxant", "Soins", "#2e7d32", 60, 6000, 0, 10, 1}},
	 {"Inès Garnier", "Chloé Faure", NULL},
	 0x3e,
	 {{570, 750}, {840, 1140}},
	 {0, "Type de peau", "choice", "[\"Normale\", \"Sèche\", \"Grasse\", \"Mixte\"]", 0}},
	{"physio",
	 {{"Séance de kinésithérapie", "Séances", "#1565c0", 30, 1613, 0, 0, 1},
	  {"Bilan kinésithérapique", "Bilans", "#00695c", 45, 3000, 0, 0, 1},
	  {"Rééducation du genou", "Séances", "#4527a0", 30, 1613, 0, 0, 1},
	  {"Drainage lymphatique", "Séances", "#558b2f", 45, 2500, 0, 0, 1}},
	 {"Thomas Bernard", "Julie Petit", NULL},
	 0x1f,
	 {{480, 720}, {840, 1140}},
	 {0, "Avez-vous une prescription médicale ?", "yesno", "[]", 1}},
	{"medical",
	 {{"Consultation", "Consultations", "#1565c0", 20, 3000, 0, 0, 1},
	  {"Consultation longue", "Consultations", "#283593", 40, 6000, 0, 0, 1},
	  {"Vaccination", "Actes", "#2e7d32", 15, 3000, 0, 0, 1},
	  {"Certificat médical de sport", "Actes", "#ef6c00", 20, 3000, 0, 0, 1}},
	 {"Dr Anne Lefèvre", NULL, NULL},
	 0x1f,
	 {{510, 750}, {840, 1080}},
	 {0, "Motif de la consultation", "text", "[]", 0}},
	{"garage",
	 {{"Vidange", "Entretien", "#455a64", 60, 8900, 0, 0, 1},
	  {"Contrôle technique", "Contrôles", "#d84315", 60, 7800, 0, 0, 1},
	  {"Changement de pneus", "Pneus", "#37474f", 45, 6000, 0, 0, 1},
	  {"Diagnostic électronique", "Diagnostic", "#0277bd", 30, 4900, 0, 0, 1}},
	 {"Marc Lemoine", "Nicolas Roussel", NULL},
	 0x1f,
	 {{480, 720}, {810, 1080}},
	 {0, "Immatriculation du véhicule", "text", "[]", 1}},
	{"coach",
	 {{"Séance individuelle", "Coaching", "#e65100", 60, 5000, 0, 15, 1},
	  {"Bilan forme", "Bilans", "#2e7d32", 45, 3500, 0, 15, 1},
	  {"Cours collectif de yoga", "Cours", "#6a1b9a", 60, 1500, 0, 15, 8}},
	 {"Lucas Moreau", NULL, NULL},
	 0x3f,
	 {{420, 720}, {960, 1200}},
	 {0, "Objectif principal", "choice",
	  "[\"Perte de poids\", \"Remise en forme\", \"Préparation sportive\"]", 0}},
	{"town_hall",
	 {{"Dépôt de demande de passeport", "État civil", "#1565c0", 20, 0, 0, 0, 1},
	  {"Retrait de carte d'identité", "État civil", "#00838f", 10, 0, 0, 0, 1},
	  {"Rendez-vous urbanisme", "Urbanisme", "#558b2f", 30, 0, 0, 0, 1}},
	 {"Guichet 1", "Guichet 2", NULL},
	 0x1f,
	 {{510, 720}, {810, 1020}},
	 {0, "Nombre de personnes concernées", "choice", "[\"1\", \"2\", \"3\", \"4 ou plus\"]", 1}},
	{"other",
	 {{"Rendez-vous", "Rendez-vous", "#1565c0", 30, 0, 0, 0, 1},
	  {"Rendez-vous long", "Rendez-vous", "#2e7d32", 60, 0, 0, 0, 1},
	  {"Premier rendez-vous", "Rendez-vous", "#ef6c00", 45, 0, 0, 0, 1}},
	 {"Camille Dubois", NULL, NULL},
	 0x1f,
	 {{540, 720}, {840, 1080}},
	 {0, "Précisions", "text", "[]", 0}},
};

/* Fictitious clients: names made up, addresses in example.fr, numbers in the range set aside
 * for fiction (+33 6 39 98 …). */
static const struct {
	const char *first, *last, *email, *phone;
} demo_clients[] = {
	{"Camille", "Durand", "camille.durand@example.fr", "+33639980001"},
	{"Léa", "Moreau", "lea.moreau@example.fr", "+33639980002"},
	{"Hugo", "Lambert", "hugo.lambert@example.fr", "+33639980003"},
	{"Manon", "Girard", "manon.girard@example.fr", "+33639980004"},
	{"Louis", "Roux", "louis.roux@example.fr", "+33639980005"},
	{"Chloé", "Fontaine", "chloe.fontaine@example.fr", "+33639980006"},
	{"Nathan", "Mercier", "nathan.mercier@example.fr", "+33639980007"},
	{"Emma", "Rousseau", "emma.rousseau@example.fr", "+33639980008"},
};
#define NCLIENTS ((int)(sizeof(demo_clients) / sizeof(demo_clients[0])))

static const char *const staff_colors[] = {"#00897b", "#5e35b1", "#f4511e"};

static int insert_id(db_conn *c, const char *sql, const db_param *p, int np, int64_t *id, struct err *e)
{
	int rc = db_query_int(c, sql, p, np, id, e);
	if (rc == 1)
		return 0;
	return rc < 0 ? -1 : err_internal(e, "insert returned no id");
}

static const struct demo_kind *demo_kind_of(const char *type)
{
	size_t n = sizeof(demo_kinds) / sizeof(demo_kinds[0]);
	for (size_t i = 0; i < n; i++)
		if (type && !strcmp(demo_kinds[i].type, type))
			return &demo_kinds[i];
	return &demo_kinds[n - 1];
}

/* The demo appointments: the week from the next local Monday, a few per staff and opening. */
static int demo_appointments(db_conn *c, int64_t account_id, const struct demo_kind *k, const int64_t *svc,
			     int nsvc, const int64_t *staff, int nstaff, const int64_t *clients, int64_t now,
			     struct err *e)
{
	char zone[TZ_NAME_MAX + 1] = "Europe/Paris";
	db_rows *r;
	if (db_query(c, "SELECT time_zone FROM accounts WHERE id = $1", DB_ARGS(DB_INT(account_id)), &r, e))
		return -1;
	if (db_rows_next(r, e) == 1 && db_rows_text(r, 0))
		snprintf(zone, sizeof(zone), "%s", db_rows_text(r, 0));
	db_rows_free(r);
	const struct tz *z = tz_get(zone, e);
	if (!z)
		return -1;
	struct civil today;
	tz_to_civil(z, now, &today);
	int64_t day0 = tz_days_from_civil(today.year, today.month, today.day);
	day0 += 8 - tz_weekday(today.year, today.month, today.day); /* next Monday, never today */
	int n = 0;
	for (int d = 0; d < 7; d++) {
		if (!(k->days & (1u << d)))
			continue;
		struct civil date = {0};
		tz_civil_from_days(day0 + d, &date.year, &date.month, &date.day);
		for (int s = 0; s < nstaff; s++)
			for (int g = 0; g < 2; g++) {
				const struct slots_range *o = &k->ranges[g];
				int t = o->start + 15 * s;
				for (int j = 0; j < 3; j++) {
					int si = (d + s + g + j) % nsvc;
					const struct demo_svc *sv = &k->svc[si];
					if (sv->capacity > 1) /* group sessions are left to the owner */
						si = (si + 1) % nsvc, sv = &k->svc[si];
					if (t - sv->before < o->start)
						t = o->start + sv->before;
					if (t + sv->duration + sv->after > o->end)
						break;
					struct civil wall = date;
					wall.hour = t / 60;
					wall.minute = t % 60;
					int64_t start;
					if (tz_resolve(z, &wall, TZ_EARLIER, &start) == TZ_OK) {
						int64_t end = start + 60LL * sv->duration, block;
						char pid[24];
						public_id_new("apt", pid);
						if (insert_id(c,
							      "INSERT INTO blocks (account_id, staff_id, "
							      "service_id, blocked_from,"
							      " blocked_to, capacity, seats_taken, is_demo) "
							      "VALUES ($1, $2, $3,"
							      " $4, $5, 1, 1, 1) RETURNING id",
							      DB_ARGS(DB_INT(account_id), DB_INT(staff[s]),
								      DB_INT(svc[si]),
								      DB_INT(start - 60LL * sv->before),
								      DB_INT(end + 60LL * sv->after)),
							      &block, e) ||
						    db_exec(c,
							    "INSERT INTO appointments (account_id, "
							    "public_id, block_id, service_id,"
							    " staff_id, client_id, starts_at, ends_at, "
							    "status, source, is_demo,"
							    " created_at, updated_at) VALUES ($1, $2, $3, "
							    "$4, $5, $6, $7, $8,"
							    " 'booked', 'office', 1, $9, $9)",
							    DB_ARGS(DB_INT(account_id), DB_TEXT(pid),
								    DB_INT(block), DB_INT(svc[si]),
								    DB_INT(staff[s]),
								    DB_INT(clients[n % NCLIENTS]),
								    DB_INT(start), DB_INT(end), DB_INT(now)),
							    e) < 0)
							return -1;
						n++;
					}
					/* a gap after every other appointment, so the agenda shows free time
					 */
					t += sv->duration + sv->after + (j % 2 ? 0 : 30);
				}
			}
	}
	return 0;
}

int setup_demo_fill(db_conn *c, int64_t account_id, const char *business_type, int64_t now, struct err *e)
{
	const struct demo_kind *k = demo_kind_of(business_type);
	int64_t svc[5], staff[3], clients[NCLIENTS];
	int nsvc = 0, nstaff = 0;
	for (; nstaff < 3 && k->staff[nstaff]; nstaff++) {
		char pid[24];
		public_id_new("stf", pid);
		if (insert_id(c,
			      "INSERT INTO staff (account_id, public_id, name, color, position, is_demo, "
			      "created_at,"
			      " updated_at) VALUES ($1, $2, $3, $4, $5, 1, $6, $6) RETURNING id",
			      DB_ARGS(DB_INT(account_id), DB_TEXT(pid), DB_TEXT(k->staff[nstaff]),
				      DB_TEXT(staff_colors[nstaff]), DB_INT(nstaff), DB_INT(now)),
			      &staff[nstaff], e))
			return -1;
		for (int d = 0; d < 7; d++)
			for (int g = 0; g < 2 && (k->days & (1u << d)); g++)
				if (db_exec(c,
					    "INSERT INTO staff_hours (account_id, staff_id, weekday, "
					    "start_min, end_min,"
					    " is_demo) VALUES ($1, $2, $3, $4, $5, 1)",
					    DB_ARGS(DB_INT(account_id), DB_INT(staff[nstaff]), DB_INT(d + 1),
						    DB_INT(k->ranges[g].start), DB_INT(k->ranges[g].end)),
					    e) < 0)
					return -1;
	}
	for (; nsvc < 5 && k->svc[nsvc].name; nsvc++) {
		const struct demo_svc *sv = &k->svc[nsvc];
		char pid[24];
		public_id_new("svc", pid);
		if (insert_id(
			    c,
			    "INSERT INTO services (account_id, public_id, name, category, color, "
			    "duration_min,"
			    " price_cents, buffer_before_min, buffer_after_min, capacity, position, is_demo,"
			    " created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, "
			    "1,"
			    " $12, $12) RETURNING id",
			    DB_ARGS(DB_INT(account_id), DB_TEXT(pid), DB_TEXT(sv->name),
				    DB_TEXT(sv->category), DB_TEXT(sv->color), DB_INT(sv->duration),
				    DB_INT(sv->price_cents), DB_INT(sv->before), DB_INT(sv->after),
				    DB_INT(sv->capacity), DB_INT(nsvc), DB_INT(now)),
			    &svc[nsvc], e))
			return -1;
		for (int s = 0; s < nstaff; s++)
			if (db_exec(c,
				    "INSERT INTO service_staff (account_id, service_id, staff_id, is_demo) "
				    "VALUES ($1, $2,"
				    " $3, 1)",
				    DB_ARGS(DB_INT(account_id), DB_INT(svc[nsvc]), DB_INT(staff[s])), e) < 0)
				return -1;
	}
	char qpid[24];
	public_id_new("qst", qpid);
	if (db_exec(c,
		    "INSERT INTO service_questions (account_id, service_id, public_id, label, kind, choices, "
		    "required,"
		    " is_demo) VALUES ($1, $2, $3, $4, $5, $6, $7, 1)",
		    DB_ARGS(DB_INT(account_id), DB_INT(svc[k->q.service]), DB_TEXT(qpid), DB_TEXT(k->q.label),
			    DB_TEXT(k->q.kind), DB_TEXT(k->q.choices), DB_INT(k->q.required)),
		    e) < 0)
		return -1;
	for (int i = 0; i < NCLIENTS; i++) {
		char pid[24], search[1024];
		public_id_new("cli", pid);
		if (clients_search_text(demo_clients[i].first, demo_clients[i].last, demo_clients[i].email,
					demo_clients[i].phone, search, sizeof(search), e))
			return -1;
		if (insert_id(c,
			      "INSERT INTO clients (account_id, public_id, first_name, last_name, "
			      "search_text, email,"
			      " phone, is_demo, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, "
			      "1, $8, $8)"
			      " RETURNING id",
			      DB_ARGS(DB_INT(account_id), DB_TEXT(pid), DB_TEXT(demo_clients[i].first),
				      DB_TEXT(demo_clients[i].last), DB_TEXT(search),
				      DB_TEXT(demo_clients[i].email), DB_TEXT(demo_clients[i].phone),
				      DB_INT(now)),
			      &clients[i], e))
			return -1;
	}
	return demo_appointments(c, account_id, k, svc, nsvc, staff, nstaff, clients, now, e);
}

/* ---- clearing the demo ---- */

/* The business's own records that use a demo record: its appointments (any status) and their
 * blocks. The store refuses to delete what they reference. */
#define USED_BY_OWN(col)                                                                                     \
	" AND id IN (SELECT " col " FROM appointments WHERE account_id = $1 AND is_demo = 0"                 \
	" UNION SELECT " col " FROM blocks WHERE account_id = $1 AND is_demo = 0)"

static const struct {
	const char *key, *names, *keep;
} used[] = {
	{"staff",
	 "SELECT name FROM staff WHERE account_id = $1 AND is_demo = 1" USED_BY_OWN(
		 "staff_id") " ORDER BY name",
	 "UPDATE staff SET is_demo = 0 WHERE account_id = $1 AND is_demo = 1" USED_BY_OWN("staff_id")},
	{"services",
	 "SELECT name FROM services WHERE account_id = $1 AND is_demo = 1" USED_BY_OWN(
		 "service_id") " ORDER BY name",
	 "UPDATE services SET is_demo = 0 WHERE account_id = $1 AND is_demo = 1" USED_BY_OWN("service_id")},
	{"clients",
	 "SELECT first_name || ' ' || last_name FROM clients WHERE account_id = $1 AND is_demo = 1"
	 " AND id IN (SELECT client_id FROM appointments WHERE account_id = $1 AND is_demo = 0) ORDER BY 1",
	 "UPDATE clients SET is_demo = 0 WHERE account_id = $1 AND is_demo = 1"
	 " AND id IN (SELECT client_id FROM appointments WHERE account_id = $1 AND is_demo = 0)"},
};

/* What a kept staff member or service needs to go on working as before. */
static const char *const kept_with[] = {
	"UPDATE staff_hours SET is_demo = 0 WHERE account_id = $1 AND is_demo = 1"
	" AND staff_id IN (SELECT id FROM staff WHERE account_id = $1 AND is_demo = 0)",
	"UPDATE staff_exceptions SET is_demo = 0 WHERE account_id = $1 AND is_demo = 1"
	" AND staff_id IN (SELECT id FROM staff WHERE account_id = $1 AND is_demo = 0)",
	"UPDATE service_questions SET is_demo = 0 WHERE account_id = $1 AND is_demo = 1"
	" AND service_id IN (SELECT id FROM services WHERE account_id = $1 AND is_demo = 0)",
	"UPDATE service_staff SET is_demo = 0 WHERE account_id = $1 AND is_demo = 1"
	" AND service_id IN (SELECT id FROM services WHERE account_id = $1 AND is_demo = 0)"
	" AND staff_id IN (SELECT id FROM staff WHERE account_id = $1 AND is_demo = 0)",
};

/* demo_keeper: a demo staff member, service or client that one of the business's own
 * appointments uses (a booking made while trying Créneau with the sample staff) is kept as
 * the business's own when it clears the demo, with its hours, exceptions, questions and
 * links to what stays; everything else of the demo goes. */
static int setup_demo_keep(db_conn *c, int64_t account_id, json_t *kept, struct err *e)
{
	size_t total = 0;
	for (size_t i = 0; i < sizeof(used) / sizeof(used[0]); i++) {
		db_rows *r;
		if (db_query(c, used[i].names, DB_ARGS(DB_INT(account_id)), &r, e))
			return -1;
		json_t *names = json_array();
		int rc;
		while ((rc = db_rows_next(r, e)) > 0)
			json_array_append_new(names, json_string(db_rows_text(r, 0)));
		db_rows_free(r);
		size_t n = json_array_size(names);
		json_object_set_new(kept, used[i].key, names);
		if (rc < 0 || (n && db_exec(c, used[i].keep, DB_ARGS(DB_INT(account_id)), e) < 0))
			return -1;
		total += n;
	}
	for (size_t i = 0; total && i < sizeof(kept_with) / sizeof(kept_with[0]); i++)
		if (db_exec(c, kept_with[i], DB_ARGS(DB_INT(account_id)), e) < 0)
			return -1;
	return 0;
}

void setup_register(void)
{
	static const struct {
		const char *name;
		enum demo_rank rank;
	} tables[] = {
		{"appointment_answers", DEMO_RANK_DETAILS},
		{"appointments", DEMO_RANK_APPOINTMENTS},
		{"blocks", DEMO_RANK_BLOCKS},
		{"service_questions", DEMO_RANK_SETUP_LINKS},
		{"service_staff", DEMO_RANK_SETUP_LINKS},
		{"staff_hours", DEMO_RANK_SETUP_LINKS},
		{"staff_exceptions", DEMO_RANK_SETUP_LINKS},
		{"services", DEMO_RANK_SETUP},
		{"staff", DEMO_RANK_SETUP},
		{"clients", DEMO_RANK_PEOPLE},
		{"closed_days", DEMO_RANK_ACCOUNT},
	};
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		demo_register_table(tables[i].name, tables[i].rank);
	demo_register_filler(setup_demo_fill);
	demo_register_keeper(setup_demo_keep);
}
