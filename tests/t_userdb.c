/* t_userdb.c: the GDBM user database: transactions, reader refresh, hostile files (a FIFO too), locking. */
#include <config.h>

#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gdbm.h>
#include <sodium.h>

#include "tap.h"
#include "testdb.h"
#include "userdb.h"

#define HASH "$y$j9T$F5Jx5fExrKuPp53xLKQ..1$X3DX6M94c7o.9agCG9G317fhZg9SqC.5i5rd.RhAtQ7"

static char dir[64];
static char db[128];

static void
path_in(char *out, size_t sz, const char *name)
{
	snprintf(out, sz, "%s/%s", dir, name);
}

static void
mkuser(struct gk_user *u, const char *name, unsigned gen)
{
	gk_user_init(u, name, 1700000000);
	strcpy(u->hash, HASH);
	strcpy(u->groups, "staff");
	snprintf(u->email, sizeof(u->email), "%s@example.org", name);
	snprintf(u->display, sizeof(u->display), "rev %u", gen);
	u->generation = gen;
}

/* Puts user name at generation gen in one transaction. */
static int
put1(const char *path, const char *name, unsigned gen)
{
	struct gk_userdb_txn *t;
	struct gk_user u;
	struct gk_err err;
	int rc;

	if ((rc = gk_userdb_begin(path, false, 1000, &t, &err)) != GK_OK)
		return rc;
	mkuser(&u, name, gen);
	if ((rc = gk_userdb_txn_put(t, &u, &err)) != GK_OK) {
		gk_userdb_abort(t);
		return rc;
	}
	return gk_userdb_commit(t, &err);
}

static ino_t
inode_of(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_ino : 0;
}

/* Number of entries in dir whose name contains s. */
static int
count_files(const char *s)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	while (d != NULL && (de = readdir(d)) != NULL)
		if (strstr(de->d_name, s) != NULL)
			n++;
	if (d != NULL)
		closedir(d);
	return n;
}

static int
open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	while (d != NULL && (de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	if (d != NULL)
		closedir(d);
	return n;
}

static void
copy_file(const char *from, const char *to, off_t len)
{
	char buf[65536];
	int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ssize_t n;

	while (in >= 0 && out >= 0 && len > 0 &&
	    (n = read(in, buf, len < (off_t)sizeof(buf) ? (size_t)len : sizeof(buf))) > 0) {
		if (write(out, buf, (size_t)n) != n)
			break;
		len -= n;
	}
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
}

static void
write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd >= 0) {
		if (len > 0 && write(fd, data, len) != (ssize_t)len)
			diag("short write to %s", path);
		close(fd);
	}
}

/* Writes a raw GDBM file holding the given key/value pairs (NULL key ends the list). */
static void
raw_gdbm(const char *path, const char *const *kv, const size_t *vlen)
{
	GDBM_FILE f = gdbm_open(path, 0, GDBM_NEWDB, 0600, NULL);
	size_t i;

	if (f == NULL) {
		diag("gdbm_open %s: %s", path, gdbm_strerror(gdbm_errno));
		return;
	}
	for (i = 0; kv[2 * i] != NULL; i++) {
		datum k = { (char *)kv[2 * i], (int)strlen(kv[2 * i]) };
		datum v = { (char *)kv[2 * i + 1], (int)vlen[i] };

		gdbm_store(f, k, v, GDBM_REPLACE);
	}
	gdbm_close(f);
}

