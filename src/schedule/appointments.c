/* Booking, moving, cancelling and reading appointments; see appointments.h and
 * docs/internals/appointments.md. */
#include "schedule/appointments.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account/account.h"
#include "base/token.h"
#include "base/xalloc.h"
#include "notify/appt_messages.h"
#include "schedule/clients.h"
#include "schedule/manage.h"
#include "base/banned.h"

#define BOOK_ATTEMPTS 3 /* a group session created by someone else meanwhile: read again */

/* ---- reading appointments back ---- */

static const char appt_select[] =
	"SELECT a.public_id, sv.public_id, st.public_id, cl.public_id, a.starts_at, a.ends_at, a.status,"
	" a.source, a.notes, a.rules_overridden, a.recurrence_id, a.version, a.change_seq, a.created_at,"
	" a.updated_at, a.id, a.block_id, a.staff_id, a.service_id, COALESCE(a.client_id, 0),"
	" COALESCE(st.user_id, 0), ac.time_zone, cl.first_name, cl.last_name, b.capacity"
	" FROM appointments a"
	" JOIN accounts ac ON ac.id = a.account_id"
	" JOIN services sv ON sv.account_id = a.account_id AND sv.id = a.service_id"
	" JOIN staff st ON st.account_id = a.account_id AND st.id = a.staff_id"
	" JOIN blocks b ON b.account_id = a.account_id AND b.id = a.block_id"
	" LEFT JOIN clients cl ON cl.account_id = a.account_id AND cl.id = a.client_id";

enum {
	C_PID,
	C_SVC,
	C_STAFF,
	C_CLIENT,
	C_START,
	C_END,
	C_STATUS,
	C_SOURCE,
	C_NOTES,
	C_OVERRIDDEN,
	C_RECURRENCE,
	C_VERSION,
	C_SEQ,
	C_CREATED,
	C_UPDATED,
	C_ID,
	C_BLOCK,
	C_STAFF_ID,
	C_SERVICE_ID,
	C_CLIENT_ID,
	C_STAFF_USER,
	C_TZ,
	C_FIRST,
	C_LAST,
	C_CAPACITY
};

static const char *time_text(const struct tz *z, int64_t utc, char buf[TZ_RFC3339_SIZE])
{
	tz_format_rfc3339(z, utc, buf);
	return buf;
}

static json_t *row_json(db_rows *r)
{
	const struct tz *z = tz_get(db_rows_text(r, C_TZ), NULL);
	char s[TZ_RFC3339_SIZE], en[TZ_RFC3339_SIZE], cr[TZ_RFC3339_SIZE], up[TZ_RFC3339_SIZE];
	json_t *client = json_null();
	if (!db_rows_is_null(r, C_CLIENT))
		client = json_pack("{s:s, s:s, s:s}", "id", db_rows_text(r, C_CLIENT), "first_name",
				   db_rows_text(r, C_FIRST), "last_name", db_rows_text(r, C_LAST));
	return json_pack(
		"{s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:s, s:s, s:b, s:s?, s:I, s:I, s:s, s:s}", "id",
		db_rows_text(r, C_PID), "service", db_rows_text(r, C_SVC), "staff", db_rows_text(r, C_STAFF),
		"client", client, "start", time_text(z, db_rows_int(r, C_START), s), "end",
		time_text(z, db_rows_int(r, C_END), en), "status", db_rows_text(r, C_STATUS), "source",
		db_rows_text(r, C_SOURCE), "notes", db_rows_text(r, C_NOTES), "rules_overridden",
		(int)db_rows_int(r, C_OVERRIDDEN), "recurrence_id", db_rows_text(r, C_RECURRENCE), "version",
		(json_int_t)db_rows_int(r, C_VERSION), "change_seq", (json_int_t)db_rows_int(r, C_SEQ),
		"created_at", time_text(z, db_rows_int(r, C_CREATED), cr), "updated_at",
		time_text(z, db_rows_int(r, C_UPDATED), up));
}

/* The JSON of appointment row id (inside or outside a transaction). */
static int appt_json_by_id(db_conn *c, int64_t account_id, int64_t id, json_t **out, struct err *e)
{
	char sql[sizeof(appt_select) + 64];
	snprintf(sql, sizeof(sql), "%s WHERE a.account_id = $1 AND a.id = $2", appt_select);
	db_rows *r;
	if (db_query(c, sql, DB_ARGS(DB_INT(account_id), DB_INT(id)), &r, e))
		return -1;
	int rc = db_rows_next(r, e);
	if (rc == 1)
		*out = row_json(r);
	db_rows_free(r);
	if (rc < 0)
		return -1;
	return rc == 1 ? 0 : err_internal(e, "appointment %lld vanished", (long long)id);
}

/* ---- the booking transaction ---- */

/* One start to place: where, with whom, and whether it could be. */
struct placement {
	int64_t start;
	struct slots_date date;
	int ncand;
	int64_t cand_staff[SLOTS_MAX_STAFF];
	int64_t cand_session[SLOTS_MAX_STAFF];
	char cand_pid[SLOTS_MAX_STAFF][LOADER_PID_MAX];
	struct err why; /* when ncand == 0 */
	int chosen;	/* index in cand_* used by the transaction */
	int64_t appt_id;
};

struct question {
	int64_t id;
	char public_id[LOADER_PID_MAX];
	int required;
};

struct book_ctx {
	const struct appt_request *req;
	struct loader_service svc;
	struct placement *pl;
	int npl;
	struct question *questions;
	int nquestions;
	int64_t answer_qid[APPT_ANSWERS_MAX];
	char recurrence_id[LOADER_PID_MAX];
	int overridden;
	/* set by the transaction */
	int session_race, idem_race;
	char manage_token[TOKEN_LEN + 1];
	json_t *answer_json;
	int status;
};

/* The next change_seq of the account. The counter row stays locked until commit, so
 * sequence numbers become visible in the order they were taken (the agenda's cursor never
 * skips a change committed late). */
static int next_change_seq(db_conn *c, int64_t account_id, int64_t *seq, struct err *e)
{
	int rc = db_query_int(
		c,
		"INSERT INTO change_counters (account_id, seq) VALUES ($1, 1)"
		" ON CONFLICT (account_id) DO UPDATE SET seq = change_counters.seq + 1 RETURNING seq",
		DB_ARGS(DB_INT(account_id)), seq, e);
	return rc == 1 ? 0 : rc < 0 ? -1 : err_internal(e, "no change_seq");
}

/* Notifications of a booking (confirmation to the client, notices to the owner and staff
 * member, reminders) are written here, as outbox rows in the booking's own transaction, so a
 * booking is never announced without being committed nor committed without being announced
 * (notify/appt_messages.h). */
static int booking_notifications(db_conn *c, int64_t account_id, int64_t appt_id, int64_t now, struct err *e)
{
	return appt_messages_event(c, account_id, appt_id, APPT_EV_BOOKED, 0, now, e);
}

