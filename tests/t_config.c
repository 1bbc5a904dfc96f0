/* t_config.c: gatekeep.conf parsing, every key, every error path, environment overrides, printing. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "policy.h"
#include "tap.h"

static char tmpdir[4096];
static char *const noenv[] = { NULL };

/* Writes len bytes to TMP/name and returns the path (static rotating buffers). */
static const char *
put(const char *name, const char *data, size_t len)
{
	static char paths[8][4200];
	static int slot;
	char *p = paths[slot++ % 8];
	FILE *f;

	snprintf(p, 4200, "%s/%s", tmpdir, name);
	f = fopen(p, "wb");
	if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0)
		abort();
	chmod(p, 0644);
	return p;
}

static const char *
puts_file(const char *name, const char *text)
{
	return put(name, text, strlen(text));
}

/* Loads text as a file; returns the status, fills err; cfg is freed unless keep. */
static int
load_text(const char *text, char *const *envp, struct gk_config *cfg, struct gk_err *err,
    const char **pathp)
{
	const char *path = puts_file("c.conf", text);

	if (pathp != NULL)
		*pathp = path;
	memset(err, 0, sizeof(*err));
	return gk_config_load(cfg, path, envp, err);
}

/* Expects text to fail with exactly "PATH:" + suffix. */
static void
fails_with(int line, const char *text, const char *suffix)
{
	struct gk_config cfg;
	struct gk_err err;
	const char *path;
	char want[4700];
	int rc = load_text(text, noenv, &cfg, &err, &path);

	snprintf(want, sizeof(want), "%s:%s", path, suffix);
	ok(rc != GK_OK, "line %d: refused", line);
	is_str(err.msg, want, "line %d: message", line);
	gk_config_free(&cfg);
}

/* Expects the value for key to be refused with a message holding part. */
static void
bad_value(int line, const char *key, const char *value, const char *part)
{
	struct gk_config cfg;
	struct gk_err err;
	char text[9000];

	snprintf(text, sizeof(text), "%s = %s\n", key, value);
	ok(load_text(text, noenv, &cfg, &err, NULL) != GK_OK, "line %d: %s = %s refused", line,
	    key, value);
	ok(strstr(err.msg, part) != NULL, "line %d: message holds '%s' (%s)", line, part, err.msg);
	gk_config_free(&cfg);
}

static void
good_value(int line, const char *key, const char *value)
{
	struct gk_config cfg;
	struct gk_err err;
	char text[9000];
	int rc;

	snprintf(text, sizeof(text), "%s = %s\n", key, value);
	rc = load_text(text, noenv, &cfg, &err, NULL);
	ok(rc == GK_OK, "line %d: %s = %s accepted", line, key, value);
	if (rc != GK_OK)
		diag("%s", err.msg);
	gk_config_free(&cfg);
}

/* Prints cfg into a malloc'd string. */
static char *
print_str(const struct gk_config *cfg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	gk_config_print(cfg, f);
	fclose(f);
	return buf;
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return NULL;
	}
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static const char *
srcdir(void)
{
	static char dir[4096];
	const char *e = getenv("top_srcdir");
	const char *f = __FILE__, *cut;

	if (e != NULL && *e != '\0')
		return e;
	/* Built in tree: "tests/t_config.c"; VPATH: "/src/tests/t_config.c". */
	cut = strstr(f, "tests/t_config.c");
	if (cut == NULL || cut == f)
		return ".";
	snprintf(dir, sizeof(dir), "%.*s", (int)(cut - f), f);
	return dir;
}

static void
test_defaults(void)
{
	struct gk_config c;
	struct gk_err err;

	is_int(gk_config_defaults(&c, &err), GK_OK, "defaults");
	is_str(c.database, "/var/lib/gatekeep/users.db", "default database");
	is_str(c.secret_file, "/var/lib/gatekeep/secret", "default secret_file");
	is_str(c.realm, "gatekeep", "default realm");
	is_int(c.methods_count, 4, "default methods: four");
	ok(c.methods[0] == GK_M_BYPASS && c.methods[1] == GK_M_PROXY &&
	    c.methods[2] == GK_M_SESSION && c.methods[3] == GK_M_BASIC,
	    "default methods: bypass,proxy,session,basic");
	is_int(c.on_unauthenticated, GK_UNAUTH_AUTO, "default on_unauthenticated");
	is_str(c.login_url, "/gatekeep/login", "default login_url");
	is_str(c.default_redirect, "/", "default default_redirect");
	is_int(c.redirect_domains.count, 0, "default redirect_domains empty");
	is_str(c.cookie_name, "gatekeep_session", "default cookie_name");
	is_str(c.cookie_domain, "", "default cookie_domain empty (not NULL)");
	ok(c.cookie_secure, "default cookie_secure true");
	is_int(c.cookie_samesite, GK_SAMESITE_LAX, "default cookie_samesite lax");
	is_int(c.session_ttl, 12 * 3600, "default session_ttl 12h");
	is_int(c.proxy_trusted.count, 0, "default proxy_trusted empty");
	is_str(c.proxy_user_header, "Remote-User", "default proxy_user_header");
	is_str(c.proxy_email_header, "", "default proxy_email_header empty");
	is_str(c.proxy_groups_header, "", "default proxy_groups_header empty");
	ok(!c.proxy_auto_create, "default proxy_auto_create false");
	is_str(c.proxy_auto_create_groups, "", "default proxy_auto_create_groups empty");
	is_int(c.proxy_auto_create_permission, GK_PERM_RW, "default proxy_auto_create_permission rw");
	is_int(c.bypass_paths.count, 0, "default bypass_paths empty");
	is_int(c.bypass_networks.count, 0, "default bypass_networks empty");
	is_int(c.bypass_hosts.count, 0, "default bypass_hosts empty");
	is_str(c.bypass_user, "", "default bypass_user empty");
	is_int(c.rules_count, 0, "no default rules");
	is_int(c.allowed_origins.count, 0, "default allowed_origins empty");
	is_int(c.max_failures, 5, "default max_failures");
	is_int(c.find_time, 600, "default find_time 10m");
	is_int(c.ban_time, 900, "default ban_time 15m");
	is_int(c.lockout_address_failures, 20, "default lockout_address_failures");
	is_int(c.lockout_user_throttle, 10, "default lockout_user_throttle");
	is_int(c.lockout_user_lock, 100, "default lockout_user_lock (NIST SP 800-63B: 100)");
	is_int(c.lockout_throttle_max, 60, "default lockout_throttle_max 1m");
	is_int(c.basic_cache_ttl, 300, "default basic_cache_ttl 5m");
	is_int(c.log_level, LOG_NOTICE, "default log_level notice");
	is_int(c.log_target, GK_LOG_SYSLOG, "default log_target syslog");
	is_int(c.frontend, GK_FRONTEND_GENERIC, "default frontend generic");
	is_str(c.state_dir, "", "default state_dir: empty until the database is known");
	is_str(c.run_user, "", "default run_user empty");
	{
		struct gk_config l;

		if (load_text("", noenv, &l, &err, NULL) == GK_OK) {
			is_str(l.state_dir, "/var/lib/gatekeep/state", "loaded: state_dir beside the default database");
			gk_config_free(&l);
		} else
			ok(0, "empty config loads");
		if (load_text("database = /srv/x/users.db\n", noenv, &l, &err, NULL) == GK_OK) {
			is_str(l.state_dir, "/srv/x/state", "state_dir follows a custom database");
			ok(l.state_dir_derived, "... and is marked derived (gatekeep-passwd follows its DBFILE)");
			gk_config_free(&l);
		} else
			ok(0, "config with a database loads");
		if (load_text("database = /srv/x/users.db\nstate_dir = /run/gk\n", noenv, &l, &err, NULL) == GK_OK) {
			is_str(l.state_dir, "/run/gk", "explicit state_dir wins");
			ok(!l.state_dir_derived, "... and is not marked derived");
			gk_config_free(&l);
		} else
			ok(0, "config with state_dir loads");
	}
	is_str(c.run_group, "", "default run_group empty");
	is_str(c.login_template, "", "default login_template empty");
	is_int(gk_config_validate(&c, &err), GK_OK, "defaults validate");
	gk_config_free(&c);
	ok(c.database == NULL && c.rules == NULL, "free zeroes");
	gk_config_free(&c);   /* twice is harmless */
}

