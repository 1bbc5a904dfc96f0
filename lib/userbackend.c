/* userbackend.c: where the users come from (the GDBM database or an LDAP directory), behind one handle. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "ldapusers.h"
#include "userbackend.h"

struct gk_userbackend {
	const struct gk_userbackend_ops *ops;
	void *impl;
	const struct gk_hashpool_binder *binder;        /* LDAP's, for lib/hashpool; else NULL */
};

/* ---- the GDBM database: lib/userdb, read-only, opened on first use ---- */

struct gdbm_impl {
	const struct gk_config *cfg;
	const struct gk_log *log;
	struct gk_userdb *db;
};

static struct gk_userdb *
gdbm_db(struct gdbm_impl *g)
{
	struct gk_err err = { "" };

	if (g->db == NULL && gk_userdb_open(g->cfg->database, &g->db, &err) != GK_OK) {
		g->db = NULL;
		gk_log(g->log, LOG_ERR, "database %s: %s", g->cfg->database, err.msg);
	}
	return g->db;
}

static int
gdbm_lookup(void *impl, const char *name, struct gk_user *u)
{
	struct gdbm_impl *g = impl;
	struct gk_err err = { "" };
	int rc;

	if (gdbm_db(g) == NULL)
		return GK_EIO;
	rc = gk_userdb_lookup(g->db, name, u, &err);
	if (rc != GK_OK && rc != GK_NOTFOUND) {
		gk_log(g->log, LOG_ERR, "database %s: %s", g->cfg->database, err.msg);
		gk_userdb_close(g->db);
		g->db = NULL;           /* reopen next time */
	}
	return rc;
}

static void
gdbm_close(void *impl)
{
	struct gdbm_impl *g = impl;

	if (g != NULL)
		gk_userdb_close(g->db);
	free(g);
}

static const struct gk_userbackend_ops gdbm_ops = {
	.name = "gdbm", .writable = true, .lookup = gdbm_lookup, .verify = NULL,
	.verify_dummy = NULL, .close = gdbm_close
};

/* ---- the handle ---- */

int
gk_userbackend_open(const struct gk_config *cfg, const struct gk_log *log,
    struct gk_userbackend **out, struct gk_err *err)
{
	struct gk_userbackend *b;
	struct gdbm_impl *g;

	*out = NULL;
	if ((b = calloc(1, sizeof(*b))) == NULL)
		return gk_err_set(err, "out of memory");
	if (cfg->user_backend == GK_USERBACKEND_LDAP) {
		if (gk_ldapusers_open(cfg, log, &b->impl, &b->ops, &b->binder, err) != GK_OK) {
			free(b);
			return GK_ERR;
		}
	} else {
		if ((g = calloc(1, sizeof(*g))) == NULL) {
			free(b);
			return gk_err_set(err, "out of memory");
		}
		g->cfg = cfg;
		g->log = log;
		b->impl = g;
		b->ops = &gdbm_ops;
	}
	*out = b;
	return GK_OK;
}

void
gk_userbackend_close(struct gk_userbackend *b)
{
	if (b == NULL)
		return;
	b->ops->close(b->impl);
	free(b);
}

int
gk_userbackend_lookup(struct gk_userbackend *b, const char *name, struct gk_user *u)
{
	return b->ops->lookup(b->impl, name, u);
}

bool
gk_userbackend_verifies(const struct gk_userbackend *b)
{
	return b->ops->verify != NULL;
}

enum gk_pw_verdict
gk_userbackend_verify(struct gk_userbackend *b, const struct gk_user *u, const char *password)
{
	return b->ops->verify != NULL ? b->ops->verify(b->impl, u, password) : GK_PW_FAIL;
}

int
gk_userbackend_bind_dn(struct gk_userbackend *b, const struct gk_user *u, char *dn, size_t dnsz)
{
	return b->ops->bind_dn != NULL ? b->ops->bind_dn(b->impl, u, dn, dnsz) : GK_ERR;
}

const struct gk_hashpool_binder *
gk_userbackend_binder(struct gk_userbackend *b)
{
	return b->binder;
}

void
gk_userbackend_verify_dummy(struct gk_userbackend *b, const char *password)
{
	if (b->ops->verify_dummy != NULL)
		b->ops->verify_dummy(b->impl, password);
}

bool
gk_userbackend_writable(const struct gk_userbackend *b)
{
	return b->ops->writable;
}

int
gk_userbackend_probe(const struct gk_config *cfg, struct gk_err *err)
{
	struct gk_userdb *db = NULL;
	struct gk_user u;
	struct gk_err e = { "" };
	int rc;

	if (cfg->user_backend == GK_USERBACKEND_LDAP)
		return gk_ldapusers_probe(cfg, err);
	if (gk_userdb_open(cfg->database, &db, &e) != GK_OK)
		return gk_err_set(err, "database: %s", e.msg);
	rc = gk_userdb_lookup(db, "gatekeep-ready-probe", &u, &e);
	gk_wipe(&u, sizeof(u));
	gk_userdb_close(db);
	if (rc != GK_OK && rc != GK_NOTFOUND)
		return gk_err_set(err, "database: %s", e.msg);
	return GK_OK;
}

const char *
gk_userbackend_name(const struct gk_userbackend *b)
{
	return b->ops->name;
}

struct gk_userdb *
gk_userbackend_gdbm(struct gk_userbackend *b)
{
	return b->ops == &gdbm_ops ? gdbm_db(b->impl) : NULL;
}
