/* frontend.h: what a front end's forwarded request headers mean, cross-checked against what the client cannot set. */
#ifndef GK_FRONTEND_H
#define GK_FRONTEND_H

#include "request.h"

/* The original request as the front end describes it (pointers into the request). */
struct gk_fwd_view {
	const char *method;
	const char *host;       /* NULL when the front end sent none */
	const char *target;     /* path and query, as the client sent them */
	const char *proto;      /* NULL when the front end sent none */
};

/*
 * Caddy's forward_auth over FastCGI (frontend = caddy, the responder role).
 * Caddy rewrites the method to GET and sends the original as X-Forwarded-Method,
 * -Uri, -Host, -Proto. Its FastCGI transport builds the environment in a Go map
 * keyed "HTTP_" + the name with '-' turned into '_', so a client header
 * X_Forwarded_Uri lands on the same key as Caddy's X-Forwarded-Uri and which one
 * wins changes from request to request. Each header is therefore checked against
 * a reading the client cannot reach:
 *   X-Forwarded-Uri    == REQUEST_URI (the original request's, set by Caddy);
 *   X-Forwarded-Host   == HTTP_HOST (Caddy sets it from the request's Host);
 *   X-Forwarded-Method == GATEKEEP_METHOD (set in the Caddyfile's transport:
 *                         env GATEKEEP_METHOD {http.request.method}; a header can
 *                         never produce a name without the HTTP_ prefix).
 * X-Forwarded-Proto only shapes the sign-in redirect and is taken as sent.
 * Returns GK_OK with v filled; GK_NOTFOUND when a reading is missing (the front
 * end is set up wrong); GK_EINVAL when a header is malformed or repeated, or two
 * readings differ (a forgery or a rewrite before forward_auth). *reason is a
 * short word for the decision log in every case but GK_OK.
 */
int gk_frontend_caddy_view(const struct gk_request *req, struct gk_fwd_view *v,
    const char **reason);

/*
 * The host of the original request, for every front end but Caddy's forward_auth.
 * HTTP_HOST is the client's Host field, unless the server sets it. nginx picks the
 * server, and the host its app is given ($host), from an absolute-form request line
 * first: "GET http://admin.example/private/" with "Host: open.example" is
 * admin.example's. Debian's fastcgi_params passes "HTTP_HOST $host"; nginx's own
 * file and older packages pass the client's field, and with it a host rule could be
 * skipped or a bypass host borrowed. So a server that also sets GATEKEEP_HOST (the
 * shipped nginx confs: $host; no header can produce a name without the HTTP_
 * prefix) has HTTP_HOST checked against it: its host part (the port and one
 * trailing dot left off, letters in any case) must be GATEKEEP_HOST; without a
 * Host field GATEKEEP_HOST is the host. HTTP_HOST stays the host (with its port,
 * which the sign-in redirect keeps). GK_OK with *host (NULL when there is none);
 * GK_EINVAL with *reason "bad-host" (a bad or repeated field or parameter) or
 * "host-mismatch" (the two readings differ).
 */
int gk_frontend_host(const struct gk_request *req, const char **host, const char **reason);

/*
 * Whether a Host field is a host and nothing else: a name with no empty label (no leading
 * dot, no ".."; one final dot, an absolute name, is fine) or an IPv6 literal in brackets,
 * then nothing or ':' and 1 to 5 digits. "admin.test.." is no host name: nginx and Apache
 * refuse it, Caddy passes it on as sent. And the rest of the field must not reach a rule:
 * nginx checks no port and gives the app only the name, so "admin.example:1.public.example"
 * is admin.example's, while a rule host=*.public.example would match the whole string
 * (fnmatch's '*' takes ':'). gatekeep-authz refuses both (bad-host). NULL (no Host) and ""
 * are fine: no host rule matches them.
 */
bool gk_frontend_host_name_ok(const char *host);

#endif
