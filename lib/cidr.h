/* cidr.h: IPv4/IPv6 CIDR lists with "@" for a unix-socket peer; IPv4-mapped IPv6 matches as IPv4. */
#ifndef GK_CIDR_H
#define GK_CIDR_H

#include "common.h"

struct gk_cidr {
	int family;                  /* AF_INET, AF_INET6, or AF_UNIX for "@" */
	unsigned char addr[16];      /* network address, host bits cleared */
	unsigned prefix;             /* 0..32 or 0..128 */
};

struct gk_cidr_list {
	struct gk_cidr *items;
	size_t count;
};

/* Parses one "a.b.c.d[/n]", "x::y[/n]" or "@". A bare address is a /32 or /128. */
int gk_cidr_parse(const char *s, struct gk_cidr *out, struct gk_err *err);

/* Parses a comma- or space-separated list (may be empty) into list (caller frees). */
int gk_cidr_list_parse(const char *s, struct gk_cidr_list *list, struct gk_err *err);
void gk_cidr_list_free(struct gk_cidr_list *list);

/* True if any entry has prefix 0 (trusts every address). */
bool gk_cidr_list_has_everything(const struct gk_cidr_list *list);

/*
 * Does peer address `addr` (REMOTE_ADDR text) fall in the list? "@",
 * "unix:..." and an absolute path (what Caddy, nginx and lighttpd write for a
 * client on a unix-socket listener) match the entry "@". An empty or absent
 * address, or one that does not parse, never matches anything.
 */
bool gk_cidr_list_match(const struct gk_cidr_list *list, const char *addr);

#endif
