/* t_pathnorm.c: path normalisation against traversal and encoding tricks. */
#include <config.h>

#include "pathnorm.h"
#include "pathread.h"
#include "tap.h"

struct tc {
	int line;
	const char *in;
	unsigned opts;
	int rc;
	const char *out;        /* when rc == GK_OK */
	unsigned flags;
};

static const struct tc cases[] = {
	{ __LINE__, "/", 0, GK_OK, "/", 0 },
	{ __LINE__, "/a/b", 0, GK_OK, "/a/b", 0 },
	{ __LINE__, "/a/b/", 0, GK_OK, "/a/b/", 0 },
	{ __LINE__, "/a/b?x=/../../etc", 0, GK_OK, "/a/b", 0 },
	{ __LINE__, "/a/b#frag", 0, GK_OK, "/a/b", 0 },
	{ __LINE__, "//a///b", 0, GK_OK, "/a/b", 0 },
	{ __LINE__, "/./a/./b/.", 0, GK_OK, "/a/b/", 0 },
	{ __LINE__, "/public/../admin", 0, GK_OK, "/admin", 0 },
	{ __LINE__, "/public/..", 0, GK_OK, "/", 0 },
	{ __LINE__, "/a/b/../../c", 0, GK_OK, "/c", 0 },
	{ __LINE__, "/..", 0, GK_EINVAL, NULL, 0 },
	{ __LINE__, "/a/../../etc/passwd", 0, GK_EINVAL, NULL, 0 },
	{ __LINE__, "/public/%2e%2e/admin", 0, GK_OK, "/admin", 0 },
	{ __LINE__, "/public/%2E%2E/admin", 0, GK_OK, "/admin", 0 },
	{ __LINE__, "/public/.%2e/admin", 0, GK_OK, "/admin", 0 },
	{ __LINE__, "/public/%2e/x", 0, GK_OK, "/public/x", 0 },
	/* double encoding: decoded once, "%2e%2e" is a literal name, flagged */
	{ __LINE__, "/public/%252e%252e/admin", 0, GK_OK, "/public/%252e%252e/admin",
	    GK_PATH_AMBIGUOUS },
	/* ";params": dropped, and the path is flagged (servers disagree on them) */
	{ __LINE__, "/public;jsessionid=1/x", 0, GK_OK, "/public/x", GK_PATH_AMBIGUOUS },
	{ __LINE__, "/public/..;/admin", 0, GK_OK, "/admin", GK_PATH_AMBIGUOUS },
	{ __LINE__, "/public;/../admin", 0, GK_OK, "/admin", GK_PATH_AMBIGUOUS },
	{ __LINE__, "/public;%2f..%2fadmin", 0, GK_OK, "/public", GK_PATH_AMBIGUOUS },
	{ __LINE__, "/a%00b", 0, GK_EINVAL, NULL, 0 },
	{ __LINE__, "/a%0ab", 0, GK_EINVAL, NULL, 0 },
	{ __LINE__, "/a%7fb", 0, GK_EINVAL, NULL, 0 },
	{ __LINE__, "/a%zzb", 0, GK_EINVAL, NULL, 0 },
	{ __LINE__, "/a%2", 0, GK_EINVAL, NULL, 0 },
	{ __LINE__, "/a%", 0, GK_EINVAL, NULL, 0 },
	/* overlong UTF-8 '/', and invalid bytes */
	{ __LINE__, "/public/%c0%af../admin", 0, GK_EINVAL, NULL, 0 },
	{ __LINE__, "/%c0%ae%c0%ae/admin", 0, GK_EINVAL, NULL, 0 },
	{ __LINE__, "/%ff", 0, GK_EINVAL, NULL, 0 },
	{ __LINE__, "/caf%c3%a9", 0, GK_OK, "/caf\xc3\xa9", 0 },
	/* encoded separators stay in their segment, re-encoded canonically, flagged */
	{ __LINE__, "/public%2f..%2fadmin", 0, GK_OK, "/public%2F..%2Fadmin", GK_PATH_AMBIGUOUS },
	{ __LINE__, "/public/..%2Fadmin", 0, GK_OK, "/public/..%2Fadmin", GK_PATH_AMBIGUOUS },
	{ __LINE__, "/public/..%5cadmin", 0, GK_OK, "/public/..%5Cadmin", GK_PATH_AMBIGUOUS },
	{ __LINE__, "/public\\..\\admin", 0, GK_OK, "/public\\..\\admin", GK_PATH_AMBIGUOUS },
	/* split reading: what nginx would see */
	{ __LINE__, "/public/..%2Fadmin", GK_PATHNORM_SPLIT, GK_OK, "/admin", GK_PATH_AMBIGUOUS },
	{ __LINE__, "/public\\..\\admin", GK_PATHNORM_SPLIT, GK_OK, "/admin", GK_PATH_AMBIGUOUS },
	{ __LINE__, "/admin%2F..%2F..%2Fx", GK_PATHNORM_SPLIT, GK_EINVAL, NULL, 0 },
	{ __LINE__, "/a/b", GK_PATHNORM_SPLIT, GK_OK, "/a/b", 0 },
	/* absolute form and oddities */
	{ __LINE__, "http://evil.example/public/../admin?x", 0, GK_OK, "/admin", 0 },
	{ __LINE__, "HTTPS://h", 0, GK_OK, "/", 0 },
	{ __LINE__, "", 0, GK_EINVAL, NULL, 0 },
	{ __LINE__, "admin", 0, GK_EINVAL, NULL, 0 },
	{ __LINE__, "?x", 0, GK_EINVAL, NULL, 0 },
	{ __LINE__, "*", 0, GK_EINVAL, NULL, 0 },
	{ __LINE__, "/a b", 0, GK_OK, "/a b", 0 },
	{ __LINE__, "/a\tb", 0, GK_EINVAL, NULL, 0 },
	{ __LINE__, "/%2e%2e%2fadmin", 0, GK_OK, "/..%2Fadmin", GK_PATH_AMBIGUOUS },
	/* ";params" literal (nginx, Apache, most apps): "..;" is a name, not a dot segment */
	{ __LINE__, "/admin/..;/x", GK_PATHNORM_SEMI_LITERAL, GK_OK, "/admin/..;/x", GK_PATH_AMBIGUOUS },
	{ __LINE__, "/public;jsessionid=1/x", GK_PATHNORM_SEMI_LITERAL, GK_OK,
	    "/public;jsessionid=1/x", GK_PATH_AMBIGUOUS },
	{ __LINE__, "/a;%2f../b", GK_PATHNORM_SEMI_LITERAL, GK_OK, "/a;%2F../b", GK_PATH_AMBIGUOUS },
	{ __LINE__, "/a;%00", GK_PATHNORM_SEMI_LITERAL, GK_EINVAL, NULL, 0 },
	/* decoded twice: only "%25" + two hex digits (raw or encoded) is decoded again */
	{ __LINE__, "/%2561dmin/x", GK_PATHNORM_TWICE, GK_OK, "/admin/x", 0 },
	{ __LINE__, "/%25%36%31dmin", GK_PATHNORM_TWICE, GK_OK, "/admin", 0 },
	{ __LINE__, "/public/%252e%252e/admin", GK_PATHNORM_TWICE, GK_OK, "/admin", 0 },
	{ __LINE__, "/public/..%252fadmin", GK_PATHNORM_TWICE, GK_OK, "/public/..%2Fadmin",
	    GK_PATH_AMBIGUOUS },
	{ __LINE__, "/public/..%252fadmin", GK_PATHNORM_TWICE | GK_PATHNORM_SPLIT, GK_OK, "/admin",
	    GK_PATH_AMBIGUOUS },
	{ __LINE__, "/50%25-off", GK_PATHNORM_TWICE, GK_OK, "/50%25-off", GK_PATH_AMBIGUOUS },
	{ __LINE__, "/a%2500", GK_PATHNORM_TWICE, GK_EINVAL, NULL, 0 },
	{ __LINE__, "/a%25", GK_PATHNORM_TWICE, GK_OK, "/a%25", GK_PATH_AMBIGUOUS },
};

