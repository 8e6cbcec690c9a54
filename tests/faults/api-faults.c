/* Fault injection over the API scenarios (docs/internals/faults.md): for each scenario — one
 * request a user makes —, the k-th store statement it runs is made to fail (db_fault_fail_nth)
 * for every k from 1 until a run that completes before reaching k. Each time:
 *   - the answer is a clean error: a 5xx in the API.md error shape (never a crash, a hang or a
 *     wrong 4xx), or the scenario's own success when the product retried or did without;
 *   - nothing is half-written: a fingerprint of the store (each table's row count and a hash of
 *     its rows) is unchanged after an error; after a success its counts moved exactly as in
 *     the reference run (the same scenario without a fault);
 *   - the product is still whole afterwards: the scenario runs once more without a fault.
 * Under the ASan build (tests/run.sh's ASan stage), LeakSanitizer checks the error paths at
 * exit. Runs on SQLite and PostgreSQL (CRENEAU_TEST_STORE). CRENEAU_FAULTS_ONLY=name runs one
 * scenario. */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "api/harness.h"
#include "api/sched_fixture.h"
#include "base/tz.h"

#define MAX_TABLES 160
#define MAX_K	   600
#define PASSWORD   "Tres-Bon-Mot-2027"

/* ---- the store's fingerprint, read on a connection of its own (not counted) ---- */

struct table_fp {
	char name[64];
	char select[4096]; /* SELECT CAST(c1 AS TEXT), ... FROM t */
	int ncols;
	int64_t rows;
	uint64_t hash; /* sum of the rows' FNV-1a hashes: independent of the order */
};

struct fingerprint {
	int n;
	struct table_fp t[MAX_TABLES];
};

static db *fp_db;
static struct fingerprint schema; /* table names and selects, filled once */

/* Tables left out: counters of the requests themselves, not of the change they make. */
static int skipped_table(const char *t)
{
	return !strcmp(t, "rate_limits");
}

static void fp_schema(void)
{
	struct err e = {0};
	db_conn *c;
	db_rows *r;
	assert_int_equal(db_acquire(fp_db, &c, &e), 0);
	const char *sql =
		db_kind(fp_db) == DB_SQLITE
			? "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p"
			  " WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.cid"
			: "SELECT c.table_name, c.column_name FROM information_schema.columns c"
			  " JOIN information_schema.tables t ON t.table_schema = c.table_schema"
			  " AND t.table_name = c.table_name WHERE c.table_schema = current_schema()"
			  " AND t.table_type = 'BASE TABLE' ORDER BY c.table_name, c.ordinal_position";
	assert_int_equal(db_query(c, sql, DB_NOARGS, &r, &e), 0);
	while (db_rows_next(r, &e) == 1) {
		const char *t = db_rows_text(r, 0), *col = db_rows_text(r, 1);
		if (skipped_table(t))
			continue;
		struct table_fp *f = schema.n ? &schema.t[schema.n - 1] : NULL;
		if (!f || strcmp(f->name, t)) {
			assert_true(schema.n < MAX_TABLES);
			f = &schema.t[schema.n++];
			snprintf(f->name, sizeof(f->name), "%s", t);
			snprintf(f->select, sizeof(f->select), "SELECT ");
		}
		size_t l = strlen(f->select);
		snprintf(f->select + l, sizeof(f->select) - l, "%sCAST(\"%s\" AS TEXT)", f->ncols ? ", " : "",
			 col);
		f->ncols++;
	}
	db_rows_free(r);
	for (int i = 0; i < schema.n; i++) {
		struct table_fp *f = &schema.t[i];
		char from[80];
		snprintf(from, sizeof(from), " FROM \"%s\"", f->name);
		size_t l = strlen(f->select);
		assert_true(l + strlen(from) < sizeof(f->select));
		memcpy(f->select + l, from, strlen(from) + 1);
	}
	db_release(c);
	assert_true(schema.n > 30);
}

