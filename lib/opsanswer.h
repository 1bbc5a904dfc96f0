/* opsanswer.h: the operations endpoints gatekeep-authz answers itself: metrics, liveness, readiness. */
#ifndef GK_OPSANSWER_H
#define GK_OPSANSWER_H

#include <stdbool.h>
#include <stddef.h>

#include "common.h"
#include "conf.h"
#include "log.h"

/*
 * An answer buffer that holds any exposition (the decision answers need far less): every
 * series of every label set counted at 20-digit values is about 260 KB (tests/t_metrics_file
 * renders that worst case and checks it fits with room to spare).  Each worker allocates it
 * once; pages a smaller answer never touches are never made resident.
 */
#define GK_OPS_ANSWER_MAX (512 * 1024)

/*
 * When envp is a request for metrics_path, health_path or ready_path, writes the whole CGI
 * answer (Status line first) into out and returns its length; otherwise returns 0 and the
 * caller runs the decision as usual.
 *
 * Only a Responder request is one (an Authorizer request is always a decision), and only
 * when the location the web server routed it to (DOCUMENT_URI, else SCRIPT_NAME) AND the
 * path the client sent (REQUEST_URI up to '?') are both exactly the configured path: an
 * nginx auth_request subrequest for a protected "/metrics" carries the auth location in
 * DOCUMENT_URI, so it stays a decision, never an allow by metrics.  A routed request whose
 * client path is spelled otherwise ("//metrics", "/%6detrics") gets 404.  The client's
 * address is REMOTE_ADDR alone (sent once, inside metrics_allow_from; forwarding headers
 * are never read), else 403.  A request carrying X-Forwarded-Uri, X-Forwarded-Method or
 * X-Original-Uri (a forward_auth check, should metrics_path be its endpoint) gets 404.  GET and HEAD only (405).  Refusals are logged as deny lines.
 */
size_t gk_ops_answer(const struct gk_config *cfg, const struct gk_log *log, bool responder,
    char *const *envp, char *out, size_t outsz);

/*
 * Readiness: the database opens and answers a lookup, the secret loads (when sessions are
 * on), the lockout state directory takes a new file (when Basic lockout is on), and the
 * supervisor reports every wanted worker running (when it reports at all).  GK_OK, or
 * GK_ERR with why set ("database: ...").
 */
int gk_ops_ready(const struct gk_config *cfg, struct gk_err *why);

#endif
