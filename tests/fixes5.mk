# tests/fixes5.mk: slow paths and leftovers (the one secret-following function).
GK_UNIT_TESTS += tests/t_secret_follow
