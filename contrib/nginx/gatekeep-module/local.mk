# contrib/nginx/gatekeep-module/local.mk: the native nginx zero-hop module, built when
# configure found nginx-dev (HAVE_NGINX_DEV). As Debian builds its libnginx-mod-* packages:
# nginx's own configure, run in nginx-dev's tree with the flags the installed nginx was
# built with (conf_flags), writes a build folder here; its `make modules` compiles the .so,
# whose module signature then matches /usr/sbin/nginx. configure takes most of the time
# (about 15-30 s), so it runs again only when the module's config file changes.
NGX_GK_DIR = contrib/nginx/gatekeep-module
NGX_GK_SRCS = $(NGX_GK_DIR)/ngx_http_gatekeep_module.c $(NGX_GK_DIR)/ngx_http_gatekeep_plain.c \
	$(NGX_GK_DIR)/ngx_http_gatekeep_plain.h
EXTRA_DIST += $(NGX_GK_DIR)/config $(NGX_GK_SRCS)
# its Debian package (debian/control: libnginx-mod-http-gatekeep)
EXTRA_DIST += debian/gatekeep.install debian/libnginx-mod-http-gatekeep.install debian/not-installed
if HAVE_NGINX_DEV
NGX_GK_SO = $(NGX_GK_DIR)/ngx_http_gatekeep_module.so
ngxmoddir = $(prefix)/lib/nginx/modules
ngxmod_DATA = $(NGX_GK_SO)
# Debian's nginx loads what /etc/nginx/modules-enabled links to (dh_nginx makes the link
# in the package; after `make install`, link it by hand)
ngxmodconfdir = $(datadir)/nginx/modules-available
ngxmodconf_DATA = $(NGX_GK_DIR)/mod-http-gatekeep.conf
CLEANFILES += $(NGX_GK_SO) $(NGX_GK_DIR)/mod-http-gatekeep.conf $(NGX_GK_DIR)/build.log

$(NGX_GK_DIR)/build/Makefile: $(srcdir)/$(NGX_GK_DIR)/config
	$(AM_V_GEN)rm -rf $(NGX_GK_DIR)/build && $(MKDIR_P) $(NGX_GK_DIR)/build && \
	  bld=`cd $(NGX_GK_DIR)/build && pwd` && src=`cd $(srcdir)/$(NGX_GK_DIR) && pwd` && \
	  log=`pwd`/$(NGX_GK_DIR)/build.log && \
	  (cd '$(NGINX_DEV_SRC)' && bash -c '. ./conf_flags && ./configure \
	    --with-cc-opt="$$1 -fPIC" --with-ld-opt="$$2 -fPIC" "$${NGX_CONF_FLAGS[@]}" \
	    --add-dynamic-module="$$3" --builddir="$$4"' nginx-module \
	    '$(CFLAGS) $(CPPFLAGS)' '$(LDFLAGS)' "$$src" "$$bld") >"$$log" 2>&1 || \
	  { tail -20 "$$log"; rm -rf $(NGX_GK_DIR)/build; exit 1; }

$(NGX_GK_SO): $(addprefix $(srcdir)/,$(NGX_GK_SRCS)) $(NGX_GK_DIR)/build/Makefile
	$(AM_V_CC)bld=`cd $(NGX_GK_DIR)/build && pwd` && \
	  $(MAKE) -s -f "$$bld/Makefile" -C '$(NGINX_DEV_SRC)' modules >>$(NGX_GK_DIR)/build.log 2>&1 || \
	  { tail -20 $(NGX_GK_DIR)/build.log; exit 1; }
	$(AM_V_at)cp $(NGX_GK_DIR)/build/ngx_http_gatekeep_module.so $@.tmp && mv $@.tmp $@   # a running nginx maps the old one

$(NGX_GK_DIR)/mod-http-gatekeep.conf: Makefile
	$(AM_V_GEN)$(MKDIR_P) $(@D) && echo 'load_module $(ngxmoddir)/ngx_http_gatekeep_module.so;' >$@
endif
