/* login_passkey_account.c: a signed-in user's passkeys at <base>/account/passkeys: list, add (the registration ceremony), remove; each change asks for the password again. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "creds.h"
#include "form.h"
#include "login_enrol.h"
#include "login_passkey.h"
#include "login_totp.h"

#define B64_MAX  2048
#define UNAVAIL  "The sign-in service is unavailable. Please try again later."

struct acct_form {
	char csrf[64], action[16], name[GK_CRED_NAME_MAX + 1], password[GK_PASSWORD_MAX + 1];
	char challenge[128], id[B64_MAX], client_data[B64_MAX], attestation[B64_MAX];
};

struct acct {
	struct gk_user u;
	struct gk_claims c;
	struct gk_creds creds;
	char mac[64];
	char allow[4096];
};

static bool
name_ok(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= GK_CRED_NAME_MAX && strspn(s,
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._@+-") == n;
}

/* The list page (status, error or message). */
static void
show_list(struct rq *q, struct acct *s, int status, const char *error, const char *message)
{
	struct passkey_page p;
	struct gk_err err = { "" };

	memset(&p, 0, sizeof(p));
	if (login_userdb(q->ctx) == NULL || gk_userdb_creds(login_userdb(q->ctx), s->u.name, &s->creds, &err) != GK_OK) {
		gk_log(&q->ctx->log, LOG_ERR, "passkeys of user=%s unreadable: %s", s->u.name, err.msg);
		login_message_page(q, 500, "Error", UNAVAIL);
		return;
	}
	login_csrf_page_token(q, s->mac, sizeof(s->mac));
	p.title = "Passkeys";
	p.error = error;
	p.message = message;
	p.csrf = s->mac;
	p.list = &s->creds;
	p.account = true;
	login_passkey_page(q, status, &p);
}

/* Step 1 of adding: the password again, then the registration ceremony. */
static void
add_begin(struct rq *q, struct acct *s, struct acct_form *f)
{
	struct login_ctx *ctx = q->ctx;
	struct passkey_page p;
	struct gk_err err = { "" };
	char ch[128], uid[GK_USER_MAX * 2];
	int status;

	if (!name_ok(f->name)) {
		show_list(q, s, 400, "A passkey name is 1 to 64 letters, digits or . _ @ + -.", NULL);
		return;
	}
	/* Fresh re-authentication, as on the account and tokens pages (an app token is no password). */
	if ((status = login_reauth(q, s->u.name, f->password, false)) != 0) {
		if (status == 401)
			show_list(q, s, 401, "The password was not right.", NULL);
		return;
	}
	if (login_userdb(ctx) == NULL || gk_userdb_creds(login_userdb(ctx), s->u.name, &s->creds, &err) != GK_OK) {
		gk_log(&ctx->log, LOG_ERR, "passkeys of user=%s unreadable: %s", s->u.name, err.msg);
		login_message_page(q, 500, "Error", UNAVAIL);
		return;
	}
	if (gk_creds_find(&s->creds, GK_CRED_PASSKEY, f->name) != NULL) {
		show_list(q, s, 409, "You already have a passkey of that name.", NULL);
		return;
	}
	login_passkey_allow_list(&s->creds, s->allow, sizeof(s->allow));
	/* The challenge carries the fresh password check to step 2: this browser, user, name, 2 min. */
	login_passkey_challenge(q, PK_REGISTER, s->u.name, f->name, ch, sizeof(ch));
	login_passkey_b64_encode((const unsigned char *)s->u.name, strlen(s->u.name), uid, sizeof(uid));
	login_csrf_mac(ctx, q->csrf_cookie, s->mac, sizeof(s->mac));
	memset(&p, 0, sizeof(p));
	p.title = "Add a passkey";
	p.message = "Your browser will now ask you to create the passkey.";
	p.mode = "create";
	p.action = q->self;
	p.csrf = s->mac;
	p.challenge = ch;
	p.user = s->u.name;
	p.user_id = uid;
	p.name = f->name;
	p.allow = s->allow;
	login_passkey_page(q, 200, &p);
}

