#!/bin/bash
# tests/ngxmod_cases.sh: what only the native nginx zero-hop module has: nginx refuses to
# start with gatekeep_zero_hop but no (or a bad) gatekeep_ticket_key; a payload the MAC
# vouches for is still checked before it becomes a header (JSON object, one of each
# member, printable sub/grp/email, integer exp); two Cookie headers and an oversized one
# go to gatekeep-authz; under valgrind (master_process off) nginx reports no error, also
# when a pair comes again (the worker's memory of verified pairs).
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"

TOKENTOOL="$top_builddir/tests/tokentool"
JWT="$top_srcdir/tests/evcore2/jwt.py"
GK_ZEROHOP=module
. "$top_srcdir/tests/servers/zerohop.sh"

gk_start_zerohop 60

# --- nginx -t: the directives refuse what cannot work -----------------------------------
KEY=$(sed -n 's/^gatekeep_ticket_key \([0-9a-f]*\);$/\1/p' "$RUN/nginx/ticket-key.conf")
is "${#KEY}" 64 "the key include holds 64 hex digits"
conf_t() {  # conf_t HTTP-LINES: nginx -t's exit status and first error line
	{ echo "load_module $GK_NGXMOD_SO; events {} error_log $LOG/t.err;"
	  echo "http { $1 server { listen 127.0.0.1:$PORT; location / { gatekeep_zero_hop @c; }"
	  echo "location @c { return 204; } } }"; } >"$TMP/t.conf"
	nginx -t -q -p "$TMP" -c "$TMP/t.conf" 2>"$TMP/t.out"
	echo "$?:$(sed -n 's/.*\[emerg\] //p' "$TMP/t.out" | head -1)"
}
like "$(conf_t "")" '^1:.*gatekeep_zero_hop needs gatekeep_ticket_key' "gatekeep_zero_hop without a key: nginx -t fails"
like "$(conf_t "gatekeep_ticket_key ${KEY%?};")" '^1:.*64 hex digits' "... a key of 63 hex digits: fails"
like "$(conf_t "gatekeep_ticket_key ${KEY%?}g;")" '^1:.*64 hex digits' "... a key with a non-hex digit: fails"
like "$(conf_t "gatekeep_ticket_key ${KEY}00;")" '^1:.*64 hex digits' "... a key of 66 hex digits: fails"
is "$(conf_t "gatekeep_ticket_key $KEY;")" "0:" "... with the key: accepted"
sed -i 's/gatekeep_zero_hop @c;/gatekeep_zero_hop c;/' "$TMP/t.conf"
nginx -t -q -p "$TMP" -c "$TMP/t.conf" 2>/dev/null
is "$?" 1 "gatekeep_zero_hop with no named location: fails"

# --- payloads the MAC vouches for, checked all the same ---------------------------------
TOK=$("$TOKENTOOL" -l 7200 -g "$(gen alice)" issue "$GK/secret" gatekeep alice) || bail "tokentool"
exp=$(( $(date +%s) + 60 ))
hop() {  # hop COOKIE-HEADER...: WHO="zero hop CODE" or "authz CODE" (who decided)
	local n0 a=()
	for h in "$@"; do a+=(-H "Cookie: $h"); done
	n0=$(calls)
	req "${a[@]}" "$BASE/private/"
	if [ "$(calls)" = "$n0" ]; then WHO="zero hop $CODE"; else WHO="authz $CODE"; fi
}
raw() { hop "gatekeep_session=$TOK; gatekeep_session_ticket=$("$PY" "$JWT" rawticket "$GK/secret" "$TOK" "$1")"; }
raw "{\"sub\":\"alice\",\"exp\":$exp}"
is "$WHO" "zero hop 200" "a signed payload with sub and exp: zero hop"
is "$(appvar HTTP_REMOTE_USER)/$(appvar HTTP_REMOTE_GROUPS)" "alice/" "... Remote-User from it, no Remote-Groups"
raw "{\"sub\":\"alice\",\"grp\":\"a,b\",\"email\":\"a@x.example\",\"exp\":$exp}"
is "$WHO" "zero hop 200" "sub, grp, email: zero hop"
is "$(appvar HTTP_REMOTE_GROUPS)/$(appvar HTTP_REMOTE_EMAIL)" "a,b/a@x.example" "... Remote-Groups and Remote-Email from it"
for p in "{\"sub\":\"alice\",\"exp\":\"$exp\"}" "{\"sub\":\"alice\",\"exp\":$exp.5}" \
	"{\"sub\":\"alice\"}" "{\"sub\":\"alice\",\"exp\":0}" "{\"sub\":\"\",\"exp\":$exp}" \
	"{\"sub\":\"alice\",\"sub\":\"bob\",\"exp\":$exp}" "{\"sub\":\"al\\u0001ice\",\"exp\":$exp}" \
	"{\"sub\":\"al\\u0000ice\",\"exp\":$exp}" "{\"sub\":\"al\\u00e9ice\",\"exp\":$exp}" \
	"{\"sub\":\"alice\",\"grp\":5,\"exp\":$exp}" "{\"sub\":\"alice\",\"email\":\"a\\nb\",\"exp\":$exp}" \
	"[\"alice\",$exp]" "not json" "{\"sub\":\"alice\",\"exp\":$exp} x"; do
	raw "$p"
	is "$WHO" "authz 200" "signed but not vouched for: $p"
