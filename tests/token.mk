# tests/token.mk
