/* lockout.c: failure counting and temporary bans per user and per address, shared by all processes. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "lockout.h"

#define TBL_NAME     GK_LOCKOUT_TABLE
#define TBL_MAGIC    "GKLOCK1\n"
#define TBL_VERSION  1u
#define TBL_SLOTS    16384u     /* 1 MiB of slots: bounded disk use */
#define TBL_PROBE    32u        /* slots searched per key */
#define SUM_LEN      16u
#define KEY_LEN      16u
#define RETRIES      4

/* On-disk header, host byte order (the table is local to one machine). */
struct hdr {
	char magic[8];
	uint32_t version;
	uint32_t nslots;
	int64_t quarantine_until;    /* everybody banned until then (after a reset) */
	unsigned char hkey[32];      /* key of the slot-key hash and checksums */
	unsigned char pad[8];
	unsigned char sum[SUM_LEN];
};

struct slot {
	unsigned char key[KEY_LEN];  /* all zero: empty; all 0xff: ban on unknown keys */
	int64_t window_start;
	int64_t last_fail;
	int64_t banned_until;
	uint32_t count;
	uint32_t pad;
	unsigned char sum[SUM_LEN];
};

_Static_assert(sizeof(struct hdr) == 80, "header layout");
_Static_assert(sizeof(struct slot) == 64, "slot layout");

struct gk_lockout {
	struct gk_lockout_conf conf;
	char path[4096];
	char dir[4096];
	int fd;
	dev_t dev;
	ino_t ino;
	struct hdr h;
	char notice[512];
};

enum slot_state { S_EMPTY, S_LIVE, S_CORRUPT, S_WILD };

static void
notice_set(struct gk_lockout *lk, const char *msg)
{
	snprintf(lk->notice, sizeof(lk->notice), "lockout: %.400s", msg);
}

bool
gk_lockout_notice(struct gk_lockout *lk, char *out, size_t outsz)
{
	if (lk == NULL || lk->notice[0] == '\0' || outsz == 0)
		return false;
	snprintf(out, outsz, "%s", lk->notice);
	lk->notice[0] = '\0';
	return true;
}

static void
hdr_sum(const struct hdr *h, unsigned char out[SUM_LEN])
{
	crypto_generichash(out, SUM_LEN, (const unsigned char *)h, offsetof(struct hdr, sum), NULL, 0);
}

static void
slot_sum(const struct gk_lockout *lk, const struct slot *s, unsigned char out[SUM_LEN])
{
	crypto_generichash(out, SUM_LEN, (const unsigned char *)s, offsetof(struct slot, sum),
	    lk->h.hkey, sizeof(lk->h.hkey));
}

static bool
all_bytes(const void *p, size_t n, unsigned char v)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != v)
			return false;
	return true;
}

static enum slot_state
slot_state(const struct gk_lockout *lk, const struct slot *s)
{
	unsigned char sum[SUM_LEN];

	if (all_bytes(s, sizeof(*s), 0))
		return S_EMPTY;
	slot_sum(lk, s, sum);
	if (sodium_memcmp(sum, s->sum, SUM_LEN) != 0)
		return S_CORRUPT;
	if (all_bytes(s->key, KEY_LEN, 0xff))
		return S_WILD;
	return S_LIVE;
}

/* A slot still matters if it bans, or counts failures inside the window. */
static bool
slot_active(const struct gk_lockout *lk, const struct slot *s, int64_t now)
{
	if (s->banned_until > now)
		return true;
	return s->count > 0 && now - s->window_start < lk->conf.find_time;
}

/*
 * IPv6 clients usually own a whole /64; counting per address would let one
 * client rotate through 2^64 buckets. IPv4-mapped addresses count as IPv4.
 */
