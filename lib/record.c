/* record.c: encode, decode and validate the versioned binary user record (see docs/userdb-format.md). */
#include <config.h>

#include <string.h>

#include "bytes.h"
#include "record.h"
#include "validate.h"

/*
 * Version 1 layout, all integers big-endian:
 *   u8 version (=1) | u8 perm | u16 level | u32 flags | u32 generation |
 *   i64 created | i64 updated | i64 pw_changed |
 *   u8 name_len name | u16 hash_len hash | u16 groups_len groups |
 *   u16 email_len email | u16 display_len display | 16-byte BLAKE2b of all before
 * Version 2 (only for a user with an identity provider's subject) adds
 *   u16 sub_len sub (1..255 bytes) after the display name.
 * The name is repeated from the key so that a value found under the wrong key
 * (a damaged bucket, a hand-edited file) is refused instead of believed, and the
 * checksum catches damage that would still parse (a flipped bit in a flag, a level
 * or a group letter). It guards against accidents, not attackers: whoever can write
 * the database can also recompute it.
 */
#define REC_FIXED (1 + 1 + 2 + 4 + 4 + 8 + 8 + 8)
#define REC_SUM   16

void
gk_user_init(struct gk_user *u, const char *name, int64_t now)
{
	memset(u, 0, sizeof(*u));
	if (name != NULL && gk_strcpy(u->name, sizeof(u->name), name) != GK_OK)
		u->name[0] = '\0';   /* gk_user_validate refuses the empty name later */
	u->perm = GK_PERM_RW;
	u->level = GK_LEVEL_USER;
	u->generation = 1;
	u->created = u->updated = u->pw_changed = now;
}

int
gk_perm_parse(const char *s, enum gk_perm *out)
{
	if (s == NULL)
		return GK_EINVAL;
	if (strcmp(s, "none") == 0)
		*out = GK_PERM_NONE;
	else if (strcmp(s, "ro") == 0)
		*out = GK_PERM_RO;
	else if (strcmp(s, "rw") == 0 || strcmp(s, "full") == 0)
		*out = GK_PERM_RW;
	else
		return GK_EINVAL;
	return GK_OK;
}

const char *
gk_perm_name(enum gk_perm p)
{
	switch (p) {
	case GK_PERM_NONE:
		return "none";
	case GK_PERM_RO:
		return "ro";
	case GK_PERM_RW:
		return "rw";
	}
	return "invalid";
}

bool
gk_groups_contains(const char *list, const char *g)
{
	size_t glen;
	const char *p, *end;

	if (list == NULL || g == NULL || (glen = strlen(g)) == 0)
		return false;
	for (p = list; *p != '\0'; p = *end == ',' ? end + 1 : end) {
		end = strchr(p, ',');
		if (end == NULL)
			end = p + strlen(p);
		if ((size_t)(end - p) == glen && memcmp(p, g, glen) == 0)
			return true;
	}
	return false;
}

/* A crypt(3) string: printable ASCII without ':' or whitespace; "" only for external users. */
static bool
valid_hash(const char *s, size_t len, uint32_t flags)
{
	size_t i;

	if (len == 0)
		return (flags & GK_USER_EXTERNAL) != 0;
	if (len >= GK_HASH_MAX)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c >= 0x7f || c == ':')
			return false;
	}
	return true;
}

/* Length of a fixed-size string field, or (size_t)-1 if it is not NUL-terminated. */
static size_t
field_len(const char *s, size_t size)
{
	const char *nul = memchr(s, '\0', size);

	return nul == NULL ? (size_t)-1 : (size_t)(nul - s);
}

/* An identity provider's subject: printable ASCII, no space; only an external user has one. */
static bool
valid_sub(const char *s, size_t len, uint32_t flags)
{
	if (len == 0)
		return true;
	return len <= GK_SUB_MAX && (flags & GK_USER_EXTERNAL) != 0 && gk_valid_vchar(s, len);
}

/*
 * Checks the fields in their byte form: shared by validate (struct) and decode (wire).
 * name_ok judges the name (writes are stricter than reads of old records).
 */
