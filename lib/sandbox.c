/* sandbox.c: privilege drop, no_new_privs and the seccomp allow-list of the long-running FastCGI programs. */
#include <config.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <ucontext.h>
#include <unistd.h>

#ifdef HAVE_SECCOMP
#include <sched.h>
#include <seccomp.h>
#endif

#include "sandbox.h"

/*
 * What a worker does, found with strace -f -c over tests/authz_fcgi.sh, tests/srv_*.sh and
 * the login tests (see gatekeep-authz(8)); grouped by why.  Names that do not exist on an
 * architecture are skipped (e.g. "open" and "stat" on arm64).
 */
static const char *const allowed[] = {
	/* the FastCGI connection: accept, peek/poll (lib/fcgiguard), libfcgi read/write, close */
	"accept4", "recvfrom", "recvmsg", "sendto", "sendmsg", "read", "readv", "write", "writev",
	"poll", "ppoll", "shutdown", "close", "getpeername", "getsockname", "setsockopt",
	"getsockopt",
	/* the event-driven core (lib/evloop): one epoll set per worker, its periodic tick */
	"epoll_create1", "epoll_ctl", "epoll_wait", "epoll_pwait", "timerfd_create",
	"timerfd_settime",
	/* lib/filewatch: the user database and secret are stat()ed only after inotify saw a change */
	"inotify_init1", "inotify_add_watch", "inotify_rm_watch", "statfs",
	/* syslog: glibc reconnects to /dev/log when journald/rsyslog restarts (socket: AF_UNIX only, below) */
	"connect",
	/* user database (gdbm, read-only reopen on inode change) and proxy auto-create/lockout
	 * files (lock file, mkstemp + fsync + rename + directory fsync) */
	"openat", "open", "fstat", "newfstatat", "stat", "lstat", "statx", "lseek", "pread64",
	"pwrite64", "fcntl", "flock", "fsync", "fdatasync", "ftruncate", "fallocate", "rename",
	"renameat", "renameat2", "unlink", "unlinkat", "fchmod", "fchown", "getdents64",
	"umask", "utimensat", "msync", "dup",
	/* lib/lockout: a new table is linked into place (link never replaces), and Basic
	 * creates a missing state_dir (0700) on start */
	"link", "linkat", "mkdir", "mkdirat",
	/* memory (malloc, yescrypt's large buffers, gdbm's mmap of the database) */
	"brk", "mmap", "munmap", "mremap", "mprotect", "madvise",
	/* time, randomness, identity */
	"clock_gettime", "clock_getres", "gettimeofday", "time", "nanosleep", "clock_nanosleep",
	"getrandom", "getpid", "gettid", "getuid", "geteuid", "getgid", "getegid",
	/* signals (SIGTERM/SIGHUP handlers, sigtimedwait-free workers) and the end */
	"rt_sigreturn", "rt_sigaction", "rt_sigprocmask", "restart_syscall", "futex",
	"exit", "exit_group",
#ifdef GK_SANITIZED
	/* ASan/UBSan runtime: alternate signal stack, reports (/proc/self/maps, symbolizer) */
	"sigaltstack", "prctl", "readlink", "readlinkat", "sched_yield", "getrlimit", "prlimit64",
	"sched_getaffinity", "uname", "arch_prctl", "pipe2", "wait4", "clone", "clone3",
	"execve", "dup2", "dup3", "kill", "tgkill", "ptrace", "set_robust_list", "rseq",
	"getppid", "getdents", "waitid",
#endif
	NULL
};

int
gk_sandbox_mode_parse(const char *s, enum gk_sandbox_mode *mode, struct gk_err *err)
{
	if (s == NULL || s[0] == '\0' || strcmp(s, "kill") == 0)
		*mode = GK_SANDBOX_KILL;
	else if (strcmp(s, "log") == 0)
		*mode = GK_SANDBOX_LOG;
	else if (strcmp(s, "trap") == 0)
		*mode = GK_SANDBOX_TRAP;
	else if (strcmp(s, "off") == 0)
		*mode = GK_SANDBOX_OFF;
	else {
		gk_err_set(err, "GATEKEEP_SECCOMP=%.40s: expected kill, log, trap or off", s);
		return GK_EINVAL;
	}
	return GK_OK;
}