static const char every_key[] =
    "# every key, none at its default\n"
    "database = /srv/gk/users.db\n"
    "secret_file = /srv/gk/secret\n"
    "realm = \"My Site\"\n"
    "methods = basic, session\n"
    "on_unauthenticated = redirect\n"
    "login_url = https://auth.example.com/login\n"
    "default_redirect = /home\n"
    "redirect_domains = example.com, .example.org\n"
    "cookie_name = __Secure-gk\n"
    "cookie_domain = .example.com\n"
    "cookie_secure = yes\n"
    "cookie_samesite = strict\n"
    "session_ttl = 1d\n"
    "proxy_trusted = 10.0.0.0/8, @\n"
    "proxy_user_header = X-Forwarded-User\n"
    "proxy_email_header = Remote-Email\n"
    "proxy_groups_header = Remote-Groups\n"
    "proxy_auto_create = on\n"
    "proxy_auto_create_groups = users, media\n"
    "proxy_auto_create_permission = full\n"
    "bypass_paths = /health /static/\n"
    "bypass_networks = 192.168.0.0/16\n"
    "bypass_hosts = 10.11.1.11:8090, 10.11.1.11, [::1]:80\n"
    "bypass_hosts_on = 10.11.1.11, fd00::/64\n"
    "bypass_hosts_from = 10.11.0.0/16\n"
    "bypass_user = admin\n"
    "rule = host=*.example.com path=/admin methods=GET,post require=group:admins,ops\n"
    "rule = path=/api/* require=any\n"
    "rule = require=\"user:Jane Doe,bob\"\n"
    "allowed_origins = https://example.com, http://localhost:8080\n"
    "max_failures = 10\n"
    "find_time = 90\n"
    "ban_time = 1w\n"
    "basic_cache_ttl = 0\n"
    "log_level = debug\n"
    "log_target = stderr\n"
    "frontend = caddy\n"
    "state_dir = /srv/gk/state\n"
    "run_user = www-data\n"
    "run_group = gatekeep\n"
    "login_template = /etc/gatekeep/login.html\n";

static void
test_every_key(void)
{
	struct gk_config c;
	struct gk_err err;
	const char *path;
	char where[4300];
	int rc;

	rc = load_text(every_key, noenv, &c, &err, &path);
	is_int(rc, GK_OK, "every key parses");
	if (rc != GK_OK) {
		diag("%s", err.msg);
		return;
	}
	is_str(c.database, "/srv/gk/users.db", "database");
	is_str(c.secret_file, "/srv/gk/secret", "secret_file");
	is_str(c.realm, "My Site", "realm (quotes stripped)");
	is_int(c.methods_count, 2, "methods count");
	ok(c.methods[0] == GK_M_BASIC && c.methods[1] == GK_M_SESSION, "methods order kept");
	is_int(c.on_unauthenticated, GK_UNAUTH_REDIRECT, "on_unauthenticated");
	is_str(c.login_url, "https://auth.example.com/login", "login_url");
	is_str(c.default_redirect, "/home", "default_redirect");
	is_int(c.redirect_domains.count, 2, "redirect_domains count");
	is_str(c.redirect_domains.items[1], ".example.org", "redirect_domains item");
	is_str(c.cookie_name, "__Secure-gk", "cookie_name");
	is_str(c.cookie_domain, ".example.com", "cookie_domain");
	ok(c.cookie_secure, "cookie_secure");
	is_int(c.cookie_samesite, GK_SAMESITE_STRICT, "cookie_samesite");
	is_int(c.session_ttl, 86400, "session_ttl");
	is_int(c.proxy_trusted.count, 2, "proxy_trusted count");
	ok(gk_cidr_list_match(&c.proxy_trusted, "10.1.1.1"), "proxy_trusted matches 10.1.1.1");
	ok(gk_cidr_list_match(&c.proxy_trusted, "unix:"), "proxy_trusted matches unix:");
	ok(!gk_cidr_list_match(&c.proxy_trusted, "11.1.1.1"), "proxy_trusted not 11.1.1.1");
	is_str(c.proxy_user_header, "X-Forwarded-User", "proxy_user_header");
	is_str(c.proxy_email_header, "Remote-Email", "proxy_email_header");
	is_str(c.proxy_groups_header, "Remote-Groups", "proxy_groups_header");
	ok(c.proxy_auto_create, "proxy_auto_create");
	is_str(c.proxy_auto_create_groups, "users,media", "proxy_auto_create_groups canonical");
	is_int(c.proxy_auto_create_permission, GK_PERM_RW, "proxy_auto_create_permission full=rw");
	is_int(c.bypass_paths.count, 2, "bypass_paths count");
	is_str(c.bypass_paths.items[1], "/static/", "bypass_paths item");
	is_int(c.bypass_networks.count, 1, "bypass_networks");
	is_int(c.bypass_hosts.count, 3, "bypass_hosts count");
	is_str(c.bypass_hosts.items[0], "10.11.1.11:8090", "bypass_hosts item");
	is_int(c.bypass_hosts_on.count, 2, "bypass_hosts_on count");
	ok(gk_cidr_list_match(&c.bypass_hosts_on, "fd00::1"), "bypass_hosts_on matches fd00::1");
	is_int(c.bypass_hosts_from.count, 1, "bypass_hosts_from count");
	ok(gk_cidr_list_match(&c.bypass_hosts_from, "10.11.2.3"), "bypass_hosts_from matches 10.11.2.3");
	is_str(c.bypass_user, "admin", "bypass_user");
	is_int(c.rules_count, 3, "three rules");
	is_str(c.rules[0].host, "*.example.com", "rule 1 host");
	is_str(c.rules[0].path, "/admin", "rule 1 path");
	is_int(c.rules[0].methods, GK_HTTP_GET | GK_HTTP_POST, "rule 1 methods (case-insensitive)");
	is_str(c.rules[0].require, "group:admins,ops", "rule 1 require");
	snprintf(where, sizeof(where), "%s:28", path);
	is_str(c.rules[0].where, where, "rule 1 where = file:line");
	ok(c.rules[1].host == NULL, "rule 2 host absent = NULL");
	is_str(c.rules[1].path, "/api/*", "rule 2 path glob");
	is_int(c.rules[1].methods, GK_HTTP_ALL, "rule 2 methods default ALL");
	is_str(c.rules[2].require, "user:Jane Doe,bob", "rule 3 quoted requirement");
	ok(c.rules[2].path == NULL, "rule 3 path absent = NULL");
	is_int(c.allowed_origins.count, 2, "allowed_origins");
	is_int(c.max_failures, 10, "max_failures");
	is_int(c.find_time, 90, "find_time");
	is_int(c.ban_time, 604800, "ban_time");
	is_int(c.basic_cache_ttl, 0, "basic_cache_ttl 0 (no cache)");
	is_int(c.log_level, LOG_DEBUG, "log_level");
	is_int(c.log_target, GK_LOG_STDERR, "log_target");
	is_int(c.frontend, GK_FRONTEND_CADDY, "frontend");
	is_str(c.state_dir, "/srv/gk/state", "state_dir");
	is_str(c.run_user, "www-data", "run_user");
	is_str(c.run_group, "gatekeep", "run_group");
	is_str(c.login_template, "/etc/gatekeep/login.html", "login_template");

	/* Printing gives a file that loads back to the same configuration. */
	{
		char *p1 = print_str(&c), *p2;
		struct gk_config c2;
		const char *path2 = puts_file("printed.conf", p1);

		rc = gk_config_load(&c2, path2, noenv, &err);
		is_int(rc, GK_OK, "printed configuration loads");
		if (rc != GK_OK)
			diag("%s\n%s", err.msg, p1);
		p2 = print_str(&c2);
		is_str(p2, p1, "print -> load -> print is stable");
		ok(strstr(p1, "secret_file = /srv/gk/secret\n") != NULL, "secret_file printed as a path");
		ok(strstr(p1, "rule = host=*.example.com path=/admin methods=GET,POST "
		    "require=group:admins,ops\n") != NULL, "rule printed canonically");
		ok(strstr(p1, "rule = require=\"user:Jane Doe,bob\"\n") != NULL,
		    "rule with a space printed quoted");
		ok(strstr(p1, "proxy_trusted = 10.0.0.0/8,@\n") != NULL, "cidrs printed");
		ok(strstr(p1, "ban_time = 1w\n") != NULL, "durations printed in their unit");
		free(p1);
		free(p2);
		gk_config_free(&c2);
	}
	gk_config_free(&c);
}