/* Step 2: the authenticator's answer, verified and stored. */
static void
add_finish(struct rq *q, struct acct *s, struct acct_form *f)
{
	struct login_ctx *ctx = q->ctx;
	struct gk_wa_credential *wc;
	struct gk_wa_rp rp;
	struct gk_userdb_txn *txn = NULL;
	struct gk_cred one;
	struct gk_err err = { "" };
	unsigned char ch[PASSKEY_CHALLENGE_LEN], cd[1536], att[1536];
	char rpid[256];
	size_t cdlen, attlen, i;
	int64_t iat;
	const char *why = NULL;
	int rc;

	if (!name_ok(f->name) || login_passkey_challenge_check(q, PK_REGISTER, s->u.name, f->name,
	    f->challenge, ch, &iat, &why) != GK_OK) {
		login_deny_log(q, s->u.name, why != NULL ? why : "passkey-bad-name");
		show_list(q, s, 403, "This page has expired. Please start again.", NULL);
		return;
	}
	if (!login_passkey_b64_decode(f->client_data, cd, sizeof(cd), &cdlen) ||
	    !login_passkey_b64_decode(f->attestation, att, sizeof(att), &attlen)) {
		login_deny_log(q, s->u.name, "passkey-malformed");
		show_list(q, s, 400, "The passkey could not be added.", NULL);
		return;
	}
	wc = calloc(1, sizeof(*wc));
	if (wc == NULL) {
		login_message_page(q, 500, "Error", UNAVAIL);
		return;
	}
	login_passkey_rp(ctx, &rp, rpid, sizeof(rpid));
	rc = gk_webauthn_register(&rp, &(const struct gk_wa_client_data){ ch, sizeof(ch), cd, cdlen },
	    att, attlen, wc);
	if (rc != GK_WA_OK) {
		login_deny_log(q, s->u.name, gk_webauthn_reason(rc));
		show_list(q, s, 400, "The passkey could not be added.", NULL);
		free(wc);
		return;
	}
	memset(&one, 0, sizeof(one));
	one.kind = GK_CRED_PASSKEY;
	gk_strcpy(one.name, sizeof(one.name), f->name);
	one.created = ctx->now();
	one.generation = s->u.generation;
	one.flags = wc->flags;
	one.counter = wc->sign_count;
	one.idlen = wc->idlen;
	memcpy(one.id, wc->id, wc->idlen);
	one.datalen = wc->coselen;
	memcpy(one.data, wc->cose, wc->coselen);
	free(wc);
	rc = gk_userdb_begin(ctx->cfg.database, false, 5000, &txn, &err);
	if (rc == GK_OK)
		rc = gk_userdb_txn_creds_get(txn, s->u.name, &s->creds, &err);
	if (rc != GK_OK)
		goto fail;
	for (i = 0; i < s->creds.n; i++)
		if (s->creds.c[i].kind == GK_CRED_PASSKEY && s->creds.c[i].idlen == one.idlen &&
		    memcmp(s->creds.c[i].id, one.id, one.idlen) == 0) {
			gk_userdb_abort(txn);
			show_list(q, s, 409, "This passkey is registered already.", NULL);
			return;
		}
	rc = gk_creds_add(&s->creds, &one);
	if (rc == GK_EDUP || rc == GK_ETOOLONG) {
		gk_userdb_abort(txn);
		show_list(q, s, 409, rc == GK_EDUP ? "You already have a passkey of that name." :
		    "You have too many credentials; remove one first.", NULL);
		return;
	}
	if (rc == GK_OK)
		rc = gk_userdb_txn_creds_put(txn, s->u.name, &s->creds, &err);
	if (rc != GK_OK)
		goto fail;
	rc = gk_userdb_commit(txn, &err);
	txn = NULL;
	if (rc != GK_OK)
		goto fail;
	gk_log(&ctx->log, LOG_NOTICE, "passkey added user=%s passkey=%s from=%s", s->u.name,
	    one.name, q->addr ? q->addr : "-");
	show_list(q, s, 200, NULL, "The passkey was added.");
	return;
fail:
	if (txn != NULL)
		gk_userdb_abort(txn);
	gk_log(&ctx->log, LOG_ERR, "passkey of user=%s not stored: %s", s->u.name, err.msg);
	login_message_page(q, 500, "Error", UNAVAIL);
}

