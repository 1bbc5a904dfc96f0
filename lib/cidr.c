/* cidr.c: IPv4/IPv6 CIDR lists with "@" for a unix-socket peer; IPv4-mapped IPv6 matches as IPv4. */
#include <config.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cidr.h"

#define CIDR_TEXT_MAX  64     /* longest entry we accept: an IPv6 address plus "/128" fits */
#define CIDR_LIST_MAX  1024   /* entries per list; a bound, not a tuning knob */

static const unsigned char v4mapped_prefix[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

/* Is this 16-byte IPv6 address an IPv4-mapped one (::ffff:a.b.c.d)? */
static bool
is_v4mapped(const unsigned char *a)
{
	return memcmp(a, v4mapped_prefix, sizeof(v4mapped_prefix)) == 0;
}

/* Are the bits of addr (len bytes) after the first prefix bits all zero? */
static bool
host_bits_zero(const unsigned char *addr, size_t len, unsigned prefix)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned bit0 = (unsigned)i * 8;
		unsigned char mask;

		if (bit0 + 8 <= prefix)
			continue;
		mask = bit0 >= prefix ? 0xff : (unsigned char)(0xffu >> (prefix - bit0));
		if (addr[i] & mask)
			return false;
	}
	return true;
}

/* Does addr fall in the first prefix bits of net? */
static bool
prefix_match(const unsigned char *net, const unsigned char *addr, unsigned prefix)
{
	unsigned full = prefix / 8, rest = prefix % 8;
	unsigned char mask;

	if (memcmp(net, addr, full) != 0)
		return false;
	if (rest == 0)
		return true;
	mask = (unsigned char)(0xffu << (8 - rest));
	return (net[full] & mask) == (addr[full] & mask);
}

/* Strict decimal 0..max without sign, spaces or leading zeros. */
static int
parse_prefix(const char *s, unsigned max, unsigned *out)
{
	unsigned v = 0;

	if (*s == '\0' || (s[0] == '0' && s[1] != '\0'))
		return GK_EINVAL;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return GK_EINVAL;
		v = v * 10 + (unsigned)(*s - '0');
		if (v > max)
			return GK_EINVAL;
	}
	*out = v;
	return GK_OK;
}

int
gk_cidr_parse(const char *s, struct gk_cidr *out, struct gk_err *err)
{
	char buf[CIDR_TEXT_MAX];
	char *slash;
	struct gk_cidr c;
	unsigned max;

	memset(&c, 0, sizeof(c));
	if (s == NULL || *s == '\0')
		return gk_err_set(err, "empty network address");
	if (strcmp(s, "@") == 0) {
		c.family = AF_UNIX;
		*out = c;
		return GK_OK;
	}
	if (gk_strcpy(buf, sizeof(buf), s) != GK_OK)
		return gk_err_set(err, "network address too long: '%.40s...'", s);
	slash = strchr(buf, '/');
	if (slash != NULL)
		*slash++ = '\0';
	if (inet_pton(AF_INET, buf, c.addr) == 1) {
		c.family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, c.addr) == 1) {
		c.family = AF_INET6;
		max = 128;
	} else
		return gk_err_set(err, "'%s' is not an IPv4 or IPv6 address (or '@')", s);
	c.prefix = max;
	if (slash != NULL && parse_prefix(slash, max, &c.prefix) != GK_OK)
		return gk_err_set(err, "'%s': prefix length must be 0..%u", s, max);
	/*
	 * A set host bit usually means a typo (10.0.0.1/8 for 10.0.0.0/8 or
	 * 10.0.0.1/32): refuse rather than guess which one was meant.
	 */
	if (!host_bits_zero(c.addr, c.family == AF_INET ? 4 : 16, c.prefix))
		return gk_err_set(err, "'%s': host bits set after the /%u prefix", s, c.prefix);
	/* ::ffff:a.b.c.d/n (n >= 96) is the IPv4 network a.b.c.d/(n-96): store it so. */
	if (c.family == AF_INET6 && c.prefix >= 96 && is_v4mapped(c.addr)) {
		memmove(c.addr, c.addr + 12, 4);
		memset(c.addr + 4, 0, 12);
		c.family = AF_INET;
		c.prefix -= 96;
	}
	*out = c;
	return GK_OK;
}

