/* log.c: syslog (authpriv) or stderr logging with levels and the stable decision-line format. */
#include <config.h>

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "log.h"
#include "logjson.h"

#define LOG_MSG_MAX   2048    /* formatted message before escaping */
#define LOG_LINE_MAX  4096    /* escaped message (and the stderr line around it) */
/*
 * A record as JSON: jansson writes each '\\' and '"' of the escaped message as two bytes,
 * so twice the escaped line plus the fixed keys always fits (a record that did not fit
 * would fall back to the text form in the middle of a JSON log, or be cut).
 */
#define LOG_JSON_MAX  (2 * LOG_LINE_MAX + 256)

/* Field caps for the decision line: enough for real values, short enough for syslog. */
#define FIELD_USER_MAX   (GK_USER_MAX * 4 + 4)
#define FIELD_SHORT_MAX  64
#define FIELD_FROM_MAX   128
#define FIELD_URI_MAX    1024

/*
 * This process's id for each stderr line: getpid() is a system call (glibc
 * caches nothing since 2.25), once per decision line on the hot path. Kept here, forgotten in
 * a forked child (pthread_atfork), read and set atomically (the hash pool's threads log too).
 */
static atomic_long log_pid;
static pthread_once_t log_pid_once = PTHREAD_ONCE_INIT;

static void
log_pid_forget(void)
{
	atomic_store_explicit(&log_pid, 0, memory_order_relaxed);
}

static void
log_pid_hook(void)
{
	(void)pthread_atfork(NULL, NULL, log_pid_forget);
}

static long
log_getpid(void)
{
	long pid = atomic_load_explicit(&log_pid, memory_order_relaxed);

	if (pid == 0) {
		(void)pthread_once(&log_pid_once, log_pid_hook);
		pid = (long)getpid();
		atomic_store_explicit(&log_pid, pid, memory_order_relaxed);
	}
	return pid;
}

/*
 * The lines of one event-loop wake-up, held per thread between two gk_log_flush() calls:
 * a decision's line cost a write(2) of its own, and on a pipe (systemd's stdout stream) or
 * the syslog socket each one also woke the reader; held, the wake-up's stderr lines go out
 * in one write and its syslog datagrams back to back, the reader woken about once.  At most
 * PIPE_BUF bytes, so that each write to a pipe stays whole beside other workers' writes.
 * Every line is kept in its stderr form (a syslog line's message at sys[i]): len grows
 * only once a line is copied in whole, and the fatal-signal handler, which cannot call
 * syslog(), writes [0, len) to stderr.
 */
#define HELD_SYSLOG_MAX 64
static _Thread_local struct {
	bool on;                /* this thread called gk_log_flush: it holds its lines */
	volatile size_t len;
	size_t nsys;
	struct {
		int prio;
		size_t at, msg, msglen; /* the line's start, its message's start and length */
	} sys[HELD_SYSLOG_MAX];
	char buf[PIPE_BUF];
} held;
static pthread_once_t held_once = PTHREAD_ONCE_INIT;

static void
held_write(void)
{
	size_t i, from = 0, n = held.len;
	int saved = errno;

	for (i = 0; i < held.nsys; i++) {
		if (held.sys[i].at > from)
			(void)gk_write_all(STDERR_FILENO, held.buf + from, held.sys[i].at - from);
		syslog(held.sys[i].prio, "%.*s", (int)held.sys[i].msglen,
		    held.buf + held.sys[i].msg);
		from = held.sys[i].msg + held.sys[i].msglen + 1;
	}
	if (n > from)
		(void)gk_write_all(STDERR_FILENO, held.buf + from, n - from);
	held.nsys = 0;
	held.len = 0;
	errno = saved;
}

/* A crash (or abort) in a wake-up: its lines before the default action (SA_RESETHAND). */
static void
held_on_fatal(int sig)
{
	int saved = errno;

	(void)sig;
	if (held.len > 0)
		(void)gk_write_all(STDERR_FILENO, held.buf, held.len);
	held.len = 0;
	errno = saved;
}

