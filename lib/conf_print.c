/* conf_print.c: the effective configuration written as a gatekeep.conf that loads back to the same values. */
#include <config.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "conf.h"
#include "conf_keys.h"
#include "log.h"
#include "policy.h"

/* Writes v with every '$' doubled: the loader reads "$$" as one literal '$' (see expand_vars). */
static void
put_literal(FILE *out, const char *v)
{
	for (; *v != '\0'; v++) {
		if (*v == '$')
			fputc('$', out);
		fputc(*v, out);
	}
}

static void
print_value(FILE *out, const char *name, const char *v)
{
	/* Quote what the parser would otherwise trim or misread. */
	size_t n = strlen(v);
	bool quote = n == 0 || v[0] == ' ' || v[0] == '\t' || v[0] == '"' || v[n - 1] == ' ' ||
	    v[n - 1] == '\t';

	fprintf(out, quote ? "%s = \"" : "%s = ", name);
	put_literal(out, v);
	fputs(quote ? "\"\n" : "\n", out);
}

static void
print_duration(FILE *out, const char *name, long s)
{
	static const struct { long mult; char unit; } units[] = {
		{ 604800, 'w' }, { 86400, 'd' }, { 3600, 'h' }, { 60, 'm' }
	};
	size_t i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (s != 0 && s % units[i].mult == 0) {
			fprintf(out, "%s = %ld%c\n", name, s / units[i].mult, units[i].unit);
			return;
		}
	}
	fprintf(out, "%s = %lds\n", name, s);
}

/* One item of a list, written as the loader reads it back. */
typedef void put_item_fn(FILE *out, const void *items, size_t i);

/* "name = a,b,c"; an empty list as name = "", as print_value writes an empty value. */
static void
print_list(FILE *out, const char *name, const void *items, size_t count, put_item_fn *put)
{
	size_t i;

	fprintf(out, "%s = ", name);
	if (count == 0)
		fputs("\"\"", out);
	for (i = 0; i < count; i++) {
		if (i > 0)
			fputc(',', out);
		put(out, items, i);
	}
	fputc('\n', out);
}

static void
put_string(FILE *out, const void *items, size_t i)
{
	put_literal(out, ((char *const *)items)[i]);
}

static void
put_cidr(FILE *out, const void *items, size_t i)
{
	const struct gk_cidr *c = (const struct gk_cidr *)items + i;
	char a[INET6_ADDRSTRLEN];

	if (c->family == AF_UNIX)
		fputc('@', out);
	else if (inet_ntop(c->family, c->addr, a, sizeof(a)) != NULL)
		fprintf(out, "%s/%u", a, c->prefix);
}

static void
print_rule_field(FILE *out, const char *name, const char *v)
{
	bool quote = strpbrk(v, " \t") != NULL;

	fprintf(out, quote ? " %s=\"" : " %s=", name);
	put_literal(out, v);
	if (quote)
		fputc('"', out);
}

static void
print_rules(FILE *out, const struct gk_config *cfg)
{
	size_t i, j;

	for (i = 0; i < cfg->rules_count; i++) {
		const struct gk_rule *r = &cfg->rules[i];

		fputs("rule =", out);
		if (r->host != NULL)
			print_rule_field(out, "host", r->host);
		if (r->path != NULL)
			print_rule_field(out, "path", r->path);
		if (r->methods != GK_HTTP_ALL) {
			bool first = true;

			fputs(" methods=", out);
			for (j = 0; j < gk_http_method_names_count; j++) {
				if (gk_http_method_names[j].bit == GK_HTTP_ALL ||
				    (r->methods & gk_http_method_names[j].bit) == 0)
					continue;
				fprintf(out, "%s%s", first ? "" : ",", gk_http_method_names[j].name);
				first = false;
			}
		}
		print_rule_field(out, "require", r->require);
		fputc('\n', out);
	}
}

void
gk_config_print(const struct gk_config *cfg, FILE *out)
{
	size_t i, j;

	fputs("# gatekeep effective configuration (defaults, file, then GATEKEEP_* environment)\n",
	    out);
	for (i = 0; i < conf_nkeys; i++) {
		const struct conf_key *k = &conf_keys[i];
		const void *field = (const char *)cfg + k->off;

		switch (k->type) {
		case K_PATH: case K_PATH_OPT: case K_REALM: case K_URL: case K_COOKIE_NAME:
		case K_DOMAIN_OPT: case K_HEADER: case K_HEADER_OPT: case K_USER_OPT:
		case K_GROUPS: case K_SYSNAME_OPT: case K_TEXT_OPT: {
			/* secret_file is only a path: the key itself is never read here. */
			const char *v = *(char *const *)field;

			print_value(out, k->name, v != NULL ? v : "");
			break;
		}
		case K_BOOL:
			fprintf(out, "%s = %s\n", k->name, *(const bool *)field ? "true" : "false");
			break;
		case K_DURATION:
			print_duration(out, k->name, *(const long *)field);
			break;
		case K_INT:
			fprintf(out, "%s = %ld\n", k->name, *(const long *)field);
			break;
		case K_CIDRS: {
			const struct gk_cidr_list *l = field;

			print_list(out, k->name, l->items, l->count, put_cidr);
			break;
		}
		case K_PATHLIST: case K_HOSTLIST: case K_DOMAINLIST: case K_ORIGINLIST: {
			const struct gk_strlist *l = field;

			print_list(out, k->name, l->items, l->count, put_string);
			break;
		}
		case K_METHODS:
			fprintf(out, "%s = ", k->name);
			for (j = 0; j < cfg->methods_count; j++) {
				const char *name = conf_value_name(k, (int)cfg->methods[j]);

				if (name != NULL)
					fprintf(out, "%s%s", j > 0 ? "," : "", name);
			}
			fputc('\n', out);
			break;
		case K_LOGLEVEL:
			fprintf(out, "%s = %s\n", k->name, gk_log_level_name(*(const int *)field));
			break;
		case K_PERM:
			fprintf(out, "%s = %s\n", k->name, gk_perm_name(*(const enum gk_perm *)field));
			break;
		case K_ENUM: {
			const char *name = conf_value_name(k, *(const int *)field);

			fprintf(out, "%s = %s\n", k->name, name != NULL ? name : "?");
			break;
		}
		case K_RULES:
			print_rules(out, cfg);
			break;
		}
	}
}
