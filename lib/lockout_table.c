/* lockout_table.c: the lockout table file: creation, checked locking, slot I/O, eviction. */
#include <config.h>

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

#include "lockout_table.h"

#define TBL_MAGIC    "GKLOCK1\n"
#define TBL_VERSION  1u
#define TBL_PROBE    32u        /* slots searched per key */
#define RETRIES      4
#define EVICT_NOTICE_EVERY 60   /* seconds between two "table full" warnings per process */

_Static_assert(sizeof(struct lk_hdr) == 80, "header layout");
_Static_assert(sizeof(struct lk_slot) == 64, "slot layout");

enum slot_state { S_EMPTY, S_LIVE, S_CORRUPT, S_WILD };

void
lk_notice(struct gk_lockout *lk, const char *msg)
{
	snprintf(lk->notice, sizeof(lk->notice), "lockout: %.400s", msg);
}

static void
hdr_sum(const struct lk_hdr *h, unsigned char out[LK_SUM_LEN])
{
	crypto_generichash(out, LK_SUM_LEN, (const unsigned char *)h, offsetof(struct lk_hdr, sum),
	    NULL, 0);
}

static void
slot_sum(const struct gk_lockout *lk, const struct lk_slot *s, unsigned char out[LK_SUM_LEN])
{
	crypto_generichash(out, LK_SUM_LEN, (const unsigned char *)s, offsetof(struct lk_slot, sum),
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
slot_state(const struct gk_lockout *lk, const struct lk_slot *s)
{
	unsigned char sum[LK_SUM_LEN];

	if (all_bytes(s, sizeof(*s), 0))
		return S_EMPTY;
	slot_sum(lk, s, sum);
	if (sodium_memcmp(sum, s->sum, LK_SUM_LEN) != 0)
		return S_CORRUPT;
	if (all_bytes(s->key, LK_KEY_LEN, 0xff))
		return S_WILD;
	return S_LIVE;
}

/*
 * How much a live slot is worth keeping when its neighbourhood is full:
 * -1 = nothing (free to reuse). Counting entries go first, then bans on
 * addresses and pairs, then users being throttled, locked accounts last,
 * each tier oldest update first (see lk_probe).
 */
static int
slot_rank(const struct gk_lockout *lk, const struct lk_slot *s, int64_t now)
{
	bool banned = s->banned_until > now;

	switch (s->kind) {
	case LK_USER:
		if (banned)
			return 4;
		if (s->count == 0)      /* an admin's recent unban (lockout.c: user_amnesty) */
			return now - s->window_start < lk->conf.ban_time ? 1 : -1;
		return (long)s->count >= lk->conf.user_throttle ? 3 : 1;
	case LK_KNOWN:
		return now - s->last_fail < GK_LOCKOUT_KNOWN_TIME && now >= s->last_fail ? 0 : -1;
	default:
		if (banned)
			return 2;
		return s->count > 0 && now - s->window_start < lk->conf.find_time ? 0 : -1;
	}
}

void
lk_key(const struct gk_lockout *lk, char kind, const char *id, const char *id2,
    unsigned char key[LK_KEY_LEN])
{
	crypto_generichash_state st;
	unsigned char k[2] = { (unsigned char)kind, ':' };
	unsigned char nul = 0;

	crypto_generichash_init(&st, lk->h.hkey, sizeof(lk->h.hkey), LK_KEY_LEN);
	crypto_generichash_update(&st, k, 2);
	crypto_generichash_update(&st, (const unsigned char *)id, strlen(id));
	if (id2 != NULL) {
		/* A NUL can be in neither part: "a","bc" and "ab","c" never collide. */
		crypto_generichash_update(&st, &nul, 1);
		crypto_generichash_update(&st, (const unsigned char *)id2, strlen(id2));
	}
	crypto_generichash_final(&st, key, LK_KEY_LEN);
	/* The two reserved patterns must never be a real key. */
	if (all_bytes(key, LK_KEY_LEN, 0) || all_bytes(key, LK_KEY_LEN, 0xff))
		key[0] ^= 0x5a;
}

static uint32_t
key_index(const unsigned char key[LK_KEY_LEN], uint32_t nslots)
{
	uint32_t v;

	memcpy(&v, key, sizeof(v));
	return v % nslots;
}

/* Reads (writing: writes) all n bytes at off, again after a signal; -1 on error or a short file. */
static int
io_full(int fd, bool writing, void *buf, size_t n, off_t off)
{
	char *p = buf;
	ssize_t r;
	size_t done = 0;

	while (done < n) {
		r = writing ? pwrite(fd, p + done, n - done, off + (off_t)done) :
		    pread(fd, p + done, n - done, off + (off_t)done);
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
	return (off_t)sizeof(struct lk_hdr) + (off_t)i * (off_t)sizeof(struct lk_slot);
}

static uint32_t
nslots(const struct gk_lockout *lk)
{
	return (uint32_t)lk->conf.slots;
}

/* Writes a fresh table to a temp file and links it into place; losing the race is fine. */
static int
table_create(struct gk_lockout *lk, int64_t quarantine_until, struct gk_err *err)
{
	char tmp[4096 + 32];
	struct lk_hdr h;
	int fd, rc = GK_EIO;

	memset(&h, 0, sizeof(h));
	memcpy(h.magic, TBL_MAGIC, sizeof(h.magic));
	h.version = TBL_VERSION;
	h.nslots = nslots(lk);
	h.quarantine_until = quarantine_until;
	randombytes_buf(h.hkey, sizeof(h.hkey));
	hdr_sum(&h, h.sum);

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/." GK_LOCKOUT_TABLE ".XXXXXX", lk->dir) >= sizeof(tmp))
		return gk_err_set(err, "state_dir path too long");
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		gk_err_set(err, "lockout: cannot create a file in %s: %s", lk->dir, strerror(errno));
		return GK_EIO;
	}
	if (fchmod(fd, 0600) != 0 || io_full(fd, true, &h, sizeof(h), 0) != 0 ||
	    ftruncate(fd, slot_off(nslots(lk))) != 0 || fsync(fd) != 0) {
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

void
lk_table_close(struct gk_lockout *lk)
{
	if (lk->fd >= 0)
		close(lk->fd);
	lk->fd = -1;
}

/* (Re)opens the live table, creating it if missing. */
int
lk_table_open(struct gk_lockout *lk, struct gk_err *err)
{
	struct stat st;
	int fd, tries;

	lk_table_close(lk);
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
	lk_notice(lk, msg);
	return GK_OK;
}

/*
 * Locks the live table (mode LOCK_SH or LOCK_EX) and loads its header. A
 * table replaced under us is reopened; a damaged one is quarantined (which
 * needs LOCK_EX, so a shared locker upgrades by starting over).
 */
int
lk_table_lock(struct gk_lockout *lk, int mode, int64_t now, struct gk_err *err)
{
	struct stat st, pst;
	unsigned char sum[LK_SUM_LEN];
	const char *bad;
	int tries;

	for (tries = 0; tries < RETRIES; tries++) {
		if (lk->fd < 0 && lk_table_open(lk, err) != GK_OK)
			return GK_EIO;
		while (flock(lk->fd, mode) != 0) {
			if (errno != EINTR) {
				gk_err_set(err, "lockout: flock: %s", strerror(errno));
				return GK_EIO;
			}
		}
		if (stat(lk->path, &pst) != 0 || pst.st_dev != lk->dev || pst.st_ino != lk->ino) {
			flock(lk->fd, LOCK_UN);
			if (lk_table_open(lk, err) != GK_OK)
				return GK_EIO;
			continue;
		}
		if (fstat(lk->fd, &st) != 0 || !file_ok(lk, &st, err)) {
			flock(lk->fd, LOCK_UN);
			return GK_EIO;
		}
		bad = NULL;
		if (st.st_size != slot_off(nslots(lk)))
			bad = "table has the wrong size";
		else if (io_full(lk->fd, false, &lk->h, sizeof(lk->h), 0) != 0)
			bad = "table header unreadable";
		else {
			hdr_sum(&lk->h, sum);
			if (memcmp(lk->h.magic, TBL_MAGIC, sizeof(lk->h.magic)) != 0 ||
			    lk->h.version != TBL_VERSION || lk->h.nslots != nslots(lk) ||
			    sodium_memcmp(sum, lk->h.sum, LK_SUM_LEN) != 0)
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
		if (lk_table_open(lk, err) != GK_OK)
			return GK_EIO;
	}
	return gk_err_set(err, "lockout: cannot get a consistent table");
}

void
lk_table_unlock(struct gk_lockout *lk)
{
	if (lk->fd >= 0)
		flock(lk->fd, LOCK_UN);
}

/* Reads the TBL_PROBE slots from base on (wrapping around) in at most two reads. */
static int
neighbourhood_read(struct gk_lockout *lk, uint32_t base, struct lk_slot *v, struct gk_err *err)
{
	uint32_t n = nslots(lk), first = n - base < TBL_PROBE ? n - base : TBL_PROBE;

	memset(v, 0, TBL_PROBE * sizeof(*v));   /* the static analyzer cannot see pread fill it */
	if (io_full(lk->fd, false, v, first * sizeof(*v), slot_off(base)) != 0 ||
	    (first < TBL_PROBE && io_full(lk->fd, false, v + first,
	    (TBL_PROBE - first) * sizeof(*v), slot_off(0)) != 0)) {
		gk_err_set(err, "lockout: read error");
		return GK_EIO;
	}
	return GK_OK;
}

int
lk_slot_write(struct gk_lockout *lk, uint32_t i, struct lk_slot *s, bool evicts, int64_t now,
    struct gk_err *err)
{
	char msg[256];

	if (all_bytes(s->key, LK_KEY_LEN, 0))
		memset(s, 0, sizeof(*s));       /* an empty slot is all zeros, no checksum */
	else
		slot_sum(lk, s, s->sum);
	if (io_full(lk->fd, true, s, sizeof(*s), slot_off(i)) != 0) {
		gk_err_set(err, "lockout: write error: %s", strerror(errno));
		return GK_EIO;
	}
	if (evicts) {
		/* One warning a minute per process, with the count it stands for. */
		lk->evicted++;
		if (lk->evict_noticed == 0 || now - lk->evict_noticed >= EVICT_NOTICE_EVERY ||
		    now < lk->evict_noticed) {
			snprintf(msg, sizeof(msg), "table full: evicted %lu oldest entr%s to count new "
			    "failures (a flood from many addresses?)", lk->evicted,
			    lk->evicted == 1 ? "y" : "ies");
			lk_notice(lk, msg);
			lk->evicted = 0;
			lk->evict_noticed = now;
		}
	}
	return GK_OK;
}

/*
 * Scans one key's neighbourhood: where the key lives, whether an
 * unknown-owner ban covers it, and the slot a new entry would take: a free
 * one, else the least worth keeping (slot_rank), oldest update first. Only
 * healed corrupt slots (wild bans) are never taken: they stand for entries
 * we can no longer name.
 */
int
lk_probe(struct gk_lockout *lk, const unsigned char key[LK_KEY_LEN], int64_t now, bool heal,
    struct lk_probe *p, struct gk_err *err)
{
	struct lk_slot v[TBL_PROBE], *s;
	uint32_t base, i, k;
	int64_t oldest = INT64_MAX;
	int rank, best = 99;
	long evict = -1;

	memset(p, 0, sizeof(*p));
	p->found = -1;
	p->reuse = -1;
	base = key_index(key, nslots(lk));
	if (neighbourhood_read(lk, base, v, err) != GK_OK)
		return GK_EIO;
	for (k = 0; k < TBL_PROBE; k++) {
		i = (base + k) % nslots(lk);
		s = &v[k];
		switch (slot_state(lk, s)) {
		case S_CORRUPT:
			/* Its owner is unknown: it may have been a ban, so it bans the neighbourhood. */
			p->wild_ban = true;
			if (p->wild_until < now + lk->conf.ban_time)
				p->wild_until = now + lk->conf.ban_time;
			if (heal) {
				memset(s, 0, sizeof(*s));
				memset(s->key, 0xff, LK_KEY_LEN);
				s->banned_until = now + lk->conf.ban_time;
				if (lk_slot_write(lk, i, s, false, now, err) != GK_OK)
					return GK_EIO;
				lk_notice(lk, "corrupt slot rewritten as a ban on its neighbourhood");
			}
			continue;
		case S_WILD:
			if (s->banned_until > now) {
				p->wild_ban = true;
				if (p->wild_until < s->banned_until)
					p->wild_until = s->banned_until;
			} else if (p->reuse < 0) {
				p->reuse = i;
			}
			continue;
		case S_EMPTY:
			if (p->reuse < 0)
				p->reuse = i;
			continue;
		case S_LIVE:
			break;
		}
		if (p->found < 0 && sodium_memcmp(s->key, key, LK_KEY_LEN) == 0) {
			p->found = i;
			p->s = *s;
			continue;
		}
		rank = slot_rank(lk, s, now);
		if (rank < 0) {
			if (p->reuse < 0)
				p->reuse = i;
		} else if (rank < best || (rank == best && s->last_fail < oldest)) {
			best = rank;
			oldest = s->last_fail;
			evict = i;
		}
	}
	if (p->reuse < 0 && evict >= 0) {
		p->reuse = evict;
		p->reuse_evicts = true;
	}
	return GK_OK;
}

/*
 * IPv6 clients usually own a whole /64; counting per address would let one
 * client rotate through 2^64 buckets. IPv4-mapped addresses count as IPv4.
 */
void
lk_addr_norm(const char *addr, char *out, size_t outsz)
{
	unsigned char a6[16];
	char buf[INET6_ADDRSTRLEN];
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (inet_pton(AF_INET6, addr, a6) == 1) {
		if (memcmp(a6, mapped, sizeof(mapped)) == 0) {
			inet_ntop(AF_INET, a6 + 12, buf, sizeof(buf));
			snprintf(out, outsz, "%s", buf);
			return;
		}
		memset(a6 + 8, 0, 8);
		inet_ntop(AF_INET6, a6, buf, sizeof(buf));
		snprintf(out, outsz, "%s/64", buf);
		return;
	}
	snprintf(out, outsz, "%s", addr);
}
