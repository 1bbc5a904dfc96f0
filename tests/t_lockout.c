/* t_lockout.c: tests for lib/lockout: bans, windows, keys, persistence, processes, corruption. */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lockout.h"
#include "tap.h"

#define T0 INT64_C(1700000000)

static char dir[64], tbl[128];

/* A table with pair bans at maxf, address bans at addrf, throttling from thr, locks at 100. */
static struct gk_lockout *
open_full(long maxf, long find, long ban, long addrf, long thr, long slots)
{
	struct gk_lockout_conf c;
	struct gk_lockout *lk = NULL;
	struct gk_err err;

	memset(&c, 0, sizeof(c));
	c.max_failures = maxf;
	c.find_time = find;
	c.ban_time = ban;
	c.address_failures = addrf;
	c.user_throttle = thr;
	c.throttle_max = 60;
	c.slots = slots;
	if (gk_lockout_open(dir, &c, &lk, &err) != GK_OK) {
		diag("open: %s", err.msg);
		return NULL;
	}
	return lk;
}

static struct gk_lockout *
open_lk(long maxf, long find, long ban)
{
	return open_full(maxf, find, ban, maxf, 1000, 0);
}

static int
check(struct gk_lockout *lk, const char *u, const char *a, int64_t now)
{
	struct gk_err err;

	return gk_lockout_check(lk, u, a, now, NULL, &err);
}

static long
peek(struct gk_lockout *lk, const char *u, const char *a, int64_t now)
{
	long f = -1;
	int64_t until;
	struct gk_err err;

	if (gk_lockout_peek(lk, u, a, now, &f, &until, &err) != GK_OK)
		return -1;
	return f;
}

static long
peek_user(struct gk_lockout *lk, const char *u, int64_t now)
{
	return peek(lk, u, NULL, now);
}

static long
peek_addr(struct gk_lockout *lk, const char *a, int64_t now)
{
	return peek(lk, NULL, a, now);
}

/* Flips one byte in every non-empty slot: the state an unlucky disk could leave. */
static int
corrupt_slots(void)
{
	unsigned char s[64], zero[64] = { 0 };
	off_t off;
	int fd, n = 0;

	fd = open(tbl, O_RDWR);
	if (fd < 0)
		return -1;
	for (off = 80; pread(fd, s, 64, off) == 64; off += 64) {
		if (memcmp(s, zero, 64) == 0)
			continue;
		s[40] ^= 0x01;     /* inside banned_until */
		if (pwrite(fd, s, 64, off) != 64)
			n = -1000;
		n++;
	}
	close(fd);
	return n;
}

