/* login_oidc_jwt.c: the ID token (JWS signature with a pinned algorithm, iss, aud, azp, exp, iat, nonce) and the identity its claims give. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include <cjose/cjose.h>
#include <jansson.h>

#include "login_oidc_int.h"
#include "token.h"
#include "validate.h"

#define ID_TOKEN_MAX       16384
#define JWKS_REFETCH_MIN   30            /* an unknown kid refetches the JWKS at most this often */
#define CLOCK_LEEWAY       60
#define IAT_MAX_AGE        600           /* an ID token issued longer ago is not fresh */

/* ---- the ID token ---- */

static bool
try_keys(struct login_oidc *o, cjose_jws_t *jws, const char *alg, const char *kid)
{
	size_t i;
	bool rsa = strcmp(alg, "RS256") == 0;
	cjose_err ce;

	for (i = 0; i < o->nkeys; i++) {
		const struct jwk *w = &o->keys[i];

		if (w->rsa != rsa || (w->alg[0] && strcmp(w->alg, alg) != 0))
			continue;
		if (kid != NULL && strcmp(w->kid, kid) != 0)
			continue;
		if (cjose_jws_verify(jws, w->k, &ce))
			return true;
	}
	return false;
}

static bool
json_int(const json_t *o, const char *k, int64_t *v)
{
	json_t *x = json_object_get(o, k);

	if (!json_is_integer(x))
		return false;
	*v = (int64_t)json_integer_value(x);
	return true;
}

static bool
aud_ok(const json_t *c, const char *client_id)
{
	json_t *aud = json_object_get(c, "aud"), *v;
	const char *azp = login_oidc_jstr(c, "azp");
	size_t i, n;
	bool found = false;

	if (json_object_get(c, "azp") != NULL && (azp == NULL || strcmp(azp, client_id) != 0))
		return false;
	if (json_is_string(aud))
		return strcmp(json_string_value(aud), client_id) == 0;
	if (!json_is_array(aud) || (n = json_array_size(aud)) == 0)
		return false;
	json_array_foreach(aud, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), client_id) == 0)
			found = true;
	/* Several audiences: the one the token was issued to must be us (OIDC Core 3.1.3.7). */
	return found && (n == 1 || azp != NULL);
}

