/* authz_decide.c: who is this request (bypass, proxy, session, basic) and may they pass (policy). */
#include <config.h>	/* autoconf's, not lib/config.h */

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "authz_decide.h"
#include "basic.h"
#include "bypass.h"
#include "cidr.h"
#include "cookie.h"
#include "hashpool.h"
#include "frontend.h"
#include "extuser.h"
#include "origin.h"
#include "pathnorm.h"
#include "policy.h"
#include "token.h"
#include "validate.h"

/* What one method found. */
enum mres {
	M_NONE = 0,             /* no credentials of this kind: try the next method */
	M_USER,                 /* identified d->user */
	M_ANON,                 /* bypass: allow without a user */
	M_FAIL                  /* d->outcome/reason set: stop */
};

/* The original request as the front end describes it. */
struct view {
	const char *method;
	const char *host;
	const char *target;
	const char *proto;
	struct gk_methods ms;   /* every method the app could act on (method.h) */
};

static int auth_lookup(void *arg, const char *name, struct gk_user *u);

static int64_t
now_real(void)
{
	return (int64_t)time(NULL);
}

static bool
method_on(const struct gk_config *cfg, enum gk_method m)
{
	size_t i;

	for (i = 0; i < cfg->methods_count; i++)
		if (cfg->methods[i] == m)
			return true;
	return false;
}

/* --- lockout (lib/lockout: shared with gatekeep-login) --------------------- */

int
gk_authz_state_dir(const struct gk_config *cfg, char *out, size_t outsz)
{
	/* lib/config.c fills an empty state_dir with "state" beside the database. */
	return gk_strcpy(out, outsz, cfg->state_dir);
}

/*
 * The state directory must exist before the table can: create it (0700, one
 * level, like systemd's StateDirectory=) rather than leaving every Basic login
 * refused, and refuse one that others could write to (they could delete the
 * table and so lift every ban).
 */
static int
state_dir_ready(const char *dir, const struct gk_log *log, struct gk_err *err)
{
	struct stat st;

	if (mkdir(dir, 0700) == 0) {
		if (log != NULL)
			gk_log(log, LOG_NOTICE, "created state_dir %s (mode 0700)", dir);
		return GK_OK;
	}
	if (errno != EEXIST)
		return gk_err_set(err, "state_dir %s: cannot create it: %s", dir, strerror(errno));
	if (stat(dir, &st) != 0)
		return gk_err_set(err, "state_dir %s: %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return gk_err_set(err, "state_dir %s is not a directory", dir);
	if ((st.st_mode & 022) != 0 && (st.st_mode & S_ISVTX) == 0)
		return gk_err_set(err, "state_dir %s is writable by group or others: "
		    "they could delete the failure table and lift bans", dir);
	return GK_OK;
}

static int
lockout_open(const struct gk_config *cfg, const struct gk_log *log, struct gk_lockout **lk,
    struct gk_err *err)
{
	struct gk_lockout_conf lc;
	char dir[4096], msg[sizeof(err->msg)];

	*lk = NULL;
	if (gk_authz_state_dir(cfg, dir, sizeof(dir)) != GK_OK)
		return gk_err_set(err, "state_dir: path too long");
	if (state_dir_ready(dir, log, err) != GK_OK)
		return GK_ERR;
	gk_lockout_conf_from(&lc, cfg);
	if (gk_lockout_open(dir, &lc, lk, err) != GK_OK) {
		memcpy(msg, err->msg, sizeof(msg));
		*lk = NULL;
		return gk_err_set(err, "state_dir %s: %s", dir, msg);
	}
	return GK_OK;
}

static bool
lockout_wanted(const struct gk_config *cfg)
{
	/* Only Basic (and Apache's REMOTE_USER/REMOTE_PASSWD pair, which needs it) checks passwords. */
	return method_on(cfg, GK_M_BASIC) && cfg->max_failures > 0;
}

/*
 * As root, before the privilege drop: the workers run as run_user and must
 * be able to create and lock the table there, so a directory we create is
 * given to run_user (and run_group), and an existing one must belong to it.
 */
static int
state_dir_for_user(const char *dir, const struct gk_config *cfg, const struct gk_log *log,
    struct gk_err *err)
{
	struct passwd *pw;
	struct group *gr;
	struct stat st;
	uid_t uid;
	gid_t gid;
	int fd, rc = GK_ERR;

	if ((pw = getpwnam(cfg->run_user)) == NULL)
		return gk_err_set(err, "run_user %s: no such user", cfg->run_user);
	uid = pw->pw_uid;
	gid = pw->pw_gid;
	if (cfg->run_group != NULL && cfg->run_group[0] != '\0') {
		if ((gr = getgrnam(cfg->run_group)) == NULL)
			return gk_err_set(err, "run_group %s: no such group", cfg->run_group);
		gid = gr->gr_gid;
	}
	if (mkdir(dir, 0700) == 0) {
		/* By descriptor, not by name: the path cannot be swapped in between. */
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || fchown(fd, uid, gid) != 0 || fchmod(fd, 0700) != 0)
			gk_err_set(err, "state_dir %s: cannot give it to %s: %s", dir, cfg->run_user,
			    strerror(errno));
		else
			rc = GK_OK;
		if (fd >= 0)
			close(fd);
		if (rc == GK_OK && log != NULL)
			gk_log(log, LOG_NOTICE, "created state_dir %s (mode 0700, owner %s)", dir,
			    cfg->run_user);
		return rc;
	}
	if (state_dir_ready(dir, log, err) != GK_OK)
		return GK_ERR;
	if (stat(dir, &st) != 0)
		return gk_err_set(err, "state_dir %s: %s", dir, strerror(errno));
	if (st.st_uid != uid)
		return gk_err_set(err, "state_dir %s belongs to uid %ld, not to run_user %s: "
		    "chown it to %s (mode 0700)", dir, (long)st.st_uid, cfg->run_user, cfg->run_user);
	return GK_OK;
}