static void
test_basics(void)
{
	struct gk_lockout *lk = open_lk(3, 60, 300);
	struct gk_err err;
	struct stat st;
	int64_t until = 0;

	ok(lk != NULL, "open creates the table");
	if (lk == NULL)
		return;
	ok(stat(tbl, &st) == 0 && st.st_size == 80 + 16384 * 64, "table has its fixed size");
	ok((st.st_mode & 0777) == 0600, "table mode 0600");
	is_int(check(lk, "alice", "192.0.2.1", T0), GK_LOCKOUT_ALLOW, "fresh user allowed");
	is_int(gk_lockout_fail(lk, "alice", "192.0.2.1", T0, &err), GK_LOCKOUT_ALLOW, "failure 1");
	is_int(gk_lockout_fail(lk, "alice", "192.0.2.1", T0 + 1, &err), GK_LOCKOUT_ALLOW, "failure 2");
	is_int(check(lk, "alice", "192.0.2.1", T0 + 2), GK_LOCKOUT_ALLOW, "still allowed after 2");
	is_int(gk_lockout_fail(lk, "alice", "192.0.2.1", T0 + 2, &err), GK_LOCKOUT_BANNED,
	    "failure 3 bans");
	is_int(gk_lockout_check(lk, "alice", "192.0.2.1", T0 + 3, &until, &err), GK_LOCKOUT_BANNED,
	    "banned");
	is_int(until, T0 + 2 + 300, "ban ends ban_time after the last failure");
	is_int(check(lk, "alice", "198.51.100.9", T0 + 3), GK_LOCKOUT_ALLOW,
	    "victim: the same user from another address is not banned");
	is_int(check(lk, "alice", NULL, T0 + 3), GK_LOCKOUT_ALLOW, "user-only check: not banned");
	is_int(peek_user(lk, "alice", T0 + 3), 3, "the user counted 3 consecutive failures");
	is_int(peek(lk, "alice", "192.0.2.1", T0 + 3), 3, "the pair counted 3");
	is_int(check(lk, "bob", "192.0.2.1", T0 + 3), GK_LOCKOUT_BANNED,
	    "address key (3 here): another user from that address banned");
	is_int(check(lk, "bob", "198.51.100.9", T0 + 3), GK_LOCKOUT_ALLOW, "unrelated user+address allowed");
	is_int(check(lk, NULL, "192.0.2.1", T0 + 3), GK_LOCKOUT_BANNED, "address-only check");
	is_int(check(lk, "Alice", "198.51.100.9", T0 + 3), GK_LOCKOUT_ALLOW, "names are bytes");

	/* Failures while banned are not counted and do not extend the ban. */
	is_int(gk_lockout_fail(lk, "alice", "192.0.2.1", T0 + 100, &err), GK_LOCKOUT_BANNED,
	    "failure during ban reports banned");
	gk_lockout_check(lk, "alice", "192.0.2.1", T0 + 101, &until, &err);
	is_int(until, T0 + 302, "ban not extended");
	is_int(check(lk, "alice", "192.0.2.1", T0 + 302), GK_LOCKOUT_ALLOW, "ban over at its end");
	is_int(gk_lockout_fail(lk, "alice", "192.0.2.1", T0 + 303, &err), GK_LOCKOUT_ALLOW,
	    "after a ban, counting starts again");
	is_int(peek(lk, "alice", "192.0.2.1", T0 + 303), 1, "one failure in the pair's new window");

	/* The window: failures older than find_time are forgotten (pairs and addresses). */
	gk_lockout_fail(lk, "carol", "203.0.113.5", T0, &err);
	gk_lockout_fail(lk, "carol", "203.0.113.5", T0 + 30, &err);
	is_int(peek(lk, "carol", "203.0.113.5", T0 + 30), 2, "two failures counted");
	is_int(gk_lockout_fail(lk, "carol", "203.0.113.5", T0 + 61, &err), GK_LOCKOUT_ALLOW,
	    "third failure outside find_time does not ban");
	is_int(peek(lk, "carol", "203.0.113.5", T0 + 61), 1, "window restarted");
	is_int(peek(lk, "carol", "203.0.113.5", T0 + 500), 0, "expired window reads as 0");
	is_int(peek_user(lk, "carol", T0 + 500), 3, "the user's count is consecutive: no window");

	/* Success clears the user and the pair, never the address. */
	gk_lockout_fail(lk, "dave", "203.0.113.77", T0, &err);
	gk_lockout_fail(lk, "dave", "203.0.113.77", T0 + 1, &err);
	is_int(gk_lockout_success(lk, "dave", "203.0.113.77", T0 + 2, &err), GK_OK, "success");
	is_int(peek_user(lk, "dave", T0 + 2), 0, "success reset the user");
	is_int(peek(lk, "dave", "203.0.113.77", T0 + 2), 0, "success reset the pair");
	is_int(peek_addr(lk, "203.0.113.77", T0 + 2), 2, "success kept the address count");
	is_int(gk_lockout_fail(lk, "erin", "203.0.113.77", T0 + 3, &err), GK_LOCKOUT_BANNED,
	    "address banned on its third failure across users");
	is_int(check(lk, "erin", "198.51.100.10", T0 + 4), GK_LOCKOUT_ALLOW,
	    "erin (1 failure) is not banned elsewhere");

	/* IPv6 counts per /64; IPv4-mapped counts as IPv4. */
	gk_lockout_fail(lk, "u6a", "2001:db8:1:2::1", T0, &err);
	gk_lockout_fail(lk, "u6b", "2001:db8:1:2::2", T0, &err);
	gk_lockout_fail(lk, "u6c", "2001:db8:1:2:ffff::3", T0, &err);
	is_int(check(lk, "x", "2001:db8:1:2:abcd::9", T0 + 1), GK_LOCKOUT_BANNED, "IPv6 /64 banned");
	is_int(check(lk, "x", "2001:db8:1:3::1", T0 + 1), GK_LOCKOUT_ALLOW, "other /64 allowed");
	gk_lockout_fail(lk, "m1", "::ffff:192.0.2.200", T0, &err);
	gk_lockout_fail(lk, "m2", "192.0.2.200", T0, &err);
	is_int(peek_addr(lk, "192.0.2.200", T0), 2, "v4-mapped address counts as IPv4");
	gk_lockout_fail(lk, "m1", "192.0.2.200", T0, &err);
	is_int(peek(lk, "m1", "::ffff:192.0.2.200", T0), 2, "... in pairs too");

	is_int(gk_lockout_clear(lk, NULL, "192.0.2.200", T0, &err), GK_OK, "admin clear");
	is_int(peek_addr(lk, "192.0.2.200", T0), 0, "cleared");
	is_int(peek(lk, "m1", "192.0.2.200", T0), 2, "clearing an address leaves its pairs");
	is_int(gk_lockout_clear(lk, "m1", "192.0.2.200", T0, &err), GK_OK, "admin clear of a pair");
	is_int(peek(lk, "m1", "192.0.2.200", T0), 0, "pair cleared");
	{
		long f;
		int64_t u;

		is_int(gk_lockout_peek(lk, NULL, NULL, T0, &f, &u, &err), GK_ERR, "peek wants a key");
	}
	gk_lockout_close(lk);

	/* Persistence across processes/restarts. */
	lk = open_lk(3, 60, 300);
	is_int(check(lk, "x", "2001:db8:1:2::5", T0 + 2), GK_LOCKOUT_BANNED, "ban survives reopen");
	gk_lockout_close(lk);

	/* max_failures = 0 disables. */
	lk = open_lk(0, 60, 300);
	is_int(check(lk, "x", "2001:db8:1:2::5", T0 + 2), GK_LOCKOUT_ALLOW, "disabled lockout allows");
	is_int(gk_lockout_fail(lk, "y", "192.0.2.99", T0, &err), GK_LOCKOUT_ALLOW, "disabled: fail no-op");
	gk_lockout_close(lk);
}

