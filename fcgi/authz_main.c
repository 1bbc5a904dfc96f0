/* authz_main.c: gatekeep-authz: options, the listening socket, the pre-forked worker pool, signals. */
#include <config.h>	/* autoconf's, not lib/config.h */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <fastcgi.h>

#include "authz_answer.h"
#include "authz_decide.h"
#include "fcgiguard.h"
#include "fcgiloop.h"
#include "policy.h"	/* and through it lib/config.h */
#include "log.h"
#include "sandbox.h"

#define PROG "gatekeep-authz"
#define WORKERS_MAX 256
#define STOP_GRACE_MS 5000

extern char **environ;

/* Set by signal handlers in a worker; the accept loop checks them (wake_flag: either). */
static volatile sig_atomic_t stop_flag, reload_flag, wake_flag;

/* GATEKEEP_SECCOMP, read once in main(); workers install the filter with it. */
static enum gk_sandbox_mode seccomp_mode = GK_SANDBOX_KILL;

struct opts {
	const char *config;
	const char *listen;
	mode_t mode;
	const char *owner;
	long workers;
	bool workers_set;
	bool debug;
	bool check;
};

/* A unix socket we created ourselves (removed again on a clean exit). */
struct own_socket {
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	dev_t dev;
	ino_t ino;
	bool made;
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: " PROG " [-c FILE] [--listen unix:PATH|tcp:HOST:PORT] [--socket-mode MODE]\n"
	    "       [--socket-owner USER[:GROUP]] [--workers N] [-d|--debug] [--check-config]\n"
	    "       [--help] [--version]\n");
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool
is_listening(int fd)
{
	int v = 0;
	socklen_t len = sizeof(v);

	return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &len) == 0 && v == 1;
}

static int
resolve_owner(const char *spec, uid_t *uid, gid_t *gid)
{
	char user[256];
	const char *colon = strchr(spec, ':');
	struct passwd *pw;
	struct group *gr;
	size_t n = colon ? (size_t)(colon - spec) : strlen(spec);

	*uid = (uid_t)-1;
	*gid = (gid_t)-1;
	if (gk_memcpy_str(user, sizeof(user), spec, n) != GK_OK)
		return -1;
	if (user[0] != '\0') {
		if ((pw = getpwnam(user)) == NULL)
			return -1;
		*uid = pw->pw_uid;
		*gid = pw->pw_gid;
	}
	if (colon != NULL && colon[1] != '\0') {
		if ((gr = getgrnam(colon + 1)) == NULL)
			return -1;
		*gid = gr->gr_gid;
	}
	return 0;
}

static int
listen_unix(const char *path, const struct opts *o, struct own_socket *own)
{
	struct sockaddr_un sa;
	struct stat st;
	mode_t old;
	int fd, rc;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (path[0] != '/' || gk_strcpy(sa.sun_path, sizeof(sa.sun_path), path) != GK_OK) {
		fprintf(stderr, PROG ": %s: socket path must be absolute and at most %zu bytes\n",
		    path, sizeof(sa.sun_path) - 1);
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		fprintf(stderr, PROG ": socket: %s\n", strerror(errno));
		return -1;
	}
	if (lstat(path, &st) == 0) {
		/* Replace only a stale socket: never another file, never a live server's socket. */
		if (!S_ISSOCK(st.st_mode)) {
			fprintf(stderr, PROG ": %s exists and is not a socket\n", path);
			goto fail;
		}
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			fprintf(stderr, PROG ": %s: another server is listening there\n", path);
			goto fail;
		}
		close(fd);
		if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 || unlink(path) != 0) {
			fprintf(stderr, PROG ": %s: cannot replace stale socket: %s\n", path,
			    strerror(errno));
			goto fail;
		}
	}
	old = umask(0177);      /* no window in which others may connect */
	rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (rc != 0 || listen(fd, SOMAXCONN) != 0) {
		fprintf(stderr, PROG ": %s: %s\n", path, strerror(errno));
		goto fail;
	}
	if (stat(path, &st) == 0) {
		gk_strcpy(own->path, sizeof(own->path), path);
		own->dev = st.st_dev;
		own->ino = st.st_ino;
		own->made = true;
	}
	if (o->owner != NULL) {
		uid_t uid;
		gid_t gid;

		if (resolve_owner(o->owner, &uid, &gid) != 0 || chown(path, uid, gid) != 0) {
			fprintf(stderr, PROG ": %s: cannot set owner %s: %s\n", path, o->owner,
			    errno ? strerror(errno) : "unknown user or group");
			goto fail;
		}
	}
	if (chmod(path, o->mode) != 0) {
		fprintf(stderr, PROG ": chmod %s: %s\n", path, strerror(errno));
		goto fail;
	}
	return fd;
