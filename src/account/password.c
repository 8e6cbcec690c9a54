/* Passwords: argon2id through libsodium on a bounded pool of threads, and the policy.
 *
 * Cost: opslimit 3, memlimit 64 MiB, one lane. Measured on the build machine (Xeon, one
 * core) at about 80 ms per hash or verify; libsodium's "interactive" preset (2, 64 MiB) took
 * 56 ms and (2, 32 MiB) 24 ms. Verification reads the parameters from the stored hash, so
 * raising them later only affects new hashes.
 *
 * The pool: at most `threads` hashes run at once (the core count by default), at most
 * `queue` more wait; a job past that is refused with 503 `busy` at once. A caller blocks on
 * its own condition variable until its job is done. */
#include "account/password.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/log.h"
#include "base/banned.h"

#define PW_OPSLIMIT	      3ULL
#define PW_MEMLIMIT	      (64UL * 1024 * 1024)
#define POOL_MAX_THREADS      64
#define POOL_QUEUE_PER_THREAD 16

/* A hash of a password nobody knows, made with the parameters above: verified when there is
 * no hash to verify against, so an unknown e-mail costs what a wrong password costs. */
static const char dummy_hash[] =
	"$argon2id$v=19$m=65536,t=3,p=1$q3dUeUQa7n+s9PmiWMrUHw$F1g0RHElDGXKy5GZjf1gyuMLnPLAcGHgF0N08fNb5T8";

static const char *const common_passwords[] = {
#include "account/common_passwords.inc"
};

enum pw_op { PW_HASH, PW_VERIFY };

struct pw_job {
	enum pw_op op;
	const char *pw;
	const char *hash; /* PW_VERIFY */
	char *out;	  /* PW_HASH: PASSWORD_HASH_SIZE bytes */
	int result;	  /* hash: 0 / -1; verify: 1 / 0 */
	int done;
	pthread_cond_t cond;
	struct pw_job *next;
};

static struct {
	pthread_mutex_t mu;
	pthread_cond_t work; /* signalled when a job is queued or on stop */
	pthread_t threads[POOL_MAX_THREADS];
	int nthreads;
	int queue_cap;
	int queued;
	struct pw_job *head, *tail;
	int started, stopping;
} pool = {.mu = PTHREAD_MUTEX_INITIALIZER, .work = PTHREAD_COND_INITIALIZER};

static void run_job(struct pw_job *j)
{
	size_t len = strlen(j->pw);
	if (j->op == PW_HASH) {
		j->result = crypto_pwhash_str(j->out, j->pw, len, PW_OPSLIMIT, PW_MEMLIMIT) == 0 ? 0 : -1;
	} else {
		j->result = crypto_pwhash_str_verify(j->hash, j->pw, len) == 0 ? 1 : 0;
	}
}

static void *pool_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&pool.mu);
	for (;;) {
		while (!pool.head && !pool.stopping)
			pthread_cond_wait(&pool.work, &pool.mu);
		if (!pool.head)
			break; /* stopping with nothing left */
		struct pw_job *j = pool.head;
		pool.head = j->next;
		if (!pool.head)
			pool.tail = NULL;
		pool.queued--;
		pthread_mutex_unlock(&pool.mu);
		run_job(j);
		pthread_mutex_lock(&pool.mu);
		j->done = 1;
		pthread_cond_signal(&j->cond);
	}
	pthread_mutex_unlock(&pool.mu);
	return NULL;
}