/*
 * NIST SP 800-63B 5.2.2: per user only a throttle, and a lock no earlier
 * than 100 consecutive failures. A distributed attacker (one failure per
 * address) is throttled; the victim's known address is not; at 100 the
 * account is locked until cleared.
 */
static void
test_user(void)
{
	struct gk_lockout *lk;
	struct gk_lockout_conf c;
	struct gk_err err;
	char a[64];
	int64_t t = T0, until = 0;
	long f;
	int i, v, bad;

	unlink(tbl);
	lk = open_full(5, 600, 900, 20, 10, 0);
	if (lk == NULL)
		return;
	is_int(gk_lockout_success(lk, "vic", "198.51.100.7", t, &err), GK_OK,
	    "the victim signs in from home (the pair becomes known)");
	/* The attacker at one address: the pair bans at 5, the user is never banned. */
	for (i = 0; i < 5; i++)
		gk_lockout_fail(lk, "vic", "203.0.113.66", t, &err);
	is_int(check(lk, "vic", "203.0.113.66", t), GK_LOCKOUT_BANNED, "attacker address banned");
	is_int(check(lk, "vic", "192.0.2.44", t), GK_LOCKOUT_ALLOW,
	    "victim at a new address gets in (5 consecutive failures, below the throttle)");
	/* A distributed attacker: one failure from each of many addresses. */
	for (i = 0; i < 5; i++) {
		snprintf(a, sizeof(a), "10.1.0.%d", i);
		gk_lockout_fail(lk, "vic", a, t, &err);
	}
	is_int(gk_lockout_check(lk, "vic", "10.9.9.9", t, &until, &err), GK_LOCKOUT_THROTTLED,
	    "10 consecutive failures: a new address is throttled");
	is_int(until, t + 2, "... for 2 s after the 10th failure");
	is_int(check(lk, "vic", "10.9.9.9", t + 1), GK_LOCKOUT_THROTTLED, "... still after 1 s");
	is_int(check(lk, "vic", "10.9.9.9", t + 2), GK_LOCKOUT_ALLOW, "... then allowed once");
	is_int(check(lk, "vic", "198.51.100.7", t), GK_LOCKOUT_ALLOW,
	    "the victim's known address is not throttled");
	is_int(check(lk, "vic", NULL, t), GK_LOCKOUT_THROTTLED, "user-only check: throttled");
	is_int(check(lk, "other", "10.9.9.9", t), GK_LOCKOUT_ALLOW, "other users are not throttled");
	t += 2;
	is_int(gk_lockout_fail(lk, "vic", "10.1.1.1", t, &err), GK_LOCKOUT_THROTTLED,
	    "11th failure: throttled");
	gk_lockout_check(lk, "vic", "10.9.9.9", t, &until, &err);
	is_int(until, t + 4, "the interval doubles: 4 s");
	for (i = 0; i < 20; i++) {
		t += 100;
		snprintf(a, sizeof(a), "10.2.0.%d", i);
		gk_lockout_fail(lk, "vic", a, t, &err);
	}
	gk_lockout_check(lk, "vic", "10.9.9.9", t, &until, &err);
	is_int(until, t + 60, "the interval is capped at throttle_max");
	/* On to 100 consecutive failures (each after its interval): locked, until cleared. */
	bad = 0;
	for (i = 31; i < 99; i++) {
		t += 60;
		snprintf(a, sizeof(a), "10.3.%d.%d", i / 200, i % 200);
		if (check(lk, "vic", a, t) != GK_LOCKOUT_ALLOW ||
		    gk_lockout_fail(lk, "vic", a, t, &err) != GK_LOCKOUT_THROTTLED)
			bad++;
	}
	is_int(bad, 0, "99 failures: throttled, never locked");
	is_int(peek_user(lk, "vic", t), 99, "99 consecutive failures counted");
	t += 60;
	is_int(gk_lockout_fail(lk, "vic", "10.4.0.1", t, &err), GK_LOCKOUT_LOCKED,
	    "the 100th consecutive failure locks the account");
	ok(gk_lockout_notice(lk, a, sizeof(a)), "the lock is reported for the log");
	v = gk_lockout_check(lk, "vic", "198.51.100.7", t + 86400 * 365, &until, &err);
	is_int(v, GK_LOCKOUT_LOCKED, "locked even from the known address, a year later");
	ok(until == GK_LOCKOUT_FOREVER, "... until an admin clears it");
	is_int(gk_lockout_fail(lk, "vic", "10.4.0.2", t + 1, &err), GK_LOCKOUT_LOCKED,
	    "failures while locked are not counted");
	gk_lockout_peek(lk, "vic", NULL, t, &f, &until, &err);
	is_int(f, 100, "peek: 100");
	ok(until == GK_LOCKOUT_FOREVER, "peek: locked for ever");
	is_int(gk_lockout_clear(lk, "vic", NULL, t + 2, &err), GK_OK, "admin clears the user");
	is_int(check(lk, "vic", "10.9.9.9", t + 2), GK_LOCKOUT_ALLOW, "the account is open again");
	is_int(peek_user(lk, "vic", t + 2), 0, "count reset");
	/* A success resets the consecutive count. */
	for (i = 0; i < 12; i++) {
		snprintf(a, sizeof(a), "10.5.0.%d", i);
		gk_lockout_fail(lk, "vic", a, t + 1000, &err);
	}
	is_int(check(lk, "vic", "10.9.9.9", t + 1000), GK_LOCKOUT_THROTTLED, "throttled again");
	gk_lockout_success(lk, "vic", "198.51.100.7", t + 1000, &err);
	is_int(check(lk, "vic", "10.9.9.9", t + 1000), GK_LOCKOUT_ALLOW, "a success ends the throttle");
	/* The address key bans at address_failures, across users (password spraying). */
	for (i = 0; i < 19; i++) {
		snprintf(a, sizeof(a), "spray%d", i);
		gk_lockout_fail(lk, a, "192.0.2.250", t, &err);
	}
	is_int(check(lk, "newuser", "192.0.2.250", t), GK_LOCKOUT_ALLOW, "19 users from one address");
	is_int(gk_lockout_fail(lk, "spray19", "192.0.2.250", t, &err), GK_LOCKOUT_BANNED,
	    "the 20th bans the address");
	is_int(check(lk, "newuser", "192.0.2.250", t), GK_LOCKOUT_BANNED, "for every user");
	/* An admin's unban of a user lifts the user's pair bans at every address. */
	for (i = 0; i < 5; i++) {
		gk_lockout_fail(lk, "pat", "192.0.2.31", t, &err);
		gk_lockout_fail(lk, "pat", "192.0.2.32", t, &err);
	}
	is_int(check(lk, "pat", "192.0.2.31", t), GK_LOCKOUT_BANNED, "pat banned at two addresses");
	is_int(gk_lockout_clear(lk, "pat", NULL, t + 1, &err), GK_OK, "admin unbans the user");
	is_int(check(lk, "pat", "192.0.2.31", t + 1), GK_LOCKOUT_ALLOW, "... lifted at one");
	is_int(check(lk, "pat", "192.0.2.32", t + 1), GK_LOCKOUT_ALLOW, "... and the other");
	gk_lockout_success(lk, "pat", "192.0.2.33", t + 1, &err);
	is_int(check(lk, "pat", "192.0.2.32", t + 1), GK_LOCKOUT_ALLOW,
	    "... and a sign-in elsewhere does not bring the old ban back");
	is_int(gk_lockout_fail(lk, "pat", "192.0.2.31", t + 2, &err), GK_LOCKOUT_ALLOW,
	    "a new failure there starts a new count");
	is_int(peek(lk, "pat", "192.0.2.31", t + 2), 1, "... of 1");
	for (i = 0; i < 4; i++)
		gk_lockout_fail(lk, "pat", "192.0.2.31", t + 3, &err);
	is_int(check(lk, "pat", "192.0.2.31", t + 3), GK_LOCKOUT_BANNED, "... and bans again at 5");
	gk_lockout_close(lk);

	memset(&c, 0, sizeof(c));
	c.max_failures = 5;
	c.find_time = 60;
	c.ban_time = 60;
	c.user_lock = 99;
	lk = NULL;
	ok(gk_lockout_open(dir, &c, &lk, &err) != GK_OK && strstr(err.msg, "100") != NULL,
	    "a lock below 100 failures is refused (%s)", err.msg);
	unlink(tbl);
}

