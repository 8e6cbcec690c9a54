/* clock — the only source of "now" in the product. Outside test mode it is the system's
 * real time. In test mode the app installs a source that reads the clock kept in the store,
 * so every server and worker of a test shares one clock (see docs/internals/jobs.md). */
#ifndef CRENEAU_CLOCK_H
#define CRENEAU_CLOCK_H
#include <stdint.h>

/* Unix seconds UTC. */
int64_t clock_now(void);
/* Replaces the source (NULL restores real time). The source returns Unix seconds, or a
 * negative value to fall back to real time for this call. Set it before threads start. */
void clock_set_source(int64_t (*source)(void *ctx), void *ctx);
/* Monotonic milliseconds, for durations and deadlines only. */
int64_t clock_mono_ms(void);

#endif
