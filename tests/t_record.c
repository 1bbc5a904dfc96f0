/* t_record.c: the binary user record: round trip, strict decoding of hostile bytes, helpers. */
#include <config.h>

#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "record.h"
#include "tap.h"

/*
 * An independent encoder for version 1 (see docs/userdb-format.md), so that the test
 * pins the format and can produce records the library's encoder would refuse.
 */
struct raw {
	unsigned version, perm, level;
	uint32_t flags, gen;
	int64_t created, updated, pwc;
	const char *name, *hash, *groups, *email, *display;
	size_t nl, hl, gl, el, dl;   /* explicit lengths: fields may hold NULs */
};

static size_t
put(unsigned char *p, uint64_t v, int bytes)
{
	int i;

	for (i = bytes - 1; i >= 0; i--) {
		p[i] = (unsigned char)v;
		v >>= 8;
	}
	return (size_t)bytes;
}

/* Appends the 16-byte BLAKE2b checksum to n body bytes; returns the record length. */
static size_t
seal(unsigned char *b, size_t n)
{
	crypto_generichash(b + n, 16, b, n, NULL, 0);
	return n + 16;
}

static size_t
raw_build(const struct raw *r, unsigned char *b)
{
	size_t n = 0;

	b[n++] = (unsigned char)r->version;
	b[n++] = (unsigned char)r->perm;
	n += put(b + n, r->level, 2);
	n += put(b + n, r->flags, 4);
	n += put(b + n, r->gen, 4);
	n += put(b + n, (uint64_t)r->created, 8);
	n += put(b + n, (uint64_t)r->updated, 8);
	n += put(b + n, (uint64_t)r->pwc, 8);
	b[n++] = (unsigned char)r->nl;
	memcpy(b + n, r->name, r->nl);
	n += r->nl;
	n += put(b + n, r->hl, 2);
	memcpy(b + n, r->hash, r->hl);
	n += r->hl;
	n += put(b + n, r->gl, 2);
	memcpy(b + n, r->groups, r->gl);
	n += r->gl;
	n += put(b + n, r->el, 2);
	memcpy(b + n, r->email, r->el);
	n += r->el;
	n += put(b + n, r->dl, 2);
	memcpy(b + n, r->display, r->dl);
	n += r->dl;
	return seal(b, n);
}

#define HASH "$y$j9T$F5Jx5fExrKuPp53xLKQ..1$X3DX6M94c7o.9agCG9G317fhZg9SqC.5i5rd.RhAtQ7"

static void
raw_default(struct raw *r)
{
	memset(r, 0, sizeof(*r));
	r->version = 1;
	r->perm = GK_PERM_RO;
	r->level = 5;
	r->flags = GK_USER_DISABLED;
	r->gen = 7;
	r->created = 1700000000;
	r->updated = 1700000100;
	r->pwc = -1;
	r->name = "alice";
	r->hash = HASH;
	r->groups = "admins,staff";
	r->email = "alice@example.org";
	r->display = "Alice Müller";
	r->nl = strlen(r->name);
	r->hl = strlen(r->hash);
	r->gl = strlen(r->groups);
	r->el = strlen(r->email);
	r->dl = strlen(r->display);
}

/* Decodes raw bytes as user name; returns the status. */
static int
dec(const char *name, const unsigned char *b, size_t len, struct gk_user *u)
{
	struct gk_err err;

	return gk_record_decode(name, strlen(name), b, len, u, &err);
}

static int
dec_raw(const struct raw *r)
{
	unsigned char b[8192];
	struct gk_user u;
	size_t n = raw_build(r, b);

	return dec("alice", b, n, &u);
}

static void
full_user(struct gk_user *u)
{
	gk_user_init(u, "alice", 1700000000);
	strcpy(u->hash, HASH);
	strcpy(u->groups, "admins,staff");
	strcpy(u->email, "alice@example.org");
	strcpy(u->display, "Alice Müller");
	u->perm = GK_PERM_RO;
	u->flags = GK_USER_DISABLED;
	u->generation = 7;
	u->level = 5;
	u->updated = 1700000100;
	u->pw_changed = -1;
}

