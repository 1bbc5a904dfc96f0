/* gatekeep-passwd.c: the htpasswd/htdbm-compatible admin tool: its commands and main (options: options.c, paths: paths.c). */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "lockout.h"
#include "options.h"
#include "secret.h"
#include "userdb.h"
#include "validate.h"

/* How long a writer waits for another writer's lock before giving up (exit 1). */
#define LOCK_TIMEOUT_MS 10000

/*
 * Checks a user name from the command line, saying exactly what is wrong with it.
 * stored: also a name written before names starting with '-' were refused.
 */
static int
check_name(const char *name, bool stored)
{
	size_t len = strlen(name), i;

	if (len > GK_USER_MAX) {
		pw_warnx("user name too long (at most %d bytes)", GK_USER_MAX);
		return EX_PW_OVERFLOW;
	}
	if (stored ? gk_valid_stored_user(name, len) : gk_valid_user(name, len))
		return EX_PW_OK;
	if (len == 0) {
		pw_warnx("empty user name");
		return EX_PW_BADUSER;
	}
	if (name[0] == '-' && gk_valid_stored_user(name, len)) {
		pw_warnx("user name '%s' starts with '-', which scripts would take for an option",
		    name);
		return EX_PW_BADUSER;
	}
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)name[i];

		if (ch == ':' || ch == ',') {
			pw_warnx("user name contains illegal character '%c'", ch);
			return EX_PW_BADUSER;
		}
		if (ch < 0x20 || ch == 0x7f) {
			pw_warnx("user name contains a control character (0x%02x)", ch);
			return EX_PW_BADUSER;
		}
	}
	if (name[0] == ' ' || name[len - 1] == ' ')
		pw_warnx("user name starts or ends with a space");
	else
		pw_warnx("user name is not valid UTF-8 text (or holds a control character)");
	return EX_PW_BADUSER;
}

/* A name for a new or existing user: never one starting with '-'. */
static int
check_user(const char *name)
{
	return check_name(name, false);
}

static int
cmd_lockout(const struct pw_opts *o, const char *dbarg)
{
	struct gk_lockout_conf lc;
	char dir[GK_PATH_MAX], canon[64], shown[64];
	int rc;

	/* Every argument is checked before the configuration or the table is looked at. */
	if (o->ban_user != NULL && (rc = check_user(o->ban_user)) != EX_PW_OK)
		return rc;
	if (o->ban_addr != NULL &&
	    (rc = pw_lockout_addr(o->ban_addr, canon, sizeof(canon), shown, sizeof(shown))) !=
	    EX_PW_OK)
		return rc;
	if ((rc = pw_resolve_state_dir(o, dbarg, dir, sizeof(dir), &lc)) != EX_PW_OK)
		return rc;
	return pw_lockout_run(dir, &lc, o->mode == M_UNBAN, o->ban_user,
	    o->ban_addr != NULL ? canon : NULL, shown);
}

/* Gets the password from argv (-b), stdin (-i) or the terminal. */
static int
get_password(const struct pw_opts *o, char *pwarg, bool confirm, const char *prompt,
    char *buf, size_t bufsz)
{
	if (o->batch) {
		if (gk_strcpy(buf, bufsz, pwarg) != GK_OK) {
			gk_wipe(pwarg, strlen(pwarg));
			pw_warnx("password too long (at most %d bytes)", GK_PASSWORD_MAX);
			return EX_PW_OVERFLOW;
		}
		/* Shorten the window in which ps(1) shows it; the shell may still have it. */
		gk_wipe(pwarg, strlen(pwarg));
		return EX_PW_OK;
	}
	if (o->from_stdin)
		return pw_read_line(stdin, buf, bufsz);
	return pw_prompt(prompt, confirm, buf, bufsz);
}

/* Checks the policy and hashes; the password buffer is left for the caller to wipe. */
static int
make_hash(const struct pw_opts *o, const char *pw, char *hash, size_t hashsz)
{
	struct gk_pw_ctx *ctx;
	struct gk_err err = { "" };
	enum gk_pw_method m = o->method_set ? o->method : GK_PW_PREFERRED;
	int st;

	st = gk_pw_policy_check(m, pw, &err);
	if (st != GK_OK) {
		pw_warnx("%s", err.msg);
		return st == GK_ETOOLONG ? EX_PW_OVERFLOW : EX_PW_SYNTAX;
	}
	ctx = gk_pw_ctx_new(&err);
	if (ctx == NULL) {
		pw_warnx("%s", err.msg);
		return EX_PW_GENERAL;
	}
	st = gk_pw_hash(ctx, m, o->cost, pw, hash, hashsz, &err);
	gk_pw_ctx_free(ctx);
	if (st != GK_OK) {
		pw_warnx("%s", err.msg);
		return st == GK_EINVAL ? EX_PW_SYNTAX : st == GK_ETOOLONG ? EX_PW_OVERFLOW : EX_PW_ALG;
	}
	return EX_PW_OK;
}

