/* The scheduling set-up through HTTP: services, staff, weekly hours, date exceptions and
 * business-wide closed days (docs/internals/schedule.md). Writes are owners' (the routes carry
 * ROUTE_OWNER); a staff user reads the services and closed days, and only their own staff
 * record and hours. Every query filters on the session's account; an id of another account is
 * answered 404 like an unknown one. Changes of hours and exceptions answer with the booked
 * appointments they leave outside the openings (schedule/setup.h). */
#include <stdlib.h>
#include <string.h>

#include "app/api.h"
#include "app/api_handlers.h"
#include "base/clock.h"
#include "base/tz.h"
#include "schedule/holidays.h"
#include "schedule/setup.h"
#include "schedule/slots.h"
#include "base/banned.h"

#define SERVICES_MAX  500 /* services per account */
#define STAFF_MAX     200 /* staff records per account */
#define QUESTIONS_MAX 20  /* questions per service */
#define CHOICES_MAX   20  /* choices per question */
#define CHOICE_LEN    100 /* bytes per choice */
#define DAY_S	      86400LL

/* ---- shared helpers ---- */

static int is_owner(const struct http_req *req)
{
	return api_principal(req)->role == ROLE_OWNER;
}

/* The path parameter `name`, or NULL (then *e is a 404) when missing or not an id. */
static const char *path_id(struct http_req *req, const char *name, const char *what, struct err *e)
{
	const char *id = http_req_param(req, name);
	if (!id || !*id || strlen(id) >= 24) {
		err_set(e, 404, "not_found", NULL, "no such %s in this account", what);
		return NULL;
	}
	return id;
}

/* The internal id of the row of `table` (a name from code) with this public id in the account:
 * 0, or -1 with 404 (naming `field` when given). */
static int find_row(db_conn *c, const char *table, int64_t account_id, const char *pid, int64_t *id,
		    const char *what, const char *field, struct err *e)
{
	char sql[128];
	snprintf(sql, sizeof(sql), "SELECT id FROM %s WHERE account_id = $1 AND public_id = $2", table);
	int rc = db_query_int(c, sql, DB_ARGS(DB_INT(account_id), DB_TEXT(pid)), id, e);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return err_set(e, 404, "not_found", field, "no such %s in this account", what);
	return 0;
}

/* "#rrggbb" or "". */
static int color_check(const char *s, const char *field, struct err *e)
{
	if (!*s)
		return 0;
	if (strlen(s) != 7 || s[0] != '#' || strspn(s + 1, "0123456789abcdefABCDEF") != 6)
		return err_invalid(e, field, "%s must be a colour written #rrggbb", field);
	return 0;
}

/* Reads an optional text field only when present (PATCH leaves absent ones as they are). */
static int text_if(const json_t *body, const char *field, int nonempty, char *out, size_t max, struct err *e)
{
	if (!json_object_get(body, field))
		return 0;
	return api_string(body, field, nonempty, out, max, e);
}

static const struct tz *account_zone(struct http_req *req, struct err *e)
{
	return tz_get(api_account(req)->time_zone, e);
}

static json_t *conflicts_json(struct http_req *req, const struct setup_conflicts *k)
{
	json_t *a = json_array();
	for (int i = 0; i < k->n; i++)
		json_array_append_new(
			a, json_pack("{s:s, s:s, s:s}", "id", k->items[i].public_id, "starts_at",
				     api_time(req, api_account(req), k->items[i].starts_at), "ends_at",
				     api_time(req, api_account(req), k->items[i].ends_at)));
	return a;
}

/* ---- services ---- */

struct question {
	char pid[24];
	char label[301];
	char kind[8];
	char choices[CHOICES_MAX * (CHOICE_LEN + 8) + 8]; /* JSON text */
	int required;
};

struct service {
	int64_t id, version, created_at;
	char pid[24];
	int is_demo;
	char name[121], description[2001], category[61], color[8], currency[4];
	int64_t duration, price, before, after, capacity;
	int active;
	int resizable; /* the office may change an appointment's length */
	int64_t rule[4];
	int rule_null[4];
	int has_staff, nstaff;
	char staff[SLOTS_MAX_STAFF][24];
	int has_questions, nq;
	struct question q[QUESTIONS_MAX];
};

static const char *const rule_names[4] = {"min_notice_s", "horizon_s", "slot_step_min", "cancel_cutoff_s"};

/* Checks a booking rule's value: notice and cut-off 0..30 days, horizon 1 day..2 years, step 0
 * or 5..60 minutes. */
static int rule_check(int i, int64_t v, const char *field, struct err *e)
{
	int ok = i == 0 || i == 3 ? v >= 0 && v <= 30 * DAY_S
		 : i == 1	  ? v >= DAY_S && v <= 731 * DAY_S
				  : v == 0 || (v >= 5 && v <= 60);
	if (ok)
		return 0;
	static const char *const why[4] = {
		"0 to 2592000 seconds (30 days)", "86400 (1 day) to 63158400 seconds (2 years)",
		"0 (the service's duration) or 5 to 60 minutes", "0 to 2592000 seconds (30 days)"};
	return err_invalid(e, field, "%s must be %s", field, why[i]);
}

static const char service_columns[] =
	"id, public_id, name, description, category, color, duration_min, price_cents, currency,"
	" buffer_before_min, buffer_after_min, capacity, min_notice_s, horizon_s, slot_step_min, "
	"cancel_cutoff_s,"
	" active, is_demo, version, created_at, resizable";

static void service_read(db_rows *r, struct service *s)
{
	memset(s, 0, sizeof(*s));
	s->id = db_rows_int(r, 0);
	snprintf(s->pid, sizeof(s->pid), "%s", db_rows_text(r, 1));
	snprintf(s->name, sizeof(s->name), "%s", db_rows_text(r, 2));
	snprintf(s->description, sizeof(s->description), "%s", db_rows_text(r, 3));
	snprintf(s->category, sizeof(s->category), "%s", db_rows_text(r, 4));
	snprintf(s->color, sizeof(s->color), "%s", db_rows_text(r, 5));
	s->duration = db_rows_int(r, 6);
	s->price = db_rows_int(r, 7);
	snprintf(s->currency, sizeof(s->currency), "%s", db_rows_text(r, 8));
	s->before = db_rows_int(r, 9);
	s->after = db_rows_int(r, 10);
	s->capacity = db_rows_int(r, 11);
	for (int i = 0; i < 4; i++) {
		s->rule_null[i] = db_rows_is_null(r, 12 + i);
		s->rule[i] = s->rule_null[i] ? 0 : db_rows_int(r, 12 + i);
	}
	s->active = (int)db_rows_int(r, 16);
	s->is_demo = (int)db_rows_int(r, 17);
	s->version = db_rows_int(r, 18);
	s->created_at = db_rows_int(r, 19);
	s->resizable = (int)db_rows_int(r, 20);
}

/* Loads the service with public id pid: 1 found, 0 not, -1 error. */
static int service_load(db_conn *c, int64_t account_id, const char *pid, struct service *s, struct err *e)
{
	char sql[512];
	snprintf(sql, sizeof(sql), "SELECT %s FROM services WHERE account_id = $1 AND public_id = $2",
		 service_columns);
	db_rows *r;
	if (db_query(c, sql, DB_ARGS(DB_INT(account_id), DB_TEXT(pid)), &r, e))
		return -1;
	int rc = db_rows_next(r, e);
	if (rc == 1)
		service_read(r, s);
	db_rows_free(r);
	return rc;
}

