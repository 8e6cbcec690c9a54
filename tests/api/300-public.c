/* The public face of a business: GET /api/v1/public/{slug} shows what the booking page needs
 * and nothing private (no owner or staff e-mail, no client), answers 404 for an unknown
 * slug, 410 for a deleted account, and says bookings are closed for a frozen one; the page
 * routes /b/, /widget/b/ and /m/ serve HTML, 404 and 410 pages, and only the widget may be
 * framed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"
#include "sched_fixture.h"

static struct biz B;
static char owner_email[128];
static char ana[24], hidden_staff[24], svc[24], svc_nobody[24], svc_off[24], qpid[24];

static void signup(struct biz *b, const char *name, const char *email, const char *plan)
{
	harness_signup(&H, name, email, plan, &b->s);
	b->id = fx_int("SELECT id FROM accounts WHERE slug = $1", DB_ARGS(DB_TEXT(b->s.slug)));
	assert_true(b->id > 0);
}

static int setup(void **state)
{
	harness_setup(state);
	snprintf(owner_email, sizeof(owner_email), "proprio-%d-%s@public.example", (int)getpid(),
		 harness_store_kind());
	signup(&B, "Salon Vitrine", owner_email, NULL);
	int64_t ana_id = fx_staff(&B, "Ana Coiffe", ana);
	fx_exec("UPDATE staff SET email = 'ana.privee@staff.example', phone = '+33 6 11 22 33 44', color = "
		"'#aa3355'"
		" WHERE public_id = $1",
		DB_ARGS(DB_TEXT(ana)));
	int64_t hid = fx_staff(&B, "Hugo Absent", hidden_staff);
	fx_exec("UPDATE staff SET active = 0 WHERE id = $1", DB_ARGS(DB_INT(hid)));
	int64_t s = fx_service(&B, 45, 0, 0, 1, svc);
	fx_exec("UPDATE services SET name = 'Coupe vitrine', description = 'Shampooing compris', category = "
		"'Coupes',"
		" price_cents = 3500 WHERE id = $1",
		DB_ARGS(DB_INT(s)));
	fx_provides(&B, s, ana_id);
	fx_service(&B, 30, 0, 0, 1, svc_nobody); /* nobody gives it: not offered */
	int64_t off = fx_service(&B, 30, 0, 0, 1, svc_off);
	fx_provides(&B, off, ana_id);
	fx_exec("UPDATE services SET active = 0 WHERE id = $1", DB_ARGS(DB_INT(off)));
	public_id_new("qst", qpid);
	fx_exec("INSERT INTO service_questions (account_id, service_id, public_id, label, kind, choices, "
		"required)"
		" VALUES ($1, $2, $3, 'Longueur ?', 'choice', '[\"courts\", \"longs\"]', 1)",
		DB_ARGS(DB_INT(B.id), DB_INT(s), DB_TEXT(qpid)));
	struct reply r;
	session_call(&H, &B.s, "POST", "/api/v1/clients",
		     "{\"first_name\": \"Philomène\", \"last_name\": \"Secrète\", \"email\": "
		     "\"philo@client.example\"}",
		     &r);
	assert_int_equal(r.status, 201);
	reply_free(&r);
	return 0;
}

static json_t *by_id(const json_t *arr, const char *id)
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

static void get_public(const char *slug, const char *const *headers, struct reply *r)
{
	char path[160];
	snprintf(path, sizeof(path), "/api/v1/public/%s", slug);
	http_call(&H, "GET", path, NULL, headers, r);
}

static void set_state(const char *slug, const char *st)
{
	char body[160];
	struct reply r;
	snprintf(body, sizeof(body), "{\"slug\": \"%s\", \"state\": \"%s\"}", slug, st);
	http_call(&H, "POST", "/api/v1/test/account-state", body, NULL, &r);
	assert_int_equal(r.status, 200);
	reply_free(&r);
}

