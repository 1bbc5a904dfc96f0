/* second_factor.c: the second-factor requirement: "2fa:" rules and second_factor_groups. */
#include <config.h>

#include <string.h>

#include "second_factor.h"

/* Is group (len bytes) in the comma list? */
static bool
listed(const char *list, const char *group, size_t len)
{
	const char *p = list;

	while (p != NULL && *p != '\0') {
		size_t n = strcspn(p, ",");

		if (n == len && strncmp(p, group, len) == 0)
			return true;
		p = p[n] == ',' ? p + n + 1 : NULL;
	}
	return false;
}

bool
gk_second_factor_group(const struct gk_config *cfg, const struct gk_user *u)
{
	const char *p;

	if (cfg->second_factor_groups == NULL || cfg->second_factor_groups[0] == '\0' || u == NULL)
		return false;
	for (p = u->groups; *p != '\0';) {
		size_t n = strcspn(p, ",");

		if (n > 0 && listed(cfg->second_factor_groups, p, n))
			return true;
		p += n;
		if (*p == ',')
			p++;
	}
	return false;
}

bool
gk_second_factor_needed(const struct gk_config *cfg, const struct gk_requirements *rs,
    const struct gk_user *u)
{
	size_t i;

	for (i = 0; i < rs->count; i++)
		if (rs->r[i].second_factor)
			return true;
	return gk_second_factor_group(cfg, u);
}

bool
gk_second_factor_user(const struct gk_config *cfg, const struct gk_user *u)
{
	struct gk_requirement r;
	size_t i;

	if (u == NULL)
		return false;
	if (gk_second_factor_group(cfg, u))
		return true;
	for (i = 0; i < cfg->rules_count; i++) {
		/* A rule that does not parse denies everyone (the configuration check refuses it). */
		if (gk_requirement_parse(cfg->rules[i].require, &r) != GK_OK || !r.second_factor)
			continue;
		if (gk_policy_allows(&r, u, "GET") || gk_policy_allows(&r, u, "POST"))
			return true;
	}
	return false;
}

bool
gk_second_factor_done(uint32_t amr)
{
	return (amr & GK_AMR_SECOND_FACTOR) != 0;
}