bool
gk_sandbox_available(void)
{
#ifdef HAVE_SECCOMP
	return true;
#else
	return false;
#endif
}

int
gk_sandbox_drop(const char *user, const char *group, bool *dropped, struct gk_err *err)
{
	struct passwd *pw;
	struct group *gr;
	uid_t uid, ru, eu, su;
	gid_t gid, rg, eg, sg;

	*dropped = false;
	if (geteuid() != 0 && getuid() != 0)
		return GK_OK;
	if (user == NULL || user[0] == '\0')
		return GK_OK;
	errno = 0;
	if ((pw = getpwnam(user)) == NULL)
		return gk_err_set(err, "run_user %s: no such user", user);
	uid = pw->pw_uid;
	gid = pw->pw_gid;
	if (group != NULL && group[0] != '\0') {
		errno = 0;
		if ((gr = getgrnam(group)) == NULL)
			return gk_err_set(err, "run_group %s: no such group", group);
		gid = gr->gr_gid;
	}
	if (uid == 0)
		return gk_err_set(err, "run_user %s is root", user);
	/* Groups first: once the uid is gone we could not change them any more. */
	if (setgroups(1, &gid) != 0)
		return gk_err_set(err, "setgroups: %s", strerror(errno));
	if (setresgid(gid, gid, gid) != 0)
		return gk_err_set(err, "setresgid %ld: %s", (long)gid, strerror(errno));
	if (setresuid(uid, uid, uid) != 0)
		return gk_err_set(err, "setresuid %ld: %s", (long)uid, strerror(errno));
	if (getresuid(&ru, &eu, &su) != 0 || ru != uid || eu != uid || su != uid ||
	    getresgid(&rg, &eg, &sg) != 0 || rg != gid || eg != gid || sg != gid)
		return gk_err_set(err, "privilege drop to %s did not take effect", user);
	/* The drop must be irreversible. */
	if (setuid(0) == 0 || seteuid(0) == 0)
		return gk_err_set(err, "privilege drop to %s is reversible", user);
	*dropped = true;
	return GK_OK;
}

int
gk_sandbox_pick_user(char **run_user, struct gk_err *err)
{
	char *def;

	if (*run_user != NULL && (*run_user)[0] != '\0')
		return GK_OK;
	if (geteuid() != 0 && getuid() != 0)
		return GK_OK;
	errno = 0;
	if (getpwnam(GK_RUN_USER_DEFAULT) == NULL)
		return gk_err_set(err, "started as root and run_user is not set: set run_user in the "
		    "configuration to an unprivileged user, or create the user %s (the default)",
		    GK_RUN_USER_DEFAULT);
	if ((def = strdup(GK_RUN_USER_DEFAULT)) == NULL)
		return gk_err_set(err, "out of memory");
	free(*run_user);
	*run_user = def;
	return GK_OK;
}

int
gk_sandbox_no_new_privs(struct gk_err *err)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		return gk_err_set(err, "prctl(PR_SET_NO_NEW_PRIVS): %s", strerror(errno));
	return GK_OK;
}

int
gk_sandbox_reduce(const char *user, const char *group, bool *as_root, struct gk_err *err)
{
	struct gk_err e = { "" };
	bool dropped;

	*as_root = false;
	if (gk_sandbox_drop(user, group, &dropped, &e) != GK_OK)
		return gk_err_set(err, "cannot drop privileges: %s", e.msg);
	if (!dropped && (geteuid() == 0 || getuid() == 0))
		return gk_err_set(err, "refusing to serve as root: set run_user in the configuration");
	return gk_sandbox_no_new_privs(err);
}