/* The service as the API shows it, with its staff and questions (two reads). */
static json_t *service_json(struct http_req *req, db_conn *c, int64_t account_id, const struct service *s,
			    struct err *e)
{
	json_t *staff = json_array(), *questions = json_array();
	db_rows *r;
	int rc = db_query(
		c,
		"SELECT st.public_id FROM service_staff ss JOIN staff st ON st.account_id = ss.account_id"
		" AND st.id = ss.staff_id WHERE ss.account_id = $1 AND ss.service_id = $2"
		" ORDER BY st.position, st.id",
		DB_ARGS(DB_INT(account_id), DB_INT(s->id)), &r, e);
	if (!rc) {
		while ((rc = db_rows_next(r, e)) == 1)
			json_array_append_new(staff, json_string(db_rows_text(r, 0)));
		db_rows_free(r);
	}
	if (rc >= 0)
		rc = db_query(c,
			      "SELECT public_id, label, kind, choices, required FROM service_questions WHERE "
			      "account_id"
			      " = $1 AND service_id = $2 ORDER BY position, id",
			      DB_ARGS(DB_INT(account_id), DB_INT(s->id)), &r, e);
	if (rc >= 0) {
		while ((rc = db_rows_next(r, e)) == 1) {
			json_t *choices = json_loads(db_rows_text(r, 3), 0, NULL);
			json_array_append_new(
				questions, json_pack("{s:s, s:s, s:s, s:o, s:b}", "id", db_rows_text(r, 0),
						     "label", db_rows_text(r, 1), "kind", db_rows_text(r, 2),
						     "choices", choices ? choices : json_array(), "required",
						     (int)db_rows_int(r, 4)));
		}
		db_rows_free(r);
	}
	if (rc < 0) {
		json_decref(staff);
		json_decref(questions);
		return NULL;
	}
	json_t *j = json_pack(
		"{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:s, s:I, s:I, s:I, s:b, s:b, s:I, s:s, s:o, s:o}", "id",
		s->pid, "name", s->name, "description", s->description, "category", s->category, "color",
		s->color, "duration_min", (json_int_t)s->duration, "price_cents", (json_int_t)s->price,
		"currency", s->currency, "buffer_before_min", (json_int_t)s->before, "buffer_after_min",
		(json_int_t)s->after, "capacity", (json_int_t)s->capacity, "active", s->active, "is_demo",
		s->is_demo, "version", (json_int_t)s->version, "created_at",
		api_time(req, api_account(req), s->created_at), "staff", staff, "questions", questions);
	for (int i = 0; i < 4; i++)
		json_object_set_new(j, rule_names[i],
				    s->rule_null[i] ? json_null() : json_integer(s->rule[i]));
	json_object_set_new(j, "resizable", json_boolean(s->resizable));
	return j;
}

static int question_parse(const json_t *v, int i, struct question *q, struct err *e)
{
	static const char *const fields[] = {"id", "label", "kind", "choices", "required", NULL};
	char f[48];
	memset(q, 0, sizeof(*q));
	if (!json_is_object(v)) {
		snprintf(f, sizeof(f), "questions[%d]", i);
		return err_invalid(e, f, "%s must be an object", f);
	}
	struct err fe = {0};
	const char *sub = NULL;
	char choices_field[48];
	snprintf(choices_field, sizeof(choices_field), "questions[%d].choices", i);
	if (api_only_fields(v, fields, &fe) || api_string(v, "id", 0, q->pid, sizeof(q->pid) - 1, &fe) ||
	    api_string(v, "label", 1, q->label, sizeof(q->label) - 1, &fe) ||
	    api_string(v, "kind", 1, q->kind, sizeof(q->kind) - 1, &fe) ||
	    api_bool(v, "required", 0, 0, &q->required, &fe))
		sub = fe.field;
	else if (strcmp(q->kind, "text") && strcmp(q->kind, "choice") && strcmp(q->kind, "yesno"))
		sub = "kind", err_invalid(&fe, "kind", "kind must be text, choice or yesno");
	if (sub) {
		snprintf(f, sizeof(f), "questions[%d].%.20s", i, sub);
		return err_set(e, fe.status, fe.code, f, "%s", fe.message);
	}
	json_t *ch = json_object_get(v, "choices");
	int is_choice = !strcmp(q->kind, "choice");
	if (ch && !json_is_null(ch) && !json_is_array(ch))
		return err_invalid(e, choices_field, "%s must be a list", choices_field);
	size_t n = json_array_size(ch);
	if (is_choice && (n < 2 || n > CHOICES_MAX))
		return err_invalid(e, choices_field, "a choice question needs 2 to %d choices", CHOICES_MAX);
	if (!is_choice && n)
		return err_invalid(e, choices_field, "only a choice question has choices");
	json_t *clean = json_array();
	for (size_t k = 0; k < n; k++) {
		json_t *c = json_array_get(ch, k);
		if (!json_is_string(c) || !json_string_length(c) || json_string_length(c) > CHOICE_LEN) {
			json_decref(clean);
			snprintf(f, sizeof(f), "questions[%d].choices[%d]", i, (int)k);
			return err_invalid(e, f, "each choice is a text of 1 to %d bytes", CHOICE_LEN);
		}
		json_array_append(clean, c);
	}
	char *text = json_dumps(clean, JSON_COMPACT);
	json_decref(clean);
	snprintf(q->choices, sizeof(q->choices), "%s", text ? text : "[]");
	free(text);
	return 0;
}

/* Overlays the fields present in body onto *s (defaults or the stored service). */
/* The optional `version` of a create (refused: 400 `unknown_field`) or a change (409
 * `stale_version` when it is not `current`, the stored one). */
static int version_check(const json_t *body, int creating, int64_t current, struct err *e)
{
	if (!json_object_get(body, "version"))
		return 0;
	if (creating)
		return err_set(e, 400, "unknown_field", "version", "version is only for changes");
	int64_t v = 0;
	if (api_int(body, "version", 0, 0, 1, INT64_MAX, &v, e))
		return -1;
	if (v != current)
		return err_set(e, 409, "stale_version", "version",
			       "changed since it was read (now version %lld)", (long long)current);
	return 0;
}

static int service_parse(const json_t *body, int creating, struct service *s, struct err *e)
{
	static const char *const fields[] = {"name",
					     "description",
					     "category",
					     "color",
					     "duration_min",
					     "price_cents",
					     "buffer_before_min",
					     "buffer_after_min",
					     "capacity",
					     "active",
					     "resizable",
					     "min_notice_s",
					     "horizon_s",
					     "slot_step_min",
					     "cancel_cutoff_s",
					     "staff",
					     "questions",
					     "version",
					     NULL};
	if (api_only_fields(body, fields, e))
		return -1;
	if (creating && !json_object_get(body, "name"))
		return err_set(e, 400, "missing_field", "name", "name is required");
	if (text_if(body, "name", 1, s->name, sizeof(s->name) - 1, e) ||
	    text_if(body, "description", 0, s->description, sizeof(s->description) - 1, e) ||
	    text_if(body, "category", 0, s->category, sizeof(s->category) - 1, e) ||
	    text_if(body, "color", 0, s->color, sizeof(s->color) - 1, e) ||
	    color_check(s->color, "color", e) ||
	    api_int(body, "duration_min", creating, s->duration, 5, SLOTS_MAX_DURATION, &s->duration, e) ||
	    api_int(body, "price_cents", 0, s->price, 0, 100000000, &s->price, e) ||
	    api_int(body, "buffer_before_min", 0, s->before, 0, SLOTS_MAX_DURATION, &s->before, e) ||
	    api_int(body, "buffer_after_min", 0, s->after, 0, SLOTS_MAX_DURATION, &s->after, e) ||
	    api_int(body, "capacity", 0, s->capacity, 1, 500, &s->capacity, e) ||
	    api_bool(body, "active", 0, s->active, &s->active, e) ||
	    api_bool(body, "resizable", 0, s->resizable, &s->resizable, e))
		return -1;
	for (int i = 0; i < 4; i++) {
		json_t *v = json_object_get(body, rule_names[i]);
		if (!v)
			continue;
		if (json_is_null(v)) {
			s->rule_null[i] = 1;
			continue;
		}
		if (!json_is_integer(v))
			return err_invalid(e, rule_names[i], "%s must be a whole number or null",
					   rule_names[i]);
		if (rule_check(i, json_integer_value(v), rule_names[i], e))
			return -1;
		s->rule_null[i] = 0;
		s->rule[i] = json_integer_value(v);
	}
	json_t *staff = json_object_get(body, "staff");
	if (staff) {
		if (!json_is_array(staff) || json_array_size(staff) > SLOTS_MAX_STAFF)
			return err_invalid(e, "staff", "staff must be a list of at most %d staff ids",
					   SLOTS_MAX_STAFF);
		s->has_staff = 1;
		s->nstaff = (int)json_array_size(staff);
		for (int i = 0; i < s->nstaff; i++) {
			json_t *v = json_array_get(staff, (size_t)i);
			char f[32];
			snprintf(f, sizeof(f), "staff[%d]", i);
			if (!json_is_string(v) || !json_string_length(v) || json_string_length(v) >= 24)
				return err_invalid(e, f, "%s must be a staff id", f);
			snprintf(s->staff[i], 24, "%s", json_string_value(v));
		}
	}
	json_t *qs = json_object_get(body, "questions");
	if (qs) {
		if (!json_is_array(qs) || json_array_size(qs) > QUESTIONS_MAX)
			return err_invalid(e, "questions", "questions must be a list of at most %d questions",
					   QUESTIONS_MAX);
		s->has_questions = 1;
		s->nq = (int)json_array_size(qs);
		for (int i = 0; i < s->nq; i++)
			if (question_parse(json_array_get(qs, (size_t)i), i, &s->q[i], e))
				return -1;
	}
	return 0;
}

