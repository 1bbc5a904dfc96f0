/* bench_floor.c: the floors the benchmark compares gatekeep against: a do-nothing libfcgi authorizer, and (--http) a bare HTTP responder. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcgiapp.h>

/* Same shape as gatekeep-authz: one listening unix socket, N pre-forked workers. */
static int
listen_unix(const char *path)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path))
		return -1;
	strcpy(sun.sun_path, path);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0 || listen(fd, 1024) != 0)
		return -1;
	chmod(path, 0666);
	return fd;
}

/*
 * --http: the least an HTTP authorizer can cost on this machine.  scripts/bench --only cpu
 * prints gatekeep-authz's CPU per decision over HTTP next to this one's: the difference is
 * gatekeep's own work beyond the system calls, wake-ups and socket buffers that any
 * authorizer pays.  The shape of gatekeep-authz over --http-listen: N pre-forked workers,
 * each an epoll loop (EPOLLEXCLUSIVE on the listening socket, level-triggered connections),
 * one recv() per readable event, one send() per answer: every head in the buffer, read up
 * to its blank line, gets one fixed 204.  No parsing, no checks, no logging.
 */
#define HEAD_MAX        (16 * 1024)

struct bare_conn {
	int fd;
	size_t len;
	char buf[HEAD_MAX];
};

/* Reads once; answers every complete head in the buffer; false when the connection ended. */
static bool
bare_read(struct bare_conn *c)
{
	static const char answer[] = "HTTP/1.1 204 No Content\r\n\r\n";
	ssize_t r = recv(c->fd, c->buf + c->len, HEAD_MAX - c->len, 0);
	char *head = c->buf, *blank;

	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return true;
	if (r <= 0)
		return false;
	c->len += (size_t)r;
	while ((blank = memmem(head, c->len - (size_t)(head - c->buf), "\r\n\r\n", 4)) != NULL) {
		if (send(c->fd, answer, sizeof(answer) - 1, MSG_NOSIGNAL) != (ssize_t)sizeof(answer) - 1)
			return false;
		head = blank + 4;
	}
	c->len -= (size_t)(head - c->buf);
	memmove(c->buf, head, c->len);
	return c->len < HEAD_MAX;       /* a head that fills the buffer is not nginx's */
}

static void
bare_accept(int ep, int lfd)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct bare_conn *c;
	int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return;
	if ((c = malloc(sizeof(*c))) == NULL) {
		close(fd);
		return;
	}
	c->fd = fd;
	c->len = 0;
	ev.data.ptr = c;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
		close(fd);
		free(c);
	}
}

static void
serve_bare(int lfd)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLEXCLUSIVE, .data.ptr = NULL };
	struct epoll_event evs[64];
	int ep = epoll_create1(EPOLL_CLOEXEC), n, i;

	if (ep < 0 || fcntl(lfd, F_SETFL, O_NONBLOCK) != 0 ||
	    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) != 0)
		_exit(1);
	for (;;) {
		n = epoll_wait(ep, evs, 64, -1);
		for (i = 0; i < n; i++) {
			struct bare_conn *c = evs[i].data.ptr;

			if (c == NULL) {
				bare_accept(ep, lfd);
			} else if (!bare_read(c)) {
				close(c->fd);   /* and out of the epoll set */
				free(c);
			}
		}
	}
}

static void
serve(int fd)
{
	FCGX_Request req;

	FCGX_InitRequest(&req, fd, 0);
	while (FCGX_Accept_r(&req) >= 0) {
		FCGX_PutS("Status: 200\r\nVariable-REMOTE_USER: floor\r\n\r\n", req.out);
		FCGX_Finish_r(&req);
	}
}

int
main(int argc, char **argv)
{
	int fd, workers, i;
	bool http = argc == 4 && strcmp(argv[3], "--http") == 0;

	if (argc != 3 && !http) {
		fprintf(stderr, "usage: bench_floor SOCKET-PATH WORKERS [--http]\n");
		return 2;
	}
	workers = atoi(argv[2]);
	/* not for --http: libfcgi's SIGTERM handler would keep its workers alive */
	if ((!http && FCGX_Init() != 0) || (fd = listen_unix(argv[1])) < 0) {
		perror("bench_floor");
		return 1;
	}
	for (i = 0; i < workers; i++) {
		if (fork() == 0) {
			/* Die with the parent: scripts/bench stops us by the parent's pid. */
			if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() == 1)
				_exit(1);
			if (http)
				serve_bare(fd);
			else
				serve(fd);
			_exit(0);
		}
	}
	signal(SIGTERM, SIG_DFL);
	while (wait(NULL) > 0)
		;
	return 0;
}