/* Verifies the ID token; on GK_OK *claims is its payload (caller decrefs). */
int
login_oidc_id_token_check(struct login_oidc *o, int64_t now, const char *tok, const char *nonce,
    json_t **claims, const char **reason, struct gk_err *err)
{
	cjose_jws_t *jws;
	cjose_err ce;
	json_t *hdr, *c = NULL, *v;
	const char *alg, *kid, *key, *s;
	uint8_t *pt = NULL;
	size_t ptlen = 0;
	int64_t exp, iat, nbf;
	json_error_t je;
	bool ok;

	*claims = NULL;
	*reason = "id-token-malformed";
	if (tok == NULL || strlen(tok) > ID_TOKEN_MAX)
		return gk_err_set(err, "no ID token, or one over %d bytes", ID_TOKEN_MAX), GK_EINVAL;
	jws = cjose_jws_import(tok, strlen(tok), &ce);
	if (jws == NULL)
		return gk_err_set(err, "ID token: %s", ce.message ? ce.message : "unreadable"), GK_EINVAL;
	hdr = (json_t *)cjose_jws_get_protected(jws);
	alg = login_oidc_jstr(hdr, "alg");
	kid = login_oidc_jstr(hdr, "kid");
	*reason = "id-token-alg";
	/* Pinned algorithms: never none, never HS* (a public key must not become an HMAC key). */
	if (alg == NULL || (strcmp(alg, "RS256") != 0 && strcmp(alg, "ES256") != 0)) {
		gk_err_set(err, "ID token alg '%.20s' refused (RS256 or ES256 only)", alg ? alg : "");
		goto fail;
	}
	json_object_foreach(hdr, key, v) {
		if (strcmp(key, "crit") == 0) {
			gk_err_set(err, "ID token header has crit");
			goto fail;
		}
	}
	if (json_object_get(hdr, "kid") != NULL && kid == NULL) {
		gk_err_set(err, "ID token kid is not a string");
		goto fail;
	}
	*reason = "provider-unreachable";
	if ((o->nkeys == 0 || now - o->jwks_time >= CACHE_TTL) && login_oidc_jwks_fetch(o, now, err) != GK_OK)
		goto fail;
	ok = try_keys(o, jws, alg, kid);
	if (!ok && now - o->jwks_time >= JWKS_REFETCH_MIN) {
		/* The provider may have rotated its keys. */
		if (login_oidc_jwks_fetch(o, now, err) != GK_OK)
			goto fail;
		ok = try_keys(o, jws, alg, kid);
	}
	*reason = "id-token-signature";
	if (!ok) {
		gk_err_set(err, "ID token signature does not verify with any key of the provider's JWKS");
		goto fail;
	}
	*reason = "id-token-malformed";
	if (!cjose_jws_get_plaintext(jws, &pt, &ptlen, &ce) || pt == NULL) {
		gk_err_set(err, "ID token payload unreadable");
		goto fail;
	}
	c = json_loadb((const char *)pt, ptlen, JSON_REJECT_DUPLICATES, &je);
	if (!json_is_object(c)) {
		gk_err_set(err, "ID token payload is not a JSON object");
		goto fail;
	}
	*reason = "id-token-claims";
	s = login_oidc_jstr(c, "iss");
	if (s == NULL || strcmp(s, o->issuer) != 0) {
		*reason = "wrong-issuer";
		gk_err_set(err, "ID token iss '%.100s' is not the issuer", s ? s : "");
		goto fail;
	}
	if (!aud_ok(c, o->client_id)) {
		*reason = "wrong-audience";
		gk_err_set(err, "ID token aud/azp is not our client_id");
		goto fail;
	}
	if (!json_int(c, "exp", &exp) || !json_int(c, "iat", &iat)) {
		gk_err_set(err, "ID token without integer exp and iat");
		goto fail;
	}
	if (now >= exp + CLOCK_LEEWAY) {
		*reason = "id-token-expired";
		gk_err_set(err, "ID token expired");
		goto fail;
	}
	if (iat > now + CLOCK_LEEWAY || iat < now - IAT_MAX_AGE ||
	    (json_int(c, "nbf", &nbf) && nbf > now + CLOCK_LEEWAY) ||
	    (json_object_get(c, "nbf") != NULL && !json_is_integer(json_object_get(c, "nbf")))) {
		gk_err_set(err, "ID token iat/nbf out of range (clock skew or a replayed token)");
		goto fail;
	}
	s = login_oidc_jstr(c, "sub");
	if (s == NULL || *s == '\0' || strlen(s) > LOGIN_OIDC_SUB_MAX) {
		gk_err_set(err, "ID token without a usable sub");
		goto fail;
	}
	s = login_oidc_jstr(c, "nonce");
	if (s == NULL || strlen(s) != strlen(nonce) || !gk_ct_equal(s, nonce, strlen(nonce))) {
		*reason = "wrong-nonce";
		gk_err_set(err, "ID token nonce does not match this browser's sign-in");
		goto fail;
	}
	cjose_jws_release(jws);
	*claims = c;
	return GK_OK;
fail:
	json_decref(c);
	cjose_jws_release(jws);
	return GK_EINVAL;
}

/* ---- claims to an identity ---- */

static bool
domain_allowed(const struct login_oidc *o, const char *email)
{
	const char *dom = strrchr(email, '@');
	size_t i;

	if (o->any_domain)
		return true;
	if (dom == NULL)
		return false;
	for (i = 0; i < o->domains.count; i++)
		if (strcmp(dom + 1, o->domains.items[i]) == 0)
			return true;
	return false;
}

static bool
user_listed(const struct login_oidc *o, const char *email)
{
	size_t i;

	for (i = 0; i < o->users.count; i++)
		if (strcmp(email, o->users.items[i]) == 0)
			return true;
	return false;
}

static void
add_group(struct login_oidc *o, struct login_oidc_id *id, const char *g)
{
	size_t n = strlen(g), have = strlen(id->groups);
	char esc[GK_GROUP_MAX * 4 + 8];

	if (!gk_valid_group(g, n)) {
		gk_log(o->log, LOG_WARNING, "oidc: dropped group claim value '%s' for %s: not a valid "
		    "group name", gk_log_escape(g, esc, sizeof(esc)), id->email);
		return;
	}
	if (gk_groups_contains(id->groups, g))
		return;
	if (have + n + 2 > sizeof(id->groups)) {
		gk_log(o->log, LOG_WARNING, "oidc: dropped group '%s' for %s: group list full",
		    gk_log_escape(g, esc, sizeof(esc)), id->email);
		return;
	}
	if (have > 0)
		id->groups[have++] = ',';
	memcpy(id->groups + have, g, n + 1);
}

