/* log.h: syslog (authpriv) or stderr logging with levels and the stable decision-line format. */
#ifndef GK_LOG_H
#define GK_LOG_H

#include <syslog.h>

#include "common.h"

enum gk_log_target { GK_LOG_SYSLOG = 0, GK_LOG_STDERR = 1 };
enum gk_log_format { GK_LOG_FORMAT_TEXT = 0, GK_LOG_FORMAT_JSON = 1 };

/* Caller-owned logger settings (no global state in lib/, beyond openlog()). */
struct gk_log {
	char ident[32];
	enum gk_log_target target;
	int level;                 /* syslog priority: LOG_ERR .. LOG_DEBUG; messages above it are dropped */
	enum gk_log_format format; /* text (gk_log_init's) or json (gk_log_set_format) */
};

/* Sets up the logger; for syslog it calls openlog(ident, LOG_PID|LOG_NDELAY, LOG_AUTHPRIV). */
void gk_log_init(struct gk_log *log, const char *ident, enum gk_log_target target, int level);

/*
 * log_format = json: every line becomes one JSON object (lib/logjson), the decision line
 * with the same fields and values as its text form; text is what fail2ban's filter reads.
 */
void gk_log_set_format(struct gk_log *log, enum gk_log_format format);

/* Parses "err|warning|notice|info|debug" into a syslog priority. */
int gk_log_level_parse(const char *s, int *level);
/* The name of a syslog priority as log lines and gatekeep --check-config show it ("err"). */
const char *gk_log_level_name(int prio);

/*
 * Writes the lines this thread holds (stderr: in one write(2); syslog: one syslog() each,
 * back to back) and from then on holds this thread's lines until its next call: the event
 * loop calls it right before it waits, so the lines of one wake-up go out together, whole
 * and in order, each stderr write at most PIPE_BUF bytes (an error line, or one longer than
 * PIPE_BUF, goes out at once).  A thread that never calls it writes each line at once (the
 * libfcgi core, gatekeep-login, the hash pool's threads).  Held lines go out before a fork,
 * and on a crash (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, where nothing else handles them)
 * to stderr, syslog's too (syslog() is no call for a signal handler).
 */
void gk_log_flush(void);
/* Writes what this thread holds and holds no more: when its event loop has returned (a
 * worker ends with _exit, which would drop them). */
void gk_log_unhold(void);

/* Logs one line (message is escaped: control characters never reach the log raw). */
void gk_log(const struct gk_log *log, int prio, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Escapes s for a log field: bytes < 0x20, 0x7f, '"' , '\\' and space become \xHH,
 * output is cut at outsz-1 with a trailing "..." marker. Returns out.
 */
char *gk_log_escape(const char *s, char *out, size_t outsz);

/*
 * The stable decision line fail2ban matches (one line, fields escaped, "-" when empty):
 *   allow user=alice method=basic from=203.0.113.7 uri=/admin
 *   deny user=alice method=basic from=203.0.113.7 reason=bad-password uri=/admin
 * allow is logged at info (one per allowed request: below the default log_level, notice),
 * deny at notice.
 */
void gk_log_decision(const struct gk_log *log, bool allow, const char *user, const char *method,
    const char *from, const char *reason, const char *uri);
/* A sign-in: the same allow line, byte for byte, at notice, so the default log keeps it. */
void gk_log_signin(const struct gk_log *log, const char *user, const char *method, const char *from,
    const char *uri);

#endif
