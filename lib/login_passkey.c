/* login_passkey.c: signing in with a passkey: passwordless (a discoverable credential) and as the second factor after the password. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "creds.h"
#include "form.h"
#include "login_passkey.h"
#include "validate.h"

#define B64_MAX   2048               /* a base64url field of the ceremony's answer */
#define FAILED    "The passkey could not be used to sign in."
#define EXPIRED   "This sign-in page has expired. Please try again."
#define UNAVAIL   "The sign-in service is unavailable. Please try again later."

/* The form of an assertion (both modes). */
struct answer {
	char csrf[64], rd[GK_REDIRECT_MAX + 1], mode[8], user[GK_USER_MAX + 1];
	char challenge[128], id[B64_MAX], client_data[B64_MAX], auth_data[B64_MAX];
	char signature[256], user_handle[256];
	struct gk_user u;       /* the user signing in: wiped with the form */
};

/* The comma list of a user's passkey ids (base64url), for allowCredentials / excludeCredentials. */
void
login_passkey_allow_list(const struct gk_creds *c, char *out, size_t outsz)
{
	char one[GK_CRED_ID_MAX * 2];
	size_t i, used = 0;

	out[0] = '\0';
	for (i = 0; i < c->n; i++) {
		if (c->c[i].kind != GK_CRED_PASSKEY)
			continue;
		login_passkey_b64_encode(c->c[i].id, c->c[i].idlen, one, sizeof(one));
		if (used + strlen(one) + 2 > outsz)
			break;
		used += (size_t)snprintf(out + used, outsz - used, "%s%s", used ? "," : "", one);
	}
}

static struct gk_cred *
find_by_id(struct gk_creds *c, const unsigned char *id, size_t idlen)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->c[i].kind == GK_CRED_PASSKEY && c->c[i].idlen == idlen &&
		    gk_ct_equal(c->c[i].id, id, idlen))
			return &c->c[i];
	return NULL;
}

/* Shows the ceremony page for user (second factor) or for anybody (user NULL). */
static void
show_get(struct rq *q, int status, const char *error, const char *user, const char *allow,
    const char *rd)
{
	char mac[64], ch[128], action[SELF_MAX + 16];
	struct passkey_page p = { .title = user != NULL ? "Confirm with your passkey" : "Sign in with a passkey",
		.error = error, .mode = "get", .action = action, .csrf = mac, .rd = rd, .challenge = ch,
		.user = user, .allow = allow, .second = user != NULL };

	/* The second factor's page answers the password form's POST: it posts to <base>/passkey. */
	login_sibling(q, "passkey", action, sizeof(action));
	login_csrf_page_token(q, mac, sizeof(mac));
	login_passkey_challenge(q, user != NULL ? PK_SECOND : PK_SIGNIN, user != NULL ? user : "",
	    "", ch, sizeof(ch));
	login_passkey_page(q, status, &p);
}

/* The second-factor hook of the password form: true when it answered (the passkey step). */
bool
login_passkey_second_factor(struct rq *q, const struct gk_user *u, const char *rd)
{
	struct login_ctx *ctx = q->ctx;
	struct gk_creds *c;
	struct gk_err err = { "" };
	char allow[4096];
	int rc;

	if (!ctx->cfg.passkeys || !ctx->cfg.passkey_second_factor)
		return false;
	c = calloc(1, sizeof(*c));
	/* The password check has just opened the database; if it is gone, deny rather than skip. */
	rc = c == NULL || login_userdb(ctx) == NULL ? GK_ERR : gk_userdb_creds(login_userdb(ctx), u->name, c, &err);
	if (rc != GK_OK) {
		/* Fail closed: a user whose second factor cannot be read does not get in. */
		gk_log(&ctx->log, LOG_ERR, "passkeys of user=%s unreadable: %s", u->name, err.msg);
		login_message_page(q, 500, "Error", UNAVAIL);
		free(c);
		return true;
	}
	if (gk_creds_count(c, GK_CRED_PASSKEY) == 0) {
		free(c);
		return false;
	}
	login_passkey_allow_list(c, allow, sizeof(allow));
	gk_freezero(c, sizeof(*c));
	/* The new page needs the same nonce the password form used (the challenge is bound to it). */
	gk_log(&ctx->log, LOG_NOTICE, "password ok, passkey asked user=%s from=%s", u->name,
	    q->addr ? q->addr : "-");
	show_get(q, 200, NULL, u->name, allow, rd);
	return true;
}

