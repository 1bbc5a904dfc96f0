#!/bin/bash
# tests/evcore2_zerohop.sh: the zero-hop session check in real nginx with njs
# (contrib/nginx/gatekeep-zerohop.conf + gatekeep.js; with GK_ZEROHOP=module the native
# module's contrib/nginx/gatekeep-module.conf: tests/ngxmod_zerohop.sh): a valid session cookie with its
# ticket is served without a call to gatekeep-authz (calls counted in its log); forged,
# tampered, expired, other-issuer, alg=none and mismatched cookies are never passed by
# njs, whatever ticket comes with them; a revoked or disabled user is refused within
# zero_hop_ticket_ttl.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"

TOKENTOOL="$top_builddir/tests/tokentool"
JWT="$top_srcdir/tests/evcore2/jwt.py"
TTL=15   # generous: the machine may be loaded, and step 2 must fit in one ticket's life (4. waits for a shorter one)
. "$top_srcdir/tests/servers/zerohop.sh"
. "$top_srcdir/tests/servers/appcookie.sh"

gk_start_zerohop "$TTL"
is "$(stat -c %a "$RUN/nginx/ticket-key.conf")" 600 "gatekeep-passwd --zero-hop-key writes the include mode 0600"
like "$(cat "$RUN/nginx/ticket-key.conf")" "$ZH_KEY_RE" "... one directive line, the key in hex"
ok "$(grep -qF -e "$(head -c 43 "$GK/secret")" "$RUN/nginx/ticket-key.conf"; [ $? = 1 ]; echo $?)" "... and not the session secret"

cookie() { printf 'gatekeep_session=%s; gatekeep_session_ticket=%s' "$1" "$2"; }
now() { date +%s; }

TOK=$("$TOKENTOOL" -l 7200 -g "$(gen alice)" issue "$GK/secret" gatekeep alice) || bail "tokentool"

