/* t_secret.c: the secret file: creation, strict loading, .prev handling, rotation and following the file. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "secret.h"
#include "tap.h"

static char dir[256];

static const char *
p(const char *name)
{
	static char buf[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return buf[i];
}

static void
put(const char *name, const char *data, size_t len, mode_t mode)
{
	int fd;

	unlink(p(name));
	fd = open(p(name), O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0 || write(fd, data, len) != (ssize_t)len) {
		perror(name);
		exit(2);
	}
	fchmod(fd, mode);
	close(fd);
}

/* Reads a small file into buf (NUL-terminated); returns its length or -1. */
static ssize_t
slurp(const char *path, char *buf, size_t bufsz)
{
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	n = read(fd, buf, bufsz - 1);
	close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

static int
load(const char *name)
{
	struct gk_secret s;
	struct gk_err err = { "" };
	int rc = gk_secret_load(p(name), &s, &err);

	if (rc != GK_OK)
		diag("%s: %s", name, err.msg);
	else
		gk_secret_wipe(&s);
	return rc;
}

static bool
all_b64url(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", s[i]))
			return false;
	return true;
}

static void
test_create(void)
{
	struct gk_err err = { "" };
	struct gk_secret s;
	struct stat st;
	char a[128], b[128];

	is_int(gk_secret_create(p("key"), &err), GK_OK, "create a new secret file");
	ok(stat(p("key"), &st) == 0 && (st.st_mode & 07777) == 0600, "it has mode 0600");
	is_int(slurp(p("key"), a, sizeof(a)), 44, "43 characters and a newline");
	ok(all_b64url(a, 43) && a[43] == '\n', "base64url characters only");
	is_int(gk_secret_create(p("key"), &err), GK_ERR, "an existing file is never overwritten");
	ok(strstr(err.msg, "exists") != NULL, "  and the message says so: %s", err.msg);
	slurp(p("key"), b, sizeof(b));
	is_str(b, a, "  the key is unchanged");
	is_int(gk_secret_create(p("key2"), &err), GK_OK, "create a second secret");
	slurp(p("key2"), b, sizeof(b));
	ok(strcmp(a, b) != 0, "two secrets differ");

	ok(symlink(p("nowhere"), p("dangling")) == 0, "make a dangling symlink");
	ok(gk_secret_create(p("dangling"), &err) != GK_OK, "create refuses a dangling symlink");
	ok(access(p("nowhere"), F_OK) != 0, "  and did not create its target");
	ok(gk_secret_create(p("no/such/dir/key"), &err) != GK_OK, "create in a missing dir fails");
	ok(gk_secret_create("", &err) != GK_OK, "create with an empty path fails");

	is_int(gk_secret_load(p("key"), &s, &err), GK_OK, "load the created key");
	is_int(s.len, 43, "  43 bytes of key");
	ok(memcmp(s.key, a, 43) == 0, "  the file's text without the newline");
	is_int(s.prev_len, 0, "  no previous key");
	gk_secret_wipe(&s);
	is_int(s.len, 0, "wipe clears the length");
	ok(s.key[0] == 0 && s.key[42] == 0, "wipe clears the key");
}

static void
test_load_refusals(void)
{
	char key[300];
	struct gk_secret s;
	struct gk_err err = { "" };

	memset(key, 'k', sizeof(key));
	put("m", key, 40, 0640);
	is_int(load("m"), GK_OK, "mode 0640 is accepted (group-readable for the web server)");
	put("m", key, 40, 0400);
	is_int(load("m"), GK_OK, "mode 0400 is accepted");
	put("m", key, 40, 0644);
	ok(load("m") != GK_OK, "mode 0644 (world-readable) is refused");
	put("m", key, 40, 0602);
	ok(load("m") != GK_OK, "mode 0602 (world-writable) is refused");
	put("m", key, 40, 0601);
	ok(load("m") != GK_OK, "mode 0601 is refused");
	put("m", key, 40, 0660);
	ok(load("m") != GK_OK, "mode 0660 (group-writable) is refused");

	put("m", key, 31, 0600);
	ok(load("m") != GK_OK, "31 bytes is too short");
	put("m", "0123456789012345678901234567890\n", 32, 0600);
	ok(load("m") != GK_OK, "31 bytes plus a newline is too short");
	put("m", key, 32, 0600);
	is_int(load("m"), GK_OK, "32 bytes is enough");
	put("m", key, 0, 0600);
	ok(load("m") != GK_OK, "an empty file is refused");
	put("m", key, 256, 0600);
	is_int(load("m"), GK_OK, "256 bytes is the maximum");
	put("m", key, 257, 0600);
	ok(load("m") != GK_OK, "257 bytes is too long");
	memcpy(key + 256, "\n", 1);
	put("m", key, 257, 0600);
	is_int(load("m"), GK_OK, "256 bytes and a newline is fine");
	memset(key, 'k', sizeof(key));

	ok(load("missing") != GK_OK, "a missing file is refused");
	ok(mkdir(p("adir"), 0700) == 0, "make a directory");
	ok(load("adir") != GK_OK, "a directory is refused");
	ok(mkfifo(p("fifo"), 0600) == 0, "make a FIFO");
	ok(load("fifo") != GK_OK, "a FIFO is refused (and does not hang)");

	put("m", "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\r\n", 38, 0600);
	ok(load("m") != GK_OK, "CRLF line end is refused (CR is a control byte)");
	put("m", "kkkkkkkkkkkkkkkkkkkk\0kkkkkkkkkkkkkkkkkkkkk", 42, 0600);
	ok(load("m") != GK_OK, "a NUL byte is refused");
	put("m", "kkkkkkkkkkkkkkkkkkkk\tkkkkkkkkkkkkkkkkkkkkk", 42, 0600);
	ok(load("m") != GK_OK, "a tab is refused");
	put("m", "kkkkkkkkkkkkkkkkkkkk\x7fkkkkkkkkkkkkkkkkkkkkk", 42, 0600);
	ok(load("m") != GK_OK, "DEL is refused");
	put("m", "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\nkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n",
	    76, 0600);
	ok(load("m") != GK_OK, "two lines are refused");
	put("m", "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n\n", 40, 0600);
	ok(load("m") != GK_OK, "a trailing empty line is refused (only one newline is stripped)");

	/* Decision: symlinks are followed and the target is checked (container secret mounts). */
	put("target", key, 40, 0600);
	ok(symlink(p("target"), p("link")) == 0, "make a symlink to a good key");
	is_int(load("link"), GK_OK, "a symlink to a good key file loads");
	put("target", key, 40, 0644);
	ok(load("link") != GK_OK, "a symlink to a world-readable file is refused");

	/* A failed load leaves nothing behind. */
	s.len = 99;
	ok(gk_secret_load(p("missing"), &s, &err) != GK_OK && s.len == 0, "failed load: len 0");
	ok(gk_secret_load(NULL, &s, &err) != GK_OK, "NULL path refused");
}

static void
test_prev_and_rotate(void)
{
	struct gk_err err = { "" };
	struct gk_secret s;
	struct stat st;
	char old[128], now_key[128], prevtxt[128];
	time_t t0 = time(NULL);

	is_int(gk_secret_create(p("r"), &err), GK_OK, "create a key to rotate");
	chmod(p("r"), 0640);
	slurp(p("r"), old, sizeof(old));
	is_int(gk_secret_rotate(p("r"), false, &err), GK_OK, "rotate");
	if (err.msg[0] != '\0')
		diag("%s", err.msg);
	slurp(p("r"), now_key, sizeof(now_key));
	slurp(p("r.prev"), prevtxt, sizeof(prevtxt));
	is_str(prevtxt, old, "the old key is in .prev");
	ok(strcmp(now_key, old) != 0 && strlen(now_key) == 44, "a new 43-character key");
	ok(stat(p("r"), &st) == 0 && (st.st_mode & 07777) == 0640, "mode 0640 kept on the key");
	ok(stat(p("r.prev"), &st) == 0 && (st.st_mode & 07777) == 0640, "  and given to .prev");
	is_int(gk_secret_load(p("r"), &s, &err), GK_OK, "load a rotated key");
	ok(s.len == 43 && memcmp(s.key, now_key, 43) == 0, "  current key is the new one");
	ok(s.prev_len == 43 && memcmp(s.prev, old, 43) == 0, "  previous key is the old one");
	ok(s.prev_since >= t0 - 1 && s.prev_since <= time(NULL) + 1, "  prev_since is the rotation time");
	ok(gk_secret_prev_usable(&s, s.prev_since + 10, 3600), "prev usable inside the window");
	ok(!gk_secret_prev_usable(&s, s.prev_since + 3600, 3600), "prev not usable at the window's end");
	ok(!gk_secret_prev_usable(&s, s.prev_since + 86400, 3600), "prev not usable long after");
	ok(!gk_secret_prev_usable(&s, s.prev_since, 0), "prev not usable with a zero window");
	ok(gk_secret_prev_usable(&s, s.prev_since - 10, 3600), "prev usable if the clock stepped back a little");
	ok(!gk_secret_prev_usable(&s, s.prev_since - 7200, 3600), "  but not for a far-future rotation time");
	gk_secret_wipe(&s);
	ok(!gk_secret_prev_usable(&s, time(NULL), 3600), "no prev after wipe");

	is_int(gk_secret_rotate(p("r"), false, &err), GK_OK, "rotate again");
	slurp(p("r.prev"), prevtxt, sizeof(prevtxt));
	is_str(prevtxt, now_key, "  .prev now holds the second key");

	chmod(p("r.prev"), 0644);
	ok(load("r") != GK_OK, "a world-readable .prev makes the load fail (deny, do not guess)");
	chmod(p("r.prev"), 0600);
	is_int(load("r"), GK_OK, "  and loads again once fixed");

	put("rt", "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n", 39, 0600);
	ok(symlink(p("rt"), p("rlink")) == 0, "make a symlink to a key");
	ok(gk_secret_rotate(p("rlink"), false, &err) != GK_OK, "rotate refuses a symlink");
	ok(strstr(err.msg, "symlink") != NULL, "  saying why: %s", err.msg);
	ok(gk_secret_rotate(p("nokey"), false, &err) != GK_OK, "rotate of a missing file fails");
	ok(access(p("nokey.prev"), F_OK) != 0, "  and writes no .prev");
	put("bad", "short\n", 6, 0600);
	ok(gk_secret_rotate(p("bad"), false, &err) != GK_OK, "rotate refuses an invalid current key");
	ok(access(p("bad.prev"), F_OK) != 0, "  and writes no .prev");
	put("open", "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n", 39, 0644);
	ok(gk_secret_rotate(p("open"), false, &err) != GK_OK, "rotate refuses a world-readable key");
}

/* The key that follows its file: rotation, leak rotation, breakage and repair, without a reload. */
static void
test_refresh(void)
{
	struct gk_err err = { "" };
	struct gk_secret s;
	char k1[128], k2[128], k3[128];
	bool report = true;
	int i;

	memset(&s, 0, sizeof(s));
	is_int(gk_secret_create(p("f"), &err), GK_OK, "create a key to follow");
	slurp(p("f"), k1, sizeof(k1));
	is_int(gk_secret_refresh(p("f"), &s, &report, &err), GK_OK, "refresh of a zeroed secret loads it");
	ok(!report, "  the first load is not reported");
	ok(s.len == 43 && memcmp(s.key, k1, 43) == 0 && s.prev_len == 0, "  the key, no previous key");
	for (i = 0; i < 3; i++) {
		report = true;
		gk_secret_refresh(p("f"), &s, &report, &err);
	}
	ok(!report && s.len == 43 && memcmp(s.key, k1, 43) == 0, "unchanged files: same key, nothing to report");

	is_int(gk_secret_rotate(p("f"), false, &err), GK_OK, "rotate");
	slurp(p("f"), k2, sizeof(k2));
	is_int(gk_secret_refresh(p("f"), &s, &report, &err), GK_OK, "refresh after the rotation");
	ok(report, "  the reload is reported");
	ok(s.len == 43 && memcmp(s.key, k2, 43) == 0, "  signs with the new key");
	ok(s.prev_len == 43 && memcmp(s.prev, k1, 43) == 0, "  the old key is the previous one");
	ok(gk_secret_prev_usable(&s, time(NULL), 3600), "  usable for one session TTL");

	is_int(gk_secret_rotate(p("f"), true, &err), GK_OK, "rotate because the key leaked");
	ok(access(p("f.prev"), F_OK) != 0, "  no .prev left");
	slurp(p("f"), k3, sizeof(k3));
	ok(strcmp(k3, k2) != 0 && strcmp(k3, k1) != 0 && strlen(k3) == 44, "  a new key");
	is_int(gk_secret_refresh(p("f"), &s, &report, &err), GK_OK, "refresh after the leak rotation");
	ok(report && s.len == 43 && memcmp(s.key, k3, 43) == 0, "  signs with the new key");
	ok(s.prev_len == 0 && !gk_secret_prev_usable(&s, time(NULL), 3600), "  no previous key at all");

	/* Garbage renamed over the key: no key at all, never the stale one. */
	put("g", "short\n", 6, 0600);
	ok(rename(p("g"), p("f")) == 0, "replace the key file by garbage");
	ok(gk_secret_refresh(p("f"), &s, &report, &err) != GK_OK, "refresh fails");
	ok(report && strstr(err.msg, "shorter") != NULL, "  reported once: %s", err.msg);
	ok(s.len == 0 && s.prev_len == 0 && s.broken, "  no key left (fail closed)");
	ok(memcmp(s.key, k3, 43) != 0, "  the old key is wiped");
	ok(gk_secret_refresh(p("f"), &s, &report, &err) != GK_OK && !report && s.len == 0,
	    "  still refused at the next call, not reported again");

	/* Repaired, then only its mode goes wrong. */
	put("f", k1, strlen(k1), 0600);
	is_int(gk_secret_refresh(p("f"), &s, &report, &err), GK_OK, "repaired: loads again");
	ok(report && s.len == 43 && memcmp(s.key, k1, 43) == 0, "  reported, with the new content");
	chmod(p("f"), 0644);
	ok(gk_secret_refresh(p("f"), &s, &report, &err) != GK_OK && s.len == 0, "a chmod 0644 alone is noticed");
	ok(report && strstr(err.msg, "mode") != NULL, "  saying why: %s", err.msg);
	chmod(p("f"), 0600);
	is_int(gk_secret_refresh(p("f"), &s, &report, &err), GK_OK, "  and the chmod back too");

	/* A .prev that appears or vanishes counts too. */
	put("f.prev", k2, strlen(k2), 0600);
	is_int(gk_secret_refresh(p("f"), &s, &report, &err), GK_OK, "a .prev that appears");
	ok(report && s.prev_len == 43 && memcmp(s.prev, k2, 43) == 0, "  is read");
	unlink(p("f.prev"));
	is_int(gk_secret_refresh(p("f"), &s, &report, &err), GK_OK, "a .prev that is removed");
	ok(report && s.prev_len == 0, "  stops verifying at once");

	/* A missing file, then a FIFO: refused at once, no hang. */
	unlink(p("f"));
	ok(gk_secret_refresh(p("f"), &s, &report, &err) != GK_OK && report && s.len == 0,
	    "a removed key file: refused (%s)", err.msg);
	ok(mkfifo(p("f"), 0600) == 0, "a FIFO at the key's path");
	ok(gk_secret_refresh(p("f"), &s, &report, &err) != GK_OK && report && s.len == 0,
	    "  refused without blocking (%s)", err.msg);
	unlink(p("f"));
	ok(gk_secret_refresh(NULL, &s, &report, &err) != GK_OK && s.len == 0, "no path: refused");
	gk_secret_wipe(&s);
}

int
main(void)
{
	char cmd[300];
	const char *tmp = getenv("TMPDIR");

	if (tmp == NULL || *tmp == '\0' || strlen(tmp) > 200)
		tmp = "/tmp";
	snprintf(dir, sizeof(dir), "%s/t_secret.XXXXXX", tmp);
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	umask(022);
	test_create();
	test_load_refusals();
	test_prev_and_rotate();
	alarm(20);      /* a FIFO that blocks must fail the test, not hang it */
	test_refresh();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		diag("could not remove %s", dir);
	return done_testing();
}
