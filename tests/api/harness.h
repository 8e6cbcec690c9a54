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
	json_t *json;  /* parsed body when it is JSON, else NULL */
	char *headers; /* raw response headers */
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
/* http_call with a body of len bytes sent as they are (NUL bytes allowed), for file uploads:
 * no Content-Type is added, the headers give it; a 60 s timeout for large files. */
void http_call_raw(struct harness *h, const char *method, const char *path, const void *body, size_t len,
		   const char *const *headers, struct reply *out);
/* The value of a response header (case-insensitive name), copied into out; NULL if absent. */
const char *reply_header(const struct reply *r, const char *name, char *out, size_t cap);
void reply_free(struct reply *r);

/* A business user's session as a browser holds it. */
struct session {
	char cookie[200]; /* "Cookie: creneau_session=..." header line */
	char csrf[200];	  /* "X-CSRF-Token: ..." header line */
	char slug[64];
	char account_id[32];
	char user_id[32];
};

/* Signs up a business (POST /api/v1/signup) from its own client address and fills *s from
 * the answer; plan/type may be NULL (optimum, hair_salon). Fails the test unless 201. */
void harness_signup(struct harness *h, const char *business_name, const char *email, const char *plan,
		    struct session *s);
/* An address no other run uses ("<who><n>-<pid>-<store>@example.fr": the maildir is shared by
 * runs), in one of eight static buffers used in turn. */
const char *harness_addr(const char *who);
/* harness_signup of `name` at harness_addr("owner"), then its demo rows removed, so lists hold
 * only what the test creates. */
void harness_business(struct harness *h, const char *name, struct session *s);
/* Fills *s from a reply that set the session cookie and carries me_json (log-in, sign-up). */
void session_from_reply(const struct reply *r, struct session *s);
/* http_call with the session's cookie and CSRF headers (s may be NULL). */
void session_call(struct harness *h, const struct session *s, const char *method, const char *path,
		  const char *body, struct reply *out);
/* session_call that fails the test unless the answer has `status`, printing the call and the
 * answer first. The caller frees *out. */
void session_expect(struct harness *h, const struct session *s, const char *method, const char *path,
		    const char *body, long status, struct reply *out);
/* Logs `email` in again with the password harness_signup gives (from a fresh client address)
 * and fills *s; fails the test unless 200. For sessions the test clock has let expire. */
void harness_relogin(struct harness *h, const char *email, struct session *s);
/* POST /api/v1/test/clock {"<key>": "<instant>"}: key "set" or "advance_to" (which runs the
 * jobs falling due on the way), instant in RFC 3339. Fails the test unless 200. */
void test_clock(const char *key, const char *instant);
/* Advances the test clock by `seconds`, running the jobs falling due on the way. */
void test_clock_advance_s(long seconds);
/* POST /api/v1/test/account-state: puts the account of `slug` in `state`, with `reason` when
 * not NULL. Fails the test unless 200. */
void test_account_state(const char *slug, const char *state, const char *reason);
/* A fresh documentation address (203.0.113.x / 198.51.100.x) for X-Forwarded-For, so tests
 * do not share one client's rate limits. Returns a "X-Forwarded-For: ..." header line. */
const char *harness_next_ip_header(void);
/* The JSON string at a path of keys ("account", "state"), or NULL. */
const char *json_path_str(const json_t *j, const char *k1, const char *k2);

/* Finds the mail to `to` in the test SMTP server's maildir (waiting for the in-process worker
 * to send it), decodes it and copies the token of its "/<page>?token=" link into token. */
void mail_link_token(const char *to, const char *page, char token[64]);

/* Every message to `to` in the test SMTP server's maildir, in arrival order, as the Python
 * reader `script` decodes them (tests/api/mail_read.py, or mail_attachments.py for the
 * attachments): a JSON list. Polls every 100 ms, `attempts` times at most, until there are at
 * least `want`. The caller json_decref's it. */
json_t *maildir_messages(const char *script, const char *to, size_t want, int attempts);
/* 0 when the SMTP peer is there (CRENEAU_TEST_SMTP and CRENEAU_TEST_MAILDIR set); else says
 * so on stderr and returns 1, for main() to return: a missing peer is a failure. */
int harness_need_smtp(void);
/* How many messages to `to` in the maildir hold `marker` in their text (quoted-printable
 * decoded), waiting up to 1.5 s for the first. */
int maildir_count(const char *to, const char *marker);

/* Asserts the API.md error shape with this status and code. */
void assert_error(const struct reply *r, long status, const char *code);

#endif
