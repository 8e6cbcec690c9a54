/* The public face of a business: GET /api/v1/public/{slug} (what the booking page shows:
 * the business, its bookable services and staff, its rules and, on Optimum, its theme),
 * GET /api/v1/public/{slug}/logo, and the HTML pages /b/{slug}, /widget/b/{slug} and
 * /m/{token}, served from web/ with 404 and 410 pages for unknown and deleted businesses.
 * Nothing private is selected: no e-mail, no note, no client. docs/internals/public.md. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account/deletion.h"
#include "app/api.h"
#include "app/api_handlers.h"
#include "base/xalloc.h"
#include "db/files.h"
#include "schedule/theme.h"
#include "base/banned.h"

enum { PUBLIC_ROWS_MAX = 5000 }; /* services + staff + links + questions of one business */

/* What the first query reads: the account, its rules and its theme's colours. */
struct pub {
	struct account a;
	char phone[64], address[256], website[256];
	int64_t min_notice_s, horizon_s, cancel_cutoff_s;
	int has_theme;
	struct theme *theme; /* from the arena */
};

/* Finds the business of the slug with its theme (one query). 404 not_found, 410
 * account_deleted. */
static int pub_load(struct http_req *req, db_conn *c, const char *slug, struct pub *p, struct err *e)
{
	memset(p, 0, sizeof(*p));
	if (!slug || strlen(slug) >= sizeof(p->a.slug))
		return err_set(e, 404, "not_found", NULL, "no such business");
	db_rows *r;
	if (db_query(c,
		     "SELECT a.id, a.name, a.plan, a.state, COALESCE(a.trial_ends_at, 0), a.time_zone, "
		     "a.locale,"
		     " a.phone, a.address, a.website, a.min_notice_s, a.horizon_s, a.cancel_cutoff_s,"
		     " t.primary_color, t.accent_color, COALESCE(t.logo_file_id, ''), COALESCE(t.logo_type, "
		     "''),"
		     " t.texts, COALESCE(t.updated_at, 0)"
		     " FROM accounts a LEFT JOIN themes t ON t.account_id = a.id WHERE a.slug = $1",
		     DB_ARGS(DB_TEXT(slug)), &r, e))
		return -1;
	int found = db_rows_next(r, e);
	if (found == 1) {
		struct account *a = &p->a;
		a->id = db_rows_int(r, 0);
		snprintf(a->name, sizeof(a->name), "%s", db_rows_text(r, 1));
		const struct plan *pl = plan_by_code(db_rows_text(r, 2));
		a->plan = pl ? pl->id : PLAN_ESSENTIEL;
		int st = account_state_parse(db_rows_text(r, 3));
		a->state = st < 0 ? ACCOUNT_DELETED : (enum account_state)st;
		a->trial_ends_at = db_rows_int(r, 4);
		snprintf(a->time_zone, sizeof(a->time_zone), "%s", db_rows_text(r, 5));
		snprintf(a->locale, sizeof(a->locale), "%s", db_rows_text(r, 6));
		snprintf(a->slug, sizeof(a->slug), "%s", slug);
		snprintf(p->phone, sizeof(p->phone), "%s", db_rows_text(r, 7));
		snprintf(p->address, sizeof(p->address), "%s", db_rows_text(r, 8));
		snprintf(p->website, sizeof(p->website), "%s", db_rows_text(r, 9));
		p->min_notice_s = db_rows_int(r, 10);
		p->horizon_s = db_rows_int(r, 11);
		p->cancel_cutoff_s = db_rows_int(r, 12);
		struct err none = {0};
		if (!db_rows_is_null(r, 13) && !may(a, FEAT_BRANDING, &none)) {
			struct theme *t = arena_alloc(http_req_arena(req), sizeof(*t));
			theme_defaults(t);
			snprintf(t->primary, sizeof(t->primary), "%s", db_rows_text(r, 13));
			snprintf(t->accent, sizeof(t->accent), "%s", db_rows_text(r, 14));
			snprintf(t->logo_file_id, sizeof(t->logo_file_id), "%s", db_rows_text(r, 15));
			snprintf(t->logo_type, sizeof(t->logo_type), "%s", db_rows_text(r, 16));
			json_t *texts = json_loads(db_rows_text(r, 17), 0, NULL);
			for (int l = 0; l < THEME_LANG_COUNT; l++)
				for (int k = 0; k < THEME_TEXT_COUNT; k++) {
					const char *v = json_string_value(
						json_object_get(json_object_get(texts, theme_lang_keys[l]),
								theme_text_keys[k]));
					snprintf(t->texts[l][k], sizeof(t->texts[l][k]), "%s", v ? v : "");
				}
			json_decref(texts);
			t->updated_at = db_rows_int(r, 18);
			p->theme = t;
			p->has_theme = 1;
		}
	}
	db_rows_free(r);
	if (found < 0)
		return -1;
	return deletion_public_slug(c, slug, found ? &p->a : NULL, e);
}

static json_t *find_by_id(json_t *arr, const char *id)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
	{
		if (!strcmp(json_string_value(json_object_get(v, "id")), id))
			return v;
	}
	return NULL;
}

