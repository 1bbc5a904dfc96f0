# tests/evcore2.mk: issue 15 after the event core: the zero-hop session check in nginx
# (contrib/nginx/gatekeep.js, lib/ticket) and the hash pool of the event core.
GK_UNIT_TESTS += tests/t_ticket

EVCORE2_TESTS = tests/evcore2_zerohop.sh tests/evcore2_hashpool.sh
TESTS += $(EVCORE2_TESTS)
dist_check_SCRIPTS += $(EVCORE2_TESTS)
EXTRA_DIST += tests/evcore2/jwt.py tests/evcore2/stall.py
