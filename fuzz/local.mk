# fuzz/local.mk: one fuzz target per parser. Always: replay/AFL drivers (check_PROGRAMS) that
# tests/fuzz_replay.sh runs over fuzz/corpus; with --enable-fuzzing (CC=clang): libFuzzer binaries
# linked against a coverage-instrumented copy of libgatekeep. See docs/fuzzing.md.
FUZZ_TARGETS = basic cookie token config record form redirect pathnorm request_header fcgiguard
FUZZ_DEP_LIBS = $(CRYPT_LIBS) $(SODIUM_LIBS) $(JANSSON_LIBS) $(GDBM_LIBS) $(APRUTIL_LIBS) $(PSL_LIBS) $(CURL_LIBS) $(SECCOMP_LIBS)

EXTRA_DIST += fuzz/corpus docs/fuzzing.md docs/fcgi-cve-2025-23016.md
TESTS += tests/fuzz_replay.sh tests/fcgi_hostile.sh
dist_check_SCRIPTS += tests/fuzz_replay.sh tests/fcgi_hostile.sh tests/fcgi_hostile.py

check_PROGRAMS += fuzz/replay_basic
fuzz_replay_basic_SOURCES = fuzz/fuzz_basic.c fuzz/fuzz.h
fuzz_replay_basic_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
fuzz_replay_basic_LDADD = $(GK_LIBS)

check_PROGRAMS += fuzz/replay_cookie
fuzz_replay_cookie_SOURCES = fuzz/fuzz_cookie.c fuzz/fuzz.h
fuzz_replay_cookie_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
fuzz_replay_cookie_LDADD = $(GK_LIBS)

check_PROGRAMS += fuzz/replay_token
fuzz_replay_token_SOURCES = fuzz/fuzz_token.c fuzz/fuzz.h
fuzz_replay_token_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
fuzz_replay_token_LDADD = $(GK_LIBS)

check_PROGRAMS += fuzz/replay_config
fuzz_replay_config_SOURCES = fuzz/fuzz_config.c fuzz/fuzz.h
fuzz_replay_config_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
fuzz_replay_config_LDADD = $(GK_LIBS)

check_PROGRAMS += fuzz/replay_record
fuzz_replay_record_SOURCES = fuzz/fuzz_record.c fuzz/fuzz.h
fuzz_replay_record_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
fuzz_replay_record_LDADD = $(GK_LIBS)

check_PROGRAMS += fuzz/replay_form
fuzz_replay_form_SOURCES = fuzz/fuzz_form.c fuzz/fuzz.h
fuzz_replay_form_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
fuzz_replay_form_LDADD = $(GK_LIBS)

check_PROGRAMS += fuzz/replay_redirect
fuzz_replay_redirect_SOURCES = fuzz/fuzz_redirect.c fuzz/fuzz.h
fuzz_replay_redirect_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
fuzz_replay_redirect_LDADD = $(GK_LIBS)

check_PROGRAMS += fuzz/replay_pathnorm
fuzz_replay_pathnorm_SOURCES = fuzz/fuzz_pathnorm.c fuzz/fuzz.h
fuzz_replay_pathnorm_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
fuzz_replay_pathnorm_LDADD = $(GK_LIBS)

check_PROGRAMS += fuzz/replay_request_header
fuzz_replay_request_header_SOURCES = fuzz/fuzz_request_header.c fuzz/fuzz.h
fuzz_replay_request_header_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
fuzz_replay_request_header_LDADD = $(GK_LIBS)

check_PROGRAMS += fuzz/replay_fcgiguard
fuzz_replay_fcgiguard_SOURCES = fuzz/fuzz_fcgiguard.c fuzz/fuzz.h
fuzz_replay_fcgiguard_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
fuzz_replay_fcgiguard_LDADD = $(GK_LIBS)

check_PROGRAMS += fuzz/replay_httpreq
fuzz_replay_httpreq_SOURCES = fuzz/fuzz_httpreq.c fuzz/fuzz.h
fuzz_replay_httpreq_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
fuzz_replay_httpreq_LDADD = $(GK_LIBS)

if FUZZING
# Coverage feedback needs the library itself instrumented, not only the target.
FUZZ_SAN = -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g
noinst_LIBRARIES += fuzz/libgatekeep-fuzz.a
fuzz_libgatekeep_fuzz_a_SOURCES = $(lib_libgatekeep_a_SOURCES)
fuzz_libgatekeep_fuzz_a_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS) $(FUZZ_SAN)
GK_FUZZ_CC = $(AM_CFLAGS) $(GK_DEP_CFLAGS) -DGK_LIBFUZZER -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g
GK_FUZZ_LINK = $(AM_LDFLAGS) -fsanitize=fuzzer,address,undefined
GK_FUZZ_LIBS = fuzz/libgatekeep-fuzz.a $(FUZZ_DEP_LIBS)

