# tests/fixes5.mk: slow paths and leftovers: the secret-following function, a backend search in the hash pool.
GK_UNIT_TESTS += tests/t_secret_follow tests/t_hashpool_search
# passkey challenges claimed once in the shared store (t_passkey_login against redis-server)
FIXES5_TESTS = tests/passkey_two_machines.sh
TESTS += $(FIXES5_TESTS)
dist_check_SCRIPTS += $(FIXES5_TESTS)