int
gk_authz_prepare(const struct gk_config *cfg, const struct gk_log *log, struct gk_err *err)
{
	struct gk_lockout *lk;
	char dir[4096];

	if (!lockout_wanted(cfg))
		return GK_OK;
	if (geteuid() == 0 && cfg->run_user != NULL && cfg->run_user[0] != '\0') {
		if (gk_authz_state_dir(cfg, dir, sizeof(dir)) != GK_OK)
			return gk_err_set(err, "state_dir: path too long");
		/* The table itself is left to the workers: it must be owned by run_user. */
		return state_dir_for_user(dir, cfg, log, err);
	}
	if (lockout_open(cfg, log, &lk, err) != GK_OK)
		return GK_ERR;
	gk_lockout_close(lk);
	return GK_OK;
}

int
gk_authz_init(struct gk_authz *a, const struct gk_config *cfg, const struct gk_log *log,
    struct gk_err *err)
{
	memset(a, 0, sizeof(*a));
	a->cfg = cfg;
	a->log = log;
	a->now = now_real;
	if ((a->pw = gk_pw_ctx_new(err)) == NULL)
		return GK_ERR;
	if (cfg->basic_cache_ttl > 0 && (a->cache = gk_credcache_new(GK_CREDCACHE_DEFAULT_SIZE,
	    cfg->basic_cache_ttl, err)) == NULL)
		goto fail;
	a->lockout_on = lockout_wanted(cfg);
	if (a->lockout_on && lockout_open(cfg, log, &a->lk, err) != GK_OK)
		goto fail;
	a->auth.pw = a->pw;
	a->auth.lockout_on = a->lockout_on;
	a->auth.lk = a->lk;
	a->auth.cache = a->cache;
	a->auth.log = log;
	a->auth.lookup = auth_lookup;
	a->auth.lookup_arg = a;
	return GK_OK;
fail:
	gk_credcache_free(a->cache);
	gk_pw_ctx_free(a->pw);
	a->cache = NULL;
	a->pw = NULL;
	return GK_ERR;
}

void
gk_authz_free(struct gk_authz *a)
{
	if (a->db != NULL)
		gk_userdb_close(a->db);
	gk_pw_ctx_free(a->pw);
	gk_credcache_free(a->cache);
	gk_lockout_close(a->lk);
	gk_secret_wipe(&a->secret);
	memset(a, 0, sizeof(*a));
}

static enum mres
fail(struct gk_decision *d, enum gk_outcome o, const char *reason)
{
	d->outcome = o;
	d->reason = reason;
	return M_FAIL;
}

/* One server-set param: GK_OK (value or NULL when absent) or GK_EDUP. */
static int
param1(const struct gk_request *req, const char *name, const char **v)
{
	*v = NULL;
	if (gk_request_param_count(req, name) > 1)
		return GK_EDUP;
	*v = gk_request_param(req, name);
	return GK_OK;
}

/* Bounds on the whole param set before anything looks at it. */
static bool
params_sane(char *const *envp)
{
	size_t n;

	if (envp == NULL)
		return false;
	for (n = 0; envp[n] != NULL; n++) {
		if (n >= GK_AUTHZ_PARAMS_MAX)
			return false;
		/* name + '=' + value: names are short, values at most GK_HEADER_MAX. */
		if (strnlen(envp[n], GK_HEADER_MAX + 256 + 1) > GK_HEADER_MAX + 256)
			return false;
	}
	return true;
}

static struct gk_userdb *
db_get(struct gk_authz *a)
{
	struct gk_err err = { "" };

	if (a->db == NULL && gk_userdb_open(a->cfg->database, &a->db, &err) != GK_OK) {
		a->db = NULL;
		gk_log(a->log, LOG_ERR, "database %s: %s", a->cfg->database, err.msg);
	}
	return a->db;
}

/* Looks a user up: GK_OK, GK_NOTFOUND, or an error already logged. */
static int
lookup(struct gk_authz *a, const char *name, struct gk_user *u)
{
	struct gk_userdb *db = db_get(a);
	struct gk_err err = { "" };
	int rc;

	if (db == NULL)
		return GK_EIO;
	rc = gk_userdb_lookup(db, name, u, &err);
	if (rc != GK_OK && rc != GK_NOTFOUND)
		gk_log(a->log, LOG_ERR, "database %s: %s", a->cfg->database, err.msg);
	return rc;
}

static int
auth_lookup(void *arg, const char *name, struct gk_user *u)
{
	return lookup(arg, name, u);
}

static void
set_user(struct gk_decision *d, const struct gk_user *u, const char *method)
{
	d->user = *u;
	gk_wipe(d->user.hash, sizeof(d->user.hash));
	d->have_user = true;
	d->method = method;
}

/* --- the original request ------------------------------------------------ */

static int
view_get(const struct gk_authz *a, const struct gk_request *req, enum gk_role role,
    struct view *v, struct gk_decision *d)
{
	const char *https, *scheme;

