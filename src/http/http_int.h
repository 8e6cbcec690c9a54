/* http_int.h — private to src/http/: the pure parsers (router, percent-decoding, query,
 * cookies), static files and metrics. Nothing outside src/http/ (and its tests and fuzz
 * targets) includes this. */
#ifndef CRENEAU_HTTP_INT_H
#define CRENEAU_HTTP_INT_H
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "http/http.h"

/* ---- caps on what input may drive ---- */
#define HTTP_PATH_MAX	    2048	/* bytes of a request path */
#define HTTP_SEGMENTS_MAX   32		/* path segments */
#define HTTP_PARAMS_MAX	    8		/* path parameters in one pattern */
#define HTTP_QUERY_MAX	    64		/* query parameters */
#define HTTP_COOKIES_MAX    50		/* cookies read from one Cookie header */
#define HTTP_JSON_DEPTH_MAX 32		/* nesting of a JSON body */
#define HTTP_MEMORY_LIMIT   (32 * 1024) /* per-connection memory: request line + headers */

/* ---- methods ---- */
enum http_method {
	HTTP_M_GET,
	HTTP_M_HEAD,
	HTTP_M_POST,
	HTTP_M_PUT,
	HTTP_M_PATCH,
	HTTP_M_DELETE,
	HTTP_M_OPTIONS,
	HTTP_M_OTHER,
	HTTP_M_COUNT
};
enum http_method http_method_parse(const char *method);
const char *http_method_name(enum http_method m);

/* ---- percent-decoding ---- */
/* Decodes src[0..len) into out (room for len + 1 bytes), NUL-terminated; '+' becomes a space
 * when plus_is_space. Returns the decoded length, or -1 for a malformed escape or a NUL. */
long http_pct_decode(const char *src, size_t len, char *out, int plus_is_space);

/* ---- router (router.c): pure, built once, read by every thread ---- */
struct router;
struct router_param {
	const char *name;
	const char *value;
};
struct router_match {
	const struct http_route *route; /* NULL unless ROUTER_FOUND */
	size_t route_index;		/* index in the table given to router_new */
	size_t nparams;
	struct router_param params[HTTP_PARAMS_MAX];
	unsigned allow; /* ROUTER_METHOD_NOT_ALLOWED: bit (1 << enum http_method) per allowed method */
};
enum router_result { ROUTER_FOUND, ROUTER_NOT_FOUND, ROUTER_METHOD_NOT_ALLOWED, ROUTER_BAD_PATH };

/* Builds the matching structure over routes (which must outlive it). Rejects a malformed
 * pattern, an unknown method or two routes with the same method and shape. */
int router_new(const struct http_route *routes, size_t n, struct router **out, struct err *e) WUR;
void router_free(struct router *r);
/* Matches method and raw (still percent-encoded) path. Parameter values are decoded into
 * arena memory. ROUTER_BAD_PATH: malformed escape, NUL, or over the caps. HEAD matches GET
 * routes. */
enum router_result router_match(const struct router *r, const char *method, const char *path, size_t path_len,
				struct arena *a, struct router_match *m);
/* Writes the Allow header value for an allow mask ("GET, HEAD, POST"). */
void router_allow_string(unsigned allow, char *out, size_t cap);

/* ---- query strings and cookies (parse.c) ---- */
struct http_kv {
	const char *name;
	const char *value;
};
/* Parses "a=1&b=%20x" (without the '?') into decoded pairs in arena memory. Returns the
 * count, or -1 with *e (400) past HTTP_QUERY_MAX pairs or on a malformed escape. */
int http_query_parse(const char *q, size_t len, struct arena *a, struct http_kv **out, struct err *e) WUR;
/* Parses a Cookie header into at most HTTP_COOKIES_MAX pairs (the rest ignored); malformed
 * pairs are skipped, quotes around a value are removed. Returns the count. */
int http_cookies_parse(const char *header, size_t len, struct arena *a, struct http_kv **out);
/* True when name is an RFC 6265 token and value only cookie-octets. */
int http_cookie_valid(const char *name, const char *value);
/* The client address: the peer, or — when the peer is trusted — the right-most
 * X-Forwarded-For entry that is not itself a trusted proxy. trusted is a list of normalised
 * addresses (see http_ip_normalise). Returns a pointer into peer, xff or arena memory. */
const char *http_client_ip(const char *peer, const char *xff, char *const *trusted, size_t ntrusted,
			   struct arena *a);
/* Writes the canonical text form of an IPv4/IPv6 address; -1 when src is not one. */
int http_ip_normalise(const char *src, size_t len, char *out, size_t cap);
/* True when the Accept-Encoding value accepts gzip (a q=0 refuses it). */
int http_accepts_gzip(const char *accept_encoding);
/* True when the If-None-Match value lists etag (or is "*"). */
int http_etag_matches(const char *if_none_match, const char *etag);

/* ---- JSON bodies (parse.c) ---- */
/* Decodes a request body into a JSON object (the caller owns the reference): 400
 * `invalid_json` for an empty body, nesting past HTTP_JSON_DEPTH_MAX, a duplicate key, bad
 * JSON or anything but an object. */
json_t *http_json_decode(const char *data, size_t len, struct err *e);

/* ---- static files (static.c) ---- */
struct static_files;
struct static_file {
	const char *path; /* "/css/app.css" */
	const char *content_type;
	const char *cache_control;
	const char *etag;    /* "\"…\"" */
	const char *etag_gz; /* the gzip variant's ETag */
	const unsigned char *body;
	size_t len;
	const unsigned char *gz; /* NULL when not worth compressing */
	size_t gz_len;
};
#define STATIC_FILE_MAX	 (8u << 20)   /* bigger files are not served */
#define STATIC_TOTAL_MAX (128u << 20) /* files past this total are not served */
#define STATIC_FILES_MAX 20000
/* Loads every regular, non-hidden file under root into memory, compressing what is worth
 * it. A NULL or missing root gives an empty set. */
int static_files_load(const char *root, struct static_files **out, struct err *e) WUR;
void static_files_free(struct static_files *s);
/* Looks up a decoded request path ("/" and directories give their index.html). Returns
 * NULL when absent or refused (a segment starting with '.', a backslash, …). *redirect is
 * set when path names a directory without its trailing slash. */
const struct static_file *static_files_find(const struct static_files *s, const char *path, int *redirect);
const char *static_content_type(const char *path);

/* ---- metrics (metrics.c) ---- */
struct metrics;
/* Slots 0..nroutes-1 are the routes; then static files, then requests matching no route. */
struct metrics *metrics_new(const struct http_route *routes, size_t nroutes);
void metrics_free(struct metrics *m);
size_t metrics_slot_static(const struct metrics *m);
size_t metrics_slot_unmatched(const struct metrics *m);
void metrics_count(struct metrics *m, size_t slot, enum http_method method, int status, int64_t duration_ns);
void metrics_connections(struct metrics *m, int delta);
void metrics_library_reject(struct metrics *m);
void metrics_deadline_cut(struct metrics *m);
/* Appends the Prometheus text exposition to a malloc'd string. */
char *metrics_text(struct metrics *m);

#endif
