/* lockout.c: who may try a password now: bans per (user, address) and address, a throttle per user. */
#include <config.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <sodium.h>

#include "conf.h"	/* struct gk_config */
#include "lockout_redis.h"
#include "lockout_table.h"
#include "metrics.h"

#define DEF_SLOTS     16384     /* 1 MiB of slots: bounded disk use */
#define MIN_SLOTS     64        /* at least two neighbourhoods */
#define DEF_ADDRESS   20
#define DEF_THROTTLE  10
#define DEF_THR_MAX   60

bool
gk_lockout_notice(struct gk_lockout *lk, char *out, size_t outsz)
{
	if (lk == NULL || lk->notice[0] == '\0' || outsz == 0)
		return false;
	snprintf(out, outsz, "%s", lk->notice);
	lk->notice[0] = '\0';
	return true;
}

void
gk_lockout_conf_from(struct gk_lockout_conf *conf, const struct gk_config *cfg)
{
	memset(conf, 0, sizeof(*conf));
	conf->max_failures = cfg->max_failures;
	conf->find_time = cfg->find_time;
	conf->ban_time = cfg->ban_time;
	conf->address_failures = cfg->lockout_address_failures;
	conf->user_throttle = cfg->lockout_user_throttle;
	conf->user_lock = cfg->lockout_user_lock;
	conf->throttle_max = cfg->lockout_throttle_max;
	gk_statestore_conf_from(&conf->store, cfg);
}

/* Also frees a half-made lockout: gk_lockout_open's failures end here. */
void
gk_lockout_close(struct gk_lockout *lk)
{
	if (lk == NULL)
		return;
	lk_table_close(lk);
	gk_statestore_close(lk->store);
	gk_wipe(&lk->h, sizeof(lk->h));
	free(lk);
}

struct gk_statestore *
gk_lockout_store(struct gk_lockout *lk)
{
	return lk != NULL ? lk->store : NULL;
}

/* The keys one attempt touches; absent ones are unused. */
struct keyset {
	bool has_user, has_addr;
	unsigned char user[LK_KEY_LEN], pair[LK_KEY_LEN], addr[LK_KEY_LEN], known[LK_KEY_LEN];
};

static int
keys_make(struct gk_lockout *lk, const char *user, const char *addr, struct keyset *ks,
    struct gk_err *err)
{
	char norm[INET6_ADDRSTRLEN + 8];

	memset(ks, 0, sizeof(*ks));
	if (user != NULL && strlen(user) > GK_USER_MAX)
		return gk_err_set(err, "lockout: user name too long");
	if (addr != NULL && strlen(addr) > 255)
		return gk_err_set(err, "lockout: address too long");
	if (addr != NULL)
		lk_addr_norm(addr, norm, sizeof(norm));
	ks->has_user = user != NULL;
	ks->has_addr = addr != NULL;
	/* "u:" and "a:" hash as in earlier tables, so their entries survive an upgrade. */
	if (user != NULL)
		lk_key(lk, 'u', user, NULL, ks->user);
	if (addr != NULL)
		lk_key(lk, 'a', norm, NULL, ks->addr);
	if (user != NULL && addr != NULL) {
		lk_key(lk, 'p', user, norm, ks->pair);
		lk_key(lk, 'k', user, norm, ks->known);
	}
	return GK_OK;
}

/*
 * An admin's --unban USER cannot find the user's pair entries (they are
 * keyed hashes), so it leaves the time of the unban in the user's entry
 * (window_start, unused by the consecutive count) and every pair ban of
 * that user that began no later is void.
 */
static int
user_amnesty(struct gk_lockout *lk, const struct keyset *ks, int64_t now, int64_t *amnesty,
    struct gk_err *err)
{
	struct lk_probe p;

	*amnesty = 0;
	if (!ks->has_user)
		return GK_OK;
	if (lk_probe(lk, ks->user, now, false, &p, err) != GK_OK)
		return GK_EIO;
	if (p.found >= 0 && p.s.kind == LK_USER)
		*amnesty = p.s.window_start;
	return GK_OK;
}

