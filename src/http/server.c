/* server — the libmicrohttpd daemon and the life of a request on it.
 *
 * libmicrohttpd runs a pool of threads, each with its own epoll set and its own share of
 * the connections; a handler runs on the thread that owns its connection and may block
 * (the pool is sized for that: see docs/internals/http.md). A request goes:
 *   URI callback      request line parsed: arena, request id, timing start
 *   access, 1st call  headers in: route match, query, limits; early errors queued here
 *   access, body      chunks appended to a buffer bounded by the route's limit
 *   access, last      `before`, then the handler; the response is queued
 *   completed         access log line, metrics, the arena freed
 * A reaper thread enforces the header deadline, which libmicrohttpd's idle timeout cannot. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "http/server_int.h"
#include "base/banned.h"

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Request ids need to be unique, not secret: a per-thread splitmix64 seeded from the kernel. */
static _Thread_local uint64_t id_state;
static _Thread_local int id_seeded;

static void request_id(char out[17])
{
	if (!id_seeded) {
		if (getrandom(&id_state, sizeof(id_state), 0) != sizeof(id_state))
			id_state = (uint64_t)mono_ns() ^ (uint64_t)(uintptr_t)&id_state;
		id_seeded = 1;
	}
	uint64_t z = (id_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	static const char hex[] = "0123456789abcdef";
	for (int i = 0; i < 16; i++)
		out[i] = hex[(z >> (60 - 4 * i)) & 15];
	out[16] = '\0';
}

/* ---- requests ---- */

static void req_free(struct http_req *r)
{
	if (!r)
		return;
	if (r->headers_done)
		atomic_fetch_sub(&r->srv->inflight, 1);
	buf_release(&r->body);
	if (r->resp.has_fd) /* a file answer never handed to libmicrohttpd */
		close(r->resp.fd);
	arena_free(r->arena);
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *mc)
{
	struct http_server *s = cls;
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct conn *c = ci ? ci->socket_context : NULL;
	if (!c)
		return NULL;
	if (c->req) { /* a previous request never completed: should not happen */
		req_free(c->req);
		c->req = NULL;
	}
	struct arena *a = arena_new();
	struct http_req *r = arena_alloc(a, sizeof(*r));
	r->srv = s;
	r->conn = c;
	r->mc = mc;
	r->arena = a;
	r->start_ns = mono_ns();
	r->resp.req = r;
	request_id(r->id);
	size_t len = strnlen(uri, HTTP_MEMORY_LIMIT);
	const char *q = memchr(uri, '?', len);
	r->raw_path_len = q ? (size_t)(q - uri) : len;
	r->raw_path = arena_strndup(a, uri, r->raw_path_len);
	if (q) {
		r->raw_query_len = len - r->raw_path_len - 1;
		r->raw_query = arena_strndup(a, q + 1, r->raw_query_len);
	}
	if (c->nreq++ > 0) /* keep-alive: this request's headers get their own deadline */
		atomic_store_explicit(&c->deadline_ms, clock_mono_ms() + s->header_deadline_ms,
				      memory_order_relaxed);
	c->req = r;
	return r;
}

static void on_completed(void *cls, struct MHD_Connection *mc, void **req_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct http_server *s = cls;
	(void)mc;
	struct http_req *r = *req_cls;
	*req_cls = NULL;
	if (!r)
		return;
	if (r->headers_done) {
		int64_t dur = mono_ns() - r->start_ns;
		const char *route = r->route ? r->route->pattern : r->sf ? r->sf->path : "-";
		int status = r->status;
		log_info("http_access id=%s method=%s route=%s status=%d ms=%.2f account=%s ip=%s%s", r->id,
			 r->method ? r->method : "-", route, status, (double)dur / 1e6,
			 r->account_id ? r->account_id : "-", http_req_client_ip(r),
			 toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted=1");
		if (status)
			metrics_count(s->metrics, r->slot, r->m, status, dur);
	}
	struct conn *c = r->conn;
	if (c->req == r)
		c->req = NULL;
	/* between requests the next request line must start within the idle timeout */
	atomic_store_explicit(&c->deadline_ms, clock_mono_ms() + s->idle_ms, memory_order_relaxed);
	req_free(r);
}

static void on_connection(void *cls, struct MHD_Connection *mc, void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	struct http_server *s = cls;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		struct conn *c = xcalloc(1, sizeof(*c));
		const union MHD_ConnectionInfo *fd =
			MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CONNECTION_FD);
		const union MHD_ConnectionInfo *ad =
			MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		c->fd = fd ? fd->connect_fd : -1;
		snprintf(c->peer, sizeof(c->peer), "-");
		if (ad && ad->client_addr) {
			const struct sockaddr *sa = ad->client_addr;
			char tmp[INET6_ADDRSTRLEN];
			const void *bytes =
				sa->sa_family == AF_INET6
					? (const void *)&((const struct sockaddr_in6 *)(const void *)sa)
						  ->sin6_addr
					: (const void *)&((const struct sockaddr_in *)(const void *)sa)
						  ->sin_addr;
			if (inet_ntop(sa->sa_family, bytes, tmp, sizeof(tmp)) &&
			    http_ip_normalise(tmp, strlen(tmp), c->peer, sizeof(c->peer)) < 0)
				snprintf(c->peer, sizeof(c->peer), "%s", tmp);
		}
		atomic_store(&c->deadline_ms, clock_mono_ms() + s->header_deadline_ms);
		pthread_mutex_lock(&s->conns_lock);
		c->next = s->conns;
		if (s->conns)
			s->conns->prev = c;
		s->conns = c;
		pthread_mutex_unlock(&s->conns_lock);
		metrics_connections(s->metrics, 1);
		*socket_context = c;
		return;
	}
	struct conn *c = *socket_context;
	if (!c)
		return;
	/* libmicrohttpd calls this before it closes the socket, so once c is off the list the
	 * reaper can no longer shut down a descriptor number that was reused */
	pthread_mutex_lock(&s->conns_lock);
	if (c->prev)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	pthread_mutex_unlock(&s->conns_lock);
	if (c->req)
		req_free(c->req);
	metrics_connections(s->metrics, -1);
	free(c);
	*socket_context = NULL;
}

