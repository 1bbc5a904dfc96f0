# tests/parse.mk