static void
test_create_and_basics(void)
{
	struct gk_userdb *r = NULL;
	struct gk_userdb_txn *t = NULL;
	struct gk_user u;
	struct gk_err err;
	struct stat st;
	size_t n = 99;

	is_int(gk_userdb_create(db, &err), GK_OK, "create a new database");
	ok(stat(db, &st) == 0 && (st.st_mode & 07777) == 0600, "new database has mode 0600");
	is_int(gk_userdb_create(db, &err), GK_ERR, "create refuses an existing path");
	ok(strstr(err.msg, "exists") != NULL, "message: %s", err.msg);

	is_int(gk_userdb_open(db, &r, &err), GK_OK, "open it read-only");
	is_int(gk_userdb_count(r, &n, &err), GK_OK, "count");
	is_int(n, 0, "no users yet");
	is_int(gk_userdb_check(r, &n, &err), GK_OK, "check passes on an empty database");
	is_int(gk_userdb_lookup(r, "alice", &u, &err), GK_NOTFOUND, "lookup of a missing user");

	is_int(gk_userdb_begin(db, false, 1000, &t, &err), GK_OK, "begin a transaction");
	mkuser(&u, "alice", 1);
	is_int(gk_userdb_txn_put(t, &u, &err), GK_OK, "put alice");
	mkuser(&u, "bob", 1);
	is_int(gk_userdb_txn_put(t, &u, &err), GK_OK, "put bob");
	mkuser(&u, "bad\nname", 1);
	is_int(gk_userdb_txn_put(t, &u, &err), GK_EINVAL, "put refuses an invalid user");
	is_int(gk_userdb_txn_get(t, "alice", &u, &err), GK_OK, "txn sees its own put");
	is_str(u.email, "alice@example.org", "with its fields");
	is_int(gk_userdb_txn_delete(t, "bob", &err), GK_OK, "delete bob (pending)");
	is_int(gk_userdb_txn_get(t, "bob", &u, &err), GK_NOTFOUND, "txn sees its own delete");
	is_int(gk_userdb_txn_delete(t, "bob", &err), GK_NOTFOUND, "second delete: not found");
	is_int(gk_userdb_txn_delete(t, "nobody", &err), GK_NOTFOUND, "delete of a missing user");
	mkuser(&u, "carol", 1);
	gk_userdb_txn_put(t, &u, &err);
	is_int(gk_userdb_lookup(r, "alice", &u, &err), GK_NOTFOUND,
	    "reader does not see uncommitted changes");
	is_int(gk_userdb_commit(t, &err), GK_OK, "commit");

	is_int(gk_userdb_lookup(r, "alice", &u, &err), GK_OK,
	    "open reader sees the commit (inode changed)");
	is_str(u.display, "rev 1", "alice's record");
	is_int(gk_userdb_lookup(r, "bob", &u, &err), GK_NOTFOUND, "bob was never published");
	is_int(gk_userdb_count(r, &n, &err), GK_OK, "count");
	is_int(n, 2, "two users (alice, carol)");
	is_int(gk_userdb_lookup(r, "", &u, &err), GK_NOTFOUND, "empty name: not found");
	is_int(gk_userdb_lookup(r, "a:b", &u, &err), GK_NOTFOUND, "invalid name: not found");
	is_int(gk_userdb_lookup(r, "\x01meta", &u, &err), GK_NOTFOUND,
	    "the metadata key is not a user");
	ok(count_files(".gktmp.") == 0, "no temp file left after commit");
	ok(count_files(".lock") == 1, "lock file beside the database");
	gk_userdb_close(r);
}

static int
collect(const struct gk_user *u, void *arg)
{
	char *names = arg;

	strcat(names, u->name);
	strcat(names, ";");
	return 0;
}

static int
stop_at_first(const struct gk_user *u, void *arg)
{
	(*(int *)arg)++;
	return 42;
}

