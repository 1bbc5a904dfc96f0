/* t_prefork.c: lib/prefork for real: pool start, respawn with back-off, reloads good and bad, stop with every child reaped; one process. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "prefork.h"
#include "tap.h"

#define NW 3                    /* workers */
#define EXIT_DELAY_MS 400       /* how long a stopped worker lingers (keeps retired ones alive) */
#define WAIT_MS 5000            /* the longest any expected event may take */

/* What serve reports on the pipe each time it starts: one write(2), < PIPE_BUF. */
struct rec {
	pid_t pid;
	int gen;                /* the generation of the state: bumped by each good reload */
	int sandboxed;          /* how often this process entered the "sandbox" */
};

/* The serving process's state behind ops.arg. */
struct pool_state {
	int wfd;                /* the report pipe */
	int gen;
	int sandboxed;
	char failfile[64];      /* while it exists, reload fails */
	char stubborn[80];      /* while it exists, a stopped worker does not exit */
	struct gk_log logs[2];  /* alternates on reload: the pool must ask for the current one */
};

static volatile sig_atomic_t stopped, reloading;        /* in a serving process */

static void
on_stop(int sig)
{
	(void)sig;
	stopped = 1;
}

static void
on_reload(int sig)
{
	(void)sig;
	reloading = 1;
}

static int
sandbox(void *arg)
{
	((struct pool_state *)arg)->sandboxed++;
	return GK_OK;
}

static int
serve(void *arg)
{
	struct pool_state *st = arg;
	struct rec r = { getpid(), st->gen, st->sandboxed };
	struct timespec linger = { EXIT_DELAY_MS / 1000, (EXIT_DELAY_MS % 1000) * 1000000L };
	sigset_t sigs, old;

	/* Blocked until sigsuspend: a signal between the check and the wait cannot be lost. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGUSR1);
	sigaddset(&sigs, SIGHUP);
	sigprocmask(SIG_BLOCK, &sigs, &old);
	if (write(st->wfd, &r, sizeof(r)) != (ssize_t)sizeof(r))
		return -1;
	while (!stopped && !reloading)
		sigsuspend(&old);
	sigprocmask(SIG_SETMASK, &old, NULL);
	while (stopped && access(st->stubborn, F_OK) == 0)
		pause();        /* until SIGKILL */
	if (!stopped) {
		reloading = 0;
		return GK_PREFORK_RELOAD;
	}
	nanosleep(&linger, NULL);
	return GK_PREFORK_STOP;
}

static int
reload(void *arg, struct gk_err *err)
{
	struct pool_state *st = arg;

	if (access(st->failfile, F_OK) == 0)
		return gk_err_set(err, "test refuses");
	st->gen++;
	return GK_OK;
}

static const struct gk_log *
current_log(void *arg)
{
	struct pool_state *st = arg;

	return &st->logs[st->gen % 2];
}

/* The process under test: stderr to logpath, then the pool (or one process); exit 0 only if no child is left. */
static void
pool_main(int wfd, const char *logpath, const char *failfile, bool single)
{
	struct pool_state st;
	struct gk_prefork_ops ops = { .arg = &st, .on_stop = on_stop, .on_reload = on_reload,
	    .sandbox = sandbox, .serve = serve, .reload = reload, .log = current_log };
	int fd, rc;

	memset(&st, 0, sizeof(st));
	st.wfd = wfd;
	snprintf(st.failfile, sizeof(st.failfile), "%s", failfile);
	snprintf(st.stubborn, sizeof(st.stubborn), "%s.stubborn", failfile);
	gk_log_init(&st.logs[0], "pool-even", GK_LOG_STDERR, LOG_INFO);
	gk_log_init(&st.logs[1], "pool-odd", GK_LOG_STDERR, LOG_INFO);
	if ((fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600)) < 0 ||
	    dup2(fd, STDERR_FILENO) < 0)
		_exit(90);
	close(fd);
	rc = single ? gk_prefork_single(&ops) : gk_prefork_run(NW, &ops);
	if (rc != GK_OK)
		_exit(91);
	/* Every worker must have been reaped before gk_prefork_run returned. */
	if (waitpid(-1, NULL, WNOHANG) != -1 || errno != ECHILD)
		_exit(92);
	_exit(0);
}

