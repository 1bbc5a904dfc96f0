# tests/authz.mk: gatekeep-authz: path normalisation, policy, credential cache, FastCGI end to end.
GK_UNIT_TESTS += tests/t_pathnorm tests/t_policy tests/t_method tests/t_credcache
TESTS += tests/authz_fcgi.sh
dist_check_SCRIPTS += tests/authz_fcgi.sh tests/fcgi_client.py
# Lockout shared by gatekeep-authz (Basic, Apache pair) and gatekeep-login, across processes.
TESTS += tests/authz_lockout.sh
dist_check_SCRIPTS += tests/authz_lockout.sh
# The same through a real nginx, attacker and victim at two loopback addresses.
TESTS += tests/srv_nginx_lockout.sh
dist_check_SCRIPTS += tests/srv_nginx_lockout.sh