/* Replaces the staff list and the questions of service s when the input gave them. */
static int service_children(db_conn *c, int64_t account_id, const struct service *s, struct err *e)
{
	if (s->has_staff) {
		int64_t ids[SLOTS_MAX_STAFF];
		for (int i = 0; i < s->nstaff; i++) {
			char f[32];
			snprintf(f, sizeof(f), "staff[%d]", i);
			if (find_row(c, "staff", account_id, s->staff[i], &ids[i], "staff member", f, e))
				return -1;
		}
		if (db_exec(c, "DELETE FROM service_staff WHERE account_id = $1 AND service_id = $2",
			    DB_ARGS(DB_INT(account_id), DB_INT(s->id)), e) < 0)
			return -1;
		for (int i = 0; i < s->nstaff; i++)
			if (db_exec(c,
				    "INSERT INTO service_staff (account_id, service_id, staff_id, is_demo) "
				    "VALUES ($1, $2,"
				    " $3, $4) ON CONFLICT (account_id, service_id, staff_id) DO NOTHING",
				    DB_ARGS(DB_INT(account_id), DB_INT(s->id), DB_INT(ids[i]),
					    DB_INT(s->is_demo)),
				    e) < 0)
				return -1;
	}
	if (!s->has_questions)
		return 0;
	int64_t kept[QUESTIONS_MAX];
	for (int i = 0; i < s->nq; i++) {
		const struct question *q = &s->q[i];
		if (q->pid[0]) {
			char f[32];
			snprintf(f, sizeof(f), "questions[%d].id", i);
			int rc = db_query_int(
				c,
				"SELECT id FROM service_questions WHERE account_id = $1 AND service_id = $2"
				" AND public_id = $3",
				DB_ARGS(DB_INT(account_id), DB_INT(s->id), DB_TEXT(q->pid)), &kept[i], e);
			if (rc <= 0)
				return rc < 0 ? -1
					      : err_set(e, 404, "not_found", f,
							"no such question in this service");
			if (db_exec(c,
				    "UPDATE service_questions SET label = $3, kind = $4, choices = $5, "
				    "required = $6,"
				    " position = $7 WHERE account_id = $1 AND id = $2",
				    DB_ARGS(DB_INT(account_id), DB_INT(kept[i]), DB_TEXT(q->label),
					    DB_TEXT(q->kind), DB_TEXT(q->choices), DB_INT(q->required),
					    DB_INT(i)),
				    e) < 0)
				return -1;
		} else {
			char pid[24];
			public_id_new("qst", pid);
			int rc = db_query_int(
				c,
				"INSERT INTO service_questions (account_id, service_id, public_id, position,"
				" label, kind, choices, required, is_demo) VALUES ($1, $2, $3, $4, $5, $6, "
				"$7,"
				" $8, $9) RETURNING id",
				DB_ARGS(DB_INT(account_id), DB_INT(s->id), DB_TEXT(pid), DB_INT(i),
					DB_TEXT(q->label), DB_TEXT(q->kind), DB_TEXT(q->choices),
					DB_INT(q->required), DB_INT(s->is_demo)),
				&kept[i], e);
			if (rc != 1)
				return rc < 0 ? -1 : err_internal(e, "question insert returned nothing");
		}
	}
	/* questions left out are removed (their answers with them) */
	db_rows *r;
	int64_t drop[64];
	int ndrop = 0, rc;
	if (db_query(c, "SELECT id FROM service_questions WHERE account_id = $1 AND service_id = $2",
		     DB_ARGS(DB_INT(account_id), DB_INT(s->id)), &r, e))
		return -1;
	while ((rc = db_rows_next(r, e)) == 1 && ndrop < 64) {
		int64_t id = db_rows_int(r, 0);
		int keep = 0;
		for (int i = 0; i < s->nq && !keep; i++)
			keep = kept[i] == id;
		if (!keep)
			drop[ndrop++] = id;
	}
	db_rows_free(r);
	if (rc < 0)
		return -1;
	for (int i = 0; i < ndrop; i++)
		if (db_exec(c, "DELETE FROM service_questions WHERE account_id = $1 AND id = $2",
			    DB_ARGS(DB_INT(account_id), DB_INT(drop[i])), e) < 0)
			return -1;
	return 0;
}

struct service_ctx {
	struct http_req *req;
	const json_t *body;
	const char *pid; /* PATCH/DELETE */
	struct service *s;
	json_t *out;
	int deleted;
};

static int service_write(db_conn *c, struct service_ctx *x, int creating, struct err *e)
{
	struct service *s = x->s;
	int64_t account_id = api_account(x->req)->id, now = clock_now();
	db_param rules[4];
	for (int i = 0; i < 4; i++)
		rules[i] = s->rule_null[i] ? DB_NULL : DB_INT(s->rule[i]);
	if (creating) {
		int64_t n = 0;
		if (db_query_int(c, "SELECT count(*) FROM services WHERE account_id = $1",
				 DB_ARGS(DB_INT(account_id)), &n, e) < 0)
			return -1;
		if (n >= SERVICES_MAX)
			return err_set(e, 422, "too_many_services", NULL, "at most %d services per business",
				       SERVICES_MAX);
		public_id_new("svc", s->pid);
		int rc = db_query_int(
			c,
			"INSERT INTO services (account_id, public_id, name, description, category, color,"
			" duration_min, price_cents, buffer_before_min, buffer_after_min, capacity,"
			" min_notice_s, horizon_s, slot_step_min, cancel_cutoff_s, active, position,"
			" created_at, updated_at, resizable) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,"
			" $11, $12, $13, $14, $15, $16, $17, $18, $18, $19) RETURNING id",
			DB_ARGS(DB_INT(account_id), DB_TEXT(s->pid), DB_TEXT(s->name),
				DB_TEXT(s->description), DB_TEXT(s->category), DB_TEXT(s->color),
				DB_INT(s->duration), DB_INT(s->price), DB_INT(s->before), DB_INT(s->after),
				DB_INT(s->capacity), rules[0], rules[1], rules[2], rules[3],
				DB_INT(s->active), DB_INT(n), DB_INT(now), DB_INT(s->resizable)),
			&s->id, e);
		if (rc != 1)
			return rc < 0 ? -1 : err_internal(e, "service insert returned nothing");
	} else if (db_exec(c,
			   "UPDATE services SET name = $3, description = $4, category = $5, color = $6,"
			   " duration_min = $7, price_cents = $8, buffer_before_min = $9, buffer_after_min = "
			   "$10,"
			   " capacity = $11, min_notice_s = $12, horizon_s = $13, slot_step_min = $14,"
			   " cancel_cutoff_s = $15, active = $16, version = version + 1, updated_at = $17,"
			   " resizable = $18 WHERE account_id = $1 AND id = $2",
			   DB_ARGS(DB_INT(account_id), DB_INT(s->id), DB_TEXT(s->name),
				   DB_TEXT(s->description), DB_TEXT(s->category), DB_TEXT(s->color),
				   DB_INT(s->duration), DB_INT(s->price), DB_INT(s->before), DB_INT(s->after),
				   DB_INT(s->capacity), rules[0], rules[1], rules[2], rules[3],
				   DB_INT(s->active), DB_INT(now), DB_INT(s->resizable)),
			   e) < 0)
		return -1;
	if (service_children(c, account_id, s, e) || service_load(c, account_id, s->pid, s, e) != 1)
		return -1;
	x->out = service_json(x->req, c, account_id, s, e);
	return x->out ? 0 : -1;
}

static int service_create_tx(db_conn *c, void *ctx, struct err *e)
{
	struct service_ctx *x = ctx;
	memset(x->s, 0, sizeof(*x->s));
	x->s->capacity = 1;
	x->s->active = 1;
	for (int i = 0; i < 4; i++)
		x->s->rule_null[i] = 1;
	snprintf(x->s->currency, sizeof(x->s->currency), "EUR");
	if (version_check(x->body, 1, 0, e) || service_parse(x->body, 1, x->s, e))
		return -1;
	return service_write(c, x, 1, e);
}

static int service_patch_tx(db_conn *c, void *ctx, struct err *e)
{
	struct service_ctx *x = ctx;
	int rc = service_load(c, api_account(x->req)->id, x->pid, x->s, e);
	if (rc <= 0)
		return rc < 0 ? -1 : err_set(e, 404, "not_found", NULL, "no such service in this account");
	if (version_check(x->body, 0, x->s->version, e) || service_parse(x->body, 0, x->s, e))
		return -1;
	return service_write(c, x, 0, e);
}

