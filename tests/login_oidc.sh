#!/bin/bash
# tests/login_oidc.sh: OpenID Connect / OAuth2 sign-in on gatekeep-login against a REAL provider
# (npm oidc-provider, installed by scripts/install-deps into tests/oidc/node_modules) and a GitHub
# stand-in, all on 127.0.0.1: nginx -> gatekeep-login (two instances) + gatekeep-authz. Happy path
# to a session cookie that gatekeep-authz accepts, then every refusal: wrong state, wrong nonce,
# no flow cookie, replay, unverified e-mail, foreign domain, local user clash, damaged ID tokens
# (flipped bytes, alg none, HS256 with the client secret, a foreign key), bad token answers, the
# provider down; config errors at start-up.
. "${top_srcdir:-.}/tests/lib.sh"

PY=/usr/bin/python3
NODE=/usr/bin/node
OIDC="$top_srcdir/tests/oidc"
for p in "$GK_AUTHZ" "$GK_LOGIN" "$GK_PASSWD"; do [ -x "$p" ] || bail "$p not built"; done
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || bail "nginx missing: scripts/install-deps test"
[ -x "$NODE" ] || bail "$NODE missing: scripts/install-deps test (nodejs npm)"
# The provider comes from tests/oidc/node_modules (npm ci at install time). A tree without it
# (make distcheck unpacks a fresh one) installs the locked packages from npm's cache, offline.
PROV="$OIDC"
if [ ! -d "$OIDC/node_modules/oidc-provider" ]; then
	PROV="$TMP/oidc"
	mkdir -p "$PROV"
	cp "$OIDC/package.json" "$OIDC/package-lock.json" "$OIDC/provider.mjs" "$PROV/"
	( cd "$PROV" && timeout 120 npm ci --offline --omit=dev --no-audit --no-fund ) > "$TMP/npm.log" 2>&1 ||
		bail "tests/oidc/node_modules missing and npm's cache cannot supply it: run" \
			"npm ci --prefix tests/oidc --omit=dev --no-audit --no-fund (scripts/install-deps test)"
	diag "oidc-provider installed offline from npm's cache into $PROV"
fi
$PY -c 'import jwt, cryptography' 2>/dev/null || bail "python3-jwt/python3-cryptography missing"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
LOGIN_CGI="$top_builddir/cgi-bin/login.cgi"

# Five distinct free ports: nginx, oidc-provider, token proxy, GitHub stand-in, our fake provider.
ports=()
while [ "${#ports[@]}" -lt 5 ]; do
	p=$(free_port)
	case " ${ports[*]} " in *" $p "*) ;; *) ports+=("$p") ;; esac
done
NGX=${ports[0]} OP=${ports[1]} PX=${ports[2]} GH=${ports[3]} FO=${ports[4]}
mkdir -p "$TMP/state" "$TMP/nginx/logs" "$TMP/www"
cat > "$TMP/www/app.html" <<'EOF'
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>App</title></head>
<body><h1 id="greeting">Hello, <!--# echo var="gk_name" default="nobody" --></h1>
<p>user=<!--# echo var="gk_user" default="" --> on <!--# echo var="host" --></p></body></html>
EOF
printf 'test-client-secret\n' > "$TMP/client_secret"
chmod 600 "$TMP/client_secret"
echo pass > "$TMP/mode"
echo good > "$TMP/fakemode"

base_conf() {
	cat <<EOF
database = $TMP/users.db
secret_file = $TMP/secret
state_dir = $TMP/state
log_target = stderr
log_level = info
login_url = /gatekeep/login
cookie_secure = false
default_redirect = /protected/
realm = gatekeep OIDC test
oidc_client_secret_file = $TMP/client_secret
$GK_RUN_LINES
EOF
}
{ base_conf; cat <<EOF
oidc_provider = oidc
oidc_issuer = http://127.0.0.1:$OP
oidc_client_id = gatekeep
oidc_redirect_uri = http://127.0.0.1:$NGX/gatekeep/callback
oidc_token_endpoint = http://127.0.0.1:$PX/token
oidc_authorized_domains = example.com
oidc_groups_claim = groups
oidc_button_label = Sign in with Test OP
EOF
} > "$TMP/gk.conf"
{ base_conf; cat <<EOF
oidc_provider = github
oidc_client_id = gh-client
oidc_redirect_uri = http://127.0.0.1:$NGX/gh/callback
oidc_authorization_endpoint = http://127.0.0.1:$GH/login/oauth/authorize
oidc_token_endpoint = http://127.0.0.1:$GH/login/oauth/access_token
oidc_userinfo_endpoint = http://127.0.0.1:$GH/user
oidc_authorized_domains = example.com
oidc_username_claim = preferred_username
EOF
} > "$TMP/gh.conf"