	memset(v, 0, sizeof(*v));
	if (a->cfg->frontend == GK_FRONTEND_CADDY && role == GK_ROLE_RESPONDER) {
		/* forward_auth rewrites the request: lib/frontend.c reads and cross-checks the original. */
		struct gk_fwd_view f;
		const char *why;
		int rc = gk_frontend_caddy_view(req, &f, &why);

		if (rc != GK_OK)
			return fail(d, rc == GK_NOTFOUND ? GK_OUT_ERROR : GK_OUT_FORBIDDEN, why), GK_ERR;
		v->method = f.method, v->host = f.host, v->target = f.target, v->proto = f.proto;
		return GK_OK;
	}
	if (param1(req, "REQUEST_METHOD", &v->method) != GK_OK ||
	    param1(req, "REQUEST_URI", &v->target) != GK_OK ||
	    param1(req, "HTTPS", &https) != GK_OK || param1(req, "REQUEST_SCHEME", &scheme) != GK_OK)
		return fail(d, GK_OUT_FORBIDDEN, "duplicate-params"), GK_ERR;
	if (gk_request_header(req, "Host", &v->host) < 0)
		return fail(d, GK_OUT_FORBIDDEN, "bad-host"), GK_ERR;
	if (v->method == NULL || v->target == NULL)
		return fail(d, GK_OUT_ERROR, "missing-request-uri"), GK_ERR;
	if (scheme != NULL && (strcmp(scheme, "https") == 0 || strcmp(scheme, "http") == 0))
		v->proto = scheme;
	else
		v->proto = https != NULL && strcasecmp(https, "on") == 0 ? "https" : "http";
	return GK_OK;
}

/* --- the requirement ----------------------------------------------------- */

/* Requirement from the auth_request endpoint path: its last segment, if it parses. */
static bool
endpoint_requirement(const struct gk_request *req, char *buf, size_t bufsz,
    struct gk_requirement *r)
{
	const char *uri = gk_request_param(req, "DOCUMENT_URI");
	const char *slash;
	size_t n;

	if (uri == NULL)
		uri = gk_request_param(req, "SCRIPT_NAME");
	if (uri == NULL || (slash = strrchr(uri, '/')) == NULL)
		return false;
	n = strcspn(slash + 1, "?");
	if (gk_memcpy_str(buf, bufsz, slash + 1, n) != GK_OK)
		return false;
	return gk_requirement_parse(buf, r) == GK_OK;
}

static int
requirement(struct gk_authz *a, const struct gk_request *req, enum gk_role role,
    const struct view *v, const struct gk_path_readings *pr, char *buf, size_t bufsz,
    struct gk_requirements *rs, struct gk_decision *d)
{
	struct gk_requirement r;
	const char *s;

	/* Every reading of the path an app could use: the strictest rule among them wins. */
	if (gk_policy_requirements_methods(a->cfg, v->host, pr, &v->ms, rs, &s) != GK_OK) {
		gk_log(a->log, LOG_ERR, "%s: bad requirement", s);
		fail(d, GK_OUT_ERROR, "bad-rule");
		return GK_ERR;
	}
	if (!rs->unmatched)
		return GK_OK;
	if (param1(req, "GATEKEEP_REQUIRE", &s) != GK_OK) {
		fail(d, GK_OUT_ERROR, "duplicate-GATEKEEP_REQUIRE");
		return GK_ERR;
	}
	if (s != NULL) {
		if (gk_strcpy(buf, bufsz, s) != GK_OK || gk_requirement_parse(buf, &r) != GK_OK) {
			gk_log(a->log, LOG_ERR, "GATEKEEP_REQUIRE: not a requirement");
			fail(d, GK_OUT_ERROR, "bad-GATEKEEP_REQUIRE");
			return GK_ERR;
		}
	} else if (role != GK_ROLE_RESPONDER || !endpoint_requirement(req, buf, bufsz, &r)) {
		gk_requirement_parse("any", &r);
	}
	(void)gk_requirements_add(rs, &r);     /* GK_REQUIREMENTS_MAX keeps a place for it */
	return GK_OK;
}

/* --- methods ------------------------------------------------------------- */

static enum mres
m_bypass(struct gk_authz *a, const struct gk_request *req, const struct view *v,
    const struct gk_path_readings *pr, struct gk_decision *d)
{
	const struct gk_config *cfg = a->cfg;
	struct gk_user u;

	if (gk_path_readings_all_under(pr, &cfg->bypass_paths))
		return d->method = "bypass", M_ANON;
	if (cfg->bypass_networks.count > 0 &&
	    gk_cidr_list_match(&cfg->bypass_networks, d->from))
		return d->method = "bypass", M_ANON;
	/* lib/bypass.c: the Host exactly, on a bound listener or from a bound network. */
	if (gk_bypass_host_applies(cfg, req, v->host, d->from)) {
		if (cfg->bypass_user == NULL || cfg->bypass_user[0] == '\0')
			return fail(d, GK_OUT_ERROR, "no-bypass-user");
		switch (lookup(a, cfg->bypass_user, &u)) {
		case GK_OK:
			set_user(d, &u, "bypass");
			gk_wipe(&u, sizeof(u));
			return M_USER;
		case GK_NOTFOUND:
			gk_log(a->log, LOG_ERR, "bypass_user %s is not in the database",
			    cfg->bypass_user);
			return fail(d, GK_OUT_ERROR, "no-bypass-user");
		default:
			return fail(d, GK_OUT_ERROR, "database");
		}
	}
	return M_NONE;
}

/* --- proxy users: auto-create, first user, e-mail ------------------------ */

struct scan {
	const char *self;       /* the user being written: its own e-mail is not "taken" */
	const char *email;      /* NULL: only count */
	bool count_only;
	size_t users;
	bool taken;
};

