/* clients — profile, search, history, erasure and the three-year anonymisation (see
 * clients.h and docs/internals/clients.md). */
#include "schedule/clients.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "account/account.h"
#include "account/demo.h"
#include "base/i18n.h"
#include "base/log.h"
#include "jobs/jobs.h"
#include "ops/backup.h"
#include "schedule/appointments.h"
#include "base/banned.h"

#define DAY_S		 86400
#define SEARCH_TEXT_MAX	 1024 /* bytes of search_text: two folded names, an email, digits */
#define SEARCH_WORDS_MAX 5    /* words of a query that are matched; the rest are ignored */
#define STALE_BATCH	 200  /* clients anonymised per transaction by the job */
#define JOB_LEASE_S	 600

#define CLIENT_COLS                                                                                          \
	"id, public_id, first_name, last_name, email, phone, notes, consent_email, consent_sms, "            \
	"last_appointment_at, anonymised_at, is_demo, version, created_at, updated_at"

static void copy(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

static void read_client(const db_rows *r, struct client *out)
{
	memset(out, 0, sizeof(*out));
	out->id = db_rows_int(r, 0);
	copy(out->public_id, sizeof(out->public_id), db_rows_text(r, 1));
	copy(out->first_name, sizeof(out->first_name), db_rows_text(r, 2));
	copy(out->last_name, sizeof(out->last_name), db_rows_text(r, 3));
	copy(out->email, sizeof(out->email), db_rows_text(r, 4));
	copy(out->phone, sizeof(out->phone), db_rows_text(r, 5));
	copy(out->notes, sizeof(out->notes), db_rows_text(r, 6));
	out->consent_email = (int)db_rows_int(r, 7);
	out->consent_sms = (int)db_rows_int(r, 8);
	out->last_appointment_at = db_rows_is_null(r, 9) ? 0 : db_rows_int(r, 9);
	out->anonymised_at = db_rows_is_null(r, 10) ? 0 : db_rows_int(r, 10);
	out->is_demo = (int)db_rows_int(r, 11);
	out->version = db_rows_int(r, 12);
	out->created_at = db_rows_int(r, 13);
	out->updated_at = db_rows_int(r, 14);
}

/* Runs a query of CLIENT_COLS expected to give at most one row: 1 and *out, 0, or negative. */
static int query_client(db_conn *c, const char *sql, const db_param *p, int n, struct client *out,
			struct err *e)
{
	db_rows *r;
	if (db_query(c, sql, p, n, &r, e))
		return -1;
	int rc = db_rows_next(r, e);
	if (rc == 1)
		read_client(r, out);
	db_rows_free(r);
	return rc;
}

/* ---- search text ---- */

static int append(char *out, size_t cap, size_t *n, const char *piece)
{
	size_t len = strlen(piece);
	if (!len)
		return 0;
	if (*n && *n + 1 < cap)
		out[(*n)++] = ' ';
	if (*n + len + 1 > cap)
		len = cap - *n - 1;
	memcpy(out + *n, piece, len);
	*n += len;
	out[*n] = '\0';
	return 0;
}

int clients_search_text(const char *first, const char *last, const char *email, const char *phone, char *out,
			size_t cap, struct err *e)
{
	char folded[SEARCH_TEXT_MAX];
	size_t n = 0;
	if (cap == 0)
		return err_internal(e, "no room for a search text");
	out[0] = '\0';
	const char *texts[] = {first, last, email};
	for (int i = 0; i < 3; i++) {
		if (i18n_fold(texts[i], folded, sizeof(folded)))
			return err_invalid(e, NULL, "text is not valid UTF-8");
		append(out, cap, &n, folded);
	}
	if (phone && phone[0] == '+') {
		append(out, cap, &n, phone + 1);
		char national[PHONE_E164_SIZE];
		phone_national_digits(phone, national);
		append(out, cap, &n, national);
	}
	return 0;
}

/* ---- create, read, update ---- */

/* The account's client (not anonymised, not `except_id`) with this email or phone: 409
 * duplicate_client naming the field, 0 when none. */
static int check_duplicate(db_conn *c, int64_t account_id, const char *email, const char *phone,
			   int64_t except_id, struct err *e)
{
	static const char *const sql[2] = {
		"SELECT public_id FROM clients WHERE account_id = $1 AND email = $2 AND id <> $3 "
		"AND anonymised_at IS NULL ORDER BY id LIMIT 1",
		"SELECT public_id FROM clients WHERE account_id = $1 AND phone = $2 AND id <> $3 "
		"AND anonymised_at IS NULL ORDER BY id LIMIT 1",
	};
	const char *values[2] = {email, phone}, *fields[2] = {"email", "phone"};
	for (int i = 0; i < 2; i++) {
		if (!values[i] || !values[i][0])
			continue;
		db_rows *r;
		if (db_query(c, sql[i], DB_ARGS(DB_INT(account_id), DB_TEXT(values[i]), DB_INT(except_id)),
			     &r, e))
			return -1;
		int rc = db_rows_next(r, e);
		char existing[24] = "";
		if (rc == 1)
			copy(existing, sizeof(existing), db_rows_text(r, 0));
		db_rows_free(r);
		if (rc < 0)
			return -1;
		if (rc == 1)
			return err_set(e, 409, "duplicate_client", fields[i], "client %s already has this %s",
				       existing, fields[i]);
	}
	return 0;
}

static int identifiable(const char *first, const char *last, const char *email, const char *phone,
			struct err *e)
{
	if (first[0] || last[0] || email[0] || phone[0])
		return 0;
	return err_set(e, 400, "missing_field", "last_name",
		       "a client needs a name, an e-mail address or a phone number");
}

static int insert_client(db_conn *c, int64_t account_id, const struct client_input *in, int64_t now,
			 int64_t *id, char public_id[24], struct err *e)
{
	char search[SEARCH_TEXT_MAX];
	if (clients_search_text(in->first_name, in->last_name, in->email, in->phone, search, sizeof(search),
				e))
		return -1;
	public_id_new("cli", public_id);
	int rc = db_query_int(
		c,
		"INSERT INTO clients (account_id, public_id, first_name, last_name, search_text, "
		"email, phone, notes, consent_email, consent_sms, created_at, updated_at) "
		"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id",
		DB_ARGS(DB_INT(account_id), DB_TEXT(public_id), DB_TEXT(in->first_name),
			DB_TEXT(in->last_name), DB_TEXT(search), DB_TEXT(in->email), DB_TEXT(in->phone),
			DB_TEXT(in->notes), DB_INT(in->consent_email != 0), DB_INT(in->consent_sms != 0),
			DB_INT(now)),
		id, e);
	if (rc < 0)
		return -1;
	return rc == 1 ? 0 : err_internal(e, "a client insert returned no id");
}

static int get_by_id(db_conn *c, int64_t account_id, int64_t id, struct client *out, struct err *e)
{
	int rc = query_client(c, "SELECT " CLIENT_COLS " FROM clients WHERE account_id = $1 AND id = $2",
			      DB_ARGS(DB_INT(account_id), DB_INT(id)), out, e);
	if (rc < 0)
		return -1;
	return rc == 1 ? 0 : err_set(e, 404, "not_found", NULL, "no such client in this account");
}

static int count_no_shows(db_conn *c, int64_t account_id, struct client *cl, struct err *e)
{
	int rc = db_query_int(c,
			      "SELECT count(*) FROM appointments WHERE account_id = $1 AND client_id = $2 "
			      "AND status = 'no_show'",
			      DB_ARGS(DB_INT(account_id), DB_INT(cl->id)), &cl->no_show_count, e);
	return rc < 0 ? -1 : 0;
}

int clients_create(db_conn *c, int64_t account_id, const struct client_input *in, int64_t now,
		   struct client *out, struct err *e)
{
	int64_t id;
	char public_id[24];
	if (identifiable(in->first_name, in->last_name, in->email, in->phone, e) ||
	    check_duplicate(c, account_id, in->email, in->phone, 0, e) ||
	    insert_client(c, account_id, in, now, &id, public_id, e))
		return -1;
	return get_by_id(c, account_id, id, out, e);
}

int clients_get(db_conn *c, int64_t account_id, const char *public_id, struct client *out, struct err *e)
{
	int rc = query_client(c,
			      "SELECT " CLIENT_COLS " FROM clients WHERE account_id = $1 AND public_id = $2",
			      DB_ARGS(DB_INT(account_id), DB_TEXT(public_id)), out, e);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return err_set(e, 404, "not_found", NULL, "no such client in this account");
	return count_no_shows(c, account_id, out, e);
}

int clients_update(db_conn *c, int64_t account_id, const char *public_id, const struct client_input *in,
		   int64_t now, struct client *out, struct err *e)
{
	struct client cur;
	if (clients_get(c, account_id, public_id, &cur, e))
		return -1;
	if (cur.anonymised_at)
		return err_set(e, 409, "client_erased", NULL, "this client was erased");
	unsigned s = in->set;
	if (s & CLIENT_SET_FIRST)
		copy(cur.first_name, sizeof(cur.first_name), in->first_name);
	if (s & CLIENT_SET_LAST)
		copy(cur.last_name, sizeof(cur.last_name), in->last_name);
	if (s & CLIENT_SET_EMAIL)
		copy(cur.email, sizeof(cur.email), in->email);
	if (s & CLIENT_SET_PHONE)
		copy(cur.phone, sizeof(cur.phone), in->phone);
	if (s & CLIENT_SET_NOTES)
		copy(cur.notes, sizeof(cur.notes), in->notes);
	if (s & CLIENT_SET_CONSENT_EMAIL)
		cur.consent_email = in->consent_email != 0;
	if (s & CLIENT_SET_CONSENT_SMS)
		cur.consent_sms = in->consent_sms != 0;
	char search[SEARCH_TEXT_MAX];
	if (identifiable(cur.first_name, cur.last_name, cur.email, cur.phone, e) ||
	    check_duplicate(c, account_id, (s & CLIENT_SET_EMAIL) ? cur.email : NULL,
			    (s & CLIENT_SET_PHONE) ? cur.phone : NULL, cur.id, e) ||
	    clients_search_text(cur.first_name, cur.last_name, cur.email, cur.phone, search, sizeof(search),
				e))
		return -1;
	int n = db_exec(
		c,
		"UPDATE clients SET first_name = $3, last_name = $4, email = $5, phone = $6, notes = $7, "
		"consent_email = $8, consent_sms = $9, search_text = $10, updated_at = $11, "
		"version = version + 1 WHERE account_id = $1 AND id = $2",
		DB_ARGS(DB_INT(account_id), DB_INT(cur.id), DB_TEXT(cur.first_name), DB_TEXT(cur.last_name),
			DB_TEXT(cur.email), DB_TEXT(cur.phone), DB_TEXT(cur.notes), DB_INT(cur.consent_email),
			DB_INT(cur.consent_sms), DB_TEXT(search), DB_INT(now)),
		e);
	if (n < 0)
		return -1;
	if (get_by_id(c, account_id, cur.id, out, e))
		return -1;
	out->no_show_count = cur.no_show_count;
	return 0;
}

/* ---- list and search ---- */

/* One word of a query as a LIKE pattern: folded, % _ and \ escaped, wrapped in %. A word
 * made of phone characters with at least one digit keeps its digits only ("06 12" is two
 * words, "06.12.34" one). Returns 0 when the word gives no pattern. */
static int word_pattern(const char *word, size_t len, char *out, size_t cap)
{
	char raw[CLIENTS_SEARCH_MAX + 1], folded[CLIENTS_SEARCH_MAX * 4 + 1];
	if (len > CLIENTS_SEARCH_MAX)
		len = CLIENTS_SEARCH_MAX;
	memcpy(raw, word, len);
	raw[len] = '\0';
	int phone_like = 1, digits = 0;
	for (size_t i = 0; i < len; i++) {
		if (raw[i] >= '0' && raw[i] <= '9')
			digits++;
		else if (!strchr("+.-()/", raw[i]))
			phone_like = 0;
	}
	if (phone_like && digits) {
		size_t k = 0;
		for (size_t i = 0; i < len; i++)
			if (raw[i] >= '0' && raw[i] <= '9')
				folded[k++] = raw[i];
		folded[k] = '\0';
	} else if (i18n_fold(raw, folded, sizeof(folded))) {
		return 0;
	}
	if (!folded[0])
		return 0;
	size_t n = 0;
	out[n++] = '%';
	for (const char *p = folded; *p && n + 4 < cap; p++) {
		if (*p == '%' || *p == '_' || *p == '\\')
			out[n++] = '\\';
		out[n++] = *p;
	}
	out[n++] = '%';
	out[n] = '\0';
	return 1;
}

int clients_list(db_conn *c, int64_t account_id, const char *q, const char *after_public_id, int limit,
		 clients_each_fn each, void *ctx, struct err *e)
{
	if (limit < 1 || limit > CLIENTS_PAGE_MAX)
		limit = CLIENTS_PAGE_MAX;
	int64_t after = INT64_MAX;
	if (after_public_id && after_public_id[0]) {
		int rc = db_query_int(c, "SELECT id FROM clients WHERE account_id = $1 AND public_id = $2",
				      DB_ARGS(DB_INT(account_id), DB_TEXT(after_public_id)), &after, e);
		if (rc < 0)
			return -1;
		if (rc == 0)
			return err_invalid(e, "cursor", "this cursor does not come from this list");
	}
	/* the statement is assembled from fixed pieces; every value is bound */
	char patterns[SEARCH_WORDS_MAX][CLIENTS_SEARCH_MAX * 8 + 3];
	db_param params[3 + SEARCH_WORDS_MAX];
	int np = 0;
	params[np++] = DB_INT(account_id);
	params[np++] = DB_INT(after);
	params[np++] = DB_INT(limit);
	char sql[1024];
	size_t n = (size_t)snprintf(sql, sizeof(sql),
				    "SELECT " CLIENT_COLS " FROM clients WHERE account_id = $1 AND id < $2 "
				    "AND anonymised_at IS NULL");
	const char *p = q ? q : "";
	size_t qlen = strnlen(p, CLIENTS_SEARCH_MAX);
	for (size_t i = 0; i < qlen && np < 3 + SEARCH_WORDS_MAX;) {
		while (i < qlen && (p[i] == ' ' || p[i] == '\t'))
			i++;
		size_t start = i;
		while (i < qlen && p[i] != ' ' && p[i] != '\t')
			i++;
		if (i == start)
			break;
		if (!word_pattern(p + start, i - start, patterns[np - 3], sizeof(patterns[0])))
			continue;
		params[np] = DB_TEXT(patterns[np - 3]);
		np++;
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, " AND search_text LIKE $%d ESCAPE '\\'", np);
	}
	snprintf(sql + n, sizeof(sql) - n, " ORDER BY id DESC LIMIT $3");
	db_rows *r;
	if (db_query(c, sql, params, np, &r, e))
		return -1;
	int count = 0, rc;
	struct client cl;
	while ((rc = db_rows_next(r, e)) == 1) {
		read_client(r, &cl);
		each(ctx, &cl);
		count++;
	}
	db_rows_free(r);
	return rc < 0 ? -1 : count;
}

