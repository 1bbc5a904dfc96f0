/* login_passkey_chal.c: the passkey relying party from the configuration, and the signed, stateless, single-use challenges. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "login_passkey.h"
#include "session_cookie.h"
#include "validate.h"

#define CHAL_VERSION 1
#define CHAL_SIGNED  26              /* version, purpose, iat, random: what the MAC covers */

/* The host of "http(s)://host[:port]" (lower-case letters, digits, '.', '-'), or false. */
static bool
origin_host(const char *origin, char *host, size_t hostsz)
{
	const char *h;
	size_t n;

	if ((h = gk_http_url_rest(origin)) == NULL)
		return false;
	n = strspn(h, "abcdefghijklmnopqrstuvwxyz0123456789.-");
	if (n == 0 || n >= hostsz || h[0] == '.' || h[n - 1] == '.')
		return false;
	if (h[n] == ':') {
		size_t d = strspn(h + n + 1, "0123456789");

		if (d == 0 || d > 5 || h[n + 1 + d] != '\0')
			return false;
	} else if (h[n] != '\0')
		return false;
	memcpy(host, h, n);
	host[n] = '\0';
	return true;
}

/* rp_id must be the host or a suffix of it at a label boundary (WebAuthn §5.1.3 / §13.4.9). */
static bool
rp_id_fits(const char *host, const char *rp_id)
{
	size_t h = strlen(host), r = strlen(rp_id);

	if (r == 0 || r > h || strspn(rp_id, "abcdefghijklmnopqrstuvwxyz0123456789.-") != r ||
	    rp_id[0] == '.' || (strchr(rp_id, '.') == NULL && strcmp(rp_id, "localhost") != 0))
		return false;
	return r == h ? strcmp(host, rp_id) == 0 :
	    host[h - r - 1] == '.' && strcmp(host + h - r, rp_id) == 0;
}

int
login_passkey_config_check(const struct gk_config *cfg, struct gk_err *err)
{
	struct gk_err sub = { "" };
	char host[256];

	if (!cfg->passkeys)
		return GK_OK;
	if (!origin_host(cfg->passkey_origin, host, sizeof(host)))
		return gk_err_set(err, "passkey_origin \"%s\": passkeys need the login page's origin, "
		    "http(s)://host[:port] in lower case", cfg->passkey_origin);
	if (cfg->passkey_rp_id[0] != '\0' && !rp_id_fits(host, cfg->passkey_rp_id))
		return gk_err_set(err, "passkey_rp_id \"%s\": must be the host of passkey_origin (%s) or "
		    "a domain it is under", cfg->passkey_rp_id, host);
	if (cfg->passkey_rp_id[0] == '\0' && !rp_id_fits(host, host))
		return gk_err_set(err, "passkey_origin \"%s\": its host is no domain a passkey can be "
		    "bound to; set passkey_rp_id", cfg->passkey_origin);
	/* Browsers refuse a public suffix ("co.uk") as rp id, as they do as a cookie domain. */
	if (gk_cookie_domain_check(cfg->passkey_rp_id[0] != '\0' ? cfg->passkey_rp_id : host,
	    &sub) != GK_OK)
		return gk_err_set(err, "passkey_rp_id \"%s\" is a public suffix (or no domain): "
		    "browsers refuse it as a relying party id", cfg->passkey_rp_id[0] != '\0' ?
		    cfg->passkey_rp_id : host);
	return GK_OK;
}

void
login_passkey_rp(const struct login_ctx *ctx, struct gk_wa_rp *rp, char *buf, size_t bufsz)
{
	if (ctx->cfg.passkey_rp_id[0] != '\0')
		gk_strcpy(buf, bufsz, ctx->cfg.passkey_rp_id);
	else if (!origin_host(ctx->cfg.passkey_origin, buf, bufsz))
		buf[0] = '\0';            /* refused at start-up; never matches an rpIdHash check */
	rp->rp_id = buf;
	rp->origin = ctx->cfg.passkey_origin;
	rp->require_uv = ctx->cfg.passkey_user_verification;
}

/* ---- base64url ---- */

bool
login_passkey_b64_decode(const char *s, unsigned char *out, size_t outsz, size_t *len)
{
	const char *end = NULL;

	*len = 0;
	return sodium_base642bin(out, outsz, s, strlen(s), NULL, len, &end,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0 && end == s + strlen(s);
}

void
login_passkey_b64_encode(const unsigned char *in, size_t len, char *out, size_t outsz)
{
	if (outsz < sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING)) {
		if (outsz > 0)
			out[0] = '\0';
		return;
	}
	sodium_bin2base64(out, outsz, in, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* ---- challenges ---- */

static void
chal_mac(const struct rq *q, const unsigned char *head, const char *user, const char *extra,
    unsigned char mac[crypto_auth_hmacsha256_BYTES])
{
	static const unsigned char label[] = "gatekeep-passkey-v1";
	crypto_auth_hmacsha256_state st;

	crypto_auth_hmacsha256_init(&st, q->ctx->secret.key, q->ctx->secret.len);
	crypto_auth_hmacsha256_update(&st, label, sizeof(label));     /* with its NUL */
	crypto_auth_hmacsha256_update(&st, head, CHAL_SIGNED);
	/* Each variable part ends with a NUL, so no two (nonce, user, extra) read alike. */
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)q->csrf_cookie, strlen(q->csrf_cookie) + 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)user, strlen(user) + 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)extra, strlen(extra) + 1);
	crypto_auth_hmacsha256_final(&st, mac);
	gk_wipe(&st, sizeof(st));
}

/* The caller has made sure of the CSRF nonce (login_csrf_page_token or a valid form). */
void
login_passkey_challenge(struct rq *q, enum passkey_purpose p, const char *user, const char *extra,
    char *b64, size_t b64sz)
{
	unsigned char raw[PASSKEY_CHALLENGE_LEN];

	raw[0] = CHAL_VERSION;
	raw[1] = (unsigned char)p;
	gk_put_be64(raw + 2, (uint64_t)q->ctx->now());
	randombytes_buf(raw + 10, 16);
	chal_mac(q, raw, user, extra, raw + CHAL_SIGNED);
	login_passkey_b64_encode(raw, sizeof(raw), b64, b64sz);
}

int
login_passkey_challenge_check(struct rq *q, enum passkey_purpose p, const char *user,
    const char *extra, const char *b64, unsigned char raw[PASSKEY_CHALLENGE_LEN], int64_t *iat,
    const char **why)
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	size_t n = 0;
	int64_t now = q->ctx->now();

	*iat = 0;
	if (!login_passkey_b64_decode(b64, raw, PASSKEY_CHALLENGE_LEN, &n) ||
	    n != PASSKEY_CHALLENGE_LEN || raw[0] != CHAL_VERSION) {
		*why = "challenge-malformed";
		return GK_EINVAL;
	}
	chal_mac(q, raw, user, extra, mac);
	if (raw[1] != (unsigned char)p || !gk_ct_equal(mac, raw + CHAL_SIGNED, sizeof(mac))) {
		*why = "challenge-forged";    /* another browser's, user's or purpose's, or made up */
		return GK_EINVAL;
	}
	*iat = (int64_t)gk_get_be64(raw + 2);
	if (*iat > now + 5 || *iat + PASSKEY_CHALLENGE_TTL < now) {
		*why = "challenge-expired";
		return GK_EINVAL;
	}
	return GK_OK;
}
