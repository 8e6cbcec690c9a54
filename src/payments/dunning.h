/* dunning — what happens to an invoice that is not paid: reminders at due + 7 and + 21 local
 * days, read-only with reason `unpaid` at due + 30 (account_set_unpaid), and the way back when
 * it is paid (account_set_unpaid(…, 0, …) once nothing else of the account is overdue). Each
 * step is a job "payments.dunning" on the shared clock, re-checked when it runs: a paid or
 * collecting invoice makes it do nothing. */
#ifndef CRENEAU_DUNNING_H
#define CRENEAU_DUNNING_H
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"

#define DUNNING_KIND "payments.dunning"

/* Enqueues the three steps of an invoice issued at issued_at (its due date is 15 local days
 * later). When `now` is past some steps (a debit rejected late), the latest step passed runs
 * at once instead, and the ones still ahead at their time. Caller's transaction. */
int dunning_schedule(db_conn *c, int64_t account_id, int64_t invoice_id, int64_t issued_at, int64_t now,
		     struct err *e) WUR;
/* Marks the invoice paid (by: "sepa_dd" | "transfer" | "manual") with a note, and restores
 * its account from read-only `unpaid` when no other invoice of it is past due + 30. 0 when
 * it was paid now, 1 when it was already paid (nothing changes). */
int dunning_paid(db_conn *c, int64_t invoice_id, const char *by, const char *note, int64_t now,
		 struct err *e) WUR;
/* The job function of DUNNING_KIND (registered by payments_register). */
void dunning_register(void);

#endif
