/* bans.c: --lockout-status and --unban over the login lockout table shared by the services. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "auth.h"
#include "lockout.h"
#include "passwd.h"

#define TBL_NAME GK_LOCKOUT_TABLE

int
pw_lockout_addr(const char *in, char *canon, size_t canonsz, char *shown, size_t shownsz)
{
	unsigned char a[16];
	char buf[INET6_ADDRSTRLEN], q[80];
	size_t i;

	/* The services count REMOTE_ADDR as the web server writes it: canonical text. */
	if (inet_pton(AF_INET, in, a) == 1) {
		inet_ntop(AF_INET, a, buf, sizeof(buf));
		snprintf(canon, canonsz, "%s", buf);
		snprintf(shown, shownsz, "%s", buf);
		return EX_PW_OK;
	}
	if (inet_pton(AF_INET6, in, a) != 1) {
		pw_warnx("invalid address '%s' (an IPv4 or IPv6 address, without port or prefix)",
		    pw_quote(in, q, sizeof(q)));
		return EX_PW_SYNTAX;
	}
	inet_ntop(AF_INET6, a, buf, sizeof(buf));
	snprintf(canon, canonsz, "%s", buf);
	for (i = 0; i < 10 && a[i] == 0; i++)
		;
	if (i == 10 && a[10] == 0xff && a[11] == 0xff) {   /* IPv4-mapped: counted as IPv4 */
		inet_ntop(AF_INET, a + 12, buf, sizeof(buf));
		snprintf(shown, shownsz, "%s", buf);
		return EX_PW_OK;
	}
	/* lib/lockout counts IPv6 per /64 (one client usually owns a whole /64). */
	memset(a + 8, 0, 8);
	inet_ntop(AF_INET6, a, buf, sizeof(buf));
	snprintf(shown, shownsz, "%s/64", buf);
	return EX_PW_OK;
}

/* ISO 8601 local time with a "+hh:mm" offset. */
static void
fmt_time(int64_t t, char *out, size_t outsz)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char z[8];

	if (localtime_r(&tt, &tm) == NULL || strftime(out, outsz, "%Y-%m-%dT%H:%M:%S", &tm) == 0 ||
	    strftime(z, sizeof(z), "%z", &tm) != 5) {
		snprintf(out, outsz, "@%lld", (long long)t);
		return;
	}
	snprintf(out + strlen(out), outsz - strlen(out), "%.3s:%.2s", z, z + 3);
}

static void
owner_name(uid_t uid, char *out, size_t outsz)
{
	struct passwd *pw = getpwuid(uid);

	if (pw != NULL)
		snprintf(out, outsz, "%s", pw->pw_name);
	else
		snprintf(out, outsz, "%ld", (long)uid);
}

/*
 * Root becomes the table's owner (the services' run_user) for good before
 * touching the table: the library only writes a table its euid owns, and a
 * table root rewrote or re-created (after a quarantine) would lock the
 * services out of it. Dropping privileges cannot gain any; the owner must
 * also own state_dir (or root does), so it is the user the services run as
 * and not whoever managed to link a file in there.
 */
static int
become_owner(const char *dir, const struct stat *dst, const char *tbl, const struct stat *tst)
{
	char who[64], dwho[64];
	gid_t gid = tst->st_gid;
	uid_t ru, eu, su;

	owner_name(tst->st_uid, who, sizeof(who));
	if (dst->st_uid != tst->st_uid && dst->st_uid != 0) {
		owner_name(dst->st_uid, dwho, sizeof(dwho));
		pw_warnx("%s belongs to %s but state_dir %s to %s: refusing to act as either; "
		    "chown the table to the services' user", tbl, who, dir, dwho);
		return EX_PW_FILE;
	}
	if (setgroups(1, &gid) != 0 || setresgid(gid, gid, gid) != 0 ||
	    setresuid(tst->st_uid, tst->st_uid, tst->st_uid) != 0 ||
	    getresuid(&ru, &eu, &su) != 0 || ru != tst->st_uid || eu != tst->st_uid ||
	    su != tst->st_uid) {
		pw_warnx("%s: cannot switch to its owner %s: %s", tbl, who, strerror(errno));
		return EX_PW_FILE;
	}
	return EX_PW_OK;
}

/* The one-line refusal for a table (or state_dir) that belongs to someone else. */
static int
not_owner(const char *path, uid_t owner)
{
	char who[64], me[64];

	owner_name(owner, who, sizeof(who));
	owner_name(geteuid(), me, sizeof(me));
	pw_warnx("%s belongs to %s, not to %s: run as that user (runuser -u %s -- " PROG
	    " ...) or as root", path, who, me, who);
	return EX_PW_FILE;
}

