#include "base/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "base/banned.h"

static void copy_field(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

static int err_vset(struct err *e, int status, const char *code, const char *field, const char *fmt,
		    va_list ap)
{
	if (!e)
		return -1;
	e->status = status;
	copy_field(e->code, sizeof(e->code), code);
	copy_field(e->field, sizeof(e->field), field);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	e->retry_after = 0;
	return -1;
}

int err_set(struct err *e, int status, const char *code, const char *field, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	err_vset(e, status, code, field, fmt, ap);
	va_end(ap);
	return -1;
}

int err_invalid(struct err *e, const char *field, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	err_vset(e, 400, "invalid_field", field, fmt, ap);
	va_end(ap);
	return -1;
}

int err_internal(struct err *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	err_vset(e, 500, "internal", NULL, fmt, ap);
	va_end(ap);
	return -1;
}

void err_clear(struct err *e)
{
	if (e)
		memset(e, 0, sizeof(*e));
}

int err_isset(const struct err *e)
{
	return e && e->status != 0;
}