static void
on_sigsys(int sig, siginfo_t *si, void *ctx)
{
	char msg[64] = "seccomp: blocked system call ";
	char num[16];
	size_t n = strlen(msg), k = 0;
	int nr = si->si_syscall, saved = errno;

	(void)sig;
	if (nr < 0)
		nr = 0;
	do {
		num[k++] = (char)('0' + nr % 10);
		nr /= 10;
	} while (nr > 0 && k < sizeof(num));
	while (k > 0 && n < sizeof(msg) - 2)
		msg[n++] = num[--k];
	msg[n++] = '\n';
	(void)!write(STDERR_FILENO, msg, n);
#if defined(__x86_64__)
	/* The kernel left the call number in rax: make the call fail instead of "succeed". */
	((ucontext_t *)ctx)->uc_mcontext.gregs[REG_RAX] = -ENOSYS;
#else
	(void)ctx;
#endif
	errno = saved;
}

int
gk_sandbox_trap_handler(struct gk_err *err)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL) != 0)
		return gk_err_set(err, "sigaction SIGSYS: %s", strerror(errno));
	return GK_OK;
}

#ifdef HAVE_SECCOMP
/* What a forbidden call gets in mode (not GK_SANDBOX_OFF): logged, trapped, or the process killed. */
static uint32_t
deny_action(enum gk_sandbox_mode mode)
{
	return mode == GK_SANDBOX_LOG ? SCMP_ACT_LOG : mode == GK_SANDBOX_TRAP ? SCMP_ACT_TRAP :
	    SCMP_ACT_KILL_PROCESS;
}

/* Adds one filter's rules; deny is the mode's action.  0 or libseccomp's negative errno. */
typedef int filter_rules(scmp_filter_ctx ctx, uint32_t deny, const void *arg);

/*
 * Builds and loads one filter in mode: what no rule names gets deny (an allow-list) or is
 * allowed (a narrowing list of refusals); GK_SANDBOX_OFF installs nothing.
 */
static int
install_filter(enum gk_sandbox_mode mode, bool allow_list, filter_rules *add_rules,
    const void *arg, struct gk_err *err)
{
	scmp_filter_ctx ctx;
	uint32_t deny;
	int rc;

	if (mode == GK_SANDBOX_OFF)
		return GK_OK;
	deny = deny_action(mode);
	if ((ctx = seccomp_init(allow_list ? deny : SCMP_ACT_ALLOW)) == NULL)
		return gk_err_set(err, "seccomp_init failed");
	if ((rc = add_rules(ctx, deny, arg)) == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc != 0)
		return gk_err_set(err, "seccomp: %s", strerror(-rc));
	return GK_OK;
}

/* The allow-list: the names above, socket(2) of AF_UNIX, threads, then the program's extra. */
static int
allow_list_rules(scmp_filter_ctx ctx, uint32_t deny, const void *arg)
{
	const char *const *extra = arg;
	size_t i;
	int nr, rc;

	(void)deny;
	for (i = 0; allowed[i] != NULL; i++) {
		if ((nr = seccomp_syscall_resolve_name(allowed[i])) == __NR_SCMP_ERROR || nr < 0)
			continue;       /* not on this architecture */
		if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0)) != 0)
			return rc;
	}
	/* Sockets: only AF_UNIX (syslog's /dev/log); the FastCGI socket is accepted, not made. */
	if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
	    SCMP_A0(SCMP_CMP_EQ, AF_UNIX))) != 0)
		return rc;
#ifndef GK_SANITIZED
	/*
	 * lib/hashpool's threads (pthread_create in the event core's workers; the sanitizers'
	 * list above allows clone and clone3 outright): clone only with
	 * CLONE_THREAD, so no new process; clone3, whose flags seccomp cannot see, fails with
	 * ENOSYS and glibc falls back to clone.
	 */
	if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
	    SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD))) != 0 ||
	    (rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0)) != 0 ||
	    (rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(set_robust_list), 0)) != 0 ||
	    (rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(rseq), 0)) != 0)
		return rc;
