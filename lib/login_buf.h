/* login_buf.h: a growable, capped output buffer for building a whole response before sending it. */
#ifndef GK_LOGIN_BUF_H
#define GK_LOGIN_BUF_H

#include <stdbool.h>
#include <stddef.h>

#define LOGIN_BUF_CAP (256 * 1024)   /* no page we build is near this; a template is capped lower */

struct login_buf {
	char *p;
	size_t len, size;
	bool failed;          /* an append ran out of memory or over the cap: send a 500 instead */
};

void login_buf_init(struct login_buf *b);
void login_buf_free(struct login_buf *b);
void login_buf_reset(struct login_buf *b);
void login_buf_add(struct login_buf *b, const char *s, size_t n);
void login_buf_puts(struct login_buf *b, const char *s);
void login_buf_printf(struct login_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s with & < > " ' replaced by entities: safe in text and in quoted attributes. */
void login_buf_html(struct login_buf *b, const char *s);

#endif
