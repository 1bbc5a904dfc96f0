/* metrics_start.c: a program's counters file in state_dir mapped at start, or metrics off with a log line. */
#include <config.h>

#include "metrics.h"
#include "metrics_start.h"
#include "statedir.h"

bool
gk_metrics_wanted(const struct gk_config *cfg)
{
	return (cfg->metrics_path != NULL && cfg->metrics_path[0] != '\0') ||
	    (cfg->ready_path != NULL && cfg->ready_path[0] != '\0');
}

void
gk_metrics_prepare(const struct gk_config *cfg, const struct gk_log *log)
{
	struct gk_err err = { "" };

	if (gk_metrics_wanted(cfg) && gk_state_dir_prepare(cfg, log, &err) != GK_OK)
		gk_log(log, LOG_ERR, "metrics off: %s", err.msg);
}

void
gk_metrics_start(const struct gk_config *cfg, bool login, const struct gk_log *log)
{
	struct gk_err err = { "" };
	char path[4096];

	if (!login && !gk_metrics_wanted(cfg))
		return;
	if (gk_state_dir_file(cfg, login ? GK_METRICS_FILE_LOGIN : GK_METRICS_FILE_AUTHZ, path,
	    sizeof(path)) != GK_OK) {
		gk_log(log, LOG_ERR, "metrics off: state_dir path too long");
		return;
	}
	if (gk_metrics_open_file(path, &err) != GK_OK) {
		gk_log(log, LOG_ERR, "metrics off: %s", err.msg);
		return;
	}
	if (!login && gk_state_dir_file(cfg, GK_METRICS_FILE_LOGIN, path, sizeof(path)) == GK_OK)
		gk_metrics_peer(path);
}