static int
check_fields(bool (*name_ok)(const char *, size_t), const char *name, size_t namelen,
    const char *hash, size_t hashlen,
    const char *groups, size_t groupslen, const char *email, size_t emaillen,
    const char *display, size_t displaylen, const char *sub, size_t sublen, unsigned perm,
    uint32_t flags, unsigned level, struct gk_err *err)
{
	if (namelen > GK_USER_MAX || memchr(name, '\0', namelen) != NULL ||
	    !name_ok(name, namelen))
		return gk_err_set(err, "invalid user name"), GK_EINVAL;
	if (memchr(hash, '\0', hashlen) != NULL || !valid_hash(hash, hashlen, flags))
		return gk_err_set(err, "user %.*s: invalid password hash", (int)namelen, name),
		    GK_EINVAL;
	if (groupslen > GK_GROUPS_MAX || memchr(groups, '\0', groupslen) != NULL ||
	    !gk_valid_group_list(groups, groupslen))
		return gk_err_set(err, "user %.*s: invalid group list", (int)namelen, name),
		    GK_EINVAL;
	if (emaillen > GK_EMAIL_MAX || memchr(email, '\0', emaillen) != NULL ||
	    (emaillen > 0 && !gk_valid_email(email, emaillen)))
		return gk_err_set(err, "user %.*s: invalid e-mail", (int)namelen, name), GK_EINVAL;
	if (displaylen > GK_DISPLAY_MAX || memchr(display, '\0', displaylen) != NULL ||
	    !gk_valid_display(display, displaylen))
		return gk_err_set(err, "user %.*s: invalid display name", (int)namelen, name),
		    GK_EINVAL;
	if (memchr(sub, '\0', sublen) != NULL || !valid_sub(sub, sublen, flags))
		return gk_err_set(err, "user %.*s: invalid identity provider subject", (int)namelen,
		    name), GK_EINVAL;
	if (perm > GK_PERM_RW)
		return gk_err_set(err, "user %.*s: invalid permission %u", (int)namelen, name,
		    perm), GK_EINVAL;
	if ((flags & ~(GK_USER_DISABLED | GK_USER_EXTERNAL)) != 0)
		return gk_err_set(err, "user %.*s: unknown flags 0x%x", (int)namelen, name,
		    (unsigned)flags), GK_EINVAL;
	if (level > GK_LEVEL_GUEST)
		return gk_err_set(err, "user %.*s: invalid level %u", (int)namelen, name, level),
		    GK_EINVAL;
	return GK_OK;
}

int
gk_user_validate(const struct gk_user *u, struct gk_err *err)
{
	size_t nl, hl, gl, el, dl, sl;

	nl = field_len(u->name, sizeof(u->name));
	hl = field_len(u->hash, sizeof(u->hash));
	gl = field_len(u->groups, sizeof(u->groups));
	el = field_len(u->email, sizeof(u->email));
	dl = field_len(u->display, sizeof(u->display));
	sl = field_len(u->sub, sizeof(u->sub));
	if (nl == (size_t)-1 || hl == (size_t)-1 || gl == (size_t)-1 || el == (size_t)-1 ||
	    dl == (size_t)-1 || sl == (size_t)-1)
		return gk_err_set(err, "user record field not terminated"), GK_EINVAL;
	/* What is written must be a name that can sign in (no leading '-'). */
	return check_fields(gk_valid_user, u->name, nl, u->hash, hl, u->groups, gl, u->email, el,
	    u->display, dl, u->sub, sl, (unsigned)u->perm, u->flags, u->level, err);
}

static unsigned char *
put_str16(unsigned char *p, const char *s, size_t len)
{
	p = gk_put_be(p, len, 2);
	memcpy(p, s, len);
	return p + len;
}

int
gk_record_encode(const struct gk_user *u, unsigned char *buf, size_t bufsz, size_t *len,
    struct gk_err *err)
{
	size_t nl, hl, gl, el, dl, sl, need;
	unsigned char *p;
	int rc;

	if ((rc = gk_user_validate(u, err)) != GK_OK)
		return rc;
	nl = strlen(u->name);
	hl = strlen(u->hash);
	gl = strlen(u->groups);
	el = strlen(u->email);
	dl = strlen(u->display);
	sl = strlen(u->sub);
	need = REC_FIXED + 1 + nl + 2 + hl + 2 + gl + 2 + el + 2 + dl + (sl > 0 ? 2 + sl : 0) +
	    REC_SUM;
	if (need > GK_RECORD_MAX || need > bufsz)
		return gk_err_set(err, "user %s: record needs %zu bytes, buffer has %zu", u->name,
		    need, bufsz), GK_ETOOLONG;
	p = buf;
	/* Version 1 unless there is a subject: records older readers can read stay readable. */
	*p++ = sl > 0 ? GK_RECORD_VERSION_SUB : GK_RECORD_VERSION;
	*p++ = (unsigned char)u->perm;
	p = gk_put_be(p, u->level, 2);
	p = gk_put_be(p, u->flags, 4);
	p = gk_put_be(p, u->generation, 4);
	p = gk_put_be(p, (uint64_t)u->created, 8);
	p = gk_put_be(p, (uint64_t)u->updated, 8);
	p = gk_put_be(p, (uint64_t)u->pw_changed, 8);
	*p++ = (unsigned char)nl;
	memcpy(p, u->name, nl);
	p += nl;
	p = put_str16(p, u->hash, hl);
	p = put_str16(p, u->groups, gl);
	p = put_str16(p, u->email, el);
	p = put_str16(p, u->display, dl);
	if (sl > 0)
		p = put_str16(p, u->sub, sl);
	*len = gk_seal(buf, p, REC_SUM);
	return GK_OK;
}

