# lib/local.mk: libgatekeep, the static library every program shares.
noinst_LIBRARIES += lib/libgatekeep.a
lib_libgatekeep_a_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
lib_libgatekeep_a_SOURCES = \
	lib/common.h lib/common.c \
	lib/validate.h lib/validate.c lib/wordscan.h \
	lib/request.h lib/request.c \
	lib/basic.h lib/basic.c \
	lib/cookie.h lib/cookie.c \
	lib/password.h lib/password.c \
	lib/bytes.h lib/bytes.c \
	lib/record.h lib/record.c \
	lib/userdb.h lib/userdb.c lib/userdb_file.h lib/userdb_write.c \
	lib/creds.h lib/creds.c lib/userdb_creds.c lib/apptoken.h lib/apptoken.c \
	lib/tokenuse.h lib/tokenuse.c \
	lib/cidr.h lib/cidr.c \
	lib/conf.h lib/conf.c lib/conf_keys.h lib/conf_value.c lib/conf_rules.c lib/conf_load.c \
	lib/conf_check.c lib/conf_print.c \
	lib/log.h lib/log.c \
	lib/pathnorm.h lib/pathnorm.c lib/pathread.h lib/pathread.c lib/policy.h lib/policy.c lib/method.h lib/method.c lib/credcache.h lib/credcache.c \
	lib/token.h lib/token.c lib/secret.h lib/secret.c \
	lib/lockout.h lib/lockout.c lib/lockout_table.h lib/lockout_table.c lib/redirect.h lib/redirect.c lib/form.h lib/form.c
lib_libgatekeep_a_SOURCES += lib/session_cookie.h lib/session_cookie.c
lib_libgatekeep_a_SOURCES += lib/secret_follow.h lib/secret_follow.c
lib_libgatekeep_a_SOURCES += lib/auth.h lib/auth.c
# The session tokens a worker has verified (gk_auth_session through lib/auth).
lib_libgatekeep_a_SOURCES += lib/sesscache.h lib/sesscache.c
lib_libgatekeep_a_SOURCES += lib/statestore.h lib/statestore.c lib/lockout_redis.h lib/lockout_redis.c
lib_libgatekeep_a_SOURCES += lib/origin.h lib/origin.c
lib_libgatekeep_a_SOURCES += lib/extuser.h lib/extuser.c
lib_libgatekeep_a_SOURCES += lib/fcgiguard.h lib/fcgiguard.c lib/sandbox.h lib/sandbox.c
lib_libgatekeep_a_SOURCES += lib/fcgiloop.h lib/fcgiloop.c
lib_libgatekeep_a_SOURCES += lib/frontend.h lib/frontend.c lib/bypass.h lib/bypass.c
lib_libgatekeep_a_SOURCES += lib/conn.h lib/conn.c lib/fcgiconn.h lib/fcgiconn.c lib/evloop.h lib/evloop.c
lib_libgatekeep_a_SOURCES += lib/httpreq.h lib/httpreq.c lib/httpconn.h lib/httpconn.c
lib_libgatekeep_a_SOURCES += lib/filewatch.h lib/filewatch.c
lib_libgatekeep_a_CFLAGS += $(FCGI_CFLAGS)
lib_libgatekeep_a_SOURCES += lib/listener.h lib/listener.c
lib_libgatekeep_a_SOURCES += lib/prefork.h lib/prefork.c
lib_libgatekeep_a_SOURCES += lib/server.h lib/server.c
lib_libgatekeep_a_SOURCES += lib/ticket.h lib/ticket.c
lib_libgatekeep_a_SOURCES += lib/hashpool.h lib/hashpool.c
EXTRA_DIST += docs/ARCHITECTURE.md docs/event-core.md docs/http-front.md
include lib/login.mk
lib_libgatekeep_a_SOURCES += lib/deploycheck.h lib/deploycheck.c
lib_libgatekeep_a_SOURCES += lib/metrics.h lib/metrics.c
lib_libgatekeep_a_SOURCES += lib/textbuf.h lib/textbuf.c
lib_libgatekeep_a_SOURCES += lib/metrics_start.h lib/metrics_start.c
lib_libgatekeep_a_SOURCES += lib/statedir.h lib/statedir.c
lib_libgatekeep_a_SOURCES += lib/opsanswer.h lib/opsanswer.c
lib_libgatekeep_a_SOURCES += lib/logjson.h lib/logjson.c
lib_libgatekeep_a_SOURCES += lib/sdnotify.h lib/sdnotify.c
# Where the users come from: the GDBM database or an LDAP directory (libldap).
lib_libgatekeep_a_SOURCES += lib/userbackend.h lib/userbackend.c lib/ldapconf.h lib/ldapconf.c \
	lib/ldapusers.h lib/ldapusers.c lib/ldapconn.h lib/ldapconn.c
lib_libgatekeep_a_SOURCES += lib/totp.h lib/totp.c lib/totp_store.h lib/totp_store.c lib/qr.h lib/qr.c lib/auth_code.c lib/second_factor.h lib/second_factor.c