/* The services (with their questions and staff) and the staff of the business, in one
 * statement: one row per staff member, service, link and question, told apart by k. */
static int catalogue(db_conn *c, int64_t account_id, json_t *services, json_t *staff, struct err *e)
{
	db_rows *r;
	if (db_query(c,
		     "SELECT 0 AS k, position AS pos, id AS rid, public_id AS t1, name AS t2, color AS t3, "
		     "'' AS t4,"
		     " '' AS t5, 0 AS i1, 0 AS i2, 0 AS i3 FROM staff"
		     " WHERE account_id = $1 AND active = 1 AND bookable = 1"
		     " UNION ALL SELECT 1, position, id, public_id, name, description, category, currency,"
		     " duration_min, price_cents, capacity FROM services WHERE account_id = $1 AND active = 1"
		     " UNION ALL SELECT 2, 0, st.id, sv.public_id, st.public_id, '', '', '', 0, 0, 0"
		     " FROM service_staff ss"
		     " JOIN services sv ON sv.account_id = ss.account_id AND sv.id = ss.service_id"
		     " JOIN staff st ON st.account_id = ss.account_id AND st.id = ss.staff_id"
		     " WHERE ss.account_id = $1 AND sv.active = 1 AND st.active = 1 AND st.bookable = 1"
		     " UNION ALL SELECT 3, q.position, q.id, sv.public_id, q.public_id, q.label, q.kind, "
		     "q.choices,"
		     " q.required, 0, 0 FROM service_questions q"
		     " JOIN services sv ON sv.account_id = q.account_id AND sv.id = q.service_id"
		     " WHERE q.account_id = $1 AND sv.active = 1"
		     " ORDER BY 1, 2, 3 LIMIT 5000",
		     DB_ARGS(DB_INT(account_id)), &r, e))
		return -1;
	int rc, n = 0;
	while ((rc = db_rows_next(r, e)) == 1 && n++ < PUBLIC_ROWS_MAX) {
		int64_t k = db_rows_int(r, 0);
		const char *t1 = db_rows_text(r, 3), *t2 = db_rows_text(r, 4), *t3 = db_rows_text(r, 5);
		const char *t4 = db_rows_text(r, 6), *t5 = db_rows_text(r, 7);
		if (k == 0) {
			json_array_append_new(
				staff, json_pack("{s:s, s:s, s:s}", "id", t1, "name", t2, "color", t3));
		} else if (k == 1) {
			json_array_append_new(
				services,
				json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:s, s:I, s:[], s:[]}", "id", t1,
					  "name", t2, "description", t3, "category", t4, "duration_min",
					  (json_int_t)db_rows_int(r, 8), "price_cents",
					  (json_int_t)db_rows_int(r, 9), "currency", t5, "capacity",
					  (json_int_t)db_rows_int(r, 10), "questions", "staff"));
		} else {
			json_t *sv = find_by_id(services, t1);
			if (!sv)
				continue;
			if (k == 2) {
				json_array_append_new(json_object_get(sv, "staff"), json_string(t2));
			} else {
				json_t *choices = json_loads(t5, 0, NULL);
				if (!json_is_array(choices)) {
					json_decref(choices);
					choices = json_array();
				}
				json_array_append_new(json_object_get(sv, "questions"),
						      json_pack("{s:s, s:s, s:s, s:o, s:b}", "id", t2,
								"label", t3, "kind", t4, "choices", choices,
								"required", (int)db_rows_int(r, 8)));
			}
		}
	}
	db_rows_free(r);
	if (rc < 0)
		return -1;
	/* a service nobody can give is not offered */
	for (size_t i = json_array_size(services); i-- > 0;)
		if (!json_array_size(json_object_get(json_array_get(services, i), "staff")))
			json_array_remove(services, i);
	return 0;
}

static const char *logo_url(struct http_req *req, const struct pub *p)
{
	if (!p->has_theme || !p->theme->logo_file_id[0])
		return NULL;
	size_t cap = 64 + strlen(p->a.slug);
	char *s = arena_alloc(http_req_arena(req), cap);
	snprintf(s, cap, "/api/v1/public/%s/logo?v=%.12s", p->a.slug, p->theme->logo_file_id);
	return s;
}

static int etag_matches(struct http_req *req, const char *etag)
{
	const char *inm = http_req_header(req, "If-None-Match");
	return inm && (strstr(inm, etag) || !strcmp(inm, "*"));
}

