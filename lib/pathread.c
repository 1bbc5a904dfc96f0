/* pathread.c: every reading of a request path a back end could use, for fail-closed matching. */
#include <config.h>

#include <string.h>
#include <strings.h>

#include "pathnorm.h"
#include "pathread.h"

/* Which GK_PATHNORM_* options can change this target's reading at all. */
static unsigned
relevant_options(const char *target)
{
	size_t len = strcspn(target, "?#");
	unsigned opts = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		if (target[i] == ';')
			opts |= GK_PATHNORM_SEMI_LITERAL;
		else if (target[i] == '\\')
			opts |= GK_PATHNORM_SPLIT;
		else if (target[i] == '%' && i + 2 < len) {
			opts |= GK_PATHNORM_RAW;
			if (target[i + 1] == '2' && target[i + 2] == '5')
				opts |= GK_PATHNORM_TWICE | GK_PATHNORM_SPLIT;  /* %252F */
			else if ((target[i + 1] == '2' || target[i + 1] == '5') &&
			    strchr("fFcC", target[i + 2]) != NULL)
				opts |= GK_PATHNORM_SPLIT;
		}
	}
	return opts;
}

int
gk_path_readings(const char *target, struct gk_path_readings *r)
{
	unsigned relevant, opts;
	int rc;

	r->count = 0;
	r->flags = 0;
	if (target == NULL)
		return GK_EINVAL;
	relevant = relevant_options(target);
	/* Every subset of the relevant options; opts == 0 first (the canonical reading). */
	for (opts = 0; opts <= (GK_PATHNORM_SPLIT | GK_PATHNORM_SEMI_LITERAL | GK_PATHNORM_TWICE |
	    GK_PATHNORM_RAW); opts++) {
		unsigned flags;
		size_t i;

		if ((opts & ~relevant) != 0)
			continue;
		/* Raw is no decoding at all: neither twice nor %2F as a separator. */
		if ((opts & GK_PATHNORM_RAW) && (opts & (GK_PATHNORM_TWICE | GK_PATHNORM_SPLIT)) &&
		    (opts & GK_PATHNORM_TWICE || strchr(target, '\\') == NULL))
			continue;
		rc = gk_path_normalize(target, opts, r->path[r->count], sizeof(r->path[0]), &flags);
		if (rc != GK_OK) {
			r->count = 0;
			return rc;
		}
		r->flags |= flags;
		for (i = 0; i < r->count; i++)
			if (strcmp(r->path[i], r->path[r->count]) == 0)
				break;
		if (i == r->count)
			r->count++;
	}
	return GK_OK;
}

bool
gk_path_readings_all_under(const struct gk_path_readings *r, const struct gk_strlist *prefixes)
{
	size_t i, j;

	if (r->count == 0 || (r->flags & GK_PATH_AMBIGUOUS))
		return false;
	for (i = 0; i < r->count; i++) {
		for (j = 0; j < prefixes->count; j++)
			if (gk_path_prefix_match(prefixes->items[j], r->path[i], false))
				break;
		if (j == prefixes->count)
			return false;
	}
	return true;
}
