/* t_cidr.c: CIDR parsing and matching (IPv4, IPv6, IPv4-mapped, "@" unix peers, hostile input). */
#include <config.h>

#include <string.h>
#include <sys/socket.h>

#include "cidr.h"
#include "tap.h"

/* Parse list, match addr: the common assertion. */
static bool
m(const char *list, const char *addr)
{
	struct gk_cidr_list l;
	struct gk_err e;
	bool r;

	if (gk_cidr_list_parse(list, &l, &e) != GK_OK) {
		diag("unexpected parse error for '%s': %s", list, e.msg);
		return false;
	}
	r = gk_cidr_list_match(&l, addr);
	gk_cidr_list_free(&l);
	return r;
}

static const struct {
	int line;
	const char *list, *addr;
	bool want;
} match_cases[] = {
	{ __LINE__, "10.0.0.0/8", "10.1.2.3", true },
	{ __LINE__, "10.0.0.0/8", "11.0.0.0", false },
	{ __LINE__, "10.0.0.0/8", "9.255.255.255", false },
	{ __LINE__, "192.168.1.10", "192.168.1.10", true },
	{ __LINE__, "192.168.1.10", "192.168.1.11", false },
	{ __LINE__, "192.168.1.10/32", "192.168.1.10", true },
	{ __LINE__, "172.16.0.0/12", "172.31.255.255", true },
	{ __LINE__, "172.16.0.0/12", "172.32.0.0", false },
	{ __LINE__, "10.0.0.0/31", "10.0.0.1", true },
	{ __LINE__, "10.0.0.0/31", "10.0.0.2", false },
	{ __LINE__, "10.0.0.128/25", "10.0.0.127", false },
	{ __LINE__, "10.0.0.128/25", "10.0.0.255", true },
	{ __LINE__, "::1", "::1", true },
	{ __LINE__, "::1", "::2", false },
	{ __LINE__, "::1/128", "0:0:0:0:0:0:0:1", true },
	{ __LINE__, "2001:db8::/32", "2001:db8:ffff::1", true },
	{ __LINE__, "2001:db8::/32", "2001:db9::1", false },
	{ __LINE__, "2001:db8::/33", "2001:db8:8000::1", false },
	{ __LINE__, "2001:db8::/33", "2001:db8:7fff::1", true },
	{ __LINE__, "fe80::/10", "febf::1", true },
	{ __LINE__, "fe80::/10", "fec0::1", false },
	/* IPv4-mapped peers match IPv4 entries, and mapped entries are IPv4 entries. */
	{ __LINE__, "127.0.0.1", "::ffff:127.0.0.1", true },
	{ __LINE__, "10.0.0.0/8", "::ffff:10.9.8.7", true },
	{ __LINE__, "10.0.0.0/8", "::ffff:11.9.8.7", false },
	{ __LINE__, "::ffff:10.0.0.0/104", "10.200.0.1", true },
	{ __LINE__, "::ffff:10.0.0.0/104", "11.0.0.1", false },
	{ __LINE__, "::ffff:192.0.2.1", "192.0.2.1", true },
	{ __LINE__, "::ffff:0:0/96", "::ffff:1.2.3.4", true },
	/* ...but a v4 entry never matches a native IPv6 address, nor the reverse. */
	{ __LINE__, "0.0.0.1", "::1", false },
	{ __LINE__, "::1", "0.0.0.1", false },
	{ __LINE__, "::/64", "::ffff:1.2.3.4", true },    /* mapped addresses are in ::/64 */
	/* "@": the unix-socket peer. */
	/* An empty or absent REMOTE_ADDR says nothing: never the unix peer, never anything. */
	{ __LINE__, "@", "", false },
	{ __LINE__, "@", NULL, false },
	{ __LINE__, "@, 0.0.0.0/1, 128.0.0.0/1, ::/1, 8000::/1", "", false },
	{ __LINE__, "@, 0.0.0.0/1, 128.0.0.0/1, ::/1, 8000::/1", NULL, false },
	{ __LINE__, "@", " ", false },
	{ __LINE__, "@", "unix", false },
	{ __LINE__, "@", "@x", false },
	{ __LINE__, "@", "unix:", true },
	{ __LINE__, "@", "unix:/run/x.sock", true },
	{ __LINE__, "@", "@", true },
	{ __LINE__, "@", "/run/lighttpd/http.sock", true },    /* lighttpd: the listener's path */
	{ __LINE__, "127.0.0.1", "/run/lighttpd/http.sock", false },
	{ __LINE__, "@", "127.0.0.1", false },
	{ __LINE__, "127.0.0.1", "", false },
	{ __LINE__, "127.0.0.1", "unix:", false },
	{ __LINE__, "127.0.0.1", NULL, false },
	{ __LINE__, "127.0.0.1, @", "unix:", true },
	{ __LINE__, "127.0.0.1, @", "127.0.0.1", true },
	{ __LINE__, "127.0.0.1,@ ::1", "::1", true },
	/* Empty lists match nothing, not even the unix peer. */
	{ __LINE__, "", "", false },
	{ __LINE__, "", "127.0.0.1", false },
	{ __LINE__, " , ,", "127.0.0.1", false },
	/* Unparsable peers never match, whatever the list. */
	{ __LINE__, "0.0.0.0/0", "garbage", false },
	{ __LINE__, "0.0.0.0/0", " 1.2.3.4", false },
	{ __LINE__, "0.0.0.0/0", "1.2.3.4 ", false },
	{ __LINE__, "0.0.0.0/0", "1.2.3.4:80", false },
	{ __LINE__, "::/0", "[::1]", false },
	{ __LINE__, "::/0", "fe80::1%eth0", false },
	{ __LINE__, "0.0.0.0/0", "01.2.3.4", false },
	{ __LINE__, "0.0.0.0/0", "1.2.3.4\n", false },
	{ __LINE__, "0.0.0.0/0", "1.2.3.4/8", false },
	{ __LINE__, "0.0.0.0/0", "8.8.8.8", true },
	{ __LINE__, "::/0", "2001:db8::1", true },
	{ __LINE__, "::/0", "1.2.3.4", false },
	{ __LINE__, "0.0.0.0/0", "::ffff:8.8.8.8", true },
};

