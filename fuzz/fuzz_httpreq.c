/* fuzz_httpreq.c: fuzz target for gk_httpreq_parse and gk_httpconn_params (gatekeep-authz's HTTP socket). */
#include <config.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fcgiguard.h"
#include "httpconn.h"
#include "httpreq.h"
#include "fuzz.h"

/* What an accepted head must be, read independently: CRLF lines, no control bytes. */
static void
reference(const uint8_t *b, const struct gk_httpreq *r)
{
	size_t i;

	FUZZ_ASSERT(r->length >= 4 && memcmp(b + r->length - 4, "\r\n\r\n", 4) == 0);
	for (i = 0; i + 4 < r->length; i++) {
		FUZZ_ASSERT(b[i] != '\0' && b[i] != 0x7f);
		FUZZ_ASSERT(b[i] != '\n' || (i > 0 && b[i - 1] == '\r'));
		FUZZ_ASSERT(b[i] != '\r' || b[i + 1] == '\n');
		FUZZ_ASSERT(b[i] >= 0x20 || b[i] == '\t' || b[i] == '\r' || b[i] == '\n');
	}
	FUZZ_ASSERT(r->mlen > 0 && r->tlen > 0 && r->target[0] == '/');
	FUZZ_ASSERT(r->minor == 0 || r->minor == 1);
	for (i = 0; i < r->nfields; i++) {
		const struct gk_httpreq_field *f = &r->fields[i];

		FUZZ_ASSERT(f->nlen > 0 && memchr(f->name, ':', f->nlen) == NULL);
		FUZZ_ASSERT(f->nlen != 17 || strncasecmp(f->name, "Transfer-Encoding", 17) != 0);
		FUZZ_ASSERT(f->vlen == 0 || (f->value[0] != ' ' && f->value[f->vlen - 1] != ' '));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct gk_httpreq r, r2;
	struct gk_fcgiguard_limits lim;
	const char *why = NULL;
	char *out, **vec;
	char resp[512];
	size_t i, n;
	int rc;

	rc = gk_httpreq_parse(data, size, &r);
	FUZZ_ASSERT(rc == GK_OK || rc == GK_HTTPREQ_INCOMPLETE || rc == GK_EINVAL ||
	    rc == GK_ETOOLONG);
	if (rc == GK_EINVAL || rc == GK_ETOOLONG)
		FUZZ_ASSERT(r.reason != NULL && r.status >= 400 && r.status < 600);
	if (rc == GK_HTTPREQ_INCOMPLETE)
		FUZZ_ASSERT(size < GK_HTTPREQ_HEAD_MAX);
	/* a refusal or an incomplete head stays so with more bytes cut off the end */
	if (rc != GK_OK && size > 0 && rc != GK_ETOOLONG) {
		int rc2 = gk_httpreq_parse(data, size - 1, &r2);

		FUZZ_ASSERT(rc2 == rc || (rc == GK_EINVAL && rc2 == GK_HTTPREQ_INCOMPLETE));
	}
	if (rc != GK_OK)
		return 0;
	reference(data, &r);
	rc = gk_httpreq_parse(data, r.length - 1, &r2);
	FUZZ_ASSERT(rc == GK_HTTPREQ_INCOMPLETE);
	gk_fcgiguard_defaults(&lim);
	out = malloc(64 * 1024);
	vec = calloc(256, sizeof(*vec));
	FUZZ_ASSERT(out != NULL && vec != NULL);
	rc = gk_httpconn_params(&r, &lim, out, 64 * 1024, vec, 256, &why);
	FUZZ_ASSERT(rc == GK_OK || ((rc == GK_EINVAL || rc == GK_ETOOLONG) && why != NULL));
	if (rc == GK_OK) {
		FUZZ_ASSERT(strcmp(vec[0], "FCGI_ROLE=RESPONDER") == 0);
		for (i = 0; vec[i] != NULL; i++) {
			FUZZ_ASSERT(strchr(vec[i], '=') != NULL && vec[i][0] != '=');
			/* a field never becomes a param without the HTTP_ prefix but ours */
			FUZZ_ASSERT(i < 9 || strncmp(vec[i], "HTTP_", 5) == 0);
		}
	}
	n = gk_httpconn_response((const char *)data, size < 300 ? size : 300, r.close, resp,
	    sizeof(resp));
	FUZZ_ASSERT(n == 0 || (n >= 17 && memcmp(resp, "HTTP/1.1 ", 9) == 0));
	free(out);
	free(vec);
	return 0;
}
