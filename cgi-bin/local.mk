# cgi-bin/local.mk: login.cgi, the classic-CGI build of gatekeep-login (the same main, fcgi/login_main.c,
# over lib/liblogin.a); GK_LOGIN_FORCE_CGI makes it always answer exactly one CGI request.
cgibindir = $(libexecdir)/gatekeep/cgi-bin
cgibin_PROGRAMS = cgi-bin/login.cgi
cgi_bin_login_cgi_SOURCES = $(LOGIN_SOURCES)
cgi_bin_login_cgi_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS) $(FCGI_CFLAGS) -DGK_LOGIN_FORCE_CGI
cgi_bin_login_cgi_LDADD = $(LOGIN_LIBS) $(FCGI_LIBS)
