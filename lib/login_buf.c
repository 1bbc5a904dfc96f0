/* login_buf.c: a growable, capped output buffer for building a whole response before sending it. */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "login_buf.h"

void
login_buf_init(struct login_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void
login_buf_free(struct login_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

void
login_buf_reset(struct login_buf *b)
{
	b->len = 0;
	b->failed = false;
	if (b->p != NULL)
		b->p[0] = '\0';
}

void
login_buf_add(struct login_buf *b, const char *s, size_t n)
{
	size_t want;
	char *np;

	if (b->failed)
		return;
	if (n > LOGIN_BUF_CAP - b->len) {
		b->failed = true;
		return;
	}
	want = b->len + n + 1;
	if (want > b->size) {
		size_t ns = b->size ? b->size : 4096;

		while (ns < want)
			ns *= 2;
		np = realloc(b->p, ns);
		if (np == NULL) {
			b->failed = true;
			return;
		}
		b->p = np;
		b->size = ns;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
login_buf_puts(struct login_buf *b, const char *s)
{
	login_buf_add(b, s, strlen(s));
}

void
login_buf_printf(struct login_buf *b, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		b->failed = true;       /* callers only format short, bounded things */
		return;
	}
	login_buf_add(b, tmp, (size_t)n);
}

void
login_buf_html(struct login_buf *b, const char *s)
{
	const char *run = s;

	for (; *s != '\0'; s++) {
		const char *ent;

		switch (*s) {
		case '&': ent = "&amp;"; break;
		case '<': ent = "&lt;"; break;
		case '>': ent = "&gt;"; break;
		case '"': ent = "&quot;"; break;
		case '\'': ent = "&#39;"; break;
		default: continue;
		}
		login_buf_add(b, run, (size_t)(s - run));
		login_buf_puts(b, ent);
		run = s + 1;
	}
	login_buf_add(b, run, (size_t)(s - run));
}
