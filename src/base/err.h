/* err — the one error convention. A fallible function takes a `struct err *` (may be
 * NULL when the caller does not care), fills it on failure and returns -1 (or a negative
 * code); `return err_set(e, ...)` does both. `status` is the HTTP status the error maps to,
 * `code` the stable machine name of API.md's error shape, `field` the input field at fault. */
#ifndef CRENEAU_ERR_H
#define CRENEAU_ERR_H

#define WUR __attribute__((warn_unused_result))

struct err {
	int status;	   /* HTTP status: 400, 404, 409, 422, 500, 503 ... */
	char code[48];	   /* "invalid_json", "slot_taken", "store_unavailable" ... */
	char field[64];	   /* offending input field, or "" */
	char message[256]; /* human-readable, in English for logs; UI translates by code */
	int retry_after;   /* seconds, for 429/503; 0 when not applicable */
};

/* Fills *e (when e is not NULL) and returns -1. Texts longer than the fields are cut. */
int err_set(struct err *e, int status, const char *code, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Shorthands for the two most common errors. */
int err_invalid(struct err *e, const char *field, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int err_internal(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void err_clear(struct err *e);
/* True when e holds an error. */
int err_isset(const struct err *e);

#endif