static void
addr_norm(const char *addr, char *out, size_t outsz)
{
	unsigned char a6[16];
	char buf[INET6_ADDRSTRLEN];

	if (inet_pton(AF_INET6, addr, a6) == 1) {
		if (all_bytes(a6, 10, 0) && a6[10] == 0xff && a6[11] == 0xff) {
			inet_ntop(AF_INET, a6 + 12, buf, sizeof(buf));
		} else {
			memset(a6 + 8, 0, 8);
			inet_ntop(AF_INET6, a6, buf, sizeof(buf));
			snprintf(out, outsz, "%s/64", buf);
			return;
		}
		snprintf(out, outsz, "%s", buf);
		return;
	}
	snprintf(out, outsz, "%s", addr);
}

static void
key_hash(const struct gk_lockout *lk, char kind, const char *id, unsigned char key[KEY_LEN])
{
	crypto_generichash_state st;
	unsigned char k[2] = { (unsigned char)kind, ':' };

	crypto_generichash_init(&st, lk->h.hkey, sizeof(lk->h.hkey), KEY_LEN);
	crypto_generichash_update(&st, k, 2);
	crypto_generichash_update(&st, (const unsigned char *)id, strlen(id));
	crypto_generichash_final(&st, key, KEY_LEN);
	/* The two reserved patterns must never be a real key. */
	if (all_bytes(key, KEY_LEN, 0) || all_bytes(key, KEY_LEN, 0xff))
		key[0] ^= 0x5a;
}

static uint32_t
key_index(const unsigned char key[KEY_LEN], uint32_t nslots)
{
	uint32_t v;

	memcpy(&v, key, sizeof(v));
	return v % nslots;
}

