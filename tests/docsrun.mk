# tests/docsrun.mk: the README and the how-tos run as written (executable documentation).
TESTS += tests/docs_run.sh
dist_check_SCRIPTS += tests/docs_run.sh
EXTRA_DIST += tests/docs_run.py