/* ---- history and export ---- */

int clients_appointments(db_conn *c, int64_t account_id, int64_t client_id, enum clients_when when,
			 int64_t now, int limit, clients_appointment_fn each, void *ctx, struct err *e)
{
#define APPT_SQL(cond, order)                                                                                \
	"SELECT a.id, a.public_id, a.status, a.source, s.name, st.name, a.notes, a.starts_at, "              \
	"a.ends_at, a.created_at, a.cancelled_at FROM appointments a "                                       \
	"LEFT JOIN services s ON s.account_id = a.account_id AND s.id = a.service_id "                       \
	"LEFT JOIN staff st ON st.account_id = a.account_id AND st.id = a.staff_id "                         \
	"WHERE a.account_id = $1 AND a.client_id = $2 " cond " ORDER BY a.starts_at " order ", a.id "        \
	"LIMIT $4"
	static const char *const sql[] = {
		[CLIENTS_PAST] = APPT_SQL("AND a.starts_at < $3", "DESC"),
		[CLIENTS_UPCOMING] = APPT_SQL("AND a.starts_at >= $3", "ASC"),
		[CLIENTS_ALL] = APPT_SQL("AND $3 = $3", "ASC"),
	};
#undef APPT_SQL
	db_rows *r;
	if (db_query(c, sql[when], DB_ARGS(DB_INT(account_id), DB_INT(client_id), DB_INT(now), DB_INT(limit)),
		     &r, e))
		return -1;
	int count = 0, rc;
	while ((rc = db_rows_next(r, e)) == 1) {
		struct client_appointment a = {
			.id = db_rows_int(r, 0),
			.public_id = db_rows_text(r, 1),
			.status = db_rows_text(r, 2),
			.source = db_rows_text(r, 3),
			.service_name = db_rows_text(r, 4) ? db_rows_text(r, 4) : "",
			.staff_name = db_rows_text(r, 5) ? db_rows_text(r, 5) : "",
			.notes = db_rows_text(r, 6) ? db_rows_text(r, 6) : "",
			.starts_at = db_rows_int(r, 7),
			.ends_at = db_rows_int(r, 8),
			.created_at = db_rows_int(r, 9),
			.cancelled_at = db_rows_is_null(r, 10) ? 0 : db_rows_int(r, 10),
		};
		each(ctx, &a);
		count++;
	}
	db_rows_free(r);
	return rc < 0 ? -1 : count;
}

