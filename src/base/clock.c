#include "base/clock.h"

#include <stddef.h>
#include <time.h>
#include "base/banned.h"

static int64_t (*clock_source)(void *ctx);
static void *clock_ctx;

int64_t clock_now(void)
{
	if (clock_source) {
		int64_t t = clock_source(clock_ctx);
		if (t >= 0)
			return t;
	}
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec;
}

void clock_set_source(int64_t (*source)(void *ctx), void *ctx)
{
	clock_source = source;
	clock_ctx = ctx;
}

int64_t clock_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
