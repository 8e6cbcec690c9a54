/* jobs — enqueue, claim with a lease, run, record the result (see jobs.h). */
#include "jobs/jobs.h"

#include <inttypes.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "jobs/jobs_int.h"
#include "base/banned.h"

#define JOBS_KINDS_MAX	    64
#define JOBS_BACKOFF_BASE_S 30
#define JOBS_BACKOFF_CAP_S  (6 * 3600)

struct kind_entry {
	char kind[JOBS_KIND_MAX];
	job_fn fn;
	int lease_s;
};

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct kind_entry registry[JOBS_KINDS_MAX];
static int registry_len;

static pthread_once_t sodium_once = PTHREAD_ONCE_INIT;

static void sodium_start(void)
{
	if (sodium_init() < 0)
		log_error("event=sodium_init_failed");
}

void jobs_register(const char *kind, job_fn fn, int lease_s)
{
	if (!kind || !*kind || strlen(kind) >= JOBS_KIND_MAX || !fn) {
		log_error("event=jobs_register_refused kind=%s", kind ? kind : "(null)");
		return;
	}
	pthread_mutex_lock(&registry_lock);
	int i;
	for (i = 0; i < registry_len; i++)
		if (!strcmp(registry[i].kind, kind))
			break;
	if (i == JOBS_KINDS_MAX) {
		pthread_mutex_unlock(&registry_lock);
		log_error("event=jobs_register_full kind=%s", kind);
		return;
	}
	snprintf(registry[i].kind, sizeof(registry[i].kind), "%s", kind);
	registry[i].fn = fn;
	registry[i].lease_s = lease_s > 0 ? lease_s : JOBS_DEFAULT_LEASE_S;
	if (i == registry_len)
		registry_len++;
	pthread_mutex_unlock(&registry_lock);
}

static job_fn lookup(const char *kind, int *lease_s)
{
	job_fn fn = NULL;
	*lease_s = JOBS_DEFAULT_LEASE_S;
	pthread_mutex_lock(&registry_lock);
	for (int i = 0; i < registry_len; i++)
		if (!strcmp(registry[i].kind, kind)) {
			fn = registry[i].fn;
			*lease_s = registry[i].lease_s;
			break;
		}
	pthread_mutex_unlock(&registry_lock);
	return fn;
}

int jobs_lease_for(const char *kind)
{
	int lease_s;
	(void)lookup(kind, &lease_s);
	return lease_s;
}

int64_t jobs_backoff_s(int attempts)
{
	pthread_once(&sodium_once, sodium_start);
	int64_t base = JOBS_BACKOFF_CAP_S;
	if (attempts < 1)
		attempts = 1;
	if (attempts <= 20) {
		base = (int64_t)JOBS_BACKOFF_BASE_S << (attempts - 1);
		if (base > JOBS_BACKOFF_CAP_S)
			base = JOBS_BACKOFF_CAP_S;
	}
	/* jitter in [-20 %, +20 %], so workers that failed together do not retry together */
	int64_t span = base * 2 / 5;
	int64_t jitter = (int64_t)randombytes_uniform((uint32_t)span + 1) - span / 2;
	return base + jitter;
}