int clients_answers(db_conn *c, int64_t account_id, int64_t client_id, clients_answer_fn each, void *ctx,
		    struct err *e)
{
	db_rows *r;
	if (db_query(c,
		     "SELECT aa.appointment_id, q.label, aa.answer FROM appointment_answers aa "
		     "JOIN appointments a ON a.account_id = aa.account_id AND a.id = aa.appointment_id "
		     "JOIN service_questions q ON q.account_id = aa.account_id AND q.id = aa.question_id "
		     "WHERE aa.account_id = $1 AND a.client_id = $2 ORDER BY aa.appointment_id, q.position, "
		     "q.id",
		     DB_ARGS(DB_INT(account_id), DB_INT(client_id)), &r, e))
		return -1;
	int count = 0, rc;
	while ((rc = db_rows_next(r, e)) == 1) {
		each(ctx, db_rows_int(r, 0), db_rows_text(r, 1), db_rows_text(r, 2));
		count++;
	}
	db_rows_free(r);
	return rc < 0 ? -1 : count;
}

/* ---- bookings ---- */

/* The account's client (not anonymised) with this column's value, into *out: 1, 0 or < 0. */
static int find_by(db_conn *c, int64_t account_id, int by_phone, const char *value, struct client *out,
		   struct err *e)
{
	static const char *const sql[2] = {
		"SELECT " CLIENT_COLS " FROM clients WHERE account_id = $1 AND email = $2 "
		"AND anonymised_at IS NULL ORDER BY id LIMIT 1",
		"SELECT " CLIENT_COLS " FROM clients WHERE account_id = $1 AND phone = $2 "
		"AND anonymised_at IS NULL ORDER BY id LIMIT 1",
	};
	if (!value[0])
		return 0;
	return query_client(c, sql[by_phone], DB_ARGS(DB_INT(account_id), DB_TEXT(value)), out, e);
}

