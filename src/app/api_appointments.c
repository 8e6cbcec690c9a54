/* Appointments and availability over HTTP: the back office's GET /api/v1/availability,
 * /api/v1/appointments (list, create — with repeat —, changes, get, patch) and the public
 * GET /api/v1/public/{slug}/availability and POST /api/v1/public/{slug}/appointments. This file
 * reads input and shapes answers; the rules are in src/schedule/appointments.h and loader.h. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "account/deletion.h"
#include "app/api.h"
#include "app/api_handlers.h"
#include "base/clock.h"
#include "base/tz.h"
#include "base/xalloc.h"
#include "schedule/appointments.h"
#include "schedule/loader.h"
#include "base/banned.h"

/* The account of a public booking page, by slug. 404 unknown, 410 deleted, 403
 * `bookings_closed` when its state or plan takes no bookings. */
static int public_account(struct http_req *req, struct account *a, struct err *e)
{
	const char *slug = http_req_param(req, "slug");
	memset(a, 0, sizeof(*a));
	if (!slug || strlen(slug) >= sizeof(a->slug))
		return err_set(e, 404, "not_found", NULL, "no such business");
	db_conn *c;
	db_rows *r;
	if (db_acquire(api_app(req)->db, &c, e))
		return -1;
	if (db_query(c,
		     "SELECT id, public_id, plan, state, COALESCE(trial_ends_at, 0), time_zone FROM accounts"
		     " WHERE slug = $1",
		     DB_ARGS(DB_TEXT(slug)), &r, e)) {
		db_release(c);
		return -1;
	}
	int found = db_rows_next(r, e);
	if (found == 1) {
		a->id = db_rows_int(r, 0);
		snprintf(a->public_id, sizeof(a->public_id), "%s", db_rows_text(r, 1));
		const struct plan *pl = plan_by_code(db_rows_text(r, 2));
		a->plan = pl ? pl->id : PLAN_ESSENTIEL;
		int st = account_state_parse(db_rows_text(r, 3));
		a->state = st < 0 ? ACCOUNT_DELETED : (enum account_state)st;
		a->trial_ends_at = db_rows_int(r, 4);
		snprintf(a->time_zone, sizeof(a->time_zone), "%s", db_rows_text(r, 5));
		snprintf(a->slug, sizeof(a->slug), "%s", slug);
	}
	db_rows_free(r);
	int rc = found < 0 ? -1 : deletion_public_slug(c, slug, found ? a : NULL, e);
	db_release(c);
	if (rc)
		return -1;
	struct err why = {0};
	if (may(a, FEAT_PUBLIC_BOOKING, &why))
		return err_set(e, 403, "bookings_closed", NULL, "this business takes no bookings online now");
	return 0;
}

/* A staff user acts only on the staff member linked to them: their user id, else 0. */
static int64_t staff_user_of(struct http_req *req)
{
	const struct principal *p = api_principal(req);
	return p->kind == PRINCIPAL_USER && p->role == ROLE_STAFF ? p->user_id : 0;
}

static int query_date(struct http_req *req, const char *name, struct slots_date *out, struct err *e)
{
	const char *s = http_req_query(req, name);
	struct civil c;
	if (!s || !*s)
		return err_set(e, 400, "missing_field", name, "%s is required (YYYY-MM-DD)", name);
	if (tz_parse_date(s, &c, e, name))
		return -1;
	*out = (struct slots_date){c.year, c.month, c.day};
	return 0;
}

/* Most bytes of one availability answer (a month for 64 staff is about 1 MB). */
#define AVAILABILITY_MAX_BYTES ((size_t)32 << 20)

static int answer_availability(struct http_req *req, struct http_resp *resp, int64_t account_id,
			       struct err *e)
{
	const char *service = http_req_query(req, "service");
	const char *staff = http_req_query(req, "staff");
	struct slots_date from, to;
	if (!service || !*service)
		return err_set(e, 400, "missing_field", "service", "service is required");
	if (query_date(req, "from", &from, e) || query_date(req, "to", &to, e))
		return -1;
	db_conn *c;
	if (db_acquire(api_app(req)->db, &c, e))
		return -1;
	struct loader l = {0};
	int rc = loader_load(c, account_id, service, staff ? staff : "any", from, to, clock_now(), &l, e);
	db_release(c);
	struct buf out = BUF_INIT(AVAILABILITY_MAX_BYTES);
	if (!rc)
		rc = appt_availability_write(&l, &out, e);
	loader_release(&l);
	if (!rc)
		http_resp_body(resp, 200, "application/json; charset=utf-8", out.data, out.len);
	buf_release(&out);
	return rc ? -1 : 0;
}

