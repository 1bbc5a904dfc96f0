#!/bin/bash
# tests/load_nginx.sh: nginx (auth_request -> gatekeep-authz, 2 workers, unix socket) under
# 256 keep-alive connections of mixed traffic for GK_LOAD_SECONDS (default 60): valid
# session cookies and Basic credentials, anonymous and hostile requests. Every answer is
# checked against its class: zero 5xx and zero wrong answers for valid requests, zero 2xx
# for the others; the workers survive and their RSS grows by less than GK_LOAD_RSS_KB
# (default: 20 bytes per request served, at least 1 MB; about 5 MB for a minute of load).
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"

SECONDS_LOAD=${GK_LOAD_SECONDS:-60}
CONNS=${GK_LOAD_CONNECTIONS:-256}
RSS_BOUND_KB=${GK_LOAD_RSS_KB:-}   # empty: set from the requests served, after the load
# Under AddressSanitizer freed memory sits in ASan's quarantine (256 MB by default), so RSS
# says nothing about leaks there: shrink the quarantine and allow for it. The leak check of
# that build is LeakSanitizer's; the 5 MB bound holds for the plain build.
if ldd "$GK_AUTHZ" 2>/dev/null | grep -q libasan; then
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=16"
	RSS_BOUND_KB=${GK_LOAD_RSS_KB:-65536}
fi
TOKENTOOL="$top_builddir/tests/tokentool"
[ -x "$TOKENTOOL" ] || bail "tests/tokentool not built"
gk_need nginx

gk_world
# decision lines at info, not every debug line: a minute of load writes a lot
export GATEKEEP_LOG_LEVEL=info
# Every class comes from 127.0.0.1: the wrong-password class would put that address under
# gatekeep's lockout ban within seconds and turn every valid Basic request into a 401.
# The load test measures decisions under load; the lockout has tests of its own.
export GATEKEEP_MAX_FAILURES=0
gk_start_authz unix

# nginx: the shipped site config; the app is an echo server on a unix socket in the same nginx
mkdir -p "$RUN/nginx"
gk_render "$CONTRIB/nginx/gatekeep.conf" "$RUN/nginx/site.conf"
sed -i -e "s|listen 80;|listen 127.0.0.1:$PORT;|" \
       -e "s|include fastcgi_params;|include /etc/nginx/fastcgi_params;|" \
       -e "s|proxy_pass http://127.0.0.1:$BACKEND_PORT;|proxy_pass http://unix:$RUN/backend.sock:;|" \
       "$RUN/nginx/site.conf"
grep -q "proxy_pass http://unix:$RUN/backend.sock:;" "$RUN/nginx/site.conf" ||
    bail "contrib/nginx/gatekeep.conf no longer has the proxy_pass line this test rewrites"
gk_run_nginx "$top_srcdir/tests/load/nginx-main.conf"

# --- the request classes ------------------------------------------------------------
gen() { "$GK_PASSWD" --show="$1" "$GK/users.db" | sed -n 's/^generation: *//p'; }
tok() { "$TOKENTOOL" -l 7200 -g "$(gen "$1")" issue "$GK/secret" gatekeep "$1"; }
TOK_ALICE=$(tok alice) && TOK_BOB=$(tok bob) && TOK_CAROL=$(tok carol) || bail "tokentool issue"
b64() { printf '%s' "$1" | base64 -w0; }

# sanity before the load: every valid class works once (else the load numbers mean nothing)
req -H "Cookie: gatekeep_session=$TOK_ALICE" "$BASE/private/"
is "$CODE" 200 "sanity: session cookie -> 200"
like "$BODY" 'user=alice' "sanity: the app sees alice"
req -u alice:alice-pw "$BASE/private/"
is "$CODE" 200 "sanity: Basic -> 200"
req "$BASE/private/"
is "$CODE" 401 "sanity: anonymous -> 401"

