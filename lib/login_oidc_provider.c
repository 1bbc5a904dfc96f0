/* login_oidc_provider.c: what gatekeep-login asks the identity provider over HTTP: discovery, JWKS, the token request, userinfo, GitHub's API. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjose/cjose.h>
#include <curl/curl.h>
#include <jansson.h>
#include <sodium.h>

#include "login_http.h"
#include "login_oidc_int.h"

static void
set_str(char **slot, const char *v)
{
	char *c = strdup(v);

	if (c != NULL) {
		free(*slot);
		*slot = c;
	}
}

/* Puts what in front of err's message ("JWKS: " and libcurl's reason). */
static void
err_prefix(struct gk_err *err, const char *what)
{
	char m[sizeof(err->msg)];

	memcpy(m, err->msg, sizeof(m));
	gk_err_set(err, "%s: %s", what, m);
}

/* ---- discovery and JWKS ---- */

int
login_oidc_discover(struct login_oidc *o, int64_t now, const char **reason, struct gk_err *err)
{
	char url[2200];
	struct login_http h;
	json_t *d = NULL;
	const char *s;
	size_t n;
	int rc;
	struct {
		const char *key;
		const char *cfg;
		char **slot;
		bool required;
	} eps[] = {
		{ "authorization_endpoint", o->cfg_auth, &o->auth, true },
		{ "token_endpoint", o->cfg_token, &o->token, true },
		{ "userinfo_endpoint", o->cfg_userinfo, &o->userinfo, false },
		{ "jwks_uri", o->cfg_jwks, &o->jwks_uri, true },
	};
	size_t i;

	if (o->provider == GK_OIDC_GITHUB)
		return GK_OK;
	if (o->disc_time != 0 && now - o->disc_time < CACHE_TTL)
		return GK_OK;
	/* Everything configured by hand: no discovery document needed. */
	if (o->cfg_auth[0] && o->cfg_token[0] && o->cfg_jwks[0]) {
		o->disc_time = now;
		return GK_OK;
	}
	n = strlen(o->issuer);
	snprintf(url, sizeof(url), "%.*s/.well-known/openid-configuration",
	    (int)(n > 0 && o->issuer[n - 1] == '/' ? n - 1 : n), o->issuer);
	*reason = "provider-unreachable";
	if ((rc = login_http_do(url, NULL, NULL, NULL, &h, false, err)) != GK_OK) {
		err_prefix(err, "discovery document");
		return rc;
	}
	*reason = "bad-discovery";
	d = login_http_json(&h, err);
	login_http_free(&h);
	if (d == NULL || !json_is_object(d)) {
		json_decref(d);
		return GK_EINVAL;
	}
	/* OpenID Connect Discovery 1.0 s.4.3: the document names exactly our issuer. */
	s = login_oidc_jstr(d, "issuer");
	if (s == NULL || strcmp(s, o->issuer) != 0) {
		gk_err_set(err, "discovery document: issuer '%.100s' is not oidc_issuer", s ? s : "");
		json_decref(d);
		return GK_EINVAL;
	}
	for (i = 0; i < sizeof(eps) / sizeof(eps[0]); i++) {
		if (eps[i].cfg[0] != '\0')
			continue;
		s = login_oidc_jstr(d, eps[i].key);
		if (s == NULL) {
			if (!eps[i].required)
				continue;
			gk_err_set(err, "discovery document: no %s", eps[i].key);
			json_decref(d);
			return GK_EINVAL;
		}
		if (!login_url_allowed(s, err, eps[i].key)) {
			json_decref(d);
			return GK_EINVAL;
		}
		set_str(eps[i].slot, s);
	}
	/* client_secret_basic is the default (RFC 8414); use post only if basic is not offered. */
	{
		json_t *m = json_object_get(d, "token_endpoint_auth_methods_supported");
		size_t k;
		json_t *v;
		bool basic = !json_is_array(m), post = false;

		json_array_foreach(m, k, v) {
			if (json_is_string(v) && strcmp(json_string_value(v), "client_secret_basic") == 0)
				basic = true;
			if (json_is_string(v) && strcmp(json_string_value(v), "client_secret_post") == 0)
				post = true;
		}
		o->auth_basic = basic || !post;
	}
	json_decref(d);
	o->disc_time = now;
	return GK_OK;
}

