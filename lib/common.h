/* common.h: limits, status codes and the caller-owned error buffer shared by lib/. */
#ifndef GK_COMMON_H
#define GK_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Hard caps, documented in gatekeep.7; every parser checks them before copying. */
#define GK_USER_MAX      128   /* user name, bytes */
#define GK_PASSWORD_MAX  256   /* password, bytes (bcrypt additionally caps at 72) */
#define GK_GROUP_MAX     64    /* one group name, bytes */
#define GK_GROUPS_MAX    1024  /* comma-separated group list, bytes */
#define GK_EMAIL_MAX     254   /* RFC 5321 path limit */
#define GK_DISPLAY_MAX   128   /* display name, bytes */
#define GK_HASH_MAX      384   /* crypt(3) output, CRYPT_OUTPUT_SIZE */
#define GK_HEADER_MAX    8192  /* one request header value we look at */
#define GK_PATH_MAX      4096  /* a request path */

/* Status codes returned by lib/ functions: 0 is success, negatives are errors. */
enum gk_status {
	GK_OK = 0,
	GK_NOTFOUND = 1,      /* not an error: the thing asked for does not exist */
	GK_ERR = -1,          /* generic failure, message in struct gk_err */
	GK_EINVAL = -2,       /* malformed input */
	GK_ETOOLONG = -3,     /* input over a documented cap */
	GK_EDUP = -4,         /* duplicate where exactly one is allowed */
	GK_EIO = -5,          /* file or database error */
	GK_ECORRUPT = -6,     /* stored data failed validation */
	GK_EBUSY = -7         /* lock held by another writer */
};

/* A caller-owned error message; lib/ fills it, programs decide what to do. */
struct gk_err {
	char msg[256];
};

/* Formats msg into err (if err is non-NULL). Always returns GK_ERR for "return gk_err_set(...)". */
int gk_err_set(struct gk_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Wipes n bytes at p so the compiler cannot elide it (sodium_memzero). */
void gk_wipe(void *p, size_t n);
/* gk_wipe, then free (OpenBSD's freezero(3)): for heap blocks that held secrets; NULL is fine. */
void gk_freezero(void *p, size_t n);

/* Constant-time equality of two equal-length buffers (sodium_memcmp); true if equal. */
bool gk_ct_equal(const void *a, const void *b, size_t n);

/* CLOCK_MONOTONIC in milliseconds: for deadlines and intervals, never for dates. */
int64_t gk_now_ms(void);

/* CLOCK_MONOTONIC in nanoseconds: for measuring how long something took. */
int64_t gk_mono_ns(void);

/* Value of one hex digit, or -1 (for percent-decoding). */
int gk_hexval(int c);

/* Copies src into dst (size dstsz) only if it fits with its NUL; GK_ETOOLONG otherwise. */
int gk_strcpy(char *dst, size_t dstsz, const char *src);

/* Copies len bytes of src plus a NUL; GK_ETOOLONG if they do not fit. */
int gk_memcpy_str(char *dst, size_t dstsz, const char *src, size_t len);

/* Writes all len bytes of buf to fd, through short writes and EINTR: 0, or -1 with errno. */
int gk_write_all(int fd, const void *buf, size_t len);

/* 8 bytes, big-endian (the byte order of gatekeep's fixed-size files and MAC inputs). */
void gk_put_be64(unsigned char *p, uint64_t v);
uint64_t gk_get_be64(const unsigned char *p);

#endif