fail:
	if (fd >= 0)
		close(fd);
	return -1;
}

static int
listen_tcp(const char *spec)
{
	char host[256];
	const char *port;
	struct addrinfo hints, *ai = NULL;
	int fd = -1, one = 1, rc;

	if (spec[0] == '[') {
		const char *rb = strchr(spec, ']');

		if (rb == NULL || rb[1] != ':' ||
		    gk_memcpy_str(host, sizeof(host), spec + 1, (size_t)(rb - spec - 1)) != GK_OK)
			goto bad;
		port = rb + 2;
	} else {
		const char *colon = strrchr(spec, ':');

		if (colon == NULL ||
		    gk_memcpy_str(host, sizeof(host), spec, (size_t)(colon - spec)) != GK_OK)
			goto bad;
		port = colon + 1;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	if (host[0] == '\0' || port[0] == '\0' ||
	    (rc = getaddrinfo(host, port, &hints, &ai)) != 0)
		goto bad;
	if ((fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, SOMAXCONN) != 0) {
		fprintf(stderr, PROG ": tcp:%s: %s\n", spec, strerror(errno));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(ai);
		return -1;
	}
	freeaddrinfo(ai);
	return fd;
bad:
	fprintf(stderr, PROG ": tcp:%s: expected tcp:IPV4:PORT or tcp:[IPV6]:PORT (numeric)\n", spec);
	return -1;
}

/* The listening socket: --listen, systemd (fd 3), or fd 0 from a process manager. */
static int
get_listener(const struct opts *o, struct own_socket *own, bool *server_managed)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");

	*server_managed = false;
	if (o->listen != NULL) {
		if (strncmp(o->listen, "unix:", 5) == 0)
			return listen_unix(o->listen + 5, o, own);
		if (strncmp(o->listen, "tcp:", 4) == 0)
			return listen_tcp(o->listen + 4);
		fprintf(stderr, PROG ": --listen %s: expected unix:PATH or tcp:HOST:PORT\n",
		    o->listen);
		return -1;
	}
	if (pid != NULL && fds != NULL && strtol(pid, NULL, 10) == (long)getpid()) {
		unsetenv("LISTEN_PID");
		unsetenv("LISTEN_FDS");
		unsetenv("LISTEN_FDNAMES");
		if (strcmp(fds, "1") != 0 || !is_listening(3)) {
			fprintf(stderr, PROG ": systemd must pass exactly one listening socket\n");
			return -1;
		}
		return 3;
	}
	if (is_listening(0)) {
		*server_managed = true;
		return 0;
	}
	fprintf(stderr, PROG ": no listening socket: use --listen, systemd socket activation, "
	    "or let the web server (mod_fcgid, lighttpd bin-path, spawn-fcgi) start " PROG "\n");
	return -1;
}

/* Drops root (run_user/run_group) and sets no_new_privs; both are inherited by the workers. */
static int
reduce_privileges(const struct gk_config *cfg, const struct gk_log *log)
{
	struct gk_err err = { "" };
	bool dropped;

	if (gk_sandbox_drop(cfg->run_user, cfg->run_group, &dropped, &err) != GK_OK) {
		gk_log(log, LOG_ERR, "cannot drop privileges: %s", err.msg);
		return -1;
	}
	if (!dropped && geteuid() == 0)
		gk_log(log, LOG_WARNING, "running as root: set run_user");
	if (gk_sandbox_no_new_privs(&err) != GK_OK) {
		gk_log(log, LOG_ERR, "%s", err.msg);
		return -1;
	}
	return 0;
}

