/* apptoken.c: app passwords / API tokens: format, keyed hash, scope, and the database commands (see apptoken.h). */
#include <config.h>

#include <errno.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sodium.h>

#include "apptoken.h"
#include "tokenuse.h"
#include "pathnorm.h"
#include "userdb.h"
#include "validate.h"

#define B64URL sodium_base64_VARIANT_URLSAFE_NO_PADDING
#define DOMAIN "gatekeep app token 1"
#define SECRET_B64_LEN 43       /* 32 bytes, base64url without padding */
#define ID_HEX_LEN (2 * GK_APPTOKEN_ID_BYTES)

bool
gk_apptoken_shaped(const char *s)
{
	return s != NULL && strncmp(s, GK_APPTOKEN_PREFIX, strlen(GK_APPTOKEN_PREFIX)) == 0;
}

/* Strict base64url: decodes into bin (exactly binlen bytes unless any_len) and re-encodes to the same text. */
static bool
b64_exact(const char *s, size_t len, unsigned char *bin, size_t binmax, size_t *binlen)
{
	char again[256];
	const char *end;

	if (len == 0 || len >= sizeof(again) ||
	    sodium_base642bin(bin, binmax, s, len, NULL, binlen, &end, B64URL) != 0 ||
	    end != s + len)
		return false;
	sodium_bin2base64(again, sizeof(again), bin, *binlen, B64URL);
	return strlen(again) == len && memcmp(again, s, len) == 0;
}

int
gk_apptoken_parse(const char *s, struct gk_apptoken *t)
{
	const char *u, *id, *sec;
	size_t plen = strlen(GK_APPTOKEN_PREFIX), ulen, n, i;
	unsigned char ubin[GK_USER_MAX + 1];

	memset(t, 0, sizeof(*t));
	if (!gk_apptoken_shaped(s) || strnlen(s, GK_APPTOKEN_MAX + 1) > GK_APPTOKEN_MAX)
		return GK_EINVAL;
	u = s + plen;
	if ((id = strchr(u, '.')) == NULL)
		return GK_EINVAL;
	ulen = (size_t)(id - u);
	id++;
	if (strlen(id) != ID_HEX_LEN + 1 + SECRET_B64_LEN || id[ID_HEX_LEN] != '.')
		return GK_EINVAL;
	sec = id + ID_HEX_LEN + 1;
	for (i = 0; i < ID_HEX_LEN; i++)
		if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
			return GK_EINVAL;
	if (sodium_hex2bin(t->id, sizeof(t->id), id, ID_HEX_LEN, NULL, &n, NULL) != 0 ||
	    n != GK_APPTOKEN_ID_BYTES)
		goto bad;
	if (!b64_exact(sec, SECRET_B64_LEN, t->secret, sizeof(t->secret), &n) ||
	    n != GK_APPTOKEN_SECRET_BYTES)
		goto bad;
	if (!b64_exact(u, ulen, ubin, GK_USER_MAX, &n) || !gk_valid_user((const char *)ubin, n) ||
	    memchr(ubin, '\0', n) != NULL)
		goto bad;
	memcpy(t->user, ubin, n);
	t->user[n] = '\0';
	return GK_OK;
bad:
	gk_wipe(t, sizeof(*t));
	return GK_EINVAL;
}

/* The stored hash: BLAKE2b-256 keyed with the token's own key over domain, user, id, secret. */
static void
token_hash(const unsigned char key[GK_APPTOKEN_KEY_BYTES], const char *user,
    const unsigned char id[GK_APPTOKEN_ID_BYTES],
    const unsigned char secret[GK_APPTOKEN_SECRET_BYTES], unsigned char out[GK_APPTOKEN_HASH_BYTES])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, key, GK_APPTOKEN_KEY_BYTES, GK_APPTOKEN_HASH_BYTES);
	crypto_generichash_update(&st, (const unsigned char *)DOMAIN, sizeof(DOMAIN));  /* its NUL too */
	crypto_generichash_update(&st, (const unsigned char *)user, strlen(user) + 1);
	crypto_generichash_update(&st, id, GK_APPTOKEN_ID_BYTES);
	crypto_generichash_update(&st, secret, GK_APPTOKEN_SECRET_BYTES);
	crypto_generichash_final(&st, out, GK_APPTOKEN_HASH_BYTES);
	gk_wipe(&st, sizeof(st));
}

