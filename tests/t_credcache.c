/* t_credcache.c: the verified-credential cache: hits, misses, TTL, invalidation, eviction. */
#include <config.h>

#include "credcache.h"
#include "tap.h"

int
main(void)
{
	struct gk_err err = { "" };
	struct gk_credcache *c = gk_credcache_new(4, 60, &err), *z;
	const char *h = "$y$j9T$salt$hash", *h2 = "$y$j9T$salt$other";
	char name[16];
	int i;

	ok(c != NULL, "new cache");
	ok(gk_credcache_new(0, 60, &err) == NULL, "size 0 refused");
	ok(!gk_credcache_check(c, "alice", "pw", h, 1, 100, 1000), "empty: miss");
	gk_credcache_put(c, "alice", "pw", h, 1, 100, 1000);
	ok(gk_credcache_check(c, "alice", "pw", h, 1, 100, 1000), "hit right after put");
	ok(gk_credcache_check(c, "alice", "pw", h, 1, 100, 1059), "hit within ttl");
	ok(!gk_credcache_check(c, "alice", "pw2", h, 1, 100, 1001), "other password: miss");
	ok(!gk_credcache_check(c, "alic", "epw", h, 1, 100, 1001), "user/password boundary is kept");
	ok(!gk_credcache_check(c, "bob", "pw", h, 1, 100, 1001), "other user: miss");
	ok(!gk_credcache_check(c, "alice", "pw", h2, 1, 100, 1001), "new hash: miss");
	ok(!gk_credcache_check(c, "alice", "pw", h, 2, 100, 1001), "generation bumped: miss");
	ok(!gk_credcache_check(c, "alice", "pw", h, 1, 100, 1001), "stale entry was dropped");
	gk_credcache_put(c, "alice", "pw", h, 1, 100, 1000);
	ok(!gk_credcache_check(c, "alice", "pw", h, 1, 101, 1001), "record updated: miss");
	gk_credcache_put(c, "alice", "pw", h, 1, 100, 1000);
	ok(!gk_credcache_check(c, "alice", "pw", h, 1, 100, 1060), "expired at ttl");
	gk_credcache_put(c, "alice", "pw", h, 1, 100, 1000);
	ok(!gk_credcache_check(c, "alice", "pw", h, 1, 100, 999), "clock went back: miss");

	/* Eviction: bounded at 4, the oldest goes first. */
	gk_credcache_clear(c);
	is_int(gk_credcache_count(c), 0, "clear empties");
	for (i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "u%d", i);
		gk_credcache_put(c, name, "pw", h, 1, 1, 2000 + i);
	}
	is_int(gk_credcache_count(c), 4, "never more than max entries");
	ok(gk_credcache_check(c, "u9", "pw", h, 1, 1, 2010), "newest kept");
	ok(gk_credcache_check(c, "u6", "pw", h, 1, 1, 2010), "4th newest kept");
	ok(!gk_credcache_check(c, "u5", "pw", h, 1, 1, 2010), "older evicted");
	ok(!gk_credcache_check(c, "u0", "pw", h, 1, 1, 2010), "oldest evicted");
	/* Expired slots are reused before live ones are evicted. */
	gk_credcache_put(c, "late", "pw", h, 1, 1, 2100);
	ok(gk_credcache_check(c, "late", "pw", h, 1, 1, 2100), "put after expiry");
	/* Re-putting the same credentials does not take a second slot. */
	gk_credcache_clear(c);
	gk_credcache_put(c, "a", "pw", h, 1, 1, 3000);
	gk_credcache_put(c, "a", "pw", h, 1, 1, 3001);
	is_int(gk_credcache_count(c), 1, "same key, one slot");

	/* ttl 0: the cache never answers. */
	z = gk_credcache_new(4, 0, &err);
	gk_credcache_put(z, "a", "pw", h, 1, 1, 3000);
	ok(!gk_credcache_check(z, "a", "pw", h, 1, 1, 3000), "ttl 0: never a hit");
	ok(!gk_credcache_check(NULL, "a", "pw", h, 1, 1, 3000), "NULL cache: miss");
	gk_credcache_free(z);
	gk_credcache_free(c);
	return done_testing();
}
