/* login_http.c: gatekeep-login's HTTP client for the identity provider (libcurl): bounded, no redirects, TLS verified. */
#include <config.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "login_http.h"

#define HTTP_BODY_MAX      (256 * 1024)  /* any JSON answer we read (discovery, JWKS, tokens) */
#define HTTP_TIMEOUT       10L           /* seconds for a whole exchange */
#define HTTP_CONNECT_TIME  5L

static bool
is_loopback_host(const char *h)
{
	struct in_addr a4;

	if (strcasecmp(h, "localhost") == 0 || strcmp(h, "[::1]") == 0 || strcmp(h, "::1") == 0)
		return true;
	return inet_pton(AF_INET, h, &a4) == 1 && (ntohl(a4.s_addr) >> 24) == 127;
}

/*
 * The only endpoints we talk to or send a browser to: https, or http on a
 * loopback host (a provider on the same machine, and the tests). No
 * user:password@, no fragment. Discovered endpoints pass here too.
 */
bool
login_url_allowed(const char *url, struct gk_err *err, const char *what)
{
	CURLU *u;
	char *scheme = NULL, *host = NULL, *user = NULL, *pw = NULL, *frag = NULL;
	bool ok = false;

	if (url == NULL || *url == '\0' || strlen(url) > 2048) {
		gk_err_set(err, "%s: missing or longer than 2048 bytes", what);
		return false;
	}
	u = curl_url();
	if (u == NULL || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK) {
		gk_err_set(err, "%s: not a URL", what);
		goto out;
	}
	curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
	curl_url_get(u, CURLUPART_HOST, &host, 0);
	curl_url_get(u, CURLUPART_USER, &user, 0);
	curl_url_get(u, CURLUPART_PASSWORD, &pw, 0);
	curl_url_get(u, CURLUPART_FRAGMENT, &frag, 0);
	if (scheme == NULL || host == NULL || *host == '\0' || user != NULL || pw != NULL ||
	    frag != NULL) {
		gk_err_set(err, "%s: needs a scheme and a host, no user:password@ and no #fragment",
		    what);
		goto out;
	}
	if (strcmp(scheme, "https") == 0 || (strcmp(scheme, "http") == 0 && is_loopback_host(host)))
		ok = true;
	else
		gk_err_set(err, "%s: must be https:// (http:// only on a loopback address)", what);
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	curl_free(pw);
	curl_free(frag);
	curl_url_cleanup(u);
	return ok;
}

static size_t
http_write(char *p, size_t size, size_t n, void *arg)
{
	struct login_http *h = arg;
	size_t add = size * n;
	char *grown;

	if (add > HTTP_BODY_MAX || h->len + add > HTTP_BODY_MAX) {
		h->too_big = true;
		return 0;           /* aborts the transfer */
	}
	grown = realloc(h->body, h->len + add + 1);
	if (grown == NULL)
		return 0;
	h->body = grown;
	memcpy(h->body + h->len, p, add);
	h->len += add;
	h->body[h->len] = '\0';
	return add;
}

void
login_http_free(struct login_http *h)
{
	if (h->body != NULL) {
		gk_wipe(h->body, h->len);   /* may hold tokens */
		free(h->body);
	}
	memset(h, 0, sizeof(*h));
}

/*
 * One request. post != NULL makes it a form POST; auth is a whole
 * "Authorization: ..." line or NULL. A status other than 200 is an error
 * unless accept_4xx (the token endpoint explains itself in JSON).
 */
int
login_http_do(const char *url, const char *post, const char *auth, const char *accept, struct login_http *h,
    bool accept_4xx, struct gk_err *err)
{
	CURL *c;
	struct curl_slist *hdrs = NULL, *t;
	CURLcode rc;
	char ebuf[CURL_ERROR_SIZE] = "";
	char acc[128];

	memset(h, 0, sizeof(*h));
	if (!login_url_allowed(url, err, "endpoint"))
		return GK_EINVAL;
	c = curl_easy_init();
	if (c == NULL)
		return gk_err_set(err, "libcurl: cannot create a handle");
	snprintf(acc, sizeof(acc), "Accept: %s", accept != NULL ? accept : "application/json");
	t = curl_slist_append(hdrs, acc);
	if (t != NULL)
		hdrs = t;
	if (auth != NULL && (t = curl_slist_append(hdrs, auth)) != NULL)
		hdrs = t;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, HTTP_TIMEOUT);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, HTTP_CONNECT_TIME);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)HTTP_BODY_MAX);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "gatekeep-login/" PACKAGE_VERSION);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, http_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, h);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(c, CURLOPT_NETRC, (long)CURL_NETRC_IGNORED);
	if (post != NULL)
		curl_easy_setopt(c, CURLOPT_COPYPOSTFIELDS, post);
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &h->status);
	curl_easy_cleanup(c);
	/* The Authorization line may hold the client secret or a token. */
	for (t = hdrs; t != NULL; t = t->next)
		gk_wipe(t->data, strlen(t->data));
	curl_slist_free_all(hdrs);
	if (rc != CURLE_OK) {
		if (h->too_big || rc == CURLE_FILESIZE_EXCEEDED)
			gk_err_set(err, "answer over 256 KiB");
		else
			gk_err_set(err, "%s (%s)", curl_easy_strerror(rc), ebuf[0] ? ebuf : "-");
		login_http_free(h);
		return GK_EIO;
	}
	if (h->status != 200 && !(accept_4xx && h->status >= 400 && h->status < 500)) {
		gk_err_set(err, "HTTP status %ld", h->status);
		login_http_free(h);
		return GK_EIO;
	}
	return GK_OK;
}

/* The body as a JSON object (duplicate keys refused), or NULL with err set. */
json_t *
login_http_json(const struct login_http *h, struct gk_err *err)
{
	json_error_t je;
	json_t *j;

	if (h->body == NULL)
		return gk_err_set(err, "empty answer"), NULL;
	j = json_loadb(h->body, h->len, JSON_REJECT_DUPLICATES, &je);
	if (j == NULL)
		return gk_err_set(err, "answer is not JSON (%.80s)", je.text), NULL;
	return j;
}