/* What a call does on the table, under its lock, with the keys of (user, addr). */
typedef int lk_steps(struct gk_lockout *lk, const struct keyset *ks, int64_t now,
    int64_t *until, struct gk_err *err);

/*
 * One call of lockout.h: nothing (GK_OK, which is GK_LOCKOUT_ALLOW) when lockout is off;
 * the store's op when there is a store and it answers; else steps under the table's lock
 * (shared for a check, exclusive for a change): what they return (a verdict or GK_OK), or
 * a negative gk_status when one fails. until: a check's, or NULL.
 */
static int
call(struct gk_lockout *lk, enum lk_op op, const char *user, const char *addr, int64_t now,
    int64_t *until, lk_steps *steps, struct gk_err *err)
{
	struct keyset ks;
	int rc;

	if (lk->conf.max_failures == 0)
		return GK_OK;
	if (lk->store != NULL &&
	    (rc = lk_redis_op(lk, op, user, addr, now, until, err)) != LK_STORE_FALLBACK)
		return rc;
	if ((rc = lk_table_lock(lk, op == LK_CHECK ? LOCK_SH : LOCK_EX, now, err)) != GK_OK)
		return rc;
	if ((rc = keys_make(lk, user, addr, &ks, err)) == GK_OK)
		rc = steps(lk, &ks, now, until, err);
	lk_table_unlock(lk);
	return rc;
}

int
gk_lockout_open(const char *state_dir, const struct gk_lockout_conf *conf,
    struct gk_lockout **out, struct gk_err *err)
{
	struct gk_lockout *lk;
	struct gk_lockout_conf c = *conf;
	struct stat st;
	bool need_dir;

	*out = NULL;
	if (sodium_init() < 0)
		return gk_err_set(err, "lockout: libsodium init failed");
	/* The store without the table's fallback needs no state_dir (gatekeep-passwd --unban elsewhere). */
	need_dir = !c.store.enabled || c.store.down == GK_STORE_DOWN_LOCAL;
	if (need_dir && (state_dir == NULL || state_dir[0] == '\0'))
		return gk_err_set(err, "lockout: state_dir is not set");
	if (c.max_failures < 0 || c.find_time <= 0 || c.ban_time <= 0)
		return gk_err_set(err, "lockout: max_failures, find_time and ban_time must be positive");
	c.address_failures = c.address_failures > 0 ? c.address_failures : DEF_ADDRESS;
	c.user_lock = c.user_lock > 0 ? c.user_lock : GK_LOCKOUT_USER_LOCK_MIN;
	c.user_throttle = c.user_throttle > 0 ? c.user_throttle : DEF_THROTTLE;
	c.throttle_max = c.throttle_max > 0 ? c.throttle_max : DEF_THR_MAX;
	c.slots = c.slots > 0 ? c.slots : DEF_SLOTS;
	if (c.user_lock < GK_LOCKOUT_USER_LOCK_MIN)
		return gk_err_set(err, "lockout: an account may not be locked below %d consecutive "
		    "failures (NIST SP 800-63B)", GK_LOCKOUT_USER_LOCK_MIN);
	if (c.slots < MIN_SLOTS || c.slots > (1L << 24))
		return gk_err_set(err, "lockout: table size out of range");
	if (need_dir && (stat(state_dir, &st) != 0 || !S_ISDIR(st.st_mode)))
		return gk_err_set(err, "lockout: state_dir %s is not a directory", state_dir);
	if (state_dir == NULL)
		state_dir = "";
	lk = calloc(1, sizeof(*lk));
	if (lk == NULL)
		return gk_err_set(err, "out of memory");
	lk->fd = -1;
	lk->conf = c;
	if (gk_strcpy(lk->dir, sizeof(lk->dir), state_dir) != GK_OK ||
	    (size_t)snprintf(lk->path, sizeof(lk->path), "%s/" GK_LOCKOUT_TABLE, state_dir) >=
	    sizeof(lk->path)) {
		gk_lockout_close(lk);
		return gk_err_set(err, "lockout: state_dir path too long");
	}
	if (c.store.enabled && gk_statestore_open(&c.store, &lk->store, err) != GK_OK) {
		gk_lockout_close(lk);
		return GK_ERR;
	}
	/* With the store, the table is only the fallback of state_store_down = local. */
	lk->local_table = c.max_failures > 0 &&
	    (!c.store.enabled || c.store.down == GK_STORE_DOWN_LOCAL);
	if (lk->local_table && lk_table_open(lk, err) != GK_OK) {
		gk_lockout_close(lk);
		return GK_EIO;
	}
	*out = lk;
	return GK_OK;
}

