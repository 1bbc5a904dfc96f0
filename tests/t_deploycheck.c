/* t_deploycheck.c: lib/deploycheck for real: a good deployment passes, and each broken file, mode, owner and user is one line naming it. */
#include <config.h>

#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "deploycheck.h"
#include "lockout.h"
#include "secret.h"
#include "tap.h"
#include "userdb.h"

static char dir[64], db[128], secret[128], state[128], conf[128];
static char out[4096];
static uid_t runner_uid;
static gid_t runner_gid;
static bool as_root;

/* The configuration with these extra lines; runs the check; leaves its report in out. */
static int
check(const char *extra, bool login_page)
{
	struct gk_config cfg;
	struct gk_err err = { "" };
	char *const envp[] = { NULL };
	FILE *f, *rep;
	size_t n;
	int problems;

	f = fopen(conf, "w");
	if (f == NULL)
		return -1;
	fprintf(f, "database = %s\nsecret_file = %s\nstate_dir = %s\n%s%s", db, secret, state,
	    as_root && strstr(extra, "run_user") == NULL ? "run_user = nobody\n" : "", extra);
	fclose(f);
	if (gk_config_load(&cfg, conf, envp, &err) != GK_OK) {
		diag("config: %s", err.msg);
		return -1;
	}
	rep = tmpfile();
	if (rep == NULL)
		return -1;
	problems = gk_deploy_check(&cfg, login_page, "t_deploycheck", rep);
	rewind(rep);
	n = fread(out, 1, sizeof(out) - 1, rep);
	out[n] = '\0';
	fclose(rep);
	gk_config_free(&cfg);
	if (problems != 0)
		diag("report: %s", out);
	return problems;
}

static void
give(const char *path)
{
	if (as_root && chown(path, runner_uid, runner_gid) != 0)
		diag("chown %s failed", path);
}

int
main(void)
{
	struct gk_err err = { "" };
	struct passwd *pw;
	char table[PATH_MAX];

	as_root = geteuid() == 0;
	if (as_root) {
		pw = getpwnam("nobody");
		if (pw == NULL) {
			printf("1..0 # SKIP no user nobody to serve as\n");
			return 0;
		}
		runner_uid = pw->pw_uid;
		runner_gid = pw->pw_gid;
	}
	strcpy(dir, "/tmp/t_deploycheck.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 99;
	chmod(dir, 0755);
	give(dir);
	snprintf(db, sizeof(db), "%s/users.db", dir);
	snprintf(secret, sizeof(secret), "%s/secret", dir);
	snprintf(state, sizeof(state), "%s/state", dir);
	snprintf(conf, sizeof(conf), "%s/gatekeep.conf", dir);
	if (gk_userdb_create(db, &err) != GK_OK || gk_secret_create(secret, &err) != GK_OK) {
		diag("setup: %s", err.msg);
		return 99;
	}
	give(db);
	give(secret);

	is_int(check("", true), 0, "a good deployment (state_dir still to be made): no problem");
	is_int(check("", false), 0, "... for gatekeep-authz too");

	rename(db, "/tmp/t_deploycheck.db.away");
	is_int(check("", false), 1, "a missing database: one problem");
	ok(strstr(out, "t_deploycheck: database: ") == out && strstr(out, db) != NULL,
	    "... a line naming the program, the key and the file: %s", out);
	rename("/tmp/t_deploycheck.db.away", db);

	chmod(db, 0620);
	is_int(check("", false), 1, "a group-writable database: one problem");
	ok(strstr(out, "writable by group or others") != NULL, "... saying so");
	chmod(db, 0600);
	if (as_root) {
		if (chown(db, 0, 0) != 0)
			diag("chown failed");
		is_int(check("", false), 1, "a database the serving user cannot read (root's, 0600): one problem");
		ok(strstr(out, "database: ") != NULL, "... the database's");
		give(db);
	} else {
		chmod(db, 0);
		is_int(check("", false), 1, "a database the serving user cannot read (mode 0): one problem");
		chmod(db, 0600);
	}

	chmod(secret, 0644);
	is_int(check("", true), 1, "a secret readable by others: one problem for gatekeep-login");
	ok(strstr(out, "secret_file: ") != NULL, "... naming secret_file");
	is_int(check("methods = basic\n", false), 0,
	    "... and none for an authorizer that uses no sessions");
	chmod(secret, 0600);

	mkdir(state, 0777);
	chmod(state, 0777);
	give(state);
	is_int(check("", true), 1, "a state_dir writable by others: one problem");
	ok(strstr(out, "state_dir: ") != NULL && strstr(out, "writable by group or others") != NULL,
	    "... saying so");
	is_int(check("methods = session\n", false), 0,
	    "... and none for an authorizer that checks no passwords");
	chmod(state, 0700);
	if (as_root) {
		if (chown(state, 0, 0) != 0)
			diag("chown failed");
		ok(check("", true) >= 1 && strstr(out, "belongs to uid 0") != NULL,
		    "a state_dir of root's while the programs serve as nobody: reported");
		give(state);
	}
	is_int(check("", true), 0, "the state_dir repaired: no problem");
	snprintf(table, sizeof(table), "%s/" GK_LOCKOUT_TABLE, state);
	mkdir(table, 0700);
	is_int(check("", true), 1, "a lockout table that is no file: one problem");
	ok(strstr(out, "lockout table: ") != NULL && strstr(out, "not a regular file") != NULL,
	    "... naming the table lockout.c opens");
	rmdir(table);
	if (as_root) {
		/* Missing, in a directory of root's: gatekeep-authz (as root) makes it for run_user. */
		rmdir(state);
		if (chown(dir, 0, 0) != 0)
			diag("chown failed");
		is_int(check("", false), 0, "a missing state_dir in root's directory: gatekeep-authz makes it");
		/* lib/statedir: gatekeep-login, started as root, makes it for run_user too. */
		is_int(check("", true), 0, "... and so does gatekeep-login (lib/statedir)");
		give(dir);
	}

	is_int(check("run_user = gk-no-such-user\n", true), 1, "a run_user that does not exist: one problem");
	ok(strstr(out, "run_user gk-no-such-user: no such user") != NULL, "... naming it");
	is_int(check("run_group = gk-no-such-group\n", true), 1, "a run_group that does not exist: one problem");

	rmdir(state);
	unlink(db);
	unlink(secret);
	unlink(conf);
	rmdir(dir);
	return done_testing();
}
