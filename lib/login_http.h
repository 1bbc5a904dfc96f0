/* login_http.h: gatekeep-login's HTTP client for the identity provider (libcurl): bounded, no redirects, TLS verified. */
#ifndef GK_LOGIN_HTTP_H
#define GK_LOGIN_HTTP_H

#include <curl/curl.h>
#include <jansson.h>

#include "common.h"

struct http {
	long status;
	char *body;
	size_t len;
	bool too_big;
};

/*
 * The only endpoints we talk to or send a browser to: https, or http on a
 * loopback host (a provider on the same machine, and the tests). No
 * user:password@, no fragment. what names the setting in the message.
 */
bool url_allowed(const char *url, struct gk_err *err, const char *what);

/*
 * One request (the URL must pass url_allowed). post != NULL makes it a form
 * POST; auth is a whole "Authorization: ..." line or NULL. A status other
 * than 200 is an error unless accept_4xx. Answers over 256 KiB are refused.
 * On GK_OK the caller frees h with http_free (which wipes the body).
 */
int http_do(const char *url, const char *post, const char *auth, const char *accept, struct http *h,
    bool accept_4xx, struct gk_err *err);
void http_free(struct http *h);

/* The body as a JSON object (duplicate keys refused), or NULL with err set. */
json_t *http_json(const struct http *h, struct gk_err *err);

#endif
