# tests/hardening.mk
# lib/fcgiguard: FastCGI record pre-check (CVE-2025-23016 mitigation).
GK_UNIT_TESTS += tests/t_fcgiguard
# Fault injection (database, secret, disk full, kill -9 of the admin tool), nginx load,
# Caddy load, the fail2ban filter; SECURITY.md. GK_LOAD_SECONDS (default 60),
# GK_LOAD_CADDY_SECONDS (default 10) and GK_KILL9_TRIALS (default 200) shorten the slow ones.
FAULT_TESTS = \
	tests/fault_db.sh \
	tests/fault_secret.sh \
	tests/fault_diskfull.sh \
	tests/fault_kill9.sh
TESTS += $(FAULT_TESTS) tests/fail2ban.sh tests/load_nginx.sh tests/load_caddy.sh
dist_check_SCRIPTS += $(FAULT_TESTS) tests/fail2ban.sh tests/load_nginx.sh tests/load_caddy.sh
EXTRA_DIST += \
	tests/fault/common.sh \
	tests/fault/fcgi_load.py \
	tests/fault/kill9.py \
	tests/load/client.py \
	tests/load/events.py \
	tests/load/nginx-main.conf \
	tests/load/Caddyfile.main \
	tests/load/verdict.py \
	contrib/fail2ban/filter.d/gatekeep.conf \
	contrib/fail2ban/jail.d/gatekeep.local \
	SECURITY.md
check-fault: $(check_PROGRAMS) $(bin_PROGRAMS) $(sbin_PROGRAMS)
	$(MAKE) $(AM_MAKEFLAGS) check TESTS='$(FAULT_TESTS) tests/fail2ban.sh'
check-load: $(check_PROGRAMS) $(bin_PROGRAMS) $(sbin_PROGRAMS)
	$(MAKE) $(AM_MAKEFLAGS) check TESTS='tests/load_nginx.sh tests/load_caddy.sh'
.PHONY: check-fault check-load
# gatekeep-authz sandbox: privilege drop, no_new_privs, seccomp in workers, close-on-exec, CVE-2025-23016 live.
TESTS += tests/authz_sandbox.sh
dist_check_SCRIPTS += tests/authz_sandbox.sh
EXTRA_DIST += tests/sandbox_trip.c

# systemd units shipped in contrib/systemd, checked with systemd-analyze and run under
# emulated socket activation.
TESTS += tests/systemd_units.sh
dist_check_SCRIPTS += tests/systemd_units.sh
# (The units themselves are built and distributed by contrib/local.mk.)
# lib/prefork: the FastCGI programs' worker pool, forked for real.
GK_UNIT_TESTS += tests/t_prefork
# The programs carry Debian's hardening flags (configure.ac), checked with hardening-check.
TESTS += tests/build_hardening.sh
dist_check_SCRIPTS += tests/build_hardening.sh
