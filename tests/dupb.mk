# tests/dupb.mk: lib/bytes, lib/textbuf and gk_valid_vchar, shared by the record, the credentials,
# the metrics page and the authorizer's answer.
GK_UNIT_TESTS += tests/t_bytes