static bool
is_sep(char ch)
{
	return ch == ',' || ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

int
gk_cidr_list_parse(const char *s, struct gk_cidr_list *list, struct gk_err *err)
{
	struct gk_cidr_list l = { NULL, 0 };
	const char *p = s != NULL ? s : "";

	for (;;) {
		const char *start;
		size_t len;
		char buf[CIDR_TEXT_MAX];
		struct gk_cidr *grown;

		while (is_sep(*p))
			p++;
		if (*p == '\0')
			break;
		start = p;
		while (*p != '\0' && !is_sep(*p))
			p++;
		len = (size_t)(p - start);
		if (gk_memcpy_str(buf, sizeof(buf), start, len) != GK_OK) {
			gk_err_set(err, "network address too long: '%.40s...'", start);
			goto fail;
		}
		if (l.count >= CIDR_LIST_MAX) {
			gk_err_set(err, "more than %d networks in one list", CIDR_LIST_MAX);
			goto fail;
		}
		grown = realloc(l.items, (l.count + 1) * sizeof(*l.items));
		if (grown == NULL) {
			gk_err_set(err, "out of memory");
			goto fail;
		}
		l.items = grown;
		if (gk_cidr_parse(buf, &l.items[l.count], err) != GK_OK)
			goto fail;
		l.count++;
	}
	*list = l;
	return GK_OK;
fail:
	free(l.items);
	return GK_EINVAL;
}

void
gk_cidr_list_free(struct gk_cidr_list *list)
{
	if (list == NULL)
		return;
	free(list->items);
	list->items = NULL;
	list->count = 0;
}

bool
gk_cidr_list_has_everything(const struct gk_cidr_list *list)
{
	size_t i;

	for (i = 0; list != NULL && i < list->count; i++)
		if (list->items[i].family != AF_UNIX && list->items[i].prefix == 0)
			return true;
	return false;
}

/*
 * The unix-socket peer, as the server says it (checked on each): nginx writes
 * "unix:", Go (Caddy) "@", lighttpd the listening socket's path ("/run/...").
 * An empty or absent REMOTE_ADDR says nothing (a server that forgot it, a
 * stripped parameter): it is no peer at all and matches nothing.
 */
static bool
is_unix_peer(const char *addr)
{
	return strcmp(addr, "@") == 0 || strncmp(addr, "unix:", 5) == 0 || addr[0] == '/';
}

bool
gk_cidr_list_match(const struct gk_cidr_list *list, const char *addr)
{
	unsigned char a6[16], a4[4];
	bool have4 = false, have6 = false, unixpeer;
	size_t i;

	if (list == NULL || list->count == 0 || addr == NULL || *addr == '\0')
		return false;
	unixpeer = is_unix_peer(addr);
	if (!unixpeer) {
		if (strlen(addr) >= CIDR_TEXT_MAX)
			return false;
		if (inet_pton(AF_INET, addr, a4) == 1)
			have4 = true;
		else if (inet_pton(AF_INET6, addr, a6) == 1) {
			have6 = true;
			if (is_v4mapped(a6)) {
				memcpy(a4, a6 + 12, 4);
				have4 = true;
			}
		} else
			return false;
	}
	for (i = 0; i < list->count; i++) {
		const struct gk_cidr *c = &list->items[i];

		switch (c->family) {
		case AF_UNIX:
			if (unixpeer)
				return true;
			break;
		case AF_INET:
			if (have4 && prefix_match(c->addr, a4, c->prefix))
				return true;
			break;
		case AF_INET6:
			if (have6 && prefix_match(c->addr, a6, c->prefix))
				return true;
			break;
		default:
			break;
		}
	}
	return false;
}