int handle_availability(struct http_req *req, struct http_resp *resp, struct err *e)
{
	return answer_availability(req, resp, api_account(req)->id, e);
}

int handle_public_availability(struct http_req *req, struct http_resp *resp, struct err *e)
{
	struct account a;
	if (public_account(req, &a, e))
		return -1;
	return answer_availability(req, resp, a.id, e);
}

/* ---- reading a booking request ---- */

static int read_client(const json_t *body, struct appt_client *k, int public_page, struct err *e)
{
	static const char *const fields[] = {"first_name", "last_name", "email", "phone", NULL};
	json_t *v = json_object_get(body, "client");
	memset(k, 0, sizeof(*k));
	if (!v || json_is_null(v)) {
		if (public_page)
			return err_set(e, 400, "missing_field", "client", "client is required");
		return 0;
	}
	if (json_is_string(v) && !public_page)
		return api_string(body, "client", 1, k->public_id, LOADER_PID_MAX - 1, e);
	if (!json_is_object(v))
		return err_invalid(e, "client", "client must be an id or an object");
	if (api_only_fields(v, fields, e) ||
	    api_string(v, "first_name", public_page, k->first_name, 100, e) ||
	    api_string(v, "last_name", public_page, k->last_name, 100, e) ||
	    api_string(v, "email", 0, k->email, 254, e) || api_string(v, "phone", 0, k->phone, 40, e))
		return -1;
	if (public_page && !k->email[0] && !k->phone[0])
		return err_set(e, 400, "missing_field", "client.email",
			       "an e-mail address or a phone number is needed");
	return 0;
}

static int read_answers(const json_t *body, struct appt_request *q, struct err *e)
{
	json_t *v = json_object_get(body, "answers");
	const char *key;
	json_t *val;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_object(v))
		return err_invalid(e, "answers", "answers must be an object: question id → answer");
	if (json_object_size(v) > APPT_ANSWERS_MAX)
		return err_invalid(e, "answers", "at most %d answers", APPT_ANSWERS_MAX);
	json_object_foreach(v, key, val)
	{
		struct appt_answer *a = &q->answers[q->nanswers];
		if (strlen(key) >= sizeof(a->question))
			return err_set(e, 400, "unknown_question", "answers", "no such question");
		snprintf(a->question, sizeof(a->question), "%s", key);
		if (json_is_boolean(val))
			snprintf(a->answer, sizeof(a->answer), "%s", json_is_true(val) ? "yes" : "no");
		else if (json_is_string(val) && json_string_length(val) <= APPT_ANSWER_MAX)
			snprintf(a->answer, sizeof(a->answer), "%s", json_string_value(val));
		else
			return err_invalid(e, "answers",
					   "an answer is a string of at most %d bytes or a boolean",
					   APPT_ANSWER_MAX);
		q->nanswers++;
	}
	return 0;
}

static int read_override(const json_t *body, struct appt_override *ov, struct err *e)
{
	static const char *const fields[] = {"notice", "horizon", "grid", NULL};
	json_t *v = json_object_get(body, "override");
	memset(ov, 0, sizeof(*ov));
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_object(v))
		return err_invalid(e, "override", "override must be an object");
	return api_only_fields(v, fields, e) || api_bool(v, "notice", 0, 0, &ov->notice, e) ||
			       api_bool(v, "horizon", 0, 0, &ov->horizon, e) ||
			       api_bool(v, "grid", 0, 0, &ov->grid, e)
		       ? -1
		       : 0;
}