static void fp_take(struct fingerprint *out)
{
	*out = schema;
	struct err e = {0};
	db_conn *c;
	assert_int_equal(db_acquire(fp_db, &c, &e), 0);
	for (int i = 0; i < out->n; i++) {
		struct table_fp *f = &out->t[i];
		db_rows *r;
		if (db_query(c, f->select, DB_NOARGS, &r, &e))
			fail_msg("%s: %s", f->select, e.message);
		int rc;
		while ((rc = db_rows_next(r, &e)) == 1) {
			uint64_t h = 1469598103934665603u;
			for (int col = 0; col < f->ncols; col++) {
				const char *v = db_rows_text(r, col);
				for (const char *p = v ? v : "\x01NULL"; *p; p++)
					h = (h ^ (unsigned char)*p) * 1099511628211u;
				h = (h ^ 0xff) * 1099511628211u;
			}
			f->rows++;
			f->hash += h;
		}
		assert_int_equal(rc, 0);
		db_rows_free(r);
	}
	db_release(c);
}

/* Prints the tables whose rows differ between a and b; returns how many. */
static int fp_diff(const struct fingerprint *a, const struct fingerprint *b, int print)
{
	int n = 0;
	for (int i = 0; i < a->n; i++)
		if (a->t[i].rows != b->t[i].rows || a->t[i].hash != b->t[i].hash) {
			if (print)
				fprintf(stderr, "      %s: %" PRId64 " -> %" PRId64 " rows%s\n", a->t[i].name,
					a->t[i].rows, b->t[i].rows,
					a->t[i].rows == b->t[i].rows ? " (contents changed)" : "");
			n++;
		}
	return n;
}

/* 1 when the row counts moved from a to b exactly as from ref_a to ref_b. The job queue is
 * left out of this comparison (not of the unchanged check): its jobs are deduplicated by key
 * (one reminders scan per instant...), so how many one change adds depends on what is queued. */
static int fp_same_delta(const struct fingerprint *a, const struct fingerprint *b,
			 const struct fingerprint *ref_a, const struct fingerprint *ref_b)
{
	for (int i = 0; i < a->n; i++)
		if (strcmp(a->t[i].name, "jobs") &&
		    b->t[i].rows - a->t[i].rows != ref_b->t[i].rows - ref_a->t[i].rows)
			return 0;
	return 1;
}

/* The job queue by kind and state (for a failure's message). */
static void dump_jobs(void)
{
	struct err e = {0};
	db_conn *c;
	db_rows *r;
	assert_int_equal(db_acquire(fp_db, &c, &e), 0);
	assert_int_equal(db_query(c,
				  "SELECT kind, state, count(*), max(created_at) FROM jobs GROUP BY kind, "
				  "state ORDER BY 1, 2",
				  DB_NOARGS, &r, &e),
			 0);
	while (db_rows_next(r, &e) == 1)
		fprintf(stderr, "      job %-24s %-8s %4" PRId64 "\n", db_rows_text(r, 0), db_rows_text(r, 1),
			db_rows_int(r, 2));
	db_rows_free(r);
	db_release(c);
}

/* ---- the scenarios ---- */

struct call {
	char method[8];
	char path[256];
	char body[2048];
	struct session *s; /* NULL: a visitor */
};

struct scenario {
	const char *name;
	void (*prep)(struct call *c); /* sets up what the call needs (unarmed) and fills it */
	long ok;		      /* the success status */
};

static struct biz B; /* the business most scenarios work in */
static char svc[24], ana[24];
static int64_t slot_base; /* 00:00 UTC, 40 days from now */
static int slot_n, uniq;

static void next_slot(char out[32])
{
	tz_format_rfc3339(NULL, slot_base + (int64_t)slot_n++ * 3600, out);
}

static void unique_email(char out[128], const char *what)
{
	snprintf(out, 128, "%s-%d-%d-%s@fautes.example", what, (int)getpid(), uniq++, harness_store_kind());
}

/* A fresh business of its own (sign-up through the API). */
static struct session fresh;
static char fresh_email[128];
static void fresh_business(void)
{
	char name[96];
	unique_email(fresh_email, "compte");
	snprintf(name, sizeof(name), "Atelier Fautes %d", uniq);
	harness_signup(&H, name, fresh_email, "pro", &fresh);
}