int clients_find_or_create(db_conn *c, int64_t account_id, const char *first, const char *last,
			   const char *email, const char *phone, int64_t now, int64_t *client_id,
			   struct err *e)
{
	struct client_input in = {.set = CLIENT_SET_ALL, .consent_email = 1};
	copy(in.first_name, sizeof(in.first_name), first);
	copy(in.last_name, sizeof(in.last_name), last);
	if (strlen(first ? first : "") > CLIENTS_NAME_MAX)
		return err_invalid(e, "first_name", "at most %d bytes", CLIENTS_NAME_MAX);
	if (strlen(last ? last : "") > CLIENTS_NAME_MAX)
		return err_invalid(e, "last_name", "at most %d bytes", CLIENTS_NAME_MAX);
	if (email && email[0] && email_normalise(email, in.email, "email", e))
		return -1;
	if (phone && phone[0] && phone_normalise(phone, "FR", in.phone, "phone", e))
		return -1;
	if (identifiable(in.first_name, in.last_name, in.email, in.phone, e))
		return -1;
	struct client cur;
	int rc = find_by(c, account_id, 0, in.email, &cur, e);
	if (rc == 0)
		rc = find_by(c, account_id, 1, in.phone, &cur, e);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		char public_id[24];
		return insert_client(c, account_id, &in, now, client_id, public_id, e);
	}
	*client_id = cur.id;
	/* fill what the existing client lacks; never overwrite what the business keeps */
	struct client_input fill = {0};
	if (!cur.first_name[0] && !cur.last_name[0] && (in.first_name[0] || in.last_name[0])) {
		fill.set |= CLIENT_SET_FIRST | CLIENT_SET_LAST;
		copy(fill.first_name, sizeof(fill.first_name), in.first_name);
		copy(fill.last_name, sizeof(fill.last_name), in.last_name);
	}
	if (!cur.email[0] && in.email[0]) {
		fill.set |= CLIENT_SET_EMAIL;
		copy(fill.email, sizeof(fill.email), in.email);
	}
	if (!cur.phone[0] && in.phone[0]) {
		fill.set |= CLIENT_SET_PHONE;
		copy(fill.phone, sizeof(fill.phone), in.phone);
	}
	if (!fill.set)
		return 0;
	struct client updated;
	struct err ignored = {0};
	if (clients_update(c, account_id, cur.public_id, &fill, now, &updated, &ignored) == 0)
		return 0;
	/* the email or phone given belongs to another client: keep this one as it is */
	if (ignored.status == 409)
		return 0;
	*e = ignored;
	return -1;
}

