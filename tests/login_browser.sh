#!/bin/bash
# tests/login_browser.sh: headless Chromium against nginx + gatekeep-authz + gatekeep-login on
# loopback: protected URL -> login page -> generic error -> greeted -> SSO on a sibling host ->
# logout -> login again. Screenshots go to $top_builddir/tests/artifacts/.
. "${top_srcdir:-.}/tests/lib.sh"

. "${top_srcdir:-.}/tests/browser_stack.sh"
browser_stack_prepare

browser_stack_conf "gatekeep browser test" ""
# tom has TOTP: the browser types oathtool's code after his password (step 9 of the driver).
"$GK_PASSWD" -b --name="Tom Thumb" "$TMP/users.db" tom 'tom thumb pw' >/dev/null 2>&1 || bail "add tom"
GK_TOTP_SECRET=$("$GK_PASSWD" --totp-enrol tom "$TMP/users.db" 2>/dev/null | sed -n 's/^otpauth:.*secret=\([A-Z2-7]*\).*/\1/p')
[ -n "$GK_TOTP_SECRET" ] || bail "gatekeep-passwd --totp-enrol tom"
export GK_TOTP_SECRET
browser_stack_start
browser_stack_drive login_browser.py
for f in login-page login-error greeted login-360px login-code; do
	[ -s "$ART/$f.png" ]; ok $? "screenshot $f.png saved"
done
grep -q 'allow user=alice method=form' "$TMP/login.log"; ok $? "login logged the form login"
done_testing
