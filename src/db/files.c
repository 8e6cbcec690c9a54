/* files.c — files in the store, in chunks (files.h). */
#include "db/files.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "base/banned.h"

static int put_rows(db_conn *c, int64_t account_id, const char *id, const char *name,
		    const char *content_type, const unsigned char *data, size_t len, int64_t now,
		    const char *sha, struct err *e)
{
	int rc = db_exec(c,
			 "INSERT INTO files (account_id, id, name, content_type, size, sha256,"
			 " created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
			 DB_ARGS(DB_INT(account_id), DB_TEXT(id), DB_TEXT(name), DB_TEXT(content_type),
				 DB_INT(len), DB_TEXT(sha), DB_INT(now)),
			 e);
	for (size_t off = 0, seq = 0; rc >= 0 && off < len; off += FILES_CHUNK, seq++) {
		size_t n = len - off < FILES_CHUNK ? len - off : FILES_CHUNK;
		rc = db_exec(c,
			     "INSERT INTO file_chunks (account_id, file_id, seq, data)"
			     " VALUES ($1, $2, $3, $4)",
			     DB_ARGS(DB_INT(account_id), DB_TEXT(id), DB_INT(seq), DB_BLOB(data + off, n)),
			     e);
	}
	return rc < 0 ? rc : 0;
}

int files_put(db_conn *c, int64_t account_id, const char *name, const char *content_type, const void *data,
	      size_t len, int64_t now, char id_out[FILES_ID_LEN + 1], struct err *e)
{
	id_out[0] = 0;
	if (len > FILES_MAX_SIZE)
		return err_set(e, 413, "file_too_large", "file", "the file is larger than %zu bytes",
			       FILES_MAX_SIZE);
	if (!name || !*name || strnlen(name, FILES_NAME_MAX + 1) > FILES_NAME_MAX)
		return err_invalid(e, "name", "a file name has 1 to %d bytes", FILES_NAME_MAX);
	if (!content_type || !*content_type || strnlen(content_type, FILES_TYPE_MAX + 1) > FILES_TYPE_MAX)
		return err_invalid(e, "content_type", "a content type has 1 to %d bytes", FILES_TYPE_MAX);
	if (len > 0 && !data)
		return err_internal(e, "files_put: no data");

	unsigned char raw[FILES_ID_LEN / 2], hash[crypto_hash_sha256_BYTES];
	char id[FILES_ID_LEN + 1], sha[65];
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(id, sizeof(id), raw, sizeof(raw));
	crypto_hash_sha256(hash, data ? data : (const void *)"", len);
	sodium_bin2hex(sha, sizeof(sha), hash, sizeof(hash));

	int own = !db_in_transaction(c);
	int rc = own ? db_begin(c, e) : 0;
	if (rc < 0)
		return rc;
	rc = put_rows(c, account_id, id, name, content_type, data, len, now, sha, e);
	if (own) {
		if (rc < 0)
			db_rollback(c);
		else
			rc = db_commit(c, e);
	}
	if (rc < 0)
		return rc;
	memcpy(id_out, id, sizeof(id));
	return 0;
}

static int read_info(db_conn *c, int64_t account_id, const char *id, struct file_info *info, struct err *e)
{
	db_rows *r;
	int rc = db_query(c,
			  "SELECT name, content_type, size, sha256, created_at FROM files"
			  " WHERE account_id = $1 AND id = $2",
			  DB_ARGS(DB_INT(account_id), DB_TEXT(id)), &r, e);
	if (rc < 0)
		return rc;
	rc = db_rows_next(r, e);
	if (rc == 1) {
		snprintf(info->id, sizeof(info->id), "%s", id);
		snprintf(info->name, sizeof(info->name), "%s", db_rows_text(r, 0));
		snprintf(info->content_type, sizeof(info->content_type), "%s", db_rows_text(r, 1));
		info->size = db_rows_int(r, 2);
		snprintf(info->sha256, sizeof(info->sha256), "%s", db_rows_text(r, 3));
		info->created_at = db_rows_int(r, 4);
	}
	db_rows_free(r);
	if (rc == 0)
		return err_set(e, 404, "not_found", NULL, "no such file");
	return rc < 0 ? rc : 0;
}

int files_get(db_conn *c, int64_t account_id, const char *id, size_t max_size, struct buf *out,
	      struct file_info *info, struct err *e)
{
	struct file_info local;
	if (!info)
		info = &local;
	int rc = read_info(c, account_id, id, info, e);
	if (rc < 0)
		return rc;
	if (info->size < 0 || (uint64_t)info->size > max_size)
		return err_set(e, 413, "file_too_large", NULL, "the file is larger than %zu bytes", max_size);
	db_rows *r;
	rc = db_query(c,
		      "SELECT seq, data FROM file_chunks WHERE account_id = $1 AND file_id = $2"
		      " ORDER BY seq",
		      DB_ARGS(DB_INT(account_id), DB_TEXT(id)), &r, e);
	if (rc < 0)
		return rc;
	size_t start = out->len, total = 0;
	int64_t expect = 0;
	crypto_hash_sha256_state st;
	crypto_hash_sha256_init(&st);
	while ((rc = db_rows_next(r, e)) == 1) {
		size_t n;
		const void *p = db_rows_blob(r, 1, &n);
		if (db_rows_int(r, 0) != expect++ || total + n > (size_t)info->size) {
			rc = err_internal(e, "file %s is damaged in the store", id);
			break;
		}
		if (buf_append(out, p, n) < 0) {
			rc = err_set(e, 413, "file_too_large", NULL, "the file does not fit");
			break;
		}
		crypto_hash_sha256_update(&st, p, n);
		total += n;
	}
	db_rows_free(r);
	unsigned char hash[crypto_hash_sha256_BYTES];
	char sha[65];
	crypto_hash_sha256_final(&st, hash);
	sodium_bin2hex(sha, sizeof(sha), hash, sizeof(hash));
	if (rc == 0 && (total != (size_t)info->size || strcmp(sha, info->sha256)))
		rc = err_internal(e, "file %s is damaged in the store", id);
	if (rc < 0) {
		out->len = start;
		if (out->data)
			out->data[start] = 0;
		return rc;
	}
	return 0;
}

int files_delete(db_conn *c, int64_t account_id, const char *id, struct err *e)
{
	int rc = db_exec(c, "DELETE FROM files WHERE account_id = $1 AND id = $2",
			 DB_ARGS(DB_INT(account_id), DB_TEXT(id)), e);
	if (rc == 0)
		return err_set(e, 404, "not_found", NULL, "no such file");
	return rc < 0 ? rc : 0;
}
