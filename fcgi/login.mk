# fcgi/login.mk: gatekeep-login (login form, logout, whoami) as a FastCGI responder or a CGI
# program; LOGIN_SOURCES, the request code, also build cgi-bin/login.cgi (cgi-bin/local.mk).
sbin_PROGRAMS += fcgi/gatekeep-login
LOGIN_SOURCES = fcgi/login.h fcgi/login_handle.c \
	fcgi/login_ctx.h fcgi/login_ctx.c fcgi/login_once.h fcgi/login_once.c \
	fcgi/login_page.h fcgi/login_page.c fcgi/login_buf.h fcgi/login_buf.c \
	fcgi/login_oidc.h fcgi/login_oidc.c fcgi/login_http.h fcgi/login_http.c
fcgi_gatekeep_login_SOURCES = fcgi/login_main.c $(LOGIN_SOURCES) \
	fcgi/login_serve.h fcgi/login_serve.c
nodist_fcgi_gatekeep_login_SOURCES = fcgi/login_default.h
# Only the login program links libcjose (ID token signatures): no other program needs it.
fcgi_gatekeep_login_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS) $(FCGI_CFLAGS) $(CJOSE_CFLAGS)
fcgi_gatekeep_login_LDADD = $(GK_LIBS) $(FCGI_LIBS) $(CJOSE_LIBS)

# The built-in page template is contrib/login/login.html, turned into a C string at build time
# (one source of truth: the installed file and the compiled-in default cannot drift apart).
logindatadir = $(datadir)/gatekeep
dist_logindata_DATA = contrib/login/login.html
fcgi/login_default.h: $(top_srcdir)/contrib/login/login.html
	$(AM_V_GEN)$(MKDIR_P) fcgi && $(AWK) \
	  'BEGIN { print "/* Generated from contrib/login/login.html by fcgi/login.mk: do not edit. */"; \
	           print "static const char login_default_template[] =" } \
	   { gsub(/\\/, "\\\\"); gsub(/"/, "\\\""); print "\t\"" $$0 "\\n\"" } \
	   END { print ";" }' $(top_srcdir)/contrib/login/login.html > $@.tmp && mv $@.tmp $@
CLEANFILES += fcgi/login_default.h
fcgi/gatekeep_login-login_page.$(OBJEXT): fcgi/login_default.h
fcgi/cgi_bin_login_cgi-login_page.$(OBJEXT): fcgi/login_default.h
