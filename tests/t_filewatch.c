/* t_filewatch.c: lib/filewatch vouches for a quiet file and for nothing else; a user database follower skips its stat() only while the watcher saw nothing. */
#include <config.h>

#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "filewatch.h"
#include "tap.h"
#include "userdb.h"

#define HASH "$y$j9T$F5Jx5fExrKuPp53xLKQ..1$X3DX6M94c7o.9agCG9G317fhZg9SqC.5i5rd.RhAtQ7"

static char dir[64];

static void
put_file(const char *path, const char *text)
{
	char tmp[256];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.new", path);
	f = fopen(tmp, "w");
	fputs(text, f);
	fclose(f);
	rename(tmp, path);
}

static void
append(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_APPEND);

	(void)!write(fd, text, strlen(text));
	close(fd);
}

/* Asks twice: the first answer may be the registration's or a change's false. */
static bool
quiet(struct gk_filewatch_tag *t, const char *path)
{
	gk_filewatch_drain();
	return gk_filewatch_unchanged(t, path);
}

static int
put_user(const char *db, const char *name)
{
	struct gk_userdb_txn *t;
	struct gk_user u;
	struct gk_err err;

	if (gk_userdb_begin(db, true, 1000, &t, &err) != GK_OK)
		return -1;
	gk_user_init(&u, name, 1700000000);
	strcpy(u.hash, HASH);
	if (gk_userdb_txn_put(t, &u, &err) != GK_OK) {
		gk_userdb_abort(t);
		return -1;
	}
	return gk_userdb_commit(t, &err);
}

int
main(void)
{
	struct gk_filewatch_tag t = { 0 }, t2 = { 0 }, rel = { 0 }, sl = { 0 }, sd = { 0 };
	char f[128], other[128], link[128], ldir[128], viadir[160], db[128], copy[128];
	struct gk_userdb *r;
	struct gk_user u;
	struct gk_err err;

	strcpy(dir, "/tmp/t_filewatch.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(f, sizeof(f), "%s/key", dir);
	snprintf(other, sizeof(other), "%s/other", dir);
	put_file(f, "one\n");
	put_file(other, "x\n");

	ok(!gk_filewatch_unchanged(&t, f) && !gk_filewatch_unchanged(&t, f),
	    "no watcher: never vouches (every use stats)");
	ok(gk_filewatch_start() >= 0, "watcher started");
	ok(!gk_filewatch_unchanged(&t, f), "first ask registers: stat now");
	ok(gk_filewatch_unchanged(&t, f), "then quiet: the stat is skipped");
	ok(quiet(&t, f), "still quiet after a drain with nothing to read");
	put_file(other, "y\n");
	ok(quiet(&t, f), "another file of the directory replaced: still quiet");

	put_file(f, "two\n");
	ok(!quiet(&t, f), "replaced by rename: changed");
	ok(gk_filewatch_unchanged(&t, f), "... once: quiet again after that stat");
	append(f, "more\n");
	ok(!quiet(&t, f), "written in place (same inode): changed");
	ok(quiet(&t, f), "... once");
	chmod(f, 0600);
	ok(!quiet(&t, f), "chmod: changed");
	ok(quiet(&t, f), "... once");
	unlink(f);
	ok(!quiet(&t, f), "removed: changed");
	ok(quiet(&t, f), "... a missing file stays quiet");
	put_file(f, "three\n");
	ok(!quiet(&t, f), "created again: changed");
	append(f, "x");
	ok(!quiet(&t, f), "and its new inode is watched (in-place write seen)");

	ok(!gk_filewatch_unchanged(&t2, f), "a second tag on the same path registers");
	ok(gk_filewatch_unchanged(&t2, f) && gk_filewatch_unchanged(&t, f), "both quiet");
	append(f, "y");
	gk_filewatch_drain();
	ok(!gk_filewatch_unchanged(&t2, f) && !gk_filewatch_unchanged(&t, f),
	    "one change: each tag told once");

	ok(!gk_filewatch_unchanged(&rel, "relative/key") && !gk_filewatch_unchanged(&rel, "relative/key"),
	    "a relative path: never vouched for");
	snprintf(link, sizeof(link), "%s/link", dir);
	(void)!symlink(f, link);
	ok(!gk_filewatch_unchanged(&sl, link) && !gk_filewatch_unchanged(&sl, link),
	    "a symlink: never vouched for (its target may change elsewhere)");
	snprintf(ldir, sizeof(ldir), "%s/ldir", dir);
	(void)!symlink(dir, ldir);
	snprintf(viadir, sizeof(viadir), "%s/key", ldir);
	ok(!gk_filewatch_unchanged(&sd, viadir) && !gk_filewatch_unchanged(&sd, viadir),
	    "a path through a symlinked directory: never vouched for");

	/* the user database: a follower skips its stat() exactly while the watcher is quiet */
	gk_filewatch_stop();
	ok(!gk_filewatch_unchanged(&t, f), "stopped: no vouching");
	snprintf(db, sizeof(db), "%s/users.db", dir);
	snprintf(copy, sizeof(copy), "%s/users.next", dir);
	ok(gk_userdb_create(db, &err) == GK_OK && put_user(db, "alice") == GK_OK, "database with alice");
	ok(gk_filewatch_start() >= 0, "watcher started again");
	ok(gk_userdb_open(db, &r, &err) == GK_OK, "reader open");
	ok(gk_userdb_lookup(r, "alice", &u, &err) == GK_OK, "alice found");
	ok(put_user(db, "bob") == GK_OK, "bob added (copy and rename)");
	ok(gk_userdb_lookup(r, "bob", &u, &err) == GK_NOTFOUND,
	    "before the watcher's drain the reader did not stat: bob not seen yet");
	gk_filewatch_drain();
	ok(gk_userdb_lookup(r, "bob", &u, &err) == GK_OK, "after the drain: bob seen");
	gk_filewatch_stop();
	ok(put_user(db, "carol") == GK_OK, "carol added");
	ok(gk_userdb_lookup(r, "carol", &u, &err) == GK_OK, "without a watcher every lookup stats: carol seen at once");
	gk_userdb_close(r);
	(void)copy;

	unlink(link);
	unlink(ldir);
	unlink(f);
	unlink(other);
	unlink(db);
	{
		char lock[160];

		snprintf(lock, sizeof(lock), "%s.lock", db);
		unlink(lock);
	}
	rmdir(dir);
	return done_testing();
}