int handle_public_info(struct http_req *req, struct http_resp *resp, struct err *e)
{
	db_conn *c;
	struct pub p;
	if (db_acquire(api_app(req)->db, &c, e))
		return -1;
	json_t *services = json_array(), *staff = json_array();
	int rc = pub_load(req, c, http_req_param(req, "slug"), &p, e);
	if (!rc)
		rc = catalogue(c, p.a.id, services, staff, e);
	db_release(c);
	if (rc) {
		json_decref(services);
		json_decref(staff);
		return -1;
	}
	struct err why = {0};
	int open = !may(&p.a, FEAT_PUBLIC_BOOKING, &why);
	const char *reason = open			      ? NULL
			     : p.a.state == ACCOUNT_FROZEN    ? "frozen"
			     : p.a.state == ACCOUNT_READ_ONLY ? "read_only"
							      : "closed";
	json_t *out = json_pack(
		"{s:{s:s, s:s, s:s, s:s, s:s, s:s, s:s}, s:b, s:o, s:o, s:o, s:{s:I, s:I, s:I}, s:o}",
		"business", "name", p.a.name, "slug", p.a.slug, "time_zone", p.a.time_zone, "locale",
		p.a.locale, "phone", p.phone, "address", p.address, "website", p.website, "bookings_open",
		open, "closed_reason", reason ? json_string(reason) : json_null(), "services", services,
		"staff", staff, "rules", "min_notice_s", (json_int_t)p.min_notice_s, "horizon_s",
		(json_int_t)p.horizon_s, "cancel_cutoff_s", (json_int_t)p.cancel_cutoff_s, "theme",
		p.has_theme ? theme_to_json(p.theme, logo_url(req, &p)) : json_null());
	if (!out)
		return err_internal(e, "could not build the public page's JSON");
	char *body = json_dumps(out, JSON_COMPACT);
	json_decref(out);
	if (!body)
		return err_internal(e, "could not write the public page's JSON");
	size_t len = strlen(body);
	unsigned char h[16];
	crypto_generichash(h, sizeof(h), (const unsigned char *)body, len, NULL, 0);
	char hex[33], etag[40];
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	snprintf(etag, sizeof(etag), "\"%s\"", hex);
	http_resp_header(resp, "ETag", etag);
	http_resp_header(resp, "Cache-Control", "no-cache");
	if (etag_matches(req, etag))
		http_resp_body(resp, 304, NULL, "", 0);
	else
		http_resp_body(resp, 200, "application/json; charset=utf-8", body, len);
	free(body);
	return 0;
}

int handle_public_logo(struct http_req *req, struct http_resp *resp, struct err *e)
{
	db_conn *c;
	struct pub p;
	if (db_acquire(api_app(req)->db, &c, e))
		return -1;
	int rc = pub_load(req, c, http_req_param(req, "slug"), &p, e);
	if (!rc && (!p.has_theme || !p.theme->logo_file_id[0]))
		rc = err_set(e, 404, "not_found", NULL, "this business shows no logo");
	if (rc) {
		db_release(c);
		return -1;
	}
	char etag[40];
	snprintf(etag, sizeof(etag), "\"%s\"", p.theme->logo_file_id); /* a new logo is a new file */
	http_resp_header(resp, "ETag", etag);
	http_resp_header(resp, "Cache-Control", "public, max-age=3600");
	if (etag_matches(req, etag)) {
		db_release(c);
		http_resp_body(resp, 304, NULL, "", 0);
		return 0;
	}
	struct buf b;
	struct file_info info;
	buf_init(&b, THEME_LOGO_MAX);
	rc = files_get(c, p.a.id, p.theme->logo_file_id, THEME_LOGO_MAX, &b, &info, e);
	db_release(c);
	if (!rc) {
		const char *type = arena_strdup(http_req_arena(req), info.content_type);
		http_resp_body(resp, 200, type, buf_str(&b), b.len);
	}
	buf_release(&b);
	return rc ? -1 : 0;
}

/* ---- the HTML pages ---- */

/* Serves page for the slug's business, or the 404 / 410 page. */
static int serve_business_page(struct http_req *req, struct http_resp *resp, const char *page, struct err *e)
{
	db_conn *c;
	struct pub p;
	if (db_acquire(api_app(req)->db, &c, e))
		return -1;
	struct err why = {0};
	int rc = pub_load(req, c, http_req_param(req, "slug"), &p, &why);
	db_release(c);
	if (rc && why.status != 404 && why.status != 410) {
		*e = why;
		return -1;
	}
	const char *file = !rc ? page : why.status == 410 ? "/b/410.html" : "/b/404.html";
	if (http_resp_static(req, resp, rc ? why.status : 200, file) == 0)
		return 0;
	if (rc) {
		*e = why;
		return -1;
	}
	return err_set(e, 404, "not_found", NULL, "the page %s is not installed", page);
}

int handle_page_booking(struct http_req *req, struct http_resp *resp, struct err *e)
{
	return serve_business_page(req, resp, "/b/index.html", e);
}

/* The widget's framed page is the booking page itself: its script sees the /widget/ path and
 * switches to framed mode (no footer, height reported to the embedding page). */
int handle_page_widget(struct http_req *req, struct http_resp *resp, struct err *e)
{
	return serve_business_page(req, resp, "/b/index.html", e);
}

/* The manage page is the same file for every token: its script asks the manage API. */
int handle_page_manage(struct http_req *req, struct http_resp *resp, struct err *e)
{
	if (http_resp_static(req, resp, 200, "/manage/index.html") == 0)
		return 0;
	return err_set(e, 404, "not_found", NULL, "the manage page is not installed");
}
