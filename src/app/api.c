#include "app/api.h"

#include <string.h>

#include "base/tz.h"
#include "base/banned.h"

struct app *api_app(const struct http_req *req)
{
	return http_req_app(req);
}

const struct principal *api_principal(const struct http_req *req)
{
	static const struct principal nobody = {.kind = PRINCIPAL_NONE};
	const struct principal *p = http_req_user_data(req);
	return p ? p : &nobody;
}

const struct account *api_account(const struct http_req *req)
{
	return &api_principal(req)->account;
}

/* Valid UTF-8 without control characters (tab and newline allowed when multiline). */
static int text_ok(const char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 && c != '\n' && c != '\t')
			return 0;
		if (c == 0x7f)
			return 0;
		size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
		if (!n || i + n > len)
			return 0;
		for (size_t k = 1; k < n; k++)
			if (((unsigned char)s[i + k] >> 6) != 2)
				return 0;
		i += n;
	}
	return 1;
}

int api_string(const json_t *body, const char *field, int required, char *out, size_t max, struct err *e)
{
	out[0] = '\0';
	json_t *v = json_object_get(body, field);
	if (!v || json_is_null(v)) {
		if (required)
			return err_set(e, 400, "missing_field", field, "%s is required", field);
		return 0;
	}
	if (!json_is_string(v))
		return err_invalid(e, field, "%s must be a string", field);
	const char *s = json_string_value(v);
	size_t len = json_string_length(v);
	while (len && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')) {
		s++;
		len--;
	}
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n' || s[len - 1] == '\r'))
		len--;
	if (len > max)
		return err_invalid(e, field, "%s is longer than %zu bytes", field, max);
	if (memchr(s, '\0', len) || !text_ok(s, len))
		return err_invalid(e, field, "%s holds characters that are not allowed", field);
	if (required && !len)
		return err_set(e, 400, "missing_field", field, "%s is required", field);
	memcpy(out, s, len);
	out[len] = '\0';
	return 0;
}

int api_bool(const json_t *body, const char *field, int required, int def, int *out, struct err *e)
{
	json_t *v = json_object_get(body, field);
	if (!v || json_is_null(v)) {
		if (required)
			return err_set(e, 400, "missing_field", field, "%s is required", field);
		*out = def;
		return 0;
	}
	if (!json_is_boolean(v))
		return err_invalid(e, field, "%s must be true or false", field);
	*out = json_is_true(v);
	return 0;
}

int api_int(const json_t *body, const char *field, int required, int64_t def, int64_t min, int64_t max,
	    int64_t *out, struct err *e)
{
	json_t *v = json_object_get(body, field);
	if (!v || json_is_null(v)) {
		if (required)
			return err_set(e, 400, "missing_field", field, "%s is required", field);
		*out = def;
		return 0;
	}
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
		return err_invalid(e, field, "%s must be a whole number from %lld to %lld", field,
				   (long long)min, (long long)max);
	*out = json_integer_value(v);
	return 0;
}

int api_only_fields(const json_t *body, const char *const *allowed, struct err *e)
{
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)body, key, v)
	{
		const char *const *a = allowed;
		while (*a && strcmp(*a, key))
			a++;
		if (!*a)
			return err_set(e, 400, "unknown_field", key, "%s is not a field of this request",
				       key);
	}
	return 0;
}

int api_transact(struct http_req *req, int (*fn)(db_conn *c, void *ctx, struct err *e), void *ctx,
		 struct err *e)
{
	return db_transact(api_app(req)->db, fn, ctx, e);
}

void api_session_cookie(struct http_resp *resp, const char *name, const char *token)
{
	http_resp_cookie(resp, name, token ? token : "", token ? SESSION_ABSOLUTE_S : -1);
}

const char *api_time(struct http_req *req, const struct account *a, int64_t utc)
{
	const struct tz *z = a ? tz_get(a->time_zone, NULL) : NULL;
	char *out = arena_alloc(http_req_arena(req), TZ_RFC3339_SIZE);
	tz_format_rfc3339(z, utc, out);
	return out;
}
