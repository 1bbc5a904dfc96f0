/* login_page.c: the page template ({{name}} placeholders, {{#name}}...{{/name}} sections), always HTML-escaped. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "login_page.h"

/* Generated at build time from contrib/login/login.html (lib/login.mk). */
#include "lib/login_default.h"

#define NAME_MAX_LEN 16

/* The template's values: each name and where struct login_vars keeps it. */
#define VALUE(name) { #name, offsetof(struct login_vars, name) }
static const struct {
	const char *name;
	size_t offset;
} values[] = {
	VALUE(title), VALUE(realm), VALUE(action), VALUE(csrf), VALUE(rd), VALUE(user), VALUE(error),
	VALUE(message), VALUE(login_url), VALUE(oidc_url), VALUE(oidc_label), VALUE(pending),
	VALUE(passkey_url),
};
#undef VALUE

/* The page flags: names of sections only. */
static const char *const flags[] = { "login", "logout", "code" };

const char *
login_template_default(void)
{
	return login_default_template;
}

#define NVALUES (sizeof(values) / sizeof(values[0]))

/* A name's place: its index in values, or NVALUES + its index in flags; -1 when unknown. */
static int
name_index(const char *n)
{
	size_t i;

	for (i = 0; i < NVALUES; i++)
		if (strcmp(n, values[i].name) == 0)
			return (int)i;
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (strcmp(n, flags[i]) == 0)
			return (int)(NVALUES + i);
	return -1;
}

static const char *
value_of(const struct login_vars *v, const char *n)
{
	int i = name_index(n);
	const char *s = NULL;

	if (i >= 0 && (size_t)i < NVALUES)
		s = *(const char *const *)(const void *)((const char *)v + values[i].offset);
	return s != NULL ? s : "";
}

static bool
section_on(const struct login_vars *v, const char *n)
{
	if (strcmp(n, "login") == 0)
		return v->login;
	if (strcmp(n, "logout") == 0)
		return v->logout;
	if (strcmp(n, "code") == 0)
		return v->code;
	if (strcmp(n, "message") == 0)
		return !v->login && !v->logout && !v->code;
	return value_of(v, n)[0] != '\0';
}

/*
 * Reads the tag at p ("{{...}}"): kind '#', '/' or 0, name into name.
 * Returns the position after "}}", or NULL if the tag is malformed.
 */
static const char *
tag(const char *p, char *kind, char name[NAME_MAX_LEN + 1])
{
	const char *end, *s = p + 2;
	size_t n;

	*kind = 0;
	if (*s == '#' || *s == '/')
		*kind = *s++;
	end = strstr(s, "}}");
	if (end == NULL)
		return NULL;
	n = (size_t)(end - s);
	if (n == 0 || n > NAME_MAX_LEN)
		return NULL;
	memcpy(name, s, n);
	name[n] = '\0';
	if (strspn(name, "abcdefghijklmnopqrstuvwxyz_") != n)
		return NULL;
	return end + 2;
}

/* Renders [p, end); open names the enclosing sections (to refuse same-name nesting in check mode). */
static const char *
render(const char *p, const char *stop_name, const struct login_vars *v, struct login_buf *out,
    bool emit, int depth, struct gk_err *err, unsigned *seen)
{
	const char *t, *next;
	char kind, name[NAME_MAX_LEN + 1];
	int i;

	while (*p != '\0') {
		t = strstr(p, "{{");
		if (t == NULL) {
			if (emit)
				login_buf_puts(out, p);
			p += strlen(p);
			break;
		}
		if (emit)
			login_buf_add(out, p, (size_t)(t - p));
		next = tag(t, &kind, name);
		if (next == NULL || (i = name_index(name)) < 0) {
			gk_err_set(err, "template: bad or unknown placeholder at byte %zu", (size_t)(t - p));
			return NULL;
		}
		if (seen != NULL)
			*seen |= 1u << (i + (kind == '#' ? 16 : 0));
		if (kind == '/') {
			if (stop_name == NULL || strcmp(name, stop_name) != 0) {
				gk_err_set(err, "template: {{/%s}} closes nothing", name);
				return NULL;
			}
			return next;
		}
		if (kind == '#') {
			if (depth >= 4 || (stop_name != NULL && strcmp(name, stop_name) == 0)) {
				gk_err_set(err, "template: sections nested too deep or {{#%s}} inside itself", name);
				return NULL;
			}
			p = render(next, name, v, out, emit && section_on(v, name), depth + 1, err, seen);
			if (p == NULL)
				return NULL;
			continue;
		}
		if (strcmp(name, "login") == 0 || strcmp(name, "logout") == 0) {
			gk_err_set(err, "template: {{%s}} is a section, not a value", name);
			return NULL;
		}
		if (emit)
			login_buf_html(out, value_of(v, name));
		p = next;
	}
	if (stop_name != NULL) {
		gk_err_set(err, "template: {{#%s}} is never closed", stop_name);
		return NULL;
	}
	return p;
}

int
login_template_check(const char *tpl, struct gk_err *err)
{
	struct login_vars v;
	unsigned seen = 0;
	/* The pieces the pages need: a name, and whether as a value ('\0') or a section ('#'). */
	static const struct { const char *name; char kind; } need[] = {
		{ "action", '\0' }, { "csrf", '\0' }, { "login", '#' }, { "logout", '#' }, { "message", '#' },
	};
	size_t i;

	memset(&v, 0, sizeof(v));
	if (strlen(tpl) > LOGIN_TEMPLATE_MAX)
		return gk_err_set(err, "template: larger than %d bytes", LOGIN_TEMPLATE_MAX);
	if (render(tpl, NULL, &v, NULL, false, 0, err, &seen) == NULL)
		return GK_EINVAL;
	for (i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if ((seen & 1u << (name_index(need[i].name) + (need[i].kind == '#' ? 16 : 0))) == 0) {
			gk_err_set(err, "template: {{%s%s}} is missing", need[i].kind == '#' ? "#" : "", need[i].name);
			return GK_EINVAL;
		}
	return GK_OK;
}

void
login_render(const char *tpl, const struct login_vars *v, struct login_buf *out)
{
	struct gk_err err;

	if (render(tpl, NULL, v, out, true, 0, &err, NULL) == NULL)
		out->failed = true;
}

int
login_template_load(const char *path, char **out, struct gk_err *err)
{
	struct stat st;
	char *buf;
	ssize_t r;
	size_t got = 0;
	int fd;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return gk_err_set(err, "login_template %s: %s", path, strerror(errno)), GK_EIO;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > LOGIN_TEMPLATE_MAX) {
		close(fd);
		return gk_err_set(err, "login_template %s: not a regular file of at most %d bytes",
		    path, LOGIN_TEMPLATE_MAX), GK_EINVAL;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL) {
		close(fd);
		return gk_err_set(err, "out of memory");
	}
	while (got < (size_t)st.st_size) {
		r = read(fd, buf + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	buf[got] = '\0';
	if (got != (size_t)st.st_size || memchr(buf, '\0', got) != NULL) {
		free(buf);
		return gk_err_set(err, "login_template %s: short read or NUL byte", path), GK_EINVAL;
	}
	if (login_template_check(buf, err) != GK_OK) {
		char msg[sizeof(err->msg)];

		memcpy(msg, err->msg, sizeof(msg));
		gk_err_set(err, "login_template %s: %s", path, msg);
		free(buf);
		return GK_EINVAL;
	}
	*out = buf;
	return GK_OK;
}
