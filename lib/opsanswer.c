/* opsanswer.c: the operations endpoints gatekeep-authz answers itself: metrics, liveness, readiness. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "metrics.h"
#include "opsanswer.h"
#include "request.h"
#include "secret.h"
#include "userbackend.h"

enum ops_kind { OPS_NONE, OPS_METRICS, OPS_HEALTH, OPS_READY };

static size_t
plain(char *out, size_t outsz, int status, const char *body, bool head)
{
	/* RFC 9110 15.5.6: a 405 names the methods the resource takes. */
	int n = snprintf(out, outsz, "Status: %d\r\n%sContent-Type: text/plain; charset=utf-8\r\n"
	    "Cache-Control: no-store\r\n\r\n%s", status, status == 405 ? "Allow: GET, HEAD\r\n" : "",
	    head ? "" : body);

	return n < 0 || (size_t)n >= outsz ? 0 : (size_t)n;
}

static enum ops_kind
kind_of(const struct gk_config *cfg, const char *p)
{
	if (p == NULL)
		return OPS_NONE;
	if (cfg->metrics_path[0] != '\0' && strcmp(p, cfg->metrics_path) == 0)
		return OPS_METRICS;
	if (cfg->health_path[0] != '\0' && strcmp(p, cfg->health_path) == 0)
		return OPS_HEALTH;
	if (cfg->ready_path[0] != '\0' && strcmp(p, cfg->ready_path) == 0)
		return OPS_READY;
	return OPS_NONE;
}

int
gk_ops_ready(const struct gk_config *cfg, struct gk_err *why)
{
	struct gk_err e = { "" };
	char probe[4200];
	size_t alive, wanted;
	int rc, fd, n;

	if (gk_userbackend_probe(cfg, why) != GK_OK)    /* the GDBM file or the directory */
		return GK_ERR;
	if (gk_config_uses_method(cfg, GK_M_SESSION)) {
		struct gk_secret s;

		memset(&s, 0, sizeof(s));
		rc = gk_secret_load(cfg->secret_file, &s, &e);
		gk_wipe(&s, sizeof(s));
		if (rc != GK_OK)
			return gk_err_set(why, "secret: %s", e.msg);
	}
	if (gk_config_uses_method(cfg, GK_M_BASIC) && cfg->max_failures > 0) {
		/* lib/conf.c filled an empty state_dir with "state" beside the database */
		n = snprintf(probe, sizeof(probe), "%s/.ready-%ld", cfg->state_dir, (long)getpid());
		if (n < 0 || (size_t)n >= sizeof(probe))
			return gk_err_set(why, "state directory: path too long");
		if ((fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0)
			return gk_err_set(why, "state directory %s: %s", cfg->state_dir, strerror(errno));
		close(fd);
		unlink(probe);
	}
	gk_metrics_workers_get(&alive, &wanted);
	if (alive < wanted)
		return gk_err_set(why, "workers: %zu of %zu running", alive, wanted);
	return GK_OK;
}

size_t
gk_ops_answer(const struct gk_config *cfg, const struct gk_log *log, bool responder,
    char *const *envp, char *out, size_t outsz)
{
	struct gk_request req;
	const char *routed, *uri, *method, *from;
	enum ops_kind k;
	struct gk_err why = { "" };
	size_t n, h;
	bool head;
	char path[GK_PATH_MAX + 1], body[sizeof(why.msg) + 32];

	if (!responder || (cfg->metrics_path[0] == '\0' && cfg->health_path[0] == '\0' &&
	    cfg->ready_path[0] == '\0'))
		return 0;
	gk_request_init(&req, envp);
	routed = gk_request_param(&req, "DOCUMENT_URI");
	if (routed == NULL)
		routed = gk_request_param(&req, "SCRIPT_NAME");
	if ((k = kind_of(cfg, routed)) == OPS_NONE)
		return 0;
	/* Routed here by the web server: from now on an ops answer, never a decision. */
	from = gk_request_remote_addr(&req);
	uri = gk_request_param(&req, "REQUEST_URI");
	method = gk_request_param(&req, "REQUEST_METHOD");
	n = uri == NULL ? 0 : strcspn(uri, "?");
	if (uri == NULL || n > GK_PATH_MAX || gk_request_param_count(&req, "REQUEST_URI") != 1 ||
	    gk_request_param_count(&req, "DOCUMENT_URI") > 1 ||
	    gk_request_param_count(&req, "SCRIPT_NAME") > 1) {
		gk_log_decision(log, false, NULL, "ops", from, "ops-bad-request", routed);
		return plain(out, outsz, 404, "not found\n", false);
	}
	memcpy(path, uri, n);
	path[n] = '\0';
	/*
	 * A forward_auth check (Caddy, Traefik) names the original request in these headers:
	 * with metrics_path set to the auth endpoint by mistake, a 200 here would allow it.
	 */
	if (gk_request_param(&req, "HTTP_X_FORWARDED_URI") != NULL ||
	    gk_request_param(&req, "HTTP_X_FORWARDED_METHOD") != NULL ||
	    gk_request_param(&req, "HTTP_X_ORIGINAL_URI") != NULL) {
		gk_log_decision(log, false, NULL, "ops", from, "ops-forward-auth", path);
		return plain(out, outsz, 404, "not found\n", false);
	}
	if (kind_of(cfg, path) != k) {
		gk_log_decision(log, false, NULL, "ops", from, "ops-path-spelling", path);
		return plain(out, outsz, 404, "not found\n", false);
	}
	if (from == NULL || gk_request_param_count(&req, "REMOTE_ADDR") != 1 ||
	    !gk_cidr_list_match(&cfg->metrics_allow_from, from)) {
		gk_log_decision(log, false, NULL, "ops", from, "ops-not-allowed", path);
		return plain(out, outsz, 403, "forbidden\n", false);
	}
	if (method == NULL || (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)) {
		gk_log_decision(log, false, NULL, "ops", from, "ops-method", path);
		return plain(out, outsz, 405, "GET or HEAD\n", false);
	}
	head = strcmp(method, "HEAD") == 0;
	switch (k) {
	case OPS_HEALTH:
		return plain(out, outsz, 200, "alive\n", head);
	case OPS_READY:
		if (gk_ops_ready(cfg, &why) != GK_OK) {
			gk_log(log, LOG_WARNING, "not ready: %s", why.msg);
			snprintf(body, sizeof(body), "not ready: %s\n", why.msg);
			return plain(out, outsz, 503, body, head);
		}
		return plain(out, outsz, 200, "ready\n", head);
	default:
		break;
	}
	if (!gk_metrics_enabled()) {
		/* the counters file failed its checks at start (logged then): no counts to serve */
		gk_log(log, LOG_WARNING, "metrics: off in this process (see its start-up log)");
		return plain(out, outsz, 503, "metrics are off\n", head);
	}
	h = (size_t)snprintf(out, outsz, "Status: 200\r\nContent-Type: " GK_METRICS_CONTENT_TYPE
	    "\r\nCache-Control: no-store\r\n\r\n");
	if (h >= outsz)
		return 0;
	if (head)
		return h;
	n = gk_metrics_render(out + h, outsz - h, (int64_t)time(NULL));
	if (n == 0) {
		gk_log(log, LOG_ERR, "metrics: the exposition is larger than %zu bytes", outsz);
		return plain(out, outsz, 503, "metrics do not fit\n", false);
	}
	return h + n;
}
