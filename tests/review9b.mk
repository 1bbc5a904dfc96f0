# tests/review9b.mk: the shipped web-server files keep gatekeep's cookies off the app's hop
# with a cookie_name of any allowed spelling, and the Basic pair of every user it names.
REVIEW9B_TESTS = tests/review9b_cookiename.sh tests/review9b_apachebasic.sh
TESTS += $(REVIEW9B_TESTS)
dist_check_SCRIPTS += $(REVIEW9B_TESTS)