/* Item 6: many addresses filling the table must not refuse everybody: the oldest goes. */
static void
test_full_table(void)
{
	struct gk_lockout *lk;
	struct gk_err err;
	char a[64], note[512];
	int i, banned = 0, v;

	unlink(tbl);
	lk = open_full(5, 600, 900, 1, 10, 64);
	if (lk == NULL)
		return;
	/* Within 30 s, so every later step but the last is inside one notice interval. */
	for (i = 0; i < 300; i++) {
		snprintf(a, sizeof(a), "10.7.%d.%d", i / 250, i % 250);
		if (gk_lockout_fail(lk, NULL, a, T0 + i / 10, &err) == GK_LOCKOUT_BANNED)
			banned++;
	}
	is_int(banned, 300, "300 addresses, one failure each: each banned (table of 64 slots)");
	ok(gk_lockout_notice(lk, note, sizeof(note)) && strstr(note, "table full") != NULL,
	    "eviction reported (%s)", note);
	is_int(check(lk, NULL, "10.7.1.49", T0 + 40), GK_LOCKOUT_BANNED, "the newest ban holds");
	is_int(check(lk, NULL, "192.0.2.1", T0 + 40), GK_LOCKOUT_ALLOW, "a fresh address is allowed");
	is_int(check(lk, "alice", "192.0.2.1", T0 + 40), GK_LOCKOUT_ALLOW, "a legitimate user too");
	is_int(gk_lockout_success(lk, "alice", "192.0.2.1", T0 + 40, &err), GK_OK,
	    "and signs in (recorded by evicting)");
	v = gk_lockout_fail(lk, "bob", "192.0.2.2", T0 + 41, &err);
	is_int(v, GK_LOCKOUT_BANNED, "a new failure is still counted (address_failures = 1)");
	is_int(peek_user(lk, "bob", T0 + 41), 1, "... and its user key too");
	ok(!gk_lockout_notice(lk, note, sizeof(note)), "eviction notices are rate-limited (%s)", note);
	gk_lockout_fail(lk, NULL, "192.0.2.3", T0 + 400, &err);
	ok(gk_lockout_notice(lk, note, sizeof(note)) && strstr(note, "evicted") != NULL,
	    "a minute later, one notice with the count (%s)", note);
	/* Locked accounts are the last to go. */
	gk_lockout_close(lk);
	unlink(tbl);
}

