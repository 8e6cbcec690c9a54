/* Imports over HTTP (owners): POST /api/v1/imports?kind=clients|appointments (the file as
 * the raw body, with its Content-Type and Content-Disposition) → the preview, the proposed
 * mapping and the per-row report; PATCH /api/v1/imports/{id} (a new mapping → a new report);
 * GET /api/v1/imports/{id} (state and progress); POST /api/v1/imports/{id}/commit. The work is
 * in src/data/import.h; docs/internals/data.md. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "app/api.h"
#include "app/api_handlers.h"
#include "base/clock.h"
#include "data/import.h"
#include "base/banned.h"

/* The file name of a Content-Disposition header (filename="…"), or NULL. */
static const char *file_name(struct http_req *req)
{
	const char *cd = http_req_header(req, "Content-Disposition");
	const char *p = cd ? strstr(cd, "filename=") : NULL;
	if (!p)
		return NULL;
	p += 9;
	int quoted = *p == '"';
	p += quoted;
	size_t n = strcspn(p, quoted ? "\"" : ";");
	if (n > IMPORT_NAME_MAX)
		n = IMPORT_NAME_MAX;
	return arena_strndup(http_req_arena(req), p, n);
}

static const char *import_id(struct http_req *req)
{
	return http_req_param(req, "id");
}

int handle_imports_create(struct http_req *req, struct http_resp *resp, struct err *e)
{
	const char *kind = http_req_query(req, "kind");
	if (kind && strcmp(kind, "clients") && strcmp(kind, "appointments"))
		return err_invalid(e, "kind", "kind is clients (CSV or vCard) or appointments (CSV)");
	const char *type = http_req_header(req, "Content-Type");
	if (type && !strncasecmp(type, "application/json", 16))
		return err_set(e, 415, "unsupported_media_type", NULL,
			       "send the file itself as the body (text/csv or text/vcard), not JSON");
	struct import_upload up = {
		.account_id = api_account(req)->id,
		.user_id = api_principal(req)->user_id,
		.appointments = kind && !strcmp(kind, "appointments"),
		.file_name = file_name(req),
		.content_type = type,
		.now = clock_now(),
	};
	up.data = http_req_body(req, &up.len);
	json_t *out;
	if (import_create(api_app(req)->db, &up, &out, e))
		return -1;
	char loc[96];
	snprintf(loc, sizeof(loc), "/api/v1/imports/%s", json_string_value(json_object_get(out, "id")));
	http_resp_header(resp, "Location", loc);
	http_resp_json(resp, 201, out);
	return 0;
}

int handle_imports_get(struct http_req *req, struct http_resp *resp, struct err *e)
{
	json_t *out;
	if (import_get(api_app(req)->db, api_account(req)->id, import_id(req), &out, e))
		return -1;
	http_resp_json(resp, 200, out);
	return 0;
}

int handle_imports_patch(struct http_req *req, struct http_resp *resp, struct err *e)
{
	json_t *body = http_req_json(req, e);
	if (!body)
		return -1;
	static const char *const allowed[] = {"mapping", NULL};
	if (api_only_fields(body, allowed, e))
		return -1;
	/* a missing mapping is refused after the lookup: another account's id is a 404 first */
	const json_t *mapping = json_object_get(body, "mapping");
	json_t *out;
	if (import_remap(api_app(req)->db, api_account(req)->id, import_id(req), mapping, clock_now(), &out,
			 e))
		return -1;
	http_resp_json(resp, 200, out);
	return 0;
}

int handle_imports_commit(struct http_req *req, struct http_resp *resp, struct err *e)
{
	json_t *out;
	if (import_commit(api_app(req)->db, api_account(req)->id, import_id(req), clock_now(), &out, e))
		return -1;
	http_resp_json(resp, 200, out);
	return 0;
}
