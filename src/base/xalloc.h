/* xalloc — allocation that never returns NULL: out of memory aborts the process
 * (a server that cannot allocate cannot answer anyway). Never use these for sizes that
 * input drives without a cap checked first. Everything returned is freed with free(). */
#ifndef CRENEAU_XALLOC_H
#define CRENEAU_XALLOC_H
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Returns a malloc'd string formatted like printf. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
