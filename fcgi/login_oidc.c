/* login_oidc.c: OpenID Connect / OAuth2 sign-in for gatekeep-login: provider settings, HTTP, ID token checks. */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjose/cjose.h>
#include <curl/curl.h>
#include <jansson.h>
#include <sodium.h>

#include "login_http.h"
#include "login_oidc.h"
#include "validate.h"

#define ID_TOKEN_MAX       16384
#define CACHE_TTL          3600          /* discovery document and JWKS, seconds */
#define JWKS_REFETCH_MIN   30            /* an unknown kid refetches the JWKS at most this often */
#define JWKS_KEYS_MAX      32
#define CLOCK_LEEWAY       60
#define IAT_MAX_AGE        600           /* an ID token issued longer ago is not fresh */
#define SECRET_MAX         1024

struct jwk {
	cjose_jwk_t *k;
	char kid[256];
	char alg[16];       /* "" = not stated */
	bool rsa, p256;
};

struct login_oidc {
	enum gk_oidc_provider provider;
	const struct gk_log *log;
	char *client_id, *secret, *redirect_uri, *scopes, *label;
	char *issuer;                       /* "" for github */
	/* configured endpoints (may be "") and the ones in use (configured, else discovered) */
	char *cfg_auth, *cfg_token, *cfg_userinfo, *cfg_jwks;
	char *auth, *token, *userinfo, *jwks_uri;
	bool auth_basic;                    /* client_secret_basic (else client_secret_post) */
	int64_t disc_time;                  /* 0 = not fetched */
	struct jwk keys[JWKS_KEYS_MAX];
	size_t nkeys;
	int64_t jwks_time;
	struct gk_strlist domains, users;
	bool any_domain;
	bool username_email;
	char *groups_claim;
};

/* ---- small helpers ---- */

static char *
dup_or_empty(const char *s)
{
	return strdup(s != NULL ? s : "");
}

static void
set_str(char **slot, const char *v)
{
	char *c = strdup(v);

	if (c != NULL) {
		free(*slot);
		*slot = c;
	}
}

static void
lower(char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s + 32);
}

static const char *
provider_name(enum gk_oidc_provider p)
{
	switch (p) {
	case GK_OIDC_GOOGLE: return "Google";
	case GK_OIDC_GITLAB: return "GitLab";
	case GK_OIDC_GITHUB: return "GitHub";
	default: return "single sign-on";
	}
}

/* The last path segment of the redirect URI must be "callback": that is how we route it. */
static bool
redirect_uri_ok(const char *url, struct gk_err *err)
{
	CURLU *u;
	char *path = NULL, *q = NULL;
	size_t n;
	bool ok = false;

	if (!url_allowed(url, err, "oidc_redirect_uri"))
		return false;
	u = curl_url();
	if (u != NULL && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PATH, &path, 0) == CURLUE_OK && path != NULL) {
		curl_url_get(u, CURLUPART_QUERY, &q, 0);
		n = strlen(path);
		ok = q == NULL && n >= 9 && strcmp(path + n - 9, "/callback") == 0;
	}
	if (!ok)
		gk_err_set(err, "oidc_redirect_uri: the path must end in /callback and have no query "
		    "(https://auth.example.com/gatekeep/callback)");
	curl_free(path);
	curl_free(q);
	curl_url_cleanup(u);
	return ok;
}

static bool
word_ok(const char *s, size_t max)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > max)
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return false;
	return true;
}

/* ---- settings ---- */

int
login_oidc_read_secret(const struct gk_config *cfg, char *const *envp, char **out,
    struct gk_err *err)
{
	static const char var[] = "GATEKEEP_OIDC_CLIENT_SECRET=";
	char buf[SECRET_MAX + 2];
	const char *path = cfg->oidc_client_secret_file;
	struct stat st;
	ssize_t n;
	size_t i;
	int fd;