static void
test_txn_semantics(void)
{
	struct gk_userdb *r;
	struct gk_userdb_txn *t, *t2;
	struct gk_user u;
	struct gk_err err;
	struct timespec a, b;
	char names[256] = "";
	ino_t ino;
	long ms;
	int calls = 0;

	gk_userdb_open(db, &r, &err);
	ino = inode_of(db);
	gk_userdb_begin(db, false, 1000, &t, &err);
	mkuser(&u, "alice", 2);
	gk_userdb_txn_put(t, &u, &err);
	gk_userdb_txn_delete(t, "carol", &err);
	gk_userdb_abort(t);
	is_int(inode_of(db), ino, "abort leaves the file untouched");
	gk_userdb_lookup(r, "alice", &u, &err);
	is_str(u.display, "rev 1", "abort: alice unchanged");
	is_int(gk_userdb_lookup(r, "carol", &u, &err), GK_OK, "abort: carol still there");

	gk_userdb_begin(db, false, 1000, &t, &err);
	is_int(gk_userdb_commit(t, &err), GK_OK, "empty commit");
	is_int(inode_of(db), ino, "an empty commit does not rewrite the file");

	/* Lock: a second writer (another open file description) waits, then gives up. */
	is_int(gk_userdb_begin(db, false, 1000, &t, &err), GK_OK, "writer 1 holds the lock");
	clock_gettime(CLOCK_MONOTONIC, &a);
	is_int(gk_userdb_begin(db, false, 150, &t2, &err), GK_EBUSY, "writer 2 -> GK_EBUSY");
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	ok(ms >= 150 && ms < 1500, "after waiting about timeout_ms (%ld ms)", ms);
	ok(strstr(err.msg, "lock") != NULL, "message: %s", err.msg);
	is_int(gk_userdb_begin(db, false, 0, &t2, &err), GK_EBUSY, "timeout 0: one try");
	is_int(gk_userdb_lookup(r, "alice", &u, &err), GK_OK, "readers never wait for the lock");
	gk_userdb_txn_delete(t, "carol", &err);
	mkuser(&u, "dave", 1);
	gk_userdb_txn_put(t, &u, &err);
	is_int(gk_userdb_commit(t, &err), GK_OK, "writer 1 commits");
	is_int(gk_userdb_begin(db, false, 0, &t2, &err), GK_OK, "lock is free after commit");
	is_int(gk_userdb_txn_get(t2, "dave", &u, &err), GK_OK, "next txn sees dave");
	is_int(gk_userdb_txn_get(t2, "carol", &u, &err), GK_NOTFOUND, "and not carol");
	mkuser(&u, "alice", 3);
	gk_userdb_txn_put(t2, &u, &err);
	mkuser(&u, "alice", 4);
	gk_userdb_txn_put(t2, &u, &err);
	gk_userdb_txn_get(t2, "alice", &u, &err);
	is_str(u.display, "rev 4", "the last put of a user wins inside the txn");
	gk_userdb_commit(t2, &err);
	gk_userdb_lookup(r, "alice", &u, &err);
	is_str(u.display, "rev 4", "and after commit");

	is_int(gk_userdb_foreach(r, collect, names, &err), GK_OK, "foreach");
	ok(strlen(names) == strlen("alice;dave;") && strstr(names, "alice;") != NULL &&
	    strstr(names, "dave;") != NULL, "foreach visits exactly alice and dave (%s)", names);
	is_int(gk_userdb_foreach(r, stop_at_first, &calls, &err), 42,
	    "foreach stops and returns the callback's value");
	is_int(calls, 1, "after one call");
	gk_userdb_close(r);
}

