/* server_int.h — the layouts of the server, its connections, requests and responses,
 * shared by server.c, request.c and response.c only. */
#ifndef CRENEAU_HTTP_SERVER_INT_H
#define CRENEAU_HTTP_SERVER_INT_H
#include <arpa/inet.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>

#include "base/buf.h"
#include "http/http_int.h"

struct http_server {
	struct http_config cfg;
	struct MHD_Daemon *daemon;
	struct router *router;
	struct static_files *statics;
	struct metrics *metrics;
	char **trusted; /* normalised addresses of the trusted proxies */
	size_t ntrusted;
	int port;
	int64_t header_deadline_ms, idle_ms;
	atomic_int inflight; /* requests whose headers arrived and that are not complete */
	/* connections, for the header deadline */
	pthread_mutex_t conns_lock;
	pthread_cond_t reaper_wake;
	struct conn *conns;
	int stopping;
	pthread_t reaper;
	int reaper_started;
	/* the listening socket and the thread that accepts on it (server.c: accept_main) */
	int listen_fd, accept_wake[2];
	pthread_t acceptor;
	int acceptor_started;
};

/* One TCP connection (MHD's socket context). */
struct conn {
	struct conn *prev, *next; /* in http_server.conns, under conns_lock */
	int fd;
	int cut;		  /* shut down by the reaper */
	atomic_llong deadline_ms; /* monotonic ms by which the request headers must be in; 0 = none */
	unsigned nreq;
	char peer[INET6_ADDRSTRLEN];
	struct http_req *req; /* the request being read or answered, owned */
};

struct resp_header {
	struct resp_header *next;
	const char *name, *value;
};

struct http_resp {
	struct http_req *req;
	int answered;
	int status;
	const char *content_type;
	const char *body;
	size_t len;
	int has_fd, fd; /* has_fd: the body is the file fd (len bytes), sent from disk */
	struct resp_header *headers;
};

struct http_req {
	struct http_server *srv;
	struct conn *conn;
	struct MHD_Connection *mc;
	struct arena *arena;
	char id[17];
	const char *method;
	enum http_method m;
	const char *raw_path; /* as sent, NUL-terminated */
	size_t raw_path_len;
	const char *raw_query; /* after '?', or NULL */
	size_t raw_query_len;
	const char *client_ip;
	struct router_match match;
	const struct http_route *route;
	size_t slot; /* metrics slot */
	const struct static_file *sf;
	struct http_kv *query;
	int nquery;
	struct http_kv *cookies;
	int ncookies, cookies_parsed;
	struct buf body;
	size_t body_limit;
	int body_too_large;
	size_t body_discarded;
	json_t *json;
	const char *account_id;
	void *user_data;
	int64_t start_ns;
	int headers_done;
	int status; /* what was queued; 0 until then */
	struct http_resp resp;
};

/* response.c: queues r->resp on the connection; returns MHD's verdict. */
enum MHD_Result http_resp_send(struct http_req *r);
/* response.c: fills r->resp with the error and queues it. */
enum MHD_Result http_resp_send_error(struct http_req *r, int status, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
