/* statestore.h: the shared state store (Redis/Valkey through hiredis): connection, keys, generations. */
#ifndef GK_STATESTORE_H
#define GK_STATESTORE_H

#include <stdint.h>

#include "common.h"

/*
 * Several machines behind one load balancer share bans, failure counts and
 * each user's token generation ("sign out everywhere") through one Redis or
 * Valkey server (state_backend = redis). The local lockout table stays the
 * default (state_backend = file) and nothing here runs then.
 *
 * Connection: one per process, made lazily on first use (and again in a
 * child after fork: a worker never shares its parent's socket), with
 * redis_timeout_ms for the connect and for every command. After a failure
 * the next attempt waits a back-off (250 ms doubling to 8 s), during which
 * every call fails at once without touching the network: a dead store is
 * not hammered and a request never waits for it more than one timeout.
 * AUTH with the password from redis_password_file, SELECT of the database
 * named in the URL. hiredis 0.14 (Debian 12) has no TLS: use a unix socket
 * or a loopback/stunnel/WireGuard path to the store.
 *
 * Keys: redis_prefix + a kind letter + ':' + 32 hex digits of a keyed
 * BLAKE2b of the user and/or address, so neither names nor addresses appear
 * in the store. The hash key comes from redis_key_file when set (the same
 * file on every machine, like secret_file), otherwise from the store itself
 * (created once with SET NX under redis_prefix + "hashkey"): then anyone who
 * can read the store can also test guesses of names against it.
 *
 * Failing safe: every function returns a negative gk_status with err set
 * ("state store ...: why") when the store cannot be reached or answers
 * something unexpected; callers deny.
 */

enum gk_store_down { GK_STORE_DOWN_DENY = 0, GK_STORE_DOWN_LOCAL = 1 };

#define GK_STORE_URL_MAX    512
#define GK_STORE_PREFIX_MAX 64

/* From gatekeep.conf; copied (not pointed to), so the configuration may be freed. */
struct gk_statestore_conf {
	bool enabled;                           /* state_backend = redis */
	char url[GK_STORE_URL_MAX];             /* redis://HOST[:PORT][/DB] or unix:/PATH[?db=N] */
	char password_file[GK_PATH_MAX];        /* "" = no AUTH */
	char key_file[GK_PATH_MAX];             /* "" = the hash key lives in the store */
	char prefix[GK_STORE_PREFIX_MAX];
	long timeout_ms;                        /* connect and each command */
	long generation_cache_ms;               /* how long a worker trusts a generation it read */
	enum gk_store_down down;                /* what bans do while the store is down */
};

struct gk_config;
/* Fills conf from the configuration's state_backend and redis_* keys. */
void gk_statestore_conf_from(struct gk_statestore_conf *conf, const struct gk_config *cfg);

/* Checks a redis_url; GK_OK or GK_EINVAL with err set. */
int gk_statestore_url_check(const char *url, struct gk_err *err);

struct gk_statestore;

/*
 * Checks the configuration and reads the password and key files (as the
 * calling process: a worker reads them as run_user); connects nothing yet.
 */
int gk_statestore_open(const struct gk_statestore_conf *conf, struct gk_statestore **out,
    struct gk_err *err);
void gk_statestore_close(struct gk_statestore *st);

/* One key name: prefix + kind + ':' + hex(keyed hash of id, id2) into out (>= GK_STORE_KEY_MAX). */
#define GK_STORE_KEY_MAX (GK_STORE_PREFIX_MAX + 40)
int gk_statestore_key(struct gk_statestore *st, char kind, const char *id, const char *id2,
    char out[GK_STORE_KEY_MAX], struct gk_err *err);

/*
 * Runs a Lua script (EVALSHA, EVAL when the server lacks it) with nkeys
 * keys and nargs arguments; the reply must be an array of integers, copied
 * to out (at most outn). The number of integers, or a negative gk_status:
 * GK_EIO when the store cannot be reached (dropped, back-off), GK_ECORRUPT
 * when the script failed on its keys (a key of another type): that call
 * only, the connection kept.
 */
int gk_statestore_eval(struct gk_statestore *st, const char *script, int nkeys,
    const char *const *keys, int nargs, const char *const *args, long long *out, int outn,
    struct gk_err *err);

/*
 * The user's generation in the store (0 if none). A value this process read
 * less than generation_cache_ms ago is reused unless fresh is set.
 */
int gk_statestore_generation(struct gk_statestore *st, const char *user, bool fresh,
    uint32_t *gen, struct gk_err *err);

/*
 * Raises the user's generation in the store to at least at_least, and with
 * bump to more than it was: a revocation. The new value in *gen.
 */
int gk_statestore_raise(struct gk_statestore *st, const char *user, uint32_t at_least, bool bump,
    uint32_t *gen, struct gk_err *err);

/*
 * For a one-shot program (gatekeep-passwd): opens, raises with bump, closes.
 * GK_OK at once when conf is not enabled.
 */
int gk_statestore_revoke_once(const struct gk_statestore_conf *conf, const char *user,
    uint32_t record_gen, struct gk_err *err);

/*
 * For a one-shot program (gatekeep-passwd --token-add): the generation a new
 * token of user carries, as gk_auth_issue_generation (opens, raises without
 * bump, closes). *gen = 0 and GK_OK at once when conf is not enabled.
 */
int gk_statestore_issue_once(const struct gk_statestore_conf *conf, const char *user,
    uint32_t *gen, struct gk_err *err);

/* "redis unix:/run/redis.sock" and the like, for log lines. */
const char *gk_statestore_name(const struct gk_statestore *st);

#endif
