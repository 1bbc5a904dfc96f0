/* textbuf.h: printf into a caller's fixed buffer, failed for good once a piece does not fit. */
#ifndef GK_TEXTBUF_H
#define GK_TEXTBUF_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Set the fields directly: { .buf = buf, .size = bufsz }. After a failure the
 * text is cut short somewhere: the caller sends none of it (an error answer,
 * or nothing).
 */
struct gk_textbuf {
	char *buf;
	size_t size, len;       /* len: the length of the text so far */
	bool failed;            /* an append did not fit, or the caller refused a value */
};

/* Appends the formatted text; nothing once failed. */
void gk_textbuf_printf(struct gk_textbuf *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
