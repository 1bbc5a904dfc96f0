# cgi-bin/local.mk
