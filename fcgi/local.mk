# fcgi/local.mk: gatekeep-authz (FastCGI Authorizer / auth_request responder).
sbin_PROGRAMS += fcgi/gatekeep-authz
fcgi_gatekeep_authz_SOURCES = fcgi/authz_main.c \
	fcgi/authz_opts.h fcgi/authz_opts.c fcgi/authz_serve.h fcgi/authz_serve.c \
	fcgi/authz_decide.h fcgi/authz_decide.c \
	fcgi/authz_answer.h fcgi/authz_answer.c \
	fcgi/authz_chain.h fcgi/authz_chain.c fcgi/authz_methods.c fcgi/authz_proxy.c fcgi/authz_state.c \
	fcgi/authz_second.c fcgi/authz_token.c
fcgi_gatekeep_authz_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS) $(FCGI_CFLAGS)
fcgi_gatekeep_authz_LDADD = $(GK_LIBS) $(FCGI_LIBS)
include fcgi/login.mk