/*
 * Checks state_dir and the table before the library sees them, so every
 * refusal is one line saying what to do. *present is false when there is no
 * table yet (nobody was ever counted): it is then not created, since the
 * services must own it.
 */
static int
table_ready(const char *dir, bool *present)
{
	struct stat dst, tst;
	char tbl[GK_PATH_MAX + sizeof(TBL_NAME) + 1];

	*present = false;
	if (stat(dir, &dst) != 0) {
		pw_warnx("state_dir %s: %s", dir, strerror(errno));
		return EX_PW_FILE;
	}
	if (!S_ISDIR(dst.st_mode)) {
		pw_warnx("state_dir %s is not a directory", dir);
		return EX_PW_FILE;
	}
	if ((dst.st_mode & 022) != 0 && (dst.st_mode & S_ISVTX) == 0) {
		pw_warnx("state_dir %s is writable by group or others (the services refuse it too)",
		    dir);
		return EX_PW_FILE;
	}
	if ((size_t)snprintf(tbl, sizeof(tbl), "%s/%s", dir, TBL_NAME) >= sizeof(tbl)) {
		pw_warnx("state_dir path too long");
		return EX_PW_OVERFLOW;
	}
	if (lstat(tbl, &tst) != 0) {
		if (errno == ENOENT)
			return EX_PW_OK;
		if (errno == EACCES && dst.st_uid != geteuid())
			return not_owner(dir, dst.st_uid);
		pw_warnx("%s: %s", tbl, strerror(errno));
		return EX_PW_FILE;
	}
	if (!S_ISREG(tst.st_mode)) {
		pw_warnx("%s is not a regular file", tbl);
		return EX_PW_FILE;
	}
	if ((tst.st_mode & 022) != 0) {
		pw_warnx("%s is writable by group or others; refusing it (anyone could lift bans): "
		    "chmod 600 it", tbl);
		return EX_PW_FILE;
	}
	*present = true;
	if (tst.st_uid == geteuid()) {
		if (tst.st_uid == 0 && dst.st_uid != 0)
			pw_warnx("warning: %s belongs to root, so services running as the owner of "
			    "%s cannot use it", tbl, dir);
		return EX_PW_OK;
	}
	if (geteuid() == 0)
		return become_owner(dir, &dst, tbl, &tst);
	return not_owner(tbl, tst.st_uid);
}

/*
 * One "WHO: N failures, STATE" line: until is what check sees, own what
 * clear lifts. A user's count is consecutive failures from any address; an
 * address's and a pair's are those within find_time.
 */
static void
status_line(const char *who, long failures, int64_t own, int verdict, int64_t until)
{
	char t[64];

	printf("%s: %ld failure%s, ", who, failures, failures == 1 ? "" : "s");
	if (verdict == GK_LOCKOUT_ALLOW) {
		printf("not banned\n");
		return;
	}
	if (until == GK_LOCKOUT_FOREVER) {
		printf("locked until an admin runs --unban\n");
		return;
	}
	fmt_time(until, t, sizeof(t));
	if (verdict == GK_LOCKOUT_THROTTLED)
		printf("throttled until %s (one attempt per interval, from any address)\n", t);
	else if (until > own)
		printf("banned until %s (a table-wide ban that --unban cannot lift)\n", t);
	else
		printf("banned until %s\n", t);
}

/* Prints the status of one key: user, address, or (both given) the user at that address. */
static int
status_one(struct gk_lockout *lk, const char *user, const char *addr, const char *shown,
    int64_t now)
{
	struct gk_err err = { "" };
	char who[GK_USER_MAX + 96];
	long failures = 0;
	int64_t own = 0, until = 0;
	int v = GK_LOCKOUT_ALLOW;

	/* No table (lk NULL): nobody has failed yet. */
	if (lk != NULL && (gk_lockout_peek(lk, user, addr, now, &failures, &own, &err) != GK_OK ||
	    (v = gk_lockout_check(lk, user, addr, now, &until, &err)) < 0)) {
		pw_warnx("%s", err.msg);
		return EX_PW_FILE;
	}
	if (user != NULL && addr != NULL) {
		snprintf(who, sizeof(who), "user %s from %s", user, shown);
		own = until;    /* the address's own ban shows here too; --unban of both lifts it */
	} else if (user != NULL)
		snprintf(who, sizeof(who), "user %s", user);
	else
		snprintf(who, sizeof(who), "address %s", shown);
	status_line(who, failures, own, v, until);
	return EX_PW_OK;
}

