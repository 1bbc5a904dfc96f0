/* method.h: every request method an app behind gatekeep could act on (overrides included). */
#ifndef GK_METHOD_H
#define GK_METHOD_H

#include "common.h"
#include "request.h"

/*
 * The request method is not the only say in what an app does: many
 * frameworks honour X-HTTP-Method-Override, X-HTTP-Method or
 * X-Method-Override (any spelling: "_" and "-" are one meta-variable) and a
 * "_method" query parameter, and some upper-case the method ("delete" runs a
 * DELETE). A decision must hold for every one of them, so rules are
 * selected and permissions checked for each reading, and all must allow.
 * A "_method" in a form body cannot be seen by an authorizer: apps that read
 * it are outside what gatekeep can protect (gatekeep.conf(5)).
 */
#define GK_METHOD_LEN_MAX 32    /* longest method token accepted in any reading */
#define GK_METHOD_READINGS_MAX 16

struct gk_methods {
	size_t count;                   /* 1..GK_METHOD_READINGS_MAX, no two equal */
	char m[GK_METHOD_READINGS_MAX][GK_METHOD_LEN_MAX + 1];  /* m[0]: the method as sent */
};

/* The override header names read (every occurrence, comma-separated lists split). */
extern const char *const gk_method_override_headers[];
/* The meta-variable read for gk_method_override_headers[i] ("HTTP_X_HTTP_METHOD_OVERRIDE"). */
const char *gk_method_override_meta(size_t i);

/*
 * Fills out with method (REQUEST_METHOD or Caddy's X-Forwarded-Method), each
 * element of every override header in req (req may be NULL), and each
 * "_method" parameter (name compared ignoring case, after percent- and
 * '+'-decoding) in the query of target (may be NULL); each also upper-cased
 * when that differs. Returns GK_OK, or GK_EINVAL when any of them is not an
 * RFC 9110 token of 1..GK_METHOD_LEN_MAX bytes (an empty or malformed
 * override is refused, not ignored), GK_ETOOLONG when there are more than
 * GK_METHOD_READINGS_MAX readings. On error out->count is 0.
 */
int gk_method_readings(const struct gk_request *req, const char *method, const char *target,
    struct gk_methods *out);

#endif
