# tests/login.mk