/* A u16-length-prefixed string no longer than max; *s points into the buffer. */
static bool
get_str16(struct gk_cursor *c, size_t max, const char **s, size_t *len)
{
	uint64_t n;

	if (!gk_get_be(c, 2, &n) || n > max || c->end - c->p < (ptrdiff_t)n)
		return false;
	*s = (const char *)c->p;
	*len = n;
	c->p += n;
	return true;
}

int
gk_record_decode(const char *name, size_t namelen, const unsigned char *buf, size_t len,
    struct gk_user *u, struct gk_err *err)
{
	struct gk_cursor c;
	const char *rname, *hash, *groups, *email, *display, *sub = "";
	size_t rnamelen, hl, gl, el, dl, sl = 0;
	unsigned char perm;
	uint64_t level, flags, generation, created, updated, pw_changed;
	struct gk_err verr;

	memset(u, 0, sizeof(*u));
	if (gk_sealed_frame(buf, len, 1 + REC_SUM, GK_RECORD_MAX, REC_SUM, "user record", err) !=
	    GK_OK)
		return GK_ECORRUPT;
	if (buf[0] != GK_RECORD_VERSION && buf[0] != GK_RECORD_VERSION_SUB)
		return gk_err_set(err, "unknown user record version %u", buf[0]), GK_ECORRUPT;
	c.p = buf + 1;
	c.end = buf + len - REC_SUM;
	if (c.end - c.p < 1)
		goto truncated;
	perm = *c.p++;
	if (!gk_get_be(&c, 2, &level) || !gk_get_be(&c, 4, &flags) ||
	    !gk_get_be(&c, 4, &generation) || !gk_get_be(&c, 8, &created) ||
	    !gk_get_be(&c, 8, &updated) || !gk_get_be(&c, 8, &pw_changed))
		goto truncated;
	if (c.end - c.p < 1)
		goto truncated;
	rnamelen = *c.p++;
	if (rnamelen > (size_t)(c.end - c.p))
		goto truncated;
	rname = (const char *)c.p;
	c.p += rnamelen;
	if (!get_str16(&c, GK_HASH_MAX - 1, &hash, &hl) ||
	    !get_str16(&c, GK_GROUPS_MAX, &groups, &gl) ||
	    !get_str16(&c, GK_EMAIL_MAX, &email, &el) ||
	    !get_str16(&c, GK_DISPLAY_MAX, &display, &dl))
		goto truncated;
	if (buf[0] == GK_RECORD_VERSION_SUB) {
		if (!get_str16(&c, GK_SUB_MAX, &sub, &sl))
			goto truncated;
		if (sl == 0)
			return gk_err_set(err, "version 2 user record without a subject"), GK_ECORRUPT;
	}
	if (c.p != c.end)
		return gk_err_set(err, "user record has %zu trailing bytes",
		    (size_t)(c.end - c.p)), GK_ECORRUPT;
	if (name == NULL || rnamelen != namelen || memcmp(rname, name, namelen) != 0)
		return gk_err_set(err, "user record does not belong to its key"), GK_ECORRUPT;
	/* What was written before the leading '-' rule stays readable (and deletable). */
	if (check_fields(gk_valid_stored_user, rname, rnamelen, hash, hl, groups, gl, email, el,
	    display, dl, sub, sl, perm, (uint32_t)flags, (unsigned)level, &verr) != GK_OK)
		return gk_err_set(err, "corrupt record: %s", verr.msg), GK_ECORRUPT;
	/* Lengths were checked against the field sizes above, so these copies fit. */
	if (gk_memcpy_str(u->name, sizeof(u->name), rname, rnamelen) != GK_OK ||
	    gk_memcpy_str(u->hash, sizeof(u->hash), hash, hl) != GK_OK ||
	    gk_memcpy_str(u->groups, sizeof(u->groups), groups, gl) != GK_OK ||
	    gk_memcpy_str(u->email, sizeof(u->email), email, el) != GK_OK ||
	    gk_memcpy_str(u->display, sizeof(u->display), display, dl) != GK_OK ||
	    gk_memcpy_str(u->sub, sizeof(u->sub), sub, sl) != GK_OK) {
		gk_wipe(u, sizeof(*u));
		return gk_err_set(err, "user record field too long"), GK_ECORRUPT;
	}
	u->perm = (enum gk_perm)perm;
	u->flags = (uint32_t)flags;
	u->generation = (uint32_t)generation;
	u->level = (uint16_t)level;
	u->created = (int64_t)created;
	u->updated = (int64_t)updated;
	u->pw_changed = (int64_t)pw_changed;
	return GK_OK;

truncated:
	return gk_err_set(err, "truncated user record (%zu bytes)", len), GK_ECORRUPT;
}
