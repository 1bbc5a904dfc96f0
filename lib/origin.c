/* origin.c: where an unsafe browser request comes from (Origin, Sec-Fetch-Site, Referer): the CSRF check that needs no cookie. */
#include <config.h>

#include <string.h>
#include <strings.h>

#include "origin.h"

/* "scheme://host[:port]" of a URL, lower-cased, into out; false if none. */
static bool
origin_of(const char *url, char *out, size_t outsz)
{
	const char *p = strstr(url, "://"), *end;
	size_t n, i;

	if (p == NULL)
		return false;
	end = p + 3 + strcspn(p + 3, "/?#");
	n = (size_t)(end - url);
	if (n >= outsz || end == p + 3)
		return false;
	for (i = 0; i < n; i++)
		out[i] = (char)((url[i] >= 'A' && url[i] <= 'Z') ? url[i] + 32 : url[i]);
	out[n] = '\0';
	return true;
}

/* The browser's Host for this request, compared without the scheme (see gatekeep-login.8). */
static bool
same_host(const char *host, const char *origin)
{
	const char *p = strstr(origin, "://");

	return host != NULL && p != NULL && strcasecmp(p + 3, host) == 0;
}

static bool
origin_allowed(const struct gk_strlist *l, const char *host, const char *origin)
{
	size_t i;

	for (i = 0; i < l->count; i++)
		if (strcasecmp(l->items[i], origin) == 0)
			return true;
	return same_host(host, origin);
}

bool
gk_origin_check(const struct gk_request *req, const struct gk_strlist *allowed,
    const char *host, const char **why)
{
	const char *o, *ref, *sfs;
	char ro[512];
	int rc;

	rc = gk_request_header(req, "Origin", &o);
	if (rc == GK_EDUP) {
		*why = "origin-duplicate";
		return false;
	}
	if (rc == GK_OK) {
		if (strcmp(o, "null") == 0 || !origin_allowed(allowed, host, o)) {
			*why = "origin";
			return false;
		}
		return true;
	}
	if (rc != GK_NOTFOUND) {
		*why = "origin";
		return false;
	}
	if (gk_request_header(req, "Sec-Fetch-Site", &sfs) == GK_OK &&
	    strcasecmp(sfs, "cross-site") == 0) {
		*why = "cross-site";
		return false;
	}
	rc = gk_request_header(req, "Referer", &ref);
	if (rc == GK_NOTFOUND)
		return true;    /* neither header: the caller's other defence decides */
	if (rc != GK_OK || !origin_of(ref, ro, sizeof(ro)) || !origin_allowed(allowed, host, ro)) {
		*why = "referer";
		return false;
	}
	return true;
}
