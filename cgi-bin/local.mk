# cgi-bin/local.mk: login.cgi, gatekeep-login as a classic CGI program: its own main
# (cgi-bin/login_cgi.c) over the login request code (LOGIN_SOURCES, fcgi/login.mk).
cgibindir = $(libexecdir)/gatekeep/cgi-bin
cgibin_PROGRAMS = cgi-bin/login.cgi
cgi_bin_login_cgi_SOURCES = cgi-bin/login_cgi.c $(LOGIN_SOURCES)
nodist_cgi_bin_login_cgi_SOURCES = fcgi/login_default.h
cgi_bin_login_cgi_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/fcgi
cgi_bin_login_cgi_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS) $(FCGI_CFLAGS) $(CJOSE_CFLAGS)
cgi_bin_login_cgi_LDADD = $(GK_LIBS) $(FCGI_LIBS) $(CJOSE_LIBS)
