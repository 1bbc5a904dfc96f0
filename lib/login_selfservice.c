/* login_selfservice.c: gatekeep-login's self-service account page: change the password, enrol or remove TOTP, new recovery codes; no JavaScript, CSRF-protected, every change re-authenticated. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "login_enrol.h"
#include "login_html.h"
#include "login_totp.h"
#include "form.h"
#include "qr.h"
#include "totp_store.h"

#define ENROL_TTL   600          /* seconds between showing the QR code and confirming it */
#define UNAVAILABLE "The account service is unavailable. Please try again later."

/*
 * What other helpers' account sections add: a label and the sibling path of
 * their page (passkeys, app passwords). The list ends with a NULL label.
 */
static const struct { const char *label, *seg; } account_links[] = {
	{ "Passkeys", "account/passkeys" },
	{ "App passwords", "account/tokens" },
	{ NULL, NULL }
};

struct acct_post {
	struct login_change head;       /* csrf, action, the current password */
	char newpw[GK_PASSWORD_MAX + 1];
	char newpw2[GK_PASSWORD_MAX + 1];
	char everywhere[8];
	char code[64];
	char enrol[256];
};

/* ---- HTML ---- */

/* <form> with the CSRF token and the action; the current password field when reauth. */
static void
form_open(struct rq *q, const char *mac, const char *action, bool reauth)
{
	login_html_form(q, mac, action);
	if (reauth)
		login_html_current_password(q, action);
}

static int
status_of(struct rq *q, const char *user, bool *on, size_t *left)
{
	struct login_ctx *ctx = q->ctx;
	struct gk_err err = { "" };
	int rc = GK_EIO;

	*on = false;
	*left = 0;
	if (ctx->cfg.user_backend != GK_USERBACKEND_GDBM)
		return GK_OK;     /* directory users have no credentials store: not enrolled */
	if (login_userdb(ctx) != NULL)
		rc = gk_totp_store_status(login_userdb(ctx), user, on, left, &err);
	else
		gk_strcpy(err.msg, sizeof(err.msg), "the user database cannot be opened");
	if (rc != GK_OK)
		gk_log(&ctx->log, LOG_ERR, "account page of user %s: %s", user, err.msg);
	return rc;
}

static void
overview(struct rq *q, int status, const struct gk_user *u, const char *note, const char *error)
{
	struct login_buf *b = &q->r.body;
	char mac[64], link[SELF_MAX + 64];
	bool on = false;
	size_t left = 0, i;

	if (status_of(q, u->name, &on, &left) != GK_OK) {
		login_message_page(q, 500, "Error", UNAVAILABLE);
		return;
	}
	login_csrf_page_token(q, mac, sizeof(mac));
	login_html_start(q, status, "Account", note, error);
	login_buf_puts(b, "<p>Signed in as <strong id=\"gk-user\">");
	login_buf_html(b, u->name);
	login_buf_puts(b, "</strong>. Every change asks for your current password.</p>\n");

	login_buf_puts(b, "<section id=\"gk-password\">\n<h2>Password</h2>\n");
	form_open(q, mac, "password", true);
	login_buf_puts(b, "<label for=\"gk-new\">New password</label>\n<input type=\"password\" "
	    "id=\"gk-new\" name=\"new\" autocomplete=\"new-password\" maxlength=\"256\" required>\n"
	    "<label for=\"gk-new2\">New password again</label>\n<input type=\"password\" "
	    "id=\"gk-new2\" name=\"new2\" autocomplete=\"new-password\" maxlength=\"256\" required>\n"
	    "<label><input type=\"checkbox\" name=\"everywhere\" value=\"1\"> Sign out every other "
	    "session</label>\n<button type=\"submit\">Change password</button>\n</form>\n</section>\n");

	login_buf_printf(b, "<section id=\"gk-totp\">\n<h2>Two-step verification</h2>\n<p id=\"gk-totp-status\">%s",
	    on ? "On: an authenticator app's code is asked after your password." :
	    "Off.");
	if (on)
		login_buf_printf(b, " %zu recovery codes left.", left);
	login_buf_puts(b, "</p>\n");
	if (on) {
		form_open(q, mac, "recovery-new", true);
		login_buf_puts(b, "<button type=\"submit\">New recovery codes</button>\n</form>\n");
	}
	if (!login_enrol_self(q->ctx)) {
		/* second_factor_enrol = admin: gatekeep-passwd sets it up and turns it off. */
		login_buf_puts(b, "<p id=\"gk-totp-admin\">Your administrator sets up two-step verification.</p>\n");
	} else if (!on) {
		form_open(q, mac, "totp-start", true);
		login_buf_puts(b, "<button type=\"submit\">Set up an authenticator app</button>\n</form>\n");
	} else {
		form_open(q, mac, "totp-remove", true);
		login_buf_puts(b, "<button type=\"submit\">Turn off two-step verification</button>\n</form>\n");
	}
	login_buf_puts(b, "</section>\n");

	/* The other sign-in methods' pages (passkeys, app passwords) list themselves here. */
	login_buf_puts(b, "<section id=\"gk-more\">\n<h2>Other sign-in methods</h2>\n<ul>\n");
	for (i = 0; account_links[i].label != NULL; i++) {
		if (strcmp(account_links[i].seg, "account/passkeys") == 0 && !q->ctx->cfg.passkeys)
			continue;     /* passkeys off: no link to a 404 */
		login_sibling(q, account_links[i].seg, link, sizeof(link));
		login_buf_puts(b, "<li><a href=\"");
		login_buf_html(b, link);
		login_buf_puts(b, "\">");
		login_buf_html(b, account_links[i].label);
		login_buf_puts(b, "</a></li>\n");
	}
	login_buf_puts(b, "</ul>\n</section>\n");
	login_sibling(q, "logout", link, sizeof(link));
	login_buf_puts(b, "<p><a href=\"");
	login_buf_html(b, link);
	login_buf_puts(b, "\">Sign out</a></p>\n");
	login_html_end(q);
}

