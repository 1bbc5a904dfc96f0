# fcgi/local.mk