/* In a process that is about to serve requests: the seccomp allow-list. */
static int
enter_sandbox(const struct gk_log *log)
{
	struct gk_err err = { "" };

	if (seccomp_mode == GK_SANDBOX_TRAP && gk_sandbox_trap_handler(&err) != GK_OK) {
		gk_log(log, LOG_ERR, "%s", err.msg);
		return -1;
	}
	if (gk_sandbox_seccomp(seccomp_mode, NULL, &err) != GK_OK) {
		gk_log(log, LOG_ERR, "cannot install the seccomp filter: %s", err.msg);
		return -1;
	}
	return 0;
}

static void
on_stop(int sig)
{
	(void)sig;
	stop_flag = 1;
	wake_flag = 1;
}

static void
on_reload(int sig)
{
	(void)sig;
	reload_flag = 1;
	wake_flag = 1;
}

static void
set_handler(int sig, void (*fn)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;        /* no SA_RESTART: accept() must return on a signal */
	sigaction(sig, &sa, NULL);
}

/*
 * The accept loop of one worker; returns when told to stop or reload.
 *
 * libfcgi must never parse bytes we have not checked (CVE-2025-23016, see lib/fcgiguard.h):
 * lib/fcgiloop accepts, waits until gk_fcgiguard_wait() has seen a valid BEGIN_REQUEST +
 * PARAMS, and only then hands the connection to libfcgi (see lib/fcgiloop.h); a kept
 * connection (nginx fastcgi_keep_conn) has its next request checked the same way.
 */
static int
serve(int lfd, const struct gk_config *cfg, const struct gk_log *log)
{
	struct gk_fcgiloop l;
	struct gk_authz a;
	struct gk_decision *d;
	struct gk_fcgiguard_limits lim;
	char *ans;
	struct gk_err err = { "" };
	bool loop_ok;

	gk_fcgiguard_defaults(&lim);
	d = malloc(sizeof(*d));
	ans = malloc(GK_ANSWER_MAX);
	loop_ok = gk_fcgiloop_init(&l, lfd, &lim, &wake_flag, log, &err) == GK_OK;
	if (d == NULL || ans == NULL || !loop_ok ||
	    gk_authz_init(&a, cfg, log, &err) != GK_OK) {
		gk_log(log, LOG_ERR, "worker start failed: %s", err.msg[0] ? err.msg : "no memory");
		if (loop_ok)
			gk_fcgiloop_free(&l);
		free(d);
		free(ans);
		return -1;
	}
	while (!stop_flag && !reload_flag) {
		enum gk_role role;
		size_t n;

		if (gk_fcgiloop_next(&l) != GK_OK)
			continue;
		switch (l.rq.role) {
		case FCGI_RESPONDER:
			role = GK_ROLE_RESPONDER;
			break;
		case FCGI_AUTHORIZER:
			role = GK_ROLE_AUTHORIZER;
			break;
		case FCGI_FILTER:
			role = GK_ROLE_FILTER;
			break;
		default:
			role = GK_ROLE_UNKNOWN;
			break;
		}
		gk_authz_decide(&a, role, l.rq.envp, d);
		n = gk_authz_answer(cfg, d, ans, GK_ANSWER_MAX);
		FCGX_PutStr(ans, (int)n, l.rq.out);
		gk_authz_log(&a, d);
		gk_fcgiloop_finish(&l);
		gk_wipe(d, sizeof(*d));
	}
	gk_fcgiloop_free(&l);
	gk_authz_free(&a);
	free(d);
	free(ans);
	return 0;
}

/* --- the pool ------------------------------------------------------------- */

struct slot {
	pid_t pid;              /* 0 = empty */
	int64_t started;        /* ms */
	int64_t respawn_at;     /* ms, when empty */
	unsigned fast_deaths;
};

struct pool {
	struct slot *slots;
	size_t n;
	pid_t *retiring;        /* old workers after a reload */
	size_t nretiring;
	int fd;
	const struct gk_config *cfg;
	const struct gk_log *log;
	sigset_t mask;          /* the signals the parent waits for */
};

