/* login_main.c: gatekeep-login options and start-up, then one CGI request or the FastCGI server (login_serve.c). */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <sodium.h>

#include "login.h"
#include "login_serve.h"
#include "login_page.h"
#include "session_cookie.h"

extern char **environ;

static int64_t
wall_clock(void)
{
	return (int64_t)time(NULL);
}

#ifndef GK_LOGIN_FORCE_CGI
static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: gatekeep-login [-c FILE] [--listen unix:PATH|tcp:127.0.0.1:PORT] [--socket-mode MODE]\n"
	    "       [--socket-owner USER[:GROUP]] [--workers N] [-d|--debug]\n"
	    "       gatekeep-login [-c FILE] --check-config\n"
	    "       gatekeep-login --print-template\n"
	    "Runs as a CGI program when started by a web server's CGI module, as a FastCGI\n"
	    "responder when fd 0 is a listening socket (spawn-fcgi, mod_fcgid, systemd) or with --listen.\n");
}
#endif

/* Everything that can be wrong with the set-up is found here, before the first request. */
int
login_ctx_init(struct login_ctx *ctx, const char *cfgpath, struct gk_err *err)
{
	struct gk_lockout_conf lc;
	char msg[sizeof(err->msg)];

	memset(ctx, 0, sizeof(*ctx));
	ctx->now = wall_clock;
	gk_log_init(&ctx->log, "gatekeep-login", GK_LOG_STDERR, LOG_INFO);
	if (sodium_init() < 0)
		return gk_err_set(err, "libsodium initialisation failed");
	if (gk_config_load(&ctx->cfg, cfgpath, environ, err) != GK_OK)
		return GK_ERR;
	gk_log_init(&ctx->log, "gatekeep-login", (enum gk_log_target)ctx->cfg.log_target,
	    ctx->cfg.log_level);
	if (gk_cookie_domain_check(ctx->cfg.cookie_domain, err) != GK_OK)
		return GK_ERR;
	if (ctx->cfg.login_template != NULL && ctx->cfg.login_template[0] != '\0' &&
	    login_template_load(ctx->cfg.login_template, &ctx->template, err) != GK_OK)
		return GK_ERR;
	if (gk_secret_load(ctx->cfg.secret_file, &ctx->secret, err) != GK_OK) {
		memcpy(msg, err->msg, sizeof(msg));
		return gk_err_set(err, "secret_file %s: %s", ctx->cfg.secret_file, msg);
	}
	ctx->pw = gk_pw_ctx_new(err);
	if (ctx->pw == NULL)
		return GK_ERR;
	gk_lockout_conf_from(&lc, &ctx->cfg);
	/* No lockout table, no logins: failing open here would remove the brute-force limit. */
	if (gk_lockout_open(ctx->cfg.state_dir, &lc, &ctx->lk, err) != GK_OK)
		return GK_ERR;
	ctx->auth.pw = ctx->pw;
	ctx->auth.lockout_on = true;       /* max_failures = 0 makes the table allow everything */
	ctx->auth.lk = ctx->lk;
	ctx->auth.log = &ctx->log;
	ctx->auth.lookup = login_db_lookup;
	ctx->auth.lookup_arg = ctx;
	login_csp_init(ctx);
	{
		char *cs = NULL;
		int rc;

		if (login_oidc_read_secret(&ctx->cfg, environ, &cs, err) != GK_OK)
			return GK_ERR;
		rc = login_oidc_new(&ctx->cfg, cs, &ctx->log, &ctx->oidc, err);
		if (cs != NULL) {
			gk_wipe(cs, strlen(cs));
			free(cs);
		}
		if (rc != GK_OK && rc != GK_NOTFOUND)
			return GK_ERR;
	}
	return GK_OK;
}

int
login_secret_current(struct login_ctx *ctx)
{
	struct gk_err err = { "" };
	bool report;
	int rc;

	rc = gk_secret_refresh(ctx->cfg.secret_file, &ctx->secret, &report, &err);
	if (report)
		gk_log(&ctx->log, rc == GK_OK ? LOG_NOTICE : LOG_ERR, "secret_file %s: %s",
		    ctx->cfg.secret_file, rc == GK_OK ? "changed on disk, key reloaded" : err.msg);
	return rc;
}

void
login_ctx_free(struct login_ctx *ctx)
{
	gk_userdb_close(ctx->db);
	gk_pw_ctx_free(ctx->pw);
	gk_lockout_close(ctx->lk);
	login_oidc_free(ctx->oidc);
	gk_secret_wipe(&ctx->secret);
	free(ctx->template);
	gk_config_free(&ctx->cfg);
}

