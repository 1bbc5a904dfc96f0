# tests/attack11.mk: attacks on the nginx zero hop (contrib/nginx/gatekeep.js and the native
# module); tests/attack11_ngxmod.sh skips when the module is not built.
ATTACK11_TESTS = tests/attack11_zerohop.sh tests/attack11_ngxmod.sh
TESTS += $(ATTACK11_TESTS)
dist_check_SCRIPTS += $(ATTACK11_TESTS)
# The native module's cookie reading and ticket check against lib/cookie.c and lib/ticket.c:
# the module's source compiled in with nginx-dev's headers and the configure output of its
# build folder (contrib/nginx/gatekeep-module/local.mk), the nginx core it calls stubbed.
if HAVE_NGINX_DEV
check_PROGRAMS += tests/t_ngxmod_diff
TESTS += tests/t_ngxmod_diff
tests_t_ngxmod_diff_CPPFLAGS = -I$(top_srcdir)/lib -I$(srcdir)/$(NGX_GK_DIR) -I$(NGX_GK_DIR)/build \
	$(addprefix -I$(NGINX_DEV_SRC)/src/,core event event/modules http http/modules http/v2 os/unix)
tests_t_ngxmod_diff_CFLAGS = -std=gnu11 $(SAN_CFLAGS) $(GK_DEP_CFLAGS)
tests/tests_t_ngxmod_diff-t_ngxmod_diff.$(OBJEXT): $(NGX_GK_DIR)/build/Makefile
endif
# a Host gatekeep-authz refuses (nginx's own fastcgi_params), through the zero hop
ATTACK11_TESTS += tests/attack11_host.sh tests/attack11_ngxhost.sh