static void
test_round_trip(void)
{
	struct gk_user in, out;
	struct gk_err err;
	unsigned char buf[GK_RECORD_MAX], rbuf[GK_RECORD_MAX];
	struct raw r;
	size_t len = 0, rlen;

	full_user(&in);
	is_int(gk_record_encode(&in, buf, sizeof(buf), &len, &err), GK_OK, "encode a full user");
	is_int(buf[0], GK_RECORD_VERSION, "first byte is the format version");
	raw_default(&r);
	rlen = raw_build(&r, rbuf);
	ok(len == rlen && memcmp(buf, rbuf, len) == 0, "encoding matches the documented layout");
	is_int(gk_record_decode("alice", 5, buf, len, &out, &err), GK_OK, "decode it back");
	is_str(out.name, "alice", "name");
	is_str(out.hash, HASH, "hash");
	is_str(out.groups, "admins,staff", "groups");
	is_str(out.email, "alice@example.org", "email");
	is_str(out.display, "Alice Müller", "display name (UTF-8)");
	is_int(out.perm, GK_PERM_RO, "perm");
	is_int(out.flags, GK_USER_DISABLED, "flags");
	is_int(out.generation, 7, "generation");
	is_int(out.level, 5, "level");
	is_int(out.created, 1700000000, "created");
	is_int(out.updated, 1700000100, "updated");
	is_int(out.pw_changed, -1, "pw_changed (negative survives)");

	/* Extremes: empty optional fields, external user without hash, maximal lengths. */
	gk_user_init(&in, "bob", 0);
	in.flags = GK_USER_EXTERNAL;
	in.generation = UINT32_MAX;
	in.level = GK_LEVEL_GUEST;
	in.created = INT64_MIN;
	in.updated = INT64_MAX;
	is_int(gk_record_encode(&in, buf, sizeof(buf), &len, &err), GK_OK,
	    "external user without a hash encodes");
	is_int(gk_record_decode("bob", 3, buf, len, &out, &err), GK_OK, "and decodes");
	ok(out.hash[0] == '\0' && out.groups[0] == '\0' && out.email[0] == '\0' &&
	    out.display[0] == '\0', "empty fields stay empty");
	ok(out.generation == UINT32_MAX && out.created == INT64_MIN && out.updated == INT64_MAX &&
	    out.level == GK_LEVEL_GUEST, "integer extremes survive");

	gk_user_init(&in, "", 0);
	memset(in.name, 'n', GK_USER_MAX);
	in.name[GK_USER_MAX] = '\0';
	memset(in.hash, 'h', GK_HASH_MAX - 1);
	in.hash[GK_HASH_MAX - 1] = '\0';
	memset(in.display, 'd', GK_DISPLAY_MAX);
	in.display[GK_DISPLAY_MAX] = '\0';
	is_int(gk_record_encode(&in, buf, sizeof(buf), &len, &err), GK_OK,
	    "maximal name, hash and display encode");
	is_int(gk_record_decode(in.name, GK_USER_MAX, buf, len, &out, &err), GK_OK,
	    "and decode");
	ok(strcmp(out.name, in.name) == 0 && strcmp(out.hash, in.hash) == 0 &&
	    strcmp(out.display, in.display) == 0, "maximal fields round-trip");
	is_int(gk_record_encode(&in, buf, 10, &len, &err), GK_ETOOLONG,
	    "small output buffer -> GK_ETOOLONG");
}

