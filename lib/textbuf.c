/* textbuf.c: printf into a caller's fixed buffer, failed for good once a piece does not fit. */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>

#include "textbuf.h"

void
gk_textbuf_printf(struct gk_textbuf *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->failed)
		return;
	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->len, t->size - t->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= t->size - t->len)
		t->failed = true;
	else
		t->len += (size_t)n;
}