/* A forked child writes nothing its parent held, and holds nothing until it flushes itself. */
static void
held_forget(void)
{
	held.len = 0;
	held.nsys = 0;
	held.on = false;
}

static void
held_hooks(void)
{
	static const int fatal[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };
	struct sigaction sa, old;
	size_t i;

	(void)pthread_atfork(held_write, NULL, held_forget);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = held_on_fatal;
	sa.sa_flags = SA_RESETHAND | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	/* Only where nothing else handles the signal (a sanitizer's handler stays). */
	for (i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		if (sigaction(fatal[i], NULL, &old) == 0 && old.sa_handler == SIG_DFL &&
		    !(old.sa_flags & SA_SIGINFO))
			(void)sigaction(fatal[i], &sa, NULL);
}

void
gk_log_flush(void)
{
	held_write();
	if (!held.on) {
		(void)pthread_once(&held_once, held_hooks);
		held.on = true;
	}
}

void
gk_log_unhold(void)
{
	held_write();
	held.on = false;
}

/*
 * One whole line (its stderr form, ending in '\n'): held for the wake-up's write, or out at
 * once.  msg >= 0: a syslog line, whose message starts there.
 */
static void
put_line(const char *line, size_t len, int prio, int msg)
{
	if (held.on && (held.len + len > sizeof(held.buf) ||
	    (msg >= 0 && held.nsys == HELD_SYSLOG_MAX)))
		held_write();
	if (!held.on || len > sizeof(held.buf)) {
		if (msg >= 0)
			syslog(prio, "%.*s", (int)(len - (size_t)msg - 1), line + msg);
		else    /* one write(2) per line: lines from several workers never interleave */
			(void)gk_write_all(STDERR_FILENO, line, len);
		return;
	}
	if (msg >= 0) {
		held.sys[held.nsys].prio = prio;
		held.sys[held.nsys].at = held.len;
		held.sys[held.nsys].msg = held.len + (size_t)msg;
		held.sys[held.nsys].msglen = len - (size_t)msg - 1;
	}
	memcpy(held.buf + held.len, line, len);
	atomic_signal_fence(memory_order_release);     /* the copy, before the handler can see it */
	held.nsys += msg >= 0;
	held.len += len;
	/* An error may be the last line before the process ends: out with it now. */
	if (prio <= LOG_ERR)
		held_write();
}

static const struct {
	const char *name;
	int level;
} level_names[] = {
	{ "emerg", LOG_EMERG }, { "alert", LOG_ALERT }, { "crit", LOG_CRIT },
	{ "err", LOG_ERR }, { "error", LOG_ERR }, { "warning", LOG_WARNING },
	{ "warn", LOG_WARNING }, { "notice", LOG_NOTICE }, { "info", LOG_INFO },
	{ "debug", LOG_DEBUG },
};

const char *
gk_log_level_name(int prio)
{
	size_t i;

	for (i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
		if (level_names[i].level == prio)
			return level_names[i].name;
	return "info";
}

void
gk_log_init(struct gk_log *log, const char *ident, enum gk_log_target target, int level)
{
	const char *id = ident != NULL && *ident != '\0' ? ident : "gatekeep";

	memset(log, 0, sizeof(*log));
	/* A too-long ident is cut, not refused: logging must always work. */
	snprintf(log->ident, sizeof(log->ident), "%s", id);
	log->target = target == GK_LOG_STDERR ? GK_LOG_STDERR : GK_LOG_SYSLOG;
	log->level = level < LOG_EMERG ? LOG_EMERG : level > LOG_DEBUG ? LOG_DEBUG : level;
	/* openlog keeps the pointer: log must outlive every later syslog call. */
	if (log->target == GK_LOG_SYSLOG)
		openlog(log->ident, LOG_PID | LOG_NDELAY, LOG_AUTHPRIV);
}

void
gk_log_set_format(struct gk_log *log, enum gk_log_format format)
{
	log->format = format == GK_LOG_FORMAT_JSON ? GK_LOG_FORMAT_JSON : GK_LOG_FORMAT_TEXT;
}

int
gk_log_level_parse(const char *s, int *level)
{
	size_t i;

	if (s == NULL)
		return GK_EINVAL;
	for (i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		/* The three most severe are not offered: a log level above err hides denials. */
		if (level_names[i].level < LOG_ERR)
			continue;
		if (strcasecmp(s, level_names[i].name) == 0) {
			*level = level_names[i].level;
			return GK_OK;
		}
	}
	return GK_EINVAL;
}

/*
 * Length of a valid UTF-8 sequence at s (n bytes available) that encodes a
 * printable code point (not C1, not a surrogate, not overlong, <= U+10FFFF);
 * 0 if the bytes there are anything else.
 */
static size_t
utf8_printable_len(const unsigned char *s, size_t n)
{
	unsigned cp, need, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		need = 1;
		cp = s[0] & 0x1fu;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		need = 2;
		cp = s[0] & 0x0fu;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		need = 3;
		cp = s[0] & 0x07u;
	} else
		return 0;
	if (n < need + 1)
		return 0;
	for (i = 1; i <= need; i++) {
		if ((s[i] & 0xc0u) != 0x80u)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3fu);
	}
	if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp < 0xa0))
		return 0;
	return need + 1;
}

