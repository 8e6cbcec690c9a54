/* api_hooks — callbacks of the platform's gateways. GET /hooks/sms/dlr is Kannel's delivery
 * report: ?id=<outbox id>&status=<Kannel status>&sig=<hex HMAC-SHA256 of the id>. The
 * signature is checked before anything is read from the store. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/api.h"
#include "app/api_handlers.h"
#include "app/routes.h"
#include "base/log.h"
#include "notify/sms.h"
#include "base/banned.h"

/* A positive decimal integer of at most 18 digits, or -1. */
static int64_t decimal(const char *s)
{
	if (!s || !*s || strlen(s) > 18)
		return -1;
	for (const char *p = s; *p; p++)
		if (*p < '0' || *p > '9')
			return -1;
	errno = 0;
	long long v = strtoll(s, NULL, 10);
	return errno ? -1 : (int64_t)v;
}

int handle_sms_dlr(struct http_req *req, struct http_resp *resp, struct err *e)
{
	const char *ids = http_req_query(req, "id"), *sts = http_req_query(req, "status"),
		   *sig = http_req_query(req, "sig");
	if (!ids || !*ids)
		return err_invalid(e, "id", "id is required");
	if (!sts || !*sts)
		return err_invalid(e, "status", "status is required");
	if (!sig || !*sig)
		return err_invalid(e, "sig", "sig is required");
	int64_t id = decimal(ids), status = decimal(sts);
	if (id <= 0)
		return err_invalid(e, "id", "id must be a positive integer");
	if (!sms_dlr_signature_ok(id, sig)) {
		/* only failures count against the caller: Kannel's reports are never throttled */
		char key[96];
		snprintf(key, sizeof(key), "sms-dlr:%s", http_req_client_ip(req));
		if (route_rate_check(req, RATE_PUBLIC, key, e))
			return -1;
		log_warn("event=sms_dlr_bad_signature outbox_id=%" PRId64 " ip=%s", id,
			 http_req_client_ip(req));
		return err_set(e, 403, "forbidden", "sig", "bad signature");
	}
	if (status < 0 || status > 255)
		return err_invalid(e, "status", "status must be a Kannel delivery-report status");
	int rc = sms_dlr_record(api_app(req)->db, id, (int)status, e);
	if (rc < 0)
		return -1;
	log_info("event=sms_dlr outbox_id=%" PRId64 " status=%" PRId64 " stored=%d", id, status, rc);
	http_resp_json(resp, 200, json_pack("{s:b}", "stored", rc));
	return 0;
}
