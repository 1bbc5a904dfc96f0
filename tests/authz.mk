# tests/authz.mk
