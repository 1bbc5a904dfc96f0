/* fuzz.h: shared helpers of the fuzz targets, and (without libFuzzer) the AFL/replay/mutation main(). */
#ifndef GK_FUZZ_H
#define GK_FUZZ_H

#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>	/* read(), which AFL++'s __AFL_FUZZ_TESTCASE_LEN uses */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * An invariant of the parser's contract was broken: abort() so that
 * libFuzzer, AFL and the replay test all record it as a crash with the input.
 */
#define FUZZ_ASSERT(c) do { \
	if (!(c)) \
		fuzz_fail(#c, __FILE__, __LINE__); \
} while (0)

#ifndef GK_LIBFUZZER
static const uint8_t *fuzz_cur;		/* the input being run, shown when an invariant fails */
static size_t fuzz_cur_len;
#endif

static void __attribute__((noreturn, unused))
fuzz_fail(const char *what, const char *file, int line)
{
	fprintf(stderr, "%s:%d: invariant failed: %s\n", file, line, what);
#ifndef GK_LIBFUZZER
	if (fuzz_cur != NULL) {
		size_t i;

		fprintf(stderr, "input (%zu bytes): \"", fuzz_cur_len);
		for (i = 0; i < fuzz_cur_len; i++) {
			unsigned char c = fuzz_cur[i];

			if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
				fputc(c, stderr);
			else
				fprintf(stderr, "\\x%02x", c);
		}
		fprintf(stderr, "\"\n");
	}
#endif
	fflush(stderr);
	abort();
}

/* A malloc'ed NUL-terminated copy of n bytes (embedded NULs simply end the C string). */
static char * __attribute__((unused))
fuzz_cstr(const uint8_t *data, size_t n)
{
	char *s = malloc(n + 1);

	if (s == NULL)
		abort();
	if (n > 0)
		memcpy(s, data, n);
	s[n] = '\0';
	return s;
}

/*
 * Splits the input at the first '\n': *head gets the bytes before it (a
 * malloc'ed C string), *rest and *restlen the bytes after it. Without a '\n' the
 * head is NULL and rest is the whole input. Targets use the head for a
 * second argument (a cookie name, a form field name...).
 */
static void __attribute__((unused))
fuzz_split(const uint8_t *data, size_t n, char **head, const uint8_t **rest, size_t *restlen)
{
	const uint8_t *nl = n > 0 ? memchr(data, '\n', n) : NULL;

	if (nl == NULL) {
		*head = NULL;
		*rest = data;
		*restlen = n;
		return;
	}
	*head = fuzz_cstr(data, (size_t)(nl - data));
	*rest = nl + 1;
	*restlen = n - (size_t)(nl - data) - 1;
}

/* True if no byte of s is a C0 control character or DEL. */
static int __attribute__((unused))
fuzz_no_ctl(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

/* True if every byte of the n-byte buffer is zero. */
static int __attribute__((unused))
fuzz_all_zero(const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != 0)
			return 0;
	return 1;
}

#ifndef GK_LIBFUZZER
/*
 * The driver for everything but libFuzzer:
 *   fuzz_X                  one input from stdin (AFL++: afl-fuzz -- ./fuzz_X)
 *   fuzz_X FILE|DIR...      replay files (a directory: every file in it)
 *   fuzz_X -m FILE|DIR...   replay, and also every truncation and a set of
 *                           single-byte mutations of each file (OpenSSH's
 *                           FUZZ_TRUNCATE_END / FUZZ_1_BIT_FLIP idea), so
 *                           that `make check` under ASan+UBSan explores
 *                           inputs near the seeds without libFuzzer.
 * Exit 0 when every input ran; a contract violation aborts.
 */
#define FUZZ_MUTATE_BYTES 256   /* mutate the first bytes only: keeps make check fast */

static unsigned long fuzz_runs;

static void
fuzz_run(const uint8_t *data, size_t n)
{
	/* An exact-size heap copy, so ASan sees any read past the end. */
	uint8_t *copy = malloc(n > 0 ? n : 1);

	if (copy == NULL)
		abort();
	if (n > 0)
		memcpy(copy, data, n);
	fuzz_cur = copy;
	fuzz_cur_len = n;
	LLVMFuzzerTestOneInput(copy, n);
	fuzz_cur = NULL;
	free(copy);
	fuzz_runs++;
}

