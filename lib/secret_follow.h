/* secret_follow.h: the signing key of a long-running program, following its file, each change logged once. */
#ifndef GK_SECRET_FOLLOW_H
#define GK_SECRET_FOLLOW_H

#include "log.h"
#include "secret.h"

/*
 * gatekeep-authz (session cookies) and gatekeep-login (issuing them) both call this before
 * each use of the key: gk_secret_refresh on path (NULL: no key, reported once), and when it says
 * so, one line: "secret_file PATH: changed on disk, key reloaded" (notice) or
 * "secret_file PATH: WHY" (error; every cookie is refused until the file is repaired).
 * Returns s when it holds the key to use now, else NULL (fail closed: never a stale key).
 */
const struct gk_secret *gk_secret_follow(const char *path, struct gk_secret *s,
    const struct gk_log *log);

#endif