/*
 * Keeps the most severe verdict (BANNED > LOCKED > THROTTLED > ALLOW) and its end (until:
 * NULL where only the verdict is wanted, as when counting a failure).
 */
static void
worse(int *v, int64_t *until, int nv, int64_t nuntil)
{
	static const int severity[] = { 0, 3, 2, 1 };

	if (severity[nv] > severity[*v]) {
		*v = nv;
		if (until != NULL)
			*until = nuntil;
	} else if (until != NULL && nv == *v && nuntil > *until) {
		*until = nuntil;
	}
}

/* An unknown-owner ban (a healed corrupt slot) over the key's neighbourhood. */
static void
wild_verdict(const struct lk_probe *p, int *v, int64_t *until)
{
	if (p->wild_ban)
		worse(v, until, GK_LOCKOUT_BANNED, p->wild_until);
}

/* A windowed key (pair or address) that is banned, or a wild ban over it. */
static void
ban_verdict(const struct lk_probe *p, int64_t now, int *v, int64_t *until)
{
	wild_verdict(p, v, until);
	if (p->found >= 0 && p->s.banned_until > now)
		worse(v, until, GK_LOCKOUT_BANNED, p->s.banned_until);
}

/*
 * When a user with n consecutive failures may try again after the last one:
 * 2 s (at least one whole second on a clock counted in seconds), doubling
 * with each further failure, capped at throttle_max.
 */
static int64_t
throttle_end(const struct gk_lockout *lk, const struct lk_slot *s)
{
	long over = (long)s->count - lk->conf.user_throttle;
	int64_t d = over >= 30 ? lk->conf.throttle_max : (int64_t)2 << over;

	if (d > lk->conf.throttle_max)
		d = lk->conf.throttle_max;
	return s->last_fail + d;
}

/* The user key: locked, or throttled unless the pair is known. */
static int
user_verdict(struct gk_lockout *lk, const struct keyset *ks, int64_t now, int *v, int64_t *until,
    struct gk_err *err)
{
	struct lk_probe p, k;
	int64_t end;

	if (lk_probe(lk, ks->user, now, false, &p, err) != GK_OK)
		return GK_EIO;
	wild_verdict(&p, v, until);
	if (p.found < 0)
		return GK_OK;
	if (p.s.banned_until > now) {
		worse(v, until, GK_LOCKOUT_LOCKED, p.s.banned_until);
		return GK_OK;
	}
	if ((long)p.s.count < lk->conf.user_throttle || (end = throttle_end(lk, &p.s)) <= now)
		return GK_OK;
	if (ks->has_addr) {
		if (lk_probe(lk, ks->known, now, false, &k, err) != GK_OK)
			return GK_EIO;
		if (k.found >= 0 && now >= k.s.last_fail && now - k.s.last_fail < GK_LOCKOUT_KNOWN_TIME)
			return GK_OK;
	}
	worse(v, until, GK_LOCKOUT_THROTTLED, end);
	return GK_OK;
}

