# fcgi/login.mk: gatekeep-login (login form, logout, whoami) as a FastCGI responder: its main and
# runtime only; the request logic is lib/liblogin.a (lib/login.mk), shared with cgi-bin/login.cgi.
sbin_PROGRAMS += fcgi/gatekeep-login
fcgi_gatekeep_login_SOURCES = fcgi/login_main.c fcgi/login_serve.h fcgi/login_serve.c
fcgi_gatekeep_login_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS) $(FCGI_CFLAGS)
fcgi_gatekeep_login_LDADD = $(LOGIN_LIBS) $(FCGI_LIBS)
