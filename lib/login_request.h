/* login_request.h: one request inside gatekeep-login's lib/login_*.c modules (the mains use login.h): the per-request view and what the modules share. */
#ifndef GK_LOGIN_REQUEST_H
#define GK_LOGIN_REQUEST_H

#include <jansson.h>

#include "cookie.h"
#include "login.h"
#include "login_page.h"
#include "request.h"
#include "token.h"

#define SELF_MAX         1024

enum route { R_LOGIN, R_LOGOUT, R_WHOAMI, R_OIDC_START, R_OIDC_CALLBACK, R_ACCOUNT,
	R_PASSKEY, R_PASSKEYS,       /* passkeys: lib/login_passkey.h */
	R_TOKENS };                   /* app passwords: lib/login_tokens_page.h */

struct resp {
	int status;
	const char *ctype;
	struct login_buf hdr;
	struct login_buf body;
	char script_src[64];          /* CSP script-src of a page with a hashed inline script, "" = none */
};

/* Per-request view; everything here dies with the request (no state leaks to the next one). */
struct rq {
	struct login_ctx *ctx;
	struct gk_request req;
	const char *method;
	const char *addr;
	enum route route;
	char self[SELF_MAX + 1];      /* the path the browser used, for form actions */
	char base[SELF_MAX + 1];      /* self without the action segment: the CSRF cookie path */
	char csrf_cookie[64];         /* this request's CSRF nonce (reused or new) */
	bool csrf_new;
	uint32_t amr;                 /* how the session about to start was authenticated (GK_AMR_*) */
	struct resp r;
};

/* login_request.c: the request's fields, and its answer's headers. */
const char *login_param(const struct rq *q, const char *name);
/* A header value, or NULL when absent, duplicated or malformed. */
const char *login_header(const struct rq *q, const char *name);
/* A form post: Content-Type application/x-www-form-urlencoded (any case), parameters allowed. */
bool login_form_post_ok(const struct rq *q);

/* One field of a form: its name, where its value goes, and whether it must be there. */
struct login_field {
	const char *name;
	char *out;
	size_t outsz;
	bool required;          /* false: an absent field reads "" */
};
#define LOGIN_FIELD(name, buf, required) { (name), (buf), sizeof(buf), (required) }
/*
 * Reads the n fields of form body (lib/form) in order: false at the first one
 * that is missing while required, duplicated, too long or badly escaped.
 */
bool login_form_read(const char *body, size_t len, const struct login_field *fields, size_t n);

/*
 * The fields of a sign-in step's form: true, or false with the answer set (415
 * for another Content-Type; else the deny line and the sign-in form, 400, error).
 */
bool login_signin_form_read(struct rq *q, const char *body, size_t len,
    const struct login_field *fields, size_t n, const char *error);

/* What every form of a signed-in user's account pages carries. */
struct login_change {
	char csrf[64];
	char action[32];
	char password[GK_PASSWORD_MAX + 1];     /* the current one: every change re-authenticates */
};
/*
 * The checks before any change on an account page: Content-Type, the form
 * (head, then the page's own n fields), its CSRF token and Origin. 0 when all
 * pass; else the deny line is logged and 400 (unreadable form) or 403 (CSRF or
 * Origin; the nonce cookie is dropped) comes back with *msg for the page.
 */
int login_change_form(struct rq *q, const char *user, const char *body, size_t len,
    struct login_change *head, const struct login_field *more, size_t n, const char **msg);
/* rd (or redirect_uri) from the query string, "" when absent or unreadable; returns out. */
const char *login_query_rd(const struct rq *q, char *out, size_t outsz);
/* The deny line of a refused form (the stable fields fail2ban filters read). */
void login_deny_log(struct rq *q, const char *user, const char *reason);
/* Every header value is checked (CR/LF); a failure becomes a 500. */
void login_add_header(struct rq *q, const char *name, const char *value);
void login_set_cookie(struct rq *q, const char *name, const char *value, const char *domain,
    const char *path, long max_age, enum gk_samesite ss);
