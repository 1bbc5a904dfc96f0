/* fuzz_config.c: fuzz target for gk_config_load (file + GATEKEEP_* environment), checking print/load round trips. */
#include <config.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "fuzz.h"

#define ENV_SEP "\n--env--\n"

/*
 * gk_config_load reads a path and refuses non-regular or world-writable
 * files, so the input goes into a 0600 memfd opened via /proc/self/fd: no
 * temp files to clean up and no disk writes per execution.
 */
static int cfg_fd = -1;
static char cfg_path[64];

static void
put_file(const char *buf, size_t n)
{
	if (cfg_fd < 0) {
		if ((cfg_fd = memfd_create("gk-fuzz-config", MFD_CLOEXEC)) < 0 ||
		    fchmod(cfg_fd, 0600) != 0)
			abort();
		snprintf(cfg_path, sizeof(cfg_path), "/proc/self/fd/%d", cfg_fd);
	}
	if (ftruncate(cfg_fd, 0) != 0 || (n > 0 && pwrite(cfg_fd, buf, n, 0) != (ssize_t)n))
		abort();
}

/* Prints cfg into a malloc'ed string. */
static char *
print(const struct gk_config *cfg, size_t *lenp)
{
	char *buf = NULL;
	FILE *fp = open_memstream(&buf, lenp);

	if (fp == NULL)
		abort();
	gk_config_print(cfg, fp);
	if (fclose(fp) != 0)
		abort();
	return buf;
}

/*
 * Input: the config file, optionally followed by ENV_SEP and environment
 * entries ("GATEKEEP_RULE=...") one per line. Invariants: a documented
 * status, cfg zeroed on failure, and on success every char * field set and
 * the printed configuration loads again and prints identically (what
 * "gatekeep-authz --print-config" shows is what a file would configure).
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *sep = size > 0 ? memmem(data, size, ENV_SEP, strlen(ENV_SEP)) : NULL;
	size_t flen = sep != NULL ? (size_t)(sep - data) : size;
	char *envbuf = NULL, *envp[64], *p;
	struct gk_config cfg, cfg2;
	struct gk_err err;
	size_t n = 0;
	int rc;

	put_file((const char *)data, flen);
	if (sep != NULL) {
		envbuf = fuzz_cstr(sep + strlen(ENV_SEP), size - flen - strlen(ENV_SEP));
		for (p = envbuf; p != NULL && n < 63; ) {
			char *nl = strchr(p, '\n');

			if (nl != NULL)
				*nl++ = '\0';
			envp[n++] = p;
			p = nl;
		}
	}
	envp[n] = NULL;
	memset(&cfg, 0xa5, sizeof(cfg));
	rc = gk_config_load(&cfg, cfg_path, envp, &err);
	FUZZ_ASSERT(rc == GK_OK || rc < 0);
	if (rc != GK_OK) {
		FUZZ_ASSERT(memchr(err.msg, '\0', sizeof(err.msg)) != NULL);
	} else {
		size_t len1, len2;
		char *out1, *out2;

		FUZZ_ASSERT(cfg.database != NULL && cfg.secret_file != NULL && cfg.realm != NULL &&
		    cfg.login_url != NULL && cfg.cookie_name != NULL && cfg.state_dir != NULL);
		FUZZ_ASSERT(cfg.methods_count >= 1 && cfg.methods_count <= GK_METHODS_MAX);
		out1 = print(&cfg, &len1);
		put_file(out1, len1);
		rc = gk_config_load(&cfg2, cfg_path, NULL, &err);
		if (rc != GK_OK)
			fprintf(stderr, "reload failed: %s\n---\n%s---\n", err.msg, out1);
		FUZZ_ASSERT(rc == GK_OK);
		out2 = print(&cfg2, &len2);
		if (len1 != len2 || memcmp(out1, out2, len1) != 0)
			fprintf(stderr, "print differs:\n%s---\n%s---\n", out1, out2);
		FUZZ_ASSERT(len1 == len2 && memcmp(out1, out2, len1) == 0);
		free(out1);
		free(out2);
		gk_config_free(&cfg2);
		gk_config_free(&cfg);
	}
	free(envbuf);
	return 0;
}
