#!/bin/bash
# tests/evcore2_zerohop.sh: the zero-hop session check in real nginx with njs
# (contrib/nginx/gatekeep-zerohop.conf + gatekeep.js): a valid session cookie with its
# ticket is served without a call to gatekeep-authz (calls counted in its log); forged,
# tampered, expired, other-issuer, alg=none and mismatched cookies are never passed by
# njs, whatever ticket comes with them; a revoked or disabled user is refused within
# zero_hop_ticket_ttl.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"

TOKENTOOL="$top_builddir/tests/tokentool"
JWT="$top_srcdir/tests/evcore2/jwt.py"
NJS_MOD=/usr/lib/nginx/modules/ngx_http_js_module.so
TTL=15   # generous: the machine may be loaded, and step 2 must fit in one ticket's life
[ -x "$TOKENTOOL" ] || bail "tests/tokentool not built"
[ -f "$NJS_MOD" ] || bail "nginx's njs module is missing: $NJS_MOD (libnginx-mod-http-js)"
gk_need nginx

gk_world
gk_conf "192.0.2.1/32" "zero_hop_ticket_ttl = $TTL" "cookie_secure = false"
sed -i '/^rule = /d' "$GK/gatekeep.conf"      # tickets are only handed out without rules
gk_start_backend
gk_start_authz unix

# nginx: the shipped zero-hop site, the module loaded, gatekeep.js from our own copy
# (nginx's workers, nobody when root, must read it and the secret)
mkdir -p "$RUN/nginx" "$TMP/njs"
cp "$CONTRIB/nginx/gatekeep.js" "$TMP/njs/gatekeep.js"
chmod 755 "$TMP/njs" && chmod 644 "$TMP/njs/gatekeep.js"
gk_render "$CONTRIB/nginx/gatekeep-zerohop.conf" "$RUN/nginx/site.conf"
sed -i -e "s|listen 80;|listen 127.0.0.1:$PORT;|" \
       -e "s|include fastcgi_params;|include /etc/nginx/fastcgi_params;|" \
       -e "s|/usr/share/gatekeep/nginx/gatekeep.js|$TMP/njs/gatekeep.js|" \
       -e "s|/var/lib/gatekeep/secret|$GK/secret|" "$RUN/nginx/site.conf"
grep -q "js_import gatekeep from $TMP/njs/gatekeep.js" "$RUN/nginx/site.conf" ||
	bail "contrib/nginx/gatekeep-zerohop.conf no longer has the js_import line this test rewrites"
gk_run_nginx "$SRV/nginx-main.conf" "load_module $NJS_MOD;"

gen() { "$GK_PASSWD" --show="$1" "$GK/users.db" | sed -n 's/^generation: *//p'; }
# gatekeep-authz's decisions so far (one line per request it was asked about)
calls() { grep -c 'method=session\|reason=' "$LOG/authz.out"; }
cookie() { printf 'gatekeep_session=%s; gatekeep_session_ticket=%s' "$1" "$2"; }
now() { date +%s; }

TOK=$("$TOKENTOOL" -l 7200 -g "$(gen alice)" issue "$GK/secret" gatekeep alice) || bail "tokentool"

# --- 1. the first request goes to gatekeep-authz, which hands out the ticket ------------
n0=$(calls)
req -H "Cookie: gatekeep_session=$TOK" "$BASE/private/"
is "$CODE" 200 "session cookie without a ticket -> 200 (through gatekeep-authz)"
is "$(calls)" $((n0 + 1)) "... gatekeep-authz was asked once"
sc=$(hdr Set-Cookie)
like "$sc" "^gatekeep_session_ticket=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}; " "... and answered with a ticket cookie"
like "$sc" "Max-Age=$TTL;.*HttpOnly" "... living zero_hop_ticket_ttl, HttpOnly"
TICKET=$(printf '%s\n' "$sc" | sed -n 's/^gatekeep_session_ticket=\([^;]*\);.*/\1/p')

# --- 2. with the ticket: served by nginx alone -------------------------------------------
n0=$(calls)
good=0
for i in $(seq 1 10); do
	req -H "Cookie: $(cookie "$TOK" "$TICKET")" "$BASE/private/"
	[ "$CODE" = 200 ] && [ "$(appvar HTTP_REMOTE_USER)" = alice ] && good=$((good + 1))
done
is "$good" 10 "cookie + ticket: 10 requests -> 200, the app gets Remote-User alice"
is "$(calls)" "$n0" "... and gatekeep-authz was not asked once (zero hop)"
req -H "Cookie: $(cookie "$TOK" "$TICKET")" "$BASE/private/"
is "$(appvar HTTP_REMOTE_GROUPS)" users "... Remote-Groups comes from the ticket"
req -H "Cookie: $(cookie "$TOK" "$TICKET")" -H 'Remote-User: bob' "$BASE/private/"
is "$(appvar HTTP_REMOTE_USER)" alice "... a client's Remote-User header never reaches the app"

