# tests/servers/appcookie.sh: what reaches the app behind a shipped site of gatekeep's own
# credentials: none of its cookies (session, zero-hop ticket, the sign-in page's) in any
# position or spelling a client sends, every other cookie byte for byte and in order; no
# Basic pair gatekeep checked, but an app's own credentials on a bypassed path. Sourced
# after harness.sh and login-flow.sh; the app is app.cgi (HTTP_COOKIE, HTTP_AUTHORIZATION).

# gk_check_app_cookie S [JOINED]: the checks through $BASE. JOINED is what the app gets
# of the Cookie lines "app=1", "gatekeep_session=s1" and "b=2; gatekeep_session_ticket=t"
# (nginx joins them into one with "; "); "-" skips that check.
gk_check_app_cookie() {
	local S="$1" joined="${2-app=1; b=2}" G=gatekeep_session c sess
	# the spellings on a bypassed path, which the app gets whatever the cookies say
	acreq() { req "$@" "$BASE/public/x"; }
	acreq -H "Cookie: app=1; $G=s1; other=x=y"
	is "$CODE/$(appvar HTTP_COOKIE)" "200/app=1; other=x=y" "$S: gatekeep's session cookie in the middle never reaches the app, the others do"
	acreq -H "Cookie: $G=s1;app=1;  other=2"
	is "$(appvar HTTP_COOKIE)" "app=1;  other=2" "$S: ... first, without a space after ';' (the rest byte for byte)"
	acreq -H "Cookie: app=1;$G=s1"
	is "$(appvar HTTP_COOKIE)" "app=1" "$S: ... last"
	acreq -H "Cookie: $G=s1"
	is "$CODE/$(appvar HTTP_COOKIE)" "200/" "$S: ... alone: the app gets no cookie"
	acreq -H "Cookie: $G =s1;app=1; $G	= s2"
	is "$(appvar HTTP_COOKIE)" "app=1" "$S: ... with blanks around '=' (gatekeep-authz reads those too)"
	acreq -H "Cookie: $G=s1; app=1; $G=s2"
	is "$(appvar HTTP_COOKIE)" "app=1" "$S: ... twice"
	acreq -H "Cookie: ${G}_ticket=t; app=1; ${G}_csrf=c; __Host-${G}_oidc=o; z=9"
	is "$(appvar HTTP_COOKIE)" "app=1; z=9" "$S: ... nor its zero-hop ticket and the sign-in page's cookies"
	c="Gatekeep_session=k; x$G=1; ${G}x=2; ${G}_other=3; app=\"q r\""
	acreq -H "Cookie: $c"
	is "$(appvar HTTP_COOKIE)" "$c" "$S: other names (case-sensitive) reach the app as sent"
	if [ "$joined" != - ]; then
		acreq -H "Cookie: app=1" -H "Cookie: $G=s1" -H "Cookie: b=2; ${G}_ticket=t"
		is "$(appvar HTTP_COOKIE)" "$joined" "$S: ... nor from one of several Cookie lines"
	fi
	acreq -H "Cookie: $G=1; $G=2; $G=3; $G=4; $G=5; app=1"
	is "$CODE" 200 "$S: five session cookies: the app still runs"
	unlike "$(appvar HTTP_COOKIE)" "(^|;) *$G=" "$S: ... and gets none of them"
	req -u alice:alice-pw -H 'Cookie: app=1;z=9' "$BASE/private/"
	is "$CODE/$(appvar HTTP_COOKIE)" "200/app=1;z=9" "$S: with Basic, an app's cookies reach it as sent"
	is "$(appvar HTTP_AUTHORIZATION)" "" "$S: ... but not the Basic pair gatekeep checked (the user's password)"
	req -H 'Authorization: Basic YXBwOmFwcC1wdw==' -H "Cookie: app=1; $G=s1" "$BASE/public/x"
	is "$CODE/$(appvar HTTP_AUTHORIZATION)" "200/Basic YXBwOmFwcC1wdw==" "$S: an app's own Basic pair on a bypassed path reaches it"
}

# gk_check_app_cookie_session S: signed in (login-flow.sh's world, $A1): gatekeep-authz
# decides from the session cookie and gatekeep-login reads it; the app never gets it.
gk_check_app_cookie_session() {
	local S="$1" G=gatekeep_session sess
	sess=$(gk_mint_session alice alice-pw)
	[ -n "$sess" ] || bail "$S: no session minted (see $LOG/mint.out)"
	nreq -H "Cookie: app=1; $G=$sess; z=9" "$A1/private/"
	is "$CODE/$(appvar HTTP_COOKIE)" "200/app=1; z=9" "$S: signed in with the session cookie: the app gets the other cookies only"
	nreq -H "Cookie: app=1; $G=$sess; z=9" "$A1/gatekeep/whoami"
	is "$CODE" 200 "$S: ... while the sign-in page's location still gets it (whoami)"
	like "$BODY" '"user": *"alice"' "$S: ... and names the user"
}

# gk_check_app_cookie_zerohop S: a zero-hop site (servers/zerohop.sh, $TOK and $TICKET of a
# session): neither the location njs or the module vouched for nor the one gatekeep-authz
# checked passes gatekeep's cookies or a Basic pair to the app.
gk_check_app_cookie_zerohop() {
	local S="$1" G=gatekeep_session n0
	n0=$(calls)
	req -u alice:alice-pw -H "Cookie: app=1; $G=$TOK;${G}_ticket=$TICKET; z=9" "$BASE/private/"
	is "$CODE/$(appvar HTTP_COOKIE)" "200/app=1; z=9" "$S: zero hop (session and ticket): the app gets the other cookies only"
	is "$(appvar HTTP_AUTHORIZATION)" "" "$S: ... and no Basic pair"
	is "$(calls)" "$n0" "$S: ... (gatekeep-authz was not asked)"
	req -u alice:alice-pw -H "Cookie: app=1; $G=$TOK; z=9" "$BASE/private/"
	is "$CODE/$(appvar HTTP_COOKIE)" "200/app=1; z=9" "$S: without the ticket (gatekeep-authz asked): the other cookies only"
	is "$(appvar HTTP_AUTHORIZATION)" "" "$S: ... and no Basic pair"
	is "$(calls)" "$((n0 + 1))" "$S: ... (gatekeep-authz was asked)"
}

# gk_check_app_cookie_nologin S: without a sign-in page the app serves /gatekeep/ too, and
# gets no gatekeep cookie there either (an app could have a browser fetch such a URL).
gk_check_app_cookie_nologin() {
	local S="$1" G=gatekeep_session
	req -u alice:alice-pw -H "Cookie: app=1; ${G}_ticket=t" "$BASE/gatekeep/x"
	is "$CODE/$(appvar HTTP_COOKIE)" "200/app=1" "$S: no sign-in page: the app's /gatekeep/x gets no gatekeep cookie either"
	is "$(appvar HTTP_AUTHORIZATION)" "" "$S: ... nor the Basic pair"
}
