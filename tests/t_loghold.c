/* t_loghold.c: a wake-up's stderr lines held by gk_log_flush() come out whole, in order, in one write each. */
#include <config.h>

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "log.h"
#include "tap.h"

/*
 * fd 2 is one end of a SOCK_SEQPACKET pair: every write(2) arrives as one record, so a
 * read tells how many writes there were and what each carried.
 */
static int peer = -1;

static void
cap_init(void)
{
	int sv[2], big = 1 << 20;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) != 0)
		abort();
	(void)setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	(void)setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	if (dup2(sv[0], STDERR_FILENO) < 0)
		abort();
	close(sv[0]);
	peer = sv[1];
}

/* The next write's bytes (static buffer), or NULL when none is waiting. */
static const char *
next_write(size_t *lenp)
{
	static char buf[65536];
	ssize_t n = recv(peer, buf, sizeof(buf) - 1, MSG_DONTWAIT);

	if (n < 0)
		return NULL;
	buf[n] = '\0';
	if (lenp != NULL)
		*lenp = (size_t)n;
	return buf;
}

/* How many writes are waiting (and drops them). */
static int
drain(void)
{
	int k = 0;

	while (next_write(NULL) != NULL)
		k++;
	return k;
}

static void *
other_thread(void *arg)
{
	gk_log(arg, LOG_INFO, "from the pool thread");
	return NULL;
}

/* A wake-up's lines: an allow, a message, a deny. */
static void
log_wakeup(const struct gk_log *log, const char *uri1, const char *uri2)
{
	gk_log_decision(log, true, "alice", "session", "192.0.2.1", NULL, uri1);
	gk_log(log, LOG_INFO, "middle");
	gk_log_decision(log, false, "bob", "basic", "192.0.2.2", "bad-password", uri2);
}

/* n numbered lines, each with pad bytes of c (a control character is escaped to 4 bytes). */
static void
log_numbered(const struct gk_log *log, int from, int n, size_t pad, char c)
{
	char fill[2048];
	int i;

	memset(fill, c, sizeof(fill));
	for (i = from; i < from + n; i++)
		gk_log(log, LOG_INFO, "line %04d %.*s", i, (int)pad, fill);
}