static void
fuzz_mutate(const uint8_t *data, size_t n)
{
	static const uint8_t interesting[] = {
		0x00, 0xff, 0x7f, 0x80, '\n', '\r', ' ', '%', '/', '\\', '.', ':', ';', '=', '"',
		'&', ',', '?', '#', '0', 'A'
	};
	uint8_t *buf = malloc(n + 1);
	size_t i, lim = n < FUZZ_MUTATE_BYTES ? n : FUZZ_MUTATE_BYTES;
	unsigned bit;

	if (buf == NULL)
		abort();
	for (i = 0; i < n; i++)		/* every truncation */
		fuzz_run(data, i);
	for (i = 0; i < lim; i++) {
		memcpy(buf, data, n);
		for (bit = 0; bit < 8; bit++) {		/* every 1-bit flip */
			buf[i] = (uint8_t)(data[i] ^ (1u << bit));
			fuzz_run(buf, n);
		}
		for (bit = 0; bit < sizeof(interesting); bit++) {
			if (data[i] == interesting[bit])
				continue;
			buf[i] = interesting[bit];
			fuzz_run(buf, n);
		}
		buf[i] = data[i];
		/* a deleted byte and a duplicated byte */
		memcpy(buf + i, data + i + 1, n - i - 1);
		fuzz_run(buf, n - 1);
		memcpy(buf, data, i + 1);
		memcpy(buf + i + 1, data + i, n - i);
		fuzz_run(buf, n + 1);
	}
	free(buf);
}

static int
fuzz_read_fp(FILE *fp, uint8_t **datap, size_t *np)
{
	size_t cap = 4096, n = 0, r;
	uint8_t *d = malloc(cap);

	if (d == NULL)
		return -1;
	while ((r = fread(d + n, 1, cap - n, fp)) > 0) {
		n += r;
		if (n == cap) {
			uint8_t *nd;

			if (cap > ((size_t)64 << 20) || (nd = realloc(d, cap * 2)) == NULL) {
				free(d);
				return -1;
			}
			d = nd;
			cap *= 2;
		}
	}
	if (ferror(fp)) {
		free(d);
		return -1;
	}
	*datap = d;
	*np = n;
	return 0;
}

static int
fuzz_file(const char *path, int mutate)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *d;
	size_t n;

	if (fp == NULL || fuzz_read_fp(fp, &d, &n) != 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		if (fp != NULL)
			fclose(fp);
		return -1;
	}
	fclose(fp);
	fuzz_run(d, n);
	if (mutate)
		fuzz_mutate(d, n);
	free(d);
	return 0;
}

static int
fuzz_path(const char *path, int mutate)
{
	struct stat st;
	struct dirent *de;
	DIR *dir;
	int rc = 0;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return fuzz_file(path, mutate);
	if ((dir = opendir(path)) == NULL) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((de = readdir(dir)) != NULL) {
		char sub[4096];

		if (de->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name) >= sizeof(sub))
			continue;
		if (fuzz_path(sub, mutate) != 0)
			rc = -1;
	}
	closedir(dir);
	return rc;
}

#ifdef __AFL_FUZZ_TESTCASE_LEN
/* Built by afl-clang-fast: AFL++'s persistent mode (shared-memory input, no fork per input). */
__AFL_FUZZ_INIT();
#endif

int
main(int argc, char **argv)
{
	int i, mutate = 0, files = 0, rc = 0;

	/* tests/fuzz_replay.sh checks that a failed invariant really fails the run. */
	if (getenv("GK_FUZZ_SELFTEST") != NULL)
		FUZZ_ASSERT(!"GK_FUZZ_SELFTEST is set");
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-m") == 0) {
			mutate = 1;
			continue;
		}
		files++;
		if (fuzz_path(argv[i], mutate) != 0)
			rc = 1;
	}
#ifdef __AFL_FUZZ_TESTCASE_LEN
	if (argc == 1) {
		const uint8_t *buf;

		__AFL_INIT();
		buf = __AFL_FUZZ_TESTCASE_BUF;
		while (__AFL_LOOP(10000))
			fuzz_run(buf, (size_t)__AFL_FUZZ_TESTCASE_LEN);
		return 0;
	}
#endif
	if (files == 0) {
		uint8_t *d;
		size_t n;

		if (fuzz_read_fp(stdin, &d, &n) != 0) {
			fprintf(stderr, "stdin: read error\n");
			return 1;
		}
		fuzz_run(d, n);
		if (mutate)
			fuzz_mutate(d, n);
		free(d);
	}
	if (files > 0)
		printf("%s: %lu inputs ran\n", argv[0], fuzz_runs);
	return rc;
}
#endif /* !GK_LIBFUZZER */

#endif