static void book_one(char id[32], struct session *s)
{
	char start[32], body[512];
	next_slot(start);
	snprintf(body, sizeof(body),
		 "{\"service\": \"%s\", \"staff\": \"%s\", \"start\": \"%s\", \"client\": {\"first_name\": "
		 "\"Léa\", \"last_name\": \"Martin\", \"email\": \"lea%d@fautes.example\"}}",
		 svc, ana, start, uniq++);
	struct reply r;
	session_expect(&H, s, "POST", "/api/v1/appointments", body, 201, &r);
	snprintf(id, 32, "%s", json_path_str(r.json, "appointment", "id"));
	reply_free(&r);
}

static void prep_signup(struct call *c)
{
	char email[128];
	unique_email(email, "inscription");
	snprintf(c->method, sizeof(c->method), "POST");
	snprintf(c->path, sizeof(c->path), "/api/v1/signup");
	snprintf(c->body, sizeof(c->body),
		 "{\"business_name\": \"Salon %d\", \"email\": \"%s\", \"password\": \"" PASSWORD "\","
		 " \"business_type\": \"hair_salon\", \"plan\": \"optimum\", \"accept_terms\": true,"
		 " \"accept_dpa\": true}",
		 uniq, email);
}

static void prep_login(struct call *c)
{
	static char email[128];
	static int uses;
	if (uses++ % 5 == 0) { /* a new user now and then: the per-address log-in limit */
		struct session s;
		unique_email(email, "connexion");
		harness_signup(&H, "Salon Connexion", email, NULL, &s);
	}
	snprintf(c->method, sizeof(c->method), "POST");
	snprintf(c->path, sizeof(c->path), "/api/v1/session");
	snprintf(c->body, sizeof(c->body), "{\"email\": \"%s\", \"password\": \"" PASSWORD "\"}", email);
}

static void prep_service(struct call *c)
{
	c->s = &B.s;
	snprintf(c->method, sizeof(c->method), "POST");
	snprintf(c->path, sizeof(c->path), "/api/v1/services");
	snprintf(c->body, sizeof(c->body),
		 "{\"name\": \"Coupe %d\", \"duration_min\": 30, \"price_cents\": 3000, \"staff\": [\"%s\"]}",
		 uniq++, ana);
}

static void prep_staff(struct call *c)
{
	c->s = &B.s;
	snprintf(c->method, sizeof(c->method), "POST");
	snprintf(c->path, sizeof(c->path), "/api/v1/staff");
	snprintf(c->body, sizeof(c->body), "{\"name\": \"Employé %d\"}", uniq++);
}

static void prep_hours(struct call *c)
{
	c->s = &B.s;
	const char *day = "[[\"08:00\", \"12:00\"], [\"13:00\", \"19:00\"]]";
	char id[24]; /* a staff member of its own: the same change every time */
	fx_staff(&B, "Horaires", id);
	snprintf(c->method, sizeof(c->method), "PUT");
	snprintf(c->path, sizeof(c->path), "/api/v1/staff/%s/hours", id);
	snprintf(
		c->body, sizeof(c->body),
		"{\"mon\": %s, \"tue\": %s, \"wed\": %s, \"thu\": %s, \"fri\": %s, \"sat\": [], \"sun\": []}",
		day, day, day, day, day);
}

static void prep_book(struct call *c)
{
	char start[32];
	next_slot(start);
	c->s = &B.s;
	snprintf(c->method, sizeof(c->method), "POST");
	snprintf(c->path, sizeof(c->path), "/api/v1/appointments");
	snprintf(c->body, sizeof(c->body),
		 "{\"service\": \"%s\", \"staff\": \"%s\", \"start\": \"%s\", \"client\": {\"first_name\": "
		 "\"Léa\", \"last_name\": \"Martin\", \"email\": \"lea%d@fautes.example\"}}",
		 svc, ana, start, uniq++);
}