static int resolve_client(db_conn *c, const struct appt_request *q, int64_t *client_id, struct err *e)
{
	const struct appt_client *k = &q->client;
	*client_id = 0;
	if (k->public_id[0]) {
		int rc = db_query_int(c,
				      "SELECT id FROM clients WHERE account_id = $1 AND public_id = $2"
				      " AND anonymised_at IS NULL",
				      DB_ARGS(DB_INT(q->account_id), DB_TEXT(k->public_id)), client_id, e);
		if (rc < 0)
			return -1;
		return rc ? 0 : err_set(e, 404, "not_found", "client", "no such client in this business");
	}
	if (!k->first_name[0] && !k->last_name[0] && !k->email[0] && !k->phone[0])
		return 0;
	if (clients_find_or_create(c, q->account_id, k->first_name, k->last_name, k->email, k->phone, q->now,
				   client_id, e))
		return -1;
	if (k->has_consents &&
	    db_exec(c,
		    "UPDATE clients SET consent_email = $3, consent_sms = $4, updated_at = $5"
		    " WHERE account_id = $1 AND id = $2",
		    DB_ARGS(DB_INT(q->account_id), DB_INT(*client_id), DB_INT(k->consent_email),
			    DB_INT(k->consent_sms), DB_INT(q->now)),
		    e) < 0)
		return -1;
	return 0;
}

/* Queues the transactions that place blocks on one staff member's agenda, so concurrent
 * bookings of one slot end in one winner and clean slot_taken conflicts rather than in
 * deadlocks inside PostgreSQL's exclusion check (a no-op on SQLite). The store's guard still
 * decides. */
static int lock_agenda(db_conn *c, int64_t account_id, int64_t staff_id, struct err *e)
{
	uint64_t key = (uint64_t)account_id * 0x9E3779B97F4A7C15ULL ^ (uint64_t)staff_id;
	return db_xact_lock(c, (int64_t)(key >> 1), e);
}

/* Takes the block of one placement: a seat of a group session, or a block of its own. */
static int take_block(db_conn *c, struct book_ctx *x, const struct placement *p, int64_t *block_id,
		      struct err *e)
{
	const struct appt_request *q = x->req;
	int64_t staff_id = p->cand_staff[p->chosen], session = p->cand_session[p->chosen];
	if (x->svc.capacity > 1 && session) {
		int n = db_exec(
			c,
			"UPDATE blocks SET seats_taken = seats_taken + 1 WHERE account_id = $1 AND id = $2"
			" AND seats_taken < capacity AND status = 'active'",
			DB_ARGS(DB_INT(q->account_id), DB_INT(session)), e);
		if (n < 0)
			return -1;
		if (n == 0)
			return err_set(e, 409, "session_full", "start",
				       "every seat of this session is taken");
		*block_id = session;
		return 0;
	}
	int64_t from = p->start - (int64_t)x->svc.buffer_before * 60;
	int64_t to = p->start + (int64_t)(x->svc.duration + x->svc.buffer_after) * 60;
	if (lock_agenda(c, q->account_id, staff_id, e))
		return -1;
	int rc =
		db_query_int(c,
			     "INSERT INTO blocks (account_id, staff_id, service_id, blocked_from, blocked_to,"
			     " status, capacity, seats_taken) VALUES ($1, $2, $3, $4, $5, 'active', $6, 1)"
			     " RETURNING id",
			     DB_ARGS(DB_INT(q->account_id), DB_INT(staff_id), DB_INT(x->svc.id), DB_INT(from),
				     DB_INT(to), DB_INT(x->svc.capacity)),
			     block_id, e);
	if (rc == DB_CONFLICT && !strcmp(db_conflict_name(c), "blocks_no_overlap")) {
		if (x->svc.capacity > 1)
			x->session_race = 1; /* maybe the same session, created meanwhile */
		return err_set(e, 409, "slot_taken", "start", "this time is no longer free");
	}
	return rc == 1 ? 0 : rc < 0 ? -1 : err_internal(e, "no block id");
}

static int place_one(db_conn *c, struct book_ctx *x, struct placement *p, int64_t client_id, struct err *e)
{
	const struct appt_request *q = x->req;
	int64_t block_id, seq;
	char pid[24];
	if (take_block(c, x, p, &block_id, e) || next_change_seq(c, q->account_id, &seq, e))
		return -1;
	public_id_new("apt", pid);
	/* the manage link of a public booking lives in manage_tokens (schedule/manage.h);
	 * appointments.manage_token_hash is kept for rows booked before it and stays NULL */
	int with_token = q->source == APPT_PUBLIC && x->npl == 1;
	int64_t end = p->start + (int64_t)x->svc.duration * 60;
	int rc = db_query_int(
		c,
		"INSERT INTO appointments (account_id, public_id, block_id, service_id, staff_id, client_id,"
		" starts_at, ends_at, status, source, notes, rules_overridden, recurrence_id, "
		"manage_token_hash,"
		" version, change_seq, created_at, updated_at)"
		" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'booked', $9, $10, $11, $12, $13, 1, $14, $15, $15)"
		" RETURNING id",
		DB_ARGS(DB_INT(q->account_id), DB_TEXT(pid), DB_INT(block_id), DB_INT(x->svc.id),
			DB_INT(p->cand_staff[p->chosen]), client_id ? DB_INT(client_id) : DB_NULL,
			DB_INT(p->start), DB_INT(end),
			DB_TEXT(q->source == APPT_PUBLIC ? "public" : "office"), DB_TEXT(q->notes),
			DB_INT(x->overridden), DB_TEXT(x->recurrence_id[0] ? x->recurrence_id : NULL),
			DB_NULL, DB_INT(seq), DB_INT(q->now)),
		&p->appt_id, e);
	if (rc != 1)
		return rc < 0 ? -1 : err_internal(e, "no appointment id");
	if (with_token &&
	    manage_token_issue(c, q->account_id, p->appt_id, "booking", q->now, x->manage_token, e))
		return -1;
	for (int i = 0; i < q->nanswers; i++)
		if (db_exec(c,
			    "INSERT INTO appointment_answers (account_id, appointment_id, question_id, "
			    "answer)"
			    " VALUES ($1, $2, $3, $4)",
			    DB_ARGS(DB_INT(q->account_id), DB_INT(p->appt_id), DB_INT(x->answer_qid[i]),
				    DB_TEXT(q->answers[i].answer)),
			    e) < 0)
			return -1;
	if (client_id && clients_note_appointment(c, q->account_id, client_id, p->start, e))
		return -1;
	return booking_notifications(c, q->account_id, p->appt_id, q->now, e);
}

static json_t *unplaced_json(const struct book_ctx *x, const struct tz *z)
{
	json_t *list = json_array();
	for (int i = 0; i < x->npl; i++) {
		const struct placement *p = &x->pl[i];
		char s[TZ_RFC3339_SIZE];
		if (p->ncand)
			continue;
		json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "start", time_text(z, p->start, s),
						      "code", p->why.code, "message", p->why.message));
	}
	return list;
}