static void
test_file_errors(void)
{
	struct gk_config c;
	struct gk_err err;
	char *big;
	const char *path;
	char want[4700];
	int rc;

	fails_with(__LINE__, "realm = a\nfoo = 1\n", "2: unknown key 'foo'");
	fails_with(__LINE__, "Realm = a\n", "1: unknown key 'Realm'");
	fails_with(__LINE__, "\n\n# c\nrealm = a\n  realm = b\n",
	    "5: duplicate key 'realm' (first set at line 4)");
	fails_with(__LINE__, "realm\n", "1: expected 'key = value'");
	fails_with(__LINE__, "= value\n", "1: unknown key ''");
	fails_with(__LINE__, "session_ttl = abc\n",
	    "1: bad value for session_ttl: 'abc' (a duration such as 90, 90s, 15m, 12h, 7d or 1w)");
	fails_with(__LINE__, "max_failures = 5 # five\n",
	    "1: bad value for max_failures: '5\\x20#\\x20five' (an integer from 0 to 100)");
	fails_with(__LINE__, "cookie_secure = maybe\n",
	    "1: bad value for cookie_secure: 'maybe' (true/false, yes/no, on/off or 1/0)");
	fails_with(__LINE__, "cookie_samesite = Lax\n",
	    "1: bad value for cookie_samesite: 'Lax' (one of: lax, strict, none)");
	fails_with(__LINE__, "proxy_trusted = 10.0.0.1/8\n",
	    "1: bad value for proxy_trusted: '10.0.0.1/8': host bits set after the /8 prefix");
	fails_with(__LINE__, "proxy_user_header = Remote_User\n",
	    "1: bad value for proxy_user_header: 'Remote_User' ('_' is refused: servers turn '_' "
	    "and '-' into the same variable)");
	fails_with(__LINE__, "realm = \"abc\n",
	    "1: bad value for realm: '\\x22abc' (unbalanced double quote)");
	fails_with(__LINE__, "realm = \"a\"b\"\n",
	    "1: bad value for realm: '\\x22a\\x22b\\x22' (unbalanced double quote)");
	fails_with(__LINE__, "realm = a\x01" "b\n", "1: control character 0x01");
	fails_with(__LINE__, "realm = a\rb\n", "1: control character 0x0d");
	fails_with(__LINE__, "rule = path=/x\n", "1: rule: require= is missing");
	fails_with(__LINE__, "\nrule = require=any colour=red\n",
	    "2: rule: unknown field 'colour' (host, path, methods, require)");
	fails_with(__LINE__, "rule = path=/a path=/b require=any\n", "1: rule: path= given twice");
	fails_with(__LINE__, "rule = methods=GET methods=PUT require=any\n",
	    "1: rule: methods= given twice");
	fails_with(__LINE__, "rule = methods=GET,FETCH require=any\n",
	    "1: rule: bad methods 'GET,FETCH' (GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS, OTHER "
	    "or ALL)");
	fails_with(__LINE__, "rule = require=group:\n",
	    "1: rule: bad requirement 'group:' (bypass, deny, any, group:A[,B], user:N[,N], "
	    "permission:ro|rw|full, level:0-999)");
	fails_with(__LINE__, "rule = path=admin require=any\n",
	    "1: rule: bad path 'admin' (must start with '/')");
	fails_with(__LINE__, "rule = host=a/b require=any\n", "1: rule: bad host glob 'a/b'");
	fails_with(__LINE__, "rule = require=\"any\n", "1: rule: unbalanced quote in 'require'");
	fails_with(__LINE__, "rule = require\n", "1: rule: expected NAME=VALUE, got 'require'");
	fails_with(__LINE__, "methods = basic, basic\n",
	    "1: bad value for methods: 'basic,\\x20basic' (a list of bypass, proxy, session, basic "
	    "without repeats)");
	fails_with(__LINE__, "methods = \"\"\n",
	    "1: bad value for methods: '' (a list of bypass, proxy, session, basic without repeats)");
	fails_with(__LINE__, "methods = basic, oidc\n",
	    "1: bad value for methods: 'basic,\\x20oidc' (a list of bypass, proxy, session, basic "
	    "without repeats)");

	/* NUL byte, over-long line, over-large file. */
	path = put("nul.conf", "realm = a\nrealm\0 = b\n", 21);
	rc = gk_config_load(&c, path, noenv, &err);
	ok(rc != GK_OK, "NUL byte refused");
	snprintf(want, sizeof(want), "%s:2: NUL byte", path);
	is_str(err.msg, want, "NUL byte message");
	gk_config_free(&c);

	big = malloc(1000001);
	memset(big, 'x', 1000000);
	memcpy(big, "realm = ", 8);
	big[999999] = '\n';
	big[1000000] = '\0';
	path = put("long.conf", big, 1000000);
	rc = gk_config_load(&c, path, noenv, &err);
	ok(rc != GK_OK, "1 MB line refused");
	snprintf(want, sizeof(want), "%s:1: line longer than 8192 bytes", path);
	is_str(err.msg, want, "long line message");
	gk_config_free(&c);
	free(big);

	big = malloc(2 * 1024 * 1024);
	memset(big, '\n', 2 * 1024 * 1024);
	path = put("huge.conf", big, 2 * 1024 * 1024);
	rc = gk_config_load(&c, path, noenv, &err);
	ok(rc != GK_OK, "2 MiB file refused");
	snprintf(want, sizeof(want), "%s: larger than 1048576 bytes", path);
	is_str(err.msg, want, "large file message");
	gk_config_free(&c);
	free(big);

	/* A line of exactly 8192 bytes is fine; 8193 is not. */
	big = malloc(8200);
	memset(big, '#', 8192);
	big[8192] = '\n';
	path = put("edge.conf", big, 8193);
	is_int(gk_config_load(&c, path, noenv, &err), GK_OK, "8192-byte comment line accepted");
	gk_config_free(&c);
	memset(big, '#', 8193);
	big[8193] = '\n';
	path = put("edge.conf", big, 8194);
	ok(gk_config_load(&c, path, noenv, &err) != GK_OK, "8193-byte line refused");
	gk_config_free(&c);
	free(big);

	/* Missing explicit file, directory, world-writable file. */
	snprintf(want, sizeof(want), "%s/nope.conf", tmpdir);
	rc = gk_config_load(&c, want, noenv, &err);
	ok(rc != GK_OK, "missing explicit file is an error");
	ok(strstr(err.msg, "nope.conf: No such file or directory") != NULL, "... named (%s)",
	    err.msg);
	gk_config_free(&c);
	ok(gk_config_load(&c, tmpdir, noenv, &err) != GK_OK, "a directory is refused");
	ok(strstr(err.msg, "not a regular file") != NULL, "... as not a regular file (%s)", err.msg);
	gk_config_free(&c);
	path = puts_file("ww.conf", "realm = x\n");
	chmod(path, 0666);
	ok(gk_config_load(&c, path, noenv, &err) != GK_OK, "world-writable file refused");
	ok(strstr(err.msg, "writable by every user") != NULL, "... saying why (%s)", err.msg);
	gk_config_free(&c);

	/* The error path leaves cfg freed and zeroed. */
	load_text("realm = a\nbogus = 1\n", noenv, &c, &err, NULL);
	ok(c.realm == NULL && c.database == NULL, "failed load leaves cfg zeroed");
	gk_config_free(&c);
}

