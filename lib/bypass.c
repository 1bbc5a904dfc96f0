/* bypass.c: does a bypass host apply: the Host named exactly, on a listener or from a network the client cannot choose. */
#include <config.h>

#include <string.h>
#include <strings.h>

#include "bypass.h"
#include "cidr.h"

bool
gk_bypass_host_equal(const char *entry, const char *host)
{
	/*
	 * Host names ignore ASCII case (RFC 4343); nothing else is folded: "host.",
	 * "host\t" or "host:80" are other strings, whatever a server makes of them.
	 */
	return entry != NULL && host != NULL && entry[0] != '\0' && strcasecmp(entry, host) == 0;
}

bool
gk_bypass_host_applies(const struct gk_config *cfg, const struct gk_request *req,
    const char *host, const char *from)
{
	const char *local;
	size_t i;
	bool named = false;

	if (cfg->bypass_hosts_on.count == 0 && cfg->bypass_hosts_from.count == 0)
		return false;   /* bound to nothing: the loader refuses it, never trust it here */
	for (i = 0; i < cfg->bypass_hosts.count && !named; i++)
		named = gk_bypass_host_equal(cfg->bypass_hosts.items[i], host);
	if (!named)
		return false;
	if (cfg->bypass_hosts_on.count > 0) {
		if (gk_request_param_count(req, "SERVER_ADDR") != 1)
			return false;
		local = gk_request_param(req, "SERVER_ADDR");
		if (!gk_cidr_list_match(&cfg->bypass_hosts_on, local))
			return false;
	}
	if (cfg->bypass_hosts_from.count > 0 && !gk_cidr_list_match(&cfg->bypass_hosts_from, from))
		return false;
	return true;
}
