/* Branding over HTTP (owners, Optimum or a trial of Optimum — the route table says so):
 * GET/PUT /api/v1/theme (colours and texts, answered with their WCAG contrast figures) and
 * PUT/DELETE /api/v1/theme/logo (a PNG, JPEG or WebP of at most 1 MB, checked by its bytes).
 * The rules are in src/schedule/theme.h; docs/internals/public.md. */
#include <stdio.h>
#include <string.h>

#include "app/api.h"
#include "app/api_handlers.h"
#include "base/clock.h"
#include "base/xalloc.h"
#include "db/files.h"
#include "schedule/theme.h"
#include "base/banned.h"

/* {"theme": {primary, accent, logo_url, texts, updated_at}, "stored": bool, "contrast": {...}} */
static void answer(struct http_req *req, struct http_resp *resp, const struct theme *t, int stored)
{
	const struct account *a = api_account(req);
	char url[160];
	if (t->logo_file_id[0])
		snprintf(url, sizeof(url), "/api/v1/public/%s/logo?v=%.12s", a->slug, t->logo_file_id);
	json_t *theme = theme_to_json(t, t->logo_file_id[0] ? url : NULL);
	json_object_set_new(theme, "updated_at",
			    t->updated_at ? json_string(api_time(req, a, t->updated_at)) : json_null());
	http_resp_json(resp, 200,
		       json_pack("{s:o, s:b, s:o}", "theme", theme, "stored", stored, "contrast",
				 theme_contrast_json(t)));
}

struct theme_op {
	int64_t account_id;
	struct theme *t;
	const json_t *body;	 /* PUT /theme */
	const char *data, *type; /* PUT /theme/logo; data NULL = delete */
	size_t len;
	int stored;
};

static int load(db_conn *c, struct theme_op *op, struct err *e)
{
	int found = theme_get(c, op->account_id, op->t, e);
	if (found < 0)
		return -1;
	op->stored = found;
	return 0;
}

int handle_theme_get(struct http_req *req, struct http_resp *resp, struct err *e)
{
	struct theme_op op = {.account_id = api_account(req)->id};
	op.t = arena_alloc(http_req_arena(req), sizeof(*op.t));
	db_conn *c;
	if (db_acquire(api_app(req)->db, &c, e))
		return -1;
	int rc = load(c, &op, e);
	db_release(c);
	if (rc)
		return -1;
	answer(req, resp, op.t, op.stored);
	return 0;
}

static int put_theme(db_conn *c, void *ctx, struct err *e)
{
	struct theme_op *op = ctx;
	if (load(c, op, e) || theme_from_json(op->body, op->t, e))
		return -1;
	op->t->updated_at = clock_now();
	op->stored = 1;
	return theme_put(c, op->account_id, op->t, op->t->updated_at, e);
}

int handle_theme_put(struct http_req *req, struct http_resp *resp, struct err *e)
{
	json_t *body = http_req_json(req, e);
	if (!body)
		return -1;
	/* validate before touching the store, so bad input changes nothing */
	struct theme *check = arena_alloc(http_req_arena(req), sizeof(*check));
	theme_defaults(check);
	if (theme_from_json(body, check, e))
		return -1;
	struct theme_op op = {.account_id = api_account(req)->id, .body = body};
	op.t = arena_alloc(http_req_arena(req), sizeof(*op.t));
	if (api_transact(req, put_theme, &op, e))
		return -1;
	answer(req, resp, op.t, 1);
	return 0;
}

static int set_logo(db_conn *c, void *ctx, struct err *e)
{
	struct theme_op *op = ctx;
	int64_t now = clock_now();
	char id[FILES_ID_LEN + 1] = "", old[33];
	if (op->data) {
		const char *name = !strcmp(op->type, "image/png")    ? "logo.png"
				   : !strcmp(op->type, "image/jpeg") ? "logo.jpg"
								     : "logo.webp";
		if (files_put(c, op->account_id, name, op->type, op->data, op->len, now, id, e))
			return -1;
	}
	if (theme_set_logo(c, op->account_id, op->data ? id : NULL, op->type, now, old, e))
		return -1;
	if (old[0] && files_delete(c, op->account_id, old, e) && e->status != 404)
		return -1;
	return load(c, op, e);
}

static int has_type(const char *header, const char *type)
{
	size_t n = strlen(type);
	return header && !strncasecmp(header, type, n) &&
	       (header[n] == '\0' || header[n] == ';' || header[n] == ' ');
}

int handle_theme_logo_put(struct http_req *req, struct http_resp *resp, struct err *e)
{
	size_t len;
	const char *data = http_req_body(req, &len);
	if (len > THEME_LOGO_MAX)
		return err_set(e, 400, "file_too_large", NULL, "a logo is at most 1 MB");
	const char *declared = http_req_header(req, "Content-Type");
	if (!has_type(declared, "image/png") && !has_type(declared, "image/jpeg") &&
	    !has_type(declared, "image/webp"))
		return err_set(e, 400, "invalid_image", NULL, "a logo is a PNG, JPEG or WebP image");
	/* the bytes decide, not the header: a JPEG sent as image/png is stored as a JPEG */
	const char *type = theme_image_type(data, len);
	if (!type)
		return err_set(e, 400, "invalid_image", NULL, "the file is not a PNG, JPEG or WebP image");
	struct theme_op op = {.account_id = api_account(req)->id, .data = data, .len = len, .type = type};
	op.t = arena_alloc(http_req_arena(req), sizeof(*op.t));
	if (api_transact(req, set_logo, &op, e))
		return -1;
	answer(req, resp, op.t, op.stored);
	return 0;
}

int handle_theme_logo_delete(struct http_req *req, struct http_resp *resp, struct err *e)
{
	struct theme_op op = {.account_id = api_account(req)->id};
	op.t = arena_alloc(http_req_arena(req), sizeof(*op.t));
	if (api_transact(req, set_logo, &op, e))
		return -1;
	answer(req, resp, op.t, op.stored);
	return 0;
}
