/* prompt.c: reading a password from the terminal (no echo) or one line of standard input. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "passwd.h"

/* The only global: set by the signal handler so a read(2) interrupted by ^C ends the prompt. */
static volatile sig_atomic_t got_signal;

static void
on_signal(int sig)
{
	got_signal = sig;
}

static const int prompt_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU };
#define NSIGNALS (sizeof(prompt_signals) / sizeof(prompt_signals[0]))

static void
write_all(int fd, const char *s)
{
	size_t len = strlen(s);
	ssize_t n;

	while (len > 0) {
		n = write(fd, s, len);
		if (n < 0 && errno == EINTR && !got_signal)
			continue;
		if (n <= 0)
			return;
		s += n;
		len -= (size_t)n;
	}
}

/*
 * Reads one line from the terminal into buf byte by byte (so nothing after
 * the newline is consumed). Too long input is read to its end and refused.
 */
static int
read_tty_line(int fd, char *buf, size_t bufsz)
{
	size_t len = 0;
	bool toolong = false, nul = false;
	char c;
	ssize_t n;

	for (;;) {
		n = read(fd, &c, 1);
		if (n < 0 && errno == EINTR) {
			if (got_signal)
				return EX_PW_INTR;
			continue;
		}
		if (n < 0)
			return EX_PW_FILE;
		if (n == 0 || c == '\n' || c == '\r')
			break;
		if (c == '\0')
			nul = true;
		if (len + 1 < bufsz)
			buf[len++] = c;
		else
			toolong = true;
	}
	gk_wipe(&c, sizeof(c));
	buf[len] = '\0';
	if (nul)
		return EX_PW_SYNTAX;
	return toolong ? EX_PW_OVERFLOW : EX_PW_OK;
}

int
pw_prompt(const char *prompt, bool confirm, char *buf, size_t bufsz)
{
	struct termios saved, quiet;
	struct sigaction sa, oldsa[NSIGNALS];
	char again[GK_PASSWORD_MAX + 2];
	bool have_termios = false;
	int fd, rc;
	size_t i;

	fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		pw_warnx("cannot open /dev/tty to ask for the password (use -b or -i): %s",
		    strerror(errno));
		return EX_PW_SYNTAX;
	}

	got_signal = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;   /* no SA_RESTART: read(2) must return EINTR */
	for (i = 0; i < NSIGNALS; i++)
		sigaction(prompt_signals[i], &sa, &oldsa[i]);

	if (tcgetattr(fd, &saved) == 0) {
		have_termios = true;
		quiet = saved;
		quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHONL);
		(void)tcsetattr(fd, TCSAFLUSH, &quiet);
	}

	write_all(fd, prompt);
	rc = read_tty_line(fd, buf, bufsz);
	write_all(fd, "\n");
	if (rc == EX_PW_OK && confirm) {
		write_all(fd, "Re-type new password: ");
		rc = read_tty_line(fd, again, sizeof(again));
		write_all(fd, "\n");
		if (rc == EX_PW_OK || rc == EX_PW_OVERFLOW) {
			size_t a = strlen(buf), b = strlen(again);

			if (rc == EX_PW_OVERFLOW || a != b || !gk_ct_equal(buf, again, a))
				rc = EX_PW_MISMATCH;
		}
	}
	gk_wipe(again, sizeof(again));

	if (have_termios)
		(void)tcsetattr(fd, TCSAFLUSH, &saved);
	for (i = 0; i < NSIGNALS; i++)
		sigaction(prompt_signals[i], &oldsa[i], NULL);
	close(fd);

	if (got_signal)
		rc = EX_PW_INTR;
	switch (rc) {
	case EX_PW_OK:
		return EX_PW_OK;
	case EX_PW_INTR:
		pw_warnx("interrupted");
		break;
	case EX_PW_MISMATCH:
		pw_warnx("password verification error");
		break;
	case EX_PW_OVERFLOW:
		pw_warnx("password too long (at most %d bytes)", GK_PASSWORD_MAX);
		break;
	case EX_PW_SYNTAX:
		pw_warnx("the password contains a NUL byte");
		break;
	default:
		pw_warnx("cannot read the password from /dev/tty");
		break;
	}
	gk_wipe(buf, bufsz);
	return rc;
}

int
pw_read_line(FILE *fp, char *buf, size_t bufsz)
{
	size_t len = 0;
	bool nul = false, toolong = false, any = false;
	int c;

	while ((c = getc(fp)) != EOF) {
		any = true;
		if (c == '\n')
			break;
		if (c == '\0')
			nul = true;
		if (len + 1 < bufsz)
			buf[len++] = (char)c;
		else
			toolong = true;
	}
	if (ferror(fp)) {
		gk_wipe(buf, bufsz);
		pw_warnx("cannot read the password from standard input: %s", strerror(errno));
		return EX_PW_FILE;
	}
	if (len > 0 && buf[len - 1] == '\r' && c == '\n')
		len--;
	buf[len] = '\0';
	if (!any) {
		pw_warnx("no password on standard input");
		return EX_PW_SYNTAX;
	}
	if (nul) {
		gk_wipe(buf, bufsz);
		pw_warnx("the password on standard input contains a NUL byte");
		return EX_PW_SYNTAX;
	}
	if (toolong) {
		gk_wipe(buf, bufsz);
		pw_warnx("password too long (at most %d bytes)", GK_PASSWORD_MAX);
		return EX_PW_OVERFLOW;
	}
	return EX_PW_OK;
}