/* The verdict for the keys; the caller holds the table's lock (shared or exclusive). */
static int
verdict_keys(struct gk_lockout *lk, const struct keyset *ks, int64_t now, int64_t *until,
    struct gk_err *err)
{
	struct lk_probe p;
	int64_t u = 0, amnesty;
	int v = GK_LOCKOUT_ALLOW;

	if (lk->h.quarantine_until > now)
		worse(&v, &u, GK_LOCKOUT_BANNED, lk->h.quarantine_until);
	if (ks->has_addr) {
		if (lk_probe(lk, ks->addr, now, false, &p, err) != GK_OK)
			return GK_EIO;
		ban_verdict(&p, now, &v, &u);
	}
	if (ks->has_user && ks->has_addr) {
		if (user_amnesty(lk, ks, now, &amnesty, err) != GK_OK ||
		    lk_probe(lk, ks->pair, now, false, &p, err) != GK_OK)
			return GK_EIO;
		if (p.found >= 0 && p.s.last_fail <= amnesty)
			p.found = -1;   /* banned before the admin's unban of the user */
		ban_verdict(&p, now, &v, &u);
	}
	if (ks->has_user && user_verdict(lk, ks, now, &v, &u, err) != GK_OK)
		return GK_EIO;
	if (until != NULL)
		*until = u;
	return v;
}

int
gk_lockout_check(struct gk_lockout *lk, const char *user, const char *addr, int64_t now,
    int64_t *until, struct gk_err *err)
{
	if (until != NULL)
		*until = 0;
	return call(lk, LK_CHECK, user, addr, now, until, verdict_keys, err);
}

/* Finds key's slot for writing, or a new one (kind) in its neighbourhood. */
static int
slot_get(struct gk_lockout *lk, const unsigned char key[LK_KEY_LEN], enum lk_kind kind,
    int64_t now, struct lk_probe *p, struct lk_slot *s, struct gk_err *err)
{
	if (lk_probe(lk, key, now, true, p, err) != GK_OK)
		return GK_EIO;
	if (p->found >= 0) {
		*s = p->s;
		s->kind = kind;
		return GK_OK;
	}
	if (p->reuse < 0)
		return GK_NOTFOUND;     /* only wild bans around: the key is banned anyway */
	memset(s, 0, sizeof(*s));
	memcpy(s->key, key, LK_KEY_LEN);
	s->kind = kind;
	s->window_start = now;
	p->found = p->reuse;
	return GK_OK;
}

/* Writes s to the slot slot_get found for it (evicting the entry that slot held, if any). */
static int
slot_put(struct gk_lockout *lk, const struct lk_probe *p, struct lk_slot *s, int64_t now,
    struct gk_err *err)
{
	return lk_slot_write(lk, (uint32_t)p->found, s, p->found == p->reuse && p->reuse_evicts, now,
	    err);
}

/* The failures that ban a key of this kind (the user's: that lock it). */
static long
ban_limit(const struct gk_lockout *lk, enum lk_kind kind)
{
	return kind == LK_USER ? lk->conf.user_lock :
	    kind == LK_PAIR ? lk->conf.max_failures : lk->conf.address_failures;
}

/* One failure on a windowed key (pair or address): banned at its ban_limit. */
static int
fail_windowed(struct gk_lockout *lk, const unsigned char key[LK_KEY_LEN], enum lk_kind kind,
    int64_t amnesty, int64_t now, int *v, struct gk_err *err)
{
	struct lk_probe p;
	struct lk_slot s;
	int rc;

	if ((rc = slot_get(lk, key, kind, now, &p, &s, err)) == GK_EIO)
		return GK_EIO;
	if (rc == GK_OK && s.count > 0 && s.last_fail <= amnesty) {
		s.banned_until = 1;     /* voided by an unban: start a new window */
		wild_verdict(&p, v, NULL);
	} else {
		ban_verdict(&p, now, v, NULL);
	}
	if (rc == GK_NOTFOUND || s.banned_until > now)
		return GK_OK;           /* already banned: not counted, not extended */
	/* A new window after find_time, after a finished ban, or if the clock went back. */
	if (now - s.window_start >= lk->conf.find_time || now < s.window_start || s.count == 0 ||
	    s.banned_until != 0) {
		s.window_start = now;
		s.count = 0;
		s.banned_until = 0;
	}
	if (s.count < UINT32_MAX)
		s.count++;
	s.last_fail = now;
	if ((long)s.count >= ban_limit(lk, kind)) {
		s.banned_until = now + lk->conf.ban_time;
		worse(v, NULL, GK_LOCKOUT_BANNED, s.banned_until);
		gk_metrics_lockout_ban(s.banned_until);
	}
	return slot_put(lk, &p, &s, now, err);
}

