/* filewatch.h: lets a long-running process skip the stat() of a file it follows while inotify says nothing happened to it. */
#ifndef GK_FILEWATCH_H
#define GK_FILEWATCH_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Why: the user database and the secret file are followed by a stat() before each use
 * (a replaced or rewritten file counts at the next request). In gatekeep-authz's event
 * core that was three path walks per decision, a fifth of a cached decision's CPU.
 *
 * One watcher per process (an inotify descriptor, never shared across fork): the event
 * loop starts it in each worker, polls gk_filewatch_fd() and calls gk_filewatch_drain()
 * as soon as a wake-up reports it, before serving anything else of that wake-up.
 * A follower keeps a gk_filewatch_tag (zeroed) beside its path and asks
 * gk_filewatch_unchanged() before its stat():
 *   true  - the watcher has seen no event for the path since the last time it answered
 *           false to this tag: the caller's last stat() still holds, skip it;
 *   false - stat() now (a change, a first use, no watcher, or a path it cannot vouch for).
 * The watches (the path's directory, for the name; the file itself) are put in place
 * before false is returned, so a change after the caller's stat() is never missed.
 *
 * What it vouches for: every change made before the loop's last drain. The loop drains
 * when epoll_wait reports the descriptor (a rename's event is queued before rename()
 * returns) or fills its batch; so a replacement done before a worker wakes up is seen
 * by every request it serves after that wake-up.
 * It answers false forever (stat every time, as without it) for a path that is not
 * absolute, goes through a symlink, lives on a network or FUSE file system (where
 * inotify misses other hosts' changes), or when inotify cannot be had or overflows its
 * table. After an event queue overflow every path counts as changed once.
 */

struct gk_filewatch_tag {
	unsigned instance;      /* the watcher it was registered with; 0: never */
	int entry;
	uint64_t seen;          /* the entry's change count at the last false answer */
};

/* Starts this process's watcher; returns its descriptor to poll (EPOLLIN), -1 without one. */
int gk_filewatch_start(void);

/* Stops it (closes the descriptor); every tag then answers false again. */
void gk_filewatch_stop(void);

/* Reads every pending event (non-blocking) and counts the changes of the paths they name. */
void gk_filewatch_drain(void);

/* See above. path must stay the same for a tag. */
bool gk_filewatch_unchanged(struct gk_filewatch_tag *t, const char *path);

#endif
