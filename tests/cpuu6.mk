# tests/cpuu6.mk: the session token cache (lib/sesscache) against gk_token_verify.
GK_UNIT_TESTS += tests/t_sesscache
