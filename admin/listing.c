/* listing.c: the read-only commands --list, --show and --export, sorted by user name. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "options.h"
#include "passwd.h"
#include "creds.h"
#include "userdb.h"

/* One output line and the name it sorts by. */
struct row {
	char *name;
	char *line;
	int64_t created;        /* export --with-credentials: the user line (user_io.c) */
	uint32_t generation;
};

struct rows {
	struct row *v;
	size_t n, cap;
	bool oom;
	bool export;        /* build "name:hash" lines, skipping users without a usable hash */
	struct gk_userdb *db;   /* for the TOTP flag (admin/totp.c); export: the credentials */
	size_t skipped;
	struct gk_creds *creds; /* export: scratch for the credentials check */
	char *with_creds;       /* export: "name, name" of exported users whose credentials are not */
	bool carry_creds;       /* export: print them (--with-credentials) */
	size_t carried;
};

/* Export: htpasswd lines carry no credentials; remembers the user so that --export says so. */
static void
note_creds(struct rows *r, const char *name)
{
	struct gk_err err = { "" };
	char *s;

	if (r->creds == NULL || gk_userdb_creds(r->db, name, r->creds, &err) != GK_OK ||
	    r->creds->n == 0)
		return;
	if (asprintf(&s, "%s%s%s", r->with_creds ? r->with_creds : "", r->with_creds ? ", " : "",
	    name) < 0) {
		r->oom = true;
		return;
	}
	free(r->with_creds);
	r->with_creds = s;
}

static const char *
dash(const char *s)
{
	return s[0] != '\0' ? s : "-";
}

static void
flags_text(uint32_t flags, char *out, size_t outsz)
{
	snprintf(out, outsz, "%s%s%s",
	    (flags & GK_USER_DISABLED) ? "disabled" : "",
	    (flags & GK_USER_DISABLED) && (flags & GK_USER_EXTERNAL) ? "," : "",
	    (flags & GK_USER_EXTERNAL) ? "external" : "");
}

static int
collect(const struct gk_user *u, void *arg)
{
	struct rows *r = arg;
	char flags[32];
	char *line = NULL;
	int n;

	if (r->export) {
		/* Disabled users would become enabled in a plain htpasswd file. */
		if (u->hash[0] == '\0' || (u->flags & GK_USER_DISABLED)) {
			r->skipped++;
			return 0;
		}
		n = asprintf(&line, "%s:%s", u->name, u->hash);
	} else {
		flags_text(u->flags, flags, sizeof(flags));
		if (r->db != NULL && pw_totp_flag(r->db, u->name)[0] != '\0')
			snprintf(flags + strlen(flags), sizeof(flags) - strlen(flags), "%s%s",
			    flags[0] != '\0' ? "," : "", pw_totp_flag(r->db, u->name));
		n = asprintf(&line, "%s\t%s\t%s\t%s\t%s", u->name, dash(flags),
		    gk_perm_name(u->perm), dash(u->groups), dash(u->email));
	}
	if (n < 0) {
		r->oom = true;
		return 1;
	}
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;
		struct row *v = reallocarray(r->v, cap, sizeof(*v));

		if (v == NULL) {
			free(line);
			r->oom = true;
			return 1;
		}
		r->v = v;
		r->cap = cap;
	}
	r->v[r->n].line = line;
	r->v[r->n].created = u->created;
	r->v[r->n].generation = u->generation;
	r->v[r->n].name = strdup(u->name);
	if (r->v[r->n].name == NULL) {
		free(line);
		r->oom = true;
		return 1;
	}
	r->n++;
	return 0;
}

static int
row_cmp(const void *a, const void *b)
{
	return strcmp(((const struct row *)a)->name, ((const struct row *)b)->name);
}

static void
rows_free(struct rows *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		gk_wipe(r->v[i].line, strlen(r->v[i].line));
		free(r->v[i].line);
		free(r->v[i].name);
	}
	free(r->v);
}