static void
test_processes(void)
{
	struct gk_lockout *lk;
	struct gk_err err;
	pid_t pids[8];
	int i, j, status, good = 1;

	for (i = 0; i < 8; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			struct gk_lockout *c = open_lk(100000, 3600, 300);

			for (j = 0; j < 25 && c != NULL; j++)
				if (gk_lockout_fail(c, NULL, "192.0.2.123", T0 + j, &err) != GK_LOCKOUT_ALLOW)
					_exit(2);
			gk_lockout_close(c);
			_exit(c == NULL ? 3 : 0);
		}
	}
	for (i = 0; i < 8; i++)
		if (pids[i] < 0 || waitpid(pids[i], &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0)
			good = 0;
	ok(good, "8 processes counted concurrently without error");
	lk = open_lk(100000, 3600, 300);
	is_int(peek_addr(lk, "192.0.2.123", T0 + 30), 200, "no lost update: 8 x 25 failures = 200");
	gk_lockout_close(lk);
}

static void
test_corruption(void)
{
	struct gk_lockout *lk;
	struct gk_err err;
	char note[512];
	int fd, n;
	struct stat st;

	lk = open_lk(3, 60, 300);
	gk_lockout_fail(lk, "frank", "192.0.2.50", T0, &err);
	gk_lockout_fail(lk, "frank", "192.0.2.50", T0, &err);
	gk_lockout_fail(lk, "frank", "192.0.2.50", T0, &err);
	is_int(check(lk, "frank", "192.0.2.50", T0 + 1), GK_LOCKOUT_BANNED, "frank banned there");
	n = corrupt_slots();
	ok(n > 0, "corrupted %d slots", n);
	is_int(check(lk, "frank", "192.0.2.50", T0 + 1), GK_LOCKOUT_BANNED,
	    "corrupt slot does not unban (read-only check)");
	is_int(check(lk, "frank", NULL, T0 + 1), GK_LOCKOUT_BANNED,
	    "a corrupt slot near the user key bans the user everywhere");
	is_int(gk_lockout_fail(lk, "frank", "192.0.2.50", T0 + 2, &err), GK_LOCKOUT_BANNED,
	    "failure after corruption: still banned");
	ok(gk_lockout_notice(lk, note, sizeof(note)) && strstr(note, "corrupt") != NULL,
	    "healing is reported (%s)", note);
	ok(!gk_lockout_notice(lk, note, sizeof(note)), "notice cleared after reading");
	is_int(check(lk, "frank", "192.0.2.50", T0 + 100), GK_LOCKOUT_BANNED,
	    "healed slot bans for ban_time");
	is_int(check(lk, "frank", "192.0.2.50", T0 + 2 + 300), GK_LOCKOUT_ALLOW,
	    "and expires like a ban");

	/* Damaged header: quarantine, everybody banned for ban_time, old file kept. */
	fd = open(tbl, O_RDWR);
	ok(fd >= 0 && pwrite(fd, "XXXX", 4, 0) == 4, "header overwritten");
	close(fd);
	is_int(check(lk, "nobody", "192.0.2.77", T0 + 1000), GK_LOCKOUT_BANNED,
	    "corrupt header: everybody banned");
	ok(gk_lockout_notice(lk, note, sizeof(note)) && strstr(note, "header") != NULL,
	    "quarantine reported (%s)", note);
	{
		char aside[160];

		snprintf(aside, sizeof(aside), "%s.corrupt", tbl);
		ok(stat(aside, &st) == 0, "damaged table kept as .corrupt");
	}
	is_int(check(lk, "nobody", "192.0.2.77", T0 + 1299), GK_LOCKOUT_BANNED, "quarantine lasts");
	is_int(check(lk, "nobody", "192.0.2.77", T0 + 1300), GK_LOCKOUT_ALLOW, "quarantine ends");

	/* Truncated table. */
	ok(truncate(tbl, 1000) == 0, "table truncated");
	is_int(check(lk, "nobody", NULL, T0 + 2000), GK_LOCKOUT_BANNED, "truncated table: banned");
	is_int(check(lk, "nobody", NULL, T0 + 2300), GK_LOCKOUT_ALLOW, "new table after quarantine");
	gk_lockout_close(lk);

	/* Other processes with the old file open follow the replacement. */
	lk = open_lk(3, 60, 300);
	ok(unlink(tbl) == 0, "table removed behind an open handle");
	is_int(gk_lockout_fail(lk, "gina", NULL, T0, &err), GK_LOCKOUT_ALLOW, "recreated on use");
	ok(stat(tbl, &st) == 0, "table exists again");

	/* A table others may write is refused: they could lift bans. */
	chmod(tbl, 0666);
	ok(check(lk, "gina", NULL, T0) < 0, "group/other-writable table refused (deny)");
	chmod(tbl, 0600);
	is_int(check(lk, "gina", NULL, T0), GK_LOCKOUT_ALLOW, "fixed mode accepted again");
	gk_lockout_close(lk);

	unlink(tbl);
	ok(symlink("/etc/passwd", tbl) == 0, "symlink planted");
	{
		struct gk_lockout_conf c = { .max_failures = 3, .find_time = 60, .ban_time = 300 };

		lk = NULL;
		ok(gk_lockout_open(dir, &c, &lk, &err) != GK_OK && lk == NULL,
		    "symlinked table refused (%s)", err.msg);
	}
	unlink(tbl);
	{
		struct gk_lockout_conf c = { .max_failures = 3, .find_time = 60, .ban_time = 300 };

		ok(gk_lockout_open("/nonexistent/dir", &c, &lk, &err) != GK_OK, "missing state_dir refused");
		c.ban_time = 0;
		ok(gk_lockout_open(dir, &c, &lk, &err) != GK_OK, "zero ban_time refused");
	}
}