static void
test_truncation_and_trailing(void)
{
	struct gk_user in, out;
	struct gk_err err;
	unsigned char buf[GK_RECORD_MAX + 32], cut[GK_RECORD_MAX + 32];
	size_t len, n;
	int bad = 0, bad_sealed = 0, rc;

	full_user(&in);
	gk_record_encode(&in, buf, sizeof(buf), &len, &err);
	for (n = 0; n < len; n++)
		if (gk_record_decode("alice", 5, buf, n, &out, &err) != GK_ECORRUPT)
			bad++;
	is_int(bad, 0, "every truncation (0..%zu bytes) -> GK_ECORRUPT", len - 1);
	/* The same with a valid checksum over the cut body: the parser itself must refuse. */
	for (n = 1; n < len - 16; n++) {
		memcpy(cut, buf, n);
		rc = gk_record_decode("alice", 5, cut, seal(cut, n), &out, &err);
		if (rc != GK_ECORRUPT || strstr(err.msg, "truncated") == NULL)
			bad_sealed++;
	}
	is_int(bad_sealed, 0, "every truncated body with a valid checksum -> truncated");
	memcpy(cut, buf, len - 16);
	cut[len - 16] = 0;
	is_int(gk_record_decode("alice", 5, cut, seal(cut, len - 15), &out, &err), GK_ECORRUPT,
	    "one trailing byte before the checksum -> GK_ECORRUPT");
	ok(strstr(err.msg, "trailing") != NULL, "message names the problem: %s", err.msg);
	buf[len] = 0;
	is_int(gk_record_decode("alice", 5, buf, len + 1, &out, &err), GK_ECORRUPT,
	    "one byte appended after the checksum -> GK_ECORRUPT");
	is_int(gk_record_decode("alice", 5, NULL, 0, &out, &err), GK_ECORRUPT, "NULL record");
	is_int(gk_record_decode("alice", 5, buf, GK_RECORD_MAX + 1, &out, &err), GK_ECORRUPT,
	    "record over GK_RECORD_MAX -> GK_ECORRUPT");
	is_int(gk_record_decode("bob", 3, buf, len, &out, &err), GK_ECORRUPT,
	    "record stored under another user's key -> GK_ECORRUPT");
	is_int(gk_record_decode("alic", 4, buf, len, &out, &err), GK_ECORRUPT,
	    "key that is a prefix of the stored name -> GK_ECORRUPT");
	ok(out.name[0] == '\0' && out.hash[0] == '\0', "a refused record leaves u empty");
}

static void
test_bit_flips(void)
{
	struct gk_user in, out;
	struct gk_err err;
	unsigned char buf[GK_RECORD_MAX], body[GK_RECORD_MAX];
	size_t len, i;
	int bit, refused = 0, total = 0, bad = 0, rc;

	full_user(&in);
	gk_record_encode(&in, buf, sizeof(buf), &len, &err);
	for (i = 0; i < len; i++) {
		for (bit = 0; bit < 8; bit++) {
			buf[i] ^= (unsigned char)(1u << bit);
			if (gk_record_decode("alice", 5, buf, len, &out, &err) == GK_ECORRUPT)
				refused++;
			total++;
			buf[i] ^= (unsigned char)(1u << bit);
		}
	}
	is_int(refused, total, "every single-bit flip (%d) refused", total);
	/*
	 * Behind a recomputed checksum the parser sees the flip: a structural or text
	 * change must be refused; a number change may pass, but only as a valid user.
	 */
	for (i = 0; i < len - 16; i++) {
		for (bit = 0; bit < 8; bit++) {
			memcpy(body, buf, len - 16);
			body[i] ^= (unsigned char)(1u << bit);
			rc = gk_record_decode("alice", 5, body, seal(body, len - 16), &out, &err);
			if (rc == GK_OK && gk_user_validate(&out, &err) != GK_OK)
				bad++;
			else if (rc != GK_OK && rc != GK_ECORRUPT)
				bad++;
		}
	}
	is_int(bad, 0, "resealed bit flips: refused, or a valid user (numbers)");
	memcpy(body, buf, len - 16);
	body[0] ^= 1;
	is_int(gk_record_decode("alice", 5, body, seal(body, len - 16), &out, &err), GK_ECORRUPT,
	    "resealed version byte flip refused");
	memcpy(body, buf, len - 16);
	body[36] ^= 0x40;   /* name length */
	is_int(gk_record_decode("alice", 5, body, seal(body, len - 16), &out, &err), GK_ECORRUPT,
	    "resealed name length flip refused");
	memcpy(body, buf, len - 16);
	body[42] ^= 0x40;   /* hash length, high byte */
	is_int(gk_record_decode("alice", 5, body, seal(body, len - 16), &out, &err), GK_ECORRUPT,
	    "resealed hash length flip refused");
	is_int(gk_record_decode("alice", 5, buf, len, &out, &err), GK_OK, "original still decodes");
}

