# tests/logdef8.mk: the default log_level (notice): denials, sign-ins and sign-outs logged, allowed requests not.
LOGDEF8_TESTS = tests/logdef8_default.sh
TESTS += $(LOGDEF8_TESTS)
dist_check_SCRIPTS += $(LOGDEF8_TESTS)