{ base_conf; cat <<EOF
oidc_provider = oidc
oidc_issuer = http://127.0.0.1:$FO
oidc_client_id = fake-client
oidc_redirect_uri = http://127.0.0.1:$NGX/fake/callback
oidc_authorized_users = alice@example.com, dave@example.com, erin@example.com
EOF
} > "$TMP/fake.conf"

"$GK_PASSWD" --init "$TMP/users.db" >/dev/null 2>&1 || bail "gatekeep-passwd --init"
# A local password user whose name an OIDC account would map to: never taken over.
"$GK_PASSWD" -b "$TMP/users.db" bob@example.com 'local password' >/dev/null 2>&1 || bail "add bob"

# ---- configuration errors are start-up errors ----
gk_give_nobody "$TMP"   # as root, --check-config checks as run_user (lib/login_check)
check_conf() {  # check_conf DESCRIPTION REGEX key=value...
	local desc=$1 re=$2 out keys="" a
	shift 2
	for a in "$@"; do keys="$keys|${a%% *}"; done
	{ grep -v -E "^(${keys#|}) " "$TMP/gk.conf"; printf '%s\n' "$@"; } > "$TMP/bad.conf"
	out=$("$GK_LOGIN" -c "$TMP/bad.conf" --check-config 2>&1)
	[ $? -ne 0 ]; ok $? "config refused: $desc"
	like "$out" "$re" "... with a message naming it"
}
check_conf "plain http issuer off loopback" "oidc_issuer: must be https" "oidc_issuer = http://idp.example.com"
check_conf "redirect URI not ending in /callback" "oidc_redirect_uri: the path must end in /callback" \
	"oidc_redirect_uri = https://auth.example.com/gatekeep/login"
check_conf "nobody authorized" "neither oidc_authorized_domains nor oidc_authorized_users" \
	"oidc_authorized_domains = "
check_conf "scopes without openid" "oidc_scopes: must include openid" "oidc_scopes = email profile"
check_conf "no client id" "oidc_client_id: required" "oidc_client_id = "
check_conf "bad username claim" "oidc_username_claim" "oidc_username_claim = sub"
check_conf "unknown provider" "oidc_provider" "oidc_provider = facebook"
check_conf "endpoint with user:password@" "no user:password@" \
	"oidc_token_endpoint = https://u:p@idp.example.com/token"
check_conf "GitHub with a groups claim" "GitHub has no groups claim" "oidc_provider = github" "oidc_issuer = "
chmod 644 "$TMP/client_secret"
check_conf "world-readable client secret file" "readable by others" "log_level = info"
chmod 600 "$TMP/client_secret"
out=$("$GK_LOGIN" -c "$TMP/gk.conf" --check-config 2>&1); ok $? "the test configuration is accepted ($out)"

# ---- servers ----
( cd "$PROV" && exec "$NODE" provider.mjs "$OP" "http://127.0.0.1:$NGX/gatekeep/callback" ) \
	> "$TMP/op.log" 2>&1 &
oppid=$!
at_exit "kill $oppid"
"$PY" "$OIDC/servers.py" proxy "$PX" "http://127.0.0.1:$OP/token" "$TMP/mode" > "$TMP/px.log" 2>&1 &
pxpid=$!
at_exit "kill $pxpid"
"$PY" "$OIDC/servers.py" github "$GH" gh-client test-client-secret > "$TMP/gh.log" 2>&1 &
ghpid=$!
at_exit "kill $ghpid"
"$PY" "$OIDC/servers.py" fakeop "$FO" fake-client test-client-secret "$TMP/fakemode" > "$TMP/fo.log" 2>&1 &
fopid=$!
at_exit "kill $fopid"
gk_give_nobody "$TMP"
"$GK_AUTHZ" -c "$TMP/gk.conf" --listen "unix:$TMP/authz.sock" --socket-mode 0660 --workers 1 \
	> "$TMP/authz.log" 2>&1 &