int jobs_enqueue(db_conn *c, const struct job_spec *s, struct err *e)
{
	if (!s->kind || !*s->kind || strlen(s->kind) >= JOBS_KIND_MAX)
		return err_invalid(e, "kind", "job kind empty or longer than %d bytes", JOBS_KIND_MAX - 1);
	if (!s->unique_key || !*s->unique_key || strlen(s->unique_key) >= JOBS_KEY_MAX)
		return err_invalid(e, "unique_key", "job unique key empty or longer than %d bytes",
				   JOBS_KEY_MAX - 1);
	if (s->payload && !json_is_object(s->payload))
		return err_invalid(e, "payload", "job payload must be a JSON object");
	if (s->max_attempts < 0 || s->max_attempts > 1000)
		return err_invalid(e, "max_attempts", "max_attempts out of range");
	if (!db_in_transaction(c))
		return err_internal(e, "jobs_enqueue needs the caller's transaction");

	char *payload = s->payload ? json_dumps(s->payload, JSON_COMPACT) : xstrdup("{}");
	if (!payload)
		return err_internal(e, "job payload could not be serialised");
	if (strlen(payload) > JOBS_PAYLOAD_MAX) {
		free(payload);
		return err_invalid(e, "payload", "job payload over %d bytes", JOBS_PAYLOAD_MAX);
	}
	int64_t now = clock_now();
	int64_t run_at = s->run_at ? s->run_at : now;
	int max_attempts = s->max_attempts ? s->max_attempts : JOBS_DEFAULT_MAX_ATTEMPTS;
	int rc = db_exec(c,
			 "INSERT INTO jobs (kind, unique_key, account_id, payload, state, run_at, attempts,"
			 " max_attempts, created_at, updated_at)"
			 " VALUES ($1, $2, $3, $4, 'queued', $5, 0, $6, $7, $7) ON CONFLICT DO NOTHING",
			 DB_ARGS(DB_TEXT(s->kind), DB_TEXT(s->unique_key),
				 s->account_id ? DB_INT(s->account_id) : DB_NULL, DB_TEXT(payload),
				 DB_INT(run_at), DB_INT(max_attempts), DB_INT(now)),
			 e);
	free(payload);
	if (rc < 0)
		return rc;
	return rc > 0 ? 1 : 0;
}

/* ---- claim ---------------------------------------------------------------------------- */

struct claim_ctx {
	int is_pg;
	int64_t now;
	struct jobs_claimed *out;
	int found;
};

static void new_owner(char *owner, size_t cap)
{
	pthread_once(&sodium_once, sodium_start);
	unsigned char r[8];
	char hex[sizeof(r) * 2 + 1];
	randombytes_buf(r, sizeof(r));
	sodium_bin2hex(hex, sizeof(hex), r, sizeof(r));
	snprintf(owner, cap, "%ld-%s", (long)getpid(), hex);
}

