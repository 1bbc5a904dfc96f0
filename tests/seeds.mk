# tests/seeds.mk
