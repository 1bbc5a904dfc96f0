/* qr.h: a QR code (libqrencode) drawn for a terminal (UTF-8 half blocks) or as an SVG image. */
#ifndef GK_QR_H
#define GK_QR_H

#include "common.h"

/*
 * Both encode text (NUL-terminated, <= 1024 bytes) at error-correction level
 * M with a four-module quiet zone and return a malloc'ed NUL-terminated
 * string, or NULL (out of memory, or text too long to encode).
 *
 * gk_qr_terminal: two module rows per text line, dark modules drawn in the
 * terminal's background colour: the code reads on a dark-on-light or a
 * light-on-dark terminal because it is drawn with both ("invert" inverts).
 * gk_qr_svg: a self-contained SVG (one path, no script, no external
 * reference), for an <img src="data:image/svg+xml;base64,..."> under a CSP
 * that allows img-src data:.
 */
char *gk_qr_terminal(const char *text, bool invert);
char *gk_qr_svg(const char *text);

#endif