/usr/bin/python3 - "$TMP/classes.json" "$TOK_ALICE" "$TOK_BOB" "$TOK_CAROL" <<'PY'
import base64, json, sys
out, ta, tb, tc = sys.argv[1:5]
def basic(u, p): return ["Authorization", "Basic " + base64.b64encode(f"{u}:{p}".encode()).decode()]
def b64u(b): return base64.urlsafe_b64encode(b).rstrip(b"=").decode()
forged = ta[:-2] + ("AA" if not ta.endswith("AA") else "BB")
payload = ta.split(".")[1]
alg_none = b64u(b'{"alg":"none","typ":"JWT"}') + "." + payload + "."
# a token claiming bob, with alice's signature (claims swapped under a valid signature)
swapped = ta.split(".")[0] + "." + tb.split(".")[1] + "." + ta.split(".")[2]
C = lambda name, w, path, hdrs, expect, **kw: dict(name=name, weight=w, path=path, headers=hdrs, expect=expect, **kw)
classes = [
    # valid
    C("session-alice", 20, "/private/", [["Cookie", "a=1; gatekeep_session=" + ta]], "allow", user="alice"),
    C("session-bob-admin", 8, "/admin/x", [["Cookie", "gatekeep_session=" + tb]], "allow", user="bob"),
    C("basic-alice", 20, "/private/?q=1", [basic("alice", "alice-pw")], "allow", user="alice"),
    C("basic-erin-staff", 5, "/staff/", [basic("erin", "erin-pw")], "allow", user="erin"),
    C("public", 5, "/public/x", [], "allow", user=""),
    # anonymous
    C("anon", 10, "/private/", [], "deny", status=[401]),
    C("anon-browser", 5, "/private/?a=1", [["Accept", "text/html,*/*"]], "deny", status=[302]),
    # authenticated, wrong group
    C("basic-wrong-group", 5, "/admin/", [basic("alice", "alice-pw")], "deny", status=[403]),
    C("session-wrong-group", 3, "/staff/", [["Cookie", "gatekeep_session=" + ta]], "deny", status=[403]),
    # hostile
    C("basic-wrong-password", 1, "/private/", [basic("alice", "not-her-password")], "deny", status=[401]),
    C("basic-unknown-user", 1, "/private/", [basic("mallory", "x")], "deny", status=[401]),
    C("basic-disabled", 1, "/private/", [basic("carol", "carol-pw")], "deny", status=[401]),
    C("bad-base64", 4, "/private/", [["Authorization", "Basic !!!not*base64"]], "deny", status=[401]),
    C("basic-no-colon", 2, "/private/", [["Authorization", "Basic " + base64.b64encode(b"alicealice-pw").decode()]], "deny", status=[401]),
    # nginx copies the decoded Basic user (here with a NUL byte) into REMOTE_USER; the
    # FastCGI guard refuses a NUL inside any param and drops the connection, which nginx
    # turns into a 500: a denial, not an allow (SECURITY.md)
    C("basic-nul-ctl", 2, "/private/", [["Authorization", "Basic " + base64.b64encode(b"ali\x00ce:alice-pw\r\nX: y").decode()]], "deny", status=[401, 403]),  # the guard answers a NUL in a value with 403
    C("basic-ctl", 2, "/private/", [["Authorization", "Basic " + base64.b64encode(b"alice\r\nX-Injected: 1:alice-pw").decode()]], "deny", status=[401]),
    C("forged-cookie", 4, "/private/", [["Cookie", "gatekeep_session=" + forged]], "deny", status=[401]),
    C("alg-none-cookie", 3, "/private/", [["Cookie", "gatekeep_session=" + alg_none]], "deny", status=[401]),
    C("swapped-claims", 3, "/admin/", [["Cookie", "gatekeep_session=" + swapped]], "deny", status=[401]),
    C("duplicate-cookies", 3, "/private/", [["Cookie", f"gatekeep_session={ta}; gatekeep_session={tb}"]], "deny", status=[401]),
    C("duplicate-cookie-headers", 2, "/private/", [["Cookie", "gatekeep_session=" + ta], ["Cookie", "gatekeep_session=" + tb]], "deny", status=[401, 400]),
    C("disabled-cookie", 2, "/private/", [["Cookie", "gatekeep_session=" + tc]], "deny", status=[401]),
    C("spoof-remote-user", 3, "/admin/", [["Remote-User", "bob"], ["Remote-Groups", "admins"], ["X-Auth-Request-User", "bob"]], "deny", status=[401]),
    C("spoof-underscore", 2, "/admin/", [["Remote_User", "bob"], ["X-Forwarded-Uri", "/public/"], ["X-Original-URI", "/public/"]], "deny", status=[401]),
    C("cookie-plus-bad-basic", 2, "/private/", [["Cookie", "gatekeep_session=" + forged], basic("alice", "alice-pw")], "deny", status=[401]),
    C("huge-cookie", 1, "/private/", [["Cookie", "gatekeep_session=" + "A" * 20000]], "deny", status=[400, 494]),
    C("huge-authorization", 2, "/private/", [["Authorization", "Basic " + "QUFB" * 1900]], "deny", status=[401, 400, 403]),
    C("many-headers", 2, "/private/", [["X-H%d" % i, "v" * 100] for i in range(60)], "deny", status=[401]),
    C("traversal", 2, "/public/../admin/", [], "deny", status=[401, 400, 403]),
    C("encoded-traversal", 2, "/public/%2e%2e/admin/", [], "deny", status=[401, 400, 403]),
]
json.dump(classes, open(out, "w"))
PY
[ -s "$TMP/classes.json" ] || bail "classes"