static void
test_attrs_and_sweep(void)
{
	char p[192];
	struct gk_userdb_txn *t;
	struct gk_err err;
	struct stat st;
	static const char *const stale[] = {
		"users.db.gktmp.AbC123", "users.db.gktmp.zzzzzz",
	};
	static const char *const keep[] = {
		"users.db.gktmp.AbC12", "users.db.gktmp.AbC1234", "users.db.gktmp.AbC12!",
		"users.db.bak", "other.db.gktmp.AbC123", "users.db.gktmp.",
	};
	size_t i;
	int kept = 0;

	chmod(db, 0640);
	put1(db, "erin", 1);
	ok(stat(db, &st) == 0 && (st.st_mode & 07777) == 0640, "commit keeps the live file's mode");
	if (geteuid() == 0) {
		/* As root the new file must get the live file's owner and group, not root's. */
		is_int(chown(db, 65534, 65534), 0, "root: give the database to 65534:65534");
		put1(db, "erin", 2);
		stat(db, &st);
		ok(st.st_uid == 65534 && st.st_gid == 65534 &&
		    (st.st_mode & 07777) == 0640, "commit keeps owner, group and mode (%d:%d %o)",
		    (int)st.st_uid, (int)st.st_gid, (unsigned)(st.st_mode & 07777));
		(void)!chown(db, 0, 0);
	} else {
		put1(db, "erin", 2);
		ok(stat(db, &st) == 0 && st.st_uid == geteuid(), "commit keeps our ownership");
	}

	for (i = 0; i < 2; i++) {
		path_in(p, sizeof(p), stale[i]);
		write_file(p, "x", 1);
	}
	for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
		path_in(p, sizeof(p), keep[i]);
		write_file(p, "x", 1);
	}
	gk_userdb_begin(db, false, 1000, &t, &err);
	gk_userdb_abort(t);
	for (i = 0; i < 2; i++) {
		path_in(p, sizeof(p), stale[i]);
		ok(access(p, F_OK) != 0, "stale temp %s removed by the next writer", stale[i]);
	}
	for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
		path_in(p, sizeof(p), keep[i]);
		kept += access(p, F_OK) == 0;
		unlink(p);
	}
	is_int(kept, (int)(sizeof(keep) / sizeof(keep[0])), "files not matching the pattern kept");
}

/* Opens path and expects a clean error (never a user, never a crash). */
static void
expect_open_error(const char *path, int want, const char *what, const char *needle)
{
	struct gk_userdb *r = NULL;
	struct gk_err err = { "" };
	int rc = gk_userdb_open(path, &r, &err);

	is_int(rc, want, "%s -> %s", what, want == GK_EIO ? "GK_EIO" : "GK_ECORRUPT");
	ok(r == NULL && strstr(err.msg, needle) != NULL, "  message: %s", err.msg);
	gk_userdb_close(r);
}

static void
test_bad_files(void)
{
	char p[192], real[192];
	unsigned char junk[8192];
	struct gk_userdb *r;
	struct gk_user u;
	struct gk_err err;
	struct stat st;
	off_t cut;
	int fds, wrong = 0, opened = 0, i;
	static const char *const nometa[] = { "alice", "x", NULL };
	static const size_t nometa_len[] = { 1 };
	static const char *const badmeta[] = { "\x01meta", "GKDB\x01", NULL };
	static const size_t badmeta_len[] = { 5 };
	static const char *const newmeta[] = {
		"\x01meta", "GKDB\x09\0\0\0\0\0\0\0\0", NULL };
	static const size_t newmeta_len[] = { 13 };

	fds = open_fds();
	path_in(p, sizeof(p), "missing.db");
	expect_open_error(p, GK_EIO, "missing file", "No such file");
	path_in(p, sizeof(p), "empty.db");
	write_file(p, "", 0);
	expect_open_error(p, GK_ECORRUPT, "zero-length file", "empty.db");
	path_in(p, sizeof(p), "garbage.db");
	for (i = 0; i < (int)sizeof(junk); i++)
		junk[i] = (unsigned char)(i * 131 + 7);
	write_file(p, junk, sizeof(junk));
	expect_open_error(p, GK_ECORRUPT, "garbage file", "garbage.db");
	expect_open_error(dir, GK_EIO, "a directory", "not a regular file");
	path_in(p, sizeof(p), "nometa.db");
	raw_gdbm(p, nometa, nometa_len);
	expect_open_error(p, GK_ECORRUPT, "GDBM file without our metadata", "not a gatekeep");
	path_in(p, sizeof(p), "badmeta.db");
	raw_gdbm(p, badmeta, badmeta_len);
	expect_open_error(p, GK_ECORRUPT, "GDBM file with short metadata", "bad metadata");
	path_in(p, sizeof(p), "newmeta.db");
	raw_gdbm(p, newmeta, newmeta_len);
	expect_open_error(p, GK_ECORRUPT, "database format from the future", "format 9");
	is_int(open_fds(), fds, "failed opens leak no descriptors");

	/* Truncated copies of a real database: a clean error, or (past the data) the truth. */
	for (i = 0; i < 40; i++) {
		char name[16];

		snprintf(name, sizeof(name), "user%d", i);
		put1(db, name, (unsigned)i + 1);
	}
	stat(db, &st);
	snprintf(real, sizeof(real), "%s", db);
	path_in(p, sizeof(p), "trunc.db");
	for (cut = 0; cut < st.st_size; cut += cut < 1024 ? 97 : 509) {
		copy_file(real, p, cut);
		if (gk_userdb_open(p, &r, &err) != GK_OK)
			continue;
		opened++;
		for (i = 0; i < 40; i++) {
			char name[16];
			int rc;

			snprintf(name, sizeof(name), "user%d", i);
			rc = gk_userdb_lookup(r, name, &u, &err);
			if (rc == GK_OK && u.generation != (unsigned)i + 1)
				wrong++;
			if (rc != GK_OK && rc != GK_EIO && rc != GK_ECORRUPT && rc != GK_NOTFOUND)
				wrong++;
		}
		gk_userdb_close(r);
	}
	is_int(wrong, 0, "truncated copies never yield a wrong record (%d of them opened)", opened);
	copy_file(real, p, st.st_size / 2);
	expect_open_error(p, GK_ECORRUPT, "database cut in half", "trunc.db");
	is_int(open_fds(), fds, "no descriptors leaked");
}