static void prep_public_book(struct call *c)
{
	char start[32];
	next_slot(start);
	snprintf(c->method, sizeof(c->method), "POST");
	snprintf(c->path, sizeof(c->path), "/api/v1/public/%s/appointments", B.s.slug);
	snprintf(c->body, sizeof(c->body),
		 "{\"service\": \"%s\", \"staff\": \"any\", \"start\": \"%s\", \"client\": {\"first_name\": "
		 "\"Léo\", \"last_name\": \"Petit\", \"email\": \"leo%d@fautes.example\"}, "
		 "\"consent_email\": true}",
		 svc, start, uniq++);
}

static void prep_move(struct call *c)
{
	char id[32], start[32];
	book_one(id, &B.s);
	next_slot(start);
	c->s = &B.s;
	snprintf(c->method, sizeof(c->method), "PATCH");
	snprintf(c->path, sizeof(c->path), "/api/v1/appointments/%s", id);
	snprintf(c->body, sizeof(c->body), "{\"start\": \"%s\", \"version\": 1}", start);
}

static void prep_cancel(struct call *c)
{
	char id[32];
	book_one(id, &B.s);
	c->s = &B.s;
	snprintf(c->method, sizeof(c->method), "PATCH");
	snprintf(c->path, sizeof(c->path), "/api/v1/appointments/%s", id);
	snprintf(c->body, sizeof(c->body), "{\"status\": \"cancelled\"}");
}

static void prep_client(struct call *c)
{
	c->s = &B.s;
	snprintf(c->method, sizeof(c->method), "POST");
	snprintf(c->path, sizeof(c->path), "/api/v1/clients");
	snprintf(
		c->body, sizeof(c->body),
		"{\"first_name\": \"Inès\", \"last_name\": \"Roux %d\", \"email\": \"ines%d@fautes.example\","
		" \"phone\": \"+33 6 12 %02d %02d %02d\"}",
		uniq, uniq, getpid() % 100, uniq / 100 % 100, uniq % 100);
	uniq++;
}

static void prep_client_erase(struct call *c)
{
	char id[32];
	book_one(id, &B.s); /* a client with an appointment: the erasure has more to do */
	struct reply r;
	char path[96];
	snprintf(path, sizeof(path), "/api/v1/appointments/%s", id);
	session_expect(&H, &B.s, "GET", path, NULL, 200, &r);
	const char *client = json_path_str(json_object_get(r.json, "appointment"), "client", "id");
	assert_non_null(client);
	c->s = &B.s;
	snprintf(c->method, sizeof(c->method), "DELETE");
	snprintf(c->path, sizeof(c->path), "/api/v1/clients/%s", client);
	reply_free(&r);
}

static void prep_notify_settings(struct call *c)
{
	struct reply r;
	session_expect(&H, &B.s, "GET", "/api/v1/notifications/settings", NULL, 200, &r);
	json_t *v = json_object_get(r.json, "version");
	if (!v)
		v = json_object_get(json_object_get(r.json, "settings"), "version");
	assert_non_null(v);
	static int flip;
	c->s = &B.s;
	snprintf(c->method, sizeof(c->method), "PUT");
	snprintf(c->path, sizeof(c->path), "/api/v1/notifications/settings");
	snprintf(c->body, sizeof(c->body),
		 "{\"version\": %" JSON_INTEGER_FORMAT
		 ", \"reminders\": [{\"minutes\": %d, \"channels\": [\"email\"]}]}",
		 json_integer_value(v), flip++ % 2 ? 1440 : 120);
	reply_free(&r);
}

static void put_identity(struct session *s, const char *email)
{
	char body[512];
	snprintf(body, sizeof(body),
		 "{\"legal_name\": \"Atelier SARL\", \"street\": \"3 rue du Port\", \"postcode\": \"44000\","
		 " \"city\": \"Nantes\", \"country\": \"FR\", \"siren\": \"732829320\", \"vat_number\": \"\","
		 " \"email\": \"%s\"}",
		 email);
	struct reply r;
	session_expect(&H, s, "PUT", "/api/v1/billing/identity", body, 200, &r);
	reply_free(&r);
}

static void prep_subscribe(struct call *c)
{
	fresh_business();
	put_identity(&fresh, fresh_email);
	c->s = &fresh;
	snprintf(c->method, sizeof(c->method), "POST");
	snprintf(c->path, sizeof(c->path), "/api/v1/subscription");
	snprintf(c->body, sizeof(c->body), "{\"plan\": \"pro\"}");
}

