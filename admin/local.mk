# admin/local.mk: gatekeep-passwd, the htpasswd-compatible admin tool.
bin_PROGRAMS += admin/gatekeep-passwd
admin_gatekeep_passwd_SOURCES = \
	admin/gatekeep-passwd.c admin/passwd.h admin/util.c \
	admin/options.h admin/options.c admin/paths.c \
	admin/attrs.c admin/prompt.c admin/import.c admin/listing.c admin/bans.c admin/precheck.c \
	admin/tokens.c admin/creds_io.c admin/user_io.c admin/zerohop_key.c \
	admin/backend.c
admin_gatekeep_passwd_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
admin_gatekeep_passwd_LDADD = $(GK_LIBS)
admin_gatekeep_passwd_SOURCES += admin/totp.c
