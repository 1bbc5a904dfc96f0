# tests/selfsvc.mk: the self-service pages (app passwords page, TOTP enrolment's session upgrade) end to end through nginx.
TESTS += tests/selfsvc_nginx.sh
dist_check_SCRIPTS += tests/selfsvc_nginx.sh
