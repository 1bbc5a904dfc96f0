/* authz_serve.h: gatekeep-authz's part of lib/server: its state, its worker loops, its reload. */
#ifndef GK_AUTHZ_SERVE_H
#define GK_AUTHZ_SERVE_H

#include <stddef.h>

#include "authz_opts.h"
#include "listener.h"
#include "server.h"	/* and through it lib/conf.h */

/* The process's state, behind lib/server's arg. */
struct authz_state {
	const struct authz_opts *o;
	struct gk_config cfg;   /* replaced on reload */
	struct gk_log log;
	size_t conns_max;       /* per worker, event core */
	int http_fd;            /* --http-listen's socket, or -1 */
	struct gk_own_socket http_own;
};

/* Fills spec from o with gatekeep-authz's callbacks over st (zeroed here). */
void authz_server_spec(struct gk_server_spec *spec, struct authz_state *st,
    const struct authz_opts *o);

#endif