static void
recovery_page(struct rq *q, const struct gk_totp_enrolment *e, const char *note)
{
	struct login_buf *b = &q->r.body;
	size_t i;

	login_html_start(q, 200, "Account", note, NULL);
	login_buf_puts(b, "<section id=\"gk-recovery\">\n<h2>Recovery codes</h2>\n<p>Each works once "
	    "instead of a code from the app. Keep them somewhere safe: they are not shown again.</p>\n<ul>\n");
	for (i = 0; i < GK_RECOVERY_COUNT; i++)
		login_buf_printf(b, "<li><code>%s</code></li>\n", e->recovery[i]);
	login_buf_puts(b, "</ul>\n</section>\n<p><a href=\"");
	login_buf_html(b, q->self);
	login_buf_puts(b, "\">Back to the account page</a></p>\n");
	login_html_end(q);
}

/* ---- the enrolment in progress: the seed, signed for this user, in the confirming form ---- */

static void
enrol_mac(const struct login_ctx *ctx, const char *user, const char *body, unsigned char mac[32])
{
	static const unsigned char label[] = "gatekeep-totp-enrol-v1";
	crypto_auth_hmacsha256_state st;

	crypto_auth_hmacsha256_init(&st, ctx->secret.key, ctx->secret.len);
	crypto_auth_hmacsha256_update(&st, label, sizeof(label));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)user, strlen(user) + 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, strlen(body));
	crypto_auth_hmacsha256_final(&st, mac);
	gk_wipe(&st, sizeof(st));
}

