/* t_bytes.c: tests for lib/bytes (numbers, the bounds-checked reader, the seal) and lib/textbuf. */
#include "config.h"

#include <string.h>

#include "bytes.h"
#include "textbuf.h"
#include "validate.h"
#include "tap.h"

static void
test_numbers(void)
{
	unsigned char buf[16], *p;
	struct gk_cursor c;
	uint64_t v;
	int64_t t;

	p = gk_put_be(buf, 0x0102, 2);
	p = gk_put_be(p, 0xA1B2C3D4u, 4);
	p = gk_put_be(p, (uint64_t)-2, 8);
	is_int(p - buf, 14, "2 + 4 + 8 bytes written");
	ok(memcmp(buf, "\x01\x02\xA1\xB2\xC3\xD4\xff\xff\xff\xff\xff\xff\xff\xfe", 14) == 0,
	    "most significant byte first");
	c.p = buf;
	c.end = buf + 14;
	ok(gk_get_be(&c, 2, &v) && v == 0x0102, "u16 read back");
	ok(gk_get_be(&c, 4, &v) && v == 0xA1B2C3D4u, "u32 read back");
	ok(gk_get_be(&c, 8, &v) && (int64_t)v == -2, "i64 read back");
	ok(c.p == c.end, "the cursor at the end");
	c.p = buf;
	c.end = buf + 3;
	ok(gk_get_be(&c, 2, &v), "2 of 3 bytes");
	ok(!gk_get_be(&c, 2, &v) && c.p == buf + 2, "2 more of the 1 left: refused, nothing taken");
	c.p = buf + 6;
	c.end = buf + 14;
	ok(gk_get_time(&c, &t) && t == -2 && c.p == c.end, "a negative time read back");
	c.p = buf + 7;
	t = 5;
	ok(!gk_get_time(&c, &t) && t == 5 && c.p == buf + 7, "7 bytes are no time: refused, nothing taken");
}

static void
test_seal(void)
{
	unsigned char buf[64];
	size_t len;

	memcpy(buf, "value", 5);
	len = gk_seal(buf, buf + 5, 16);
	is_int(len, 5 + 16, "the seal follows the value");
	ok(gk_sealed(buf, len, 16), "a sealed value passes");
	buf[2] ^= 0x01;
	ok(!gk_sealed(buf, len, 16), "a flipped bit in the value fails");
	buf[2] ^= 0x01;
	buf[len - 1] ^= 0x80;
	ok(!gk_sealed(buf, len, 16), "a flipped bit in the seal fails");
	buf[len - 1] ^= 0x80;
	ok(!gk_sealed(buf, len - 1, 16), "a value cut short fails");
}

/* The frame check both decoders run first: each refusal is GK_ECORRUPT, named, in this order. */
static void
test_sealed_frame(void)
{
	static const struct {
		int line;
		size_t len, min, max;
		bool flip;
		const char *msg;
	} cases[] = {
		{ __LINE__, 0, 17, 64, false, "empty thing" },
		{ __LINE__, 21, 17, 20, false, "thing of 21 bytes exceeds 20" },
		{ __LINE__, 21, 22, 64, false, "truncated thing (21 bytes)" },
		{ __LINE__, 10, 1, 64, false, "truncated thing (10 bytes)" },     /* shorter than the sum */
		{ __LINE__, 21, 17, 64, true, "thing checksum mismatch (damaged or truncated)" },
		{ __LINE__, 21, 17, 21, false, NULL },
	};
	unsigned char buf[64];
	struct gk_err err;
	size_t i, len;

	memcpy(buf, "value", 5);
	len = gk_seal(buf, buf + 5, 16);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf[0] ^= cases[i].flip;
		memset(&err, 0, sizeof(err));
		if (cases[i].msg == NULL)
			is_int(gk_sealed_frame(buf, len, cases[i].min, cases[i].max, 16, "thing", &err),
			    GK_OK, "line %d: a whole value passes", cases[i].line);
		else
			ok(gk_sealed_frame(buf, cases[i].len, cases[i].min, cases[i].max, 16, "thing",
			    &err) == GK_ECORRUPT && strcmp(err.msg, cases[i].msg) == 0,
			    "line %d: %s", cases[i].line, err.msg);
		buf[0] ^= cases[i].flip;
	}
	ok(gk_sealed_frame(NULL, 21, 17, 64, 16, "thing", &err) == GK_ECORRUPT &&
	    strcmp(err.msg, "empty thing") == 0, "no buffer: empty");
}

static void
test_textbuf(void)
{
	char buf[8];
	struct gk_textbuf t = { .buf = buf, .size = sizeof(buf) };

	gk_textbuf_printf(&t, "%s", "abc");
	gk_textbuf_printf(&t, "%d", 1234);
	ok(!t.failed && t.len == 7 && strcmp(buf, "abc1234") == 0, "7 bytes and the NUL fit in 8");
	gk_textbuf_printf(&t, "x");
	ok(t.failed, "one more byte does not fit: failed");
	t.failed = false;
	t.len = 0;
	gk_textbuf_printf(&t, "%s", "123456789");
	ok(t.failed, "a piece larger than the buffer: failed");
	gk_textbuf_printf(&t, "%s", "a");
	ok(t.failed && t.len == 0, "failed for good: a later piece that would fit is not added");
}

static void
test_vchar(void)
{
	ok(gk_valid_vchar("", 0), "empty passes");
	ok(gk_valid_vchar("!~aZ09", 6), "visible ASCII passes");
	ok(!gk_valid_vchar("a b", 3), "space refused");
	ok(!gk_valid_vchar("a\tb", 3), "control refused");
	ok(!gk_valid_vchar("a\x7f", 2), "DEL refused");
	ok(!gk_valid_vchar("\xc3\xa9", 2), "8-bit refused");
	ok(!gk_valid_vchar("a\0b", 3), "NUL refused");
}

int
main(void)
{
	test_numbers();
	test_seal();
	test_sealed_frame();
	test_textbuf();
	test_vchar();
	return done_testing();
}
