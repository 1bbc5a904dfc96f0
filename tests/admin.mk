# tests/admin.mk