static pid_t
spawn(struct pool *p, struct slot *s)
{
	pid_t pid = fork();

	if (pid < 0) {
		gk_log(p->log, LOG_ERR, "fork: %s", strerror(errno));
		s->respawn_at = now_ms() + 1000;
		return -1;
	}
	if (pid == 0) {
		sigset_t none;

		set_handler(SIGTERM, on_stop);
		set_handler(SIGINT, on_stop);
		signal(SIGHUP, SIG_IGN);        /* the parent reloads by replacing workers */
		signal(SIGCHLD, SIG_DFL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		/* The strict filter is the worker's alone: the supervisor must fork, wait and kill. */
		if (enter_sandbox(p->log) != 0)
			_exit(1);
		_exit(serve(p->fd, p->cfg, p->log) == 0 ? 0 : 1);
	}
	s->pid = pid;
	s->started = now_ms();
	return pid;
}

static void
reap(struct pool *p)
{
	pid_t pid;
	int status;
	size_t i;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (i = 0; i < p->nretiring; i++)
			if (p->retiring[i] == pid) {
				p->retiring[i] = p->retiring[--p->nretiring];
				pid = 0;
				break;
			}
		for (i = 0; pid != 0 && i < p->n; i++) {
			struct slot *s = &p->slots[i];
			int64_t now = now_ms(), delay = 0;

			if (s->pid != pid)
				continue;
			if (WIFSIGNALED(status))
				gk_log(p->log, LOG_ERR, "worker %ld killed by signal %d", (long)pid,
				    WTERMSIG(status));
			else
				gk_log(p->log, LOG_ERR, "worker %ld exited with status %d", (long)pid,
				    WEXITSTATUS(status));
			/* Dying in a loop: back off (100 ms doubling, at most 10 s). */
			if (now - s->started < 1000) {
				if (s->fast_deaths < 7)
					s->fast_deaths++;
				delay = 100LL << (s->fast_deaths - 1);
				if (delay > 10000)
					delay = 10000;
			} else {
				s->fast_deaths = 0;
			}
			s->pid = 0;
			s->respawn_at = now + delay;
		}
	}
}

static void
kill_all(struct pool *p, int sig)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (p->slots[i].pid > 0)
			kill(p->slots[i].pid, sig);
	for (i = 0; i < p->nretiring; i++)
		kill(p->retiring[i], sig);
}

static size_t
alive(const struct pool *p)
{
	size_t i, n = p->nretiring;

	for (i = 0; i < p->n; i++)
		n += p->slots[i].pid > 0;
	return n;
}

static void
stop_pool(struct pool *p)
{
	int64_t deadline = now_ms() + STOP_GRACE_MS;
	sigset_t chld;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	kill_all(p, SIGTERM);
	/* Empty slots must not be refilled now. */
	for (size_t i = 0; i < p->n; i++)
		p->slots[i].respawn_at = INT64_MAX;
	while (alive(p) > 0 && now_ms() < deadline) {
		struct timespec ts = { 0, 50 * 1000000L };

		sigtimedwait(&chld, NULL, &ts);
		reap(p);
		for (size_t i = 0; i < p->n; i++)
			p->slots[i].respawn_at = INT64_MAX;
	}
	if (alive(p) > 0) {
		kill_all(p, SIGKILL);
		while (waitpid(-1, NULL, 0) > 0)
			;
	}
}

static int
load_config(struct gk_config *cfg, const char *path, struct gk_err *err)
{
	memset(cfg, 0, sizeof(*cfg));
	if (gk_config_load(cfg, path, environ, err) != GK_OK ||
	    gk_config_validate(cfg, err) != GK_OK) {
		gk_config_free(cfg);
		return GK_ERR;
	}
	return GK_OK;
}

static void
log_setup(struct gk_log *log, const struct gk_config *cfg, bool debug)
{
	gk_log_init(log, PROG, debug ? GK_LOG_STDERR : (enum gk_log_target)cfg->log_target,
	    debug ? LOG_DEBUG : cfg->log_level);
}