static int book_tx(db_conn *c, void *ctx, struct err *e)
{
	struct book_ctx *x = ctx;
	const struct appt_request *q = x->req;
	int64_t client_id;
	x->session_race = x->idem_race = 0;
	json_decref(x->answer_json); /* of an earlier run whose commit failed */
	x->answer_json = NULL;
	if (resolve_client(c, q, &client_id, e))
		return -1;
	json_t *list = json_array();
	for (int i = 0; i < x->npl; i++) {
		if (!x->pl[i].ncand)
			continue;
		json_t *one;
		if (place_one(c, x, &x->pl[i], client_id, e) ||
		    appt_json_by_id(c, q->account_id, x->pl[i].appt_id, &one, e)) {
			json_decref(list);
			return -1;
		}
		json_array_append_new(list, one);
	}
	json_t *body;
	if (x->npl == 1 && !x->recurrence_id[0]) {
		body = json_pack("{s:o}", "appointment", json_incref(json_array_get(list, 0)));
		if (x->manage_token[0])
			json_object_set_new(body, "manage_token", json_string(x->manage_token));
		json_decref(list);
	} else {
		body = json_pack("{s:s, s:o}", "recurrence_id", x->recurrence_id, "appointments", list);
	}
	x->status = 201;
	if (q->idem_key[0]) {
		/* stored without the manage token: tokens are kept hashed only (a replay gets a
		 * new one, idem_lookup) */
		json_t *stored = json_copy(body);
		json_object_del(stored, "manage_token");
		char *text = json_dumps(stored, JSON_COMPACT);
		json_decref(stored);
		int rc = db_exec(
			c,
			"INSERT INTO idempotency_keys (account_id, idem_key, request_hash, status, response,"
			" created_at) VALUES ($1, $2, $3, $4, $5, $6)",
			DB_ARGS(DB_INT(q->source == APPT_PUBLIC ? 0 : q->account_id), DB_TEXT(q->idem_key),
				DB_TEXT(q->request_hash), DB_INT(201), DB_TEXT(text), DB_INT(q->now)),
			e);
		free(text);
		if (rc == DB_CONFLICT) {
			x->idem_race = 1;
			json_decref(body);
			return -1;
		}
		if (rc < 0) {
			json_decref(body);
			return -1;
		}
	}
	x->answer_json = body;
	return 0;
}

/* ---- idempotency ---- */

struct reissue {
	const struct appt_request *q;
	const char *appointment; /* public id */
	char token[TOKEN_LEN + 1];
};

static int reissue_tx(db_conn *c, void *ctx, struct err *e)
{
	struct reissue *r = ctx;
	int64_t id = 0;
	int rc = db_query_int(c, "SELECT id FROM appointments WHERE account_id = $1 AND public_id = $2",
			      DB_ARGS(DB_INT(r->q->account_id), DB_TEXT(r->appointment)), &id, e);
	if (rc != 1)
		return rc < 0 ? -1 : err_set(e, 404, "not_found", NULL, "no such appointment");
	return manage_token_issue(c, r->q->account_id, id, "booking", r->q->now, r->token, e);
}

/* The stored answer of a public booking, given again with a manage token issued now: the
 * stored one holds none (only hashes of tokens are kept). The first token stays valid. */
static int replay_public(db *d, const struct appt_request *q, struct appt_answer_out *out, struct err *e)
{
	json_t *body = json_loads(out->body, 0, NULL);
	const char *pid = json_string_value(json_object_get(json_object_get(body, "appointment"), "id"));
	if (!pid) {
		json_decref(body);
		return 0; /* not a single booking: nothing to add */
	}
	struct reissue r = {.q = q, .appointment = pid};
	if (db_transact(d, reissue_tx, &r, e)) {
		json_decref(body);
		return -1;
	}
	json_object_set_new(body, "manage_token", json_string(r.token));
	free(out->body);
	out->body = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	return 0;
}

/* 1 with *out filled when the key was seen (same request: the stored answer; another: 409),
 * 0 when new. */
static int idem_lookup(db *d, const struct appt_request *q, struct appt_answer_out *out, struct err *e)
{
	db_conn *c;
	db_rows *r;
	if (db_acquire(d, &c, e))
		return -1;
	int rc = db_query(c,
			  "SELECT request_hash, status, response FROM idempotency_keys"
			  " WHERE account_id = $1 AND idem_key = $2",
			  DB_ARGS(DB_INT(q->source == APPT_PUBLIC ? 0 : q->account_id), DB_TEXT(q->idem_key)),
			  &r, e);
	if (rc) {
		db_release(c);
		return -1;
	}
	int found = db_rows_next(r, e);
	if (found == 1) {
		if (strcmp(db_rows_text(r, 0), q->request_hash)) {
			found = -1;
			err_set(e, 409, "idempotency_key_reused", "Idempotency-Key",
				"this key was used for another request");
		} else {
			out->status = (int)db_rows_int(r, 1);
			out->body = xstrdup(db_rows_text(r, 2));
		}
	}
	db_rows_free(r);
	db_release(c);
	if (found == 1 && q->source == APPT_PUBLIC && out->status == 201 && replay_public(d, q, out, e)) {
		free(out->body);
		out->body = NULL;
		out->status = 0;
		return -1;
	}
	return found;
}

#define IDEM_PURGE_BATCH 1000

struct idem_purge {
	int64_t before;
	int done;
};

static int idem_purge_tx(db_conn *c, void *ctx, struct err *e)
{
	struct idem_purge *p = ctx;
	int n = db_exec(c,
			"DELETE FROM idempotency_keys WHERE (account_id, idem_key) IN (SELECT account_id,"
			" idem_key FROM idempotency_keys WHERE created_at < $1 LIMIT $2)",
			DB_ARGS(DB_INT(p->before), DB_INT(IDEM_PURGE_BATCH)), e);
	if (n < 0)
		return -1;
	p->done = n;
	return 0;
}

int appt_idempotency_purge(db *d, int64_t before, int *count, struct err *e)
{
	struct idem_purge p = {.before = before};
	int64_t total = 0;
	if (db_transact_batches(d, idem_purge_tx, &p, &p.done, IDEM_PURGE_BATCH, &total, e))
		return -1;
	if (count)
		*count = (int)total;
	return 0;
}

/* ---- finding who can take each start ---- */

