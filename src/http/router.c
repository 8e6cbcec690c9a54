/* router — method + pattern matching over a segment trie built once at start.
 *
 * Each node is one path segment. A node's children are: literal segments (sorted, found by
 * binary search), at most one "{param}" child and at most one "{rest*}" child. Matching
 * walks the raw path segment by segment, trying literal, then parameter, then rest, and
 * backtracks when a branch dead-ends, so "/staff/new" beats "/staff/{id}" and the cost is
 * the path's depth, not the number of routes. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/xalloc.h"
#include "http/http_int.h"
#include "base/banned.h"

struct rnode {
	char *literal; /* segment text for literal children */
	size_t literal_len;
	struct rnode **lits; /* sorted by literal */
	size_t nlits;
	struct rnode *param;
	struct rnode *rest;
	int route[HTTP_M_COUNT]; /* index of the route ending here per method, or -1 */
	/* per route ending here: the parameter names in path order */
	const char **names[HTTP_M_COUNT];
	size_t nnames[HTTP_M_COUNT];
};

struct router {
	struct rnode *root;
	const struct http_route *routes;
	size_t nroutes;
};

static const char *const method_names[HTTP_M_COUNT] = {"GET",	"HEAD",	  "POST",    "PUT",
						       "PATCH", "DELETE", "OPTIONS", "OTHER"};

enum http_method http_method_parse(const char *method)
{
	for (int i = 0; i < HTTP_M_OTHER; i++)
		if (!strcmp(method, method_names[i]))
			return (enum http_method)i;
	return HTTP_M_OTHER;
}

const char *http_method_name(enum http_method m)
{
	return (unsigned)m < HTTP_M_COUNT ? method_names[m] : "OTHER";
}

static struct rnode *node_new(void)
{
	struct rnode *n = xcalloc(1, sizeof(*n));
	for (int i = 0; i < HTTP_M_COUNT; i++)
		n->route[i] = -1;
	return n;
}

static void node_free(struct rnode *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->nlits; i++)
		node_free(n->lits[i]);
	free(n->lits);
	node_free(n->param);
	node_free(n->rest);
	for (int i = 0; i < HTTP_M_COUNT; i++)
		free(n->names[i]);
	free(n->literal);
	free(n);
}

static int seg_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);
	if (c)
		return c;
	return alen < blen ? -1 : alen > blen;
}

/* Binary search; *pos gets the insertion point when absent. */
static struct rnode *lit_find(const struct rnode *n, const char *s, size_t len, size_t *pos)
{
	size_t lo = 0, hi = n->nlits;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct rnode *c = n->lits[mid];
		int cmp = seg_cmp(s, len, c->literal, c->literal_len);
		if (!cmp)
			return n->lits[mid];
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	if (pos)
		*pos = lo;
	return NULL;
}

static struct rnode *lit_add(struct rnode *n, const char *s, size_t len)
{
	size_t pos = 0;
	struct rnode *c = lit_find(n, s, len, &pos);
	if (c)
		return c;
	c = node_new();
	c->literal = xstrndup(s, len);
	c->literal_len = len;
	n->lits = xrealloc(n->lits, (n->nlits + 1) * sizeof(*n->lits));
	memmove(n->lits + pos + 1, n->lits + pos, (n->nlits - pos) * sizeof(*n->lits));
	n->lits[pos] = c;
	n->nlits++;
	return c;
}

static int valid_name(const char *s, size_t len)
{
	if (!len)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char ch = s[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		      ch == '_'))
			return 0;
	}
	return 1;
}

