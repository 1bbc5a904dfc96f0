/* util.c: gatekeep-passwd's messages and exit codes, shared by all its source files. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "extuser.h"
#include "passwd.h"

void
pw_warnx(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
pw_dberr(const char *db, const char *msg)
{
	size_t len = strlen(db);

	if (strncmp(msg, db, len) == 0 && msg[len] == ':')
		pw_warnx("%s", msg);
	else
		pw_warnx("%s: %s", db, msg);
}

const char *
pw_quote(const char *s, char *buf, size_t bufsz)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0, need;
	unsigned char c;
	bool esc;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		esc = c < 0x20 || c == 0x7f || c == '\\' || c == '\'';
		need = esc ? 4 : 1;
		if (o + need + 4 > bufsz) {   /* keep room for "..." and the NUL */
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		if (esc) {
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hex[c >> 4];
			buf[o++] = hex[c & 15];
		} else {
			buf[o++] = (char)c;
		}
	}
	buf[o] = '\0';
	return buf;
}

int
pw_exit_for_status(int status)
{
	switch (status) {
	case GK_OK:
		return EX_PW_OK;
	case GK_NOTFOUND:
		return EX_PW_BADUSER;
	case GK_EIO:
	case GK_EBUSY:
		return EX_PW_FILE;
	case GK_ECORRUPT:
		return EX_PW_INVALID;
	case GK_ETOOLONG:
		return EX_PW_OVERFLOW;
	case GK_EINVAL:
	case GK_EDUP:
		return EX_PW_SYNTAX;
	default:
		return EX_PW_GENERAL;
	}
}

int
pw_user_status(const char *db, const char *name, int st, const char *errmsg)
{
	if (st == GK_NOTFOUND) {
		pw_warnx("%s: no such user '%s'", db, name);
		return EX_PW_BADUSER;
	}
	if (st != GK_OK)
		pw_dberr(db, errmsg);
	return pw_exit_for_status(st);
}

int
pw_usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fprintf(stderr, "Try '" PROG " --help' for more information.\n");
	return EX_PW_SYNTAX;
}

int
pw_new_name_check(const char *db, const char *where, const char *name)
{
	struct gk_err err = { "" };
	char other[GK_USER_MAX + 1];
	bool clash;

	if (access(db, F_OK) != 0 && errno == ENOENT)
		return EX_PW_OK;        /* -c: created at commit, no user yet */
	/* the rule gatekeep applies to users an identity provider or a trusted proxy vouches for */
	if (gk_extuser_name_clash(db, name, &clash, other, sizeof(other), &err) != GK_OK) {
		pw_dberr(db, err.msg);
		return EX_PW_FILE;
	}
	if (!clash)
		return EX_PW_OK;
	pw_warnx("%s: user '%s' differs from the existing user '%s' only by case (apps that fold "
	    "user names would take one for the other): name-case-clash", where, name, other);
	return EX_PW_BADUSER;
}