apid=$!
at_exit "kill $apid"
"$GK_LOGIN" -c "$TMP/gk.conf" --listen "unix:$TMP/login.sock" --socket-mode 0660 \
	> "$TMP/login.log" 2>&1 &
lpid=$!
at_exit "kill $lpid"
"$GK_LOGIN" -c "$TMP/gh.conf" --listen "unix:$TMP/login-gh.sock" --socket-mode 0660 \
	> "$TMP/login-gh.log" 2>&1 &
gpid=$!
at_exit "kill $gpid"
"$GK_LOGIN" -c "$TMP/fake.conf" --listen "unix:$TMP/login-fake.sock" --socket-mode 0660 \
	> "$TMP/login-fake.log" 2>&1 &
fpid=$!
at_exit "kill $fpid"
for i in $(seq 50); do
	[ -S "$TMP/authz.sock" ] && [ -S "$TMP/login.sock" ] && [ -S "$TMP/login-gh.sock" ] &&
		[ -S "$TMP/login-fake.sock" ] && break
	sleep 0.1
done
[ -S "$TMP/login.sock" ] || bail "gatekeep-login did not start: $(cat "$TMP/login.log")"
[ -S "$TMP/login-gh.sock" ] || bail "gatekeep-login (github) did not start: $(cat "$TMP/login-gh.log")"
[ -S "$TMP/login-fake.sock" ] || bail "gatekeep-login (fake) did not start: $(cat "$TMP/login-fake.log")"
[ -S "$TMP/authz.sock" ] || bail "gatekeep-authz did not start: $(cat "$TMP/authz.log")"

user=""
[ "$(id -u)" = 0 ] && user="user root root;"
fcgi_params() {
	cat <<EOF
			fastcgi_param REQUEST_METHOD \$request_method;
			fastcgi_param REQUEST_URI \$request_uri;
			fastcgi_param QUERY_STRING \$query_string;
			fastcgi_param CONTENT_TYPE \$content_type;
			fastcgi_param CONTENT_LENGTH \$content_length;
			fastcgi_param SCRIPT_NAME \$fastcgi_script_name;
			fastcgi_param SERVER_NAME \$server_name;
			fastcgi_param SERVER_PORT \$server_port;
			fastcgi_param REQUEST_SCHEME \$scheme;
			fastcgi_param HTTP_HOST \$http_host;
			fastcgi_param REMOTE_ADDR \$remote_addr;
EOF
}
cat > "$TMP/nginx/nginx.conf" <<EOF
$user
worker_processes 1;
error_log $TMP/nginx/logs/error.log info;
pid $TMP/nginx/nginx.pid;
events { worker_connections 64; }
http {
	access_log $TMP/nginx/logs/access.log;
	client_body_temp_path $TMP/nginx/body;
	fastcgi_temp_path $TMP/nginx/fastcgi;
	proxy_temp_path $TMP/nginx/proxy;
	uwsgi_temp_path $TMP/nginx/uwsgi;
	scgi_temp_path $TMP/nginx/scgi;
	server {
		listen 127.0.0.1:$NGX;
		location /protected/ {
			auth_request /auth;
			auth_request_set \$gk_user \$upstream_http_remote_user;
			auth_request_set \$gk_name \$upstream_http_remote_name;
			auth_request_set \$gk_location \$upstream_http_location;
			error_page 401 = @login;
			root $TMP/www;
			ssi on;
			default_type text/html;
			try_files /app.html =404;
		}
		location = /auth {
			internal;
			fastcgi_pass unix:$TMP/authz.sock;
			fastcgi_pass_request_body off;
$(fcgi_params | sed 's/CONTENT_LENGTH .*/CONTENT_LENGTH "";/')
		}
		location @login {
			return 302 \$gk_location;
		}
		location /gatekeep/ {
			fastcgi_pass unix:$TMP/login.sock;
$(fcgi_params)
		}
		location /gh/ {
			fastcgi_pass unix:$TMP/login-gh.sock;
$(fcgi_params)
		}
		location /fake/ {
			fastcgi_pass unix:$TMP/login-fake.sock;
$(fcgi_params)
		}
	}
}
EOF
"$NGINX" -t -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" > "$TMP/nginx-t.log" 2>&1 ||
	bail "nginx -t: $(cat "$TMP/nginx-t.log")"
