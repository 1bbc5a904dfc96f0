/* filewatch.c: one inotify watcher per process, so that followers of a file skip their stat() until something happens to it (see filewatch.h). */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include "filewatch.h"

#define ENTRIES 8
/* The name in its directory: created, removed, renamed over or away. Not the writes:
 * those of every other file there (logs, lockout tables) would wake every worker. */
#define DIR_MASK  (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF | \
    IN_MOVE_SELF | IN_ONLYDIR)
/* The inode now at the name: written in place, chmod'ed (through any link or mount). */
#define FILE_MASK (IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_DELETE_SELF | IN_MOVE_SELF)

struct entry {
	char *path;
	const char *base;       /* in path */
	int dirwd, filewd;      /* -1: none */
	uint64_t changes;
	bool rewatch;           /* the file watch must follow a new inode before the next stat */
	bool bad;               /* cannot vouch for this path: stat every time */
};

static struct {
	int fd;
	unsigned instance;
	unsigned next_instance;
	struct entry e[ENTRIES];
	size_t n;
} W = { .fd = -1 };

static void
forget_entries(void)
{
	size_t i;

	for (i = 0; i < W.n; i++)
		free(W.e[i].path);
	memset(W.e, 0, sizeof(W.e));
	W.n = 0;
}

int
gk_filewatch_start(void)
{
	gk_filewatch_stop();
	if ((W.fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0)
		return -1;
	W.instance = ++W.next_instance;
	if (W.instance == 0)
		W.instance = ++W.next_instance;
	return W.fd;
}

void
gk_filewatch_stop(void)
{
	if (W.fd >= 0)
		close(W.fd);
	W.fd = -1;
	W.instance = 0;
	forget_entries();
}

/* Network and user-space file systems: inotify sees this host's changes only. */
static bool
remote_fs(const char *dir)
{
	static const long remote[] = {
		0x6969,                 /* NFS */
		0x517b, (long)0xff534d42, (long)0xfe534d42,    /* SMB, CIFS, SMB2 */
		0x65735546,             /* FUSE */
		0x00c36400,             /* Ceph */
		0x01021997,             /* 9P (v9fs) */
		0x5346414f,             /* AFS */
		0x47504653,             /* GPFS */
		0x0bd00bd0,             /* Lustre */
	};
	struct statfs sf;
	size_t i;

	if (statfs(dir, &sf) != 0)
		return true;
	for (i = 0; i < sizeof(remote) / sizeof(remote[0]); i++)
		if ((long)sf.f_type == remote[i])
			return true;
	return false;
}

/* An absolute, clean path whose directories are no symlinks (the file itself: rewatch). */
static bool
plain_path(const char *path, char *dir, size_t dirsz)
{
	const char *slash = strrchr(path, '/');
	struct stat st;
	size_t len, i;

	if (path[0] != '/' || slash == NULL || slash[1] == '\0' || strstr(path, "//") != NULL ||
	    strstr(path, "/./") != NULL || strstr(path, "/../") != NULL ||
	    strcmp(slash, "/.") == 0 || strcmp(slash, "/..") == 0)
		return false;
	len = (size_t)(slash - path);
	if (len + 1 > dirsz)
		return false;
	if (len == 0)
		len = 1;        /* a file in / */
	memcpy(dir, path, len);
	dir[len] = '\0';
	for (i = 1; i <= len; i++) {
		char save = dir[i];
		bool isdir;

		if (i < len && save != '/')
			continue;
		dir[i] = '\0';        /* each directory from the root down: no symlink */
		isdir = lstat(dir, &st) == 0 && S_ISDIR(st.st_mode);
		dir[i] = save;
		if (!isdir)
			return false;
	}
	return true;
}

/* The file watch follows the inode now at the path; false when it cannot. */
static bool
rewatch(struct entry *e)
{
	struct stat st;
	int wd;

	e->rewatch = false;
	if (lstat(e->path, &st) == 0 && S_ISLNK(st.st_mode))
		return !(e->bad = true);
	wd = inotify_add_watch(W.fd, e->path, FILE_MASK | IN_DONT_FOLLOW);
	if (wd < 0 && errno != ENOENT)
		return !(e->bad = true);        /* out of watches: stat every time */
	if (e->filewd >= 0 && e->filewd != wd)
		(void)inotify_rm_watch(W.fd, e->filewd);
	e->filewd = wd;
	return true;
}

static int
add_entry(const char *path)
{
	char dir[4096];
	struct entry *e;
	size_t i;

	for (i = 0; i < W.n; i++)
		if (strcmp(W.e[i].path, path) == 0)
			return (int)i;
	if (W.n == ENTRIES || strlen(path) >= sizeof(dir))
		return -1;
	e = &W.e[W.n];
	memset(e, 0, sizeof(*e));
	if ((e->path = strdup(path)) == NULL)
		return -1;
	e->base = strrchr(e->path, '/') + 1;    /* plain_path makes sure there is one */
	e->dirwd = e->filewd = -1;
	W.n++;
	if (!plain_path(path, dir, sizeof(dir)) || remote_fs(dir) ||
	    (e->dirwd = inotify_add_watch(W.fd, dir, DIR_MASK)) < 0)
		e->bad = true;
	else
		rewatch(e);
	return (int)(e - W.e);
}

void
gk_filewatch_drain(void)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	ssize_t n;
	size_t i;
	char *p;

	if (W.fd < 0)
		return;
	/* A read that left room for one more event emptied the queue: no read to EAGAIN
	 * (what comes later wakes the loop again). */
	n = (ssize_t)sizeof(buf);
	while (n > (ssize_t)(sizeof(buf) - sizeof(*ev) - NAME_MAX - 1) &&
	    (n = read(W.fd, buf, sizeof(buf))) > 0) {
		for (p = buf; p < buf + n; p += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)(void *)p;
			for (i = 0; i < W.n; i++) {
				struct entry *e = &W.e[i];

				if (ev->mask & IN_Q_OVERFLOW) {
					e->changes++;
					e->rewatch = true;
				} else if (ev->wd == e->dirwd && ev->wd >= 0) {
					/* the directory itself went away or moved: no more vouching */
					if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED |
					    IN_UNMOUNT))
						e->bad = true;
					else if (ev->len > 0 && strcmp(ev->name, e->base) == 0) {
						e->changes++;
						e->rewatch = true;
					}
				} else if (ev->wd == e->filewd && ev->wd >= 0) {
					if (ev->mask & IN_IGNORED)
						e->filewd = -1;
					e->changes++;
					e->rewatch = true;
				}
			}
		}
	}
	if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
		for (i = 0; i < W.n; i++)
			W.e[i].bad = true;
	}
}

bool
gk_filewatch_unchanged(struct gk_filewatch_tag *t, const char *path)
{
	struct entry *e;

	if (W.fd < 0 || path == NULL)
		return false;
	if (t->instance != W.instance) {
		t->instance = W.instance;
		t->entry = add_entry(path);
		if (t->entry >= 0)
			t->seen = W.e[t->entry].changes;
		return false;
	}
	if (t->entry < 0)
		return false;
	e = &W.e[t->entry];
	if (e->bad)
		return false;
	if (e->rewatch && !rewatch(e))
		return false;
	if (e->changes != t->seen) {
		t->seen = e->changes;
		return false;
	}
	return true;
}
