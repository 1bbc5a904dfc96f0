/* t_attack2_redis.c: one key of the wrong type in the store (GK_TEST_REDIS_URL) fails that key's reads only, not the store for every user. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include "statestore.h"
#include "tap.h"

int
main(int argc, char **argv)
{
	const char *url = getenv("GK_TEST_REDIS_URL");
	struct gk_statestore_conf sc;
	struct gk_statestore *st = NULL;
	struct gk_err err;
	char key[GK_STORE_KEY_MAX];
	redisContext *c;
	redisReply *r;
	uint32_t g;
	int i, rc;

	if (url == NULL || strncmp(url, "unix:", 5) != 0 || argc < 1)
		return printf("1..0 # SKIP GK_TEST_REDIS_URL=unix:PATH unset (tests/attack2_redis.sh)\n"), 0;
	memset(&sc, 0, sizeof(sc));
	sc.enabled = true;
	snprintf(sc.url, sizeof(sc.url), "%s", url);
	snprintf(sc.prefix, sizeof(sc.prefix), "a2:");
	sc.timeout_ms = 2000;
	sc.generation_cache_ms = 0;
	sc.down = GK_STORE_DOWN_DENY;
	if (!ok(gk_statestore_open(&sc, &st, &err) == GK_OK, "store opened") ||
	    !ok(gk_statestore_key(st, 'g', "mallory", NULL, key, &err) == GK_OK,
	    "mallory's generation key: %s", key))
		return done_testing();
	/* someone with access to the store (or a bug) left a hash where a counter belongs */
	c = redisConnectUnix(url + 5);
	r = c != NULL && c->err == 0 ? redisCommand(c, "HSET %s x y", key) : NULL;
	ok(r != NULL && r->type == REDIS_REPLY_INTEGER, "a hash put at mallory's generation key");
	freeReplyObject(r);
	redisFree(c);
	for (i = 0; i < 3; i++) {
		rc = gk_statestore_generation(st, "mallory", true, &g, &err);
		ok(rc < 0, "mallory's generation cannot be read: an error, so a deny (%s)", err.msg);
	}
	rc = gk_statestore_generation(st, "alice", true, &g, &err);
	ok(rc == GK_OK && g == 0, "alice's generation reads at once: the store is not 'down' for "
	    "everyone because of one key (%s)", rc == GK_OK ? "ok" : err.msg);
	gk_statestore_close(st);
	return done_testing();
}