/* One consecutive failure for the user: throttles from user_throttle, locks at user_lock. */
static int
fail_user(struct gk_lockout *lk, const unsigned char key[LK_KEY_LEN], int64_t now, int *v,
    struct gk_err *err)
{
	struct lk_probe p;
	struct lk_slot s;
	int rc;

	if ((rc = slot_get(lk, key, LK_USER, now, &p, &s, err)) == GK_EIO)
		return GK_EIO;
	wild_verdict(&p, v, NULL);
	if (rc == GK_NOTFOUND)
		return GK_OK;
	if (p.found == p.reuse || p.s.kind != LK_USER)
		s.window_start = 0;     /* no unban yet (an older table's window is no unban) */
	if (s.banned_until > now) {
		worse(v, NULL, GK_LOCKOUT_LOCKED, s.banned_until);
		return GK_OK;           /* locked: not counted */
	}
	if (s.count < UINT32_MAX)
		s.count++;
	s.last_fail = now;
	if ((long)s.count >= lk->conf.user_lock) {
		s.banned_until = GK_LOCKOUT_FOREVER;
		worse(v, NULL, GK_LOCKOUT_LOCKED, s.banned_until);
		gk_metrics_lockout_ban(s.banned_until);
		lk_notice(lk, "an account reached lockout_user_lock consecutive failures and is locked "
		    "until an admin runs gatekeep-passwd --unban (see the deny lines for the user)");
	} else if ((long)s.count >= lk->conf.user_throttle) {
		worse(v, NULL, GK_LOCKOUT_THROTTLED, throttle_end(lk, &s));
	}
	return slot_put(lk, &p, &s, now, err);
}

/* Counts one failure on every key of the attempt: the verdict after counting. */
static int
fail_steps(struct gk_lockout *lk, const struct keyset *ks, int64_t now, int64_t *until,
    struct gk_err *err)
{
	int64_t amnesty;
	int v = GK_LOCKOUT_ALLOW;

	if (lk->h.quarantine_until > now)
		worse(&v, NULL, GK_LOCKOUT_BANNED, lk->h.quarantine_until);
	if (ks->has_addr && fail_windowed(lk, ks->addr, LK_ADDR, 0, now, &v, err) != GK_OK)
		return GK_EIO;
	if (ks->has_user && ks->has_addr &&
	    (user_amnesty(lk, ks, now, &amnesty, err) != GK_OK ||
	    fail_windowed(lk, ks->pair, LK_PAIR, amnesty, now, &v, err) != GK_OK))
		return GK_EIO;
	if (ks->has_user && fail_user(lk, ks->user, now, &v, err) != GK_OK)
		return GK_EIO;
	return v;
}

/* One exclusive lock over the check and the count: no worker counts in between. */
static int
reserve_steps(struct gk_lockout *lk, const struct keyset *ks, int64_t now, int64_t *until,
    struct gk_err *err)
{
	int rc = verdict_keys(lk, ks, now, NULL, err);

	if (rc == GK_LOCKOUT_ALLOW) {
		rc = fail_steps(lk, ks, now, NULL, err);
		if (rc > 0)
			rc = GK_LOCKOUT_ALLOW;  /* this attempt was within the budget; the next is not */
	}
	return rc;
}

