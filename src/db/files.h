/* files — files kept in the store (logos, attachments, export archives, invoice PDFs), in
 * chunks of FILES_CHUNK bytes, never on a server's disk, so every server sees them. Rows are
 * tenant-owned: every call takes the account id and touches only that account's files. */
#ifndef CRENEAU_DB_FILES_H
#define CRENEAU_DB_FILES_H
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "db/db.h"

enum {
	FILES_CHUNK = 256 * 1024,
	FILES_ID_LEN = 32,    /* hex characters of an id */
	FILES_NAME_MAX = 255, /* bytes of a name */
	FILES_TYPE_MAX = 127, /* bytes of a content type */
};
#define FILES_MAX_SIZE ((size_t)64 * 1024 * 1024) /* largest file accepted by files_put */

struct file_info {
	char id[FILES_ID_LEN + 1];
	char name[FILES_NAME_MAX + 1];
	char content_type[FILES_TYPE_MAX + 1];
	char sha256[65]; /* hex */
	int64_t size;
	int64_t created_at;
};

/* Stores data[0..len) as a new file of account_id and writes its new id (NUL-terminated) to
 * id_out. Runs in the caller's transaction when one is open, else in its own. 413
 * file_too_large over FILES_MAX_SIZE; 400 for a name or type too long or empty. */
int files_put(db_conn *c, int64_t account_id, const char *name, const char *content_type, const void *data,
	      size_t len, int64_t now, char id_out[FILES_ID_LEN + 1], struct err *e) WUR;
/* Reads the file into out (appended; out's own cap applies too) and, when info is not NULL,
 * its metadata. 404 not_found when account_id has no such file; 413 file_too_large when it
 * is bigger than max_size; 500 when the stored chunks do not match its size or SHA-256. */
int files_get(db_conn *c, int64_t account_id, const char *id, size_t max_size, struct buf *out,
	      struct file_info *info, struct err *e) WUR;
/* Deletes the file and its chunks. 404 not_found when there is none. */
int files_delete(db_conn *c, int64_t account_id, const char *id, struct err *e) WUR;

#endif