static int
begin_txn(const struct pw_opts *o, const char *db, struct gk_userdb_txn **txn)
{
	struct gk_err err = { "" };
	int rc, st;

	if ((rc = pw_db_presence_check(db, o->create)) != EX_PW_OK || (rc = pw_dir_check(db)) != EX_PW_OK)
		return rc;
	st = gk_userdb_begin(db, o->create, LOCK_TIMEOUT_MS, txn, &err);
	if (st != GK_OK) {
		if (st == GK_EBUSY)
			pw_warnx("%s: locked by another writer; try again", db);
		else
			pw_dberr(db, err.msg);
		return pw_exit_for_status(st);
	}
	return EX_PW_OK;
}

static int
commit_txn(const char *db, struct gk_userdb_txn *txn)
{
	struct gk_err err = { "" };
	int st;

	st = gk_userdb_commit(txn, &err);
	if (st != GK_OK) {
		pw_dberr(db, err.msg);
		pw_warnx("%s: nothing was changed", db);
		return pw_exit_for_status(st) == EX_PW_GENERAL ? EX_PW_FILE : pw_exit_for_status(st);
	}
	return EX_PW_OK;
}

/* The default command: add a user or update its password and/or attributes. */
static int
cmd_set(const struct pw_opts *o, const char *db, const char *name, char *pwarg)
{
	struct gk_userdb_txn *txn = NULL;
	struct gk_user u;
	struct gk_err err = { "" };
	char pw[GK_PASSWORD_MAX + 2], hash[GK_HASH_MAX];
	bool want_pw = o->batch || o->from_stdin || !pw_attrs_any(&o->attrs);
	bool existed = false;
	int64_t now = (int64_t)time(NULL);
	int rc, st;

	memset(&u, 0, sizeof(u));
	hash[0] = '\0';
	/* Fail before asking for a password the command could not store. */
	if ((rc = pw_db_presence_check(db, o->create)) != EX_PW_OK || (rc = pw_dir_check(db)) != EX_PW_OK)
		goto out;
	/* Hash before taking the lock: hashing is the slow part. */
	if (want_pw) {
		rc = get_password(o, pwarg, true, "New password: ", pw, sizeof(pw));
		if (rc == EX_PW_OK)
			rc = make_hash(o, pw, hash, sizeof(hash));
		gk_wipe(pw, sizeof(pw));
		if (rc != EX_PW_OK)
			goto out;
	}
	if ((rc = begin_txn(o, db, &txn)) != EX_PW_OK)
		goto out;
	st = gk_userdb_txn_get(txn, name, &u, &err);
	if (st == GK_OK) {
		existed = true;
	} else if (st == GK_NOTFOUND) {
		if (!want_pw) {
			pw_warnx("%s: no such user '%s' (give a password with -b or -i to create it)",
			    db, name);
			rc = EX_PW_BADUSER;
			goto out;
		}
		if ((rc = pw_new_name_check(db, db, name)) != EX_PW_OK)
			goto out;
		gk_user_init(&u, name, now);
	} else {
		pw_dberr(db, err.msg);
		rc = pw_exit_for_status(st);
		goto out;
	}
	if (want_pw) {
		memcpy(u.hash, hash, sizeof(u.hash));
		u.flags &= ~GK_USER_EXTERNAL;   /* it has a password of its own now */
		u.pw_changed = now;
	}
	if ((rc = pw_attrs_apply(&o->attrs, &u)) != EX_PW_OK)
		goto out;
	/* A new password, --disable or --revoke-sessions ends every existing session. */
	if (existed && (want_pw || pw_attrs_revokes(&o->attrs)))
		pw_bump_generation(&u);
	u.updated = now;
	st = gk_userdb_txn_put(txn, &u, &err);
	if (st != GK_OK) {
		pw_warnx("%s: user '%s': %s", db, name, err.msg);
		rc = pw_exit_for_status(st);
		goto out;
	}
	rc = commit_txn(db, txn);
	txn = NULL;
	if (rc == EX_PW_OK && existed && (want_pw || pw_attrs_revokes(&o->attrs)))
		rc = pw_revoke_shared(o, name, u.generation);   /* the other machines (state_backend = redis) */
	if (rc == EX_PW_OK) {
		if (!want_pw)
			pw_warnx("Updating user %s", name);
		else
			pw_warnx("%s password for user %s", existed ? "Updating" : "Adding", name);
	}
out:
	if (txn != NULL)
		gk_userdb_abort(txn);
	gk_wipe(&u, sizeof(u));
	gk_wipe(hash, sizeof(hash));
	return rc;
}

