#!/bin/sh
# tests/servers/app.cgi: the protected test app; prints who the web server says the user is.
# REMOTE_USER is what the server set (mod_cgi); HTTP_REMOTE_USER is a Remote-User request
# header (set by nginx/Caddy from the authorizer's answer, or sent by a client).
# read the request body first: servers (Apache mod_cgid) may cut the response of a
# CGI that exits with its input unread
body_len=0
case "${CONTENT_LENGTH:-}" in
''|*[!0-9]*) ;;
*) body_len=$(head -c "$CONTENT_LENGTH" | wc -c) ;;
esac
printf 'Status: 200 OK\r\nContent-Type: text/plain\r\nCache-Control: no-store\r\n\r\n'
printf 'app-ok\n'
printf 'REMOTE_USER=%s\n' "${REMOTE_USER-}"
printf 'AUTH_TYPE=%s\n' "${AUTH_TYPE-}"
printf 'REMOTE_GROUPS=%s\n' "${REMOTE_GROUPS-}"
printf 'REMOTE_EMAIL=%s\n' "${REMOTE_EMAIL-}"
printf 'REMOTE_NAME=%s\n' "${REMOTE_NAME-}"
printf 'HTTP_REMOTE_USER=%s\n' "${HTTP_REMOTE_USER-}"
printf 'HTTP_REMOTE_GROUPS=%s\n' "${HTTP_REMOTE_GROUPS-}"
printf 'HTTP_REMOTE_EMAIL=%s\n' "${HTTP_REMOTE_EMAIL-}"
printf 'HTTP_REMOTE_NAME=%s\n' "${HTTP_REMOTE_NAME-}"
printf 'HTTP_X_REMOTE_USER=%s\n' "${HTTP_X_REMOTE_USER-}"
printf 'HTTP_X_FORWARDED_PROTO=%s\n' "${HTTP_X_FORWARDED_PROTO-}"
printf 'REQUEST_URI=%s\n' "${REQUEST_URI-}"
# what reaches the app of the client's cookies and credentials (tests/servers/appcookie.sh)
printf 'HTTP_COOKIE=%s\n' "${HTTP_COOKIE-}"
printf 'HTTP_AUTHORIZATION=%s\n' "${HTTP_AUTHORIZATION-}"
printf 'REQUEST_METHOD=%s\n' "${REQUEST_METHOD-}"
printf 'BODY_LENGTH=%s\n' "$body_len"
