/* counters — a fixed table of (family, labels, value), appended under a mutex, read with
 * relaxed atomics. Counting happens a few times per message sent, never per request. */
#include "base/counters.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/xalloc.h"
#include "base/banned.h"

struct counter {
	const char *family, *labels;
	_Atomic uint64_t value;
};

static struct counter table[COUNTERS_MAX];
static _Atomic int used;
static pthread_mutex_t grow = PTHREAD_MUTEX_INITIALIZER;

static struct counter *find(const char *family, const char *labels, int n)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(table[i].family, family) && !strcmp(table[i].labels, labels))
			return &table[i];
	return NULL;
}

void counter_add(const char *family, const char *labels, uint64_t n)
{
	struct counter *c = find(family, labels, atomic_load(&used));
	if (!c) {
		pthread_mutex_lock(&grow);
		int k = atomic_load(&used);
		c = find(family, labels, k);
		if (!c && k < COUNTERS_MAX) {
			c = &table[k];
			c->family = family;
			c->labels = labels;
			atomic_store(&used, k + 1); /* published after the row is filled */
		}
		pthread_mutex_unlock(&grow);
		if (!c)
			return;
	}
	atomic_fetch_add_explicit(&c->value, n, memory_order_relaxed);
}

uint64_t counter_get(const char *family, const char *labels)
{
	struct counter *c = find(family, labels, atomic_load(&used));
	return c ? atomic_load_explicit(&c->value, memory_order_relaxed) : 0;
}

char *counters_text(void)
{
	int n = atomic_load(&used);
	struct buf b = BUF_INIT(1 << 20);
	int bad = 0;
	for (int i = 0; i < n; i++) {
		int seen = 0;
		for (int k = 0; k < i && !seen; k++)
			seen = !strcmp(table[k].family, table[i].family);
		if (seen)
			continue;
		bad |= buf_appendf(&b, "# TYPE %s counter\n", table[i].family);
		for (int k = i; k < n; k++)
			if (!strcmp(table[k].family, table[i].family))
				bad |= buf_appendf(&b, "%s{%s} %llu\n", table[k].family, table[k].labels,
						   (unsigned long long)atomic_load_explicit(
							   &table[k].value, memory_order_relaxed));
	}
	if (bad) {
		buf_release(&b);
		return xstrdup("");
	}
	char *out = buf_detach(&b, NULL);
	return out ? out : xstrdup("");
}
