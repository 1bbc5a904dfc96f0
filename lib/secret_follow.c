/* secret_follow.c: the signing key of a long-running program, following its file, each change logged once. */
#include "config.h"

#include "secret_follow.h"

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
		    err.msg);
	return rc == GK_OK ? s : NULL;
}
