# tests/lead.mk: regressions found while integrating this session's branches.
GK_UNIT_TESTS += tests/t_userdb_walk
