/* reminders — placeholder until the reminder scanner lands: nothing is planned. */
#include "notify/reminders.h"

#include "base/banned.h"

int reminders_schedule(db_conn *c, int64_t account_id, int64_t appointment_id, int64_t now, struct err *e)
{
	(void)c;
	(void)account_id;
	(void)appointment_id;
	(void)now;
	(void)e;
	return 0;
}