static void
test_versions_and_sizes(void)
{
	struct raw r;
	char big[GK_GROUPS_MAX + 2];

	raw_default(&r);
	is_int(dec_raw(&r), GK_OK, "the hand-built reference record decodes");
	r.version = 0;
	is_int(dec_raw(&r), GK_ECORRUPT, "version 0 refused");
	r.version = 2;
	is_int(dec_raw(&r), GK_ECORRUPT, "version 2 without its subject field refused");
	r.version = 3;
	is_int(dec_raw(&r), GK_ECORRUPT, "version 3 (future) refused");
	r.version = 255;
	is_int(dec_raw(&r), GK_ECORRUPT, "version 255 refused");

	memset(big, 'h', sizeof(big));
	raw_default(&r);
	r.hash = big;
	r.hl = GK_HASH_MAX;
	is_int(dec_raw(&r), GK_ECORRUPT, "hash of GK_HASH_MAX bytes refused");
	raw_default(&r);
	r.groups = big;
	r.gl = GK_GROUPS_MAX + 1;
	is_int(dec_raw(&r), GK_ECORRUPT, "group list over GK_GROUPS_MAX refused");
	raw_default(&r);
	r.email = big;
	r.el = GK_EMAIL_MAX + 1;
	is_int(dec_raw(&r), GK_ECORRUPT, "e-mail over GK_EMAIL_MAX refused");
	raw_default(&r);
	r.display = big;
	r.dl = GK_DISPLAY_MAX + 1;
	is_int(dec_raw(&r), GK_ECORRUPT, "display over GK_DISPLAY_MAX refused");

	raw_default(&r);
	r.perm = 3;
	is_int(dec_raw(&r), GK_ECORRUPT, "perm 3 refused");
	raw_default(&r);
	r.flags = 0x4;
	is_int(dec_raw(&r), GK_ECORRUPT, "unknown flag bit refused");
	raw_default(&r);
	r.level = 1000;
	is_int(dec_raw(&r), GK_ECORRUPT, "level 1000 refused");
}

/* Each hostile field value, placed in the record directly, must be refused. */
static void
test_hostile_fields(void)
{
	static const struct {
		const char *v;
		size_t len;
		const char *what;
	} bad_text[] = {
		{ "ali\rce", 6, "CR" }, { "ali\nce", 6, "LF" }, { "ali\0ce", 6, "NUL" },
		{ "ali\x1b" "ce", 6, "ESC" }, { "al\xc3", 3, "truncated UTF-8" },
		{ "al\xc0\xaf" "ce", 6, "overlong UTF-8" }, { "\xed\xa0\x80x", 4, "surrogate" },
		{ "al\xff", 3, "0xff byte" }, { "a\xc2\x85z", 4, "C1 NEL" },
	};
	static const struct {
		const char *v;
		const char *what;
	} bad_hash[] = {
		{ "$1$ab:cd", "':'" }, { "$1$ab cd", "space" }, { "$1$ab\tcd", "tab" },
		{ "$1$ab\ncd", "LF" }, { "$1$ab\x7f" "cd", "DEL" }, { "$1$\xc3\xa9", "non-ASCII" },
	};
	struct raw r;
	struct gk_user u;
	struct gk_err err;
	unsigned char b[8192];
	size_t i, n;
	int rc;

	for (i = 0; i < sizeof(bad_text) / sizeof(bad_text[0]); i++) {
		raw_default(&r);
		r.name = bad_text[i].v;
		r.nl = bad_text[i].len;
		n = raw_build(&r, b);
		rc = gk_record_decode(bad_text[i].v, bad_text[i].len, b, n, &u, &err);
		is_int(rc, GK_ECORRUPT, "name with %s refused", bad_text[i].what);

		raw_default(&r);
		r.groups = bad_text[i].v;
		r.gl = bad_text[i].len;
		is_int(dec_raw(&r), GK_ECORRUPT, "groups with %s refused", bad_text[i].what);

		raw_default(&r);
		r.email = bad_text[i].v;
		r.el = bad_text[i].len;
		is_int(dec_raw(&r), GK_ECORRUPT, "e-mail with %s refused", bad_text[i].what);

		raw_default(&r);
		r.display = bad_text[i].v;
		r.dl = bad_text[i].len;
		is_int(dec_raw(&r), GK_ECORRUPT, "display with %s refused", bad_text[i].what);
	}
	for (i = 0; i < sizeof(bad_hash) / sizeof(bad_hash[0]); i++) {
		raw_default(&r);
		r.hash = bad_hash[i].v;
		r.hl = strlen(bad_hash[i].v);
		is_int(dec_raw(&r), GK_ECORRUPT, "hash with %s refused", bad_hash[i].what);
	}
	raw_default(&r);
	r.hash = "";
	r.hl = 0;
	is_int(dec_raw(&r), GK_ECORRUPT, "empty hash refused for a local user");
	r.flags = GK_USER_EXTERNAL;
	is_int(dec_raw(&r), GK_OK, "empty hash accepted for an external user");
	raw_default(&r);
	r.email = "not-an-address";
	r.el = strlen(r.email);
	is_int(dec_raw(&r), GK_ECORRUPT, "e-mail without '@' refused");
	raw_default(&r);
	r.groups = "staff,staff";
	r.gl = strlen(r.groups);
	is_int(dec_raw(&r), GK_ECORRUPT, "duplicate group refused");
	raw_default(&r);
	r.groups = "staff,";
	r.gl = strlen(r.groups);
	is_int(dec_raw(&r), GK_ECORRUPT, "empty group element refused");
	raw_default(&r);
	r.name = "a:b";
	r.nl = 3;
	n = raw_build(&r, b);
	is_int(gk_record_decode("a:b", 3, b, n, &u, &err), GK_ECORRUPT, "name with ':' refused");
	raw_default(&r);
	r.name = "";
	r.nl = 0;
	n = raw_build(&r, b);
	is_int(gk_record_decode("", 0, b, n, &u, &err), GK_ECORRUPT, "empty name refused");
}