static void *reaper_main(void *arg)
{
	struct http_server *s = arg;
	pthread_mutex_lock(&s->conns_lock);
	while (!s->stopping) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 200 * 1000000;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&s->reaper_wake, &s->conns_lock, &until);
		int64_t now = clock_mono_ms();
		for (struct conn *c = s->conns; c; c = c->next) {
			long long d = atomic_load_explicit(&c->deadline_ms, memory_order_relaxed);
			if (!d || now <= d || c->cut || c->fd < 0)
				continue;
			c->cut = 1;
			shutdown(c->fd, SHUT_RDWR);
			metrics_deadline_cut(s->metrics);
			log_warn("http_deadline cut ip=%s requests=%u", c->peer, c->nreq);
		}
	}
	pthread_mutex_unlock(&s->conns_lock);
	return NULL;
}

static void on_library_log(void *cls, const char *fmt, va_list ap)
{
	struct http_server *s = cls;
	char msg[512];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	for (char *p = msg; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '"')
			*p = *p == '"' ? '\'' : ' ';
	size_t n = strlen(msg);
	while (n && msg[n - 1] == ' ')
		msg[--n] = '\0';
	if (strstr(msg, "HTTP response code is"))
		metrics_library_reject(s->metrics);
	log_warn("http_library msg=\"%s\"", msg);
}

/* ---- the access handler ---- */