int
login_oidc_jwks_fetch(struct login_oidc *o, int64_t now, struct gk_err *err)
{
	struct login_http h;
	json_t *d, *keys, *k;
	size_t i;
	int rc;

	if ((rc = login_http_do(o->jwks_uri, NULL, NULL, NULL, &h, false, err)) != GK_OK) {
		err_prefix(err, "JWKS");
		return rc;
	}
	d = login_http_json(&h, err);
	login_http_free(&h);
	keys = json_object_get(d, "keys");
	if (!json_is_array(keys)) {
		json_decref(d);
		return gk_err_set(err, "JWKS: no \"keys\" array"), GK_EINVAL;
	}
	login_oidc_keys_free(o);
	json_array_foreach(keys, i, k) {
		struct jwk *w;
		const char *kty = login_oidc_jstr(k, "kty"), *use = login_oidc_jstr(k, "use"), *alg = login_oidc_jstr(k, "alg");
		const char *kid = login_oidc_jstr(k, "kid"), *crv = login_oidc_jstr(k, "crv");
		char *txt;
		cjose_err ce;

		if (o->nkeys >= JWKS_KEYS_MAX || kty == NULL)
			continue;
		/* Signing keys only, and never a symmetric ("oct") one. */
		if (use != NULL && strcmp(use, "sig") != 0)
			continue;
		if (strcmp(kty, "RSA") != 0 && !(strcmp(kty, "EC") == 0 && crv != NULL &&
		    strcmp(crv, "P-256") == 0))
			continue;
		if (alg != NULL && strcmp(alg, "RS256") != 0 && strcmp(alg, "ES256") != 0)
			continue;
		txt = json_dumps(k, JSON_COMPACT);
		if (txt == NULL)
			continue;
		w = &o->keys[o->nkeys];
		memset(w, 0, sizeof(*w));
		w->k = cjose_jwk_import(txt, strlen(txt), &ce);
		free(txt);
		if (w->k == NULL)
			continue;
		w->rsa = strcmp(kty, "RSA") == 0;
		w->p256 = !w->rsa;
		snprintf(w->kid, sizeof(w->kid), "%s", kid != NULL ? kid : "");
		snprintf(w->alg, sizeof(w->alg), "%s", alg != NULL ? alg : "");
		o->nkeys++;
	}
	json_decref(d);
	o->jwks_time = now;
	if (o->nkeys == 0)
		return gk_err_set(err, "JWKS: no usable RS256/ES256 signing key"), GK_EINVAL;
	return GK_OK;
}

/* ---- the token request ---- */

static char *
form_add(char *buf, size_t *len, size_t cap, const char *k, const char *v)
{
	char *e = curl_easy_escape(NULL, v, 0);
	int n;

	if (e == NULL)
		return NULL;
	n = snprintf(buf + *len, cap - *len, "%s%s=%s", *len ? "&" : "", k, e);
	gk_wipe(e, strlen(e));
	curl_free(e);
	if (n < 0 || (size_t)n >= cap - *len)
		return NULL;
	*len += (size_t)n;
	return buf;
}

