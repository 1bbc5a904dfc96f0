/* frontend.c: what a front end's forwarded request headers mean, cross-checked against what the client cannot set. */
#include <config.h>

#include <string.h>
#include <strings.h>

#include "frontend.h"

/* One header: GK_OK (value, or NULL when absent) or a status for a bad or repeated one. */
static int
header_opt(const struct gk_request *req, const char *name, const char **v)
{
	int rc = gk_request_header(req, name, v);

	if (rc == GK_NOTFOUND) {
		*v = NULL;
		return GK_OK;
	}
	return rc;
}

/* Two readings of one thing agree only byte for byte (both absent counts as agreeing). */
static bool
same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

int
gk_frontend_caddy_view(const struct gk_request *req, struct gk_fwd_view *v,
    const char **reason)
{
	const char *uri, *method, *host;

	memset(v, 0, sizeof(*v));
	*reason = NULL;
	if (header_opt(req, "X-Forwarded-Method", &v->method) != GK_OK ||
	    header_opt(req, "X-Forwarded-Uri", &v->target) != GK_OK ||
	    header_opt(req, "X-Forwarded-Host", &v->host) != GK_OK ||
	    header_opt(req, "X-Forwarded-Proto", &v->proto) != GK_OK ||
	    header_opt(req, "Host", &host) != GK_OK)
		return *reason = "bad-forwarded-headers", GK_EINVAL;
	if (gk_request_param_count(req, "REQUEST_URI") > 1 ||
	    gk_request_param_count(req, "GATEKEEP_METHOD") > 1)
		return *reason = "duplicate-params", GK_EINVAL;
	uri = gk_request_param(req, "REQUEST_URI");
	method = gk_request_param(req, "GATEKEEP_METHOD");
	if (v->method == NULL || v->target == NULL || uri == NULL)
		return *reason = "missing-forwarded-headers", GK_NOTFOUND;
	if (method == NULL)
		return *reason = "missing-GATEKEEP_METHOD", GK_NOTFOUND;
	if (!same(v->target, uri))
		return *reason = "forwarded-uri-mismatch", GK_EINVAL;
	if (!same(v->method, method))
		return *reason = "forwarded-method-mismatch", GK_EINVAL;
	if (v->host != NULL && !same(v->host, host))
		return *reason = "forwarded-host-mismatch", GK_EINVAL;
	v->host = host;
	return GK_OK;
}

/* The host part of a Host field: "[v6]" or the name, without ":port" or one final dot. */
static size_t
host_part(const char *h)
{
	size_t n = h[0] == '[' ? strcspn(h, "]") + (strchr(h, ']') != NULL) : strcspn(h, ":");

	return n > 1 && h[n - 1] == '.' ? n - 1 : n;
}

int
gk_frontend_host(const struct gk_request *req, const char **host, const char **reason)
{
	const char *served;
	size_t n;

	*host = NULL;
	*reason = NULL;
	if (header_opt(req, "Host", host) != GK_OK ||
	    gk_request_param_once(req, "GATEKEEP_HOST", &served) != GK_OK)
		return *reason = "bad-host", GK_EINVAL;
	if (served == NULL || served[0] == '\0')
		return GK_OK;
	if (strpbrk(served, "\t\r\n ") != NULL)
		return *reason = "bad-host", GK_EINVAL;
	if (*host == NULL) {
		*host = served;
		return GK_OK;
	}
	n = host_part(*host);
	if (n != strlen(served) || strncasecmp(*host, served, n) != 0)
		return *reason = "host-mismatch", GK_EINVAL;
	return GK_OK;
}

bool
gk_frontend_host_name_ok(const char *host)
{
	size_t n, i, digits;

	if (host == NULL || host[0] == '\0')
		return true;
	if (host[0] == '[') {
		n = strcspn(host, "]");
		if (host[n] != ']' || n < 2)
			return false;
		n++;
	} else {
		n = strcspn(host, ":[]");
		if (n == 0 || host[0] == '.' || host[n] == '[' || host[n] == ']')
			return false;
		for (i = 1; i < n; i++)
			if (host[i] == '.' && host[i - 1] == '.')
				return false;
	}
	if (host[n] == '\0')
		return true;
	if (host[n] != ':')
		return false;
	digits = strspn(host + n + 1, "0123456789");
	return digits >= 1 && digits <= 5 && host[n + 1 + digits] == '\0';
}
