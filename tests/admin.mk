# tests/admin.mk: gatekeep-passwd end to end (shell drivers over the built program).
ADMIN_TESTS = tests/admin_cli.sh tests/admin_import.sh tests/admin_concurrency.sh \
	tests/admin_prompt.sh tests/admin_man.sh tests/admin_lockout.sh
TESTS += $(ADMIN_TESTS)
dist_check_SCRIPTS += $(ADMIN_TESTS)
