/* redirect.c: decides whether a post-login "rd" target is safe (no open redirect). */
#include <config.h>

#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "form.h"
#include "redirect.h"


/*
 * Raw and once-decoded control bytes and backslashes are refused everywhere:
 * browsers strip tab/CR/LF inside URLs and treat '\\' as '/', so what they
 * follow would differ from what we checked.
 */
static bool
chars_ok(const char *s, struct gk_err *err)
{
	const unsigned char *p;
	int hi, lo, v;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p <= 0x20 || *p >= 0x7f || *p == '\\') {
			gk_err_set(err, "control, space, non-ASCII or backslash byte");
			return false;
		}
		if (*p == '%') {
			hi = gk_hexval(p[1]);
			lo = hi < 0 ? -1 : gk_hexval(p[2]);
			if (hi < 0 || lo < 0)
				continue;       /* not an escape: a literal '%' the next hop re-encodes */
			v = hi << 4 | lo;
			if (v < 0x20 || v == 0x7f || v == '\\') {
				gk_err_set(err, "percent-encoded control byte or backslash");
				return false;
			}
		}
	}
	return true;
}

/* Is the segment s (n bytes) "." or ".." (dots also as %2e, as browsers read them)? 1, 2 or 0. */
static int
dots(const char *s, size_t n)
{
	int k = 0;

	while (n > 0) {
		if (*s == '.')
			s++, n--;
		else if (n >= 3 && strncasecmp(s, "%2e", 3) == 0)
			s += 3, n -= 3;
		else
			return 0;
		if (++k > 2)
			return 0;
	}
	return k;
}

/*
 * Would a browser's removal of dot segments make the path start with "//"? "/.//x",
 * "/a/..//x", "/%2e%2e//x" stay on this site but become "//x", which the next hop that
 * echoes the path (a trailing-slash redirect) sends to host x.
 */
static bool
dot_segments_open(const char *s)
{
	size_t n = strcspn(s, "?#"), i = 1, start, depth = 0;
	bool first_empty = false;
	int d;

	while (i <= n) {
		for (start = i; i < n && s[i] != '/'; i++)
			;
		d = dots(s + start, i - start);
		if (d == 2 && depth > 0)
			depth--;
		if (d == 0 || i >= n) {         /* a segment, or the "/" a last dot segment leaves */
			if (depth == 0)
				first_empty = d != 0 || i == start;
			depth++;
		}
		i++;
	}
	return depth >= 2 && first_empty;
}

/* "/x" is a path on this site; "//x", "/\\x", "/%2fx", "/%5cx" are another site to some parser. */
static bool
relative_ok(const char *s, struct gk_err *err)
{
	if (s[1] == '/' || s[1] == '\\') {
		gk_err_set(err, "protocol-relative target");
		return false;
	}
	if (s[1] == '%' && s[2] != '\0' && (strncasecmp(s + 1, "%2f", 3) == 0 ||
	    strncasecmp(s + 1, "%5c", 3) == 0)) {
		gk_err_set(err, "encoded protocol-relative target");
		return false;
	}
	if (dot_segments_open(s)) {
		gk_err_set(err, "protocol-relative target once dot segments are removed");
		return false;
	}
	return true;
}

bool
gk_redirect_host_allowed(const char *host, const struct gk_strlist *domains)
{
	size_t i, hl, el;
	const char *e;

	if (host == NULL || domains == NULL || *host == '\0')
		return false;
	hl = strlen(host);
	for (i = 0; i < domains->count; i++) {
		e = domains->items[i];
		if (e == NULL || *e == '\0')
			continue;
		if (e[0] == '*' && e[1] == '.')
			e++;
		if (e[0] == '.') {
			el = strlen(e);
			if (el < 2)
				continue;
			/* ".example.com" covers example.com and *.example.com, never badexample.com. */
			if (hl == el - 1 && strcasecmp(host, e + 1) == 0)
				return true;
			if (hl > el && strcasecmp(host + hl - el, e) == 0)
				return true;
		} else if (strcasecmp(host, e) == 0) {
			return true;
		}
	}
	return false;
}

static int
absolute_check(const char *rd, const struct gk_strlist *domains, char *out, size_t outsz,
    struct gk_err *err)
{
	CURLU *u;
	CURLUcode uc;
	char *scheme = NULL, *user = NULL, *pass = NULL, *host = NULL, *path = NULL, *url = NULL;
	int rc = GK_EINVAL;
	size_t hl;

