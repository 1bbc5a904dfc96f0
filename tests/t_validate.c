/* t_validate.c: the validators of lib/validate.c against well-formed and hostile inputs. */
#include "config.h"

#include <string.h>

#include "tap.h"
#include "validate.h"

/* Literal with its exact length, so embedded NULs are part of the input. */
#define L(s) (s), (sizeof(s) - 1)
#define YES(fn, lit) ok(fn(L(lit)), #fn " accepts %s", #lit)
#define NO(fn, lit) ok(!fn(L(lit)), #fn " rejects %s", #lit)

static void
test_utf8(void)
{
	YES(gk_valid_utf8, "");
	YES(gk_valid_utf8, "plain ascii");
	YES(gk_valid_utf8, "J\xc3\xbcrgen");                   /* U+00FC */
	YES(gk_valid_utf8, "\xe2\x82\xac");                    /* U+20AC */
	YES(gk_valid_utf8, "\xf0\x9f\x98\x80");                /* U+1F600 */
	YES(gk_valid_utf8, "\xf4\x8f\xbf\xbf");                /* U+10FFFF */
	YES(gk_valid_utf8, "\xed\x9f\xbf");                    /* U+D7FF, just below surrogates */
	YES(gk_valid_utf8, "\xee\x80\x80");                    /* U+E000, just above */
	NO(gk_valid_utf8, "\xc0\xaf");                         /* overlong '/' */
	NO(gk_valid_utf8, "\xc1\xbf");                         /* overlong */
	NO(gk_valid_utf8, "\xe0\x80\xaf");                     /* overlong 3-byte '/' */
	NO(gk_valid_utf8, "\xe0\x9f\xbf");                     /* overlong below U+0800 */
	NO(gk_valid_utf8, "\xf0\x80\x80\xaf");                 /* overlong 4-byte */
	NO(gk_valid_utf8, "\xf0\x8f\xbf\xbf");                 /* overlong below U+10000 */
	NO(gk_valid_utf8, "\xed\xa0\x80");                     /* U+D800 surrogate */
	NO(gk_valid_utf8, "\xed\xbf\xbf");                     /* U+DFFF surrogate */
	NO(gk_valid_utf8, "\xed\xa0\xbd\xed\xb8\x80");         /* CESU-8 pair */
	NO(gk_valid_utf8, "\xf4\x90\x80\x80");                 /* U+110000 */
	NO(gk_valid_utf8, "\xf5\x80\x80\x80");
	NO(gk_valid_utf8, "\xf8\x88\x80\x80\x80");             /* 5-byte form */
	NO(gk_valid_utf8, "\xfe");
	NO(gk_valid_utf8, "\xff");
	NO(gk_valid_utf8, "\x80");                             /* lone continuation */
	NO(gk_valid_utf8, "a\xbf");
	NO(gk_valid_utf8, "\xc3");                             /* truncated */
	NO(gk_valid_utf8, "\xe2\x82");                         /* truncated */
	NO(gk_valid_utf8, "\xf0\x9f\x98");                     /* truncated */
	NO(gk_valid_utf8, "\xc3\x28");                         /* bad continuation */
	NO(gk_valid_utf8, "\xe2\x28\xa1");
	ok(!gk_valid_utf8("\xc3\xbc", 1), "length is honoured: a cut sequence is invalid");
	ok(gk_valid_utf8(NULL, 0), "NULL with length 0 is the empty string");
}

