# cgi-bin/local.mk: login.cgi, the classic-CGI build of gatekeep-login (same sources, see
# fcgi/login.mk); GK_LOGIN_FORCE_CGI makes it always answer exactly one CGI request.
cgibindir = $(libexecdir)/gatekeep/cgi-bin
cgibin_PROGRAMS = cgi-bin/login.cgi
cgi_bin_login_cgi_SOURCES = $(LOGIN_SOURCES)
nodist_cgi_bin_login_cgi_SOURCES = fcgi/login_default.h
cgi_bin_login_cgi_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS) $(FCGI_CFLAGS) $(CJOSE_CFLAGS) -DGK_LOGIN_FORCE_CGI
cgi_bin_login_cgi_LDADD = $(GK_LIBS) $(FCGI_LIBS) $(CJOSE_LIBS)
