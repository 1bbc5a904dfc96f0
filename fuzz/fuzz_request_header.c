/* fuzz_request_header.c: fuzz target for gk_request_header and the request view over a synthetic envp. */
#include <config.h>
#include "request.h"
#include "fuzz.h"

#define ENV_MAX 256

/*
 * Input: a header field name, '\n', then "NAME=value" entries separated by
 * '\n' (each copied into its own exact-size allocation, so ASan sees reads
 * past an entry). Invariants: documented statuses only, consistent with
 * gk_request_param_count of the meta-variable name; a returned value is the
 * first occurrence, bounded and free of control bytes; meta names are
 * "HTTP_" + [A-Z0-9_].
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *hdr, *envp[ENV_MAX + 1], meta[300], *metax;
	const uint8_t *rest, *p, *end;
	struct gk_request req;
	const char *value = NULL, *first;
	size_t restlen, n = 0, count, i;
	int rc, mrc;

	fuzz_split(data, size, &hdr, &rest, &restlen);
	if (hdr == NULL)
		hdr = fuzz_cstr((const uint8_t *)"Remote-User", 11);
	for (p = rest, end = rest + restlen; p < end && n < ENV_MAX; ) {
		const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));

		if (nl == NULL)
			nl = end;
		envp[n++] = fuzz_cstr(p, (size_t)(nl - p));
		p = nl + 1;
	}
	envp[n] = NULL;
	gk_request_init(&req, envp);

	mrc = gk_header_meta_name(hdr, meta, sizeof(meta));
	FUZZ_ASSERT(mrc == GK_OK || mrc == GK_EINVAL || mrc == GK_ETOOLONG);
	if (mrc == GK_OK) {
		size_t ml = strlen(meta);

		FUZZ_ASSERT(strncmp(meta, "HTTP_", 5) == 0 && ml > 5);
		for (i = 0; i < ml; i++)
			FUZZ_ASSERT((meta[i] >= 'A' && meta[i] <= 'Z') ||
			    (meta[i] >= '0' && meta[i] <= '9') || meta[i] == '_');
		/* exact-size output buffer: fits with ml+1, not with ml */
		metax = malloc(ml + 1);
		FUZZ_ASSERT(gk_header_meta_name(hdr, metax, ml + 1) == GK_OK);
		FUZZ_ASSERT(gk_header_meta_name(hdr, metax, ml) == GK_ETOOLONG);
		free(metax);
	}
	rc = gk_request_header(&req, hdr, &value);
	FUZZ_ASSERT(rc == GK_OK || rc == GK_NOTFOUND || rc == GK_EDUP || rc == GK_ETOOLONG ||
	    rc == GK_EINVAL);
	if (mrc != GK_OK)
		FUZZ_ASSERT(rc == GK_EINVAL || rc == GK_ETOOLONG);
	else {
		count = gk_request_param_count(&req, meta);
		first = gk_request_param(&req, meta);
		FUZZ_ASSERT((count == 0) == (first == NULL));
		if (rc == GK_NOTFOUND)
			FUZZ_ASSERT(count == 0);
		if (rc == GK_EDUP)
			FUZZ_ASSERT(count > 1);
		if (rc == GK_OK) {
			FUZZ_ASSERT(count == 1 && value == first);
			FUZZ_ASSERT(strlen(value) <= GK_HEADER_MAX);
			FUZZ_ASSERT(fuzz_no_ctl(value));
		}
	}
	/* the other accessors must cope with any envp */
	(void)gk_request_role(&req);
	(void)gk_request_remote_addr(&req);
	(void)gk_request_method(&req);
	(void)gk_request_uri(&req);
	for (i = 0; i < n; i++)
		free(envp[i]);
	free(hdr);
	return 0;
}