/* RFC 6749 2.3.1: client id and secret are form-encoded, then Basic. */
static int
basic_header(const struct login_oidc *o, char *out, size_t outsz)
{
	char *ei = curl_easy_escape(NULL, o->client_id, 0), *es = curl_easy_escape(NULL, o->secret, 0);
	char pair[3200];
	int rc = GK_ERR, n;

	if (ei != NULL && es != NULL) {
		n = snprintf(pair, sizeof(pair), "%s:%s", ei, es);
		if (n > 0 && (size_t)n < sizeof(pair) &&
		    sodium_base64_ENCODED_LEN((size_t)n, sodium_base64_VARIANT_ORIGINAL) + 22 < outsz) {
			memcpy(out, "Authorization: Basic ", 21);
			sodium_bin2base64(out + 21, outsz - 21, (const unsigned char *)pair, (size_t)n,
			    sodium_base64_VARIANT_ORIGINAL);
			rc = GK_OK;
		}
		gk_wipe(pair, sizeof(pair));
	}
	if (es != NULL)
		gk_wipe(es, strlen(es));
	curl_free(ei);
	curl_free(es);
	return rc;
}

int
login_oidc_token_request(struct login_oidc *o, const char *code, const char *verifier, json_t **resp,
    const char **reason, struct gk_err *err)
{
	char body[8192], auth[4600];
	size_t len = 0;
	struct login_http h;
	json_t *j;
	bool basic = o->auth_basic && o->secret[0] != '\0';
	int rc;

	*resp = NULL;
	*reason = "token-request";
	body[0] = '\0';
	if (form_add(body, &len, sizeof(body), "grant_type", "authorization_code") == NULL ||
	    form_add(body, &len, sizeof(body), "code", code) == NULL ||
	    form_add(body, &len, sizeof(body), "redirect_uri", o->redirect_uri) == NULL ||
	    form_add(body, &len, sizeof(body), "code_verifier", verifier) == NULL ||
	    form_add(body, &len, sizeof(body), "client_id", o->client_id) == NULL ||
	    (!basic && o->secret[0] != '\0' &&
	    form_add(body, &len, sizeof(body), "client_secret", o->secret) == NULL) ||
	    (basic && basic_header(o, auth, sizeof(auth)) != GK_OK)) {
		gk_wipe(body, sizeof(body));
		return gk_err_set(err, "token request too large");
	}
	rc = login_http_do(o->token, body, basic ? auth : NULL, NULL, &h, true, err);
	gk_wipe(body, sizeof(body));
	gk_wipe(auth, sizeof(auth));
	if (rc != GK_OK) {
		*reason = "provider-unreachable";
		err_prefix(err, "token endpoint");
		return rc;
	}
	*reason = "token-response";
	j = login_http_json(&h, err);
	login_http_free(&h);
	if (!json_is_object(j)) {
		json_decref(j);
		return GK_EINVAL;
	}
	if (json_object_get(j, "error") != NULL) {
		const char *e = login_oidc_jstr(j, "error");

		/* The error code is a fixed word of RFC 6749 s.5.2, safe to log (no description). */
		gk_err_set(err, "token endpoint refused the code: %.40s",
		    e != NULL && strspn(e, "abcdefghijklmnopqrstuvwxyz_") == strlen(e) ? e : "?");
		json_decref(j);
		return GK_EINVAL;
	}
	if (login_oidc_jstr(j, "access_token") == NULL) {
		gk_err_set(err, "token endpoint answer has no access_token");
		json_decref(j);
		return GK_EINVAL;
	}
	*resp = j;
	return GK_OK;
}

static json_t *
bearer_get(const char *url, const char *token, const char *accept, struct gk_err *err)
{
	char auth[4200];
	struct login_http h;
	json_t *j;
	int n;

	n = snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	if (n < 0 || (size_t)n >= sizeof(auth) || !login_oidc_word_ok(token, 4000))
		return gk_err_set(err, "access token unusable"), NULL;
	if (login_http_do(url, NULL, auth, accept, &h, false, err) != GK_OK) {
		gk_wipe(auth, sizeof(auth));
		return NULL;
	}
	gk_wipe(auth, sizeof(auth));
	j = login_http_json(&h, err);
	login_http_free(&h);
	return j;
}