static const struct {
	int line;
	const char *text;
	const char *errpart;   /* substring the error message must hold */
} bad_cases[] = {
	{ __LINE__, "", "empty" },
	{ __LINE__, "10.0.0.1/8", "host bits set" },
	{ __LINE__, "10.0.0.1/8", "10.0.0.1/8" },
	{ __LINE__, "2001:db8::1/32", "host bits" },
	{ __LINE__, "::ffff:10.0.0.1/104", "host bits" },
	{ __LINE__, "10.0.0.0/33", "0..32" },
	{ __LINE__, "::/129", "0..128" },
	{ __LINE__, "10.0.0.0/", "prefix" },
	{ __LINE__, "10.0.0.0/-1", "prefix" },
	{ __LINE__, "10.0.0.0/+8", "prefix" },
	{ __LINE__, "10.0.0.0/08", "prefix" },
	{ __LINE__, "10.0.0.0/8/8", "prefix" },
	{ __LINE__, "10.0.0.0/ 8", "prefix" },
	{ __LINE__, "10.0.0.0/99999999999999999999", "prefix" },
	{ __LINE__, "10.0.0", "not an IPv4 or IPv6" },
	{ __LINE__, "256.0.0.0", "not an IPv4" },
	{ __LINE__, "010.0.0.0", "not an IPv4" },
	{ __LINE__, "example.com", "not an IPv4" },
	{ __LINE__, "@@", "not an IPv4" },
	{ __LINE__, "@/0", "not an IPv4" },
	{ __LINE__, "fe80::1%eth0", "not an IPv4" },
	{ __LINE__, "[::1]", "not an IPv4" },
	{ __LINE__, "1.2.3.4:80", "not an IPv4" },
	{ __LINE__, "1111:2222:3333:4444:5555:6666:7777:8888:9999:aaaa:bbbb:cccc:dddd", "too long" },
};

