/* ticket.c: zero-hop tickets (see ticket.h): libsodium HMAC and base64url, jansson JSON. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "cookie.h"
#include "session_cookie.h"
#include "ticket.h"
#include "validate.h"

#define B64_VARIANT sodium_base64_VARIANT_URLSAFE_NO_PADDING
#define MAC_LEN crypto_auth_hmacsha256_BYTES
#define MAC_B64_LEN 43      /* base64url of 32 bytes, unpadded */

bool
gk_ticket_wanted(const struct gk_config *cfg, const struct gk_user *u)
{
	return cfg->zero_hop_ticket_ttl > 0 && cfg->rules_count == 0 &&
	    cfg->allowed_origins.count == 0 && u != NULL &&
	    u->perm >= GK_PERM_RW && !(u->flags & GK_USER_DISABLED);
}

/*
 * K_t = HMAC-SHA256(key, label): tickets never share a key with session tokens.
 * Derived once per key, not per ticket: the last key and its K_t are kept (a rotation
 * derives again). Not for threads: gatekeep-authz signs on its loop thread only.
 */
static void
ticket_key(const unsigned char *key, size_t keylen, unsigned char kt[MAC_LEN])
{
	static unsigned char last_key[GK_SECRET_MAX], last_kt[MAC_LEN];
	static size_t last_len;
	crypto_auth_hmacsha256_state st;

	if (last_len == 0 || last_len != keylen || keylen > sizeof(last_key) ||
	    sodium_memcmp(last_key, key, keylen) != 0) {
		crypto_auth_hmacsha256_init(&st, key, keylen);
		crypto_auth_hmacsha256_update(&st, (const unsigned char *)GK_TICKET_KEY_LABEL,
		    strlen(GK_TICKET_KEY_LABEL));
		crypto_auth_hmacsha256_final(&st, last_kt);
		gk_wipe(&st, sizeof(st));
		last_len = 0;
		if (keylen <= sizeof(last_key)) {
			memcpy(last_key, key, keylen);
			last_len = keylen;
		}
	}
	memcpy(kt, last_kt, MAC_LEN);
}

/* mac = HMAC-SHA256(K_t, token "." payload_b64) */
static void
ticket_mac(const unsigned char *key, size_t keylen, const char *token, const char *payload,
    size_t plen, unsigned char mac[MAC_LEN])
{
	crypto_auth_hmacsha256_state st;
	unsigned char kt[MAC_LEN];

	ticket_key(key, keylen, kt);
	crypto_auth_hmacsha256_init(&st, kt, sizeof(kt));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)token, strlen(token));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)payload, plen);
	crypto_auth_hmacsha256_final(&st, mac);
	gk_wipe(&st, sizeof(st));
	gk_wipe(kt, sizeof(kt));
}

static bool
key_ok(const unsigned char *key, size_t keylen)
{
	return key != NULL && keylen >= GK_SECRET_MIN && keylen <= GK_SECRET_MAX;
}

int
gk_ticket_issue(const unsigned char *key, size_t keylen, const char *token,
    const struct gk_user *u, int64_t exp, char *out, size_t outsz, struct gk_err *err)
{
	char payload[GK_TICKET_MAX];
	unsigned char mac[MAC_LEN];
	json_t *o;
	size_t plen, elen;

	if (out != NULL && outsz > 0)
		out[0] = '\0';
	if (!key_ok(key, keylen) || token == NULL || token[0] == '\0' || u == NULL ||
	    out == NULL || exp <= 0 || exp > GK_TOKEN_TIME_MAX)
		return gk_err_set(err, "ticket: no key, token or user");
	o = json_object();
	if (o == NULL || json_object_set_new(o, "sub", json_string(u->name)) != 0 ||
	    (u->groups[0] && json_object_set_new(o, "grp", json_string(u->groups)) != 0) ||
	    (u->email[0] && json_object_set_new(o, "email", json_string(u->email)) != 0) ||
	    json_object_set_new(o, "exp", json_integer((json_int_t)exp)) != 0) {
		json_decref(o);
		return gk_err_set(err, "ticket: out of memory");
	}
	plen = json_dumpb(o, payload, sizeof(payload), JSON_COMPACT);
	json_decref(o);
	elen = sodium_base64_ENCODED_LEN(plen, B64_VARIANT);   /* with the NUL */
	if (plen == 0 || plen > sizeof(payload) || elen + MAC_B64_LEN + 1 > outsz ||
	    elen - 1 + 1 + MAC_B64_LEN > GK_TICKET_MAX) {
		gk_err_set(err, "ticket: too long");
		return GK_ETOOLONG;
	}
	sodium_bin2base64(out, outsz, (const unsigned char *)payload, plen, B64_VARIANT);
	ticket_mac(key, keylen, token, out, elen - 1, mac);
	out[elen - 1] = '.';
	sodium_bin2base64(out + elen, outsz - elen, mac, sizeof(mac), B64_VARIANT);
	gk_wipe(mac, sizeof(mac));
	return GK_OK;
}