# --- RSS before ---------------------------------------------------------------------------
AUTHZ_PARENT=$(cat "$RUN/authz.pid")
workers() { pgrep -P "$AUTHZ_PARENT" | sort -n | tr '\n' ' '; }
rss() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null; }
W_BEFORE=$(workers)
is "$(echo $W_BEFORE | wc -w)" 2 "two gatekeep-authz workers"
# warm up: every class once per worker, so caches and allocator arenas exist before "before"
/usr/bin/python3 "$top_srcdir/tests/load/client.py" "$PORT" 2 8 "$TMP/classes.json" >"$TMP/warm.json" ||
    bail "warm-up client failed"
declare -A RSS0
for w in $W_BEFORE; do RSS0[$w]=$(rss "$w"); done

# --- the load -------------------------------------------------------------------------------
diag "load: $CONNS connections for ${SECONDS_LOAD}s against $BASE"
/usr/bin/python3 "$top_srcdir/tests/load/client.py" "$PORT" "$SECONDS_LOAD" "$CONNS" "$TMP/classes.json" \
    >"$TMP/load.json" 2>"$TMP/load.err"
ok $? "the load generator ran to the end"
sed 's/^/# /' "$TMP/load.err" | head -20
W_AFTER=$(workers)

# --- verdicts ---------------------------------------------------------------------------------
gk_load_verdicts "$TMP/load.json" $((SECONDS_LOAD * 50)) valid_5xx "5xx for valid requests"
# A leak of a few bytes per request shows however long the load ran: the bound grows with
# the requests served (20 bytes each), over a floor for the allocator's own growth (which
# is 100-200 kB, whatever the length).
if [ -z "$RSS_BOUND_KB" ]; then
	RSS_BOUND_KB=$(( $(lval requests) * 20 / 1024 ))
	[ "$RSS_BOUND_KB" -ge 1024 ] || RSS_BOUND_KB=1024
fi

# --- the pool --------------------------------------------------------------------------------
is "$W_AFTER" "$W_BEFORE" "the same workers before and after (none died or was replaced)"
gk_alive authz; ok $? "gatekeep-authz is still running"
gk_alive nginx; ok $? "nginx is still running"
for w in $W_BEFORE; do
	r1=$(rss "$w")
	diag "worker $w RSS: before ${RSS0[$w]} kB, after ${r1:-gone} kB"
	[ -n "$r1" ] && [ $((r1 - RSS0[$w])) -lt "$RSS_BOUND_KB" ]
	ok $? "worker $w RSS growth $(( ${r1:-0} - RSS0[$w] )) kB < $RSS_BOUND_KB kB"
done
upstream_err=$(grep -c 'connect() to unix.*failed\|upstream timed out\|no live upstreams' "$LOG/nginx-error.log" 2>/dev/null)
is "${upstream_err:-0}" 0 "nginx never failed to reach gatekeep-authz (listen backlog holds the burst)"
grep 'connect() to unix.*failed\|upstream timed out\|no live upstreams' "$LOG/nginx-error.log" 2>/dev/null | head -3 | sed 's/^/#   /'
gk_check_logs load "$LOG/authz.out"
unlike "$(grep -v 'deny user=\|allow user=' "$LOG/authz.out" | grep -c 'err:')" '^[1-9]' "no error lines from the authorizer"
done_testing