int
gk_apptoken_check(const struct gk_creds *c, const struct gk_user *u,
    const struct gk_apptoken *t, int64_t now, const struct gk_cred **match)
{
	unsigned char h[GK_APPTOKEN_HASH_BYTES];
	const struct gk_cred *e = NULL;
	bool same;
	size_t i;

	*match = NULL;
	for (i = 0; i < c->n && i < GK_CREDS_MAX; i++)
		if (c->c[i].kind == GK_CRED_TOKEN && c->c[i].idlen == GK_APPTOKEN_ID_BYTES &&
		    memcmp(c->c[i].id, t->id, GK_APPTOKEN_ID_BYTES) == 0)
			e = &c->c[i];
	if (e == NULL || e->datalen != GK_APPTOKEN_KEY_BYTES + GK_APPTOKEN_HASH_BYTES ||
	    strcmp(u->name, t->user) != 0)
		return GK_NOTFOUND;
	token_hash(e->data, t->user, t->id, t->secret, h);
	same = sodium_memcmp(h, e->data + GK_APPTOKEN_KEY_BYTES, sizeof(h)) == 0;
	gk_wipe(h, sizeof(h));
	if (!same)
		return GK_NOTFOUND;
	*match = e;
	/* Above the record: issued at the shared store's generation (lib/auth checks that). */
	if (e->generation < u->generation)
		return GK_APPTOKEN_REVOKED;
	if (e->expires != 0 && now >= e->expires)
		return GK_APPTOKEN_EXPIRED;
	return GK_OK;
}

/* ---- scope ------------------------------------------------------------------ */