	*out = NULL;
	for (i = 0; envp != NULL && envp[i] != NULL; i++) {
		if (strncmp(envp[i], var, sizeof(var) - 1) == 0) {
			if (strlen(envp[i] + sizeof(var) - 1) > SECRET_MAX)
				return gk_err_set(err, "GATEKEEP_OIDC_CLIENT_SECRET is longer than %d bytes",
				    SECRET_MAX);
			*out = strdup(envp[i] + sizeof(var) - 1);
			return *out != NULL ? GK_OK : gk_err_set(err, "out of memory");
		}
	}
	if (path == NULL || *path == '\0')
		return GK_OK;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
	if (fd < 0)
		return gk_err_set(err, "oidc_client_secret_file %s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return gk_err_set(err, "oidc_client_secret_file %s: not a regular file", path);
	}
	if (st.st_mode & 0007) {
		close(fd);
		return gk_err_set(err, "oidc_client_secret_file %s: readable by others (chmod o-rwx)",
		    path);
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0 || n > SECRET_MAX) {
		gk_wipe(buf, sizeof(buf));
		return gk_err_set(err, "oidc_client_secret_file %s: unreadable or over %d bytes", path,
		    SECRET_MAX);
	}
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	if (n == 0 || strlen(buf) != (size_t)n || !word_ok(buf, SECRET_MAX)) {
		gk_wipe(buf, sizeof(buf));
		return gk_err_set(err, "oidc_client_secret_file %s: empty, or holds spaces or control "
		    "characters", path);
	}
	*out = strdup(buf);
	gk_wipe(buf, sizeof(buf));
	return *out != NULL ? GK_OK : gk_err_set(err, "out of memory");
}

static bool
scopes_have_openid(const char *s)
{
	struct gk_strlist l;
	size_t i;
	bool found = false;

	if (gk_strlist_parse(s, &l) != GK_OK)
		return false;
	for (i = 0; i < l.count; i++)
		if (strcmp(l.items[i], "openid") == 0)
			found = true;
	gk_strlist_free(&l);
	return found;
}

/* "a, b c" -> "a b c" (what the authorization request sends). */
static char *
scopes_norm(const char *s)
{
	struct gk_strlist l;
	size_t i, len = 1;
	char *out;

	if (gk_strlist_parse(s, &l) != GK_OK)
		return NULL;
	for (i = 0; i < l.count; i++)
		len += strlen(l.items[i]) + 1;
	out = calloc(1, len);
	for (i = 0; out != NULL && i < l.count; i++) {
		if (i > 0)
			strcat(out, " ");
		strcat(out, l.items[i]);
	}
	gk_strlist_free(&l);
	return out;
}

static int
lists_init(struct login_oidc *o, const struct gk_config *cfg, struct gk_err *err)
{
	size_t i;

	if (gk_strlist_parse(cfg->oidc_authorized_domains, &o->domains) != GK_OK ||
	    gk_strlist_parse(cfg->oidc_authorized_users, &o->users) != GK_OK)
		return gk_err_set(err, "oidc_authorized_domains/users: too many entries");
	for (i = 0; i < o->domains.count; i++) {
		char *d = o->domains.items[i];

		lower(d);
		if (strcmp(d, "*") == 0) {
			o->any_domain = true;
			continue;
		}
		if (d[0] == '@')
			memmove(d, d + 1, strlen(d));
		if (strchr(d, '.') == NULL || !word_ok(d, 253) ||
		    strspn(d, "abcdefghijklmnopqrstuvwxyz0123456789.-") != strlen(d))
			return gk_err_set(err, "oidc_authorized_domains: '%.80s' is not a domain name "
			    "(or '*' for every verified e-mail)", d);
	}
	for (i = 0; i < o->users.count; i++) {
		lower(o->users.items[i]);
		if (!gk_valid_email(o->users.items[i], strlen(o->users.items[i])))
			return gk_err_set(err, "oidc_authorized_users: '%.80s' is not an e-mail address",
			    o->users.items[i]);
	}
	if (o->domains.count == 0 && o->users.count == 0)
		return gk_err_set(err, "oidc_provider is set but neither oidc_authorized_domains nor "
		    "oidc_authorized_users is: say who may sign in ('*' = any verified e-mail)");
	return GK_OK;
}

int
login_oidc_new(const struct gk_config *cfg, const char *client_secret, const struct gk_log *log,
    struct login_oidc **out, struct gk_err *err)
{
	struct login_oidc *o;
	const char *issuer = cfg->oidc_issuer, *scopes = cfg->oidc_scopes;
	char label[160];

