# tests/review9b.mk: the shipped web-server files keep gatekeep's cookies off the app's hop
# with a cookie_name of any allowed spelling.
REVIEW9B_TESTS = tests/review9b_cookiename.sh
TESTS += $(REVIEW9B_TESTS)
dist_check_SCRIPTS += $(REVIEW9B_TESTS)
