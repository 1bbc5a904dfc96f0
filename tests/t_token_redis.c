/* t_token_redis.c: app tokens follow the shared store's generation (state_backend = redis) as sessions do: a sign-out everywhere on another machine refuses them, a token added after it passes (GK_TEST_REDIS_URL; run by tests/token_redis.sh). */
#include <config.h>

#include "apptoken.h"
#include "statestore.h"
#include "tokenfix.h"

static void
store_conf(struct gk_statestore_conf *sc, const char *url)
{
	memset(sc, 0, sizeof(*sc));
	sc->enabled = true;
	snprintf(sc->url, sizeof(sc->url), "%s", url);
	snprintf(sc->prefix, sizeof(sc->prefix), "tk:");
	sc->timeout_ms = 2000;
	sc->generation_cache_ms = 0;
	sc->down = GK_STORE_DOWN_DENY;
}

/* tokenfix's gk_auth, its lockout swapped for one that keeps its state in the store at url. */
static void
auth_store(struct gk_auth *a, const char *url)
{
	struct gk_lockout_conf lc;
	struct gk_err err;

	auth_new(a);
	gk_lockout_close(a->lk);
	memset(&lc, 0, sizeof(lc));
	lc.max_failures = MAXF, lc.find_time = 60, lc.ban_time = 30;
	store_conf(&lc.store, url);
	if (gk_lockout_open(state, &lc, &a->lk, &err) != GK_OK) {
		printf("Bail out! %s\n", err.msg);
		exit(99);
	}
}

int
main(void)
{
	const char *url = getenv("GK_TEST_REDIS_URL");
	char tok[GK_APPTOKEN_MAX + 1], tok2[GK_APPTOKEN_MAX + 1];
	struct gk_statestore_conf sc;
	struct gk_auth a;
	struct gk_user u;
	struct gk_err err = { "" };
	uint32_t g = 0;

	if (url == NULL)
		return printf("1..0 # SKIP GK_TEST_REDIS_URL unset (tests/token_redis.sh)\n"), 0;
	if (tokenfix_open("t_token_redis") != 0)
		return 99;
	gk_log_init(&quiet, "t_token_redis", GK_LOG_STDERR, LOG_EMERG);
	auth_store(&a, url);
	store_conf(&sc, url);
	is_int(gk_apptoken_add(dbpath, "alice", "t", 0, "", T0, tok, &err), GK_OK, "a token for alice");
	gk_userdb_refresh(db, &err);
	is_int(try_tok(&a, NULL, tok, "192.0.2.1", T0 + 10, NULL), GK_AUTH_OK,
	    "it passes with the shared store");
	is_int(lookup(NULL, "alice", &u), GK_OK, "alice's record");
	/* Another machine signs alice out everywhere: its record and the store move on, ours not. */
	is_int(gk_auth_revoke_everywhere(&a, "alice", u.generation + 1), GK_OK,
	    "sign out everywhere on another machine (the store's generation raised)");
	is_int(try_tok(&a, NULL, tok, "192.0.2.1", T0 + 20, NULL), GK_AUTH_TOKEN_REVOKED,
	    "the token is refused here too, as a session of its generation is");
	is_int(try_tok(&a, "alice", tok, "192.0.2.1", T0 + 20, NULL), GK_AUTH_TOKEN_REVOKED,
	    "  also as a Basic password");
	/* A token added now carries the store's generation (gatekeep-passwd, the account page). */
	is_int(gk_statestore_issue_once(&sc, "alice", &g, &err), GK_OK, "the store's generation (%s)",
	    err.msg);
	ok(g > u.generation, "  is above the record's (%u > %u)", g, u.generation);
	is_int(gk_apptoken_add_at(dbpath, "alice", "t2", 0, "", g, T0 + 30, tok2, &err), GK_OK,
	    "a new token at that generation");
	gk_userdb_refresh(db, &err);
	is_int(try_tok(&a, NULL, tok2, "192.0.2.1", T0 + 40, NULL), GK_AUTH_OK, "  passes");
	is_int(try_tok(&a, NULL, tok, "192.0.2.1", T0 + 40, NULL), GK_AUTH_TOKEN_REVOKED,
	    "  and the old one stays refused");
	is_int(gk_auth_revoke_everywhere(&a, "alice", u.generation + 1), GK_OK,
	    "sign out everywhere again");
	is_int(try_tok(&a, NULL, tok2, "192.0.2.1", T0 + 50, NULL), GK_AUTH_TOKEN_REVOKED,
	    "  refuses the new token too");
	gk_wipe(&u, sizeof(u));
	gk_lockout_close(a.lk);
	gk_pw_ctx_free(a.pw);
	tokenfix_close();
	return done_testing();
}
