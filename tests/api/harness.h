/* harness — what every API test stands on: the real product started in-process through
 * app_start on 127.0.0.1 port 0, on a fresh store of the kind named by CRENEAU_TEST_STORE
 * ("sqlite", the default, or "pg" with CRENEAU_TEST_PG_URL), and a libcurl client that
 * keeps cookies like a browser. Tests assert what a user of the API would check. */
#ifndef CRENEAU_TEST_HARNESS_H
#define CRENEAU_TEST_HARNESS_H
#include <jansson.h>
#include <stddef.h>

#include "app/app.h"
#include "app/config.h"
#include "support/testdb.h"

struct harness {
	struct config cfg;
	struct app *app;
	char base_url[64];
	struct testdb store;
	const char *store_url; /* = store.url */
};

struct reply {
	long status;
	char *body;
	size_t len;
	json_t *json;   /* parsed body when it is JSON, else NULL */
	char *headers;  /* raw response headers */
};

/* Starts the product on a fresh store; `tweak` (may be NULL) adjusts the config first. Test
 * mode is on unless tweak turns it off. Aborts the test on failure. */
void harness_start(struct harness *h, void (*tweak)(struct config *cfg));
void harness_stop(struct harness *h);
/* The harness most test programs share, and cmocka group fixtures that start it with the
 * default configuration and stop it. */
extern struct harness H;
int harness_setup(void **state);
int harness_teardown(void **state);

/* "sqlite" or "pg". */
const char *harness_store_kind(void);

/* One HTTP call. body may be NULL; headers is a NULL-terminated list of "Name: value" or NULL.
 * The reply is always filled (status 0 when the connection failed). */
void http_call(struct harness *h, const char *method, const char *path, const char *body,
	       const char *const *headers, struct reply *out);
/* The value of a response header (case-insensitive name), copied into out; NULL if absent. */
const char *reply_header(const struct reply *r, const char *name, char *out, size_t cap);
void reply_free(struct reply *r);

/* Asserts the API.md error shape with this status and code. */
void assert_error(const struct reply *r, long status, const char *code);

#endif
