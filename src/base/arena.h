/* arena — a region allocator for one request (or one job run). Everything allocated from
 * it lives until arena_free, which also runs the cleanup callbacks registered with
 * arena_defer (newest first): that is how a jansson value or a db handle tied to a request
 * is released. Allocation never fails (aborts on OOM); callers cap input sizes first. */
#ifndef CRENEAU_ARENA_H
#define CRENEAU_ARENA_H
#include <stdarg.h>
#include <stddef.h>

struct arena;

struct arena *arena_new(void);
void arena_free(struct arena *a);
/* Zeroed, aligned for any type. */
void *arena_alloc(struct arena *a, size_t n);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Runs fn(arg) when the arena is freed. */
void arena_defer(struct arena *a, void (*fn)(void *), void *arg);
/* Bytes handed out so far (for tests and metrics). */
size_t arena_used(const struct arena *a);

#endif
