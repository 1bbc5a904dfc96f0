/* fuzz_pathnorm.c: fuzz target for gk_path_normalize, gk_path_prefix_match and gk_path_readings. */
#include <config.h>
#include "pathnorm.h"
#include "pathread.h"
#include "fuzz.h"

/* Normalises into a heap buffer of exactly outsz bytes (ASan sees overflows). */
static int
norm(const char *in, unsigned opts, size_t outsz, char **outp, unsigned *flags)
{
	char *out = malloc(outsz);
	int rc;

	if (out == NULL)
		abort();
	memset(out, 'X', outsz);
	*flags = 0;
	rc = gk_path_normalize(in, opts, out, outsz, flags);
	*outp = out;
	return rc;
}

/* The shape every normalised path has. */
static void
check_shape(const char *p, unsigned flags)
{
	size_t n = strlen(p);

	FUZZ_ASSERT(p[0] == '/');
	FUZZ_ASSERT(strstr(p, "//") == NULL);
	FUZZ_ASSERT(strstr(p, "/./") == NULL && strstr(p, "/../") == NULL);
	FUZZ_ASSERT(!(n >= 2 && strcmp(p + n - 2, "/.") == 0));
	FUZZ_ASSERT(!(n >= 3 && strcmp(p + n - 3, "/..") == 0));
	/* a raw '\\' is kept in the plain reading, but then the path is flagged ambiguous */
	FUZZ_ASSERT(strchr(p, '\\') == NULL || (flags & GK_PATH_AMBIGUOUS));
	FUZZ_ASSERT(fuzz_no_ctl(p));
	FUZZ_ASSERT(gk_path_prefix_match("/", p, false));
	FUZZ_ASSERT(gk_path_prefix_match(p, p, false));
}

/*
 * Input: a request target. For both readings (plain and SPLIT): documented
 * statuses only; on success the output has the normalised shape, fits
 * exactly (outsz = len+1 succeeds, outsz = len fails), and normalising it
 * again changes nothing. If the plain reading is not flagged ambiguous, the
 * SPLIT reading must give the same path (the authorizer relies on that).
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = fuzz_cstr(data, size), *out[2] = { NULL, NULL }, *o2;
	int rc[2], rc2;
	unsigned opts, flags[2], f2;

	for (opts = 0; opts < 2; opts++) {
		rc[opts] = norm(in, opts, GK_PATH_MAX + 1, &out[opts], &flags[opts]);
		FUZZ_ASSERT(rc[opts] == GK_OK || rc[opts] == GK_EINVAL || rc[opts] == GK_ETOOLONG);
		FUZZ_ASSERT((flags[opts] & ~GK_PATH_AMBIGUOUS) == 0);
		if (rc[opts] != GK_OK)
			continue;
		check_shape(out[opts], flags[opts]);
		/*
		 * Idempotent, except that a decoded ';', '?' or '#' (%3B, %3F, %23) is
		 * output raw and a second pass would cut there (docs/fuzzing.md).
		 */
		rc2 = norm(out[opts], opts, strlen(out[opts]) + 1, &o2, &f2);
		if (strpbrk(out[opts], ";?#") == NULL) {
			if (rc2 != GK_OK || strcmp(o2, out[opts]) != 0)
				fprintf(stderr, "opts %u: \"%s\" -> \"%s\" -> rc %d \"%s\"\n", opts,
				    in, out[opts], rc2, rc2 == GK_OK ? o2 : "");
			FUZZ_ASSERT(rc2 == GK_OK && strcmp(o2, out[opts]) == 0);
		}
		free(o2);
		if (strlen(out[opts]) > 0) {
			rc2 = norm(in, opts, strlen(out[opts]), &o2, &f2);
			FUZZ_ASSERT(rc2 == GK_ETOOLONG);
			free(o2);
		}
	}
	if (rc[0] == GK_OK && !(flags[0] & GK_PATH_AMBIGUOUS)) {
		if (rc[1] != GK_OK || strcmp(out[0], out[1]) != 0)
			fprintf(stderr, "\"%s\": plain \"%s\" split rc %d \"%s\"\n", in, out[0], rc[1],
			    rc[1] == GK_OK ? out[1] : "");
		FUZZ_ASSERT(rc[1] == GK_OK && strcmp(out[0], out[1]) == 0);
	}
	/*
	 * Every reading (pathread.h): documented statuses; on success 1..GK_READINGS_MAX
	 * distinct readings of the normalised shape, the first one the plain reading, and
	 * the plain or SPLIT reading failing makes the whole set fail (fail closed).
	 */
	{
		static struct gk_path_readings r;
		int rr = gk_path_readings(in, &r);
		size_t i, j;

		FUZZ_ASSERT(rr == GK_OK || rr == GK_EINVAL || rr == GK_ETOOLONG);
		if (rr == GK_OK) {
			FUZZ_ASSERT(r.count >= 1 && r.count <= GK_READINGS_MAX);
			FUZZ_ASSERT(rc[0] == GK_OK && strcmp(r.path[0], out[0]) == 0);
			for (i = 0; i < r.count; i++) {
				check_shape(r.path[i], r.flags);
				for (j = 0; j < i; j++)
					FUZZ_ASSERT(strcmp(r.path[i], r.path[j]) != 0);
			}
		} else {
			FUZZ_ASSERT(r.count == 0);
		}
		if (rc[0] != GK_OK || rc[1] != GK_OK)
			FUZZ_ASSERT(rr != GK_OK);
	}
	free(out[0]);
	free(out[1]);
	free(in);
	return 0;
}