int clients_note_appointment(db_conn *c, int64_t account_id, int64_t client_id, int64_t starts_at,
			     struct err *e)
{
	int n = db_exec(c,
			"UPDATE clients SET last_appointment_at = $3 WHERE account_id = $1 AND id = $2 "
			"AND (last_appointment_at IS NULL OR last_appointment_at < $3)",
			DB_ARGS(DB_INT(account_id), DB_INT(client_id), DB_INT(starts_at)), e);
	return n < 0 ? -1 : 0;
}

/* ---- erasure ---- */

int clients_anonymise(db_conn *c, int64_t account_id, int64_t client_id, int64_t now, struct err *e)
{
	int n = db_exec(
		c,
		"UPDATE clients SET first_name = '', last_name = $3, email = '', phone = '', notes = '', "
		"search_text = '', consent_email = 0, consent_sms = 0, anonymised_at = $4, "
		"updated_at = $4, version = version + 1 WHERE account_id = $1 AND id = $2",
		DB_ARGS(DB_INT(account_id), DB_INT(client_id), DB_TEXT(CLIENTS_ERASED_NAME), DB_INT(now)), e);
	if (n <= 0)
		return n < 0 ? -1 : 0;
	/* recorded outside the store, so a restored backup erases it again (ops/backup.h) */
	if (backup_ledger_client(c, account_id, client_id, now, e))
		return -1;
	if (db_exec(c,
		    "DELETE FROM appointment_answers WHERE account_id = $1 AND appointment_id IN "
		    "(SELECT id FROM appointments WHERE account_id = $1 AND client_id = $2)",
		    DB_ARGS(DB_INT(account_id), DB_INT(client_id)), e) < 0 ||
	    db_exec(c,
		    "UPDATE appointments SET notes = '' WHERE account_id = $1 AND client_id = $2 AND notes "
		    "<> ''",
		    DB_ARGS(DB_INT(account_id), DB_INT(client_id)), e) < 0)
		return -1;
	return 1;
}

