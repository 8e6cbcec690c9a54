/* counters — process-wide monotonic counters for /metrics, for modules that are not the HTTP
 * adapter (messages sent and failed by channel...). A counter is a family name and a label
 * set, both string literals ("creneau_messages_total", "channel=\"sms\",result=\"sent\"");
 * at most COUNTERS_MAX of them. Thread-safe; the figures live in the process that counts them
 * (a separate `creneau worker` has its own). */
#ifndef CRENEAU_BASE_COUNTERS_H
#define CRENEAU_BASE_COUNTERS_H
#include <stdint.h>

#define COUNTERS_MAX 64

/* Adds n to the counter (family, labels), creating it at 0 first; n = 0 only declares it so it
 * shows before anything happened. Both strings must outlive the process (literals). Counters
 * past COUNTERS_MAX are dropped. */
void counter_add(const char *family, const char *labels, uint64_t n);
/* The current value, 0 when the counter does not exist. */
uint64_t counter_get(const char *family, const char *labels);
/* Every counter in Prometheus text ("# TYPE family counter" once per family); malloc'd, the
 * caller frees it. */
char *counters_text(void);

#endif