static int claim_tx(db_conn *c, void *vctx, struct err *e)
{
	struct claim_ctx *ctx = vctx;
	struct jobs_claimed *cl = ctx->out;
	/* The same statement on both stores; PostgreSQL adds the locking clause so concurrent
	 * workers skip each other's candidates; SQLite is serialised by the writer mutex. */
	const char *sql =
		ctx->is_pg ? "UPDATE jobs SET state = 'running', lease_owner = $1, lease_until = $2,"
			     " attempts = attempts + 1, updated_at = $3"
			     " WHERE id = (SELECT id FROM jobs WHERE (state = 'queued' AND run_at <= $3)"
			     " OR (state = 'running' AND lease_until <= $3) ORDER BY run_at, id LIMIT 1"
			     " FOR UPDATE SKIP LOCKED)"
			     " RETURNING id, kind, unique_key, account_id, payload, attempts, max_attempts, "
			     "run_at"
			   : "UPDATE jobs SET state = 'running', lease_owner = $1, lease_until = $2,"
			     " attempts = attempts + 1, updated_at = $3"
			     " WHERE id = (SELECT id FROM jobs WHERE (state = 'queued' AND run_at <= $3)"
			     " OR (state = 'running' AND lease_until <= $3) ORDER BY run_at, id LIMIT 1)"
			     " RETURNING id, kind, unique_key, account_id, payload, attempts, max_attempts, "
			     "run_at";
	ctx->found = 0;
	free(cl->kind);
	free(cl->unique_key);
	json_decref(cl->payload);
	cl->kind = cl->unique_key = NULL;
	cl->payload = NULL;
	new_owner(cl->owner, sizeof(cl->owner));
	int64_t lease_until = ctx->now + JOBS_DEFAULT_LEASE_S;
	db_rows *rows = NULL;
	int rc = db_query(c, sql, DB_ARGS(DB_TEXT(cl->owner), DB_INT(lease_until), DB_INT(ctx->now)), &rows,
			  e);
	if (rc < 0)
		return rc;
	rc = db_rows_next(rows, e);
	if (rc <= 0) {
		db_rows_free(rows);
		return rc;
	}
	cl->job.id = db_rows_int(rows, 0);
	cl->kind = xstrdup(db_rows_text(rows, 1) ? db_rows_text(rows, 1) : "");
	cl->unique_key = xstrdup(db_rows_text(rows, 2) ? db_rows_text(rows, 2) : "");
	cl->job.account_id = db_rows_is_null(rows, 3) ? 0 : db_rows_int(rows, 3);
	const char *payload = db_rows_text(rows, 4);
	cl->job.attempts = (int)db_rows_int(rows, 5);
	cl->job.max_attempts = (int)db_rows_int(rows, 6);
	cl->job.run_at = db_rows_int(rows, 7);
	json_error_t jerr;
	cl->payload = payload ? json_loads(payload, JSON_REJECT_DUPLICATES, &jerr) : NULL;
	db_rows_free(rows);
	if (!json_is_object(cl->payload)) {
		json_decref(cl->payload);
		cl->payload = json_object(); /* the job function sees {} and fails on what it lacks */
	}

	int lease_s = jobs_lease_for(cl->kind);
	cl->lease_until = lease_until;
	if (lease_s != JOBS_DEFAULT_LEASE_S) {
		cl->lease_until = ctx->now + lease_s;
		rc = db_exec(c, "UPDATE jobs SET lease_until = $1 WHERE id = $2 AND lease_owner = $3",
			     DB_ARGS(DB_INT(cl->lease_until), DB_INT(cl->job.id), DB_TEXT(cl->owner)), e);
		if (rc < 0)
			return rc;
	}
	ctx->found = 1;
	return 0;
}

void jobs_claimed_release(struct jobs_claimed *cl)
{
	free(cl->kind);
	free(cl->unique_key);
	json_decref(cl->payload);
	memset(cl, 0, sizeof(*cl));
}

int jobs_claim(db *d, int64_t now, struct jobs_claimed *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	struct claim_ctx ctx = {.is_pg = db_kind(d) == DB_PG, .now = now, .out = out};
	int rc = db_transact(d, claim_tx, &ctx, e);
	if (rc < 0 || !ctx.found) {
		jobs_claimed_release(out); /* a rolled-back claim may have filled it */
		return rc < 0 ? rc : 0;
	}
	out->job.kind = out->kind;
	out->job.unique_key = out->unique_key;
	out->job.payload = out->payload;
	out->job.now = now;
	return 1;
}

/* ---- finish --------------------------------------------------------------------------- */

struct finish_ctx {
	const struct jobs_claimed *cl;
	const char *state; /* "done" | "queued" | "dead" */
	int64_t run_at;
	const char *error;
	int64_t now;
	int changed;
};

static int finish_tx(db_conn *c, void *vctx, struct err *e)
{
	struct finish_ctx *f = vctx;
	int rc;
	/* The lease owner check makes a worker whose lease expired (and whose job another worker
	 * claimed) unable to overwrite that worker's result. */
	if (!strcmp(f->state, "done"))
		rc = db_exec(c,
			     "UPDATE jobs SET state = 'done', lease_owner = NULL, lease_until = NULL,"
			     " last_error = NULL, updated_at = $3"
			     " WHERE id = $1 AND lease_owner = $2 AND state = 'running'",
			     DB_ARGS(DB_INT(f->cl->job.id), DB_TEXT(f->cl->owner), DB_INT(f->now)), e);
	else
		rc = db_exec(
			c,
			"UPDATE jobs SET state = $3, run_at = $4, lease_owner = NULL, lease_until = NULL,"
			" last_error = $5, updated_at = $6"
			" WHERE id = $1 AND lease_owner = $2 AND state = 'running'",
			DB_ARGS(DB_INT(f->cl->job.id), DB_TEXT(f->cl->owner), DB_TEXT(f->state),
				DB_INT(f->run_at), DB_TEXT(f->error), DB_INT(f->now)),
			e);
	if (rc < 0)
		return rc;
	f->changed = rc;
	return 0;
}