static int cores(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

/* Called with pool.mu held. */
static void start_locked(int threads, int queue)
{
	if (pool.started)
		return;
	if (sodium_init() < 0)
		log_error("password: libsodium cannot start");
	if (threads <= 0)
		threads = cores();
	if (threads > POOL_MAX_THREADS)
		threads = POOL_MAX_THREADS;
	pool.queue_cap = queue > 0 ? queue : threads * POOL_QUEUE_PER_THREAD;
	pool.stopping = 0;
	pool.nthreads = 0;
	for (int i = 0; i < threads; i++) {
		if (pthread_create(&pool.threads[i], NULL, pool_main, NULL) != 0)
			break;
		pool.nthreads++;
	}
	pool.started = 1;
}

void password_pool_start(int threads, int queue)
{
	pthread_mutex_lock(&pool.mu);
	start_locked(threads, queue);
	pthread_mutex_unlock(&pool.mu);
}

void password_pool_stop(void)
{
	pthread_mutex_lock(&pool.mu);
	if (!pool.started) {
		pthread_mutex_unlock(&pool.mu);
		return;
	}
	pool.stopping = 1;
	pthread_cond_broadcast(&pool.work);
	int n = pool.nthreads;
	pthread_mutex_unlock(&pool.mu);
	/* Threads drain the queue before they leave, so no caller waits forever. */
	for (int i = 0; i < n; i++)
		pthread_join(pool.threads[i], NULL);
	pthread_mutex_lock(&pool.mu);
	pool.started = 0;
	pool.stopping = 0;
	pool.nthreads = 0;
	pthread_mutex_unlock(&pool.mu);
}

/* Queues j and waits for it; -1 with 503 `busy` when the queue is full. */
static int submit(struct pw_job *j, struct err *e)
{
	pthread_cond_init(&j->cond, NULL);
	j->done = 0;
	j->next = NULL;
	pthread_mutex_lock(&pool.mu);
	start_locked(0, 0);
	if (pool.stopping || pool.nthreads == 0 || pool.queued >= pool.queue_cap) {
		pthread_mutex_unlock(&pool.mu);
		pthread_cond_destroy(&j->cond);
		err_set(e, 503, "busy", NULL, "too many log-ins at once: try again in a second");
		if (e)
			e->retry_after = 1;
		return -1;
	}
	if (pool.tail)
		pool.tail->next = j;
	else
		pool.head = j;
	pool.tail = j;
	pool.queued++;
	pthread_cond_signal(&pool.work);
	while (!j->done)
		pthread_cond_wait(&j->cond, &pool.mu);
	pthread_mutex_unlock(&pool.mu);
	pthread_cond_destroy(&j->cond);
	return 0;
}

int password_hash(const char *pw, char out[PASSWORD_HASH_SIZE], struct err *e)
{
	if (!pw || strlen(pw) > PASSWORD_MAX)
		return err_set(e, 400, "weak_password", "password", "a password has at most %d bytes",
			       PASSWORD_MAX);
	struct pw_job j = {.op = PW_HASH, .pw = pw, .out = out};
	if (submit(&j, e))
		return -1;
	if (j.result)
		return err_internal(e, "argon2id hashing failed (out of memory?)");
	return 0;
}

int password_verify(const char *hash, const char *pw, struct err *e)
{
	int real = hash && *hash && strlen(hash) < PASSWORD_HASH_SIZE;
	int usable_pw = pw && strlen(pw) <= PASSWORD_MAX;
	struct pw_job j = {.op = PW_VERIFY, .pw = usable_pw ? pw : "", .hash = real ? hash : dummy_hash};
	if (submit(&j, e))
		return -1;
	return real && usable_pw && j.result == 1;
}

/* ---- policy ---- */

static size_t utf8_code_points(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

static int is_common(const char *pw)
{
	for (size_t i = 0; i < sizeof(common_passwords) / sizeof(common_passwords[0]); i++)
		if (!strcasecmp(pw, common_passwords[i]))
			return 1;
	return 0;
}

/* True when the e-mail's local part (at least 3 bytes) occurs in pw, ignoring case, or pw
 * is the whole address. */
static int contains_email(const char *pw, const char *email)
{
	if (!email || !*email)
		return 0;
	if (!strcasecmp(pw, email))
		return 1;
	const char *at = strchr(email, '@');
	size_t local = at ? (size_t)(at - email) : strlen(email);
	if (local < 3)
		return 0;
	size_t plen = strlen(pw);
	for (size_t i = 0; i + local <= plen; i++)
		if (!strncasecmp(pw + i, email, local))
			return 1;
	return 0;
}

int password_policy_check(const char *pw, const char *email, const char *field, struct err *e)
{
	if (!field)
		field = "password";
	if (!pw || !*pw)
		return err_set(e, 400, "weak_password", field, "a password is required");
	if (strlen(pw) > PASSWORD_MAX)
		return err_set(e, 400, "weak_password", field, "a password has at most %d bytes",
			       PASSWORD_MAX);
	if (utf8_code_points(pw) < PASSWORD_MIN)
		return err_set(e, 400, "weak_password", field, "a password has at least %d characters",
			       PASSWORD_MIN);
	if (is_common(pw))
		return err_set(e, 400, "weak_password", field,
			       "this password is among the most used ones: choose another");
	if (contains_email(pw, email))
		return err_set(e, 400, "weak_password", field,
			       "a password must not contain the e-mail address");
	return 0;
}