static void
remove_one(struct rq *q, struct acct *s, struct acct_form *f)
{
	struct login_ctx *ctx = q->ctx;
	struct gk_userdb_txn *txn = NULL;
	struct gk_err err = { "" };
	int rc, status;

	/* Fresh re-authentication, as on the account and tokens pages (an app token is no password). */
	if ((status = login_reauth(q, s->u.name, f->password, false)) != 0) {
		if (status == 401)
			show_list(q, s, 401, "The password was not right.", NULL);
		return;
	}
	rc = gk_userdb_begin(ctx->cfg.database, false, 5000, &txn, &err);
	if (rc == GK_OK)
		rc = gk_userdb_txn_creds_get(txn, s->u.name, &s->creds, &err);
	if (rc == GK_OK && gk_creds_remove(&s->creds, GK_CRED_PASSKEY, f->name) != GK_OK) {
		gk_userdb_abort(txn);
		show_list(q, s, 404, "You have no passkey of that name.", NULL);
		return;
	}
	if (rc == GK_OK)
		rc = gk_userdb_txn_creds_put(txn, s->u.name, &s->creds, &err);
	if (rc == GK_OK) {
		rc = gk_userdb_commit(txn, &err);
		txn = NULL;
	}
	if (rc != GK_OK) {
		if (txn != NULL)
			gk_userdb_abort(txn);
		gk_log(&ctx->log, LOG_ERR, "passkey of user=%s not removed: %s", s->u.name, err.msg);
		login_message_page(q, 500, "Error", UNAVAIL);
		return;
	}
	gk_log(&ctx->log, LOG_NOTICE, "passkey removed user=%s passkey=%s from=%s", s->u.name,
	    f->name, q->addr ? q->addr : "-");
	show_list(q, s, 200, NULL, "The passkey was removed.");
}

static void
account_post(struct rq *q, struct acct *s, const char *body, size_t len)
{
	struct acct_form *f = calloc(1, sizeof(*f));
	const char *why = NULL;

	if (f == NULL) {
		login_message_page(q, 500, "Error", UNAVAIL);
		return;
	}
	const struct login_field fields[] = { LOGIN_FIELD("csrf", f->csrf, false),
		LOGIN_FIELD("action", f->action, false), LOGIN_FIELD("name", f->name, false),
		LOGIN_FIELD("password", f->password, false), LOGIN_FIELD("challenge", f->challenge, false),
		LOGIN_FIELD("id", f->id, false), LOGIN_FIELD("client_data", f->client_data, false),
		LOGIN_FIELD("attestation", f->attestation, false) };

	if (!login_form_post_ok(q) || !login_form_read(body, len, fields, sizeof(fields) / sizeof(fields[0]))) {
		login_deny_log(q, s->u.name, "passkey-bad-form");
		show_list(q, s, 400, "The form was incomplete. Please try again.", NULL);
	} else if (!login_csrf_valid(q, f->csrf) || !login_origin_check(q, &why)) {
		login_deny_log(q, s->u.name, why != NULL ? why : "csrf");
		q->csrf_cookie[0] = '\0';
		show_list(q, s, 403, "This page has expired. Please try again.", NULL);
	} else if (strcmp(f->action, "begin") == 0)
		add_begin(q, s, f);
	else if (strcmp(f->action, "add") == 0)
		add_finish(q, s, f);
	else if (strcmp(f->action, "remove") == 0)
		remove_one(q, s, f);
	else
		show_list(q, s, 400, "Unknown action.", NULL);
	gk_wipe(f, sizeof(*f));
	free(f);
}

void
login_passkey_account(struct rq *q, const char *body, size_t len)
{
	struct acct *s;

	if (!q->ctx->cfg.passkeys) {
		login_message_page(q, 404, "Error", "Passkeys are not enabled here.");
		return;
	}
	if (!login_page_method_ok(q, "Use the forms of this page."))
		return;
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		login_message_page(q, 500, "Error", UNAVAIL);
		return;
	}
	if (!login_session_user(q, &s->u, &s->c)) {
		login_message_page(q, 401, "Passkeys", "Please sign in first.");
	} else if (login_totp_code_first(q, s->u.name, s->c.amr)) {
		;       /* a TOTP user's password-only session: the code first */
	} else if (login_enrol_second_first(q, &s->u, s->c.amr)) {
		;       /* a second factor applies and this session has none: never a passkey from a password */
	} else if (strcmp(q->method, "POST") == 0)
		account_post(q, s, body, len);
	else
		show_list(q, s, 200, NULL, NULL);
	gk_wipe(s, sizeof(*s));
	free(s);
}