noinst_PROGRAMS += fuzz/fuzz_basic
fuzz_fuzz_basic_SOURCES = fuzz/fuzz_basic.c fuzz/fuzz.h
fuzz_fuzz_basic_CFLAGS = $(GK_FUZZ_CC)
fuzz_fuzz_basic_LDFLAGS = $(GK_FUZZ_LINK)
fuzz_fuzz_basic_LDADD = $(GK_FUZZ_LIBS)

noinst_PROGRAMS += fuzz/fuzz_cookie
fuzz_fuzz_cookie_SOURCES = fuzz/fuzz_cookie.c fuzz/fuzz.h
fuzz_fuzz_cookie_CFLAGS = $(GK_FUZZ_CC)
fuzz_fuzz_cookie_LDFLAGS = $(GK_FUZZ_LINK)
fuzz_fuzz_cookie_LDADD = $(GK_FUZZ_LIBS)

noinst_PROGRAMS += fuzz/fuzz_token
fuzz_fuzz_token_SOURCES = fuzz/fuzz_token.c fuzz/fuzz.h
fuzz_fuzz_token_CFLAGS = $(GK_FUZZ_CC)
fuzz_fuzz_token_LDFLAGS = $(GK_FUZZ_LINK)
fuzz_fuzz_token_LDADD = $(GK_FUZZ_LIBS)

noinst_PROGRAMS += fuzz/fuzz_config
fuzz_fuzz_config_SOURCES = fuzz/fuzz_config.c fuzz/fuzz.h
fuzz_fuzz_config_CFLAGS = $(GK_FUZZ_CC)
fuzz_fuzz_config_LDFLAGS = $(GK_FUZZ_LINK)
fuzz_fuzz_config_LDADD = $(GK_FUZZ_LIBS)

noinst_PROGRAMS += fuzz/fuzz_record
fuzz_fuzz_record_SOURCES = fuzz/fuzz_record.c fuzz/fuzz.h
fuzz_fuzz_record_CFLAGS = $(GK_FUZZ_CC)
fuzz_fuzz_record_LDFLAGS = $(GK_FUZZ_LINK)
fuzz_fuzz_record_LDADD = $(GK_FUZZ_LIBS)

noinst_PROGRAMS += fuzz/fuzz_form
fuzz_fuzz_form_SOURCES = fuzz/fuzz_form.c fuzz/fuzz.h
fuzz_fuzz_form_CFLAGS = $(GK_FUZZ_CC)
fuzz_fuzz_form_LDFLAGS = $(GK_FUZZ_LINK)
fuzz_fuzz_form_LDADD = $(GK_FUZZ_LIBS)

noinst_PROGRAMS += fuzz/fuzz_redirect
fuzz_fuzz_redirect_SOURCES = fuzz/fuzz_redirect.c fuzz/fuzz.h
fuzz_fuzz_redirect_CFLAGS = $(GK_FUZZ_CC)
fuzz_fuzz_redirect_LDFLAGS = $(GK_FUZZ_LINK)
fuzz_fuzz_redirect_LDADD = $(GK_FUZZ_LIBS)

noinst_PROGRAMS += fuzz/fuzz_pathnorm
fuzz_fuzz_pathnorm_SOURCES = fuzz/fuzz_pathnorm.c fuzz/fuzz.h
fuzz_fuzz_pathnorm_CFLAGS = $(GK_FUZZ_CC)
fuzz_fuzz_pathnorm_LDFLAGS = $(GK_FUZZ_LINK)
fuzz_fuzz_pathnorm_LDADD = $(GK_FUZZ_LIBS)

noinst_PROGRAMS += fuzz/fuzz_request_header
fuzz_fuzz_request_header_SOURCES = fuzz/fuzz_request_header.c fuzz/fuzz.h
fuzz_fuzz_request_header_CFLAGS = $(GK_FUZZ_CC)
fuzz_fuzz_request_header_LDFLAGS = $(GK_FUZZ_LINK)
fuzz_fuzz_request_header_LDADD = $(GK_FUZZ_LIBS)

noinst_PROGRAMS += fuzz/fuzz_fcgiguard
fuzz_fuzz_fcgiguard_SOURCES = fuzz/fuzz_fcgiguard.c fuzz/fuzz.h
fuzz_fuzz_fcgiguard_CFLAGS = $(GK_FUZZ_CC)
fuzz_fuzz_fcgiguard_LDFLAGS = $(GK_FUZZ_LINK)
fuzz_fuzz_fcgiguard_LDADD = $(GK_FUZZ_LIBS)

noinst_PROGRAMS += fuzz/fuzz_httpreq
fuzz_fuzz_httpreq_SOURCES = fuzz/fuzz_httpreq.c fuzz/fuzz.h
fuzz_fuzz_httpreq_CFLAGS = $(GK_FUZZ_CC)
fuzz_fuzz_httpreq_LDFLAGS = $(GK_FUZZ_LINK)
fuzz_fuzz_httpreq_LDADD = $(GK_FUZZ_LIBS)

endif