static int route_request(struct http_req *r, const char *method)
{
	struct http_server *s = r->srv;
	r->method = arena_strdup(r->arena, method);
	r->m = http_method_parse(method);
	r->slot = metrics_slot_unmatched(s->metrics);
	enum router_result rr =
		router_match(s->router, method, r->raw_path, r->raw_path_len, r->arena, &r->match);
	if (rr == ROUTER_FOUND) {
		r->route = r->match.route;
		r->slot = r->match.route_index;
		r->body_limit = r->route->body_limit ? r->route->body_limit : HTTP_BODY_DEFAULT;
		return 0;
	}
	if (rr == ROUTER_BAD_PATH)
		return http_resp_send_error(r, 400, "bad_request", "malformed request path"), -1;
	if (rr == ROUTER_NOT_FOUND && (r->m == HTTP_M_GET || r->m == HTTP_M_HEAD) && s->statics) {
		char *decoded = arena_alloc(r->arena, r->raw_path_len + 1);
		int redirect = 0;
		if (http_pct_decode(r->raw_path, r->raw_path_len, decoded, 0) >= 0)
			r->sf = static_files_find(s->statics, decoded, &redirect);
		if (r->sf) {
			r->slot = metrics_slot_static(s->metrics);
			r->body_limit = 0;
			return 0;
		}
		if (redirect) {
			r->resp.answered = 1;
			r->resp.status = 301;
			r->resp.body = "";
			/* keep the query: e-mail links such as /verify?token=... land on a directory */
			const char *to = r->raw_query
						 ? arena_printf(r->arena, "%s/?%s", r->raw_path, r->raw_query)
						 : arena_printf(r->arena, "%s/", r->raw_path);
			http_resp_header(&r->resp, "Location", to);
			http_resp_send(r);
			return -1;
		}
	}
	if (rr == ROUTER_METHOD_NOT_ALLOWED) {
		char allow[80];
		router_allow_string(r->match.allow, allow, sizeof(allow));
		http_resp_header(&r->resp, "Allow", allow);
		http_resp_send_error(r, 405, "method_not_allowed", "%s is not allowed here; allowed: %s",
				     method, allow);
		return -1;
	}
	http_resp_send_error(r, 404, "not_found", "no such resource");
	return -1;
}

/* Headers are in: route, parse the query, check the declared length. Errors are queued
 * here, before any body is read. */
static void first_call(struct http_req *r, const char *method)
{
	struct http_server *s = r->srv;
	r->headers_done = 1;
	atomic_fetch_add(&s->inflight, 1);
	atomic_store_explicit(&r->conn->deadline_ms, 0, memory_order_relaxed);
	r->client_ip = s->ntrusted ? http_client_ip(r->conn->peer,
						    MHD_lookup_connection_value(r->mc, MHD_HEADER_KIND,
										"X-Forwarded-For"),
						    s->trusted, s->ntrusted, r->arena)
				   : r->conn->peer;
	if (route_request(r, method) < 0)
		return;
	struct err e;
	if (r->raw_query) {
		r->nquery = http_query_parse(r->raw_query, r->raw_query_len, r->arena, &r->query, &e);
		if (r->nquery < 0) {
			r->nquery = 0;
			http_resp_send_error(r, e.status, e.code, "%s", e.message);
			return;
		}
	}
	const char *cl = MHD_lookup_connection_value(r->mc, MHD_HEADER_KIND, "Content-Length");
	if (cl) {
		char *end;
		errno = 0;
		unsigned long long n = strtoull(cl, &end, 10);
		if (errno || end == cl || n > r->body_limit) {
			http_resp_send_error(r, 413, "payload_too_large", "the body is larger than %zu bytes",
					     r->body_limit);
			return;
		}
	}
	buf_init(&r->body, r->body_limit);
}

static enum MHD_Result serve_static(struct http_req *r)
{
	const struct static_file *f = r->sf;
	int gz = f->gz && http_accepts_gzip(http_req_header(r, "Accept-Encoding"));
	const char *etag = gz ? f->etag_gz : f->etag;
	struct http_resp *w = &r->resp;
	w->answered = 1;
	http_resp_header(w, "ETag", etag);
	http_resp_header(w, "Cache-Control", f->cache_control);
	if (f->gz)
		http_resp_header(w, "Vary", "Accept-Encoding");
	if (http_etag_matches(http_req_header(r, "If-None-Match"), etag)) {
		w->status = 304;
		w->body = "";
		w->len = 0;
		return http_resp_send(r);
	}
	w->status = 200;
	w->content_type = f->content_type;
	if (gz) {
		http_resp_header(w, "Content-Encoding", "gzip");
		w->body = (const char *)f->gz;
		w->len = f->gz_len;
	} else {
		w->body = (const char *)f->body;
		w->len = f->len;
	}
	return http_resp_send(r);
}

