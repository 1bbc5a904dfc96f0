/* t_pathnorm.c: path normalisation against traversal and encoding tricks. */
#include <config.h>

#include "pathnorm.h"
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
};

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
	ok(gk_path_prefix_match("/public", "/public"), "prefix: exact");
	ok(gk_path_prefix_match("/public", "/public/x"), "prefix: below");
	ok(!gk_path_prefix_match("/public", "/publicity"), "prefix: not a sibling name");
	ok(gk_path_prefix_match("/public/", "/public/x"), "prefix with slash: below");
	ok(!gk_path_prefix_match("/public/", "/public"), "prefix with slash: not the bare name");
	ok(gk_path_prefix_match("/", "/anything"), "root prefix");
	ok(!gk_path_prefix_match("public", "/public"), "relative prefix never matches");
	ok(!gk_path_prefix_match("/Public", "/public"), "case-sensitive");
	return done_testing();
}
