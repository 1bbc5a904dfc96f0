#!/bin/bash
# tests/ops_prometheus.sh: a real Prometheus scrapes gatekeep-authz's metrics through a real
# nginx; its HTTP API shows exactly the decisions the test caused (allowed, denied by reason),
# counters survive a worker killed with SIGKILL (never reset, nothing counted twice), the
# metrics path refuses another loopback address, forwarded headers and other spellings, and
# readiness follows the database being moved away and back, without a restart.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"

gk_need prometheus promtool python3
OTHER=127.0.0.3
GK_EXTRA_CONF="metrics_path = /gatekeep-metrics
health_path = /gatekeep-health
ready_path = /gatekeep-ready
metrics_allow_from = 127.0.0.1/32 ::1"
gk_world
gk_start_backend
gk_start_authz unix
# nginx: the shipped ops locations inside the shipped site
gk_render "$CONTRIB/nginx/gatekeep-ops.conf" "$TMP/ops.conf"
sed -i -e "s|include fastcgi_params;|include ${GK_FASTCGI_PARAMS:-/etc/nginx/fastcgi_params};|" "$TMP/ops.conf"
GK_NGINX_INCLUDE="$TMP/ops.conf"
gk_start_nginx
M="$BASE/gatekeep-metrics"

# --- the endpoints, from the allowed address and from others ------------------------------
req "$M"
is "$CODE" 200 "metrics from 127.0.0.1: 200"
like "$(hdr Content-Type)" "^text/plain; version=0\\.0\\.4" "... in the text format 0.0.4"
printf '%s\n' "$BODY" >"$TMP/exposition"
promtool check metrics <"$TMP/exposition" >"$TMP/promtool.out" 2>&1
ok $? "promtool check metrics accepts the exposition"
sed -n '/^```yaml$/,/^```$/p' "$top_srcdir/docs/metrics.md" | sed '1d;$d' >"$TMP/rules.yml"
[ -s "$TMP/rules.yml" ] && promtool check rules "$TMP/rules.yml" >"$TMP/promtool-rules.out" 2>&1
ok $? "promtool check rules accepts the example alerts of docs/metrics.md"
req --interface $OTHER "$M"
is "$CODE" 403 "metrics from $OTHER (not in metrics_allow_from): 403"
unlike "$BODY" "gatekeep_" "... without a metric"
req --interface $OTHER -H "X-Forwarded-For: 127.0.0.1" -H "X-Real-IP: 127.0.0.1" \
    -H "Forwarded: for=127.0.0.1" "$M"
