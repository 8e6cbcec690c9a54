/* Each finalised invoice and credit note is e-mailed to the billing e-mail with its PDF
 * attached (named after its number) and the link to the account area kept: the attachment, as
 * the SMTP server received it and Python's email package decodes it, is byte for byte the PDF
 * that GET /api/v1/invoices/{id}.pdf serves. The purge of the account keeps those files. */
#include <setjmp.h>
#include <sodium.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "life_util.h"

/* Every message to `to` as tests/api/mail_attachments.py reads them; waits up to 5 s for at
 * least `want` messages. The caller json_decref's the list. */
static json_t *mails(const char *to, size_t want)
{
	return maildir_messages("tests/api/mail_attachments.py", to, want, 50);
}

/* The message whose attachment is named `file`, or NULL. */
static json_t *mail_with(json_t *list, const char *file)
{
	size_t i, k;
	json_t *m, *a;
	json_array_foreach(list, i, m)
	{
		json_array_foreach(json_object_get(m, "attachments"), k, a)
		{
			const char *name = json_string_value(json_object_get(a, "name"));
			if (name && !strcmp(name, file))
				return m;
		}
	}
	return NULL;
}

/* The document's PDF as served, as SHA-256 hex. */
static void served_pdf_sha256(const struct session *s, const char *doc_id, char hex[65], size_t *size)
{
	char path[160];
	snprintf(path, sizeof(path), "/api/v1/invoices/%s.pdf", doc_id);
	struct reply r;
	session_call(&H, s, "GET", path, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_true(r.len > 1000);
	assert_memory_equal(r.body, "%PDF-", 5);
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)r.body, r.len);
	sodium_bin2hex(hex, 65, h, sizeof(h));
	*size = r.len;
	reply_free(&r);
}

static void invoices_and_credit_notes_arrive_with_their_pdf(void **state)
{
	(void)state;
	test_clock("set", "2027-06-10T10:00:00+02:00");
	struct session s;
	char email[128], name[96], billing[160];
	unique_names("pdfjoint", email, name);
	/* not holding the owner's address: the invoices keep theirs after the purge */
	snprintf(billing, sizeof(billing), "compta-%s-%d@facturation.example", harness_store_kind(),
		 (int)getpid());
	harness_signup(&H, name, email, "optimum", &s);
	put_identity(&s, billing);
	json_decref(pro_then_essentiel(&s));
	struct reply r;

	session_call(&H, &s, "GET", "/api/v1/invoices?limit=100", NULL, &r);
	assert_int_equal(r.status, 200);
	json_t *docs = json_incref(json_object_get(r.json, "invoices"));
	reply_free(&r);
	assert_int_equal(json_array_size(docs), 2);

	json_t *list = mails(billing, 2);
	assert_int_equal(json_array_size(list), 2);
	size_t i;
	json_t *d;
	int seen_invoice = 0, seen_credit_note = 0;
	json_array_foreach(docs, i, d)
	{
		const char *number = json_string_value(json_object_get(d, "number"));
		const char *type = json_string_value(json_object_get(d, "type"));
		char file[64];
		snprintf(file, sizeof(file), "%s.pdf", number);
		json_t *m = mail_with(list, file);
		if (!m)
			fail_msg("no e-mail to %s with %s attached", billing, file);
		json_t *atts = json_object_get(m, "attachments");
		assert_int_equal(json_array_size(atts), 1);
		json_t *a = json_array_get(atts, 0);
		assert_string_equal(json_string_value(json_object_get(a, "type")), "application/pdf");
		char hex[65];
		size_t size;
		served_pdf_sha256(&s, json_string_value(json_object_get(d, "id")), hex, &size);
		assert_int_equal(json_integer_value(json_object_get(a, "size")), (json_int_t)size);
		assert_string_equal(json_string_value(json_object_get(a, "sha256")), hex);
		const char *text = json_string_value(json_object_get(m, "text"));
		assert_non_null(text);
		assert_non_null(strstr(text, number));
		assert_non_null(strstr(text, "/office/account/#invoices")); /* the link is kept */
		assert_non_null(strstr(text, "joint"));
		if (!strcmp(type, "invoice")) {
			seen_invoice = 1;
			assert_true(!strncmp(number, "F-2027-", 7));
			assert_non_null(strstr(json_string_value(json_object_get(m, "subject")), number));
		} else {
			seen_credit_note = 1;
			assert_true(!strncmp(number, "AV-2027-", 8));
		}
	}
	assert_true(seen_invoice && seen_credit_note);
	json_decref(list);

	/* the account goes; the purge keeps the documents and their PDFs, unchanged */
	char hexes[2][65];
	size_t sizes[2];
	for (i = 0; i < 2; i++)
		served_pdf_sha256(&s, json_string_value(json_object_get(json_array_get(docs, i), "id")),
				  hexes[i], &sizes[i]);
	session_call(&H, &s, "POST", "/api/v1/account/deletion",
		     "{\"password\": \"Tres-Bon-Mot-2027\", \"confirmation\": \"SUPPRIMER\"}", &r);
	assert_int_equal(r.status, 202);
	reply_free(&r);
	test_clock("advance_to", "2027-06-12T10:00:00+02:00");
	assert_purged(s.account_id, name, email, s.slug);
	db *store;
	struct err e = {0};
	assert_int_equal(db_open(H.store_url, NULL, &store, &e), 0);
	db_conn *c;
	assert_int_equal(db_acquire(store, &c, &e), 0);
	for (i = 0; i < 2; i++) {
		int64_t kept = 0;
		assert_int_equal(
			db_query_int(c,
				     "SELECT count(*) FROM invoices i JOIN files f ON f.id = i.pdf_file_id"
				     " AND f.account_id = i.account_id WHERE i.public_id = $1"
				     " AND i.pdf_sha256 = $2 AND f.size = $3",
				     DB_ARGS(DB_TEXT(json_string_value(
						     json_object_get(json_array_get(docs, i), "id"))),
					     DB_TEXT(hexes[i]), DB_INT((int64_t)sizes[i])),
				     &kept, &e),
			1);
		assert_int_equal(kept, 1);
	}
	db_release(c);
	db_close(store);
	json_decref(docs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(invoices_and_credit_notes_arrive_with_their_pdf),
	};
	return cmocka_run_group_tests_name("api/invoice-mail", tests, harness_setup, harness_teardown);
}