static int load_questions(db_conn *c, struct book_ctx *x, struct err *e)
{
	db_rows *r;
	if (db_query(c,
		     "SELECT id, public_id, required FROM service_questions WHERE account_id = $1 AND "
		     "service_id = $2"
		     " ORDER BY position, id",
		     DB_ARGS(DB_INT(x->req->account_id), DB_INT(x->svc.id)), &r, e))
		return -1;
	int rc;
	while ((rc = db_rows_next(r, e)) == 1) {
		x->questions = xrealloc(x->questions, (size_t)(x->nquestions + 1) * sizeof(*x->questions));
		struct question *qq = &x->questions[x->nquestions++];
		qq->id = db_rows_int(r, 0);
		snprintf(qq->public_id, sizeof(qq->public_id), "%s", db_rows_text(r, 1));
		qq->required = (int)db_rows_int(r, 2);
	}
	db_rows_free(r);
	if (rc < 0)
		return -1;
	const struct appt_request *q = x->req;
	for (int i = 0; i < q->nanswers; i++) {
		int found = -1;
		for (int j = 0; j < x->nquestions; j++)
			if (!strcmp(x->questions[j].public_id, q->answers[i].question))
				found = j;
		if (found < 0)
			return err_set(e, 400, "unknown_question", "answers",
				       "no question %s for this service", q->answers[i].question);
		x->answer_qid[i] = x->questions[found].id;
	}
	for (int j = 0; j < x->nquestions; j++) {
		if (!x->questions[j].required)
			continue;
		int answered = 0;
		for (int i = 0; i < q->nanswers; i++)
			if (x->answer_qid[i] == x->questions[j].id && q->answers[i].answer[0])
				answered = 1;
		if (!answered)
			return err_set(e, 400, "missing_answer", "answers", "question %s needs an answer",
				       x->questions[j].public_id);
	}
	return 0;
}

/* The rules for this request: the service's, relaxed by the back office's override. */
static struct slots_rules request_rules(const struct appt_request *q, const struct loader *l, int *overridden)
{
	struct slots_rules r = l->in.rules;
	*overridden = 0;
	if (q->source == APPT_OFFICE && q->ov.notice && r.notice_s) {
		r.notice_s = 0;
		*overridden = 1;
	}
	if (q->source == APPT_OFFICE && q->ov.horizon && r.horizon_s) {
		r.horizon_s = 0;
		*overridden = 1;
	}
	return r;
}

/* Who can take p->start: the candidates, in the order of the staff list. */
static int find_candidates(db_conn *c, struct book_ctx *x, struct placement *p, int first, struct err *e)
{
	const struct appt_request *q = x->req;
	struct loader l = {0};
	int64_t day = p->start >= 0 ? p->start / 86400 : -((-p->start + 86399) / 86400);
	struct slots_date from, to;
	tz_civil_from_days(day - 1, &from.year, &from.month, &from.day);
	tz_civil_from_days(day + 1, &to.year, &to.month, &to.day);
	if (loader_load(c, q->account_id, q->service, q->staff, from, to, q->now, &l, e))
		goto fail;
	if (first) {
		x->svc = l.service;
		if (load_questions(c, x, e))
			goto fail;
	}
	int overridden;
	struct slots_rules rules = request_rules(q, &l, &overridden);
	p->ncand = 0;
	p->date = loader_local_date(&l, p->start);
	struct err first_why = {0}, taken = {0};
	for (int i = 0; i < l.nstaff; i++) {
		if (!l.staff[i].provides)
			continue;
		if (q->only_staff_user && l.staff[i].user_id != q->only_staff_user)
			continue;
		struct err why = {0};
		int64_t session;
		int rc = loader_check_start(&l, &rules, i, p->start, 0, "start", &session, &why);
		if (rc && q->source == APPT_OFFICE && q->ov.grid && !strcmp(why.code, "off_grid")) {
			rc = 0; /* the store still refuses an overlap */
			overridden = 1;
		}
		if (rc) {
			if (!strcmp(why.code, "slot_taken"))
				taken = why;
			else if (!first_why.code[0])
				first_why = why;
			continue;
		}
		if (overridden)
			x->overridden = 1;
		p->cand_staff[p->ncand] = l.staff[i].id;
		p->cand_session[p->ncand] = session;
		snprintf(p->cand_pid[p->ncand], LOADER_PID_MAX, "%s", l.staff[i].public_id);
		p->ncand++;
	}
	if (!p->ncand) {
		if (taken.code[0])
			p->why = taken;
		else if (first_why.code[0])
			p->why = first_why;
		else
			err_set(&p->why, 404, "not_found", "staff", "this staff member cannot be booked");
	}
	loader_release(&l);
	return 0;
fail:
	loader_release(&l);
	return -1;
}

static int find_all(db *d, struct book_ctx *x, struct err *e)
{
	db_conn *c;
	if (db_acquire(d, &c, e))
		return -1;
	int rc = 0;
	for (int i = 0; i < x->npl && !rc; i++) {
		if (x->req->start_missing[i]) {
			x->pl[i].ncand = 0;
			err_set(&x->pl[i].why, 422, "invalid_local_time", "start",
				"this wall time does not exist on that date (clocks change)");
			continue;
		}
		rc = find_candidates(c, x, &x->pl[i], i == 0 || !x->svc.id, e);
	}
	db_release(c);
	return rc;
}

static void answer_from(struct book_ctx *x, struct appt_answer_out *out)
{
	out->status = x->status;
	out->body = json_dumps(x->answer_json, JSON_COMPACT);
	json_decref(x->answer_json);
	x->answer_json = NULL;
}

/* One start: try each free staff member in turn, each in its own transaction. */
static int book_single(db *d, struct book_ctx *x, struct appt_answer_out *out, struct err *e)
{
	struct placement *p = &x->pl[0];
	for (int attempt = 0; attempt < BOOK_ATTEMPTS; attempt++) {
		if (attempt && find_all(d, x, e))
			return -1;
		if (!p->ncand) {
			*e = p->why;
			return -1;
		}
		int raced = 0;
		for (p->chosen = 0; p->chosen < p->ncand; p->chosen++) {
			err_clear(e);
			/* bookings waiting together share one durable commit (db/group.c) */
			if (db_transact_shared(d, book_tx, x, e) == 0) {
				answer_from(x, out);
				return 0;
			}
			if (x->idem_race)
				return idem_lookup(d, x->req, out, e) == 1 ? 0 : -1;
			if (x->session_race)
				raced = 1;
			if (strcmp(e->code, "slot_taken") && strcmp(e->code, "session_full"))
				return -1;
		}
		if (!raced)
			return -1;
	}
	return -1;
}

