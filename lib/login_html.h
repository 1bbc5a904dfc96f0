/* login_html.h: the pieces gatekeep-login's own pages (account, app passwords, passkeys) are built of (lib/login_html.c); every value HTML-escaped. */
#ifndef GK_LOGIN_HTML_H
#define GK_LOGIN_HTML_H

#include "login_request.h"

/*
 * Starts an HTML answer of status: the head (title and the realm, the one
 * style sheet of these pages), <main>, the <h1> title, then error
 * (role=alert) and note (role=status) when not empty.
 */
void login_html_start(struct rq *q, int status, const char *title, const char *note,
    const char *error);
/* Ends what login_html_start began. */
void login_html_end(struct rq *q);
/* <form method=post> to this page, with the CSRF token mac and the action as hidden fields. */
void login_html_form(struct rq *q, const char *mac, const char *action);
/* The current password's field of the form of action (a fresh re-authentication). */
void login_html_current_password(struct rq *q, const char *action);

#endif
