/* conf_check.c: the checks across keys that keep a loaded configuration from opening what it should close. */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "conf_keys.h"
#include "ldapconf.h"
#include "policy.h"
#include "statestore.h"

int
gk_config_validate(const struct gk_config *cfg, struct gk_err *err)
{
	size_t i, j;

	if (gk_ldapconf_check(cfg, err) != GK_OK)       /* user_backend = ldap (lib/ldapconf.h) */
		return GK_ERR;
	if (cfg->methods_count == 0 || cfg->methods_count > GK_METHODS_MAX)
		return gk_err_set(err, "methods: at least one method is needed");
	for (i = 0; i < cfg->methods_count; i++) {
		if (cfg->methods[i] < GK_M_BYPASS || cfg->methods[i] > GK_M_BASIC)
			return gk_err_set(err, "methods: unknown method");
		for (j = 0; j < i; j++)
			if (cfg->methods[i] == cfg->methods[j])
				return gk_err_set(err, "methods: a method is listed twice");
	}
	if (gk_cidr_list_has_everything(&cfg->proxy_trusted))
		return gk_err_set(err, "proxy_trusted trusts every address (a /0 network): "
		    "anyone could claim any user; list only the proxy's own address");
	if ((cfg->metrics_path[0] && (strcmp(cfg->metrics_path, cfg->health_path) == 0 ||
	    strcmp(cfg->metrics_path, cfg->ready_path) == 0)) ||
	    (cfg->health_path[0] && strcmp(cfg->health_path, cfg->ready_path) == 0))
		return gk_err_set(err, "metrics_path, health_path and ready_path must differ");
	if (gk_cidr_list_has_everything(&cfg->metrics_allow_from))
		return gk_err_set(err, "metrics_allow_from covers every address (a /0 network): "
		    "metrics and health would be open to the world; list the scrapers' networks");
	if (gk_cidr_list_has_everything(&cfg->bypass_networks))
		return gk_err_set(err, "bypass_networks covers every address (a /0 network): "
		    "that switches authentication off");
	if (cfg->bypass_hosts.count > 0 && cfg->bypass_hosts_on.count == 0 &&
	    cfg->bypass_hosts_from.count == 0)
		return gk_err_set(err, "bypass_hosts is bound to nothing: any client can send any "
		    "Host; set bypass_hosts_on (the local addresses, SERVER_ADDR) and/or "
		    "bypass_hosts_from (the client networks)");
	if (gk_cidr_list_has_everything(&cfg->bypass_hosts_on) ||
	    gk_cidr_list_has_everything(&cfg->bypass_hosts_from))
		return gk_err_set(err, "bypass_hosts_on and bypass_hosts_from must not cover every "
		    "address (a /0 network): that binds bypass_hosts to nothing");
	if (cfg->cookie_samesite == GK_SAMESITE_NONE && !cfg->cookie_secure)
		return gk_err_set(err, "cookie_samesite = none requires cookie_secure = true "
		    "(browsers drop such cookies)");
	if (cfg->cookie_name != NULL && strncmp(cfg->cookie_name, "__Host-", 7) == 0 &&
	    (!cfg->cookie_secure || (cfg->cookie_domain != NULL && *cfg->cookie_domain != '\0')))
		return gk_err_set(err, "cookie_name with the __Host- prefix requires "
		    "cookie_secure = true and no cookie_domain");
	if (cfg->cookie_name != NULL && strncmp(cfg->cookie_name, "__Secure-", 9) == 0 &&
	    !cfg->cookie_secure)
		return gk_err_set(err, "cookie_name with the __Secure- prefix requires "
		    "cookie_secure = true");
	if (cfg->login_url == NULL || !conf_url_ok(cfg->login_url))
		return gk_err_set(err, "login_url must start with '/' or http(s)://");
	if (cfg->default_redirect == NULL || !conf_url_ok(cfg->default_redirect))
		return gk_err_set(err, "default_redirect must start with '/' or http(s)://");
	if (cfg->session_ttl <= 0)
		return gk_err_set(err, "session_ttl must be positive");
	if (cfg->find_time <= 0 || cfg->ban_time <= 0)
		return gk_err_set(err, "find_time and ban_time must be positive");
	if (cfg->basic_cache_ttl < 0)
		return gk_err_set(err, "basic_cache_ttl must not be negative");
	if (cfg->proxy_user_header == NULL || !conf_header_ok(cfg->proxy_user_header))
		return gk_err_set(err, "proxy_user_header must name a header");
	if (cfg->proxy_email_header != NULL &&
	    strcasecmp(cfg->proxy_email_header, cfg->proxy_user_header) == 0)
		return gk_err_set(err, "proxy_email_header must differ from proxy_user_header");
	if (cfg->proxy_groups_header != NULL &&
	    (strcasecmp(cfg->proxy_groups_header, cfg->proxy_user_header) == 0 ||
	    (cfg->proxy_email_header != NULL && *cfg->proxy_groups_header != '\0' &&
	    strcasecmp(cfg->proxy_groups_header, cfg->proxy_email_header) == 0)))
		return gk_err_set(err, "proxy_groups_header must differ from the other proxy headers");
	/* state_backend = redis: a store to reach (lib/statestore checks the rest at open). */
	if (cfg->state_backend == GK_STATE_BACKEND_REDIS &&
	    gk_statestore_url_check(cfg->redis_url != NULL ? cfg->redis_url : "", err) != GK_OK)
		return GK_EINVAL;
	for (i = 0; i < cfg->rules_count; i++)
		if (!gk_requirement_valid(cfg->rules[i].require))
			return gk_err_set(err, "%s: rule: bad requirement",
			    cfg->rules[i].where != NULL ? cfg->rules[i].where : "rule");
	return GK_OK;
}

int
gk_config_warnings(const struct gk_config *cfg, void (*warn)(void *arg, const char *msg),
    void *arg)
{
	char msg[sizeof(((struct gk_err *)0)->msg)];
	size_t i;
	int n = 0;

	for (i = 0; i < cfg->rules_count; i++) {
		const struct gk_rule *r = &cfg->rules[i];

		if (r->host == NULL || !gk_host_pattern_has_port(r->host))
			continue;
		snprintf(msg, sizeof(msg), "%s: rule host=%.80s names a port: a request to any "
		    "other port, or none, skips this rule (the client chooses the Host's port); "
		    "leave the port out", r->where != NULL ? r->where : "rule", r->host);
		warn(arg, msg);
		n++;
	}
	return n;
}