/* ---- merging duplicates ---- */

/* into's notes, then from's after a blank line, cut at CLIENTS_NOTES_MAX on a UTF-8 boundary. */
static void join_notes(char *into, size_t cap, const char *from)
{
	if (!from[0] || !strcmp(into, from))
		return;
	size_t n = strlen(into);
	if (n && n + 2 < cap) {
		memcpy(into + n, "\n\n", 2);
		n += 2;
	}
	size_t len = strlen(from);
	if (n + len + 1 > cap)
		len = cap - n - 1;
	while (len && (from[len] & 0xC0) == 0x80)
		len--; /* never cut a character in two */
	memcpy(into + n, from, len);
	into[n + len] = '\0';
}

int clients_merge(db_conn *c, int64_t account_id, const char *into_public_id, const char *from_public_id,
		  int64_t now, struct client *out, int64_t *moved, struct err *e)
{
	struct client into, from;
	if (clients_get(c, account_id, into_public_id, &into, e) ||
	    clients_get(c, account_id, from_public_id, &from, e))
		return -1;
	if (into.id == from.id)
		return err_set(e, 409, "same_client", "from", "a client cannot be merged into itself");
	if (into.anonymised_at || from.anonymised_at)
		return err_set(e, 409, "client_erased", into.anonymised_at ? NULL : "from",
			       "an erased client cannot be merged");
	/* the moved appointments take the account's next change number, so the agenda that
	 * polls /appointments/changes shows the kept client's name */
	int64_t seq = 0;
	int rc = db_query_int(
		c,
		"INSERT INTO change_counters (account_id, seq) VALUES ($1, 1)"
		" ON CONFLICT (account_id) DO UPDATE SET seq = change_counters.seq + 1 RETURNING seq",
		DB_ARGS(DB_INT(account_id)), &seq, e);
	if (rc != 1)
		return rc < 0 ? -1 : err_internal(e, "no change_seq");
	int n = db_exec(c,
			"UPDATE appointments SET client_id = $2, change_seq = $4, version = version + 1 "
			"WHERE account_id = $1 AND client_id = $3",
			DB_ARGS(DB_INT(account_id), DB_INT(into.id), DB_INT(from.id), DB_INT(seq)), e);
	if (n < 0 || db_exec(c, "UPDATE outbox SET client_id = $2 WHERE account_id = $1 AND client_id = $3",
			     DB_ARGS(DB_INT(account_id), DB_INT(into.id), DB_INT(from.id)), e) < 0)
		return -1;
	if (moved)
		*moved = n;
	/* from has no appointment left: anonymising it touches nothing else, and frees its
	 * email and phone for the kept client */
	if (clients_anonymise(c, account_id, from.id, now, e) < 0)
		return -1;
	if (!into.first_name[0] && !into.last_name[0]) {
		copy(into.first_name, sizeof(into.first_name), from.first_name);
		copy(into.last_name, sizeof(into.last_name), from.last_name);
	}
	if (!into.email[0])
		copy(into.email, sizeof(into.email), from.email);
	if (!into.phone[0])
		copy(into.phone, sizeof(into.phone), from.phone);
	join_notes(into.notes, sizeof(into.notes), from.notes);
	int64_t last = into.last_appointment_at > from.last_appointment_at ? into.last_appointment_at
									   : from.last_appointment_at;
	char search[SEARCH_TEXT_MAX];
	if (clients_search_text(into.first_name, into.last_name, into.email, into.phone, search,
				sizeof(search), e))
		return -1;
	if (db_exec(c,
		    "UPDATE clients SET first_name = $3, last_name = $4, email = $5, phone = $6, notes = $7, "
		    "consent_email = $8, consent_sms = $9, search_text = $10, last_appointment_at = $11, "
		    "updated_at = $12, version = version + 1 WHERE account_id = $1 AND id = $2",
		    DB_ARGS(DB_INT(account_id), DB_INT(into.id), DB_TEXT(into.first_name),
			    DB_TEXT(into.last_name), DB_TEXT(into.email), DB_TEXT(into.phone),
			    DB_TEXT(into.notes), DB_INT(into.consent_email && from.consent_email),
			    DB_INT(into.consent_sms && from.consent_sms), DB_TEXT(search),
			    last ? DB_INT(last) : DB_NULL, DB_INT(now)),
		    e) < 0)
		return -1;
	return clients_get(c, account_id, into_public_id, out, e);
}