static bool
b64url_only(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_'))
			return false;
	}
	return n > 0;
}

int
gk_ticket_verify(const unsigned char *key, size_t keylen, const char *token,
    const char *ticket, int64_t now, struct gk_ticket *t, struct gk_err *err)
{
	unsigned char mac[MAC_LEN];
	char want[MAC_B64_LEN + 1], payload[GK_TICKET_MAX];
	const char *dot;
	size_t tlen, plen, blen;
	json_error_t je;
	json_t *p = NULL, *v;
	int rc = GK_EINVAL;

	memset(t, 0, sizeof(*t));
	if (!key_ok(key, keylen) || token == NULL || ticket == NULL)
		return gk_err_set(err, "ticket: no key, token or ticket");
	tlen = strlen(ticket);
	if (tlen > GK_TICKET_MAX)
		return gk_err_set(err, "ticket: too long");
	dot = strchr(ticket, '.');
	if (dot == NULL || strchr(dot + 1, '.') != NULL)
		return gk_err_set(err, "ticket: not two segments");
	plen = (size_t)(dot - ticket);
	if (!b64url_only(ticket, plen) || strlen(dot + 1) != MAC_B64_LEN)
		return gk_err_set(err, "ticket: bad characters or mac length");
	/* Compare the canonical encoding of the expected mac: one spelling only. */
	ticket_mac(key, keylen, token, ticket, plen, mac);
	sodium_bin2base64(want, sizeof(want), mac, sizeof(mac), B64_VARIANT);
	gk_wipe(mac, sizeof(mac));
	if (!gk_ct_equal(want, dot + 1, MAC_B64_LEN))
		return gk_err_set(err, "ticket: bad mac");
	if (sodium_base642bin((unsigned char *)payload, sizeof(payload) - 1, ticket, plen, NULL,
	    &blen, NULL, B64_VARIANT) != 0)
		return gk_err_set(err, "ticket: payload is not base64url");
	p = json_loadb(payload, blen, JSON_REJECT_DUPLICATES, &je);
	if (p == NULL || !json_is_object(p))
		goto bad;
	v = json_object_get(p, "sub");
	if (!json_is_string(v) || !gk_valid_user(json_string_value(v), json_string_length(v)) ||
	    gk_strcpy(t->sub, sizeof(t->sub), json_string_value(v)) != GK_OK)
		goto bad;
	v = json_object_get(p, "grp");
	if (v != NULL && (!json_is_string(v) ||
	    gk_strcpy(t->grp, sizeof(t->grp), json_string_value(v)) != GK_OK))
		goto bad;
	v = json_object_get(p, "email");
	if (v != NULL && (!json_is_string(v) ||
	    gk_strcpy(t->email, sizeof(t->email), json_string_value(v)) != GK_OK))
		goto bad;
	v = json_object_get(p, "exp");
	if (!json_is_integer(v) || json_integer_value(v) <= 0)
		goto bad;
	t->exp = (int64_t)json_integer_value(v);
	if (now >= t->exp) {
		gk_err_set(err, "ticket: expired");
		goto out;
	}
	rc = GK_OK;
	goto out;
bad:
	gk_err_set(err, "ticket: bad payload");
out:
	json_decref(p);
	if (rc != GK_OK)
		memset(t, 0, sizeof(*t));
	return rc;
}