static int
run_pool(int fd, struct gk_config *cfg, struct gk_log *log, const struct opts *o)
{
	struct pool p;
	struct gk_config newcfg;
	struct gk_err err = { "" };
	size_t i;

	memset(&p, 0, sizeof(p));
	p.fd = fd;
	p.cfg = cfg;
	p.log = log;
	p.n = (size_t)o->workers;
	if ((p.slots = calloc(p.n, sizeof(*p.slots))) == NULL ||
	    (p.retiring = calloc(p.n, sizeof(*p.retiring))) == NULL) {
		gk_log(log, LOG_ERR, "out of memory");
		return 1;
	}
	sigemptyset(&p.mask);
	sigaddset(&p.mask, SIGCHLD);
	sigaddset(&p.mask, SIGTERM);
	sigaddset(&p.mask, SIGINT);
	sigaddset(&p.mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &p.mask, NULL);
	gk_log(log, LOG_INFO, "starting %zu workers", p.n);
	for (;;) {
		int64_t now = now_ms(), next = now + 1000;
		struct timespec ts;
		siginfo_t si;
		int sig;

		for (i = 0; i < p.n; i++) {
			struct slot *s = &p.slots[i];

			if (s->pid == 0 && s->respawn_at <= now)
				spawn(&p, s);
			if (s->pid == 0 && s->respawn_at < next)
				next = s->respawn_at;
		}
		if (next < now + 1)
			next = now + 1;
		ts.tv_sec = (next - now) / 1000;
		ts.tv_nsec = (long)((next - now) % 1000) * 1000000L;
		sig = sigtimedwait(&p.mask, &si, &ts);
		if (sig == SIGCHLD) {
			reap(&p);
		} else if (sig == SIGTERM || sig == SIGINT) {
			gk_log(log, LOG_INFO, "stopping on signal %d", sig);
			stop_pool(&p);
			break;
		} else if (sig == SIGHUP) {
			if (load_config(&newcfg, o->config, &err) != GK_OK) {
				gk_log(log, LOG_ERR, "reload failed, keeping the running configuration: %s",
				    err.msg);
				continue;
			}
			/* Replace the workers: new ones start with the new config and a fresh DB handle. */
			for (i = 0; i < p.n; i++) {
				if (p.slots[i].pid > 0) {
					kill(p.slots[i].pid, SIGTERM);
					p.retiring[p.nretiring++] = p.slots[i].pid;
				}
				p.slots[i].pid = 0;
				p.slots[i].respawn_at = 0;
				p.slots[i].fast_deaths = 0;
			}
			gk_config_free(cfg);
			*cfg = newcfg;
			log_setup(log, cfg, o->debug);
			gk_log(log, LOG_INFO, "configuration reloaded");
		}
	}
	free(p.slots);
	free(p.retiring);
	return 0;
}

/* One process, no pool: the web server (mod_fcgid, lighttpd) manages processes. */
static int
run_single(int fd, struct gk_config *cfg, struct gk_log *log, const struct opts *o)
{
	struct gk_config newcfg;
	struct gk_err err = { "" };

	set_handler(SIGTERM, on_stop);
	set_handler(SIGINT, on_stop);
	set_handler(SIGUSR1, on_stop);  /* mod_fcgid's graceful stop */
	set_handler(SIGHUP, on_reload);
	/* This process is the worker (the web server supervises): filter it, reloads included. */
	if (enter_sandbox(log) != 0)
		return 1;
	for (;;) {
		if (serve(fd, cfg, log) != 0)
			return 1;
		if (stop_flag)
			return 0;
		if (reload_flag) {
			reload_flag = 0;
			wake_flag = 0;
			if (load_config(&newcfg, o->config, &err) != GK_OK) {
				gk_log(log, LOG_ERR, "reload failed, keeping the running configuration: %s",
				    err.msg);
				continue;
			}
			gk_config_free(cfg);
			*cfg = newcfg;
			log_setup(log, cfg, o->debug);
			gk_log(log, LOG_INFO, "configuration reloaded");
		}
	}
}

/*
 * Descriptors: 0-2 must exist (else the first file we open would become "standard output"),
 * and nothing else inherited may reach the sandboxed workers (a stray pipe or file of the
 * caller is a capability) -- except systemd's listening socket, fd 3, when it is for us.
 */
static void
sanitize_fds(void)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	unsigned first = 3;
	int fd;

	for (fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF &&
		    open("/dev/null", O_RDWR | O_NOCTTY) != fd)
			_exit(1);
	if (pid != NULL && fds != NULL && strtol(pid, NULL, 10) == (long)getpid())
		first = 3 + (unsigned)strtol(fds, NULL, 10);
	if (first < 3 || first > 64)
		first = 3;      /* nonsense: get_listener() refuses it anyway */
	close_range(first, ~0U, 0);
}