static int
run_cgi(struct login_ctx *ctx, bool ctx_ok, const char *ctx_err)
{
	struct login_buf out;
	char body[LOGIN_BODY_MAX + 1];
	long n;
	size_t got = 0;
	bool too_large = false;
	int rc = 0;

	if (!ctx_ok) {
		/* The server shows the admin's error page; the details go to the log only. */
		fprintf(stderr, "gatekeep-login: %s\n", ctx_err);
		fputs("Status: 500 Internal Server Error\r\nContent-Type: text/plain; charset=utf-8\r\n"
		    "Cache-Control: no-store\r\n\r\nThe sign-in service is not configured correctly.\n",
		    stdout);
		return 1;
	}
	n = login_content_length(getenv("CONTENT_LENGTH"));
	if (n < 0 || n > LOGIN_BODY_MAX) {
		too_large = n > LOGIN_BODY_MAX;
		n = 0;
	}
	while (got < (size_t)n) {
		size_t r = fread(body + got, 1, (size_t)n - got, stdin);

		if (r == 0)
			break;
		got += r;
	}
	body[got] = '\0';
	login_buf_init(&out);
	login_handle(ctx, environ, body, got, too_large, &out);
	gk_wipe(body, sizeof(body));
	if (out.failed || fwrite(out.p, 1, out.len, stdout) != out.len || fflush(stdout) != 0)
		rc = 1;
	login_buf_free(&out);
	return rc;
}

#ifndef GK_LOGIN_FORCE_CGI
static int
parse_long(const char *opt, const char *arg, int base, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, base);
	if (errno || *end || end == arg || v < lo || v > hi) {
		if (base == 8)
			fprintf(stderr, "gatekeep-login: %s %s: not an octal mode\n", opt, arg);
		else
			fprintf(stderr, "gatekeep-login: %s %s: %ld..%ld\n", opt, arg, lo, hi);
		return -1;
	}
	*out = v;
	return 0;
}
#endif

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "listen", required_argument, NULL, 'l' },
		{ "socket-mode", required_argument, NULL, 'm' },
		{ "socket-owner", required_argument, NULL, 'o' },
		{ "workers", required_argument, NULL, 'w' },
		{ "debug", no_argument, NULL, 'd' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "print-template", no_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct login_ctx ctx;
	struct login_opts o;
	struct gk_err err = { "" };
	bool check = false, cgi, ok;
	long v;
	int c, rc;

	memset(&o, 0, sizeof(o));
	o.mode = 0660;
#ifdef GK_LOGIN_FORCE_CGI
	/* login.cgi: a CGI program never takes options (a query string may arrive as argv). */
	cgi = true;
	(void)opts;
	(void)c;
	(void)v;
	(void)check;
#else
	/*
	 * Run as a CGI program, argv is the query string (Apache splits one without '=' on
	 * '+'): "?-c+/some/file" would pick the configuration. The environment says how.
	 */
	if (getenv("GATEWAY_INTERFACE") != NULL && argc > 1) {
		fprintf(stderr, "gatekeep-login: CGI request: command-line arguments ignored\n");
		argc = 1;
	}
	while ((c = getopt_long(argc, argv, "c:dhV", opts, NULL)) != -1) {
		switch (c) {
		case 'c': o.config = optarg; break;
		case 'l': o.listen = optarg; break;
		case 'm':
			if (parse_long("--socket-mode", optarg, 8, 0, 0777, &v) != 0)
				return 2;
			o.mode = (mode_t)v;
			break;
		case 'o': o.owner = optarg; break;
		case 'w':
			if (parse_long("--workers", optarg, 10, 1, LOGIN_WORKERS_MAX, &v) != 0)
				return 2;
			o.workers = v;
			o.workers_set = true;
			break;
		case 'd': o.debug = true; break;
		case 'C': check = true; break;
		case 'T': fputs(login_template_default(), stdout); return 0;
		case 'h': usage(stdout); return 0;
		case 'V': puts("gatekeep-login " PACKAGE_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	cgi = o.listen == NULL && !check && FCGX_IsCGI();
	if (!cgi && !check)
		return login_serve(&o);
#endif
	ok = login_ctx_init(&ctx, o.config, &err) == GK_OK;
	if (cgi) {
		rc = run_cgi(&ctx, ok, err.msg);
		login_ctx_free(&ctx);
		return rc;
	}
	if (!ok) {
		fprintf(stderr, "gatekeep-login: %s\n", err.msg);
		login_ctx_free(&ctx);
		return 1;
	}
	printf("gatekeep-login: configuration OK\n");
	login_ctx_free(&ctx);
	return 0;
}
