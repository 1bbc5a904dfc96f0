# lib/login.mk: liblogin, the sign-in service (request, reply, CSRF, pages, OIDC) that both login
# mains link: fcgi/gatekeep-login (FastCGI) and cgi-bin/login.cgi (CGI). Kept out of libgatekeep
# so that only these two programs link libcjose (ID token signatures).
noinst_LIBRARIES += lib/liblogin.a
lib_liblogin_a_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS) $(CJOSE_CFLAGS)
lib_liblogin_a_SOURCES = lib/login.h lib/login_ctx.h lib/login_ctx.c lib/login_once.h lib/login_once.c \
	lib/login_request.h lib/login_request.c lib/login_handle.c lib/login_reply.c \
	lib/login_csrf.c lib/login_account.c lib/login_endpoints.c lib/login_oidc_flow.c \
	lib/login_page.h lib/login_page.c lib/login_buf.h lib/login_buf.c \
	lib/login_oidc.h lib/login_oidc_int.h lib/login_oidc.c lib/login_oidc_provider.c \
	lib/login_oidc_util.c \
	lib/login_oidc_jwt.c lib/login_http.h lib/login_http.c \
	lib/webauthn.h lib/webauthn.c lib/login_passkey.h lib/login_passkey.c \
	lib/login_passkey_chal.c lib/login_passkey_page.c lib/login_passkey_account.c
lib_liblogin_a_SOURCES += lib/login_totp.h lib/login_totp.c lib/login_selfservice.c
lib_liblogin_a_SOURCES += lib/login_enrol.h lib/login_enrol.c
lib_liblogin_a_SOURCES += lib/login_check.h lib/login_check.c
lib_liblogin_a_SOURCES += lib/login_tokens_page.h lib/login_tokens_page.c
lib_liblogin_a_SOURCES += lib/login_html.h lib/login_html.c
nodist_lib_liblogin_a_SOURCES = lib/login_default.h
# What a login main links: liblogin first (it calls into libgatekeep).
LOGIN_LIBS = lib/liblogin.a $(GK_LIBS) $(CJOSE_LIBS) $(CBOR_LIBS) $(LIBCRYPTO_LIBS)

# The built-in page template is contrib/login/login.html, turned into a C string at build time
# (one source of truth: the installed file and the compiled-in default cannot drift apart).
logindatadir = $(datadir)/gatekeep
dist_logindata_DATA = contrib/login/login.html
lib/login_default.h: $(top_srcdir)/contrib/login/login.html
	$(AM_V_GEN)$(MKDIR_P) lib && $(AWK) \
	  'BEGIN { print "/* Generated from contrib/login/login.html by lib/login.mk: do not edit. */"; \
	           print "static const char login_default_template[] =" } \
	   { gsub(/\\/, "\\\\"); gsub(/"/, "\\\""); print "\t\"" $$0 "\\n\"" } \
	   END { print ";" }' $(top_srcdir)/contrib/login/login.html > $@.tmp && mv $@.tmp $@
CLEANFILES += lib/login_default.h
lib/liblogin_a-login_page.$(OBJEXT): lib/login_default.h