/* Is p one of r's readings? */
static bool
has_reading(const struct gk_path_readings *r, const char *p)
{
	for (size_t i = 0; i < r->count; i++)
		if (strcmp(r->path[i], p) == 0)
			return true;
	return false;
}

int
main(void)
{
	char out[GK_PATH_MAX + 1], big[GK_HEADER_MAX + 10];
	unsigned flags;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct tc *c = &cases[i];

		rc = gk_path_normalize(c->in, c->opts, out, sizeof(out), &flags);
		is_int(rc, c->rc, "line %d: rc for \"%s\"", c->line, c->in);
		if (c->rc == GK_OK) {
			is_str(out, c->out, "line %d: path", c->line);
			is_int(flags, c->flags, "line %d: flags", c->line);
		} else {
			is_str(out, "", "line %d: output cleared on error", c->line);
		}
	}

	/* Bounds: an over-long target, a small output buffer. */
	memset(big, 'a', sizeof(big) - 1);
	big[0] = '/';
	big[sizeof(big) - 1] = '\0';
	is_int(gk_path_normalize(big, 0, out, sizeof(out), &flags), GK_ETOOLONG, "target > GK_HEADER_MAX");
	is_int(gk_path_normalize("/abcdef", 0, out, 4, &flags), GK_ETOOLONG, "small output buffer");
	is_int(gk_path_normalize(NULL, 0, out, sizeof(out), &flags), GK_EINVAL, "NULL target");

	/* Prefix matching is segment-aware. */
	ok(gk_path_prefix_match("/public", "/public", false), "prefix: exact");
	ok(gk_path_prefix_match("/public", "/public/x", false), "prefix: below");
	ok(!gk_path_prefix_match("/public", "/publicity", false), "prefix: not a sibling name");
	ok(gk_path_prefix_match("/public/", "/public/x", false), "prefix with slash: below");
	ok(!gk_path_prefix_match("/public/", "/public", false), "prefix with slash: not the bare name");
	ok(gk_path_prefix_match("/", "/anything", false), "root prefix");
	ok(!gk_path_prefix_match("public", "/public", false), "relative prefix never matches");
	ok(!gk_path_prefix_match("/Public", "/public", false), "case-sensitive");
	ok(gk_path_prefix_match("/admin", "/ADMIN/panel", true) &&
	    gk_path_prefix_match("/Admin", "/admin", true) &&
	    !gk_path_prefix_match("/admin", "/ADMINISTRATOR", true), "nocase: ASCII case, segment-aware");
	ok(!gk_path_prefix_match("/admin", "", false) && !gk_path_prefix_match("/a", "/", true) &&
	    gk_path_prefix_match("/", "/", false), "prefix: empty path, root path");
	{
		/* the second-byte shortcut says what the whole comparison says, for every pair */
		size_t same = 0, all = 0;
		unsigned a, b;
		int nc;

		for (nc = 0; nc < 2; nc++)
			for (a = 1; a < 256; a++)
				for (b = 0; b < 256; b++) {
					char pre[4] = { '/', (char)a, 'z', '\0' }, path[4] = { '/', (char)b,
						'z', '\0' };
					bool want = (nc ? strncasecmp(pre, path, 3) : strncmp(pre, path, 3)) == 0;

					all++;
					same += gk_path_prefix_match(pre, path, nc == 1) == want;
				}
		ok(same == all, "prefix: the second byte decides as the whole compare (%zu of %zu)",
		    same, all);
	}

	/* Every reading of a path (pathread.h). */
	{
		static struct gk_path_readings r;
		struct gk_strlist pub = { (char *[]){ "/public", "/static" }, 2 };

		is_int(gk_path_readings("/a/b?x=;%25", &r), GK_OK, "readings: plain path");
		ok(r.count == 1 && strcmp(r.path[0], "/a/b") == 0 && r.flags == 0,
		    "readings: a plain path has one reading (the query does not count)");
		is_int(gk_path_readings("/admin/..;/x", &r), GK_OK, "readings: ..;");
		ok(r.count == 2 && strcmp(r.path[0], "/x") == 0 && has_reading(&r, "/admin/..;/x"),
		    "readings: \"..;\" is \"..\" for Tomcat (first) and a name for the rest");
		is_int(gk_path_readings("/public/..%252fadmin;x", &r), GK_OK, "readings: mixed");
		ok(has_reading(&r, "/public/..%252fadmin") && has_reading(&r, "/admin") &&
		    has_reading(&r, "/public/..%2Fadmin;x") && has_reading(&r, "/admin;x") &&
		    r.count <= GK_READINGS_MAX && (r.flags & GK_PATH_AMBIGUOUS),
		    "readings: ;, twice and split combine (%zu readings)", r.count);
		is_int(gk_path_readings("/x/..%2F..%2F..", &r), GK_EINVAL,
		    "readings: one reader climbing above the root refuses the path");
		ok(r.count == 0, "readings: none on error");
		is_int(gk_path_readings("/ok/%252e%252e/%252e%252e/..", &r), GK_EINVAL,
		    "readings: ... even when only the twice-decoded reading climbs");
		is_int(gk_path_readings(NULL, &r), GK_EINVAL, "readings: NULL target");
		gk_path_readings("/public/x", &r);
		ok(gk_path_readings_all_under(&r, &pub), "all under: a plain public path");
		gk_path_readings("/PUBLIC/x", &r);
		ok(!gk_path_readings_all_under(&r, &pub), "all under: a bypass holds only as spelt");
		gk_path_readings("/public/..;/admin", &r);
		ok(!gk_path_readings_all_under(&r, &pub), "all under: not when a reading leaves it");
		gk_path_readings("/public/a%2Fb", &r);
		ok(!gk_path_readings_all_under(&r, &pub), "all under: never for an ambiguous path");
		/* Raw reading: a router matching the undecoded target does not see /public. */
		is_int(gk_path_readings("/p%75blic/", &r), GK_OK, "readings: an encoded letter");
		ok(has_reading(&r, "/public/") && has_reading(&r, "/p%75blic/"),
		    "readings: decoded and raw (%zu readings)", r.count);
		ok(!gk_path_readings_all_under(&r, &pub), "all under: /p%%75blic/ is not /public raw");
		gk_path_readings("/public/a%20b", &r);
		ok(gk_path_readings_all_under(&r, &pub), "all under: an escape below the prefix is fine");
		gk_path_readings("/public/%2e%2e/admin", &r);
		ok(has_reading(&r, "/admin") && has_reading(&r, "/public/%2e%2e/admin") &&
		    !gk_path_readings_all_under(&r, &pub), "readings: %%2e%%2e raw is a name, decoded ..");
		is_int(gk_path_readings("/a\\b%41;c", &r), GK_OK, "readings: every option at once");
		ok(r.count <= GK_READINGS_MAX && has_reading(&r, "/a/b%41;c"),
		    "readings: raw and split (%zu readings)", r.count);
		/* Invalid UTF-8 in a segment that ".." removes still refuses the path. */
		is_int(gk_path_readings("/public/a%c0%af../../admin/", &r), GK_EINVAL,
		    "readings: overlong '/' in a removed segment");
		is_int(gk_path_readings("/public/%ff/../x", &r), GK_EINVAL,
		    "readings: invalid UTF-8 in a removed segment");
		pub.count = 0;
		gk_path_readings("/public/x", &r);
		ok(!gk_path_readings_all_under(&r, &pub), "all under: empty list");
	}
	return done_testing();
}