static void prep_plan_change(struct call *c)
{
	prep_subscribe(c);
	struct reply r;
	session_expect(&H, &fresh, "POST", "/api/v1/subscription", "{\"plan\": \"pro\"}", 201, &r);
	reply_free(&r);
	snprintf(c->body, sizeof(c->body), "{\"plan\": \"essentiel\"}");
}

static void prep_deletion(struct call *c)
{
	fresh_business();
	c->s = &fresh;
	snprintf(c->method, sizeof(c->method), "POST");
	snprintf(c->path, sizeof(c->path), "/api/v1/account/deletion");
	snprintf(c->body, sizeof(c->body),
		 "{\"password\": \"" PASSWORD "\", \"confirmation\": \"SUPPRIMER\"}");
}

static void prep_ticket(struct call *c)
{
	c->s = &B.s;
	snprintf(c->method, sizeof(c->method), "POST");
	snprintf(c->path, sizeof(c->path), "/api/v1/tickets");
	snprintf(c->body, sizeof(c->body),
		 "{\"category\": \"question\", \"subject\": \"Question %d\", \"message\": \"Comment déplacer "
		 "un "
		 "rendez-vous ?\"}",
		 uniq++);
}

static const struct scenario scenarios[] = {
	{"signup", prep_signup, 201},
	{"login", prep_login, 200},
	{"service_create", prep_service, 201},
	{"staff_create", prep_staff, 201},
	{"hours_put", prep_hours, 200},
	{"office_booking", prep_book, 201},
	{"public_booking", prep_public_book, 201},
	{"move", prep_move, 200},
	{"cancel", prep_cancel, 200},
	{"client_create", prep_client, 201},
	{"client_erase", prep_client_erase, 204},
	{"notification_settings", prep_notify_settings, 200},
	{"subscribe", prep_subscribe, 201},
	{"plan_change", prep_plan_change, 200},
	{"account_deletion_request", prep_deletion, 202},
	{"ticket_create", prep_ticket, 201},
};

static void do_call(const struct call *c, struct reply *r)
{
	const char *headers[4] = {0};
	int n = 0;
	if (c->s) {
		headers[n++] = c->s->cookie;
		headers[n++] = c->s->csrf;
	}
	headers[n++] = harness_next_ip_header();
	http_call(&H, c->method, c->path, c->body[0] ? c->body : NULL, headers, r);
}

static int clean_error(const struct reply *r)
{
	json_t *err = json_object_get(r->json, "error");
	return r->status >= 500 && r->status <= 599 && json_is_object(err) &&
	       json_is_string(json_object_get(err, "code")) &&
	       json_string_length(json_object_get(err, "message")) > 0;
}

struct tally {
	long runs, errors, retried, committed_then_error;
};