int handle_services_list(struct http_req *req, struct http_resp *resp, struct err *e)
{
	int64_t account_id = api_account(req)->id;
	char sql[512];
	snprintf(sql, sizeof(sql),
		 "SELECT %s FROM services WHERE account_id = $1 ORDER BY position, id LIMIT %d",
		 service_columns, SERVICES_MAX);
	db_conn *c;
	if (db_acquire(api_app(req)->db, &c, e))
		return -1;
	struct service *s = arena_alloc(http_req_arena(req), sizeof(*s));
	json_t *list = json_array();
	db_rows *r;
	int rc = db_query(c, sql, DB_ARGS(DB_INT(account_id)), &r, e);
	/* the rows first, then each one's staff and questions (no nested statements) */
	if (!rc) {
		json_t *rows = json_array();
		while ((rc = db_rows_next(r, e)) == 1) {
			service_read(r, s);
			json_array_append_new(rows, json_pack("{s:s}", "pid", s->pid));
		}
		db_rows_free(r);
		size_t i;
		json_t *v;
		json_array_foreach(rows, i, v)
		{
			if (rc < 0)
				break;
			int found = service_load(c, account_id, json_string_value(json_object_get(v, "pid")),
						 s, e);
			json_t *j = found == 1 ? service_json(req, c, account_id, s, e) : NULL;
			if (found < 0 || (found == 1 && !j))
				rc = -1;
			else if (j)
				json_array_append_new(list, j);
		}
		json_decref(rows);
	}
	db_release(c);
	if (rc < 0) {
		json_decref(list);
		return -1;
	}
	http_resp_json(resp, 200, json_pack("{s:o}", "services", list));
	return 0;
}

int handle_services_create(struct http_req *req, struct http_resp *resp, struct err *e)
{
	struct service_ctx x = {.req = req, .s = arena_alloc(http_req_arena(req), sizeof(struct service))};
	if (!(x.body = http_req_json(req, e)))
		return -1;
	if (api_transact(req, service_create_tx, &x, e)) {
		json_decref(x.out); /* built before a failed commit */
		return -1;
	}
	http_resp_json(resp, 201, json_pack("{s:o}", "service", x.out));
	return 0;
}

int handle_services_get(struct http_req *req, struct http_resp *resp, struct err *e)
{
	const char *pid = path_id(req, "id", "service", e);
	if (!pid)
		return -1;
	struct service *s = arena_alloc(http_req_arena(req), sizeof(*s));
	db_conn *c;
	if (db_acquire(api_app(req)->db, &c, e))
		return -1;
	int rc = service_load(c, api_account(req)->id, pid, s, e);
	json_t *j = rc == 1 ? service_json(req, c, api_account(req)->id, s, e) : NULL;
	db_release(c);
	if (rc == 0)
		return err_set(e, 404, "not_found", NULL, "no such service in this account");
	if (!j)
		return -1;
	http_resp_json(resp, 200, json_pack("{s:o}", "service", j));
	return 0;
}

int handle_services_patch(struct http_req *req, struct http_resp *resp, struct err *e)
{
	struct service_ctx x = {.req = req, .s = arena_alloc(http_req_arena(req), sizeof(struct service))};
	if (!(x.pid = path_id(req, "id", "service", e)) || !(x.body = http_req_json(req, e)))
		return -1;
	if (api_transact(req, service_patch_tx, &x, e)) {
		json_decref(x.out); /* built before a failed commit */
		return -1;
	}
	http_resp_json(resp, 200, json_pack("{s:o}", "service", x.out));
	return 0;
}

static int service_delete_tx(db_conn *c, void *ctx, struct err *e)
{
	struct service_ctx *x = ctx;
	int64_t account_id = api_account(x->req)->id, id, used = 0;
	if (find_row(c, "services", account_id, x->pid, &id, "service", NULL, e) ||
	    db_query_int(c,
			 "SELECT (SELECT count(*) FROM blocks WHERE account_id = $1 AND service_id = $2) +"
			 " (SELECT count(*) FROM appointments WHERE account_id = $1 AND service_id = $2)",
			 DB_ARGS(DB_INT(account_id), DB_INT(id)), &used, e) < 0)
		return -1;
	x->deleted = used == 0;
	if (used)
		return db_exec(c,
			       "UPDATE services SET active = 0, version = version + 1, updated_at = $3 WHERE "
			       "account_id"
			       " = $1 AND id = $2",
			       DB_ARGS(DB_INT(account_id), DB_INT(id), DB_INT(clock_now())), e) < 0
			       ? -1
			       : 0;
	return db_exec(c, "DELETE FROM services WHERE account_id = $1 AND id = $2",
		       DB_ARGS(DB_INT(account_id), DB_INT(id)), e) < 0
		       ? -1
		       : 0;
}

int handle_services_delete(struct http_req *req, struct http_resp *resp, struct err *e)
{
	struct service_ctx x = {.req = req};
	if (!(x.pid = path_id(req, "id", "service", e)) || api_transact(req, service_delete_tx, &x, e))
		return -1;
	/* a service that appointments name is kept, inactive, so their history stays whole */
	http_resp_json(resp, 200, json_pack("{s:b, s:b}", "deleted", x.deleted, "active", 0));
	return 0;
}

/* ---- staff ---- */

struct staff {
	int64_t id, user_id, version, created_at;
	char pid[24], user_pid[24];
	char name[121], email[256], phone[41], color[8];
	int bookable, active, is_demo;
	int has_user; /* PATCH: "user" given (user_pid "" = unlink) */
};

static const char staff_select[] =
	"SELECT s.id, s.public_id, s.name, s.email, s.phone, s.color, s.user_id, u.public_id, s.bookable,"
	" s.active, s.is_demo, s.version, s.created_at FROM staff s LEFT JOIN users u ON u.account_id ="
	" s.account_id AND u.id = s.user_id";

static void staff_read(db_rows *r, struct staff *s)
{
	memset(s, 0, sizeof(*s));
	s->id = db_rows_int(r, 0);
	snprintf(s->pid, sizeof(s->pid), "%s", db_rows_text(r, 1));
	snprintf(s->name, sizeof(s->name), "%s", db_rows_text(r, 2));
	snprintf(s->email, sizeof(s->email), "%s", db_rows_text(r, 3));
	snprintf(s->phone, sizeof(s->phone), "%s", db_rows_text(r, 4));
	snprintf(s->color, sizeof(s->color), "%s", db_rows_text(r, 5));
	s->user_id = db_rows_is_null(r, 6) ? 0 : db_rows_int(r, 6);
	snprintf(s->user_pid, sizeof(s->user_pid), "%s", db_rows_text(r, 7) ? db_rows_text(r, 7) : "");
	s->bookable = (int)db_rows_int(r, 8);
	s->active = (int)db_rows_int(r, 9);
	s->is_demo = (int)db_rows_int(r, 10);
	s->version = db_rows_int(r, 11);
	s->created_at = db_rows_int(r, 12);
}

static json_t *staff_json(struct http_req *req, const struct staff *s)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:s?, s:b, s:I, s:s}", "id", s->pid, "name",
			 s->name, "email", s->email, "phone", s->phone, "color", s->color, "bookable",
			 s->bookable, "active", s->active, "user", s->user_pid[0] ? s->user_pid : NULL,
			 "is_demo", s->is_demo, "version", (json_int_t)s->version, "created_at",
			 api_time(req, api_account(req), s->created_at));
}

/* Loads the staff member pid of the account: 1, 0 when none, -1 on error. */
static int staff_load(db_conn *c, int64_t account_id, const char *pid, struct staff *s, struct err *e)
{
	char sql[512];
	snprintf(sql, sizeof(sql), "%s WHERE s.account_id = $1 AND s.public_id = $2", staff_select);
	db_rows *r;
	if (db_query(c, sql, DB_ARGS(DB_INT(account_id), DB_TEXT(pid)), &r, e))
		return -1;
	int rc = db_rows_next(r, e);
	if (rc == 1)
		staff_read(r, s);
	db_rows_free(r);
	return rc;
}

/* The staff member of the path, as the principal may see it: owners any of the account,
 * staff users only the one linked to them (403 otherwise). 0 or -1. */
static int staff_of_path(struct http_req *req, db_conn *c, struct staff *s, struct err *e)
{
	const char *pid = path_id(req, "id", "staff member", e);
	if (!pid)
		return -1;
	int rc = staff_load(c, api_account(req)->id, pid, s, e);
	if (rc <= 0)
		return rc < 0 ? -1
			      : err_set(e, 404, "not_found", NULL, "no such staff member in this account");
	if (!is_owner(req) && s->user_id != api_principal(req)->user_id)
		return err_set(e, 403, "forbidden", NULL, "staff users see only their own agenda");
	return 0;
}