static int book_many(db *d, struct book_ctx *x, struct appt_answer_out *out, struct err *e)
{
	int placeable = 0;
	for (int i = 0; i < x->npl; i++)
		placeable += x->pl[i].ncand > 0;
	const struct tz *z = NULL;
	{
		db_conn *c;
		if (db_acquire(d, &c, e))
			return -1;
		db_rows *r;
		char name[TZ_NAME_MAX + 1] = "UTC";
		if (db_query(c, "SELECT time_zone FROM accounts WHERE id = $1",
			     DB_ARGS(DB_INT(x->req->account_id)), &r, e)) {
			db_release(c);
			return -1;
		}
		if (db_rows_next(r, e) == 1)
			snprintf(name, sizeof(name), "%s", db_rows_text(r, 0));
		db_rows_free(r);
		db_release(c);
		z = tz_get(name, NULL);
	}
	if (x->req->dry_run) {
		json_t *plan = json_array();
		for (int i = 0; i < x->npl; i++) {
			const struct placement *p = &x->pl[i];
			char s[TZ_RFC3339_SIZE];
			json_t *one = json_pack("{s:s, s:b}", "start", time_text(z, p->start, s), "placeable",
						p->ncand > 0);
			if (p->ncand)
				json_object_set_new(one, "staff", json_string(p->cand_pid[0]));
			else
				json_object_set_new(one, "reason",
						    json_pack("{s:s, s:s}", "code", p->why.code, "message",
							      p->why.message));
			json_array_append_new(plan, one);
		}
		json_t *body = json_pack("{s:o, s:i, s:i}", "occurrences", plan, "placeable", placeable,
					 "unplaceable", x->npl - placeable);
		out->status = 200;
		out->body = json_dumps(body, JSON_COMPACT);
		json_decref(body);
		return 0;
	}
	if (placeable < x->npl && !x->req->accept_partial) {
		json_t *body =
			json_pack("{s:{s:s, s:s, s:s}, s:o}", "error", "code", "occurrences_unavailable",
				  "message", "some occurrences cannot be placed; nothing was booked", "field",
				  "repeat", "unplaced", unplaced_json(x, z));
		out->status = 409;
		out->body = json_dumps(body, JSON_COMPACT);
		json_decref(body);
		return 0;
	}
	if (!placeable)
		return err_set(e, 409, "occurrences_unavailable", "repeat", "no occurrence can be placed");
	public_id_new("rec", x->recurrence_id);
	for (int i = 0; i < x->npl; i++)
		x->pl[i].chosen = 0;
	if (db_transact(d, book_tx, x, e)) {
		if (x->idem_race)
			return idem_lookup(d, x->req, out, e) == 1 ? 0 : -1;
		return -1;
	}
	json_object_set_new(x->answer_json, "unplaced", unplaced_json(x, z));
	answer_from(x, out);
	return 0;
}

int appt_book(db *d, const struct appt_request *req, struct appt_answer_out *out, struct err *e)
{
	out->status = 0;
	out->body = NULL;
	if (req->nstarts < 1 || req->nstarts > APPT_REPEAT_MAX || req->nanswers > APPT_ANSWERS_MAX)
		return err_invalid(e, "start", "between 1 and %d starts", APPT_REPEAT_MAX);
	if (req->idem_key[0] && !req->dry_run) {
		int rc = idem_lookup(d, req, out, e);
		if (rc)
			return rc < 0 ? -1 : 0;
	}
	struct book_ctx x = {.req = req, .npl = req->nstarts};
	x.pl = xcalloc((size_t)req->nstarts, sizeof(*x.pl));
	for (int i = 0; i < req->nstarts; i++)
		x.pl[i].start = req->starts[i];
	int rc = find_all(d, &x, e);
	if (!rc)
		rc = req->nstarts == 1 && !req->dry_run ? book_single(d, &x, out, e)
							: book_many(d, &x, out, e);
	json_decref(x.answer_json);
	free(x.questions);
	free(x.pl);
	return rc;
}

/* ---- reads ---- */

static int select_many(db *d, const char *where, const db_param *params, int nparams, json_t *list,
		       int64_t *last_seq, struct err *e)
{
	char sql[sizeof(appt_select) + 512];
	snprintf(sql, sizeof(sql), "%s %s", appt_select, where);
	db_conn *c;
	db_rows *r;
	if (db_acquire(d, &c, e))
		return -1;
	if (db_query(c, sql, params, nparams, &r, e)) {
		db_release(c);
		return -1;
	}
	int rc;
	while ((rc = db_rows_next(r, e)) == 1) {
		json_array_append_new(list, row_json(r));
		if (last_seq)
			*last_seq = db_rows_int(r, C_SEQ);
	}
	db_rows_free(r);
	db_release(c);
	return rc < 0 ? -1 : 0;
}

int appt_get(db *d, int64_t account_id, int64_t only_staff_user, const char *id, json_t **out, struct err *e)
{
	json_t *list = json_array();
	if (select_many(d, "WHERE a.account_id = $1 AND a.public_id = $2 AND ($3 = 0 OR st.user_id = $3)",
			DB_ARGS(DB_INT(account_id), DB_TEXT(id), DB_INT(only_staff_user)), list, NULL, e)) {
		json_decref(list);
		return -1;
	}
	if (!json_array_size(list)) {
		json_decref(list);
		return err_set(e, 404, "not_found", NULL, "no such appointment in this business");
	}
	*out = json_pack("{s:O}", "appointment", json_array_get(list, 0));
	json_decref(list);
	return 0;
}

int appt_list(db *d, int64_t account_id, int64_t only_staff_user, const char *staff, int64_t from, int64_t to,
	      json_t **out, struct err *e)
{
	json_t *list = json_array();
	if (select_many(d,
			"WHERE a.account_id = $1 AND a.starts_at >= $2 AND a.starts_at < $3"
			" AND ($4 = '' OR st.public_id = $4) AND ($5 = 0 OR st.user_id = $5)"
			" ORDER BY a.starts_at, a.id LIMIT 5001",
			DB_ARGS(DB_INT(account_id), DB_INT(from), DB_INT(to), DB_TEXT(staff),
				DB_INT(only_staff_user)),
			list, NULL, e)) {
		json_decref(list);
		return -1;
	}
	if (json_array_size(list) > APPT_LIST_MAX) {
		json_decref(list);
		return err_set(e, 422, "range_too_large", "to",
			       "more than %d appointments: ask a shorter range", APPT_LIST_MAX);
	}
	*out = json_pack("{s:o}", "appointments", list);
	return 0;
}

int appt_changes(db *d, int64_t account_id, int64_t only_staff_user, int64_t since, json_t **out,
		 struct err *e)
{
	json_t *list = json_array();
	int64_t next = since;
	/* a staff user's page holds only their rows; the cursor is the last of them, so nothing
	 * of theirs is skipped */
	if (select_many(d,
			"WHERE a.account_id = $1 AND a.change_seq > $2 AND ($3 = 0 OR st.user_id = $3)"
			" ORDER BY a.change_seq LIMIT 500",
			DB_ARGS(DB_INT(account_id), DB_INT(since), DB_INT(only_staff_user)), list, &next,
			e)) {
		json_decref(list);
		return -1;
	}
	*out = json_pack("{s:o, s:I}", "changes", list, "next", (json_int_t)next);
	return 0;
}

int appt_changes_latest(db *d, int64_t account_id, json_t **out, struct err *e)
{
	db_conn *c;
	int64_t seq = 0;
	if (db_acquire(d, &c, e))
		return -1;
	int rc = db_query_int(c, "SELECT seq FROM change_counters WHERE account_id = $1",
			      DB_ARGS(DB_INT(account_id)), &seq, e);
	db_release(c);
	if (rc < 0)
		return -1;
	*out = json_pack("{s:[], s:I}", "changes", "next", (json_int_t)seq);
	return 0;
}

/* ---- changes ---- */

struct current {
	int64_t id, block_id, staff_id, service_id, client_id, start, end, version, staff_user;
	int capacity;
	char status[16], service_pid[LOADER_PID_MAX], staff_pid[LOADER_PID_MAX];
};

