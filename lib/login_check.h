/* login_check.h: gatekeep-login --check-config: the files as the serving user, then the whole context loaded as that user. */
#ifndef GK_LOGIN_CHECK_H
#define GK_LOGIN_CHECK_H

#include <stdio.h>

/*
 * Loads the configuration at cfgpath (NULL: the default) and checks it like the server
 * would start: lib/deploycheck's checks as run_user (database, secret, state_dir and an
 * existing lockout table of that user's), then the whole sign-in context (template, OIDC,
 * lockout table) loaded in the same dropped child, so that run as root it never creates a
 * root-owned lockout table nor refuses run_user's own.  A state_dir that does not exist yet
 * (made at start) skips the context's load, with a note.  Problems go to out.  Returns how
 * many (0: the configuration is fine).
 */
int login_check_config(const char *cfgpath, FILE *out);

#endif
