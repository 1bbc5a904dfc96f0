/* sandbox.h: privilege drop, no_new_privs and the seccomp allow-list of the long-running FastCGI programs. */
#ifndef GK_SANDBOX_H
#define GK_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>

#include "common.h"

/* Sanitizer runtimes need system calls (and a non-thread clone) a worker otherwise must not make. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_UNDEFINED__)
#define GK_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#define GK_SANITIZED 1
#endif
#endif

/*
 * Start-up order (gatekeep-authz(8), SECURITY CONSIDERATIONS): bind the socket, open the
 * log, load configuration, then gk_sandbox_drop(), gk_sandbox_no_new_privs(), and in each
 * process that serves requests gk_sandbox_seccomp() right before the accept loop.
 */

/* What the filter does with a system call that is not on the list. */
enum gk_sandbox_mode {
	GK_SANDBOX_KILL = 0,  /* default: the process dies with SIGSYS */
	GK_SANDBOX_LOG,       /* allowed but logged by the kernel (audit / dmesg: type=1326) */
	GK_SANDBOX_TRAP,      /* not executed; a SIGSYS handler writes the number to stderr */
	GK_SANDBOX_OFF        /* no filter (debugging only) */
};

/* Parses GATEKEEP_SECCOMP: NULL, "" or "kill", "log", "trap", "off".  GK_EINVAL otherwise. */
int gk_sandbox_mode_parse(const char *s, enum gk_sandbox_mode *mode, struct gk_err *err);

/* True if this build can install a filter (configure found libseccomp). */
bool gk_sandbox_available(void);

/* The user a FastCGI program started as root serves as when run_user is unset, if it exists. */
#define GK_RUN_USER_DEFAULT "gatekeep"

/*
 * Decides run_user (a configuration string, malloc'ed or NULL) for a program about to
 * serve.  Set: kept.  Unset and not root: kept unset (nothing to drop).  Unset and root:
 * GK_RUN_USER_DEFAULT if that user exists (*run_user becomes a malloc'ed copy, freed with
 * the configuration); otherwise GK_ERR, err naming run_user: a network-facing program
 * never serves as root by default.  Call it before anything is prepared for run_user.
 */
int gk_sandbox_pick_user(char **run_user, struct gk_err *err);

/*
 * If the effective uid is 0 and user is set: setgroups(1, {gid}), setresgid and setresuid to
 * user (and group, default the user's primary group), then checks with getresuid/getresgid
 * that all three ids of each changed and that setuid(0) is no longer possible.
 * *dropped tells whether a drop happened.  Not root: GK_OK, nothing changes.  Root without
 * user: GK_OK, *dropped false.  Any failure: GK_ERR; the caller must not go on serving.
 */
int gk_sandbox_drop(const char *user, const char *group, bool *dropped, struct gk_err *err);

/* prctl(PR_SET_NO_NEW_PRIVS): no exec of this process tree can gain privileges again. */
int gk_sandbox_no_new_privs(struct gk_err *err);

/*
 * The FastCGI programs' step after binding the socket: gk_sandbox_drop() to user/group, then
 * gk_sandbox_no_new_privs(); the workers inherit both.  Root with user unset is refused
 * (GK_ERR; gk_sandbox_pick_user gives the default first), so *as_root is false whenever
 * GK_OK is returned.  GK_ERR, err set ("cannot drop privileges: ..." or the prctl
 * message): the caller must not go on serving.
 */
int gk_sandbox_reduce(const char *user, const char *group, bool *as_root, struct gk_err *err);

/*
 * Installs the allow-list a FastCGI worker needs (socket I/O, poll, read-only and
 * write-by-rename database access, memory, time, signals, syslog, getrandom), plus the
 * names in extra (NULL-terminated, may be NULL; unknown names are an error).
 * Requires no_new_privs (or CAP_SYS_ADMIN).  GK_SANDBOX_OFF: GK_OK, nothing installed.
 * GK_ERR if libseccomp is missing or refuses.
 */
int gk_sandbox_seccomp(enum gk_sandbox_mode mode, const char *const *extra, struct gk_err *err);

/*
 * A program that connects to a network service (state_backend = redis over TCP): call
 * gk_sandbox_inet_narrow() from its sandbox profile (stacked before the allow-list) and
 * pass gk_sandbox_extra_inet as extra: socket(2) of AF_UNIX, AF_INET and AF_INET6 only.
 */
extern const char *const gk_sandbox_extra_inet[];
int gk_sandbox_inet_narrow(enum gk_sandbox_mode mode, struct gk_err *err);

/*
 * The same for a program whose HTTP client resolves names in threads (libcurl talking to
 * an OIDC provider or a directory): on top of the socket families, ioctl(2) FIONREAD only
 * (TIOCSTI on an inherited terminal would be an escape), clone(2) of a thread without a
 * namespace flag only (a user namespace is kernel attack surface), and clone3(2), whose flags
 * a filter cannot see, ENOSYS (glibc falls back to clone).  Denials follow mode (log, trap
 * or kill); GK_SANDBOX_OFF: GK_OK, nothing installed.
 */
int gk_sandbox_resolver_narrow(enum gk_sandbox_mode mode, struct gk_err *err);

/*
 * For GK_SANDBOX_TRAP: a SIGSYS handler that writes "seccomp: blocked system call N\n" to
 * standard error (async-signal-safe write(2); the one place outside log.c that writes,
 * debugging only) and lets the process go on with the call failing (ENOSYS).  Resolve N
 * with scmp_sys_resolver(1).
 */
int gk_sandbox_trap_handler(struct gk_err *err);

#endif