static int
pread_full(int fd, void *buf, size_t n, off_t off)
{
	ssize_t r;
	size_t done = 0;

	while (done < n) {
		r = pread(fd, (char *)buf + done, n - done, off + (off_t)done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		done += (size_t)r;
	}
	return 0;
}

static int
pwrite_full(int fd, const void *buf, size_t n, off_t off)
{
	ssize_t r;
	size_t done = 0;

	while (done < n) {
		r = pwrite(fd, (const char *)buf + done, n - done, off + (off_t)done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		done += (size_t)r;
	}
	return 0;
}

static off_t
slot_off(uint32_t i)
{
	return (off_t)sizeof(struct hdr) + (off_t)i * (off_t)sizeof(struct slot);
}

/* Writes a fresh table to a temp file and links it into place; losing the race is fine. */
static int
table_create(struct gk_lockout *lk, int64_t quarantine_until, struct gk_err *err)
{
	char tmp[4096 + 32];
	struct hdr h;
	int fd, rc = GK_EIO;

	memset(&h, 0, sizeof(h));
	memcpy(h.magic, TBL_MAGIC, sizeof(h.magic));
	h.version = TBL_VERSION;
	h.nslots = TBL_SLOTS;
	h.quarantine_until = quarantine_until;
	randombytes_buf(h.hkey, sizeof(h.hkey));
	hdr_sum(&h, h.sum);

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", lk->dir, TBL_NAME) >= sizeof(tmp))
		return gk_err_set(err, "state_dir path too long");
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		gk_err_set(err, "lockout: cannot create a file in %s: %s", lk->dir, strerror(errno));
		return GK_EIO;
	}
	if (fchmod(fd, 0600) != 0 || pwrite_full(fd, &h, sizeof(h), 0) != 0 ||
	    ftruncate(fd, slot_off(TBL_SLOTS)) != 0 || fsync(fd) != 0) {
		gk_err_set(err, "lockout: cannot write %s: %s", tmp, strerror(errno));
		goto out;
	}
	/* link() never replaces: if another process created the table first, use theirs. */
	if (link(tmp, lk->path) != 0 && errno != EEXIST) {
		gk_err_set(err, "lockout: cannot create %s: %s", lk->path, strerror(errno));
		goto out;
	}
	rc = GK_OK;
out:
	gk_wipe(&h, sizeof(h));
	unlink(tmp);
	close(fd);
	return rc;
}

static bool
file_ok(const struct gk_lockout *lk, const struct stat *st, struct gk_err *err)
{
	if (!S_ISREG(st->st_mode)) {
		gk_err_set(err, "lockout: %s is not a regular file", lk->path);
		return false;
	}
	/* Anyone else able to write the table could lift bans. */
	if (st->st_uid != geteuid() || (st->st_mode & 022) != 0) {
		gk_err_set(err, "lockout: %s must be owned by uid %ld and not group/other writable",
		    lk->path, (long)geteuid());
		return false;
	}
	return true;
}

/* (Re)opens the live table, creating it if missing. */
static int
table_open(struct gk_lockout *lk, struct gk_err *err)
{
	struct stat st;
	int fd, tries;

	if (lk->fd >= 0) {
		close(lk->fd);
		lk->fd = -1;
	}
	for (tries = 0; tries < RETRIES; tries++) {
		fd = open(lk->path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0 && errno == ENOENT) {
			if (table_create(lk, 0, err) != GK_OK)
				return GK_EIO;
			continue;
		}
		if (fd < 0) {
			gk_err_set(err, "lockout: cannot open %s: %s", lk->path, strerror(errno));
			return GK_EIO;
		}
		if (fstat(fd, &st) != 0 || !file_ok(lk, &st, err)) {
			close(fd);
			return GK_EIO;
		}
		lk->fd = fd;
		lk->dev = st.st_dev;
		lk->ino = st.st_ino;
		return GK_OK;
	}
	return gk_err_set(err, "lockout: %s keeps disappearing", lk->path);
}

/* Moves a damaged table aside and starts a new one that bans everybody for ban_time. */
static int
table_quarantine(struct gk_lockout *lk, int64_t now, const char *why, struct gk_err *err)
{
	char aside[4096 + 16];
	char msg[512];

	snprintf(aside, sizeof(aside), "%s.corrupt", lk->path);
	if (rename(lk->path, aside) != 0 && errno != ENOENT) {
		gk_err_set(err, "lockout: cannot move %s aside: %s", lk->path, strerror(errno));
		return GK_EIO;
	}
	if (table_create(lk, now + lk->conf.ban_time, err) != GK_OK)
		return GK_EIO;
	snprintf(msg, sizeof(msg), "%s; table replaced, all logins locked for %lds (old table: %.200s)",
	    why, lk->conf.ban_time, aside);
	notice_set(lk, msg);
	return GK_OK;
}

/*
 * Locks the live table (mode LOCK_SH or LOCK_EX) and loads its header. A
 * table replaced under us is reopened; a damaged one is quarantined (which
 * needs LOCK_EX, so a shared locker upgrades by starting over).
 */
static int
table_lock(struct gk_lockout *lk, int mode, int64_t now, struct gk_err *err)
{
	struct stat st, pst;
	unsigned char sum[SUM_LEN];
	const char *bad;
	int tries;

	for (tries = 0; tries < RETRIES; tries++) {
		if (lk->fd < 0 && table_open(lk, err) != GK_OK)
			return GK_EIO;
		while (flock(lk->fd, mode) != 0) {
			if (errno != EINTR) {
				gk_err_set(err, "lockout: flock: %s", strerror(errno));
				return GK_EIO;
			}
		}
		if (stat(lk->path, &pst) != 0 || pst.st_dev != lk->dev || pst.st_ino != lk->ino) {
			flock(lk->fd, LOCK_UN);
			if (table_open(lk, err) != GK_OK)
				return GK_EIO;
			continue;
		}
		if (fstat(lk->fd, &st) != 0 || !file_ok(lk, &st, err)) {
			flock(lk->fd, LOCK_UN);
			return GK_EIO;
		}
		bad = NULL;
		if (st.st_size != slot_off(TBL_SLOTS))
			bad = "table has the wrong size";
		else if (pread_full(lk->fd, &lk->h, sizeof(lk->h), 0) != 0)
			bad = "table header unreadable";
		else {
			hdr_sum(&lk->h, sum);
			if (memcmp(lk->h.magic, TBL_MAGIC, sizeof(lk->h.magic)) != 0 ||
			    lk->h.version != TBL_VERSION || lk->h.nslots != TBL_SLOTS ||
			    sodium_memcmp(sum, lk->h.sum, SUM_LEN) != 0)
				bad = "table header corrupt";
		}
		if (bad == NULL)
			return GK_OK;
		if (mode != LOCK_EX) {
			flock(lk->fd, LOCK_UN);
			mode = LOCK_EX;
			continue;
		}
		if (table_quarantine(lk, now, bad, err) != GK_OK) {
			flock(lk->fd, LOCK_UN);
			return GK_EIO;
		}
		flock(lk->fd, LOCK_UN);
		if (table_open(lk, err) != GK_OK)
			return GK_EIO;
	}
	return gk_err_set(err, "lockout: cannot get a consistent table");
}

static void
table_unlock(struct gk_lockout *lk)
{
	if (lk->fd >= 0)
		flock(lk->fd, LOCK_UN);
}

static int
slot_read(struct gk_lockout *lk, uint32_t i, struct slot *s, struct gk_err *err)
{
	if (pread_full(lk->fd, s, sizeof(*s), slot_off(i)) != 0) {
		gk_err_set(err, "lockout: read error");
		return GK_EIO;
	}
	return GK_OK;
}

static int
slot_write(struct gk_lockout *lk, uint32_t i, struct slot *s, struct gk_err *err)
{
	if (all_bytes(s->key, KEY_LEN, 0))
		memset(s, 0, sizeof(*s));       /* an empty slot is all zeros, no checksum */
	else
		slot_sum(lk, s, s->sum);
	if (pwrite_full(lk->fd, s, sizeof(*s), slot_off(i)) != 0) {
		gk_err_set(err, "lockout: write error: %s", strerror(errno));
		return GK_EIO;
	}
	return GK_OK;
}

/*
 * Result of scanning one key's neighbourhood: where the key lives (or -1),
 * whether some unknown-owner ban covers it, and the best slot to reuse.
 */
struct probe {
	long found;
	long reuse;
	bool wild_ban;
	int64_t wild_until;
	bool corrupt;
	struct slot s;     /* the found slot's contents */
};

static int
probe_key(struct gk_lockout *lk, const unsigned char key[KEY_LEN], int64_t now, bool heal,
    struct probe *p, struct gk_err *err)
{
	struct slot s;
	uint32_t base, i, k;
	int64_t oldest = INT64_MAX;
	long evict = -1;
	enum slot_state st;

	memset(p, 0, sizeof(*p));
	p->found = -1;
	p->reuse = -1;
	base = key_index(key, lk->h.nslots);
	for (k = 0; k < TBL_PROBE; k++) {
		i = (base + k) % lk->h.nslots;
		if (slot_read(lk, i, &s, err) != GK_OK)
			return GK_EIO;
		st = slot_state(lk, &s);
		if (st == S_CORRUPT) {
			/* Its owner is unknown: it may have been a ban, so it bans the neighbourhood. */
			p->corrupt = true;
			p->wild_ban = true;
			if (p->wild_until < now + lk->conf.ban_time)
				p->wild_until = now + lk->conf.ban_time;
			if (heal) {
				memset(&s, 0, sizeof(s));
				memset(s.key, 0xff, KEY_LEN);
				s.banned_until = now + lk->conf.ban_time;
				if (slot_write(lk, i, &s, err) != GK_OK)
					return GK_EIO;
				notice_set(lk, "corrupt slot rewritten as a ban on its neighbourhood");
			}
			continue;
		}
		if (st == S_WILD) {
			if (s.banned_until > now) {
				p->wild_ban = true;
				if (p->wild_until < s.banned_until)
					p->wild_until = s.banned_until;
			} else if (p->reuse < 0) {
				p->reuse = i;
			}
			continue;
		}
		if (st == S_EMPTY) {
			if (p->reuse < 0)
				p->reuse = i;
			continue;
		}
		if (p->found < 0 && sodium_memcmp(s.key, key, KEY_LEN) == 0) {
			p->found = i;
			p->s = s;
			continue;
		}
		if (!slot_active(lk, &s, now)) {
			if (p->reuse < 0)
				p->reuse = i;
		} else if (s.banned_until <= now && s.window_start < oldest) {
			/* Counting but not banning: may be evicted when nothing better is free. */
			oldest = s.window_start;
			evict = i;
		}
	}
	if (p->reuse < 0)
		p->reuse = evict;
	return GK_OK;
}

static int
key_verdict(struct gk_lockout *lk, const struct probe *p, int64_t now, int64_t *until)
{
	int v = GK_LOCKOUT_ALLOW;

	if (p->wild_ban) {
		v = GK_LOCKOUT_BANNED;
		if (*until < p->wild_until)
			*until = p->wild_until;
	}
	if (p->found >= 0 && p->s.banned_until > now) {
		v = GK_LOCKOUT_BANNED;
		if (*until < p->s.banned_until)
			*until = p->s.banned_until;
	}
	/* Unknown key in a neighbourhood with no room left: we cannot count it, so refuse. */
	if (p->found < 0 && p->reuse < 0) {
		v = GK_LOCKOUT_BANNED;
		if (*until < now + lk->conf.ban_time)
			*until = now + lk->conf.ban_time;
	}
	return v;
}

struct keyset {
	unsigned char k[2][KEY_LEN];
	size_t n;
};

static int
keys_make(struct gk_lockout *lk, const char *user, const char *addr, struct keyset *ks,
    struct gk_err *err)
{
	char norm[INET6_ADDRSTRLEN + 8];

	ks->n = 0;
	if (user != NULL) {
		if (strlen(user) > GK_USER_MAX)
			return gk_err_set(err, "lockout: user name too long");
		key_hash(lk, 'u', user, ks->k[ks->n++]);
	}
	if (addr != NULL) {
		if (strlen(addr) > 255)
			return gk_err_set(err, "lockout: address too long");
		addr_norm(addr, norm, sizeof(norm));
		key_hash(lk, 'a', norm, ks->k[ks->n++]);
	}
	return GK_OK;
}

int
gk_lockout_open(const char *state_dir, const struct gk_lockout_conf *conf,
    struct gk_lockout **out, struct gk_err *err)
{
	struct gk_lockout *lk;
	struct stat st;

	*out = NULL;
	if (sodium_init() < 0)
		return gk_err_set(err, "lockout: libsodium init failed");
	if (state_dir == NULL || state_dir[0] == '\0')
		return gk_err_set(err, "lockout: state_dir is not set");
	if (conf->max_failures < 0 || conf->find_time <= 0 || conf->ban_time <= 0)
		return gk_err_set(err, "lockout: max_failures, find_time and ban_time must be positive");
	if (stat(state_dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return gk_err_set(err, "lockout: state_dir %s is not a directory", state_dir);
	lk = calloc(1, sizeof(*lk));
	if (lk == NULL)
		return gk_err_set(err, "out of memory");
	lk->fd = -1;
	lk->conf = *conf;
	if (gk_strcpy(lk->dir, sizeof(lk->dir), state_dir) != GK_OK ||
	    (size_t)snprintf(lk->path, sizeof(lk->path), "%s/%s", state_dir, TBL_NAME) >=
	    sizeof(lk->path)) {
		free(lk);
		return gk_err_set(err, "lockout: state_dir path too long");
	}
	if (conf->max_failures > 0 && table_open(lk, err) != GK_OK) {
		free(lk);
		return GK_EIO;
	}
	*out = lk;
	return GK_OK;
}

void
gk_lockout_close(struct gk_lockout *lk)
{
	if (lk == NULL)
		return;
	if (lk->fd >= 0)
		close(lk->fd);
	gk_wipe(&lk->h, sizeof(lk->h));
	free(lk);
}

int
gk_lockout_check(struct gk_lockout *lk, const char *user, const char *addr, int64_t now,
    int64_t *until, struct gk_err *err)
{
	struct keyset ks;
	struct probe p;
	int64_t u = 0;
	int v = GK_LOCKOUT_ALLOW, rc;
	size_t i;

	if (until != NULL)
		*until = 0;
	if (lk->conf.max_failures == 0)
		return GK_LOCKOUT_ALLOW;
	if ((rc = table_lock(lk, LOCK_SH, now, err)) != GK_OK)
		return rc;
	if ((rc = keys_make(lk, user, addr, &ks, err)) != GK_OK)
		goto out;
	if (lk->h.quarantine_until > now) {
		v = GK_LOCKOUT_BANNED;
		u = lk->h.quarantine_until;
	}
	for (i = 0; i < ks.n; i++) {
		if ((rc = probe_key(lk, ks.k[i], now, false, &p, err)) != GK_OK)
			goto out;
		if (key_verdict(lk, &p, now, &u) == GK_LOCKOUT_BANNED)
			v = GK_LOCKOUT_BANNED;
	}
	rc = v;
	if (until != NULL)
		*until = u;
out:
	table_unlock(lk);
	return rc;
}

int
gk_lockout_fail(struct gk_lockout *lk, const char *user, const char *addr, int64_t now,
    struct gk_err *err)
{
	struct keyset ks;
	struct probe p;
	struct slot s;
	int64_t u = 0;
	int v = GK_LOCKOUT_ALLOW, rc;
	size_t i;

	if (lk->conf.max_failures == 0)
		return GK_LOCKOUT_ALLOW;
	if ((rc = table_lock(lk, LOCK_EX, now, err)) != GK_OK)
		return rc;
	if ((rc = keys_make(lk, user, addr, &ks, err)) != GK_OK)
		goto out;
	if (lk->h.quarantine_until > now)
		v = GK_LOCKOUT_BANNED;
	for (i = 0; i < ks.n; i++) {
		if ((rc = probe_key(lk, ks.k[i], now, true, &p, err)) != GK_OK)
			goto out;
		if (p.found >= 0) {
			s = p.s;
			if (s.banned_until > now) {     /* already banned: not counted */
				v = GK_LOCKOUT_BANNED;
				continue;
			}
			/* A new window after find_time, after a finished ban, or if the clock went back. */
			if (now - s.window_start >= lk->conf.find_time || now < s.window_start ||
			    s.count == 0 || s.banned_until != 0) {
				s.window_start = now;
				s.count = 0;
				s.banned_until = 0;
			}
		} else if (p.reuse >= 0) {
			memset(&s, 0, sizeof(s));
			memcpy(s.key, ks.k[i], KEY_LEN);
			s.window_start = now;
			p.found = p.reuse;
		} else {
			/* Saturated neighbourhood: the failure cannot be stored, refuse the key. */
			key_verdict(lk, &p, now, &u);
			v = GK_LOCKOUT_BANNED;
			notice_set(lk, "table neighbourhood full of bans; refusing the key");
			continue;
		}
		if (s.count < UINT32_MAX)
			s.count++;
		s.last_fail = now;
		if ((long)s.count >= lk->conf.max_failures)
			s.banned_until = now + lk->conf.ban_time;
		if ((rc = slot_write(lk, (uint32_t)p.found, &s, err)) != GK_OK)
			goto out;
		if (s.banned_until > now || p.wild_ban)
			v = GK_LOCKOUT_BANNED;
	}
	rc = v;
out:
	table_unlock(lk);
	return rc;
}

int
gk_lockout_clear(struct gk_lockout *lk, const char *user, const char *addr, int64_t now,
    struct gk_err *err)
{
	struct keyset ks;
	struct probe p;
	struct slot s;
	int rc;
	size_t i;

	if (lk->conf.max_failures == 0)
		return GK_OK;
	if ((rc = table_lock(lk, LOCK_EX, now, err)) != GK_OK)
		return rc;
	if ((rc = keys_make(lk, user, addr, &ks, err)) != GK_OK)
		goto out;
	for (i = 0; i < ks.n; i++) {
		if ((rc = probe_key(lk, ks.k[i], now, true, &p, err)) != GK_OK)
			goto out;
		if (p.found < 0)
			continue;
		memset(&s, 0, sizeof(s));
		if ((rc = slot_write(lk, (uint32_t)p.found, &s, err)) != GK_OK)
			goto out;
	}
	rc = GK_OK;
out:
	table_unlock(lk);
	return rc;
}

int
gk_lockout_success(struct gk_lockout *lk, const char *user, int64_t now, struct gk_err *err)
{
	if (user == NULL)
		return GK_OK;
	return gk_lockout_clear(lk, user, NULL, now, err);
}

int
gk_lockout_peek(struct gk_lockout *lk, const char *user, const char *addr, int64_t now,
    long *failures, int64_t *banned_until, struct gk_err *err)
{
	struct keyset ks;
	struct probe p;
	int rc;

	*failures = 0;
	*banned_until = 0;
	if ((user == NULL) == (addr == NULL))
		return gk_err_set(err, "lockout: peek takes exactly one of user and address");
	if (lk->conf.max_failures == 0)
		return GK_OK;
	if ((rc = table_lock(lk, LOCK_SH, now, err)) != GK_OK)
		return rc;
	if ((rc = keys_make(lk, user, addr, &ks, err)) != GK_OK)
		goto out;
	if ((rc = probe_key(lk, ks.k[0], now, false, &p, err)) != GK_OK)
		goto out;
	if (p.found >= 0) {
		if (now - p.s.window_start < lk->conf.find_time || p.s.banned_until > now)
			*failures = (long)p.s.count;
		if (p.s.banned_until > now)
			*banned_until = p.s.banned_until;
	}
	rc = GK_OK;
out:
	table_unlock(lk);
	return rc;
}

int
gk_lockout_reserve(struct gk_lockout *lk, const char *user, const char *addr, int64_t now,
    struct gk_err *err)
{
	struct keyset ks;
	struct probe p;
	int64_t u = 0;
	int rc;
	size_t i;

	if (lk->conf.max_failures == 0)
		return GK_LOCKOUT_ALLOW;
	if ((rc = table_lock(lk, LOCK_EX, now, err)) != GK_OK)
		return rc;
	if ((rc = keys_make(lk, user, addr, &ks, err)) != GK_OK)
		goto out;
	if (lk->h.quarantine_until > now) {
		rc = GK_LOCKOUT_BANNED;
		goto out;
	}
	for (i = 0; i < ks.n; i++) {
		if ((rc = probe_key(lk, ks.k[i], now, false, &p, err)) != GK_OK)
			goto out;
		if (key_verdict(lk, &p, now, &u) == GK_LOCKOUT_BANNED) {
			rc = GK_LOCKOUT_BANNED;         /* failures during a ban are not counted */
			goto out;
		}
	}
	/*
	 * Still under our exclusive lock: flock() on the same descriptor nests
	 * (the inner lock converts ours, its unlock releases it), so nobody
	 * counts between the check above and the count below.
	 */
	rc = gk_lockout_fail(lk, user, addr, now, err);
	return rc < 0 ? rc : GK_LOCKOUT_ALLOW;
out:
	table_unlock(lk);
	return rc;
}

int
gk_lockout_refund(struct gk_lockout *lk, const char *user, const char *addr, int64_t now,
    struct gk_err *err)
{
	struct keyset ks;
	struct probe p;
	struct slot s;
	int rc;
	size_t i;

	if (lk->conf.max_failures == 0)
		return GK_OK;
	if ((rc = table_lock(lk, LOCK_EX, now, err)) != GK_OK)
		return rc;
	if ((rc = keys_make(lk, user, addr, &ks, err)) != GK_OK)
		goto out;
	for (i = 0; i < ks.n; i++) {
		if ((rc = probe_key(lk, ks.k[i], now, true, &p, err)) != GK_OK)
			goto out;
		if (p.found < 0 || p.s.count == 0)
			continue;
		s = p.s;
		s.count--;
		if (s.banned_until > now && (long)s.count < lk->conf.max_failures)
			s.banned_until = 0;     /* the reserved count started it */
		if ((rc = slot_write(lk, (uint32_t)p.found, &s, err)) != GK_OK)
			goto out;
	}
	rc = GK_OK;
out:
	table_unlock(lk);
	return rc;
}