/* The occurrences of `repeat`: the start's local wall time on every N-th week. */
static int read_repeat(const json_t *body, const struct tz *z, struct appt_request *q, struct err *e)
{
	static const char *const fields[] = {"every_weeks", "count", "until", NULL};
	json_t *v = json_object_get(body, "repeat");
	if (!v || json_is_null(v))
		return 0;
	int64_t every, count;
	char until[16];
	if (!json_is_object(v))
		return err_invalid(e, "repeat", "repeat must be an object");
	if (api_only_fields(v, fields, e) || api_int(v, "every_weeks", 0, 1, 1, 8, &every, e) ||
	    api_int(v, "count", 0, 0, 1, APPT_REPEAT_MAX, &count, e) ||
	    api_string(v, "until", 0, until, 10, e))
		return -1;
	if (!count == !until[0])
		return err_invalid(e, "repeat", "give either count or until");
	struct civil wall, end = {0};
	tz_to_civil(z, q->starts[0], &wall);
	if (until[0] && tz_parse_date(until, &end, e, "repeat.until"))
		return -1;
	int64_t day0 = tz_days_from_civil(wall.year, wall.month, wall.day);
	int64_t last = until[0] ? tz_days_from_civil(end.year, end.month, end.day) : INT64_MAX;
	if (until[0] && last < day0)
		return err_set(e, 400, "end_before_start", "repeat.until", "until is before the first start");
	q->nstarts = 0;
	for (int k = 0; until[0] || k < count; k++) {
		int64_t day = day0 + (int64_t)k * 7 * every;
		if (day > last)
			break;
		if (k >= APPT_REPEAT_MAX)
			return err_invalid(e, "repeat.until", "at most %d occurrences", APPT_REPEAT_MAX);
		struct civil w = wall;
		tz_civil_from_days(day, &w.year, &w.month, &w.day);
		int64_t at;
		int res = tz_resolve(z, &w, TZ_EARLIER, &at);
		if (res < 0)
			return err_invalid(e, "start", "not a valid time");
		q->starts[k] = at;
		q->start_missing[k] = res == TZ_SKIPPED;
		q->nstarts = k + 1;
	}
	return 1;
}

static void request_hash(struct http_req *req, const char *scope, char out[65])
{
	size_t len;
	const char *body = http_req_body(req, &len);
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_state st;
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const unsigned char *)scope, strlen(scope) + 1);
	crypto_hash_sha256_update(&st, (const unsigned char *)body, len);
	crypto_hash_sha256_final(&st, h);
	sodium_bin2hex(out, 65, h, sizeof(h));
}

static int read_idem_key(struct http_req *req, struct appt_request *q, struct err *e)
{
	const char *k = http_req_header(req, "Idempotency-Key");
	if (!k)
		return 0;
	size_t n = strlen(k);
	if (!n || n > APPT_IDEM_KEY_MAX)
		return err_invalid(e, "Idempotency-Key", "an Idempotency-Key has 1 to %d characters",
				   APPT_IDEM_KEY_MAX);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)k[i] < 0x21 || (unsigned char)k[i] > 0x7e)
			return err_invalid(e, "Idempotency-Key", "an Idempotency-Key is printable ASCII");
	memcpy(q->idem_key, k, n + 1);
	return 0;
}

static int read_start(const json_t *body, struct appt_request *q, struct err *e)
{
	char s[64];
	if (api_string(body, "start", 1, s, sizeof(s) - 1, e) ||
	    tz_parse_rfc3339(s, &q->starts[0], e, "start"))
		return -1;
	q->nstarts = 1;
	return 0;
}

static int answer_booking(struct http_req *req, struct http_resp *resp, struct appt_request *q, struct err *e)
{
	struct appt_answer_out out = {0};
	if (appt_book(api_app(req)->db, q, &out, e))
		return -1;
	http_resp_body(resp, out.status, "application/json", out.body, strlen(out.body));
	free(out.body);
	return 0;
}

