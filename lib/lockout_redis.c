/* lockout_redis.c: bans, throttle and lock of lockout.h in the shared state store, one atomic script per call. */
#include <config.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "lockout_redis.h"
#include "lockout_table.h"
#include "metrics.h"

/*
 * One script for every operation (ARGV[1]), so the rules live in one place.
 * KEYS: address, pair, user, known pair (unused ones are still named).
 * ARGV: op, now, has_user, has_addr, max_failures, address_failures,
 * find_time, ban_time, user_throttle, user_lock, throttle_max, known_time.
 * Returns { verdict, until (-1: forever), bans started, locks started,
 * failures, banned_until } -- the last two for peek.
 * Lua numbers are doubles: exact for every second count below 2^53.
 */
static const char lockout_lua[] =
"local op, now = ARGV[1], tonumber(ARGV[2])\n"
"local hu, ha = ARGV[3] == '1', ARGV[4] == '1'\n"
"local maxf, addrf = tonumber(ARGV[5]), tonumber(ARGV[6])\n"
"local find, ban = tonumber(ARGV[7]), tonumber(ARGV[8])\n"
"local thr, lock, thrmax, known = tonumber(ARGV[9]), tonumber(ARGV[10]), tonumber(ARGV[11]), tonumber(ARGV[12])\n"
"local KA, KP, KU, KK = KEYS[1], KEYS[2], KEYS[3], KEYS[4]\n"
"local V, UNTIL, BANS, LOCKS = 0, 0, 0, 0\n"
"local sev = { [0] = 0, [1] = 3, [2] = 2, [3] = 1 }\n"
"local function I(x) return string.format('%d', x) end\n"
"local function worse(v, u)\n"
"  if sev[v] > sev[V] then V, UNTIL = v, u\n"
"  elseif v == V and UNTIL ~= -1 and (u == -1 or u > UNTIL) then UNTIL = u end\n"
"end\n"
"local function get(k)\n"
"  local r = redis.call('HMGET', k, 'c', 'w', 'l', 'b', 'a')\n"
"  return { found = r[1] ~= false, c = tonumber(r[1]) or 0, w = tonumber(r[2]) or 0,\n"
"    l = tonumber(r[3]) or 0, b = tonumber(r[4]) or 0, a = tonumber(r[5]) or 0 }\n"
"end\n"
"local function banned(s) return s.b == -1 or s.b > now end\n"
"local function put(k, s, ttl)\n"
"  redis.call('HSET', k, 'c', I(s.c), 'w', I(s.w), 'l', I(s.l), 'b', I(s.b), 'a', I(s.a))\n"
"  if ttl == nil then redis.call('PERSIST', k) else redis.call('EXPIRE', k, I(math.max(ttl, 1))) end\n"
"end\n"
"local user_ttl = math.max(known, ban + find)\n"
"local function throttle_end(s)\n"
"  local over = s.c - thr\n"
"  local d = thrmax\n"
"  if over < 30 then d = math.min(2 ^ (over + 1), thrmax) end\n"
"  return s.l + d\n"
"end\n"
"local function amnesty() if hu then return get(KU).a else return 0 end end\n"
"local function verdict()\n"
"  if ha then local s = get(KA); if s.b > now then worse(1, s.b) end end\n"
"  if hu and ha then\n"
"    local p = get(KP)\n"
"    if p.found and p.l > amnesty() and p.b > now then worse(1, p.b) end\n"
"  end\n"
"  if hu then\n"
"    local u = get(KU)\n"
"    if banned(u) then worse(2, u.b); return end\n"
"    if u.c < thr then return end\n"
"    local e = throttle_end(u)\n"
"    if e <= now then return end\n"
"    if ha then\n"
"      local k = tonumber(redis.call('GET', KK) or 'x')\n"
"      if k ~= nil and now >= k and now - k < known then return end\n"
"    end\n"
"    worse(3, e)\n"
"  end\n"
"end\n"
"local function fail_windowed(k, limit, am)\n"
"  local s = get(k)\n"
"  if s.found and s.c > 0 and s.l <= am then s.b = 1\n"
"  elseif s.b > now then worse(1, s.b); return end\n"
"  if now - s.w >= find or now < s.w or s.c == 0 or s.b ~= 0 then s.w, s.c, s.b = now, 0, 0 end\n"
"  s.c = s.c + 1\n"
"  s.l = now\n"
"  if s.c >= limit then s.b = now + ban; worse(1, s.b); BANS = BANS + 1 end\n"
"  put(k, s, math.max(s.w + find, s.b) - now)\n"
"end\n"
"local function fail_user()\n"
"  local s = get(KU)\n"
"  if banned(s) then worse(2, s.b); return end\n"
"  s.c = s.c + 1\n"
"  s.l = now\n"
"  if s.c >= lock then s.b = -1; worse(2, -1); LOCKS = LOCKS + 1\n"
"  elseif s.c >= thr then worse(3, throttle_end(s)) end\n"
"  if s.b == -1 then put(KU, s, nil) else put(KU, s, user_ttl) end\n"
"end\n"
"local function fail()\n"
"  if ha then fail_windowed(KA, addrf, 0) end\n"
"  if hu and ha then fail_windowed(KP, maxf, amnesty()) end\n"
"  if hu then fail_user() end\n"
"end\n"
"local function refund(k, limit)\n"
"  local s = get(k)\n"
"  if not s.found or s.c == 0 then return end\n"
"  s.c = s.c - 1\n"
"  if banned(s) and s.c < limit then s.b = 0 end\n"
"  redis.call('HSET', k, 'c', I(s.c), 'b', I(s.b))\n"
"  if s.b ~= -1 and redis.call('TTL', k) == -1 then redis.call('EXPIRE', k, I(user_ttl)) end\n"
"end\n"
"local F, B = 0, 0\n"
"if op == 'check' then verdict()\n"
"elseif op == 'fail' then fail()\n"
"elseif op == 'reserve' then\n"
"  verdict()\n"
"  if V == 0 then fail(); V, UNTIL = 0, 0 end\n"
"elseif op == 'refund' then\n"
"  if ha then refund(KA, addrf) end\n"
"  if hu and ha then refund(KP, maxf) end\n"
"  if hu then refund(KU, lock) end\n"
"elseif op == 'success' then\n"
"  local u = get(KU)\n"
"  if u.found then\n"
"    if u.a ~= 0 and now - u.a < ban then redis.call('HSET', KU, 'c', '0', 'b', '0')\n"
"      redis.call('EXPIRE', KU, I(user_ttl))\n"
"    else redis.call('DEL', KU) end\n"
"  end\n"
"  if ha then\n"
"    redis.call('DEL', KP)\n"
"    redis.call('SET', KK, I(now), 'EX', I(known))\n"
"  end\n"
"elseif op == 'clear' then\n"
"  if hu then\n"
"    local u = get(KU)\n"
"    u.c, u.b, u.a, u.l = 0, 0, now, now\n"
"    put(KU, u, user_ttl)\n"
"  end\n"
"  if ha then redis.call('DEL', KA) end\n"
"  if hu and ha then redis.call('DEL', KP) end\n"
"elseif op == 'peek' then\n"
"  local k, isuser = KP, false\n"
"  if not ha then k, isuser = KU, true elseif not hu then k = KA end\n"
"  local s = get(k)\n"
"  if s.found then\n"
"    if isuser or now - s.w < find or banned(s) then F = s.c end\n"
"    if banned(s) then B = s.b end\n"
"  end\n"
"else return redis.error_reply('unknown lockout operation') end\n"
"return { V, UNTIL, BANS, LOCKS, F, B }\n";