/*
 * Verifies the assertion against user's passkey with that id, and records its counter,
 * flags and the challenge's time in the same transaction (check-and-set across workers).
 */
static int
verify_and_record(struct rq *q, const char *user, const struct answer *a, const unsigned char *ch,
    int64_t iat, uint8_t *verified_flags, const char **why)
{
	struct login_ctx *ctx = q->ctx;
	struct gk_userdb_txn *txn = NULL;
	struct gk_creds *c = NULL;
	struct gk_cred *one;
	struct gk_err err = { "" };
	struct gk_wa_rp rp;
	struct gk_wa_client_data client;
	char rpid[256];
	unsigned char id[GK_CRED_ID_MAX], cd[1536], ad[1536], sig[160];
	size_t idlen, cdlen, adlen, siglen;
	uint32_t count = 0;
	uint8_t flags = 0;
	int rc;

	if (!login_passkey_b64_decode(a->id, id, sizeof(id), &idlen) || idlen == 0 ||
	    !login_passkey_b64_decode(a->client_data, cd, sizeof(cd), &cdlen) ||
	    !login_passkey_b64_decode(a->auth_data, ad, sizeof(ad), &adlen) ||
	    !login_passkey_b64_decode(a->signature, sig, sizeof(sig), &siglen)) {
		*why = "passkey-malformed";
		return GK_EINVAL;
	}
	login_passkey_rp(ctx, &rp, rpid, sizeof(rpid));
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return GK_ERR;
	/*
	 * A read first: an id the user does not have costs no write transaction. Else anyone
	 * could take the database's write lock at will, and its time told existing users
	 * from unknown ones (about 240 against 140 us) to whoever posts made-up user handles.
	 */
	rc = login_userdb(ctx) == NULL ? GK_ERR : gk_userdb_creds(login_userdb(ctx), user, c, &err);
	if (rc == GK_OK && find_by_id(c, id, idlen) == NULL) {
		*why = "passkey-unknown";
		rc = GK_EINVAL;
		goto out;
	}
	if (rc == GK_OK)
		rc = gk_userdb_begin(ctx->cfg.database, false, 5000, &txn, &err);
	if (rc == GK_OK)
		rc = gk_userdb_txn_creds_get(txn, user, c, &err);
	if (rc != GK_OK) {
		gk_log(&ctx->log, LOG_ERR, "passkeys of user=%s unreadable: %s", user, err.msg);
		rc = GK_ERR;
		goto out;
	}
	one = find_by_id(c, id, idlen);
	if (one == NULL) {
		*why = "passkey-unknown";
		rc = GK_EINVAL;
		goto out;
	}
	client = (struct gk_wa_client_data){ ch, PASSKEY_CHALLENGE_LEN, cd, cdlen };
	rc = gk_webauthn_assert(&rp, &client, ad, adlen, sig, siglen, one->data, one->datalen,
	    one->counter, &count, &flags);
	if (rc == GK_WA_COUNTER)
		gk_log(&ctx->log, LOG_WARNING, "passkey counter did not grow (%u after %llu): a cloned "
		    "authenticator? user=%s passkey=%s from=%s", count, (unsigned long long)one->counter,
		    user, one->name, q->addr ? q->addr : "-");
	if (rc != GK_WA_OK) {
		*why = gk_webauthn_reason(rc);
		rc = GK_EINVAL;
		goto out;
	}
	/* Each challenge once per passkey: it must be newer than the last one answered. */
	if (iat <= one->last_used) {
		*why = "challenge-reused";
		rc = GK_EINVAL;
		goto out;
	}
	/*
	 * ... and once across machines: each machine's copy of the database knows only its
	 * own last_used, so with state_backend = redis the challenge is claimed there too
	 * (for longer than it lives: PASSKEY_CHALLENGE_TTL, clocks a minute apart).
	 */
	rc = gk_auth_claim_once(&ctx->auth, 'w', user, a->challenge, PASSKEY_CHALLENGE_TTL + 60,
	    &err);
	if (rc == GK_EDUP) {
		*why = "challenge-reused";
		rc = GK_EINVAL;
		goto out;
	}
	if (rc != GK_OK) {
		gk_log(&ctx->log, LOG_ERR, "passkey of user=%s: %s", user, err.msg);
		rc = GK_ERR;
		goto out;
	}
	one->counter = count;
	one->flags = flags;
	*verified_flags = flags;
	one->last_used = iat;
	rc = gk_userdb_txn_creds_put(txn, user, c, &err);
	if (rc == GK_OK) {
		rc = gk_userdb_commit(txn, &err);
		txn = NULL;
	}
	if (rc != GK_OK) {
		gk_log(&ctx->log, LOG_ERR, "passkey of user=%s not recorded: %s", user, err.msg);
		rc = GK_ERR;
	}
out:
	if (txn != NULL)
		gk_userdb_abort(txn);
	gk_freezero(c, sizeof(*c));
	return rc;
}