static int read_current(db *d, const struct appt_change *ch, struct current *cur, struct err *e)
{
	char sql[sizeof(appt_select) + 128];
	snprintf(sql, sizeof(sql), "%s WHERE a.account_id = $1 AND a.public_id = $2", appt_select);
	db_conn *c;
	db_rows *r;
	if (db_acquire(d, &c, e))
		return -1;
	if (db_query(c, sql, DB_ARGS(DB_INT(ch->account_id), DB_TEXT(ch->id)), &r, e)) {
		db_release(c);
		return -1;
	}
	int rc = db_rows_next(r, e);
	if (rc == 1) {
		cur->id = db_rows_int(r, C_ID);
		cur->block_id = db_rows_int(r, C_BLOCK);
		cur->staff_id = db_rows_int(r, C_STAFF_ID);
		cur->service_id = db_rows_int(r, C_SERVICE_ID);
		cur->client_id = db_rows_int(r, C_CLIENT_ID);
		cur->start = db_rows_int(r, C_START);
		cur->end = db_rows_int(r, C_END);
		cur->version = db_rows_int(r, C_VERSION);
		cur->staff_user = db_rows_int(r, C_STAFF_USER);
		cur->capacity = (int)db_rows_int(r, C_CAPACITY);
		snprintf(cur->status, sizeof(cur->status), "%s", db_rows_text(r, C_STATUS));
		snprintf(cur->service_pid, sizeof(cur->service_pid), "%s", db_rows_text(r, C_SVC));
		snprintf(cur->staff_pid, sizeof(cur->staff_pid), "%s", db_rows_text(r, C_STAFF));
	}
	db_rows_free(r);
	db_release(c);
	if (rc < 0)
		return -1;
	if (rc == 0 || (ch->only_staff_user && cur->staff_user != ch->only_staff_user))
		return err_set(e, 404, "not_found", NULL, "no such appointment in this business");
	return 0;
}

struct update_ctx {
	const struct appt_change *ch;
	struct current cur;
	int move;
	int resize, resizable;
	int64_t length; /* seconds, of a moved or resized appointment */
	int64_t new_start, new_staff, new_session;
	struct loader_service svc;
	int overridden;
	json_t *out;
};

/* Gives back the seat (or the whole block) an appointment holds. */
static int release_block(db_conn *c, int64_t account_id, int64_t block_id, struct err *e)
{
	if (db_exec(c,
		    "UPDATE blocks SET seats_taken = seats_taken - 1,"
		    " status = CASE WHEN seats_taken <= 1 THEN 'cancelled' ELSE status END"
		    " WHERE account_id = $1 AND id = $2",
		    DB_ARGS(DB_INT(account_id), DB_INT(block_id)), e) < 0)
		return -1;
	return 0;
}

static int move_block(db_conn *c, struct update_ctx *x, int64_t *block_id, struct err *e)
{
	const struct appt_change *ch = x->ch;
	int64_t from = x->new_start - (int64_t)x->svc.buffer_before * 60;
	int64_t to = x->new_start + x->length + (int64_t)x->svc.buffer_after * 60;
	*block_id = x->cur.block_id;
	int rc;
	if (lock_agenda(c, ch->account_id, x->new_staff, e))
		return -1;
	if (x->cur.capacity <= 1 && x->svc.capacity <= 1) {
		rc = db_exec(c,
			     "UPDATE blocks SET staff_id = $3, blocked_from = $4, blocked_to = $5"
			     " WHERE account_id = $1 AND id = $2",
			     DB_ARGS(DB_INT(ch->account_id), DB_INT(x->cur.block_id), DB_INT(x->new_staff),
				     DB_INT(from), DB_INT(to)),
			     e);
	} else {
		if (release_block(c, ch->account_id, x->cur.block_id, e))
			return -1;
		if (x->new_session) {
			rc = db_exec(c,
				     "UPDATE blocks SET seats_taken = seats_taken + 1 WHERE account_id = $1 "
				     "AND id = $2"
				     " AND seats_taken < capacity AND status = 'active'",
				     DB_ARGS(DB_INT(ch->account_id), DB_INT(x->new_session)), e);
			if (rc == 0)
				return err_set(e, 409, "session_full", "start",
					       "every seat of this session is taken");
			*block_id = x->new_session;
		} else {
			rc = db_query_int(
				c,
				"INSERT INTO blocks (account_id, staff_id, service_id, blocked_from, "
				"blocked_to,"
				" status, capacity, seats_taken) VALUES ($1, $2, $3, $4, $5, 'active', $6, 1)"
				" RETURNING id",
				DB_ARGS(DB_INT(ch->account_id), DB_INT(x->new_staff), DB_INT(x->svc.id),
					DB_INT(from), DB_INT(to), DB_INT(x->svc.capacity)),
				block_id, e);
		}
	}
	if (rc == DB_CONFLICT && !strcmp(db_conflict_name(c), "blocks_no_overlap"))
		return err_set(e, 409, "slot_taken", "start", "this time is not free");
	return rc < 0 ? -1 : 0;
}

static int update_tx(db_conn *c, void *ctx, struct err *e)
{
	struct update_ctx *x = ctx;
	const struct appt_change *ch = x->ch;
	int64_t version, seq, block_id = x->cur.block_id;
	int rc = db_query_int(c, "SELECT version FROM appointments WHERE account_id = $1 AND id = $2",
			      DB_ARGS(DB_INT(ch->account_id), DB_INT(x->cur.id)), &version, e);
	if (rc != 1)
		return rc < 0 ? -1
			      : err_set(e, 404, "not_found", NULL, "no such appointment in this business");
	if (ch->version && ch->version != version)
		return err_set(e, 409, "stale_version", "version",
			       "the appointment changed meanwhile (version %lld)", (long long)version);
	if ((x->move || x->resize) && move_block(c, x, &block_id, e))
		return -1;
	const char *status = ch->status[0] ? ch->status : x->cur.status;
	if (!strcmp(ch->status, "cancelled") && release_block(c, ch->account_id, block_id, e))
		return -1;
	if (!strcmp(ch->status, "no_show") && strcmp(x->cur.status, "no_show") && x->cur.client_id &&
	    db_exec(c,
		    "UPDATE clients SET no_show_count = no_show_count + 1 WHERE account_id = $1 AND id = $2",
		    DB_ARGS(DB_INT(ch->account_id), DB_INT(x->cur.client_id)), e) < 0)
		return -1;
	if (next_change_seq(c, ch->account_id, &seq, e))
		return -1;
	int64_t start = x->move ? x->new_start : x->cur.start;
	int64_t end = x->move || x->resize ? start + x->length : x->cur.end;
	rc = db_exec(
		c,
		"UPDATE appointments SET staff_id = $3, block_id = $4, starts_at = $5, ends_at = $6, status "
		"= $7,"
		" notes = CASE WHEN $8 = 1 THEN $9 ELSE notes END, version = version + 1, change_seq = $10,"
		" updated_at = $11, cancelled_at = CASE WHEN $7 = 'cancelled' THEN $11 ELSE cancelled_at END,"
		" rules_overridden = CASE WHEN $12 = 1 THEN 1 ELSE rules_overridden END"
		" WHERE account_id = $1 AND id = $2",
		DB_ARGS(DB_INT(ch->account_id), DB_INT(x->cur.id),
			DB_INT(x->move ? x->new_staff : x->cur.staff_id), DB_INT(block_id), DB_INT(start),
			DB_INT(end), DB_TEXT(status), DB_INT(ch->has_notes), DB_TEXT(ch->notes), DB_INT(seq),
			DB_INT(ch->now), DB_INT(x->overridden)),
		e);
	if (rc < 0)
		return -1;
	if (x->move && x->cur.client_id &&
	    clients_note_appointment(c, ch->account_id, x->cur.client_id, start, e))
		return -1;
	enum appt_event ev = !strcmp(status, "cancelled") ? APPT_EV_CANCELLED
			     : x->move || x->resize	  ? APPT_EV_MOVED
							  : APPT_EV_CHANGED;
	if (appt_messages_event(c, ch->account_id, x->cur.id, ev, x->cur.start, ch->now, e))
		return -1;
	return appt_json_by_id(c, ch->account_id, x->cur.id, &x->out, e);
}