	*out = NULL;
	if (cfg->oidc_provider == GK_OIDC_NONE)
		return GK_NOTFOUND;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return gk_err_set(err, "libcurl initialisation failed");
	o = calloc(1, sizeof(*o));
	if (o == NULL)
		return gk_err_set(err, "out of memory");
	o->provider = cfg->oidc_provider;
	o->log = log;
	if (!word_ok(cfg->oidc_client_id, 255)) {
		gk_err_set(err, "oidc_client_id: required (printable, no spaces, at most 255 bytes)");
		goto fail;
	}
	if (!redirect_uri_ok(cfg->oidc_redirect_uri, err))
		goto fail;
	switch (o->provider) {
	case GK_OIDC_GOOGLE:
		if (*issuer == '\0')
			issuer = "https://accounts.google.com";
		break;
	case GK_OIDC_GITLAB:
		if (*issuer == '\0')
			issuer = "https://gitlab.com";
		break;
	case GK_OIDC_GITHUB:
		if (*issuer != '\0') {
			gk_err_set(err, "oidc_issuer: GitHub is not an OpenID provider; leave it empty");
			goto fail;
		}
		if (cfg->oidc_groups_claim[0] != '\0') {
			gk_err_set(err, "oidc_groups_claim: GitHub has no groups claim");
			goto fail;
		}
		if (client_secret == NULL || *client_secret == '\0') {
			gk_err_set(err, "GitHub needs a client secret (oidc_client_secret_file or "
			    "GATEKEEP_OIDC_CLIENT_SECRET)");
			goto fail;
		}
		break;
	default:
		if (*issuer == '\0') {
			gk_err_set(err, "oidc_issuer: required with oidc_provider = oidc");
			goto fail;
		}
		break;
	}
	if (o->provider != GK_OIDC_GITHUB && !url_allowed(issuer, err, "oidc_issuer"))
		goto fail;
	if (*scopes == '\0')
		scopes = o->provider == GK_OIDC_GITHUB ? "read:user user:email" : "openid email profile";
	if (o->provider != GK_OIDC_GITHUB && !scopes_have_openid(scopes)) {
		gk_err_set(err, "oidc_scopes: must include openid");
		goto fail;
	}
	if ((cfg->oidc_authorization_endpoint[0] != '\0' &&
	    !url_allowed(cfg->oidc_authorization_endpoint, err, "oidc_authorization_endpoint")) ||
	    (cfg->oidc_token_endpoint[0] != '\0' &&
	    !url_allowed(cfg->oidc_token_endpoint, err, "oidc_token_endpoint")) ||
	    (cfg->oidc_userinfo_endpoint[0] != '\0' &&
	    !url_allowed(cfg->oidc_userinfo_endpoint, err, "oidc_userinfo_endpoint")) ||
	    (cfg->oidc_jwks_uri[0] != '\0' && !url_allowed(cfg->oidc_jwks_uri, err, "oidc_jwks_uri")))
		goto fail;
	if (strcmp(cfg->oidc_username_claim, "email") == 0)
		o->username_email = true;
	else if (strcmp(cfg->oidc_username_claim, "preferred_username") != 0) {
		gk_err_set(err, "oidc_username_claim: email or preferred_username");
		goto fail;
	}
	if (cfg->oidc_groups_claim[0] != '\0' && !word_ok(cfg->oidc_groups_claim, 64)) {
		gk_err_set(err, "oidc_groups_claim: a claim name (no spaces, at most 64 bytes)");
		goto fail;
	}
	if (lists_init(o, cfg, err) != GK_OK)
		goto fail;
	if (cfg->oidc_button_label[0] != '\0')
		snprintf(label, sizeof(label), "%.150s", cfg->oidc_button_label);
	else
		snprintf(label, sizeof(label), "Sign in with %s", provider_name(o->provider));
	o->client_id = strdup(cfg->oidc_client_id);
	o->secret = dup_or_empty(client_secret);
	o->redirect_uri = strdup(cfg->oidc_redirect_uri);
	o->scopes = scopes_norm(scopes);
	o->label = strdup(label);
	o->issuer = strdup(o->provider == GK_OIDC_GITHUB ? "" : issuer);
	o->groups_claim = strdup(cfg->oidc_groups_claim);
	if (o->provider == GK_OIDC_GITHUB) {
		o->cfg_auth = strdup(cfg->oidc_authorization_endpoint[0] ?
		    cfg->oidc_authorization_endpoint : "https://github.com/login/oauth/authorize");
		o->cfg_token = strdup(cfg->oidc_token_endpoint[0] ? cfg->oidc_token_endpoint :
		    "https://github.com/login/oauth/access_token");
		o->cfg_userinfo = strdup(cfg->oidc_userinfo_endpoint[0] ? cfg->oidc_userinfo_endpoint :
		    "https://api.github.com/user");
		o->cfg_jwks = strdup("");
	} else {
		o->cfg_auth = strdup(cfg->oidc_authorization_endpoint);
		o->cfg_token = strdup(cfg->oidc_token_endpoint);
		o->cfg_userinfo = strdup(cfg->oidc_userinfo_endpoint);
		o->cfg_jwks = strdup(cfg->oidc_jwks_uri);
	}
	o->auth = dup_or_empty(o->cfg_auth);
	o->token = dup_or_empty(o->cfg_token);
	o->userinfo = dup_or_empty(o->cfg_userinfo);
	o->jwks_uri = dup_or_empty(o->cfg_jwks);
	o->auth_basic = o->provider != GK_OIDC_GITHUB;
	if (o->client_id == NULL || o->secret == NULL || o->redirect_uri == NULL ||
	    o->scopes == NULL || o->label == NULL || o->issuer == NULL || o->groups_claim == NULL ||
	    o->cfg_auth == NULL || o->cfg_token == NULL || o->cfg_userinfo == NULL ||
	    o->cfg_jwks == NULL || o->auth == NULL || o->token == NULL || o->userinfo == NULL ||
	    o->jwks_uri == NULL) {
		gk_err_set(err, "out of memory");
		goto fail;
	}
	*out = o;
	return GK_OK;
fail:
	login_oidc_free(o);
	return GK_ERR;
}

