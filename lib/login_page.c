/* login_page.c: the page template ({{name}} placeholders, {{#name}}...{{/name}} sections), always HTML-escaped. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "login_page.h"

/* Generated at build time from contrib/login/login.html (lib/login.mk). */
#include "lib/login_default.h"

#define NAME_MAX_LEN 16

static const char *const names[] = {
	"title", "realm", "action", "csrf", "rd", "user", "error", "message", "login_url",
	"login", "logout", "oidc_url", "oidc_label",
	"code", "pending", "passkey_url",
};

const char *
login_template_default(void)
{
	return login_default_template;
}

static const char *
value_of(const struct login_vars *v, const char *n)
{
	const char *s = NULL;

	if (strcmp(n, "title") == 0) s = v->title;
	else if (strcmp(n, "realm") == 0) s = v->realm;
	else if (strcmp(n, "action") == 0) s = v->action;
	else if (strcmp(n, "csrf") == 0) s = v->csrf;
	else if (strcmp(n, "rd") == 0) s = v->rd;
	else if (strcmp(n, "user") == 0) s = v->user;
	else if (strcmp(n, "error") == 0) s = v->error;
	else if (strcmp(n, "message") == 0) s = v->message;
	else if (strcmp(n, "login_url") == 0) s = v->login_url;
	else if (strcmp(n, "oidc_url") == 0) s = v->oidc_url;
	else if (strcmp(n, "oidc_label") == 0) s = v->oidc_label;
	else if (strcmp(n, "pending") == 0) s = v->pending;
	else if (strcmp(n, "passkey_url") == 0) s = v->passkey_url;
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

static bool
known(const char *n)
{
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(n, names[i]) == 0)
			return true;
	return false;
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
	size_t i;

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
		if (next == NULL || !known(name)) {
			gk_err_set(err, "template: bad or unknown placeholder at byte %zu", (size_t)(t - p));
			return NULL;
		}
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strcmp(name, names[i]) == 0 && seen != NULL)
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
	static const struct { const char *what; unsigned bit; } need[] = {
		{ "{{action}}", 1u << 2 }, { "{{csrf}}", 1u << 3 },
		{ "{{#login}}", 1u << (16 + 9) }, { "{{#logout}}", 1u << (16 + 10) },
		{ "{{#message}}", 1u << (16 + 7) },
	};
	size_t i;

	memset(&v, 0, sizeof(v));
	if (strlen(tpl) > LOGIN_TEMPLATE_MAX)
		return gk_err_set(err, "template: larger than %d bytes", LOGIN_TEMPLATE_MAX);
	if (render(tpl, NULL, &v, NULL, false, 0, err, &seen) == NULL)
		return GK_EINVAL;
	for (i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if ((seen & need[i].bit) == 0) {
			gk_err_set(err, "template: %s is missing", need[i].what);
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