/* An RFC 9110 token character. */
static bool
tchar(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	    (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* Appends "M" (upper-cased) to the '+'-list methods unless it is there. */
static int
add_method(char *methods, size_t sz, const char *m, size_t len, struct gk_err *err)
{
	char up[GK_METHOD_LEN_MAX + 1];
	const char *p;
	size_t i, have = strlen(methods);

	if (len == 0 || len > GK_METHOD_LEN_MAX)
		return gk_err_set(err, "scope: bad method length"), GK_EINVAL;
	for (i = 0; i < len; i++) {
		if (!tchar((unsigned char)m[i]) || m[i] == '+' || m[i] == '|')
			return gk_err_set(err, "scope: invalid method \"%.*s\"", (int)len, m),
			    GK_EINVAL;
		up[i] = (m[i] >= 'a' && m[i] <= 'z') ? (char)(m[i] - 32) : m[i];
	}
	up[len] = '\0';
	for (p = methods; *p != '\0'; p += strcspn(p, "+") + (p[strcspn(p, "+")] == '+'))
		if (strcspn(p, "+") == len && memcmp(p, up, len) == 0)
			return GK_OK;
	if (have + (have > 0) + len + 1 > sz)
		return gk_err_set(err, "scope: too many methods"), GK_ETOOLONG;
	if (have > 0)
		methods[have++] = '+';
	memcpy(methods + have, up, len + 1);
	return GK_OK;
}

int
gk_apptoken_scope_parse(const char *in, char *out, size_t outsz, struct gk_err *err)
{
	char path[GK_CRED_SCOPE_MAX + 1] = "", methods[GK_CRED_SCOPE_MAX + 1] = "";
	char norm[GK_PATH_MAX + 1], item[GK_CRED_SCOPE_MAX + 1];
	const char *p = in;
	unsigned flags = 0;
	size_t n, i;
	int rc;

	if (in == NULL || *in == '\0')
		return gk_strcpy(out, outsz, "") == GK_OK ? GK_OK : GK_ETOOLONG;
	while (*p != '\0') {
		n = strcspn(p, ",");
		if (n == 0 || n >= sizeof(item))
			return gk_err_set(err, "scope: empty or over-long item"), GK_EINVAL;
		memcpy(item, p, n);
		item[n] = '\0';
		p += n + (p[n] == ',');
		if (strncmp(item, "path=", 5) == 0) {
			if (path[0] != '\0')
				return gk_err_set(err, "scope: one path= only"), GK_EINVAL;
			rc = gk_path_normalize(item + 5, 0, norm, sizeof(norm), &flags);
			if (rc != GK_OK || (flags & GK_PATH_AMBIGUOUS) || item[5] != '/')
				return gk_err_set(err, "scope: invalid path \"%s\" (an absolute path, "
				    "no %%2F or backslash)", item + 5), GK_EINVAL;
			for (i = 0; norm[i] != '\0'; i++)
				if ((unsigned char)norm[i] <= 0x20 || (unsigned char)norm[i] >= 0x7f ||
				    norm[i] == ',')
					return gk_err_set(err, "scope: the path must be plain ASCII "
					    "without spaces or commas"), GK_EINVAL;
			if (gk_strcpy(path, sizeof(path), norm) != GK_OK)
				return gk_err_set(err, "scope: path too long"), GK_ETOOLONG;
		} else if (strncmp(item, "method=", 7) == 0) {
			const char *m = item + 7;

			do {
				size_t ml = strcspn(m, "+|");

				if ((rc = add_method(methods, sizeof(methods), m, ml, err)) != GK_OK)
					return rc;
				m += ml + (m[ml] != '\0');
			} while (*m != '\0');
			if (item[strlen(item) - 1] == '+' || item[strlen(item) - 1] == '|')
				return gk_err_set(err, "scope: empty method"), GK_EINVAL;
		} else {
			return gk_err_set(err, "scope: unknown item \"%s\" (path= or method=)", item),
			    GK_EINVAL;
		}
	}
	if (snprintf(out, outsz, "%s%s%s%s%s", path[0] ? "path=" : "", path,
	    path[0] && methods[0] ? "," : "", methods[0] ? "method=" : "", methods) >= (int)outsz ||
	    strlen(out) > GK_CRED_SCOPE_MAX)
		return gk_err_set(err, "scope: longer than %d bytes", GK_CRED_SCOPE_MAX), GK_ETOOLONG;
	return GK_OK;
}

/*
 * Is method m one of the '+'-list (ASCII case ignored)? GET includes HEAD: HEAD is GET
 * without the body (RFC 9110 9.3.2), as Apache's <Limit GET> covers HEAD.
 */
static bool
method_listed(const char *list, const char *m)
{
	size_t ml = strlen(m), n;
	const char *p;

	for (p = list; *p != '\0'; p += n + (p[n] == '+')) {
		n = strcspn(p, "+");
		if ((n == ml && strncasecmp(p, m, n) == 0) ||
		    (n == 3 && strncasecmp(p, "GET", 3) == 0 && strcasecmp(m, "HEAD") == 0))
			return true;
	}
	return false;
}

bool
gk_apptoken_scope_allows(const char *scope, const struct gk_path_readings *pr,
    const struct gk_methods *ms)
{
	char buf[GK_CRED_SCOPE_MAX + 1], *item, *save = NULL, *path;
	struct gk_strlist one;
	size_t i;

	if (scope == NULL || gk_strcpy(buf, sizeof(buf), scope) != GK_OK)
		return false;
	for (item = strtok_r(buf, ",", &save); item != NULL; item = strtok_r(NULL, ",", &save)) {
		if (strncmp(item, "path=", 5) == 0) {
			path = item + 5;
			one.items = &path;
			one.count = 1;
			if (!gk_path_readings_all_under(pr, &one))
				return false;
		} else if (strncmp(item, "method=", 7) == 0) {
			for (i = 0; i < ms->count; i++)
				if (!method_listed(item + 7, ms->m[i]))
					return false;
		} else {
			return false;   /* a scope we do not understand grants nothing */
		}
	}
	return true;
}

/* ---- the database commands ------------------------------------------------- */

/* The token's text for user, id and secret. */
static void
token_format(char *out, const char *user, const unsigned char *id, const unsigned char *secret)
{
	char ub[sodium_base64_ENCODED_LEN(GK_USER_MAX, B64URL)];
	char ih[ID_HEX_LEN + 1], sb[sodium_base64_ENCODED_LEN(GK_APPTOKEN_SECRET_BYTES, B64URL)];

	sodium_bin2base64(ub, sizeof(ub), (const unsigned char *)user, strlen(user), B64URL);
	sodium_bin2hex(ih, sizeof(ih), id, GK_APPTOKEN_ID_BYTES);
	sodium_bin2base64(sb, sizeof(sb), secret, GK_APPTOKEN_SECRET_BYTES, B64URL);
	snprintf(out, GK_APPTOKEN_MAX + 1, GK_APPTOKEN_PREFIX "%s.%s.%s", ub, ih, sb);
	gk_wipe(sb, sizeof(sb));
}

/* Fills e with a new token's entry; the secret into secret. */
static void
token_new(struct gk_cred *e, const struct gk_creds *c, const char *user, const char *name,
    uint32_t generation, int64_t now, int64_t expires, const char *scope,
    unsigned char secret[GK_APPTOKEN_SECRET_BYTES])
{
	size_t i;
	bool clash;

	memset(e, 0, sizeof(*e));
	e->kind = GK_CRED_TOKEN;
	gk_strcpy(e->name, sizeof(e->name), name);
	gk_strcpy(e->scope, sizeof(e->scope), scope);
	e->created = now;
	e->expires = expires;
	e->generation = generation;
	e->idlen = GK_APPTOKEN_ID_BYTES;
	do {    /* ids are unique per user (64 random bits: a clash is for the tests of validate) */
		randombytes_buf(e->id, GK_APPTOKEN_ID_BYTES);
		for (clash = false, i = 0; i < c->n; i++)
			clash |= c->c[i].kind == GK_CRED_TOKEN && c->c[i].idlen == e->idlen &&
			    memcmp(c->c[i].id, e->id, e->idlen) == 0;
	} while (clash);
	randombytes_buf(secret, GK_APPTOKEN_SECRET_BYTES);
	e->datalen = GK_APPTOKEN_KEY_BYTES + GK_APPTOKEN_HASH_BYTES;
	randombytes_buf(e->data, GK_APPTOKEN_KEY_BYTES);
	token_hash(e->data, user, e->id, secret, e->data + GK_APPTOKEN_KEY_BYTES);
}

int
gk_apptoken_add(const char *dbpath, const char *user, const char *name, int64_t expires,
    const char *scope, int64_t now, char *token, struct gk_err *err)
{
	return gk_apptoken_add_at(dbpath, user, name, expires, scope, 0, now, token, err);
}

int
gk_apptoken_add_at(const char *dbpath, const char *user, const char *name, int64_t expires,
    const char *scope, uint32_t generation, int64_t now, char *token, struct gk_err *err)
{
	unsigned char secret[GK_APPTOKEN_SECRET_BYTES];
	struct gk_userdb_txn *txn;
	struct gk_creds *c;
	struct gk_cred *e;
	struct gk_user u;
	char auto_name[16];
	int rc, i;

	token[0] = '\0';
	if (sodium_init() < 0)
		return gk_err_set(err, "libsodium failed to initialise"), GK_ERR;
	if ((c = calloc(1, sizeof(*c) + sizeof(*e))) == NULL)
		return gk_err_set(err, "out of memory"), GK_ERR;
	e = (struct gk_cred *)(c + 1);
	if ((rc = gk_userdb_begin(dbpath, false, 5000, &txn, err)) != GK_OK)
		goto out;
	if ((rc = gk_userdb_txn_get(txn, user, &u, err)) != GK_OK ||
	    (rc = gk_userdb_txn_creds_get(txn, user, c, err)) != GK_OK)
		goto abort;
	for (i = 1; name == NULL; i++) {
		snprintf(auto_name, sizeof(auto_name), "token%d", i);
		if (gk_creds_find(c, GK_CRED_TOKEN, auto_name) == NULL)
			name = auto_name;
	}
	token_new(e, c, user, name, u.generation > generation ? u.generation : generation, now,
	    expires, scope, secret);
	rc = gk_creds_add(c, e);
	if (rc == GK_EDUP)
		gk_err_set(err, "user %s already has a token named %s", user, name);
	else if (rc == GK_ETOOLONG)
		gk_err_set(err, "user %s has %d credentials already", user, GK_CREDS_MAX);
	if (rc != GK_OK || (rc = gk_userdb_txn_creds_put(txn, user, c, err)) != GK_OK)
		goto abort;
	if ((rc = gk_userdb_commit(txn, err)) == GK_OK)
		token_format(token, user, e->id, secret);
	goto out;
abort:
	gk_userdb_abort(txn);
out:
	gk_wipe(secret, sizeof(secret));
	gk_wipe(&u, sizeof(u));
	gk_wipe(c, sizeof(*c) + sizeof(*e));
	free(c);
	return rc;
}

int
gk_apptoken_revoke(const char *dbpath, const char *user, const char *name, struct gk_err *err)
{
	struct gk_userdb_txn *txn;
	struct gk_creds *c;
	struct gk_user u;
	int rc;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return gk_err_set(err, "out of memory"), GK_ERR;
	if ((rc = gk_userdb_begin(dbpath, false, 5000, &txn, err)) != GK_OK)
		goto out;
	if ((rc = gk_userdb_txn_get(txn, user, &u, err)) != GK_OK ||
	    (rc = gk_userdb_txn_creds_get(txn, user, c, err)) != GK_OK)
		goto abort;
	if ((rc = gk_creds_remove(c, GK_CRED_TOKEN, name)) != GK_OK) {
		gk_err_set(err, "user %s has no token named %s", user, name);
		goto abort;
	}
	if ((rc = gk_userdb_txn_creds_put(txn, user, c, err)) != GK_OK)
		goto abort;
	rc = gk_userdb_commit(txn, err);
	goto out;
abort:
	gk_userdb_abort(txn);
out:
	gk_wipe(&u, sizeof(u));
	gk_wipe(c, sizeof(*c));
	free(c);
	return rc;
}

static void
iso_time(char *out, size_t sz, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t == 0 || gmtime_r(&tt, &tm) == NULL || strftime(out, sz, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		gk_strcpy(out, sz, "never");
}

int
gk_apptoken_list(const char *dbpath, const char *state_dir, const char *user, int64_t now,
    FILE *out, struct gk_err *err)
{
	char created[32], expires[32], used[32], id[ID_HEX_LEN + 1];
	struct gk_userdb *db;
	struct gk_creds *c;
	struct gk_user u;
	int64_t last, t;
	size_t i;
	int rc;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return gk_err_set(err, "out of memory"), GK_ERR;
	if ((rc = gk_userdb_open(dbpath, &db, err)) != GK_OK)
		goto out;
	rc = gk_userdb_lookup_creds(db, user, &u, c, err);
	gk_userdb_close(db);
	for (i = 0; rc == GK_OK && i < c->n; i++) {
		const struct gk_cred *e = &c->c[i];

		if (e->kind != GK_CRED_TOKEN)
			continue;
		iso_time(created, sizeof(created), e->created);
		iso_time(expires, sizeof(expires), e->expires);
		last = e->last_used;
		if (e->idlen == GK_APPTOKEN_ID_BYTES && (t = gk_tokenuse_get(state_dir, e->id)) > last)
			last = t;
		iso_time(used, sizeof(used), last);
		sodium_bin2hex(id, sizeof(id), e->id, e->idlen < GK_APPTOKEN_ID_BYTES ? e->idlen :
		    GK_APPTOKEN_ID_BYTES);
		fprintf(out, "%s\tid=%s\tcreated=%s\texpires=%s\tlast-used=%s\tscope=%s\tstate=%s\n",
		    e->name, id, created, expires, used, e->scope[0] ? e->scope : "all",
		    e->generation < u.generation ? "revoked" :
		    e->expires != 0 && now >= e->expires ? "expired" : "active");
	}
out:
	gk_wipe(&u, sizeof(u));
	gk_wipe(c, sizeof(*c));
	free(c);
	return rc;
}

/* ---- last used, coalesced --------------------------------------------------- */

/* What this process tried lately (ids of tokens), so a read-only database is not retried per request. */
static struct {
	unsigned char id[GK_APPTOKEN_ID_BYTES];
	int64_t at;
} tried[64];
static unsigned tried_next;
static pthread_mutex_t tried_lock = PTHREAD_MUTEX_INITIALIZER;

/* True when this process tried id within GK_APPTOKEN_TOUCH_EVERY; else records the try now. */
static bool
tried_lately(const unsigned char *id, int64_t now)
{
	bool r = false;
	size_t i;

	pthread_mutex_lock(&tried_lock);
	for (i = 0; i < sizeof(tried) / sizeof(tried[0]) && !r; i++)
		r = tried[i].at != 0 && now - tried[i].at < GK_APPTOKEN_TOUCH_EVERY &&
		    memcmp(tried[i].id, id, GK_APPTOKEN_ID_BYTES) == 0;
	if (!r) {
		i = tried_next++ % (sizeof(tried) / sizeof(tried[0]));
		memcpy(tried[i].id, id, GK_APPTOKEN_ID_BYTES);
		tried[i].at = now;
	}
	pthread_mutex_unlock(&tried_lock);
	return r;
}

int
gk_apptoken_touch(const char *state_dir, const struct gk_cred *used, int64_t now,
    struct gk_err *err)
{
	if (used->idlen != GK_APPTOKEN_ID_BYTES || tried_lately(used->id, now))
		return GK_OK;
	/* One pwrite in state_dir: the user database is never rewritten for a use. */
	return gk_tokenuse_record(state_dir, used->id, now, err);
}

/* ---- expiry, as people type it ----------------------------------------------- */

int
gk_apptoken_expires_parse(const char *s, int64_t now, int64_t *out, struct gk_err *err)
{
	struct tm tm;
	char *end;
	long long n;
	int64_t unit;

	*out = 0;
	if (strcmp(s, "never") == 0)
		return GK_OK;
	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%d", &tm);
	if (end != NULL && *end == '\0') {
		*out = (int64_t)timegm(&tm);
	} else {
		errno = 0;
		n = strtoll(s, &end, 10);
		if (errno != 0 || end == s || n <= 0 || n > 36500 || s[0] == '+' || s[0] == '-' ||
		    end[0] == '\0' || end[1] != '\0' || strchr("smhdw", end[0]) == NULL)
			return gk_err_set(err, "'%.32s' is not never, N followed by s, m, h, d "
			    "or w, or YYYY-MM-DD", s), GK_EINVAL;
		unit = end[0] == 's' ? 1 : end[0] == 'm' ? 60 : end[0] == 'h' ? 3600 :
		    end[0] == 'd' ? 86400 : 7 * 86400;
		*out = now + (int64_t)n * unit;
	}
	if (*out <= now) {
		*out = 0;
		return gk_err_set(err, "'%.32s' is in the past", s), GK_EINVAL;
	}
	return GK_OK;
}