#endif
	/* lib/hashpool's completion: an eventfd in the worker's epoll set */
	if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(eventfd2), 0)) != 0)
		return rc;
	/* (gk_sandbox_seccomp has checked that each extra name resolves) */
	for (i = 0; extra != NULL && extra[i] != NULL; i++)
		if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW,
		    seccomp_syscall_resolve_name(extra[i]), 0)) != 0)
			return rc;
	return 0;
}
#endif

int
gk_sandbox_seccomp(enum gk_sandbox_mode mode, const char *const *extra, struct gk_err *err)
{
#ifdef HAVE_SECCOMP
	size_t i;
	int nr;

	for (i = 0; mode != GK_SANDBOX_OFF && extra != NULL && extra[i] != NULL; i++)
		if ((nr = seccomp_syscall_resolve_name(extra[i])) == __NR_SCMP_ERROR || nr < 0)
			return gk_err_set(err, "seccomp: unknown system call %s", extra[i]);
	return install_filter(mode, true, allow_list_rules, extra, err);
#else
	(void)extra;
	if (mode == GK_SANDBOX_OFF)
		return GK_OK;
	return gk_err_set(err, "built without libseccomp");
#endif
}

/*
 * A client of a network service (the state store over TCP): socket(2) of AF_INET and
 * AF_INET6 too. gk_sandbox_seccomp's list allows socket(2) for AF_UNIX only, so the program
 * passes gk_sandbox_extra_inet (socket unconditionally) and stacks this filter first, which
 * takes every other family back (EAFNOSUPPORT).
 */
const char *const gk_sandbox_extra_inet[] = { "socket", NULL };

#ifdef HAVE_SECCOMP
/*
 * The filter behind both narrows: socket(2) of AF_UNIX, AF_INET and AF_INET6 only; with
 * resolver, also ioctl(2) FIONREAD only, clone(2) of threads without namespace flags only,
 * and clone3(2) ENOSYS (see gk_sandbox_resolver_narrow in sandbox.h).
 */
static int
inet_rules(scmp_filter_ctx ctx, uint32_t deny, const void *arg)
{
	static const unsigned long nsflags[] = {
		CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER,
		CLONE_NEWPID, CLONE_NEWNET
	};
	const bool *resolver = arg;
	size_t i;
	int rc, fam;

	rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), SCMP_SYS(socket), 1,
	    SCMP_A0(SCMP_CMP_GT, AF_INET6));
	for (fam = 0; rc == 0 && fam < AF_INET6; fam++)
		if (fam != AF_UNIX && fam != AF_INET)
			rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), SCMP_SYS(socket), 1,
			    SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)fam));
	if (*resolver) {
		if (rc == 0)
			rc = seccomp_rule_add(ctx, deny, SCMP_SYS(ioctl), 1,
			    SCMP_A1(SCMP_CMP_NE, (scmp_datum_t)FIONREAD));
		if (rc == 0)
			rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
#ifndef GK_SANITIZED
		/* (LeakSanitizer stops the world with a clone that is not a thread.) */
		if (rc == 0)
			rc = seccomp_rule_add(ctx, deny, SCMP_SYS(clone), 1,
			    SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, 0));
#endif
		for (i = 0; rc == 0 && i < sizeof(nsflags) / sizeof(nsflags[0]); i++)
			rc = seccomp_rule_add(ctx, deny, SCMP_SYS(clone), 1,
			    SCMP_A0(SCMP_CMP_MASKED_EQ, nsflags[i], nsflags[i]));
	}
	return rc;
}
#endif

static int
inet_filter(enum gk_sandbox_mode mode, bool resolver, struct gk_err *err)
{
#ifdef HAVE_SECCOMP
	return install_filter(mode, false, inet_rules, &resolver, err);
#else
	(void)mode;
	(void)resolver;
	(void)err;
	return GK_OK;
#endif
}

int
gk_sandbox_inet_narrow(enum gk_sandbox_mode mode, struct gk_err *err)
{
	return inet_filter(mode, false, err);
}

int
gk_sandbox_resolver_narrow(enum gk_sandbox_mode mode, struct gk_err *err)
{
	return inet_filter(mode, true, err);
}
