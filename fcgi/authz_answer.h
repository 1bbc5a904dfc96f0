/* authz_answer.h: writing a decision in the dialect of the FastCGI role that asked. */
#ifndef GK_AUTHZ_ANSWER_H
#define GK_AUTHZ_ANSWER_H

#include "authz_decide.h"

#define GK_ANSWER_MAX 16384

/*
 * Formats the CGI response for d into buf (NUL-terminated) and returns its
 * length. "Status: NNN" is always the first line. If any value would not
 * be a safe header value, or the answer does not fit, a 500 is written
 * instead (and d->outcome is set to GK_OUT_ERROR so the caller can log it).
 */
size_t gk_authz_answer(const struct gk_config *cfg, struct gk_decision *d, char *buf,
    size_t bufsz);

/* The HTTP status the answer carries. */
int gk_authz_status(const struct gk_decision *d);

#endif