static int add_route(struct router *r, size_t idx, struct err *e)
{
	const struct http_route *rt = &r->routes[idx];
	if (!rt->method || !rt->pattern || !rt->handler)
		return err_internal(e, "route %zu: method, pattern and handler are required", idx);
	enum http_method m = http_method_parse(rt->method);
	if (m == HTTP_M_OTHER || m == HTTP_M_HEAD)
		return err_internal(e, "route %s %s: unsupported method", rt->method, rt->pattern);
	const char *p = rt->pattern;
	if (p[0] != '/')
		return err_internal(e, "route %s %s: pattern must start with /", rt->method, p);
	const char *names[HTTP_PARAMS_MAX];
	const char *why = NULL;
	size_t nnames = 0, nseg = 0;
	struct rnode *n = r->root;
	p++;
	for (;;) {
		const char *end = strchr(p, '/');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (++nseg > HTTP_SEGMENTS_MAX) {
			why = "too many segments";
			goto fail;
		}
		if (len >= 2 && p[0] == '{' && p[len - 1] == '}') {
			int rest = len >= 3 && p[len - 2] == '*';
			size_t nlen = len - 2 - (size_t)rest;
			if (!valid_name(p + 1, nlen)) {
				why = "bad parameter name";
				goto fail;
			}
			if (rest && end) {
				why = "{name*} must be last";
				goto fail;
			}
			if (nnames == HTTP_PARAMS_MAX) {
				why = "too many parameters";
				goto fail;
			}
			for (size_t i = 0; i < nnames; i++)
				if (strlen(names[i]) == nlen && !memcmp(names[i], p + 1, nlen)) {
					why = "parameter repeated";
					goto fail;
				}
			names[nnames++] = xstrndup(p + 1, nlen);
			struct rnode **slot = rest ? &n->rest : &n->param;
			if (!*slot)
				*slot = node_new();
			n = *slot;
		} else {
			if (memchr(p, '{', len) || memchr(p, '}', len) || memchr(p, '%', len)) {
				why = "braces or % inside a literal segment";
				goto fail;
			}
			n = lit_add(n, p, len);
		}
		if (!end)
			break;
		p = end + 1;
	}
	if (n->route[m] >= 0) {
		why = "duplicates another route";
		goto fail;
	}
	n->route[m] = (int)idx;
	n->names[m] = xcalloc(nnames ? nnames : 1, sizeof(char *));
	memcpy(n->names[m], names, nnames * sizeof(char *));
	n->nnames[m] = nnames;
	return 0;
fail:
	for (size_t j = 0; j < nnames; j++)
		free((char *)names[j]);
	return err_internal(e, "route %s %s: %s", rt->method, rt->pattern, why);
}

static void node_free_names(struct rnode *n)
{
	if (!n)
		return;
	for (int m = 0; m < HTTP_M_COUNT; m++)
		for (size_t i = 0; i < n->nnames[m]; i++)
			free((char *)n->names[m][i]);
	for (size_t i = 0; i < n->nlits; i++)
		node_free_names(n->lits[i]);
	node_free_names(n->param);
	node_free_names(n->rest);
}

int router_new(const struct http_route *routes, size_t n, struct router **out, struct err *e)
{
	struct router *r = xcalloc(1, sizeof(*r));
	r->root = node_new();
	r->routes = routes;
	r->nroutes = n;
	for (size_t i = 0; i < n; i++)
		if (add_route(r, i, e) < 0) {
			router_free(r);
			return -1;
		}
	*out = r;
	return 0;
}

void router_free(struct router *r)
{
	if (!r)
		return;
	node_free_names(r->root);
	node_free(r->root);
	free(r);
}

/* ---- matching ---- */

struct seg {
	const char *p;
	size_t len;
};

struct walk {
	const struct seg *segs;
	size_t nseg;
	const char *path_end;
	enum http_method method;
	size_t vals[HTTP_PARAMS_MAX]; /* segment index of each captured value; rest: SIZE_MAX marks */
	int val_is_rest[HTTP_PARAMS_MAX];
	size_t nvals;
	unsigned allow; /* union of methods at every node the path reaches */
};

static int method_route(const struct rnode *n, enum http_method m)
{
	if (n->route[m] >= 0)
		return n->route[m];
	if (m == HTTP_M_HEAD)
		return n->route[HTTP_M_GET];
	return -1;
}

static unsigned node_allow(const struct rnode *n)
{
	unsigned allow = 0;
	for (int m = 0; m < HTTP_M_COUNT; m++)
		if (n->route[m] >= 0)
			allow |= 1u << m;
	if (allow & (1u << HTTP_M_GET))
		allow |= 1u << HTTP_M_HEAD;
	return allow;
}