static int
print_rows(struct gk_userdb *db, const char *dbpath, FILE *out, struct rows *r)
{
	struct gk_err err = { "" };
	size_t i;
	int st, rc = EX_PW_OK;

	st = gk_userdb_foreach(db, collect, r, &err);
	if (r->oom) {
		pw_warnx("out of memory");
		rc = EX_PW_GENERAL;
	} else if (st != GK_OK) {
		pw_dberr(dbpath, err.msg);
		rc = pw_exit_for_status(st);
	} else {
		if (r->n > 0)
			qsort(r->v, r->n, sizeof(r->v[0]), row_cmp);
		for (i = 0; i < r->n && rc == EX_PW_OK; i++) {
			bool had = false;

			fprintf(out, "%s\n", r->v[i].line);
			/* after the walk: a lookup inside gk_userdb_foreach could refresh under it */
			if (r->carry_creds) {
				rc = pw_user_export_line(r->v[i].name, r->v[i].created, r->v[i].generation, out);
				if (rc == EX_PW_OK)
					rc = pw_creds_export_line(db, r->v[i].name, out, &had);
				r->carried += had;
			} else {
				note_creds(r, r->v[i].name);
			}
		}
		if (rc == EX_PW_OK && (fflush(out) != 0 || ferror(out))) {
			pw_warnx("cannot write the output");
			rc = EX_PW_FILE;
		}
	}
	rows_free(r);
	return rc;
}

int
pw_list(struct gk_userdb *db, const char *dbpath, FILE *out)
{
	struct rows r = { 0 };

	r.db = db;
	return print_rows(db, dbpath, out, &r);
}

int
pw_export(struct gk_userdb *db, const char *dbpath, FILE *out, size_t *skipped,
    bool with_creds)
{
	struct rows r = { 0 };
	int rc;

	r.export = true;
	r.db = db;
	r.carry_creds = with_creds;
	if ((r.creds = calloc(1, sizeof(*r.creds))) == NULL) {
		pw_warnx("out of memory");
		return EX_PW_GENERAL;
	}
	rc = print_rows(db, dbpath, out, &r);
	*skipped = r.skipped;
	/* Lost data on a migration unless said: tokens, TOTP seeds, recovery codes, passkeys. */
	if (rc == EX_PW_OK && r.with_creds != NULL)
		pw_warnx("credentials NOT exported (app tokens, TOTP, recovery codes, passkeys; "
		    "an import will not have them) of: %s", r.with_creds);
	if (rc == EX_PW_OK && r.carried > 0)
		pw_warnx("the output holds the credentials of %zu users, TOTP seeds in the clear: "
		    "keep it as secret as the database", r.carried);
	gk_wipe(r.creds, sizeof(*r.creds));
	free(r.creds);
	free(r.with_creds);
	return rc;
}

static void
print_time(FILE *out, const char *label, int64_t t)
{
	char buf[64];
	struct tm tm;
	time_t tt = (time_t)t;

	if (t <= 0 || gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, sizeof(buf), "-");
	fprintf(out, "%s: %s\n", label, buf);
}

int
pw_show(struct gk_userdb *db, const char *dbpath, const char *name, FILE *out)
{
	struct gk_user u;
	struct gk_err err = { "" };
	char flags[32];
	int st, rc = EX_PW_OK;

	st = gk_userdb_lookup(db, name, &u, &err);
	if (st != GK_OK)
		return pw_user_status(dbpath, name, st, err.msg);
	flags_text(u.flags, flags, sizeof(flags));
	fprintf(out, "user: %s\n", u.name);
	fprintf(out, "name: %s\n", dash(u.display));
	fprintf(out, "email: %s\n", dash(u.email));
	fprintf(out, "groups: %s\n", dash(u.groups));
	fprintf(out, "permission: %s\n", gk_perm_name(u.perm));
	fprintf(out, "level: %u\n", (unsigned)u.level);
	fprintf(out, "flags: %s\n", dash(flags));
	fprintf(out, "password: %s\n", pw_hash_method_name(u.hash));
	fprintf(out, "generation: %lu\n", (unsigned long)u.generation);
	print_time(out, "created", u.created);
	print_time(out, "updated", u.updated);
	print_time(out, "password-changed", u.pw_changed);
	pw_totp_show(db, u.name, out);
	if (fflush(out) != 0 || ferror(out)) {
		pw_warnx("cannot write the output");
		rc = EX_PW_FILE;
	}
	gk_wipe(&u, sizeof(u));
	return rc;
}