/* The count of user's second-factor codes (lib/auth_code.c), which a right password does not clear. */
static int
status_codes(struct gk_lockout *lk, const char *user, int64_t now)
{
	struct gk_err err = { "" };
	char key[GK_USER_MAX + 1], who[GK_USER_MAX + 64];
	long failures = 0;
	int64_t own = 0, until = 0;
	int v;

	gk_auth_code_key(user, key);
	if (gk_lockout_peek(lk, key, NULL, now, &failures, &own, &err) != GK_OK ||
	    (v = gk_lockout_check(lk, key, NULL, now, &until, &err)) < 0) {
		pw_warnx("%s", err.msg);
		return EX_PW_FILE;
	}
	if (failures == 0 && v == GK_LOCKOUT_ALLOW)
		return EX_PW_OK;        /* nothing to say: the usual one line */
	snprintf(who, sizeof(who), "user %s codes", user);
	status_line(who, failures, own, v, until);
	return EX_PW_OK;
}

static void
print_notice(struct gk_lockout *lk)
{
	char note[512];

	if (gk_lockout_notice(lk, note, sizeof(note)))
		pw_warnx("%s", note);
}

int
pw_lockout_run(const char *state_dir, const struct gk_lockout_conf *conf, bool unban,
    const char *user, const char *addr, const char *addr_shown)
{
	struct gk_lockout *lk = NULL;
	struct gk_lockout_conf lc = *conf;
	struct gk_err err = { "" };
	int64_t now = (int64_t)time(NULL), until;
	bool present;
	int rc, st;

	/* state_backend = redis: the store holds the bans; its outage is an error here, never the table. */
	if (lc.store.enabled)
		lc.store.down = GK_STORE_DOWN_DENY;
	if (lc.store.enabled)
		present = true;
	else if ((rc = table_ready(state_dir, &present)) != EX_PW_OK)
		return rc;
	if (!present) {
		if (unban) {
			pw_warnx("%s: no lockout table yet: nobody is banned", state_dir);
			return EX_PW_OK;
		}
		if (user != NULL)
			status_one(NULL, user, NULL, NULL, now);
		if (addr != NULL)
			status_one(NULL, NULL, addr, addr_shown, now);
		if (user != NULL && addr != NULL)
			status_one(NULL, user, addr, addr_shown, now);
		return fflush(stdout) == 0 && !ferror(stdout) ? EX_PW_OK : EX_PW_FILE;
	}
	/* max_failures = 0 switches the services' lockout off, not the admin's view of the table. */
	if (lc.max_failures == 0)
		lc.max_failures = 1;
	st = gk_lockout_open(state_dir, &lc, &lk, &err);
	if (st != GK_OK) {
		pw_warnx("%s", err.msg);
		return EX_PW_FILE;
	}
	if (!unban) {
		rc = EX_PW_OK;
		if (user != NULL)
			rc = status_one(lk, user, NULL, user, now);
		if (rc == EX_PW_OK && user != NULL)
			rc = status_codes(lk, user, now);
		if (rc == EX_PW_OK && addr != NULL)
			rc = status_one(lk, NULL, addr, addr_shown, now);
		if (rc == EX_PW_OK && user != NULL && addr != NULL)
			rc = status_one(lk, user, addr, addr_shown, now);
		if (rc == EX_PW_OK && (fflush(stdout) != 0 || ferror(stdout))) {
			pw_warnx("cannot write the output");
			rc = EX_PW_FILE;
		}
		print_notice(lk);
		gk_lockout_close(lk);
		return rc;
	}
	st = gk_lockout_clear(lk, user, addr, now, &err);
	if (st == GK_OK && user != NULL) {
		char key[GK_USER_MAX + 1];

		gk_auth_code_key(user, key);     /* the count of second-factor codes too */
		st = gk_lockout_clear(lk, key, NULL, now, &err);
	}
	print_notice(lk);
	if (st != GK_OK) {
		pw_warnx("%s", err.msg);
		pw_warnx("%s/%s: nothing was changed", state_dir, TBL_NAME);
		gk_lockout_close(lk);
		return EX_PW_FILE;
	}
	if (user != NULL)
		pw_warnx("Unbanning user %s", user);
	if (addr != NULL)
		pw_warnx("Unbanning address %s", addr_shown);
	/* A quarantined table bans everybody for a while; say so rather than pretend. */
	if (gk_lockout_check(lk, user, addr, now, &until, &err) == GK_LOCKOUT_BANNED) {
		char t[64];

		fmt_time(until, t, sizeof(t));
		pw_warnx("still refused until %s by a table-wide ban (the table was reset)", t);
	}
	gk_lockout_close(lk);
	return EX_PW_OK;
}
