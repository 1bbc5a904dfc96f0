# tests/fixes.mk: regressions for fixes to app tokens (last use, HEAD in a GET scope, the shared store's generation, lighttpd), the hash pool's memo, export and FastCGI roles.
check_PROGRAMS += tests/t_hashpool_memo
tests_t_hashpool_memo_SOURCES = tests/t_hashpool_memo.c tests/tap.h
tests_t_hashpool_memo_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
tests_t_hashpool_memo_LDADD = $(GK_LIBS)
TESTS += tests/t_hashpool_memo
# gatekeep-passwd --export and the credentials an htpasswd line cannot carry.
TESTS += tests/export_creds.sh
dist_check_SCRIPTS += tests/export_creds.sh
# App tokens follow the shared store's generation as sessions do (a real redis-server).
check_PROGRAMS += tests/t_token_redis
tests_t_token_redis_SOURCES = tests/t_token_redis.c tests/tap.h tests/tokenfix.h
tests_t_token_redis_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
tests_t_token_redis_LDADD = $(GK_LIBS)
TESTS += tests/token_redis.sh
dist_check_SCRIPTS += tests/token_redis.sh
# A FastCGI role gatekeep-authz does not serve: a 403 from both cores, never a 500 or a drop.
TESTS += tests/fcgi_roles.sh
dist_check_SCRIPTS += tests/fcgi_roles.sh
# App tokens through a real lighttpd in FastCGI authorizer mode.
TESTS += tests/tokens_lighttpd.sh
dist_check_SCRIPTS += tests/tokens_lighttpd.sh
