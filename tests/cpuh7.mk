# tests/cpuh7.mk: the HTTP front's head reader, params and answers byte for byte (lib/httpreq, lib/httpconn).
GK_UNIT_TESTS += tests/t_httpfront