int
main(void)
{
	struct gk_log log, slog;
	struct sigaction before;
	const char *w;
	char want[1024], all[65536];
	size_t len, total;
	pthread_t th;
	pid_t pid;
	int k, status, bad, maxlen;

	cap_init();
	(void)sigaction(SIGSEGV, NULL, &before);
	gk_log_init(&log, "t", GK_LOG_STDERR, LOG_DEBUG);

	/* Never flushed: each line is written at once. */
	gk_log(&log, LOG_INFO, "one");
	gk_log(&log, LOG_INFO, "two");
	is_int(drain(), 2, "a thread that never flushed writes each line at once");

	/* Held: nothing is written until the flush, then the three lines in one write. */
	gk_log_flush();
	log_wakeup(&log, "/a", "/b");
	ok(next_write(NULL) == NULL, "held lines are not written before the flush");
	/* another thread's line (the hash pool's) is not held by this one's flush */
	pthread_create(&th, NULL, other_thread, &log);
	pthread_join(th, NULL);
	w = next_write(NULL);
	ok(w != NULL && strstr(w, "from the pool thread") != NULL, "another thread writes at once");
	gk_log_flush();
	w = next_write(&len);
	snprintf(want, sizeof(want),
	    "t[%ld]: info: allow user=alice method=session from=192.0.2.1 uri=/a\n"
	    "t[%ld]: info: middle\n"
	    "t[%ld]: notice: deny user=bob method=basic from=192.0.2.2 reason=bad-password uri=/b\n",
	    (long)getpid(), (long)getpid(), (long)getpid());
	is_str(w != NULL ? w : "(no write)", want, "one write: the wake-up's lines, whole, in order");
	is_int(drain(), 0, "and no other write");
	gk_log_flush();
	is_int(drain(), 0, "nothing stays held after a flush");

	/* More than PIPE_BUF in one wake-up: writes of at most PIPE_BUF, each ending a line. */
	log_numbered(&log, 0, 40, 200, 'x');
	gk_log_flush();
	total = 0;
	k = bad = maxlen = 0;
	while ((w = next_write(&len)) != NULL) {
		k++;
		if (len > PIPE_BUF || len == 0 || w[len - 1] != '\n')
			bad++;
		if ((int)len > maxlen)
			maxlen = (int)len;
		if (total + len < sizeof(all)) {
			memcpy(all + total, w, len);
			total += len;
		}
	}
	all[total] = '\0';
	ok(k >= 2 && bad == 0, "40 lines of ~230 bytes: %d writes, each <= PIPE_BUF and whole (max %d)",
	    k, maxlen);
	for (k = 0, bad = 0; k < 40; k++) {
		char tag[32];
		const char *at;

		snprintf(tag, sizeof(tag), ": line %04d ", k);
		at = strstr(all, tag);
		if (at == NULL || (k > 0 && at < strstr(all, ": line 0000 ")))
			bad++;
	}
	is_int(bad, 0, "every line there");
	{
		const char *p = all;
		int prev = -1, order_bad = 0, n;

		while ((p = strstr(p, ": line ")) != NULL) {
			n = atoi(p + 7);
			order_bad += n != prev + 1;
			prev = n;
			p++;
		}
		ok(order_bad == 0 && prev == 39, "in order (last %d)", prev);
	}

	/* An error line goes out at once, after what was held before it. */
	gk_log(&log, LOG_INFO, "held before the error");
	gk_log(&log, LOG_ERR, "the error");
	w = next_write(NULL);
	ok(w != NULL && strstr(w, "held before the error\n") != NULL &&
	    strstr(w, "the error\n") > strstr(w, "held before"), "an error line is written at once, in order");
	gk_log_flush();
	is_int(drain(), 0, "(nothing left)");

	/* A line longer than PIPE_BUF: written alone, after the lines held before it. */
	gk_log(&log, LOG_INFO, "short one");
	log_numbered(&log, 100, 1, PIPE_BUF / 3, '\x01');
	w = next_write(&len);
	ok(w != NULL && strstr(w, "short one\n") != NULL && len < 100, "the held line first");
	w = next_write(&len);
	ok(w != NULL && len > PIPE_BUF && strstr(w, "line 0100") != NULL, "then the long line, alone");
	gk_log_flush();
	is_int(drain(), 0, "(nothing left)");

	/* A fork writes what was held (once: the child does not write it again). */
	gk_log(&log, LOG_INFO, "held at the fork");
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		gk_log(&log, LOG_INFO, "child line");   /* not held: the child has not flushed */
		_exit(0);
	}
	waitpid(pid, &status, 0);
	w = next_write(NULL);
	ok(w != NULL && strstr(w, "held at the fork\n") != NULL, "held lines are written before a fork");
	w = next_write(NULL);
	ok(w != NULL && strstr(w, "child line\n") != NULL && strstr(w, "held at the fork") == NULL,
	    "the child writes its own line at once, not the parent's again");
	is_int(drain(), 0, "(nothing else)");

	/* gk_log_unhold: what is held, then each line at once. */
	gk_log(&log, LOG_INFO, "last of the loop");
	gk_log_unhold();
	w = next_write(NULL);
	ok(w != NULL && strstr(w, "last of the loop\n") != NULL, "unhold writes what is held");
	gk_log(&log, LOG_INFO, "after the loop");
	w = next_write(NULL);
	ok(w != NULL && strstr(w, "after the loop\n") != NULL, "and the next line is written at once");

	/*
	 * syslog: held the same way, sent back to back at the flush.  LOG_PERROR makes glibc's
	 * syslog() also write each message to stderr: one write per syslog() call, when it happens.
	 */
	gk_log_init(&slog, "s", GK_LOG_SYSLOG, LOG_DEBUG);
	openlog("s", LOG_PID | LOG_PERROR, LOG_AUTHPRIV);
	gk_log(&slog, LOG_INFO, "syslog at once");
	is_int(drain(), 1, "syslog: a thread that holds nothing calls syslog() at once");
	gk_log_flush();
	log_wakeup(&slog, "/s1", "/s2");
	ok(next_write(NULL) == NULL, "syslog: held lines are not sent before the flush");
	gk_log_flush();
	w = next_write(NULL);
	ok(w != NULL && strstr(w, "allow user=alice method=session from=192.0.2.1 uri=/s1") != NULL &&
	    strstr(w, "info:") == NULL, "syslog: the first message, as syslog() had it");
	w = next_write(NULL);
	ok(w != NULL && strstr(w, ": middle") != NULL, "syslog: the second, in order");
	w = next_write(NULL);
	ok(w != NULL && strstr(w, "deny user=bob method=basic from=192.0.2.2 reason=bad-password uri=/s2") !=
	    NULL, "syslog: the third");
	is_int(drain(), 0, "syslog: nothing else");
	gk_log_flush();
	is_int(drain(), 0, "syslog: nothing stays held after a flush");
	gk_log_unhold();
	openlog("s", LOG_PID, LOG_AUTHPRIV);

	/* A crash in a wake-up: its lines are written before the default action. */
	if (before.sa_handler == SIG_DFL && !(before.sa_flags & SA_SIGINFO)) {
		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			struct rlimit none = { 0, 0 };
			volatile int *volatile nowhere = NULL;

			(void)setrlimit(RLIMIT_CORE, &none);
			gk_log_flush();
			gk_log(&log, LOG_INFO, "decided just before the crash");
			gk_log(&slog, LOG_INFO, "a syslog line held at the crash");
			*nowhere = 1;
			_exit(0);
		}
		waitpid(pid, &status, 0);
		ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV, "the child died of SIGSEGV");
		w = next_write(NULL);
		ok(w != NULL && strstr(w, "decided just before the crash\n") != NULL &&
		    strstr(w, "]: info: a syslog line held at the crash\n") != NULL,
		    "its held lines were written first (a syslog one in its stderr form)");
	} else {
		/* A handler of someone else's (a sanitizer's) is left in place, not replaced. */
		struct sigaction now;

		ok(sigaction(SIGSEGV, NULL, &now) == 0 && now.sa_handler == before.sa_handler &&
		    (now.sa_flags & SA_SIGINFO) == (before.sa_flags & SA_SIGINFO),
		    "SIGSEGV already had a handler (a sanitizer's): holding lines left it in place");
	}
	return done_testing();
}