static enum MHD_Result run_handler(struct http_req *r)
{
	struct http_server *s = r->srv;
	struct err e;
	err_clear(&e);
	int rc = 0;
	if (s->cfg.before)
		rc = s->cfg.before(r->route, r, &r->resp, &e);
	if (rc == 0 && !r->resp.answered)
		rc = r->route->handler(r, &r->resp, &e);
	if (rc < 0) {
		r->resp.headers = NULL; /* what a failed handler set is not sent */
		if (!err_isset(&e))
			err_internal(&e, "handler failed without saying why (route %s)", r->route->pattern);
		http_resp_error(&r->resp, &e);
	} else if (!r->resp.answered) {
		err_internal(&e, "handler gave no response (route %s)", r->route->pattern);
		http_resp_error(&r->resp, &e);
	}
	return http_resp_send(r);
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *mc, const char *url, const char *method,
				 const char *version, const char *upload_data, size_t *upload_size,
				 void **req_cls)
{
	(void)cls;
	(void)url;
	(void)version;
	struct http_req *r = *req_cls;
	if (!r)
		return MHD_NO; /* no connection context: cannot happen with the URI callback set */
	if (!r->headers_done) {
		r->mc = mc;
		first_call(r, method); /* may have answered already (413, 404, 405 …) */
		return MHD_YES;
	}
	if (r->status) { /* answered early; drop what the client still sends */
		*upload_size = 0;
		return MHD_YES;
	}
	if (*upload_size) {
		size_t n = *upload_size;
		*upload_size = 0;
		if (r->body_too_large || buf_append(&r->body, upload_data, n) < 0) {
			if (!r->body_too_large) {
				r->body_too_large = 1;
				buf_release(&r->body);
			}
			r->body_discarded += n;
			/* a client that keeps streaming long past the limit is cut */
			if (r->body_discarded > 4 * r->body_limit + 65536)
				return MHD_NO;
		}
		return MHD_YES;
	}
	if (r->body_too_large)
		return http_resp_send_error(r, 413, "payload_too_large", "the body is larger than %zu bytes",
					    r->body_limit);
	if (r->sf)
		return serve_static(r);
	return run_handler(r);
}

/* ---- start and stop ---- */

static int parse_trusted(struct http_server *s, const char *list, struct err *e)
{
	if (!list)
		return 0;
	const char *p = list;
	while (*p) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		char ip[INET6_ADDRSTRLEN];
		int blank = 1;
		for (size_t i = 0; i < len; i++)
			if (p[i] != ' ' && p[i] != '\t')
				blank = 0;
		if (!blank) {
			if (http_ip_normalise(p, len, ip, sizeof(ip)) < 0)
				return err_set(e, 400, "invalid_config", "trusted_proxies",
					       "trusted proxy '%.*s' is not an IP address", (int)len, p);
			s->trusted = xrealloc(s->trusted, (s->ntrusted + 1) * sizeof(char *));
			s->trusted[s->ntrusted++] = xstrdup(ip);
		}
		if (!comma)
			break;
		p = comma + 1;
	}
	return 0;
}

static int parse_listen(const char *listen, struct sockaddr_storage *ss, struct err *e)
{
	const char *colon = strrchr(listen, ':');
	if (!colon || colon == listen)
		return err_set(e, 400, "invalid_config", "listen", "listen address '%s' is not host:port",
			       listen);
	char host[256];
	const char *h = listen;
	size_t hlen = (size_t)(colon - listen);
	if (h[0] == '[' && hlen >= 2 && h[hlen - 1] == ']') {
		h++;
		hlen -= 2;
	}
	if (hlen >= sizeof(host))
		return err_set(e, 400, "invalid_config", "listen", "listen host too long");
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	struct addrinfo hints = {.ai_flags = AI_NUMERICSERV | AI_PASSIVE, .ai_socktype = SOCK_STREAM};
	struct addrinfo *res = NULL;
	int rc = getaddrinfo(host, colon + 1, &hints, &res);
	if (rc != 0 || !res)
		return err_set(e, 400, "invalid_config", "listen", "listen address '%s': %s", listen,
			       gai_strerror(rc));
	memset(ss, 0, sizeof(*ss));
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	return 0;
}