static int
scan_fn(const struct gk_user *u, void *arg)
{
	struct scan *sc = arg;

	sc->users++;
	/* Addresses are compared without regard to case (as 2FAuth's unique check does). */
	if (sc->email != NULL && strcmp(u->name, sc->self) != 0 &&
	    strcasecmp(u->email, sc->email) == 0)
		sc->taken = true;
	return sc->taken || sc->count_only ? 1 : 0;     /* stop early when the answer is known */
}

/*
 * Scans the live database for the user count (or just "any user?") and whether
 * email belongs to another user. Called while holding the writer lock, the live
 * file is exactly the transaction's base state (writers only replace it under that
 * lock), so the answer cannot change before commit: race-free.
 */
static int
scan_db(struct gk_authz *a, struct scan *sc)
{
	struct gk_userdb *db;
	struct gk_err err = { "" };
	int rc;

	if ((rc = gk_userdb_open(a->cfg->database, &db, &err)) != GK_OK) {
		gk_log(a->log, LOG_ERR, "database %s: %s", a->cfg->database, err.msg);
		return rc;
	}
	rc = gk_userdb_foreach(db, scan_fn, sc, &err);
	gk_userdb_close(db);
	if (rc < 0) {
		gk_log(a->log, LOG_ERR, "database %s: %s", a->cfg->database, err.msg);
		return rc;
	}
	return GK_OK;
}

/* Outside a transaction: is email used by a user other than name? (read path pre-check) */
static int
email_taken(struct gk_authz *a, const char *name, const char *email, bool *taken)
{
	struct gk_userdb *db = db_get(a);
	struct gk_err err = { "" };
	struct scan sc = { name, email, false, 0, false };
	int rc;

	*taken = false;
	if (db == NULL)
		return GK_EIO;
	rc = gk_userdb_foreach(db, scan_fn, &sc, &err);
	if (rc < 0) {
		gk_log(a->log, LOG_ERR, "database %s: %s", a->cfg->database, err.msg);
		return rc;
	}
	*taken = sc.taken;
	return GK_OK;
}

/*
 * The groups an external user should have: the configured (or header) groups,
 * plus "admins" for a user at level 0 -- the first user of an empty database is
 * made an admin that way, and re-synchronisation must not take it away again.
 */
static int
want_groups(const char *groups, uint16_t level, char *out, size_t outsz)
{
	if (level != GK_LEVEL_ADMIN || gk_groups_contains(groups, GK_ADMIN_GROUP))
		return gk_strcpy(out, outsz, groups);
	if ((size_t)snprintf(out, outsz, "%s%s" GK_ADMIN_GROUP, groups,
	    groups[0] != '\0' ? "," : "") >= outsz)
		return GK_ETOOLONG;
	return gk_valid_group_list(out, strlen(out)) ? GK_OK : GK_EINVAL;
}

/* Creates or re-synchronises a passwordless external user; GK_OK or an error (logged). */
static int
proxy_sync(struct gk_authz *a, const char *name, const char *email, const char *groups,
    struct gk_user *u, bool exists)
{
	const struct gk_config *cfg = a->cfg;
	struct gk_userdb_txn *txn;
	struct gk_user w;
	struct gk_err err = { "" };
	char want[GK_GROUPS_MAX + 1];
	bool created = false;
	int rc;

	if (exists) {
		if (!(u->flags & GK_USER_EXTERNAL))
			return GK_OK;   /* a local user: the proxy never changes it */
		if (want_groups(groups, u->level, want, sizeof(want)) == GK_OK &&
		    strcmp(u->groups, want) == 0 && u->perm == cfg->proxy_auto_create_permission &&
		    (email == NULL || strcmp(u->email, email) == 0))
			return GK_OK;   /* nothing to change: no write */
	}
	if ((rc = gk_userdb_begin(cfg->database, false, 2000, &txn, &err)) != GK_OK)
		goto out;
	rc = gk_userdb_txn_get(txn, name, &w, &err);
	if (rc == GK_NOTFOUND) {
		struct scan sc = { name, NULL, true, 0, false };
		char other[GK_USER_MAX + 1];
		bool clash;

		gk_user_init(&w, name, a->now());
		w.flags |= GK_USER_EXTERNAL;
		w.hash[0] = '\0';
		created = true;
		/* Navidrome's rule: the first user of an empty database is the admin. */
		if ((rc = scan_db(a, &sc)) != GK_OK) {
			gk_userdb_abort(txn);
			gk_err_set(&err, "cannot count the users");
			goto out;
		}
		if (sc.users == 0)
			w.level = GK_LEVEL_ADMIN;
		/* Many apps fold user names: "Alice" must not become "alice" there. */
		if ((rc = gk_extuser_name_clash(cfg->database, name, &clash, other, sizeof(other),
		    &err)) != GK_OK) {
			gk_userdb_abort(txn);
			goto out;
		}
		if (clash) {
			gk_userdb_abort(txn);
			gk_log(a->log, LOG_NOTICE, "proxy user %s: not created: user %s exists and "
			    "a new name must differ by more than case", name, other);
			gk_wipe(&w, sizeof(w));
			return GK_EDUP;
		}
	} else if (rc != GK_OK) {
		gk_userdb_abort(txn);
		goto out;
	}
	if (!(w.flags & GK_USER_EXTERNAL)) {
		gk_userdb_abort(txn);   /* became a local user meanwhile: leave it alone */
		*u = w;
		gk_wipe(&w, sizeof(w));
		return GK_OK;
	}
	if (email != NULL && strcmp(w.email, email) != 0) {
		/* Checked again under the lock: another user may have taken it meanwhile. */
		struct scan sc = { name, email, false, 0, false };

		if ((rc = scan_db(a, &sc)) != GK_OK) {
			gk_userdb_abort(txn);
			gk_err_set(&err, "cannot check the e-mail address");
			goto out;
		}
		if (sc.taken) {
			gk_log(a->log, LOG_NOTICE, "proxy user %s: ignored e-mail %s from %s: "
			    "used by another user", name, email, cfg->proxy_email_header);
			email = NULL;
		}
	}
	if ((rc = want_groups(groups, w.level, want, sizeof(want))) != GK_OK ||
	    (rc = gk_strcpy(w.groups, sizeof(w.groups), want)) != GK_OK ||
	    (email != NULL && (rc = gk_strcpy(w.email, sizeof(w.email), email)) != GK_OK)) {
		gk_userdb_abort(txn);
		gk_err_set(&err, "value too long");
		goto out;
	}
	w.perm = cfg->proxy_auto_create_permission;
	w.updated = a->now();
	if ((rc = gk_userdb_txn_put(txn, &w, &err)) != GK_OK) {
		gk_userdb_abort(txn);
		goto out;
	}
	if ((rc = gk_userdb_commit(txn, &err)) == GK_OK) {
		*u = w;
		if (created && w.level == GK_LEVEL_ADMIN)
			gk_log(a->log, LOG_NOTICE, "proxy user %s: first user of an empty database: "
			    "created as an admin (group %s, level 0)", name, GK_ADMIN_GROUP);
		else if (created)
			gk_log(a->log, LOG_INFO, "proxy user %s: created", name);
	}
out:
	if (rc != GK_OK)
		gk_log(a->log, LOG_ERR, "proxy user %s: database write failed: %s", name, err.msg);
	gk_wipe(&w, sizeof(w));
	return rc;
}