static void
test_reader_fails_closed(void)
{
	char p[192], bak[192];
	struct gk_userdb *r;
	struct gk_user u;
	struct gk_err err;

	path_in(bak, sizeof(bak), "good.copy");
	copy_file(db, bak, 1 << 30);
	is_int(gk_userdb_open(db, &r, &err), GK_OK, "long-lived reader");
	is_int(gk_userdb_lookup(r, "alice", &u, &err), GK_OK, "reads alice");

	path_in(p, sizeof(p), "garbage.db");
	rename(p, db);
	is_int(gk_userdb_lookup(r, "alice", &u, &err), GK_ECORRUPT,
	    "live file replaced by garbage: lookup fails closed");
	ok(u.name[0] == '\0', "and returns no user");
	is_int(gk_userdb_lookup(r, "alice", &u, &err), GK_ECORRUPT, "and keeps failing");
	unlink(db);
	is_int(gk_userdb_lookup(r, "alice", &u, &err), GK_EIO, "live file deleted: GK_EIO");
	ok(strstr(err.msg, "No such file") != NULL, "message: %s", err.msg);
	rename(bak, db);
	is_int(gk_userdb_lookup(r, "alice", &u, &err), GK_OK, "good file back: reader recovers");
	gk_userdb_close(r);
}