static void the_page_shows_services_and_staff_and_nothing_private(void **state)
{
	(void)state;
	struct reply r;
	get_public(B.s.slug, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_path_str(r.json, "business", "name"), "Salon Vitrine");
	assert_string_equal(json_path_str(r.json, "business", "slug"), B.s.slug);
	assert_non_null(json_path_str(r.json, "business", "time_zone"));
	assert_true(json_is_true(json_object_get(r.json, "bookings_open")));
	assert_true(json_is_null(json_object_get(r.json, "closed_reason")));
	assert_true(json_is_null(json_object_get(r.json, "theme"))); /* none stored yet */
	json_t *rules = json_object_get(r.json, "rules");
	assert_true(json_is_integer(json_object_get(rules, "min_notice_s")));
	assert_true(json_is_integer(json_object_get(rules, "cancel_cutoff_s")));

	json_t *services = json_object_get(r.json, "services");
	json_t *s = by_id(services, svc);
	assert_non_null(s);
	assert_string_equal(json_string_value(json_object_get(s, "name")), "Coupe vitrine");
	assert_string_equal(json_string_value(json_object_get(s, "category")), "Coupes");
	assert_int_equal(json_integer_value(json_object_get(s, "duration_min")), 45);
	assert_int_equal(json_integer_value(json_object_get(s, "price_cents")), 3500);
	assert_string_equal(json_string_value(json_object_get(s, "currency")), "EUR");
	json_t *staff_ids = json_object_get(s, "staff");
	assert_int_equal(json_array_size(staff_ids), 1);
	assert_string_equal(json_string_value(json_array_get(staff_ids, 0)), ana);
	json_t *q = json_array_get(json_object_get(s, "questions"), 0);
	assert_string_equal(json_string_value(json_object_get(q, "id")), qpid);
	assert_string_equal(json_string_value(json_object_get(q, "kind")), "choice");
	assert_int_equal(json_array_size(json_object_get(q, "choices")), 2);
	assert_true(json_is_true(json_object_get(q, "required")));
	assert_null(by_id(services, svc_nobody)); /* nobody gives it */
	assert_null(by_id(services, svc_off));	  /* inactive */

	json_t *staff = json_object_get(r.json, "staff");
	json_t *a = by_id(staff, ana);
	assert_non_null(a);
	assert_string_equal(json_string_value(json_object_get(a, "name")), "Ana Coiffe");
	assert_string_equal(json_string_value(json_object_get(a, "color")), "#aa3355");
	assert_int_equal(json_object_size(a), 3); /* id, name, color: nothing else */
	assert_null(by_id(staff, hidden_staff));
	/* the demo business is browsable: its demo services are offered too */
	assert_true(json_array_size(services) > 1);

	const char *private[] = {owner_email, "ana.privee@staff.example", "+33 6 11 22 33 44", "Philomène",
				 "Secrète",   "philo@client.example",	  "\"email\"",	       "\"notes\"",
				 NULL};
	for (int i = 0; private[i]; i++)
		if (strstr(r.body, private[i])) {
			fprintf(stderr, "the public page shows %s: %s\n", private[i], r.body);
			fail();
		}

	/* cacheable: the same answer is a 304 for a browser that has it */
	char etag[80], cc[80], line[120];
	assert_non_null(reply_header(&r, "ETag", etag, sizeof(etag)));
	assert_non_null(reply_header(&r, "Cache-Control", cc, sizeof(cc)));
	reply_free(&r);
	snprintf(line, sizeof(line), "If-None-Match: %s", etag);
	const char *h[] = {line, NULL};
	get_public(B.s.slug, h, &r);
	assert_int_equal(r.status, 304);
	assert_int_equal(r.len, 0);
	reply_free(&r);
}