static void
map_groups(struct login_oidc *o, const json_t *claims, struct login_oidc_id *id)
{
	json_t *g, *v;
	size_t i;

	if (o->groups_claim[0] == '\0')
		return;
	id->groups_mapped = true;
	g = json_object_get(claims, o->groups_claim);
	if (g == NULL)
		return;             /* no claim: the user is in no group */
	if (json_is_string(g)) {
		struct gk_strlist l;

		if (gk_strlist_parse(json_string_value(g), &l) == GK_OK) {
			for (i = 0; i < l.count; i++)
				add_group(o, id, l.items[i]);
			gk_strlist_free(&l);
		}
		return;
	}
	if (!json_is_array(g)) {
		gk_log(o->log, LOG_WARNING, "oidc: group claim %s for %s is neither a list nor a string; "
		    "ignored", o->groups_claim, id->email);
		return;
	}
	json_array_foreach(g, i, v) {
		if (json_is_string(v))
			add_group(o, id, json_string_value(v));
		else
			gk_log(o->log, LOG_WARNING, "oidc: dropped a non-string group claim value for %s",
			    id->email);
	}
}

uint32_t
login_oidc_amr(const json_t *c)
{
	const json_t *a = json_object_get(c, "amr"), *v;
	uint32_t second = 0;
	bool mfa = false, knows = false;
	size_t i;

	if (!json_is_array(a) || json_array_size(a) > 32)
		return 0;       /* absent, not a list, or absurd: password level */
	json_array_foreach(a, i, v) {
		const char *s = json_string_value(v);

		if (s == NULL)
			continue;
		if (strcmp(s, "hwk") == 0)
			second |= GK_AMR_HWK;
		else if (strcmp(s, "otp") == 0 || strcmp(s, "swk") == 0)
			second |= GK_AMR_OTP;
		else if (strcmp(s, "mfa") == 0)
			mfa = true;
		else if (strcmp(s, "pwd") == 0 || strcmp(s, "pin") == 0)
			knows = true;
	}
	/* A lone key or code is one factor (a security key without PIN): two, or "mfa", it must say. */
	if (mfa)
		return GK_AMR_PWD | (second != 0 ? second : GK_AMR_OTP);
	return knows && second != 0 ? (GK_AMR_PWD | second) : 0;
}

int
login_oidc_identity(struct login_oidc *o, const json_t *c, struct login_oidc_id *id, const char **reason,
    struct gk_err *err)
{
	const char *email = login_oidc_jstr(c, "email"), *s;

	memset(id, 0, sizeof(*id));
	snprintf(id->sub, sizeof(id->sub), "%s", login_oidc_jstr(c, "sub") ? login_oidc_jstr(c, "sub") : "");
	*reason = "no-email";
	if (email == NULL || gk_strcpy(id->email, sizeof(id->email), email) != GK_OK ||
	    !gk_valid_email(id->email, strlen(id->email)))
		return gk_err_set(err, "the provider gave no usable e-mail address (scope email?)"),
		    GK_EINVAL;
	login_oidc_lower(id->email);
	*reason = "email-unverified";
	if (!json_is_true(json_object_get(c, "email_verified")))
		return gk_err_set(err, "e-mail %s is not verified by the provider", id->email),
		    GK_EINVAL;
	if (!user_listed(o, id->email) && !domain_allowed(o, id->email)) {
		*reason = o->domains.count > 0 ? "domain-not-authorized" : "user-not-authorized";
		return gk_err_set(err, "e-mail %s is not in oidc_authorized_users or "
		    "oidc_authorized_domains", id->email), GK_EINVAL;
	}
	*reason = "bad-username";
	if (o->username_email) {
		gk_strcpy(id->user, sizeof(id->user), id->email);
	} else {
		s = login_oidc_jstr(c, "preferred_username");
		if (s == NULL || gk_strcpy(id->user, sizeof(id->user), s) != GK_OK)
			return gk_err_set(err, "no usable preferred_username for %s", id->email),
			    GK_EINVAL;
	}
	if (!gk_valid_user(id->user, strlen(id->user)))
		return gk_err_set(err, "'%s' is not a valid user name", id->email), GK_EINVAL;
	s = login_oidc_jstr(c, "name");
	if (s != NULL && gk_valid_display(s, strlen(s)))
		gk_strcpy(id->display, sizeof(id->display), s);
	map_groups(o, c, id);
	return GK_OK;
}