struct stale_ctx {
	int64_t now, cutoff;
	int done; /* anonymised in this batch */
};

static int stale_batch_tx(db_conn *c, void *ctx, struct err *e)
{
	struct stale_ctx *s = ctx;
	int64_t ids[STALE_BATCH][2];
	int n = 0, rc;
	db_rows *r;
	if (db_query(c,
		     "SELECT account_id, id FROM clients cl WHERE anonymised_at IS NULL AND created_at < $1 "
		     "AND (last_appointment_at IS NULL OR last_appointment_at < $1) AND NOT EXISTS "
		     "(SELECT 1 FROM appointments a WHERE a.account_id = cl.account_id AND a.client_id = "
		     "cl.id "
		     "AND a.starts_at >= $1) ORDER BY id LIMIT $2",
		     DB_ARGS(DB_INT(s->cutoff), DB_INT(STALE_BATCH)), &r, e))
		return -1;
	while (n < STALE_BATCH && (rc = db_rows_next(r, e)) == 1) {
		ids[n][0] = db_rows_int(r, 0);
		ids[n][1] = db_rows_int(r, 1);
		n++;
	}
	db_rows_free(r);
	if (n < STALE_BATCH && rc < 0)
		return -1;
	s->done = 0;
	for (int i = 0; i < n; i++) {
		int x = clients_anonymise(c, ids[i][0], ids[i][1], s->now, e);
		if (x < 0)
			return -1;
		s->done += x;
	}
	return 0;
}

