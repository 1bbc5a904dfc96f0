/* sandbox_trip.c: test-only LD_PRELOAD; after accept4, if $GK_TRIP_FILE exists, make a system call the worker filter forbids. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * Why a preload and not a switch in gatekeep-authz: the product must not carry a way to
 * make it misbehave.  The test compiles this file itself; it proves that a forbidden call
 * (chdir) in a worker ends that worker with SIGSYS, and that the pool recovers.
 */
int
accept4(int fd, struct sockaddr *sa, socklen_t *len, int flags)
{
	static int (*real)(int, struct sockaddr *, socklen_t *, int);
	const char *trip = getenv("GK_TRIP_FILE");
	struct stat st;
	int r;

	if (real == NULL)
		real = (int (*)(int, struct sockaddr *, socklen_t *, int))dlsym(RTLD_NEXT, "accept4");
	r = real(fd, sa, len, flags);
	if (r >= 0 && trip != NULL && stat(trip, &st) == 0)
		syscall(SYS_chdir, "/");
	return r;
}