/*
 * 2FAuth's rule for the e-mail header: used only if it is a valid address that
 * no other user has; otherwise ignored (never a reason to refuse the request),
 * with one log line. A refused pair is remembered for a minute so a user whose
 * address stays taken does not cost a database scan on every request.
 */
static const char *
proxy_email(struct gk_authz *a, const struct gk_request *req, const char *name,
    const struct gk_user *u)
{
	const struct gk_config *cfg = a->cfg;
	const char *email;
	char eb[96];
	bool taken;
	int rc;

	if (cfg->proxy_email_header == NULL || cfg->proxy_email_header[0] == '\0')
		return NULL;
	rc = gk_request_header(req, cfg->proxy_email_header, &email);
	if (rc == GK_NOTFOUND || (rc == GK_OK && email[0] == '\0'))
		return NULL;
	if (rc != GK_OK || !gk_valid_email(email, strlen(email))) {
		gk_log(a->log, LOG_NOTICE, "proxy user %s: ignored %s header: %s", name,
		    cfg->proxy_email_header, rc == GK_EDUP ? "sent more than once" :
		    rc != GK_OK ? "not a valid header value" : "not a valid e-mail address");
		return NULL;
	}
	if (u != NULL && strcmp(u->email, email) == 0)
		return email;           /* already this user's */
	if (strcmp(a->email_memo_user, name) == 0 && strcmp(a->email_memo, email) == 0 &&
	    a->now() < a->email_memo_until)
		return NULL;
	if (email_taken(a, name, email, &taken) != GK_OK)
		return NULL;            /* the write path checks again (and fails on a bad DB) */
	if (!taken)
		return email;
	gk_log(a->log, LOG_NOTICE, "proxy user %s: ignored e-mail %s from %s: used by another user",
	    name, gk_log_escape(email, eb, sizeof(eb)), cfg->proxy_email_header);
	if (gk_strcpy(a->email_memo_user, sizeof(a->email_memo_user), name) == GK_OK &&
	    gk_strcpy(a->email_memo, sizeof(a->email_memo), email) == GK_OK)
		a->email_memo_until = a->now() + 60;
	return NULL;
}

static enum mres
m_proxy(struct gk_authz *a, const struct gk_request *req, struct gk_decision *d)
{
	const struct gk_config *cfg = a->cfg;
	const char *name, *email = NULL, *groups = NULL;
	struct gk_user u;
	int rc;

	if (cfg->proxy_user_header == NULL || cfg->proxy_user_header[0] == '\0')
		return M_NONE;
	rc = gk_request_header(req, cfg->proxy_user_header, &name);
	if (!gk_cidr_list_match(&cfg->proxy_trusted, d->from)) {
		if (rc != GK_NOTFOUND)
			gk_log(a->log, LOG_WARNING, "ignored %s header from untrusted peer %s",
			    cfg->proxy_user_header, d->from ? d->from : "-");
		return M_NONE;
	}
	if (rc == GK_NOTFOUND || (rc == GK_OK && name[0] == '\0'))
		return M_NONE;
	if (rc != GK_OK)
		return fail(d, GK_OUT_BADCRED, rc == GK_EDUP ? "proxy-header-duplicate" :
		    "proxy-header-invalid");
	if (!gk_valid_user(name, strlen(name)))
		return fail(d, GK_OUT_BADCRED, "proxy-header-invalid");
	gk_strcpy(d->attempted, sizeof(d->attempted), name);
	if (cfg->proxy_groups_header != NULL && cfg->proxy_groups_header[0] != '\0') {
		rc = gk_request_header(req, cfg->proxy_groups_header, &groups);
		if (rc == GK_NOTFOUND)
			groups = NULL;
		else if (rc != GK_OK || !gk_valid_group_list(groups, strlen(groups)))
			return fail(d, GK_OUT_BADCRED, "proxy-groups-invalid");
	}
	if (groups == NULL)
		groups = cfg->proxy_auto_create_groups ? cfg->proxy_auto_create_groups : "";
	rc = lookup(a, name, &u);
	if (rc == GK_NOTFOUND) {
		if (!cfg->proxy_auto_create)
			return fail(d, GK_OUT_FORBIDDEN, "unknown-user");
		email = proxy_email(a, req, name, NULL);
		if ((rc = proxy_sync(a, name, email, groups, &u, false)) == GK_EDUP)
			return fail(d, GK_OUT_FORBIDDEN, "name-case-clash");
		if (rc != GK_OK)
			return fail(d, GK_OUT_ERROR, "database-write");
	} else if (rc != GK_OK) {
		return fail(d, GK_OUT_ERROR, "database");
	} else {
		if (u.flags & GK_USER_EXTERNAL)
			email = proxy_email(a, req, name, &u);
		if (proxy_sync(a, name, email, groups, &u, true) != GK_OK) {
			gk_wipe(&u, sizeof(u));
			return fail(d, GK_OUT_ERROR, "database-write");
		}
	}
	if (u.flags & GK_USER_DISABLED) {
		gk_wipe(&u, sizeof(u));
		/* 403, not 401: the proxy would send the user round a login loop. */
		return fail(d, GK_OUT_FORBIDDEN, "disabled");
	}
	set_user(d, &u, "proxy");
	gk_wipe(&u, sizeof(u));
	return M_USER;
}