/*
 * The name (cookie_name + suffix) and the path (returned) of a cookie only the login
 * host sets: the CSRF nonce, the OIDC flow. Over HTTPS (cookie_secure) the name has the
 * "__Host-" prefix (in place of cookie_name's own) and the path is "/": a browser takes
 * such a cookie only Secure, without Domain and from this host, so a sibling subdomain
 * cannot plant one (cookie tossing). Over http: the plain name under the login path.
 */
const char *login_host_cookie(const struct rq *q, const char *suffix, char *name, size_t namesz);

/* login_reply.c: the answer. */
void login_show_page(struct rq *q, int status, struct login_vars *v);
/* A page of the template whose form posts back here: v's action and CSRF token filled in. */
void login_show_form(struct rq *q, int status, struct login_vars *v);
/* The sign-in form (with its CSRF cookie and, with OIDC, the provider link carrying rd). */
void login_form_page(struct rq *q, int status, const char *error, const char *user, const char *rd);
void login_message_page(struct rq *q, int status, const char *title, const char *msg);
/* Our own path with the last segment replaced ("/gatekeep/login" -> "/gatekeep/oidc"). */
void login_sibling(const struct rq *q, const char *seg, char *out, size_t outsz);
/* A page of forms takes GET, HEAD and POST: true, or false after a 405 (Allow, msg). */
bool login_page_method_ok(struct rq *q, const char *msg);
/* Sends j (consumed; NULL = out of memory). */
void login_json_reply(struct rq *q, int status, json_t *j);
/* 303 to rd when redirect_domains allows it, else to default_redirect (logged). */
void login_redirect_after(struct rq *q, const char *rd, const char *user);
/* 303 to location. */
void login_see_other(struct rq *q, const char *location);
/* 303 to the sign-in page's code step (login?2fa=1), back to this page afterwards. */
void login_code_step(struct rq *q);
/* Writes the whole CGI response (Status, security headers, body; none for HEAD) into out. */
void login_finish(struct rq *q, struct login_buf *out);


/* login_csrf.c: the form's token is HMAC(secret, nonce), the nonce in a SameSite=Strict cookie. */
void login_csrf_mac(const struct login_ctx *ctx, const char *nonce, char *out, size_t outsz);
/*
 * The form token of the page about to be shown, into out: the MAC of its nonce,
 * whose cookie goes out when the nonce is new (a good one is reused: other tabs).
 */
void login_csrf_page_token(struct rq *q, char *out, size_t outsz);
void login_csrf_clear_cookie(struct rq *q);
bool login_csrf_valid(struct rq *q, const char *field);
/* Origin / Sec-Fetch-Site / Referer (lib/origin): the CSRF defence that needs no cookie. */
bool login_origin_check(const struct rq *q, const char **why);

/* login_account.c: the user behind the request. */
/* Re-hashes a legacy hash with the preferred method; failing here never fails the login. */
void login_upgrade_hash(struct rq *q, const struct gk_user *u, const char *password);
/* Bumps the user's token generation: every issued session stops verifying. */
int login_bump_generation(struct rq *q, const char *user);
/* The session cookie, verified all the way (lib/auth): signature, claims, user, enabled, generation. */
bool login_session_user(struct rq *q, struct gk_user *u, struct gk_claims *c);
/* The one way a session starts (form and OIDC alike): token, cookie, allow line, redirect. */
void login_start_session(struct rq *q, const struct gk_user *u, const char *rd, const char *method);
/* Its cookie part (q->amr; no redirect: the caller answers); false = a 500 page is already set. */
bool login_session_cookie(struct rq *q, const struct gk_user *u, const char *method);
/*
 * Fresh re-authentication before a change: the current password of user,
 * counted by lockout like a sign-in (unless accept_token_shaped, a string shaped like an
 * app token is refused unheard). 0 when right; 401 with the deny line logged;
 * 500 with the error page already set.
 */
int login_reauth(struct rq *q, const char *user, const char *password, bool accept_token_shaped);

/* login_endpoints.c: the password endpoints. */
void login_do_login(struct rq *q, const char *body, size_t len);
void login_do_logout(struct rq *q, const char *body, size_t len);
void login_do_whoami(struct rq *q);

/* login_oidc_flow.c: the OpenID Connect / OAuth2 sign-in (off: 404). */
void login_oidc_start(struct rq *q);
void login_oidc_callback(struct rq *q);

#endif