static void
test_syntax(void)
{
	struct gk_config c;
	struct gk_err err;
	const char *path;
	int rc;

	/* CRLF, BOM, tabs, blank lines, comments with leading blanks, no final newline. */
	rc = load_text("\xef\xbb\xbf# comment\r\n\r\n\t  # indented comment\r\nrealm\t=\t  Two Words  \r\n"
	    "rule = path=/a require=any\r\nrule = path=/b require=deny", noenv, &c, &err, NULL);
	is_int(rc, GK_OK, "CRLF file with BOM parses");
	if (rc == GK_OK) {
		is_str(c.realm, "Two Words", "value trimmed, inner space kept, CR stripped");
		is_int(c.rules_count, 2, "two rules (last without newline)");
		is_str(c.rules[1].require, "deny", "last rule's require");
		is_str(c.rules[0].require, "any", "CR not part of the value");
	} else
		diag("%s", err.msg);
	gk_config_free(&c);

	rc = load_text("login_url = /login?a=b#frag\n", noenv, &c, &err, NULL);
	is_int(rc, GK_OK, "value may hold '=' and '#' (no trailing comments)");
	if (rc == GK_OK)
		is_str(c.login_url, "/login?a=b#frag", "... kept whole");
	gk_config_free(&c);
	rc = load_text("cookie_domain = \"\"\nproxy_email_header =\n", noenv, &c, &err, NULL);
	is_int(rc, GK_OK, "empty values ('' and nothing) accepted for optional keys");
	gk_config_free(&c);
	rc = load_text("", noenv, &c, &err, &path);
	is_int(rc, GK_OK, "empty file is the defaults");
	gk_config_free(&c);
}

/* A client chooses its Host: bypass_hosts must be bound to a listener or a network. */
static void
test_bypass_hosts_bound(void)
{
	static const struct {
		int line;
		const char *text;
		const char *errpart;    /* NULL: loads */
	} cases[] = {
		{ __LINE__, "bypass_hosts = 10.11.1.11\nbypass_user = admin\n", "bound to nothing" },
		{ __LINE__, "bypass_hosts = 10.11.1.11\nbypass_hosts_on = \"\"\n", "bound to nothing" },
		{ __LINE__, "bypass_hosts = 10.11.1.11\nbypass_networks = 10.0.0.0/8\n", "bound to nothing" },
		{ __LINE__, "bypass_hosts = 10.11.1.11\nbypass_hosts_on = 0.0.0.0/0\n", "every address" },
		{ __LINE__, "bypass_hosts = 10.11.1.11\nbypass_hosts_from = ::/0\n", "every address" },
		{ __LINE__, "bypass_hosts_on = 10.11.1.11/33\n", "prefix length" },
		{ __LINE__, "bypass_hosts = 10.11.1.11\nbypass_hosts_on = 10.11.1.11\n", NULL },
		{ __LINE__, "bypass_hosts = 10.11.1.11\nbypass_hosts_from = 10.11.0.0/16\n", NULL },
		{ __LINE__, "bypass_hosts_on = 10.11.1.11\n", NULL },
	};
	struct gk_config c;
	struct gk_err err;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rc = load_text(cases[i].text, noenv, &c, &err, NULL);
		if (cases[i].errpart == NULL)
			is_int(rc, GK_OK, "line %d: loads", cases[i].line);
		else
			ok(rc != GK_OK && strstr(err.msg, cases[i].errpart) != NULL,
			    "line %d: refused, naming '%s' (%s)", cases[i].line, cases[i].errpart,
			    rc != GK_OK ? err.msg : "loaded");
		if (rc == GK_OK)
			gk_config_free(&c);
	}
}