/* The signing key, loaded on first use; NULL (logged) when it cannot be. */
static const struct gk_secret *
session_secret(void *arg)
{
	struct gk_authz *a = arg;
	const struct gk_config *cfg = a->cfg;
	struct gk_err err = { "" };
	bool report;
	int rc;

	/* The key follows its file: a rotation counts at once, a broken file refuses every cookie. */
	rc = gk_secret_refresh(cfg->secret_file, &a->secret, &report, &err);
	if (report)
		gk_log(a->log, rc == GK_OK ? LOG_NOTICE : LOG_ERR, "secret_file %s: %s",
		    cfg->secret_file ? cfg->secret_file : "(unset)",
		    rc == GK_OK ? "changed on disk, key reloaded" : err.msg);
	return rc == GK_OK ? &a->secret : NULL;
}

static enum mres
m_session(struct gk_authz *a, const struct gk_request *req, struct gk_decision *d)
{
	const struct gk_config *cfg = a->cfg;
	struct gk_auth_session_conf sc;
	enum gk_auth_status st;
	const char *cookie;
	struct gk_claims c;
	struct gk_user u;
	enum mres res;
	int rc;

	rc = gk_request_header(req, "Cookie", &cookie);
	if (rc == GK_NOTFOUND)
		return M_NONE;
	if (rc != GK_OK)
		return fail(d, GK_OUT_BADCRED, "bad-cookie-header");
	sc.secret = session_secret;
	sc.secret_arg = a;
	sc.cookie_name = cfg->cookie_name;
	sc.issuer = GK_TOKEN_ISSUER;
	sc.session_ttl = cfg->session_ttl;
	st = gk_auth_session(&a->auth, &sc, cookie, a->now(), &u, &c);
	if (st == GK_AUTH_OK) {
		set_user(d, &u, "session");
		gk_ticket_answer_header(cfg, &a->secret, cookie, &u, &c, a->now(), d->ticket, sizeof(d->ticket));
		res = M_USER;
	} else if (st == GK_AUTH_NONE) {
		res = M_NONE;   /* expired, not forged: let another method or the login run */
	} else {
		if (c.sub[0] != '\0')
			gk_strcpy(d->attempted, sizeof(d->attempted), c.sub);
		res = fail(d, st == GK_AUTH_DB_ERROR || st == GK_AUTH_SECRET_ERROR ? GK_OUT_ERROR :
		    GK_OUT_BADCRED, gk_auth_reason(st));
	}
	gk_wipe(&u, sizeof(u));
	gk_wipe(&c, sizeof(c));
	return res;
}

/* Checks user/password through lib/auth (lockout, database, cache, hash); both already bounded. */
static enum mres
check_password(struct gk_authz *a, const char *user, const char *pass, const char *method,
    struct gk_decision *d)
{
	struct gk_user u;
	enum gk_auth_status st;

	gk_strcpy(d->attempted, sizeof(d->attempted), user);
	st = gk_auth_password(&a->auth, user, pass, d->from, a->now(), &u);
	if (st != GK_AUTH_OK)
		return fail(d, st == GK_AUTH_DB_ERROR || st == GK_AUTH_INTERNAL ? GK_OUT_ERROR :
		    GK_OUT_BADCRED, gk_auth_reason(st));
	set_user(d, &u, method);
	gk_wipe(&u, sizeof(u));
	return M_USER;
}

static enum mres
m_basic(struct gk_authz *a, const struct gk_request *req, enum gk_role role,
    struct gk_decision *d)
{
	char user[GK_USER_MAX + 1], pass[GK_PASSWORD_MAX + 1];
	const char *h;
	enum mres res;
	int rc;

	(void)role;
	rc = gk_request_header(req, "Authorization", &h);
	if (rc == GK_OK) {
		rc = gk_basic_parse(h, user, pass);
		if (rc == GK_NOTFOUND)
			return M_NONE;  /* another scheme (Bearer...): not ours */
		if (rc != GK_OK)
			return fail(d, GK_OUT_BADCRED, "malformed-credentials");
		res = check_password(a, user, pass, "basic", d);
		gk_wipe(pass, sizeof(pass));
		return res;
	}
	if (rc != GK_NOTFOUND)
		return fail(d, GK_OUT_BADCRED, rc == GK_EDUP ? "duplicate-authorization" :
		    "malformed-credentials");
	return M_NONE;
}

