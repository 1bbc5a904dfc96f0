/* redirect.h: decides whether a post-login "rd" target is safe (no open redirect). */
#ifndef GK_REDIRECT_H
#define GK_REDIRECT_H

#include "common.h"
#include "conf.h"

#define GK_REDIRECT_MAX 2048   /* longest rd we accept, bytes */

/*
 * Accepted targets (SECURITY.md 1.1, rule 7):
 *  - a relative path: '/' not followed by '/' or '\\' (also not encoded as
 *    %2F/%5C), e.g. "/", "/app/?x=1", and whose dot segments ("." "..", also
 *    as %2e) do not make the path start with "//" ("/.//x", "/a/..//x");
 *  - an absolute "http://" or "https://" URL (scheme case-insensitive, the
 *    two slashes required) that libcurl's URL parser accepts, without
 *    user:password@, whose host (lower-cased, no trailing dot) equals an
 *    entry of domains or, for an entry ".example.com" (or "*.example.com"),
 *    is example.com or ends with ".example.com", and whose path (libcurl's, dot
 *    segments removed) is a relative path as above ("https://h//x" is refused).
 * Refused anywhere in the string: bytes <= 0x20, 0x7F and >= 0x80, '\\',
 * and percent-escapes of control bytes, '\\' or DEL (%0d%0a, %00, %5c ...).
 */

/*
 * Checks rd. GK_OK: safe, and out holds what to put in Location (the
 * relative path unchanged, or libcurl's normalised form of the URL).
 * GK_NOTFOUND: rd is NULL or empty. GK_EINVAL: refused, err says why
 * (without echoing rd). GK_ERR: libcurl failed (out of memory).
 */
int gk_redirect_check(const char *rd, const struct gk_strlist *domains, char *out, size_t outsz,
    struct gk_err *err);

/*
 * gk_redirect_check, falling back to fallback (copied into out) when rd is
 * empty or refused. Returns gk_redirect_check's status so that the caller
 * can log a refusal; out is always usable unless fallback does not fit
 * (GK_ETOOLONG).
 */
int gk_redirect_pick(const char *rd, const struct gk_strlist *domains, const char *fallback,
    char *out, size_t outsz, struct gk_err *err);

/*
 * True when query string qs (may be NULL) carries an rd or redirect_uri
 * longer than GK_REDIRECT_MAX once decoded, or is itself over the form caps
 * (lib/form.h): such a request is refused (400), never served with the
 * target silently dropped. gatekeep-authz never builds a longer one.
 */
bool gk_redirect_query_too_long(const char *qs);

/* True if host (any case) equals an entry of domains or matches a ".suffix" entry. */
bool gk_redirect_host_allowed(const char *host, const struct gk_strlist *domains);

#endif