/* The listening socket is ours, not libmicrohttpd's: left to itself, each thread of the pool
 * wakes on it and the first accepts up to ten connections in a row, so a burst of connections
 * lands on a few threads (measured: 16 connections of a benchmark on 4 of the 8 threads, two to
 * five requests queued behind one another on each while the other threads idled). One thread
 * accepts here and hands each connection to MHD_add_connection, which spreads them over the
 * pool by descriptor; libmicrohttpd still applies the total and per-IP caps (it closes a
 * connection over them). */
static int listen_socket(const struct sockaddr_storage *ss, const char *where, int *fd_out, struct err *e)
{
	int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int on = 1;
	socklen_t len = ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) ||
	    (ss->ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on))) ||
	    bind(fd, (const struct sockaddr *)ss, len) || listen(fd, 1024)) {
		int err_no = errno;
		if (fd >= 0)
			close(fd);
		return err_set(e, 500, "listen_failed", "listen", "cannot listen on %s: %s", where,
			       strerror(err_no));
	}
	*fd_out = fd;
	return 0;
}

static void *accept_main(void *arg)
{
	struct http_server *s = arg;
	struct pollfd p[2] = {{.fd = s->listen_fd, .events = POLLIN},
			      {.fd = s->accept_wake[0], .events = POLLIN}};
	for (;;) {
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[1].revents)
			break; /* stopping */
		for (;;) {
			struct sockaddr_storage peer;
			socklen_t len = sizeof(peer);
			int fd = accept4(s->listen_fd, (struct sockaddr *)&peer, &len,
					 SOCK_NONBLOCK | SOCK_CLOEXEC);
			if (fd < 0) {
				if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
				    errno == ENOMEM) {
					log_warn("http_accept failed: %s", strerror(errno));
					struct timespec ts = {0,
							      20 * 1000000}; /* descriptors may come back */
					nanosleep(&ts, NULL);
				}
				break; /* EAGAIN: all taken; ECONNABORTED and the like: the next poll */
			}
			/* on failure (a cap reached) libmicrohttpd has closed it and logged why */
			(void)MHD_add_connection(s->daemon, fd, (struct sockaddr *)&peer, len);
		}
	}
	return NULL;
}

static void accept_stop(struct http_server *s)
{
	if (s->acceptor_started) {
		ssize_t n = write(s->accept_wake[1], "x", 1);
		(void)n;
		pthread_join(s->acceptor, NULL);
		s->acceptor_started = 0;
	}
	if (s->listen_fd >= 0)
		close(s->listen_fd);
	s->listen_fd = -1;
}

static void server_free(struct http_server *s)
{
	if (s->accept_wake[0] >= 0) {
		close(s->accept_wake[0]);
		close(s->accept_wake[1]);
	}
	router_free(s->router);
	static_files_free(s->statics);
	metrics_free(s->metrics);
	for (size_t i = 0; i < s->ntrusted; i++)
		free(s->trusted[i]);
	free(s->trusted);
	pthread_mutex_destroy(&s->conns_lock);
	pthread_cond_destroy(&s->reaper_wake);
	free(s);
}

long http_threads_for(long threads)
{
	if (threads > 0)
		return threads;
	/* at most 32: the store pool follows (app_open_store), and a PostgreSQL server allows 100
	 * connections by default, shared by every server and worker */
	long cores = sysconf(_SC_NPROCESSORS_ONLN), n = cores * 8;
	return n < 16 ? 16 : n > 32 ? 32 : n;
}