int jobs_finish(db *d, const struct jobs_claimed *cl, enum job_result r, const char *error, int64_t now,
		struct err *e)
{
	struct finish_ctx f = {.cl = cl, .now = now, .run_at = cl->job.run_at};
	char cut[512];
	snprintf(cut, sizeof(cut), "%s", error && *error ? error : "no reason given");
	f.error = cut;
	switch (r) {
	case JOB_DONE:
		f.state = "done";
		break;
	case JOB_RETRY:
		if (cl->job.attempts >= cl->job.max_attempts) {
			f.state = "dead";
		} else {
			f.state = "queued";
			f.run_at = now + jobs_backoff_s(cl->job.attempts);
		}
		break;
	case JOB_FAILED:
	default:
		f.state = "dead";
		break;
	}
	int rc = db_transact(d, finish_tx, &f, e);
	if (rc < 0)
		return rc;
	if (!f.changed) {
		log_warn("event=job_lease_lost id=%" PRId64 " kind=%s owner=%s", cl->job.id, cl->job.kind,
			 cl->owner);
		return 0;
	}
	if (!strcmp(f.state, "dead"))
		log_error("event=job_dead id=%" PRId64 " kind=%s attempts=%d error=\"%s\"", cl->job.id,
			  cl->job.kind, cl->job.attempts, cut);
	else if (!strcmp(f.state, "queued"))
		log_warn("event=job_retry id=%" PRId64 " kind=%s attempts=%d run_at=%" PRId64 " error=\"%s\"",
			 cl->job.id, cl->job.kind, cl->job.attempts, f.run_at, cut);
	return 1;
}

/* ---- run ------------------------------------------------------------------------------ */

int jobs_run_claimed(db *d, struct jobs_claimed *cl, struct err *e)
{
	int lease_s;
	job_fn fn = lookup(cl->job.kind, &lease_s);
	enum job_result r;
	struct err jerr;
	err_clear(&jerr);
	int64_t started = clock_mono_ms();
	if (cl->job.attempts > cl->job.max_attempts) {
		/* claimed again after its last attempt's lease expired: its worker died each time */
		r = JOB_FAILED;
		err_internal(&jerr, "lease expired on the last attempt");
	} else if (!fn) {
		/* perhaps enqueued by a newer version of the program: wait for a worker that knows it */
		r = JOB_RETRY;
		err_internal(&jerr, "no function registered for kind %s", cl->job.kind);
	} else {
		r = fn(d, &cl->job, &jerr);
		if (r != JOB_DONE && !err_isset(&jerr))
			err_internal(&jerr, "job returned %s without a reason",
				     r == JOB_RETRY ? "retry" : "failed");
	}
	/* "now" keeps counting on the axis the job was claimed on (the store's clock in test mode) */
	int64_t now = cl->job.now + (clock_mono_ms() - started) / 1000;
	int rc = jobs_finish(d, cl, r, jerr.message, now, e);
	return rc < 0 ? rc : 0;
}

int jobs_run_due(db *d, int64_t now, int max, struct err *e)
{
	int ran = 0;
	while (ran < max) {
		struct jobs_claimed cl;
		int rc = jobs_claim(d, now, &cl, e);
		if (rc < 0)
			return ran ? ran : rc;
		if (rc == 0)
			break;
		ran++;
		struct err ferr;
		err_clear(&ferr);
		if (jobs_run_claimed(d, &cl, &ferr) < 0)
			log_error("event=job_finish_failed id=%" PRId64 " kind=%s error=\"%s\"", cl.job.id,
				  cl.job.kind, ferr.message);
		jobs_claimed_release(&cl);
	}
	return ran;
}