/* Fills claims the ID token left out (email, email_verified, groups...) from the userinfo endpoint. */
int
login_oidc_merge_userinfo(struct login_oidc *o, json_t *claims, const char *access_token, const char **reason,
    struct gk_err *err)
{
	json_t *ui, *v;
	const char *k, *sub;

	if (o->userinfo[0] == '\0')
		return GK_OK;
	if (json_object_get(claims, "email") != NULL &&
	    json_object_get(claims, "email_verified") != NULL &&
	    (o->groups_claim[0] == '\0' || json_object_get(claims, o->groups_claim) != NULL) &&
	    (o->username_email || json_object_get(claims, "preferred_username") != NULL))
		return GK_OK;
	*reason = "userinfo";
	ui = bearer_get(o->userinfo, access_token, NULL, err);
	if (!json_is_object(ui)) {
		char m[sizeof(err->msg)];

		memcpy(m, err->msg, sizeof(m));
		gk_err_set(err, "userinfo: %s", ui == NULL ? m : "not a JSON object");
		json_decref(ui);
		return GK_EINVAL;
	}
	/* OIDC Core 5.3.2: the userinfo sub must be the ID token's, or the answer is not about this user. */
	sub = login_oidc_jstr(ui, "sub");
	if (sub == NULL || strcmp(sub, login_oidc_jstr(claims, "sub")) != 0) {
		json_decref(ui);
		return gk_err_set(err, "userinfo sub differs from the ID token's"), GK_EINVAL;
	}
	json_object_foreach(ui, k, v) {
		if (json_object_get(claims, k) == NULL)
			json_object_set(claims, k, v);
	}
	json_decref(ui);
	return GK_OK;
}

/* GitHub: /user and /user/emails become {sub, email, email_verified, preferred_username, name}. */
int
login_oidc_github_claims(struct login_oidc *o, const char *token, json_t **claims, const char **reason,
    struct gk_err *err)
{
	static const char accept[] = "application/vnd.github+json";
	char url[2200];
	json_t *u, *emails, *e, *c;
	const char *email = NULL;
	bool verified = false;
	json_int_t id;
	char sub[32];
	size_t i;

	*claims = NULL;
	*reason = "userinfo";
	u = bearer_get(o->userinfo, token, accept, err);
	if (!json_is_object(u) || !json_is_integer(json_object_get(u, "id"))) {
		json_decref(u);
		return gk_err_set(err, "GitHub user API: no user object"), GK_EINVAL;
	}
	snprintf(url, sizeof(url), "%s/emails", o->userinfo);
	emails = bearer_get(url, token, accept, err);
	if (!json_is_array(emails)) {
		json_decref(u);
		json_decref(emails);
		return gk_err_set(err, "GitHub e-mail API: no list"), GK_EINVAL;
	}
	/* The primary address, and only if GitHub has verified it. */
	json_array_foreach(emails, i, e) {
		if (json_is_true(json_object_get(e, "primary")) && login_oidc_jstr(e, "email") != NULL) {
			email = login_oidc_jstr(e, "email");
			verified = json_is_true(json_object_get(e, "verified"));
		}
	}
	id = json_integer_value(json_object_get(u, "id"));
	snprintf(sub, sizeof(sub), "%lld", (long long)id);
	c = json_pack("{s:s, s:b}", "sub", sub, "email_verified", verified);
	if (c != NULL && email != NULL)
		json_object_set_new(c, "email", json_string(email));
	if (c != NULL && login_oidc_jstr(u, "login") != NULL)
		json_object_set_new(c, "preferred_username", json_string(login_oidc_jstr(u, "login")));
	if (c != NULL && login_oidc_jstr(u, "name") != NULL)
		json_object_set_new(c, "name", json_string(login_oidc_jstr(u, "name")));
	json_decref(u);
	json_decref(emails);
	if (c == NULL)
		return gk_err_set(err, "out of memory"), GK_ERR;
	*claims = c;
	return GK_OK;
}