/* "base64url(seed).expiry.base64url(mac)" */
static void
enrol_token(const struct login_ctx *ctx, const char *user, const unsigned char *seed,
    int64_t exp, char *out, size_t outsz)
{
	char body[128], m[64];
	unsigned char mac[32];
	size_t n;

	sodium_bin2base64(body, sizeof(body), seed, GK_TOTP_SEED_LEN,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	n = strlen(body);
	snprintf(body + n, sizeof(body) - n, ".%lld", (long long)exp);
	enrol_mac(ctx, user, body, mac);
	sodium_bin2base64(m, sizeof(m), mac, sizeof(mac), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	snprintf(out, outsz, "%s.%s", body, m);
	gk_wipe(body, sizeof(body));
}

static bool
enrol_open(const struct login_ctx *ctx, const char *user, const char *tok, int64_t now,
    unsigned char seed[GK_TOTP_SEED_LEN])
{
	char body[128];
	unsigned char mac[32], want[32];
	const char *dot;
	size_t n, binlen = 0;
	long long exp;
	char *end;
	bool ok;

	dot = strrchr(tok, '.');
	if (dot == NULL || (size_t)(dot - tok) >= sizeof(body))
		return false;
	memcpy(body, tok, (size_t)(dot - tok));
	body[dot - tok] = '\0';
	if (sodium_base642bin(mac, sizeof(mac), dot + 1, strlen(dot + 1), NULL, &n, NULL,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 || n != sizeof(mac))
		return false;
	enrol_mac(ctx, user, body, want);
	ok = sodium_memcmp(mac, want, sizeof(mac)) == 0;
	dot = strchr(body, '.');
	if (!ok || dot == NULL)
		return false;
	exp = strtoll(dot + 1, &end, 10);
	if (*end != '\0' || exp < now)
		return false;
	ok = sodium_base642bin(seed, GK_TOTP_SEED_LEN, body, (size_t)(dot - body), NULL, &binlen,
	    NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0 && binlen == GK_TOTP_SEED_LEN;
	gk_wipe(body, sizeof(body));
	return ok;
}

static void
enrol_page(struct rq *q, const struct gk_user *u, const unsigned char *seed, const char *tok,
    const char *error)
{
	struct login_ctx *ctx = q->ctx;
	struct login_buf *b = &q->r.body;
	char uri[GK_TOTP_URI_MAX], b32[GK_TOTP_B32_MAX], mac[64], *svg = NULL, *img = NULL;
	size_t n;

	if (gk_totp_uri(seed, GK_TOTP_SEED_LEN, ctx->cfg.totp_issuer, u->name, uri, sizeof(uri)) != GK_OK ||
	    gk_totp_seed_b32(seed, GK_TOTP_SEED_LEN, b32, sizeof(b32)) != GK_OK ||
	    (svg = gk_qr_svg(uri)) == NULL ||
	    (img = malloc((n = sodium_base64_ENCODED_LEN(strlen(svg), sodium_base64_VARIANT_ORIGINAL)))) == NULL) {
		free(svg);
		login_message_page(q, 500, "Error", UNAVAILABLE);
		return;
	}
	sodium_bin2base64(img, n, (const unsigned char *)svg, strlen(svg), sodium_base64_VARIANT_ORIGINAL);
	login_csrf_page_token(q, mac, sizeof(mac));
	login_html_start(q, error != NULL ? 400 : 200, "Account", NULL, error);
	login_buf_puts(b, "<section id=\"gk-enrol\">\n<h2>Set up an authenticator app</h2>\n"
	    "<p>Scan this code with the app, or enter the key by hand.</p>\n"
	    "<p><img id=\"gk-qr\" alt=\"QR code of the authenticator key\" src=\"data:image/svg+xml;base64,");
	login_buf_puts(b, img);
	login_buf_puts(b, "\"></p>\n<p>Key: <code id=\"gk-secret\">");
	login_buf_html(b, b32);
	login_buf_puts(b, "</code></p>\n<p>Link: <code id=\"gk-uri\">");
	login_buf_html(b, uri);
	login_buf_puts(b, "</code></p>\n");
	form_open(q, mac, "totp-confirm", false);
	login_buf_puts(b, "<input type=\"hidden\" name=\"enrol\" value=\"");
	login_buf_html(b, tok);
	login_buf_puts(b, "\">\n<label for=\"gk-code\">Code from the app</label>\n<input type=\"text\" "
	    "id=\"gk-code\" name=\"code\" inputmode=\"numeric\" autocomplete=\"one-time-code\" "
	    "maxlength=\"6\" required>\n<button type=\"submit\">Turn on</button>\n</form>\n</section>\n");
	login_html_end(q);
	gk_wipe(uri, sizeof(uri));
	gk_wipe(b32, sizeof(b32));
	gk_wipe(svg, strlen(svg));
	gk_wipe(img, strlen(img));
	free(svg);
	free(img);
}

/* ---- changes ---- */

static int
set_password(struct rq *q, const char *user, const char *hash, bool bump, struct gk_user *out,
    struct gk_err *err)
{
	struct login_ctx *ctx = q->ctx;
	struct gk_userdb_txn *txn = NULL;
	int rc;

	rc = gk_userdb_begin(ctx->cfg.database, false, 5000, &txn, err);
	if (rc == GK_OK)
		rc = gk_userdb_txn_get(txn, user, out, err);
	if (rc == GK_OK) {
		gk_strcpy(out->hash, sizeof(out->hash), hash);
		out->updated = out->pw_changed = ctx->now();
		if (bump && ++out->generation == 0)
			out->generation = 1;
		rc = gk_userdb_txn_put(txn, out, err);
	}
	if (rc != GK_OK) {
		if (txn != NULL)
			gk_userdb_abort(txn);
		return rc;
	}
	return gk_userdb_commit(txn, err);
}

static void
do_password(struct rq *q, struct acct_post *f, const struct gk_user *u, const struct gk_claims *c)
{
	struct login_ctx *ctx = q->ctx;
	struct gk_err err = { "" };
	char hash[GK_HASH_MAX + 1], self[SELF_MAX + 1];
	struct gk_user nu;
	bool bump = strcmp(f->everywhere, "1") == 0;
	int rc;

	if (strcmp(f->newpw, f->newpw2) != 0) {
		overview(q, 400, u, NULL, "The new passwords differ.");
		return;
	}
	if (gk_pw_policy_check(GK_PW_PREFERRED, f->newpw, &err) != GK_OK) {
		overview(q, 400, u, NULL, err.msg);
		return;
	}
	rc = gk_pw_hash(ctx->auth.pw, GK_PW_PREFERRED, 0, f->newpw, hash, sizeof(hash), &err);
	if (rc == GK_OK)
		rc = set_password(q, u->name, hash, bump, &nu, &err);
	gk_wipe(hash, sizeof(hash));
	if (rc != GK_OK) {
		gk_log(&ctx->log, LOG_ERR, "password change of user %s: %s", u->name, err.msg);
		login_message_page(q, 500, "Error", UNAVAILABLE);
		return;
	}
	gk_log(&ctx->log, LOG_NOTICE, "password changed user=%s from=%s%s", u->name,
	    q->addr ? q->addr : "-", bump ? " (other sessions signed out)" : "");
	if (!bump) {
		overview(q, 200, u, "Password changed.", NULL);
	} else {
		/* The generation moved on: this browser gets a new session, as signed in as before. */
		q->amr = c->amr;
		gk_strcpy(self, sizeof(self), q->self);
		login_start_session(q, &nu, self, "account");
	}
	gk_wipe(&nu, sizeof(nu));
}

/* A change's outcome: rc GK_OK is logged as done (true); else the error is, and the 500 page set. */
static bool
stored(struct rq *q, const char *user, int rc, const struct gk_err *err, const char *what, const char *done)
{
	if (rc != GK_OK) {
		gk_log(&q->ctx->log, LOG_ERR, "%s of user %s: %s", what, user, err->msg);
		login_message_page(q, 500, "Error", UNAVAILABLE);
		return false;
	}
	gk_log(&q->ctx->log, LOG_NOTICE, "%s user=%s from=%s", done, user, q->addr ? q->addr : "-");
	return true;
}

static void
do_change(struct rq *q, struct acct_post *f, const struct gk_user *u, const struct gk_claims *c)
{
	struct login_ctx *ctx = q->ctx;
	struct gk_err err = { "" };
	struct gk_totp_enrolment e;
	char tok[256];
	uint64_t step = 0;
	bool replay;
	int rc;

	memset(&e, 0, sizeof(e));
	if (strcmp(f->head.action, "password") == 0) {
		do_password(q, f, u, c);
	} else if (strcmp(f->head.action, "totp-start") == 0) {
		gk_totp_seed_new(e.seed);
		enrol_token(ctx, u->name, e.seed, ctx->now() + ENROL_TTL, tok, sizeof(tok));
		enrol_page(q, u, e.seed, tok, NULL);
	} else if (strcmp(f->head.action, "totp-remove") == 0) {
		rc = gk_totp_store_remove(ctx->cfg.database, u->name, &err);
		if (stored(q, u->name, rc == GK_NOTFOUND ? GK_OK : rc, &err, "TOTP removal", "TOTP removed"))
			overview(q, 200, u, "Two-step verification is off.", NULL);
	} else if (strcmp(f->head.action, "recovery-new") == 0) {
		gk_totp_enrolment_new(&e);
		rc = gk_totp_store_recovery(ctx->cfg.database, u->name, &e, ctx->now(), &err);
		if (rc == GK_NOTFOUND)
			overview(q, 400, u, NULL, "Two-step verification is off.");
		else if (stored(q, u->name, rc, &err, "new recovery codes", "new recovery codes"))
			recovery_page(q, &e, "New recovery codes: the old ones no longer work.");
	} else if (strcmp(f->head.action, "totp-confirm") == 0) {
		if (!enrol_open(ctx, u->name, f->enrol, ctx->now(), e.seed)) {
			overview(q, 400, u, NULL, "This set-up has expired. Please start again.");
		} else if (gk_totp_check(e.seed, GK_TOTP_SEED_LEN, ctx->now(), f->code, 0, &step,
		    &replay) != GK_OK) {
			enrol_page(q, u, e.seed, f->enrol, "Incorrect code. Check the app's clock and try again.");
		} else {
			unsigned char seed[GK_TOTP_SEED_LEN];

			memcpy(seed, e.seed, sizeof(seed));
			gk_totp_enrolment_new(&e);
			memcpy(e.seed, seed, sizeof(seed));
			gk_wipe(seed, sizeof(seed));
			/* The confirming code's step is used: it cannot sign in a second time. */
			rc = gk_totp_store_enrol(ctx->cfg.database, u->name, &e, step, false, ctx->now(), &err);
			if (rc == GK_EDUP) {
				overview(q, 400, u, NULL, "Two-step verification is already on.");
			} else if (stored(q, u->name, rc, &err, "TOTP enrolment", "TOTP enrolled")) {
				/* The code just typed is a second factor: this session becomes a 2FA one (no code later). */
				q->amr = (c->amr != 0 ? c->amr : GK_AMR_PWD) | GK_AMR_OTP;
				if (login_session_cookie(q, u, "account"))
					recovery_page(q, &e, "Two-step verification is on.");
			}
		}
	} else {
		overview(q, 400, u, NULL, "Unknown request.");
	}
	gk_wipe(&e, sizeof(e));
	gk_wipe(tok, sizeof(tok));
}

/* The change after its checks: the form, CSRF, Origin, and the current password (lockout counted). */
static void
checked_change(struct rq *q, struct acct_post *f, const char *body, size_t len,
    const struct gk_user *u, const struct gk_claims *c)
{
	const struct login_field fields[] = { LOGIN_FIELD("new", f->newpw, false),
		LOGIN_FIELD("new2", f->newpw2, false), LOGIN_FIELD("everywhere", f->everywhere, false),
		LOGIN_FIELD("code", f->code, false), LOGIN_FIELD("enrol", f->enrol, false) };
	const char *msg = NULL;
	int status;

	status = login_change_form(q, u->name, body, len, &f->head, fields,
	    sizeof(fields) / sizeof(fields[0]), &msg);
	if (status != 0) {
		overview(q, status, u, NULL, msg);
		return;
	}
	/* second_factor_enrol = admin: no TOTP set-up or removal here (not even with the password). */
	if (strncmp(f->head.action, "totp-", 5) == 0 && login_enrol_self_refused(q, u))
		return;
	/* Fresh re-authentication: every change but the enrolment's confirmation (its start had it). */
	if (strcmp(f->head.action, "totp-confirm") != 0 &&
	    (status = login_reauth(q, u->name, f->head.password, true)) != 0) {
		if (status == 401)
			overview(q, 401, u, NULL, "Incorrect current password.");
		return;
	}
	do_change(q, f, u, c);
}

static void
account_post(struct rq *q, const char *body, size_t len, const struct gk_user *u,
    const struct gk_claims *c)
{
	struct acct_post *f = calloc(1, sizeof(*f));

	if (f == NULL) {
		login_message_page(q, 500, "Error", UNAVAILABLE);
		return;
	}
	checked_change(q, f, body, len, u, c);
	gk_freezero(f, sizeof(*f));
}

void
login_do_account(struct rq *q, const char *body, size_t len)
{
	struct login_ctx *ctx = q->ctx;
	struct gk_user u;
	struct gk_claims c;

	if (ctx->cfg.user_backend != GK_USERBACKEND_GDBM) {
		/*
		 * A directory user's password and second factor live in the directory: a change
		 * made here would land in the local database, which their sign-in never reads
		 * ("Password changed." while the old password still works).
		 */
		login_message_page(q, 404, "Error", "This account is managed in the directory, not here.");
		return;
	}
	if (!login_page_method_ok(q, "This address only takes the account forms."))
		return;
	if (!login_session_user(q, &u, &c)) {
		/* Not signed in: the sign-in form, back here afterwards. */
		login_form_page(q, 401, "Please sign in to manage your account.", "", q->self);
		return;
	}
	if (login_totp_code_first(q, u.name, c.amr))
		goto out;       /* enrolled, but this session has the password only: the code first */
	if (strcmp(q->method, "POST") == 0)
		account_post(q, body, len, &u, &c);
	else
		overview(q, 200, &u, NULL, NULL);
out:
	gk_wipe(&u, sizeof(u));
	gk_wipe(&c, sizeof(c));
}
