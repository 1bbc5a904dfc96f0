/* t_log.c: field escaping, level filtering and the exact decision-line format (stderr captured). */
#include <config.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/wait.h>

#include "log.h"
#include "tap.h"

static char capfile[4096];
static int capfd = -1, saved_stderr = -1;

/* Starts sending fd 2 to an empty temp file. */
static void
cap_start(void)
{
	fflush(stderr);
	if (ftruncate(capfd, 0) != 0 || lseek(capfd, 0, SEEK_SET) != 0)
		abort();
	saved_stderr = dup(2);
	if (saved_stderr < 0 || dup2(capfd, 2) < 0)
		abort();
}

/* Restores fd 2 and returns what was written (static buffer). */
static const char *
cap_end(void)
{
	static char buf[16384];
	ssize_t n;

	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	n = pread(capfd, buf, sizeof(buf) - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static int
count_char(const char *s, char c)
{
	int n = 0;

	for (; *s != '\0'; s++)
		n += *s == c;
	return n;
}

static const struct {
	int line;
	const char *in, *want;
} esc_cases[] = {
	{ __LINE__, "alice", "alice" },
	{ __LINE__, "", "" },
	{ __LINE__, "a b", "a\\x20b" },
	{ __LINE__, "a\"b", "a\\x22b" },
	{ __LINE__, "a\\b", "a\\x5cb" },
	{ __LINE__, "a\\x0ab", "a\\x5cx0ab" },          /* a literal escape stays distinguishable */
	{ __LINE__, "a\nb", "a\\x0ab" },
	{ __LINE__, "a\r\nb", "a\\x0d\\x0ab" },
	{ __LINE__, "\t", "\\x09" },
	{ __LINE__, "\x1b[31m", "\\x1b[31m" },
	{ __LINE__, "\x7f", "\\x7f" },
	{ __LINE__, "j\xc3\xbcrgen", "j\xc3\xbcrgen" },    /* valid UTF-8 kept */
	{ __LINE__, "\xe2\x82\xac", "\xe2\x82\xac" },       /* euro sign */
	{ __LINE__, "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80" },
	{ __LINE__, "\xc2\x85", "\\xc2\\x85" },             /* C1 NEL */
	{ __LINE__, "\xc2\x9b", "\\xc2\\x9b" },             /* C1 CSI */
	{ __LINE__, "\xc0\x8a", "\\xc0\\x8a" },             /* overlong LF */
	{ __LINE__, "\xe0\x80\x8a", "\\xe0\\x80\\x8a" },    /* overlong LF, 3 bytes */
	{ __LINE__, "\xed\xa0\x80", "\\xed\\xa0\\x80" },    /* surrogate */
	{ __LINE__, "\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80" },   /* > U+10FFFF */
	{ __LINE__, "\xff", "\\xff" },
	{ __LINE__, "\xc3", "\\xc3" },                      /* truncated sequence */
	{ __LINE__, "/admin?x=1&y=%0a", "/admin?x=1&y=%0a" },
};

int
main(void)
{
	struct gk_log log;
	char out[64], big[3000];
	const char *got;
	char want[512];
	size_t i;
	int lv;
	long pid = (long)getpid();

	{
		const char *t = getenv("TMPDIR");

		snprintf(capfile, sizeof(capfile), "%s/t_log.XXXXXX",
		    t != NULL && *t == '/' ? t : "/tmp");
	}
	capfd = mkstemp(capfile);
	if (capfd < 0)
		return 99;
	unlink(capfile);

	/* gk_log_escape */
	for (i = 0; i < sizeof(esc_cases) / sizeof(esc_cases[0]); i++)
		is_str(gk_log_escape(esc_cases[i].in, out, sizeof(out)), esc_cases[i].want,
		    "line %d: escape", esc_cases[i].line);
	is_str(gk_log_escape(NULL, out, sizeof(out)), "", "escape(NULL) is empty");
	is_str(gk_log_escape("abcdefghij", out, 8), "abcd...", "cut at outsz-1 with ...");
	is_str(gk_log_escape("abcdefg", out, 8), "abcdefg", "exact fit is not cut");
	is_str(gk_log_escape("ab\ncdefg", out, 8), "ab...", "an escape is never cut in half");
	is_str(gk_log_escape("ab\xc3\xbc" "cdef", out, 8), "ab\xc3\xbc...",
	    "a UTF-8 sequence is never cut in half");
	is_str(gk_log_escape("abcdef", out, 3), "ab", "tiny buffer: no room for the marker");
	is_str(gk_log_escape("abcdef", out, 1), "", "one-byte buffer holds the NUL");
	ok(gk_log_escape("x", out, sizeof(out)) == out, "returns out");

	/* gk_log_level_parse */
	is_int(gk_log_level_parse("info", &lv), GK_OK, "info parses");
	is_int(lv, LOG_INFO, "... as LOG_INFO");
	is_int(gk_log_level_parse("DEBUG", &lv), GK_OK, "DEBUG parses (case-insensitive)");
	is_int(lv, LOG_DEBUG, "... as LOG_DEBUG");
	is_int(gk_log_level_parse("warn", &lv), GK_OK, "warn parses");
	is_int(lv, LOG_WARNING, "... as LOG_WARNING");
	is_int(gk_log_level_parse("error", &lv), GK_OK, "error parses");
	is_int(lv, LOG_ERR, "... as LOG_ERR");
	ok(gk_log_level_parse("emerg", &lv) != GK_OK, "emerg refused (would hide denials)");
	ok(gk_log_level_parse("", &lv) != GK_OK, "empty refused");
	ok(gk_log_level_parse("7", &lv) != GK_OK, "numbers refused");
	ok(gk_log_level_parse(NULL, &lv) != GK_OK, "NULL refused");

	/* The exact decision lines on stderr. */
	gk_log_init(&log, "gatekeep-authz", GK_LOG_STDERR, LOG_INFO);
	cap_start();
	gk_log_decision(&log, false, "alice", "basic", "203.0.113.7", "bad-password", "/admin");
	got = cap_end();
	snprintf(want, sizeof(want), "gatekeep-authz[%ld]: notice: deny user=alice method=basic "
	    "from=203.0.113.7 reason=bad-password uri=/admin\n", pid);
	is_str(got, want, "deny line, exact");

	cap_start();
	gk_log_decision(&log, true, "alice", "session", "2001:db8::1", "ignored", "/app/x?y=1");
	got = cap_end();
	snprintf(want, sizeof(want), "gatekeep-authz[%ld]: info: allow user=alice method=session "
	    "from=2001:db8::1 uri=/app/x?y=1\n", pid);
	is_str(got, want, "allow line, exact (no reason field)");

	cap_start();
	gk_log_decision(&log, false, NULL, "", NULL, "no-credentials", "");
	got = cap_end();
	snprintf(want, sizeof(want), "gatekeep-authz[%ld]: notice: deny user=- method=- from=- "
	    "reason=no-credentials uri=-\n", pid);
	is_str(got, want, "absent fields are '-'");

	cap_start();
	gk_log_decision(&log, false, "-", "basic", "unix:", "bad-password", "/");
	got = cap_end();
	snprintf(want, sizeof(want), "gatekeep-authz[%ld]: notice: deny user=\\x2d method=basic "
	    "from=unix: reason=bad-password uri=/\n", pid);
	is_str(got, want, "a user literally named '-' stays distinct from no user");

	/* Log injection: a forged second line or forged fields must not appear. */
	cap_start();
	gk_log_decision(&log, false, "x from=198.51.100.1 reason=ok\ndeny user=root", "basic",
	    "203.0.113.9", "bad-password", "/a b\r\n");
	got = cap_end();
	is_int(count_char(got, '\n'), 1, "hostile fields give exactly one line");
	ok(strstr(got, " from=198.51.100.1") == NULL, "no forged from= field (%s)", got);
	ok(strstr(got, "user=x\\x20from=198.51.100.1\\x20reason=ok\\x0adeny\\x20user=root ") != NULL,
	    "the user field is one escaped token");
	ok(strstr(got, "uri=/a\\x20b\\x0d\\x0a\n") != NULL, "the uri is escaped");
	ok(strchr(got, '\r') == NULL, "no raw CR");

	/* Long fields are cut, still one line. */
	memset(big, 'a', sizeof(big) - 1);
	big[0] = '/';
	big[sizeof(big) - 1] = '\0';
	cap_start();
	gk_log_decision(&log, false, big, "basic", "203.0.113.7", "bad-password", big);
	got = cap_end();
	is_int(count_char(got, '\n'), 1, "long fields: one line");
	ok(strstr(got, "...") != NULL && strlen(got) < 2000, "long fields: cut with ... (%zu bytes)",
	    strlen(got));
	ok(strstr(got, " method=basic from=203.0.113.7 reason=bad-password uri=/aaa") != NULL,
	    "long fields: the other fields survive");

	/* Level filtering: at notice, allow (info) lines are dropped, deny lines kept. */
	gk_log_init(&log, "gatekeep-login", GK_LOG_STDERR, LOG_NOTICE);
	cap_start();
	gk_log_decision(&log, true, "bob", "form", "192.0.2.1", NULL, "/");
	gk_log(&log, LOG_INFO, "info message %d", 1);
	gk_log(&log, LOG_DEBUG, "debug message");
	got = cap_end();
	is_str(got, "", "info and debug dropped at level notice");
	cap_start();
	gk_log_decision(&log, false, "bob", "form", "192.0.2.1", "locked", "/");
	gk_log(&log, LOG_ERR, "cannot open %s", "/var/lib/gatekeep/users.db");
	got = cap_end();
	snprintf(want, sizeof(want), "gatekeep-login[%ld]: notice: deny user=bob method=form "
	    "from=192.0.2.1 reason=locked uri=/\ngatekeep-login[%ld]: err: cannot open "
	    "/var/lib/gatekeep/users.db\n", pid, pid);
	is_str(got, want, "deny and err kept at level notice");
	/* A sign-in: the allow line byte for byte, at notice, so the default level keeps it. */
	cap_start();
	gk_log_signin(&log, "bob", "form", "192.0.2.1", "/gatekeep/login");
	got = cap_end();
	snprintf(want, sizeof(want), "gatekeep-login[%ld]: notice: allow user=bob method=form "
	    "from=192.0.2.1 uri=/gatekeep/login\n", pid);
	is_str(got, want, "a sign-in is kept at level notice, in the allow line's format");

	/* gk_log escapes control characters but keeps spaces in free text. */
	gk_log_init(&log, "gk", GK_LOG_STDERR, LOG_DEBUG);
	cap_start();
	gk_log(&log, LOG_WARNING, "user %s: %s", "eve\r\nforged", "bad \x1b[2J");
	got = cap_end();
	snprintf(want, sizeof(want), "gk[%ld]: warning: user eve\\x0d\\x0aforged: bad \\x1b[2J\n", pid);
	is_str(got, want, "message: control characters escaped, spaces kept");
	cap_start();
	gk_log(&log, LOG_DEBUG, "%s", "d");
	got = cap_end();
	snprintf(want, sizeof(want), "gk[%ld]: debug: d\n", pid);
	is_str(got, want, "debug shown at level debug");

	/* A long ident is cut to fit, not refused. */
	gk_log_init(&log, "an-ident-much-longer-than-thirty-one-bytes", GK_LOG_STDERR, LOG_INFO);
	is_int(strlen(log.ident), sizeof(log.ident) - 1, "long ident cut");
	gk_log_init(&log, NULL, GK_LOG_STDERR, LOG_INFO);
	is_str(log.ident, "gatekeep", "NULL ident is 'gatekeep'");

	/* Each line names the process that wrote it, also in a child forked after a line. */
	{
		char want_pid[64];
		pid_t child;
		int status;

		gk_log_init(&log, "gatekeep-test", GK_LOG_STDERR, LOG_INFO);
		cap_start();
		gk_log(&log, LOG_INFO, "parent");
		got = cap_end();
		snprintf(want_pid, sizeof(want_pid), "gatekeep-test[%ld]: info: parent\n", (long)getpid());
		is_str(got, want_pid, "a line names this process");
		cap_start();
		if ((child = fork()) == 0) {
			gk_log(&log, LOG_INFO, "child");
			_exit(0);
		}
		waitpid(child, &status, 0);
		got = cap_end();
		snprintf(want_pid, sizeof(want_pid), "gatekeep-test[%ld]: info: child\n", (long)child);
		is_str(got, want_pid, "a forked child's line names the child, not its parent");
	}

	/* Syslog target: must not write to stderr (and must not crash without a syslog daemon). */
	gk_log_init(&log, "gatekeep-test", GK_LOG_SYSLOG, LOG_DEBUG);
	cap_start();
	gk_log_decision(&log, false, "t_log", "basic", "192.0.2.1", "test", "/t_log");
	got = cap_end();
	is_str(got, "", "syslog target writes nothing to stderr");
	closelog();
	close(capfd);
	return done_testing();
}
