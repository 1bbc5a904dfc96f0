/* request.c: RFC 3875 meta-variable lookups over FastCGI params or a CGI environment. */
#include <config.h>

#include <string.h>

#include "cookie.h"
#include "request.h"
#include "validate.h"

/* "HTTP_" + the longest header name gk_valid_header_name accepts. */
#define META_MAX (5 + 256 + 1)

/*
 * The length of a meta-variable name to look up, or 0 for one that cannot be looked up:
 * empty, or holding '=' (it would match inside another entry's value).  One call where
 * strchr and strlen were two: every lookup of every decision pays it.
 */
static size_t
name_len(const char *name)
{
	const char *end;

	if (name == NULL || name[0] == '\0')
		return 0;
	end = strchrnul(name, '=');
	return *end == '\0' ? (size_t)(end - name) : 0;
}

void
gk_request_init(struct gk_request *req, char *const *envp)
{
	req->envp = envp;
}

/* If entry is "name=...", returns the value; NULL otherwise.  (Most entries differ in
 * their first byte: no call for them.) */
static inline const char *
match(const char *entry, const char *name, size_t nlen)
{
	if (entry[0] == name[0] && strncmp(entry, name, nlen) == 0 && entry[nlen] == '=')
		return entry + nlen + 1;
	return NULL;
}

/* The first value of name and whether there is another: one walk of the params. */
static const char *
param_first(const struct gk_request *req, const char *name, size_t nlen, bool *more)
{
	char *const *e;
	const char *v, *first = NULL;

	*more = false;
	for (e = req->envp; *e != NULL; e++) {
		if ((v = match(*e, name, nlen)) == NULL)
			continue;
		if (first != NULL) {
			*more = true;
			break;
		}
		first = v;
	}
	return first;
}

const char *
gk_request_param(const struct gk_request *req, const char *name)
{
	char *const *e;
	const char *v;
	size_t nlen;

	if (req == NULL || req->envp == NULL || (nlen = name_len(name)) == 0)
		return NULL;
	/* First match, like FCGX_GetParam and getenv: the one every other reader sees. */
	for (e = req->envp; *e != NULL; e++)
		if ((v = match(*e, name, nlen)) != NULL)
			return v;
	return NULL;
}

int
gk_request_param_once(const struct gk_request *req, const char *name, const char **v)
{
	size_t nlen;
	bool more;

	*v = NULL;
	if (req == NULL || req->envp == NULL || (nlen = name_len(name)) == 0)
		return GK_OK;
	*v = param_first(req, name, nlen, &more);
	if (more) {
		*v = NULL;
		return GK_EDUP;
	}
	return GK_OK;
}

int
gk_request_params_once(const struct gk_request *req, const char *const *names, size_t n,
    const char **vals)
{
	size_t len[GK_REQUEST_ONCE_MAX], i;
	char *const *e;
	const char *v;

	for (i = 0; i < n; i++)
		vals[i] = NULL;
	if (n > GK_REQUEST_ONCE_MAX)
		return GK_EINVAL;
	for (i = 0; i < n; i++)
		if ((len[i] = name_len(names[i])) == 0)
			return GK_EINVAL;
	if (req == NULL || req->envp == NULL)
		return GK_OK;
	for (e = req->envp; *e != NULL; e++)
		for (i = 0; i < n; i++) {
			if ((v = match(*e, names[i], len[i])) == NULL)
				continue;
			if (vals[i] != NULL) {
				for (i = 0; i < n; i++)
					vals[i] = NULL;
				return GK_EDUP;
			}
			vals[i] = v;
			break;          /* "NAME=": no other name matches the same entry */
		}
	return GK_OK;
}

size_t
gk_request_param_count(const struct gk_request *req, const char *name)
{
	char *const *e;
	size_t nlen, n = 0;

	if (req == NULL || req->envp == NULL || (nlen = name_len(name)) == 0)
		return 0;
	for (e = req->envp; *e != NULL; e++)
		if (match(*e, name, nlen) != NULL)
			n++;
	return n;
}

int
gk_header_meta_name(const char *header, char *out, size_t outsz)
{
	size_t len, i;
	bool fits;

	if (out != NULL && outsz > 0)
		out[0] = '\0';
	if (header == NULL)
		return GK_EINVAL;
	len = strnlen(header, 257);
	if (len == 0 || len > GK_HEADER_NAME_MAX)     /* gk_valid_header_name's bounds */
		return GK_EINVAL;
	fits = out != NULL && outsz >= 5 + len + 1;
	/*
	 * Only letters, digits and '-' (all of them RFC 9110 tchars, so the name is a valid
	 * field name too): '_' (and every other tchar) would alias another spelling after the
	 * '-' -> '_' mapping (Remote_User and Remote-User are both HTTP_REMOTE_USER; lighttpd
	 * maps '.' to '_' too).  Checked and mapped in one pass; out stays "" until the end.
	 */
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)header[i];

		if (c == '-')
			c = '_';
		else if (c >= 'a' && c <= 'z')
			c = (unsigned char)(c - 'a' + 'A');
		else if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
			return GK_EINVAL;
		if (fits)
			out[5 + i] = (char)c;
	}
	if (!fits)
		return GK_ETOOLONG;
	memcpy(out, "HTTP_", 5);
	out[5 + len] = '\0';
	return GK_OK;
}

int
gk_request_header(const struct gk_request *req, const char *header, const char **value)
{
	char meta[META_MAX];
	const char *v;
	size_t mlen, vlen, max;
	bool more;
	int rc;

	if (value != NULL)
		*value = NULL;
	if (value == NULL)
		return GK_EINVAL;
	rc = gk_header_meta_name(header, meta, sizeof(meta));
	if (rc != GK_OK)
		return rc;
	mlen = strlen(meta);
	if (req == NULL || req->envp == NULL || (v = param_first(req, meta, mlen, &more)) == NULL)
		return GK_NOTFOUND;
	/* Two values for one identity header: never pick one (libfcgi and getenv disagree on which). */
	if (more)
		return GK_EDUP;
	/* Cookie carries every cookie of the domain: its own, larger bound (lib/cookie.h). */
	max = mlen == 11 && memcmp(meta, "HTTP_COOKIE", 11) == 0 ? GK_COOKIE_HEADER_MAX :
	    GK_HEADER_MAX;
	vlen = strnlen(v, max + 1);
	if (vlen > max)
		return GK_ETOOLONG;
	if (!gk_valid_header_bytes(v, vlen))
		return GK_EINVAL;
	*value = v;
	return GK_OK;
}

enum gk_role
gk_request_role(const struct gk_request *req)
{
	const char *r = gk_request_param(req, "FCGI_ROLE");

	/*
	 * First match: libfcgi inserts FCGI_ROLE (from the BEGIN_REQUEST record)
	 * before any param the web server sends, so a second one cannot win.
	 */
	if (r == NULL)
		return GK_ROLE_UNKNOWN;
	if (strcmp(r, "RESPONDER") == 0)
		return GK_ROLE_RESPONDER;
	if (strcmp(r, "AUTHORIZER") == 0)
		return GK_ROLE_AUTHORIZER;
	if (strcmp(r, "FILTER") == 0)
		return GK_ROLE_FILTER;
	return GK_ROLE_UNKNOWN;
}

const char *
gk_request_remote_addr(const struct gk_request *req)
{
	return gk_request_param(req, "REMOTE_ADDR");
}

const char *
gk_request_method(const struct gk_request *req)
{
	return gk_request_param(req, "REQUEST_METHOD");
}

const char *
gk_request_uri(const struct gk_request *req)
{
	return gk_request_param(req, "REQUEST_URI");
}