static void
test_damaged_record(void)
{
	struct gk_userdb *r;
	struct gk_userdb_txn *t;
	struct gk_user u;
	struct gk_err err;
	unsigned char rec[GK_RECORD_MAX];
	size_t len;
	GDBM_FILE f;
	datum k, v;
	ino_t ino;

	/* Plant a bad record and a record under the wrong key with raw GDBM. */
	mkuser(&u, "alice", 9);
	gk_record_encode(&u, rec, sizeof(rec), &len, &err);
	f = gdbm_open(db, 0, GDBM_WRITER, 0600, NULL);
	ok(f != NULL, "raw GDBM writer on a copy-free test database");
	k.dptr = "mallory";
	k.dsize = 7;
	v.dptr = "\x01garbage";
	v.dsize = 8;
	gdbm_store(f, k, v, GDBM_REPLACE);
	k.dptr = "trudy";
	k.dsize = 5;
	v.dptr = (char *)rec;
	v.dsize = (int)len;
	gdbm_store(f, k, v, GDBM_REPLACE);
	gdbm_close(f);

	gk_userdb_open(db, &r, &err);
	is_int(gk_userdb_lookup(r, "mallory", &u, &err), GK_ECORRUPT, "damaged record -> GK_ECORRUPT");
	ok(u.name[0] == '\0', "no user returned");
	is_int(gk_userdb_lookup(r, "trudy", &u, &err), GK_ECORRUPT,
	    "alice's record under key trudy -> GK_ECORRUPT");
	is_int(gk_userdb_lookup(r, "alice", &u, &err), GK_OK, "other users still readable");
	is_int(gk_userdb_check(r, NULL, &err), GK_ECORRUPT, "check reports the damage");
	diag("check: %s", err.msg);

	ino = inode_of(db);
	is_int(put1(db, "zoe", 1), GK_ECORRUPT, "a commit never carries a damaged record forward");
	is_int(inode_of(db), ino, "the live file is untouched");
	ok(count_files(".gktmp.") == 0, "and the temp file is gone");

	gk_userdb_begin(db, false, 1000, &t, &err);
	is_int(gk_userdb_txn_get(t, "mallory", &u, &err), GK_ECORRUPT, "txn_get of it fails");
	is_int(gk_userdb_txn_delete(t, "mallory", &err), GK_OK, "but it can be deleted");
	mkuser(&u, "trudy", 1);
	gk_userdb_txn_put(t, &u, &err);
	is_int(gk_userdb_commit(t, &err), GK_OK, "commit repairs the database");
	is_int(gk_userdb_check(r, NULL, &err), GK_OK, "check passes again");
	gk_userdb_close(r);
}

/* A writer that runs out of space (RLIMIT_FSIZE stands in for ENOSPC) leaves the DB alone. */
static void
test_write_failure(void)
{
	struct gk_userdb *r;
	struct gk_user u;
	struct gk_err err;
	struct stat before, after;
	pid_t pid;
	int status = 0;
	size_t n0 = 0, n1 = 1;

	gk_userdb_open(db, &r, &err);
	gk_userdb_count(r, &n0, &err);
	stat(db, &before);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct rlimit rl = { 256 * 1024, 256 * 1024 };
		struct gk_userdb_txn *t;
		char name[32];
		int i, rc;

		signal(SIGXFSZ, SIG_IGN);
		setrlimit(RLIMIT_FSIZE, &rl);
		if (gk_userdb_begin(db, false, 1000, &t, &err) != GK_OK)
			_exit(10);
		for (i = 0; i < 4000; i++) {
			snprintf(name, sizeof(name), "bulk%05d", i);
			mkuser(&u, name, 1);
			memset(u.display, 'd', GK_DISPLAY_MAX);
			u.display[GK_DISPLAY_MAX] = '\0';
			if (gk_userdb_txn_put(t, &u, &err) != GK_OK)
				_exit(11);
		}
		rc = gk_userdb_commit(t, &err);
		if (rc == GK_OK)
			_exit(12);
		_exit(strstr(err.msg, "large") != NULL || strstr(err.msg, "space") != NULL ? 0 : 13);
	}
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "commit past the size limit fails with a message (child status %d)", status);
	stat(db, &after);
	ok(before.st_ino == after.st_ino && before.st_size == after.st_size,
	    "live database untouched");
	ok(count_files(".gktmp.") == 0, "temp file removed");
	is_int(gk_userdb_check(r, &n1, &err), GK_OK, "database still checks");
	is_int(n1, n0, "same number of users");
	gk_userdb_close(r);
}