enum { R_VERDICT, R_UNTIL, R_BANS, R_LOCKS, R_FAILURES, R_BANNED, R_N };

/* The store failed: deny (a negative status, err set), or the local table if so configured. */
static int
store_failed(struct gk_lockout *lk, int rc, struct gk_err *err)
{
	char note[sizeof(lk->notice)];

	if (lk->conf.store.down != GK_STORE_DOWN_LOCAL || !lk->local_table)
		return rc < 0 ? rc : GK_EIO;
	if (!lk->store_fell_back) {
		snprintf(note, sizeof(note), "%s; bans and failure counts from the local table "
		    "until it is back (state_store_down = local)", err != NULL ? err->msg : "");
		lk_notice(lk, note);
		lk->store_fell_back = true;
	}
	return LK_STORE_FALLBACK;
}

/* Runs op; the verdict (or GK_OK) in rc, the whole answer in r. */
static int
run(struct gk_lockout *lk, const char *op, const char *user, const char *addr, int64_t now,
    long long r[R_N], struct gk_err *err)
{
	char norm[INET6_ADDRSTRLEN + 8];
	char ka[GK_STORE_KEY_MAX] = "-", kp[GK_STORE_KEY_MAX] = "-";
	char ku[GK_STORE_KEY_MAX] = "-", kk[GK_STORE_KEY_MAX] = "-";
	char snow[24], a[8][24];
	const char *keys[4] = { ka, kp, ku, kk };
	const char *args[12];
	const struct gk_lockout_conf *c = &lk->conf;
	int n, i;

	if (user != NULL && strlen(user) > GK_USER_MAX)
		return gk_err_set(err, "lockout: user name too long"), GK_EINVAL;
	if (addr != NULL && strlen(addr) > 255)
		return gk_err_set(err, "lockout: address too long"), GK_EINVAL;
	if (addr != NULL)
		lk_addr_norm(addr, norm, sizeof(norm));
	if ((addr != NULL && gk_statestore_key(lk->store, 'a', norm, NULL, ka, err) != GK_OK) ||
	    (user != NULL && addr != NULL &&
	    (gk_statestore_key(lk->store, 'p', user, norm, kp, err) != GK_OK ||
	    gk_statestore_key(lk->store, 'k', user, norm, kk, err) != GK_OK)) ||
	    (user != NULL && gk_statestore_key(lk->store, 'u', user, NULL, ku, err) != GK_OK))
		return store_failed(lk, GK_EIO, err);
	snprintf(snow, sizeof(snow), "%lld", (long long)now);
	snprintf(a[0], sizeof(a[0]), "%ld", c->max_failures);
	snprintf(a[1], sizeof(a[1]), "%ld", c->address_failures);
	snprintf(a[2], sizeof(a[2]), "%ld", c->find_time);
	snprintf(a[3], sizeof(a[3]), "%ld", c->ban_time);
	snprintf(a[4], sizeof(a[4]), "%ld", c->user_throttle);
	snprintf(a[5], sizeof(a[5]), "%ld", c->user_lock);
	snprintf(a[6], sizeof(a[6]), "%ld", c->throttle_max);
	snprintf(a[7], sizeof(a[7]), "%ld", (long)GK_LOCKOUT_KNOWN_TIME);
	args[0] = op;
	args[1] = snow;
	args[2] = user != NULL ? "1" : "0";
	args[3] = addr != NULL ? "1" : "0";
	for (i = 0; i < 8; i++)
		args[4 + i] = a[i];
	n = gk_statestore_eval(lk->store, lockout_lua, 4, keys, 12, args, r, R_N, err);
	if (n < 0)
		return store_failed(lk, n, err);
	if (n != R_N || r[R_VERDICT] < GK_LOCKOUT_ALLOW || r[R_VERDICT] > GK_LOCKOUT_THROTTLED)
		return gk_err_set(err, "state store %s: bad lockout answer",
		    gk_statestore_name(lk->store)), GK_ECORRUPT;
	if (lk->store_fell_back) {
		lk_notice(lk, "state store is back: bans and failure counts are shared again");
		lk->store_fell_back = false;
	}
	if (r[R_BANS] > 0)
		gk_metrics_lockout_ban(now + c->ban_time);
	if (r[R_LOCKS] > 0) {
		gk_metrics_lockout_ban(GK_LOCKOUT_FOREVER);
		lk_notice(lk, "an account reached lockout_user_lock consecutive failures and is locked "
		    "until an admin runs gatekeep-passwd --unban (see the deny lines for the user)");
	}
	return (int)r[R_VERDICT];
}

