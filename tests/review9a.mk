# tests/review9a.mk: the HTTP front's reading of a CGI Status line, and the bsdicrypt cost bound.
GK_UNIT_TESTS += tests/t_review9a
