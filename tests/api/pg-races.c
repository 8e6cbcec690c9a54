/* The races of 260-races.c on PostgreSQL with TWO `creneau serve` processes sharing the store:
 * the in-process server and the real binary ($CRENEAU_BIN, --test-mode --no-worker) on the
 * same database; clients alternate between them. Exactly one winner per slot, three per
 * session, two for "no preference" — the store's exclusion constraint decides across
 * processes. */
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>

static const char *spawn_second(void);
static int stop_second(void **state);
#define RACE_SECOND_SERVER spawn_second
#define RACE_TEARDOWN	   stop_second
#include "260-races.c"

static pid_t second_pid;

static int free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	close(fd);
	return ntohs(a.sin_port);
}

static const char *spawn_second(void)
{
	static char url[64];
	const char *bin = getenv("CRENEAU_BIN");
	assert_non_null(bin);
	assert_string_equal(harness_store_kind(), "pg");
	char listen[32];
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", free_port());
	second_pid = fork();
	assert_true(second_pid >= 0);
	if (second_pid == 0) {
		execl(bin, bin, "serve", "--test-mode", "--no-worker", "--log-level", "warn", "--store",
		      H.store_url, "--listen", listen, "--web-root", "web", (char *)NULL);
		_exit(127);
	}
	snprintf(url, sizeof(url), "http://%s", listen);
	struct harness probe = H;
	snprintf(probe.base_url, sizeof(probe.base_url), "%s", url);
	long status = 0;
	for (int i = 0; i < 100 && status != 200; i++) {
		struct reply r;
		usleep(100 * 1000);
		http_call(&probe, "GET", "/livez", NULL, NULL, &r);
		status = r.status;
		reply_free(&r);
	}
	assert_int_equal(status, 200);
	return url;
}

static int stop_second(void **state)
{
	if (second_pid > 0) {
		int ws;
		kill(second_pid, SIGTERM);
		waitpid(second_pid, &ws, 0);
	}
	return harness_teardown(state);
}