/*
 * Apache mod_authnz_fcgi / mod_fcgid authenticator calls: the Basic pair
 * arrives as REMOTE_USER + REMOTE_PASSWD. Apache makes the name the client
 * typed the request's user whatever else we looked at, so such a call is
 * decided on that pair alone: no bypass, proxy header or cookie may stand in
 * for it (else "-u alice:WRONG" plus a trusted header would pass as alice).
 * Everywhere else REMOTE_USER is never read.
 */
static bool
apache_pair_call(const struct gk_request *req, enum gk_role role)
{
	const char *ar = gk_request_param(req, "FCGI_APACHE_ROLE");

	/* Without FCGI_APACHE_ROLE: a provider used for both authn and authz, still a pair. */
	return role == GK_ROLE_AUTHORIZER && (ar == NULL || strcmp(ar, "AUTHENTICATOR") == 0) &&
	    gk_request_param(req, "REMOTE_PASSWD") != NULL;
}

static enum mres
m_apache_pair(struct gk_authz *a, const struct gk_request *req, struct gk_decision *d)
{
	char user[GK_USER_MAX + 1], pass[GK_PASSWORD_MAX + 1];
	const char *ar, *ru, *rp, *h;
	enum mres res;
	size_t i;
	bool basic = false, mismatch;
	int rc;

	for (i = 0; i < a->cfg->methods_count; i++)
		basic = basic || a->cfg->methods[i] == GK_M_BASIC;
	if (!basic)
		return fail(d, GK_OUT_BADCRED, "basic-not-enabled");
	if (param1(req, "FCGI_APACHE_ROLE", &ar) != GK_OK || param1(req, "REMOTE_USER", &ru) != GK_OK ||
	    param1(req, "REMOTE_PASSWD", &rp) != GK_OK)
		return fail(d, GK_OUT_BADCRED, "duplicate-credentials");
	/* Apache's lenient parse of the pair must be exactly gatekeep's strict one. */
	if ((rc = gk_request_header(req, "Authorization", &h)) != GK_OK && rc != GK_NOTFOUND)
		return fail(d, GK_OUT_BADCRED, "malformed-credentials");
	if (gk_basic_pair_check(ru, rp, rc == GK_OK ? h : NULL, user, pass, &mismatch) != GK_OK)
		return fail(d, GK_OUT_BADCRED, mismatch ? "authorization-mismatch" :
		    "malformed-credentials");
	res = check_password(a, user, pass, "apache", d);
	gk_wipe(pass, sizeof(pass));
	return res;
}

/* --- after identification ------------------------------------------------ */

/*
 * Origin check for unsafe methods (CSRF), when allowed_origins is set: the
 * one in lib/origin, without the login form's same-host allowance (the
 * protected app's own pages must be listed).
 */
static bool
origin_ok(const struct gk_config *cfg, const struct gk_request *req, const char *method)
{
	const char *why;

	if (cfg->allowed_origins.count == 0 || gk_http_method_safe(method))
		return true;
	return gk_origin_check(req, &cfg->allowed_origins, NULL, &why);
}

static void
urlencode(const char *s, char *out, size_t outsz)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (; *s != '\0' && o + 4 < outsz; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~') {
			out[o++] = (char)c;
		} else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
}

/* How to ask for credentials: Basic challenge, login redirect, Location. */
static void
unauth_answer(const struct gk_config *cfg, const struct gk_request *req, const struct view *v,
    struct gk_decision *d)
{
	const char *accept = NULL, *xrw = NULL;
	char url[GK_AUTHZ_TARGET_MAX + 1], enc[GK_AUTHZ_TARGET_MAX * 3 + 1];
	bool browser, basic = method_on(cfg, GK_M_BASIC);
	bool login = cfg->login_url != NULL && cfg->login_url[0] != '\0' &&
	    cfg->on_unauthenticated != GK_UNAUTH_BASIC;
	int n;

	if (gk_request_header(req, "Accept", &accept) != GK_OK)
		accept = NULL;
	if (gk_request_header(req, "X-Requested-With", &xrw) != GK_OK)
		xrw = NULL;
	browser = accept != NULL && strstr(accept, "text/html") != NULL &&
	    (xrw == NULL || strcasecmp(xrw, "XMLHttpRequest") != 0);
	d->redirect = login && (cfg->on_unauthenticated == GK_UNAUTH_REDIRECT || browser);
	d->offer_basic = basic && !d->redirect;
	d->location[0] = '\0';
	if (!login)
		return;
	url[0] = '\0';
	if (v->target != NULL && v->host != NULL && gk_valid_header_value(v->host, strlen(v->host)) &&
	    strpbrk(v->host, "/@?#\\ ") == NULL && v->target[0] == '/') {
		n = snprintf(url, sizeof(url), "%s://%s%s",
		    v->proto != NULL && strcmp(v->proto, "https") == 0 ? "https" : "http",
		    v->host, v->target);
		if (n < 0 || (size_t)n >= sizeof(url))
			url[0] = '\0';  /* too long to carry: the login page uses its default */
	}
	if (url[0] == '\0') {
		gk_strcpy(d->location, sizeof(d->location), cfg->login_url);
		return;
	}
	urlencode(url, enc, sizeof(enc));
	n = snprintf(d->location, sizeof(d->location), "%s%crd=%s", cfg->login_url,
	    strchr(cfg->login_url, '?') ? '&' : '?', enc);
	if (n < 0 || (size_t)n >= sizeof(d->location))
		gk_strcpy(d->location, sizeof(d->location), cfg->login_url);
}