static int
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "listen", required_argument, NULL, 'l' },
		{ "socket-mode", required_argument, NULL, 'm' },
		{ "socket-owner", required_argument, NULL, 'o' },
		{ "workers", required_argument, NULL, 'w' },
		{ "debug", no_argument, NULL, 'd' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	char *end;
	long v;
	int ch;

	memset(o, 0, sizeof(*o));
	o->mode = 0660;
	while ((ch = getopt_long(argc, argv, "c:dhV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o->config = optarg;
			break;
		case 'l':
			o->listen = optarg;
			break;
		case 'm':
			errno = 0;
			v = strtol(optarg, &end, 8);
			if (errno || *end || end == optarg || v < 0 || v > 0777) {
				fprintf(stderr, PROG ": --socket-mode %s: not an octal mode\n", optarg);
				return 2;
			}
			o->mode = (mode_t)v;
			break;
		case 'o':
			o->owner = optarg;
			break;
		case 'w':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || v < 1 || v > WORKERS_MAX) {
				fprintf(stderr, PROG ": --workers %s: 1..%d\n", optarg, WORKERS_MAX);
				return 2;
			}
			o->workers = v;
			o->workers_set = true;
			break;
		case 'd':
			o->debug = true;
			break;
		case 'C':
			o->check = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf(PROG " " PACKAGE_VERSION "\n");
			exit(0);
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct gk_config cfg;
	struct gk_log log;
	struct gk_err err = { "" };
	struct own_socket own;
	bool server_managed;
	int fd, rc;

	sanitize_fds();
	if ((rc = parse_opts(argc, argv, &o)) != 0)
		return rc;
	if (load_config(&cfg, o.config, &err) != GK_OK) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	if (o.check) {
		gk_config_print(&cfg, stdout);
		gk_config_free(&cfg);
		return 0;
	}
	if (gk_sandbox_mode_parse(getenv("GATEKEEP_SECCOMP"), &seccomp_mode, &err) != GK_OK) {
		fprintf(stderr, PROG ": %s\n", err.msg);
		gk_config_free(&cfg);
		return 1;
	}
	log_setup(&log, &cfg, o.debug);
	if (seccomp_mode != GK_SANDBOX_OFF && !gk_sandbox_available()) {
		gk_log(&log, LOG_WARNING, "built without libseccomp: workers run without a filter");
		seccomp_mode = GK_SANDBOX_OFF;
	} else if (seccomp_mode != GK_SANDBOX_KILL) {
		gk_log(&log, LOG_WARNING, "GATEKEEP_SECCOMP=%s: debugging mode, not for production",
		    getenv("GATEKEEP_SECCOMP"));
	}
	memset(&own, 0, sizeof(own));
	signal(SIGPIPE, SIG_IGN);
	if ((fd = get_listener(&o, &own, &server_managed)) < 0) {
		gk_config_free(&cfg);
		return 1;
	}
	/* As root, before the drop: create the lockout state dir for run_user; a broken one stops here. */
	if (gk_authz_prepare(&cfg, &log, &err) != GK_OK) {
		gk_log(&log, LOG_ERR, "%s", err.msg);
		gk_config_free(&cfg);
		return 1;
	}
	if (reduce_privileges(&cfg, &log) != 0) {
		gk_config_free(&cfg);
		return 1;
	}
	if (FCGX_Init() != 0) {
		gk_log(&log, LOG_ERR, "FCGX_Init failed");
		gk_config_free(&cfg);
		return 1;
	}
	if (!o.workers_set) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		o.workers = n < 1 ? 1 : n > WORKERS_MAX ? WORKERS_MAX : n;
	}
	/* Started on fd 0 by mod_fcgid / lighttpd without --workers: they manage processes. */
	if (server_managed && !o.workers_set)
		rc = run_single(fd, &cfg, &log, &o);
	else
		rc = run_pool(fd, &cfg, &log, &o);
	if (own.made) {
		struct stat st;

		/* Remove our socket, unless someone replaced it meanwhile. */
		if (lstat(own.path, &st) == 0 && st.st_dev == own.dev && st.st_ino == own.ino)
			unlink(own.path);
	}
	gk_config_free(&cfg);
	return rc;
}
