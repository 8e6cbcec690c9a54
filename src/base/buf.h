/* buf — a bounded, growable byte buffer. `cap` is the most it may ever hold: an append
 * that would pass it fails and leaves the buffer unchanged, so input can never grow one
 * without limit. `data` is always NUL-terminated (not counted in len) once anything was
 * appended. The buffer owns `data`; buf_release frees it, buf_detach hands it over. */
#ifndef CRENEAU_BUF_H
#define CRENEAU_BUF_H
#include <stdarg.h>
#include <stddef.h>

#include "base/err.h"

struct buf {
	char *data;
	size_t len;   /* bytes held */
	size_t alloc; /* bytes allocated */
	size_t cap;   /* most bytes it may hold */
};

#define BUF_INIT(capacity)                                                                                   \
	{                                                                                                    \
		NULL, 0, 0, (capacity)                                                                       \
	}

void buf_init(struct buf *b, size_t cap);
/* Returns 0, or -1 when the result would exceed the cap (buffer unchanged). */
int buf_append(struct buf *b, const void *p, size_t n) WUR;
int buf_appends(struct buf *b, const char *s) WUR;
int buf_appendf(struct buf *b, const char *fmt, ...) WUR __attribute__((format(printf, 2, 3)));
int buf_vappendf(struct buf *b, const char *fmt, va_list ap) WUR;
/* The contents as a C string ("" when empty); valid until the next change. */
const char *buf_str(const struct buf *b);
void buf_reset(struct buf *b);	 /* len = 0, keeps the memory */
void buf_release(struct buf *b); /* frees the memory, back to empty */
/* Hands the malloc'd, NUL-terminated data to the caller (who frees it); *len may be NULL. */
char *buf_detach(struct buf *b, size_t *len);

#endif