int handle_appointments_create(struct http_req *req, struct http_resp *resp, struct err *e)
{
	static const char *const fields[] = {"service", "staff",	  "start",    "client",
					     "notes",	"answers",	  "override", "repeat",
					     "dry_run", "accept_partial", NULL};
	const struct account *a = api_account(req);
	json_t *body = http_req_json(req, e);
	struct appt_request *q = arena_alloc(http_req_arena(req), sizeof(*q));
	memset(q, 0, sizeof(*q));
	q->account_id = a->id;
	q->source = APPT_OFFICE;
	q->only_staff_user = staff_user_of(req);
	q->now = clock_now();
	const struct tz *z = tz_get(a->time_zone, e);
	if (!body || !z || api_only_fields(body, fields, e) ||
	    api_string(body, "service", 1, q->service, LOADER_PID_MAX - 1, e) ||
	    api_string(body, "staff", 1, q->staff, LOADER_PID_MAX - 1, e) || read_start(body, q, e) ||
	    read_client(body, &q->client, 0, e) ||
	    api_string(body, "notes", 0, q->notes, APPT_NOTES_MAX, e) || read_answers(body, q, e) ||
	    read_override(body, &q->ov, e) || api_bool(body, "dry_run", 0, 0, &q->dry_run, e) ||
	    api_bool(body, "accept_partial", 0, 0, &q->accept_partial, e) || read_idem_key(req, q, e))
		return -1;
	int repeat = read_repeat(body, z, q, e);
	if (repeat < 0)
		return -1;
	if (!repeat && (q->dry_run || q->accept_partial))
		return err_invalid(e, repeat ? "dry_run" : "repeat",
				   "dry_run and accept_partial go with repeat");
	char scope[32];
	snprintf(scope, sizeof(scope), "office:%lld", (long long)a->id);
	request_hash(req, scope, q->request_hash);
	return answer_booking(req, resp, q, e);
}

int handle_public_book(struct http_req *req, struct http_resp *resp, struct err *e)
{
	static const char *const fields[] = {"service", "staff",	 "start",	"client", "answers",
					     "notes",	"consent_email", "consent_sms", NULL};
	struct account a;
	if (public_account(req, &a, e))
		return -1;
	json_t *body = http_req_json(req, e);
	struct appt_request *q = arena_alloc(http_req_arena(req), sizeof(*q));
	memset(q, 0, sizeof(*q));
	q->account_id = a.id;
	q->source = APPT_PUBLIC;
	q->now = clock_now();
	if (!body || api_only_fields(body, fields, e) ||
	    api_string(body, "service", 1, q->service, LOADER_PID_MAX - 1, e) ||
	    api_string(body, "staff", 0, q->staff, LOADER_PID_MAX - 1, e) || read_start(body, q, e) ||
	    read_client(body, &q->client, 1, e) || read_answers(body, q, e) ||
	    api_string(body, "notes", 0, q->notes, APPT_NOTES_MAX, e) ||
	    api_bool(body, "consent_email", 0, 0, &q->client.consent_email, e) ||
	    api_bool(body, "consent_sms", 0, 0, &q->client.consent_sms, e) || read_idem_key(req, q, e))
		return -1;
	if (!q->staff[0])
		snprintf(q->staff, sizeof(q->staff), "any");
	q->client.has_consents = 1;
	char scope[96];
	snprintf(scope, sizeof(scope), "public:%s", a.slug);
	request_hash(req, scope, q->request_hash);
	return answer_booking(req, resp, q, e);
}

/* ---- agenda reads and changes ---- */

int handle_appointments_list(struct http_req *req, struct http_resp *resp, struct err *e)
{
	const struct account *a = api_account(req);
	struct slots_date from, to;
	const char *staff = http_req_query(req, "staff");
	const struct tz *z = tz_get(a->time_zone, e);
	if (!z || query_date(req, "from", &from, e) || query_date(req, "to", &to, e))
		return -1;
	int64_t dfrom = tz_days_from_civil(from.year, from.month, from.day);
	int64_t dto = tz_days_from_civil(to.year, to.month, to.day);
	if (dto < dfrom)
		return err_set(e, 400, "end_before_start", "to", "to is before from");
	if (dto - dfrom + 1 > SLOTS_MAX_DAYS)
		return err_set(e, 400, "range_too_large", "to", "at most %d days at once", SLOTS_MAX_DAYS);
	if (staff && strlen(staff) >= LOADER_PID_MAX)
		return err_set(e, 404, "not_found", "staff", "no such staff member");
	int64_t s, en;
	int ty, tm, td;
	tz_civil_from_days(dto + 1, &ty, &tm, &td);
	if (tz_day_start(z, from.year, from.month, from.day, &s) || tz_day_start(z, ty, tm, td, &en))
		return err_set(e, 400, "invalid_date", "from", "not a date");
	json_t *out;
	if (appt_list(api_app(req)->db, a->id, staff_user_of(req), staff && strcmp(staff, "any") ? staff : "",
		      s, en, &out, e))
		return -1;
	http_resp_json(resp, 200, out);
	return 0;
}