# the zero hop hands the request on as sent (js_content's internal redirect): method,
# URI with its query, body; so does the path through gatekeep-authz. A fresh ticket first:
# on a loaded machine the first one may be near its end.
req -H "Cookie: gatekeep_session=$TOK" "$BASE/private/"
T2=$(hdr Set-Cookie | sed -n 's/^gatekeep_session_ticket=\([^;]*\);.*/\1/p')
n0=$(calls)
req -X POST --data-binary 'twelve bytes' -H "Cookie: $(cookie "$TOK" "$T2")" "$BASE/private/a%20b?x=1&y=%2F"
is "$CODE/$(appvar REQUEST_METHOD)/$(appvar BODY_LENGTH)/$(appvar REQUEST_URI)/$(calls)" \
	"200/POST/12//private/a%20b?x=1&y=%2F/$n0" "zero hop: POST, body and URI reach the app as sent, no gatekeep-authz call"
req -X POST --data-binary 'twelve bytes' -H "Cookie: gatekeep_session=$TOK" "$BASE/private/a%20b?x=1"
is "$CODE/$(appvar REQUEST_METHOD)/$(appvar BODY_LENGTH)/$(appvar REQUEST_URI)/$(calls)" \
	"200/POST/12//private/a%20b?x=1/$((n0 + 1))" "through gatekeep-authz: the same request reaches the app as sent"

# --- 3. nothing njs doubts passes without gatekeep-authz --------------------------------
# Each case carries a ticket that is valid FOR THAT COOKIE (minted with the secret): only
# njs's own checks of the session token stand between it and the app.
exp=$(( $(now) + 60 ))
ticket_for() { "$PY" "$JWT" ticket "$GK/secret" "$1" "${2:-alice}" "${3:-$exp}" users; }
refused() {  # refused COOKIE-HEADER WANT-CODE DESCRIPTION
	local n0
	n0=$(calls)
	req -H "Cookie: $1" "$BASE/private/"
	is "$CODE" "$2" "$3 -> $2"
	is "$(calls)" $((n0 + 1)) "... decided by gatekeep-authz, not by njs"
}
now_s=$(now)
pl() { printf '{"iss":"%s","sub":"alice","iat":%s,"exp":%s,"gen":%s}' "${1:-gatekeep}" "${2:-$now_s}" "${3:-$((now_s + 3600))}" "$(gen alice)"; }
# tampered: one signature character changed (both canonical spellings differ)
T=${TOK%?}; case "${TOK: -1}" in A) T="${T}Q" ;; *) T="${T}A" ;; esac
refused "$(cookie "$T" "$(ticket_for "$T")")" 401 "tampered signature with a ticket for it"
# tampered payload, signature kept
P=$(printf '%s' "$TOK" | cut -d. -f2)
P2=$(printf '%s' "$(pl gatekeep "$now_s" $((now_s + 99999)))" | base64 -w0 | tr '+/' '-_' | tr -d '=')
T="$(printf '%s' "$TOK" | cut -d. -f1).$P2.$(printf '%s' "$TOK" | cut -d. -f3)"
refused "$(cookie "$T" "$(ticket_for "$T")")" 401 "payload swapped under the old signature"
# alg=none
T=$("$PY" "$JWT" none "$(pl)")
refused "$(cookie "$T" "$(ticket_for "$T")")" 401 "alg=none token"
# signed with the right key, but another header spelling (alg confusion bait) -> njs
# refuses what lib/token.c would accept: gatekeep-authz decides (allows)
T=$("$PY" "$JWT" token "$GK/secret" '{"typ":"JWT","alg":"HS256"}' "$(pl)")
refused "$(cookie "$T" "$(ticket_for "$T")")" 200 "header not byte-exact (keys swapped), validly signed"
T=$("$PY" "$JWT" token "$GK/secret" '{"alg":"HS512","typ":"JWT"}' "$(pl)")
refused "$(cookie "$T" "$(ticket_for "$T")")" 401 "alg=HS512 header"
# another issuer, validly signed
T=$("$PY" "$JWT" token "$GK/secret" '{"alg":"HS256","typ":"JWT"}' "$(pl other)")
refused "$(cookie "$T" "$(ticket_for "$T")")" 401 "another issuer"
# expired token (exp in the past, still valid ticket)
T=$("$TOKENTOOL" -t $((now_s - 7200)) -l 3600 -g "$(gen alice)" issue "$GK/secret" gatekeep alice)
refused "$(cookie "$T" "$(ticket_for "$T")")" 401 "expired session token"
# signed with another key
other="$TMP/other.secret"
(umask 077 && "$PY" -c 'import secrets; print(secrets.token_urlsafe(32))' >"$other")
T=$("$TOKENTOOL" -l 7200 -g "$(gen alice)" issue "$other" gatekeep alice)
refused "$(cookie "$T" "$("$PY" "$JWT" ticket "$other" "$T" alice "$exp")")" 401 "token and ticket under another key"
# the ticket: expired, of another token, for another user, tampered, signed with the raw key
refused "$(cookie "$TOK" "$(ticket_for "$TOK" alice $((now_s - 1)))")" 200 "expired ticket"
BOBTOK=$("$TOKENTOOL" -l 7200 -g "$(gen bob)" issue "$GK/secret" gatekeep bob)
refused "$(cookie "$TOK" "$(ticket_for "$BOBTOK" bob)")" 200 "alice's cookie with bob's ticket"
refused "$(cookie "$TOK" "$(ticket_for "$TOK" bob)")" 200 "ticket naming another user than the cookie"
BADT=${TICKET%?}; case "${TICKET: -1}" in A) BADT="${BADT}Q" ;; *) BADT="${BADT}A" ;; esac
refused "$(cookie "$TOK" "$BADT")" 200 "tampered ticket"
refused "$(cookie "$TOK" "$TOK")" 200 "the session token itself as the ticket"
# the cookie twice (gatekeep-authz refuses a repeated name too)
refused "gatekeep_session=$TOK; $(cookie "$TOK" "$TICKET")" 401 "session cookie twice"
refused "$(cookie "$TOK" "$TICKET"); gatekeep_session_ticket=$TICKET" 200 "ticket cookie twice"
refused "gatekeep_session=\"$TOK\"; gatekeep_session_ticket=$TICKET" 200 "quoted session cookie"
# ... and in a second Cookie header (njs must see both, as gatekeep-authz does)
n0=$(calls)
req -H "Cookie: $(cookie "$TOK" "$TICKET")" -H "Cookie: gatekeep_session=$BOBTOK" "$BASE/private/"
like "$CODE/$(calls)" "^40[13]/$((n0 + 1))\$" "a second Cookie header with another session cookie -> refused, by gatekeep-authz"