static int
cmd_delete(const struct pw_opts *o, const char *db, const char *name)
{
	struct gk_userdb_txn *txn = NULL;
	struct gk_err err = { "" };
	int rc, st;

	if ((rc = begin_txn(o, db, &txn)) != EX_PW_OK)
		return rc;
	st = gk_userdb_txn_delete(txn, name, &err);
	if (st != GK_OK) {
		gk_userdb_abort(txn);
		if (st == GK_NOTFOUND) {   /* htpasswd -D too: a message, exit 0 */
			pw_warnx("%s: no such user '%s': nothing to delete", db, name);
			return EX_PW_OK;
		}
		pw_dberr(db, err.msg);
		return pw_exit_for_status(st);
	}
	rc = commit_txn(db, txn);
	if (rc == EX_PW_OK)
		pw_warnx("Deleting user %s", name);
	return rc;
}

static int
open_db(const char *db, struct gk_userdb **out)
{
	struct gk_err err = { "" };
	int st;

	st = gk_userdb_open(db, out, &err);
	if (st != GK_OK) {
		pw_dberr(db, err.msg);
		return pw_exit_for_status(st);
	}
	return EX_PW_OK;
}

static int
cmd_verify(const struct pw_opts *o, const char *db, const char *name, char *pwarg)
{
	struct gk_userdb *udb = NULL;
	struct gk_pw_ctx *ctx = NULL;
	struct gk_user u;
	struct gk_err err = { "" };
	char pw[GK_PASSWORD_MAX + 2];
	enum gk_pw_verdict v;
	int rc, st;

	memset(&u, 0, sizeof(u));
	pw[0] = '\0';
	if ((rc = open_db(db, &udb)) != EX_PW_OK)
		goto out;
	if ((rc = get_password(o, pwarg, false, "Enter password: ", pw, sizeof(pw))) != EX_PW_OK)
		goto out;
	ctx = gk_pw_ctx_new(&err);
	if (ctx == NULL) {
		pw_warnx("%s", err.msg);
		rc = EX_PW_GENERAL;
		goto out;
	}
	st = gk_userdb_lookup(udb, name, &u, &err);
	if (st == GK_NOTFOUND)
		(void)gk_pw_verify_dummy(ctx, pw);
	if ((rc = pw_user_status(db, name, st, err.msg)) != EX_PW_OK)
		goto out;
	v = gk_pw_verify(ctx, pw, u.hash);
	if (v == GK_PW_FAIL) {
		pw_warnx("cannot verify the password (internal error)");
		rc = EX_PW_GENERAL;
	} else if (u.flags & GK_USER_DISABLED) {
		pw_warnx("user '%s' is disabled", name);
		rc = EX_PW_MISMATCH;
	} else if (u.hash[0] == '\0') {
		pw_warnx("user '%s' has no password (external user)", name);
		rc = EX_PW_MISMATCH;
	} else if (!gk_pw_cost_bounded(u.hash)) {
		pw_warnx("user '%s': password hash cost over the limit: re-set this password", name);
		rc = EX_PW_MISMATCH;
	} else if (v != GK_PW_MATCH) {
		pw_warnx("password verification failed");
		rc = EX_PW_MISMATCH;
	} else {
		pw_warnx("Password for user %s correct.", name);
		rc = EX_PW_OK;
	}
out:
	gk_wipe(pw, sizeof(pw));
	gk_wipe(&u, sizeof(u));
	gk_pw_ctx_free(ctx);
	gk_userdb_close(udb);
	return rc;
}

static int
cmd_print(const struct pw_opts *o, const char *name, char *pwarg)
{
	char pw[GK_PASSWORD_MAX + 2], hash[GK_HASH_MAX];
	int rc;

	rc = get_password(o, pwarg, true, "New password: ", pw, sizeof(pw));
	if (rc == EX_PW_OK)
		rc = make_hash(o, pw, hash, sizeof(hash));
	gk_wipe(pw, sizeof(pw));
	if (rc == EX_PW_OK) {
		printf("%s:%s\n", name, hash);
		if (fflush(stdout) != 0 || ferror(stdout)) {
			pw_warnx("cannot write the output");
			rc = EX_PW_FILE;
		}
	}
	gk_wipe(hash, sizeof(hash));
	return rc;
}

