/* fuzz_redirect.c: fuzz target for gk_redirect_check / gk_redirect_pick (post-login "rd" targets). */
#include <config.h>
#include <strings.h>

#include "redirect.h"
#include "fuzz.h"

static int
bad_byte(unsigned char c)
{
	return c <= 0x20 || c >= 0x7f || c == '\\';
}

/* Host part of an accepted absolute URL (after "//", up to '/', '?', '#' or ':'). */
static void
url_host(const char *url, char *host, size_t hostsz)
{
	const char *p = strstr(url, "://"), *e;

	FUZZ_ASSERT(p != NULL);
	p += 3;
	e = p + strcspn(p, "/?#:");
	FUZZ_ASSERT(memchr(p, '@', (size_t)(e - p)) == NULL);
	FUZZ_ASSERT((size_t)(e - p) < hostsz);
	memcpy(host, p, (size_t)(e - p));
	host[e - p] = '\0';
}

/* An accepted target: a safe relative path, or an http(s) URL on an allowed host. */
static void
check_target(const char *out, const struct gk_strlist *domains)
{
	const char *p;

	for (p = out; *p != '\0'; p++)
		FUZZ_ASSERT(!bad_byte((unsigned char)*p));
	if (out[0] == '/') {
		FUZZ_ASSERT(out[1] != '/' && out[1] != '\\');
		FUZZ_ASSERT(strncasecmp(out, "/%2f", 4) != 0 && strncasecmp(out, "/%5c", 4) != 0);
	} else {
		char host[GK_REDIRECT_MAX + 1];

		FUZZ_ASSERT(strncasecmp(out, "http://", 7) == 0 ||
		    strncasecmp(out, "https://", 8) == 0);
		url_host(out, host, sizeof(host));
		FUZZ_ASSERT(gk_redirect_host_allowed(host, domains));
	}
}

/*
 * Input: rd. Invariants: documented statuses only; an accepted rd had no
 * refused byte, and the output (written into an exact-size buffer) is a
 * safe relative path or an http(s) URL whose host is on the allowlist
 * without userinfo; gk_redirect_pick always yields either that or the
 * fallback.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *items[] = { "example.com", ".example.org", "*.example.net" };
	static const struct gk_strlist domains = { items, 3 };
	char *rd = fuzz_cstr(data, size), *out = malloc(GK_REDIRECT_MAX + 1), pick[64];
	struct gk_err err;
	const char *p;
	int rc;

	if (out == NULL)
		abort();
	rc = gk_redirect_check(rd, &domains, out, GK_REDIRECT_MAX + 1, &err);
	FUZZ_ASSERT(rc == GK_OK || rc == GK_NOTFOUND || rc == GK_EINVAL || rc == GK_ETOOLONG ||
	    rc == GK_ERR);
	if (rc == GK_OK) {
		for (p = rd; *p != '\0'; p++)
			FUZZ_ASSERT(!bad_byte((unsigned char)*p));
		check_target(out, &domains);
	}
	rc = gk_redirect_pick(rd, &domains, "/fallback", pick, sizeof(pick), &err);
	if (rc == GK_OK)
		check_target(pick, &domains);
	else if (rc != GK_ETOOLONG)
		FUZZ_ASSERT(strcmp(pick, "/fallback") == 0);
	free(out);
	free(rd);
	return 0;
}
