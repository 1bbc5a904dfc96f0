# tests/tofu8.mk: second-factor enrolment (who adds a method that passes for a second factor,
# second_factor_enrol), the pending code step's user, --export/--import's user times, __Host- cookies.
TOFU8_TESTS = tests/tofu8_enrol.sh tests/tofu8_export.sh tests/tofu8_cookies.sh
TESTS += $(TOFU8_TESTS)
dist_check_SCRIPTS += $(TOFU8_TESTS)
