/* creds.c: encode, decode and validate a user's credentials value (see docs/userdb-format.md), and the in-memory helpers. */
#include <config.h>

#include <string.h>

#include "bytes.h"
#include "creds.h"
#include "validate.h"

/*
 * Version 1 layout, all integers big-endian:
 *   u8 version (=1) | u8 count | count entries | 16-byte BLAKE2b of all before
 * One entry:
 *   u8 kind | u8 name_len name | i64 created | i64 expires | i64 last_used |
 *   u32 generation | u32 flags | u64 counter |
 *   u8 scope_len scope | u8 id_len id | u8 data_len data
 * Every length fits its byte because every cap is at most 255. The checksum, as in
 * the user record, catches accidents (a flipped bit), not attackers.
 */
#define CREDS_VERSION 1
#define CREDS_SUM     16
#define ENTRY_FIXED   (1 + 1 + 8 + 8 + 8 + 4 + 4 + 8 + 1 + 1 + 1)

/* A credential's name: [A-Za-z0-9._@+-], 1..GK_CRED_NAME_MAX. */
static bool
valid_name(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > GK_CRED_NAME_MAX)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '.' || c == '_' || c == '@' || c == '+' || c == '-'))
			return false;
	}
	return true;
}

/* A scope: printable ASCII without space (its syntax is the kind's business), may be empty. */
static bool
valid_scope(const char *s, size_t len)
{
	return len <= GK_CRED_SCOPE_MAX && gk_valid_vchar(s, len);
}

static bool
valid_kind(int kind)
{
	return kind >= GK_CRED_TOTP && kind <= GK_CRED_PASSKEY;
}

/* Kinds looked up by their id: the id must be there and unique within the kind. */
static bool
kind_has_id(enum gk_cred_kind kind)
{
	return kind == GK_CRED_TOKEN || kind == GK_CRED_PASSKEY;
}

static int
validate_one(const struct gk_cred *e, size_t i, struct gk_err *err)
{
	const char *nul;

	if (!valid_kind((int)e->kind))
		return gk_err_set(err, "credential %zu: unknown kind %d", i, (int)e->kind), GK_EINVAL;
	nul = memchr(e->name, '\0', sizeof(e->name));
	if (nul == NULL || !valid_name(e->name, (size_t)(nul - e->name)))
		return gk_err_set(err, "credential %zu: invalid name (1-%d of [A-Za-z0-9._@+-])", i,
		    GK_CRED_NAME_MAX), GK_EINVAL;
	nul = memchr(e->scope, '\0', sizeof(e->scope));
	if (nul == NULL || !valid_scope(e->scope, (size_t)(nul - e->scope)))
		return gk_err_set(err, "credential %s: invalid scope", e->name), GK_EINVAL;
	if (e->created < 0 || e->expires < 0 || e->last_used < 0)
		return gk_err_set(err, "credential %s: negative time", e->name), GK_EINVAL;
	if (e->idlen > GK_CRED_ID_MAX || (kind_has_id(e->kind) && e->idlen == 0))
		return gk_err_set(err, "credential %s: invalid id length %zu", e->name, e->idlen),
		    GK_EINVAL;
	if (e->datalen == 0 || e->datalen > GK_CRED_DATA_MAX)
		return gk_err_set(err, "credential %s: invalid data length %zu", e->name,
		    e->datalen), GK_EINVAL;
	return GK_OK;
}

int
gk_creds_validate(const struct gk_creds *c, struct gk_err *err)
{
	size_t i, j;
	int rc;

	if (c->n > GK_CREDS_MAX)
		return gk_err_set(err, "%zu credentials exceed %d", c->n, GK_CREDS_MAX), GK_EINVAL;
	for (i = 0; i < c->n; i++) {
		if ((rc = validate_one(&c->c[i], i, err)) != GK_OK)
			return rc;
		for (j = 0; j < i; j++) {
			const struct gk_cred *a = &c->c[i], *b = &c->c[j];

			if (a->kind != b->kind)
				continue;
			if (strcmp(a->name, b->name) == 0)
				return gk_err_set(err, "credential %s: name used twice", a->name),
				    GK_EINVAL;
			if (kind_has_id(a->kind) && a->idlen == b->idlen &&
			    memcmp(a->id, b->id, a->idlen) == 0)
				return gk_err_set(err, "credentials %s and %s: same id", b->name,
				    a->name), GK_EINVAL;
		}
	}
	return GK_OK;
}

static unsigned char *
put_bytes8(unsigned char *p, const void *s, size_t len)
{
	*p++ = (unsigned char)len;
	memcpy(p, s, len);
	return p + len;
}

int
gk_creds_encode(const struct gk_creds *c, unsigned char *buf, size_t bufsz, size_t *len,
    struct gk_err *err)
{
	size_t need = 2 + CREDS_SUM, i;
	unsigned char *p;
	int rc;

	if ((rc = gk_creds_validate(c, err)) != GK_OK)
		return rc;
	for (i = 0; i < c->n; i++)
		need += ENTRY_FIXED + strlen(c->c[i].name) + strlen(c->c[i].scope) + c->c[i].idlen +
		    c->c[i].datalen;
	if (need > GK_CREDS_VALUE_MAX || need > bufsz)
		return gk_err_set(err, "credentials need %zu bytes, buffer has %zu", need, bufsz),
		    GK_ETOOLONG;
	p = buf;
	*p++ = CREDS_VERSION;
	*p++ = (unsigned char)c->n;
	for (i = 0; i < c->n; i++) {
		const struct gk_cred *e = &c->c[i];

		*p++ = (unsigned char)e->kind;
		p = put_bytes8(p, e->name, strlen(e->name));
		p = gk_put_be(p, (uint64_t)e->created, 8);
		p = gk_put_be(p, (uint64_t)e->expires, 8);
		p = gk_put_be(p, (uint64_t)e->last_used, 8);
		p = gk_put_be(p, e->generation, 4);
		p = gk_put_be(p, e->flags, 4);
		p = gk_put_be(p, e->counter, 8);
		p = put_bytes8(p, e->scope, strlen(e->scope));
		p = put_bytes8(p, e->id, e->idlen);
		p = put_bytes8(p, e->data, e->datalen);
	}
	*len = gk_seal(buf, p, CREDS_SUM);
	return GK_OK;
}