is "$CODE" 403 "... and with forged forwarding headers naming 127.0.0.1: 403"
req --interface $OTHER -H "X-Forwarded-For: 127.0.0.1" "$BASE/gatekeep-health"
is "$CODE" 403 "health from $OTHER: 403"
req "$BASE//gatekeep-metrics"
is "$CODE" 404 "a client spelling nginx merges into the location (//gatekeep-metrics): 404"
req "$BASE/%67atekeep-metrics"
is "$CODE" 404 "a percent-encoded spelling: 404"
req -u alice:alice-pw "$BASE/gatekeep-metrics/"
is "$CODE" 200 "/gatekeep-metrics/ (not the location) is an ordinary protected request"
unlike "$BODY" "gatekeep_decisions_total" "... answered by the app, not by the metrics"
req -X POST "$M"
is "$CODE" 405 "POST to the metrics path: 405"
# Straight to the socket, as nginx's auth_request subrequest for a client's /gatekeep-metrics
# (DOCUMENT_URI is the auth location): a decision (401 without credentials), never the metrics.
fc() { python3 "$top_srcdir/tests/fcgi_client.py" "$GK_SOCK" "$@" 2>&1 | tr -d '\r'; }
base=(REQUEST_METHOD=GET REMOTE_ADDR=127.0.0.1 HTTP_HOST=app.example.com HTTP_ACCEPT=*/*)
out=$(fc --role responder "${base[@]}" REQUEST_URI=/gatekeep-metrics DOCUMENT_URI=/_gatekeep)
like "$out" "^Status: 401" "auth subrequest for /gatekeep-metrics: a decision (401)"
unlike "$out" "gatekeep_" "... no metric in it"
out=$(fc --role authorizer "${base[@]}" REQUEST_URI=/gatekeep-metrics DOCUMENT_URI=/gatekeep-metrics)
unlike "$out" "gatekeep_|^Status: 200" "the Authorizer role is always a decision"
out=$(fc --role responder "${base[@]}" REQUEST_URI=/gatekeep-metrics DOCUMENT_URI=/gatekeep-metrics)
like "$out" "^Status: 200" "the routed location and the client's path both exact: metrics"
out=$(fc --role responder "${base[@]}" REMOTE_ADDR=127.0.0.3 REQUEST_URI=/gatekeep-metrics \
    DOCUMENT_URI=/gatekeep-metrics)
like "$out" "^Status: 403" "REMOTE_ADDR sent twice (allowed first, refused second): 403"
out=$(fc --role responder "${base[@]}" REQUEST_URI=/gatekeep-metrics DOCUMENT_URI=/gatekeep-metrics \
    HTTP_X_FORWARDED_URI=/private/ HTTP_X_FORWARDED_METHOD=GET)
like "$out" "^Status: 404" "a forward_auth check (X-Forwarded-Uri) at the metrics path: 404, never 200"
out=$(fc --role responder REQUEST_METHOD=GET HTTP_X_FORWARDED_FOR=127.0.0.1 \
    REQUEST_URI=/gatekeep-metrics DOCUMENT_URI=/gatekeep-metrics)
like "$out" "^Status: 403" "no REMOTE_ADDR at all (a forwarding header only): 403"
req "$BASE/gatekeep-health"
is "$CODE/$BODY" "200/alive" "liveness: 200 alive"
req "$BASE/gatekeep-ready"
is "$CODE/$BODY" "200/ready" "readiness: 200 ready"
grep -c "reason=ops-" "$LOG/authz.out" >"$TMP/n" ; like "$(cat "$TMP/n")" "^[5-9]$" \
    "every refusal logged as a deny line"

# --- Prometheus -------------------------------------------------------------------------
PP=$(free_port)
mkdir -p "$TMP/prom"
cat >"$TMP/prom/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: gatekeep
    metrics_path: /gatekeep-metrics
    static_configs:
      - targets: ['127.0.0.1:$PORT']
YML
gk_bg prometheus prometheus --config.file="$TMP/prom/prometheus.yml" \
    --storage.tsdb.path="$TMP/prom/data" --web.listen-address="127.0.0.1:$PP"
wait_port "$PP" 300 || gk_fail_start prometheus "prometheus"

# q EXPR: the value of a one-series instant query ("" when there is none)
q() {
	curl -s --max-time 5 "http://127.0.0.1:$PP/api/v1/query" --data-urlencode "query=$1" |
	    sed -n 's/^.*"result":\[{[^]]*"value":\[[0-9.]*,"\([^"]*\)"\]}\]}}$/\1/p'
}
# settle EXPR WANT: wait (30 s) until Prometheus has scraped EXPR == WANT; prints the last value
settle() {
	local i v=""
	for i in $(seq 1 60); do
		v=$(q "$1")
		[ "$v" = "$2" ] && break
		sleep 0.5
	done
	printf '%s' "$v"
}
is "$(settle 'up{job="gatekeep"}' 1)" 1 "Prometheus scrapes gatekeep through nginx"

ALLOW='gatekeep_decisions_total{outcome="allow",method="basic",reason="none"}'
BADPW='gatekeep_decisions_total{outcome="unauthorized",method="basic",reason="bad-password"}'
NOCRED='sum(gatekeep_decisions_total{reason="no-credentials"})'
for i in 1 2 3 4 5; do req -u alice:alice-pw "$BASE/private/"; done
is "$CODE" 200 "alice gets in"
for i in 1 2 3; do req -u alice:wrong-$i "$BASE/private/"; done
is "$CODE" 401 "wrong passwords: 401"
for i in 1 2; do req -H "Accept: application/json" "$BASE/private/"; done
is "$CODE" 401 "no credentials: 401"
req -u bob:bob-pw "$BASE/public/"
is "$CODE" 200 "a bypass path"
# (1 allowed earlier: alice on /gatekeep-metrics/)
is "$(settle "$ALLOW" 6)" 6 "Prometheus: 6 Basic allows, exactly"
is "$(settle "$BADPW" 3)" 3 "Prometheus: 3 bad-password denials, exactly"
is "$(settle "$NOCRED" 5)" 5 "Prometheus: 2 no-credentials denials (+ the harness's probe of / and the 2 direct FastCGI decisions)"
diag "Prometheus scraped $(q "count_over_time(up[10m])") times, $(q "sum_over_time(up[10m])") good"
# the bypass was the last request: once a scrape shows it, the queries below all read
# a scrape that saw every request (one scrape is one consistent sample)
is "$(settle 'gatekeep_decisions_total{outcome="allow",method="bypass",reason="none"}' 1)" 1 \
    "Prometheus: 1 bypass allow"
is "$(q 'sum(gatekeep_basic_cache_total)')" 9 "Basic cache: a lookup per known user's password (9)"
is "$(q 'gatekeep_lockout_failures_total')" 3 "lockout failures: the 3 wrong passwords"
is "$(q 'gatekeep_decision_duration_seconds_count')" "$(q 'sum(gatekeep_decisions_total)')" \
    "every decision timed once"
like "$(q 'gatekeep_password_verify_duration_seconds_count{method="yescrypt"}')" "^[1-9]" \
    "password verification timed by hash method"
is "$(q 'gatekeep_workers')" 2 "2 workers running"
# the Grafana dashboard's queries are PromQL Prometheus accepts
python3 -c 'import json, sys
for p in json.load(open(sys.argv[1]))["panels"]:
    for t in p["targets"]:
        print(t["expr"].replace("$__rate_interval", "1m"))' \
    "$top_srcdir/contrib/grafana/gatekeep-dashboard.json" >"$TMP/dash.exprs"
bad=0
while IFS= read -r e; do
	curl -s --max-time 5 "http://127.0.0.1:$PP/api/v1/query" --data-urlencode "query=$e" |
	    grep -q '"status":"success"' || { bad=$((bad + 1)); diag "refused: $e"; }
done <"$TMP/dash.exprs"
[ -s "$TMP/dash.exprs" ] && [ "$bad" = 0 ]
ok $? "Prometheus accepts every query of contrib/grafana/gatekeep-dashboard.json ($(wc -l <"$TMP/dash.exprs"))"

# --- a worker killed with SIGKILL ---------------------------------------------------------
sup=$(cat "$RUN/authz.pid")
victim=$(pgrep -P "$sup" | head -1)
[ -n "$victim" ] || bail "no worker of $sup found"
kill -KILL "$victim"
is "$(settle 'gatekeep_worker_exits_total{cause="signal"}' 1)" 1 "the killed worker counted as killed by a signal"
is "$(settle 'gatekeep_workers' 2)" 2 "... and replaced"
for i in 1 2 3 4; do req -u alice:alice-pw "$BASE/private/"; done
is "$(settle "$ALLOW" 10)" 10 "after the kill: 6 + 4 allows, none lost, none twice"
is "$(q "$BADPW")" 3 "bad-password count unchanged"
is "$(q 'sum(resets(gatekeep_decisions_total[5m]))')" 0 "no counter ever went backwards"

# --- readiness follows the database and the secret, without a restart -----------------------
mv "$GK/users.db" "$GK/users.db.away"
req "$BASE/gatekeep-ready"
is "$CODE" 503 "database moved away: readiness 503"
like "$BODY" "not ready: database" "... saying why"
"$GK_AUTHZ" -c "$GK/gatekeep.conf" --health >"$TMP/health.out" 2>&1
is "$?" 1 "gatekeep-authz --health: exit status 1"
req "$BASE/gatekeep-health"
is "$CODE" 200 "liveness stays 200"
mv "$GK/users.db.away" "$GK/users.db"
req "$BASE/gatekeep-ready"
is "$CODE" 200 "database back: ready again"
mv "$GK/secret" "$GK/secret.away"
req "$BASE/gatekeep-ready"
is "$CODE" 503 "secret gone: readiness 503"
like "$BODY" "not ready: secret" "... saying why"
mv "$GK/secret.away" "$GK/secret"
req "$BASE/gatekeep-ready"
is "$CODE" 200 "secret back: ready"
"$GK_AUTHZ" -c "$GK/gatekeep.conf" --health >"$TMP/health.out" 2>&1
is "$?/$(cat "$TMP/health.out")" "0/ready" "gatekeep-authz --health: exit status 0"

gk_alive authz
ok $? "gatekeep-authz is still running"
done_testing
