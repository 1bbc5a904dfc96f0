/* fuzz_record.c: fuzz target for gk_record_decode/gk_record_encode (the GDBM user record). */
#include <config.h>
#include <sodium.h>

#include "record.h"
#include "fuzz.h"

/* The record's trailing checksum: BLAKE2b, 16 bytes (lib/record.c REC_SUM). */
#define SUM_LEN 16

static int
same_user(const struct gk_user *a, const struct gk_user *b)
{
	return strcmp(a->name, b->name) == 0 && strcmp(a->hash, b->hash) == 0 &&
	    strcmp(a->groups, b->groups) == 0 && strcmp(a->email, b->email) == 0 &&
	    strcmp(a->display, b->display) == 0 && a->perm == b->perm && a->flags == b->flags &&
	    a->generation == b->generation && a->level == b->level &&
	    a->created == b->created && a->updated == b->updated &&
	    a->pw_changed == b->pw_changed;
}

/* Decodes, and on success checks validity, the key, and that re-encoding gives the same bytes. */
static void
decode(const char *name, size_t namelen, const unsigned char *rec, size_t len)
{
	unsigned char *buf = malloc(len > 0 ? len : 1), out[GK_RECORD_MAX];
	struct gk_user u, u2;
	struct gk_err err;
	size_t outlen = 0;
	int rc;

	if (buf == NULL)
		abort();
	if (len > 0)
		memcpy(buf, rec, len);
	rc = gk_record_decode(name, namelen, buf, len, &u, &err);
	FUZZ_ASSERT(rc == GK_OK || rc == GK_ECORRUPT);
	if (rc == GK_OK) {
		FUZZ_ASSERT(gk_user_validate(&u, &err) == GK_OK);
		FUZZ_ASSERT(strlen(u.name) == namelen && memcmp(u.name, name, namelen) == 0);
		FUZZ_ASSERT(gk_record_encode(&u, out, sizeof(out), &outlen, &err) == GK_OK);
		FUZZ_ASSERT(outlen == len && memcmp(out, rec, len) == 0);
		FUZZ_ASSERT(gk_record_decode(name, namelen, out, outlen, &u2, &err) == GK_OK);
		FUZZ_ASSERT(same_user(&u, &u2));
	}
	free(buf);
}

/*
 * Input: mode byte, key length byte, key bytes, record bytes.
 * Mode & 1: replace the record's last 16 bytes by the correct checksum, so
 * that mutations reach the field parser instead of stopping at the checksum.
 * Mode & 2: instead build a user from "name\nhash\ngroups\nemail\ndisplay"
 * plus fixed numbers taken from the mode and key-length bytes, encode it
 * and require decode(encode(u)) == u.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	const uint8_t *key, *rec;
	size_t keylen, reclen;

	if (!ready) {
		if (sodium_init() < 0)
			abort();
		ready = 1;
	}
	if (size < 2)
		return 0;
	if (data[0] & 2) {
		char *text = fuzz_cstr(data + 2, size - 2), *f[5] = { "", "", "", "", "" }, *p = text;
		struct gk_user u, u2;
		struct gk_err err;
		unsigned char out[GK_RECORD_MAX];
		size_t outlen, i;

		for (i = 0; i < 5 && p != NULL; i++) {
			char *nl = strchr(p, '\n');

			if (nl != NULL)
				*nl++ = '\0';
			f[i] = p;
			p = nl;
		}
		gk_user_init(&u, f[0], (int64_t)data[1] * 1000003);
		if (gk_strcpy(u.hash, sizeof(u.hash), f[1]) == GK_OK &&
		    gk_strcpy(u.groups, sizeof(u.groups), f[2]) == GK_OK &&
		    gk_strcpy(u.email, sizeof(u.email), f[3]) == GK_OK &&
		    gk_strcpy(u.display, sizeof(u.display), f[4]) == GK_OK) {
			u.perm = (enum gk_perm)((data[0] >> 2) & 3);
			u.flags = (data[0] >> 4) & 3;
			u.level = (uint16_t)(data[1] * 4);
			u.generation = data[0] * 0x01010101u;
			if (gk_record_encode(&u, out, sizeof(out), &outlen, &err) == GK_OK) {
				FUZZ_ASSERT(outlen <= GK_RECORD_MAX);
				FUZZ_ASSERT(gk_record_decode(u.name, strlen(u.name), out, outlen, &u2,
				    &err) == GK_OK);
				FUZZ_ASSERT(same_user(&u, &u2));
				decode(u.name, strlen(u.name), out, outlen);
			}
		}
		free(text);
		return 0;
	}
	keylen = data[1];
	if (keylen > size - 2)
		keylen = size - 2;
	key = data + 2;
	rec = key + keylen;
	reclen = size - 2 - keylen;
	if ((data[0] & 1) && reclen >= SUM_LEN && reclen <= GK_RECORD_MAX) {
		unsigned char *fixed = malloc(reclen);

		if (fixed == NULL)
			abort();
		memcpy(fixed, rec, reclen);
		crypto_generichash(fixed + reclen - SUM_LEN, SUM_LEN, fixed, reclen - SUM_LEN,
		    NULL, 0);
		decode((const char *)key, keylen, fixed, reclen);
		free(fixed);
	} else
		decode((const char *)key, keylen, rec, reclen);
	return 0;
}