static void run_scenario(const struct scenario *sc, struct tally *t)
{
	static struct fingerprint ref_a, ref_b, a, b;
	struct call c;
	struct reply r;

	/* a first run warms up what only the first time creates (an agenda's change counter...) */
	memset(&c, 0, sizeof(c));
	sc->prep(&c);
	do_call(&c, &r);
	if (r.status != sc->ok)
		fail_msg("%s without a fault: %ld %s", sc->name, r.status, r.body);
	reply_free(&r);
	/* the reference: no fault */
	memset(&c, 0, sizeof(c));
	sc->prep(&c);
	fp_take(&ref_a);
	db_fault_fail_nth(H.app->db, 0);
	do_call(&c, &r);
	long n_ref = db_fault_counted(H.app->db);
	if (r.status != sc->ok)
		fail_msg("%s without a fault: %ld %s", sc->name, r.status, r.body);
	reply_free(&r);
	fp_take(&ref_b);
	assert_true(fp_diff(&ref_a, &ref_b, 0) > 0); /* the scenario does change the store */

	long k;
	for (k = 1; k <= MAX_K; k++) {
		memset(&c, 0, sizeof(c));
		sc->prep(&c);
		fp_take(&a);
		db_fault_fail_nth(H.app->db, k);
		do_call(&c, &r);
		long counted = db_fault_counted(H.app->db);
		db_fault_fail_nth(H.app->db, 0);
		fp_take(&b);
		t->runs++;
		int hit = counted >= k;
		if (r.status == 0)
			fail_msg("%s, statement %ld failing: no answer (crash or hang)", sc->name, k);
		if (r.status == sc->ok) {
			if (!fp_same_delta(&a, &b, &ref_a, &ref_b)) {
				fprintf(stderr, "%s, statement %ld failing: %ld but not the full change:\n",
					sc->name, k, r.status);
				fp_diff(&a, &b, 1);
				fprintf(stderr, "    the reference:\n");
				fp_diff(&ref_a, &ref_b, 1);
				dump_jobs();
				fail_msg("%s: half-written with statement %ld failing", sc->name, k);
			}
			t->retried += hit;
		} else {
			if (!clean_error(&r))
				fail_msg("%s, statement %ld failing: not a clean error: %ld %s", sc->name, k,
					 r.status, r.body);
			t->errors++;
			if (fp_diff(&a, &b, 0)) {
				if (!fp_same_delta(&a, &b, &ref_a, &ref_b)) {
					fprintf(stderr,
						"%s, statement %ld failing: %ld, and the store changed:\n",
						sc->name, k, r.status);
					fp_diff(&a, &b, 1);
					fail_msg("%s: half-written with statement %ld failing", sc->name, k);
				}
				fprintf(stderr,
					"  note: %s, statement %ld failing: %ld after the change was kept\n",
					sc->name, k, r.status);
				t->committed_then_error++;
			}
		}
		reply_free(&r);
		if (!hit)
			break; /* the run finished before statement k: every k was tried */
	}
	if (k > MAX_K)
		fail_msg("%s: still hitting faults after %d statements", sc->name, MAX_K);
	fprintf(stderr,
		"  %-26s %3ld statements (reference %3ld): %3ld errors, %ld successes despite the fault\n",
		sc->name, k - 1, n_ref, t->errors, t->retried);

	/* whole afterwards: the scenario once more, no fault */
	memset(&c, 0, sizeof(c));
	sc->prep(&c);
	do_call(&c, &r);
	if (r.status != sc->ok)
		fail_msg("%s after the faults: %ld %s", sc->name, r.status, r.body);
	reply_free(&r);
}

static void every_statement_of_every_scenario(void **state)
{
	(void)state;
	const char *only = getenv("CRENEAU_FAULTS_ONLY");
	long total = 0, scen = 0;
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		if (only && *only && strcmp(only, scenarios[i].name))
			continue;
		struct tally t = {0};
		run_scenario(&scenarios[i], &t);
		total += t.runs;
		scen++;
	}
	fprintf(stderr, "%ld scenarios, %ld faulty runs, on %s\n", scen, total, harness_store_kind());
	assert_true(scen > 0);
}

static void tweak(struct config *cfg)
{
	/* only the request's statements count: no worker thread, no store-kept clock */
	cfg->no_worker = 1;
	cfg->test_mode = 0;
	free(cfg->log_level);
	cfg->log_level = strdup(getenv("CRENEAU_TEST_LOG") ? getenv("CRENEAU_TEST_LOG") : "error");
}

static int setup(void **state)
{
	(void)state;
	harness_start(&H, tweak);
	struct err e = {0};
	if (db_open(H.store_url, NULL, &fp_db, &e))
		fail_msg("open %s: %s", H.store_url, e.message);
	fp_schema();
	fx_business(&B, "Salon des Fautes", "Europe/Paris");
	int64_t a = fx_staff(&B, "Ana", ana);
	int64_t s = fx_service(&B, 60, 0, 0, 1, svc);
	fx_provides(&B, s, a);
	fx_hours_all_week(&B, a, 0, 1440);
	slot_base = ((int64_t)time(NULL) / 86400 + 40) * 86400;
	return 0;
}

static int teardown(void **state)
{
	db_close(fp_db);
	return harness_teardown(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_statement_of_every_scenario),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
