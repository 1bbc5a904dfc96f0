/* bypass.h: does a bypass host apply: the Host named exactly, on a listener or from a network the client cannot choose. */
#ifndef GK_BYPASS_H
#define GK_BYPASS_H

#include "conf.h"
#include "request.h"

/*
 * The client chooses its Host header, so a bypass by host is bound to
 * something it does not choose (gk_config_validate refuses one bound to
 * nothing): the local address the connection came in on (SERVER_ADDR, from
 * the web server, in bypass_hosts_on) and/or the client's address
 * (REMOTE_ADDR, in bypass_hosts_from). True only when host equals one of
 * bypass_hosts (ASCII case aside, byte for byte otherwise: no trailing dot,
 * no blank, a port only when the entry has that port) AND every configured
 * binding holds. from is REMOTE_ADDR (NULL when absent). A repeated
 * SERVER_ADDR never matches.
 */
bool gk_bypass_host_applies(const struct gk_config *cfg, const struct gk_request *req,
    const char *host, const char *from);

/* The host comparison alone (exposed for the tests). */
bool gk_bypass_host_equal(const char *entry, const char *host);

#endif