/* A change to the slot of one key of an attempt; kind: which key it is (user, pair, address). */
typedef int key_change(struct gk_lockout *lk, const unsigned char key[LK_KEY_LEN],
    enum lk_kind kind, int64_t now, struct gk_err *err);

/* Takes one failure back from key's slot (and the ban or lock that failure started). */
static int
key_refund(struct gk_lockout *lk, const unsigned char key[LK_KEY_LEN], enum lk_kind kind,
    int64_t now, struct gk_err *err)
{
	struct lk_probe p;
	struct lk_slot s;

	if (lk_probe(lk, key, now, true, &p, err) != GK_OK)
		return GK_EIO;
	if (p.found < 0 || p.s.count == 0)
		return GK_OK;
	s = p.s;
	s.count--;
	if (s.banned_until > now && (long)s.count < ban_limit(lk, kind))
		s.banned_until = 0;
	return lk_slot_write(lk, (uint32_t)p.found, &s, false, now, err);
}

/*
 * Empties key's slot if it has one; with keep_amnesty, a user slot inside an admin's recent
 * unban (user_amnesty) keeps that window and loses only its count and lock.
 */
static int
slot_reset(struct gk_lockout *lk, const unsigned char key[LK_KEY_LEN], bool keep_amnesty,
    int64_t now, struct gk_err *err)
{
	struct lk_probe p;
	struct lk_slot s;

	if (lk_probe(lk, key, now, true, &p, err) != GK_OK)
		return GK_EIO;
	if (p.found < 0)
		return GK_OK;
	memset(&s, 0, sizeof(s));
	if (keep_amnesty && p.s.kind == LK_USER && p.s.window_start != 0 &&
	    now - p.s.window_start < lk->conf.ban_time) {
		s = p.s;
		s.count = 0;
		s.banned_until = 0;
	}
	return lk_slot_write(lk, (uint32_t)p.found, &s, false, now, err);
}

/* Empties key's slot if it has one. */
static int
key_clear(struct gk_lockout *lk, const unsigned char key[LK_KEY_LEN], enum lk_kind kind,
    int64_t now, struct gk_err *err)
{
	(void)kind;
	return slot_reset(lk, key, false, now, err);
}

/* Clears the user's count and lock and voids the pair bans of the user so far. */
static int
user_unban(struct gk_lockout *lk, const unsigned char key[LK_KEY_LEN], enum lk_kind kind,
    int64_t now, struct gk_err *err)
{
	struct lk_probe p;
	struct lk_slot s;
	int rc;

	if ((rc = slot_get(lk, key, kind, now, &p, &s, err)) != GK_OK)
		return rc == GK_NOTFOUND ? GK_OK : rc;
	s.count = 0;
	s.banned_until = 0;
	s.window_start = now;
	s.last_fail = now;
	return slot_put(lk, &p, &s, now, err);
}

/*
 * Changes each key of the attempt: the address's and the pair's with change, then the
 * user's with user_change (last, so a slot it must take can be one the others freed).
 */
static int
change_keys(struct gk_lockout *lk, const struct keyset *ks, key_change *change,
    key_change *user_change, int64_t now, struct gk_err *err)
{
	if (ks->has_addr && change(lk, ks->addr, LK_ADDR, now, err) != GK_OK)
		return GK_EIO;
	if (ks->has_user && ks->has_addr && change(lk, ks->pair, LK_PAIR, now, err) != GK_OK)
		return GK_EIO;
	if (ks->has_user && user_change(lk, ks->user, LK_USER, now, err) != GK_OK)
		return GK_EIO;
	return GK_OK;
}

/* A refund takes one failure back from every key; a clear empties them and unbans the user. */
static int
refund_steps(struct gk_lockout *lk, const struct keyset *ks, int64_t now, int64_t *until,
    struct gk_err *err)
{
	return change_keys(lk, ks, key_refund, key_refund, now, err);
}