static void
keys_free(struct login_oidc *o)
{
	size_t i;

	for (i = 0; i < o->nkeys; i++)
		cjose_jwk_release(o->keys[i].k);
	o->nkeys = 0;
}

void
login_oidc_free(struct login_oidc *o)
{
	if (o == NULL)
		return;
	keys_free(o);
	if (o->secret != NULL) {
		gk_wipe(o->secret, strlen(o->secret));
		free(o->secret);
	}
	free(o->client_id);
	free(o->redirect_uri);
	free(o->scopes);
	free(o->label);
	free(o->issuer);
	free(o->groups_claim);
	free(o->cfg_auth);
	free(o->cfg_token);
	free(o->cfg_userinfo);
	free(o->cfg_jwks);
	free(o->auth);
	free(o->token);
	free(o->userinfo);
	free(o->jwks_uri);
	gk_strlist_free(&o->domains);
	gk_strlist_free(&o->users);
	free(o);
}

const char *
login_oidc_label(const struct login_oidc *o)
{
	return o != NULL ? o->label : "";
}

static const char *
jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* ---- discovery and JWKS ---- */

static int
discover(struct login_oidc *o, int64_t now, const char **reason, struct gk_err *err)
{
	char url[2200];
	struct http h;
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
	if ((rc = http_do(url, NULL, NULL, NULL, &h, false, err)) != GK_OK) {
		char m[sizeof(err->msg)];

		memcpy(m, err->msg, sizeof(m));
		gk_err_set(err, "discovery document: %s", m);
		return rc;
	}
	*reason = "bad-discovery";
	d = http_json(&h, err);
	http_free(&h);
	if (d == NULL || !json_is_object(d)) {
		json_decref(d);
		return GK_EINVAL;
	}
	/* OpenID Connect Discovery 1.0 s.4.3: the document names exactly our issuer. */
	s = jstr(d, "issuer");
	if (s == NULL || strcmp(s, o->issuer) != 0) {
		gk_err_set(err, "discovery document: issuer '%.100s' is not oidc_issuer", s ? s : "");
		json_decref(d);
		return GK_EINVAL;
	}
	for (i = 0; i < sizeof(eps) / sizeof(eps[0]); i++) {
		if (eps[i].cfg[0] != '\0')
			continue;
		s = jstr(d, eps[i].key);
		if (s == NULL) {
			if (!eps[i].required)
				continue;
			gk_err_set(err, "discovery document: no %s", eps[i].key);
			json_decref(d);
			return GK_EINVAL;
		}
		if (!url_allowed(s, err, eps[i].key)) {
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

static int
jwks_fetch(struct login_oidc *o, int64_t now, struct gk_err *err)
{
	struct http h;
	json_t *d, *keys, *k;
	size_t i;
	int rc;

	if ((rc = http_do(o->jwks_uri, NULL, NULL, NULL, &h, false, err)) != GK_OK) {
		char m[sizeof(err->msg)];

		memcpy(m, err->msg, sizeof(m));
		gk_err_set(err, "JWKS: %s", m);
		return rc;
	}
	d = http_json(&h, err);
	http_free(&h);
	keys = json_object_get(d, "keys");
	if (!json_is_array(keys)) {
		json_decref(d);
		return gk_err_set(err, "JWKS: no \"keys\" array"), GK_EINVAL;
	}
	keys_free(o);
	json_array_foreach(keys, i, k) {
		struct jwk *w;
		const char *kty = jstr(k, "kty"), *use = jstr(k, "use"), *alg = jstr(k, "alg");
		const char *kid = jstr(k, "kid"), *crv = jstr(k, "crv");
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
	const char *azp = jstr(c, "azp");
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
static int
id_token_check(struct login_oidc *o, int64_t now, const char *tok, const char *nonce,
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
	alg = jstr(hdr, "alg");
	kid = jstr(hdr, "kid");
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
	if ((o->nkeys == 0 || now - o->jwks_time >= CACHE_TTL) && jwks_fetch(o, now, err) != GK_OK)
		goto fail;
	ok = try_keys(o, jws, alg, kid);
	if (!ok && now - o->jwks_time >= JWKS_REFETCH_MIN) {
		/* The provider may have rotated its keys. */
		if (jwks_fetch(o, now, err) != GK_OK)
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
	s = jstr(c, "iss");
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
	s = jstr(c, "sub");
	if (s == NULL || *s == '\0' || strlen(s) > LOGIN_OIDC_SUB_MAX) {
		gk_err_set(err, "ID token without a usable sub");
		goto fail;
	}
	s = jstr(c, "nonce");
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

static int
token_request(struct login_oidc *o, const char *code, const char *verifier, json_t **resp,
    const char **reason, struct gk_err *err)
{
	char body[8192], auth[4600];
	size_t len = 0;
	struct http h;
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
	rc = http_do(o->token, body, basic ? auth : NULL, NULL, &h, true, err);
	gk_wipe(body, sizeof(body));
	gk_wipe(auth, sizeof(auth));
	if (rc != GK_OK) {
		char m[sizeof(err->msg)];

		*reason = "provider-unreachable";
		memcpy(m, err->msg, sizeof(m));
		gk_err_set(err, "token endpoint: %s", m);
		return rc;
	}
	*reason = "token-response";
	j = http_json(&h, err);
	http_free(&h);
	if (!json_is_object(j)) {
		json_decref(j);
		return GK_EINVAL;
	}
	if (json_object_get(j, "error") != NULL) {
		const char *e = jstr(j, "error");

		/* The error code is a fixed word of RFC 6749 s.5.2, safe to log (no description). */
		gk_err_set(err, "token endpoint refused the code: %.40s",
		    e != NULL && strspn(e, "abcdefghijklmnopqrstuvwxyz_") == strlen(e) ? e : "?");
		json_decref(j);
		return GK_EINVAL;
	}
	if (jstr(j, "access_token") == NULL) {
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
	struct http h;
	json_t *j;
	int n;

	n = snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	if (n < 0 || (size_t)n >= sizeof(auth) || !word_ok(token, 4000))
		return gk_err_set(err, "access token unusable"), NULL;
	if (http_do(url, NULL, auth, accept, &h, false, err) != GK_OK) {
		gk_wipe(auth, sizeof(auth));
		return NULL;
	}
	gk_wipe(auth, sizeof(auth));
	j = http_json(&h, err);
	http_free(&h);
	return j;
}

/* Fills claims the ID token left out (email, email_verified, groups...) from the userinfo endpoint. */
static int
merge_userinfo(struct login_oidc *o, json_t *claims, const char *access_token, const char **reason,
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
	sub = jstr(ui, "sub");
	if (sub == NULL || strcmp(sub, jstr(claims, "sub")) != 0) {
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
static int
github_claims(struct login_oidc *o, const char *token, json_t **claims, const char **reason,
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
		if (json_is_true(json_object_get(e, "primary")) && jstr(e, "email") != NULL) {
			email = jstr(e, "email");
			verified = json_is_true(json_object_get(e, "verified"));
		}
	}
	id = json_integer_value(json_object_get(u, "id"));
	snprintf(sub, sizeof(sub), "%lld", (long long)id);
	c = json_pack("{s:s, s:b}", "sub", sub, "email_verified", verified);
	if (c != NULL && email != NULL)
		json_object_set_new(c, "email", json_string(email));
	if (c != NULL && jstr(u, "login") != NULL)
		json_object_set_new(c, "preferred_username", json_string(jstr(u, "login")));
	if (c != NULL && jstr(u, "name") != NULL)
		json_object_set_new(c, "name", json_string(jstr(u, "name")));
	json_decref(u);
	json_decref(emails);
	if (c == NULL)
		return gk_err_set(err, "out of memory"), GK_ERR;
	*claims = c;
	return GK_OK;
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

static int
identity(struct login_oidc *o, const json_t *c, struct login_oidc_id *id, const char **reason,
    struct gk_err *err)
{
	const char *email = jstr(c, "email"), *s;

	memset(id, 0, sizeof(*id));
	snprintf(id->sub, sizeof(id->sub), "%s", jstr(c, "sub") ? jstr(c, "sub") : "");
	*reason = "no-email";
	if (email == NULL || gk_strcpy(id->email, sizeof(id->email), email) != GK_OK ||
	    !gk_valid_email(id->email, strlen(id->email)))
		return gk_err_set(err, "the provider gave no usable e-mail address (scope email?)"),
		    GK_EINVAL;
	lower(id->email);
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
		s = jstr(c, "preferred_username");
		if (s == NULL || gk_strcpy(id->user, sizeof(id->user), s) != GK_OK)
			return gk_err_set(err, "no usable preferred_username for %s", id->email),
			    GK_EINVAL;
	}
	if (!gk_valid_user(id->user, strlen(id->user)))
		return gk_err_set(err, "'%s' is not a valid user name", id->email), GK_EINVAL;
	s = jstr(c, "name");
	if (s != NULL && gk_valid_display(s, strlen(s)))
		gk_strcpy(id->display, sizeof(id->display), s);
	map_groups(o, c, id);
	return GK_OK;
}

/* ---- the two steps ---- */

static bool
url_add(char *out, size_t outsz, size_t *len, const char *k, const char *v)
{
	char *e = curl_easy_escape(NULL, v, 0);
	int n;

	if (e == NULL)
		return false;
	n = snprintf(out + *len, outsz - *len, "&%s=%s", k, e);
	curl_free(e);
	if (n < 0 || (size_t)n >= outsz - *len)
		return false;
	*len += (size_t)n;
	return true;
}

int
login_oidc_auth_url(struct login_oidc *o, int64_t now, const char *state, const char *nonce,
    const char *challenge, char *out, size_t outsz, const char **reason, struct gk_err *err)
{
	size_t len;
	int n;

	if (discover(o, now, reason, err) != GK_OK)
		return GK_ERR;
	*reason = "auth-url";
	n = snprintf(out, outsz, "%s%cresponse_type=code", o->auth, strchr(o->auth, '?') ? '&' : '?');
	if (n < 0 || (size_t)n >= outsz)
		return gk_err_set(err, "authorization URL too long");
	len = (size_t)n;
	if (!url_add(out, outsz, &len, "client_id", o->client_id) ||
	    !url_add(out, outsz, &len, "redirect_uri", o->redirect_uri) ||
	    !url_add(out, outsz, &len, "scope", o->scopes) ||
	    !url_add(out, outsz, &len, "state", state) ||
	    (o->provider != GK_OIDC_GITHUB && !url_add(out, outsz, &len, "nonce", nonce)) ||
	    !url_add(out, outsz, &len, "code_challenge", challenge) ||
	    !url_add(out, outsz, &len, "code_challenge_method", "S256"))
		return gk_err_set(err, "authorization URL too long");
	return GK_OK;
}

int
login_oidc_finish(struct login_oidc *o, int64_t now, const char *code, const char *verifier,
    const char *nonce, struct login_oidc_id *id, const char **reason, struct gk_err *err)
{
	json_t *tr = NULL, *claims = NULL;
	const char *at;
	int rc;

	memset(id, 0, sizeof(*id));
	if (code == NULL || *code == '\0' || strlen(code) > 2048) {
		*reason = "bad-code";
		return gk_err_set(err, "no authorization code (or one over 2048 bytes)"), GK_EINVAL;
	}
	if ((rc = discover(o, now, reason, err)) != GK_OK)
		return rc;
	if ((rc = token_request(o, code, verifier, &tr, reason, err)) != GK_OK)
		return rc;
	at = jstr(tr, "access_token");
	if (o->provider == GK_OIDC_GITHUB)
		rc = github_claims(o, at, &claims, reason, err);
	else {
		rc = id_token_check(o, now, jstr(tr, "id_token"), nonce, &claims, reason, err);
		if (rc == GK_OK)
			rc = merge_userinfo(o, claims, at, reason, err);
	}
	if (rc == GK_OK)
		rc = identity(o, claims, id, reason, err);
	json_decref(claims);
	json_decref(tr);     /* jansson does not wipe: the tokens are short-lived and single-use */
	if (rc != GK_OK)
		memset(id, 0, sizeof(*id));
	return rc;
}