/* A refund lifts the ban or lock its failure started, each key at its own threshold. */
static void
test_refund_by_kind(void)
{
	static const struct {
		int line;
		const char *user, *addr;
		int fails;              /* failures that reach the key's threshold */
		int verdict;            /* the verdict they bring */
	} cases[] = {
		{ __LINE__, NULL, "192.0.2.9", 5, GK_LOCKOUT_BANNED },           /* address_failures */
		{ __LINE__, "rk-pair", "192.0.2.10", 3, GK_LOCKOUT_BANNED },     /* max_failures */
		{ __LINE__, "rk-user", NULL, 100, GK_LOCKOUT_LOCKED },           /* user_lock */
	};
	const int64_t t = T0 + 500000;
	struct gk_lockout *lk = open_full(3, 60, 30, 5, 1000, 0);
	struct gk_err err;
	size_t i;
	int n;

	ok(lk != NULL, "a table with address bans at 5, pair bans at 3");
	if (lk == NULL)
		return;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (n = 0; n < cases[i].fails; n++)
			gk_lockout_fail(lk, cases[i].user, cases[i].addr, t, &err);
		is_int(check(lk, cases[i].user, cases[i].addr, t), cases[i].verdict,
		    "line %d: %d failures reach the threshold", cases[i].line, cases[i].fails);
		is_int(gk_lockout_refund(lk, cases[i].user, cases[i].addr, t, &err), GK_OK,
		    "line %d: refund", cases[i].line);
		is_int(check(lk, cases[i].user, cases[i].addr, t), GK_LOCKOUT_ALLOW,
		    "line %d: one refund below the threshold lifts it", cases[i].line);
	}
	gk_lockout_close(lk);
}

int
main(void)
{
	char aside[160];

	snprintf(dir, sizeof(dir), "/tmp/t_lockout.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 99;
	snprintf(tbl, sizeof(tbl), "%s/lockout.tbl", dir);
	test_basics();
	test_user();
	test_full_table();
	test_processes();
	test_corruption();
	test_refund_by_kind();
	snprintf(aside, sizeof(aside), "%s.corrupt", tbl);
	unlink(aside);
	unlink(tbl);
	rmdir(dir);
	done_testing();
}
