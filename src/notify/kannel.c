/* kannel — one call of Kannel's sendsms HTTP interface with libcurl, and the configuration
 * of the SMS transport (sms.h). */
#include <curl/curl.h>
#include <inttypes.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "jobs/jobs.h"
#include "notify/sms.h"
#include "notify/sms_int.h"
#include "base/banned.h"

#define ANSWER_MAX 4096 /* bytes of Kannel's answer kept */
#define URL_MAX	   (16 * 1024)

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct sms_settings current;

static char *dup_or_empty(const char *s)
{
	return xstrdup(s ? s : "");
}

static void settings_clear(struct sms_settings *s)
{
	free(s->sendsms_url);
	free(s->user);
	free(s->password);
	free(s->public_url);
	if (s->dlr_secret)
		sodium_memzero(s->dlr_secret, strlen(s->dlr_secret));
	free(s->dlr_secret);
	memset(s, 0, sizeof(*s));
}

void sms_configure(const struct sms_config *cfg)
{
	struct sms_settings n = {0};
	n.sendsms_url = dup_or_empty(cfg->sendsms_url);
	n.user = dup_or_empty(cfg->user);
	n.password = dup_or_empty(cfg->password);
	n.public_url = dup_or_empty(cfg->public_url);
	size_t pl = strlen(n.public_url);
	while (pl && n.public_url[pl - 1] == '/')
		n.public_url[--pl] = '\0';
	if (cfg->dlr_secret && *cfg->dlr_secret) {
		n.dlr_secret = xstrdup(cfg->dlr_secret);
	} else {
		/* reports of SMS sent by another process will not verify: set --sms-dlr-secret */
		unsigned char r[32];
		randombytes_buf(r, sizeof(r));
		n.dlr_secret = xmalloc(sizeof(r) * 2 + 1);
		sodium_bin2hex(n.dlr_secret, sizeof(r) * 2 + 1, r, sizeof(r));
		if (*n.sendsms_url)
			log_warn("msg=\"no SMS delivery-report secret configured: a random one is used\"");
	}
	n.timeout_s = cfg->timeout_s > 0 ? cfg->timeout_s : SMS_TIMEOUT_DEFAULT_S;
	pthread_mutex_lock(&lock);
	settings_clear(&current);
	current = n;
	pthread_mutex_unlock(&lock);
	jobs_register(SMS_SEND_KIND, sms_send_job, SMS_SEND_LEASE_S);
}

struct sms_settings *sms_settings_get(void)
{
	struct sms_settings *s = xcalloc(1, sizeof(*s));
	pthread_mutex_lock(&lock);
	s->sendsms_url = dup_or_empty(current.sendsms_url);
	s->user = dup_or_empty(current.user);
	s->password = dup_or_empty(current.password);
	s->public_url = dup_or_empty(current.public_url);
	s->dlr_secret = dup_or_empty(current.dlr_secret);
	s->timeout_s = current.timeout_s ? current.timeout_s : SMS_TIMEOUT_DEFAULT_S;
	pthread_mutex_unlock(&lock);
	return s;
}

void sms_settings_free(struct sms_settings *s)
{
	if (!s)
		return;
	settings_clear(s);
	free(s);
}

static void sign_with(const char *secret, int64_t id, char out[SMS_SIG_HEX_SIZE])
{
	char msg[24];
	int n = snprintf(msg, sizeof(msg), "%" PRId64, id);
	crypto_auth_hmacsha256_state st;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)msg, (unsigned long long)n);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2hex(out, SMS_SIG_HEX_SIZE, mac, sizeof(mac));
}

void sms_dlr_sign(int64_t outbox_id, char out[SMS_SIG_HEX_SIZE])
{
	struct sms_settings *s = sms_settings_get();
	sign_with(s->dlr_secret, outbox_id, out);
	sms_settings_free(s);
}

int sms_dlr_signature_ok(int64_t outbox_id, const char *sig)
{
	if (!sig || strlen(sig) != SMS_SIG_HEX_SIZE - 1)
		return 0;
	char want[SMS_SIG_HEX_SIZE];
	sms_dlr_sign(outbox_id, want);
	/* lower-case hex as signed; the comparison takes the same time wherever they differ */
	return sodium_memcmp(want, sig, SMS_SIG_HEX_SIZE - 1) == 0;
}