done
raw "{\"sub\":\"$(printf 'u%.0s' $(seq 1 129))\",\"exp\":$exp}"
is "$WHO" "authz 200" "signed, a sub over 128 bytes: not vouched for"

# --- the Cookie header(s) ---------------------------------------------------------------
req -H "Cookie: gatekeep_session=$TOK" "$BASE/private/"
TICKET=$(hdr Set-Cookie | sed -n 's/^gatekeep_session_ticket=\([^;]*\);.*/\1/p')
hop "gatekeep_session=$TOK; gatekeep_session_ticket=$TICKET"
is "$WHO" "zero hop 200" "a fresh ticket: zero hop"
hop "gatekeep_session=$TOK" "gatekeep_session_ticket=$TICKET"
like "$WHO" "^authz 40[13]$" "the two in two Cookie headers: gatekeep-authz decides (and refuses two)"
hop "gatekeep_session=$TOK; gatekeep_session_ticket=$TICKET" "x=1"
like "$WHO" "^authz 40[13]$" "a second Cookie header of other cookies: gatekeep-authz decides (and refuses two)"
hop " gatekeep_session = $TOK ;gatekeep_session_ticket=$TICKET "
is "$WHO" "zero hop 200" "spaces around names and values (lib/cookie.c trims them): zero hop"
hop "gatekeep_session=$TOK; gatekeep_session_ticket=\"$TICKET\""
is "$WHO" "authz 200" "a quoted ticket: gatekeep-authz decides"
hop "gatekeep_session=$TOK; gatekeep_session_ticket=$TICKET; gatekeep_session_ticket="
is "$WHO" "authz 200" "an empty second ticket cookie: gatekeep-authz decides"
pad=$(head -c 8200 /dev/zero | tr '\0' a)
hop "p=$pad; gatekeep_session=$TOK; gatekeep_session_ticket=$TICKET"
like "$WHO" '^(authz|zero hop) 4[0-9][0-9]$' \
	"a Cookie header over 8 KiB: refused (nginx's own limit), never a zero hop"
gk_alive nginx
ok $? "nginx is still running"
gk_stop nginx

# --- valgrind: one nginx process (master_process off), a few requests each way ----------
if command -v valgrind >/dev/null; then
	sed -i 's/^worker_processes 1;/master_process off; daemon off;/' "$RUN/nginx/nginx.conf"
	gk_bg nginx valgrind -q --error-exitcode=99 --log-file="$LOG/valgrind.out" \
		nginx -p "$RUN/nginx" -c "$RUN/nginx/nginx.conf"
	gk_up nginx "$PORT" nginx nginx
	hop "gatekeep_session=$TOK; gatekeep_session_ticket=$TICKET"
	is "$WHO" "zero hop 200" "under valgrind: zero hop"
	hop "gatekeep_session=$TOK; gatekeep_session_ticket=$TICKET"
	is "$WHO/$(appvar HTTP_REMOTE_USER)" "zero hop 200/alice" "under valgrind: again, from the worker's memory of the pair"
	raw "{\"sub\":\"alice\",\"sub\":\"bob\",\"exp\":$exp}"
	is "$WHO" "authz 200" "under valgrind: a bad payload to gatekeep-authz"
	BADT=${TICKET%?}; case "${TICKET: -1}" in A) BADT="${BADT}Q" ;; *) BADT="${BADT}A" ;; esac
	hop "gatekeep_session=$TOK; gatekeep_session_ticket=$BADT"
	is "$WHO" "authz 200" "under valgrind: a bad MAC to gatekeep-authz"
	gk_stop nginx
	is "$(grep -c '==[0-9]*== [A-Z]' "$LOG/valgrind.out")" 0 "valgrind reports no error in nginx with the module"
fi
done_testing
