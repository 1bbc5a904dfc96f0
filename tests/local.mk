# tests/local.mk: the test harness; each area adds its tests in its own fragment.
EXTRA_DIST += tests/tap.h tests/lib.sh
VALGRIND_TESTS =
include tests/parse.mk
include tests/userdb.mk
include tests/config.mk
include tests/admin.mk
include tests/authz.mk
include tests/servers.mk
include tests/token.mk
include tests/login.mk
include tests/login_lib.mk
include tests/hardening.mk
include tests/seeds.mk
include tests/seams.mk
include tests/docsrun.mk
include tests/authzunit.mk
include tests/mains.mk
include tests/pkg.mk
include tests/ops.mk
include tests/evcore2.mk
include tests/review.mk
include tests/tokens.mk
include tests/attack.mk
