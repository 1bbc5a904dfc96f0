/* pathread.h: every reading of a request path that a web server or app behind gatekeep could use. */
#ifndef GK_PATHREAD_H
#define GK_PATHREAD_H

#include "common.h"
#include "conf.h"

/*
 * The distinct normalised readings of one request target. Back ends disagree
 * on ";params" (Tomcat and Jetty strip them, so "/admin/..;/x" is "/x"; for
 * nginx, Apache and most apps "..;" is a name), on "%2F" and '\\' (a
 * separator or not), and on decoding ("%2561" is "%61" decoded once, "a"
 * decoded twice, and "%61" itself to a router that matches the raw target); many route without regard to ASCII case, which the
 * matching side covers (policy.h, gk_path_readings_all_under). A decision
 * must hold for every reading: a restriction that matches any of them
 * applies, a bypass must match all of them.
 */
#define GK_READINGS_MAX 12

struct gk_path_readings {
	size_t count;                           /* 1..GK_READINGS_MAX, no two equal */
	unsigned flags;                         /* GK_PATH_AMBIGUOUS if any reading is */
	char path[GK_READINGS_MAX][GK_PATH_MAX + 1];    /* path[0]: gk_path_normalize(target, 0) */
};

/*
 * Fills r with every reading of target (the combinations of the
 * GK_PATHNORM_* options the target's bytes make relevant). Returns GK_OK, or
 * the first error of gk_path_normalize for any reading (GK_EINVAL,
 * GK_ETOOLONG, GK_ERR): a path one plausible reader cannot make sense of is
 * refused, not guessed at. On error r->count is 0.
 */
int gk_path_readings(const char *target, struct gk_path_readings *r);

/*
 * True when every reading is under one of the prefixes (gk_path_prefix_match,
 * case-sensitive: a bypass holds only for the exact spelling), and no reading
 * is ambiguous. False for an empty list.
 */
bool gk_path_readings_all_under(const struct gk_path_readings *r,
    const struct gk_strlist *prefixes);

#endif