static void
test_values(void)
{
	/* Paths */
	bad_value(__LINE__, "database", "relative/users.db", "an absolute path");
	bad_value(__LINE__, "database", "\"\"", "an absolute path");
	good_value(__LINE__, "login_template", "\"\"");
	bad_value(__LINE__, "login_template", "tmpl.html", "absolute path or empty");
	/* realm */
	bad_value(__LINE__, "realm", "\"\"", "printable ASCII");
	bad_value(__LINE__, "realm", "a\\b", "printable ASCII");
	bad_value(__LINE__, "realm", "caf\xc3\xa9", "printable ASCII");
	good_value(__LINE__, "realm", "Private area (staff)");
	/* URLs */
	bad_value(__LINE__, "login_url", "//evil.example/login", "single '/'");
	bad_value(__LINE__, "login_url", "/\\evil", "single '/'");
	bad_value(__LINE__, "login_url", "javascript:alert(1)", "single '/'");
	bad_value(__LINE__, "default_redirect", "https://", "http(s)://");
	bad_value(__LINE__, "default_redirect", "https:///x", "http(s)://");
	bad_value(__LINE__, "default_redirect", "example.com", "http(s)://");
	good_value(__LINE__, "default_redirect", "https://example.com/");
	/* cookies */
	bad_value(__LINE__, "cookie_name", "a;b", "cookie name");
	bad_value(__LINE__, "cookie_name", "a=b", "cookie name");
	bad_value(__LINE__, "cookie_domain", "example..com", "host name");
	bad_value(__LINE__, "cookie_domain", "exa_mple.com", "host name");
	bad_value(__LINE__, "cookie_domain", ".", "host name");
	good_value(__LINE__, "cookie_domain", "example.com");
	/* headers */
	bad_value(__LINE__, "proxy_user_header", "\"\"", "header name");
	bad_value(__LINE__, "proxy_user_header", "X.Remote.User", "header name");
	bad_value(__LINE__, "proxy_user_header", "Remote-User:", "header name");
	bad_value(__LINE__, "proxy_email_header", "-Email", "header name");
	bad_value(__LINE__, "proxy_groups_header", "X_Groups", "'_' is refused");
	/* users, groups, system names */
	bad_value(__LINE__, "bypass_user", "a:b", "valid user name");
	bad_value(__LINE__, "proxy_auto_create_groups", "a,b!", "group names");
	good_value(__LINE__, "proxy_auto_create_groups", "a,,b");
	bad_value(__LINE__, "proxy_auto_create_groups", "a,a", "group names");
	bad_value(__LINE__, "proxy_auto_create_groups", "-x", "group names");
	bad_value(__LINE__, "run_user", "-root", "system user");
	bad_value(__LINE__, "run_group", "a b", "system user");
	/* numbers and durations */
	good_value(__LINE__, "max_failures", "0");
	bad_value(__LINE__, "max_failures", "101", "from 0 to 100");
	bad_value(__LINE__, "max_failures", "-1", "from 0 to 100");
	bad_value(__LINE__, "max_failures", "99999999999999999999999", "from 0 to 100");
	good_value(__LINE__, "max_failures", "100");
	bad_value(__LINE__, "lockout_user_lock", "99", "from 100 to 100000");
	good_value(__LINE__, "lockout_user_lock", "100");
	bad_value(__LINE__, "lockout_address_failures", "0", "from 1 to 100000");
	bad_value(__LINE__, "lockout_user_throttle", "0", "from 1 to 100000");
	bad_value(__LINE__, "lockout_throttle_max", "2h", "between 1s");
	good_value(__LINE__, "lockout_throttle_max", "30s");
	bad_value(__LINE__, "session_ttl", "0", "between 60s and");
	bad_value(__LINE__, "session_ttl", "59s", "between 60s and");
	bad_value(__LINE__, "basic_cache_ttl", "2h", "between 0s and 3600s");
	good_value(__LINE__, "basic_cache_ttl", "1h");
	bad_value(__LINE__, "find_time", "0", "between 1s");
	/* a duration's bound of 0 in the key table is the syntax's own, DURATION_MAX */
	bad_value(__LINE__, "session_ttl", "0", "between 60s and 2147483647s");
	good_value(__LINE__, "ban_time", "2147483647");
	bad_value(__LINE__, "ban_time", "2147483648", "a duration such as");
	/* lists */
	bad_value(__LINE__, "bypass_paths", "/ok, notabs", "paths starting with '/'");
	bad_value(__LINE__, "bypass_hosts", "a.example:99999", "host or host:port");
	bad_value(__LINE__, "bypass_hosts", "a.example:", "host or host:port");
	bad_value(__LINE__, "bypass_hosts", "[::1", "host or host:port");
	bad_value(__LINE__, "bypass_hosts", "user@host", "host or host:port");
	bad_value(__LINE__, "redirect_domains", "https://example.com", "host names");
	bad_value(__LINE__, "allowed_origins", "https://example.com/", "origins");
	bad_value(__LINE__, "allowed_origins", "ftp://example.com", "origins");
	bad_value(__LINE__, "allowed_origins", "example.com", "origins");
	bad_value(__LINE__, "bypass_networks", "0.0.0.0/0", "switches authentication off");
	bad_value(__LINE__, "proxy_trusted", "::/0", "trusts every address");
	bad_value(__LINE__, "proxy_trusted", "10.0.0.0/8, 0.0.0.0/0", "trusts every address");
	bad_value(__LINE__, "proxy_trusted", "::ffff:0:0/96", "trusts every address");
	/* enums */
	bad_value(__LINE__, "on_unauthenticated", "login", "one of: auto, basic, redirect");
	bad_value(__LINE__, "proxy_auto_create_permission", "admin", "none, ro or rw (full = rw)");
	bad_value(__LINE__, "log_level", "verbose", "err, warning, notice, info or debug");
	good_value(__LINE__, "log_level", "warn");
	bad_value(__LINE__, "log_target", "file", "one of: syslog, stderr");
	bad_value(__LINE__, "frontend", "traefik", "one of: generic, caddy");
	bad_value(__LINE__, "oidc_provider", "okta", "one of: none, oidc, google, gitlab, github");
	bad_value(__LINE__, "state_store_down", "Local", "one of: deny, local");
	bad_value(__LINE__, "user_backend", "LDAP", "one of: gdbm, ldap");
	bad_value(__LINE__, "methods", "basic,nope", "a list of bypass, proxy, session, basic");
	bad_value(__LINE__, "methods", "basic,basic", "a list of bypass, proxy, session, basic");
	/* cross-key checks */
	{
		struct gk_config c;
		struct gk_err err;

		ok(load_text("cookie_samesite = none\ncookie_secure = false\n", noenv, &c, &err,
		    NULL) != GK_OK, "samesite=none without secure refused");
		ok(strstr(err.msg, "requires cookie_secure = true") != NULL, "... (%s)", err.msg);
		gk_config_free(&c);
		ok(load_text("cookie_samesite = none\n", noenv, &c, &err, NULL) == GK_OK,
		    "samesite=none with secure accepted");
		gk_config_free(&c);
		ok(load_text("cookie_name = __Host-gk\ncookie_domain = example.com\n", noenv, &c,
		    &err, NULL) != GK_OK, "__Host- with a domain refused");
		gk_config_free(&c);
		ok(load_text("cookie_name = __Host-gk\n", noenv, &c, &err, NULL) == GK_OK,
		    "__Host- without domain accepted");
		gk_config_free(&c);
		ok(load_text("cookie_name = __Secure-gk\ncookie_secure = false\n", noenv, &c, &err,
		    NULL) != GK_OK, "__Secure- without secure refused");
		gk_config_free(&c);
		ok(load_text("proxy_email_header = remote-user\n", noenv, &c, &err, NULL) != GK_OK,
		    "email header = user header (any case) refused");
		gk_config_free(&c);
		ok(load_text("proxy_email_header = A\nproxy_groups_header = a\n", noenv, &c, &err,
		    NULL) != GK_OK, "groups header = email header refused");
		gk_config_free(&c);
	}
}

static void
test_durations(void)
{
	static const struct { const char *s; long want; } good[] = {
		{ "0", 0 }, { "90", 90 }, { "90s", 90 }, { "15m", 900 }, { "12h", 43200 },
		{ "7d", 604800 }, { "1w", 604800 }, { "007", 7 }, { "2147483647", 2147483647L },
		{ "2147483647s", 2147483647L }, { "35791394m", 2147483640L }, { "3550w", 2147040000L },
	};
	static const char *const bad[] = {
		"", "s", "m", "-1", "+5", "1.5h", "5 m", " 5", "5 ", "5M", "5H", "5ms", "1y",
		"2147483648", "35791395m", "3551w", "24856d", "99999999999999999999999",
		"0x10", "1e3", "5mm",
	};
	size_t i;
	long v;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = -1;
		is_int(gk_parse_duration(good[i].s, &v), GK_OK, "duration '%s' parses", good[i].s);
		is_int(v, good[i].want, "duration '%s' = %ld", good[i].s, good[i].want);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 12345;
		ok(gk_parse_duration(bad[i], &v) != GK_OK, "duration '%s' refused", bad[i]);
		is_int(v, 12345, "... output untouched");
	}
	ok(gk_parse_duration(NULL, &v) != GK_OK, "duration NULL refused");
}

static void
test_bools_lists_requirements(void)
{
	static const char *const yes[] = { "true", "TRUE", "yes", "On", "1" };
	static const char *const no[] = { "false", "No", "off", "0" };
	static const char *const neither[] = { "", "2", "y", "n", "truee", " true", "enabled" };
	static const char *const req_good[] = {
		"bypass", "deny", "any", "group:admins", "group:a,b.c,d-e", "user:alice",
		"user:alice,bob", "user:J\xc3\xbcrgen", "user:Jane Doe", "permission:ro",
		"permission:rw", "permission:full", "level:0", "level:998", "level:999",
		"2",	/* the one grammar (lib/policy): a bare number is a level */
	};
	static const char *const req_bad[] = {
		"", "Any", "any ", " any", "allow", "group:", "group:a,", "group:,a", "group:a,a",
		"group:a b", "user:", "user:a,,b", "user:a:b", "user:a\nb", "user: a",
		"permission:", "permission:none", "permission:RW",
		"level:", "level:1000", "level:-1", "level:01", "level:+1", "level:1x",
		"level:99999999999999999999", "group", "user", "bypass:", "deny:x",
		"level:007", "007",
	};
	struct gk_strlist l;
	size_t i;
	bool b;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		ok(gk_parse_bool(yes[i], &b) == GK_OK && b, "bool '%s' = true", yes[i]);
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		ok(gk_parse_bool(no[i], &b) == GK_OK && !b, "bool '%s' = false", no[i]);
	for (i = 0; i < sizeof(neither) / sizeof(neither[0]); i++)
		ok(gk_parse_bool(neither[i], &b) != GK_OK, "bool '%s' refused", neither[i]);

	is_int(gk_strlist_parse(" a, b,,c\td \n", &l), GK_OK, "strlist parses");
	is_int(l.count, 4, "... four items, empties dropped");
	if (l.count == 4)
		ok(strcmp(l.items[0], "a") == 0 && strcmp(l.items[3], "d") == 0, "... in order");
	gk_strlist_free(&l);
	is_int(gk_strlist_parse("", &l), GK_OK, "empty strlist");
	is_int(l.count, 0, "... no items");
	gk_strlist_free(&l);

	for (i = 0; i < sizeof(req_good) / sizeof(req_good[0]); i++)
		ok(gk_requirement_valid(req_good[i]), "requirement '%s' valid", req_good[i]);
	for (i = 0; i < sizeof(req_bad) / sizeof(req_bad[0]); i++) {
		char shown[64];

		ok(!gk_requirement_valid(req_bad[i]), "requirement '%s' invalid",
		    gk_log_escape(req_bad[i], shown, sizeof(shown)));
	}
	ok(!gk_requirement_valid(NULL), "requirement NULL invalid");
	{
		char longreq[GK_GROUPS_MAX + 64];

		memcpy(longreq, "group:", 6);
		memset(longreq + 6, 'a', sizeof(longreq) - 7);
		longreq[sizeof(longreq) - 1] = '\0';
		ok(!gk_requirement_valid(longreq), "over-long requirement invalid");
	}
}

