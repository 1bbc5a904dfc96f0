# contrib/local.mk: what `make install` puts in place for an admin besides the programs:
# the systemd units (made from contrib/systemd/*.in with the configured paths), the
# example gatekeep.conf (also as sysconfdir/gatekeep/gatekeep.conf when there is none yet),
# and the web-server and fail2ban examples under docdir/examples.

GK_UNITS = \
	contrib/systemd/gatekeep-authz.service \
	contrib/systemd/gatekeep-authz.socket \
	contrib/systemd/gatekeep-login.service \
	contrib/systemd/gatekeep-login.socket
EXTRA_DIST += $(GK_UNITS:=.in)
CLEANFILES += $(GK_UNITS)
if HAVE_SYSTEMD_UNITDIR
systemdsystemunit_DATA = $(GK_UNITS)
else
noinst_DATA = $(GK_UNITS)
endif
# Substituted at make time (not by configure) so that ${prefix} is fully expanded.
gk_subst = $(SED) \
	-e 's|@sbindir[@]|$(sbindir)|g' \
	-e 's|@bindir[@]|$(bindir)|g' \
	-e 's|@sysconfdir[@]|$(sysconfdir)|g' \
	-e 's|@runstatedir[@]|$(runstatedir)|g'
$(GK_UNITS): %: $(srcdir)/%.in Makefile
	$(AM_V_GEN)$(MKDIR_P) $(@D) && rm -f $@ $@.tmp && \
	  $(gk_subst) $(srcdir)/$@.in > $@.tmp && mv $@.tmp $@

# The examples, relative to contrib/. They name the Debian paths (the tests render them
# from the source tree); the installed copies name the configured ones.
GK_EXAMPLES = \
	gatekeep.conf \
	nginx/gatekeep.conf \
	nginx/gatekeep-app-cookie.conf \
	nginx/gatekeep-ops.conf \
	nginx/gatekeep.js \
	nginx/gatekeep-zerohop.conf \
	nginx/gatekeep-module.conf \
	nginx/gatekeep-http.conf \
	nginx/gatekeep-http-auth.conf \
	grafana/gatekeep-dashboard.json \
	apache/gatekeep-authnz.conf \
	apache/gatekeep-fcgid.conf \
	apache/gatekeep-login.conf \
	apache/gatekeep-login-cgi.conf \
	lighttpd/gatekeep.conf \
	lighttpd/gatekeep-binpath.conf \
	lighttpd/gatekeep-login.conf \
	lighttpd/gatekeep-login-cgi.conf \
	caddy/Caddyfile \
	caddy/gatekeep-ops.caddy \
	fail2ban/filter.d/gatekeep.conf \
	fail2ban/jail.d/gatekeep.local
EXTRA_DIST += $(addprefix contrib/,$(GK_EXAMPLES))
gkexamplesdir = $(docdir)/examples
gk_subst_examples = $(SED) \
	-e 's|/usr/sbin/gatekeep|$(sbindir)/gatekeep|g' \
	-e 's|/usr/bin/gatekeep|$(bindir)/gatekeep|g' \
	-e 's|/etc/gatekeep/|$(sysconfdir)/gatekeep/|g' \
	-e 's|/usr/libexec/gatekeep/cgi-bin|$(cgibindir)|g' \
	-e 's|/run/gatekeep/|$(runstatedir)/gatekeep/|g'
gk_conf = $(DESTDIR)$(sysconfdir)/gatekeep/gatekeep.conf

install-data-local:
	@set -e; for f in $(GK_EXAMPLES); do \
	  d=`dirname "$$f"`; \
	  $(MKDIR_P) "$(DESTDIR)$(gkexamplesdir)/$$d"; \
	  $(gk_subst_examples) "$(srcdir)/contrib/$$f" > gk-example.tmp; \
	  echo " $(INSTALL_DATA) contrib/$$f '$(DESTDIR)$(gkexamplesdir)/$$f'"; \
	  $(INSTALL_DATA) gk-example.tmp "$(DESTDIR)$(gkexamplesdir)/$$f"; \
	done; rm -f gk-example.tmp
	@$(MKDIR_P) "$(DESTDIR)$(sysconfdir)/gatekeep"
	@if test -f "$(gk_conf)"; then \
	  echo "keeping $(gk_conf) (the new example is $(DESTDIR)$(gkexamplesdir)/gatekeep.conf)"; \
	else \
	  echo " $(INSTALL_DATA) gatekeep.conf '$(gk_conf)'"; \
	  $(INSTALL_DATA) "$(DESTDIR)$(gkexamplesdir)/gatekeep.conf" "$(gk_conf)"; \
	fi

# An admin's gatekeep.conf stays: only an unchanged copy of the example is removed.
uninstall-local:
	@if test -f "$(gk_conf)" && cmp -s "$(gk_conf)" "$(DESTDIR)$(gkexamplesdir)/gatekeep.conf"; then \
	  echo " rm -f '$(gk_conf)'"; rm -f "$(gk_conf)"; \
	elif test -f "$(gk_conf)"; then echo "keeping $(gk_conf): it was changed"; fi
	@for f in $(GK_EXAMPLES); do rm -f "$(DESTDIR)$(gkexamplesdir)/$$f"; done

# distcheck installs under its own prefix: the units go there too, not into systemd's.
AM_DISTCHECK_CONFIGURE_FLAGS = --with-systemdsystemunitdir='$${prefix}/lib/systemd/system'
