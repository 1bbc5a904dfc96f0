# cgi-bin/local.mk: login.cgi, gatekeep-login as a classic CGI program: its own main
# (cgi-bin/login_cgi.c) over the login request code in lib/liblogin.a (lib/login.mk).
cgibindir = $(libexecdir)/gatekeep/cgi-bin
cgibin_PROGRAMS = cgi-bin/login.cgi
cgi_bin_login_cgi_SOURCES = cgi-bin/login_cgi.c
cgi_bin_login_cgi_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
cgi_bin_login_cgi_LDADD = $(LOGIN_LIBS)