/* Forks the process under test; its reports come on *rfd. */
static pid_t
start(const char *logpath, const char *failfile, bool single, int *rfd)
{
	int p[2];
	pid_t pid;

	fflush(stdout);
	if (pipe(p) != 0 || (pid = fork()) < 0) {
		printf("Bail out! pipe/fork: %s\n", strerror(errno));
		exit(99);
	}
	if (pid == 0) {
		close(p[0]);
		pool_main(p[1], logpath, failfile, single);
	}
	close(p[1]);
	*rfd = p[0];
	return pid;
}

/* Waits for pid; true if it exited with status 0. */
static bool
exited_ok(pid_t pid, int *status)
{
	*status = -1;
	if (waitpid(pid, status, 0) != pid)
		return false;
	return WIFEXITED(*status) && WEXITSTATUS(*status) == 0;
}

/* Sleeps 20 ms; false once the deadline (ms, monotonic) has passed. */
static bool
tick(int64_t deadline)
{
	struct timespec ts = { 0, 20 * 1000000L };

	if (gk_now_ms() > deadline)
		return false;
	nanosleep(&ts, NULL);
	return true;
}

/* Reads one start report within WAIT_MS; 0 on success. */
static int
next_rec(int rfd, struct rec *r)
{
	struct pollfd pfd = { rfd, POLLIN, 0 };

	if (poll(&pfd, 1, WAIT_MS) != 1)
		return -1;
	return read(rfd, r, sizeof(*r)) == (ssize_t)sizeof(*r) ? 0 : -1;
}

/* True if the pipe reaches end of file within WAIT_MS: every process that held it is gone. */
static bool
eof_within(int rfd)
{
	struct pollfd pfd = { rfd, POLLIN, 0 };
	char c;

	return poll(&pfd, 1, WAIT_MS) == 1 && read(rfd, &c, 1) == 0;
}

/* True if nothing is reported for ms milliseconds. */
static bool
quiet_for(int rfd, int ms)
{
	struct pollfd pfd = { rfd, POLLIN, 0 };

	return poll(&pfd, 1, ms) == 0;
}

