/* request.h: the RFC 3875 view of a request, from a CGI environment or FastCGI params. */
#ifndef GK_REQUEST_H
#define GK_REQUEST_H

#include "common.h"

/* FastCGI role of the request (libfcgi puts FCGI_ROLE first in envp). */
enum gk_role {
	GK_ROLE_UNKNOWN = 0,
	GK_ROLE_RESPONDER,
	GK_ROLE_AUTHORIZER,
	GK_ROLE_FILTER
};

/* A read-only view over a NULL-terminated "NAME=value" array; it owns nothing. */
struct gk_request {
	char *const *envp;
};

void gk_request_init(struct gk_request *req, char *const *envp);

/* First value of meta-variable name, or NULL. Same rule as libfcgi's FCGX_GetParam. NULL envp = no params. */
const char *gk_request_param(const struct gk_request *req, const char *name);

/* How many times meta-variable name occurs (libfcgi keeps duplicates). */
size_t gk_request_param_count(const struct gk_request *req, const char *name);

/*
 * The one value of meta-variable name in *v (NULL if absent), in one walk of the params:
 * GK_OK, or GK_EDUP (*v NULL) when it occurs more than once.
 */
int gk_request_param_once(const struct gk_request *req, const char *name, const char **v);

/*
 * gk_request_param_once for each of names[0..n) (n <= GK_REQUEST_ONCE_MAX) in one walk of
 * the params: vals[i] is names[i]'s one value or NULL; GK_EDUP (every vals[i] NULL) when any
 * of them occurs more than once, GK_EINVAL for a name param_once could not look up.
 */
#define GK_REQUEST_ONCE_MAX 8
int gk_request_params_once(const struct gk_request *req, const char *const *names, size_t n,
    const char **vals);

/*
 * Meta-variable name of an HTTP header (RFC 3875 4.1.18): "Remote-User" ->
 * "HTTP_REMOTE_USER". Only letters, digits and '-' are accepted: a name with
 * '_' (or '.', which lighttpd also maps to '_') is GK_EINVAL, because
 * "Remote_User" and "Remote-User" are the same meta-variable and we must never
 * be configured to read the spelling a client can forge. GK_EINVAL also for a
 * name that is not an RFC 9110 token (1..256 bytes); GK_ETOOLONG if out is
 * small (out is "" on any error). No special cases: "Content-Type" maps to
 * HTTP_CONTENT_TYPE, not CONTENT_TYPE.
 */
int gk_header_meta_name(const char *header, char *out, size_t outsz);

/*
 * Value of HTTP header `header` (by its field name): GK_OK with *value set,
 * GK_NOTFOUND if absent, GK_EDUP if the meta-variable occurs more than once,
 * GK_ETOOLONG if longer than GK_HEADER_MAX (Cookie: GK_COOKIE_HEADER_MAX, lib/cookie.h),
 * GK_EINVAL for a bad name or a value with control characters.
 */
int gk_request_header(const struct gk_request *req, const char *header, const char **value);

/*
 * Role from the first FCGI_ROLE (libfcgi puts its own, from BEGIN_REQUEST,
 * before any server param): exactly "RESPONDER", "AUTHORIZER" or "FILTER";
 * GK_ROLE_UNKNOWN otherwise (and in CGI, where there is none).
 */
enum gk_role gk_request_role(const struct gk_request *req);

/* Convenience accessors (NULL when absent). */
const char *gk_request_remote_addr(const struct gk_request *req);
const char *gk_request_method(const struct gk_request *req);
const char *gk_request_uri(const struct gk_request *req);

#endif
