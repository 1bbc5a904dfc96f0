# tests/login.mk: tests for the login form, its lib modules (form, redirect, lockout) and the browser flow.
GK_UNIT_TESTS += tests/t_form tests/t_redirect tests/t_lockout
GK_UNIT_TESTS += tests/t_session_cookie
# Shell drivers: login.cgi as CGI and behind lighttpd mod_cgi; the browser flow (nginx + both daemons).
TESTS += tests/login_cgi.sh
dist_check_SCRIPTS += tests/login_cgi.sh
TESTS += tests/login_browser.sh
dist_check_SCRIPTS += tests/login_browser.sh
EXTRA_DIST += tests/login_browser.py
# OpenID Connect / OAuth2 sign-in against a real provider (npm oidc-provider in tests/oidc) and a GitHub stand-in.
TESTS += tests/login_oidc.sh
dist_check_SCRIPTS += tests/login_oidc.sh
EXTRA_DIST += tests/oidc/package.json tests/oidc/package-lock.json tests/oidc/provider.mjs \
	tests/oidc/servers.py tests/oidc/drive.py
# gatekeep-login's FastCGI runtime: pre-check of every request (CVE-2025-23016), pool, privilege drop, seccomp.
TESTS += tests/login_hardening.sh
dist_check_SCRIPTS += tests/login_hardening.sh
GK_UNIT_TESTS += tests/t_auth
GK_UNIT_TESTS += tests/t_origin