"$NGINX" -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" -g 'daemon off;' > "$TMP/nginx.out" 2>&1 &
npid=$!
at_exit "kill $npid"
wait_port "$NGX" || bail "nginx did not start: $(cat "$TMP/nginx.out" "$TMP/nginx/logs/error.log")"
wait_port "$OP" || bail "oidc-provider did not start: $(cat "$TMP/op.log")"
wait_port "$PX" || bail "token proxy did not start: $(cat "$TMP/px.log")"
wait_port "$GH" || bail "GitHub stand-in did not start: $(cat "$TMP/gh.log")"
wait_port "$FO" || bail "fake provider did not start: $(cat "$TMP/fo.log")"
diag "nginx :$NGX, oidc-provider :$OP, token proxy :$PX, GitHub stand-in :$GH"

BASE="http://127.0.0.1:$NGX"
if [ -n "$OIDC_TEST_PAUSE" ]; then echo "# paused: $TMP"; sleep "$OIDC_TEST_PAUSE"; fi
drive() { timeout 60 "$PY" "$OIDC/drive.py" "$BASE" "$@" 2>>"$TMP/drive.err"; }
# j JSON EXPR: a value from the driver's answer (Python expression over d).
j() { "$PY" -c 'import json,sys; d=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2" 2>/dev/null; }
logged() { grep -c -- "$1" "${2:-$TMP/login.log}"; }

# ---- the happy path ----
r=$(drive /gatekeep alice)
is "$(j "$r" 'd["button"]')" "Sign in with Test OP" "login page shows the provider button with its label"
is "$(j "$r" 'd["start_href"]')" "/gatekeep/oidc?rd=%2Fprotected%2F" "... linking to /oidc with rd"
is "$(j "$r" 'd["start_status"]')" "303" "start: 303 to the provider"
like "$(j "$r" 'd["start_cookie_attrs"]')" "Path=/gatekeep.*HttpOnly.*SameSite=Lax" \
	"start: flow cookie is HttpOnly, SameSite=Lax, on the login path"
is "$(j "$r" '" ".join(d["auth_params"])')" \
	"client_id code_challenge code_challenge_method nonce redirect_uri response_type scope state" \
	"authorization request: code flow with PKCE, state and nonce"
is "$(j "$r" 'd["auth_query"]["code_challenge_method"]')" "S256" "PKCE method S256"
is "$(j "$r" 'd["callback_status"]')" "303" "callback: 303 after a good sign-in"
is "$(j "$r" 'd["callback_location"]')" "/protected/" "... to rd, checked again"
is "$(j "$r" 'd["session"]')" "True" "... with the session cookie"
is "$(j "$r" 'd["protected_status"]')" "200" "gatekeep-authz accepts the session cookie"
is "$(j "$r" 'd["greeting"]')" "Hello, Alice Liddell" "... and passes the display name on"
is "$(j "$r" 'd["remote_user"]')" "alice@example.com" "user name = the verified e-mail, lower-cased"
is "$(j "$r" '",".join(d["whoami"]["groups"])')" "dev,ops" "groups from the claim (invalid and duplicate dropped)"
is "$(logged 'oidc: created external user alice@example.com')" 1 "log: external user created"
is "$(logged "dropped group claim value 'bad\\\\x20group'")" 1 "log: the invalid group is named"
is "$(logged 'allow user=alice@example.com method=oidc')" 1 "log: allow line with method=oidc"
show=$("$GK_PASSWD" --show=alice@example.com "$TMP/users.db" 2>&1)
like "$show" "external" "database: alice is an external (passwordless) user"

# Re-sync: an admin's change to groups is replaced by the provider's at the next sign-in.
"$GK_PASSWD" --groups=intruders "$TMP/users.db" alice@example.com >/dev/null 2>&1
r=$(drive /gatekeep alice --replay)
is "$(j "$r" '",".join(d["whoami"]["groups"])')" "dev,ops" "groups re-synced from the provider at sign-in"
is "$(logged 'oidc: updated external user alice@example.com')" 1 "log: external user updated"
is "$(j "$r" 'd["replay_status"]')" "400" "replayed callback refused (flow cookie is one-use)"
is "$(j "$r" 'len(d["replay_cookies"])')" "0" "... and sets no cookie"
is "$(logged 'reason=no-flow-cookie')" 1 "log: replay logged as no-flow-cookie"

r=$(drive /gatekeep carol)
is "$(j "$r" '",".join(d["whoami"]["groups"])')" "dev,qa" "a groups claim given as one string is split"

# ---- refusals: error page, one log line, no session ----
refused() {  # refused DESC STATUS REASON PREFIX ACCOUNT [drive options]
	local desc=$1 status=$2 reason=$3 before after r
	shift 3
	before=$(wc -l < "$TMP/login.log")
	r=$(drive "$@")
	after=$(wc -l < "$TMP/login.log")
	is "$(j "$r" 'd["callback_status"]')" "$status" "$desc: status $status"
	is "$(j "$r" 'd["session"]')" "False" "$desc: no session cookie"
	like "$(j "$r" 'd["callback_body"]')" "Sign-in with the identity provider failed" "$desc: generic error page"
	is "$(j "$r" 'd["whoami_status"]')" "401" "$desc: whoami says unauthenticated"
	is "$(tail -n +"$((before + 1))" "$TMP/login.log" | head -n "$((after - before))" | grep -c 'method=oidc')" 1 \
		"$desc: exactly one log line"
	is "$(tail -n +"$((before + 1))" "$TMP/login.log" | grep -c "method=oidc .*reason=$reason ")" 1 \
		"$desc: ... with reason=$reason"
}
refused "wrong state" 400 wrong-state /gatekeep alice --state AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
refused "wrong nonce" 401 wrong-nonce /gatekeep alice --nonce bm90LXRoZS1yaWdodC1ub25jZQ
refused "no flow cookie" 400 no-flow-cookie /gatekeep alice --drop-flow-cookie
refused "unverified e-mail" 401 email-unverified /gatekeep eve
refused "domain not authorized" 401 domain-not-authorized /gatekeep mallory
refused "local user of that name" 403 local-user-exists /gatekeep bob
show=$("$GK_PASSWD" -v -b "$TMP/users.db" bob@example.com 'local password' 2>&1); ok $? "the local user keeps its password"

tamper() {  # tamper MODE STATUS REASON
	echo "$1" > "$TMP/mode"
	refused "token $1" "$2" "$3" /gatekeep alice
}
tamper flip-sig 401 id-token-signature
tamper flip-payload 401 id-token-signature
tamper foreign-key 401 id-token-signature
tamper alg-none 401 id-token-alg
tamper hs256 401 id-token-alg
tamper no-id-token 401 id-token-malformed
tamper garbage 502 token-response
tamper huge 502 provider-unreachable
tamper status-500 502 provider-unreachable
echo pass > "$TMP/mode"
r=$(drive /gatekeep alice)
is "$(j "$r" 'd["protected_status"]')" "200" "a clean token works again after the tampering"

# ---- GitHub (OAuth2 + user/e-mail API) ----
r=$(drive /gh octocat)
is "$(j "$r" 'd["button"]')" "Sign in with GitHub" "github: default button label"
is "$(j "$r" '"nonce" in d["auth_params"]')" "False" "github: no nonce (not OpenID)"
is "$(j "$r" 'd["auth_query"]["scope"]')" "read:user user:email" "github: default scopes"
is "$(j "$r" 'd["callback_status"]')" "303" "github: callback 303"
is "$(j "$r" 'd["protected_status"]')" "200" "github: gatekeep-authz accepts the session"
is "$(j "$r" 'd["remote_user"]')" "octocat" "github: user name = login (preferred_username)"
is "$(j "$r" 'd["whoami"]["email"]')" "octo@example.com" "github: the verified primary e-mail"
is "$(j "$r" 'd["greeting"]')" "Hello, The Octocat" "github: display name"
# A GitHub login name now belonging to someone with another verified e-mail: not their account.
"$GK_PASSWD" --email=old-owner@example.com "$TMP/users.db" octocat >/dev/null 2>&1
r=$(drive /gh octocat)
is "$(j "$r" 'd["callback_status"]') $(j "$r" 'd["session"]')" "403 False" \
	"github: an external user whose stored e-mail differs is not handed over"
is "$(logged 'reason=identity-mismatch' "$TMP/login-gh.log")" 1 "github: logged identity-mismatch"
r=$(drive /gh unverified)
is "$(j "$r" 'd["callback_status"]')" "401" "github: unverified primary e-mail refused"
is "$(logged 'reason=email-unverified' "$TMP/login-gh.log")" 1 "github: logged email-unverified"
r=$(drive /gh outsider)
is "$(j "$r" 'd["callback_status"]')" "401" "github: primary e-mail outside the domains refused"
is "$(logged 'reason=domain-not-authorized' "$TMP/login-gh.log")" 1 "github: logged domain-not-authorized"

# ---- ID token claims, from a provider of our own that signs whatever we ask ----
# (as dave: alice is bound to the first provider's subject, which this one cannot give)
fake() {  # fake MODE STATUS REASON|-  (REASON "-" = must succeed)
	local before r
	echo "$1" > "$TMP/fakemode"
	before=$(wc -l < "$TMP/login-fake.log")
	r=$(drive /fake dave)
	if [ "$3" = - ]; then
		is "$(j "$r" 'd["callback_status"]') $(j "$r" 'd["session"]')" "303 True" "claims $1: accepted"
	else
		is "$(j "$r" 'd["callback_status"]') $(j "$r" 'd["session"]')" "$2 False" "claims $1: refused, no cookie"
		is "$(tail -n +"$((before + 1))" "$TMP/login-fake.log" | grep -c "method=oidc .*reason=$3 ")" 1 \
			"claims $1: one log line reason=$3"
	fi
}
fake good 303 -
fake es256 303 -
fake no-kid 303 -
fake multi-aud-azp 303 -
fake wrong-iss 401 wrong-issuer
fake wrong-aud 401 wrong-audience
fake multi-aud 401 wrong-audience
fake wrong-azp 401 wrong-audience
fake expired 401 id-token-expired
fake iat-future 401 id-token-claims
fake iat-old 401 id-token-claims
fake nbf-future 401 id-token-claims
fake no-nonce 401 wrong-nonce
fake no-sub 401 id-token-claims
fake unknown-kid 401 id-token-signature
fake dup-claim 401 id-token-malformed
fake string-verified 401 email-unverified
is "$(grep -c 'allow user=dave@example.com method=oidc' "$TMP/login-fake.log")" 4 \
	"fake provider: client_secret_post used (the only method offered), four sign-ins"
# The ID token's amr (RFC 8176) is the session's: a second factor only when the provider says so.
fakeamr() {  # fakeamr MODE WANT: the session's amr after a sign-in with that ID token
	echo "$1" > "$TMP/fakemode"
	r=$(drive /fake dave)
	is "$(j "$r" 'd["callback_status"]') $(j "$r" '"+".join(d.get("amr", []))')" "303 $2" "claims $1: session amr '$2'"
}
fakeamr amr-mfa pwd+otp
fakeamr amr-hwk ""
fakeamr amr-pwd-hwk pwd+hwk
fakeamr amr-pwd ""
fakeamr amr-string ""
fakeamr good ""
# The verified e-mail can move between accounts at the provider; the subject never does.
fake other-sub 403 identity-mismatch
echo good > "$TMP/fakemode"
"$GK_PASSWD" -b "$TMP/users.db" Erin@example.com 'local password' >/dev/null 2>&1 || bail "add Erin"
r=$(drive /fake erin)
is "$(j "$r" 'd["callback_status"]') $(j "$r" 'd["session"]')" "403 False" \
	"a new external user whose name differs from an existing one only by case: refused"
is "$(grep -c 'method=oidc .*reason=name-case-clash ' "$TMP/login-fake.log")" 1 "... logged name-case-clash"

# ---- the GitLab preset (a self-hosted GitLab names its own issuer) ----
# Same code flow as oidc, with the preset's button label and scopes; the preset's own
# issuer (https://gitlab.com, https://accounts.google.com for google) needs the internet.
echo pass > "$TMP/mode"
sed -e 's/^oidc_provider = oidc$/oidc_provider = gitlab/' -e '/^oidc_button_label = /d' \
	"$TMP/gk.conf" > "$TMP/gitlab.conf"
kill "$lpid"; wait "$lpid" 2>/dev/null
"$GK_LOGIN" -c "$TMP/gitlab.conf" --listen "unix:$TMP/login.sock" --socket-mode 0660 \
	>> "$TMP/login.log" 2>&1 &
lpid=$!
at_exit "kill $lpid"
for i in $(seq 50); do [ -S "$TMP/login.sock" ] && kill -0 "$lpid" 2>/dev/null && break; sleep 0.1; done
r=$(drive /gatekeep alice)
is "$(j "$r" 'd["button"]')" "Sign in with GitLab" "gitlab preset: the button names GitLab"
is "$(j "$r" 'd["auth_query"]["scope"]')" "openid email profile" "gitlab preset: the OpenID scopes"
is "$(j "$r" 'd["callback_status"]') $(j "$r" 'd["session"]') $(j "$r" 'd["protected_status"]')" \
	"303 True 200" "gitlab preset: signed in through the provider, the session opens the app"
is "$(j "$r" 'd["remote_user"]')" "alice@example.com" "gitlab preset: ... as alice@example.com"
sed -e 's/^oidc_provider = oidc$/oidc_provider = google/' -e '/^oidc_issuer = /d' \
	-e '/^oidc_button_label = /d' "$TMP/gk.conf" > "$TMP/google.conf"
out=$("${GK_AS_RUNNER[@]}" "$(gk_runner_copy "$GK_LOGIN")" -c "$TMP/google.conf" --check-config 2>&1); ok $? "google preset: accepted without oidc_issuer ($out)"

# ---- the provider goes away mid-flow ----
refused "provider down" 502 provider-unreachable /gatekeep alice --before-callback "kill $oppid; sleep 0.3"
# A fresh CGI process has no cached discovery document: the start page fails cleanly too.
out=$(cd "$TMP" && "${GK_AS_RUNNER[@]}" env -i GATEKEEP_CONFIG="$TMP/gk.conf" REQUEST_METHOD=GET SCRIPT_NAME=/cgi-bin/login.cgi \
	PATH_INFO=/oidc QUERY_STRING= REMOTE_ADDR=127.0.0.1 GATEWAY_INTERFACE=CGI/1.1 \
	"$(gk_runner_copy "$LOGIN_CGI")" 2>"$TMP/cgi.err")
like "$out" "^Status: 502" "login.cgi: provider down at start -> 502"
unlike "$out" "Set-Cookie" "... and no cookie"
like "$(cat "$TMP/cgi.err")" "reason=provider-unreachable" "... and a log line"

# ---- what must never be logged ----
is "$(cat "$TMP"/login*.log "$TMP/cgi.err" | grep -c 'test-client-secret')" 0 "the client secret is never logged"
is "$(grep -c -E 'code=|id_token|eyJ' "$TMP/login.log")" 0 "no code or token in the log"
kill -0 "$lpid" 2>/dev/null; ok $? "gatekeep-login still running after every refusal"
# A clean stop lets LeakSanitizer (in --enable-sanitizers builds) report at exit.
kill "$lpid" "$gpid" "$fpid"; wait "$lpid" "$gpid" "$fpid" 2>/dev/null
for f in login login-gh login-fake cgi; do
	[ -f "$TMP/$f.log" ] || cp "$TMP/$f.err" "$TMP/$f.log"
	grep -q -E 'Sanitizer|runtime error|Segmentation' "$TMP/$f.log"
	[ $? -ne 0 ]; ok $? "$f: no crash, leak or sanitizer report"
done
if [ "$_tap_failed" -ne 0 ]; then
	sed 's/^/#   login: /' "$TMP/login.log" | tail -40
	sed 's/^/#   drive: /' "$TMP/drive.err" | tail -10
fi
done_testing
