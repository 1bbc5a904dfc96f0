/* sdnotify.c: systemd's readiness and watchdog notifications (Type=notify), without libsystemd. */
#include <config.h>

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "sdnotify.h"

int
gk_sdnotify(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa;
	size_t n;
	socklen_t len;
	ssize_t w;
	int fd, saved = errno;

	if (path == NULL || path[0] == '\0')
		return 0;
	n = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || n >= sizeof(sa.sun_path) || n < 2)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, n);
	if (path[0] == '@')
		sa.sun_path[0] = '\0';  /* abstract namespace: the length, not a NUL, ends the name */
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (path[0] == '/'));
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	w = sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sa, len);
	close(fd);
	errno = saved;
	return w == (ssize_t)strlen(state) ? 1 : -1;
}

void
gk_sdnotify_running(int64_t now_ms)
{
	static bool ready;
	static int64_t last;
	const char *usec = getenv("WATCHDOG_USEC"), *pid = getenv("WATCHDOG_PID");
	long long interval;
	char *end;

	if (!ready) {
		ready = true;
		gk_sdnotify("READY=1");
	}
	if (usec == NULL)
		return;
	if (pid != NULL && strtoll(pid, &end, 10) != (long long)getpid())
		return;
	interval = strtoll(usec, &end, 10);
	if (*end != '\0' || interval <= 0)
		return;
	if (last != 0 && now_ms - last < interval / 2000)
		return;
	if (gk_sdnotify("WATCHDOG=1") > 0)
		last = now_ms;
}