static int staff_parse(const json_t *body, int creating, struct staff *s, struct err *e)
{
	static const char *const fields[] = {"name",   "email", "phone",   "color", "bookable",
					     "active", "user",	"version", NULL};
	if (api_only_fields(body, fields, e))
		return -1;
	if (creating && !json_object_get(body, "name"))
		return err_set(e, 400, "missing_field", "name", "name is required");
	char raw[300] = "";
	int has_email = json_object_get(body, "email") != NULL;
	if (text_if(body, "name", 1, s->name, sizeof(s->name) - 1, e) ||
	    text_if(body, "email", 0, raw, sizeof(raw) - 1, e) ||
	    text_if(body, "phone", 0, s->phone, sizeof(s->phone) - 1, e) ||
	    text_if(body, "color", 0, s->color, sizeof(s->color) - 1, e) ||
	    color_check(s->color, "color", e) ||
	    api_bool(body, "bookable", 0, s->bookable, &s->bookable, e) ||
	    api_bool(body, "active", 0, s->active, &s->active, e))
		return -1;
	if (has_email) {
		if (raw[0] && email_normalise(raw, s->email, "email", e))
			return -1;
		if (!raw[0])
			s->email[0] = '\0';
	}
	json_t *u = json_object_get(body, "user");
	if (u) {
		s->has_user = 1;
		if (json_is_null(u))
			s->user_pid[0] = '\0';
		else if (!json_is_string(u) || !json_string_length(u) || json_string_length(u) >= 24)
			return err_invalid(e, "user",
					   "user must be the id of a person of this business, or null");
		else
			snprintf(s->user_pid, sizeof(s->user_pid), "%s", json_string_value(u));
	}
	return 0;
}

struct staff_ctx {
	struct http_req *req;
	const json_t *body;
	const char *pid;
	struct staff s;
	int deleted;
};

/* The plan's limit on active bookable staff (demo rows never count); 0 or 422 `plan_limit`. */
static int staff_limit_check(db_conn *c, struct http_req *req, struct err *e)
{
	const struct plan *plan = plan_get(api_account(req)->plan);
	if (!plan || plan->staff_limit < 0)
		return 0;
	int64_t n = 0;
	if (db_query_int(
		    c,
		    "SELECT count(*) FROM staff WHERE account_id = $1 AND active = 1 AND bookable = 1 AND"
		    " is_demo = 0",
		    DB_ARGS(DB_INT(api_account(req)->id)), &n, e) < 0)
		return -1;
	if (n <= plan->staff_limit)
		return 0;
	return err_set(
		e, 422, "plan_limit", "bookable",
		"the %s plan allows %d bookable staff member%s: make another one not bookable or inactive,"
		" or change to a plan with more staff",
		plan->name, plan->staff_limit, plan->staff_limit > 1 ? "s" : "");
}

static int staff_write(db_conn *c, struct staff_ctx *x, int creating, int was_counted, struct err *e)
{
	struct staff *s = &x->s;
	int64_t account_id = api_account(x->req)->id, now = clock_now();
	if (s->has_user) {
		s->user_id = 0;
		if (s->user_pid[0]) {
			int64_t other = 0;
			if (find_row(c, "users", account_id, s->user_pid, &s->user_id, "person", "user", e))
				return -1;
			int rc = db_query_int(
				c,
				"SELECT count(*) FROM staff WHERE account_id = $1 AND user_id = $2 AND"
				" public_id <> $3",
				DB_ARGS(DB_INT(account_id), DB_INT(s->user_id), DB_TEXT(s->pid)), &other, e);
			if (rc < 0)
				return -1;
			if (other)
				return err_set(e, 409, "user_taken", "user",
					       "this person is already linked to another staff member");
		}
	}
	db_param user = s->user_id ? DB_INT(s->user_id) : DB_NULL;
	if (creating) {
		int64_t n = 0;
		if (db_query_int(c, "SELECT count(*) FROM staff WHERE account_id = $1",
				 DB_ARGS(DB_INT(account_id)), &n, e) < 0)
			return -1;
		if (n >= STAFF_MAX)
			return err_set(e, 422, "too_many_staff", NULL,
				       "at most %d staff records per business", STAFF_MAX);
		int rc = db_query_int(
			c,
			"INSERT INTO staff (account_id, public_id, name, email, phone, color, user_id,"
			" bookable, active, position, created_at, updated_at) VALUES ($1, $2, $3, $4, $5,"
			" $6, $7, $8, $9, $10, $11, $11) RETURNING id",
			DB_ARGS(DB_INT(account_id), DB_TEXT(s->pid), DB_TEXT(s->name), DB_TEXT(s->email),
				DB_TEXT(s->phone), DB_TEXT(s->color), user, DB_INT(s->bookable),
				DB_INT(s->active), DB_INT(n), DB_INT(now)),
			&s->id, e);
		if (rc != 1)
			return rc < 0 ? -1 : err_internal(e, "staff insert returned nothing");
	} else if (db_exec(c,
			   "UPDATE staff SET name = $3, email = $4, phone = $5, color = $6, user_id = $7, "
			   "bookable ="
			   " $8, active = $9, version = version + 1, updated_at = $10 WHERE account_id = $1 "
			   "AND id = $2",
			   DB_ARGS(DB_INT(account_id), DB_INT(s->id), DB_TEXT(s->name), DB_TEXT(s->email),
				   DB_TEXT(s->phone), DB_TEXT(s->color), user, DB_INT(s->bookable),
				   DB_INT(s->active), DB_INT(now)),
			   e) < 0)
		return -1;
	/* only a change that adds one to the count is refused: an account over its limit after a
	 * change of plan can still edit its staff */
	if (s->active && s->bookable && !s->is_demo && !was_counted && staff_limit_check(c, x->req, e))
		return -1;
	return staff_load(c, account_id, s->pid, s, e) == 1 ? 0 : -1;
}

static int staff_create_tx(db_conn *c, void *ctx, struct err *e)
{
	struct staff_ctx *x = ctx;
	memset(&x->s, 0, sizeof(x->s));
	x->s.bookable = x->s.active = 1;
	public_id_new("stf", x->s.pid);
	if (version_check(x->body, 1, 0, e) || staff_parse(x->body, 1, &x->s, e))
		return -1;
	return staff_write(c, x, 1, 0, e);
}

static int staff_patch_tx(db_conn *c, void *ctx, struct err *e)
{
	struct staff_ctx *x = ctx;
	int rc = staff_load(c, api_account(x->req)->id, x->pid, &x->s, e);
	if (rc <= 0)
		return rc < 0 ? -1
			      : err_set(e, 404, "not_found", NULL, "no such staff member in this account");
	int counted = x->s.active && x->s.bookable && !x->s.is_demo;
	if (version_check(x->body, 0, x->s.version, e) || staff_parse(x->body, 0, &x->s, e))
		return -1;
	return staff_write(c, x, 0, counted, e);
}

int handle_staff_list(struct http_req *req, struct http_resp *resp, struct err *e)
{
	char sql[600];
	int owner = is_owner(req);
	snprintf(sql, sizeof(sql), "%s WHERE s.account_id = $1%s ORDER BY s.position, s.id LIMIT %d",
		 staff_select, owner ? "" : " AND s.user_id = $2", STAFF_MAX);
	db_conn *c;
	db_rows *r;
	if (db_acquire(api_app(req)->db, &c, e))
		return -1;
	const db_param params[] = {DB_INT(api_account(req)->id), DB_INT(api_principal(req)->user_id)};
	int rc = db_query(c, sql, params, owner ? 1 : 2, &r, e);
	json_t *list = json_array();
	if (!rc) {
		struct staff s;
		while ((rc = db_rows_next(r, e)) == 1) {
			staff_read(r, &s);
			json_array_append_new(list, staff_json(req, &s));
		}
		db_rows_free(r);
	}
	db_release(c);
	if (rc < 0) {
		json_decref(list);
		return -1;
	}
	http_resp_json(resp, 200, json_pack("{s:o}", "staff", list));
	return 0;
}

int handle_staff_create(struct http_req *req, struct http_resp *resp, struct err *e)
{
	struct staff_ctx x = {.req = req};
	if (!(x.body = http_req_json(req, e)) || api_transact(req, staff_create_tx, &x, e))
		return -1;
	http_resp_json(resp, 201, json_pack("{s:o}", "staff", staff_json(req, &x.s)));
	return 0;
}

