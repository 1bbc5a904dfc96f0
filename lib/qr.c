/* qr.c: QR codes from libqrencode, drawn as UTF-8 half blocks or an SVG path. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qrencode.h>

#include "qr.h"

#define QUIET 4

static QRcode *
encode(const char *text)
{
	if (text == NULL || strlen(text) > 1024)
		return NULL;
	return QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
}

/* Is module (x, y) dark? Outside the symbol (quiet zone) it is light. */
static bool
dark(const QRcode *q, int x, int y)
{
	if (x < 0 || y < 0 || x >= q->width || y >= q->width)
		return false;
	return (q->data[y * q->width + x] & 1) != 0;
}

char *
gk_qr_terminal(const char *text, bool invert)
{
	/* index: top dark << 1 | bottom dark; a light module is drawn (full, upper, lower half, none) */
	static const char *const cell[4] = { "\xe2\x96\x88", "\xe2\x96\x80", "\xe2\x96\x84", " " };
	QRcode *q = encode(text);
	char *out, *p;
	int x, y, w;
	size_t cap;

	if (q == NULL)
		return NULL;
	w = q->width + 2 * QUIET;
	cap = (size_t)((w + 1) / 2 + 1) * ((size_t)w * 3 + 1) + 1;
	if ((out = malloc(cap)) == NULL) {
		QRcode_free(q);
		return NULL;
	}
	p = out;
	for (y = -QUIET; y < q->width + QUIET; y += 2) {
		for (x = -QUIET; x < q->width + QUIET; x++) {
			bool t = dark(q, x, y), b = dark(q, x, y + 1);
			int i;

			if (invert)
				t = !t, b = !b;
			i = (t ? 2 : 0) | (b ? 1 : 0);
			memcpy(p, cell[i], strlen(cell[i]));
			p += strlen(cell[i]);
		}
		*p++ = '\n';
	}
	*p = '\0';
	QRcode_free(q);
	return out;
}

char *
gk_qr_svg(const char *text)
{
	QRcode *q = encode(text);
	char *out, *p;
	size_t cap, left;
	int x, y, w, n;

	if (q == NULL)
		return NULL;
	w = q->width + 2 * QUIET;
	/* "M{x} {y}h1v1h-1z" per dark module, at most 20 bytes each, plus the frame */
	cap = (size_t)q->width * (size_t)q->width * 20 + 512;
	if ((out = malloc(cap)) == NULL) {
		QRcode_free(q);
		return NULL;
	}
	p = out;
	left = cap;
	n = snprintf(p, left, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
	    "width=\"%d\" height=\"%d\" shape-rendering=\"crispEdges\">"
	    "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
	    w, w, w * 6, w * 6, w, w);
	p += n, left -= (size_t)n;
	for (y = 0; y < q->width; y++)
		for (x = 0; x < q->width; x++)
			if (dark(q, x, y)) {
				n = snprintf(p, left, "M%d %dh1v1h-1z", x + QUIET, y + QUIET);
				p += n, left -= (size_t)n;
			}
	snprintf(p, left, "\"/></svg>");
	QRcode_free(q);
	return out;
}