static bool
log_has(const char *logpath, const char *needle)
{
	char buf[16384];
	ssize_t n;
	int fd;

	if ((fd = open(logpath, O_RDONLY)) < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return false;
	buf[n] = '\0';
	return strstr(buf, needle) != NULL;
}

/* Waits up to WAIT_MS for a log line (the pool writes it a moment after the event). */
static bool
log_wait(const char *logpath, const char *needle)
{
	int64_t end = gk_now_ms() + WAIT_MS;

	while (!log_has(logpath, needle))
		if (!tick(end))
			return false;
	return true;
}

/* Waits up to WAIT_MS until pid is gone, reaped by its parent (a zombie still answers kill 0). */
static bool
gone(pid_t pid)
{
	int64_t end = gk_now_ms() + WAIT_MS;

	while (kill(pid, 0) == 0 || errno != ESRCH)
		if (!tick(end))
			return false;
	return true;
}

static bool
all_alive(const pid_t *pids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (kill(pids[i], 0) != 0)
			return false;
	return true;
}

static bool
member(pid_t pid, const pid_t *pids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

/* Reads NW reports of generation gen into pids; true if all came, distinct, new, sandboxed once. */
static bool
read_generation(int rfd, int gen, pid_t *pids, const pid_t *old, size_t nold)
{
	struct rec r;

	for (size_t i = 0; i < NW; i++) {
		if (next_rec(rfd, &r) != 0 || r.gen != gen || r.sandboxed != 1 ||
		    member(r.pid, pids, i) || member(r.pid, old, nold))
			return false;
		pids[i] = r.pid;
	}
	return true;
}

static void
test_pool(const char *logpath, const char *failfile)
{
	pid_t pool, pids[NW], prev[NW], all[8 * NW];
	size_t nall = 0, left;
	int64_t waited = 0;
	struct rec r;
	char line[96];
	int rfd, status, gen = 0;
	bool done;
	int64_t t0;

	pool = start(logpath, failfile, false, &rfd);

	/* Start. */
	ok(read_generation(rfd, gen, pids, NULL, 0),
	    "%d workers start, distinct pids, each sandboxed once", NW);
	ok(all_alive(pids, NW), "all of them alive");
	ok(log_wait(logpath, "pool-even[") && log_has(logpath, "starting 3 workers"),
	    "\"starting 3 workers\" logged");
	memcpy(all, pids, sizeof(pids));
	nall = NW;

	/* A worker killed: replaced by a new one, and the death logged. */
	kill(pids[0], SIGKILL);
	ok(next_rec(rfd, &r) == 0 && !member(r.pid, all, nall) && r.gen == gen,
	    "a worker killed with SIGKILL is replaced by a new process");
	snprintf(line, sizeof(line), "worker %ld killed by signal 9", (long)pids[0]);
	ok(log_wait(logpath, line), "its death is logged: %s", line);
	ok(gone(pids[0]), "the dead worker is reaped");
	pids[0] = all[nall++] = r.pid;

	/*
	 * Killed again at once: it lived under a second, so the next one waits (200 ms, then
	 * 400, 800).  Up to three tries: on a loaded machine (valgrind, make -j) the kill may
	 * come after the worker's first second, which rightly resets the back-off.
	 */
	for (int try = 0; try < 3; try++) {
		bool replaced;

		t0 = gk_now_ms();
		kill(pids[0], SIGKILL);
		replaced = next_rec(rfd, &r) == 0 && !member(r.pid, all, nall);
		waited = gk_now_ms() - t0;
		if (!replaced) {
			ok(0, "replaced again (try %d)", try + 1);
			break;
		}
		pids[0] = all[nall++] = r.pid;
		if (waited >= 150 || try == 2) {
			ok(1, "replaced again");
			break;
		}
		printf("# try %d: replaced after %lld ms, no back-off seen: again\n", try + 1,
		    (long long)waited);
	}
	ok(waited >= 150, "after a back-off (%lld ms, want >= 200)", (long long)waited);
	ok(all_alive(pids, NW), "the pool has %d live workers", NW);

	/* A reload that fails keeps every worker. */
	if (close(open(failfile, O_WRONLY | O_CREAT, 0600)) != 0)
		printf("# cannot create %s\n", failfile);
	kill(pool, SIGHUP);
	ok(log_wait(logpath, "reload failed, keeping the running configuration: test refuses"),
	    "a failed reload is logged");
	ok(quiet_for(rfd, 300), "no worker is started after a failed reload");
	ok(all_alive(pids, NW), "the running workers are kept");
	ok(!log_has(logpath, "configuration reloaded"), "nothing claims a reload");

	/* A reload that works replaces every worker; the line goes to the new log. */
	unlink(failfile);
	memcpy(prev, pids, sizeof(pids));
	kill(pool, SIGHUP);
	gen++;
	ok(read_generation(rfd, gen, pids, all, nall), "a good reload starts %d new workers", NW);
	ok(gone(prev[0]) && gone(prev[1]) && gone(prev[2]), "the old workers stop and are reaped");
	ok(log_wait(logpath, "pool-odd[") && log_has(logpath, "configuration reloaded"),
	    "\"configuration reloaded\" is logged through the new log");
	memcpy(all + nall, pids, sizeof(pids));
	nall += NW;

	/*
	 * Reload again while the last reload's workers still linger, twice: 2 * NW retiring at
	 * once, more than the pool's first allocation for them.
	 */
	memcpy(prev, pids, sizeof(pids));
	kill(pool, SIGHUP);
	gen++;
	ok(read_generation(rfd, gen, pids, all, nall), "reload 2: new workers");
	memcpy(all + nall, pids, sizeof(pids));
	nall += NW;
	ok(all_alive(prev, NW), "reload 2's retired workers still linger (the next step is valid)");
	kill(pool, SIGHUP);
	gen++;
	ok(read_generation(rfd, gen, pids, all, nall), "reload 3, before they left: new workers");
	memcpy(all + nall, pids, sizeof(pids));
	nall += NW;
	left = 0;
	for (size_t i = 0; i < nall - NW; i++)
		left += !gone(all[i]);
	is_int(left, 0, "every retired or killed worker is reaped");
	ok(all_alive(pids, NW), "the newest workers run");
	ok(quiet_for(rfd, 200), "no extra worker was started");

	/* SIGTERM: the pool returns with every child reaped. */
	t0 = gk_now_ms();
	kill(pool, SIGTERM);
	done = exited_ok(pool, &status);
	ok(done, "SIGTERM ends gk_prefork_run with no child left (wait status %#x)",
	    status);
	ok(gk_now_ms() - t0 < GK_PREFORK_GRACE_MS, "gracefully, before the SIGKILL deadline");
	ok(log_has(logpath, "stopping on signal 15"), "\"stopping on signal 15\" logged");
	ok(!log_has(logpath, "exited with status"),
	    "workers that stop as told are no error line (\"exited with status\")");
	left = 0;
	for (size_t i = 0; i < nall; i++)
		left += kill(all[i], 0) == 0;
	is_int(left, 0, "none of the %zu workers ever started is left", nall);
	ok(eof_within(rfd), "the report pipe is closed by everyone (EOF)");
	close(rfd);
}

/* Workers that ignore SIGTERM: SIGKILL after the grace period, and still every child reaped. */
static void
test_stubborn(const char *logpath, const char *failfile)
{
	char stubborn[80];
	pid_t pool, pids[NW];
	size_t left = 0;
	int rfd, status;
	bool done;
	int64_t t0;

	snprintf(stubborn, sizeof(stubborn), "%s.stubborn", failfile);
	pool = start(logpath, failfile, false, &rfd);
	ok(read_generation(rfd, 0, pids, NULL, 0), "stubborn: %d workers start", NW);
	if (close(open(stubborn, O_WRONLY | O_CREAT, 0600)) != 0)
		printf("# cannot create %s\n", stubborn);
	t0 = gk_now_ms();
	kill(pool, SIGTERM);
	done = exited_ok(pool, &status);
	ok(done, "stubborn: SIGTERM still ends the pool with no child left (%#x)",
	    status);
	ok(gk_now_ms() - t0 >= GK_PREFORK_GRACE_MS - 100, "stubborn: after the grace period (%lld ms)",
	    (long long)(gk_now_ms() - t0));
	for (size_t i = 0; i < NW; i++)
		left += kill(pids[i], 0) == 0;
	is_int(left, 0, "stubborn: every worker is gone");
	ok(log_has(logpath, "3 worker(s) still running after 5000 ms: killing them"),
	    "stubborn: the SIGKILL is logged");
	unlink(stubborn);
	close(rfd);
}

/* gk_prefork_single: this process serves; SIGHUP reloads in place, SIGUSR1 stops. */
static void
test_single(const char *logpath, const char *failfile)
{
	struct rec r;
	pid_t pid;
	int rfd, status;
	bool done;

	pid = start(logpath, failfile, true, &rfd);
	ok(next_rec(rfd, &r) == 0 && r.pid == pid && r.gen == 0 && r.sandboxed == 1,
	    "single: the process itself serves, sandboxed");
	if (close(open(failfile, O_WRONLY | O_CREAT, 0600)) != 0)
		printf("# cannot create %s\n", failfile);
	kill(pid, SIGHUP);
	ok(next_rec(rfd, &r) == 0 && r.pid == pid && r.gen == 0,
	    "single: after a failed reload it serves the old state");
	ok(log_has(logpath, "reload failed, keeping the running configuration: test refuses"),
	    "single: the failed reload is logged");
	unlink(failfile);
	kill(pid, SIGHUP);
	ok(next_rec(rfd, &r) == 0 && r.pid == pid && r.gen == 1 && r.sandboxed == 1,
	    "single: a good reload serves the new state, still in the same sandbox");
	ok(log_has(logpath, "pool-odd[") && log_has(logpath, "configuration reloaded"),
	    "single: \"configuration reloaded\" logged through the new log");
	kill(pid, SIGUSR1);
	done = exited_ok(pid, &status);
	ok(done, "single: SIGUSR1 (mod_fcgid's graceful stop) ends it (%#x)",
	    status);
	close(rfd);
}

int
main(void)
{
	char dir[] = "/tmp/t_prefork.XXXXXX", logpath[64], failfile[64];

	if (mkdtemp(dir) == NULL) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 99;
	}
	snprintf(logpath, sizeof(logpath), "%s/log", dir);
	snprintf(failfile, sizeof(failfile), "%s/fail", dir);
	test_pool(logpath, failfile);
	test_stubborn(logpath, failfile);   /* (each test starts with an empty log) */
	test_single(logpath, failfile);
	unlink(logpath);
	rmdir(dir);
	return done_testing();
}
