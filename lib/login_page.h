/* login_page.h: the page template ({{name}} placeholders, {{#name}}...{{/name}} sections), always HTML-escaped. */
#ifndef GK_LOGIN_PAGE_H
#define GK_LOGIN_PAGE_H

#include "common.h"
#include "login_buf.h"

#define LOGIN_TEMPLATE_MAX (64 * 1024)

/*
 * Values for one page. NULL reads as "". A section {{#x}}..{{/x}} is shown
 * when x is a page flag that is set (login, logout, message) or a variable
 * that is not empty. Every value is HTML-escaped; the template cannot ask
 * for raw output.
 */
struct login_vars {
	const char *title, *realm, *action, *csrf, *rd, *user, *error, *message, *login_url;
	const char *oidc_url, *oidc_label;   /* the provider sign-in link; "" = no OIDC */
	const char *pending;                 /* the code step: signed state after the password (lib/login_totp.c) */
	const char *passkey_url;             /* the passkey sign-in link; "" = passkeys off */
	bool login, logout, code;
};

/* The built-in template (contrib/login/login.html, compiled in). */
const char *login_template_default(void);

/*
 * Checks a template: only known names, sections closed, no same-name
 * nesting, and the pieces the pages need ({{#login}}, {{#logout}},
 * {{#message}}, {{csrf}}, {{action}}).
 */
int login_template_check(const char *tpl, struct gk_err *err);

/* Loads and checks a template file (regular file, <= LOGIN_TEMPLATE_MAX); *out is malloc'ed. */
int login_template_load(const char *path, char **out, struct gk_err *err);

/* Renders tpl (already checked) with v into out. */
void login_render(const char *tpl, const struct login_vars *v, struct login_buf *out);

#endif
