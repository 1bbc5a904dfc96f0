# tests/attack8.mk: attacks on the login, the decision caches and the admin tool, each a test that failed before its fix.
GK_UNIT_TESTS += tests/t_attack8