static void
test_env(void)
{
	struct gk_config c;
	struct gk_err err;
	const char *path;
	char cfgvar[4300];
	int rc;

	{
		char *const env[] = {
			"PATH=/bin", "GATEKEEP_REALM=From Env", "GATEKEEP_SESSION_TTL=2h",
			"GATEKEEP_PROXY_USER_HEADER=X-User", "GATEKEEP_PROXY_TRUSTED=@",
			"GATEKEEP_UNKNOWN_THING=1", "gatekeep_cookie_name=lower", "GATEKEEP_REQUIRE=deny",
			"HTTP_GATEKEEP_REALM=evil", "GATEKEEP_COOKIE_DOMAIN=", NULL
		};

		rc = load_text("realm = From File\nsession_ttl = 1h\ncookie_domain = example.com\n"
		    "cookie_name = file\n", env, &c, &err, NULL);
		is_int(rc, GK_OK, "environment overrides load");
		if (rc == GK_OK) {
			is_str(c.realm, "From Env", "GATEKEEP_REALM beats the file");
			is_int(c.session_ttl, 7200, "GATEKEEP_SESSION_TTL beats the file");
			is_str(c.proxy_user_header, "X-User", "GATEKEEP_PROXY_USER_HEADER");
			ok(gk_cidr_list_match(&c.proxy_trusted, "unix:"), "GATEKEEP_PROXY_TRUSTED=@");
			is_str(c.cookie_name, "file", "lower-case variable ignored");
			is_str(c.cookie_domain, "", "an empty variable sets an empty value");
		} else
			diag("%s", err.msg);
		gk_config_free(&c);
	}
	{
		char *const env[] = { "GATEKEEP_SESSION_TTL=forever", NULL };

		ok(load_text("", env, &c, &err, NULL) != GK_OK, "bad environment value refused");
		is_str(err.msg, "environment GATEKEEP_SESSION_TTL: bad value for session_ttl: "
		    "'forever' (a duration such as 90, 90s, 15m, 12h, 7d or 1w)",
		    "... naming the variable");
		gk_config_free(&c);
	}
	{
		char *const env[] = { "GATEKEEP_REALM=a", "GATEKEEP_REALM=b", NULL };

		ok(load_text("", env, &c, &err, NULL) != GK_OK, "variable set twice refused");
		is_str(err.msg, "environment GATEKEEP_REALM: set more than once", "... message");
		gk_config_free(&c);
	}
	{
		char *const env[] = { "GATEKEEP_REALM=a\nb", NULL };

		ok(load_text("", env, &c, &err, NULL) != GK_OK, "newline in a variable refused");
		gk_config_free(&c);
	}
	{
		char *const env[] = { "GATEKEEP_PROXY_TRUSTED=0.0.0.0/0", NULL };

		ok(load_text("", env, &c, &err, NULL) != GK_OK, "env proxy_trusted /0 refused");
		ok(strstr(err.msg, "trusts every address") != NULL, "... (%s)", err.msg);
		gk_config_free(&c);
	}
	{
		char *const env[] = {
			"GATEKEEP_RULE=path=/a require=any; path=/b require=\"user:x;y\"\n"
			"host=h require=deny;;", NULL
		};

		rc = load_text("rule = path=/file require=deny\n", env, &c, &err, NULL);
		is_int(rc, GK_OK, "GATEKEEP_RULE parses");
		if (rc == GK_OK) {
			is_int(c.rules_count, 3, "GATEKEEP_RULE replaces the file's rules (3 rules)");
			is_str(c.rules[0].path, "/a", "env rule 1");
			is_str(c.rules[1].require, "user:x;y", "';' inside quotes is not a separator");
			is_str(c.rules[2].host, "h", "newline separates too");
			is_str(c.rules[2].where, "environment GATEKEEP_RULE (rule 3)", "env rule where");
		} else
			diag("%s", err.msg);
		gk_config_free(&c);
	}
	{
		char *const env[] = { "GATEKEEP_RULE=path=/a require=any\r\npath=/b require=deny\r\n", NULL };

		rc = load_text("", env, &c, &err, NULL);
		ok(rc == GK_OK && c.rules_count == 2 && strcmp(c.rules[1].require, "deny") == 0,
		    "GATEKEEP_RULE with CR LF separators");
		gk_config_free(&c);
	}
	{
		char *const env[] = { "GATEKEEP_RULE=path=/a\x01 require=any", NULL };

		ok(load_text("", env, &c, &err, NULL) != GK_OK, "control byte in GATEKEEP_RULE refused");
		is_str(err.msg, "environment GATEKEEP_RULE (rule 1): control character in the rule",
		    "... message");
		gk_config_free(&c);
	}
	{
		char *const env[] = { "GATEKEEP_RULE=", NULL };

		rc = load_text("rule = path=/file require=deny\n", env, &c, &err, NULL);
		ok(rc == GK_OK && c.rules_count == 0, "empty GATEKEEP_RULE removes every rule");
		gk_config_free(&c);
	}
	{
		char *const env[] = { "GATEKEEP_RULE=path=/a require=any; path=/b", NULL };

		ok(load_text("", env, &c, &err, NULL) != GK_OK, "bad env rule refused");
		is_str(err.msg, "environment GATEKEEP_RULE (rule 2): rule: require= is missing",
		    "... naming the rule");
		gk_config_free(&c);
	}

	/* GATEKEEP_CONFIG names the file when no path is given. */
	path = puts_file("env.conf", "realm = via GATEKEEP_CONFIG\n");
	snprintf(cfgvar, sizeof(cfgvar), "GATEKEEP_CONFIG=%s", path);
	{
		char *const env[] = { cfgvar, NULL };

		rc = gk_config_load(&c, NULL, env, &err);
		is_int(rc, GK_OK, "GATEKEEP_CONFIG file loads");
		if (rc == GK_OK)
			is_str(c.realm, "via GATEKEEP_CONFIG", "... and is used");
		gk_config_free(&c);
	}
	{
		const char *other = puts_file("other.conf", "realm = explicit\n");
		char *const env[] = { cfgvar, NULL };

		rc = gk_config_load(&c, other, env, &err);
		ok(rc == GK_OK && strcmp(c.realm, "explicit") == 0, "an explicit path beats GATEKEEP_CONFIG");
		gk_config_free(&c);
	}
	snprintf(cfgvar, sizeof(cfgvar), "GATEKEEP_CONFIG=%s/missing.conf", tmpdir);
	{
		char *const env[] = { cfgvar, NULL };

		ok(gk_config_load(&c, NULL, env, &err) != GK_OK, "missing GATEKEEP_CONFIG file is an error");
		ok(strstr(err.msg, "missing.conf") != NULL, "... naming it (%s)", err.msg);
		gk_config_free(&c);
	}
	/* The default file may be missing. */
	if (access(GK_CONFIG_DEFAULT_PATH, F_OK) != 0) {
		rc = gk_config_load(&c, NULL, noenv, &err);
		is_int(rc, GK_OK, "missing default file (%s) is not an error", GK_CONFIG_DEFAULT_PATH);
		if (rc == GK_OK)
			is_str(c.realm, "gatekeep", "... defaults used");
		gk_config_free(&c);
	} else {
		struct gk_config c2;
		struct gk_err e2;

		diag("%s exists: comparing with an explicit load instead", GK_CONFIG_DEFAULT_PATH);
		rc = gk_config_load(&c, NULL, noenv, &err);
		ok(rc == gk_config_load(&c2, GK_CONFIG_DEFAULT_PATH, noenv, &e2),
		    "default path load = explicit load");
		gk_config_free(&c);
		gk_config_free(&c2);
	}
	{
		char *const env[] = { "GATEKEEP_CONFIG=", NULL };

		if (access(GK_CONFIG_DEFAULT_PATH, F_OK) != 0)
			is_int(gk_config_load(&c, NULL, env, &err), GK_OK,
			    "empty GATEKEEP_CONFIG = unset");
		gk_config_free(&c);
	}

	/* gk_config_set directly. */
	gk_config_defaults(&c, &err);
	is_int(gk_config_set(&c, "realm", "\"Set Directly\"", "test", &err), GK_OK, "gk_config_set");
	is_str(c.realm, "Set Directly", "... quotes stripped like the file");
	ok(gk_config_set(&c, "nope", "1", "test", &err) != GK_OK, "gk_config_set unknown key");
	is_str(err.msg, "test: unknown key 'nope'", "... message");
	is_int(gk_config_set(&c, "rule", "require=any", "t", &err), GK_OK, "gk_config_set rule");
	is_int(gk_config_set(&c, "rule", "require=deny", "t", &err), GK_OK, "... appends");
	is_int(c.rules_count, 2, "... two rules");
	ok(gk_config_set(&c, "realm", "bad\"", NULL, &err) != GK_OK, "bad value via set refused");
	is_str(c.realm, "Set Directly", "a refused value leaves the old one");
	ok(gk_config_set(&c, "proxy_trusted", "nonsense", NULL, &err) != GK_OK, "bad cidr via set");
	gk_config_free(&c);
}