/* Returns the node a route for w->method ends at, or NULL; collects allow on the way. */
static const struct rnode *walk(const struct rnode *n, size_t i, struct walk *w)
{
	if (i == w->nseg) {
		w->allow |= node_allow(n);
		return method_route(n, w->method) >= 0 ? n : NULL;
	}
	const struct seg *s = &w->segs[i];
	struct rnode *c = lit_find(n, s->p, s->len, NULL);
	if (c) {
		const struct rnode *hit = walk(c, i + 1, w);
		if (hit)
			return hit;
	}
	if (n->param && s->len && w->nvals < HTTP_PARAMS_MAX) {
		w->vals[w->nvals] = i;
		w->val_is_rest[w->nvals] = 0;
		w->nvals++;
		const struct rnode *hit = walk(n->param, i + 1, w);
		if (hit)
			return hit;
		w->nvals--;
	}
	if (n->rest && s->len && w->nvals < HTTP_PARAMS_MAX) {
		w->vals[w->nvals] = i;
		w->val_is_rest[w->nvals] = 1;
		w->nvals++;
		w->allow |= node_allow(n->rest);
		if (method_route(n->rest, w->method) >= 0)
			return n->rest;
		w->nvals--;
	}
	return NULL;
}

enum router_result router_match(const struct router *r, const char *method, const char *path, size_t path_len,
				struct arena *a, struct router_match *m)
{
	memset(m, 0, sizeof(*m));
	if (path_len == 0 || path[0] != '/' || path_len > HTTP_PATH_MAX || memchr(path, '\0', path_len))
		return ROUTER_BAD_PATH;
	struct seg segs[HTTP_SEGMENTS_MAX];
	size_t nseg = 0;
	const char *p = path + 1, *end = path + path_len;
	for (;;) {
		const char *slash = memchr(p, '/', (size_t)(end - p));
		const char *stop = slash ? slash : end;
		if (nseg == HTTP_SEGMENTS_MAX)
			return ROUTER_NOT_FOUND;
		segs[nseg].p = p;
		segs[nseg].len = (size_t)(stop - p);
		nseg++;
		if (!slash)
			break;
		p = slash + 1;
	}
	struct walk w = {.segs = segs, .nseg = nseg, .path_end = end, .method = http_method_parse(method)};
	const struct rnode *hit = walk(r->root, 0, &w);
	if (!hit) {
		m->allow = w.allow;
		return w.allow ? ROUTER_METHOD_NOT_ALLOWED : ROUTER_NOT_FOUND;
	}
	enum http_method em = hit->route[w.method] >= 0 ? w.method : HTTP_M_GET;
	int idx = hit->route[em];
	m->route = &r->routes[idx];
	m->route_index = (size_t)idx;
	m->nparams = w.nvals;
	for (size_t i = 0; i < w.nvals; i++) {
		const struct seg *s = &segs[w.vals[i]];
		size_t len = w.val_is_rest[i] ? (size_t)(end - s->p) : s->len;
		char *out = arena_alloc(a, len + 1);
		if (http_pct_decode(s->p, len, out, 0) < 0) {
			memset(m, 0, sizeof(*m));
			return ROUTER_BAD_PATH;
		}
		m->params[i].name = hit->names[em][i];
		m->params[i].value = out;
	}
	return ROUTER_FOUND;
}

void router_allow_string(unsigned allow, char *out, size_t cap)
{
	size_t used = 0;
	if (cap)
		out[0] = '\0';
	for (int i = 0; i < HTTP_M_OTHER; i++) {
		if (!(allow & (1u << i)))
			continue;
		const char *name = method_names[i];
		size_t len = strlen(name);
		size_t need = len + (used ? 2 : 0);
		if (used + need + 1 > cap)
			break;
		if (used) {
			memcpy(out + used, ", ", 2);
			used += 2;
		}
		memcpy(out + used, name, len);
		used += len;
		out[used] = '\0';
	}
}