static int
cmd_init(const char *db, const char *secret)
{
	struct gk_err err = { "" };

	/* Refuse before creating anything, so a refusal leaves no half-initialised state. */
	if (pw_path_exists(db)) {
		pw_warnx("%s: database already exists; not overwriting it", db);
		return EX_PW_FILE;
	}
	if (pw_path_exists(secret)) {
		pw_warnx("%s: secret file already exists; not overwriting it", secret);
		return EX_PW_FILE;
	}
	if (gk_userdb_create(db, &err) != GK_OK) {
		pw_dberr(db, err.msg);
		return EX_PW_FILE;
	}
	if (gk_secret_create(secret, &err) != GK_OK) {
		pw_dberr(secret, err.msg);
		if (unlink(db) != 0)
			pw_warnx("%s: cannot remove the new database: %s", db, strerror(errno));
		return EX_PW_FILE;
	}
	pw_warnx("Created database %s and secret file %s", db, secret);
	return EX_PW_OK;
}

static int
cmd_rotate(const char *secret, bool leaked)
{
	struct gk_err err = { "" };
	int rc = gk_secret_rotate(secret, leaked, &err);

	if (rc != GK_OK) {
		pw_dberr(secret, err.msg);
		return EX_PW_FILE;
	}
	if (leaked)
		pw_warnx("Rotated secret %s and removed %s.prev: every session must sign in again",
		    secret, secret);
	else
		pw_warnx("Rotated secret %s (the previous key is kept in %s.prev)", secret, secret);
	return EX_PW_OK;
}

static int
cmd_import(const struct pw_opts *o, const char *db)
{
	struct gk_userdb_txn *txn = NULL;
	size_t added = 0, replaced = 0;
	int rc;

	if ((rc = begin_txn(o, db, &txn)) != EX_PW_OK)
		return rc;
	rc = pw_import_file(o->import_file, db, txn, &o->attrs, o->force, o->with_creds,
	    (int64_t)time(NULL), &added, &replaced);
	if (rc != EX_PW_OK) {
		gk_userdb_abort(txn);
		pw_warnx("%s: nothing imported", db);
		return rc;
	}
	if ((rc = commit_txn(db, txn)) != EX_PW_OK)
		return rc;
	pw_warnx("Imported %zu users into %s (%zu added, %zu replaced)", added + replaced, db,
	    added, replaced);
	return EX_PW_OK;
}

static int
cmd_readonly(const struct pw_opts *o, const char *db)
{
	struct gk_userdb *udb = NULL;
	struct gk_err err = { "" };
	size_t n = 0;
	int rc, st;

	if ((rc = open_db(db, &udb)) != EX_PW_OK)
		return rc;
	switch (o->mode) {
	case M_LIST:
		rc = pw_list(udb, db, stdout);
		break;
	case M_SHOW:
		rc = pw_show(udb, db, o->show_user, stdout);
		break;
	case M_EXPORT:
		rc = pw_export(udb, db, stdout, &n, o->with_creds);
		if (rc == EX_PW_OK && n > 0)
			pw_warnx("%zu users without a password or disabled were not exported", n);
		break;
	default:   /* M_CHECK */
		st = gk_userdb_check(udb, &n, &err);
		if (st != GK_OK) {
			pw_dberr(db, err.msg);
			rc = st == GK_EIO ? EX_PW_FILE : EX_PW_INVALID;
		} else {
			printf("%s: ok, %zu users\n", db, n);
			rc = EX_PW_OK;
		}
		break;
	}
	gk_userdb_close(udb);
	return rc;
}