int http_server_start(const struct http_config *cfg, struct http_server **out, struct err *e)
{
	struct http_server *s = xcalloc(1, sizeof(*s));
	s->cfg = *cfg;
	s->listen_fd = s->accept_wake[0] = s->accept_wake[1] = -1;
	pthread_mutex_init(&s->conns_lock, NULL);
	pthread_cond_init(&s->reaper_wake, NULL);
	atomic_init(&s->inflight, 0);
	s->metrics = metrics_new(cfg->routes, cfg->nroutes);
	struct sockaddr_storage ss;
	if (router_new(cfg->routes, cfg->nroutes, &s->router, e) < 0 ||
	    parse_trusted(s, cfg->trusted_proxies, e) < 0 ||
	    parse_listen(cfg->listen ? cfg->listen : "127.0.0.1:8080", &ss, e) < 0 ||
	    static_files_load(cfg->web_root, &s->statics, e) < 0 ||
	    listen_socket(&ss, cfg->listen ? cfg->listen : "127.0.0.1:8080", &s->listen_fd, e) < 0) {
		server_free(s);
		return -1;
	}
	if (pipe2(s->accept_wake, O_CLOEXEC)) {
		s->accept_wake[0] = s->accept_wake[1] = -1;
		accept_stop(s);
		server_free(s);
		return err_set(e, 500, "listen_failed", "listen", "cannot make a pipe: %s", strerror(errno));
	}
	unsigned threads = (unsigned)http_threads_for(cfg->threads);
	s->header_deadline_ms = 1000LL * (cfg->header_deadline_s > 0 ? cfg->header_deadline_s : 10);
	s->idle_ms = 1000LL * (cfg->idle_timeout_s > 0 ? cfg->idle_timeout_s : 30);
	unsigned max_conn = cfg->max_connections > 0 ? (unsigned)cfg->max_connections : 1024;
	unsigned max_ip = cfg->max_per_ip > 0 ? (unsigned)cfg->max_per_ip : 64;
	unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_USE_ITC | MHD_USE_TURBO |
			 MHD_USE_NO_LISTEN_SOCKET;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	s->daemon = MHD_start_daemon(
		flags, 0, NULL, NULL, on_access, s, MHD_OPTION_EXTERNAL_LOGGER, on_library_log, s,
		MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_LIMIT, max_conn,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, max_ip, MHD_OPTION_CONNECTION_TIMEOUT,
		(unsigned)(s->idle_ms / 1000), MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_MEMORY_LIMIT,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
		MHD_OPTION_URI_LOG_CALLBACK, on_uri, s, MHD_OPTION_END);
	if (!s->daemon) {
		int err_no = errno;
		accept_stop(s);
		server_free(s);
		return err_set(e, 500, "listen_failed", "listen", "cannot listen on %s: %s",
			       cfg->listen ? cfg->listen : "127.0.0.1:8080", strerror(err_no));
	}
	struct sockaddr_storage bound;
	socklen_t blen = sizeof(bound);
	if (getsockname(s->listen_fd, (struct sockaddr *)&bound, &blen) == 0)
		s->port = ntohs(bound.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&bound)->sin6_port
							    : ((struct sockaddr_in *)&bound)->sin_port);
	if (pthread_create(&s->acceptor, NULL, accept_main, s)) {
		MHD_stop_daemon(s->daemon);
		accept_stop(s);
		server_free(s);
		return err_set(e, 500, "listen_failed", "listen", "cannot start the accepting thread");
	}
	s->acceptor_started = 1;
	if (pthread_create(&s->reaper, NULL, reaper_main, s) == 0)
		s->reaper_started = 1;
	else
		log_warn("http_deadline reaper thread could not start: no header deadline");
	log_info("http_listen address=%s port=%d threads=%u routes=%zu", cfg->listen ? cfg->listen : "-",
		 s->port, threads, cfg->nroutes);
	*out = s;
	return 0;
}

int http_server_port(const struct http_server *s)
{
	return s->port;
}

#define STOP_GRACE_MS 30000

void http_server_stop(struct http_server *s)
{
	if (!s)
		return;
	accept_stop(s); /* no new connection from here on */
	int64_t until = clock_mono_ms() + STOP_GRACE_MS;
	while (atomic_load(&s->inflight) > 0 && clock_mono_ms() < until) {
		struct timespec ts = {0, 5 * 1000000};
		nanosleep(&ts, NULL);
	}
	if (atomic_load(&s->inflight) > 0)
		log_warn("http_stop requests still running after %d ms: closing them", STOP_GRACE_MS);
	MHD_stop_daemon(s->daemon);
	if (s->reaper_started) {
		pthread_mutex_lock(&s->conns_lock);
		s->stopping = 1;
		pthread_cond_signal(&s->reaper_wake);
		pthread_mutex_unlock(&s->conns_lock);
		pthread_join(s->reaper, NULL);
	}
	log_info("http_stopped port=%d", s->port);
	server_free(s);
}

char *http_metrics_text(struct http_server *s)
{
	return metrics_text(s->metrics);
}
