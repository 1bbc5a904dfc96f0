#!/bin/bash
# tests/passkeys_browser.sh: passkeys end to end: headless Chromium with a virtual authenticator
# (DevTools WebAuthn domain) against nginx + gatekeep-authz + gatekeep-login on loopback:
# register a passkey, sign out, password + passkey, passwordless sign-in, a protected app with
# Remote-User, and a cloned authenticator with a stale counter refused.
. "${top_srcdir:-.}/tests/lib.sh"

. "${top_srcdir:-.}/tests/browser_stack.sh"
browser_stack_prepare

browser_stack_conf "gatekeep passkey test" "passkeys = true
passkey_origin = http://app1.gk.test:$PORT
passkey_rp_id = gk.test
passkey_user_verification = true"
browser_stack_start

csp=$(curl -s -D - -o "$TMP/pk.html" --resolve "app1.gk.test:$PORT:127.0.0.1" \
	"http://app1.gk.test:$PORT/gatekeep/passkey" | tr -d '\r' | sed -n 's/^Content-Security-Policy: //Ip')
want=$(sed -n 's/^<script>\(.*\)<\/script>$/\1/p' "$TMP/pk.html" | tr -d '\n' |
	"$PY" -c 'import base64, hashlib, sys; print(base64.b64encode(hashlib.sha256(sys.stdin.buffer.read()).digest()).decode())')
[ -n "$want" ] && [[ "$csp" == *"script-src 'sha256-$want';"* ]]
ok $? "passkey page: CSP allows its inline script by hash ($csp)"
unlike "$csp" "script-src[^;]*unsafe" "passkey page: no unsafe-inline or unsafe-eval script"

browser_stack_drive passkeys_browser.py
grep -q 'passkey added user=alice passkey=laptop' "$TMP/login.log"; ok $? "login logged the new passkey"
grep -q 'allow user=alice method=password+passkey' "$TMP/login.log"; ok $? "login logged password + passkey"
grep -q "allow user=alice method=passkey+uv" "$TMP/login.log"; ok $? "login logged the passwordless sign-in (user verified)"
grep -q 'passkey counter did not grow.*user=alice passkey=laptop' "$TMP/login.log"
ok $? "login logged the cloned authenticator"
grep -q 'reason=counter-not-growing' "$TMP/login.log"; ok $? "the clone's sign-in denied with its reason"
grep -q 'passkey removed user=alice passkey=laptop' "$TMP/login.log"; ok $? "login logged the removal"
done_testing