	u = curl_url();
	if (u == NULL)
		return gk_err_set(err, "out of memory");
	/* No CURLU_NON_SUPPORT_SCHEME and no guessing: only real http(s) URLs parse. */
	uc = curl_url_set(u, CURLUPART_URL, rd, 0);
	if (uc != CURLUE_OK) {
		gk_err_set(err, "unparsable URL");
		goto out;
	}
	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)) {
		gk_err_set(err, "scheme not http(s)");
		goto out;
	}
	uc = curl_url_get(u, CURLUPART_USER, &user, 0);
	if (uc != CURLUE_NO_USER) {
		gk_err_set(err, "userinfo in URL");
		goto out;
	}
	uc = curl_url_get(u, CURLUPART_PASSWORD, &pass, 0);
	if (uc != CURLUE_NO_PASSWORD) {
		gk_err_set(err, "userinfo in URL");
		goto out;
	}
	/* A parser that finds no host must mean "refuse" (mod_auth_mellon CVE-2019-13038). */
	if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || host[0] == '\0') {
		gk_err_set(err, "no host");
		goto out;
	}
	hl = strlen(host);
	if (host[hl - 1] == '.') {
		gk_err_set(err, "host with trailing dot");
		goto out;
	}
	if (!gk_redirect_host_allowed(host, domains)) {
		gk_err_set(err, "host not in redirect_domains");
		goto out;
	}
	/* the path libcurl sends (dot segments removed): "//x" is another site to the next hop */
	if (curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK || !relative_ok(path, err))
		goto out;
	if (curl_url_get(u, CURLUPART_URL, &url, 0) != CURLUE_OK) {
		gk_err_set(err, "cannot rebuild URL");
		goto out;
	}
	/* Re-check what we will actually send: libcurl's serialisation. */
	if (!chars_ok(url, err))
		goto out;
	if (gk_strcpy(out, outsz, url) != GK_OK) {
		gk_err_set(err, "target too long");
		rc = GK_EINVAL;
		goto out;
	}
	rc = GK_OK;
out:
	curl_free(scheme);
	curl_free(user);
	curl_free(pass);
	curl_free(host);
	curl_free(path);
	curl_free(url);
	curl_url_cleanup(u);
	return rc;
}

int
gk_redirect_check(const char *rd, const struct gk_strlist *domains, char *out, size_t outsz,
    struct gk_err *err)
{
	if (outsz > 0)
		out[0] = '\0';
	if (rd == NULL || rd[0] == '\0')
		return GK_NOTFOUND;
	if (strlen(rd) > GK_REDIRECT_MAX) {
		gk_err_set(err, "target too long");
		return GK_EINVAL;
	}
	if (!chars_ok(rd, err))
		return GK_EINVAL;
	if (rd[0] == '/') {
		if (!relative_ok(rd, err))
			return GK_EINVAL;
		if (gk_strcpy(out, outsz, rd) != GK_OK) {
			gk_err_set(err, "target too long");
			return GK_EINVAL;
		}
		return GK_OK;
	}
	/* Exactly "http://" or "https://": refuses "https:evil", "http:/evil", "javascript:". */
	if (strncasecmp(rd, "http://", 7) != 0 && strncasecmp(rd, "https://", 8) != 0) {
		gk_err_set(err, "neither a path nor an http(s) URL");
		return GK_EINVAL;
	}
	if (rd[strncasecmp(rd, "http://", 7) == 0 ? 7 : 8] == '/') {
		gk_err_set(err, "empty authority");
		return GK_EINVAL;
	}
	return absolute_check(rd, domains, out, outsz, err);
}

int
gk_redirect_pick(const char *rd, const struct gk_strlist *domains, const char *fallback,
    char *out, size_t outsz, struct gk_err *err)
{
	int rc;

	rc = gk_redirect_check(rd, domains, out, outsz, err);
	if (rc == GK_OK)
		return rc;
	if (gk_strcpy(out, outsz, fallback != NULL ? fallback : "/") != GK_OK)
		return GK_ETOOLONG;
	return rc;
}

bool
gk_redirect_query_too_long(const char *qs)
{
	static const char *const names[] = { "rd", "redirect_uri" };
	char buf[GK_REDIRECT_MAX + 1];
	size_t i;
	bool over = false;

	if (qs == NULL)
		return false;
	for (i = 0; i < sizeof(names) / sizeof(names[0]) && !over; i++)
		over = gk_form_get(qs, strlen(qs), names[i], buf, sizeof(buf)) == GK_ETOOLONG;
	gk_wipe(buf, sizeof(buf));
	return over;
}