int handle_appointments_changes(struct http_req *req, struct http_resp *resp, struct err *e)
{
	const char *since = http_req_query(req, "since");
	json_t *out;
	if (since && !strcmp(since, "latest")) { /* where a fresh agenda starts following */
		if (appt_changes_latest(api_app(req)->db, api_account(req)->id, &out, e))
			return -1;
		http_resp_json(resp, 200, out);
		return 0;
	}
	char *end = NULL;
	long long n = since && *since ? strtoll(since, &end, 10) : 0;
	if (since && *since && (*end || n < 0))
		return err_invalid(
			e, "since",
			"since is \"latest\" or a cursor from an earlier answer (an integer >= 0)");
	if (appt_changes(api_app(req)->db, api_account(req)->id, staff_user_of(req), n, &out, e))
		return -1;
	http_resp_json(resp, 200, out);
	return 0;
}

static const char *path_id(struct http_req *req, struct err *e)
{
	const char *id = http_req_param(req, "id");
	if (!id || strlen(id) >= LOADER_PID_MAX) {
		err_set(e, 404, "not_found", NULL, "no such appointment in this business");
		return NULL;
	}
	return id;
}

int handle_appointment_get(struct http_req *req, struct http_resp *resp, struct err *e)
{
	const char *id = path_id(req, e);
	json_t *out;
	if (!id || appt_get(api_app(req)->db, api_account(req)->id, staff_user_of(req), id, &out, e))
		return -1;
	http_resp_json(resp, 200, out);
	return 0;
}

int handle_appointment_patch(struct http_req *req, struct http_resp *resp, struct err *e)
{
	static const char *const fields[] = {"start", "end",	 "duration_min", "staff", "status",
					     "notes", "version", "override",	 NULL};
	const char *id = path_id(req, e);
	json_t *body = id ? http_req_json(req, e) : NULL;
	struct appt_change *ch = arena_alloc(http_req_arena(req), sizeof(*ch));
	memset(ch, 0, sizeof(*ch));
	char start[64], end[64];
	if (!body || api_only_fields(body, fields, e) ||
	    api_string(body, "start", 0, start, sizeof(start) - 1, e) ||
	    api_string(body, "end", 0, end, sizeof(end) - 1, e) ||
	    api_int(body, "duration_min", 0, 0, 5, APPT_LENGTH_MAX, &ch->duration_min, e) ||
	    api_string(body, "staff", 0, ch->staff, LOADER_PID_MAX - 1, e) ||
	    api_string(body, "status", 0, ch->status, sizeof(ch->status) - 1, e) ||
	    api_string(body, "notes", 0, ch->notes, APPT_NOTES_MAX, e) ||
	    api_int(body, "version", 0, 0, 1, INT64_MAX, &ch->version, e) || read_override(body, &ch->ov, e))
		return -1;
	ch->has_notes = json_object_get(body, "notes") != NULL;
	if (start[0]) {
		if (tz_parse_rfc3339(start, &ch->start, e, "start"))
			return -1;
		ch->has_start = 1;
	}
	if (end[0] && ch->duration_min)
		return err_invalid(e, "end", "give either end or duration_min");
	if (end[0]) {
		if (tz_parse_rfc3339(end, &ch->end, e, "end"))
			return -1;
		ch->has_end = 1;
	}
	if (ch->duration_min % 5)
		return err_invalid(e, "duration_min", "duration_min is a multiple of 5 minutes");
	if (ch->status[0] && strcmp(ch->status, "cancelled") && strcmp(ch->status, "no_show") &&
	    strcmp(ch->status, "done"))
		return err_invalid(e, "status", "status is cancelled, no_show or done");
	if (!ch->has_start && !ch->has_end && !ch->duration_min && !ch->staff[0] && !ch->status[0] &&
	    !ch->has_notes)
		return err_invalid(e, "start", "nothing to change");
	snprintf(ch->id, sizeof(ch->id), "%s", id);
	ch->account_id = api_account(req)->id;
	ch->only_staff_user = staff_user_of(req);
	ch->now = clock_now();
	json_t *out;
	if (appt_update(api_app(req)->db, ch, &out, e))
		return -1;
	http_resp_json(resp, 200, out);
	return 0;
}
