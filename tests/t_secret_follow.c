/* t_secret_follow.c: the key the long-running programs use follows its file, and each change is logged once. */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "secret_follow.h"
#include "testdb.h"
#include "tap.h"

static int logfd;
static off_t seen;

/* The log lines written since the last call (stderr goes to a temp file). */
static const char *
new_lines(void)
{
	static char buf[4096];
	ssize_t n;

	fflush(stderr);
	n = pread(logfd, buf, sizeof(buf) - 1, seen);
	buf[n > 0 ? n : 0] = '\0';
	seen += n > 0 ? n : 0;
	return buf;
}

static int
lines(const char *s)
{
	int n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

int
main(void)
{
	char dir[] = "/tmp/t_secret_follow.XXXXXX", path[128], logpath[160];
	struct gk_secret s;
	struct gk_err err = { "" };
	struct gk_log log;
	const struct gk_secret *k;
	const char *got;
	unsigned char first[sizeof(s.key)];
	int fd;

	if (mkdtemp(dir) == NULL)
		return 2;
	snprintf(path, sizeof(path), "%s/secret", dir);
	snprintf(logpath, sizeof(logpath), "%s/log", dir);
	if ((logfd = open(logpath, O_RDWR | O_CREAT | O_TRUNC, 0600)) < 0 || dup2(logfd, 2) < 0)
		return 2;
	gk_log_init(&log, "t", GK_LOG_STDERR, LOG_INFO);
	memset(&s, 0, sizeof(s));

	ok(gk_secret_create(path, &err) == GK_OK, "a secret file (%s)", err.msg);
	k = gk_secret_follow(path, &s, &log);
	ok(k == &s && s.len > 0, "the first use loads the key");
	is_str(new_lines(), "", "... quietly");
	memcpy(first, s.key, sizeof(first));
	ok(gk_secret_follow(path, &s, &log) == &s, "unchanged: the same key");
	is_str(new_lines(), "", "... nothing logged");

	ok(gk_secret_rotate(path, false, &err) == GK_OK, "rotated (%s)", err.msg);
	ok(gk_secret_follow(path, &s, &log) == &s && memcmp(s.key, first, s.len) != 0,
	    "after a rotation: the new key at once");
	got = new_lines();
	ok(strstr(got, ": notice: secret_file ") != NULL && strstr(got, ": changed on disk, key reloaded\n") !=
	    NULL && lines(got) == 1, "... one notice (%s)", got);
	ok(gk_secret_follow(path, &s, &log) == &s, "used again");
	is_str(new_lines(), "", "... the change is not logged twice");

	if ((fd = open(path, O_WRONLY | O_TRUNC)) < 0 || write(fd, "short\n", 6) != 6)
		return 2;
	close(fd);
	ok(gk_secret_follow(path, &s, &log) == NULL && s.len == 0, "a broken file: no key (fail closed)");
	got = new_lines();
	ok(strstr(got, ": err: secret_file ") != NULL && lines(got) == 1, "... one error (%s)", got);
	ok(gk_secret_follow(path, &s, &log) == NULL, "still broken: still no key");
	is_str(new_lines(), "", "... not logged at every request");

	memset(&s, 0, sizeof(s));
	ok(gk_secret_follow(NULL, &s, &log) == NULL, "no secret_file: no key");
	got = new_lines();
	ok(strstr(got, ": err: secret_file (unset): ") != NULL && lines(got) == 1, "... said once (%s)", got);
	ok(gk_secret_follow(NULL, &s, &log) == NULL && new_lines()[0] == '\0', "... and not again");

	gk_secret_wipe(&s);
	testdb_rm_rf(dir);
	return done_testing();
}