void
gk_ticket_answer_header(const struct gk_config *cfg, const struct gk_secret *s,
    const char *cookies, const struct gk_user *u, const struct gk_claims *c, int64_t now,
    char *out, size_t outsz)
{
	char token[GK_TOKEN_MAX + 1], ticket[GK_TICKET_MAX + 1], name[256];
	char line[GK_SETCOOKIE_MAX];
	struct gk_setcookie sc;
	struct gk_err err = { "" };
	int64_t exp;
	int n;

	if (out == NULL || outsz == 0)
		return;
	out[0] = '\0';
	if (!gk_ticket_wanted(cfg, u) || s == NULL || s->len == 0 || c == NULL || cookies == NULL)
		return;
	if (gk_cookie_get(cookies, cfg->cookie_name, token, sizeof(token)) != GK_OK)
		return;
	exp = now + cfg->zero_hop_ticket_ttl;
	if (exp > c->exp)
		exp = c->exp;
	n = snprintf(name, sizeof(name), "%s%s", cfg->cookie_name, GK_TICKET_SUFFIX);
	if (exp <= now || n < 0 || (size_t)n >= sizeof(name) ||
	    gk_ticket_issue(s->key, s->len, token, u, exp, ticket, sizeof(ticket), &err) != GK_OK)
		goto out;
	sc.name = name;
	sc.value = ticket;
	sc.domain = cfg->cookie_domain;
	sc.path = "/";
	sc.max_age = (long)(exp - now);
	sc.secure = cfg->cookie_secure;
	sc.httponly = true;
	sc.samesite = cfg->cookie_samesite;
	if (gk_setcookie_format(&sc, line, sizeof(line), &err) != GK_OK)
		goto out;
	n = snprintf(out, outsz, "Set-Cookie: %s\r\n", line);
	if (n < 0 || (size_t)n >= outsz)
		out[0] = '\0';
out:
	gk_wipe(token, strnlen(token, sizeof(token) - 1) + 1);     /* gk_cookie_get: all or nothing */
}

int
gk_ticket_key_hex(const unsigned char *key, size_t keylen, char hex[GK_TICKET_KEY_HEX + 1],
    struct gk_err *err)
{
	unsigned char kt[MAC_LEN];

	hex[0] = '\0';
	if (!key_ok(key, keylen)) {
		gk_err_set(err, "ticket key: no usable session key");
		return GK_EINVAL;
	}
	ticket_key(key, keylen, kt);
	sodium_bin2hex(hex, GK_TICKET_KEY_HEX + 1, kt, sizeof(kt));
	gk_wipe(kt, sizeof(kt));
	return GK_OK;
}

/* path := "<directive> <hex>;\n" (see gk_ticket_nginx_key_write) */
static int
key_include_write(const unsigned char *key, size_t keylen, const char *path,
    const char *directive, struct gk_err *err)
{
	char hex[GK_TICKET_KEY_HEX + 1], line[GK_TICKET_KEY_HEX + 64], tmp[GK_PATH_MAX];
	int fd, n, rc = GK_ERR;

	if (path == NULL || path[0] == '\0')
		return gk_err_set(err, "ticket key: no file name");
	if (gk_ticket_key_hex(key, keylen, hex, err) != GK_OK)
		return GK_EINVAL;
	n = snprintf(line, sizeof(line), "%s %s;\n", directive, hex);
	gk_wipe(hex, sizeof(hex));
	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp)) {
		gk_wipe(line, sizeof(line));
		return gk_err_set(err, "%s: path too long", path);
	}
	fd = mkstemp(tmp);      /* mode 0600 */
	if (fd < 0) {
		gk_wipe(line, sizeof(line));
		return gk_err_set(err, "%s: %s", tmp, strerror(errno));
	}
	if (write(fd, line, (size_t)n) != n || fsync(fd) != 0) {
		gk_err_set(err, "%s: %s", tmp, strerror(errno));
		close(fd);
	} else if (close(fd) != 0 || rename(tmp, path) != 0) {
		gk_err_set(err, "%s: %s", path, strerror(errno));
	} else {
		rc = GK_OK;
	}
	gk_wipe(line, sizeof(line));
	if (rc != GK_OK)
		unlink(tmp);
	return rc;
}

int
gk_ticket_nginx_key_write(const unsigned char *key, size_t keylen, const char *path,
    struct gk_err *err)
{
	return key_include_write(key, keylen, path, "js_var $gatekeep_ticket_key", err);
}

int
gk_ticket_nginx_module_key_write(const unsigned char *key, size_t keylen, const char *path,
    struct gk_err *err)
{
	return key_include_write(key, keylen, path, "gatekeep_ticket_key", err);
}