# --- 4. revocation and disabling take effect within zero_hop_ticket_ttl ----------------
# Deterministic: the ticket's Max-Age is at most zero_hop_ticket_ttl (checked in 1.), and
# once its exp has passed the revoked or disabled user is refused.
fresh() {  # fresh TOKEN: a ticket from gatekeep-authz for TOKEN, its exp in $EXP
	req -H "Cookie: gatekeep_session=$1" "$BASE/private/"
	FRESH=$(hdr Set-Cookie | sed -n 's/^gatekeep_session_ticket=\([^;]*\);.*/\1/p')
	EXP=$(printf '%s' "${FRESH%%.*}" | tr -- '-_' '+/' | base64 -d 2>/dev/null | sed -n 's/.*"exp":\([0-9]*\).*/\1/p')
}
fresh "$TOK"; TICKET=$FRESH; AEXP=$EXP
ETOK=$("$TOKENTOOL" -l 7200 -g "$(gen erin)" issue "$GK/secret" gatekeep erin)
fresh "$ETOK"; ETICKET=$FRESH; EEXP=$EXP
n0=$(calls)
req -H "Cookie: $(cookie "$ETOK" "$ETICKET")" "$BASE/private/"
is "$CODE/$(appvar HTTP_REMOTE_USER)/$(calls)" "200/erin/$n0" "erin: cookie + ticket -> 200 by nginx alone"
ok "$([ -n "$AEXP" ] && [ "$AEXP" -le $(( $(now) + TTL )) ]; echo $?)" "the ticket's exp is within zero_hop_ticket_ttl"
"$GK_PASSWD" --revoke-sessions "$GK/users.db" alice >>"$LOG/passwd.out" 2>&1 || bail "revoke"
"$GK_PASSWD" --disable "$GK/users.db" erin >>"$LOG/passwd.out" 2>&1 || bail "disable"
last=$(( AEXP > EEXP ? AEXP : EEXP ))
while [ "$(now)" -lt "$last" ]; do sleep 0.5; done
req -H "Cookie: $(cookie "$TOK" "$TICKET")" "$BASE/private/"
is "$CODE/$(hdr Set-Cookie)" "401/" "alice's sessions revoked: refused once the ticket's exp passed, no new ticket"
req -H "Cookie: $(cookie "$ETOK" "$ETICKET")" "$BASE/private/"
is "$CODE/$(hdr Set-Cookie)" "401/" "erin disabled: refused once the ticket's exp passed, no new ticket"

# --- 5. no tickets for users who may not use every method, nor with rules ---------------
RTOK=$("$TOKENTOOL" -l 7200 -g "$(gen rita)" issue "$GK/secret" gatekeep rita)
req -H "Cookie: gatekeep_session=$RTOK" "$BASE/private/"
is "$CODE/$(hdr Set-Cookie)" "200/" "rita (permission ro): allowed, but no ticket"
gk_stop authz
gk_conf "192.0.2.1/32" "zero_hop_ticket_ttl = $TTL" "cookie_secure = false"
gk_start_authz unix
BTOK=$("$TOKENTOOL" -l 7200 -g "$(gen bob)" issue "$GK/secret" gatekeep bob)
req -H "Cookie: gatekeep_session=$BTOK" "$BASE/private/"
is "$CODE/$(hdr Set-Cookie)" "200/" "with rule lines in gatekeep.conf: no ticket"
gk_alive nginx
ok $? "nginx is still running"
gk_alive authz
ok $? "gatekeep-authz is still running"
done_testing