/* ---- metrics -------------------------------------------------------------------------- */

/* One kind's figures for /metrics. */
struct kind_figures {
	char kind[64];
	int64_t counts[4];
	int64_t oldest_due; /* run_at of the oldest queued job already due; 0 = none */
};

char *jobs_metrics_text(db *d)
{
	static const char *const states[] = {"queued", "running", "done", "dead"};
	struct kind_figures kinds[JOBS_KINDS_MAX];
	size_t nk = 0;
	int64_t now = clock_now();
	struct err e;
	err_clear(&e);
	db_conn *c = NULL;
	if (db_acquire(d, &c, &e) < 0)
		return NULL;
	db_rows *rows = NULL;
	int rc = db_query(c,
			  "SELECT kind, state, COUNT(*),"
			  " MIN(CASE WHEN state = 'queued' AND run_at <= $1 THEN run_at END)"
			  " FROM jobs GROUP BY kind, state ORDER BY kind",
			  DB_ARGS(DB_INT(now)), &rows, &e);
	while (rc >= 0 && (rc = db_rows_next(rows, &e)) > 0) {
		const char *kind = db_rows_text(rows, 0), *st = db_rows_text(rows, 1);
		if (!kind || !st)
			continue;
		size_t k = 0;
		while (k < nk && strcmp(kinds[k].kind, kind))
			k++;
		if (k == nk) {
			if (nk == JOBS_KINDS_MAX)
				continue;
			memset(&kinds[nk], 0, sizeof(kinds[nk]));
			snprintf(kinds[nk].kind, sizeof(kinds[nk].kind), "%s", kind);
			nk++;
		}
		for (int i = 0; i < 4; i++)
			if (!strcmp(st, states[i]))
				kinds[k].counts[i] = db_rows_int(rows, 2);
		if (!strcmp(st, "queued") && !db_rows_is_null(rows, 3))
			kinds[k].oldest_due = db_rows_int(rows, 3);
	}
	if (rows)
		db_rows_free(rows);
	db_release(c);
	if (rc < 0)
		return NULL;
	struct buf b = BUF_INIT(256 * 1024);
	int bad = buf_appends(&b, "# HELP creneau_jobs Jobs in the queue by state.\n"
				  "# TYPE creneau_jobs gauge\n");
	for (int i = 0; i < 4; i++) {
		int64_t sum = 0;
		for (size_t k = 0; k < nk; k++)
			sum += kinds[k].counts[i];
		bad |= buf_appendf(&b, "creneau_jobs{state=\"%s\"} %" PRId64 "\n", states[i], sum);
	}
	bad |= buf_appends(&b, "# HELP creneau_jobs_by_kind Jobs in the queue by kind and state.\n"
			       "# TYPE creneau_jobs_by_kind gauge\n");
	for (size_t k = 0; k < nk; k++)
		for (int i = 0; i < 4; i++)
			bad |= buf_appendf(&b, "creneau_jobs_by_kind{kind=\"%s\",state=\"%s\"} %" PRId64 "\n",
					   kinds[k].kind, states[i], kinds[k].counts[i]);
	bad |= buf_appends(&b,
			   "# HELP creneau_jobs_oldest_due_seconds How long the oldest queued job that is "
			   "due has waited, by kind (0: none waiting).\n"
			   "# TYPE creneau_jobs_oldest_due_seconds gauge\n");
	for (size_t k = 0; k < nk; k++)
		bad |= buf_appendf(&b, "creneau_jobs_oldest_due_seconds{kind=\"%s\"} %" PRId64 "\n",
				   kinds[k].kind, kinds[k].oldest_due ? now - kinds[k].oldest_due : 0);
	if (bad) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, NULL);
}
