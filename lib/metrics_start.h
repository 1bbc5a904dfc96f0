/* metrics_start.h: a program's counters file in state_dir mapped at start, or metrics off with a log line. */
#ifndef GK_METRICS_START_H
#define GK_METRICS_START_H

#include <stdbool.h>

#include "conf.h"
#include "log.h"

/* Whether gatekeep-authz keeps counters: metrics_path or ready_path is set. */
bool gk_metrics_wanted(const struct gk_config *cfg);

/*
 * Before the privilege drop, when gk_metrics_wanted and nothing else needs state_dir: makes
 * it ready for run_user (lib/statedir); a failure is logged and only turns metrics off.
 */
void gk_metrics_prepare(const struct gk_config *cfg, const struct gk_log *log);

/*
 * As the user that serves, before the workers fork (and in each process a web server
 * spawns): maps state_dir/metrics-login (login) or state_dir/metrics-authz (gatekeep-authz,
 * when gk_metrics_wanted; it also reads gatekeep-login's file at each scrape).  A file that
 * cannot be used (a symlink, another owner, group/other writable, no space) is logged and
 * metrics stay off: never a refusal of service, never a crash.
 */
void gk_metrics_start(const struct gk_config *cfg, bool login, const struct gk_log *log);

#endif
