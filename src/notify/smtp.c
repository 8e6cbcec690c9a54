/* smtp — the relay configuration and one message sent over SMTP with libcurl. */
#include "notify/notify.h"

#include <curl/curl.h>
#include <pthread.h>
#include <string.h>

#include "base/log.h"
#include "base/xalloc.h"
#include "jobs/jobs.h"
#include "notify/notify_int.h"
#include "base/banned.h"

#define SMTP_TIMEOUT_DEFAULT_S 30
#define SMTP_CONNECT_TIMEOUT_S 10

static pthread_mutex_t settings_lock = PTHREAD_MUTEX_INITIALIZER;
static struct notify_settings settings;
static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_start(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

static char *dup_or_empty(const char *s)
{
	return xstrdup(s ? s : "");
}

static long parse_starttls(const char *s)
{
	if (!s || !*s || !strcmp(s, "try"))
		return CURLUSESSL_TRY;
	if (!strcmp(s, "none"))
		return CURLUSESSL_NONE;
	if (!strcmp(s, "required"))
		return CURLUSESSL_ALL;
	log_error("event=smtp_starttls_unknown value=\"%s\" using=required", s);
	return CURLUSESSL_ALL;
}

static void settings_clear(struct notify_settings *s)
{
	free(s->smtp_url);
	free(s->user);
	free(s->password);
	free(s->from);
	free(s->from_name);
	free(s->public_url);
	memset(s, 0, sizeof(*s));
}

void notify_configure(const struct notify_config *cfg)
{
	pthread_once(&curl_once, curl_start);
	pthread_mutex_lock(&settings_lock);
	settings_clear(&settings);
	settings.smtp_url = dup_or_empty(cfg->smtp_url);
	settings.user = dup_or_empty(cfg->smtp_user);
	settings.password = dup_or_empty(cfg->smtp_password);
	settings.from = dup_or_empty(cfg->mail_from);
	settings.from_name = dup_or_empty(cfg->mail_from_name);
	settings.public_url =
		dup_or_empty(cfg->public_url && *cfg->public_url ? cfg->public_url : "http://127.0.0.1:8080");
	for (size_t n = strlen(settings.public_url); n > 0 && settings.public_url[n - 1] == '/'; n--)
		settings.public_url[n - 1] = '\0';
	settings.use_ssl = parse_starttls(cfg->smtp_starttls);
	settings.timeout_s = cfg->timeout_s > 0 ? cfg->timeout_s : SMTP_TIMEOUT_DEFAULT_S;
	pthread_mutex_unlock(&settings_lock);
	jobs_register(OUTBOX_SEND_KIND, outbox_send_job, OUTBOX_SEND_LEASE_S);
}

struct notify_settings *notify_settings_get(void)
{
	struct notify_settings *s = xcalloc(1, sizeof(*s));
	pthread_mutex_lock(&settings_lock);
	s->smtp_url = dup_or_empty(settings.smtp_url);
	s->user = dup_or_empty(settings.user);
	s->password = dup_or_empty(settings.password);
	s->from = dup_or_empty(settings.from);
	s->from_name = dup_or_empty(settings.from_name);
	s->public_url = dup_or_empty(settings.public_url);
	s->use_ssl = settings.use_ssl;
	s->timeout_s = settings.timeout_s ? settings.timeout_s : SMTP_TIMEOUT_DEFAULT_S;
	pthread_mutex_unlock(&settings_lock);
	return s;
}

void notify_settings_free(struct notify_settings *s)
{
	if (!s)
		return;
	settings_clear(s);
	free(s);
}

struct reader {
	const char *p;
	size_t left;
};

static size_t read_message(char *dst, size_t size, size_t nitems, void *arg)
{
	struct reader *r = arg;
	size_t n = size * nitems;
	if (n > r->left)
		n = r->left;
	memcpy(dst, r->p, n);
	r->p += n;
	r->left -= n;
	return n;
}

enum smtp_outcome smtp_send(const char *from, const char *to, const char *message, size_t len, long *code_out,
			    struct err *e)
{
	if (code_out)
		*code_out = 0;
	pthread_once(&curl_once, curl_start);
	struct notify_settings *s = notify_settings_get();
	if (!*s->smtp_url) {
		notify_settings_free(s);
		err_set(e, 503, "smtp_not_configured", NULL, "no SMTP relay configured");
		return SMTP_TEMPORARY;
	}
	CURL *c = curl_easy_init();
	if (!c) {
		notify_settings_free(s);
		err_internal(e, "curl_easy_init failed");
		return SMTP_TEMPORARY;
	}
	char errbuf[CURL_ERROR_SIZE] = "";
	char *mail_from = xasprintf("<%s>", from);
	char *rcpt_to = xasprintf("<%s>", to);
	struct curl_slist *rcpt = curl_slist_append(NULL, rcpt_to);
	struct reader r = {message, len};
	curl_easy_setopt(c, CURLOPT_URL, s->smtp_url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(c, CURLOPT_USE_SSL, s->use_ssl);
	if (*s->user) {
		curl_easy_setopt(c, CURLOPT_USERNAME, s->user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, s->password);
	}
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, mail_from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, read_message);
	curl_easy_setopt(c, CURLOPT_READDATA, &r);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)s->timeout_s);
	curl_easy_setopt(
		c, CURLOPT_CONNECTTIMEOUT,
		(long)(s->timeout_s < SMTP_CONNECT_TIMEOUT_S ? s->timeout_s : SMTP_CONNECT_TIMEOUT_S));
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);

	CURLcode rc = curl_easy_perform(c);
	long code = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (code_out)
		*code_out = code;
	curl_easy_cleanup(c);
	curl_slist_free_all(rcpt);
	free(mail_from);
	free(rcpt_to);
	notify_settings_free(s);

	if (rc == CURLE_OK)
		return SMTP_SENT;
	const char *why = errbuf[0] ? errbuf : curl_easy_strerror(rc);
	/* a 5xx answer is the server refusing this message for good (unknown recipient,
	 * rejected content); everything else — no connection, timeouts, 4xx, a refused log-in
	 * (the operator will fix the configuration) — is worth trying again */
	if (code >= 500 && code < 600 && rc != CURLE_LOGIN_DENIED) {
		err_set(e, 502, "smtp_rejected", NULL, "SMTP %ld: %s", code, why);
		return SMTP_PERMANENT;
	}
	err_set(e, 503, "smtp_unavailable", NULL, "SMTP %ld: %s", code, why);
	return SMTP_TEMPORARY;
}
