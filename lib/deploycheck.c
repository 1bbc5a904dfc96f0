/* deploycheck.c: --check-config beyond syntax: the files a FastCGI program will open, checked as the user it will serve as. */
#include <config.h>

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "deploycheck.h"
#include "lockout.h"
#include "sandbox.h"
#include "secret.h"
#include "userbackend.h"
#include "userdb.h"

struct report {
	const char *prog;
	FILE *out;
	int problems;
};

static void problem(struct report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
problem(struct report *r, const char *fmt, ...)
{
	va_list ap;

	fprintf(r->out, "%s: ", r->prog);
	va_start(ap, fmt);
	vfprintf(r->out, fmt, ap);
	va_end(ap);
	fputc('\n', r->out);
	r->problems++;
}

static void
check_database(const char *path, struct report *r)
{
	struct gk_userdb *db = NULL;
	struct gk_err err = { "" };
	struct stat st;
	size_t users;

	if (gk_userdb_open(path, &db, &err) != GK_OK) {
		problem(r, "database: %s (create it with gatekeep-passwd --init)", err.msg);
		return;
	}
	if (gk_userdb_check(db, &users, &err) != GK_OK)
		problem(r, "database: %s", err.msg);
	gk_userdb_close(db);
	if (stat(path, &st) == 0 && (st.st_mode & 022) != 0)
		problem(r, "database: %s: writable by group or others (mode %03o): chmod 0600 it",
		    path, (unsigned)(st.st_mode & 0777));
}

/* user_backend = ldap: the workers read ldap_bind_password_file (the directory is asked at run time). */
static void
check_ldap(const struct gk_config *cfg, struct report *r)
{
	FILE *f;

	if (cfg->ldap_bind_password_file[0] == '\0')
		return;
	if ((f = fopen(cfg->ldap_bind_password_file, "re")) == NULL)
		problem(r, "ldap_bind_password_file: %s: %s", cfg->ldap_bind_password_file,
		    strerror(errno));
	else
		fclose(f);
}

static void
check_secret(const char *path, struct report *r)
{
	struct gk_secret s;
	struct gk_err err = { "" };

	memset(&s, 0, sizeof(s));
	if (gk_secret_load(path, &s, &err) != GK_OK)
		problem(r, "secret_file: %s", err.msg);
	gk_secret_wipe(&s);
}

/* What the workers do with state_dir (fcgi/authz_decide.c, lib/lockout_table.c), as a question. */
static void
check_state_dir(const char *dir, bool made_by_root, struct report *r)
{
	char parent[PATH_MAX], table[PATH_MAX];
	const char *slash;
	struct stat st;

	if (stat(dir, &st) != 0) {
		if (errno != ENOENT) {
			problem(r, "state_dir: %s: %s", dir, strerror(errno));
			return;
		}
		slash = strrchr(dir, '/');
		if (slash == NULL || (size_t)(slash - dir) >= sizeof(parent)) {
			problem(r, "state_dir: %s: not an absolute path", dir);
			return;
		}
		memcpy(parent, dir, (size_t)(slash - dir));
		parent[slash - dir] = '\0';
		if (parent[0] == '\0')
			strcpy(parent, "/");
		/* Started as root, gatekeep-authz makes it for run_user before the drop. */
		if (made_by_root ? stat(parent, &st) != 0 || !S_ISDIR(st.st_mode) :
		    access(parent, W_OK | X_OK) != 0)
			problem(r, "state_dir: %s: missing, and it cannot be created in %s%s",
			    dir, parent, made_by_root ? " (not a directory)" : ": no write access");
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		problem(r, "state_dir: %s: not a directory", dir);
		return;
	}
	if (st.st_uid != geteuid())
		problem(r, "state_dir: %s: belongs to uid %ld, not to the user the programs serve as "
		    "(uid %ld): chown it", dir, (long)st.st_uid, (long)geteuid());
	if ((st.st_mode & 022) != 0)
		problem(r, "state_dir: %s: writable by group or others (mode %03o): chmod 0700 it",
		    dir, (unsigned)(st.st_mode & 0777));
	if (access(dir, W_OK | X_OK) != 0)
		problem(r, "state_dir: %s: uid %ld cannot write in it: %s", dir, (long)geteuid(),
		    strerror(errno));
	if (snprintf(table, sizeof(table), "%s/" GK_LOCKOUT_TABLE, dir) >= (int)sizeof(table))
		return;
	if (lstat(table, &st) != 0)
		return;
	if (!S_ISREG(st.st_mode))
		problem(r, "lockout table: %s: not a regular file", table);
	else if (st.st_uid != geteuid())
		problem(r, "lockout table: %s: belongs to uid %ld, not to uid %ld: chown it",
		    table, (long)st.st_uid, (long)geteuid());
	else if ((st.st_mode & 022) != 0)
		problem(r, "lockout table: %s: writable by group or others (mode %03o)",
		    table, (unsigned)(st.st_mode & 0777));
}

/* The user the program will serve as: NULL with no problem when it stays the caller. */
static const char *
serving_user(const struct gk_config *cfg, struct report *r)
{
	const char *user = cfg->run_user != NULL && cfg->run_user[0] != '\0' ? cfg->run_user : NULL;

	if (user == NULL && geteuid() == 0) {
		if (getpwnam(GK_RUN_USER_DEFAULT) == NULL) {
			problem(r, "run_user is unset and there is no user %s: refusing to serve as root "
			    "(set run_user, or create the system user %s)",
			    GK_RUN_USER_DEFAULT, GK_RUN_USER_DEFAULT);
			return NULL;
		}
		user = GK_RUN_USER_DEFAULT;
	}
	if (user != NULL && getpwnam(user) == NULL) {
		problem(r, "run_user %s: no such user", user);
		return NULL;
	}
	if (cfg->run_group != NULL && cfg->run_group[0] != '\0' && getgrnam(cfg->run_group) == NULL)
		problem(r, "run_group %s: no such group", cfg->run_group);
	return user;
}

int
gk_deploy_check(const struct gk_config *cfg, bool login_page, const char *prog, FILE *out)
{
	return gk_deploy_check_with(cfg, login_page, prog, out, NULL, NULL);
}

int
gk_deploy_check_with(const struct gk_config *cfg, bool login_page, const char *prog, FILE *out,
    int (*also)(void *arg, FILE *out), void *arg)
{
	struct report r = { prog, out, 0 };
	struct gk_err err = { "" };
	const char *user;
	bool dropped, started_as_root;
	pid_t pid;
	int status;

	started_as_root = geteuid() == 0;
	user = serving_user(cfg, &r);
	if (r.problems > 0)
		return r.problems;
	fflush(out);
	pid = fork();
	if (pid < 0) {
		problem(&r, "cannot fork to check the files as %s: %s", user ? user : "this user",
		    strerror(errno));
		return r.problems;
	}
	if (pid == 0) {
		/* As the workers will be: the same drop, then the same opens. */
		const char *group = cfg->run_group != NULL && cfg->run_group[0] != '\0' ?
		    cfg->run_group : NULL;

		if (user != NULL && gk_sandbox_drop(user, group, &dropped, &err) != GK_OK) {
			problem(&r, "%s", err.msg);
			fflush(out);
			_exit(r.problems);
		}
		if (cfg->user_backend == GK_USERBACKEND_LDAP)   /* the directory: its service password */
			check_ldap(cfg, &r);
		else
			check_database(cfg->database, &r);
		if (login_page || gk_config_uses_method(cfg, GK_M_SESSION))
			check_secret(cfg->secret_file, &r);
		if (login_page || gk_config_uses_method(cfg, GK_M_BASIC))
			check_state_dir(cfg->state_dir, started_as_root, &r);
		if (also != NULL && r.problems == 0)
			r.problems += also(arg, out);
		fflush(out);
		_exit(r.problems > 100 ? 100 : r.problems);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			problem(&r, "cannot wait for the check: %s", strerror(errno));
			return r.problems;
		}
	if (!WIFEXITED(status)) {
		problem(&r, "the check as %s died (signal %d)", user ? user : "this user",
		    WIFSIGNALED(status) ? WTERMSIG(status) : 0);
		return r.problems;
	}
	return WEXITSTATUS(status);
}

int
gk_deploy_check_listen(const char *listen, const char *prog, FILE *out)
{
	struct report r = { prog, out, 0 };
	char dir[PATH_MAX];
	const char *path, *slash;
	struct stat st;

	if (listen == NULL || strncmp(listen, "unix:", 5) != 0)
		return 0;
	path = listen + 5;
	slash = strrchr(path, '/');
	if (path[0] != '/' || slash == NULL || (size_t)(slash - path) >= sizeof(dir)) {
		problem(&r, "--listen %s: the socket path must be absolute", listen);
		return r.problems;
	}
	if (slash == path)
		strcpy(dir, "/");
	else {
		memcpy(dir, path, (size_t)(slash - path));
		dir[slash - path] = '\0';
	}
	if (stat(dir, &st) != 0)
		problem(&r, "--listen: %s: %s (nothing creates it: RuntimeDirectory= in the unit, or "
		    "mkdir)", dir, strerror(errno));
	else if (!S_ISDIR(st.st_mode))
		problem(&r, "--listen: %s: not a directory", dir);
	else if (access(dir, W_OK | X_OK) != 0)
		problem(&r, "--listen: %s: %s cannot make the socket there: %s", dir,
		    geteuid() == 0 ? "root" : "this user", strerror(errno));
	if (lstat(path, &st) == 0 && !S_ISSOCK(st.st_mode))
		problem(&r, "--listen: %s: exists and is not a socket (it is never replaced)", path);
	return r.problems;
}
