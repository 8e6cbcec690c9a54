#include "ratelimit/ratelimit.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "base/banned.h"

/* In memory: an open-addressing table per shard, entries replaced when their window is
 * over, so memory stays bounded by the number of slots whatever keys clients send. */
#define SHARDS		16
#define SLOTS_PER_SHARD 4096
#define PROBES		8

struct slot {
	uint64_t hash;
	int64_t window_start;
	int window_s;
	int hits;
	char key[RATELIMIT_KEY_MAX + 1];
};

struct shard {
	pthread_mutex_t mu;
	struct slot *slots;
};

struct ratelimit {
	db *store; /* NULL: in memory */
	struct shard shards[SHARDS];
};

struct ratelimit *ratelimit_new(db *d)
{
	struct ratelimit *rl = xcalloc(1, sizeof(*rl));
	if (db_kind(d) == DB_PG) {
		rl->store = d;
		return rl;
	}
	for (int i = 0; i < SHARDS; i++) {
		pthread_mutex_init(&rl->shards[i].mu, NULL);
		rl->shards[i].slots = xcalloc(SLOTS_PER_SHARD, sizeof(struct slot));
	}
	return rl;
}

void ratelimit_free(struct ratelimit *rl)
{
	if (!rl)
		return;
	if (!rl->store)
		for (int i = 0; i < SHARDS; i++) {
			pthread_mutex_destroy(&rl->shards[i].mu);
			free(rl->shards[i].slots);
		}
	free(rl);
}

static uint64_t fnv1a(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h ? h : 1;
}

/* The slot for key: its own, else a free or expired one among the probes, else the one
 * whose window started longest ago (evicting it only loosens the limit for that key). */
static struct slot *find_slot(struct shard *sh, uint64_t h, const char *key, int64_t now)
{
	struct slot *free_slot = NULL, *oldest = NULL;
	for (int p = 0; p < PROBES; p++) {
		struct slot *s = &sh->slots[(h / SHARDS + (uint64_t)p) % SLOTS_PER_SHARD];
		if (s->hash == h && !strcmp(s->key, key))
			return s;
		if (!s->hash || s->window_start + s->window_s <= now) {
			if (!free_slot)
				free_slot = s;
		} else if (!oldest || s->window_start < oldest->window_start) {
			oldest = s;
		}
	}
	return free_slot ? free_slot : oldest;
}

static int hit_memory(struct ratelimit *rl, const char *key, size_t klen, int window_s, int64_t start,
		      int64_t now)
{
	uint64_t h = fnv1a(key, klen);
	struct shard *sh = &rl->shards[h % SHARDS];
	pthread_mutex_lock(&sh->mu);
	struct slot *s = find_slot(sh, h, key, now);
	if (s->hash != h || s->window_start != start || s->window_s != window_s) {
		s->hash = h;
		memcpy(s->key, key, klen);
		s->key[klen] = '\0';
		s->window_start = start;
		s->window_s = window_s;
		s->hits = 0;
	}
	int hits = ++s->hits;
	pthread_mutex_unlock(&sh->mu);
	return hits;
}

static int hit_store(struct ratelimit *rl, const char *key, size_t klen, int64_t start, struct err *e)
{
	db_conn *c;
	if (db_acquire(rl->store, &c, e))
		return -1;
	db_rows *r;
	int hits = -1;
	if (!db_query(c,
		      "INSERT INTO rate_limits (key, window_start, hits) VALUES ($1, $2, 1) "
		      "ON CONFLICT (key) DO UPDATE SET "
		      "hits = CASE WHEN rate_limits.window_start = $2 THEN rate_limits.hits + 1 ELSE 1 END, "
		      "window_start = $2 RETURNING hits",
		      DB_ARGS(DB_TEXTN(key, klen), DB_INT(start)), &r, e)) {
		if (db_rows_next(r, e) == 1)
			hits = (int)db_rows_int(r, 0);
		db_rows_free(r);
	}
	db_release(c);
	return hits;
}

int ratelimit_hit(struct ratelimit *rl, const char *key, int limit, int window_s, int64_t now,
		  int *retry_after, struct err *e)
{
	if (window_s <= 0)
		window_s = 1;
	size_t klen = strnlen(key, RATELIMIT_KEY_MAX);
	int64_t start = now - ((now % window_s) + window_s) % window_s;
	int hits = rl->store ? hit_store(rl, key, klen, start, e)
			     : hit_memory(rl, key, klen, window_s, start, now);
	if (hits < 0)
		return -1;
	if (hits <= limit)
		return 0;
	if (retry_after)
		*retry_after = (int)(start + window_s - now);
	return 1;
}
