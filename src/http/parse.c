/* parse — the small pure parsers of the adapter: percent-decoding, query strings, Cookie
 * headers, X-Forwarded-For, Accept-Encoding, If-None-Match and JSON bodies. Each works on (ptr, len),
 * caps what input can make it allocate, and is fuzzed (tests/fuzz/). */
#include <arpa/inet.h>
#include <string.h>
#include <strings.h>

#include "http/http_int.h"
#include "base/banned.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

long http_pct_decode(const char *src, size_t len, char *out, int plus_is_space)
{
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		char c = src[i];
		if (c == '%') {
			if (len - i < 3)
				return -1;
			int hi = hexval(src[i + 1]), lo = hexval(src[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			c = (char)(hi * 16 + lo);
			i += 2;
		} else if (c == '+' && plus_is_space) {
			c = ' ';
		}
		if (c == '\0')
			return -1;
		out[o++] = c;
	}
	out[o] = '\0';
	return (long)o;
}

int http_query_parse(const char *q, size_t len, struct arena *a, struct http_kv **out, struct err *e)
{
	*out = NULL;
	if (!len)
		return 0;
	size_t count = 1;
	for (size_t i = 0; i < len; i++)
		if (q[i] == '&')
			count++;
	if (count > HTTP_QUERY_MAX)
		return err_set(e, 400, "invalid_query", NULL, "more than %d query parameters",
			       HTTP_QUERY_MAX);
	struct http_kv *kv = arena_alloc(a, count * sizeof(*kv));
	int n = 0;
	const char *p = q, *end = q + len;
	while (p <= end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *stop = amp ? amp : end;
		if (stop > p) {
			const char *eq = memchr(p, '=', (size_t)(stop - p));
			const char *name_end = eq ? eq : stop;
			char *name = arena_alloc(a, (size_t)(name_end - p) + 1);
			const char *vstart = eq ? eq + 1 : stop;
			char *value = arena_alloc(a, (size_t)(stop - vstart) + 1);
			if (http_pct_decode(p, (size_t)(name_end - p), name, 1) < 0 ||
			    http_pct_decode(vstart, (size_t)(stop - vstart), value, 1) < 0)
				return err_set(e, 400, "invalid_query", NULL,
					       "malformed percent-encoding in the query string");
			kv[n].name = name;
			kv[n].value = value;
			n++;
		}
		if (!amp)
			break;
		p = amp + 1;
	}
	*out = kv;
	return n;
}

static int is_token_char(unsigned char c)
{
	if (c <= 32 || c >= 127)
		return 0;
	return !strchr("()<>@,;:\\\"/[]?={}", c);
}

static int is_cookie_octet(unsigned char c)
{
	return c == 0x21 || (c >= 0x23 && c <= 0x2B) || (c >= 0x2D && c <= 0x3A) ||
	       (c >= 0x3C && c <= 0x5B) || (c >= 0x5D && c <= 0x7E);
}

int http_cookie_valid(const char *name, const char *value)
{
	if (!name || !*name || !value)
		return 0;
	for (const char *p = name; *p; p++)
		if (!is_token_char((unsigned char)*p))
			return 0;
	for (const char *p = value; *p; p++)
		if (!is_cookie_octet((unsigned char)*p))
			return 0;
	return 1;
}

int http_cookies_parse(const char *h, size_t len, struct arena *a, struct http_kv **out)
{
	*out = NULL;
	if (!h || !len)
		return 0;
	struct http_kv *kv = NULL;
	int n = 0;
	const char *p = h, *end = h + len;
	while (p < end && n < HTTP_COOKIES_MAX) {
		const char *semi = memchr(p, ';', (size_t)(end - p));
		const char *stop = semi ? semi : end;
		while (p < stop && (*p == ' ' || *p == '\t'))
			p++;
		const char *eq = memchr(p, '=', (size_t)(stop - p));
		if (eq && eq > p) {
			const char *ne = eq;
			while (ne > p && (ne[-1] == ' ' || ne[-1] == '\t'))
				ne--;
			const char *vs = eq + 1, *ve = stop;
			while (vs < ve && (*vs == ' ' || *vs == '\t'))
				vs++;
			while (ve > vs && (ve[-1] == ' ' || ve[-1] == '\t'))
				ve--;
			if (ve - vs >= 2 && *vs == '"' && ve[-1] == '"') {
				vs++;
				ve--;
			}
			int ok = ne > p;
			for (const char *c = p; ok && c < ne; c++)
				ok = is_token_char((unsigned char)*c);
			for (const char *c = vs; ok && c < ve; c++)
				ok = is_cookie_octet((unsigned char)*c);
			if (ok) {
				if (!kv)
					kv = arena_alloc(a, HTTP_COOKIES_MAX * sizeof(*kv));
				kv[n].name = arena_strndup(a, p, (size_t)(ne - p));
				kv[n].value = arena_strndup(a, vs, (size_t)(ve - vs));
				n++;
			}
		}
		if (!semi)
			break;
		p = semi + 1;
	}
	*out = kv;
	return n;
}

int http_ip_normalise(const char *src, size_t len, char *out, size_t cap)
{
	char tmp[INET6_ADDRSTRLEN + 1];
	while (len && (*src == ' ' || *src == '\t')) {
		src++;
		len--;
	}
	while (len && (src[len - 1] == ' ' || src[len - 1] == '\t'))
		len--;
	if (!len || len >= sizeof(tmp))
		return -1;
	memcpy(tmp, src, len);
	tmp[len] = '\0';
	unsigned char addr[16];
	if (inet_pton(AF_INET, tmp, addr) == 1)
		return inet_ntop(AF_INET, addr, out, (socklen_t)cap) ? 0 : -1;
	if (inet_pton(AF_INET6, tmp, addr) == 1) {
		/* an IPv4-mapped address is the IPv4 one */
		static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
		if (!memcmp(addr, mapped, 12))
			return inet_ntop(AF_INET, addr + 12, out, (socklen_t)cap) ? 0 : -1;
		return inet_ntop(AF_INET6, addr, out, (socklen_t)cap) ? 0 : -1;
	}
	return -1;
}

static int is_trusted(const char *ip, char *const *trusted, size_t ntrusted)
{
	for (size_t i = 0; i < ntrusted; i++)
		if (!strcmp(ip, trusted[i]))
			return 1;
	return 0;
}

const char *http_client_ip(const char *peer, const char *xff, char *const *trusted, size_t ntrusted,
			   struct arena *a)
{
	if (!xff || !ntrusted || !is_trusted(peer, trusted, ntrusted))
		return peer;
	const char *last_trusted = peer;
	size_t len = strnlen(xff, 4096);
	const char *end = xff + len;
	/* walk from the right: each hop appended the address it saw */
	while (end > xff) {
		const char *start = end;
		while (start > xff && start[-1] != ',')
			start--;
		char ip[INET6_ADDRSTRLEN + 1];
		if (http_ip_normalise(start, (size_t)(end - start), ip, sizeof(ip)) < 0)
			return last_trusted; /* garbage: believe only what the last trusted hop saw */
		if (!is_trusted(ip, trusted, ntrusted))
			return arena_strdup(a, ip);
		last_trusted = arena_strdup(a, ip);
		end = start > xff ? start - 1 : xff;
	}
	return last_trusted;
}

/* Walks a comma-separated header value; calls fn on each trimmed element. */
static int list_any(const char *v, int (*fn)(const char *p, size_t len, const void *ctx), const void *ctx)
{
	if (!v)
		return 0;
	const char *p = v;
	for (;;) {
		const char *comma = strchr(p, ',');
		const char *stop = comma ? comma : p + strlen(p);
		const char *s = p, *e2 = stop;
		while (s < e2 && (*s == ' ' || *s == '\t'))
			s++;
		while (e2 > s && (e2[-1] == ' ' || e2[-1] == '\t'))
			e2--;
		if (e2 > s && fn(s, (size_t)(e2 - s), ctx))
			return 1;
		if (!comma)
			return 0;
		p = comma + 1;
	}
}

static int gzip_elem(const char *p, size_t len, const void *ctx)
{
	(void)ctx;
	const char *semi = memchr(p, ';', len);
	size_t tlen = semi ? (size_t)(semi - p) : len;
	while (tlen && (p[tlen - 1] == ' ' || p[tlen - 1] == '\t'))
		tlen--;
	if (!((tlen == 4 && !strncasecmp(p, "gzip", 4)) || (tlen == 1 && p[0] == '*')))
		return 0;
	if (!semi)
		return 1;
	/* q=0, q=0.0, q=0.000 refuse it */
	const char *q = semi + 1, *end = p + len;
	while (q < end && (*q == ' ' || *q == '\t'))
		q++;
	if (end - q >= 2 && (q[0] == 'q' || q[0] == 'Q') && q[1] == '=') {
		q += 2;
		if (q < end && *q == '0') {
			for (q++; q < end; q++)
				if (*q != '.' && *q != '0')
					return 1;
			return 0;
		}
	}
	return 1;
}

int http_accepts_gzip(const char *accept_encoding)
{
	return list_any(accept_encoding, gzip_elem, NULL);
}

static int etag_elem(const char *p, size_t len, const void *ctx)
{
	const char *etag = ctx;
	if (len == 1 && p[0] == '*')
		return 1;
	if (len > 2 && p[0] == 'W' && p[1] == '/') { /* weak comparison for If-None-Match */
		p += 2;
		len -= 2;
	}
	return strlen(etag) == len && !memcmp(p, etag, len);
}

int http_etag_matches(const char *if_none_match, const char *etag)
{
	return list_any(if_none_match, etag_elem, etag);
}

/* The nesting depth of a JSON text, strings skipped; stops counting past the cap. */
static int json_depth_over(const char *s, size_t len, int cap)
{
	int depth = 0, in_str = 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = 0;
		} else if (c == '"') {
			in_str = 1;
		} else if (c == '{' || c == '[') {
			if (++depth > cap)
				return 1;
		} else if (c == '}' || c == ']') {
			depth--;
		}
	}
	return 0;
}

json_t *http_json_decode(const char *data, size_t len, struct err *e)
{
	if (len == 0) {
		err_set(e, 400, "invalid_json", NULL, "the body is empty; a JSON object is expected");
		return NULL;
	}
	if (json_depth_over(data, len, HTTP_JSON_DEPTH_MAX)) {
		err_set(e, 400, "invalid_json", NULL, "JSON nested deeper than %d levels",
			HTTP_JSON_DEPTH_MAX);
		return NULL;
	}
	json_error_t je;
	json_t *j = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
	if (!j) {
		err_set(e, 400, "invalid_json", NULL, "invalid JSON at line %d, column %d: %s", je.line,
			je.column, je.text);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		err_set(e, 400, "invalid_json", NULL, "the body must be a JSON object");
		return NULL;
	}
	return j;
}