static void unknown_deleted_and_frozen(void **state)
{
	(void)state;
	struct reply r;
	get_public("personne-ici", NULL, &r);
	assert_error(&r, 404, "not_found");
	reply_free(&r);

	struct biz f, d;
	char email[128];
	snprintf(email, sizeof(email), "gel-%d-%s@public.example", (int)getpid(), harness_store_kind());
	signup(&f, "Salon Gele", email, NULL);
	set_state(f.s.slug, "frozen");
	get_public(f.s.slug, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_true(json_is_false(json_object_get(r.json, "bookings_open")));
	assert_string_equal(json_string_value(json_object_get(r.json, "closed_reason")), "frozen");
	reply_free(&r);
	set_state(f.s.slug, "read_only");
	get_public(f.s.slug, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "closed_reason")), "read_only");
	reply_free(&r);

	snprintf(email, sizeof(email), "parti-%d-%s@public.example", (int)getpid(), harness_store_kind());
	signup(&d, "Salon Parti", email, NULL);
	set_state(d.s.slug, "deleted");
	get_public(d.s.slug, NULL, &r);
	assert_error(&r, 410, "account_deleted");
	reply_free(&r);

	/* the pages */
	char path[160], v[400];
	snprintf(path, sizeof(path), "/b/%s", d.s.slug);
	http_call(&H, "GET", path, NULL, NULL, &r);
	assert_int_equal(r.status, 410);
	assert_non_null(strstr(reply_header(&r, "Content-Type", v, sizeof(v)), "text/html"));
	assert_non_null(strstr(r.body, "no longer takes bookings"));
	reply_free(&r);
	snprintf(path, sizeof(path), "/widget/b/%s", d.s.slug);
	http_call(&H, "GET", path, NULL, NULL, &r);
	assert_int_equal(r.status, 410);
	reply_free(&r);
	http_call(&H, "GET", "/b/personne-ici", NULL, NULL, &r);
	assert_int_equal(r.status, 404);
	assert_non_null(strstr(reply_header(&r, "Content-Type", v, sizeof(v)), "text/html"));
	assert_non_null(strstr(r.body, "Page introuvable"));
	reply_free(&r);
	/* a frozen business's page is served: it says bookings are closed */
	snprintf(path, sizeof(path), "/b/%s", f.s.slug);
	http_call(&H, "GET", path, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	reply_free(&r);
}

static void only_the_widget_may_be_framed(void **state)
{
	(void)state;
	struct reply r;
	char path[160], v[400];
	snprintf(path, sizeof(path), "/b/%s", B.s.slug);
	http_call(&H, "GET", path, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(reply_header(&r, "Content-Type", v, sizeof(v)), "text/html"));
	assert_string_equal(reply_header(&r, "X-Frame-Options", v, sizeof(v)), "DENY");
	assert_non_null(
		strstr(reply_header(&r, "Content-Security-Policy", v, sizeof(v)), "frame-ancestors 'none'"));
	char etag[80], line[120];
	assert_non_null(reply_header(&r, "ETag", etag, sizeof(etag)));
	reply_free(&r);
	snprintf(line, sizeof(line), "If-None-Match: %s", etag);
	const char *h[] = {line, NULL};
	http_call(&H, "GET", path, NULL, h, &r);
	assert_int_equal(r.status, 304);
	reply_free(&r);
	/* the same gzipped bytes as the static path */
	const char *gz[] = {"Accept-Encoding: gzip", NULL};
	http_call(&H, "GET", path, NULL, gz, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(reply_header(&r, "Content-Encoding", v, sizeof(v)), "gzip");
	assert_true(r.len > 2 && (unsigned char)r.body[0] == 0x1f && (unsigned char)r.body[1] == 0x8b);
	reply_free(&r);

	snprintf(path, sizeof(path), "/widget/b/%s", B.s.slug);
	http_call(&H, "GET", path, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(reply_header(&r, "Content-Type", v, sizeof(v)), "text/html"));
	assert_null(reply_header(&r, "X-Frame-Options", v, sizeof(v)));
	assert_non_null(reply_header(&r, "Content-Security-Policy", v, sizeof(v)));
	assert_null(strstr(v, "frame-ancestors 'none'"));
	reply_free(&r);

	http_call(&H, "GET", "/m/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(reply_header(&r, "Content-Type", v, sizeof(v)), "text/html"));
	assert_string_equal(reply_header(&r, "X-Frame-Options", v, sizeof(v)), "DENY");
	reply_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_page_shows_services_and_staff_and_nothing_private),
		cmocka_unit_test(unknown_deleted_and_frozen),
		cmocka_unit_test(only_the_widget_may_be_framed),
	};
	return cmocka_run_group_tests(tests, setup, harness_teardown);
}