/*
 * The one place a passkey starts a session. Multi-factor: the password and the passkey,
 * or a passkey that verified its user (UV: a PIN or biometrics); a passwordless sign-in
 * with presence only is one factor. The session says so in its "amr" claim (RFC 8176):
 * pwd+hwk, hwk, or none (as an older cookie: no second factor for 2fa: rules).
 */
static void
start_session(struct rq *q, const struct gk_user *u, const char *rd, bool second, uint8_t flags)
{
	bool multi = second || (flags & GK_WA_FLAG_UV) != 0;

	q->amr = second ? (GK_AMR_PWD | GK_AMR_HWK) : multi ? GK_AMR_HWK : 0;

	login_start_session(q, u, rd, second ? "password+passkey" : multi ? "passkey+uv" : "passkey");
}

/* A refused assertion (or a ban): the password form for the second factor, else the passkey page. */
static void
refuse(struct rq *q, bool second, const char *rd)
{
	if (second)
		login_form_page(q, 401, FAILED, "", rd);
	else
		show_get(q, 401, FAILED, NULL, "", rd);
}

static void
signin_post(struct rq *q, const char *body, size_t len)
{
	struct login_ctx *ctx = q->ctx;
	struct answer *a;
	unsigned char ch[PASSKEY_CHALLENGE_LEN], handle[GK_USER_MAX + 1];
	char user[GK_USER_MAX + 1];
	size_t hlen = 0;
	int64_t iat = 0;
	const char *why = NULL;
	uint8_t flags = 0;
	enum gk_auth_status st;
	int64_t now;
	bool second;
	int rc;

	user[0] = '\0';
	a = calloc(1, sizeof(*a));
	if (a == NULL) {
		login_message_page(q, 500, "Error", UNAVAIL);
		return;
	}
	/* Every field optional: what is missing fails its own check below (CSRF, challenge...). */
	const struct login_field fields[] = { LOGIN_FIELD("csrf", a->csrf, false),
		LOGIN_FIELD("rd", a->rd, false), LOGIN_FIELD("mode", a->mode, false), LOGIN_FIELD("user", a->user, false),
		LOGIN_FIELD("challenge", a->challenge, false), LOGIN_FIELD("id", a->id, false),
		LOGIN_FIELD("client_data", a->client_data, false),
		LOGIN_FIELD("authenticator_data", a->auth_data, false), LOGIN_FIELD("signature", a->signature, false),
		LOGIN_FIELD("user_handle", a->user_handle, false) };

	if (!login_form_post_ok(q)) {
		login_message_page(q, 415, "Error", "The form was sent in an unexpected format.");
		goto out;
	}
	if (!login_form_read(body, len, fields, sizeof(fields) / sizeof(fields[0]))) {
		login_deny_log(q, NULL, "passkey-bad-form");
		show_get(q, 400, FAILED, NULL, "", "");
		goto out;
	}
	second = strcmp(a->mode, "2fa") == 0;
	if (!login_csrf_valid(q, a->csrf) || !login_origin_check(q, &why)) {
		login_deny_log(q, second ? a->user : NULL, why != NULL ? why : "csrf");
		q->csrf_cookie[0] = '\0';
		show_get(q, 403, EXPIRED, NULL, "", a->rd);
		goto out;
	}
	if (second) {
		/* The challenge is the proof that this browser gave the right password just now. */
		gk_strcpy(user, sizeof(user), a->user);
		rc = gk_valid_user(user, strlen(user)) ? login_passkey_challenge_check(q, PK_SECOND,
		    user, "", a->challenge, ch, &iat, &why) : (why = "bad-name", GK_EINVAL);
		if (rc != GK_OK) {
			login_deny_log(q, a->user, why);
			login_form_page(q, 403, EXPIRED, "", a->rd);
			goto out;
		}
	} else {
		if (login_passkey_challenge_check(q, PK_SIGNIN, "", "", a->challenge, ch, &iat,
		    &why) != GK_OK) {
			login_deny_log(q, NULL, why);
			show_get(q, 403, EXPIRED, NULL, "", a->rd);
			goto out;
		}
		/* Username-less: the user handle we gave the authenticator is the user name. */
		if (!login_passkey_b64_decode(a->user_handle, handle, sizeof(handle) - 1, &hlen) ||
		    hlen == 0 || !gk_valid_user((const char *)handle, hlen))
			hlen = 0;       /* counted against the address alone, below */
		memcpy(user, handle, hlen);
		user[hlen] = '\0';
	}
	/*
	 * The password's lockout (SECURITY.md): a ban, lock or throttle of this user or
	 * address refuses before the assertion is looked at, with the answer of a failed
	 * one; every assertion is counted as a failure until it verifies.
	 */
	now = ctx->now();
	st = gk_auth_attempt_begin(&ctx->auth, user[0] != '\0' ? user : NULL, q->addr, now);
	if (st != GK_AUTH_OK) {
		login_deny_log(q, user[0] != '\0' ? user : NULL, gk_auth_reason(st));
		refuse(q, second, a->rd);
		goto out;
	}
	if (user[0] == '\0') {
		login_deny_log(q, NULL, "passkey-bad-user-handle");
		refuse(q, second, a->rd);
		goto out;
	}
	rc = login_db_lookup(ctx, user, &a->u);
	if (rc != GK_OK || (a->u.flags & GK_USER_DISABLED)) {
		if (rc != GK_OK && rc != GK_NOTFOUND) {
			gk_auth_attempt_end(&ctx->auth, user, q->addr, now, GK_AUTH_DB_ERROR);
			login_message_page(q, 500, "Error", UNAVAIL);
			goto out;
		}
		login_deny_log(q, user, rc == GK_OK ? "disabled" : "unknown-user");
		refuse(q, second, a->rd);
		goto out;
	}
	rc = verify_and_record(q, a->u.name, a, ch, iat, &flags, &why);
	if (rc == GK_ERR) {
		gk_auth_attempt_end(&ctx->auth, user, q->addr, now, GK_AUTH_DB_ERROR);
		login_message_page(q, 500, "Error", UNAVAIL);
		goto out;
	}
	if (rc != GK_OK) {
		login_deny_log(q, a->u.name, why);
		refuse(q, second, a->rd);
		goto out;
	}
	gk_auth_attempt_end(&ctx->auth, a->u.name, q->addr, now, GK_AUTH_OK);
	start_session(q, &a->u, a->rd, second, flags);
out:
	gk_freezero(a, sizeof(*a));
}

