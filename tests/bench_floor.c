/* bench_floor.c: a do-nothing libfcgi authorizer, the floor the benchmark compares gatekeep against. */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

	if (argc != 3) {
		fprintf(stderr, "usage: bench_floor SOCKET-PATH WORKERS\n");
		return 2;
	}
	workers = atoi(argv[2]);
	if (FCGX_Init() != 0 || (fd = listen_unix(argv[1])) < 0) {
		perror("bench_floor");
		return 1;
	}
	for (i = 0; i < workers; i++) {
		if (fork() == 0) {
			/* Die with the parent: scripts/bench stops us by the parent's pid. */
			if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() == 1)
				_exit(1);
			serve(fd);
			_exit(0);
		}
	}
	signal(SIGTERM, SIG_DFL);
	while (wait(NULL) > 0)
		;
	return 0;
}