static void
test_encode_refuses(void)
{
	struct gk_user u;
	struct gk_err err;
	unsigned char buf[GK_RECORD_MAX];
	size_t len;

	full_user(&u);
	strcpy(u.name, "bad\nname");
	is_int(gk_record_encode(&u, buf, sizeof(buf), &len, &err), GK_EINVAL,
	    "encode refuses LF in the name");
	full_user(&u);
	strcpy(u.groups, "ok,bad\r");
	is_int(gk_record_encode(&u, buf, sizeof(buf), &len, &err), GK_EINVAL,
	    "encode refuses CR in groups");
	full_user(&u);
	strcpy(u.email, "a@b\r\nX-Evil: 1");
	is_int(gk_record_encode(&u, buf, sizeof(buf), &len, &err), GK_EINVAL,
	    "encode refuses CRLF in the e-mail");
	full_user(&u);
	strcpy(u.display, "Eve\xc3");
	is_int(gk_record_encode(&u, buf, sizeof(buf), &len, &err), GK_EINVAL,
	    "encode refuses bad UTF-8 in the display name");
	full_user(&u);
	u.hash[0] = '\0';
	is_int(gk_user_validate(&u, &err), GK_EINVAL, "validate refuses a local user with no hash");
	full_user(&u);
	u.perm = (enum gk_perm)7;
	is_int(gk_user_validate(&u, &err), GK_EINVAL, "validate refuses perm 7");
	full_user(&u);
	memset(u.display, 'x', sizeof(u.display));   /* no terminating NUL */
	is_int(gk_user_validate(&u, &err), GK_EINVAL, "validate refuses an unterminated field");
	full_user(&u);
	strcpy(u.name, "-alice");
	is_int(gk_record_encode(&u, buf, sizeof(buf), &len, &err), GK_EINVAL,
	    "encode refuses a name starting with '-'");
	full_user(&u);
	is_int(gk_user_validate(&u, &err), GK_OK, "a full user validates");
}

/* A record stored before names starting with '-' were refused stays readable (and so deletable). */
static void
test_legacy_dash_name(void)
{
	unsigned char b[8192];
	struct gk_user u;
	struct raw r;
	size_t n;

	raw_default(&r);
	r.name = "-alice";
	r.nl = strlen(r.name);
	n = raw_build(&r, b);
	is_int(dec("-alice", b, n, &u), GK_OK, "a stored '-alice' record still decodes");
	is_str(u.name, "-alice", "  as -alice");
}