/* Expects text with env to fail with exactly "PATH:" + suffix. */
static void
env_fails_with(int line, const char *text, char *const *env, const char *suffix)
{
	struct gk_config cfg;
	struct gk_err err;
	const char *path;
	char want[4700];
	int rc = load_text(text, env, &cfg, &err, &path);

	snprintf(want, sizeof(want), "%s:%s", path, suffix);
	ok(rc != GK_OK, "line %d: refused", line);
	is_str(err.msg, want, "line %d: message", line);
	gk_config_free(&cfg);
}

/* ${NAME} expansion in file values (TISBackup-style secrets from the environment). */
static void
test_expand(void)
{
	struct gk_config c;
	struct gk_err err;
	int rc;
	char *const env[] = {
		"GK_REALM=Backup Admin", "DB_DIR=/srv/gk", "HDR=X-Auth-User", "EMPTY=",
		"DOLLAR=a$b", "NESTED=${DB_DIR}", "QUOTED=\"q\"", "GROUPS=ops,admins",
		"SPACEY=Jane Doe", "TWICE=1", "TWICE=2", "CTL=a\tb", "TTL=2h",
		"LONG=" "0123456789012345678901234567890123456789012345678901234567890123456789",
		"GATEKEEP_REALM_X=ignored", "under_score9=/u", NULL
	};

	rc = load_text("realm = ${GK_REALM}\ndatabase = ${DB_DIR}/users.db\n"
	    "proxy_user_header = ${HDR}\ncookie_domain = ${EMPTY}\nsession_ttl = ${TTL}\n"
	    "secret_file = ${under_score9}/x${EMPTY}y\n"
	    "rule = path=/ops require=group:${GROUPS}\n", env, &c, &err, NULL);
	is_int(rc, GK_OK, "${NAME} in values loads");
	if (rc == GK_OK) {
		is_str(c.realm, "Backup Admin", "${GK_REALM} with a blank in its value");
		is_str(c.database, "/srv/gk/users.db", "${DB_DIR} inside a value");
		is_str(c.proxy_user_header, "X-Auth-User", "${HDR}");
		is_str(c.cookie_domain, "", "an empty variable gives an empty value");
		is_int(c.session_ttl, 7200, "the expanded value is parsed as the key's type");
		is_str(c.secret_file, "/u/xy", "lower-case/underscore/digit names; two variables");
		ok(c.rules_count == 1 && strcmp(c.rules[0].require, "group:ops,admins") == 0,
		    "${GROUPS} in a rule field");
	} else
		diag("%s", err.msg);
	gk_config_free(&c);

	rc = load_text("realm = \"pre $$ ${DOLLAR} $${HDR}\"\nlogin_url = /login?x=$$\n", env, &c,
	    &err, NULL);
	is_int(rc, GK_OK, "$$ and a variable holding '$' load");
	if (rc == GK_OK) {
		is_str(c.realm, "pre $ a$b ${HDR}", "$$ is a literal '$'; $${HDR} is not expanded");
		is_str(c.login_url, "/login?x=$", "$$ at the end of a value");
	} else
		diag("%s", err.msg);
	gk_config_free(&c);

	/* Found by AFL++: the printer must write a literal '$' as "$$", or print -> load fails. */
	rc = load_text("realm = \" a$$b \"\nbypass_paths = /p$$q,/r\n"
	    "rule = path=/x$$y require=\"user:a$$b\"\n", noenv, &c, &err, NULL);
	is_int(rc, GK_OK, "literal '$' in a quoted value, a list and a rule");
	if (rc == GK_OK) {
		char *first = print_str(&c), *second = NULL;
		struct gk_config c2;

		ok(strstr(first, "realm = \" a$$b \"\n") != NULL,
		    "the printer doubles '$' in a quoted value");
		ok(strstr(first, "bypass_paths = /p$$q,/r\n") != NULL, "... in a list");
		ok(strstr(first, "rule = path=/x$$y require=user:a$$b\n") != NULL, "... in rule fields");
		memset(&c2, 0, sizeof(c2));
		rc = load_text(first, noenv, &c2, &err, NULL);
		is_int(rc, GK_OK, "the printed configuration loads again");
		if (rc == GK_OK) {
			second = print_str(&c2);
			is_str(second, first, "print -> load -> print is a fixed point with '$'");
			is_str(c2.realm, " a$b ", "... and the value is the literal one");
		} else
			diag("%s", err.msg);
		free(first);
		free(second);
		gk_config_free(&c2);
	} else
		diag("%s", err.msg);
	gk_config_free(&c);

	rc = load_text("database = ${NESTED}\n", env, &c, &err, NULL);
	ok(rc != GK_OK, "no recursive expansion: ${NESTED} = '${DB_DIR}' stays literal (bad path)");
	ok(strstr(err.msg, "bad value for database: '${DB_DIR}'") != NULL,
	    "... and is refused as itself (%s)", err.msg);
	gk_config_free(&c);

	/* Quotes from a variable are not syntax: they stay in the value (and realm refuses them). */
	env_fails_with(__LINE__, "realm = \"${QUOTED}\"\n", env,
	    "1: bad value for realm: '\\x22q\\x22' (1-128 printable ASCII characters without '\"' "
	    "or '\\')");
	env_fails_with(__LINE__, "\nrealm = ${NOPE}\n", env,
	    "2: ${NOPE} is not set in the environment");
	env_fails_with(__LINE__, "realm = x\n# c\nrule = require=user:${MISSING_USER}\n", env,
	    "3: ${MISSING_USER} is not set in the environment");
	env_fails_with(__LINE__, "realm = ${GATEKEEP_REALM}\n", noenv,
	    "1: ${GATEKEEP_REALM} is not set in the environment");
	env_fails_with(__LINE__, "realm = $GK_REALM\n", env,
	    "1: stray '$' (write ${NAME} for an environment variable, $$ for a literal '$')");
	env_fails_with(__LINE__, "realm = cost$\n", env,
	    "1: stray '$' (write ${NAME} for an environment variable, $$ for a literal '$')");
	env_fails_with(__LINE__, "realm = ${GK_REALM\n", env, "1: '${' without a closing '}'");
	env_fails_with(__LINE__, "realm = ${}\n", env,
	    "1: bad variable name in '${}' (letters, digits and '_', not starting with a digit)");
	env_fails_with(__LINE__, "realm = ${9X}\n", env,
	    "1: bad variable name in '${9X}' (letters, digits and '_', not starting with a digit)");
	env_fails_with(__LINE__, "realm = ${A-B}\n", env,
	    "1: bad variable name in '${A-B}' (letters, digits and '_', not starting with a digit)");
	env_fails_with(__LINE__, "realm = ${${HDR}}\n", env,
	    "1: bad variable name in '${${HDR}}' (letters, digits and '_', not starting with a "
	    "digit)");
	env_fails_with(__LINE__, "realm = ${TWICE}\n", env,
	    "1: ${TWICE} is set more than once in the environment");
	env_fails_with(__LINE__, "realm = ${CTL}\n", env, "1: ${CTL} holds a control character");
	env_fails_with(__LINE__, "rule = path=/x require=user:${SPACEY}\n", env,
	    "1: ${SPACEY} holds a blank or '\"', which a rule field cannot take from a variable");
	env_fails_with(__LINE__, "rule = path=/x require=user:${QUOTED}\n", env,
	    "1: ${QUOTED} holds a blank or '\"', which a rule field cannot take from a variable");
	{
		/* 8192 bytes after expansion is the limit, as for a line. */
		char text[8300];

		memcpy(text, "realm = ", 8);
		memset(text + 8, 'x', 8100);
		memcpy(text + 8 + 8100, "${LONG}${LONG}\n", 16);
		env_fails_with(__LINE__, text, env,
		    "1: value longer than 8192 bytes after ${...} expansion");
	}
	{
		/* The environment's own GATEKEEP_* values are taken literally: no expansion there. */
		char *const env2[] = { "GATEKEEP_REALM=${GK_REALM}", "GK_REALM=x", NULL };

		rc = load_text("", env2, &c, &err, NULL);
		is_int(rc, GK_OK, "GATEKEEP_REALM=${GK_REALM} loads ...");
		if (rc == GK_OK)
			is_str(c.realm, "${GK_REALM}", "... literally (expansion is for the file only)");
		gk_config_free(&c);
	}
	{
		/* The variables come from the envp given, never from the process environment. */
		setenv("GK_T_CONFIG_ONLY_PROCESS", "/p", 1);
		env_fails_with(__LINE__, "database = ${GK_T_CONFIG_ONLY_PROCESS}/db\n", noenv,
		    "1: ${GK_T_CONFIG_ONLY_PROCESS} is not set in the environment");
		unsetenv("GK_T_CONFIG_ONLY_PROCESS");
	}
}

