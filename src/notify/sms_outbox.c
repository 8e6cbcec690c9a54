/* sms_outbox — writing SMS to the outbox. Placeholder until the SMS transport lands: every
 * call fails, so no caller can believe an SMS was queued. */
#include "notify/notify.h"

#include "base/banned.h"

int outbox_sms(db_conn *c, const struct outbox_sms *m, struct err *e)
{
	(void)c;
	(void)m;
	return err_internal(e, "SMS are not built yet");
}