/* A FIFO at the database path: every opener fails at once with a clear reason (alarm: a hang fails). */
static void
test_fifo(void)
{
	char fifo[160], keep[160];
	struct gk_userdb *r = NULL;
	struct gk_userdb_txn *t = NULL;
	struct gk_user u;
	struct gk_err err;

	path_in(fifo, sizeof(fifo), "fifo.db");
	path_in(keep, sizeof(keep), "keep.db");
	ok(mkfifo(fifo, 0600) == 0, "a FIFO where the database should be");
	alarm(10);
	ok(gk_userdb_open(fifo, &r, &err) != GK_OK && r == NULL, "open of a FIFO fails without hanging");
	ok(strstr(err.msg, "not a regular file") != NULL, "  saying why: %s", err.msg);
	ok(gk_userdb_begin(fifo, false, 1000, &t, &err) != GK_OK && t == NULL,
	    "a writer (gatekeep-passwd) fails without hanging");
	ok(strstr(err.msg, "not a regular file") != NULL, "  saying why: %s", err.msg);
	/* A reader that was fine, then a FIFO is renamed over the file: the next lookup fails. */
	is_int(gk_userdb_open(db, &r, &err), GK_OK, "open the real database");
	ok(link(db, keep) == 0 && rename(fifo, db) == 0, "a FIFO replaces it");
	ok(gk_userdb_lookup(r, "alice", &u, &err) != GK_OK, "the next lookup fails without hanging");
	ok(strstr(err.msg, "not a regular file") != NULL, "  saying why: %s", err.msg);
	ok(rename(keep, db) == 0, "the real file is back");
	is_int(gk_userdb_lookup(r, "alice", &u, &err), GK_OK, "  and is read again");
	alarm(0);
	gk_userdb_close(r);
}

/*
 * A record named "-lice", as gatekeep-passwd could write it before names starting with
 * '-' were refused: never found by a lookup (so it never signs in), but it blocks
 * neither a check nor a write, and it can be deleted.
 */
static void
test_legacy_dash_name(void)
{
	struct gk_userdb *r;
	struct gk_userdb_txn *t;
	struct gk_user u;
	struct gk_err err;
	unsigned char rec[GK_RECORD_MAX];
	unsigned char *name;
	size_t len;
	GDBM_FILE f;
	datum k, v;

	mkuser(&u, "alice", 3);
	gk_record_encode(&u, rec, sizeof(rec), &len, &err);
	name = memmem(rec, len, "alice", 5);
	ok(name != NULL && len > 16, "a record to rename");
	if (name == NULL)
		return;
	*name = '-';
	crypto_generichash(rec + len - 16, 16, rec, len - 16, NULL, 0);   /* reseal */
	f = gdbm_open(db, 0, GDBM_WRITER, 0600, NULL);
	k.dptr = "-lice";
	k.dsize = 5;
	v.dptr = (char *)rec;
	v.dsize = (int)len;
	ok(f != NULL && gdbm_store(f, k, v, GDBM_REPLACE) == 0, "plant user -lice with raw GDBM");
	if (f != NULL)
		gdbm_close(f);
	gk_userdb_open(db, &r, &err);
	is_int(gk_userdb_lookup(r, "-lice", &u, &err), GK_NOTFOUND, "a lookup of -lice finds nothing");
	is_int(gk_userdb_check(r, NULL, &err), GK_OK, "the database still checks out");
	is_int(put1(db, "zack", 1), GK_OK, "  and still takes writes");
	gk_userdb_begin(db, false, 1000, &t, &err);
	is_int(gk_userdb_txn_delete(t, "-lice", &err), GK_OK, "-lice can be deleted");
	is_int(gk_userdb_commit(t, &err), GK_OK, "  and the deletion commits");
	gk_userdb_close(r);
}

int
main(void)
{
	snprintf(dir, sizeof(dir), "%s/t_userdb.XXXXXX",
	    getenv("TMPDIR") != NULL && strlen(getenv("TMPDIR")) < 30 ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(dir) == NULL) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 99;
	}
	path_in(db, sizeof(db), "users.db");
	test_create_and_basics();
	test_txn_semantics();
	test_attrs_and_sweep();
	test_bad_files();
	test_reader_fails_closed();
	test_damaged_record();
	test_write_failure();
	test_legacy_dash_name();
	test_fifo();
	testdb_rm_rf(dir);
	return done_testing();
}