static int64_t
until_of(long long v)
{
	return v == -1 ? GK_LOCKOUT_FOREVER : (int64_t)v;
}

int
lk_redis_op(struct gk_lockout *lk, enum lk_op op, const char *user, const char *addr,
    int64_t now, int64_t *until, struct gk_err *err)
{
	static const char *const script_op[] = {
		[LK_CHECK] = "check", [LK_FAIL] = "fail", [LK_RESERVE] = "reserve",
		[LK_REFUND] = "refund", [LK_SUCCESS] = "success", [LK_CLEAR] = "clear"
	};
	long long r[R_N];
	int rc = run(lk, script_op[op], user, addr, now, r, err);

	if (rc < 0 || rc == LK_STORE_FALLBACK)
		return rc;
	if (op == LK_CHECK && until != NULL)
		*until = until_of(r[R_UNTIL]);
	/* refund, success and clear answer only "done" */
	return op >= LK_REFUND ? GK_OK : rc;
}

int
lk_redis_peek(struct gk_lockout *lk, const char *user, const char *addr, int64_t now,
    long *failures, int64_t *banned_until, struct gk_err *err)
{
	long long r[R_N];
	int rc = run(lk, "peek", user, addr, now, r, err);

	if (rc < 0 || rc == LK_STORE_FALLBACK)
		return rc;
	*failures = (long)r[R_FAILURES];
	*banned_until = r[R_BANNED] == 0 ? 0 : until_of(r[R_BANNED]);
	return GK_OK;
}