static size_t keep_answer(char *p, size_t size, size_t n, void *ctx)
{
	struct buf *b = ctx;
	size_t len = size * n, room = b->cap - b->len;
	int full = buf_append(b, p, len < room ? len : room); /* the rest is dropped */
	(void)full;
	return len;
}

/* Appends name=escaped(value)& to url. */
static int param(CURL *c, struct buf *url, const char *name, const char *value)
{
	char *v = curl_easy_escape(c, value, 0);
	if (!v)
		return -1;
	int rc = buf_appendf(url, "%s%s=%s", url->len && !strchr(buf_str(url), '?') ? "?" : "&", name, v);
	curl_free(v);
	return rc;
}

enum sms_outcome kannel_send(const struct sms_settings *s, const struct kannel_msg *m, struct err *e)
{
	if (!*s->sendsms_url) {
		err_set(e, 503, "sms_not_configured", NULL, "no Kannel sendsms URL configured");
		return SMS_TEMPORARY;
	}
	CURL *c = curl_easy_init();
	if (!c) {
		err_internal(e, "curl_easy_init failed");
		return SMS_TEMPORARY;
	}
	char sig[SMS_SIG_HEX_SIZE];
	sign_with(s->dlr_secret, m->outbox_id, sig);
	struct buf dlr = BUF_INIT(4096), url = BUF_INIT(URL_MAX), answer = BUF_INIT(ANSWER_MAX);
	enum sms_outcome out = SMS_TEMPORARY;
	/* Kannel replaces %d with the report's status */
	if (buf_appendf(&dlr, "%s/hooks/sms/dlr?id=%" PRId64 "&status=%%d&sig=%s", s->public_url,
			m->outbox_id, sig) ||
	    buf_appends(&url, s->sendsms_url) || param(c, &url, "username", s->user) ||
	    param(c, &url, "password", s->password) || param(c, &url, "from", m->from) ||
	    param(c, &url, "to", m->to) || param(c, &url, "text", m->text) ||
	    param(c, &url, "charset", "UTF-8") ||
	    param(c, &url, "coding", m->coding == SMS_GSM7 ? "0" : "2") ||
	    /* 1 delivered + 2 failed + 8 reached the SMSC + 16 rejected; 4 (buffered) is noise */
	    param(c, &url, "dlr-mask", "27") || param(c, &url, "dlr-url", buf_str(&dlr))) {
		err_internal(e, "sendsms URL over its cap");
		out = SMS_PERMANENT;
		goto done;
	}
	char errbuf[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(c, CURLOPT_URL, buf_str(&url));
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)s->timeout_s);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)(s->timeout_s < 5 ? s->timeout_s : 5));
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep_answer);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &answer);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	CURLcode rc = curl_easy_perform(c);
	if (rc != CURLE_OK) {
		err_set(e, 503, "sms_gateway_unreachable", NULL, "Kannel: %s",
			*errbuf ? errbuf : curl_easy_strerror(rc));
		goto done;
	}
	long status = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	const char *body = buf_str(&answer);
	/* "0: Accepted for delivery", "3: Queued for later delivery" (202) */
	if (status >= 200 && status < 300 && (!strncmp(body, "0:", 2) || !strncmp(body, "3:", 2))) {
		out = SMS_SENT;
	} else if (status >= 500 || status == 401 || status == 403 || status == 429 || status < 200) {
		/* Kannel's own trouble or refused credentials (a configuration to fix): later */
		err_set(e, 503, "sms_gateway_error", NULL, "Kannel answered %ld: %.200s", status, body);
	} else {
		err_set(e, 400, "sms_refused", NULL, "Kannel answered %ld: %.200s", status, body);
		out = SMS_PERMANENT;
	}
done:
	if (url.data) /* it holds the password */
		sodium_memzero(url.data, url.len);
	buf_release(&dlr);
	buf_release(&url);
	buf_release(&answer);
	curl_easy_cleanup(c);
	return out;
}