/* A u8-length-prefixed field no longer than max, copied to dst; *len gets its length. */
static bool
get_bytes8(struct gk_cursor *c, size_t max, void *dst, size_t *len)
{
	size_t n;

	if (c->end - c->p < 1)
		return false;
	n = *c->p++;
	if (n > max || c->end - c->p < (ptrdiff_t)n)
		return false;
	memcpy(dst, c->p, n);
	c->p += n;
	*len = n;
	return true;
}

static bool
get_entry(struct gk_cursor *c, struct gk_cred *e)
{
	uint64_t generation, flags;
	size_t nl, sl;

	if (c->end - c->p < 1)
		return false;
	e->kind = (enum gk_cred_kind)*c->p++;
	if (!get_bytes8(c, GK_CRED_NAME_MAX, e->name, &nl) || !gk_get_time(c, &e->created) ||
	    !gk_get_time(c, &e->expires) || !gk_get_time(c, &e->last_used) ||
	    !gk_get_be(c, 4, &generation) || !gk_get_be(c, 4, &flags) ||
	    !gk_get_be(c, 8, &e->counter) ||
	    !get_bytes8(c, GK_CRED_SCOPE_MAX, e->scope, &sl) ||
	    !get_bytes8(c, GK_CRED_ID_MAX, e->id, &e->idlen) ||
	    !get_bytes8(c, GK_CRED_DATA_MAX, e->data, &e->datalen))
		return false;
	/* A NUL inside would cut the C string: "path=/p\0,method=GET" read as "path=/p". */
	if (memchr(e->name, '\0', nl) != NULL || memchr(e->scope, '\0', sl) != NULL)
		return false;
	e->name[nl] = '\0';
	e->scope[sl] = '\0';
	e->generation = (uint32_t)generation;
	e->flags = (uint32_t)flags;
	return true;
}

int
gk_creds_decode(const unsigned char *buf, size_t len, struct gk_creds *c, struct gk_err *err)
{
	struct gk_cursor cur;
	struct gk_err verr;
	size_t n, i;

	memset(c, 0, sizeof(*c));
	if (gk_sealed_frame(buf, len, 2 + CREDS_SUM, GK_CREDS_VALUE_MAX, CREDS_SUM,
	    "credentials value", err) != GK_OK)
		return GK_ECORRUPT;
	if (buf[0] != CREDS_VERSION)
		return gk_err_set(err, "unknown credentials version %u", buf[0]), GK_ECORRUPT;
	n = buf[1];
	if (n > GK_CREDS_MAX)
		return gk_err_set(err, "%zu credentials exceed %d", n, GK_CREDS_MAX), GK_ECORRUPT;
	cur.p = buf + 2;
	cur.end = buf + len - CREDS_SUM;
	for (i = 0; i < n; i++)
		if (!get_entry(&cur, &c->c[i])) {
			gk_wipe(c, sizeof(*c));
			goto truncated;
		}
	c->n = n;
	if (cur.p != cur.end) {
		gk_wipe(c, sizeof(*c));
		return gk_err_set(err, "credentials value has %zu trailing bytes",
		    (size_t)(cur.end - cur.p)), GK_ECORRUPT;
	}
	if (gk_creds_validate(c, &verr) != GK_OK) {
		gk_wipe(c, sizeof(*c));
		return gk_err_set(err, "corrupt credentials: %s", verr.msg), GK_ECORRUPT;
	}
	return GK_OK;

truncated:
	return gk_err_set(err, "truncated credentials value, or a NUL inside a name or scope "
	    "(%zu bytes)", len), GK_ECORRUPT;
}

struct gk_cred *
gk_creds_find(struct gk_creds *c, enum gk_cred_kind kind, const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < c->n && i < GK_CREDS_MAX; i++)
		if (c->c[i].kind == kind && strcmp(c->c[i].name, name) == 0)
			return &c->c[i];
	return NULL;
}

int
gk_creds_add(struct gk_creds *c, const struct gk_cred *one)
{
	if (gk_creds_find(c, one->kind, one->name) != NULL)
		return GK_EDUP;
	if (c->n >= GK_CREDS_MAX)
		return GK_ETOOLONG;
	c->c[c->n++] = *one;
	return GK_OK;
}

int
gk_creds_remove(struct gk_creds *c, enum gk_cred_kind kind, const char *name)
{
	struct gk_cred *e = gk_creds_find(c, kind, name);
	size_t i;

	if (e == NULL)
		return GK_NOTFOUND;
	for (i = (size_t)(e - c->c); i + 1 < c->n; i++)
		c->c[i] = c->c[i + 1];
	c->n--;
	gk_wipe(&c->c[c->n], sizeof(c->c[c->n]));
	return GK_OK;
}

size_t
gk_creds_count(const struct gk_creds *c, enum gk_cred_kind kind)
{
	size_t i, n = 0;

	for (i = 0; i < c->n && i < GK_CREDS_MAX; i++)
		if (c->c[i].kind == kind)
			n++;
	return n;
}