/* Checks the new place of a moved appointment with the booking rules. */
static int check_move(db *d, struct update_ctx *x, struct err *e)
{
	const struct appt_change *ch = x->ch;
	const char *staff = ch->staff[0] ? ch->staff : x->cur.staff_pid;
	x->new_start = ch->has_start ? ch->start : x->cur.start;
	int64_t day = x->new_start / 86400;
	struct slots_date from, to;
	tz_civil_from_days(day - 1, &from.year, &from.month, &from.day);
	tz_civil_from_days(day + 1, &to.year, &to.month, &to.day);
	db_conn *c;
	if (db_acquire(d, &c, e))
		return -1;
	struct loader l = {0};
	int rc = loader_load(c, ch->account_id, x->cur.service_pid, staff, from, to, ch->now, &l, e);
	db_release(c);
	if (rc) {
		loader_release(&l);
		return -1;
	}
	x->svc = l.service;
	x->new_staff = l.staff[0].id;
	if (ch->only_staff_user && l.staff[0].user_id != ch->only_staff_user) {
		loader_release(&l);
		return err_set(e, 404, "not_found", "staff", "no such staff member");
	}
	struct slots_rules rules = l.in.rules;
	if (ch->ov.notice && rules.notice_s) {
		rules.notice_s = 0;
		x->overridden = 1;
	}
	if (ch->ov.horizon && rules.horizon_s) {
		rules.horizon_s = 0;
		x->overridden = 1;
	}
	rc = loader_check_start(&l, &rules, 0, x->new_start, x->cur.capacity > 1 ? 0 : x->cur.block_id,
				"start", &x->new_session, e);
	if (rc && ch->ov.grid && !strcmp(e->code, "off_grid")) {
		err_clear(e);
		rc = 0;
		x->overridden = 1;
	}
	loader_release(&l);
	return rc;
}

/* The length of a moved or resized appointment, into x->length: the one asked for, else its
 * current one when the service is resizable, else the service's duration. A resize alone keeps
 * the start and the staff member, and the booking rules (they judge a start) are not asked. */
static int resolve_length(db *d, struct update_ctx *x, struct err *e)
{
	const struct appt_change *ch = x->ch;
	const char *field = ch->has_end ? "end" : "duration_min";
	db_conn *c;
	db_rows *r;
	if (db_acquire(d, &c, e))
		return -1;
	int rc = db_query(c,
			  "SELECT resizable, duration_min, buffer_before_min, buffer_after_min, capacity"
			  " FROM services WHERE account_id = $1 AND id = $2",
			  DB_ARGS(DB_INT(ch->account_id), DB_INT(x->cur.service_id)), &r, e);
	if (!rc) {
		rc = db_rows_next(r, e);
		if (rc == 1) {
			x->resizable = (int)db_rows_int(r, 0);
			if (!x->move) {
				x->svc.id = x->cur.service_id;
				x->svc.duration = (int)db_rows_int(r, 1);
				x->svc.buffer_before = (int)db_rows_int(r, 2);
				x->svc.buffer_after = (int)db_rows_int(r, 3);
				x->svc.capacity = (int)db_rows_int(r, 4);
			}
		}
		db_rows_free(r);
	}
	db_release(c);
	if (rc != 1)
		return rc < 0 ? -1 : err_internal(e, "service %lld vanished", (long long)x->cur.service_id);
	if (!x->move) {
		x->new_start = x->cur.start;
		x->new_staff = x->cur.staff_id;
	}
	if (!x->resize) {
		x->length = x->resizable ? x->cur.end - x->cur.start : (int64_t)x->svc.duration * 60;
		return 0;
	}
	if (!x->resizable || x->cur.capacity > 1 || x->svc.capacity > 1)
		return err_set(e, 422, "not_resizable", field,
			       "the appointments of this service last the service's duration");
	x->length = ch->has_end ? ch->end - x->new_start : ch->duration_min * 60;
	if (x->length <= 0)
		return err_set(e, 400, "end_before_start", field, "the end is not after the start");
	if (x->length % 300 || x->length > (int64_t)APPT_LENGTH_MAX * 60)
		return err_invalid(e, field,
				   "an appointment lasts 5 minutes to %d hours, in steps of 5 minutes",
				   APPT_LENGTH_MAX / 60);
	return 0;
}

int appt_update(db *d, const struct appt_change *ch, json_t **out, struct err *e)
{
	struct update_ctx x = {.ch = ch};
	if (read_current(d, ch, &x.cur, e))
		return -1;
	if (!strcmp(x.cur.status, "cancelled"))
		return err_set(e, 422, "appointment_cancelled", NULL,
			       "a cancelled appointment cannot change");
	x.move = (ch->has_start && ch->start != x.cur.start) ||
		 (ch->staff[0] && strcmp(ch->staff, x.cur.staff_pid));
	x.resize = ch->has_end || ch->duration_min;
	if (x.move && strcmp(ch->status, "cancelled") && check_move(d, &x, e))
		return -1;
	if (!strcmp(ch->status, "cancelled"))
		x.move = x.resize = 0;
	if ((x.move || x.resize) && resolve_length(d, &x, e))
		return -1;
	if (db_transact(d, update_tx, &x, e)) {
		json_decref(x.out); /* built before a failed commit */
		return -1;
	}
	*out = json_pack("{s:o}", "appointment", x.out);
	return 0;
}

/* ---- availability ---- */

