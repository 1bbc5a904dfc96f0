# admin/local.mk