int clients_anonymise_stale(db *d, int64_t now, int *count, struct err *e)
{
	struct stale_ctx s = {.now = now, .cutoff = now - CLIENTS_RETENTION_S};
	int64_t total = 0;
	if (db_transact_batches(d, stale_batch_tx, &s, &s.done, STALE_BATCH, &total, e))
		return -1;
	if (count)
		*count = (int)total;
	return 0;
}

/* ---- the daily job ---- */

/* Enqueues the run of the UTC day containing `at`, due at `at`. */
static int enqueue_run(db_conn *c, int64_t at, struct err *e)
{
	char key[64];
	snprintf(key, sizeof(key), CLIENTS_JOB_KIND ":%" PRId64, at / DAY_S);
	struct job_spec s = {.kind = CLIENTS_JOB_KIND, .unique_key = key, .run_at = at};
	return jobs_enqueue(c, &s, e) < 0 ? -1 : 0;
}

static int next_run_tx(db_conn *c, void *ctx, struct err *e)
{
	int64_t now = *(const int64_t *)ctx;
	/* the next UTC day, at the same time of day as the first run */
	return enqueue_run(c, now + DAY_S, e);
}

static enum job_result anonymise_job(db *d, const struct job *j, struct err *e)
{
	int count = 0;
	if (clients_anonymise_stale(d, j->now, &count, e))
		return JOB_RETRY;
	if (count)
		log_info(CLIENTS_JOB_KIND ": %d clients without an appointment for 3 years anonymised",
			 count);
	if (appt_idempotency_purge(d, j->now - APPT_IDEMPOTENCY_KEEP_S, &count, e))
		return JOB_RETRY;
	if (count)
		log_info(CLIENTS_JOB_KIND ": %d idempotency keys older than a day purged", count);
	int64_t now = j->now;
	if (db_transact(d, next_run_tx, &now, e))
		return JOB_RETRY;
	return JOB_DONE;
}

void clients_register(void)
{
	demo_register_table("clients", DEMO_RANK_PEOPLE);
	jobs_register(CLIENTS_JOB_KIND, anonymise_job, JOB_LEASE_S);
}

static int schedule_tx(db_conn *c, void *ctx, struct err *e)
{
	return enqueue_run(c, *(const int64_t *)ctx, e);
}

int clients_schedule_jobs(db *d, int64_t now, struct err *e)
{
	return db_transact(d, schedule_tx, &now, e);
}
