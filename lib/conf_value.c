/* conf_value.c: the syntax of single configuration values: paths, hosts, URLs, header names, numbers, durations, lists. */
#include <config.h>

#include <arpa/inet.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "conf.h"
#include "conf_keys.h"
#include "validate.h"

#define STRLIST_MAX       1024           /* items per list */

/* ---- small checks ---- */

bool
conf_has_ctl(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

bool
conf_is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool
conf_all_chars(const char *s, const char *extra)
{
	for (; *s != '\0'; s++)
		if (!conf_is_alnum(*s) && strchr(extra, *s) == NULL)
			return false;
	return true;
}

bool
conf_path_ok(const char *s)
{
	return s[0] == '/' && strlen(s) < GK_PATH_MAX && !conf_has_ctl(s);
}

/*
 * Proxy header names: letters, digits and '-' only. Servers map '_' and (lighttpd)
 * every other non-alphanumeric byte to '_' in HTTP_* names, so any other byte
 * would name a header that an attacker can spell differently.
 */
bool
conf_header_ok(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= 64 && conf_all_chars(s, "-") && s[0] != '-' && s[n - 1] != '-' &&
	    gk_valid_header_name(s, n);
}

/* host name: dot-separated labels of [A-Za-z0-9-]; leading '.' only if dot_ok. */
bool
conf_hostname_ok(const char *s, bool dot_ok)
{
	if (dot_ok && s[0] == '.')
		s++;
	return gk_valid_hostname(s, strlen(s));
}

/* host, host:port, [v6] or [v6]:port */
bool
conf_hostport_ok(const char *s)
{
	char host[256];
	const char *colon, *end;
	size_t hlen;

	if (s[0] == '[') {
		unsigned char a6[16];

		end = strchr(s, ']');
		if (end == NULL || gk_memcpy_str(host, sizeof(host), s + 1,
		    (size_t)(end - s - 1)) != GK_OK || inet_pton(AF_INET6, host, a6) != 1)
			return false;
		colon = end[1] == ':' ? end + 1 : NULL;
		if (end[1] != '\0' && colon == NULL)
			return false;
	} else {
		colon = strchr(s, ':');
		hlen = colon != NULL ? (size_t)(colon - s) : strlen(s);
		if (gk_memcpy_str(host, sizeof(host), s, hlen) != GK_OK || !conf_hostname_ok(host, false))
			return false;
	}
	if (colon != NULL) {
		long port = 0;
		const char *p = colon + 1;

		if (*p == '\0')
			return false;
		for (; *p != '\0'; p++) {
			if (*p < '0' || *p > '9')
				return false;
			port = port * 10 + (*p - '0');
			if (port > 65535)
				return false;
		}
		if (port == 0)
			return false;
	}
	return true;
}

bool
conf_origin_ok(const char *s)
{
	const char *rest = gk_http_url_rest(s);

	return rest != NULL && conf_hostport_ok(rest);
}

/* A local path with one leading '/' (never "//" or "/\": those leave the site), or an absolute http(s) URL. */
bool
conf_url_ok(const char *s)
{
	const char *rest;

	if (strlen(s) > 2048 || conf_has_ctl(s) || strchr(s, ' ') != NULL || strchr(s, '\\') != NULL)
		return false;
	if (s[0] == '/')
		return s[1] != '/';
	if ((rest = gk_http_url_rest(s)) == NULL)
		return false;
	return *rest != '\0' && *rest != '/' && *rest != '?' && *rest != '#';
}

bool
conf_realm_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 128)
		return false;
	for (; *s != '\0'; s++)
		if (*s < 0x20 || *s > 0x7e || *s == '"' || *s == '\\')
			return false;
	return true;
}

bool
conf_sysname_ok(const char *s)
{
	size_t n = strlen(s);

	return n == 0 || (n <= 32 && s[0] != '-' && conf_all_chars(s, "._-"));
}

/* Strict decimal with no sign, space or suffix, within [min, max]. */
bool
conf_parse_long(const char *s, long min, long max, long *out)
{
	long v = 0;

	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return false;
		if (v > (LONG_MAX - (*s - '0')) / 10)
			return false;
		v = v * 10 + (*s - '0');
	}
	if (v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* ---- public value parsers ---- */

int
gk_parse_duration(const char *s, long *seconds)
{
	char num[24];
	size_t n;
	long v, mult = 1;

	if (s == NULL || (n = strlen(s)) == 0 || n >= sizeof(num))
		return GK_EINVAL;
	switch (s[n - 1]) {
	case 's': mult = 1; n--; break;
	case 'm': mult = 60; n--; break;
	case 'h': mult = 3600; n--; break;
	case 'd': mult = 86400; n--; break;
	case 'w': mult = 604800; n--; break;
	default: break;
	}
	memcpy(num, s, n);
	num[n] = '\0';
	if (!conf_parse_long(num, 0, DURATION_MAX, &v) || v > DURATION_MAX / mult)
		return GK_EINVAL;
	*seconds = v * mult;
	return GK_OK;
}

int
gk_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };
	size_t i;

	if (s == NULL)
		return GK_EINVAL;
	for (i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return GK_OK;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return GK_OK;
		}
	}
	return GK_EINVAL;
}

void
gk_strlist_free(struct gk_strlist *list)
{
	size_t i;

	if (list == NULL)
		return;
	for (i = 0; i < list->count; i++)
		free(list->items[i]);
	free(list->items);
	list->items = NULL;
	list->count = 0;
}

int
gk_strlist_parse(const char *s, struct gk_strlist *list)
{
	struct gk_strlist l = { NULL, 0 };
	const char *p = s != NULL ? s : "";
	const char *seps = ", \t\r\n";

	for (;;) {
		size_t len;
		char **grown;

		p += strspn(p, seps);
		if (*p == '\0')
			break;
		len = strcspn(p, seps);
		if (l.count >= STRLIST_MAX) {
			gk_strlist_free(&l);
			return GK_ETOOLONG;
		}
		grown = realloc(l.items, (l.count + 1) * sizeof(*l.items));
		if (grown == NULL) {
			gk_strlist_free(&l);
			return GK_ERR;
		}
		l.items = grown;
		if ((l.items[l.count] = strndup(p, len)) == NULL) {
			gk_strlist_free(&l);
			return GK_ERR;
		}
		l.count++;
		p += len;
	}
	*list = l;
	return GK_OK;
}
