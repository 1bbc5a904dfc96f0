/* secret_follow.c: the signing key of a long-running program, following its file, each change logged once. */
#include "config.h"

#include <string.h>

#include "secret_follow.h"

/* The line names the file once: most reasons start with "PATH: " already. */
static const char *
without_path(const char *why, const char *path)
{
	size_t n = path != NULL ? strlen(path) : 0;

	return n > 0 && strncmp(why, path, n) == 0 && why[n] == ':' && why[n + 1] == ' ' ?
	    why + n + 2 : why;
}

const struct gk_secret *
gk_secret_follow(const char *path, struct gk_secret *s, const struct gk_log *log)
{
	struct gk_err err = { "" };
	bool report;
	int rc;

	/* The key follows its file: a rotation counts at once, a broken file refuses every cookie. */
	rc = gk_secret_refresh(path, s, &report, &err);
	if (report)
		gk_log(log, rc == GK_OK ? LOG_NOTICE : LOG_ERR, "secret_file %s: %s",
		    path != NULL ? path : "(unset)", rc == GK_OK ? "changed on disk, key reloaded" :
		    without_path(err.msg, path));
	return rc == GK_OK ? s : NULL;
}