static void
log_path(struct gk_decision *d, const char *target)
{
	size_t n;

	if (target == NULL) {
		gk_strcpy(d->path, sizeof(d->path), "-");
		return;
	}
	n = strcspn(target, "?#");      /* never the query: it may carry tokens */
	if (n > sizeof(d->path) - 1)
		n = sizeof(d->path) - 1;
	gk_memcpy_str(d->path, sizeof(d->path), target, n);
}

void
gk_authz_decide(struct gk_authz *a, enum gk_role role, char *const *envp,
    struct gk_decision *d)
{
	const struct gk_config *cfg = a->cfg;
	struct gk_request req;
	struct view v;
	struct gk_requirements rs;
	struct gk_path_readings pr;
	char reqbuf[GK_HEADER_MAX + 1];
	enum mres res = M_NONE;
	size_t i;

	/* Fresh state for every request (CVE-2011-2766 class). */
	memset(d, 0, sizeof(*d));
	memset(&v, 0, sizeof(v));
	d->role = role;
	d->outcome = GK_OUT_ERROR;
	d->caddy = cfg->frontend == GK_FRONTEND_CADDY;
	gk_strcpy(d->path, sizeof(d->path), "-");
	if (!params_sane(envp)) {
		fail(d, GK_OUT_FORBIDDEN, "oversized-params");
		goto done;
	}
	gk_request_init(&req, envp);
	d->from = gk_request_remote_addr(&req);
	if (gk_request_param_count(&req, "REMOTE_ADDR") > 1) {
		d->from = NULL;
		fail(d, GK_OUT_FORBIDDEN, "duplicate-params");
		goto done;
	}
	if (role != GK_ROLE_AUTHORIZER && role != GK_ROLE_RESPONDER) {
		fail(d, GK_OUT_ERROR, "unknown-role");
		goto done;
	}
	if (view_get(a, &req, role, &v, d) != GK_OK)
		goto done;
	if (gk_method_readings(&req, v.method, v.target, &v.ms) != GK_OK) {
		log_path(d, v.target);
		fail(d, GK_OUT_FORBIDDEN, "bad-method");
		goto done;
	}
	if (gk_path_readings(v.target, &pr) != GK_OK) {
		log_path(d, v.target);
		fail(d, GK_OUT_FORBIDDEN, "bad-path");
		goto done;
	}
	if (pr.count == 1)
		gk_strcpy(d->path, sizeof(d->path), pr.path[0]);
	else
		log_path(d, v.target);  /* readings differ ("/admin/..;/x"): log what was sent */
	if (requirement(a, &req, role, &v, &pr, reqbuf, sizeof(reqbuf), &rs, d) != GK_OK)
		goto done;
	if (gk_requirements_deny(&rs)) {
		fail(d, GK_OUT_FORBIDDEN, "rule-deny");
		goto done;
	}
	if (gk_requirements_anonymous(&rs)) {
		d->outcome = GK_OUT_ALLOW;
		d->method = "rule";
		goto done;
	}
	if (apache_pair_call(&req, role)) {
		d->method = "apache";
		res = m_apache_pair(a, &req, d);
	}
	for (i = 0; i < cfg->methods_count && res == M_NONE; i++) {
		switch (cfg->methods[i]) {
		case GK_M_BYPASS:
			d->method = "bypass";
			res = m_bypass(a, &req, &v, &pr, d);
			break;
		case GK_M_PROXY:
			d->method = "proxy";
			res = m_proxy(a, &req, d);
			break;
		case GK_M_SESSION:
			d->method = "session";
			res = m_session(a, &req, d);
			break;
		case GK_M_BASIC:
			d->method = "basic";
			res = m_basic(a, &req, role, d);
			break;
		}
	}
	switch (res) {
	case M_ANON:
		d->outcome = GK_OUT_ALLOW;
		break;
	case M_NONE:
		d->method = NULL;
		fail(d, GK_OUT_NOCRED, "no-credentials");
		break;
	case M_FAIL:
		break;
	case M_USER:
		if (!gk_requirements_allow_methods(&rs, &d->user, &v.ms))
			fail(d, GK_OUT_FORBIDDEN, "forbidden");
		else if (!origin_ok(cfg, &req, gk_methods_least_safe(&v.ms)))
			fail(d, GK_OUT_FORBIDDEN, "bad-origin");
		else
			d->outcome = GK_OUT_ALLOW;
		break;
	}
	if (d->outcome == GK_OUT_NOCRED || d->outcome == GK_OUT_BADCRED)
		unauth_answer(cfg, &req, &v, d);
done:
	if (d->outcome != GK_OUT_ALLOW && d->have_user) {
		gk_strcpy(d->attempted, sizeof(d->attempted), d->user.name);
		gk_wipe(&d->user, sizeof(d->user));
		d->have_user = false;
	}
	gk_wipe(reqbuf, sizeof(reqbuf));
}

void
gk_authz_log(const struct gk_authz *a, const struct gk_decision *d)
{
	if (gk_hashpool_pending(gk_hashpool_current()))
		return;         /* not final: decided again when lib/hashpool's hash ends */
	gk_log_decision(a->log, d->outcome == GK_OUT_ALLOW,
	    d->have_user ? d->user.name : (d->attempted[0] ? d->attempted : NULL),
	    d->method, d->from, d->outcome == GK_OUT_ALLOW ? NULL : d->reason, d->path);
}
