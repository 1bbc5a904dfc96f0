# tests/userdb.mk
