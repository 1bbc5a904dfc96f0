/* cookie.h: RFC 6265 Cookie header parsing that returns one named cookie safely. */
#ifndef GK_COOKIE_H
#define GK_COOKIE_H

#include "common.h"

/*
 * The longest Cookie header read (a header, not a cookie: each cookie is bounded by its
 * reader's buffer, a session token by GK_TOKEN_MAX).  Browsers send every cookie of the
 * domain in one header, so a user with many cookies of other apps of the domain sends far
 * more than GK_HEADER_MAX; refusing it would send them to log in, and back, forever.  The
 * bound is the whole request's: lib/fcgiguard's GK_FCGIGUARD_PARAMS_MAX (every param's
 * name and value) and the HTTP front's head (GK_HTTPREQ_HEAD_MAX), 128 KiB; the scan is
 * one linear pass.
 */
#define GK_COOKIE_HEADER_MAX (128 * 1024)

/*
 * Finds cookie `name` in a Cookie header value ("a=1; b=2"). Pairs are
 * separated by ';' (always, even inside quotes) and optional spaces/tabs, which
 * are trimmed around names and values; a pair without '=' is skipped; names
 * compare case-sensitively; a value may be wrapped in double quotes (removed).
 * Only our cookie's value is checked: junk in other cookies is ignored. Returns GK_OK with the value in
 * out, GK_NOTFOUND, GK_EDUP if the name occurs more than once (never pick
 * one), GK_ETOOLONG if the header exceeds GK_COOKIE_HEADER_MAX or the value does not
 * fit outsz, GK_EINVAL if the value holds characters outside RFC 6265
 * cookie-octet, a bad name or no output buffer. out is "" on any error.
 */
int gk_cookie_get(const char *header, const char *name, char *out, size_t outsz);

/* A cookie name is an RFC 9110 token. */
bool gk_cookie_name_valid(const char *name);

#endif
