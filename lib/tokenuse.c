/* tokenuse.c: app tokens' last-use times: one fixed-size file in state_dir, pread/pwrite under flock. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tokenuse.h"

#define MAGIC     "GKTOKUSE1\n\0\0\0\0\0\0"
#define HDR_LEN   16
#define SLOT_LEN  16
#define FILE_LEN  ((off_t)HDR_LEN + (off_t)GK_TOKENUSE_SLOTS * SLOT_LEN)

_Static_assert(sizeof(MAGIC) - 1 == HDR_LEN, "header length");

static int
path_of(const char *dir, char *out, size_t sz)
{
	int n = snprintf(out, sz, "%s/%s", dir, GK_TOKENUSE_FILE);

	return n < 0 || (size_t)n >= sz ? GK_ETOOLONG : GK_OK;
}

static unsigned
home_slot(const unsigned char *id)
{
	return (unsigned)(((uint32_t)id[0] << 24 | (uint32_t)id[1] << 16 | (uint32_t)id[2] << 8 |
	    id[3]) % GK_TOKENUSE_SLOTS);
}

/* The probe window of id (wrapping), read whole: GK_OK or GK_EIO. */
static int
read_window(int fd, const unsigned char *id, unsigned char win[GK_TOKENUSE_PROBE][SLOT_LEN])
{
	unsigned i, s = home_slot(id);

	for (i = 0; i < GK_TOKENUSE_PROBE; i++) {
		off_t off = HDR_LEN + (off_t)((s + i) % GK_TOKENUSE_SLOTS) * SLOT_LEN;

		if (pread(fd, win[i], SLOT_LEN, off) != SLOT_LEN)
			return GK_EIO;
	}
	return GK_OK;
}

static bool
header_ok(int fd, const struct stat *st)
{
	unsigned char h[HDR_LEN];

	return st->st_size == FILE_LEN && pread(fd, h, HDR_LEN, 0) == HDR_LEN &&
	    memcmp(h, MAGIC, HDR_LEN) == 0;
}

int
gk_tokenuse_record(const char *state_dir, const unsigned char id[GK_TOKENUSE_ID], int64_t now,
    struct gk_err *err)
{
	unsigned char win[GK_TOKENUSE_PROBE][SLOT_LEN], slot[SLOT_LEN];
	char path[GK_PATH_MAX];
	unsigned i, pick = GK_TOKENUSE_PROBE, oldest = 0;
	uint64_t oldest_t = UINT64_MAX;
	struct stat st;
	int fd, rc = GK_OK;

	if (now <= 0)
		return gk_err_set(err, "token use: no time"), GK_EINVAL;
	if (path_of(state_dir, path, sizeof(path)) != GK_OK)
		return gk_err_set(err, "token use: state_dir path too long"), GK_ETOOLONG;
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0)
		return gk_err_set(err, "token use: %s: %s", path, strerror(errno)), GK_EIO;
	if (flock(fd, LOCK_EX) != 0) {
		gk_err_set(err, "token use: flock %s: %s", path, strerror(errno));
		rc = GK_EIO;
		goto out;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 022) != 0) {
		gk_err_set(err, "token use: %s is not a regular file of uid %ld, private: not written",
		    path, (long)geteuid());
		rc = GK_ERR;
		goto out;
	}
	if (st.st_size == 0) {
		/* New (ours, just created or left empty by a crash): the header, then the zeroed slots. */
		if (pwrite(fd, MAGIC, HDR_LEN, 0) != HDR_LEN || ftruncate(fd, FILE_LEN) != 0) {
			gk_err_set(err, "token use: %s: %s", path, strerror(errno));
			rc = GK_EIO;
			goto out;
		}
		st.st_size = FILE_LEN;
	}
	if (!header_ok(fd, &st)) {
		gk_err_set(err, "token use: %s has a bad size or header: not written (remove it to "
		    "start afresh; only last-use times are lost)", path);
		rc = GK_ECORRUPT;
		goto out;
	}
	if (read_window(fd, id, win) != GK_OK) {
		gk_err_set(err, "token use: %s: read: %s", path, strerror(errno));
		rc = GK_EIO;
		goto out;
	}
	for (i = 0; i < GK_TOKENUSE_PROBE && pick == GK_TOKENUSE_PROBE; i++) {
		uint64_t t = gk_get_be64(win[i] + GK_TOKENUSE_ID);

		if (memcmp(win[i], id, GK_TOKENUSE_ID) == 0 || t == 0)
			pick = i;
		else if (t < oldest_t)
			oldest_t = t, oldest = i;
	}
	if (pick == GK_TOKENUSE_PROBE)
		pick = oldest;
	else if (memcmp(win[pick], id, GK_TOKENUSE_ID) == 0 &&
	    gk_get_be64(win[pick] + GK_TOKENUSE_ID) >= (uint64_t)now)
		goto out;       /* a later use is already there */
	memcpy(slot, id, GK_TOKENUSE_ID);
	gk_put_be64(slot + GK_TOKENUSE_ID, (uint64_t)now);
	if (pwrite(fd, slot, SLOT_LEN,
	    HDR_LEN + (off_t)((home_slot(id) + pick) % GK_TOKENUSE_SLOTS) * SLOT_LEN) != SLOT_LEN) {
		gk_err_set(err, "token use: %s: write: %s", path, strerror(errno));
		rc = GK_EIO;
	}
out:
	close(fd);      /* releases the lock */
	return rc;
}

int64_t
gk_tokenuse_get(const char *state_dir, const unsigned char id[GK_TOKENUSE_ID])
{
	unsigned char win[GK_TOKENUSE_PROBE][SLOT_LEN];
	char path[GK_PATH_MAX];
	struct stat st;
	int64_t r = 0;
	unsigned i;
	int fd;

	if (state_dir == NULL || path_of(state_dir, path, sizeof(path)) != GK_OK ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return 0;
	if (flock(fd, LOCK_SH) == 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    (st.st_mode & 022) == 0 && header_ok(fd, &st) && read_window(fd, id, win) == GK_OK)
		for (i = 0; i < GK_TOKENUSE_PROBE; i++)
			if (memcmp(win[i], id, GK_TOKENUSE_ID) == 0) {
				uint64_t t = gk_get_be64(win[i] + GK_TOKENUSE_ID);

				r = t > (uint64_t)INT64_MAX ? 0 : (int64_t)t;
				break;
			}
	close(fd);
	return r;
}