static void
test_user(void)
{
	char buf[GK_USER_MAX + 2];

	YES(gk_valid_user, "alice");
	YES(gk_valid_user, "alice.smith@example.com");
	YES(gk_valid_user, "J\xc3\xbcrgen M\xc3\xbcller");
	YES(gk_valid_user, "\xe5\xb1\xb1\xe7\x94\xb0");
	YES(gk_valid_user, "a b");
	YES(gk_valid_user, "x");
	NO(gk_valid_user, "");
	NO(gk_valid_user, "al:ice");
	NO(gk_valid_user, "al,ice");
	NO(gk_valid_user, " alice");
	NO(gk_valid_user, "-alice");                           /* an option to admin scripts */
	NO(gk_valid_user, "-");
	NO(gk_valid_user, "--help");
	YES(gk_valid_user, "a-lice");
	YES(gk_valid_user, "alice-");
	YES(gk_valid_stored_user, "-alice");                   /* an old record stays readable */
	YES(gk_valid_stored_user, "alice");
	NO(gk_valid_stored_user, " alice");
	NO(gk_valid_stored_user, "al:ice");
	NO(gk_valid_stored_user, "-ali\nce");
	NO(gk_valid_user, "alice ");
	NO(gk_valid_user, "ali\0ce");
	NO(gk_valid_user, "alice\r\nX-Injected: 1");
	NO(gk_valid_user, "alice\n");
	NO(gk_valid_user, "ali\tce");
	NO(gk_valid_user, "ali\x7f" "ce");
	NO(gk_valid_user, "ali\xc2\x85" "ce");                 /* U+0085 NEL (C1) */
	NO(gk_valid_user, "ali\xc2\x9b" "ce");                 /* U+009B CSI (C1) */
	NO(gk_valid_user, "ali\xe2\x80\xa8" "ce");             /* U+2028 */
	NO(gk_valid_user, "ali\xe2\x80\xae" "ce");             /* U+202E RLO */
	NO(gk_valid_user, "ali\xe2\x81\xa6" "ce");             /* U+2066 LRI */
	NO(gk_valid_user, "ali\xef\xbf\xbe" "ce");             /* U+FFFE */
	NO(gk_valid_user, "ali\xc0\xba" "ce");                 /* overlong ':' */
	NO(gk_valid_user, "ali\xed\xa0\x80" "ce");
	NO(gk_valid_user, "\xff");
	memset(buf, 'a', sizeof(buf));
	ok(gk_valid_user(buf, GK_USER_MAX), "user of exactly %d bytes accepted", GK_USER_MAX);
	ok(!gk_valid_user(buf, GK_USER_MAX + 1), "user of %d bytes rejected", GK_USER_MAX + 1);
	ok(!gk_valid_user(NULL, 0), "NULL user rejected");
}

