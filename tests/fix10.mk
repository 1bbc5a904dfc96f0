# tests/fix10.mk: the cost bound of stored password hashes (lib/password).
GK_UNIT_TESTS += tests/t_hashcost
