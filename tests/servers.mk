# tests/servers.mk
