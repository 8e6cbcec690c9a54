/* Operations endpoints: liveness, readiness (the store answers), Prometheus metrics. */
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "app/api_handlers.h"
#include "app/routes.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/counters.h"
#include "jobs/jobs.h"
#include "base/banned.h"

int handle_livez(struct http_req *req, struct http_resp *resp, struct err *e)
{
	(void)req;
	(void)e;
	http_resp_json(resp, 200, json_pack("{s:s}", "status", "ok"));
	return 0;
}

static int store_answers(db *d)
{
	struct err e = {0};
	db_conn *c;
	int64_t one = 0;
	if (db_acquire(d, &c, &e))
		return 0;
	int rc = db_query_int(c, "SELECT 1", DB_NOARGS, &one, &e);
	db_release(c);
	return rc == 1 && one == 1;
}

int handle_healthz(struct http_req *req, struct http_resp *resp, struct err *e)
{
	struct app *app = http_req_app(req);
	long long now = clock_mono_ms();
	if (now - app->health_checked_ms >= 1000) {
		app->health_ok = store_answers(app->db);
		app->health_checked_ms = now;
	}
	if (!app->health_ok) {
		err_set(e, 503, "store_unavailable", NULL, "the store does not answer");
		e->retry_after = 1;
		return -1;
	}
	http_resp_json(resp, 200, json_pack("{s:s, s:s}", "status", "ok", "store", db_kind_name(app->db)));
	return 0;
}

/* Appends a malloc'd text and frees it; -1 when over the buffer's cap. */
static int append_owned(struct buf *b, char *text)
{
	int rc = text ? buf_appends(b, text) : 0;
	free(text);
	return rc;
}

int handle_metrics(struct http_req *req, struct http_resp *resp, struct err *e)
{
	struct app *app = http_req_app(req);
	struct buf b = BUF_INIT(4 << 20);
	struct db_pool_stats ps;
	db_pool_stats(app->db, &ps);
	/* the message series exist from the start, so a rate() over them works at once */
	counter_add("creneau_messages_total", "channel=\"email\",result=\"sent\"", 0);
	counter_add("creneau_messages_total", "channel=\"email\",result=\"failed\"", 0);
	counter_add("creneau_messages_total", "channel=\"sms\",result=\"sent\"", 0);
	counter_add("creneau_messages_total", "channel=\"sms\",result=\"failed\"", 0);
	if (append_owned(&b, http_metrics_text(http_req_server(req))) ||
	    buf_appendf(&b,
			"# HELP creneau_store_pool_connections Store connections by use.\n"
			"# TYPE creneau_store_pool_connections gauge\n"
			"creneau_store_pool_connections{state=\"in_use\"} %d\n"
			"creneau_store_pool_connections{state=\"idle\"} %d\n"
			"# HELP creneau_store_pool_waiting Requests waiting for a store connection.\n"
			"# TYPE creneau_store_pool_waiting gauge\n"
			"creneau_store_pool_waiting %d\n"
			"# HELP creneau_store_pool_timeouts_total Waits for a connection that gave up.\n"
			"# TYPE creneau_store_pool_timeouts_total counter\n"
			"creneau_store_pool_timeouts_total %llu\n"
			"# HELP creneau_store_pool_waits_total Acquires that found no free connection and "
			"waited.\n"
			"# TYPE creneau_store_pool_waits_total counter\n"
			"creneau_store_pool_waits_total %llu\n"
			"# HELP creneau_store_pool_wait_seconds_total Time spent waiting for a store "
			"connection.\n"
			"# TYPE creneau_store_pool_wait_seconds_total counter\n"
			"creneau_store_pool_wait_seconds_total %.6f\n",
			ps.in_use, ps.size - ps.in_use, ps.waiting, (unsigned long long)ps.timeouts,
			(unsigned long long)ps.waits, (double)ps.wait_ns / 1e9) ||
	    append_owned(&b, jobs_metrics_text(app->db)) || append_owned(&b, counters_text())) {
		buf_release(&b);
		return err_internal(e, "metrics text over its cap");
	}
	http_resp_body(resp, 200, "text/plain; version=0.0.4; charset=utf-8", b.data, b.len);
	buf_release(&b);
	return 0;
}
