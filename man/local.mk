# man/local.mk: mdoc pages; each page's owner adds it here.
dist_man_MANS += man/gatekeep.7 man/gatekeep.conf.5
dist_man_MANS += man/gatekeep-passwd.1
dist_man_MANS += man/gatekeep-authz.8
dist_man_MANS += man/gatekeep-login.8