static void
test_groups(void)
{
	char buf[GK_GROUPS_MAX + 8];
	size_t i, n;

	YES(gk_valid_group, "admins");
	YES(gk_valid_group, "dev-ops_2.team");
	YES(gk_valid_group, "9lives");
	NO(gk_valid_group, "");
	NO(gk_valid_group, "-admins");
	NO(gk_valid_group, ".hidden");
	NO(gk_valid_group, "_x");
	NO(gk_valid_group, "ad mins");
	NO(gk_valid_group, "ad,mins");
	NO(gk_valid_group, "ad:mins");
	NO(gk_valid_group, "admins\n");
	NO(gk_valid_group, "adm\0ins");
	NO(gk_valid_group, "gr\xc3\xbcn");
	memset(buf, 'g', sizeof(buf));
	ok(gk_valid_group(buf, GK_GROUP_MAX), "group of %d bytes accepted", GK_GROUP_MAX);
	ok(!gk_valid_group(buf, GK_GROUP_MAX + 1), "group of %d bytes rejected", GK_GROUP_MAX + 1);

	YES(gk_valid_group_list, "");
	YES(gk_valid_group_list, "admins");
	YES(gk_valid_group_list, "admins,dev,ops");
	YES(gk_valid_group_list, "a,ab,abc");
	YES(gk_valid_group_list, "ab,a");
	NO(gk_valid_group_list, ",");
	NO(gk_valid_group_list, "admins,");
	NO(gk_valid_group_list, ",admins");
	NO(gk_valid_group_list, "admins,,dev");
	NO(gk_valid_group_list, "admins, dev");
	NO(gk_valid_group_list, "admins,dev,admins");
	NO(gk_valid_group_list, "dev,dev");
	NO(gk_valid_group_list, "admins\r\n,dev");
	NO(gk_valid_group_list, "admins\0,dev");
	NO(gk_valid_group_list, "admins;dev");
	/* Build "g0001,g0002,..." just at and over the cap. */
	n = 0;
	for (i = 1; n + 6 <= GK_GROUPS_MAX; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%sg%04zu", n ? "," : "", i);
	ok(gk_valid_group_list(buf, n), "group list of %zu bytes accepted", n);
	memcpy(buf + n, ",gzzzz", 6);
	ok(!gk_valid_group_list(buf, n + 6), "group list of %zu bytes rejected", n + 6);
}

static void
test_email(void)
{
	char buf[GK_EMAIL_MAX + 16];

	YES(gk_valid_email, "alice@example.com");
	YES(gk_valid_email, "a.b+tag@mail.example.org");
	YES(gk_valid_email, "o'brien@example.ie");
	YES(gk_valid_email, "x@localhost");
	YES(gk_valid_email, "user@xn--mller-kva.de");
	NO(gk_valid_email, "");
	NO(gk_valid_email, "alice");
	NO(gk_valid_email, "@example.com");
	NO(gk_valid_email, "alice@");
	NO(gk_valid_email, "alice@@example.com");
	NO(gk_valid_email, "al@ice@example.com");
	NO(gk_valid_email, "al ice@example.com");
	NO(gk_valid_email, "\"alice\"@example.com");
	NO(gk_valid_email, "alice@example.com>");
	NO(gk_valid_email, "<alice@example.com");
	NO(gk_valid_email, "alice@example.com,bob@example.com");
	NO(gk_valid_email, "alice@example.com;x");
	NO(gk_valid_email, "alice@example.com\r\nBcc: x@y.z");
	NO(gk_valid_email, "alice@exa\0mple.com");
	NO(gk_valid_email, ".alice@example.com");
	NO(gk_valid_email, "alice.@example.com");
	NO(gk_valid_email, "al..ice@example.com");
	NO(gk_valid_email, "alice@.example.com");
	NO(gk_valid_email, "alice@example..com");
	NO(gk_valid_email, "alice@example.com.");
	NO(gk_valid_email, "alice@-example.com");
	NO(gk_valid_email, "alice@example-.com");
	NO(gk_valid_email, "alice@[127.0.0.1]");
	NO(gk_valid_email, "alice@ex_ample.com");
	NO(gk_valid_email, "j\xc3\xbcrgen@example.com");
	NO(gk_valid_email, "alice(comment)@example.com");
	memset(buf, 'a', sizeof(buf));
	ok(gk_valid_email(buf, 0) == false, "empty e-mail rejected");
	memcpy(buf, "a@", 2);
	memset(buf + 2, 'b', 63);
	ok(gk_valid_email(buf, 65), "63-byte domain label accepted");
	memset(buf + 2, 'b', 64);
	ok(!gk_valid_email(buf, 66), "64-byte domain label rejected");
	memset(buf, 'a', 65);
	memcpy(buf + 65, "@ex.com", 7);
	ok(!gk_valid_email(buf, 72), "65-byte local part rejected");
	memset(buf, 'b', sizeof(buf));
	memcpy(buf, "a@", 2);
	for (size_t i = 60; i < GK_EMAIL_MAX + 5; i += 60)
		buf[i] = '.';
	ok(gk_valid_email(buf, GK_EMAIL_MAX), "e-mail of %d bytes accepted", GK_EMAIL_MAX);
	ok(!gk_valid_email(buf, GK_EMAIL_MAX + 1), "e-mail of %d bytes rejected", GK_EMAIL_MAX + 1);
}

static void
test_display_and_headers(void)
{
	char buf[GK_HEADER_MAX + 2];

	YES(gk_valid_display, "");
	YES(gk_valid_display, "Alice Smith");
	YES(gk_valid_display, " padded ");
	YES(gk_valid_display, "Fran\xc3\xa7ois: \"the\" <boss>");
	NO(gk_valid_display, "Alice\r\nSet-Cookie: x=1");
	NO(gk_valid_display, "Alice\0");
	NO(gk_valid_display, "Alice\xc2\x85");
	NO(gk_valid_display, "Alice\xe2\x80\xae");
	NO(gk_valid_display, "\xc0\xaf");
	memset(buf, 'd', sizeof(buf));
	ok(gk_valid_display(buf, GK_DISPLAY_MAX), "display of %d bytes accepted", GK_DISPLAY_MAX);
	ok(!gk_valid_display(buf, GK_DISPLAY_MAX + 1), "display of %d bytes rejected", GK_DISPLAY_MAX + 1);

	YES(gk_valid_header_value, "");
	YES(gk_valid_header_value, "alice");
	YES(gk_valid_header_value, "a, b; c=\"d\"");
	YES(gk_valid_header_value, "J\xc3\xbcrgen");
	NO(gk_valid_header_value, "alice\r\nSet-Cookie: x=1");
	NO(gk_valid_header_value, "alice\r");
	NO(gk_valid_header_value, "alice\n");
	NO(gk_valid_header_value, "ali\0ce");
	NO(gk_valid_header_value, "ali\tce");
	NO(gk_valid_header_value, "ali\x7f" "ce");
	NO(gk_valid_header_value, "\x1b[31m");
	ok(gk_valid_header_value(buf, GK_HEADER_MAX), "header value of %d bytes accepted", GK_HEADER_MAX);
	ok(!gk_valid_header_value(buf, GK_HEADER_MAX + 1), "header value over the cap rejected");
	{
		/* eight bytes a step: the same verdict as the byte rule for every byte at every
		 * place of a word and of the tail, among bytes on either side of the rule's edges */
		static const unsigned char around[] = { 0x20, 0x21, 0x7E, 0x80, 0xA0, 0xFF };
		unsigned char v[17];
		size_t k, pos, same = 0, all = 0;
		unsigned b;

		for (k = 0; k < sizeof(around); k++)
			for (pos = 0; pos < sizeof(v); pos++)
				for (b = 0; b < 256; b++) {
					memset(v, around[k], sizeof(v));
					v[pos] = (unsigned char)b;
					all++;
					same += gk_valid_header_value((const char *)v, sizeof(v)) ==
					    (b >= 0x20 && b != 0x7F);
				}
		ok(same == all, "header value: the word-wise check is the byte rule (%zu of %zu)",
		    same, all);
	}

	YES(gk_valid_header_name, "Remote-User");
	YES(gk_valid_header_name, "X-Auth-Request-User");
	YES(gk_valid_header_name, "x_under");
	YES(gk_valid_header_name, "!#$%&'*+-.^_`|~09azAZ");
	NO(gk_valid_header_name, "");
	NO(gk_valid_header_name, "Remote User");
	NO(gk_valid_header_name, "Remote-User:");
	NO(gk_valid_header_name, "Remote-User\r\n");
	NO(gk_valid_header_name, "Remote\0User");
	NO(gk_valid_header_name, "(x)");
	NO(gk_valid_header_name, "a/b");
	NO(gk_valid_header_name, "h\xc3\xa9");
	NO(gk_valid_header_name, "\"q\"");
	ok(gk_valid_header_name(buf, 256), "header name of 256 bytes accepted");
	ok(!gk_valid_header_name(buf, 257), "header name of 257 bytes rejected");
}

static void
test_http_url_rest(void)
{
	const char *u = "https://a.example:8443/x";

	ok(gk_http_url_rest(u) == u + 8, "https:// URL: the rest after the scheme");
	ok(gk_http_url_rest("http://a") != NULL && strcmp(gk_http_url_rest("http://a"), "a") == 0,
	    "http:// URL: the rest after the scheme");
	ok(gk_http_url_rest("http://") != NULL && *gk_http_url_rest("http://") == '\0',
	    "a bare scheme: an empty rest (the callers refuse it)");
	ok(gk_http_url_rest("HTTPS://a") == NULL, "upper-case scheme: not ours to normalise");
	ok(gk_http_url_rest("ftp://a") == NULL, "another scheme: NULL");
	ok(gk_http_url_rest("https:/a") == NULL, "one slash: NULL");
	ok(gk_http_url_rest("//a") == NULL, "scheme-relative: NULL");
	ok(gk_http_url_rest("") == NULL, "empty: NULL");
}

int
main(void)
{
	test_utf8();
	test_user();
	test_groups();
	test_email();
	test_display_and_headers();
	test_http_url_rest();
	return done_testing();
}