/* Does doc hold a line starting with prefix + key followed by one of the bytes in after? */
static bool
has_line(const char *doc, const char *prefix, const char *key, const char *after)
{
	char needle[128];
	const char *p = doc;
	size_t n;

	snprintf(needle, sizeof(needle), "\n%s%s", prefix, key);
	n = strlen(needle);
	while ((p = strstr(p, needle)) != NULL) {
		if (p[n] != '\0' && strchr(after, p[n]) != NULL)
			return true;
		p += n;
	}
	return false;
}

/* contrib/gatekeep.conf and gatekeep.conf.5 must describe exactly the built-in keys and defaults. */
static void
test_docs(void)
{
	struct gk_config def, ex;
	struct gk_err err;
	char path[4200], *text, *copy, *dp, *line, *uncommented, *save = NULL;
	char *man;
	size_t keys = 0;
	int rc;

	snprintf(path, sizeof(path), "%s/contrib/gatekeep.conf", srcdir());
	text = slurp(path);
	ok(text != NULL, "contrib/gatekeep.conf readable (%s)", path);
	snprintf(path, sizeof(path), "%s/man/gatekeep.conf.5", srcdir());
	man = slurp(path);
	ok(man != NULL, "man/gatekeep.conf.5 readable (%s)", path);
	if (text == NULL || man == NULL) {
		free(text);
		free(man);
		return;
	}
	copy = strdup(text);
	/* Uncomment every "#key = value" line (not the rule examples): the result must be the defaults. */
	uncommented = calloc(1, strlen(text) + 1);
	for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#' && line[1] >= 'a' && line[1] <= 'z' && strstr(line, " = ") != NULL &&
		    strncmp(line + 1, "rule ", 5) != 0) {
			strcat(uncommented, line + 1);
			strcat(uncommented, "\n");
		}
	}
	rc = load_text(uncommented, noenv, &ex, &err, NULL);
	is_int(rc, GK_OK, "contrib/gatekeep.conf with its settings uncommented loads");
	if (rc != GK_OK)
		diag("%s", err.msg);
	/* The defaults as a program sees them: loaded (state_dir derived from database). */
	if (load_text("", noenv, &def, &err, NULL) != GK_OK)
		gk_config_defaults(&def, &err);
	dp = print_str(&def);
	if (rc == GK_OK) {
		char *ep = print_str(&ex);

		is_str(ep, dp, "... and gives exactly the built-in defaults");
		free(ep);
	}
	/* Every key the program knows must be in both documents. */
	save = NULL;
	for (line = strtok_r(dp, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		char key[64];
		const char *sp = strchr(line, ' ');

		if (line[0] == '#' || sp == NULL || (size_t)(sp - line) >= sizeof(key))
			continue;
		snprintf(key, sizeof(key), "%.*s", (int)(sp - line), line);
		keys++;
		ok(has_line(copy, "#", key, " "), "contrib/gatekeep.conf shows '#%s = ...'", key);
		ok(has_line(man, ".It Ic ", key, " \n"), "gatekeep.conf.5 has '.It Ic %s'", key);
	}
	ok(has_line(copy, "#", "rule", " "), "contrib/gatekeep.conf shows a rule example");
	ok(has_line(man, ".It Ic ", "rule", " \n"), "gatekeep.conf.5 has '.It Ic rule'");
	ok(keys >= 36, "printed %zu keys", keys);
	free(dp);
	free(copy);
	free(uncommented);
	free(text);
	free(man);
	gk_config_free(&def);
	gk_config_free(&ex);
}

int
main(void)
{
	const char *t = getenv("TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%s/t_config.XXXXXX", t != NULL && *t == '/' ? t : "/tmp");
	if (mkdtemp(tmpdir) == NULL)
		return 99;
	test_defaults();
	test_every_key();
	test_file_errors();
	test_syntax();
	test_bypass_hosts_bound();
	test_values();
	test_durations();
	test_bools_lists_requirements();
	test_env();
	test_expand();
	test_docs();
	{
		char cmd[4400];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			diag("could not remove %s", tmpdir);
	}
	return done_testing();
}
