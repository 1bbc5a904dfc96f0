/* pathnorm.h: request-path normalisation for bypass and rule matching (never match raw paths). */
#ifndef GK_PATHNORM_H
#define GK_PATHNORM_H

#include "common.h"

/*
 * Set in *flags when the path could mean something else to a back end:
 * a percent-decoded '/', '\\' or '%' inside a segment (%2F, %5C, %25...),
 * or a raw backslash. Such a path never matches a bypass prefix or a
 * "require=bypass" rule.
 */
#define GK_PATH_AMBIGUOUS 0x1u

/*
 * Option: treat %2F, %5C and a raw '\\' as segment separators (how nginx
 * and some back ends read them). Without it they stay inside their segment,
 * re-encoded as "%2F" / "%5C" (a decoded '%' becomes "%25"), which is how
 * Apache and most file servers read them. The authorizer evaluates an
 * ambiguous path both ways and denies when the two readings differ.
 */
#define GK_PATHNORM_SPLIT 0x1u

/*
 * Option: keep ";params" as part of their segment (how nginx, Apache and most
 * apps read them: "..;" is then a name, not a dot segment). Without it they
 * are stripped, as Tomcat and Jetty do.
 */
#define GK_PATHNORM_SEMI_LITERAL 0x2u

/*
 * Option: percent-decode twice, as an app that decodes the path its front
 * end already decoded does: "%2561" is "a". Only a "%25" followed by two hex
 * digits (raw or themselves encoded) is decoded again; any other "%25" stays
 * a literal '%', as lenient decoders leave it.
 */
#define GK_PATHNORM_TWICE 0x4u

/*
 * Option: do not percent-decode (how a router matching the raw request
 * target reads it: "/p%75blic" is not "/public" there). Escapes are still
 * checked; a raw '\\' or ';' is read as without the option.
 */
#define GK_PATHNORM_RAW 0x8u

/*
 * Normalises the path of a request target (REQUEST_URI or X-Forwarded-Uri):
 * drops an absolute-form "scheme://authority" prefix, the query ('?') and
 * fragment ('#'); splits on '/'; strips ";params" from each raw segment
 * (Tomcat's "..;" is ".."); percent-decodes each segment once; collapses
 * empty segments ("//") and "."; resolves ".." (above the root is an
 * error). A trailing '/' is kept. out receives a path starting with '/'.
 * Returns GK_OK, GK_EINVAL (not starting with '/', a bad %-escape, a decoded
 * NUL or control byte, invalid or overlong UTF-8 such as %c0%af in any
 * segment, even one a later ".." removes, ".." above root) or GK_ETOOLONG (input over GK_HEADER_MAX or output over outsz).
 */
int gk_path_normalize(const char *target, unsigned opts, char *out, size_t outsz,
    unsigned *flags);

/*
 * Segment-aware prefix match on a normalised path: "/public" matches
 * "/public" and "/public/x", not "/publicity"; a prefix ending in '/'
 * matches anything below it; "/" matches everything.  nocase ignores ASCII
 * case: how a back end that routes case-insensitively reads it.
 */
bool gk_path_prefix_match(const char *prefix, const char *path, bool nocase);

#endif
