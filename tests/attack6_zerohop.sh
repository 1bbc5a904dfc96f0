#!/bin/bash
# tests/attack6_zerohop.sh: more of what gatekeep-authz refuses whoever asks, which the njs
# zero hop passed beside a valid session cookie and its ticket (njs must never be laxer
# than gatekeep-authz): the cookies in two Cookie header lines (nginx 1.22 hands
# gatekeep-authz two HTTP_COOKIE: bad-cookie-header), a method override it cannot read
# (X-HTTP-Method-Override "DE LETE", also spelled with '_' where the site takes such
# names, "?_method=a%20b": bad-method) and more header lines
# than its FastCGI parameter bound (oversized-params).
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"

. "$top_srcdir/tests/servers/zerohop.sh"

gk_start_zerohop 60 alice
SESSION="Cookie: gatekeep_session=$TOK"
BOTH="Cookie: gatekeep_session=$TOK; gatekeep_session_ticket=$TICKET"
n0=$(calls)
req -H "$BOTH" -H "X-Method: a b" "$BASE/private/?a_method=1&method=a%20b&q=%41"
is "$CODE/$(calls)" "200/$n0" "the usual request with a query and a header like an override: zero hop"

# same DESCRIPTION CURL-ARGS...: gatekeep-authz's answer to the request with the session
# cookie alone, then the zero hop's ($ZH) to the same request with the ticket (@C@: the Cookie line with
# the session cookie, then with both; @T@: a junk cookie, then the ticket): it may pass
# the second only where gatekeep-authz allows the first.
same() {
	local d=$1 authz n0 a
	shift
	a=("${@//@C@/$SESSION}")
	a=("${a[@]//@T@/x=1}")
	req "${a[@]}"
	authz=$CODE
	a=("${@//@C@/$BOTH}")
	a=("${a[@]//@T@/gatekeep_session_ticket=$TICKET}")
	n0=$(calls)
	req "${a[@]}"
	if [ "$CODE" = 200 ] && [ "$(calls)" = "$n0" ]; then
		is "zero hop" "gatekeep-authz: $authz" "$d: $ZH passes only what gatekeep-authz allows"
	else
		is "$CODE" "$authz" "$d: the answer is gatekeep-authz's"
	fi
}
same "the cookies in two Cookie lines" -H "$SESSION" -H "Cookie: @T@" "$BASE/private/"
same "the cookies in two Cookie lines, the other way round" -H "@C@" -H "Cookie: x=1" "$BASE/private/"
same "an unreadable X-HTTP-Method-Override" -H "@C@" -H "X-HTTP-Method-Override: DE LETE" "$BASE/private/"
same "an empty X-HTTP-Method element" -H "@C@" -H "X-HTTP-Method: PUT," "$BASE/private/"
same "an unreadable x-method-override (case)" -H "@C@" -H "x-method-override: a b" "$BASE/private/"
same "an unreadable _method in the query" -H "@C@" "$BASE/private/?_method=a%20b"
same "an unreadable encoded %5Fmethod" -H "@C@" "$BASE/private/?x=1;%5FMETHOD=a%2Cb"
many=()
for i in $(seq 1 600); do many+=(-H "X-A$i: b"); done
n0=$(calls)
req -H "$BOTH" "${many[@]:0:200}" "$BASE/private/"
is "$CODE/$(calls)" "200/$n0" "100 more header lines (nginx keeps them in several parts): still the zero hop"
same "600 header lines" -H "@C@" "${many[@]}" "$BASE/private/"
# a site with underscores_in_headers on hands X_HTTP_Method_Override to gatekeep-authz as
# HTTP_X_HTTP_METHOD_OVERRIDE, the dashed name's variable
sed -i "s|listen 127.0.0.1:$PORT;|& underscores_in_headers on;|" "$RUN/nginx/site.conf"
gk_nginx_reload
for _ in $(seq 1 50); do    # the new worker has the setting once the header reaches gatekeep-authz
	req -H "$SESSION" -H "X_HTTP_Method_Override: DE LETE" "$BASE/private/"
	[ "$CODE" != 200 ] && break
	sleep 0.1
done
ok "$([ "$CODE" != 200 ]; echo $?)" "with underscores_in_headers on, gatekeep-authz refuses X_HTTP_Method_Override: DE LETE ($CODE)"
same "an unreadable X_HTTP_Method_Override (underscores_in_headers on)" -H "@C@" -H "X_HTTP_Method_Override: DE LETE" "$BASE/private/"
same "an unreadable x_method-override (underscores_in_headers on)" -H "@C@" -H "x_method-override: a b" "$BASE/private/"
gk_alive nginx
ok $? "nginx is still running"
done_testing
