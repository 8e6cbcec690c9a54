/* fault.c — fault injection for tests: the k-th statement from arming fails, as if the
 * store had refused it (SQLite's test_malloc.c faultsim, for statements). */
#include "db/db_int.h"

#include "base/log.h"
#include "base/banned.h"

void db_fault_fail_nth(db *d, long k)
{
	atomic_store(&d->fault_counted, 0);
	atomic_store(&d->fault_k, k < 0 ? 0 : k);
}

long db_fault_counted(const db *d)
{
	return atomic_load(&((db *)d)->fault_counted);
}

int db_fault_hit(db *d, struct err *e)
{
	long n = atomic_fetch_add(&d->fault_counted, 1) + 1;
	long k = atomic_load(&d->fault_k);
	if (k <= 0 || n != k)
		return 0;
	log_info("db: injected fault at statement %ld", n);
	db_fail(e, DB_ERROR, "store error (injected fault)");
	return 1;
}