# --- 1. the first request goes to gatekeep-authz, which hands out the ticket ------------
n0=$(calls)
req -H "Cookie: gatekeep_session=$TOK" -H 'Remote-Name: Administrator' "$BASE/private/"
is "$CODE" 200 "session cookie without a ticket -> 200 (through gatekeep-authz)"
is "$(appvar HTTP_REMOTE_NAME)" "" "... a client's Remote-Name never reaches the app"
is "$(appvar HTTP_X_FORWARDED_PROTO)" http "... the proxy headers set there too (X-Forwarded-Proto)"
is "$(calls)" $((n0 + 1)) "... gatekeep-authz was asked once"
sc=$(hdr Set-Cookie)
like "$sc" "^gatekeep_session_ticket=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}; " "... and answered with a ticket cookie"
like "$sc" "Max-Age=$TTL;.*HttpOnly" "... living zero_hop_ticket_ttl, HttpOnly"
TICKET=$(printf '%s\n' "$sc" | sed -n 's/^gatekeep_session_ticket=\([^;]*\);.*/\1/p')
gk_check_app_cookie_zerohop "zero-hop ($ZH)"

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
is "$(appvar HTTP_X_FORWARDED_PROTO)" http "... and the proxy headers are set (X-Forwarded-Proto)"
req -H "Cookie: $(cookie "$TOK" "$TICKET")" -H 'Remote-User: bob' "$BASE/private/"
is "$(appvar HTTP_REMOTE_USER)" alice "... a client's Remote-User header never reaches the app"
req -H "Cookie: $(cookie "$TOK" "$TICKET")" -H 'Remote-Name: Administrator' "$BASE/private/"
is "$CODE/$(appvar HTTP_REMOTE_NAME)" 200/ "... nor its Remote-Name (the ticket has no display name)"

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
# njs holds no session secret: the ticket (which gatekeep-authz issues only for a token it
# verified in full) is all it checks. A client without the ticket key can only bring
# tickets gatekeep-authz issued, beside other tokens, or altered ones. A fresh ticket
# first: every case below must be refused for what it tests, not for an old ticket.
req -H "Cookie: gatekeep_session=$TOK" "$BASE/private/"
TICKET=$(hdr Set-Cookie | sed -n 's/^gatekeep_session_ticket=\([^;]*\);.*/\1/p')
exp=$(( $(now) + 60 ))
ticket_for() { "$PY" "$JWT" ticket "$GK/secret" "$1" "${2:-alice}" "${3:-$exp}" users; }
refused() {  # refused COOKIE-HEADER WANT-CODE DESCRIPTION
	local n0
	n0=$(calls)
	req -H "Cookie: $1" "$BASE/private/"
	is "$CODE" "$2" "$3 -> $2"
	is "$(calls)" $((n0 + 1)) "... decided by gatekeep-authz, not by $ZH"
}
# the usual header with other cookies around: still the zero hop
n0=$(calls)
req -H "Cookie: a=1; $(cookie "$TOK" "$TICKET"); b=2" "$BASE/private/"
is "$CODE/$(calls)" "200/$n0" "other cookies around the two: zero hop"
# the same MAC bytes spelled another way (the last character's two spare bits set)
last=${TICKET: -1}
alpha=ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_
before=${alpha%%"$last"*}
idx=${#before}
refused "$(cookie "$TOK" "${TICKET%?}${alpha:$((idx | 1)):1}")" 200 "the ticket's MAC in a non-canonical spelling"
now_s=$(now)
pl() { printf '{"iss":"%s","sub":"alice","iat":%s,"exp":%s,"gen":%s}' "${1:-gatekeep}" "${2:-$now_s}" "${3:-$((now_s + 3600))}" "$(gen alice)"; }
# the session token altered beside its own ticket: one signature character changed
T=${TOK%?}; case "${TOK: -1}" in A) T="${T}Q" ;; *) T="${T}A" ;; esac
refused "$(cookie "$T" "$TICKET")" 401 "tampered signature beside the token's ticket"
# payload swapped under the old signature
P2=$(printf '%s' "$(pl gatekeep "$now_s" $((now_s + 99999)))" | base64 -w0 | tr '+/' '-_' | tr -d '=')
T="$(printf '%s' "$TOK" | cut -d. -f1).$P2.$(printf '%s' "$TOK" | cut -d. -f3)"
refused "$(cookie "$T" "$TICKET")" 401 "payload swapped under the old signature, with the ticket"
T=$("$PY" "$JWT" none "$(pl)")
refused "$(cookie "$T" "$TICKET")" 401 "alg=none token with alice's ticket"
T=$("$PY" "$JWT" token "$GK/secret" '{"alg":"HS512","typ":"JWT"}' "$(pl)")
refused "$(cookie "$T" "$TICKET")" 401 "alg=HS512 header with alice's ticket"
T=$("$PY" "$JWT" token "$GK/secret" '{"alg":"HS256","typ":"JWT"}' "$(pl other)")
refused "$(cookie "$T" "$TICKET")" 401 "another issuer, validly signed, with alice's ticket"
# signed with another key: the token, and its ticket under that key's ticket key
other="$TMP/other.secret"
(umask 077 && "$PY" -c 'import secrets; print(secrets.token_urlsafe(32))' >"$other")
T=$("$TOKENTOOL" -l 7200 -g "$(gen alice)" issue "$other" gatekeep alice)
refused "$(cookie "$T" "$("$PY" "$JWT" ticket "$other" "$T" alice "$exp")")" 401 "token and ticket under another key"
# the ticket: expired, of another user's token, tampered, respelled, the token itself
refused "$(cookie "$TOK" "$(ticket_for "$TOK" alice $((now_s - 1)))")" 200 "expired ticket"
BOBTOK=$("$TOKENTOOL" -l 7200 -g "$(gen bob)" issue "$GK/secret" gatekeep bob)
BOBTICKET=$(ticket_for "$BOBTOK" bob)
refused "$(cookie "$TOK" "$BOBTICKET")" 200 "alice's cookie with bob's ticket"
refused "$(cookie "$BOBTOK" "$TICKET")" 200 "bob's cookie with alice's ticket"
BADT=${TICKET%?}; case "${TICKET: -1}" in A) BADT="${BADT}Q" ;; *) BADT="${BADT}A" ;; esac
refused "$(cookie "$TOK" "$BADT")" 200 "tampered ticket"
refused "$(cookie "$TOK" "${TICKET%%.*}x.${TICKET#*.}")" 200 "ticket payload altered"
refused "$(cookie "$TOK" "$TOK")" 200 "the session token itself as the ticket"
refused "$(cookie "$TOK" "$TICKET.x")" 200 "ticket with a third segment"
# the cookie twice (gatekeep-authz refuses a repeated name too)
refused "gatekeep_session=$TOK; $(cookie "$TOK" "$TICKET")" 401 "session cookie twice"
refused "$(cookie "$TOK" "$TICKET"); gatekeep_session_ticket=$TICKET" 200 "ticket cookie twice"
refused "gatekeep_session=\"$TOK\"; gatekeep_session_ticket=$TICKET" 200 "quoted session cookie"
# ... and in a second Cookie header (njs must see both, as gatekeep-authz does)
n0=$(calls)
req -H "Cookie: $(cookie "$TOK" "$TICKET")" -H "Cookie: gatekeep_session=$BOBTOK" "$BASE/private/"
like "$CODE/$(calls)" "^40[13]/$((n0 + 1))\$" "a second Cookie header with another session cookie -> refused, by gatekeep-authz"

# --- 3b. a secret rotation: nginx's old key passes nothing until it is reloaded ----------
"$GK_PASSWD" --rotate-secret "$GK/users.db" >>"$LOG/passwd.out" 2>&1 || bail "rotate"
NTOK=$("$TOKENTOOL" -l 7200 -g "$(gen alice)" issue "$GK/secret" gatekeep alice)
req -H "Cookie: gatekeep_session=$NTOK" "$BASE/private/"
NTICKET=$(hdr Set-Cookie | sed -n 's/^gatekeep_session_ticket=\([^;]*\);.*/\1/p')
n0=$(calls)
req -H "Cookie: $(cookie "$NTOK" "$NTICKET")" "$BASE/private/"
is "$CODE/$(calls)" "200/$((n0 + 1))" "after a rotation, a new key's ticket: nginx's old key refuses it, gatekeep-authz allows"
OLDKT=$("$PY" "$JWT" ticket "$GK/secret.prev" "$TOK" alice $(( $(now) + 60 )) users)
n0=$(calls)
req -H "Cookie: $(cookie "$TOK" "$OLDKT")" "$BASE/private/"
is "$CODE/$(calls)" "200/$n0" "... while an old key's ticket still passes nginx alone (hence: reload after a rotation)"
zh_key_write
gk_nginx_reload
for _ in $(seq 1 50); do   # the old workers leave once idle
	n0=$(calls)
	req -H "Cookie: $(cookie "$NTOK" "$NTICKET")" "$BASE/private/"
	[ "$CODE/$(calls)" = "200/$n0" ] && break
	sleep 0.1
done
is "$CODE/$(calls)" "200/$n0" "... nginx reloaded with the new key include: zero hop again"
n0=$(calls)
req -H "Cookie: $(cookie "$TOK" "$OLDKT")" "$BASE/private/"
is "$(calls)" $((n0 + 1)) "... and the old key's ticket goes to gatekeep-authz"
TOK=$NTOK

# --- 4. revocation and disabling take effect within zero_hop_ticket_ttl ----------------
# Deterministic: the ticket's Max-Age is at most zero_hop_ticket_ttl (checked in 1.), and
# once its exp has passed the revoked or disabled user is refused. A short TTL here (the
# wait for the exp is the test's longest), so erin's ticket is fetched again should the
# machine be too slow to use it in time.
TTL=3
gk_stop authz
zh_conf "$TTL"
gk_start_authz unix
fresh() {  # fresh TOKEN: a ticket from gatekeep-authz for TOKEN, its exp in $EXP
	req -H "Cookie: gatekeep_session=$1" "$BASE/private/"
	FRESH=$(hdr Set-Cookie | sed -n 's/^gatekeep_session_ticket=\([^;]*\);.*/\1/p')
	EXP=$(printf '%s' "${FRESH%%.*}" | tr -- '-_' '+/' | base64 -d 2>/dev/null | sed -n 's/.*"exp":\([0-9]*\).*/\1/p')
}
ETOK=$("$TOKENTOOL" -l 7200 -g "$(gen erin)" issue "$GK/secret" gatekeep erin)
fresh "$TOK"; TICKET=$FRESH; AEXP=$EXP
for _ in 1 2 3; do
	fresh "$ETOK"; ETICKET=$FRESH; EEXP=$EXP
	n0=$(calls)
	req -H "Cookie: $(cookie "$ETOK" "$ETICKET")" "$BASE/private/"
	[ "$(now)" -lt "$EEXP" ] && break
done
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
zh_conf "$TTL" rules
gk_start_authz unix
BTOK=$("$TOKENTOOL" -l 7200 -g "$(gen bob)" issue "$GK/secret" gatekeep bob)
req -H "Cookie: gatekeep_session=$BTOK" "$BASE/private/"
is "$CODE/$(hdr Set-Cookie)" "200/" "with rule lines in gatekeep.conf: no ticket"
gk_alive nginx
ok $? "nginx is still running"
gk_alive authz
ok $? "gatekeep-authz is still running"
done_testing
