# tests/guard7.mk: lib/fcgiguard's straight walk of a one-record PARAMS stream against its
# split-anywhere walk, on edge-case and random streams.
GK_UNIT_TESTS += tests/t_fcgiguard_flat
