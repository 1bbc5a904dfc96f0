#!/bin/bash
# tests/load_caddy.sh: Caddy 2 (forward_auth, transport fastcgi, unix socket; the shipped
# contrib/caddy/Caddyfile) in front of gatekeep-authz (2 workers), mixed keep-alive traffic
# in two phases: 3 connections for GK_LOAD_CADDY_SECONDS (default 10), then 64 for half as
# long. Each: zero 5xx, zero wrong decisions, zero connection errors.
# Why the quiet phase: Caddy's FastCGI client sends the request in several writes and reads
# the answer after the last; an idle worker answers as soon as PARAMS are in. Before the
# lingering close in lib/fcgiloop.c a worker that closed before Caddy's last write made
# Caddy answer 502: 3 in ~11800 requests of this phase, 0 in the busy one (measured with
# the old binary; under load the workers are busy and Caddy's writes are all in first).
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"

SECONDS_QUIET=${GK_LOAD_CADDY_SECONDS:-10}
SECONDS_BUSY=$(( (SECONDS_QUIET + 1) / 2 ))
TOKENTOOL="$top_builddir/tests/tokentool"
[ -x "$TOKENTOOL" ] || bail "tests/tokentool not built"
gk_need caddy

gk_world
export GATEKEEP_LOG_LEVEL=info
# every class comes from 127.0.0.1: the wrong-password class must not ban that address
export GATEKEEP_MAX_FAILURES=0
GK_EXTRA_CONF="frontend = caddy"
gk_conf "192.0.2.1/32"
gk_start_authz unix
GK_CADDY_MAIN="$top_srcdir/tests/load/Caddyfile.main"
# tests/load/client.py sends "Host: app.example.com"; Caddy answers an unknown host with an
# empty 200, so the site must name it
GK_CADDY_SITE="http://127.0.0.1:$PORT, http://app.example.com:$PORT"
gk_start_caddy
diag "caddy on $BASE (echo app on :$BACKEND_PORT), gatekeep-authz on $GK_SOCK"

gen() { "$GK_PASSWD" --show="$1" "$GK/users.db" | sed -n 's/^generation: *//p'; }
tok() { "$TOKENTOOL" -l 7200 -g "$(gen "$1")" issue "$GK/secret" gatekeep "$1"; }
TOK_ALICE=$(tok alice) && TOK_BOB=$(tok bob) || bail "tokentool issue"

# sanity before the load: each valid class works once
req -H "Cookie: gatekeep_session=$TOK_ALICE" "$BASE/private/"
is "$CODE" 200 "sanity: session cookie -> 200"
like "$BODY" 'user=alice' "sanity: the app sees alice"
req -u alice:alice-pw "$BASE/private/"
is "$CODE $(echo "$BODY" | grep '^user=')" "200 user=alice" "sanity: Basic -> 200, alice"
req "$BASE/private/"
is "$CODE" 401 "sanity: anonymous -> 401"

/usr/bin/python3 - "$TMP/classes.json" "$TOK_ALICE" "$TOK_BOB" <<'PY'
import base64, json, sys
out, ta, tb = sys.argv[1:4]
def basic(u, p): return ["Authorization", "Basic " + base64.b64encode(f"{u}:{p}".encode()).decode()]
forged = ta[:-2] + ("AA" if not ta.endswith("AA") else "BB")
C = lambda name, w, path, hdrs, expect, **kw: dict(name=name, weight=w, path=path, headers=hdrs, expect=expect, **kw)
json.dump([
    C("session-alice", 20, "/private/", [["Cookie", "gatekeep_session=" + ta]], "allow", user="alice"),
    C("session-bob-admin", 8, "/admin/x", [["Cookie", "gatekeep_session=" + tb]], "allow", user="bob"),
    C("basic-alice", 20, "/private/?q=1", [basic("alice", "alice-pw")], "allow", user="alice"),
    C("basic-erin-staff", 5, "/staff/", [basic("erin", "erin-pw")], "allow", user="erin"),
    C("anon", 10, "/private/", [], "deny", status=[401]),
    C("anon-browser", 5, "/private/?a=1", [["Accept", "text/html,*/*"]], "deny", status=[302]),
    C("basic-wrong-group", 5, "/admin/", [basic("alice", "alice-pw")], "deny", status=[403]),
    C("basic-wrong-password", 2, "/private/", [basic("alice", "not-her-password")], "deny", status=[401]),
    C("forged-cookie", 4, "/private/", [["Cookie", "gatekeep_session=" + forged]], "deny", status=[401]),
    C("spoof-remote-user", 3, "/admin/", [["Remote-User", "bob"], ["Remote-Groups", "admins"]], "deny", status=[401]),
    C("traversal", 2, "/public/../admin/", [], "deny", status=[401, 400, 403]),
], open(out, "w"))
PY
[ -s "$TMP/classes.json" ] || bail "classes"

AUTHZ_PARENT=$(cat "$RUN/authz.pid")
workers() { pgrep -P "$AUTHZ_PARENT" | sort -n | tr '\n' ' '; }
W_BEFORE=$(workers)

# phase NAME CONNECTIONS SECONDS: one run of the load generator and its verdicts.
phase() {
	local name=$1 conns=$2 secs=$3
	diag "$name: $conns connections for ${secs}s against $BASE"
	/usr/bin/python3 "$top_srcdir/tests/load/client.py" "$PORT" "$secs" "$conns" "$TMP/classes.json" \
	    >"$TMP/$name.json" 2>"$TMP/$name.err"
	ok $? "$name: the load generator ran to the end"
	sed 's/^/# /' "$TMP/$name.err" | head -20
	gk_load_verdicts "$TMP/$name.json" $((secs * 20)) any_5xx \
	    "5xx (a 502 is Caddy failing to talk to gatekeep-authz)" "$name"
}
phase quiet 3 "$SECONDS_QUIET"
phase busy 64 "$SECONDS_BUSY"

is "$(workers)" "$W_BEFORE" "the same workers before and after"
gk_alive authz; ok $? "gatekeep-authz is still running"
gk_alive caddy; ok $? "caddy is still running"
is "$(grep -c -i 'broken pipe\|connection reset\|EOF' "$LOG/caddy-error.log" 2>/dev/null)" 0 \
	"Caddy logged no broken pipe, reset or early EOF talking to gatekeep-authz"
grep -i 'broken pipe\|connection reset\|EOF' "$LOG/caddy-error.log" 2>/dev/null | head -3 | cut -c1-300 | sed 's/^/#   /'
gk_check_logs load-caddy "$LOG/authz.out"
done_testing
