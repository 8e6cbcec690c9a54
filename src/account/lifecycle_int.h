/* lifecycle_int.h — what lifecycle.c shares with the rest of the account module (deletion.c)
 * and nobody else. */
#ifndef CRENEAU_LIFECYCLE_INT_H
#define CRENEAU_LIFECYCLE_INT_H
#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"

/* E-mails every active owner of the account the message `kind` (a template name) with `vars`
 * (consumed), through the outbox in the caller's transaction, once per (kind, version). */
int lifecycle_mail_owners(db_conn *c, int64_t account_id, const char *kind, int64_t version, json_t *vars,
			  struct err *e) WUR;

#endif