int handle_staff_get(struct http_req *req, struct http_resp *resp, struct err *e)
{
	struct staff s;
	db_conn *c;
	if (db_acquire(api_app(req)->db, &c, e))
		return -1;
	int rc = staff_of_path(req, c, &s, e);
	db_release(c);
	if (rc)
		return -1;
	http_resp_json(resp, 200, json_pack("{s:o}", "staff", staff_json(req, &s)));
	return 0;
}

int handle_staff_patch(struct http_req *req, struct http_resp *resp, struct err *e)
{
	struct staff_ctx x = {.req = req};
	if (!(x.pid = path_id(req, "id", "staff member", e)) || !(x.body = http_req_json(req, e)) ||
	    api_transact(req, staff_patch_tx, &x, e))
		return -1;
	http_resp_json(resp, 200, json_pack("{s:o}", "staff", staff_json(req, &x.s)));
	return 0;
}

static int staff_delete_tx(db_conn *c, void *ctx, struct err *e)
{
	struct staff_ctx *x = ctx;
	int64_t account_id = api_account(x->req)->id, id, used = 0;
	if (find_row(c, "staff", account_id, x->pid, &id, "staff member", NULL, e) ||
	    db_query_int(c,
			 "SELECT (SELECT count(*) FROM blocks WHERE account_id = $1 AND staff_id = $2) +"
			 " (SELECT count(*) FROM appointments WHERE account_id = $1 AND staff_id = $2)",
			 DB_ARGS(DB_INT(account_id), DB_INT(id)), &used, e) < 0)
		return -1;
	x->deleted = used == 0;
	if (used)
		return db_exec(c,
			       "UPDATE staff SET active = 0, version = version + 1, updated_at = $3 WHERE "
			       "account_id = $1"
			       " AND id = $2",
			       DB_ARGS(DB_INT(account_id), DB_INT(id), DB_INT(clock_now())), e) < 0
			       ? -1
			       : 0;
	return db_exec(c, "DELETE FROM staff WHERE account_id = $1 AND id = $2",
		       DB_ARGS(DB_INT(account_id), DB_INT(id)), e) < 0
		       ? -1
		       : 0;
}

int handle_staff_delete(struct http_req *req, struct http_resp *resp, struct err *e)
{
	struct staff_ctx x = {.req = req};
	if (!(x.pid = path_id(req, "id", "staff member", e)) || api_transact(req, staff_delete_tx, &x, e))
		return -1;
	http_resp_json(resp, 200, json_pack("{s:b, s:b}", "deleted", x.deleted, "active", 0));
	return 0;
}

/* ---- weekly hours ---- */

static const char *const day_keys[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

static json_t *ranges_json(const struct slots_range *r, int n)
{
	json_t *a = json_array();
	for (int i = 0; i < n; i++) {
		char s[6], t[6];
		setup_format_minutes(r[i].start, s);
		setup_format_minutes(r[i].end, t);
		json_array_append_new(a, json_pack("[s, s]", s, t));
	}
	return a;
}

static json_t *week_json(const struct slots_week *w)
{
	json_t *j = json_object();
	for (int d = 0; d < 7; d++)
		json_object_set_new(j, day_keys[d], ranges_json(w->ranges[d], w->count[d]));
	return j;
}

/* Reads a list of ["HH:MM", "HH:MM"] ranges at `base` ("hours.mon", "ranges"). */
static int ranges_parse(const json_t *v, const char *base, struct slots_range *out, int *n, struct err *e)
{
	if (!json_is_array(v))
		return err_invalid(e, base, "%s must be a list of [\"HH:MM\", \"HH:MM\"] ranges", base);
	if (json_array_size(v) > SLOTS_MAX_RANGES)
		return err_set(e, 400, "too_many_ranges", base, "at most %d ranges", SLOTS_MAX_RANGES);
	*n = (int)json_array_size(v);
	for (int i = 0; i < *n; i++) {
		json_t *p = json_array_get(v, (size_t)i);
		char f[64];
		snprintf(f, sizeof(f), "%s[%d]", base, i);
		if (!json_is_array(p) || json_array_size(p) != 2 || !json_is_string(json_array_get(p, 0)) ||
		    !json_is_string(json_array_get(p, 1)))
			return err_invalid(e, f, "%s must be [\"HH:MM\", \"HH:MM\"]", f);
		char fs[72], fe[72];
		snprintf(fs, sizeof(fs), "%s.start", f);
		snprintf(fe, sizeof(fe), "%s.end", f);
		if (slots_parse_time(json_string_value(json_array_get(p, 0)), 0, &out[i].start, e, fs) ||
		    slots_parse_time(json_string_value(json_array_get(p, 1)), 1, &out[i].end, e, fe))
			return -1;
	}
	return 0;
}

static int week_parse(const json_t *body, struct slots_week *w, struct err *e)
{
	static const char *const fields[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun", NULL};
	memset(w, 0, sizeof(*w));
	if (api_only_fields(body, fields, e))
		return -1;
	for (int d = 0; d < 7; d++) {
		json_t *v = json_object_get(body, day_keys[d]);
		char base[16];
		snprintf(base, sizeof(base), "hours.%s", day_keys[d]);
		if (v && !json_is_null(v) && ranges_parse(v, base, w->ranges[d], &w->count[d], e))
			return -1;
	}
	return slots_validate_week(w, "hours", e);
}

struct hours_ctx {
	struct http_req *req;
	const json_t *body;
	struct staff s;
	struct slots_week w;
	struct setup_conflicts *k;
};

/* Lists the conflicts of x->s after a change (in the same transaction). */
static int hours_conflicts(db_conn *c, struct hours_ctx *x, struct err *e)
{
	const struct tz *z = account_zone(x->req, e);
	return z ? setup_conflicts(c, api_account(x->req)->id, x->s.id, z, clock_now(), x->k, e) : -1;
}

static int hours_put_tx(db_conn *c, void *ctx, struct err *e)
{
	struct hours_ctx *x = ctx;
	int64_t account_id = api_account(x->req)->id;
	if (staff_of_path(x->req, c, &x->s, e) || week_parse(x->body, &x->w, e))
		return -1;
	if (db_exec(c, "DELETE FROM staff_hours WHERE account_id = $1 AND staff_id = $2",
		    DB_ARGS(DB_INT(account_id), DB_INT(x->s.id)), e) < 0)
		return -1;
	for (int d = 0; d < 7; d++)
		for (int i = 0; i < x->w.count[d]; i++)
			if (db_exec(c,
				    "INSERT INTO staff_hours (account_id, staff_id, weekday, start_min, "
				    "end_min, is_demo)"
				    " VALUES ($1, $2, $3, $4, $5, $6)",
				    DB_ARGS(DB_INT(account_id), DB_INT(x->s.id), DB_INT(d + 1),
					    DB_INT(x->w.ranges[d][i].start), DB_INT(x->w.ranges[d][i].end),
					    DB_INT(x->s.is_demo)),
				    e) < 0)
				return -1;
	return setup_load_week(c, account_id, x->s.id, &x->w, e) || hours_conflicts(c, x, e);
}

int handle_staff_hours_get(struct http_req *req, struct http_resp *resp, struct err *e)
{
	struct hours_ctx x = {.req = req};
	db_conn *c;
	if (db_acquire(api_app(req)->db, &c, e))
		return -1;
	int rc = staff_of_path(req, c, &x.s, e) || setup_load_week(c, api_account(req)->id, x.s.id, &x.w, e);
	db_release(c);
	if (rc)
		return -1;
	http_resp_json(resp, 200, json_pack("{s:o}", "hours", week_json(&x.w)));
	return 0;
}

int handle_staff_hours_put(struct http_req *req, struct http_resp *resp, struct err *e)
{
	struct hours_ctx x = {.req = req,
			      .k = arena_alloc(http_req_arena(req), sizeof(struct setup_conflicts))};
	if (!(x.body = http_req_json(req, e)) || api_transact(req, hours_put_tx, &x, e))
		return -1;
	http_resp_json(resp, 200,
		       json_pack("{s:o, s:o, s:i}", "hours", week_json(&x.w), "conflicts",
				 conflicts_json(req, x.k), "conflicts_total", x.k->total));
	return 0;
}

/* ---- date exceptions ---- */

static const char *kind_code(enum slots_exception_kind k)
{
	return k == SLOTS_DAY_OFF ? "off" : k == SLOTS_HOURS ? "hours" : "extra";
}

static json_t *exception_row_json(db_rows *r, struct err *e)
{
	struct slots_range ranges[SLOTS_MAX_RANGES];
	int n = setup_ranges_parse(db_rows_text(r, 4), ranges, SLOTS_MAX_RANGES, e);
	if (n < 0)
		return NULL;
	return json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:b}", "id", db_rows_text(r, 0), "kind",
			 db_rows_text(r, 1), "from", db_rows_text(r, 2), "to", db_rows_text(r, 3), "ranges",
			 ranges_json(ranges, n), "note", db_rows_text(r, 5), "is_demo",
			 (int)db_rows_int(r, 6));
}

