/* login_main.c: gatekeep-login start-up, then one CGI request or a FastCGI responder loop. */
#include <config.h>	/* autoconf's, not lib/config.h */

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
	    "       gatekeep-login [-c FILE] --check-config\n"
	    "       gatekeep-login --print-template\n"
	    "Runs as a CGI program when started by a web server's CGI module, as a FastCGI\n"
	    "responder when fd 0 is a listening socket (spawn-fcgi, mod_fcgid, systemd) or with --listen.\n");
}
#endif

/* Everything that can be wrong with the set-up is found here, before the first request. */
static int
ctx_init(struct login_ctx *ctx, const char *cfgpath, struct gk_err *err)
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
	lc.max_failures = ctx->cfg.max_failures;
	lc.find_time = ctx->cfg.find_time;
	lc.ban_time = ctx->cfg.ban_time;
	/* No lockout table, no logins: failing open here would remove the brute-force limit. */
	if (gk_lockout_open(ctx->cfg.state_dir, &lc, &ctx->lk, err) != GK_OK)
		return GK_ERR;
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

static void
ctx_free(struct login_ctx *ctx)
{
	gk_userdb_close(ctx->db);
	gk_pw_ctx_free(ctx->pw);
	gk_lockout_close(ctx->lk);
	login_oidc_free(ctx->oidc);
	gk_secret_wipe(&ctx->secret);
	free(ctx->template);
	gk_config_free(&ctx->cfg);
}

/* CONTENT_LENGTH as a bounded number; -1 when absent or malformed. */
static long
content_length(const char *s)
{
	char *end;
	long n;

	if (s == NULL || *s == '\0')
		return 0;
	if (strspn(s, "0123456789") != strlen(s) || strlen(s) > 9)
		return -1;
	errno = 0;
	n = strtol(s, &end, 10);
	return errno != 0 ? -1 : n;
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
	n = content_length(getenv("CONTENT_LENGTH"));
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

static volatile sig_atomic_t stopping;

static void
on_term(int sig)
{
	(void)sig;
	stopping = 1;
	FCGX_ShutdownPending();
}

static int
run_fcgi(struct login_ctx *ctx, int listen_fd)
{
	FCGX_Request r;
	struct login_buf out;
	char *body;
	struct sigaction sa;
	long n;
	int got;
	bool too_large;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	body = malloc(LOGIN_BODY_MAX + 1);
	if (body == NULL || FCGX_InitRequest(&r, listen_fd, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
		free(body);
		gk_log(&ctx->log, LOG_ERR, "cannot set up the FastCGI request");
		return 1;
	}
	login_buf_init(&out);
	gk_log(&ctx->log, LOG_INFO, "FastCGI responder ready");
	while (!stopping && FCGX_Accept_r(&r) >= 0) {
		/* Per-request state starts empty every time (CVE-2011-2766 class). */
		too_large = false;
		got = 0;
		n = content_length(FCGX_GetParam("CONTENT_LENGTH", r.envp));
		if (n < 0 || n > LOGIN_BODY_MAX) {
			too_large = n > LOGIN_BODY_MAX;
			n = 0;
		}
		if (n > 0)
			got = FCGX_GetStr(body, (int)n, r.in);
		if (got < 0)
			got = 0;
		body[got] = '\0';
		login_buf_reset(&out);
		login_handle(ctx, r.envp, body, (size_t)got, too_large, &out);
		gk_wipe(body, LOGIN_BODY_MAX + 1);
		if (!out.failed)
			FCGX_PutStr(out.p, (int)out.len, r.out);
		FCGX_Finish_r(&r);
	}
	login_buf_free(&out);
	free(body);
	return 0;
}

/* --listen unix:PATH (mode from --socket-mode) or tcp:127.0.0.1:PORT (loopback only). */
static int
open_listener(const char *spec, const char *mode, struct gk_err *err)
{
	int fd;
	unsigned long m;

	if (strncmp(spec, "unix:", 5) == 0 && spec[5] == '/') {
		fd = FCGX_OpenSocket(spec + 5, 128);
		if (fd < 0)
			return gk_err_set(err, "cannot listen on %s", spec), -1;
		m = strtoul(mode != NULL ? mode : "0660", NULL, 8);
		if (chmod(spec + 5, (mode_t)(m & 0777)) != 0)
			return gk_err_set(err, "chmod %s: %s", spec + 5, strerror(errno)), -1;
		return fd;
	}
	if (strncmp(spec, "tcp:127.", 8) == 0 || strncmp(spec, "tcp:localhost:", 14) == 0) {
		fd = FCGX_OpenSocket(spec + 4, 128);
		if (fd < 0)
			return gk_err_set(err, "cannot listen on %s", spec), -1;
		return fd;
	}
	return gk_err_set(err, "--listen takes unix:/absolute/path or tcp:127.x.y.z:PORT "
	    "(never a routable address: the FastCGI socket is not authenticated)"), -1;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "listen", required_argument, NULL, 'l' },
		{ "socket-mode", required_argument, NULL, 'm' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "print-template", no_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct login_ctx ctx;
	struct gk_err err = { "" };
	const char *cfgpath = NULL, *listen_spec = NULL, *sock_mode = NULL;
	bool check = false, cgi, ok;
	int c, rc, fd = 0;

#ifdef GK_LOGIN_FORCE_CGI
	/* login.cgi: a CGI program never takes options (a query string may arrive as argv). */
	cgi = true;
	(void)opts;
	(void)c;
#else
	while ((c = getopt_long(argc, argv, "c:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c': cfgpath = optarg; break;
		case 'l': listen_spec = optarg; break;
		case 'm': sock_mode = optarg; break;
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
	cgi = listen_spec == NULL && !check && FCGX_IsCGI();
#endif
	ok = ctx_init(&ctx, cfgpath, &err) == GK_OK;
	if (cgi) {
		rc = run_cgi(&ctx, ok, err.msg);
		ctx_free(&ctx);
		return rc;
	}
	if (!ok) {
		fprintf(stderr, "gatekeep-login: %s\n", err.msg);
		ctx_free(&ctx);
		return 1;
	}
	if (check) {
		printf("gatekeep-login: configuration OK\n");
		ctx_free(&ctx);
		return 0;
	}
	if (FCGX_Init() != 0) {
		fprintf(stderr, "gatekeep-login: FCGX_Init failed\n");
		ctx_free(&ctx);
		return 1;
	}
	if (listen_spec != NULL && (fd = open_listener(listen_spec, sock_mode, &err)) < 0) {
		fprintf(stderr, "gatekeep-login: %s\n", err.msg);
		ctx_free(&ctx);
		return 1;
	}
	rc = run_fcgi(&ctx, fd);
	ctx_free(&ctx);
	return rc;
}