static int
clear_steps(struct gk_lockout *lk, const struct keyset *ks, int64_t now, int64_t *until,
    struct gk_err *err)
{
	return change_keys(lk, ks, key_clear, user_unban, now, err);
}

/*
 * gk_lockout_fail, _reserve, _refund and _clear (their contracts are in lockout.h): each is
 * call() with its op and its steps, and no verdict's end to report.
 */
#define TABLE_CHANGE(name, op, steps)                                                   \
	int                                                                             \
	name(struct gk_lockout *lk, const char *user, const char *addr, int64_t now,    \
	    struct gk_err *err)                                                         \
	{                                                                               \
		return call(lk, op, user, addr, now, NULL, steps, err);                 \
	}

TABLE_CHANGE(gk_lockout_fail, LK_FAIL, fail_steps)
TABLE_CHANGE(gk_lockout_reserve, LK_RESERVE, reserve_steps)
TABLE_CHANGE(gk_lockout_refund, LK_REFUND, refund_steps)
TABLE_CHANGE(gk_lockout_clear, LK_CLEAR, clear_steps)

static int
success_steps(struct gk_lockout *lk, const struct keyset *ks, int64_t now, int64_t *until,
    struct gk_err *err)
{
	struct lk_probe p;
	struct lk_slot s;
	int rc;

	/* The count and lock go, an admin's recent unban stays. */
	if (slot_reset(lk, ks->user, true, now, err) != GK_OK)
		return GK_EIO;
	if (!ks->has_addr)
		return GK_OK;
	if (slot_reset(lk, ks->pair, false, now, err) != GK_OK)
		return GK_EIO;
	/* The pair is known: this address is not throttled for this user for a while. */
	if ((rc = slot_get(lk, ks->known, LK_KNOWN, now, &p, &s, err)) == GK_EIO)
		return GK_EIO;
	s.last_fail = now;
	if (rc == GK_OK && slot_put(lk, &p, &s, now, err) != GK_OK)
		return GK_EIO;
	return GK_OK;
}

int
gk_lockout_success(struct gk_lockout *lk, const char *user, const char *addr, int64_t now,
    struct gk_err *err)
{
	if (user == NULL)
		return GK_OK;
	return call(lk, LK_SUCCESS, user, addr, now, NULL, success_steps, err);
}

int
gk_lockout_peek(struct gk_lockout *lk, const char *user, const char *addr, int64_t now,
    long *failures, int64_t *banned_until, struct gk_err *err)
{
	struct keyset ks;
	struct lk_probe p;
	const unsigned char *key;
	int rc;

	*failures = 0;
	*banned_until = 0;
	if (user == NULL && addr == NULL)
		return gk_err_set(err, "lockout: peek needs a user, an address or both");
	if (lk->conf.max_failures == 0)
		return GK_OK;
	if (lk->store != NULL && (rc = lk_redis_peek(lk, user, addr, now, failures, banned_until,
	    err)) != LK_STORE_FALLBACK)
		return rc;
	if ((rc = lk_table_lock(lk, LOCK_SH, now, err)) != GK_OK)
		return rc;
	if ((rc = keys_make(lk, user, addr, &ks, err)) != GK_OK)
		goto out;
	key = addr == NULL ? ks.user : user == NULL ? ks.addr : ks.pair;
	if ((rc = lk_probe(lk, key, now, false, &p, err)) != GK_OK)
		goto out;
	if (p.found >= 0) {
		/* A user's count is consecutive failures: no window. */
		if (p.s.kind == LK_USER || now - p.s.window_start < lk->conf.find_time ||
		    p.s.banned_until > now)
			*failures = (long)p.s.count;
		if (p.s.banned_until > now)
			*banned_until = p.s.banned_until;
	}
	rc = GK_OK;
out:
	lk_table_unlock(lk);
	return rc;
}