/*
 * The one escaper: field mode also escapes space, '"' and '\\' so that a
 * field is one unambiguous token; message mode escapes only what could
 * forge a line or upset a terminal. Cut on a piece boundary with "...".
 */
static char *
escape(const char *s, char *out, size_t outsz, bool field)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)(s != NULL ? s : "");
	size_t n = strlen((const char *)p), pos = 0, safe = 0;

	if (outsz == 0)
		return out;
	while (n > 0) {
		char piece[4];
		size_t plen, used;

		if (*p >= 0x80 && (used = utf8_printable_len(p, n)) > 0) {
			memcpy(piece, p, used);
			plen = used;
		} else if (*p < 0x20 || *p >= 0x7f ||
		    (field && (*p == ' ' || *p == '"' || *p == '\\'))) {
			piece[0] = '\\';
			piece[1] = 'x';
			piece[2] = hex[*p >> 4];
			piece[3] = hex[*p & 0x0f];
			plen = 4;
			used = 1;
		} else {
			piece[0] = (char)*p;
			plen = used = 1;
		}
		p += used;
		n -= used;
		if (pos + plen > outsz - 1) {
			/* Does not fit: back up to the last piece that leaves room for "...". */
			if (outsz > 3) {
				pos = safe;
				memcpy(out + pos, "...", 3);
				pos += 3;
			}
			break;
		}
		memcpy(out + pos, piece, plen);
		pos += plen;
		if (outsz > 3 && pos <= outsz - 4)
			safe = pos;
	}
	out[pos] = '\0';
	return out;
}

char *
gk_log_escape(const char *s, char *out, size_t outsz)
{
	return escape(s, out, outsz, true);
}

/* Joins the pieces (NULL-ended) into out, cut at outsz - 1 as snprintf cuts; their length. */
static size_t
join(char *out, size_t outsz, const char *const *piece)
{
	size_t pos = 0, n;

	for (; *piece != NULL; piece++) {
		n = strlen(*piece);
		if (n > outsz - 1 - pos)
			n = outsz - 1 - pos;
		memcpy(out + pos, *piece, n);
		pos += n;
	}
	out[pos] = '\0';
	return pos;
}

