/* login_oidc.c: OpenID Connect / OAuth2 sign-in for gatekeep-login: the provider settings and the two steps (authorization URL, finish). */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "login_http.h"
#include "login_oidc_int.h"
#include "validate.h"

#define SECRET_MAX         1024

/* ---- small helpers ---- */

static char *
dup_or_empty(const char *s)
{
	return strdup(s != NULL ? s : "");
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

	if (!login_url_allowed(url, err, "oidc_redirect_uri"))
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
	if (n == 0 || strlen(buf) != (size_t)n || !login_oidc_word_ok(buf, SECRET_MAX)) {
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

		login_oidc_lower(d);
		if (strcmp(d, "*") == 0) {
			o->any_domain = true;
			continue;
		}
		if (d[0] == '@')
			memmove(d, d + 1, strlen(d));
		if (strchr(d, '.') == NULL || !login_oidc_word_ok(d, 253) ||
		    strspn(d, "abcdefghijklmnopqrstuvwxyz0123456789.-") != strlen(d))
			return gk_err_set(err, "oidc_authorized_domains: '%.80s' is not a domain name "
			    "(or '*' for every verified e-mail)", d);
	}
	for (i = 0; i < o->users.count; i++) {
		login_oidc_lower(o->users.items[i]);
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
	if (!login_oidc_word_ok(cfg->oidc_client_id, 255)) {
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
	if (o->provider != GK_OIDC_GITHUB && !login_url_allowed(issuer, err, "oidc_issuer"))
		goto fail;
	if (*scopes == '\0')
		scopes = o->provider == GK_OIDC_GITHUB ? "read:user user:email" : "openid email profile";
	if (o->provider != GK_OIDC_GITHUB && !scopes_have_openid(scopes)) {
		gk_err_set(err, "oidc_scopes: must include openid");
		goto fail;
	}
	if ((cfg->oidc_authorization_endpoint[0] != '\0' &&
	    !login_url_allowed(cfg->oidc_authorization_endpoint, err, "oidc_authorization_endpoint")) ||
	    (cfg->oidc_token_endpoint[0] != '\0' &&
	    !login_url_allowed(cfg->oidc_token_endpoint, err, "oidc_token_endpoint")) ||
	    (cfg->oidc_userinfo_endpoint[0] != '\0' &&
	    !login_url_allowed(cfg->oidc_userinfo_endpoint, err, "oidc_userinfo_endpoint")) ||
	    (cfg->oidc_jwks_uri[0] != '\0' && !login_url_allowed(cfg->oidc_jwks_uri, err, "oidc_jwks_uri")))
		goto fail;
	if (strcmp(cfg->oidc_username_claim, "email") == 0)
		o->username_email = true;
	else if (strcmp(cfg->oidc_username_claim, "preferred_username") != 0) {
		gk_err_set(err, "oidc_username_claim: email or preferred_username");
		goto fail;
	}
	if (cfg->oidc_groups_claim[0] != '\0' && !login_oidc_word_ok(cfg->oidc_groups_claim, 64)) {
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

void
login_oidc_free(struct login_oidc *o)
{
	if (o == NULL)
		return;
	login_oidc_keys_free(o);
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

	if (login_oidc_discover(o, now, reason, err) != GK_OK)
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
	uint32_t amr = 0;
	int rc;

	memset(id, 0, sizeof(*id));
	if (code == NULL || *code == '\0' || strlen(code) > 2048) {
		*reason = "bad-code";
		return gk_err_set(err, "no authorization code (or one over 2048 bytes)"), GK_EINVAL;
	}
	if ((rc = login_oidc_discover(o, now, reason, err)) != GK_OK)
		return rc;
	if ((rc = login_oidc_token_request(o, code, verifier, &tr, reason, err)) != GK_OK)
		return rc;
	at = login_oidc_jstr(tr, "access_token");
	if (o->provider == GK_OIDC_GITHUB)
		rc = login_oidc_github_claims(o, at, &claims, reason, err);
	else {
		rc = login_oidc_id_token_check(o, now, login_oidc_jstr(tr, "id_token"), nonce, &claims, reason, err);
		if (rc == GK_OK) {
			amr = login_oidc_amr(claims);    /* the signed claims only, before userinfo */
			rc = login_oidc_merge_userinfo(o, claims, at, reason, err);
		}
	}
	if (rc == GK_OK)
		rc = login_oidc_identity(o, claims, id, reason, err);
	if (rc == GK_OK)
		id->amr = amr;
	json_decref(claims);
	json_decref(tr);     /* jansson does not wipe: the tokens are short-lived and single-use */
	if (rc != GK_OK)
		memset(id, 0, sizeof(*id));
	return rc;
}