void
login_passkey_signin(struct rq *q, const char *body, size_t len)
{
	char rd[GK_REDIRECT_MAX + 1];

	if (!q->ctx->cfg.passkeys) {
		login_message_page(q, 404, "Error", "Passkeys are not enabled here.");
		return;
	}
	if (!login_page_method_ok(q, "This address only takes a passkey."))
		return;
	if (strcmp(q->method, "POST") == 0)
		signin_post(q, body, len);
	else
		show_get(q, 200, NULL, NULL, "", login_query_rd(q, rd, sizeof(rd)));
}

/* Routes <base>/passkey and <base>/account/passkeys; the CSRF cookie keeps the login's path. */
bool
login_passkey_route(struct rq *q)
{
	static const char acct[] = "/account/passkeys", one[] = "/passkey";
	size_t n = strlen(q->self);

	if (n > sizeof(acct) - 1 && strcmp(q->self + n - (sizeof(acct) - 1), acct) == 0) {
		q->route = R_PASSKEYS;
		gk_memcpy_str(q->base, sizeof(q->base), q->self, n - (sizeof(acct) - 1));
	} else if (n >= sizeof(one) - 1 && strcmp(q->self + n - (sizeof(one) - 1), one) == 0) {
		q->route = R_PASSKEY;
		gk_memcpy_str(q->base, sizeof(q->base), q->self, n - (sizeof(one) - 1));
	} else
		return false;
	if (q->base[0] == '\0')
		gk_strcpy(q->base, sizeof(q->base), "/");
	return true;
}
