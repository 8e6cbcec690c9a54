/* metrics — request counters and latency histograms, one slot per route pattern (plus
 * static files and unmatched requests). Every counter is a relaxed atomic added to by the
 * thread that finished the request: no lock on the hot path. The reader sums nothing and
 * sees each counter's own latest value, which is what Prometheus expects. */
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/xalloc.h"
#include "http/http_int.h"
#include "base/banned.h"

/* The statuses the adapter and the app answer; anything else lands in the last column. */
static const int statuses[] = {200, 201, 202, 204, 206, 301, 302, 303, 304, 307, 308, 400,
			       401, 403, 404, 405, 409, 410, 413, 415, 422, 429, 500, 503};
#define NSTATUS (sizeof(statuses) / sizeof(statuses[0]) + 1)

/* Prometheus's defaults with 1 ms and 2.5 ms added: a trivial route answers well under 5 ms. */
static const double bucket_s[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
#define NBUCKET (sizeof(bucket_s) / sizeof(bucket_s[0]))

struct slot {
	_Atomic uint64_t count[HTTP_M_COUNT][NSTATUS];
	_Atomic uint64_t bucket[NBUCKET + 1]; /* last: +Inf */
	_Atomic uint64_t sum_us;
	_Atomic uint64_t n;
};

struct metrics {
	const struct http_route *routes;
	size_t nroutes;
	struct slot *slots; /* nroutes + 2 */
	int64_t bucket_ns[NBUCKET];
	_Atomic int64_t connections;
	_Atomic uint64_t library_rejects;
	_Atomic uint64_t deadline_cuts;
};

struct metrics *metrics_new(const struct http_route *routes, size_t nroutes)
{
	struct metrics *m = xcalloc(1, sizeof(*m));
	m->routes = routes;
	m->nroutes = nroutes;
	m->slots = xcalloc(nroutes + 2, sizeof(struct slot));
	for (size_t i = 0; i < NBUCKET; i++)
		m->bucket_ns[i] = (int64_t)(bucket_s[i] * 1e9 + 0.5);
	return m;
}

void metrics_free(struct metrics *m)
{
	if (!m)
		return;
	free(m->slots);
	free(m);
}

size_t metrics_slot_static(const struct metrics *m)
{
	return m->nroutes;
}

size_t metrics_slot_unmatched(const struct metrics *m)
{
	return m->nroutes + 1;
}

static size_t status_index(int status)
{
	size_t lo = 0, hi = NSTATUS - 1;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (statuses[mid] == status)
			return mid;
		if (statuses[mid] < status)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NSTATUS - 1;
}

void metrics_count(struct metrics *m, size_t slot, enum http_method method, int status, int64_t duration_ns)
{
	if (slot > m->nroutes + 1 || (unsigned)method >= HTTP_M_COUNT)
		return;
	struct slot *s = &m->slots[slot];
	atomic_fetch_add_explicit(&s->count[method][status_index(status)], 1, memory_order_relaxed);
	size_t b = 0;
	while (b < NBUCKET && duration_ns > m->bucket_ns[b])
		b++;
	atomic_fetch_add_explicit(&s->bucket[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&s->sum_us, (uint64_t)(duration_ns > 0 ? duration_ns / 1000 : 0),
				  memory_order_relaxed);
	atomic_fetch_add_explicit(&s->n, 1, memory_order_relaxed);
}

void metrics_connections(struct metrics *m, int delta)
{
	atomic_fetch_add_explicit(&m->connections, delta, memory_order_relaxed);
}

void metrics_library_reject(struct metrics *m)
{
	atomic_fetch_add_explicit(&m->library_rejects, 1, memory_order_relaxed);
}

void metrics_deadline_cut(struct metrics *m)
{
	atomic_fetch_add_explicit(&m->deadline_cuts, 1, memory_order_relaxed);
}

/* Route patterns come from the code, but escape them anyway as a label value must be. */
static void label(struct buf *b, const char *v)
{
	for (const char *p = v; *p; p++) {
		int rc;
		if (*p == '\\' || *p == '"')
			rc = buf_appendf(b, "\\%c", *p);
		else if (*p == '\n')
			rc = buf_appends(b, "\\n");
		else
			rc = buf_append(b, p, 1);
		(void)rc;
	}
}

static const char *slot_name(const struct metrics *m, size_t i)
{
	if (i < m->nroutes)
		return m->routes[i].pattern;
	return i == m->nroutes ? "static" : "unmatched";
}

char *metrics_text(struct metrics *m)
{
	struct buf b = BUF_INIT(64u << 20);
	int rc = 0;
	rc |= buf_appends(
		&b,
		"# HELP http_requests_total HTTP requests answered, by route pattern, method and status.\n"
		"# TYPE http_requests_total counter\n");
	for (size_t i = 0; i < m->nroutes + 2; i++) {
		struct slot *s = &m->slots[i];
		for (int meth = 0; meth < HTTP_M_COUNT; meth++)
			for (size_t st = 0; st < NSTATUS; st++) {
				uint64_t v = atomic_load_explicit(&s->count[meth][st], memory_order_relaxed);
				if (!v)
					continue;
				rc |= buf_appends(&b, "http_requests_total{route=\"");
				label(&b, slot_name(m, i));
				if (st < NSTATUS - 1)
					rc |= buf_appendf(&b, "\",method=\"%s\",status=\"%d\"} %llu\n",
							  http_method_name((enum http_method)meth),
							  statuses[st], (unsigned long long)v);
				else
					rc |= buf_appendf(&b, "\",method=\"%s\",status=\"other\"} %llu\n",
							  http_method_name((enum http_method)meth),
							  (unsigned long long)v);
			}
	}
	rc |= buf_appends(&b, "# HELP http_request_duration_seconds Time from the request line to the end of "
			      "the response.\n"
			      "# TYPE http_request_duration_seconds histogram\n");
	for (size_t i = 0; i < m->nroutes + 2; i++) {
		struct slot *s = &m->slots[i];
		uint64_t n = atomic_load_explicit(&s->n, memory_order_relaxed);
		if (!n)
			continue;
		uint64_t cum = 0;
		for (size_t k = 0; k <= NBUCKET; k++) {
			cum += atomic_load_explicit(&s->bucket[k], memory_order_relaxed);
			rc |= buf_appends(&b, "http_request_duration_seconds_bucket{route=\"");
			label(&b, slot_name(m, i));
			if (k < NBUCKET)
				rc |= buf_appendf(&b, "\",le=\"%g\"} %llu\n", bucket_s[k],
						  (unsigned long long)cum);
			else
				rc |= buf_appendf(&b, "\",le=\"+Inf\"} %llu\n", (unsigned long long)cum);
		}
		rc |= buf_appends(&b, "http_request_duration_seconds_sum{route=\"");
		label(&b, slot_name(m, i));
		rc |= buf_appendf(&b, "\"} %.6f\n",
				  (double)atomic_load_explicit(&s->sum_us, memory_order_relaxed) / 1e6);
		rc |= buf_appends(&b, "http_request_duration_seconds_count{route=\"");
		label(&b, slot_name(m, i));
		rc |= buf_appendf(&b, "\"} %llu\n", (unsigned long long)cum);
	}
	rc |= buf_appendf(
		&b,
		"# HELP http_connections_open Client connections currently open.\n"
		"# TYPE http_connections_open gauge\n"
		"http_connections_open %lld\n"
		"# HELP http_library_rejects_total Requests answered by libmicrohttpd itself (414, 431, "
		"400).\n"
		"# TYPE http_library_rejects_total counter\n"
		"http_library_rejects_total %llu\n"
		"# HELP http_header_deadline_cuts_total Connections cut for sending headers too slowly.\n"
		"# TYPE http_header_deadline_cuts_total counter\n"
		"http_header_deadline_cuts_total %llu\n",
		(long long)atomic_load_explicit(&m->connections, memory_order_relaxed),
		(unsigned long long)atomic_load_explicit(&m->library_rejects, memory_order_relaxed),
		(unsigned long long)atomic_load_explicit(&m->deadline_cuts, memory_order_relaxed));
	(void)rc; /* the 64 MiB cap is far above any route table */
	char *out = buf_detach(&b, NULL);
	return out ? out : xstrdup("");
}
