/* conf_rules.c: "rule = host=... path=... methods=... require=..." lines, checked with the policy's one requirement grammar. */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "conf_keys.h"
#include "log.h"
#include "policy.h"

static bool
parse_http_methods(const char *s, unsigned *mask)
{
	unsigned m = 0;
	const char *p = s;

	if (*s == '\0')
		return false;
	for (;;) {
		size_t len = strcspn(p, ","), i;
		bool found = false;

		for (i = 0; i < gk_http_method_names_count; i++) {
			if (strlen(gk_http_method_names[i].name) == len &&
			    strncasecmp(p, gk_http_method_names[i].name, len) == 0) {
				m |= gk_http_method_names[i].bit;
				found = true;
				break;
			}
		}
		if (!found)
			return false;
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
	*mask = m;
	return true;
}

static void
rule_free(struct gk_rule *r)
{
	free(r->host);
	free(r->path);
	free(r->require);
	free(r->where);
	memset(r, 0, sizeof(*r));
}

void
conf_rules_free(struct gk_config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->rules_count; i++)
		rule_free(&cfg->rules[i]);
	free(cfg->rules);
	cfg->rules = NULL;
	cfg->rules_count = 0;
}

/*
 * rule text: whitespace-separated NAME=VALUE fields; a VALUE may be written
 * in double quotes to hold spaces (require="user:Jane Doe").
 */
static int
parse_rule(const char *text, const char *where, struct gk_rule *out, struct gk_err *err)
{
	struct gk_rule r;
	const char *p = text;
	char sb[80];
	bool methods_seen = false;

	memset(&r, 0, sizeof(r));
	r.methods = GK_HTTP_ALL;
	for (;;) {
		const char *name, *val;
		size_t nlen, vlen;
		char *v;
		char **slot = NULL;

		p += strspn(p, " \t");
		if (*p == '\0')
			break;
		name = p;
		nlen = strcspn(p, "= \t");
		if (p[nlen] != '=' || nlen == 0) {
			gk_err_set(err, "%s: rule: expected NAME=VALUE, got '%s'", where,
			    gk_log_escape(p, sb, 48));
			goto fail;
		}
		p += nlen + 1;
		if (*p == '"') {
			val = ++p;
			vlen = strcspn(p, "\"");
			if (p[vlen] != '"' || (p[vlen + 1] != '\0' && p[vlen + 1] != ' ' &&
			    p[vlen + 1] != '\t')) {
				gk_err_set(err, "%s: rule: unbalanced quote in '%.*s'", where,
				    (int)nlen, name);
				goto fail;
			}
			p += vlen + 1;
		} else {
			val = p;
			vlen = strcspn(p, " \t");
			p += vlen;
		}
		if ((v = strndup(val, vlen)) == NULL) {
			gk_err_set(err, "out of memory");
			goto fail;
		}
#define FIELD_IS(s) (nlen == sizeof(s) - 1 && strncmp(name, s, nlen) == 0)
		if (FIELD_IS("host"))
			slot = &r.host;
		else if (FIELD_IS("path"))
			slot = &r.path;
		else if (FIELD_IS("require"))
			slot = &r.require;
		else if (FIELD_IS("methods")) {
			if (methods_seen) {
				free(v);
				gk_err_set(err, "%s: rule: methods= given twice", where);
				goto fail;
			}
			methods_seen = true;
			if (!parse_http_methods(v, &r.methods)) {
				gk_err_set(err, "%s: rule: bad methods '%s' (GET, HEAD, POST, PUT, "
				    "DELETE, PATCH, OPTIONS, OTHER or ALL)", where, gk_log_escape(v, sb, 48));
				free(v);
				goto fail;
			}
			free(v);
			continue;
		} else {
			gk_err_set(err, "%s: rule: unknown field '%.*s' (host, path, methods, "
			    "require)", where, (int)(nlen > 32 ? 32 : nlen), name);
			free(v);
			goto fail;
		}
#undef FIELD_IS
		if (*slot != NULL) {
			gk_err_set(err, "%s: rule: %.*s= given twice", where, (int)nlen, name);
			free(v);
			goto fail;
		}
		*slot = v;
	}
	if (r.require == NULL) {
		gk_err_set(err, "%s: rule: require= is missing", where);
		goto fail;
	}
	if (!gk_requirement_valid(r.require)) {
		gk_err_set(err, "%s: rule: bad requirement '%s' (bypass, deny, any, group:A[,B], "
		    "user:N[,N], permission:ro|rw|full, level:0-999)", where, gk_log_escape(r.require, sb, 48));
		goto fail;
	}
	if (r.host != NULL && (r.host[0] == '\0' || strlen(r.host) > 255 || conf_has_ctl(r.host) ||
	    !conf_all_chars(r.host, ".-:[]*?"))) {
		gk_err_set(err, "%s: rule: bad host glob '%s'", where, gk_log_escape(r.host, sb, 48));
		goto fail;
	}
	if (r.path != NULL && (!conf_path_ok(r.path) || strchr(r.path, ' ') != NULL)) {
		gk_err_set(err, "%s: rule: bad path '%s' (must start with '/')", where,
		    gk_log_escape(r.path, sb, 48));
		goto fail;
	}
	if ((r.where = strdup(where)) == NULL) {
		gk_err_set(err, "out of memory");
		goto fail;
	}
	*out = r;
	return GK_OK;
fail:
	rule_free(&r);
	return GK_EINVAL;
}

int
conf_rule_add(struct gk_config *cfg, const char *text, const char *where, struct gk_err *err)
{
	struct gk_rule r, *grown;

	if (parse_rule(text, where, &r, err) != GK_OK)
		return GK_EINVAL;
	grown = realloc(cfg->rules, (cfg->rules_count + 1) * sizeof(*cfg->rules));
	if (grown == NULL) {
		rule_free(&r);
		return gk_err_set(err, "out of memory");
	}
	cfg->rules = grown;
	cfg->rules[cfg->rules_count++] = r;
	return GK_OK;
}
