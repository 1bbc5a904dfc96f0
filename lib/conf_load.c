/* conf_load.c: reading gatekeep.conf (bounded, ${NAME} expansion) and the GATEKEEP_* environment overrides. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "conf_keys.h"
#include "log.h"

#define CONFIG_FILE_MAX   (1024 * 1024)  /* bytes; a config file is never this big */
#define ENV_PREFIX        "GATEKEEP_"

/* Reads the whole file (bounded). GK_NOTFOUND only for a missing file we may skip. */
static int
read_file(const char *path, bool must_exist, char **bufp, size_t *lenp, struct gk_err *err)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0, cap;
	int fd, rc = GK_EIO;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		if (errno == ENOENT && !must_exist)
			return GK_NOTFOUND;
		return gk_err_set(err, "%s: %s", path, strerror(errno)), GK_EIO;
	}
	if (fstat(fd, &st) != 0) {
		gk_err_set(err, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		gk_err_set(err, "%s: not a regular file", path);
		goto out;
	}
	/* Whoever can write the file decides who gets in: refuse a world-writable one. */
	if (st.st_mode & S_IWOTH) {
		gk_err_set(err, "%s: writable by every user; refusing it (chmod o-w)", path);
		goto out;
	}
	/* A buffer of the file's size (+1 for the NUL, +1 to see it grew), grown up to the bound
	 * if it did: a 1 MB one per load made the sanitizer builds map and poison 1 MB each time. */
	cap = st.st_size >= 0 && st.st_size < CONFIG_FILE_MAX ? (size_t)st.st_size + 2
	    : CONFIG_FILE_MAX + 1;
	if ((buf = malloc(cap)) == NULL) {
		gk_err_set(err, "out of memory");
		goto out;
	}
	for (;;) {
		ssize_t r;

		if (len + 1 >= cap && cap < CONFIG_FILE_MAX + 1) {
			size_t ncap = cap > (CONFIG_FILE_MAX + 1) / 2 ? CONFIG_FILE_MAX + 1 : cap * 2;
			char *nbuf = realloc(buf, ncap);

			if (nbuf == NULL) {
				gk_err_set(err, "out of memory");
				goto out;
			}
			buf = nbuf;
			cap = ncap;
		}
		r = read(fd, buf + len, cap - len);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			gk_err_set(err, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (len > CONFIG_FILE_MAX) {
			gk_err_set(err, "%s: larger than %d bytes", path, CONFIG_FILE_MAX);
			goto out;
		}
	}
	buf[len] = '\0';
	*bufp = buf;
	*lenp = len;
	buf = NULL;
	rc = GK_OK;
out:
	free(buf);
	close(fd);
	return rc;
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

static const char *env_lookup(char *const *envp, const char *name, int *count);

/*
 * ${NAME} in a file value: replaced by NAME's value from envp (never getenv:
 * the caller decides which environment counts), "$$" is one literal '$',
 * and any other '$' is an error, so a shell-style "$NAME" is not silently
 * kept as text. The result is not scanned again: a '$' that comes from a
 * variable stays literal (no recursion, no injection of further names).
 * In a rule line (in_rule) a variable may not hold a blank or '"', which
 * would change the rule's fields rather than fill one. An unset variable,
 * a variable set twice in envp, and a control character in a value are
 * errors naming where (file:line) and the variable.
 */
static int
expand_vars(const char *in, char *out, size_t outsz, char *const *envp, bool in_rule,
    const char *where, struct gk_err *err)
{
	size_t o = 0;
	char sb[80];

	while (*in != '\0') {
		const char *v, *close;
		char name[129];
		size_t n, vlen, i;
		int count;

		if (*in != '$') {
			if (o + 1 >= outsz)
				goto toolong;
			out[o++] = *in++;
			continue;
		}
		if (in[1] == '$') {
			if (o + 1 >= outsz)
				goto toolong;
			out[o++] = '$';
			in += 2;
			continue;
		}
		if (in[1] != '{')
			return gk_err_set(err, "%s: stray '$' (write ${NAME} for an environment "
			    "variable, $$ for a literal '$')", where), GK_EINVAL;
		close = strchr(in + 2, '}');
		if (close == NULL)
			return gk_err_set(err, "%s: '${' without a closing '}'", where), GK_EINVAL;
		n = (size_t)(close - (in + 2));
		if (n == 0 || n >= sizeof(name) || !(conf_is_alnum(in[2]) || in[2] == '_') ||
		    (in[2] >= '0' && in[2] <= '9'))
			goto badname;
		for (i = 0; i < n; i++)
			if (!conf_is_alnum(in[2 + i]) && in[2 + i] != '_')
				goto badname;
		memcpy(name, in + 2, n);
		name[n] = '\0';
		v = env_lookup(envp, name, &count);
		if (v == NULL)
			return gk_err_set(err, "%s: ${%s} is not set in the environment", where, name),
			    GK_EINVAL;
		if (count > 1)
			return gk_err_set(err, "%s: ${%s} is set more than once in the environment",
			    where, name), GK_EINVAL;
		if (conf_has_ctl(v))
			return gk_err_set(err, "%s: ${%s} holds a control character", where, name),
			    GK_EINVAL;
		if (in_rule && strpbrk(v, " \t\"") != NULL)
			return gk_err_set(err, "%s: ${%s} holds a blank or '\"', which a rule field "
			    "cannot take from a variable", where, name), GK_EINVAL;
		vlen = strlen(v);
		if (vlen >= outsz - o)
			goto toolong;
		memcpy(out + o, v, vlen);
		o += vlen;
		in = close + 1;
		continue;
badname:
		return gk_err_set(err, "%s: bad variable name in '%s' (letters, digits and '_', "
		    "not starting with a digit)", where, gk_log_escape(in, sb, 48)), GK_EINVAL;
	}
	out[o] = '\0';
	return GK_OK;
toolong:
	return gk_err_set(err, "%s: value longer than %d bytes after ${...} expansion", where,
	    CONFIG_LINE_MAX), GK_ETOOLONG;
}

/* One file line's value: unquote, expand ${NAME}, set (rules: expand, then their own parser). */
static int
set_file_value(struct gk_config *cfg, const struct conf_key *k, const char *value, char *const *envp,
    const char *where, struct gk_err *err)
{
	char raw[CONFIG_LINE_MAX + 1], buf[CONFIG_LINE_MAX + 1];
	int rc;

	if (strchr(value, '$') == NULL)
		return conf_set_text(cfg, k, value, where, err);
	if (k->type == K_RULES) {
		if ((rc = expand_vars(value, buf, sizeof(buf), envp, true, where, err)) != GK_OK)
			return rc;
		rc = conf_set_key(cfg, k, buf, where, err);
	} else {
		switch (conf_unquote(value, raw, sizeof(raw))) {
		case GK_OK:
			break;
		case GK_ETOOLONG:
			return gk_err_set(err, "%s: value for %s is too long", where, k->name);
		default:
			return conf_bad_value(k, value, where, err, "unbalanced double quote");
		}
		/* Quotes first, then variables: a variable's value is taken as it is. */
		if ((rc = expand_vars(raw, buf, sizeof(buf), envp, false, where, err)) != GK_OK)
			return rc;
		rc = conf_set_key(cfg, k, buf, where, err);
	}
	gk_wipe(raw, sizeof(raw));      /* may hold a secret from the environment */
	gk_wipe(buf, sizeof(buf));
	return rc;
}

static int
parse_buffer(struct gk_config *cfg, const char *path, char *buf, size_t len, char *const *envp,
    struct gk_err *err)
{
	unsigned seen[CONF_KEYS_MAX];
	unsigned lineno = 0;
	size_t pos = 0;

	memset(seen, 0, sizeof(seen));
	/* A UTF-8 byte order mark from a Windows editor is not part of the first key. */
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	while (pos < len) {
		char *line = buf + pos, *nl, *eq, *key, *value, *p;
		size_t linelen;
		const struct conf_key *k;
		char where[64 + 4096], sb[80];

		lineno++;
		nl = memchr(line, '\n', len - pos);
		linelen = nl != NULL ? (size_t)(nl - line) : len - pos;
		pos += linelen + (nl != NULL ? 1 : 0);
		if (linelen > 0 && line[linelen - 1] == '\r')
			linelen--;
		if (linelen > CONFIG_LINE_MAX)
			return gk_err_set(err, "%s:%u: line longer than %d bytes", path, lineno,
			    CONFIG_LINE_MAX), GK_ETOOLONG;
		if (memchr(line, '\0', linelen) != NULL)
			return gk_err_set(err, "%s:%u: NUL byte", path, lineno), GK_EINVAL;
		line[linelen] = '\0';
		for (p = line; *p != '\0'; p++)
			if (((unsigned char)*p < 0x20 && *p != '\t') || *p == 0x7f)
				return gk_err_set(err, "%s:%u: control character 0x%02x", path,
				    lineno, (unsigned char)*p), GK_EINVAL;
		line = trim(line);
		if (*line == '\0' || *line == '#')
			continue;
		if ((eq = strchr(line, '=')) == NULL)
			return gk_err_set(err, "%s:%u: expected 'key = value'", path, lineno),
			    GK_EINVAL;
		*eq = '\0';
		key = trim(line);
		value = trim(eq + 1);
		if ((k = conf_find_key(key)) == NULL)
			return gk_err_set(err, "%s:%u: unknown key '%s'", path, lineno,
			    gk_log_escape(key, sb, 48)), GK_EINVAL;
		if (k->type != K_RULES && seen[k - conf_keys] != 0)
			return gk_err_set(err, "%s:%u: duplicate key '%s' (first set at line %u)",
			    path, lineno, k->name, seen[k - conf_keys]), GK_EDUP;
		seen[k - conf_keys] = lineno;
		snprintf(where, sizeof(where), "%s:%u", path, lineno);
		if (set_file_value(cfg, k, value, envp, where, err) != GK_OK)
			return GK_EINVAL;
	}
	return GK_OK;
}

static const char *
env_lookup(char *const *envp, const char *name, int *count)
{
	size_t n = strlen(name);
	const char *found = NULL;

	*count = 0;
	for (; envp != NULL && *envp != NULL; envp++) {
		if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=') {
			if (found == NULL)
				found = *envp + n + 1;
			(*count)++;
		}
	}
	return found;
}

/*
 * GATEKEEP_RULE: several rules separated by newlines (LF or CR LF) or ';'
 * (outside double quotes); it replaces every rule from the file.
 */
static int
env_rules(struct gk_config *cfg, const char *value, struct gk_err *err)
{
	const char *p = value;
	unsigned n = 0;

	conf_rules_free(cfg);
	while (*p != '\0') {
		char text[CONFIG_LINE_MAX + 1], where[64];
		size_t i = 0;
		bool inq = false;
		char *t;

		for (; *p != '\0' && (inq || (*p != ';' && *p != '\n' && *p != '\r')); p++) {
			if (*p == '"')
				inq = !inq;
			if (i >= CONFIG_LINE_MAX)
				return gk_err_set(err, "environment GATEKEEP_RULE: rule too long"),
				    GK_ETOOLONG;
			text[i++] = *p;
		}
		if (*p != '\0')
			p++;
		text[i] = '\0';
		t = trim(text);
		if (*t == '\0')
			continue;
		n++;    /* rules are numbered as the admin sees them: empty pieces do not count */
		snprintf(where, sizeof(where), "environment GATEKEEP_RULE (rule %u)", n);
		if (conf_has_ctl(t))
			return gk_err_set(err, "%s: control character in the rule", where), GK_EINVAL;
		if (conf_rule_add(cfg, t, where, err) != GK_OK)
			return GK_EINVAL;
	}
	return GK_OK;
}

static int
apply_env(struct gk_config *cfg, char *const *envp, struct gk_err *err)
{
	size_t i;

	for (i = 0; i < conf_nkeys; i++) {
		char name[64], where[96];
		const char *v;
		size_t j;
		int count;

		snprintf(name, sizeof(name), ENV_PREFIX "%s", conf_keys[i].name);
		for (j = sizeof(ENV_PREFIX) - 1; name[j] != '\0'; j++)
			if (name[j] >= 'a' && name[j] <= 'z')
				name[j] = (char)(name[j] - 'a' + 'A');
		if ((v = env_lookup(envp, name, &count)) == NULL)
			continue;
		if (count > 1)
			return gk_err_set(err, "environment %s: set more than once", name), GK_EDUP;
		if (conf_keys[i].type == K_RULES) {
			if (env_rules(cfg, v, err) != GK_OK)
				return GK_EINVAL;
			continue;
		}
		snprintf(where, sizeof(where), "environment %s", name);
		if (conf_set_text(cfg, &conf_keys[i], v, where, err) != GK_OK)
			return GK_EINVAL;
	}
	return GK_OK;
}

/*
 * state_dir left empty: "state" beside the database. For the default database
 * that is /var/lib/gatekeep/state; an instance with a database of its own
 * (tests, containers, several sites) gets a lockout table of its own, and
 * gatekeep-authz and gatekeep-login sharing a database share their bans.
 */
static int
default_state_dir(struct gk_config *cfg, struct gk_err *err)
{
	const char *slash;
	char *dir;
	size_t n;

	if (cfg->state_dir != NULL && cfg->state_dir[0] != '\0')
		return GK_OK;
	/* Beside the database; a bare file name (only from a caller, config paths are absolute) means ".". */
	cfg->state_dir_derived = true;
	slash = strrchr(cfg->database, '/');
	n = slash == NULL ? 1 : (size_t)(slash - cfg->database);
	if ((dir = malloc(n + sizeof("/state"))) == NULL)
		return gk_err_set(err, "out of memory");
	memcpy(dir, slash == NULL ? "." : cfg->database, n);
	memcpy(dir + n, "/state", sizeof("/state"));
	free(cfg->state_dir);
	cfg->state_dir = dir;
	return GK_OK;
}

int
gk_config_load(struct gk_config *cfg, const char *path, char *const *envp, struct gk_err *err)
{
	const char *file = path;
	bool must_exist = path != NULL;
	char *buf = NULL;
	size_t len = 0;
	int count, rc;

	if (gk_config_defaults(cfg, err) != GK_OK)
		return GK_ERR;
	if (file == NULL) {
		file = env_lookup(envp, ENV_PREFIX "CONFIG", &count);
		if (file != NULL && *file == '\0')
			file = NULL;
		must_exist = file != NULL;
		if (file == NULL)
			file = GK_CONFIG_DEFAULT_PATH;
	}
	rc = read_file(file, must_exist, &buf, &len, err);
	if (rc == GK_OK) {
		rc = parse_buffer(cfg, file, buf, len, envp, err);
		gk_wipe(buf, len);
		free(buf);
	} else if (rc == GK_NOTFOUND)
		rc = GK_OK;
	if (rc == GK_OK)
		rc = apply_env(cfg, envp, err);
	if (rc == GK_OK)
		rc = default_state_dir(cfg, err);
	if (rc == GK_OK)
		rc = gk_config_validate(cfg, err);
	if (rc != GK_OK) {
		gk_config_free(cfg);
		return rc < 0 ? rc : GK_ERR;
	}
	return GK_OK;
}
