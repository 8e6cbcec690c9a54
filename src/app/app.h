/* app — the product assembled: configuration, store, HTTP server, job workers. main.c and
 * the API tests both start the product through app_start, so tests run exactly what ships.
 * The app owns everything it starts; app_stop stops and frees it in reverse order. */
#ifndef CRENEAU_APP_H
#define CRENEAU_APP_H

#include "app/config.h"
#include "base/err.h"
#include "db/db.h"

struct http_server;
struct jobs_worker;
struct ratelimit;

struct app {
	const struct config *cfg; /* borrowed: outlives the app */
	db *db;
	struct http_server *http;
	struct jobs_worker *worker;
	struct ratelimit *rl; /* per-IP and per-account request counters */
	/* /healthz asks the store at most once a second; the last answer is kept here. */
	_Atomic long long health_checked_ms;
	_Atomic int health_ok;
};

/* Registers what the modules contribute at start: job kinds, demo tables and demo fillers.
 * app_start does it; commands that work on the store without serving (creneau demo) call it. */
void app_register_modules(void);

/* Opens the store named by cfg and applies pending migrations. */
int app_open_store(const struct config *cfg, db **out, struct err *e) WUR;
/* Opens the store, configures mail and the clock, registers job kinds, starts the job
 * workers (unless cfg->no_worker) and the HTTP server. */
int app_start(const struct config *cfg, struct app **out, struct err *e) WUR;
/* Runs job workers only (creneau worker) until app_stop. */
int app_start_worker(const struct config *cfg, struct app **out, struct err *e) WUR;
int app_port(const struct app *a);
/* Stops the HTTP server (in-flight requests finish), then the workers, then closes the store. */
void app_stop(struct app *a);

#endif