static const char exception_select[] =
	"SELECT public_id, kind, from_date, to_date, ranges, note, is_demo FROM"
	" staff_exceptions WHERE account_id = $1 AND staff_id = $2";

struct exception_ctx {
	struct hours_ctx h;
	const char *exception_pid;
	json_t *out;
};

static int exception_parse(const json_t *body, const struct tz *z, struct slots_exception *x, char *note,
			   struct err *e)
{
	static const char *const fields[] = {"kind", "from", "to", "ranges", "note", NULL};
	char kind[8], from[16], to[16];
	struct civil cf, ct;
	memset(x, 0, sizeof(*x));
	if (api_only_fields(body, fields, e) || api_string(body, "kind", 1, kind, sizeof(kind) - 1, e) ||
	    api_string(body, "from", 1, from, sizeof(from) - 1, e) ||
	    api_string(body, "to", 0, to, sizeof(to) - 1, e) || api_string(body, "note", 0, note, 500, e))
		return -1;
	if (!strcmp(kind, "off"))
		x->kind = SLOTS_DAY_OFF;
	else if (!strcmp(kind, "hours"))
		x->kind = SLOTS_HOURS;
	else if (!strcmp(kind, "extra"))
		x->kind = SLOTS_EXTRA;
	else
		return err_invalid(e, "kind", "kind must be off, extra or hours");
	if (tz_parse_date(from, &cf, e, "from") || tz_parse_date(to[0] ? to : from, &ct, e, "to"))
		return -1;
	x->from = (struct slots_date){cf.year, cf.month, cf.day};
	x->to = (struct slots_date){ct.year, ct.month, ct.day};
	json_t *rv = json_object_get(body, "ranges");
	if (rv && !json_is_null(rv) && ranges_parse(rv, "ranges", x->ranges, &x->count, e))
		return -1;
	if (x->kind == SLOTS_DAY_OFF && x->count)
		return err_invalid(e, "ranges", "a day off has no ranges");
	if (x->kind == SLOTS_EXTRA && !x->count)
		return err_set(e, 400, "missing_field", "ranges", "an extra opening needs its ranges");
	if (slots_validate_exception(z, x, "x", e)) {
		/* the body is flat: "x.ranges[0].start" is "ranges[0].start" */
		if (!strncmp(e->field, "x.", 2))
			memmove(e->field, e->field + 2, strlen(e->field + 2) + 1);
		else if (!strcmp(e->field, "x"))
			snprintf(e->field, sizeof(e->field), "from");
		return -1;
	}
	return 0;
}

static int exception_create_tx(db_conn *c, void *ctx, struct err *e)
{
	struct exception_ctx *x = ctx;
	int64_t account_id = api_account(x->h.req)->id, n = 0;
	struct slots_exception ex;
	char note[501];
	const struct tz *z = account_zone(x->h.req, e);
	if (!z || staff_of_path(x->h.req, c, &x->h.s, e) || exception_parse(x->h.body, z, &ex, note, e))
		return -1;
	if (db_query_int(c, "SELECT count(*) FROM staff_exceptions WHERE account_id = $1 AND staff_id = $2",
			 DB_ARGS(DB_INT(account_id), DB_INT(x->h.s.id)), &n, e) < 0)
		return -1;
	if (n >= SLOTS_MAX_EXCEPTIONS)
		return err_set(e, 422, "too_many_exceptions", NULL, "at most %d exceptions per staff member",
			       SLOTS_MAX_EXCEPTIONS);
	char ranges[SLOTS_MAX_RANGES * 16 + 4] = "[", pid[24], from[16], to[16];
	for (int i = 0; i < ex.count; i++) {
		size_t len = strlen(ranges);
		snprintf(ranges + len, sizeof(ranges) - len, "%s[%d,%d]", i ? "," : "", ex.ranges[i].start,
			 ex.ranges[i].end);
	}
	size_t len = strlen(ranges);
	snprintf(ranges + len, sizeof(ranges) - len, "]");
	snprintf(from, sizeof(from), "%04d-%02d-%02d", ex.from.year, ex.from.month, ex.from.day);
	snprintf(to, sizeof(to), "%04d-%02d-%02d", ex.to.year, ex.to.month, ex.to.day);
	public_id_new("exc", pid);
	if (db_exec(c,
		    "INSERT INTO staff_exceptions (account_id, staff_id, public_id, kind, from_date, "
		    "to_date, ranges,"
		    " note, is_demo) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
		    DB_ARGS(DB_INT(account_id), DB_INT(x->h.s.id), DB_TEXT(pid), DB_TEXT(kind_code(ex.kind)),
			    DB_TEXT(from), DB_TEXT(to), DB_TEXT(ranges), DB_TEXT(note),
			    DB_INT(x->h.s.is_demo)),
		    e) < 0)
		return -1;
	char sql[300];
	snprintf(sql, sizeof(sql), "%s AND public_id = $3", exception_select);
	db_rows *r;
	if (db_query(c, sql, DB_ARGS(DB_INT(account_id), DB_INT(x->h.s.id), DB_TEXT(pid)), &r, e))
		return -1;
	int rc = db_rows_next(r, e);
	x->out = rc == 1 ? exception_row_json(r, e) : NULL;
	db_rows_free(r);
	if (!x->out)
		return rc < 0 ? -1 : err_internal(e, "the new exception cannot be read back");
	return hours_conflicts(c, &x->h, e);
}

static int exception_delete_tx(db_conn *c, void *ctx, struct err *e)
{
	struct exception_ctx *x = ctx;
	if (staff_of_path(x->h.req, c, &x->h.s, e))
		return -1;
	int n = db_exec(
		c, "DELETE FROM staff_exceptions WHERE account_id = $1 AND staff_id = $2 AND public_id = $3",
		DB_ARGS(DB_INT(api_account(x->h.req)->id), DB_INT(x->h.s.id), DB_TEXT(x->exception_pid)), e);
	if (n < 0)
		return -1;
	if (n == 0)
		return err_set(e, 404, "not_found", NULL, "no such exception for this staff member");
	return hours_conflicts(c, &x->h, e);
}

int handle_staff_exceptions_list(struct http_req *req, struct http_resp *resp, struct err *e)
{
	struct staff s;
	db_conn *c;
	db_rows *r;
	if (db_acquire(api_app(req)->db, &c, e))
		return -1;
	json_t *list = json_array();
	char sql[300];
	snprintf(sql, sizeof(sql), "%s ORDER BY from_date, id LIMIT %d", exception_select,
		 SLOTS_MAX_EXCEPTIONS);
	int rc = staff_of_path(req, c, &s, e);
	if (!rc)
		rc = db_query(c, sql, DB_ARGS(DB_INT(api_account(req)->id), DB_INT(s.id)), &r, e);
	if (!rc) {
		while ((rc = db_rows_next(r, e)) == 1) {
			json_t *j = exception_row_json(r, e);
			if (!j) {
				rc = -1;
				break;
			}
			json_array_append_new(list, j);
		}
		db_rows_free(r);
	}
	db_release(c);
	if (rc < 0) {
		json_decref(list);
		return -1;
	}
	http_resp_json(resp, 200, json_pack("{s:o}", "exceptions", list));
	return 0;
}

int handle_staff_exceptions_create(struct http_req *req, struct http_resp *resp, struct err *e)
{
	struct exception_ctx x = {
		.h = {.req = req, .k = arena_alloc(http_req_arena(req), sizeof(struct setup_conflicts))}};
	if (!(x.h.body = http_req_json(req, e)) || api_transact(req, exception_create_tx, &x, e))
		return -1;
	http_resp_json(resp, 201,
		       json_pack("{s:o, s:o, s:i}", "exception", x.out, "conflicts",
				 conflicts_json(req, x.h.k), "conflicts_total", x.h.k->total));
	return 0;
}

int handle_staff_exceptions_delete(struct http_req *req, struct http_resp *resp, struct err *e)
{
	struct exception_ctx x = {
		.h = {.req = req, .k = arena_alloc(http_req_arena(req), sizeof(struct setup_conflicts))}};
	if (!(x.exception_pid = path_id(req, "exception_id", "exception", e)) ||
	    api_transact(req, exception_delete_tx, &x, e))
		return -1;
	http_resp_json(resp, 200,
		       json_pack("{s:o, s:i}", "conflicts", conflicts_json(req, x.h.k), "conflicts_total",
				 x.h.k->total));
	return 0;
}

/* ---- closed days ---- */

