#!/bin/bash
# tests/ops_servers.sh: the ops endpoints behind Caddy, lighttpd and Apache as shipped. Caddy's
# FastCGI transport hands gatekeep the client's address as REMOTE_ADDR (so metrics_allow_from
# holds for a handle routed to gatekeep-authz) and its path matcher's other spellings get 404;
# a forward_auth check of a client's /gatekeep-metrics stays a decision. lighttpd's and
# Apache's (mod_authnz_fcgi) authorizer calls never answer with the metrics, even from an
# allowed address.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"

OTHER=127.0.0.3
OPS_CONF="metrics_path = /gatekeep-metrics
health_path = /gatekeep-health
ready_path = /gatekeep-ready
metrics_allow_from = 127.0.0.1/32 ::1"
gk_world
GK_EXTRA_CONF="frontend = caddy
$OPS_CONF"
gk_conf "192.0.2.1/32"
gk_start_backend
gk_start_authz unix
# The shipped ops handles, imported into the shipped site before the sign-in page.
gk_render "$CONTRIB/caddy/gatekeep-ops.caddy" "$TMP/ops.caddy"
GK_CADDY_SED="s|^\\(\\t*\\)handle /gatekeep/\\* {|\\1import $TMP/ops.caddy\\n&|"
gk_start_caddy
M="$BASE/gatekeep-metrics"

req "$M"
is "$CODE" 200 "caddy: metrics from 127.0.0.1 through a handle: 200"
like "$BODY" "gatekeep_decisions_total" "... the exposition"
req --interface $OTHER "$M"
is "$CODE" 403 "caddy: from $OTHER: 403 (REMOTE_ADDR is the client's, not Caddy's)"
unlike "$BODY" "gatekeep_" "... without a metric"
req --interface $OTHER -H "X-Forwarded-For: 127.0.0.1" -H "Forwarded: for=127.0.0.1" \
    -H "X-Real-IP: 127.0.0.1" -H "Client-IP: 127.0.0.1" "$M"
is "$CODE" 403 "caddy: forged forwarding headers naming 127.0.0.1: 403"
for p in /GATEKEEP-METRICS /gatekeep-metrics/ "/%67atekeep-metrics" "//gatekeep-metrics" \
    "/x/../gatekeep-metrics" "/gatekeep-metrics;x" "/gatekeep-metrics."; do
	req "$BASE$p"
	unlike "$CODE" "^200$" "caddy: $p is never the metrics ($CODE)"
	unlike "$BODY" "gatekeep_decisions" "... nor its body ($p)"
done
req -X POST -d x=1 "$M"
is "$CODE" 405 "caddy: POST to the metrics path: 405"
is "$(hdr Allow)" "GET, HEAD" "... naming the methods it takes (Allow)"
req "$BASE/gatekeep-health"
is "$CODE/$BODY" "200/alive" "caddy: liveness through its handle"
req "$BASE/gatekeep-ready"
is "$CODE/$BODY" "200/ready" "caddy: readiness through its handle"
req --interface $OTHER "$BASE/gatekeep-ready"
is "$CODE" 403 "caddy: readiness from $OTHER: 403"
# Not a handle: a forward_auth check (X-Forwarded-Uri) of the client's path, a decision.
req "$BASE/gatekeep-health/"
is "$CODE" 401 "caddy: /gatekeep-health/ is a forward_auth decision (401)"
req -u alice:alice-pw "$BASE/gatekeep-health/"
unlike "$BODY" "^alive" "... and with credentials the app answers, not the liveness"
gk_stop caddy

# lighttpd and Apache (mod_authnz_fcgi) call gatekeep-authz as an Authorizer: always a decision.
GK_EXTRA_CONF="$OPS_CONF"
gk_conf "192.0.2.1/32"
gk_restart_authz unix
if command -v lighttpd >/dev/null 2>&1; then
	gk_start_lighttpd socket
	req "$M"
	is "$CODE" 401 "lighttpd: /gatekeep-metrics without credentials: a decision (401)"
	req -u alice:alice-pw "$M"
	unlike "$BODY" "gatekeep_decisions" "lighttpd: with credentials: the app, never the metrics"
	gk_stop lighttpd
fi
if command -v apache2 >/dev/null 2>&1; then
	gk_restart_authz tcp
	gk_start_apache authnz
	req "$M"
	is "$CODE" 401 "apache (mod_authnz_fcgi): /gatekeep-metrics without credentials: 401"
	req -u alice:alice-pw "$M"
	unlike "$BODY" "gatekeep_decisions" "apache: with credentials: never the metrics"
	req -u alice:WRONG "$M"
	is "$CODE" 401 "apache: a wrong password at the metrics path: 401"
	gk_stop apache
fi
done_testing
