/* worker — threads that run due jobs: `creneau serve` starts one worker in-process,
 * `creneau worker` runs only this. Each thread polls every second, or sooner when woken. */
#include "jobs/jobs.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "base/banned.h"

#define WORKER_THREADS_MAX 64
#define WORKER_POLL_MS	   1000

struct jobs_worker {
	db *d;
	int nthreads;
	int stop; /* under wake_lock */
	pthread_t *threads;
};

/* One wake signal for the whole process: jobs_wake bumps the sequence and every waiting
 * thread of every worker looks for due jobs. */
static pthread_mutex_t wake_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake_cond;
static unsigned long wake_seq;
static pthread_once_t wake_once = PTHREAD_ONCE_INIT;

static void wake_init(void)
{
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&wake_cond, &attr);
	pthread_condattr_destroy(&attr);
}

void jobs_wake(void)
{
	pthread_once(&wake_once, wake_init);
	pthread_mutex_lock(&wake_lock);
	wake_seq++;
	pthread_cond_broadcast(&wake_cond);
	pthread_mutex_unlock(&wake_lock);
}

static int stopping(struct jobs_worker *w)
{
	pthread_mutex_lock(&wake_lock);
	int s = w->stop;
	pthread_mutex_unlock(&wake_lock);
	return s;
}

/* Sleeps up to ms, returning early on a wake or a stop. */
static void nap(struct jobs_worker *w, int ms)
{
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&wake_lock);
	unsigned long seq = wake_seq;
	while (!w->stop && seq == wake_seq) {
		if (pthread_cond_timedwait(&wake_cond, &wake_lock, &until) == ETIMEDOUT)
			break;
	}
	pthread_mutex_unlock(&wake_lock);
}

static void *worker_main(void *arg)
{
	struct jobs_worker *w = arg;
	int64_t last_error_log = 0;
	while (!stopping(w)) {
		struct err e;
		err_clear(&e);
		/* one job at a time so a stop waits for the job in hand only */
		int rc = jobs_run_due(w->d, clock_now(), 1, &e);
		if (rc > 0)
			continue;
		if (rc < 0 && clock_mono_ms() - last_error_log > 60000) {
			/* the store is down or refusing: say so once a minute, keep polling */
			log_error("event=jobs_worker_store_error code=%s error=\"%s\"", e.code, e.message);
			last_error_log = clock_mono_ms();
		}
		nap(w, WORKER_POLL_MS);
	}
	return NULL;
}

int jobs_worker_start(db *d, int threads, struct jobs_worker **out, struct err *e)
{
	*out = NULL;
	if (threads < 1 || threads > WORKER_THREADS_MAX)
		return err_invalid(e, "threads", "worker threads must be 1..%d", WORKER_THREADS_MAX);
	pthread_once(&wake_once, wake_init);
	struct jobs_worker *w = xcalloc(1, sizeof(*w));
	w->d = d;
	w->threads = xcalloc((size_t)threads, sizeof(pthread_t));
	for (int i = 0; i < threads; i++) {
		int rc = pthread_create(&w->threads[i], NULL, worker_main, w);
		if (rc) {
			w->nthreads = i;
			jobs_worker_stop(w);
			return err_internal(e, "cannot start a worker thread: %s", strerror(rc));
		}
	}
	w->nthreads = threads;
	log_info("event=jobs_worker_started threads=%d", threads);
	*out = w;
	return 0;
}

void jobs_worker_stop(struct jobs_worker *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&wake_lock);
	w->stop = 1;
	pthread_cond_broadcast(&wake_cond);
	pthread_mutex_unlock(&wake_lock);
	for (int i = 0; i < w->nthreads; i++)
		pthread_join(w->threads[i], NULL);
	free(w->threads);
	free(w);
}