static void
emit_line(const struct gk_log *log, int prio, const char *msg, const char *json)
{
	char line[LOG_JSON_MAX + 64], obj[LOG_JSON_MAX];
	size_t len, mlen, off = 0;

	/* json: the decision's object (already made), or this message's; text if it cannot be */
	if (log != NULL && log->format == GK_LOG_FORMAT_JSON && json == NULL)
		json = gk_logjson_message(obj, sizeof(obj), log->ident, gk_log_level_name(prio), msg);
	if (json != NULL)
		msg = json;
	/* not held: syslog's message as it is, no stderr line around it */
	if (!held.on && log != NULL && log->target == GK_LOG_SYSLOG) {
		syslog(prio, "%s", msg);
		return;
	}
	/* "ident[pid]: level: " (json: none), then the message and '\n' */
	if (json == NULL) {
		char pid[24];
		long v = log_getpid();
		size_t k = sizeof(pid) - 1;
		const char *piece[] = { log != NULL ? log->ident : "gatekeep", "[", NULL, "]: ",
		    gk_log_level_name(prio), ": ", NULL };

		pid[k] = '\0';
		do
			pid[--k] = (char)('0' + v % 10);
		while ((v /= 10) > 0 && k > 0);
		piece[2] = pid + k;
		off = join(line, sizeof(line), piece);
	}
	mlen = strlen(msg);
	if (off + mlen > sizeof(line) - 2)
		mlen = sizeof(line) - 2 - off;  /* cut, the line still ends in '\n' */
	memcpy(line + off, msg, mlen);
	line[off + mlen] = '\n';
	len = off + mlen + 1;
	put_line(line, len, prio, log != NULL && log->target == GK_LOG_SYSLOG ? (int)off : -1);
}

static bool
wanted(const struct gk_log *log, int prio)
{
	int level = log != NULL ? log->level : LOG_NOTICE;     /* log_level's default */

	return LOG_PRI(prio) <= level;
}

void
gk_log(const struct gk_log *log, int prio, const char *fmt, ...)
{
	char raw[LOG_MSG_MAX], msg[LOG_LINE_MAX];
	va_list ap;
	int saved = errno;

	prio = LOG_PRI(prio);
	if (!wanted(log, prio))
		return;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	escape(raw, msg, sizeof(msg), false);
	emit_line(log, prio, msg, NULL);
	errno = saved;
}

/* A field for the decision line: "-" when absent, and a literal "-" escaped so it stays distinct. */
static const char *
field(const char *s, char *buf, size_t bufsz)
{
	if (s == NULL || *s == '\0')
		return "-";
	if (strcmp(s, "-") == 0)
		return "\\x2d";
	return escape(s, buf, bufsz, true);
}

static void
decision(const struct gk_log *log, int prio, bool allow, const char *user, const char *method,
    const char *from, const char *reason, const char *uri)
{
	char u[FIELD_USER_MAX], m[FIELD_SHORT_MAX], f[FIELD_FROM_MAX], r[FIELD_SHORT_MAX];
	char q[FIELD_URI_MAX], line[LOG_LINE_MAX], obj[LOG_JSON_MAX];
	const char *json = NULL, *uf, *mf, *ff, *rf, *qf;
	int saved = errno;

	if (!wanted(log, prio))
		return;
	uf = field(user, u, sizeof(u));
	mf = field(method, m, sizeof(m));
	ff = field(from, f, sizeof(f));
	rf = allow ? NULL : field(reason, r, sizeof(r));
	qf = field(uri, q, sizeof(q));
	{
		/* Keep this format byte-for-byte: fail2ban filters and gatekeep.7 depend on it. */
		const char *piece[] = { allow ? "allow user=" : "deny user=", uf, " method=", mf,
		    " from=", ff, allow ? "" : " reason=", allow ? "" : rf, " uri=", qf, NULL };

		join(line, sizeof(line), piece);
	}
	if (log != NULL && log->format == GK_LOG_FORMAT_JSON)
		json = gk_logjson_decision(obj, sizeof(obj), log->ident, gk_log_level_name(prio),
		    allow ? "allow" : "deny", uf, mf, ff, rf, qf);
	emit_line(log, prio, line, json);
	errno = saved;
}

void
gk_log_decision(const struct gk_log *log, bool allow, const char *user, const char *method,
    const char *from, const char *reason, const char *uri)
{
	decision(log, allow ? LOG_INFO : LOG_NOTICE, allow, user, method, from, reason, uri);
}

void
gk_log_signin(const struct gk_log *log, const char *user, const char *method, const char *from,
    const char *uri)
{
	decision(log, LOG_NOTICE, true, user, method, from, NULL, uri);
}