int
main(int argc, char **argv)
{
	struct pw_opts o;
	char db[GK_PATH_MAX], secret[GK_PATH_MAX];
	char **pos;
	int npos, want, rc;
	bool takes_pw;

	memset(&o, 0, sizeof(o));
	umask(077);
	if ((rc = pw_parse_args(argc, argv, &o)) != EX_PW_OK)
		return rc;
	pos = argv + optind;
	npos = argc - optind;

	if (o.batch && o.from_stdin)
		return pw_usage_error("-b and -i cannot be combined");
	takes_pw = o.mode == M_SET || o.mode == M_VERIFY || o.mode == M_PRINT;
	if ((o.batch || o.from_stdin) && !takes_pw)
		return pw_usage_error("%s takes no password (-b/-i)", o.mode_name);
	if (o.create && o.mode != M_SET && o.mode != M_IMPORT)
		return pw_usage_error("-c cannot be used with %s", o.mode_name);
	if (o.force && o.mode != M_IMPORT)
		return pw_usage_error("--force is only for --import");
	if (o.with_creds && o.mode != M_EXPORT && o.mode != M_IMPORT)
		return pw_usage_error("--with-credentials is only for --export and --import");
	if (o.leaked && o.mode != M_ROTATE)
		return pw_usage_error("--leaked is only for --rotate-secret");
	if ((o.method_set || o.cost != 0) && !takes_pw)
		return pw_usage_error("hash options (-B, -2, -5, -y, -C) cannot be used with %s",
		    o.mode_name);
	if ((rc = pw_cost_check(o.method_set ? o.method : GK_PW_PREFERRED, o.cost)) != EX_PW_OK)
		return rc;
	if (pw_attrs_any(&o.attrs) && o.mode != M_SET && o.mode != M_IMPORT)
		return pw_usage_error("%s cannot be used with %s", o.attr_name, o.mode_name);
	if (o.mode == M_TOKEN_ADD || o.mode == M_TOKEN_LIST || o.mode == M_TOKEN_REVOKE)
		return pw_token_run(&o, pos, npos);     /* tokens.c */
	if (o.mode == M_ZEROHOP_KEY)
		return pw_zerohop_run(&o, pos, npos);   /* zerohop_key.c */

	switch (o.mode) {
	case M_SET:
	case M_VERIFY:
		want = o.batch ? 3 : 2;
		if (npos != want)
			return pw_usage_error(npos < want ? "missing arguments (%s)" : "too many arguments (%s)",
			    o.batch ? "DBFILE USER PASSWORD" : "DBFILE USER");
		break;
	case M_DELETE:
		if (npos != 2)
			return pw_usage_error(npos < 2 ? "missing arguments (%s)" : "too many arguments (%s)",
			    "DBFILE USER");
		break;
	case M_PRINT:
		want = o.batch ? 2 : 1;
		if (npos != want)
			return pw_usage_error(npos < want ? "missing arguments (%s)" : "too many arguments (%s)",
			    o.batch ? "USER PASSWORD; -n takes no DBFILE" : "USER; -n takes no DBFILE");
		if ((rc = check_user(pos[0])) != EX_PW_OK)
			return rc;
		return cmd_print(&o, pos[0], o.batch ? pos[1] : NULL);
	default:
		if (npos > 1)
			return pw_usage_error("too many arguments (at most DBFILE)");
		break;
	}

	if ((rc = pw_backend_check(&o)) != EX_PW_OK)    /* user_backend = ldap: read-only */
		return rc;
	if (o.mode == M_UNBAN || o.mode == M_LOCKSTAT)
		return cmd_lockout(&o, npos > 0 ? pos[0] : NULL);
	if ((rc = pw_resolve_db(&o, npos > 0 ? pos[0] : NULL, db, sizeof(db))) != EX_PW_OK)
		return rc;
	switch (o.mode) {
	case M_SET:
		if ((rc = check_user(pos[1])) != EX_PW_OK)
			return rc;
		return cmd_set(&o, db, pos[1], o.batch ? pos[2] : NULL);
	case M_VERIFY:
		if ((rc = check_user(pos[1])) != EX_PW_OK)
			return rc;
		return cmd_verify(&o, db, pos[1], o.batch ? pos[2] : NULL);
	case M_DELETE:
		/* A user stored before names starting with '-' were refused can still be deleted. */
		if ((rc = check_name(pos[1], true)) != EX_PW_OK)
			return rc;
		return cmd_delete(&o, db, pos[1]);
	case M_INIT:
	case M_ROTATE:
		if ((rc = pw_resolve_secret(&o, db, secret, sizeof(secret))) != EX_PW_OK)
			return rc;
		return o.mode == M_INIT ? cmd_init(db, secret) : cmd_rotate(secret, o.leaked);
	case M_IMPORT:
		return cmd_import(&o, db);
	case M_SHOW:
		if ((rc = check_user(o.show_user)) != EX_PW_OK)
			return rc;
		return cmd_readonly(&o, db);
	case M_TOTP_ENROL:
	case M_TOTP_REMOVE:
		return (rc = check_user(o.totp_user)) != EX_PW_OK ? rc : pw_totp_run(&o, db);
	default:
		return cmd_readonly(&o, db);
	}
}
