/* login_http.h: gatekeep-login's HTTP client for the identity provider (libcurl): bounded, no redirects, TLS verified. */
#ifndef GK_LOGIN_HTTP_H
#define GK_LOGIN_HTTP_H

#include <curl/curl.h>
#include <jansson.h>

#include "common.h"

struct login_http {
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
bool login_url_allowed(const char *url, struct gk_err *err, const char *what);

/*
 * One request (the URL must pass login_url_allowed). post != NULL makes it a form
 * POST; auth is a whole "Authorization: ..." line or NULL. A status other
 * than 200 is an error unless accept_4xx. Answers over 256 KiB are refused.
 * On GK_OK the caller frees h with login_http_free (which wipes the body).
 */
int login_http_do(const char *url, const char *post, const char *auth, const char *accept, struct login_http *h,
    bool accept_4xx, struct gk_err *err);
void login_http_free(struct login_http *h);

/* The body as a JSON object (duplicate keys refused), or NULL with err set. */
json_t *login_http_json(const struct login_http *h, struct gk_err *err);

#endif