/* Joinable sessions of one local day that the rules allow, sorted by start, with masks. */
static int day_sessions(const struct loader *l, struct slots_date date, struct slots_slot *out, int cap)
{
	int n = 0;
	for (int i = 0; i < l->nsessions && n < cap; i++) {
		const struct loader_session *s = &l->sessions[i];
		struct slots_date dd = loader_local_date(l, s->start);
		if (dd.year != date.year || dd.month != date.month || dd.day != date.day)
			continue;
		int64_t got;
		struct err why = {0};
		if (loader_check_start(l, NULL, s->staff_index, s->start, 0, "start", &got, &why))
			continue;
		int k = 0;
		while (k < n && out[k].start != s->start)
			k++;
		if (k == n)
			out[n++] = (struct slots_slot){s->start, 0};
		out[k].staff |= (uint64_t)1 << s->staff_index;
	}
	for (int a = 1; a < n; a++)
		for (int b = a; b > 0 && out[b - 1].start > out[b].start; b--) {
			struct slots_slot t = out[b];
			out[b] = out[b - 1];
			out[b - 1] = t;
		}
	return n;
}

/* The availability answer is written straight into a buffer: a month for "any" staff is
 * a thousand slots each listing several staff, and building it as a JSON tree cost more
 * than computing it. */

/* s as a JSON string (quotes included), escaped as a JSON encoder would. */
static int json_text(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	char tmp[8];
	size_t from = 0, i = 0;
	if (buf_append(b, "\"", 1))
		return -1;
	for (; s[i]; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		if (buf_append(b, s + from, i - from))
			return -1;
		size_t n = 2;
		tmp[0] = '\\';
		switch (c) {
		case '"':
			tmp[1] = '"';
			break;
		case '\\':
			tmp[1] = '\\';
			break;
		case '\n':
			tmp[1] = 'n';
			break;
		case '\r':
			tmp[1] = 'r';
			break;
		case '\t':
			tmp[1] = 't';
			break;
		default:
			memcpy(tmp + 1, "u00", 3);
			tmp[4] = hex[c >> 4];
			tmp[5] = hex[c & 15];
			n = 6;
		}
		if (buf_append(b, tmp, n))
			return -1;
		from = i + 1;
	}
	return buf_append(b, s + from, i - from) || buf_append(b, "\"", 1) ? -1 : 0;
}

static char *two(char *p, int v)
{
	p[0] = (char)('0' + v / 10 % 10);
	p[1] = (char)('0' + v % 10);
	return p + 2;
}

/* `"start":"<RFC 3339>"` of utc, as tz_format_rfc3339 writes it, without printf. */
static int start_text(struct buf *b, const struct tz *z, int64_t utc)
{
	char t[TZ_RFC3339_SIZE + 16] = "\"start\":\"";
	char *p = t + 9;
	int off = z ? tz_offset_at(z, utc) : 0;
	struct civil c;
	tz_utc_to_civil(utc + (off % 60 ? 0 : off), &c);
	if (off % 60 || c.year < 0 || c.year > 9999) {
		tz_format_rfc3339(z, utc, p);
		p += strlen(p);
	} else {
		p = two(p, c.year / 100);
		p = two(p, c.year % 100);
		*p++ = '-';
		p = two(p, c.month);
		*p++ = '-';
		p = two(p, c.day);
		*p++ = 'T';
		p = two(p, c.hour);
		*p++ = ':';
		p = two(p, c.minute);
		*p++ = ':';
		p = two(p, c.second);
		if (!z) {
			*p++ = 'Z';
		} else {
			int a = off < 0 ? -off : off;
			*p++ = off < 0 ? '-' : '+';
			p = two(p, a / 3600);
			*p++ = ':';
			p = two(p, a / 60 % 60);
		}
	}
	*p++ = '"';
	return buf_append(b, t, (size_t)(p - t));
}

/* Each staff member's public id as a JSON string, written once per answer. */
struct staff_texts {
	struct buf all;
	size_t at[SLOTS_MAX_STAFF + 1];
};

static int slot_text(struct buf *b, const struct loader *l, const struct staff_texts *st, int64_t start,
		     uint64_t mask, int first)
{
	if ((!first && buf_append(b, ",", 1)) || buf_append(b, "{", 1) || start_text(b, l->zone, start) ||
	    buf_append(b, ",\"staff\":[", 10))
		return -1;
	int n = 0;
	for (int i = 0; i < l->nstaff; i++) {
		if (!(mask & ((uint64_t)1 << i)))
			continue;
		if ((n++ && buf_append(b, ",", 1)) ||
		    buf_append(b, st->all.data + st->at[i], st->at[i + 1] - st->at[i]))
			return -1;
	}
	return buf_append(b, "]}", 2);
}

static int availability_text(const struct loader *l, const struct slots_result *res, struct buf *b)
{
	struct staff_texts st;
	struct slots_slot extra[64];
	int rc = -1;
	buf_init(&st.all, (size_t)SLOTS_MAX_STAFF * 8 * LOADER_PID_MAX);
	st.at[0] = 0;
	for (int i = 0; i < l->nstaff; i++) {
		if (json_text(&st.all, l->staff[i].public_id))
			goto out;
		st.at[i + 1] = st.all.len;
	}
	if (buf_append(b, "{\"time_zone\":", 13) || json_text(b, l->time_zone) ||
	    buf_append(b, ",\"days\":[", 9))
		goto out;
	for (int d = 0; d < res->ndays; d++) {
		const struct slots_day *day = &res->days[d];
		char date[64];
		int dn = snprintf(date, sizeof(date), "%s{\"date\":\"%04u-%02u-%02u\",\"slots\":[",
				  d ? "," : "", (unsigned)day->date.year % 10000u,
				  (unsigned)day->date.month % 100u, (unsigned)day->date.day % 100u);
		if (dn < 0 || (size_t)dn >= sizeof(date) || buf_append(b, date, (size_t)dn))
			goto out;
		int nx = l->nsessions ? day_sessions(l, day->date, extra, 64) : 0;
		int i = 0, j = 0, k = 0;
		while (i < day->count || j < nx) {
			const struct slots_slot *a = i < day->count ? &res->slots[day->first + i] : NULL;
			const struct slots_slot *x = j < nx ? &extra[j] : NULL;
			int64_t start;
			uint64_t mask;
			if (a && x && a->start == x->start) {
				start = a->start, mask = a->staff | x->staff;
				i++, j++;
			} else if (a && (!x || a->start < x->start)) {
				start = a->start, mask = a->staff;
				i++;
			} else {
				start = x->start, mask = x->staff;
				j++;
			}
			if (slot_text(b, l, &st, start, mask, !k++))
				goto out;
		}
		if (buf_append(b, "]}", 2))
			goto out;
	}
	rc = buf_append(b, "]}", 2);
out:
	buf_release(&st.all);
	return rc;
}

int appt_availability_write(const struct loader *l, struct buf *out, struct err *e)
{
	struct slots_result res = {0};
	if (slots_compute(&l->in, &res, e)) {
		slots_result_release(&res);
		return -1;
	}
	int rc = availability_text(l, &res, out);
	slots_result_release(&res);
	if (rc)
		return err_set(e, 422, "too_many_slots", "to",
			       "the answer would be too large: ask for fewer days");
	return 0;
}