static void
test_helpers(void)
{
	struct gk_user u;
	enum gk_perm p = GK_PERM_NONE;

	is_int(gk_perm_parse("none", &p), GK_OK, "parse none");
	is_int(p, GK_PERM_NONE, "-> none");
	gk_perm_parse("ro", &p);
	is_int(p, GK_PERM_RO, "parse ro");
	gk_perm_parse("rw", &p);
	is_int(p, GK_PERM_RW, "parse rw");
	p = GK_PERM_NONE;
	gk_perm_parse("full", &p);
	is_int(p, GK_PERM_RW, "full is an alias of rw");
	is_int(gk_perm_parse("RW", &p), GK_EINVAL, "parse is case-sensitive");
	is_int(gk_perm_parse("", &p), GK_EINVAL, "empty refused");
	is_int(gk_perm_parse("rw ", &p), GK_EINVAL, "trailing space refused");
	is_int(gk_perm_parse(NULL, &p), GK_EINVAL, "NULL refused");
	is_str(gk_perm_name(GK_PERM_NONE), "none", "name none");
	is_str(gk_perm_name(GK_PERM_RO), "ro", "name ro");
	is_str(gk_perm_name(GK_PERM_RW), "rw", "name rw");
	is_str(gk_perm_name((enum gk_perm)9), "invalid", "name of an invalid value");

	ok(gk_groups_contains("admins,staff", "admins"), "first group");
	ok(gk_groups_contains("admins,staff", "staff"), "last group");
	ok(gk_groups_contains("a,b,c", "b"), "middle group");
	ok(!gk_groups_contains("admins,staff", "admin"), "prefix is not a match");
	ok(!gk_groups_contains("admins,staff", "dmins"), "suffix is not a match");
	ok(!gk_groups_contains("admins,staff", "admins,staff"), "the list is not a group");
	ok(!gk_groups_contains("", "admins"), "empty list");
	ok(!gk_groups_contains("admins", ""), "empty group never matches");
	ok(!gk_groups_contains(NULL, "x"), "NULL list");

	gk_user_init(&u, "carol", 1234);
	is_str(u.name, "carol", "init: name");
	is_int(u.perm, GK_PERM_RW, "init: perm rw");
	is_int(u.level, GK_LEVEL_USER, "init: level 998");
	is_int(u.generation, 1, "init: generation 1");
	ok(u.created == 1234 && u.updated == 1234 && u.pw_changed == 1234, "init: times = now");
	ok(u.flags == 0 && u.hash[0] == '\0' && u.groups[0] == '\0', "init: rest empty");
}

/* The identity provider's subject: version 2, only when there is one, only for external users. */
static void
test_subject(void)
{
	struct gk_user in, out;
	struct gk_err err;
	unsigned char buf[GK_RECORD_MAX];
	size_t len = 0, len1 = 0;
	char big[GK_SUB_MAX + 2];

	full_user(&in);
	is_int(gk_record_encode(&in, buf, sizeof(buf), &len1, &err), GK_OK, "no subject: encodes");
	is_int(buf[0], GK_RECORD_VERSION, "... as version 1, readable by older readers");
	is_str(in.sub, "", "... and full_user has none");
	gk_user_init(&in, "ext", 1700000000);
	in.flags = GK_USER_EXTERNAL;
	in.hash[0] = '\0';
	strcpy(in.sub, "248289761001|tenant-9");
	is_int(gk_record_encode(&in, buf, sizeof(buf), &len, &err), GK_OK, "external user with a subject");
	is_int(buf[0], GK_RECORD_VERSION_SUB, "... is written as version 2");
	is_int(gk_record_decode("ext", 3, buf, len, &out, &err), GK_OK, "... and read back");
	is_str(out.sub, "248289761001|tenant-9", "... subject intact");
	buf[len - 17] ^= 1;
	is_int(gk_record_decode("ext", 3, buf, len, &out, &err), GK_ECORRUPT,
	    "... a flipped subject byte fails the checksum");
	strcpy(in.sub, "has space");
	is_int(gk_record_encode(&in, buf, sizeof(buf), &len, &err), GK_EINVAL, "subject with a space refused");
	memset(big, 'x', sizeof(big));
	big[sizeof(big) - 1] = '\0';
	memcpy(in.sub, big, GK_SUB_MAX);
	in.sub[GK_SUB_MAX] = '\0';
	is_int(gk_record_encode(&in, buf, sizeof(buf), &len, &err), GK_OK, "subject of GK_SUB_MAX bytes");
	full_user(&in);
	strcpy(in.sub, "abc");
	is_int(gk_record_encode(&in, buf, sizeof(buf), &len, &err), GK_EINVAL,
	    "a local (password) user never has a subject");
}

int
main(void)
{
	test_round_trip();
	test_truncation_and_trailing();
	test_bit_flips();
	test_versions_and_sizes();
	test_hostile_fields();
	test_encode_refuses();
	test_legacy_dash_name();
	test_helpers();
	test_subject();
	return done_testing();
}