int
main(void)
{
	struct gk_cidr c;
	struct gk_cidr_list l;
	struct gk_err e;
	size_t i;

	for (i = 0; i < sizeof(match_cases) / sizeof(match_cases[0]); i++)
		ok(m(match_cases[i].list, match_cases[i].addr) == match_cases[i].want,
		    "line %d: '%s' %s '%s'", match_cases[i].line, match_cases[i].list,
		    match_cases[i].want ? "matches" : "does not match",
		    match_cases[i].addr ? match_cases[i].addr : "(null)");

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		memset(&e, 0, sizeof(e));
		is_int(gk_cidr_parse(bad_cases[i].text, &c, &e), GK_ERR,
		    "line %d: '%s' refused", bad_cases[i].line, bad_cases[i].text);
		ok(strstr(e.msg, bad_cases[i].errpart) != NULL,
		    "line %d: message names the problem (%s)", bad_cases[i].line, e.msg);
	}

	/* Parse results: family, prefix, mapped entries stored as IPv4. */
	is_int(gk_cidr_parse("192.0.2.0/24", &c, &e), GK_OK, "192.0.2.0/24 parses");
	is_int(c.family, AF_INET, "... as IPv4");
	is_int(c.prefix, 24, "... with prefix 24");
	is_int(gk_cidr_parse("2001:db8::", &c, &e), GK_OK, "bare IPv6 parses");
	is_int(c.prefix, 128, "... as a /128");
	is_int(gk_cidr_parse("198.51.100.7", &c, &e), GK_OK, "bare IPv4 parses");
	is_int(c.prefix, 32, "... as a /32");
	is_int(gk_cidr_parse("::ffff:10.0.0.0/104", &c, &e), GK_OK, "mapped network parses");
	is_int(c.family, AF_INET, "... stored as IPv4");
	is_int(c.prefix, 8, "... prefix 104-96");
	is_int(gk_cidr_parse("::fffe:0:0/95", &c, &e), GK_OK, "/95 around the mapped range parses");
	is_int(c.family, AF_INET6, "... and stays IPv6");
	is_int(gk_cidr_parse("@", &c, &e), GK_OK, "@ parses");
	is_int(c.family, AF_UNIX, "... as the unix peer");

	/* Lists: separators, errors name the bad entry, nothing leaks on error. */
	is_int(gk_cidr_list_parse("10.0.0.0/8,\t192.168.0.0/16  ::1 ,@", &l, &e), GK_OK,
	    "mixed separators");
	is_int(l.count, 4, "... four entries");
	gk_cidr_list_free(&l);
	is_int(l.count, 0, "free resets the count");
	gk_cidr_list_free(&l);   /* twice is harmless */
	is_int(gk_cidr_list_parse(NULL, &l, &e), GK_OK, "NULL list is empty");
	is_int(l.count, 0, "... zero entries");
	gk_cidr_list_free(&l);
	memset(&e, 0, sizeof(e));
	ok(gk_cidr_list_parse("10.0.0.0/8, 10.0.0.1/8", &l, &e) != GK_OK, "list with a bad entry fails");
	ok(strstr(e.msg, "10.0.0.1/8") != NULL, "... naming it (%s)", e.msg);
	ok(gk_cidr_list_parse("1.2.3.4, nonsense", &l, &e) != GK_OK, "garbage entry fails");
	ok(strstr(e.msg, "nonsense") != NULL, "... naming it (%s)", e.msg);
	{
		/* More than the documented cap of 1024 entries. */
		static char big[1100 * 16];
		size_t pos = 0;

		for (i = 0; i < 1100; i++)
			pos += (size_t)snprintf(big + pos, sizeof(big) - pos, "10.0.%zu.%zu,",
			    i / 256, i % 256);
		ok(gk_cidr_list_parse(big, &l, &e) != GK_OK, "more than 1024 entries refused (%s)",
		    e.msg);
	}

	/* has_everything */
	{
		static const struct { const char *list; bool want; } ev[] = {
			{ "0.0.0.0/0", true }, { "::/0", true }, { "10.0.0.0/8, ::/0", true },
			{ "::ffff:0:0/96", true }, { "0.0.0.0/1, 128.0.0.0/1", false },
			{ "@", false }, { "", false }, { "10.0.0.0/8", false },
		};

		for (i = 0; i < sizeof(ev) / sizeof(ev[0]); i++) {
			if (gk_cidr_list_parse(ev[i].list, &l, &e) != GK_OK) {
				ok(0, "parse '%s': %s", ev[i].list, e.msg);
				continue;
			}
			ok(gk_cidr_list_has_everything(&l) == ev[i].want, "has_everything('%s') = %s",
			    ev[i].list, ev[i].want ? "true" : "false");
			gk_cidr_list_free(&l);
		}
		ok(!gk_cidr_list_has_everything(NULL), "has_everything(NULL) = false");
		ok(!gk_cidr_list_match(NULL, "127.0.0.1"), "match(NULL) = false");
	}
	return done_testing();
}