static json_t *closed_list(db_conn *c, int64_t account_id, struct err *e)
{
	db_rows *r;
	if (db_query(c,
		     "SELECT public_id, day, label, is_demo FROM closed_days WHERE account_id = $1 ORDER BY "
		     "day LIMIT $2",
		     DB_ARGS(DB_INT(account_id), DB_INT(SLOTS_MAX_CLOSED)), &r, e))
		return NULL;
	json_t *list = json_array();
	int rc;
	while ((rc = db_rows_next(r, e)) == 1)
		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:b}", "id", db_rows_text(r, 0), "day",
						      db_rows_text(r, 1), "label", db_rows_text(r, 2),
						      "is_demo", (int)db_rows_int(r, 3)));
	db_rows_free(r);
	if (rc < 0) {
		json_decref(list);
		return NULL;
	}
	return list;
}

int handle_closed_days_list(struct http_req *req, struct http_resp *resp, struct err *e)
{
	db_conn *c;
	if (db_acquire(api_app(req)->db, &c, e))
		return -1;
	json_t *list = closed_list(c, api_account(req)->id, e);
	db_release(c);
	if (!list)
		return -1;
	http_resp_json(resp, 200, json_pack("{s:o}", "closed_days", list));
	return 0;
}

struct closed_ctx {
	struct http_req *req;
	int64_t year; /* 0: one day */
	int alsace;
	char day[16], label[121], pid[24];
	int added;
	json_t *out;
};

static int closed_insert(db_conn *c, int64_t account_id, const char *day, const char *label, int ignore_dup,
			 struct err *e)
{
	int64_t n = 0;
	if (db_query_int(c, "SELECT count(*) FROM closed_days WHERE account_id = $1",
			 DB_ARGS(DB_INT(account_id)), &n, e) < 0)
		return -1;
	if (n >= SLOTS_MAX_CLOSED)
		return err_set(e, 422, "too_many_closed_days", NULL, "at most %d closed days per business",
			       SLOTS_MAX_CLOSED);
	char pid[24];
	public_id_new("cld", pid);
	int rc = db_exec(c,
			 ignore_dup ? "INSERT INTO closed_days (account_id, public_id, day, label) VALUES "
				      "($1, $2, $3, $4)"
				      " ON CONFLICT (account_id, day) DO NOTHING"
				    : "INSERT INTO closed_days (account_id, public_id, day, label) VALUES "
				      "($1, $2, $3, $4)",
			 DB_ARGS(DB_INT(account_id), DB_TEXT(pid), DB_TEXT(day), DB_TEXT(label)), e);
	if (rc == DB_CONFLICT && !strcmp(db_conflict_name(c), "closed_days_account_day"))
		return err_set(e, 409, "already_closed", "day", "this day is already a closed day");
	return rc;
}

static int closed_create_tx(db_conn *c, void *ctx, struct err *e)
{
	struct closed_ctx *x = ctx;
	int64_t account_id = api_account(x->req)->id;
	if (x->year) {
		struct holiday h[HOLIDAYS_MAX];
		int n = holidays_fr((int)x->year, x->alsace, h, e);
		if (n < 0)
			return -1;
		for (int i = 0; i < n; i++) {
			char day[16];
			snprintf(day, sizeof(day), "%04d-%02d-%02d", h[i].year, h[i].month, h[i].day);
			int rc = closed_insert(c, account_id, day, h[i].name_fr, 1, e);
			if (rc < 0)
				return -1;
			x->added += rc;
		}
	} else if (closed_insert(c, account_id, x->day, x->label, 0, e) < 0)
		return -1;
	x->out = closed_list(c, account_id, e);
	return x->out ? 0 : -1;
}

int handle_closed_days_create(struct http_req *req, struct http_resp *resp, struct err *e)
{
	static const char *const fields[] = {"day", "label", "holidays", "alsace_moselle", NULL};
	struct closed_ctx x = {.req = req};
	json_t *body = http_req_json(req, e);
	if (!body || api_only_fields(body, fields, e) ||
	    api_int(body, "holidays", 0, 0, HOLIDAYS_YEAR_MIN, HOLIDAYS_YEAR_MAX, &x.year, e) ||
	    api_bool(body, "alsace_moselle", 0, 0, &x.alsace, e))
		return -1;
	if (!x.year) {
		struct civil d;
		if (api_string(body, "day", 1, x.day, sizeof(x.day) - 1, e) ||
		    tz_parse_date(x.day, &d, e, "day") ||
		    api_string(body, "label", 0, x.label, sizeof(x.label) - 1, e))
			return -1;
		snprintf(x.day, sizeof(x.day), "%04d-%02d-%02d", d.year, d.month, d.day);
	}
	if (api_transact(req, closed_create_tx, &x, e))
		return -1;
	if (x.year) {
		http_resp_json(resp, 200, json_pack("{s:i, s:o}", "added", x.added, "closed_days", x.out));
		return 0;
	}
	json_t *one = NULL;
	size_t i;
	json_t *v;
	json_array_foreach(x.out, i, v) if (!strcmp(json_string_value(json_object_get(v, "day")), x.day))
		one = v;
	json_t *ans = json_pack("{s:O}", "closed_day", one ? one : json_null());
	json_decref(x.out);
	http_resp_json(resp, 201, ans);
	return 0;
}

static int closed_delete_tx(db_conn *c, void *ctx, struct err *e)
{
	struct closed_ctx *x = ctx;
	int n = db_exec(c, "DELETE FROM closed_days WHERE account_id = $1 AND public_id = $2",
			DB_ARGS(DB_INT(api_account(x->req)->id), DB_TEXT(x->pid)), e);
	if (n < 0)
		return -1;
	return n ? 0 : err_set(e, 404, "not_found", NULL, "no such closed day in this account");
}

int handle_closed_days_delete(struct http_req *req, struct http_resp *resp, struct err *e)
{
	struct closed_ctx x = {.req = req};
	const char *pid = path_id(req, "id", "closed day", e);
	if (!pid)
		return -1;
	snprintf(x.pid, sizeof(x.pid), "%s", pid);
	if (api_transact(req, closed_delete_tx, &x, e))
		return -1;
	http_resp_empty(resp, 204);
	return 0;
}

int handle_closed_days_holidays(struct http_req *req, struct http_resp *resp, struct err *e)
{
	const struct tz *z = account_zone(req, e);
	if (!z)
		return -1;
	struct civil now;
	tz_to_civil(z, clock_now(), &now);
	int year = now.year;
	const char *q = http_req_query(req, "year");
	if (q) {
		if (!*q || strlen(q) > 4 || strspn(q, "0123456789") != strlen(q))
			return err_set(e, 400, "invalid_year", "year", "year must be a year such as 2027");
		year = (int)strtol(q, NULL, 10);
	}
	const char *am = http_req_query(req, "alsace_moselle");
	struct holiday h[HOLIDAYS_MAX];
	int n = holidays_fr(year, am && (!strcmp(am, "1") || !strcmp(am, "true")), h, e);
	if (n < 0)
		return -1;
	char from[16], to[16];
	snprintf(from, sizeof(from), "%04d-01-01", year);
	snprintf(to, sizeof(to), "%04d-12-31", year);
	db_conn *c;
	db_rows *r;
	if (db_acquire(api_app(req)->db, &c, e))
		return -1;
	char closed[SLOTS_MAX_CLOSED > 400 ? 400 : SLOTS_MAX_CLOSED][11];
	int nclosed = 0;
	int rc = db_query(
		c, "SELECT day FROM closed_days WHERE account_id = $1 AND day >= $2 AND day <= $3 LIMIT 400",
		DB_ARGS(DB_INT(api_account(req)->id), DB_TEXT(from), DB_TEXT(to)), &r, e);
	if (!rc) {
		while ((rc = db_rows_next(r, e)) == 1 && nclosed < 400)
			snprintf(closed[nclosed++], 11, "%s", db_rows_text(r, 0));
		db_rows_free(r);
	}
	db_release(c);
	if (rc < 0)
		return -1;
	json_t *list = json_array();
	for (int i = 0; i < n; i++) {
		char day[16];
		snprintf(day, sizeof(day), "%04d-%02d-%02d", h[i].year, h[i].month, h[i].day);
		int is_closed = 0;
		for (int k = 0; k < nclosed && !is_closed; k++)
			is_closed = !strcmp(closed[k], day);
		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:b}", "day", day, "key",
						      h[i].key, "name_fr", h[i].name_fr, "name_en",
						      h[i].name_en, "closed", is_closed));
	}
	http_resp_json(resp, 200, json_pack("{s:i, s:o}", "year", year, "holidays", list));
	return 0;
}
