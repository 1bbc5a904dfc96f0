/* origin.h: where an unsafe browser request comes from (Origin, Sec-Fetch-Site, Referer): the CSRF check that needs no cookie. */
#ifndef GK_ORIGIN_H
#define GK_ORIGIN_H

#include "common.h"
#include "conf.h"	/* struct gk_strlist */
#include "request.h"

/*
 * May this request have been sent from a page of one of the allowed origins?
 * Used for unsafe methods only (the caller decides which).
 *  - Origin present: allowed when it equals (ASCII case-insensitively) an
 *    item of allowed, or -- when host is not NULL -- when its authority is
 *    host (the request's own Host: a same-origin form). "null" (sandboxed
 *    frames, file: pages, some redirects) never is.
 *  - No Origin: "Sec-Fetch-Site: cross-site" is refused; then the Referer's
 *    scheme://authority must pass the same test.
 *  - Neither header (privacy tools strip them): allowed; the caller's other
 *    defence (a CSRF token, SameSite cookies) decides.
 *  - A header sent twice or that is not a valid header value: refused.
 * Returns true, or false with *why = "origin-duplicate", "origin",
 * "cross-site" or "referer" (for the log).
 */
bool gk_origin_check(const struct gk_request *req, const struct gk_strlist *allowed,
    const char *host, const char **why);

#endif
