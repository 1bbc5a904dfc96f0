# man/local.mk: mdoc pages; each page's owner adds it here.
